//! The diagnosis: from every check's result to the causes, most likely first.
//!
//! Checks report facts and findings one by one; a user needs the one cause and its one
//! fix. This step reads the whole report (check statuses, finding codes and the probes'
//! typed evidence, never rendered text) and names the causes, each with the checks it
//! explains, its proof when a live request proved it, and one fix. A fix that the proof
//! contradicts is never produced: when a repaired key or the other API was accepted, the
//! key is not "invalid", and nobody is sent to support for a new one.
//!
//! Pure and table-tested: the same report always gives the same diagnosis, so a report
//! read back from JSON (`sl-doctor view`) can be diagnosed again.

mod causes;
mod facts;

pub use crate::model::diagnosis::{Cause, CauseId, CauseLevel, Diagnosis, Fixer};
use crate::model::report::Report;

impl Cause {
    /// Whether the cause is damage to the value itself (one of the value defects, several,
    /// or an encoding), which `sl-doctor fix` repairs where the key is stored.
    pub fn is_damaged_value(&self) -> bool {
        facts::DEFECTS.iter().any(|d| d.cause == self.id)
            || matches!(
                self.id,
                CauseId::DamagedValue
                    | CauseId::JsonEscapedKey
                    | CauseId::PercentEncodedKey
                    | CauseId::Base64EncodedKey
            )
    }
}

/// Diagnoses a report (its `diagnosis` field is ignored).
pub fn diagnose(report: &Report) -> Diagnosis {
    let facts = facts::Facts::read(report);
    let causes = causes::find(&facts);
    let summary = summary(&facts, &causes);
    Diagnosis { summary, causes }
}

fn summary(facts: &facts::Facts, causes: &[Cause]) -> String {
    // Warnings alone do not make a cause of failure: the run is healthy, with warnings.
    let Some(first) = causes.iter().find(|c| c.level != CauseLevel::Warn) else {
        return facts.healthy_summary();
    };
    let mut s = first.title.clone();
    if let Some(p) = &first.proof {
        // Proofs open with an API's name ("Catalog accepts…"): kept as written.
        s.push_str(": ");
        s.push_str(p);
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    // No "below": the sentence is also read where nothing follows it (a CI notice, the
    // support command's own words).
    match causes.len() {
        1 => {}
        2 => s.push_str(" 1 more cause."),
        n => s.push_str(&format!(" {} more causes.", n - 1)),
    }
    s
}

#[cfg(test)]
mod tests;
