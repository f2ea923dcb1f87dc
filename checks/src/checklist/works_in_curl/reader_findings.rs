//! The findings of what a probe sends besides the key as given (`net::probe_readers`):
//! the values the deployment's other readers deliver, and with `--api` the other API's
//! answer to the key.

use super::answers::explain;
use super::codes::*;
use super::probe_findings::described;
use crate::model::evidence::{Answer, KeyKind, ProbeEvidence};
use crate::model::report::Finding;
use crate::net::probe::{self, ApiProbe};
use crate::saleslayer::support;

/// What the API answered to the values the deployment's other readers deliver
/// (`readers-agree`): a rejected one fails, since a deployment with that reader sends it.
pub(super) fn delivered(spec: &ApiProbe, path: &str, ev: &ProbeEvidence) -> Vec<Finding> {
    let fix = "Write the key's definition so every reader delivers the same bytes (see readers-agree: no quotes, spaces, comment or CR), or deploy with a reader that delivers the key as it is; --loader or --from tells sl-doctor which one you use.";
    let mut out: Vec<Finding> = ev
        .attempts_with(KeyKind::Delivered)
        .map(|a| {
            let who = a.key.reader.as_deref().unwrap_or("another reader");
            let what = format!("the value delivered by {who} ({})", described(&a.key));
            match a.answer {
                Answer::Rejected => Finding::new(
                    DELIVERED_REJECTED,
                    format!(
                        "{} rejects {what}: {}; a deployment that reads the key that way fails",
                        spec.name,
                        a.response.as_ref().map_or("", |r| r.status_line.as_str())
                    ),
                )
                .with_fix(fix),
                a if a.authenticates() => {
                    Finding::new(DELIVERED_ACCEPTED, format!("{} accepts {what}", spec.name))
                }
                _ => Finding::new(
                    DELIVERED_UNTESTED,
                    format!(
                        "{what} could not be tested: {}",
                        explain(spec, path, a).summary
                    ),
                ),
            }
        })
        .collect();
    out.extend(ev.unsendable.iter().map(|u| {
        Finding::new(DELIVERED_NOT_SENDABLE,
            format!(
                "The value delivered by {} ({}) cannot be sent in an HTTP header: it contains {}; HTTP clients refuse it, so that deployment sends no request",
                u.key.reader.as_deref().unwrap_or("another reader"),
                described(&u.key),
                u.because
            ),
        )
        .with_fix(fix)
    }));
    out
}

/// The other API's answer to the key (asked once with `--api`): valid but not enabled
/// for this API, invalid for both, or not told apart.
pub(super) fn other_api(spec: &ApiProbe, path: &str, ev: &ProbeEvidence) -> Option<Finding> {
    let o = ev.other_api.as_ref()?;
    let (name, other) = (spec.name, if o.api == "dam" { "DAM" } else { "Catalog" });
    let status = o
        .attempt
        .response
        .as_ref()
        .map_or(String::new(), |r| r.status_line.to_string());
    let asked = format!(
        "asked once, since --api {} diagnoses {name} only",
        spec.api.id()
    );
    Some(match o.attempt.answer {
        a if a.authenticates() => Finding::new(OTHER_API_ACCEPTS,
            format!("{other} accepts the same key ({status}; {asked}): the key is valid, and {name} is not enabled for it"),
        )
        .with_fix(format!("Ask {} to enable {name} for this key (give them its fingerprint, never the key).", support())),
        Answer::Rejected => Finding::new(OTHER_API_REJECTS,
            format!("{other} rejects the same key too ({status}; {asked}): the key is not valid for either API"),
        ),
        _ => Finding::new(OTHER_API_UNTESTED,
            format!(
                "{other} gave no verdict on the same key ({}; {asked}): whether the key is invalid or only not enabled for {name} cannot be told apart",
                explain(&probe_spec(&o.api), path, &o.attempt).summary
            ),
        ),
    })
}

fn probe_spec(api: &str) -> ApiProbe {
    let s = if api == "dam" {
        &probe::DAM
    } else {
        &probe::CATALOG
    };
    ApiProbe { ..*s }
}
