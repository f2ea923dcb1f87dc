//! GitHub Actions workflow commands: one `::error` / `::warning` line per problem and a
//! `::notice` with the verdict, escaped per GitHub's rules so that every command is
//! exactly one line:
//!
//! - message: `%` → `%25`, CR → `%0D`, LF → `%0A`;
//! - property values (`title=`): the same, plus `:` → `%3A` and `,` → `%2C`.
//!
//! | check status | command |
//! |---|---|
//! | fail | `::error` |
//! | error (inconclusive) | `::error` |
//! | warn | `::warning` (`::error` with `--strict`) |
//! | pass, skip | nothing |

use sl_doctor_checks::model::report::{CheckResult, Report, Severity, Status};

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow commands, one per line, with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for item in &report.checklist {
        for c in &item.checks {
            let (command, label) = match c.status {
                Status::Fail => ("error", "failed"),
                Status::Error => ("error", "inconclusive"),
                Status::Warn if report.counts_as_failure(c.status) => {
                    ("error", "warning (--strict)")
                }
                Status::Warn => ("warning", "warning"),
                Status::Pass | Status::Skip => continue,
            };
            let title = format!("sl-doctor {}: {} {label}", item.id.id(), c.id);
            out.push_str(&format!(
                "::{command} title={}::{}\n",
                escape_property(&title),
                escape_data(&message(c))
            ));
        }
    }
    let s = &report.summary;
    let verdict = format!(
        "verdict: {} · {} failed, {} warnings, {} inconclusive, {} passed, {} skipped · target {}",
        report.effective_verdict.as_str(),
        s.fail,
        s.warn,
        s.error,
        s.pass,
        s.skip,
        report.target.base_url
    );
    out.push_str(&format!(
        "::notice title={}::{}\n",
        escape_property("sl-doctor verdict"),
        escape_data(&verdict)
    ));
    out
}

/// Summary, findings with fixes, remediation, and where to read more.
fn message(c: &CheckResult) -> String {
    let mut lines = vec![c.summary.clone()];
    let mut has_fix = false;
    for f in c.findings.iter().filter(|f| f.severity != Severity::Info) {
        lines.push(format!("- {}", f.message));
        if let Some(fix) = &f.fix {
            lines.push(format!("  fix: {fix}"));
            has_fix = true;
        }
    }
    if let (false, Some(r)) = (has_fix, &c.remediation) {
        lines.push(format!("fix: {r}"));
    }
    lines.push(format!("More: sl-doctor explain {}", c.id));
    lines.join("\n")
}
