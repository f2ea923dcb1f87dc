//! The findings of `dam-probe` and `catalog-probe`, built from the probe's evidence
//! ([`crate::net::probe`] sends the requests and records what happened). The detail
//! lines are rendered from the same evidence, so details and findings cannot disagree.

use super::answers::{explain, explain_given};
use super::codes::*;
use crate::checklist::base_url::tls_connection::{NO_CA_CERTIFICATES, setup_finding};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::evidence::{
    Answer, Differential, Evidence, KeyDelivery, KeyKind, KeyVariant, NetFailureKind, ProbeAttempt,
    ProbeEvidence, ProbeResponse, Repair, Timings,
};
use crate::model::report::{Finding, Severity, Status};
use crate::model::secret::SecretKey;
use crate::net::http::ClientError;
use crate::net::probe::{self, ApiProbe, Cleaner};
use crate::saleslayer::{KEY_HEADER, SUPPORT_ADDRESS};

/// The finding for an HTTP client that cannot be built from the options.
fn client_finding(e: &ClientError) -> Finding {
    match e {
        ClientError::Tls(e) => setup_finding(e),
        ClientError::ProxyInvalid => Finding::new(
            PROXY_INVALID,
            "--proxy is not a valid proxy URL (expected e.g. http://proxy.example:3128)",
        )
        .with_fix("Give the proxy as scheme://host:port."),
        ClientError::NoCaCertificates(d) => Finding::new(
            NO_CA_CERTIFICATES,
            format!("The HTTP client could not load any CA certificate from the system ({d})"),
        )
        .with_fix("Install the system CA bundle (e.g. `ca-certificates`), or fix SSL_CERT_FILE / SSL_CERT_DIR so they point to an existing bundle, or pass --ca-cert."),
        ClientError::NotBuilt(d) => Finding::new(
            CLIENT_NOT_BUILT,
            format!("The HTTP client could not be built: {d}"),
        ),
    }
}

/// Whether an answer leaves the probe without a verdict (rate limited, unavailable, no
/// answer from the network); a request that could not be built is a failure of its own.
fn no_verdict(a: &ProbeAttempt) -> bool {
    a.answer.no_verdict()
        && a.error
            .as_ref()
            .is_none_or(|e| e.kind != NetFailureKind::Builder)
}

fn response_lines(label: &str, r: &ProbeResponse, t: &Timings) -> Vec<String> {
    let mut d = vec![
        format!("status: {}", r.status_line),
        format!(
            "remote address: {}",
            r.remote.as_deref().unwrap_or("unknown")
        ),
        t.to_string(),
    ];
    d.extend(
        r.content_type
            .as_ref()
            .map(|ct| format!("content-type: {ct}")),
    );
    d.push(if r.body_truncated {
        format!(
            "body: more than {} bytes (only the first 64 KiB were read)",
            r.body_bytes
        )
    } else {
        format!("body: {} bytes", r.body_bytes)
    });
    d.extend(
        r.body_error
            .as_ref()
            .map(|e| format!("body read stopped: {e}")),
    );
    if let Some(p) = &r.problem {
        for (k, v) in [
            ("type", &p.kind),
            ("title", &p.title),
            ("detail", &p.detail),
            ("instance", &p.instance),
        ] {
            d.extend(v.as_ref().map(|v| format!("problem {k}: {v}")));
        }
        d.extend(
            p.validation
                .iter()
                .map(|v| format!("validation failure: {v}")),
        );
    }
    d.extend(
        r.request_ids
            .iter()
            .map(|id| format!("{}: {}", id.name, id.value)),
    );
    d.into_iter().map(|l| format!("{label}{l}")).collect()
}

/// Another reader's attempt: one heading that names the readers and the value, then its
/// lines indented (the readers' names are long, and each line repeated them).
fn delivered_lines(k: &KeyVariant, lines: Vec<String>) -> Vec<String> {
    let who = k.reader.as_deref().unwrap_or("another reader");
    std::iter::once(key_line(&format!("as delivered by {who}"), k))
        .chain(lines.into_iter().map(|l| format!("  {l}")))
        .collect()
}

/// The prefix of an attempt's detail lines.
fn label(k: &KeyVariant) -> String {
    match k.variant {
        KeyKind::AsGiven => String::new(),
        KeyKind::Cleaned => "cleaned key: ".into(),
        KeyKind::None => "without key: ".into(),
        // Indented under a heading instead (`delivered_lines`).
        KeyKind::Delivered => String::new(),
    }
}

/// The detail lines of one attempt: the response (or the failure) and the retry decision.
fn attempt_lines(a: &ProbeAttempt) -> Vec<String> {
    let lines = attempt_lines_labelled(a);
    match a.key.variant {
        KeyKind::Delivered => delivered_lines(&a.key, lines),
        _ => lines,
    }
}

/// [`attempt_lines`], each line with the attempt's label.
fn attempt_lines_labelled(a: &ProbeAttempt) -> Vec<String> {
    let label = label(&a.key);
    let label = label.as_str();
    let Some(r) = &a.response else {
        return vec![format!("{label}failed after {} ms", a.timings.total_ms)];
    };
    let mut d = response_lines(label, r, &a.timings);
    if let Some(retry) = &a.retry {
        d.push(match (r.retry_after_s, retry.retried) {
            (Some(w), true) => format!("{label}Retry-After: {w} s; retrying once"),
            (Some(w), false) => format!(
                "{label}Retry-After: {w} s; longer than sl-doctor waits ({} s), not retried",
                retry.longest_wait_s
            ),
            (None, _) => format!("{label}no Retry-After header; not retried"),
        });
    }
    d
}

/// `unquoted, json-unescaped`: the repairs of a repaired value, by their JSON names.
fn repair_ids(k: &KeyVariant) -> String {
    k.repairs
        .iter()
        .map(|r| {
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_line(what: &str, k: &KeyVariant) -> String {
    format!(
        "{what}: {} characters, {}",
        k.length.unwrap_or_default(),
        k.fingerprint.as_ref().map(|f| f.as_str()).unwrap_or("-")
    )
}

/// The detail lines of the whole probe, in the order things happened.
pub fn details(ev: &ProbeEvidence) -> Vec<String> {
    if ev.request.key == KeyDelivery::NoClient {
        return Vec::new();
    }
    let mut d = vec![format!("request: {} {}", ev.request.method, ev.request.url)];
    if ev.request.key == KeyDelivery::NotSentPlainHttp {
        d.push(format!("{KEY_HEADER}: not sent (plain http)"));
    } else {
        d.push(key_line(KEY_HEADER, &ev.request.key_as_given));
    }
    d.extend(ev.attempts_with(KeyKind::None).flat_map(attempt_lines));
    d.extend(ev.attempts_with(KeyKind::AsGiven).flat_map(attempt_lines));
    d.extend(ev.attempts_with(KeyKind::Delivered).flat_map(attempt_lines));
    if matches!(
        ev.differential,
        Differential::Off | Differential::CleanedNotSendable | Differential::Tried
    ) && !ev.candidates.is_empty()
    {
        d.push(key_line("key as given", &ev.request.key_as_given));
        for c in &ev.candidates {
            d.push(key_line(&format!("repaired key ({})", repair_ids(c)), c));
        }
    }
    d.extend(ev.attempts_with(KeyKind::Cleaned).flat_map(attempt_lines));
    d
}

/// The findings when the base URL is plain http: the key was not sent, and what the
/// API answered without it.
fn plain_http(spec: &ApiProbe, path: &str, ev: &ProbeEvidence) -> (String, Vec<Finding>) {
    let mut findings = vec![
        Finding::new(
            KEY_NOT_SENT_PLAIN_HTTP,
            "The base URL uses plain http, so sl-doctor did not send the key (it would travel in clear); the request was sent without X-API-KEY to see whether the endpoint exists",
        )
        .with_fix("Use https://api2.saleslayer.com as the base URL. For a local test server you control, pass --allow-http."),
    ];
    if let Some(a) = ev.last_with(KeyKind::None) {
        let r = explain(spec, path, a);
        let seen = match a.answer {
            Answer::Rejected => format!(
                "Without the key, {} answered as an API asking for a key ({})",
                spec.name, r.summary
            ),
            _ => format!("Without the key: {}", r.summary),
        };
        findings.push(Finding::new(KEYLESS_ANSWER, seen));
    }
    let summary = format!("{} probe: key not sent over plain http", spec.name);
    (summary, findings)
}

/// What the repaired values' answers add: which repair is accepted, all rejected too, or
/// untested.
fn differential(
    spec: &ApiProbe,
    path: &str,
    ev: &ProbeEvidence,
    summary: &mut String,
    inconclusive: &mut bool,
) -> Option<Finding> {
    match ev.differential {
        Differential::Off if !ev.candidates.is_empty() => Some(Finding::new(
            DIFFERENTIAL_OFF,
            "The repaired key was not tried (differential diagnosis is off)",
        )),
        Differential::Tried => {
            let tried: Vec<&ProbeAttempt> = ev.attempts_with(KeyKind::Cleaned).collect();
            let accepted = tried.iter().find(|a| a.answer.authenticates());
            let last = tried.last()?;
            Some(match (accepted, last.answer) {
                (Some(a), _) => {
                    *inconclusive = false;
                    let once = Repair::phrases(&a.key.repairs);
                    *summary = format!("{}: the key is accepted once {once}", spec.name);
                    Finding::new(
                        ACCEPTED_ONCE_CLEANED,
                        format!("Your key is accepted once {once} ({}): fix the value where it is stored", described(&a.key)),
                    )
                    .with_fix("Remove the extra characters the key-loaded and no-quotes checks point out from the stored value (variable, secret, file), then run sl-doctor again.")
                }
                (None, Answer::Rejected) if other_reader_accepted(ev) => {
                    // A valid key is in the deployment: the value used is stale, not
                    // the key revoked (the diagnosis names where each value comes from).
                    *summary = format!(
                        "{}: the value used is rejected, repaired or not; another reader's value is accepted",
                        spec.name
                    );
                    Finding::new(
                        CLEANED_REJECTED_TOO,
                        "The repaired value is rejected too, while the value another reader of the deployment delivers is accepted (below): the value used is not the valid key",
                    )
                    .with_fix("Put the accepted key where the value used comes from (or remove the stale copy), then run sl-doctor again.")
                }
                (None, Answer::Rejected) => {
                    *summary = format!("{}: the key is rejected, repaired or not", spec.name);
                    let which = match tried.as_slice() {
                        [one] => {
                            format!("The repaired key ({}) is rejected too", described(&one.key))
                        }
                        many => {
                            format!("The {} repaired values tried are rejected too", many.len())
                        }
                    };
                    Finding::new(
                        CLEANED_REJECTED_TOO,
                        format!("{which}: the key itself is invalid, revoked or not enabled for this API — ask support for a new key"),
                    )
                    .with_fix(format!("Ask Sales Layer support ({SUPPORT_ADDRESS}) for a new key, saying that you need {}.", spec.name))
                }
                (None, _) => Finding::new(
                    CLEANED_UNTESTED,
                    format!(
                        "The repaired key could not be tested: {}",
                        explain(spec, path, last).summary
                    ),
                ),
            })
        }
        _ => None,
    }
}

/// Whether the API accepted a value another reader of the deployment delivers.
fn other_reader_accepted(ev: &ProbeEvidence) -> bool {
    ev.attempts_with(KeyKind::Delivered)
        .any(|a| a.answer.authenticates())
}

/// `length 44, sha256:…` of a key value.
pub(super) fn described(k: &KeyVariant) -> String {
    format!(
        "length {}, {}",
        k.length.unwrap_or_default(),
        k.fingerprint.as_ref().map(|f| f.as_str()).unwrap_or("-")
    )
}

/// The rejection of the key as given, reworded when a repaired value was accepted (the
/// key is then valid) or got no verdict (rate limited: the key is not proven invalid):
/// "invalid key, ask support for a new key" would contradict the proof or go beyond it
/// (the repair's own finding says what to fix, or that it could not be tested).
fn given_rejected_but_repaired(
    spec: &ApiProbe,
    given: &ProbeAttempt,
    ev: &ProbeEvidence,
) -> Option<Finding> {
    let repaired: Vec<&ProbeAttempt> = ev.attempts_with(KeyKind::Cleaned).collect();
    let reading = if repaired.iter().any(|a| a.answer.authenticates()) {
        "the value sent is not the key, while the repaired value is accepted"
    } else if repaired.last().is_some_and(|a| no_verdict(a)) {
        "the value sent may not be the key, and the repaired value got no verdict, so the key itself is not proven invalid"
    } else {
        return None;
    };
    if given.answer != Answer::Rejected {
        return None;
    }
    let r = given.response.as_ref()?;
    Some(Finding::new(
        KEY_REJECTED,
        format!(
            "{} answered {} to the key as given: {reading}",
            spec.name, r.status_line
        ),
    ))
}

/// The findings of the key as given, then of the differential retry.
fn with_key(spec: &ApiProbe, path: &str, ev: &ProbeEvidence) -> (String, Vec<Finding>, bool) {
    let mut findings = Vec::new();
    let mut inconclusive = false;
    let mut summary = match (
        &ev.request.not_sendable_because,
        ev.last_with(KeyKind::AsGiven),
    ) {
        (Some(why), _) => {
            findings.push(
                Finding::new(
                    KEY_NOT_SENDABLE,
                    format!("The key as given cannot be sent in an HTTP header: it contains {why}; HTTP clients refuse it (reqwest: \"failed to parse header value\"), so the request was not sent"),
                )
                .with_fix("Remove the line break or control character from the stored value (a trailing newline from `echo` or a file editor is the usual cause)."),
            );
            format!("{} probe: the key as given cannot be sent", spec.name)
        }
        (None, Some(a)) => {
            let r = explain_given(spec, path, a, ev.differential);
            inconclusive = no_verdict(a);
            findings.push(given_rejected_but_repaired(spec, a, ev).unwrap_or(r.finding));
            r.summary
        }
        (None, None) => format!("{} probe sent no request", spec.name),
    };
    findings.extend(differential(
        spec,
        path,
        ev,
        &mut summary,
        &mut inconclusive,
    ));
    let delivered = super::reader_findings::delivered(spec, path, ev);
    // Another reader's rejected value heads the summary only when the value used is
    // accepted: a defect of the value itself (said above) comes first.
    let given_accepted = ev
        .last_with(KeyKind::AsGiven)
        .is_some_and(|a| a.answer.authenticates());
    if let Some(f) = delivered
        .iter()
        .find(|f| f.severity == Severity::Fail)
        .filter(|_| given_accepted)
    {
        summary = if f.is(DELIVERED_REJECTED) {
            format!(
                "{}: another reader of the deployment delivers a value the API rejects",
                spec.name
            )
        } else {
            format!(
                "{}: another reader of the deployment delivers a value no HTTP client can send",
                spec.name
            )
        };
    }
    findings.extend(delivered);
    if let Some(f) = super::reader_findings::other_api(spec, path, ev) {
        if f.is(OTHER_API_ACCEPTS) {
            summary = format!(
                "{} rejects the key, which the other API accepts: {} is not enabled for it",
                spec.name, spec.name
            );
        }
        findings.push(f);
    }
    (summary, findings, inconclusive)
}

/// The outcome of one probe, built from what the engine recorded.
pub fn outcome(spec: &ApiProbe, run: probe::ProbeRun) -> Outcome {
    let mut ev = run.evidence;
    for e in ev.attempts.iter_mut().filter_map(|a| a.error.as_mut()) {
        e.code = failure_code(e.kind).name.to_string();
    }
    let path = reqwest::Url::parse(&ev.request.url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    let (summary, findings, inconclusive) = match (run.setup_failure, ev.request.key) {
        (Some(e), _) => {
            let f = client_finding(&e);
            (
                format!("{} probe not sent: {}", spec.name, f.message),
                vec![f],
                false,
            )
        }
        (None, KeyDelivery::NotSentPlainHttp) => {
            let (s, f) = plain_http(spec, &path, &ev);
            (s, f, false)
        }
        (None, _) => with_key(spec, &path, &ev),
    };
    let fails = findings.iter().any(|f| f.severity == Severity::Fail);
    let mut o = Outcome::from_findings(summary, findings);
    o.details = details(&ev);
    if inconclusive && !fails {
        o.status = Some(Status::Error);
    }
    o.with_evidence(Evidence::Probe(ev))
}

/// The whole probe check: run the engine, build the findings, remove any key piece.
pub async fn run(cx: &Context, spec: &ApiProbe, cleaner: Cleaner) -> Result<Outcome, Skipped> {
    let facts = probe::run(cx, spec, cleaner).await?;
    let mut o = outcome(spec, facts);
    if let Some(key) = cx.key.key() {
        let repaired = cleaner(key);
        let secrets: Vec<&SecretKey> = std::iter::once(key)
            .chain(repaired.iter().map(|c| &c.key))
            .collect();
        probe::scrub(&mut o, &secrets);
    }
    Ok(o)
}
