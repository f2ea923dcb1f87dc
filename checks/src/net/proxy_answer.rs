//! A proxy's answer to `CONNECT` when it refuses the tunnel, read as facts: the status,
//! the proxy's own error code, the authentication schemes it asks for, the page's title,
//! and what the refusal means ([`RefusalReason`]).
//!
//! squid names its own diagnosis in every error answer: the `X-Squid-Error` header
//! (`ERR_ACCESS_DENIED 0`, `ERR_CONNECT_FAIL 111`: the code and the error number) and the
//! error page (`<body id=ERR_…>`, `<!-- ERR_… -->`), which survives a middlebox that drops
//! the header. Measured with squid 5.7 (Debian 12) answering `CONNECT`:
//!
//! | situation | answer |
//! |---|---|
//! | no credentials, or wrong ones | `407`, `ERR_CACHE_ACCESS_DENIED 0`, `Proxy-Authenticate: Basic realm=…` |
//! | an `http_access deny` rule | `403`, `ERR_ACCESS_DENIED 0` |
//! | the host's port refuses | `503`, `ERR_CONNECT_FAIL 111` |
//! | the host's name does not resolve at the proxy (NXDOMAIN, SERVFAIL, no DNS answer) | `500`, `ERR_CANNOT_FORWARD 0` |
//!
//! squid's sources also answer `ERR_DNS_FAIL` (503) when the name lookup fails on a path
//! other than 5.7's `CONNECT`; both mean the proxy cannot resolve the name.
//!
//! A proxy that names no code is read from its status. tinyproxy 1.11.1 (Debian 12),
//! measured: `407` without credentials, `401 Unauthorized` for wrong ones, `403 Access
//! violation` (a port its `ConnectPort` rules refuse) and `403 Filtered` (its filter), `500
//! Unable to connect` whether the host refuses or its name does not resolve, all with an
//! HTML page. So for a proxy that names itself in `Server` (squid, tinyproxy) the status
//! decides: `403` a denial, `500`–`504` the upstream. For an unknown one, `502`–`504` are the
//! upstream, `403` with an HTML page is a captive portal, login or block page, `403` without
//! one a denial.

use crate::model::evidence::{RefusalReason, Untrusted};

/// A refusal to `CONNECT`, as the proxy gave it.
#[derive(Debug, Clone)]
pub struct ProxyAnswer {
    /// HTTP status.
    pub status: u16,
    /// Status line (at most 120 characters; the proxy's text).
    pub line: Untrusted,
    /// Whether the answer is an HTML page.
    pub html: bool,
    /// The page's `<title>`, when any (at most 80 characters; the proxy's text).
    pub title: Option<Untrusted>,
    /// The `Server` header (at most 60 characters), e.g. `squid/5.7`.
    pub server: Option<Untrusted>,
    /// The proxy's own error code (`ERR_ACCESS_DENIED`), when it names one.
    pub error_code: Option<String>,
    /// The error number given with the code (squid: `111` = connection refused).
    pub errno: Option<i32>,
    /// The authentication schemes of `Proxy-Authenticate` (`Basic`, `Negotiate`, `NTLM`…).
    pub auth_schemes: Vec<String>,
    /// What the refusal means.
    pub reason: RefusalReason,
}

/// The values of one header of a response head (case-insensitive name).
fn header<'a>(head: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    head.lines().skip(1).filter_map(move |l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// An error code as squid writes it: `ERR_` and upper-case letters, digits, `_`.
fn error_code(word: &str) -> Option<String> {
    let ok = word.starts_with("ERR_")
        && word.len() <= 48
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    ok.then(|| word.to_string())
}

/// squid's code and error number: the `X-Squid-Error` header, else the page's
/// `<body id=ERR_…>` or `<!-- ERR_… -->`.
fn squid_error(head: &str, body: &str) -> Option<(String, Option<i32>)> {
    if let Some(v) = header(head, "x-squid-error").next() {
        let mut words = v.split_whitespace();
        if let Some(code) = words.next().and_then(error_code) {
            return Some((code, words.next().and_then(|n| n.parse().ok())));
        }
    }
    let from = |marker: &str| {
        let i = body.find(marker)? + marker.len();
        let word: String = body[i..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        error_code(&word)
    };
    from("<body id=")
        .or_else(|| from("<!-- "))
        .map(|code| (code, None))
}

/// The proxy products whose error answers were measured (see the module doc): their
/// status is their diagnosis.
const KNOWN_PROXIES: [&str; 2] = ["squid", "tinyproxy"];

/// What a refusal means, from the status, the proxy's code, the page and the product.
fn reason(
    status: u16,
    code: Option<&str>,
    html: bool,
    has_credentials: bool,
    server: Option<&str>,
) -> RefusalReason {
    use RefusalReason::*;
    // 407 is the standard answer; tinyproxy answers wrong credentials with 401.
    if status == 407 || (status == 401 && code.is_none()) {
        return if has_credentials {
            CredentialsRejected
        } else {
            AuthRequired
        };
    }
    let known = server.is_some_and(|s| {
        let product = s.split('/').next().unwrap_or("").to_ascii_lowercase();
        KNOWN_PROXIES.contains(&product.as_str())
    });
    match code {
        Some("ERR_ACCESS_DENIED" | "ERR_CACHE_ACCESS_DENIED" | "ERR_FORWARDING_DENIED") => Denied,
        Some("ERR_DNS_FAIL") => UpstreamUnresolved,
        // squid 5's CONNECT found no address to connect to ("path selection found no
        // paths"): the name does not resolve at the proxy.
        Some("ERR_CANNOT_FORWARD") if status == 500 => UpstreamUnresolved,
        Some(
            "ERR_CONNECT_FAIL"
            | "ERR_CANNOT_FORWARD"
            | "ERR_READ_TIMEOUT"
            | "ERR_LIFETIME_EXP"
            | "ERR_GATEWAY_FAILURE"
            | "ERR_READ_ERROR"
            | "ERR_ZERO_SIZE_OBJECT",
        ) => UpstreamUnreachable,
        Some(_) => Other,
        None if known && status == 403 => Denied,
        None if known && (500..=504).contains(&status) => UpstreamUnreachable,
        None if known => Other,
        None if (502..=504).contains(&status) => UpstreamUnreachable,
        None if html => Page,
        None if status == 403 => Denied,
        None if (502..=504).contains(&status) => UpstreamUnreachable,
        None => Other,
    }
}

impl ProxyAnswer {
    /// Reads a non-2xx answer: its head (status line and headers) and the bounded part of
    /// its body that was read. `has_credentials`: whether `Proxy-Authorization` was sent.
    pub fn read(head: &str, body: &str, has_credentials: bool) -> ProxyAnswer {
        let line = head.lines().next().unwrap_or("").trim();
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let lower = body.to_ascii_lowercase();
        let html = header(head, "content-type").any(|v| v.to_ascii_lowercase().contains("html"))
            || lower.trim_start().starts_with("<!doctype html")
            || lower.contains("<html");
        let title = lower.find("<title>").and_then(|i| {
            let rest = &body[i + 7..];
            rest.find("</")
                .map(|j| Untrusted::capped(rest[..j].trim(), 80))
        });
        let squid = squid_error(head, body);
        let auth_schemes = header(head, "proxy-authenticate")
            .filter_map(|v| v.split_whitespace().next())
            .filter(|s| s.len() <= 20 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .map(str::to_string)
            .collect();
        let code = squid.as_ref().map(|(c, _)| c.as_str());
        let server = header(head, "server").next();
        ProxyAnswer {
            status,
            line: Untrusted::capped(line, 120),
            html,
            title,
            server: server.map(|s| Untrusted::capped(s, 60)),
            reason: reason(status, code, html, has_credentials, server),
            errno: squid.as_ref().and_then(|(_, n)| *n),
            error_code: squid.map(|(c, _)| c),
            auth_schemes,
        }
    }

    /// squid's error number in words, when it is a common one.
    pub fn errno_words(&self) -> Option<&'static str> {
        Some(match self.errno? {
            111 => "connection refused",
            110 => "connection timed out",
            113 => "no route to host",
            101 => "network unreachable",
            104 => "connection reset",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A squid 5.7 answer as recorded (head and the end of its page).
    fn squid(status: &str, code: &str, extra: &str) -> (String, String) {
        let head = format!(
            "HTTP/1.1 {status}\r\nServer: squid/5.7\r\nContent-Type: text/html;charset=utf-8\r\nX-Squid-Error: {code}\r\n{extra}\r\n"
        );
        let id = code.split(' ').next().unwrap();
        let body = format!(
            "<html><head><title>ERROR: The requested URL could not be retrieved</title></head><body id={id}>…<!-- {id} --></body></html>"
        );
        (head, body)
    }

    #[test]
    fn squid_codes_give_the_reason() {
        use RefusalReason::*;
        let basic = "Proxy-Authenticate: Basic realm=\"corp\"\r\n";
        let cases = [
            (
                "407 Proxy Authentication Required",
                "ERR_CACHE_ACCESS_DENIED 0",
                basic,
                false,
                AuthRequired,
            ),
            (
                "407 Proxy Authentication Required",
                "ERR_CACHE_ACCESS_DENIED 0",
                basic,
                true,
                CredentialsRejected,
            ),
            ("403 Forbidden", "ERR_ACCESS_DENIED 0", "", true, Denied),
            (
                "503 Service Unavailable",
                "ERR_CONNECT_FAIL 111",
                "",
                false,
                UpstreamUnreachable,
            ),
            (
                "500 Internal Server Error",
                "ERR_CANNOT_FORWARD 0",
                "",
                false,
                UpstreamUnresolved,
            ),
            (
                "503 Service Unavailable",
                "ERR_DNS_FAIL 0",
                "",
                false,
                UpstreamUnresolved,
            ),
            (
                "503 Service Unavailable",
                "ERR_CANNOT_FORWARD 0",
                "",
                false,
                UpstreamUnreachable,
            ),
            ("400 Bad Request", "ERR_INVALID_URL 0", "", false, Other),
        ];
        for (status, code, extra, creds, want) in cases {
            let (head, body) = squid(status, code, extra);
            let a = ProxyAnswer::read(&head, &body, creds);
            assert_eq!(a.reason, want, "{status} {code} {creds}");
            assert_eq!(a.error_code.as_deref(), code.split(' ').next());
            assert_eq!(a.server.as_deref(), Some("squid/5.7"));
            assert!(a.html);
        }
        let (head, body) = squid(
            "407 Proxy Authentication Required",
            "ERR_CACHE_ACCESS_DENIED 0",
            basic,
        );
        assert_eq!(
            ProxyAnswer::read(&head, &body, false).auth_schemes,
            ["Basic"]
        );
        let (head, body) = squid("503 Service Unavailable", "ERR_CONNECT_FAIL 111", "");
        let a = ProxyAnswer::read(&head, &body, false);
        assert_eq!(
            (a.errno, a.errno_words()),
            (Some(111), Some("connection refused"))
        );
    }

    #[test]
    fn the_page_names_the_code_when_the_header_is_gone() {
        let head = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n";
        for body in [
            "<html><body id=ERR_ACCESS_DENIED><p>Access Denied.</p></body></html>",
            "<html><body><p>Access Denied.</p><!-- ERR_ACCESS_DENIED --></body></html>",
        ] {
            let a = ProxyAnswer::read(head, body, false);
            assert_eq!(a.error_code.as_deref(), Some("ERR_ACCESS_DENIED"), "{body}");
            assert_eq!(a.reason, RefusalReason::Denied);
        }
        // Not a code: a comment or id of another kind.
        let a = ProxyAnswer::read(head, "<html><body id=main><!-- x --></body></html>", false);
        assert_eq!((a.error_code, a.reason), (None, RefusalReason::Page));
    }

    #[test]
    fn tinyproxy_is_read_from_its_status() {
        use RefusalReason::*;
        // Heads recorded from tinyproxy 1.11.1 answering CONNECT.
        let page = "<html><head><title>x</title></head><body><h1>x</h1></body></html>";
        for (line, extra, creds, want) in [
            (
                "HTTP/1.1 500 Unable to connect",
                "",
                true,
                UpstreamUnreachable,
            ),
            ("HTTP/1.1 403 Access violation", "", true, Denied),
            ("HTTP/1.1 403 Filtered", "", true, Denied),
            (
                "HTTP/1.0 407 Proxy Authentication Required",
                "Proxy-Authenticate: Basic realm=\"Tinyproxy\"\r\n",
                false,
                AuthRequired,
            ),
            ("HTTP/1.0 401 Unauthorized", "", true, CredentialsRejected),
        ] {
            let head = format!(
                "{line}\r\nServer: tinyproxy/1.11.1\r\nContent-Type: text/html\r\n{extra}\r\n"
            );
            assert_eq!(ProxyAnswer::read(&head, page, creds).reason, want, "{line}");
        }
        // The same 500 from a proxy that does not name itself says nothing more.
        let head = "HTTP/1.1 500 Unable to connect\r\nContent-Type: text/html\r\n\r\n";
        assert_eq!(ProxyAnswer::read(head, page, true).reason, Page);
    }

    #[test]
    fn without_a_code_the_status_and_page_decide() {
        use RefusalReason::*;
        for (head, body, want) in [
            ("HTTP/1.1 403 Forbidden\r\n\r\n", "", Denied),
            (
                "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n",
                "<html><title>Web Login</title></html>",
                Page,
            ),
            ("HTTP/1.1 502 Bad Gateway\r\n\r\n", "", UpstreamUnreachable),
            (
                "HTTP/1.1 504 Gateway Timeout\r\n\r\n",
                "",
                UpstreamUnreachable,
            ),
            ("HTTP/1.1 400 Bad Request\r\n\r\n", "", Other),
            (
                "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\nProxy-Authenticate: NTLM\r\n\r\n",
                "",
                AuthRequired,
            ),
        ] {
            let a = ProxyAnswer::read(head, body, false);
            assert_eq!(a.reason, want, "{head}");
        }
        let a = ProxyAnswer::read(
            "HTTP/1.1 407 x\r\nProxy-Authenticate: Negotiate\r\nproxy-authenticate: NTLM\r\n\r\n",
            "",
            false,
        );
        assert_eq!(a.auth_schemes, ["Negotiate", "NTLM"]);
    }
}
