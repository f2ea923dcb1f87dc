//! A Markdown summary: the verdict, the key and target, the six checklist items as a
//! table, every problem with its fix, and all checks in a collapsed section. Used for
//! `--format markdown` and for `$GITHUB_STEP_SUMMARY`.
//!
//! Text from the report is escaped so that it cannot break the table or inject HTML
//! (server-provided text such as problem details ends up in summaries).

use super::human::{count, level_status, verdict_status};
use sl_doctor_checks::diagnosis::{CauseLevel, Fixer};
use sl_doctor_checks::model::report::{CheckResult, Report, Severity, Status};
use sl_doctor_checks::model::untrusted;
use std::fmt::Write;

fn icon(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅",
        Status::Warn => "⚠️",
        Status::Fail => "❌",
        Status::Skip => "➖",
        Status::Error => "❓",
    }
}

/// Text as Markdown that renders exactly as written, so no text (ours or a server's) can
/// open a link, an image, emphasis, HTML, an entity, math, a table cell, a heading or a
/// list: the ASCII punctuation that can start inline markup is always backslash-escaped
/// (CommonMark allows it for every ASCII punctuation character); `# + - = > .` and digits
/// only where they could start a block (at the start); GitHub's bare-URL and e-mail
/// autolinks are broken by escaping the `:` of `://`, the `.` of `www.` and every `@`.
/// Line breaks become spaces (outside text has none left; ours, just in case).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    let mut at_start = true;
    for (i, c) in s.char_indices() {
        let before = &s[..i];
        let after = &s[i + c.len_utf8()..];
        let escape = match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '!' | '|'
            | '~' | '&' | '$' | '@' => true,
            ':' => after.starts_with("//"),
            '.' => before.to_ascii_lowercase().ends_with("www") || at_start,
            '#' | '+' | '-' | '=' => at_start,
            _ => false,
        };
        match c {
            '\r' | '\n' => out.push(' '),
            c if escape => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        // A block marker can follow leading spaces and digits (`1.`): still the start.
        at_start = at_start && (c == ' ' || c.is_ascii_digit());
    }
    out
}

/// `s` as one inline code span: a fence longer than any run of backticks inside, so the
/// text cannot close it (nothing inside a code span is markup).
pub(crate) fn code(s: &str) -> String {
    // Nothing is escaped inside a code span: a workflow command shows as the log's escape.
    let s = untrusted::guard_line(&s.replace(['\r', '\n'], " "), untrusted::Sink::Log).into_owned();
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// `s` as a code span inside a table cell: GFM splits cells at every `|` not escaped, even
/// inside a code span, and reads `\|` there as the `|` itself.
fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// The diagnosis first: the summary sentence, then each cause with its proof and fix.
fn write_diagnosis(out: &mut String, report: &Report) {
    let d = &report.diagnosis;
    let _ = writeln!(out, "**{}**\n", esc(&d.summary));
    for (n, c) in d.causes.iter().enumerate() {
        let icon = icon(level_status(c.level));
        let _ = writeln!(out, "{}. {icon} **{}**", n + 1, esc(&c.title));
        if let Some(p) = &c.proof {
            let _ = writeln!(out, "   - proof: {}", esc(p));
        }
        let _ = writeln!(out, "   - fix: {}", esc(&c.fix));
        if c.level == CauseLevel::Fail {
            let who = match c.fixed_by {
                Fixer::You => "you can fix this yourself",
                Fixer::NetworkTeam => {
                    "only your network team can fix this (the proxy is theirs): show them this report"
                }
                Fixer::SalesLayer => {
                    "only Sales Layer can fix this: `sl-doctor support` drafts the email"
                }
            };
            let _ = writeln!(out, "   - {}", esc(who));
        }
    }
    if !d.causes.is_empty() {
        let _ = writeln!(out);
    }
}

/// The Markdown summary, with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let word = report.verdict_words();
    let status = verdict_status(report.effective_verdict);
    let _ = writeln!(out, "## {} sl-doctor: {word}\n", icon(status));
    write_diagnosis(&mut out, report);
    let s = &report.summary;
    let warnings = count(s.warn, "warning", "warnings");
    let _ = writeln!(
        out,
        "{} failed · {warnings} · {} inconclusive · {} passed · {} skipped\n",
        s.fail, s.error, s.pass, s.skip
    );
    write_key_and_target(&mut out, report);
    let _ = writeln!(out, "- **sl-doctor:** {}\n", esc(&report.tool.version));

    let _ = writeln!(out, "| | Checklist item | Checks |");
    let _ = writeln!(out, "|---|---|---|");
    for (n, item) in report.checklist.iter().enumerate() {
        let counts = if item.checks.is_empty() {
            format!(
                "skipped: {}",
                esc(item.reason.as_deref().unwrap_or("no checks"))
            )
        } else {
            item.checks
                .iter()
                .map(|c| format!("{} {}", icon(c.status), cell_code(&c.id)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(
            out,
            "| {} | {}. **{}** — {} | {counts} |",
            icon(item.status),
            n + 1,
            item.id.id(),
            esc(&item.title)
        );
    }
    write_problems(&mut out, report);
    write_all_checks(&mut out, report);
    // Printed to a CI log with --format markdown: no line may read as a workflow command.
    untrusted::guard_text(&out, untrusted::Sink::Markdown).into_owned()
}

/// Each failing, inconclusive or warning check with its findings and fix.
fn write_problems(out: &mut String, report: &Report) {
    let problems: Vec<&CheckResult> = report
        .checks()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error | Status::Warn))
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n### Problems\n");
        for c in problems {
            let _ = writeln!(
                out,
                "#### {} {} — {}\n",
                icon(c.status),
                code(&c.id),
                esc(&c.title)
            );
            let _ = writeln!(out, "{}\n", esc(&c.summary));
            // A check a proven cause explains shows no fix of its own: the cause's fix is
            // the one, and a finding's generic fix may contradict the proof.
            let proven = report.diagnosis.proven_cause_of(&c.id);
            if let Some((n, cause)) = proven {
                let _ = writeln!(out, "- Explained by cause {n}: {}", esc(&cause.title));
            }
            let mut has_fix = proven.is_some();
            for f in c.findings.iter().filter(|f| f.severity != Severity::Info) {
                let _ = writeln!(out, "- {}", esc(&f.message));
                if let (Some(fix), None) = (&f.fix, proven) {
                    let _ = writeln!(out, "  - **Fix:** {}", esc(fix));
                    has_fix = true;
                }
            }
            if let (false, Some(r)) = (has_fix, &c.fix) {
                let _ = writeln!(out, "- **Fix:** {}", esc(r));
            }
            let _ = writeln!(
                out,
                "\nMore: {}\n",
                code(&format!("sl-doctor explain {}", c.id))
            );
        }
    }
}

/// Every check in a collapsed table.
fn write_all_checks(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "\n<details><summary>All {} checks</summary>\n",
        report.checks().count()
    );
    let _ = writeln!(out, "| | Check | Item | Summary |");
    let _ = writeln!(out, "|---|---|---|---|");
    for item in &report.checklist {
        for c in &item.checks {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                icon(c.status),
                cell_code(&c.id),
                item.id.id(),
                esc(&c.summary)
            );
        }
    }
    let _ = writeln!(out, "\n</details>");
}

/// The key (described, never shown) and the target lines.
fn write_key_and_target(out: &mut String, report: &Report) {
    let k = &report.key;
    if k.present {
        let _ = writeln!(
            out,
            "- **Key:** {} ({}), {} characters, {}",
            code(&k.source.name),
            super::human::source_kind(k.source.kind),
            k.length,
            code(k.fingerprint.as_ref().map(|f| f.as_str()).unwrap_or(""))
        );
    } else {
        let _ = writeln!(out, "- **Key:** not found");
    }
    let _ = writeln!(
        out,
        "- **Target:** {} ({}){}",
        code(&report.target.base_url),
        esc(&report.target.apis.join(", ")),
        if report.offline { ", offline" } else { "" }
    );
}
