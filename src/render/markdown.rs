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
/// (CommonMark allows it for every ASCII punctuation character); `# + - =` only where they
/// could start a block (at the start), and a `.` after leading digits only where it ends an
/// ordered-list marker (`1. `; `0.1.0` is no marker); GitHub's bare-URL and e-mail
/// autolinks are broken by escaping the `:` of `://`, the `.` of `www.` and every `@`.
/// Line breaks become spaces (outside text has none left; ours, just in case).
pub(crate) fn esc(s: &str) -> String {
    escape(s, true)
}

/// [`esc`] for text that does not start a line when `at_start` is false.
fn escape(s: &str, mut at_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for (i, c) in s.char_indices() {
        let before = &s[..i];
        let after = &s[i + c.len_utf8()..];
        let escape = match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '!' | '|'
            | '~' | '&' | '$' | '@' => true,
            ':' => after.starts_with("//"),
            '.' => {
                before.to_ascii_lowercase().ends_with("www")
                    || (at_start && (after.is_empty() || after.starts_with([' ', '\t'])))
            }
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

/// Prose sl-doctor writes (a fix, a finding, a proof), which marks commands and file lines
/// as code spans with single backticks: each such pair becomes a real code span
/// ([`code`]: nothing inside it is markup, whatever it holds) and the text between is
/// escaped ([`esc`]); a backtick without its pair is escaped. Outside text quoted in the
/// prose stays inert either way: in a span it is code, elsewhere escaped; a backtick in
/// it can only move where a span starts, never make markup.
fn prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    let mut rest = s;
    let mut at_start = true;
    while let Some((open, close)) = single_backtick_pair(rest) {
        out.push_str(&escape(&rest[..open], at_start));
        out.push_str(&code(&rest[open + 1..close]));
        rest = &rest[close + 1..];
        at_start = false;
    }
    out.push_str(&escape(rest, at_start));
    out
}

/// The byte offsets of the first two lone backticks (runs of one) with text between them.
fn single_backtick_pair(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let lone = |i: usize| {
        b[i] == b'`' && (i == 0 || b[i - 1] != b'`') && b.get(i + 1).is_none_or(|&n| n != b'`')
    };
    let open = (0..b.len()).find(|&i| lone(i))?;
    let close = (open + 2..b.len()).find(|&i| lone(i))?;
    Some((open, close))
}

/// `s` as a code span inside a table cell: GFM splits cells at every `|` not escaped, even
/// inside a code span, and reads `\|` there as the `|` itself.
fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// The diagnosis first: the summary sentence, then each cause with its proof and fix.
fn write_diagnosis(out: &mut String, report: &Report) {
    let d = &report.diagnosis;
    let _ = writeln!(out, "**{}**\n", prose(&d.summary));
    for (n, c) in d.causes.iter().enumerate() {
        let icon = icon(level_status(c.level));
        let _ = writeln!(out, "{}. {icon} **{}**", n + 1, prose(&c.title));
        if let Some(p) = &c.proof {
            let _ = writeln!(out, "   - proof: {}", prose(p));
        }
        let _ = writeln!(out, "   - fix: {}", prose(&c.fix));
        if c.level == CauseLevel::Fail {
            let _ = writeln!(out, "   - {}", prose(who_fixes(c.fixed_by)));
        }
    }
    if !d.causes.is_empty() {
        let _ = writeln!(out);
    }
}

/// Who can fix a failing cause, as prose (its command a code span, as in the fix lines).
fn who_fixes(fixer: Fixer) -> &'static str {
    match fixer {
        Fixer::You => "you can fix this yourself",
        Fixer::NetworkTeam => {
            "only your network team can fix this (the proxy is theirs): show them this report"
        }
        Fixer::SalesLayer => "only Sales Layer can fix this: `sl-doctor support` drafts the email",
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
            let _ = writeln!(out, "{}\n", prose(&c.summary));
            // A check a proven cause explains shows no fix of its own: the cause's fix is
            // the one, and a finding's generic fix may contradict the proof.
            let proven = report.diagnosis.proven_cause_of(&c.id);
            if let Some((n, cause)) = proven {
                let _ = writeln!(out, "- Explained by cause {n}: {}", prose(&cause.title));
            }
            let mut has_fix = proven.is_some();
            for f in c.findings.iter().filter(|f| f.severity != Severity::Info) {
                let _ = writeln!(out, "- {}", prose(&f.message));
                if let (Some(fix), None) = (&f.fix, proven) {
                    let _ = writeln!(out, "  - **Fix:** {}", prose(fix));
                    has_fix = true;
                }
            }
            if let (false, Some(r)) = (has_fix, &c.fix) {
                let _ = writeln!(out, "- **Fix:** {}", prose(r));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a CommonMark reader shows and the code spans it sees.
    fn read(md: &str) -> (String, Vec<String>) {
        use pulldown_cmark::{Event, Parser};
        let (mut shown, mut spans) = (String::new(), Vec::new());
        for event in Parser::new(md) {
            match event {
                Event::Text(t) => shown.push_str(&t),
                Event::Code(c) => {
                    shown.push_str(&c);
                    spans.push(c.to_string());
                }
                Event::Start(
                    pulldown_cmark::Tag::List(_) | pulldown_cmark::Tag::Heading { .. },
                ) => shown.push_str("<block>"),
                _ => {}
            }
        }
        (shown, spans)
    }

    #[test]
    fn escapes_only_what_would_be_markup() {
        // (text, escaped, shown as)
        let cases = [
            ("0.1.0", "0.1.0", "0.1.0"),
            ("1. not a list", "1\\. not a list", "1. not a list"),
            ("1.", "1\\.", "1."),
            ("v1.2 and 3. x", "v1.2 and 3. x", "v1.2 and 3. x"),
            ("# no heading", "\\# no heading", "# no heading"),
            ("see www.e.vil", "see www\\.e.vil", "see www.e.vil"),
        ];
        for (text, want, shown) in cases {
            assert_eq!(esc(text), want, "{text}");
            assert_eq!(read(&esc(text)).0, shown, "{text}");
        }
    }

    #[test]
    fn our_code_spans_stay_code_and_the_rest_is_escaped() {
        // (prose, what is shown, the code spans)
        let cases: [(&str, &str, &[&str]); 6] = [
            (
                "Run `chmod 600 .env` (and `chmod 700` on the directory).",
                "Run chmod 600 .env (and chmod 700 on the directory).",
                &["chmod 600 .env", "chmod 700"],
            ),
            ("a lone ` backtick *x*", "a lone ` backtick *x*", &[]),
            ("``double`` stays", "``double`` stays", &[]),
            (
                "`[l](https://e.vil)` and [l](https://e.vil)",
                "[l](https://e.vil) and [l](https://e.vil)",
                &["[l](https://e.vil)"],
            ),
            ("`a`<img src=x>`b`", "a<img src=x>b", &["a", "b"]),
            ("`x `` y`", "x `` y", &["x `` y"]),
        ];
        for (text, shown, spans) in cases {
            let md = prose(text);
            let (got, got_spans) = read(&md);
            assert_eq!(got, shown, "{text}: {md}");
            assert_eq!(got_spans, spans, "{text}: {md}");
        }
    }

    /// The support command in "only Sales Layer can fix this" is a code span, as in the
    /// fix lines, not escaped backticks.
    #[test]
    fn who_fixes_shows_its_command_as_code() {
        let (shown, spans) = read(&prose(who_fixes(Fixer::SalesLayer)));
        assert_eq!(spans, ["sl-doctor support"]);
        assert!(!shown.contains('`'), "{shown}");
    }
}
