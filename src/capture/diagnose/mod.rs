//! The diagnosis of one captured request: what actually arrived, as findings of the
//! same shape as the doctor's.
//!
//! The value of every `X-API-KEY` header is analysed from the raw bytes received by
//! the offline doctor's own value checks (`pasted-label`, `quoted-value`,
//! `extra-whitespace`, `hidden-characters`, `lookalike-characters`,
//! `placeholder-value`, and the empty/non-ASCII part of `header-value`), run on a
//! `Context` whose key is the received value. The request target goes through the
//! doctor's URL analysis (`url-path`, `url-format`, `key-in-url`).

mod added;
mod compare;

use super::parse::{LineEnding, RawHeader, RawRequest};
use crate::capture::codes::*;
use crate::render::human::count;
use compare::compare;
use sl_doctor_checks::analysis::urls;
use sl_doctor_checks::analysis::value::{analyze, char_name, codepoint, describe, describe_char};
use sl_doctor_checks::checklist::base_url::{url_format, url_path, with_url_to_use};
use sl_doctor_checks::checklist::header_present::header_value;
use sl_doctor_checks::checklist::key_loaded::extra_whitespace;
use sl_doctor_checks::checklist::security::key_in_url;
use sl_doctor_checks::checklist::{ExtraWhitespace, HeaderValue};
use sl_doctor_checks::context::{Context, FoundKey};
/// Secrets that must never appear in any output: the configured key and every value
/// received in a key-like header.
pub use sl_doctor_checks::leak::Secrets;
use sl_doctor_checks::model::report::{Finding, Severity, SourceKind, SourceRef};
use sl_doctor_checks::model::secret::{Fingerprint, SecretKey};
use sl_doctor_checks::{DEFAULT_BASE_URL, DEFAULT_KEY_ENV};

/// The key configured for comparison (`--key-env` etc.), by name.
pub struct Configured {
    /// Where it came from, e.g. `SALESLAYER_API_KEY`.
    pub name: String,
    /// The value.
    pub key: SecretKey,
}

/// What the diagnosis found out about the key headers (for the report).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct KeyHeaderInfo {
    /// How many `X-API-KEY` headers arrived.
    pub count: usize,
    /// Length in characters of the first value as received (bytes when not UTF-8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    /// Fingerprint of the exact bytes of the first value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    /// Fingerprint of the cleaned value, when cleaning changes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleaned_fingerprint: Option<Fingerprint>,
    /// Whether the first value equals the configured key byte for byte (absent when no
    /// key is configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches_configured: Option<bool>,
}

/// The diagnosis of one request.
pub struct Diagnosis {
    /// Findings, in checklist order.
    pub findings: Vec<Finding>,
    /// The key headers.
    pub key_header: KeyHeaderInfo,
    /// `dam`, `catalog` or none.
    pub api: Option<&'static str>,
    /// The target, redacted.
    pub path: String,
}

use sl_doctor_checks::saleslayer::{Api, KEY_HEADER, KEY_HEADER_WIRE};

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Lowercase letters and digits only: `X_Api-Key` → `xapikey`.
fn norm(name: &[u8]) -> String {
    name.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// Whether a header name (normalised) looks like an attempt at the key header.
fn key_like_name(n: &str) -> bool {
    const EXACT: [&str; 12] = [
        "apikey",
        "key",
        "xkey",
        "token",
        "xtoken",
        "apitoken",
        "xapitoken",
        "authtoken",
        "xauthtoken",
        "accesstoken",
        "xaccesstoken",
        "saleslayerkey",
    ];
    if n.contains("csrf") || n.contains("xsrf") {
        return false;
    }
    EXACT.contains(&n)
        || n.contains("apikey")
        || n.contains("apitoken")
        || strsim::levenshtein(n, "xapikey") <= 2
}

/// The bytes a strict HTTP/1.1 server refuses in a field value: controls except TAB, DEL.
fn is_ctl(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7F
}

/// Turns received bytes into the key to analyse: UTF-8 as is, anything else as Latin-1
/// (the obs-text encoding Node's fetch and Python's http.client use), with a finding.
fn decode(value: &[u8], label: &str) -> (SecretKey, Option<Finding>) {
    if std::str::from_utf8(value).is_ok() {
        return (SecretKey::from_bytes(value.to_vec()), None);
    }
    let first = value.iter().position(|b| *b >= 0x80).unwrap_or_default();
    let c = value[first] as char;
    let text: String = value.iter().map(|&b| b as char).collect();
    let f = Finding::new(
        NOT_UTF8,
        format!(
            "{label}: the value is not UTF-8: byte {} of {} is 0x{:02X}, which is {} when read as Latin-1 (Node's fetch and Python's http.client send characters up to U+00FF as one Latin-1 byte); the positions below read the value as Latin-1",
            first + 1,
            value.len(),
            value[first],
            describe_char(c)
        ),
    )
    .with_fix("A Sales Layer API key is plain ASCII: the variable or file holds a character that is not (see below); copy the key again from the original source.");
    (SecretKey::from_string(text), Some(f))
}

fn context_with(key: SecretKey) -> Context {
    let mut cx = Context::default();
    cx.key.env_name = format!("{KEY_HEADER} header");
    cx.key.candidates.push(FoundKey {
        source: SourceRef {
            kind: SourceKind::None,
            name: format!("{KEY_HEADER} header"),
        },
        value: key,
        path: None,
    });
    cx
}

const OWS_NOTE: &str = " (HTTP servers drop spaces and tabs around a header value, so the API most likely sees the key without them, but the value your application holds is not clean: another client, proxy or server may keep them)";

/// Runs the doctor's value checks on one received value.
async fn value_findings(value: &[u8], label: &str) -> Vec<Finding> {
    let (key, latin1) = decode(value, label);
    let mut out: Vec<Finding> = latin1.into_iter().collect();
    let cx = context_with(key);
    for c in sl_doctor_checks::value_checks() {
        let id = c.meta().id;
        let Ok(o) = c.run(&cx).await else { continue };
        for mut f in o.findings {
            if id == HeaderValue::ID && f.is(header_value::NON_ASCII) {
                // The check words it for a request not sent yet; this one was sent.
                match cx.key.key().and_then(non_ascii_sent) {
                    Some(own) => f = own,
                    None => continue,
                }
            } else if id == HeaderValue::ID && !f.is(header_value::EMPTY_VALUE) {
                // "reqwest refuses to send it" is about our client; this value was sent.
                continue;
            }
            if id == ExtraWhitespace::ID
                && (f.is(extra_whitespace::LEADING_WHITESPACE)
                    || f.is(extra_whitespace::TRAILING_WHITESPACE))
            {
                // Spaces and tabs around a header value: servers drop them (RFC 9110 §5.5).
                f.severity = Severity::Warn;
                f.message.push_str(OWS_NOTE);
            }
            if label != KEY_HEADER {
                f.message = format!("{label}: {}", f.message);
            }
            out.push(f);
        }
    }
    let ctl: Vec<(usize, u8)> = value
        .iter()
        .enumerate()
        .filter(|(_, b)| is_ctl(**b))
        .map(|(i, b)| (i, *b))
        .collect();
    if let Some((i, b)) = ctl.first() {
        out.push(
            Finding::new(
                REJECTED_BY_STRICT_SERVERS,
                format!(
                    "{label}: the value holds {} {} at byte {} of {}: a standard HTTP/1.1 server refuses the whole request with 400 Bad Request or closes the connection, before any API key check",
                    match ctl.len() {
                        1 => "a control character,".to_string(),
                        n => format!("{n} control characters, the first"),
                    },
                    describe_char(*b as char),
                    i + 1,
                    value.len()
                ),
            )
            .with_fix("Remove the line break or control character from the key where it is loaded (trim the value read from the file or variable); most HTTP libraries refuse to send it at all, so this client is unusually permissive."),
        );
    }
    out
}

/// Non-ASCII characters of a value that was sent, in capture's own words, from the
/// value analysis (the same facts `header-value` reports for a request not sent yet).
fn non_ascii_sent(key: &SecretKey) -> Option<Finding> {
    let non_ascii = analyze(key).non_ascii();
    let first = non_ascii.first()?;
    Some(
        Finding::new(
            NON_ASCII,
            match non_ascii.len() {
                1 => format!(
                    "A non-ASCII character, {}, was sent as raw UTF-8 bytes; servers may reject or mangle it",
                    describe(first)
                ),
                n => format!(
                    "{n} non-ASCII characters were sent as raw UTF-8 bytes, the first {}; servers may reject or mangle them",
                    describe(first)
                ),
            },
        )
        .at(first.clone())
        .with_fix("A Sales Layer API key is plain ASCII: copy it again from the original source (see hidden-characters and lookalike-characters for each character)."),
    )
}

fn fp(v: &[u8]) -> Fingerprint {
    Fingerprint::of(v)
}

fn header_name_findings(
    req: &RawRequest,
    conf: Option<&Configured>,
    has_key: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in &req.headers {
        let name = lossy(&h.name);
        let n = norm(&h.name);
        if h.name.eq_ignore_ascii_case(KEY_HEADER_WIRE.as_bytes()) {
            if h.space_before_colon {
                out.push(
                    Finding::new(
                        SPACE_BEFORE_COLON,
                        "The X-API-KEY header line has whitespace between the name and the colon (`X-API-KEY : …`): HTTP/1.1 servers must reject such a request with 400 (RFC 9112 §5.1), proxies may drop the header",
                    )
                    .with_fix("Write the header as `X-API-KEY: <key>`, with the colon right after the name."),
                );
            }
            continue;
        }
        let carries = conf.is_some_and(|c| {
            let v = trim_ows(&h.value);
            let k = c.key.expose_bytes();
            !k.is_empty() && (v == k || v.ends_with(k))
        });
        let carries_note = if carries {
            format!(
                "; its value is the key of {}",
                conf.map(|c| c.name.as_str()).unwrap_or_default()
            )
        } else {
            String::new()
        };
        let sev = if has_key {
            Severity::Warn
        } else {
            Severity::Fail
        };
        if n == "xapikey" {
            let why = if name.contains('_') {
                "underscores instead of hyphens: the API reads X-API-KEY, and proxies such as nginx drop header names with underscores by default"
            } else {
                "the API reads a header named exactly X-API-KEY (letter case does not matter, the hyphens do)"
            };
            out.push(
                Finding::with_severity(
                    MISSPELT_KEY_HEADER,
                    sev,
                    format!("A header named `{name}` arrived: {why}{carries_note}"),
                )
                .with_fix("Name the header X-API-KEY (hyphens, no underscores), e.g. `headers: { \"X-API-KEY\": key }`."),
            );
        } else if n == "authorization" {
            let scheme = h
                .value
                .split(|b| *b == b' ')
                .next()
                .map(lossy)
                .filter(|w| {
                    ["bearer", "basic", "token", "apikey", "api-key", "digest"]
                        .contains(&w.to_ascii_lowercase().as_str())
                })
                .map(|w| format!(" {w} …"))
                .unwrap_or_default();
            out.push(
                Finding::with_severity(
                    AUTHORIZATION_HEADER,
                    sev,
                    format!("An `Authorization:{scheme}` header arrived: Sales Layer's API documents only the X-API-KEY header, no Bearer or other Authorization scheme{carries_note}"),
                )
                .with_fix("Send the key as `X-API-KEY: <key>` and drop the Authorization header (in Postman: Authorization type \"API Key\", key X-API-KEY, add to Header)."),
            );
        } else if key_like_name(&n) {
            out.push(
                Finding::with_severity(
                    WRONG_KEY_HEADER,
                    sev,
                    format!("A header named `{name}` arrived, which looks like an API key header: the API reads only X-API-KEY{carries_note}"),
                )
                .with_fix("Name the header exactly X-API-KEY."),
            );
        }
    }
    out
}

fn trim_ows(v: &[u8]) -> &[u8] {
    let s = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let e = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(s, |i| i + 1);
    &v[s..e.max(s)]
}

/// The value a hyper server would see: spaces and tabs around it removed.
pub fn ows_trimmed(h: &RawHeader) -> &[u8] {
    trim_ows(&h.value)
}

fn body_findings(req: &RawRequest, secrets: &[&[u8]], has_key: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if req.body.is_empty() {
        return out;
    }
    let body = &req.body[..];
    if secrets
        .iter()
        .any(|s| s.len() >= 8 && memchr::memmem::find(body, s).is_some())
    {
        out.push(
            Finding::new(
                KEY_IN_BODY,
                format!(
                    "The API key is in the request body ({} bytes; the body is not stored)",
                    req.body_len
                ),
            )
            .with_fix("Send the key only in the X-API-KEY header; the API does not read it from the body."),
        );
        return out;
    }
    let lower: Vec<u8> = body.iter().map(u8::to_ascii_lowercase).collect();
    let names: [&[u8]; 5] = [
        KEY_HEADER_WIRE.as_bytes(),
        b"x_api_key",
        b"apikey",
        b"api_key",
        b"api-key",
    ];
    if let Some(n) = names
        .iter()
        .find(|n| lower.windows(n.len()).any(|w| w == **n))
    {
        out.push(
            Finding::with_severity(
                KEY_FIELD_IN_BODY,
                if has_key { Severity::Warn } else { Severity::Fail },
                format!(
                    "The request body holds a field named like a key (`{}`): the API reads the key only from the X-API-KEY header",
                    String::from_utf8_lossy(n)
                ),
            )
            .with_fix("Move the key out of the body into the X-API-KEY header."),
        );
    }
    out
}

fn path_findings(
    req: &RawRequest,
    needle: Option<&SecretKey>,
) -> (Vec<Finding>, Option<&'static str>, String) {
    let target = req.target.as_str();
    let mut out = Vec::new();
    let absolute = !target.starts_with('/') && target.contains("://");
    let url = if absolute {
        target.to_string()
    } else {
        format!("{DEFAULT_BASE_URL}{target}")
    };
    let a = urls::analyze(&url, urls::Role::Request, urls::key_needle(needle));
    let found = [
        url_format::stray_findings(&a),
        url_path::findings(&a),
        key_in_url::findings(&a),
        url_format::structure_findings(&a),
    ]
    .concat();
    for i in with_url_to_use(&a, found) {
        let mut f = i.finding;
        f.message = f
            .message
            .replace("The --url", "The request")
            .replace("the --url", "the request")
            .replace("--url", "request");
        out.push(f);
    }
    let display = urls::redact_plain_values(target, needle);
    let p = req.path();
    // An application may still use the legacy paths without the API's prefix.
    let api = Api::of_path(p)
        .or_else(|| p.starts_with("/image").then_some(Api::Dam))
        .or_else(|| p.starts_with("/rest/Catalog").then_some(Api::Catalog))
        .map(Api::id);
    if absolute {
        out.push(Finding::new(
            ABSOLUTE_FORM_TARGET,
            "The request line carries a full URL (`GET http://…`): the application sent the request as to a proxy, so HTTP_PROXY (or a proxy setting) points at the capture address instead of the base URL being set to it",
        ).with_fix("Set the capture base URL as the application's API base URL and leave the proxy settings alone (or set NO_PROXY=127.0.0.1,localhost)."));
    }
    (out, api, display)
}

/// Diagnoses one request.
pub async fn diagnose(
    req: &RawRequest,
    conf: Option<&Configured>,
    secrets: &mut Secrets,
) -> Diagnosis {
    let mut findings = protocol_findings(req);

    // Key headers and their values.
    let key_headers: Vec<&RawHeader> = req.all(KEY_HEADER_WIRE).collect();
    add_secrets(req, &key_headers, secrets);
    let has_key = !key_headers.is_empty();
    // A misspelt or wrong header name says more than "missing": it comes first.
    findings.extend(header_name_findings(req, conf, has_key));
    if !has_key {
        findings.push(
            Finding::new(
                MISSING_KEY_HEADER,
                format!("No {KEY_HEADER} header arrived: the API answers 401 (a valid API key is required)"),
            )
            .with_fix(format!("Set the header on every request, e.g. curl -H \"{KEY_HEADER}: ${DEFAULT_KEY_ENV}\"; with an HTTP library set it where the request is built (a default-headers setting can be dropped by a redirect, a retry or a second client), in Postman check the collection's Authorization (type API Key, key {KEY_HEADER}, add to Header) and that an environment is selected.")),
        );
    }
    findings.extend(duplicate_finding(&key_headers));
    findings.extend(key_value_findings(&key_headers).await);
    if let (Some(c), Some(first)) = (conf, key_headers.first()) {
        findings.push(compare(&first.value, c));
        added::by_code(&mut findings, trim_ows(&first.value), c);
    }

    // Where the request went, and credentials in the URL or body.
    let needle = conf.map(|c| c.key.clone()).or_else(|| {
        key_headers
            .first()
            .map(|h| SecretKey::from_bytes(trim_ows(&h.value).to_vec()))
    });
    let (pf, api, path) = path_findings(req, needle.as_ref());
    findings.extend(pf);
    let mut body_secrets: Vec<&[u8]> = key_headers.iter().map(|h| trim_ows(&h.value)).collect();
    if let Some(c) = conf {
        body_secrets.push(c.key.expose_bytes());
    }
    findings.extend(body_findings(req, &body_secrets, has_key));

    let key_header = key_header_info(&key_headers, conf);
    let mut path = path;
    secrets.redact(&mut path);
    withhold_leaks(&mut findings, secrets);
    Diagnosis {
        findings,
        key_header,
        api,
        path,
    }
}

/// Findings about the request as HTTP: size, completeness, request line, line endings.
fn protocol_findings(req: &RawRequest) -> Vec<Finding> {
    let mut findings = Vec::new();
    if req.too_large {
        findings.push(Finding::new(
            HEAD_TOO_LARGE,
            format!("The request headers are larger than {} KiB: servers refuse such requests (431)", super::parse::MAX_HEAD / 1024),
        ).with_fix("Look for a header that grows without bound (a cookie, a value appended to on every retry)."));
    }
    if req.incomplete {
        findings.push(Finding::new(
            INCOMPLETE_REQUEST,
            "The connection closed or stalled before the end of the request headers (no empty line)",
        ).with_fix("The client gave up or wrote a partial request: check its timeout and any raw-socket code."));
    }
    if req.method.eq_ignore_ascii_case("CONNECT") {
        findings.push(Finding::new(
            PROXY_CONNECT,
            "The application sent CONNECT: it uses the capture address as an HTTPS proxy (HTTPS_PROXY points at it) instead of as the API base URL",
        ).with_fix("Set the printed base URL as the application's API base URL, not as a proxy."));
    } else if req.bad_request_line {
        findings.push(Finding::new(
            MALFORMED_REQUEST_LINE,
            "The request line is not `METHOD /path HTTP/1.1` (an unencoded space in the URL, or not HTTP at all): servers answer 400",
        ).with_fix("Percent-encode spaces and quotes in the URL (a space is %20), e.g. in $filter values."));
    }
    if req.line_ending == LineEnding::Lf {
        findings.push(Finding::new(
            BARE_LF_LINE_ENDINGS,
            "The request uses bare LF line endings instead of CR LF: tolerated by many servers, refused by strict ones",
        ).with_fix("Use an HTTP library instead of writing requests by hand, or end lines with \\r\\n."));
    }
    findings
}

/// Every value that may be the key becomes a secret of this run: each X-API-KEY value
/// and the values of key-like and Authorization headers.
/// Bounded (see `super::guard::secret_values`): the first values, each cut to its start,
/// so a hostile head cannot make the guard's cost grow with its size squared.
fn add_secrets(req: &RawRequest, key_headers: &[&RawHeader], secrets: &mut Secrets) {
    let mut values: Vec<&[u8]> = Vec::new();
    for h in key_headers {
        values.extend([&h.value[..], trim_ows(&h.value)]);
    }
    for h in &req.headers {
        if key_like_name(&norm(&h.name)) || norm(&h.name) == "authorization" {
            values.push(trim_ows(&h.value));
            values.extend(h.value.rsplit(|b| *b == b' ').next());
        }
    }
    for v in super::guard::secret_values(values) {
        secrets.add(&SecretKey::from_bytes(v.to_vec()));
    }
}

/// Two or more X-API-KEY headers.
fn duplicate_finding(key_headers: &[&RawHeader]) -> Option<Finding> {
    if key_headers.len() > 1 {
        let fps: Vec<String> = key_headers
            .iter()
            .map(|h| fp(trim_ows(&h.value)).to_string())
            .collect();
        return Some(
            Finding::new(
                DUPLICATE_KEY_HEADER,
                format!(
                    "{} X-API-KEY headers arrived ({}): a server joins them into one value (`a, b`) or keeps one of them, and the API rejects the key",
                    key_headers.len(),
                    fps.join(", ")
                ),
            )
            .with_fix("Set the header once: a default header plus a per-request header, or a header added again on a retry or redirect, gives two."),
        );
    }
    None
}

/// The value checks on each distinct X-API-KEY value, and values split over lines.
async fn key_value_findings(key_headers: &[&RawHeader]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen_values: Vec<&[u8]> = Vec::new();
    for (i, h) in key_headers.iter().enumerate() {
        if seen_values.contains(&&h.value[..]) {
            continue;
        }
        seen_values.push(&h.value[..]);
        let label = if key_headers.len() > 1 {
            format!("{KEY_HEADER} #{}", i + 1)
        } else {
            KEY_HEADER.to_string()
        };
        findings.extend(value_findings(&h.value, &label).await);
        let inner_break = {
            let v = &h.value[..];
            let end = v
                .iter()
                .rposition(|b| !matches!(b, b'\r' | b'\n'))
                .map_or(0, |i| i + 1);
            v[..end].iter().any(|b| matches!(b, b'\r' | b'\n'))
        };
        if h.joined_lines > 0 && inner_break {
            findings.push(Finding::new(
                VALUE_SPANS_LINES,
                format!("{label}: the value continues over {} (a line break inside the value, or obs-fold): servers reject the request or read only the first line", count(h.joined_lines, "more line", "more lines")),
            ).with_fix("Remove the line break from the key where it is loaded (trim the value)."));
        }
    }
    findings
}

/// What the report says about the key headers.
fn key_header_info(key_headers: &[&RawHeader], conf: Option<&Configured>) -> KeyHeaderInfo {
    let first = key_headers.first();
    KeyHeaderInfo {
        count: key_headers.len(),
        length: first.map(|h| {
            let k = SecretKey::from_bytes(h.value.to_vec());
            k.char_len()
        }),
        fingerprint: first.map(|h| fp(&h.value)),
        cleaned_fingerprint: first.and_then(|h| {
            sl_doctor_checks::analysis::value::cleaned_key(&SecretKey::from_bytes(h.value.to_vec()))
                .map(|k| k.fingerprint())
        }),
        matches_configured: conf.and_then(|c| first.map(|h| h.value[..] == *c.key.expose_bytes())),
    }
}

/// A finding whose message would show part of a key keeps only its code.
fn withhold_leaks(findings: &mut [Finding], secrets: &Secrets) {
    for f in findings.iter_mut() {
        if secrets.leaks(&f.message) {
            f.message = format!(
                "{} (message withheld: it would show part of the key)",
                f.code
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::parse::{LineEnding, parse_head};

    use sl_doctor_checks::testing_support::TEST_CANARY as CANARY;

    async fn codes(head: &[u8], conf: Option<&[u8]>) -> (Vec<String>, Diagnosis) {
        let req = parse_head(head, LineEnding::Crlf);
        let conf = conf.map(|k| Configured {
            name: "SALESLAYER_API_KEY".into(),
            key: SecretKey::from_bytes(k.to_vec()),
        });
        let mut s = Secrets::default();
        if let Some(c) = &conf {
            s.add(&c.key);
        }
        let d = diagnose(&req, conf.as_ref(), &mut s).await;
        let text = serde_json::to_string(&d.findings).unwrap() + &d.path;
        assert!(
            !sl_doctor_checks::testing_support::leaks(CANARY, &text),
            "leak: {text}"
        );
        for f in &d.findings {
            assert!(
                declared(f),
                "{} ({:?}) is not a declared code",
                f.code,
                f.severity
            );
        }
        (d.findings.iter().map(|f| f.code.clone()).collect(), d)
    }

    /// Whether a finding's code and severity are declared: by capture, or by one of the
    /// checks it re-runs (the value checks and the URL checks).
    fn declared(f: &Finding) -> bool {
        use sl_doctor_checks::checklist::{KeyInUrl, UrlFormat, UrlPath};
        let url_checks = [UrlFormat::ID, UrlPath::ID, KeyInUrl::ID];
        let checks = sl_doctor_checks::registry()
            .into_iter()
            .filter(|c| c.meta().value_only || url_checks.contains(&c.meta().id));
        crate::capture::codes::CODES
            .iter()
            .chain(checks.flat_map(|c| c.meta().codes))
            .any(|c| f.is(*c) && c.allows(f.severity))
    }

    fn req(headers: &str) -> Vec<u8> {
        format!("GET /dam/image?$top=1 HTTP/1.1\r\nHost: x\r\n{headers}").into_bytes()
    }

    #[tokio::test]
    async fn table() {
        let c = CANARY;
        #[rustfmt::skip]
        let cases: Vec<(String, Vec<&str>)> = vec![
            (format!("X-API-KEY: {c}"), vec!["same-key-as-configured"]),
            (format!("X-API-KEY: {c}\r"), vec!["trailing-newline", "rejected-by-strict-servers", "configured-key-plus-extra"]),
            (format!("X-API-KEY: \"{c}\""), vec!["surrounding-quotes", "configured-key-with-defects"]),
            (format!("X-API-KEY: {c} "), vec!["trailing-whitespace", "configured-key-plus-extra"]),
            (format!("X_API_KEY: {c}"), vec!["missing-key-header", "misspelt-key-header"]),
            (format!("Authorization: Bearer {c}"), vec!["missing-key-header", "authorization-header"]),
            (format!("apikey: {c}"), vec!["missing-key-header", "wrong-key-header"]),
            (format!("X-API-KEY: {c}\r\nX-API-KEY: {c}"), vec!["duplicate-key-header", "same-key-as-configured"]),
            ("X-API-KEY: other-key-0000".to_string(), vec!["different-key-than-configured"]),
        ];
        for (h, want) in cases {
            let (got, _) = codes(&req(&h), Some(CANARY.as_bytes())).await;
            for w in &want {
                assert!(got.contains(&w.to_string()), "{h:?}: {got:?}");
            }
        }
        let (got, d) = codes(
            format!("GET /rest/Catalog/Products?api_key={c} HTTP/1.1\r\nHost: x").as_bytes(),
            Some(CANARY.as_bytes()),
        )
        .await;
        assert!(got.contains(&"legacy-catalog-path".to_string()), "{got:?}");
        assert!(got.contains(&"key-value-in-url".to_string()), "{got:?}");
        assert_eq!(d.api, Some("catalog"));
        assert!(d.path.contains("[redacted]"));
    }

    #[tokio::test]
    async fn latin1_values_are_read_as_latin1() {
        let (got, _) = codes(b"GET /dam/image HTTP/1.1\r\nX-API-KEY: abc\xa0def", None).await;
        assert!(got.contains(&"not-utf8".to_string()), "{got:?}");
        assert!(got.contains(&"unusual-space".to_string()), "{got:?}");
    }
}
