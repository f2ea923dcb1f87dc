//! Which value `fix` writes: live, only a repair the API accepted (matched by
//! fingerprint against the probes' evidence); with `--offline`, only a repair that cannot
//! be wrong (whitespace, line breaks, invisible characters, one pair of quotes, a pasted
//! label), marked "not verified".

use sl_doctor_checks::analysis::value::{candidates, no_key_in};
use sl_doctor_checks::model::evidence::{Evidence, KeyKind, ProbeEvidence, Repair};
use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::model::secret::SecretKey;

/// What `fix` will do with the value.
pub enum Choice {
    /// Write this repaired value.
    Repair(Repaired),
    /// The value itself is right (accepted, or nothing to clean offline): only the way it
    /// is stored may change (a `.env` line's quotes, spaces or comment).
    Keep,
    /// Nothing can be fixed: why, and whether the API could not be asked at all.
    Nothing {
        /// One sentence.
        reason: String,
        /// The probes reached no verdict (network, rate limit, server error).
        inconclusive: bool,
    },
}

/// A repaired value and why it can be trusted.
pub struct Repaired {
    /// The value.
    pub key: SecretKey,
    /// What was done to the value as given.
    pub repairs: Vec<Repair>,
    /// The APIs that accepted it (`DAM`, `Catalog`); empty: not verified (`--offline`).
    pub accepted_by: Vec<&'static str>,
}

/// The repairs `--offline` applies without proof: they only remove what cannot be part
/// of a key.
fn unambiguous(r: &Repair) -> bool {
    matches!(
        r,
        Repair::Trimmed
            | Repair::InvisibleRemoved
            | Repair::Unquoted
            | Repair::CommentRemoved
            | Repair::LabelRemoved
    )
}

/// Picks the value to write for `key` from the diagnosis in `report`.
pub fn choose(report: &Report, key: &SecretKey, offline: bool) -> Choice {
    // An empty value, or `""`: no repair leaves a key, and "needs no repair" would be wrong.
    if no_key_in(key) {
        return Choice::Nothing {
            reason: "the value holds no key (it is empty, or nothing is left once its quotes, \
                     whitespace or label are removed), so there is nothing to repair: put the key \
                     Sales Layer gave you where it is stored"
                .into(),
            inconclusive: false,
        };
    }
    let cands = candidates(key);
    if offline {
        return match cands.into_iter().next() {
            None => Choice::Keep,
            Some(c) if c.repairs.iter().all(unambiguous) => Choice::Repair(Repaired {
                key: c.key,
                repairs: c.repairs,
                accepted_by: Vec::new(),
            }),
            Some(c) => Choice::Nothing {
                reason: format!(
                    "the repair this key needs ({}) is not certain without asking the API; \
                     run `sl-doctor fix` without --offline to try it live",
                    Repair::phrases(&c.repairs)
                ),
                inconclusive: false,
            },
        };
    }
    let probes: Vec<&ProbeEvidence> = report
        .checks()
        .filter_map(|c| match &c.evidence {
            Some(Evidence::Probe(p)) => Some(p),
            _ => None,
        })
        .collect();
    for c in cands {
        let fp = c.key.fingerprint();
        let accepted_by: Vec<&'static str> = probes
            .iter()
            .filter(|p| {
                p.attempts.iter().any(|a| {
                    a.key.variant == KeyKind::Cleaned
                        && a.answer.authenticates()
                        && a.key.fingerprint.as_ref() == Some(&fp)
                })
            })
            .map(|p| api_name(&p.api))
            .collect();
        if !accepted_by.is_empty() {
            return Choice::Repair(Repaired {
                key: c.key,
                repairs: c.repairs,
                accepted_by,
            });
        }
    }
    let accepted_as_given = probes.iter().any(|p| {
        p.last_with(KeyKind::AsGiven)
            .is_some_and(|a| a.answer.authenticates())
    });
    if accepted_as_given {
        return Choice::Keep;
    }
    let inconclusive = probes.is_empty()
        || probes.iter().all(|p| {
            p.last_with(KeyKind::AsGiven)
                .is_none_or(|a| a.answer.no_verdict())
        });
    let reason = if inconclusive {
        "the API could not be asked, so no repair is proven; `sl-doctor fix --offline` applies \
         the repairs that cannot be wrong, unverified"
    } else {
        "the API accepted no repaired value of this key (or none was tried), so there is \
         nothing sl-doctor can prove and write"
    };
    Choice::Nothing {
        reason: reason.into(),
        inconclusive,
    }
}

/// `DAM` or `Catalog`, from the evidence's API id.
pub fn api_name(id: &str) -> &'static str {
    if id == "dam" { "DAM" } else { "Catalog" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests_support::report;
    use sl_doctor_checks::model::report::Verdict;

    #[test]
    fn a_value_that_holds_no_key_has_nothing_to_repair() {
        let r = report(Verdict::Fail);
        for (value, offline) in [
            ("", true),
            ("", false),
            ("\"\"", true),
            ("\"\"", false),
            ("'  '\n", true),
            ("X-API-KEY:", true),
        ] {
            let key = SecretKey::from_string(value.into());
            match choose(&r, &key, offline) {
                Choice::Nothing {
                    reason,
                    inconclusive,
                } => {
                    assert!(
                        reason.starts_with("the value holds no key"),
                        "{value:?}: {reason}"
                    );
                    assert!(!inconclusive, "{value:?}");
                }
                _ => panic!("{value:?} (offline {offline}): a choice other than nothing"),
            }
        }
        // A quoted key is still repaired offline.
        let key = SecretKey::from_string("\"aB3+xY/9zQ==\"".into());
        assert!(matches!(choose(&r, &key, true), Choice::Repair(_)));
    }
}
