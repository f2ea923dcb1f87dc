//! Answering a captured request like the mock would, so the application proceeds and
//! its own logs show the outcome.
//!
//! The rule (also in docs/capture.md):
//!
//! 1. A request a strict HTTP/1.1 server refuses before any API logic — a malformed
//!    request line, an incomplete or oversized head, CONNECT, whitespace before a colon,
//!    a header value with a control character (CR, LF, NUL…) or spread over several
//!    lines — gets `400 Bad Request` with a problem-details body.
//! 2. Anything else is answered by the embedded mock (`mock::answer`): its routes, its
//!    status codes and bodies. The `X-API-KEY` values are compared as a server sees them
//!    (spaces and tabs around the value removed, every other byte kept) with the
//!    configured key (`--key-env` etc.), which the mock knows as valid for both APIs.
//!    So: no header or an empty one → 401; the configured key → 200 with the mock's body;
//!    any other value (or no key configured) → DAM 400 "Invalid API key" / Catalog 401;
//!    unknown paths → 404; other methods than GET/HEAD → 405.

use super::diagnose::ows_trimmed;
use super::parse::RawRequest;
use crate::mock::{self, MockKey, Scope};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use sl_doctor_checks::model::secret::SecretKey;

/// A response ready to write.
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The bytes to write (status line, headers, body).
    pub bytes: Vec<u8>,
}

fn problem_bytes(status: u16, reason: &str, detail: &str, instance: &str) -> Answer {
    let body = serde_json::json!({
        "type": format!("https://api2.saleslayer.com/errors/{}", if status == 400 { "bad-request" } else { "error" }),
        "title": reason,
        "status": status,
        "detail": detail,
        "instance": instance,
    })
    .to_string();
    let mut bytes = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    Answer { status, bytes }
}

/// A 400 for a request a strict server refuses.
pub fn bad_request(detail: &str) -> Answer {
    problem_bytes(400, "Bad Request", detail, "/")
}

/// A 502 when `--forward` could not reach the API.
pub fn bad_gateway(detail: &str) -> Answer {
    problem_bytes(502, "Bad Gateway", detail, "/")
}

/// A 431 for a request head over the cap (`parse::MAX_HEAD`): the status a server sends
/// for headers too large, so the application's own log names the problem.
pub fn head_too_large() -> Answer {
    problem_bytes(
        431,
        "Request Header Fields Too Large",
        &format!(
            "sl-doctor capture: the request headers are larger than {} KiB; see the capture report.",
            super::parse::MAX_HEAD / 1024
        ),
        "/",
    )
}

/// Capture's own answer to a request a strict server refuses (431 for an oversized head,
/// else 400), if it would refuse it.
pub fn refusal(req: &RawRequest) -> Option<Answer> {
    if req.too_large {
        return Some(head_too_large());
    }
    strict_refusal(req).map(bad_request)
}

/// Why a strict server would refuse this request, if it would.
pub fn strict_refusal(req: &RawRequest) -> Option<&'static str> {
    if req.incomplete || req.too_large || req.bad_request_line {
        return Some(
            "sl-doctor capture: an HTTP server refuses this request (malformed request line or headers); see the capture report.",
        );
    }
    if req.method.eq_ignore_ascii_case("CONNECT") {
        return Some(
            "sl-doctor capture: this is not a proxy; use the printed base URL as the API base URL.",
        );
    }
    let bad_header = req.headers.iter().any(|h| {
        h.space_before_colon
            || h.joined_lines > 0
            || h.name.is_empty()
            || !h.name.iter().all(|b| b.is_ascii_graphic() && *b != b':')
            || ows_trimmed(h)
                .iter()
                .any(|b| (*b < 0x20 && *b != b'\t') || *b == 0x7F)
    });
    bad_header.then_some("sl-doctor capture: a standard HTTP server refuses this request before any API key check (a header value holds a line break or control character, or a header line is malformed); see the capture report.")
}

/// The answer of the mock for this request. `configured` is the key the mock accepts.
pub async fn like_the_mock(
    req: &RawRequest,
    configured: Option<&SecretKey>,
    base_url: &str,
) -> Answer {
    if let Some(a) = refusal(req) {
        return a;
    }
    let keys: Vec<MockKey> = configured
        .filter(|k| !k.is_empty())
        .map(|k| MockKey::new(k.clone(), Scope::Both))
        .into_iter()
        .collect();
    let mut headers = HeaderMap::new();
    for h in &req.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&h.name),
            HeaderValue::from_bytes(ows_trimmed(h)),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    let method = Method::from_bytes(req.method.as_bytes()).unwrap_or(Method::GET);
    let resp = mock::answer(&keys, base_url, &method, req.path(), req.query(), &headers);
    let status = resp.status();
    let resp_headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let mut bytes = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in &resp_headers {
        bytes.extend_from_slice(name.as_str().as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    let head_only = method == Method::HEAD;
    bytes.extend_from_slice(
        format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    if !head_only {
        bytes.extend_from_slice(&body);
    }
    Answer {
        status: status.as_u16(),
        bytes,
    }
}
