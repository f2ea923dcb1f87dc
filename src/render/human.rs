//! The human report. By default one screen: the header, the diagnosis (each cause with
//! its proof and its one fix), one line per checklist item with the one-line findings of
//! the checks that did not pass, and the verdict. `-v` adds every check with its findings
//! and evidence; `-vv` also the details of passing checks. `--quiet`: the diagnosis and
//! the verdict.
//!
//! Colour is decided by the caller (per stream) and passed in `Style` (its `Term`); this
//! function only paints when told to, so it stays a pure function of the report.

use crate::term::Term;
use colored::Color;
use sl_doctor_checks::diagnosis::{CauseLevel, Fixer};
use sl_doctor_checks::model::report::{
    CheckResult, Item, ItemResult, Report, Severity, SourceKind, Status, Verdict,
};
use sl_doctor_checks::model::untrusted;
use std::fmt::Write;

/// Presentation choices: the shared terminal style plus how much to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Symbols and colour.
    pub term: Term,
    /// 0: one screen; 1 (`-v`): every check, its findings and evidence; 2 (`-vv`): also
    /// the details of passing checks.
    pub verbose: u8,
    /// Only the diagnosis and the verdict line.
    pub quiet: bool,
    /// A saved report shown to whoever received it (`sl-doctor view`, e.g. a support
    /// agent): a banner says whose report it is, from when, which version and OS. The
    /// words are the run's own ("you"), as in the markdown view.
    pub saved: bool,
}

pub(crate) fn source_kind(k: SourceKind) -> &'static str {
    match k {
        SourceKind::Env => "environment",
        SourceKind::File => "file",
        SourceKind::Stdin => "stdin",
        SourceKind::Dotenv => ".env",
        SourceKind::Flag => "command line",
        SourceKind::Deployment => "deployment file",
        SourceKind::None => "none",
    }
}

/// Renders the report. Every line passes `guard_workflow_command`: GitHub Actions runs a
/// log line that starts with `::` as a workflow command, and the Action's default format
/// is this one. Text from outside is one line already (neutralised in the report), so
/// it can start a line only where the report puts it there, and the guard covers every
/// line; `::stop-commands::` is not used, so the log reads the same in and out of CI.
pub fn render(report: &Report, style: &Style) -> String {
    // Wrapped first: the guard then sees every line a reader (or a CI runner) gets.
    guard_lines(&style.term.wrap(&render_unguarded(report, style)))
}

/// `text` with every line passed through `guard_workflow_command`.
pub(crate) fn guard_lines(text: &str) -> String {
    // Most outputs hold no workflow command: one search of the whole text says so.
    if !untrusted::has_workflow_command(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(&untrusted::guard_workflow_command(line));
    }
    out
}

/// A message for a terminal or CI log that may quote outside text (a file name, an
/// error from the system or a server): every line neutralised and guarded.
pub(crate) fn safe_lines(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            untrusted::guard_workflow_command(&untrusted::neutralise(l, usize::MAX)).into_owned()
        })
        .collect();
    lines.join("\n")
}

fn render_unguarded(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    if style.quiet {
        diagnosis(&mut out, report, style);
        verdict_line(&mut out, report, style);
        return out;
    }
    header(&mut out, report, style);
    let _ = writeln!(out);
    diagnosis(&mut out, report, style);
    if style.verbose == 0 {
        let _ = writeln!(out);
        for (n, item) in report.checklist.iter().enumerate() {
            item_line(&mut out, report, n, item, style);
        }
    } else {
        // Each item block opens with its own blank line.
        for (n, item) in report.checklist.iter().enumerate() {
            item_block(&mut out, report, n, item, style);
        }
    }
    let _ = writeln!(out);
    verdict_line(&mut out, report, style);
    out
}

fn header(out: &mut String, report: &Report, style: &Style) {
    let t = &style.term;
    let sep = t.sep();
    if style.saved {
        saved_banner(out, report, style);
    } else {
        let _ = writeln!(
            out,
            "{}{sep}Sales Layer API key doctor",
            t.bold(&format!("sl-doctor {}", report.tool.version))
        );
    }
    let k = &report.key;
    if k.present {
        let _ = writeln!(
            out,
            "key     {} ({}){sep}{} characters{sep}{}",
            k.source.name,
            source_kind(k.source.kind),
            k.length,
            k.fingerprint.as_ref().map(|f| f.as_str()).unwrap_or("")
        );
        if let (true, Some(l), Some(f)) =
            (style.verbose > 0, k.cleaned_length, &k.cleaned_fingerprint)
        {
            let _ = writeln!(out, "        cleaned: {l} characters{sep}{f}");
        }
    } else {
        let _ = writeln!(out, "key     {}", t.paint("not found", Color::Red));
    }
    let mut target = format!(
        "target  {}{sep}{}",
        report.target.base_url,
        report.target.apis.join(", ")
    );
    if report.offline {
        target.push_str(sep);
        target.push_str("offline");
    }
    let _ = writeln!(out, "{target}");
    if let Some(u) = &report.target.url {
        let _ = writeln!(out, "url     {u}");
    }
}

/// An RFC 3339 time without its fraction of a second: `2026-12-07T11:16:13Z`.
pub(crate) fn whole_seconds(t: &str) -> String {
    match (t.find('.'), t.rfind(['Z', '+'])) {
        (Some(dot), Some(zone)) if dot < zone => format!("{}{}", &t[..dot], &t[zone..]),
        _ => t.to_string(),
    }
}

/// The banner of a saved report: it is not this machine's run, when and where it ran.
fn saved_banner(out: &mut String, report: &Report, style: &Style) {
    let t = &style.term;
    let when = report.generated_at.replacen('T', " ", 1);
    let when = whole_seconds(&when).replace('Z', " UTC");
    let os = report
        .tool
        .os
        .as_deref()
        .map_or(String::new(), |os| format!(" on {os}"));
    let _ = writeln!(
        out,
        "{}",
        t.bold(&format!(
            "Saved sl-doctor report{}written {when} by sl-doctor {}{os}",
            t.sep(),
            report.tool.version
        ))
    );
    if report.tool.version != env!("CARGO_PKG_VERSION") {
        let _ = writeln!(
            out,
            "{}",
            t.dim(&format!(
                "(shown by sl-doctor {})",
                env!("CARGO_PKG_VERSION")
            ))
        );
    }
}

/// The status whose symbol stands for a cause: that of the verdict it gives alone.
pub(crate) fn level_status(l: CauseLevel) -> Status {
    verdict_status(l.into())
}

/// The causes, most likely first, each with its proof and fix.
fn diagnosis(out: &mut String, report: &Report, style: &Style) {
    let t = &style.term;
    let d = &report.diagnosis;
    // Nothing fails (no cause, or warnings only): the summary first ("The key works: …,
    // with 2 warnings."), then the warnings.
    if d.causes.iter().all(|c| c.level == CauseLevel::Warn) {
        let _ = writeln!(out, "{} {}", t.status(Status::Pass), t.bold(&d.summary));
        if d.causes.is_empty() {
            return;
        }
        let _ = writeln!(out);
    }
    let numbered = d.causes.len() > 1;
    for (n, c) in d.causes.iter().enumerate() {
        let num = if numbered {
            format!("{}. ", n + 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{} {}",
            t.status(level_status(c.level)),
            t.bold(&format!("{num}{}", c.title))
        );
        let pad = " ".repeat(2 + num.len());
        if let Some(p) = &c.proof {
            let _ = writeln!(out, "{pad}{} {p}", t.paint("proof", Color::Green));
        }
        let _ = writeln!(out, "{pad}{}   {}", t.paint("fix", Color::Cyan), c.fix);
        if c.level == CauseLevel::Fail {
            // One voice, live or saved (`view`), as in markdown: the report speaks to
            // whoever ran it.
            let _ = writeln!(out, "{pad}      {}", t.dim(&who_fixes(report, c)));
        }
        // Without the checklist below (--quiet), name the checks so a log can be grepped
        // and `sl-doctor explain <id>` asked.
        if style.quiet && !c.checks.is_empty() {
            let _ = writeln!(
                out,
                "{pad}{}",
                t.dim(&format!("checks {}", c.checks.join(", ")))
            );
        }
    }
}

/// Who fixes a cause that is the network's (a proxy's rules, route or DNS).
pub(crate) const NETWORK_TEAM: &str =
    "Only your network team can fix this (the proxy is theirs): show them this report.";

/// Who can fix a cause; for a damaged value, how `sl-doctor fix` helps: it repairs a
/// key file or `.env` line in place, and gives the repaired value for a key stored
/// elsewhere (a CI secret, an environment variable).
fn who_fixes(report: &Report, c: &sl_doctor_checks::diagnosis::Cause) -> String {
    let source = &report.key.source;
    if c.fixed_by == Fixer::NetworkTeam {
        NETWORK_TEAM.into()
    } else if !c.self_fixable {
        "Only Sales Layer can fix this: `sl-doctor support` drafts the email.".into()
    } else if !c.is_damaged_value() {
        "You can fix this yourself.".into()
    } else if matches!(source.kind, SourceKind::File | SourceKind::Dotenv) {
        format!(
            "You can fix this yourself: `sl-doctor fix` repairs it in {}.",
            source.name
        )
    } else {
        "You can fix this yourself: `sl-doctor fix` says where, and gives the repaired value for a secret store.".into()
    }
}

/// Which causes explain a check: " (cause 1, 2)" when the diagnosis names several (they
/// are numbered), " (the cause above)" when it names one; nothing when none does. Every
/// check a cause explains says so, so a run with one cause and two failed checks does not
/// read as two problems (docs/diagnosis.md, "In the report").
fn cause_ref(report: &Report, id: &str) -> String {
    let d = &report.diagnosis;
    let nums = d.causes_of(id);
    if nums.is_empty() {
        return String::new();
    }
    if d.causes.len() == 1 {
        return " (the cause above)".into();
    }
    let list: Vec<String> = nums.iter().map(|n| n.to_string()).collect();
    format!(" (cause {})", list.join(", "))
}

/// One line per item; the checks that did not pass follow with their first finding.
fn item_line(out: &mut String, report: &Report, n: usize, item: &ItemResult, style: &Style) {
    let t = &style.term;
    let label = format!("{}. {}", n + 1, item.id.id());
    let shown: Vec<&CheckResult> = item
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn | Status::Error))
        .collect();
    if shown.is_empty() {
        let _ = writeln!(out, "{} {}", t.status(item.status), t.bold(&label));
        return;
    }
    let _ = writeln!(out, "{} {}", t.status(item.status), t.bold(&label));
    for c in shown {
        let words = first_words(report, item, c);
        // A cause that is this check's own finding was just said above: name the cause.
        let said = report
            .diagnosis
            .causes
            .iter()
            .any(|k| k.title == words.trim_end_matches('.'));
        let cause = match cause_ref(report, &c.id) {
            r if r.is_empty() && said => " (the cause above)".to_string(),
            r => r,
        };
        if said {
            let _ = writeln!(out, "    {} {}{}", t.status(c.status), c.id, t.dim(&cause));
        } else {
            let _ = writeln!(
                out,
                "    {} {}: {words}{}",
                t.status(c.status),
                c.id,
                t.dim(&cause)
            );
        }
    }
}

/// The check's first problem finding, else its summary. A probe that a proven cause
/// explains shows its summary: its first finding is the reading the proof refutes
/// ("likely an invalid key" for a key that works once cleaned).
fn first_words<'a>(report: &Report, item: &ItemResult, c: &'a CheckResult) -> &'a str {
    if item.id == Item::WorksInCurl && proven(report, &c.id) {
        return &c.summary;
    }
    c.findings
        .iter()
        .find(|f| f.severity != Severity::Info)
        .map_or(c.summary.as_str(), |f| f.message.as_str())
}

/// Whether a cause with a live proof explains this check.
fn proven(report: &Report, id: &str) -> bool {
    report.diagnosis.proven_cause_of(id).is_some()
}

/// `-v`: the item with every check, its findings, their fixes and the evidence lines.
fn item_block(out: &mut String, report: &Report, n: usize, item: &ItemResult, style: &Style) {
    let t = &style.term;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} {}  {}",
        t.status(item.status),
        t.bold(&format!("{}. {}", n + 1, item.id.id())),
        t.dim(&item.title)
    );
    if let (Some(reason), true) = (&item.reason, item.checks.is_empty()) {
        let _ = writeln!(out, "    {} skipped: {reason}", t.status(Status::Skip));
    }
    let width = item.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &item.checks {
        check_block(out, report, c, width, style);
    }
}

fn check_block(out: &mut String, report: &Report, c: &CheckResult, width: usize, style: &Style) {
    let t = &style.term;
    let _ = writeln!(
        out,
        "    {} {:<width$}  {}{}",
        t.status(c.status),
        c.id,
        c.summary,
        t.dim(&cause_ref(report, &c.id)),
    );
    let passing = matches!(c.status, Status::Pass | Status::Skip);
    // A check explained by a proven cause shows no fix of its own: the cause's fix is
    // the one, and a finding's generic fix ("ask for a new key") may contradict the proof.
    let proven = proven(report, &c.id);
    for f in &c.findings {
        if f.severity == Severity::Info && passing && style.verbose < 2 {
            continue;
        }
        let _ = writeln!(out, "        {} {}", t.severity(f.severity), f.message);
        if let (Some(fix), false, false) = (&f.fix, f.severity == Severity::Info, proven) {
            let _ = writeln!(out, "          {} {fix}", t.paint("fix:", Color::Cyan));
        }
    }
    if !passing || style.verbose >= 2 {
        for d in &c.details {
            let _ = writeln!(out, "        {}", t.dim(d));
        }
    }
    let has_fix = c
        .findings
        .iter()
        .any(|f| f.fix.is_some() && f.severity != Severity::Info);
    if let (false, false, Some(r)) = (has_fix, proven, &c.fix) {
        let _ = writeln!(out, "          {} {r}", t.paint("fix:", Color::Cyan));
    }
}

/// "1 warning", "2 warnings".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The status whose symbol stands for a verdict.
pub(crate) fn verdict_status(v: Verdict) -> Status {
    match v {
        Verdict::Pass => Status::Pass,
        Verdict::Warn => Status::Warn,
        Verdict::Fail => Status::Fail,
        Verdict::Inconclusive => Status::Error,
    }
}

/// `✘ verdict: fail · 1 cause · 3 failed, 18 passed, 3 skipped`: zero counts left out.
/// The counts are of checks; when some failed (or got no verdict), the number of causes
/// the diagnosis found for them comes first, so that several failed checks of one cause
/// do not read as several problems.
fn verdict_line(out: &mut String, report: &Report, style: &Style) {
    let t = &style.term;
    let s = &report.summary;
    let causes = report.diagnosis.causes.len();
    let cause_count = (causes > 0 && s.fail + s.error > 0)
        .then(|| format!("{}{}", count(causes, "cause", "causes"), t.sep()));
    let counts: Vec<String> = [
        (s.fail, "failed", "failed"),
        (s.warn, "warning", "warnings"),
        (s.error, "inconclusive", "inconclusive"),
        (s.pass, "passed", "passed"),
        (s.skip, "skipped", "skipped"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| count(*n, one, many))
    .collect();
    let mut line = format!(
        "{} {}{}{}{}",
        t.status(verdict_status(report.effective_verdict)),
        t.bold(&format!("verdict: {}", report.verdict_words())),
        t.sep(),
        cause_count.unwrap_or_default(),
        counts.join(", ")
    );
    if style.verbose == 0 && !style.quiet {
        let how = if style.saved { "view -v" } else { "-v" };
        line.push_str(&t.dim(&format!(
            "{}{how} shows every check and its evidence",
            t.sep()
        )));
    }
    let _ = writeln!(out, "{line}");
}
