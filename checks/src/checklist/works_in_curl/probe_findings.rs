//! The findings of `dam-probe` and `catalog-probe`, built from the probe's evidence
//! ([`crate::net::probe`] sends the requests and records what happened). The detail
//! lines are rendered from the same evidence, so details and findings cannot disagree.

use super::codes::*;
use crate::checklist::base_url::tls_connection::{NO_CA_CERTIFICATES, setup_finding};
use crate::model::check::{CheckError, Outcome};
use crate::model::context::{Api, Context};
use crate::model::evidence::{
    AnswerClass, BodyKind, Differential, Evidence, KeyDelivery, KeyKind, KeyVariant,
    NetFailureKind, ProbeAttempt, ProbeEvidence, ProbeResponse, ProblemDetails, Redirect, Repair,
    Timings,
};
use crate::model::report::{Finding, Severity, Status};
use crate::model::secret::SecretKey;
use crate::net::http::ClientError;
use crate::net::probe::{self, ApiProbe, Cleaner, clean_text};

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

/// What one answer means, in words: a one-line summary and the finding.
struct Reading {
    summary: String,
    finding: Finding,
}

fn reading(summary: String, finding: Finding) -> Reading {
    Reading { summary, finding }
}

/// `: "title — detail"` of a problem-details body, or nothing.
fn short(p: Option<&ProblemDetails>) -> String {
    let Some(p) = p else {
        return String::new();
    };
    let parts: Vec<&str> = [&p.title, &p.detail]
        .into_iter()
        .flatten()
        .map(|s| s.as_str())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": \"{}\"", parts.join(" — "))
    }
}

fn redirect_reading(api: &str, line: &str, d: &Redirect) -> Reading {
    let msg = match (d.location_chars, &d.target) {
        (None, _) => format!(
            "{api} answered {line} without a Location header; sl-doctor never follows redirects"
        ),
        (Some(n), None) => format!(
            "{api} answered {line} with an unparseable Location ({n} characters); sl-doctor never follows redirects"
        ),
        (Some(_), Some(t)) => {
            let host = d.target_host.as_deref().unwrap_or("?");
            let consequence = match (d.other_host, d.to_plain_http) {
                (true, true) => format!(
                    "following it would have sent your key to another host ({host}) and over plain http, in clear"
                ),
                (true, false) => format!(
                    "following it would have sent your key to another host or port ({host})"
                ),
                (false, true) => {
                    "following it would have sent your key over plain http, in clear".to_string()
                }
                (false, false) => {
                    "it points to the same host; following it would keep the key on that host"
                        .to_string()
                }
            };
            format!(
                "{api} answered {line} with Location: {t}; sl-doctor never follows redirects: {consequence}"
            )
        }
    };
    reading(
        format!("{api} answered with a redirect ({line}); not followed"),
        Finding::new(REDIRECT_NOT_FOLLOWED, msg).with_fix(
            "Use the URL the API is really served from as the base URL (the documented one is https://api2.saleslayer.com), and make sure your HTTP client does not follow redirects with X-API-KEY: most clients (reqwest, many others) keep custom headers on redirects to other hosts and to http.",
        ),
    )
}

/// The reading of an answer: redirects and HTML first, then the status as the Sales
/// Layer docs describe it for this API.
fn answer_reading(spec: &ApiProbe, path: &str, r: &ProbeResponse) -> Reading {
    let (api, line, code) = (spec.name, r.status_line.as_str(), r.status);
    if let Some(d) = &r.redirect {
        return redirect_reading(api, line, d);
    }
    if r.body_kind == BodyKind::Html && !(code >= 500 || code == 429) {
        return reading(
            format!("{api} probe got HTML, not the API ({line})"),
            Finding::new(
                NOT_THE_API,
                format!("The answer ({line}) is HTML, not the API: a proxy, captive portal or wrong host answered"),
            )
            .with_fix("Check the base URL (https://api2.saleslayer.com), your proxy settings (HTTPS_PROXY, NO_PROXY) and whether the network needs a login page first."),
        );
    }
    match code {
        200..=299 => success_reading(spec, r),
        400..=499 if !matches!(code, 429) => client_error_reading(spec, path, r),
        _ => other_reading(spec, r),
    }
}

fn success_reading(spec: &ApiProbe, r: &ProbeResponse) -> Reading {
    let (api, line) = (spec.name, r.status_line.as_str());
    match r.status {
        200..=299 => {
            if r.body_kind == BodyKind::Json
                || (spec.api == Api::Catalog && r.body_kind == BodyKind::Xml)
            {
                reading(
                    format!("{api} accepted the key ({line})"),
                    Finding::new(KEY_ACCEPTED, format!("The key is valid for {api}: {line}")),
                )
            } else {
                reading(
                format!("{api} answered {line}, but not with JSON"),
                    Finding::new(
                        UNEXPECTED_BODY,
                        format!("{api} answered {line}, but the body is not JSON (content-type: {}); the key seems accepted, but something may sit between you and the API", clean_text(&r.content_type.clone().unwrap_or_default().to_lowercase(), 80)),
                    )
                    .with_fix("Check the base URL and any proxy between you and api2.saleslayer.com."),
                )
            }
        }
        _ => unreachable!("only 2xx answers are read here"),
    }
}

fn client_error_reading(spec: &ApiProbe, path: &str, r: &ProbeResponse) -> Reading {
    let (api, line) = (spec.name, r.status_line.as_str());
    let pshort = short(r.problem.as_ref());
    match r.status {
        401 => {
            let why = if spec.api == Api::Dam {
                " (the DAM reference documents 401 for a *missing* key and 400 for an invalid one; sl-doctor did send X-API-KEY, so either the key is invalid or something on the way removed the header)"
            } else {
                ""
            };
            reading(
                format!("{api} rejected the key ({line})"),
                Finding::new(
                    KEY_REJECTED,
                    format!("{api} answered {line}: missing or invalid key{pshort}{why}"),
                )
                .with_fix(format!("Make sure the key is exactly the one Sales Layer gave you, that it is enabled for {api}, and that it was not revoked or replaced; if it is, ask Sales Layer support (support@saleslayer.com) for a new key.")),
            )
        }
        400 if spec.api == Api::Dam => match &r.problem {
            Some(p) if p.about_query => reading(
                format!("{api} rejected the probe's query ({line})"),
                Finding::new(
                    QUERY_REJECTED,
                    format!("{api} answered {line} about the query ($top=1), not about the key{pshort}"),
                )
                .with_fix("The request reached the DAM API; check the base URL path (/dam/image) and run `sl-doctor` again. If it persists, send this report to support@saleslayer.com."),
            ),
            Some(_) => reading(
                format!("{api} rejected the key ({line})"),
                Finding::new(
                    KEY_REJECTED,
                    format!("{api} answered {line} with a problem-details body ({}): likely an invalid key (the DAM reference documents 400 for an invalid API key)", pshort.trim_start_matches(": ")),
                )
                .with_fix("Make sure the key is exactly the one Sales Layer gave you and that DAM is enabled for it; if it is, ask Sales Layer support (support@saleslayer.com) for a new key."),
            ),
            None => reading(
                format!("{api} answered {line}"),
                Finding::new(
                    BAD_REQUEST,
                    format!("{api} answered {line} without a problem-details body; the DAM reference documents 400 for an invalid key, but this answer may not come from the API"),
                )
                .with_fix("Check the base URL and any proxy; if it persists, send this report to support@saleslayer.com."),
            ),
        },
        400 => reading(
                format!("{api} answered {line}"),
            Finding::new(
                BAD_REQUEST,
                format!("{api} answered {line}: the request was refused as malformed{pshort}"),
            )
            .with_fix("Check the base URL path (/catalog/rest/Catalog/); if it persists, send this report to support@saleslayer.com."),
        ),
        403 if spec.api == Api::Catalog => reading(
                format!("The key works, but the Catalog API is not enabled for this account ({line})"),
            Finding::new(
                CATALOG_NOT_ENABLED,
                format!("Catalog answered {line}: the key works but the Catalog API is not enabled for this account (Feature disabled for the tenant){pshort}"),
            )
            .with_fix("Ask Sales Layer support (support@saleslayer.com) to enable Catalog for your account/key."),
        ),
        403 => reading(
                format!("{api} answered {line}"),
            Finding::new(
                FORBIDDEN,
                format!("{api} answered {line}; the Sales Layer docs say DAM never returns 403, so a proxy, firewall or gateway may have answered{pshort}"),
            )
            .with_fix("Check the base URL and proxy settings; if the answer really comes from api2.saleslayer.com, send this report to support@saleslayer.com."),
        ),
        404 => reading(
                format!("{api} probe path not found ({line})"),
            Finding::new(
                NOT_FOUND,
                format!("{api} answered {line} for {}: wrong base path, or tenant/model not found{pshort}", path),
            )
            .with_fix("Give the base URL as the bare host with no path (https://api2.saleslayer.com for the Sales Layer API): sl-doctor adds /dam/... and /catalog/rest/Catalog/... itself (old docs use /rest/Catalog/ without /catalog). If the path is right, the account (tenant) or model does not exist: ask support@saleslayer.com."),
        ),
        _ => unexpected_status(api, line, &pshort),
    }
}

fn unexpected_status(api: &str, line: &str, pshort: &str) -> Reading {
    reading(
        format!("{api} answered {line}"),
        Finding::new(
            UNEXPECTED_STATUS,
            format!("{api} answered {line}, which the Sales Layer docs do not describe for this request{pshort}"),
        )
        .with_fix("Check the base URL and proxy settings; if it persists, send this report to support@saleslayer.com."),
    )
}

fn other_reading(spec: &ApiProbe, r: &ProbeResponse) -> Reading {
    let (api, line, code) = (spec.name, r.status_line.as_str(), r.status);
    let html = r.body_kind == BodyKind::Html;
    match code {
        429 | 503 => {
            let what = if code == 429 {
                "rate limited (Sales Layer documents 50 requests per 10 s, but not 429 or Retry-After)"
            } else {
                "temporarily unavailable"
            };
            reading(
                format!("{api} is {what} ({line}): no verdict"),
                Finding::new(
                    if code == 429 { RATE_LIMITED } else { SERVER_ERROR },
                    format!("{api} answered {line}: {what}{}", if html { "; the answer is HTML, so it may come from a proxy" } else { "" }),
                )
                .with_fix("Run sl-doctor again in a minute; if other jobs use the same key, pause them (the documented limit is 50 requests per 10 s)."),
            )
        }
        500..=599 => reading(
                format!("{api} answered with a server error ({line}): no verdict"),
            Finding::new(
                SERVER_ERROR,
                format!("{api} answered {line}: a server error says nothing about the key{}", if html { "; the answer is HTML, so it may come from a proxy" } else { "" }),
            )
            .with_fix("Run sl-doctor again later; if it persists, send this report (with any request id shown) to support@saleslayer.com."),
        ),
        _ => unexpected_status(api, line, &short(r.problem.as_ref())),
    }
}

/// The reading of one attempt: its answer, or the transport failure.
fn attempt_reading(spec: &ApiProbe, path: &str, a: &ProbeAttempt) -> Reading {
    if let Some(r) = &a.response {
        return answer_reading(spec, path, r);
    }
    let e = a
        .error
        .as_ref()
        .expect("an attempt has a response or an error");
    let finding = if e.kind == NetFailureKind::Builder {
        Finding::new(failure_code(e.kind), e.message.clone())
    } else {
        Finding::new(failure_code(e.kind), e.message.clone()).with_fix(
            "Check the network path to the API (DNS, firewall, proxy, TLS); the dns-resolution, proxy-config and tls-connection checks say more. Then run sl-doctor again.",
        )
    };
    reading(
        format!("{} probe got no answer: {}", spec.name, e.message),
        finding,
    )
}

/// Whether an answer leaves the probe without a verdict (rate limited, unavailable, no
/// answer from the network).
fn inconclusive(a: &ProbeAttempt) -> bool {
    match a.answer {
        AnswerClass::RateLimited | AnswerClass::Unavailable => true,
        AnswerClass::NoAnswer => a
            .error
            .as_ref()
            .is_none_or(|e| e.kind != NetFailureKind::Builder),
        _ => false,
    }
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

/// The prefix of an attempt's detail lines.
fn label(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::AsGiven => "",
        KeyKind::Cleaned => "cleaned key: ",
        KeyKind::None => "without key: ",
    }
}

/// The detail lines of one attempt: the response (or the failure) and the retry decision.
fn attempt_lines(a: &ProbeAttempt) -> Vec<String> {
    let label = label(a.key.variant);
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
        d.push("X-API-KEY: not sent (plain http)".into());
    } else {
        d.push(key_line("X-API-KEY", &ev.request.key_as_given));
    }
    d.extend(ev.attempts_with(KeyKind::None).flat_map(attempt_lines));
    d.extend(ev.attempts_with(KeyKind::AsGiven).flat_map(attempt_lines));
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
        let r = attempt_reading(spec, path, a);
        let seen = match a.answer {
            AnswerClass::Rejected => format!(
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
            let accepted = tried.iter().find(|a| a.answer == AnswerClass::Accepted);
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
                (None, AnswerClass::Rejected) => {
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
                    .with_fix(format!("Ask Sales Layer support (support@saleslayer.com) for a new key, saying that you need {}.", spec.name))
                }
                (None, _) => Finding::new(
                    CLEANED_UNTESTED,
                    format!(
                        "The repaired key could not be tested: {}",
                        attempt_reading(spec, path, last).summary
                    ),
                ),
            })
        }
        _ => None,
    }
}

/// `length 44, sha256:…` of a key value.
fn described(k: &KeyVariant) -> String {
    format!(
        "length {}, {}",
        k.length.unwrap_or_default(),
        k.fingerprint.as_ref().map(|f| f.as_str()).unwrap_or("-")
    )
}

/// The rejection of the key as given, reworded when a repaired value was accepted: the
/// key is then valid, and "invalid key, ask support for a new key" would contradict the
/// proof (the repair's own finding says what to fix).
fn given_rejected_but_repaired(
    spec: &ApiProbe,
    given: &ProbeAttempt,
    ev: &ProbeEvidence,
) -> Option<Finding> {
    if given.answer != AnswerClass::Rejected
        || !ev
            .attempts_with(KeyKind::Cleaned)
            .any(|a| a.answer == AnswerClass::Accepted)
    {
        return None;
    }
    let r = given.response.as_ref()?;
    Some(Finding::new(
        KEY_REJECTED,
        format!(
            "{} answered {} to the key as given: the value sent is not the key, while the repaired value is accepted",
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
            let r = attempt_reading(spec, path, a);
            inconclusive = self::inconclusive(a);
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
pub async fn run(cx: &Context, spec: &ApiProbe, cleaner: Cleaner) -> Result<Outcome, CheckError> {
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
