//! What the probe sends besides the key as given: the values the deployment's other
//! readers deliver (`readers-agree`), each once, and with `--api` one request to the
//! other API when this one rejects the key.

use crate::context::{Api, Context};
use crate::model::evidence::{
    Answer, KeyKind, KeyVariant, OtherApi, ProbeEvidence, UnsendableDelivery,
};
use crate::model::secret::SecretKey;
use crate::net::http::ProbeClient;
use crate::net::probe::{ApiProbe, CATALOG, DAM, probe_url, send, variant};
use reqwest::Url;

/// The most values delivered by other readers (`readers-agree`) a probe sends per API,
/// each once: with the key as given, its retry and the repaired values, a run stays at 8
/// requests per API, 16 in all (17 with `--api` and the other API's one request),
/// inside the documented limit of 50 requests per 10 seconds.
pub const MAX_DELIVERED: usize = 3;

/// The distinct values the deployment's other readers deliver, with who delivers each:
/// every value that differs from the key as given and holds a key (an empty value or
/// `""` would only be rejected, which says nothing), at most [`MAX_DELIVERED`].
pub fn deliveries(cx: &Context, key: &SecretKey) -> Vec<(String, SecretKey)> {
    let mut out: Vec<(Vec<&crate::context::ReaderDelivery>, SecretKey)> = Vec::new();
    for r in &cx.key.readings {
        let Some(v) = r.delivered.value() else {
            continue;
        };
        if v == key || crate::analysis::value::no_key_in(v) {
            continue;
        }
        match out.iter().position(|(_, o)| o == v) {
            Some(i) => out[i].0.push(r),
            None if out.len() < MAX_DELIVERED => out.push((vec![r], v.clone())),
            None => {}
        }
    }
    out.into_iter()
        .map(|(readers, v)| (crate::context::readings_who(&readers), v))
        .collect()
}

/// Sends each delivered value once (no retry, no repair): the answer says whether the
/// deployment with that reader works.
pub(crate) async fn try_deliveries(
    client: &ProbeClient,
    spec: &ApiProbe,
    url: &Url,
    ev: &mut ProbeEvidence,
    deliveries: &[(String, SecretKey)],
) {
    for (who, v) in deliveries {
        let kv = KeyVariant {
            reader: Some(who.clone()),
            ..variant(KeyKind::Delivered, Some(v))
        };
        match crate::net::http::key_header(v) {
            Ok(hv) => ev
                .attempts
                .extend(send(client, spec, url, Some(hv), kv, false).await),
            Err(why) => ev.unsendable.push(UnsendableDelivery {
                key: kv,
                because: why,
            }),
        }
    }
}
/// With one API diagnosed (`--api dam` or `catalog`) whose answer rejects the key (as
/// given and repaired), one request to the other API's probe tells "not enabled for
/// this API" (the other accepts it, or answers Catalog's 403) from "not valid" (it
/// rejects it too). Not spent when both APIs are diagnosed (the other probe answers).
pub(crate) async fn other_api(
    cx: &Context,
    client: &ProbeClient,
    spec: &ApiProbe,
    ev: &ProbeEvidence,
    key: &SecretKey,
) -> Option<Box<OtherApi>> {
    let other = if spec.api == Api::Dam { &CATALOG } else { &DAM };
    let rejected = ev
        .last_with(KeyKind::AsGiven)
        .is_some_and(|a| a.answer == Answer::Rejected);
    let repaired = ev
        .attempts_with(KeyKind::Cleaned)
        .any(|a| a.answer.authenticates());
    if cx.target.apis.contains(&other.api) || !rejected || repaired {
        return None;
    }
    let url = probe_url(&cx.target.base_url, other).ok()?;
    let hv = crate::net::http::key_header(key).ok()?;
    let attempt = send(
        client,
        other,
        &url,
        Some(hv),
        variant(KeyKind::AsGiven, Some(key)),
        false,
    )
    .await
    .pop()?;
    Some(Box::new(OtherApi {
        api: other.api.id().to_string(),
        url: url.to_string(),
        attempt,
    }))
}
