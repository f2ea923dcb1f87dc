//! The `Check` trait: one implementation per check module, run by the binary's runner.
//!
//! A check reads the [`Context`] and returns an [`Outcome`]: data, never text for a
//! terminal. A detected problem is a [`Finding`], not an error; `Err` means the check
//! did not run (`Skip`) or could not reach a result (`Error`).

use crate::model::context::Context;
use crate::model::report::{Evidence, Finding, Item, Severity, Status};

/// Static facts about a check.
#[derive(Debug)]
pub struct CheckMeta {
    /// Stable kebab-case id; also the module name (snake_case) and docs anchor.
    pub id: &'static str,
    /// The checklist item it belongs to.
    pub item: Item,
    /// One-line title.
    pub title: &'static str,
    /// Whether it talks to the network (skipped with `--offline`).
    pub needs_network: bool,
    /// Ids of checks that must not have failed for this one to run.
    pub depends_on: &'static [&'static str],
}

/// Why a check produced no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// Not applicable or preconditions unmet; the reason is shown.
    #[error("skipped: {0}")]
    Skip(String),
}

/// What a check found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Outcome {
    /// One-line summary.
    pub summary: String,
    /// Extra facts, one per line. Never the key.
    pub details: Vec<String>,
    /// Findings; the status is the worst of them unless `status` is set.
    pub findings: Vec<Finding>,
    /// What to do. Defaults to the fixes of the non-info findings.
    pub remediation: Option<String>,
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

    /// Sets the remediation text.
    pub fn remediation(mut self, text: impl Into<String>) -> Self {
        self.remediation = Some(text.into());
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

    /// The remediation: explicit, else the distinct fixes of warn/fail findings.
    pub fn effective_remediation(&self) -> Option<String> {
        if self.remediation.is_some() {
            return self.remediation.clone();
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

/// One check. Object-safe and async so network checks plug into the same runner.
#[async_trait::async_trait]
pub trait Check: Send + Sync {
    /// Static metadata.
    fn meta(&self) -> &'static CheckMeta;
    /// Runs the check.
    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError>;
}

/// Declares a check: its unit struct (with its doc comment), its `META` and its [`Check`]
/// impl, which forwards to the check's own inherent `async fn run(&self, cx)`. A check
/// module then holds only its logic.
///
/// `Name: "id", Item, "title"`, plus `, network` for a check that talks to the network
/// and `, after ["id", ..]` for the checks it waits for.
#[macro_export]
macro_rules! check {
    ($(#[$doc:meta])* $name:ident: $id:literal, $item:ident, $title:literal $(, $flag:ident $([$($dep:literal),* $(,)?])?)*) => {
        $(#[$doc])*
        pub struct $name;

        // A misspelt flag has no arm below and fails to compile.
        $(const _: () = $crate::check!(@flag $flag);)*

        static META: $crate::model::check::CheckMeta = $crate::model::check::CheckMeta {
            id: $id,
            item: $crate::model::report::Item::$item,
            title: $title,
            needs_network: $crate::check!(@network $($flag)*),
            depends_on: &[$($($($dep),*)?)*],
        };

        #[async_trait::async_trait]
        impl $crate::model::check::Check for $name {
            fn meta(&self) -> &'static $crate::model::check::CheckMeta {
                &META
            }

            async fn run(
                &self,
                cx: &$crate::model::context::Context,
            ) -> Result<$crate::model::check::Outcome, $crate::model::check::CheckError> {
                // The inherent `run` of the check (inherent functions win over the trait's).
                <$name>::run(self, cx).await
            }
        }
    };
    (@flag network) => {
        ()
    };
    (@flag after) => {
        ()
    };
    (@network network $($rest:tt)*) => {
        true
    };
    (@network $first:tt $($rest:tt)*) => {
        $crate::check!(@network $($rest)*)
    };
    (@network) => {
        false
    };
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
            let o = Outcome::from_findings(
                "x",
                sevs.iter().map(|s| Finding::new("c", *s, "m")).collect(),
            );
            assert_eq!(o.status(), want, "{sevs:?}");
        }
        assert_eq!(Outcome::inconclusive("x").status(), Status::Error);
    }

    #[test]
    fn remediation_collects_distinct_fixes_of_problems() {
        let o = Outcome::from_findings(
            "x",
            vec![
                Finding::warn("a", "m").with_fix("Do A."),
                Finding::fail("b", "m").with_fix("Do A."),
                Finding::info("c", "m").with_fix("Ignore me."),
                Finding::fail("d", "m").with_fix("Do B."),
            ],
        );
        assert_eq!(o.effective_remediation().as_deref(), Some("Do A. Do B."));
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
                    .map(|f| Finding::fail("a", "m").with_fix(*f))
                    .collect(),
            );
            assert_eq!(
                o.effective_remediation().as_deref(),
                Some(*want),
                "{fixes:?}"
            );
        }
    }
}
