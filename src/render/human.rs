//! The human report: the checklist, in order, one line per check, findings indented
//! with their fix, and a one-line verdict.
//!
//! Colour is decided by the caller (per stream) and passed in `Style` (its `Term`); this function
//! only paints when told to, so it stays a pure function of the report.

use crate::term::Term;
use colored::Color;
use sl_doctor_checks::model::report::{CheckResult, Report, Severity, SourceKind, Status, Verdict};
use std::fmt::Write;

/// Presentation choices: the shared terminal style plus how much to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Symbols and colour.
    pub term: Term,
    /// Show details of passing checks.
    pub verbose: bool,
    /// Only the failures (with the report's `strict`, warnings too) and the verdict line.
    pub quiet: bool,
}

pub(crate) fn source_kind(k: SourceKind) -> &'static str {
    match k {
        SourceKind::Env => "environment",
        SourceKind::File => "file",
        SourceKind::Stdin => "stdin",
        SourceKind::Dotenv => ".env",
        SourceKind::Flag => "command line",
        SourceKind::None => "none",
    }
}

/// Renders the whole report (or, with `quiet`, the failures and the verdict line).
pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let sep = style.term.sep();
    if style.quiet {
        for item in &report.checklist {
            let shown: Vec<&CheckResult> = item
                .checks
                .iter()
                .filter(|c| c.status == Status::Error || report.counts_as_failure(c.status))
                .collect();
            if shown.is_empty() {
                continue;
            }
            let width = shown.iter().map(|c| c.id.len()).max().unwrap_or(0);
            let _ = writeln!(
                out,
                "{} {}",
                style.term.status(item.status),
                style.term.bold(item.id.id())
            );
            for c in shown {
                render_check(&mut out, c, width, style);
            }
        }
        verdict_line(&mut out, report, style, sep);
        return out;
    }
    let _ = writeln!(
        out,
        "{}{sep}Sales Layer API key doctor",
        style
            .term
            .bold(&format!("sl-doctor {}", report.tool.version))
    );
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
        if let (Some(l), Some(f)) = (k.cleaned_length, &k.cleaned_fingerprint) {
            let _ = writeln!(out, "        cleaned: {l} characters{sep}{f}");
        }
    } else {
        let _ = writeln!(out, "key     {}", style.term.paint("not found", Color::Red));
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

    for (n, item) in report.checklist.iter().enumerate() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}  {}",
            style.term.status(item.status),
            style.term.bold(&format!("{}. {}", n + 1, item.id.id())),
            style.term.dim(&item.title)
        );
        if let Some(reason) = &item.reason {
            if item.checks.is_empty() {
                let _ = writeln!(
                    out,
                    "    {} skipped: {reason}",
                    style.term.status(Status::Skip)
                );
            }
        }
        let width = item.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in &item.checks {
            render_check(&mut out, c, width, style);
        }
    }

    let _ = writeln!(out);
    verdict_line(&mut out, report, style, sep);
    if matches!(report.verdict, Verdict::Fail | Verdict::Warn) {
        let _ = writeln!(
            out,
            "  {}",
            style.term.dim("`sl-doctor explain <check-id>` explains a check; `sl-doctor support` writes a share-safe bundle and an email for a support ticket.")
        );
    }
    out
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

fn verdict_line(out: &mut String, report: &Report, style: &Style, sep: &str) {
    let s = &report.summary;
    let word = report.verdict_words();
    let status = verdict_status(report.effective_verdict);
    let _ = writeln!(
        out,
        "{} {}{sep}{} failed, {} warnings, {} inconclusive, {} passed, {} skipped",
        style.term.status(status),
        style.term.bold(&format!("verdict: {word}")),
        s.fail,
        s.warn,
        s.error,
        s.pass,
        s.skip
    );
}

fn render_check(out: &mut String, c: &CheckResult, width: usize, style: &Style) {
    let _ = writeln!(
        out,
        "    {} {:<width$}  {}",
        style.term.status(c.status),
        c.id,
        c.summary,
        width = width
    );
    let show_details =
        !style.quiet && (style.verbose || !matches!(c.status, Status::Pass | Status::Skip));
    for f in &c.findings {
        if f.severity == Severity::Info && !style.verbose && c.status == Status::Pass {
            continue;
        }
        let _ = writeln!(
            out,
            "        {} {}",
            style.term.severity(f.severity),
            f.message
        );
        if let Some(fix) = &f.fix {
            if f.severity != Severity::Info {
                let _ = writeln!(
                    out,
                    "          {} {fix}",
                    style.term.paint("fix:", Color::Cyan)
                );
            }
        }
    }
    if show_details || style.quiet {
        if show_details {
            for d in &c.details {
                let _ = writeln!(out, "        {}", style.term.dim(d));
            }
        }
        let has_fix = c
            .findings
            .iter()
            .any(|f| f.fix.is_some() && f.severity != Severity::Info);
        if let (false, Some(r)) = (has_fix, &c.remediation) {
            let _ = writeln!(
                out,
                "          {} {r}",
                style.term.paint("fix:", Color::Cyan)
            );
        }
    }
}
