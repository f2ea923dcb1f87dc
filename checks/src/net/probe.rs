//! The live probe shared by `dam-probe` and `catalog-probe`: one cheap read-only request
//! per API with the key, interpreted as the Sales Layer docs describe each status, plus
//! at most one retry (429/503 with a short `Retry-After`) and at most one differential
//! request with the cleaned key.
//!
//! Where the interpretation comes from (`../shared/saleslayer-api.md`):
//! - 401: "missing or invalid key" (error guide, Catalog reference). The DAM reference
//!   says 401 = *missing* key and 400 = *invalid* key; the error guide says 401 for all.
//! - DAM 400 with a problem-details body: the DAM reference documents 400 for an invalid
//!   key, so it is read as a likely invalid key unless its text speaks of the query.
//! - Catalog 403: "Feature disabled for the tenant" (Catalog metadata reference).
//! - 404: "Tenant or model not found" (Catalog metadata reference) or a wrong path.
//! - 429 and `Retry-After` are NOT documented by Sales Layer (only "50 requests per 10 s");
//!   they are handled as general HTTP, and a 429 or 5xx makes the probe inconclusive.
//!
//! Requests a run may make per API: 1, +1 retry after a short `Retry-After`, +1 with the
//! cleaned key. A plain-http base URL gets no key unless `--allow-http`: the probe then
//! sends the same request *without* the key, which still shows whether the endpoint
//! exists (an API answers 401), and reports that the key was not sent.

use crate::model::check::{CheckError, Outcome};
use crate::model::context::{Api, Context};
use crate::model::report::{Finding, Severity, Status};
use crate::model::secret::SecretKey;
use crate::net::http::{Exchange, NetErrorKind, ProbeClient};
use reqwest::{StatusCode, Url};
use std::time::Duration;

/// Longest `Retry-After` the probe waits for (once).
pub const RETRY_CAP: Duration = Duration::from_secs(5);

/// A function that returns the key with its defects removed, when that changes it.
pub type Cleaner = fn(&SecretKey) -> Option<SecretKey>;

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

/// `GET {base}/dam/image?$top=1` (saleslayer-api.md §6).
pub const DAM: ApiProbe = ApiProbe {
    api: Api::Dam,
    name: "DAM",
    path: "/dam/image",
    query: Some("$top=1"),
};

/// `GET {base}/catalog/rest/Catalog/$metadata` (saleslayer-api.md §6).
pub const CATALOG: ApiProbe = ApiProbe {
    api: Api::Catalog,
    name: "Catalog",
    path: "/catalog/rest/Catalog/$metadata",
    query: None,
};

/// How an answer bears on the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// The key authenticated (200, or Catalog 403 "feature disabled").
    Accepted,
    /// The key was rejected (401, DAM 400 problem details).
    Rejected,
    /// Rate limited or unavailable; may be retried after this long.
    Retry(Option<Duration>),
    /// No verdict (5xx, timeout, network).
    Inconclusive,
    /// Something else is wrong (path, redirect, HTML, query).
    Other,
}

struct Reading {
    class: Class,
    summary: String,
    finding: Finding,
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

/// Server-provided text, made safe to show: controls removed, length capped.
fn clean_text(s: &str, max: usize) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = s.trim();
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

/// A URL for display: no user info, query values replaced, no fragment.
pub fn redact_url(u: &Url) -> String {
    let mut u = u.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    if u.query().is_some() {
        let pairs: Vec<String> = u
            .query_pairs()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.into_owned()
                } else {
                    format!("{k}=[redacted]")
                }
            })
            .collect();
        u.set_query(Some(&pairs.join("&")));
    }
    u.to_string()
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

fn content_type(x: &Exchange) -> String {
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
    content_type(x).contains("html")
        || ["<!doctype html", "<html", "<head", "<body"]
            .iter()
            .any(|p| b.starts_with(p))
}

fn is_xml(x: &Exchange) -> bool {
    let b = body_start(x);
    content_type(x).contains("xml") || b.starts_with("<?xml") || b.starts_with("<edmx")
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

/// The problem-details fields of a JSON error body (RFC 9457 shape used by Sales Layer).
struct Problem {
    title: Option<String>,
    detail: Option<String>,
    instance: Option<String>,
    kind: Option<String>,
    validation: Vec<String>,
}

impl Problem {
    fn parse(x: &Exchange) -> Option<Problem> {
        let v = json(x)?;
        let o = v.as_object()?;
        let s = |k: &str| {
            o.get(k)
                .and_then(|v| v.as_str())
                .map(|s| clean_text(s, 200))
        };
        let mut validation = Vec::new();
        for k in ["validationFailures", "errors"] {
            if let Some(m) = o.get(k).and_then(|v| v.as_object()) {
                for (field, msgs) in m {
                    validation.push(clean_text(&format!("{field}: {msgs}"), 200));
                }
            }
        }
        let p = Problem {
            title: s("title"),
            detail: s("detail"),
            instance: s("instance"),
            kind: s("type"),
            validation,
        };
        (p.title.is_some() || p.detail.is_some() || p.kind.is_some() || !p.validation.is_empty())
            .then_some(p)
    }

    fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in [
            ("type", &self.kind),
            ("title", &self.title),
            ("detail", &self.detail),
            ("instance", &self.instance),
        ] {
            if let Some(v) = v {
                out.push(format!("problem {k}: {v}"));
            }
        }
        for v in &self.validation {
            out.push(format!("validation failure: {v}"));
        }
        out
    }

    fn short(&self) -> String {
        let parts: Vec<&str> = [&self.title, &self.detail]
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

    fn speaks_of_query(&self) -> bool {
        let text = [&self.title, &self.detail]
            .into_iter()
            .flatten()
            .cloned()
            .chain(self.validation.iter().cloned())
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
}

/// Details of one exchange: status, remote, timings, content type, problem, request ids.
fn exchange_details(label: &str, x: &Exchange) -> Vec<String> {
    let mut d = vec![
        format!("{label}status: {}", x.status_line()),
        format!(
            "{label}remote address: {}",
            x.remote.map_or("unknown".into(), |a| a.to_string())
        ),
        format!("{label}{}", x.timings),
    ];
    if let Some(ct) = x.header("content-type") {
        d.push(format!("{label}content-type: {}", clean_text(&ct, 100)));
    }
    let size = if x.truncated {
        format!(
            "body: more than {} bytes (only the first 64 KiB were read)",
            x.body.len()
        )
    } else {
        format!("body: {} bytes", x.body.len())
    };
    d.push(format!("{label}{size}"));
    if let Some(e) = &x.body_error {
        d.push(format!("{label}body read stopped: {e}"));
    }
    if let Some(p) = Problem::parse(x) {
        d.extend(p.lines().into_iter().map(|l| format!("{label}{l}")));
    }
    for h in REQUEST_ID_HEADERS {
        if let Some(v) = x.header(h) {
            d.push(format!("{label}{h}: {}", clean_text(&v, 120)));
        }
    }
    d
}

fn interpret(spec: &ApiProbe, url: &Url, x: &Exchange) -> Reading {
    let api = spec.name;
    let s = x.status;
    let line = x.status_line();
    let code = s.as_u16();
    let problem = Problem::parse(x);
    let pshort = problem.as_ref().map(|p| p.short()).unwrap_or_default();
    let reading = |class, summary: String, finding| Reading {
        class,
        summary,
        finding,
    };

    // Redirects: never followed (crates.md §1e), reported with where they point.
    if s.is_redirection() {
        let loc = x.header("location");
        let target = loc.as_deref().and_then(|l| url.join(l.trim()).ok());
        let msg = match (&loc, &target) {
            (None, _) => format!(
                "{api} answered {line} without a Location header; sl-doctor never follows redirects"
            ),
            (Some(l), None) => format!(
                "{api} answered {line} with an unparseable Location ({} characters); sl-doctor never follows redirects",
                l.chars().count()
            ),
            (Some(_), Some(t)) => {
                let cross = t.host_str() != url.host_str()
                    || t.port_or_known_default() != url.port_or_known_default();
                let downgrade = url.scheme() == "https" && t.scheme() == "http";
                let consequence = match (cross, downgrade) {
                    (true, true) => format!(
                        "following it would have sent your key to another host ({}) and over plain http, in clear",
                        t.host_str().unwrap_or("?")
                    ),
                    (true, false) => format!(
                        "following it would have sent your key to another host or port ({})",
                        t.host_str().unwrap_or("?")
                    ),
                    (false, true) => {
                        "following it would have sent your key over plain http, in clear"
                            .to_string()
                    }
                    (false, false) => {
                        "it points to the same host; following it would keep the key on that host"
                            .to_string()
                    }
                };
                format!(
                    "{api} answered {line} with Location: {}; sl-doctor never follows redirects: {consequence}",
                    redact_url(t)
                )
            }
        };
        return reading(
            Class::Other,
            format!("{api} answered with a redirect ({line}); not followed"),
            Finding::fail("redirect-not-followed", msg).with_fix(
                "Use the URL the API is really served from as the base URL (the documented one is https://api2.saleslayer.com), and make sure your HTTP client does not follow redirects with X-API-KEY: most clients (reqwest, many others) keep custom headers on redirects to other hosts and to http.",
            ),
        );
    }

    let html = is_html(x);
    if html && !(s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS) {
        return reading(
            Class::Other,
            format!("{api} probe got HTML, not the API ({line})"),
            Finding::fail(
                "not-the-api",
                format!("The answer ({line}) is HTML, not the API: a proxy, captive portal or wrong host answered"),
            )
            .with_fix("Check the base URL (https://api2.saleslayer.com), your proxy settings (HTTPS_PROXY, NO_PROXY) and whether the network needs a login page first."),
        );
    }

    match code {
        200..=299 => {
            if is_json(x) || (spec.api == Api::Catalog && is_xml(x)) {
                reading(
                    Class::Accepted,
                    format!("{api} accepted the key ({line})"),
                    Finding::info("key-accepted", format!("The key is valid for {api}: {line}")),
                )
            } else {
                reading(
                    Class::Accepted,
                    format!("{api} answered {line}, but not with JSON"),
                    Finding::warn(
                        "unexpected-body",
                        format!("{api} answered {line}, but the body is not JSON (content-type: {}); the key seems accepted, but something may sit between you and the API", clean_text(&content_type(x), 80)),
                    )
                    .with_fix("Check the base URL and any proxy between you and api2.saleslayer.com."),
                )
            }
        }
        401 => {
            let why = if spec.api == Api::Dam {
                " (the DAM reference documents 401 for a *missing* key and 400 for an invalid one; sl-doctor did send X-API-KEY, so either the key is invalid or something on the way removed the header)"
            } else {
                ""
            };
            reading(
                Class::Rejected,
                format!("{api} rejected the key ({line})"),
                Finding::fail(
                    "key-rejected",
                    format!("{api} answered {line}: missing or invalid key{pshort}{why}"),
                )
                .with_fix(format!("Make sure the key is exactly the one Sales Layer gave you, that it is enabled for {api}, and that it was not revoked or replaced; if it is, ask Sales Layer support (support@saleslayer.com) for a new key.")),
            )
        }
        400 if spec.api == Api::Dam => match &problem {
            Some(p) if p.speaks_of_query() => reading(
                Class::Other,
                format!("{api} rejected the probe's query ({line})"),
                Finding::fail(
                    "query-rejected",
                    format!("{api} answered {line} about the query ($top=1), not about the key{pshort}"),
                )
                .with_fix("The request reached the DAM API; check the base URL path (/dam/image) and run `sl-doctor` again. If it persists, send this report to support@saleslayer.com."),
            ),
            Some(_) => reading(
                Class::Rejected,
                format!("{api} rejected the key ({line})"),
                Finding::fail(
                    "key-rejected-400",
                    format!("{api} answered {line} with a problem-details body ({}): likely an invalid key (the DAM reference documents 400 for an invalid API key)", pshort.trim_start_matches(": ")),
                )
                .with_fix("Make sure the key is exactly the one Sales Layer gave you and that DAM is enabled for it; if it is, ask Sales Layer support (support@saleslayer.com) for a new key."),
            ),
            None => reading(
                Class::Other,
                format!("{api} answered {line}"),
                Finding::fail(
                    "bad-request",
                    format!("{api} answered {line} without a problem-details body; the DAM reference documents 400 for an invalid key, but this answer may not come from the API"),
                )
                .with_fix("Check the base URL and any proxy; if it persists, send this report to support@saleslayer.com."),
            ),
        },
        400 => reading(
            Class::Other,
            format!("{api} answered {line}"),
            Finding::fail(
                "bad-request",
                format!("{api} answered {line}: the request was refused as malformed{pshort}"),
            )
            .with_fix("Check the base URL path (/catalog/rest/Catalog/); if it persists, send this report to support@saleslayer.com."),
        ),
        403 if spec.api == Api::Catalog => reading(
            Class::Accepted,
            format!("The key works, but the Catalog API is not enabled for this account ({line})"),
            Finding::fail(
                "catalog-not-enabled",
                format!("Catalog answered {line}: the key works but the Catalog API is not enabled for this account (Feature disabled for the tenant){pshort}"),
            )
            .with_fix("Ask Sales Layer support (support@saleslayer.com) to enable Catalog for your account/key."),
        ),
        403 => reading(
            Class::Other,
            format!("{api} answered {line}"),
            Finding::fail(
                "forbidden",
                format!("{api} answered {line}; the Sales Layer docs say DAM never returns 403, so a proxy, firewall or gateway may have answered{pshort}"),
            )
            .with_fix("Check the base URL and proxy settings; if the answer really comes from api2.saleslayer.com, send this report to support@saleslayer.com."),
        ),
        404 => reading(
            Class::Other,
            format!("{api} probe path not found ({line})"),
            Finding::fail(
                "not-found",
                format!("{api} answered {line} for {}: wrong base path, or tenant/model not found{pshort}", url.path()),
            )
            .with_fix("Use the base URL https://api2.saleslayer.com with no path: sl-doctor adds /dam/... and /catalog/rest/Catalog/... itself (old docs use /rest/Catalog/ without /catalog). If the path is right, the account (tenant) or model does not exist: ask support@saleslayer.com."),
        ),
        429 | 503 => {
            let what = if code == 429 {
                "rate limited (Sales Layer documents 50 requests per 10 s, but not 429 or Retry-After)"
            } else {
                "temporarily unavailable"
            };
            reading(
                Class::Retry(retry_after(x)),
                format!("{api} is {what} ({line}): no verdict"),
                Finding::warn(
                    if code == 429 { "rate-limited" } else { "unavailable" },
                    format!("{api} answered {line}: {what}{}", if html { "; the answer is HTML, so it may come from a proxy" } else { "" }),
                )
                .with_fix("Run sl-doctor again in a minute; if other jobs use the same key, pause them (the documented limit is 50 requests per 10 s)."),
            )
        }
        500..=599 => reading(
            Class::Inconclusive,
            format!("{api} answered with a server error ({line}): no verdict"),
            Finding::warn(
                "server-error",
                format!("{api} answered {line}: a server error says nothing about the key{}", if html { "; the answer is HTML, so it may come from a proxy" } else { "" }),
            )
            .with_fix("Run sl-doctor again later; if it persists, send this report (with any request id shown) to support@saleslayer.com."),
        ),
        _ => reading(
            Class::Other,
            format!("{api} answered {line}"),
            Finding::fail(
                "unexpected-status",
                format!("{api} answered {line}, which the Sales Layer docs do not describe for this request{pshort}"),
            )
            .with_fix("Check the base URL and proxy settings; if it persists, send this report to support@saleslayer.com."),
        ),
    }
}

/// One attempt: an answer or a transport failure, with its reading.
struct Attempt {
    reading: Reading,
    details: Vec<String>,
}

async fn attempt(
    client: &ProbeClient,
    spec: &ApiProbe,
    url: &Url,
    key: Option<reqwest::header::HeaderValue>,
    label: &str,
    allow_retry: bool,
) -> Attempt {
    let mut details = Vec::new();
    let mut tries = 0;
    loop {
        tries += 1;
        let res = client.get(url, key.clone()).await;
        let x = match res {
            Ok(x) => x,
            Err(e) => {
                details.push(format!("{label}failed after {} ms", e.elapsed.as_millis()));
                let (class, f) = if e.kind == NetErrorKind::Builder {
                    (Class::Other, Finding::fail(e.code, e.message.clone()))
                } else {
                    (
                        Class::Inconclusive,
                        Finding::warn(e.code, e.message.clone()).with_fix(
                            "Check the network path to the API (DNS, firewall, proxy, TLS); the dns-resolution, proxy-config and tls-connection checks say more. Then run sl-doctor again.",
                        ),
                    )
                };
                return Attempt {
                    reading: Reading {
                        class,
                        summary: format!("{} probe got no answer: {}", spec.name, e.message),
                        finding: f,
                    },
                    details,
                };
            }
        };
        details.extend(exchange_details(label, &x));
        let r = interpret(spec, url, &x);
        if let Class::Retry(wait) = r.class {
            match wait {
                Some(w) if allow_retry && tries == 1 && w <= RETRY_CAP && w <= client.timeout() => {
                    details.push(format!(
                        "{label}Retry-After: {} s; retrying once",
                        w.as_secs()
                    ));
                    tokio::time::sleep(w).await;
                    continue;
                }
                Some(w) if tries == 1 => details.push(format!(
                    "{label}Retry-After: {} s; longer than sl-doctor waits ({} s), not retried",
                    w.as_secs(),
                    RETRY_CAP.as_secs().min(client.timeout().as_secs())
                )),
                None if tries == 1 => {
                    details.push(format!("{label}no Retry-After header; not retried"))
                }
                _ => {}
            }
        }
        return Attempt {
            reading: r,
            details,
        };
    }
}

/// Replaces any 8-character piece of the secrets in every text of the outcome.
fn scrub(o: &mut Outcome, secrets: &[&SecretKey]) {
    let mut pieces: Vec<String> = Vec::new();
    for s in secrets {
        let text = String::from_utf8_lossy(s.expose_bytes());
        let chars: Vec<char> = text.chars().collect();
        for w in chars.windows(8) {
            let p: String = w.iter().collect();
            if p.trim().chars().count() == 8 && !pieces.contains(&p) {
                pieces.push(p);
            }
        }
    }
    if pieces.is_empty() {
        return;
    }
    let fix = |t: &mut String| {
        for p in &pieces {
            if t.contains(p.as_str()) {
                *t = t.replace(p.as_str(), "[REDACTED]");
            }
        }
    };
    fix(&mut o.summary);
    o.details.iter_mut().for_each(fix);
    for f in &mut o.findings {
        fix(&mut f.message);
        if let Some(x) = f.fix.as_mut() {
            fix(x);
        }
    }
    if let Some(r) = o.remediation.as_mut() {
        fix(r);
    }
}

fn finish(
    summary: String,
    findings: Vec<Finding>,
    details: Vec<String>,
    inconclusive: bool,
    secrets: &[&SecretKey],
) -> Outcome {
    let fails = findings.iter().any(|f| f.severity == Severity::Fail);
    let mut o = Outcome::from_findings(summary, findings);
    o.details = details;
    if inconclusive && !fails {
        o.status = Some(Status::Error);
    }
    scrub(&mut o, secrets);
    o
}

/// Runs the probe of one API. `cleaner` is `analysis::cleaned_key` in the checks; tests
/// may pass a stand-in.
pub async fn run(cx: &Context, spec: &ApiProbe, cleaner: Cleaner) -> Result<Outcome, CheckError> {
    if !cx.target.apis.contains(&spec.api) {
        return Err(CheckError::Skip(format!(
            "{} is not among the APIs to diagnose (--api {})",
            spec.name,
            spec.api.id()
        )));
    }
    let Some(key) = cx.key.key() else {
        return Err(CheckError::Skip("no key to probe with".into()));
    };
    let url = probe_url(&cx.target.base_url, spec)
        .map_err(|e| CheckError::Skip(format!("{e}; see the base-url checks")))?;
    // Building the client loads the system CA store (blocking file and parsing work): on
    // the blocking pool, so the other checks' I/O keeps moving meanwhile.
    let net = cx.net.clone();
    let built = tokio::task::spawn_blocking(move || crate::net::http::build_client(&net))
        .await
        .map_err(|e| CheckError::Skip(format!("the HTTP client set-up task failed: {e}")))?;
    let client = match built {
        Ok(c) => c,
        Err(f) => {
            let summary = format!("{} probe not sent: {}", spec.name, f.message);
            return Ok(finish(summary, vec![*f], Vec::new(), false, &[key]));
        }
    };
    // The probe URL is ours: the base URL's user info, query and fragment were dropped.
    let mut details = vec![format!("request: GET {url}")];
    let mut findings = Vec::new();

    // Plain http: the key is not sent unless --allow-http.
    if url.scheme() == "http" && !cx.net.allow_http {
        details.push("X-API-KEY: not sent (plain http)".into());
        let a = attempt(&client, spec, &url, None, "without key: ", false).await;
        details.extend(a.details);
        findings.push(
            Finding::fail(
                "key-not-sent-plain-http",
                "The base URL uses plain http, so sl-doctor did not send the key (it would travel in clear); the request was sent without X-API-KEY to see whether the endpoint exists",
            )
            .with_fix("Use https://api2.saleslayer.com as the base URL. For a local test server you control, pass --allow-http."),
        );
        let seen = match a.reading.class {
            Class::Rejected => format!(
                "Without the key, {} answered as an API asking for a key ({})",
                spec.name, a.reading.summary
            ),
            _ => format!("Without the key: {}", a.reading.summary),
        };
        findings.push(Finding::info("keyless-answer", seen));
        let summary = format!("{} probe: key not sent over plain http", spec.name);
        return Ok(finish(summary, findings, details, false, &[key]));
    }

    details.push(format!(
        "X-API-KEY: {} characters, {}",
        key.char_len(),
        key.fingerprint()
    ));
    let cleaned = cleaner(key).filter(|c| c != key);
    let mut inconclusive = false;

    // The key as given: can it be sent at all?
    let (given, summary) = match crate::net::http::key_header(key) {
        Err(why) => {
            findings.push(
                Finding::fail(
                    "key-not-sendable",
                    format!("The key as given cannot be sent in an HTTP header: it contains {why}; HTTP clients refuse it (reqwest: \"failed to parse header value\"), so the request was not sent"),
                )
                .with_fix("Remove the line break or control character from the stored value (a trailing newline from `echo` or a file editor is the usual cause)."),
            );
            (
                None,
                format!("{} probe: the key as given cannot be sent", spec.name),
            )
        }
        Ok(hv) => {
            let a = attempt(&client, spec, &url, Some(hv), "", true).await;
            details.extend(a.details);
            let r = a.reading;
            if matches!(r.class, Class::Inconclusive | Class::Retry(_)) {
                inconclusive = true;
            }
            findings.push(r.finding);
            (Some(r.class), r.summary)
        }
    };
    let mut summary = summary;

    let needs_differential = matches!(given, None | Some(Class::Rejected));
    if let (true, Some(c)) = (needs_differential, &cleaned) {
        details.push(format!(
            "key as given: {} characters, {}",
            key.char_len(),
            key.fingerprint()
        ));
        details.push(format!(
            "cleaned key: {} characters, {}",
            c.char_len(),
            c.fingerprint()
        ));
        if !cx.net.differential {
            findings.push(Finding::info(
                "differential-off",
                "The cleaned key was not tried (differential diagnosis is off)",
            ));
        } else if let Ok(hv) = crate::net::http::key_header(c) {
            let a = attempt(&client, spec, &url, Some(hv), "cleaned key: ", false).await;
            details.extend(a.details);
            match a.reading.class {
                Class::Accepted => {
                    inconclusive = false;
                    summary = format!("{}: the key is accepted once it is cleaned", spec.name);
                    findings.push(
                            Finding::fail(
                                "accepted-once-cleaned",
                                format!(
                                    "Your key is accepted once it is cleaned (length {}, {}): fix the value where it is stored",
                                    c.char_len(),
                                    c.fingerprint()
                                ),
                            )
                            .with_fix("Remove the extra characters the key-loaded and no-quotes checks point out from the stored value (variable, secret, file), then run sl-doctor again."),
                        );
                }
                Class::Rejected => {
                    summary = format!("{}: the key is rejected, cleaned or not", spec.name);
                    findings.push(
                            Finding::fail(
                                "cleaned-rejected-too",
                                format!(
                                    "The cleaned key (length {}, {}) is rejected too: the key itself is invalid, revoked or not enabled for this API — ask support for a new key",
                                    c.char_len(),
                                    c.fingerprint()
                                ),
                            )
                            .with_fix(format!("Ask Sales Layer support (support@saleslayer.com) for a new key, saying that you need {}.", spec.name)),
                        );
                }
                _ => findings.push(Finding::info(
                    "cleaned-untested",
                    format!("The cleaned key could not be tested: {}", a.reading.summary),
                )),
            }
        }
    }
    let secrets: Vec<&SecretKey> = std::iter::once(key).chain(cleaned.as_ref()).collect();
    Ok(finish(summary, findings, details, inconclusive, &secrets))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            redact_url(&l),
            "http://other.example/x?api_key=[redacted]&flag"
        );
    }

    #[test]
    fn scrub_removes_key_pieces() {
        let k = SecretKey::from_string("SLDOCTORcanary7Qx9+Zk/4mW2=".into());
        let mut o = Outcome::pass("server said canary7Qx9+Zk hello");
        o.details.push("x SLDOCTORcanary y".into());
        scrub(&mut o, &[&k]);
        assert!(!o.summary.contains("canary7Q"));
        assert!(!o.details[0].contains("SLDOCTOR"));
    }
}
