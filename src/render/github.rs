//! GitHub Actions workflow commands: one `::error` / `::warning` line per problem and a
//! `::notice` with the verdict, escaped per GitHub's rules so that every command is
//! exactly one line:
//!
//! - message: `%` → `%25`, CR → `%0D`, LF → `%0A`;
//! - property values (`file=`, `title=`): the same, plus `:` → `%3A` and `,` → `%2C`.
//!
//! A cause whose findings point at a place in a file (the `.env` line that defines the
//! key, the key file) carries `file=` and, for a line, `line=`, so GitHub shows the
//! annotation on that line of the pull request. Only a path relative to the directory
//! sl-doctor ran in (in a workflow, the checkout) is a place GitHub can show; `~/…` and
//! absolute paths stay in the message only.
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
use sl_doctor_checks::model::report::{Location, Report, Severity};
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
            "::{command} {}title={}::{}\n",
            place(report, c),
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

/// `file=…,line=…,` for the first problem of the cause's checks tied to a place in a
/// file GitHub can show; empty otherwise.
fn place(report: &Report, c: &Cause) -> String {
    let found = c
        .checks
        .iter()
        .filter_map(|id| report.checks().find(|r| r.id == *id))
        .flat_map(|r| &r.findings)
        .filter(|f| f.severity != Severity::Info)
        .find_map(|f| f.location.as_ref().and_then(in_workspace));
    match found {
        Some((path, Some(line))) => {
            format!("file={},line={line},", escape_property(path))
        }
        Some((path, None)) => format!("file={},", escape_property(path)),
        None => String::new(),
    }
}

/// The path and line of a place relative to where sl-doctor ran (`./` dropped); `None`
/// for `~/…`, absolute and `../` paths, which GitHub cannot place in the checkout.
fn in_workspace(l: &Location) -> Option<(&str, Option<usize>)> {
    let mut path = l.path.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let outside = path.is_empty()
        || path.starts_with(['/', '\\', '~'])
        || path.starts_with("..")
        || path.as_bytes().get(1) == Some(&b':');
    (!outside).then_some((path, l.line))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_places_in_the_checkout_are_annotated() {
        let at = |p: &str, line| Location {
            path: p.into(),
            line,
        };
        sl_doctor_checks::testing_support::assert_maps(
            |(p, line)| in_workspace(&at(p, line)).map(|(p, l)| (p.to_string(), l)),
            [
                ((".env", Some(3)), Some((".env".to_string(), Some(3)))),
                (
                    ("./deploy/.env", Some(1)),
                    Some(("deploy/.env".into(), Some(1))),
                ),
                (
                    ("secrets/sl.key", None),
                    Some(("secrets/sl.key".into(), None)),
                ),
                (("~/.env", Some(1)), None),
                (("/etc/app/.env", Some(1)), None),
                (("../other/.env", Some(1)), None),
                (("C:\\app\\.env", Some(1)), None),
            ],
        );
    }
}
