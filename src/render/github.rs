//! GitHub Actions workflow commands: one `::error` / `::warning` line per problem and a
//! `::notice` with the verdict, escaped per GitHub's rules so that every command is
//! exactly one line:
//!
//! - message: `%` → `%25`, CR → `%0D`, LF → `%0A`;
//! - property values (`title=`): the same, plus `:` → `%3A` and `,` → `%2C`.
//!
//! One annotation per cause of the diagnosis (not one per check: a quoted key is one
//! problem, whatever number of checks saw it), most likely first:
//!
//! | cause level | command |
//! |---|---|
//! | fail | `::error` |
//! | inconclusive | `::error` |
//! | warn | `::warning` (`::error` with `--strict`) |

use sl_doctor_checks::diagnosis::{Cause, CauseLevel, Fixer};
use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::model::untrusted;

/// Escapes the message part of a workflow command. A `##[` inside it (which the runner
/// would read as a second, legacy command) is shown as the log's visible escape.
pub fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    untrusted::guard_text(&s, untrusted::Sink::Log).into_owned()
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow commands, one per line, with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.diagnosis.causes {
        let command = match c.level {
            CauseLevel::Fail | CauseLevel::Inconclusive => "error",
            CauseLevel::Warn if report.strict => "error",
            CauseLevel::Warn => "warning",
        };
        out.push_str(&format!(
            "::{command} title={}::{}\n",
            escape_property(&format!("sl-doctor: {}", c.title)),
            escape_data(&message(c))
        ));
    }
    let verdict = format!(
        "{} · {} · target {}",
        report.verdict_words(),
        report.diagnosis.summary,
        report.target.base_url
    );
    out.push_str(&format!(
        "::notice title={}::{}\n",
        escape_property("sl-doctor verdict"),
        escape_data(&verdict)
    ));
    out
}

/// Proof, fix, who can fix it, and the checks to read more about.
fn message(c: &Cause) -> String {
    let mut lines = Vec::new();
    if let Some(p) = &c.proof {
        lines.push(format!("Proof: {p}"));
    }
    lines.push(format!("Fix: {}", c.fix));
    if c.level == CauseLevel::Fail && c.fixed_by == Fixer::NetworkTeam {
        lines.push(super::human::NETWORK_TEAM.into());
    } else if c.level == CauseLevel::Fail && !c.self_fixable {
        lines.push("Only Sales Layer can fix this: `sl-doctor support` drafts the email.".into());
    }
    let explain: Vec<String> = c
        .checks
        .iter()
        .map(|id| format!("sl-doctor explain {id}"))
        .collect();
    if !explain.is_empty() {
        lines.push(format!("More: {}", explain.join(", ")));
    }
    lines.join("\n")
}
