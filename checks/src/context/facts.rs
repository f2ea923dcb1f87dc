//! The facts of one run that later checks may read: the outcome (summary, findings, typed
//! evidence) of each check another one runs after, recorded by the runner as it finishes.
//!
//! A check that builds on another one's facts declares it in `after [Other]`: the runner
//! starts it only once `Other` has finished and its outcome is recorded here, so a
//! derived check ("the key works but is about to expire", "the probe answered through a
//! proxy the proxy check named") is one file that reads `cx.earlier.outcome(Other::ID)`.

use crate::model::check::{CheckId, Outcome};
use crate::model::evidence::Evidence;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What the checks of this run that have finished so far found. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    outcomes: Arc<Mutex<HashMap<CheckId, Arc<Outcome>>>>,
}

impl RunFacts {
    /// Forgets every outcome: the runner starts each run with none (a context may serve
    /// several runs, as `sl-doctor fix` re-runs the checks after writing).
    pub fn clear(&self) {
        if let Ok(mut m) = self.outcomes.lock() {
            m.clear();
        }
    }

    /// Records a finished check's outcome (the runner does, before its dependents start).
    pub fn record(&self, id: CheckId, outcome: &Outcome) {
        if let Ok(mut m) = self.outcomes.lock() {
            m.insert(id, Arc::new(outcome.clone()));
        }
    }

    /// The outcome of a check that has finished, if it ran (not skipped, not deselected).
    pub fn outcome(&self, id: CheckId) -> Option<Arc<Outcome>> {
        self.outcomes.lock().ok()?.get(&id).cloned()
    }

    /// The typed evidence a finished check attached, if any.
    pub fn evidence(&self, id: CheckId) -> Option<Evidence> {
        self.outcome(id)?.evidence.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Check;
    use crate::checklist::KeySource;
    use crate::context::Context;
    use crate::model::check::Skipped;
    use crate::model::code::Code;
    use crate::model::report::{Finding, Status};
    use crate::testing_support::{cx_with_key, run};

    /// A derived check, whole in one place: it reads what `key-source` found.
    mod only_from_dotenv {
        use super::*;

        crate::check! {
            /// Warns when `key-source` found the key only in a .env file.
            OnlyFromDotenv: "only-from-dotenv", KeyLoaded, "The key is not read from .env alone",
            after [KeySource],
            codes: &[DOTENV_ONLY],
        }

        pub const DOTENV_ONLY: Code = Code::warn("dotenv-only", "Only a .env file holds the key");

        impl OnlyFromDotenv {
            async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
                let source = cx
                    .earlier
                    .outcome(KeySource::ID)
                    .ok_or_else(|| Skipped("key-source did not run".into()))?;
                let only = source
                    .findings
                    .iter()
                    .any(|f| f.is(crate::checklist::key_loaded::key_source::ONLY_IN_DOTENV));
                Ok(if only {
                    Outcome::from_findings("from .env", vec![Finding::new(DOTENV_ONLY, "m")])
                } else {
                    Outcome::pass(format!("key-source said: {}", source.summary))
                })
            }
        }
    }

    #[test]
    fn a_later_check_reads_what_an_earlier_one_recorded() {
        use only_from_dotenv::OnlyFromDotenv;
        let cx = cx_with_key(b"aB3+xY/9zQ==");
        assert!(matches!(run(&OnlyFromDotenv, &cx), Err(Skipped(_))));
        let source = run(&KeySource, &cx).unwrap();
        cx.earlier.record(KeySource::ID, &source);
        let o = run(&OnlyFromDotenv, &cx).unwrap();
        assert_eq!(o.status(), Status::Pass);
        assert_eq!(o.summary, format!("key-source said: {}", source.summary));
        assert_eq!(OnlyFromDotenv.meta().depends_on, &[KeySource::ID]);
        // A clone of the context shares the run's facts.
        assert!(cx.clone().earlier.outcome(KeySource::ID).is_some());
        assert!(cx.earlier.evidence(KeySource::ID).is_none());
        cx.earlier.clear();
        assert!(cx.earlier.outcome(KeySource::ID).is_none());
    }

    /// Through the runner: the check a later one runs after is recorded, and the later
    /// one reads it; a check no other runs after is not recorded.
    #[tokio::test]
    async fn the_runner_records_what_a_later_check_runs_after() {
        use only_from_dotenv::OnlyFromDotenv;
        let cx = cx_with_key(b"aB3+xY/9zQ==");
        let checks: Vec<Box<dyn Check>> = vec![
            Box::new(KeySource),
            Box::new(OnlyFromDotenv),
            Box::new(crate::checklist::HiddenCharacters),
        ];
        let results =
            crate::runner::run_checks(&checks, &cx, &crate::runner::RunOptions::default()).await;
        assert_eq!(results[1].status, Status::Pass, "{:?}", results[1]);
        assert!(results[1].summary.starts_with("key-source said: "));
        assert!(cx.earlier.outcome(KeySource::ID).is_some());
        assert!(
            cx.earlier
                .outcome(crate::checklist::HiddenCharacters::ID)
                .is_none()
        );
    }
}
