//! The live probe shared by `dam-probe` and `catalog-probe`: one cheap read-only request
//! per API with the key, interpreted as the Sales Layer docs describe each status, plus
//! at most one retry (429/503 with a short `Retry-After`) and, when the key as given is
//! rejected, the differential retry: up to three repaired values, in turn, until one is
//! accepted.
//!
//! The engine sends the requests and returns what happened as [`ProbeEvidence`]; the
//! `works-in-curl` checks turn that into findings. How an answer is classed follows
//! what the Sales Layer API documentation says about each status:
//! - 401: "missing or invalid key" (the error guide and the Catalog reference). The DAM
//!   reference says 401 = *missing* key and 400 = *invalid* key; the error guide says
//!   401 for all.
//! - DAM 400 with a problem-details body: the DAM reference documents 400 for an invalid
//!   key, so it is read as a likely invalid key unless its text speaks of the query.
//! - Catalog 403: "Feature disabled for the tenant" (Catalog metadata reference).
//! - 404: "Tenant or model not found" (Catalog metadata reference) or a wrong path.
//! - 429 and `Retry-After` are NOT documented by Sales Layer (only "50 requests per 10 s");
//!   they are handled as general HTTP, and a 429 or 5xx makes the probe inconclusive.
//!
//! Requests a run may make per API: 1, +1 retry after a short `Retry-After`, +3 repaired
//! values (`analysis::value::MAX_CANDIDATES`): 10 for both APIs, inside the documented
//! limit of 50 requests per 10 seconds. A plain-http base URL gets no key unless `--allow-http`: the probe then
//! sends the same request *without* the key, which still shows whether the endpoint
//! exists (an API answers 401), and reports that the key was not sent.

use crate::analysis::urls::redact_url;
use crate::analysis::value::RepairedKey;
use crate::context::{Api, Context};
use crate::leak::Secrets;
use crate::model::check::{Outcome, Skipped};
use crate::model::evidence::{
    Answer, BodyKind, Differential, KeyDelivery, KeyKind, KeyVariant, NetFailure, ProbeAttempt,
    ProbeEvidence, ProbeRequest, ProbeResponse, ProblemDetails, Redirect, RequestId, RetryDecision,
    Timings, Untrusted,
};
use crate::model::secret::SecretKey;
use crate::net::http::{Exchange, NetError, ProbeClient};
use crate::net::shared::Opened;
use reqwest::Url;
use reqwest::header::HeaderValue;
use std::sync::Arc;
use std::time::Duration;

use crate::net::probe_readers as readers;
pub use crate::net::probe_readers::{MAX_DELIVERED, deliveries};

/// Longest `Retry-After` the probe waits for (once).
pub const RETRY_CAP: Duration = Duration::from_secs(5);

/// A function that returns the repaired values worth trying, most likely first
/// (`analysis::value::candidates` in the checks).
pub type Cleaner = fn(&SecretKey) -> Vec<RepairedKey>;

/// What one API's probe requests.
#[derive(Debug)]
pub struct ApiProbe {
    /// Which API.
    pub api: Api,
    /// Display name.
    pub name: &'static str,
    /// Path appended to the base URL.
    pub path: &'static str,
    /// Query string, if any.
    pub query: Option<&'static str>,
}

/// The DAM probe ([`Api::probe_endpoint`]).
pub const DAM: ApiProbe = ApiProbe::of(Api::Dam);

/// The Catalog probe ([`Api::probe_endpoint`]).
pub const CATALOG: ApiProbe = ApiProbe::of(Api::Catalog);

impl ApiProbe {
    /// The probe of `api`: its name and the endpoint `crate::saleslayer` names.
    pub const fn of(api: Api) -> ApiProbe {
        let e = api.probe_endpoint();
        ApiProbe {
            api,
            name: api.name(),
            path: e.path,
            query: e.query,
        }
    }
}

/// Request-id style response headers that support can use to find a request.
pub const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "correlation-id",
    "x-amzn-requestid",
    "x-amzn-trace-id",
    "x-amz-cf-id",
    "apigw-requestid",
    "x-ms-request-id",
    "x-azure-ref",
    "traceparent",
    "cf-ray",
    "x-trace-id",
];

/// Server-provided text, made safe to show (`model::untrusted`): unsafe characters as
/// visible escapes, length capped.
pub fn server_text(s: &str, max: usize) -> Untrusted {
    Untrusted::capped(s.trim(), max)
}

/// The probe URL for a base URL, or why there is none.
pub fn probe_url(base: &str, spec: &ApiProbe) -> Result<Url, String> {
    let mut u = Url::parse(base.trim()).map_err(|e| format!("the base URL is not a URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!(
            "the base URL is not an http(s) URL with a host (scheme {})",
            u.scheme()
        ));
    }
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    let path = u.path().trim_end_matches('/').to_string();
    u.set_path(&format!("{path}{}", spec.path));
    u.set_query(spec.query);
    Ok(u)
}

fn retry_after(x: &Exchange) -> Option<Duration> {
    let v = x.header("retry-after")?;
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

fn lower_content_type(x: &Exchange) -> String {
    x.header("content-type").unwrap_or_default().to_lowercase()
}

fn body_start(x: &Exchange) -> String {
    let n = x.body.len().min(512);
    String::from_utf8_lossy(&x.body[..n])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase()
}

fn is_html(x: &Exchange) -> bool {
    let b = body_start(x);
    lower_content_type(x).contains("html")
        || ["<!doctype html", "<html", "<head", "<body"]
            .iter()
            .any(|p| b.starts_with(p))
}

fn is_xml(x: &Exchange) -> bool {
    let b = body_start(x);
    lower_content_type(x).contains("xml") || b.starts_with("<?xml") || b.starts_with("<edmx")
}

fn json(x: &Exchange) -> Option<serde_json::Value> {
    serde_json::from_slice(&x.body).ok()
}

fn is_json(x: &Exchange) -> bool {
    json(x).is_some()
        || (x.truncated && {
            let b = body_start(x);
            b.starts_with('{') || b.starts_with('[')
        })
}

fn body_kind(x: &Exchange) -> BodyKind {
    if is_html(x) {
        BodyKind::Html
    } else if is_json(x) {
        BodyKind::Json
    } else if is_xml(x) {
        BodyKind::Xml
    } else {
        BodyKind::Other
    }
}

/// Whether problem-details text names a query parameter rather than the key.
fn speaks_of_query(
    title: &Option<Untrusted>,
    detail: &Option<Untrusted>,
    validation: &[Untrusted],
) -> bool {
    let text = [title, detail]
        .into_iter()
        .flatten()
        .chain(validation)
        .map(Untrusted::as_str)
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    [
        "$top",
        "top",
        "$skip",
        "$filter",
        "$orderby",
        "query",
        "odata",
        "parameter",
    ]
    .iter()
    .any(|w| {
        text.split(|c: char| !(c.is_alphanumeric() || c == '$'))
            .any(|t| t == *w)
    })
}

/// The problem-details fields of a JSON error body (the RFC 9457 shape Sales Layer uses).
fn problem(x: &Exchange) -> Option<ProblemDetails> {
    let v = json(x)?;
    let o = v.as_object()?;
    let s = |k: &str| {
        o.get(k)
            .and_then(|v| v.as_str())
            .map(|s| server_text(s, 200))
    };
    let mut validation = Vec::new();
    for k in ["validationFailures", "errors"] {
        if let Some(m) = o.get(k).and_then(|v| v.as_object()) {
            for (field, msgs) in m {
                validation.push(server_text(&format!("{field}: {msgs}"), 200));
            }
        }
    }
    let (title, detail, kind) = (s("title"), s("detail"), s("type"));
    if title.is_none() && detail.is_none() && kind.is_none() && validation.is_empty() {
        return None;
    }
    Some(ProblemDetails {
        about_query: speaks_of_query(&title, &detail, &validation),
        kind,
        title,
        status: o.get("status").and_then(|v| v.as_i64()),
        detail,
        instance: s("instance"),
        validation,
    })
}

/// Where a redirect points, relative to the probe URL. Redirects are never followed:
/// reqwest would forward `X-API-KEY` to other hosts and over plain http.
fn redirect(url: &Url, x: &Exchange) -> Redirect {
    let loc = x.header("location");
    let target = loc.as_deref().and_then(|l| url.join(l.trim()).ok());
    Redirect {
        location_chars: loc.as_ref().map(|l| l.chars().count()),
        target: target
            .as_ref()
            .map(|t| Untrusted::new(&redact_url(t, None))),
        target_host: target
            .as_ref()
            .map(|t| Untrusted::new(t.host_str().unwrap_or("?"))),
        other_host: target.as_ref().is_some_and(|t| {
            t.host_str() != url.host_str()
                || t.port_or_known_default() != url.port_or_known_default()
        }),
        to_plain_http: target
            .as_ref()
            .is_some_and(|t| url.scheme() == "https" && t.scheme() == "http"),
    }
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// The facts of one response.
fn response(url: &Url, x: &Exchange) -> ProbeResponse {
    ProbeResponse {
        status: x.status.as_u16(),
        status_line: Untrusted::new(&x.status_line()),
        http_version: format!("{:?}", x.version),
        remote: x.remote.map(|a| a.to_string()),
        content_type: x.header("content-type").map(|ct| server_text(&ct, 100)),
        body_kind: body_kind(x),
        body_bytes: x.body.len(),
        body_truncated: x.truncated,
        body_error: x.body_error.as_deref().map(Untrusted::new),
        problem: problem(x),
        request_ids: REQUEST_ID_HEADERS
            .iter()
            .filter_map(|h| {
                x.header(h).map(|v| RequestId {
                    name: h.to_string(),
                    value: server_text(&v, 120),
                })
            })
            .collect(),
        retry_after_s: retry_after(x).map(|d| d.as_secs()),
        redirect: x.status.is_redirection().then(|| redirect(url, x)),
    }
}

/// What an answer means, as the Sales Layer docs describe each status for this API:
/// decided here, once, for every reader of the evidence.
pub fn classify(api: Api, r: &ProbeResponse) -> Answer {
    let code = r.status;
    if r.redirect.is_some() || (300..400).contains(&code) {
        return Answer::Redirect;
    }
    if r.body_kind == BodyKind::Html && !(code >= 500 || code == 429) {
        return Answer::NotTheApi;
    }
    let refusals = api.refusals();
    match code {
        200..=299 => match (r.body_kind, api) {
            (BodyKind::Json, _) | (BodyKind::Xml, Api::Catalog) => Answer::Accepted,
            _ => Answer::AcceptedUnexpectedBody,
        },
        // A status that also means a missing key (DAM's 401) says nothing about the scope.
        c if c == refusals.not_enabled && c != refusals.missing_key => Answer::NotEnabled,
        c if c == refusals.missing_key => Answer::Rejected,
        // DAM's invalid key is a 400 with problem details; a 400 about the query, or
        // without problem details, is not about the key.
        400 if refusals.invalid_key == 400 => match &r.problem {
            Some(p) if p.about_query => Answer::QueryRejected,
            Some(_) => Answer::Rejected,
            None => Answer::BadRequest,
        },
        c if c == refusals.invalid_key => Answer::Rejected,
        400 => Answer::BadRequest,
        403 => Answer::Forbidden,
        404 => Answer::NotFound,
        429 => Answer::RateLimited,
        500..=599 => Answer::Unavailable,
        _ => Answer::UnexpectedStatus,
    }
}

fn failure(key: KeyVariant, e: &NetError) -> ProbeAttempt {
    ProbeAttempt {
        key,
        answer: Answer::NoAnswer,
        response: None,
        error: Some(NetFailure {
            kind: e.kind,
            // Named by the probe check, which owns the codes.
            code: String::new(),
            message: Untrusted::new(&e.message),
        }),
        timings: Timings {
            total_ms: ms(e.elapsed),
            ..Timings::default()
        },
        retry: None,
    }
}

fn answered(spec: &ApiProbe, url: &Url, key: KeyVariant, x: &Exchange) -> ProbeAttempt {
    let r = response(url, x);
    ProbeAttempt {
        key,
        answer: classify(spec.api, &r),
        response: Some(r),
        error: None,
        timings: x.timings,
        retry: None,
    }
}

/// Sends one request (and, when `allow_retry`, once more after a short `Retry-After`
/// on a 429 or 503). Returns every attempt made.
pub(crate) async fn send(
    client: &ProbeClient,
    spec: &ApiProbe,
    url: &Url,
    key: Option<HeaderValue>,
    variant: KeyVariant,
    allow_retry: bool,
) -> Vec<ProbeAttempt> {
    let mut out = Vec::new();
    loop {
        let x = match client.get(url, key.clone()).await {
            Ok(x) => x,
            Err(e) => {
                out.push(failure(variant, &e));
                return out;
            }
        };
        let mut a = answered(spec, url, variant.clone(), &x);
        let first = out.is_empty();
        let wait = retry_after(&x);
        if first && matches!(x.status.as_u16(), 429 | 503) {
            let retried =
                allow_retry && wait.is_some_and(|w| w <= RETRY_CAP && w <= client.timeout());
            a.retry = Some(RetryDecision {
                retried,
                longest_wait_s: RETRY_CAP.as_secs().min(client.timeout().as_secs()),
            });
            out.push(a);
            if let (true, Some(w)) = (retried, wait) {
                tokio::time::sleep(w).await;
                continue;
            }
            return out;
        }
        out.push(a);
        return out;
    }
}

pub(crate) fn variant(kind: KeyKind, key: Option<&SecretKey>) -> KeyVariant {
    KeyVariant {
        variant: kind,
        length: key.map(SecretKey::char_len),
        fingerprint: key.map(SecretKey::fingerprint),
        repairs: Vec::new(),
        reader: None,
    }
}

fn repaired(c: &RepairedKey) -> KeyVariant {
    KeyVariant {
        repairs: c.repairs.clone(),
        ..variant(KeyKind::Cleaned, Some(&c.key))
    }
}

/// Replaces any 8-character piece of the secrets in every text of the outcome.
pub fn scrub(o: &mut Outcome, secrets: &[&SecretKey]) {
    let s = Secrets::new(secrets);
    s.redact(&mut o.summary);
    o.details.iter_mut().for_each(|t| s.redact(t));
    for f in &mut o.findings {
        s.redact(&mut f.message);
        if let Some(x) = f.fix.as_mut() {
            s.redact(x);
        }
    }
    if let Some(r) = o.fix.as_mut() {
        s.redact(r);
    }
}

/// Removes key pieces from every text of the evidence too: servers may echo the key.
fn scrub_evidence(ev: &mut ProbeEvidence, secrets: &[&SecretKey]) {
    Secrets::new(secrets).redact_all(ev);
}

/// What one API's probe did: the evidence, and the set-up problem when no request
/// could be made (the HTTP client could not be built from the network options).
#[derive(Debug)]
pub struct ProbeRun {
    /// Everything sent and received.
    pub evidence: ProbeEvidence,
    /// Why nothing was sent, when the client could not be built.
    pub setup_failure: Option<crate::net::http::ClientError>,
}

/// The probe URL and the key, or why the probe does not apply.
fn preconditions<'a>(cx: &'a Context, spec: &ApiProbe) -> Result<(Url, &'a SecretKey), Skipped> {
    if !cx.target.apis.contains(&spec.api) {
        return Err(Skipped(format!(
            "{} is not among the APIs to diagnose (--api {})",
            spec.name,
            spec.api.id()
        )));
    }
    let Some(key) = cx.key.key() else {
        return Err(Skipped("no key to probe with".into()));
    };
    crate::net::endpoint::no_key_in_host(cx)?;
    // An empty value, or one that holds no key once cleaned (`""`), would only be
    // rejected: that says nothing about the key. Sent only beside a value another reader
    // delivers (a .env line the empty variable overrides), whose answer does.
    if crate::analysis::value::no_key_in(key) && readers::deliveries(cx, key).is_empty() {
        return Err(Skipped(
            "the value holds no key (it is empty, or only quotes, whitespace or a label): the API's answer would say nothing about the key, so nothing is sent".into(),
        ));
    }
    let url = probe_url(&cx.target.base_url, spec)
        .map_err(|e| Skipped(format!("{e}; see the base-url checks")))?;
    Ok((url, key))
}

/// The key as given, then (when it was rejected or cannot be sent) the repaired values
/// in turn until one is accepted or answers something else than a rejection.
async fn key_attempts(
    cx: &Context,
    client: &ProbeClient,
    spec: &ApiProbe,
    url: &Url,
    ev: &mut ProbeEvidence,
    key: &SecretKey,
    candidates: &[RepairedKey],
) {
    let given_rejected = match crate::net::http::key_header(key) {
        Err(why) => {
            ev.request.key = KeyDelivery::NotSendable;
            ev.request.not_sendable_because = Some(why);
            true
        }
        Ok(hv) => {
            let v = variant(KeyKind::AsGiven, Some(key));
            ev.attempts = send(client, spec, url, Some(hv), v, true).await;
            ev.last_with(KeyKind::AsGiven)
                .is_some_and(|a| a.answer == Answer::Rejected)
        }
    };
    readers::try_deliveries(client, spec, url, ev, &readers::deliveries(cx, key)).await;
    ev.differential = match (given_rejected, candidates.is_empty()) {
        (false, _) => Differential::NotNeeded,
        (true, true)
            if crate::analysis::value::analyze(key)
                .holds_no_key()
                .is_some() =>
        {
            Differential::NoKeyLeft
        }
        (true, true) => Differential::NothingToClean,
        (true, false) if !cx.net.differential => Differential::Off,
        (true, false) => try_repairs(client, spec, url, ev, candidates).await,
    };
}

/// Sends the sendable repaired values one after another; stops at the first answer that
/// is not a rejection (accepted, or rate limited and the like: more requests would not
/// tell more).
async fn try_repairs(
    client: &ProbeClient,
    spec: &ApiProbe,
    url: &Url,
    ev: &mut ProbeEvidence,
    candidates: &[RepairedKey],
) -> Differential {
    let mut sent = false;
    for c in candidates {
        let Ok(hv) = crate::net::http::key_header(&c.key) else {
            continue;
        };
        sent = true;
        ev.attempts
            .extend(send(client, spec, url, Some(hv), repaired(c), false).await);
        if ev
            .attempts
            .last()
            .is_some_and(|a| a.answer != Answer::Rejected)
        {
            break;
        }
    }
    if sent {
        Differential::Tried
    } else {
        Differential::CleanedNotSendable
    }
}

/// The run's shared connection, for an https probe unless `--fresh-connections`. A
/// connection that could not be opened is no error here: the probe makes its own and
/// reports what happens on it.
async fn shared_connection(cx: &Context, url: &Url) -> Option<Arc<Opened>> {
    if cx.net.fresh_connections || url.scheme() != "https" {
        return None;
    }
    cx.conn.open(cx).await.ok()
}

/// Runs the probe of one API and returns what happened. `cleaner` is
/// `analysis::value::cleaned_key` in the checks; tests may pass a stand-in.
pub async fn run(cx: &Context, spec: &ApiProbe, cleaner: Cleaner) -> Result<ProbeRun, Skipped> {
    let (url, key) = preconditions(cx, spec)?;
    let candidates = cleaner(key);
    let mut ev = ProbeEvidence {
        api: spec.api.id().to_string(),
        request: ProbeRequest {
            method: "GET".into(),
            // Ours: the base URL's user info, query and fragment were dropped.
            url: url.to_string(),
            key: KeyDelivery::Sent,
            key_as_given: variant(KeyKind::AsGiven, Some(key)),
            not_sendable_because: None,
        },
        attempts: Vec::new(),
        differential: Differential::NotNeeded,
        cleaned: candidates.first().map(repaired),
        candidates: candidates.iter().map(repaired).collect(),
        unsendable: Vec::new(),
        other_api: None,
    };
    // Building the client loads the system CA store (blocking file and parsing work): on
    // the blocking pool, so the other checks' I/O keeps moving meanwhile. The run's shared
    // connection is awaited meanwhile; the client is still built, for the requests the
    // shared connection cannot serve and so that a bad option fails as it always did.
    let net = cx.net.clone();
    let route = match crate::net::endpoint::Target::parse(url.as_str()) {
        Ok(t) => crate::net::proxy::decide(&net, &t).route,
        Err(_) => crate::net::proxy::Route::Direct(crate::net::proxy::Direct::NoneConfigured),
    };
    let build = tokio::task::spawn_blocking(move || crate::net::http::build_client(&net, &route));
    let (built, shared) = tokio::join!(build, shared_connection(cx, &url));
    let built = built
        .map_err(|e| Skipped(format!("the HTTP client set-up task failed: {e}")))?
        .map(|c| c.share(shared));
    let mut setup_failure = None;
    match built {
        Err(f) => {
            ev.request.key = KeyDelivery::NoClient;
            setup_failure = Some(f);
        }
        // Plain http: the key is not sent unless --allow-http; the request goes without
        // it to see whether the endpoint exists.
        Ok(client) if url.scheme() == "http" && !cx.net.allow_http => {
            ev.request.key = KeyDelivery::NotSentPlainHttp;
            let v = variant(KeyKind::None, None);
            ev.attempts = send(&client, spec, &url, None, v, false).await;
        }
        Ok(client) => {
            key_attempts(cx, &client, spec, &url, &mut ev, key, &candidates).await;
            ev.other_api = readers::other_api(cx, &client, spec, &ev, key).await;
        }
    }
    let delivered = readers::deliveries(cx, key);
    let secrets: Vec<&SecretKey> = std::iter::once(key)
        .chain(candidates.iter().map(|c| &c.key))
        .chain(delivered.iter().map(|(_, v)| v))
        .collect();
    scrub_evidence(&mut ev, &secrets);
    Ok(ProbeRun {
        evidence: ev,
        setup_failure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_is_classified_once_per_status_and_api() {
        use crate::model::evidence::ProblemDetails;
        let problem = crate::testing_support::dam_invalid_key_problem;
        let r = |status, body_kind, problem: Option<ProblemDetails>| ProbeResponse {
            status,
            status_line: Untrusted::new(""),
            http_version: String::new(),
            remote: None,
            content_type: None,
            body_kind,
            body_bytes: 0,
            body_truncated: false,
            body_error: None,
            problem,
            request_ids: vec![],
            retry_after_s: None,
            redirect: None,
        };
        use Answer::*;
        use BodyKind::{Html, Json, Other as Plain, Xml};
        #[rustfmt::skip]
        let cases = [
            (Api::Dam, r(200, Json, None), Accepted),
            (Api::Catalog, r(200, Xml, None), Accepted),
            (Api::Dam, r(200, Xml, None), AcceptedUnexpectedBody),
            (Api::Dam, r(200, Plain, None), AcceptedUnexpectedBody),
            (Api::Dam, r(200, Html, None), NotTheApi),
            (Api::Dam, r(401, Json, None), Rejected),
            (Api::Dam, r(400, Json, Some(problem(false))), Rejected),
            (Api::Dam, r(400, Json, Some(problem(true))), QueryRejected),
            (Api::Dam, r(400, Json, None), BadRequest),
            (Api::Catalog, r(400, Json, Some(problem(false))), BadRequest),
            (Api::Catalog, r(403, Json, None), NotEnabled),
            (Api::Dam, r(403, Json, None), Forbidden),
            (Api::Dam, r(404, Json, None), NotFound),
            (Api::Dam, r(302, Plain, None), Redirect),
            (Api::Dam, r(429, Html, None), RateLimited),
            (Api::Dam, r(503, Html, None), Unavailable),
            (Api::Catalog, r(500, Json, None), Unavailable),
            (Api::Dam, r(418, Json, None), UnexpectedStatus),
        ];
        for (api, resp, want) in cases {
            assert_eq!(classify(api, &resp), want, "{api:?} {}", resp.status);
        }
    }

    #[test]
    fn urls_are_built_and_redacted() {
        let u = probe_url("https://api2.saleslayer.com/", &DAM).unwrap();
        assert_eq!(u.as_str(), "https://api2.saleslayer.com/dam/image?$top=1");
        let u = probe_url(" https://user:pw@h.example/base?x=1#f ", &CATALOG).unwrap();
        assert_eq!(
            u.as_str(),
            "https://h.example/base/catalog/rest/Catalog/$metadata"
        );
        assert!(probe_url("ftp://h", &DAM).is_err());
        assert!(probe_url("nope", &DAM).is_err());
        let l = Url::parse("http://u:p@other.example/x?api_key=SECRET&flag#frag").unwrap();
        assert_eq!(
            redact_url(&l, None),
            "http://[redacted]@other.example/x?api_key=[redacted]&flag#[redacted]"
        );
    }

    #[test]
    fn scrub_removes_key_pieces() {
        let k = SecretKey::from_string(crate::testing_support::TEST_CANARY.into());
        let mut o = Outcome::pass("server said canary7Qx9+Zk hello");
        o.details.push("x SLDOCTORcanary y".into());
        scrub(&mut o, &[&k]);
        assert!(!o.summary.contains("canary7Q"));
        assert!(!o.details[0].contains("SLDOCTOR"));
    }
}
