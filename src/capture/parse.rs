//! Reading one HTTP/1.x request from raw bytes, leniently and within bounds.
//!
//! A strict parser (hyper, httparse) refuses a request whose header value holds a CR,
//! a bare LF or a control character, and the client sees a reset or a bare 400. Capture
//! must diagnose exactly those requests, so it reads the bytes itself:
//!
//! * the head ends at the first empty line (`CR LF CR LF`, or `LF LF` for a client that
//!   uses bare LF line endings); at most [`MAX_HEAD`] bytes are read;
//! * for a request without a body (no `Content-Length`, no chunked encoding), bytes
//!   that arrive right after the head belong to it too: a client that sends a value
//!   ending in CR LF writes `X-API-KEY: key CR LF CR LF CR LF`, and the extra line is the
//!   proof. Lines are split on the request's line ending; a line without a colon, an
//!   empty line in the middle, or a line starting with a space or tab (obs-fold) is
//!   joined to the previous header's value *with the line break*, so the value is
//!   analysed with the bytes the application really put in it;
//! * the body is read up to [`MAX_BODY`] bytes (kept in memory only to look for a key
//!   and to relay it with `--forward`; never stored in the report), more is discarded.
//!
//! The value of a header is the bytes after the colon with one conventional space
//! removed: `X-API-KEY: key` gives `key`, `X-API-KEY:  key` gives ` key`.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use zeroize::Zeroizing;

/// Largest request head read (bytes).
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest body kept (bytes); the rest is read and discarded up to [`MAX_DISCARD`].
pub const MAX_BODY: usize = 1024 * 1024;
/// Largest body read at all; beyond it the connection is answered and closed.
pub const MAX_DISCARD: u64 = 16 * 1024 * 1024;
/// How long to wait for the rest of the head once the first byte arrived.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for stray bytes after the head of a request without a body.
pub const SETTLE: Duration = Duration::from_millis(60);

/// One header line as received.
pub struct RawHeader {
    /// The name as sent (case kept), without spaces before the colon.
    pub name: Vec<u8>,
    /// The value bytes as sent (see the module docs).
    pub value: Zeroizing<Vec<u8>>,
    /// Whitespace between the name and the colon (`X-API-KEY : key`).
    pub space_before_colon: bool,
    /// Lines joined into this value (obs-fold, colon-less or empty lines).
    pub joined_lines: usize,
}

/// The line ending the client used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// CR LF, as HTTP/1.1 requires.
    Crlf,
    /// Bare LF.
    Lf,
}

impl LineEnding {
    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Crlf => b"\r\n",
            LineEnding::Lf => b"\n",
        }
    }
}

/// How the body was framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body.
    None,
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// One request as received.
pub struct RawRequest {
    /// The method token as sent.
    pub method: String,
    /// The request target as sent (may hold a key in its query: redact before showing).
    pub target: Zeroizing<String>,
    /// `HTTP/1.1`, `HTTP/1.0`…
    pub version: String,
    /// The header lines, in order.
    pub headers: Vec<RawHeader>,
    /// The line ending of the head.
    pub line_ending: LineEnding,
    /// The head as received, without its final empty line (for `--forward`).
    pub head: Zeroizing<Vec<u8>>,
    /// The body framing.
    pub framing: Framing,
    /// The body bytes kept (at most [`MAX_BODY`]).
    pub body: Zeroizing<Vec<u8>>,
    /// Total body bytes received.
    pub body_len: u64,
    /// The request line could not be split into method, target and version.
    pub bad_request_line: bool,
    /// The head ended (connection closed or timeout) before its empty line.
    pub incomplete: bool,
    /// The head was larger than [`MAX_HEAD`].
    pub too_large: bool,
}

impl RawRequest {
    /// All headers with this name (case-insensitive).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RawHeader> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// The first header with this name, as lossy text (for non-secret headers only).
    pub fn text(&self, name: &str) -> Option<String> {
        self.all(name)
            .next()
            .map(|h| String::from_utf8_lossy(&h.value).trim().to_string())
    }

    /// The path part of the target.
    pub fn path(&self) -> &str {
        let t = self.target.as_str();
        let t = match t.find("://") {
            Some(i) if !t.starts_with('/') => {
                let rest = &t[i + 3..];
                rest.find('/').map_or("/", |j| &rest[j..])
            }
            _ => t,
        };
        t.split(['?', '#']).next().unwrap_or("")
    }

    /// The query part of the target, if any.
    pub fn query(&self) -> Option<&str> {
        let t = self.target.as_str();
        let q = t.split_once('?')?.1;
        Some(q.split('#').next().unwrap_or(""))
    }
}

/// What came in on a connection.
pub enum Received {
    /// The connection closed (or stayed silent) before any byte.
    Nothing,
    /// The first bytes are a TLS handshake (https to a plain http port).
    TlsHandshake,
    /// A request (possibly malformed).
    Request(Box<RawRequest>),
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Where the head ends: (start of the empty line's terminator, end of head, line ending).
fn head_end(buf: &[u8]) -> Option<(usize, usize, LineEnding)> {
    let crlf = find(buf, b"\r\n\r\n").map(|i| (i, i + 4, LineEnding::Crlf));
    let lf = find(buf, b"\n\n").map(|i| (i, i + 2, LineEnding::Lf));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

async fn read_some<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
    wait: Duration,
) -> Option<usize> {
    let mut chunk = [0u8; 8192];
    match tokio::time::timeout(wait, s.read(&mut chunk)).await {
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            Some(n)
        }
        _ => None,
    }
}

/// Reads one request from `s`. `first_wait` bounds the wait for the first byte.
/// `on_continue` is called when the client asks for `100 Continue` before its body.
pub async fn read_request<S: AsyncRead + Unpin>(
    s: &mut S,
    first_wait: Duration,
    prefix: &[u8],
    mut on_continue: impl AsyncFnMut(&mut S),
) -> Received {
    let mut buf = Zeroizing::new(prefix.to_vec());
    if buf.is_empty() {
        match read_some(s, &mut buf, first_wait).await {
            Some(n) if n > 0 => {}
            _ => return Received::Nothing,
        }
    }
    if buf[0] == 0x16 {
        return Received::TlsHandshake;
    }
    let deadline = tokio::time::Instant::now() + HEAD_TIMEOUT;
    let mut incomplete = false;
    let mut too_large = false;
    let end = loop {
        if let Some(e) = head_end(&buf) {
            // A head that arrived whole in one read is capped all the same.
            if e.0 > MAX_HEAD {
                too_large = true;
                break None;
            }
            break Some(e);
        }
        if buf.len() > MAX_HEAD {
            too_large = true;
            break None;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match read_some(s, &mut buf, left).await {
            Some(n) if n > 0 => {}
            _ => {
                incomplete = true;
                break None;
            }
        }
    };
    let (term, after, ending) = match end {
        Some(e) => e,
        None => {
            let ending = if find(&buf, b"\r\n").is_some() {
                LineEnding::Crlf
            } else {
                LineEnding::Lf
            };
            let n = buf.len().min(MAX_HEAD);
            (n, n, ending)
        }
    };
    let mut req = parse_head(&buf[..term], ending);
    req.incomplete = incomplete;
    req.too_large = too_large;
    if incomplete || too_large {
        return Received::Request(Box::new(req));
    }
    let rest: Zeroizing<Vec<u8>> = Zeroizing::new(buf[after..].to_vec());

    if req.framing == Framing::None {
        let req = with_stray_bytes(s, &buf[..after], rest, req, ending).await;
        return Received::Request(Box::new(req));
    }

    if req
        .text("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        && rest.is_empty()
    {
        on_continue(s).await;
    }
    let (body, total) = read_body(s, &rest, req.framing).await;
    req.body = body;
    req.body_len = total;
    Received::Request(Box::new(req))
}

/// A body-less request: stray bytes after its head (a line break inside a header
/// value written as two lines, say) belong to its head, unless they start a new request.
async fn with_stray_bytes<S: AsyncRead + Unpin>(
    s: &mut S,
    head: &[u8],
    mut rest: Zeroizing<Vec<u8>>,
    req: RawRequest,
    ending: LineEnding,
) -> RawRequest {
    // Stray bytes after the head of a body-less request belong to its head.
    loop {
        if rest.len() > MAX_HEAD {
            break;
        }
        match read_some(s, &mut rest, SETTLE).await {
            Some(n) if n > 0 => {}
            _ => break,
        }
    }
    let starts_new_request = rest
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .is_some_and(|i| rest[i..].starts_with(req.method.as_bytes()));
    if !rest.is_empty() && !starts_new_request {
        let mut whole = Zeroizing::new(head.to_vec());
        whole.extend_from_slice(&rest);
        // Strip the final empty line(s) the client wrote to end its head.
        let mut stop = whole.len();
        while stop > 0 && matches!(whole[stop - 1], b'\r' | b'\n') {
            stop -= 1;
        }
        // Keep the line breaks that are not the client's own final CR LF CR LF.
        let tail = whole.len() - stop;
        let own = ending.bytes().len() * 2;
        let keep = tail.saturating_sub(own);
        let mut again = parse_head(&whole[..stop + keep], ending);
        again.incomplete = false;
        again.too_large = false;
        return again;
    }
    req
}

/// Reads the body as framed (length or chunked), keeping at most `MAX_BODY` bytes and
/// discarding up to `MAX_DISCARD`; returns the kept bytes and the total length read.
async fn read_body<S: AsyncRead + Unpin>(
    s: &mut S,
    rest: &[u8],
    framing: Framing,
) -> (Zeroizing<Vec<u8>>, u64) {
    let deadline = tokio::time::Instant::now() + HEAD_TIMEOUT;
    let mut total = rest.len() as u64;
    let mut body: Zeroizing<Vec<u8>> = Zeroizing::new(rest[..rest.len().min(MAX_BODY)].to_vec());
    loop {
        let done = match framing {
            Framing::Length(n) => total >= n,
            Framing::Chunked => body.ends_with(b"0\r\n\r\n") || body.ends_with(b"0\n\n"),
            Framing::None => true,
        };
        if done || total >= MAX_DISCARD {
            break;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let mut chunk = Zeroizing::new(Vec::new());
        match read_some(s, &mut chunk, left).await {
            Some(n) if n > 0 => {
                total += n as u64;
                let room = MAX_BODY.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..n.min(room)]);
            }
            _ => break,
        }
    }
    (body, total)
}

/// Parses a head (without its final empty line).
pub fn parse_head(head: &[u8], ending: LineEnding) -> RawRequest {
    let sep = ending.bytes();
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    while let Some(i) = find(&head[start..], sep) {
        lines.push(&head[start..start + i]);
        start += i + sep.len();
    }
    lines.push(&head[start..]);
    // Empty lines before the request line are allowed (RFC 9112 §2.2).
    let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let request_line = String::from_utf8_lossy(lines.get(first).copied().unwrap_or(b""));
    let parts: Vec<&str> = request_line.split(' ').collect();
    let (method, target, version, bad) = match parts.as_slice() {
        [m, t, v] if !m.is_empty() && !t.is_empty() && v.starts_with("HTTP/") => {
            (m.to_string(), t.to_string(), v.to_string(), false)
        }
        [m, mid @ .., v] if mid.len() > 1 && v.starts_with("HTTP/") => {
            // Spaces inside the target: an URL that was not percent-encoded.
            (m.to_string(), mid.join(" "), v.to_string(), true)
        }
        [m, t, ..] => (m.to_string(), t.to_string(), String::new(), true),
        [m] => (m.to_string(), String::new(), String::new(), true),
        [] => (String::new(), String::new(), String::new(), true),
    };
    let mut headers: Vec<RawHeader> = Vec::new();
    for line in lines.iter().skip(first + 1) {
        let joins = line.is_empty() || matches!(line[0], b' ' | b'\t') || !line.contains(&b':');
        if joins {
            if let Some(h) = headers.last_mut() {
                h.value.extend_from_slice(sep);
                h.value.extend_from_slice(line);
                h.joined_lines += 1;
            }
            continue;
        }
        let colon = line.iter().position(|b| *b == b':').unwrap_or(line.len());
        let raw_name = &line[..colon];
        let name_end = raw_name
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(0, |i| i + 1);
        let mut value = &line[(colon + 1).min(line.len())..];
        if value.first() == Some(&b' ') {
            value = &value[1..];
        }
        headers.push(RawHeader {
            name: raw_name[..name_end].to_vec(),
            value: Zeroizing::new(value.to_vec()),
            space_before_colon: name_end < raw_name.len(),
            joined_lines: 0,
        });
    }
    let mut req = RawRequest {
        method,
        target: Zeroizing::new(target),
        version,
        headers,
        line_ending: ending,
        head: Zeroizing::new(head.to_vec()),
        framing: Framing::None,
        body: Zeroizing::new(Vec::new()),
        body_len: 0,
        bad_request_line: bad,
        incomplete: false,
        too_large: false,
    };
    let chunked = req
        .text("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    req.framing = if chunked {
        Framing::Chunked
    } else {
        match req
            .text("content-length")
            .and_then(|v| v.parse::<u64>().ok())
        {
            Some(0) | None => Framing::None,
            Some(n) => Framing::Length(n),
        }
    };
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(bytes: &[u8]) -> RawRequest {
        let mut s = bytes;
        match read_request(&mut s, Duration::from_secs(1), b"", async |_| {}).await {
            Received::Request(r) => *r,
            _ => panic!("no request"),
        }
    }

    fn key(r: &RawRequest) -> Vec<u8> {
        r.all("x-api-key").next().unwrap().value.to_vec()
    }

    #[tokio::test]
    async fn values_keep_the_bytes_the_client_sent() {
        let cases: &[(&[u8], &[u8])] = &[
            (
                b"GET /a HTTP/1.1\r\nHost: h\r\nX-API-KEY: abc\r\n\r\n",
                b"abc",
            ),
            (b"GET /a HTTP/1.1\r\nX-API-KEY: abc\r\r\n\r\n", b"abc\r"),
            (b"GET /a HTTP/1.1\r\nX-API-KEY: abc\n\r\n\r\n", b"abc\n"),
            (b"GET /a HTTP/1.1\r\nX-API-KEY: abc\r\n\r\n\r\n", b"abc\r\n"),
            (b"GET /a HTTP/1.1\r\nX-API-KEY:  abc \t\r\n\r\n", b" abc \t"),
            (b"GET /a HTTP/1.1\r\nX-API-KEY:abc\r\n\r\n", b"abc"),
            (b"GET /a HTTP/1.1\nX-API-KEY: abc\n\n", b"abc"),
            (
                b"GET /a HTTP/1.1\r\nX-API-KEY: ab\r\n c\r\n\r\n",
                b"ab\r\n c",
            ),
            (b"GET /a HTTP/1.1\r\nX-API-KEY: a\xe9bc\r\n\r\n", b"a\xe9bc"),
        ];
        for (raw, want) in cases {
            let r = read(raw).await;
            assert_eq!(key(&r), *want, "{raw:?}");
            assert!(!r.bad_request_line);
        }
    }

    #[tokio::test]
    async fn names_paths_and_bodies() {
        let r = read(b"POST /dam/image?$top=1&api_key=x HTTP/1.1\r\nX-API-KEY : k\r\nContent-Length: 5\r\n\r\nhello").await;
        assert_eq!(r.method, "POST");
        assert_eq!(r.path(), "/dam/image");
        assert_eq!(r.query(), Some("$top=1&api_key=x"));
        let h = r.all("x-api-key").next().unwrap();
        assert!(h.space_before_colon);
        assert_eq!(&r.body[..], b"hello");
        let r = read(b"GET http://h:1/catalog/rest/Catalog/$metadata HTTP/1.1\r\n\r\n").await;
        assert_eq!(r.path(), "/catalog/rest/Catalog/$metadata");
        let r = read(b"garbage\r\n\r\n").await;
        assert!(r.bad_request_line);
        let r = read(b"GET / HTTP/1.1\r\nHost: x\r\n").await;
        assert!(r.incomplete);
        let mut big = b"GET / HTTP/1.1\r\nX-Pad: ".to_vec();
        big.extend(vec![b'p'; MAX_HEAD]);
        big.extend_from_slice(b"\r\n\r\n");
        let r = read(&big).await;
        assert!(r.too_large && !r.incomplete);
        assert!(r.head.len() <= MAX_HEAD);
    }
}
