//! The human report: the checklist, in order, one line per check, findings indented
//! with their fix, and a one-line verdict.
//!
//! Colour is decided by the caller (per stream) and passed in `Style`; this function
//! only paints when told to, so it stays a pure function of the report.

use colored::{Color, Colorize};
use sl_doctor_checks::model::report::{CheckResult, Report, Severity, SourceKind, Status, Verdict};
use std::fmt::Write;

/// Presentation choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Paint with ANSI colours.
    pub color: bool,
    /// Use ASCII symbols.
    pub ascii: bool,
    /// Show details of passing checks.
    pub verbose: bool,
    /// Only the failures (with `strict`, warnings too) and the verdict line.
    pub quiet: bool,
    /// Warnings count as failures (for `quiet`).
    pub strict: bool,
}

impl Style {
    fn paint(&self, s: &str, c: Color) -> String {
        if self.color {
            s.color(c).to_string()
        } else {
            s.to_string()
        }
    }

    fn bold(&self, s: &str) -> String {
        if self.color {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }

    fn dim(&self, s: &str) -> String {
        if self.color {
            s.dimmed().to_string()
        } else {
            s.to_string()
        }
    }

    /// The symbol of a status, painted.
    pub fn status_symbol(&self, s: Status) -> String {
        let (uni, ascii, color) = match s {
            Status::Pass => ("✔", "[ok]", Color::Green),
            Status::Warn => ("⚠", "[!!]", Color::Yellow),
            Status::Fail => ("✘", "[XX]", Color::Red),
            Status::Skip => ("–", "[--]", Color::BrightBlack),
            Status::Error => ("?", "[??]", Color::Magenta),
        };
        self.paint(if self.ascii { ascii } else { uni }, color)
    }

    fn severity_symbol(&self, s: Severity) -> String {
        match s {
            Severity::Fail => self.status_symbol(Status::Fail),
            Severity::Warn => self.status_symbol(Status::Warn),
            Severity::Info => self.paint(if self.ascii { "[i]" } else { "•" }, Color::Cyan),
        }
    }
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
    let sep = if style.ascii { " - " } else { " · " };
    if style.quiet {
        for item in &report.checklist {
            let shown: Vec<&CheckResult> = item
                .checks
                .iter()
                .filter(|c| match c.status {
                    Status::Fail | Status::Error => true,
                    Status::Warn => style.strict,
                    Status::Pass | Status::Skip => false,
                })
                .collect();
            if shown.is_empty() {
                continue;
            }
            let width = shown.iter().map(|c| c.id.len()).max().unwrap_or(0);
            let _ = writeln!(
                out,
                "{} {}",
                style.status_symbol(item.status),
                style.bold(item.id.id())
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
        style.bold(&format!("sl-doctor {}", report.tool.version))
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
        let _ = writeln!(out, "key     {}", style.paint("not found", Color::Red));
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
            style.status_symbol(item.status),
            style.bold(&format!("{}. {}", n + 1, item.id.id())),
            style.dim(&item.title)
        );
        if let Some(reason) = &item.reason {
            if item.checks.is_empty() {
                let _ = writeln!(
                    out,
                    "    {} skipped: {reason}",
                    style.status_symbol(Status::Skip)
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
            style.dim("`sl-doctor explain <check-id>` explains a check; `sl-doctor support` writes a share-safe bundle and an email for a support ticket.")
        );
    }
    out
}

fn verdict_line(out: &mut String, report: &Report, style: &Style, sep: &str) {
    let s = &report.summary;
    let (word, status) = match report.verdict {
        Verdict::Pass => ("pass", Status::Pass),
        Verdict::Warn => ("pass with warnings", Status::Warn),
        Verdict::Fail => ("fail", Status::Fail),
        Verdict::Inconclusive => ("inconclusive", Status::Error),
    };
    let _ = writeln!(
        out,
        "{} {}{sep}{} failed, {} warnings, {} inconclusive, {} passed, {} skipped",
        style.status_symbol(status),
        style.bold(&format!("verdict: {word}")),
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
        style.status_symbol(c.status),
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
            style.severity_symbol(f.severity),
            f.message
        );
        if let Some(fix) = &f.fix {
            if f.severity != Severity::Info {
                let _ = writeln!(out, "          {} {fix}", style.paint("fix:", Color::Cyan));
            }
        }
    }
    if show_details || style.quiet {
        if show_details {
            for d in &c.details {
                let _ = writeln!(out, "        {}", style.dim(d));
            }
        }
        let has_fix = c
            .findings
            .iter()
            .any(|f| f.fix.is_some() && f.severity != Severity::Info);
        if let (false, Some(r)) = (has_fix, &c.remediation) {
            let _ = writeln!(out, "          {} {r}", style.paint("fix:", Color::Cyan));
        }
    }
}
