//! What a check is, as data: its id ([`CheckId`]), its static facts ([`CheckMeta`]) and
//! what it returns ([`Outcome`], or [`Skipped`] when it did not run). The trait a check
//! implements, which reads the run's `Context`, is `checklist::Check`.
//!
//! An outcome is data, never text for a terminal. A detected problem is a [`Finding`],
//! not an error; `Err` means the check did not run (`Skip`).

use crate::model::code::Code;
use crate::model::report::{Evidence, Finding, Item, Severity, Status};

/// A check's id: the stable kebab-case word that names it in the report, on the command
/// line (`--select`, `explain`) and in the docs. Each check declares its own
/// (`UrlFormat::ID`); code that names a check uses that constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckId(&'static str);

impl CheckId {
    /// The id of a check declared with [`check!`](crate::check): only that macro calls it.
    #[doc(hidden)]
    pub const fn declare(id: &'static str) -> CheckId {
        CheckId(id)
    }

    /// The kebab-case word.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.0)
    }
}

impl PartialEq<CheckId> for str {
    fn eq(&self, id: &CheckId) -> bool {
        self == id.0
    }
}

impl PartialEq<CheckId> for String {
    fn eq(&self, id: &CheckId) -> bool {
        self.as_str() == id.0
    }
}

/// Static facts about a check.
#[derive(Debug)]
pub struct CheckMeta {
    /// Stable kebab-case id; also the module name (snake_case) and docs anchor.
    pub id: CheckId,
    /// The checklist item it belongs to.
    pub item: Item,
    /// One-line title.
    pub title: &'static str,
    /// Whether it talks to the network (skipped with `--offline`).
    pub needs_network: bool,
    /// Whether it reads nothing but the key's value: `capture` runs these checks on a
    /// value received in a request.
    pub value_only: bool,
    /// Checks that must not have failed for this one to run.
    pub depends_on: &'static [CheckId],
    /// The codes its findings carry, in the order `docs/checks.md` lists them.
    pub codes: &'static [Code],
}

impl CheckMeta {
    /// One of its codes, by word.
    pub fn code(&self, name: &str) -> Option<&'static Code> {
        self.codes.iter().find(|c| c.name == name)
    }
}

/// Why a check produced no result: it does not apply, or what it needs is missing. The
/// reason is shown in the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("skipped: {0}")]
pub struct Skipped(pub String);

/// What a check found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Outcome {
    /// One-line summary.
    pub summary: String,
    /// Extra facts, one per line. Never the key.
    pub details: Vec<String>,
    /// Findings; the status is the worst of them unless `status` is set.
    pub findings: Vec<Finding>,
    /// What to do (the report's `remediation`). Defaults to the fixes of the non-info
    /// findings.
    #[serde(rename = "remediation")]
    pub fix: Option<String>,
    /// Explicit status (used for `error`: no verdict could be reached).
    pub status: Option<Status>,
    /// The facts behind the details and findings, as data (copied into the report).
    #[serde(skip)]
    pub evidence: Option<Evidence>,
}

impl Outcome {
    /// A passing outcome with a summary.
    pub fn pass(summary: impl Into<String>) -> Self {
        Outcome {
            summary: summary.into(),
            ..Default::default()
        }
    }

    /// An outcome whose status is the worst of the findings.
    pub fn from_findings(summary: impl Into<String>, findings: Vec<Finding>) -> Self {
        Outcome {
            summary: summary.into(),
            findings,
            ..Default::default()
        }
    }

    /// An inconclusive outcome: the check ran but could not reach a verdict.
    pub fn inconclusive(summary: impl Into<String>) -> Self {
        Outcome {
            summary: summary.into(),
            status: Some(Status::Error),
            ..Default::default()
        }
    }

    /// Adds a detail line.
    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    /// Adds a finding.
    pub fn finding(mut self, f: Finding) -> Self {
        self.findings.push(f);
        self
    }

    /// Attaches the evidence.
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = Some(evidence);
        self
    }

    /// Sets what to do, instead of the findings' fixes.
    pub fn with_fix(mut self, text: impl Into<String>) -> Self {
        self.fix = Some(text.into());
        self
    }

    /// The status: explicit, else the worst finding severity.
    pub fn status(&self) -> Status {
        if let Some(s) = self.status {
            return s;
        }
        match self.findings.iter().map(|f| f.severity).max() {
            Some(Severity::Fail) => Status::Fail,
            Some(Severity::Warn) => Status::Warn,
            _ => Status::Pass,
        }
    }

    /// What to do: explicit, else the distinct fixes of warn/fail findings.
    pub fn effective_fix(&self) -> Option<String> {
        if self.fix.is_some() {
            return self.fix.clone();
        }
        // Distinct fixes, once each: a fix that another one extends (the same advice with
        // the URL to use appended) is said once, in its longer form.
        let mut fixes: Vec<&str> = Vec::new();
        for f in &self.findings {
            if f.severity == Severity::Info {
                continue;
            }
            let Some(fix) = f.fix.as_deref() else {
                continue;
            };
            if fixes.iter().any(|k| k.starts_with(fix)) {
                continue;
            }
            match fixes.iter_mut().find(|k| fix.starts_with(**k)) {
                Some(shorter) => *shorter = fix,
                None => fixes.push(fix),
            }
        }
        if fixes.is_empty() {
            None
        } else {
            Some(fixes.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_worst_finding() {
        let cases: [(&[Severity], Status); 4] = [
            (&[], Status::Pass),
            (&[Severity::Info], Status::Pass),
            (&[Severity::Info, Severity::Warn], Status::Warn),
            (
                &[Severity::Warn, Severity::Fail, Severity::Info],
                Status::Fail,
            ),
        ];
        for (sevs, want) in cases {
            const C: Code = Code::new("c", &[Severity::Fail, Severity::Warn, Severity::Info], "C");
            let o = Outcome::from_findings(
                "x",
                sevs.iter()
                    .map(|s| Finding::with_severity(C, *s, "m"))
                    .collect(),
            );
            assert_eq!(o.status(), want, "{sevs:?}");
        }
        assert_eq!(Outcome::inconclusive("x").status(), Status::Error);
    }

    #[test]
    fn the_fix_collects_distinct_fixes_of_problems() {
        let o = Outcome::from_findings(
            "x",
            vec![
                Finding::new(Code::warn("a", "A"), "m").with_fix("Do A."),
                Finding::new(Code::fail("b", "B"), "m").with_fix("Do A."),
                Finding::new(Code::info("c", "C"), "m").with_fix("Ignore me."),
                Finding::new(Code::fail("d", "D"), "m").with_fix("Do B."),
            ],
        );
        assert_eq!(o.effective_fix().as_deref(), Some("Do A. Do B."));
    }

    #[test]
    fn a_fix_extended_by_another_is_said_once_in_its_longer_form() {
        let cases: &[(&[&str], &str)] = &[
            (&["Do A.", "Do A. Use X"], "Do A. Use X"),
            (&["Do A. Use X", "Do A."], "Do A. Use X"),
            (&["Do A.", "Do B.", "Do A. Use X"], "Do A. Use X Do B."),
        ];
        for (fixes, want) in cases {
            let o = Outcome::from_findings(
                "x",
                fixes
                    .iter()
                    .map(|f| Finding::new(Code::fail("a", "A"), "m").with_fix(*f))
                    .collect(),
            );
            assert_eq!(o.effective_fix().as_deref(), Some(*want), "{fixes:?}");
        }
    }
}
