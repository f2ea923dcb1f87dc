//! `tls-connection`'s words for the tunnel through a proxy: the answer to HTTP `CONNECT`
//! (read through the proxy's own diagnosis, [`crate::net::proxy_answer`]), the SOCKS5
//! exchange of a `socks5://`/`socks5h://` proxy and the TLS session to an `https://`
//! proxy. Every message names the proxy and the real target (`host:port`); the fixes say
//! what must change, and the diagnosis says who can change it
//! ([`ProxyRefusal::needs_network_team`]). The proxy's credentials are never part of any
//! message.

use super::tls_connection::{
    DNS, DNS_TIMEOUT, PROXY_AUTH_REQUIRED, PROXY_ERROR, PROXY_HTML, PROXY_NOT_HTTP,
    PROXY_REFUSED_TUNNEL, PROXY_TIMEOUT, PROXY_TLS, PROXY_TLS_TIMEOUT, SOCKS_AUTH_FAILED,
    SOCKS_AUTH_REQUIRED, SOCKS_ERROR, SOCKS_FAILED, SOCKS_NOT_SOCKS, SOCKS_TIMEOUT, failure_code,
};
use crate::model::check::Outcome;
use crate::model::code::Code;
use crate::model::evidence::{ProxyRefusal, RefusalReason};
use crate::model::report::{Finding, Severity, Status};
use crate::net::endpoint::Target;
use crate::net::handshake::{Handshake, ProxyTlsError, Stop, TunnelError};
use crate::net::proxy::Proxy;
use crate::net::proxy_answer::ProxyAnswer;
use crate::net::socks::{SocksError, reply_words};
use crate::net::tls::{self, TlsFailure};

/// One connection problem as the check words it: the outcome's summary, then the
/// finding's code, message and fix.
pub(super) type Problem = (String, Code, String, String);

/// The outcome for one connection problem, built once from its [`Problem`]. A warning
/// here is always a timeout: the probe could not finish, so the check's status is Error.
pub(super) fn worded(mut o: Outcome, (summary, code, message, fix): Problem) -> Outcome {
    o.summary = summary;
    if code.severity() == Severity::Warn {
        o.status = Some(Status::Error);
    }
    o.finding(Finding::new(code, message).with_fix(fix))
}

/// The proxy's refusal, for the evidence: from the answer to `CONNECT` or the SOCKS5
/// exchange, when the proxy refused (not when it could not be reached or spoke another
/// protocol).
pub(super) fn refusal(h: &Handshake) -> Option<ProxyRefusal> {
    let p = h.proxy.as_ref()?;
    let mut r = ProxyRefusal {
        proxy: p.authority(),
        target: h.target.authority(),
        reason: RefusalReason::Other,
        status: None,
        socks_reply: None,
        proxy_error: None,
        proxy_errno: None,
        server: None,
    };
    match h.stop.as_ref()? {
        Stop::Tunnel(TunnelError::Status(a)) => {
            r.reason = a.reason;
            r.status = Some(a.status);
            r.proxy_error = a
                .error_code
                .as_deref()
                .map(crate::model::evidence::Untrusted::new);
            r.proxy_errno = a.errno;
            r.server = a.server.clone();
        }
        Stop::Socks(e) => {
            let (reason, reply) = socks_reason(e)?;
            r.reason = reason;
            r.socks_reply = Some(reply);
        }
        _ => return None,
    }
    Some(r)
}

/// What a SOCKS5 refusal means, and its reply code (255: no acceptable method).
fn socks_reason(e: &SocksError) -> Option<(RefusalReason, u8)> {
    Some(match e {
        SocksError::NoAcceptableMethod {
            offered_credentials: false,
        } => (RefusalReason::AuthRequired, 0xff),
        SocksError::NoAcceptableMethod { .. } => (RefusalReason::Other, 0xff),
        SocksError::AuthFailed => (RefusalReason::CredentialsRejected, 0x01),
        SocksError::Reply(0x02) => (RefusalReason::Denied, 0x02),
        SocksError::Reply(c @ (0x03..=0x06)) => (RefusalReason::UpstreamUnreachable, *c),
        SocksError::Reply(c) => (RefusalReason::Other, *c),
        _ => return None,
    })
}

/// The fix for a refusal, by what it means (the same for `CONNECT` and SOCKS5): what must
/// change, not who changes it.
fn refusal_fix(reason: RefusalReason, p: &Proxy, target: &Target, how: &str) -> String {
    let t = target.authority();
    let theirs = reason.needs_network_team(&target.host, target.port);
    match reason {
        RefusalReason::AuthRequired => format!(
            "Put your proxy username and password in the proxy URL ({}://user:password@{}, percent-encoded).",
            p.scheme,
            p.authority()
        ),
        RefusalReason::CredentialsRejected => "Correct the username and password in the proxy URL (percent-encode characters such as @ : / %).".into(),
        RefusalReason::Denied | RefusalReason::Other => {
            format!("The proxy's rules must allow {how} to {t}.")
        }
        RefusalReason::UpstreamUnreachable if theirs => format!(
            "The proxy must be able to reach {t}: a firewall or route beyond the proxy blocks it."
        ),
        RefusalReason::UpstreamUnreachable => "Check the host and port in the base URL: the API is https://api2.saleslayer.com (port 443).".into(),
        RefusalReason::UpstreamUnresolved if theirs => {
            format!("The proxy's DNS must resolve {}.", target.host)
        }
        RefusalReason::UpstreamUnresolved => "Check the spelling of the host in the base URL: the API is https://api2.saleslayer.com.".into(),
        RefusalReason::Page => format!(
            "Open a web page in a browser on this machine to log in to the portal or proxy; if it is a block page, the proxy must allow {t}."
        ),
    }
}

/// A failed `CONNECT`.
pub(super) fn tunnel_failed(
    h: &Handshake,
    p: &Proxy,
    o: Outcome,
    e: &TunnelError,
    timeout: u128,
) -> Outcome {
    let (proxy, target) = (p.authority(), h.target.authority());
    let check = "Check the proxy's host and port in the proxy setting.";
    let (summary, code, message, fix) = match e {
        TunnelError::Timeout => (
            format!("The proxy {proxy} did not answer CONNECT within {timeout} ms"),
            PROXY_TIMEOUT,
            format!(
                "The proxy {proxy} accepted the connection but did not answer `CONNECT {target}` within {timeout} ms"
            ),
            format!("{check} Is it really an HTTP proxy? Raise --timeout on slow links."),
        ),
        TunnelError::Io(e) => (
            format!("The proxy {proxy} closed the connection"),
            PROXY_ERROR,
            format!("The proxy {proxy} failed during `CONNECT {target}`: {e}"),
            check.into(),
        ),
        TunnelError::Garbage => (
            format!("{proxy} does not answer like an HTTP proxy"),
            PROXY_NOT_HTTP,
            format!(
                "{proxy} did not answer `CONNECT {target}` with an HTTP response: it is not an HTTP proxy"
            ),
            check.into(),
        ),
        TunnelError::Status(a) => refused_tunnel(h, p, a),
    };
    worded(o, (summary, code, message, fix))
}

/// The proxy's own diagnosis, for a message: `, squid: ERR_CONNECT_FAIL (connection refused)`.
fn proxy_said(a: &ProxyAnswer) -> String {
    let Some(code) = &a.error_code else {
        return String::new();
    };
    let product = a
        .server
        .as_deref()
        .and_then(|s| s.split('/').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("the proxy");
    match a.errno_words() {
        Some(w) => format!("; {product} says {code}: {w}"),
        None => format!("; {product} says {code}"),
    }
}

/// A non-2xx answer to `CONNECT`, worded from what the proxy said.
fn refused_tunnel(h: &Handshake, p: &Proxy, a: &ProxyAnswer) -> Problem {
    let (proxy, target, host) = (p.authority(), h.target.authority(), &h.target.host);
    let said = format!("{}{}", a.line, proxy_said(a));
    let fix = refusal_fix(a.reason, p, &h.target, "CONNECT");
    let (summary, code, message) = match a.reason {
        RefusalReason::AuthRequired => (
            format!("The proxy {proxy} requires authentication"),
            PROXY_AUTH_REQUIRED,
            format!(
                "The proxy {proxy} requires authentication before it opens a tunnel to {target} ({said}{}), and the proxy URL from {} has no credentials",
                schemes(a),
                p.source.describe()
            ),
        ),
        RefusalReason::CredentialsRejected => (
            format!("The proxy {proxy} rejected the proxy credentials"),
            PROXY_AUTH_REQUIRED,
            format!(
                "The proxy {proxy} rejected the username and password in the proxy URL from {} (not shown), so it opens no tunnel to {target} ({said})",
                p.source.describe()
            ),
        ),
        RefusalReason::Denied => (
            format!("The proxy {proxy} denies the tunnel to {target}"),
            PROXY_REFUSED_TUNNEL,
            format!(
                "The proxy {proxy} refused `CONNECT {target}`: its access rules deny it ({said})"
            ),
        ),
        RefusalReason::UpstreamUnreachable => (
            format!("The proxy {proxy} cannot connect to {target}"),
            PROXY_REFUSED_TUNNEL,
            format!(
                "The proxy {proxy} accepted `CONNECT {target}` but cannot connect to {target} ({said})"
            ),
        ),
        RefusalReason::UpstreamUnresolved => (
            format!("The proxy {proxy} cannot resolve {host}"),
            PROXY_REFUSED_TUNNEL,
            format!(
                "The proxy {proxy} found no address for {host}: the name does not resolve at the proxy ({said})"
            ),
        ),
        RefusalReason::Page => (
            format!("The proxy {proxy} answered CONNECT with a web page"),
            PROXY_HTML,
            format!(
                "The proxy {proxy} answered `CONNECT {target}` with an HTML page ({said}{}): a captive portal, a proxy login page or a block page",
                a.title
                    .as_deref()
                    .map(|t| format!(", title \"{t}\""))
                    .unwrap_or_default()
            ),
        ),
        RefusalReason::Other => (
            format!(
                "The proxy {proxy} refused to tunnel to {target}: {}",
                a.line
            ),
            PROXY_REFUSED_TUNNEL,
            format!("The proxy {proxy} refused `CONNECT {target}` ({said})"),
        ),
    };
    (summary, code, message, fix)
}

/// The authentication schemes a 407 asks for, when the proxy names them.
fn schemes(a: &ProxyAnswer) -> String {
    if a.auth_schemes.is_empty() {
        return String::new();
    }
    let basic = a
        .auth_schemes
        .iter()
        .any(|s| s.eq_ignore_ascii_case("basic"));
    format!(
        "; it asks for {}{}",
        a.auth_schemes.join(", "),
        if basic {
            ""
        } else {
            ", which credentials in a proxy URL do not provide: your client must support it (curl: --proxy-negotiate or --proxy-ntlm)"
        }
    )
}

/// A failed SOCKS5 exchange.
pub(super) fn socks_failed(
    h: &Handshake,
    p: &Proxy,
    o: Outcome,
    e: &SocksError,
    timeout: u128,
) -> Outcome {
    let (proxy, target) = (p.authority(), h.target.authority());
    let check = "Check the proxy's scheme, host and port in the proxy setting.";
    let (summary, code, message, fix) = match e {
        SocksError::Timeout => (
            format!("The SOCKS proxy {proxy} did not finish the exchange within {timeout} ms"),
            SOCKS_TIMEOUT,
            format!(
                "The SOCKS proxy {proxy} accepted the connection but did not complete the SOCKS5 exchange for {target} within {timeout} ms"
            ),
            format!("{check} Is it really a SOCKS5 proxy? Raise --timeout on slow links."),
        ),
        SocksError::Io(e) => (
            format!("The SOCKS proxy {proxy} failed"),
            SOCKS_ERROR,
            format!("The SOCKS proxy {proxy} failed during the SOCKS5 exchange for {target}: {e}"),
            check.into(),
        ),
        SocksError::NotSocks => (
            format!("{proxy} does not answer like a SOCKS5 proxy"),
            SOCKS_NOT_SOCKS,
            format!(
                "{proxy} did not answer the SOCKS5 greeting: it is not a SOCKS5 proxy (an HTTP proxy is given as http://host:port)"
            ),
            check.into(),
        ),
        SocksError::TooLong(what) => (
            format!("The {what} cannot be sent to the SOCKS proxy {proxy}"),
            SOCKS_AUTH_FAILED,
            format!("The {what} is longer than the 255 bytes SOCKS5 can carry"),
            format!("Shorten the {what} in the proxy URL."),
        ),
        refused => socks_refused(h, p, refused),
    };
    worded(o, (summary, code, message, fix))
}

/// The SOCKS proxy's refusal: an authentication method, the credentials, or its reply to
/// the connect request (the reply code in words; the evidence's reason says which kind).
fn socks_refused(h: &Handshake, p: &Proxy, e: &SocksError) -> Problem {
    let (proxy, target) = (p.authority(), h.target.authority());
    let (reason, reply) = socks_reason(e).unwrap_or((RefusalReason::Other, 0));
    let fix = refusal_fix(reason, p, &h.target, "connections");
    let code = match e {
        SocksError::NoAcceptableMethod { .. } => SOCKS_AUTH_REQUIRED,
        SocksError::AuthFailed => SOCKS_AUTH_FAILED,
        _ => SOCKS_FAILED,
    };
    let source = p.source.describe();
    let (summary, message) = match e {
        SocksError::NoAcceptableMethod {
            offered_credentials: false,
        } => (
            format!("The SOCKS proxy {proxy} requires authentication"),
            format!(
                "The SOCKS proxy {proxy} requires authentication, and the proxy URL from {source} has no credentials"
            ),
        ),
        SocksError::NoAcceptableMethod { .. } => (
            format!("The SOCKS proxy {proxy} accepts none of the offered authentication methods"),
            format!(
                "The SOCKS proxy {proxy} accepts neither no authentication nor username/password"
            ),
        ),
        SocksError::AuthFailed => (
            format!("The SOCKS proxy {proxy} rejected the credentials"),
            format!(
                "The SOCKS proxy {proxy} rejected the username and password in the proxy URL from {source} (not shown)"
            ),
        ),
        _ => (
            format!(
                "The SOCKS proxy {proxy} could not reach {target}: {}",
                reply_words(reply)
            ),
            format!(
                "The SOCKS proxy {proxy} could not connect to {target}: {} (SOCKS5 reply {reply}){}",
                reply_words(reply),
                if reply == 0x04 && p.scheme == "socks5h" {
                    format!(
                        "; with socks5h:// the proxy resolves {}, so the name may not resolve there",
                        h.target.host
                    )
                } else {
                    String::new()
                }
            ),
        ),
    };
    (summary, code, message, fix)
}

/// `socks5://` resolves the API host on this machine, and it did not resolve.
pub(super) fn socks_resolve_failed(
    h: &Handshake,
    mut o: Outcome,
    m: Option<&str>,
    timeout: u128,
) -> Outcome {
    let host = &h.target.host;
    let fix = "With socks5:// the API host is resolved on this machine; socks5h://host:port lets the proxy resolve it (see dns-resolution).";
    match m {
        None => {
            o.summary = format!("{host} did not resolve within {timeout} ms");
            o.status = Some(Status::Error);
            o.finding(Finding::new(DNS_TIMEOUT, format!("The system resolver did not resolve {host} within {timeout} ms (socks5:// resolves it here)")).with_fix(fix))
        }
        Some(m) => {
            o.summary = format!("{host} cannot be resolved");
            o.finding(Finding::new(DNS, format!("{host} cannot be resolved on this machine (socks5:// resolves it here): {m}")).with_fix(fix))
        }
    }
}

/// The TLS session to an `https://` proxy failed: the proxy's certificate or TLS, not the
/// API's.
pub(super) fn proxy_tls_failed(p: &Proxy, o: Outcome, e: &ProxyTlsError, timeout: u128) -> Outcome {
    let proxy = p.authority();
    let (summary, code, message, fix) = match e {
        ProxyTlsError::Timeout => (
            format!("No TLS handshake with the proxy {proxy} within {timeout} ms"),
            PROXY_TLS_TIMEOUT,
            format!(
                "The https:// proxy {proxy} accepted the TCP connection but did not complete the TLS handshake within {timeout} ms"
            ),
            "Check that the proxy really speaks TLS on that port (many proxies are http://host:port even for https requests).",
        ),
        ProxyTlsError::BadName => (
            format!("The proxy host {} is not a valid TLS server name", p.host),
            PROXY_TLS,
            format!("The proxy host {} is not a valid TLS server name", p.host),
            "Check the host in the proxy setting.",
        ),
        ProxyTlsError::Failed(io, re) => {
            let (class, why) = match re {
                Some(re) => tls::classify(re),
                None => (TlsFailure::Other, io.to_string()),
            };
            let tls_code = failure_code(class).name;
            let fix = match class {
                TlsFailure::UnknownIssuer => {
                    "The proxy's certificate is not trusted: pass its CA certificate with --ca-cert (and give it to your application), or use http://host:port if the proxy also speaks plain HTTP."
                }
                TlsFailure::NotTls => "The proxy speaks plain HTTP: give it as http://host:port.",
                _ => {
                    "Check the proxy's certificate and TLS set-up with your network administrator."
                }
            };
            (
                format!("The TLS handshake with the https:// proxy {proxy} failed ({tls_code})"),
                PROXY_TLS,
                format!("The https:// proxy {proxy}'s TLS failed ({tls_code}): {why}"),
                fix,
            )
        }
    };
    worded(o, (summary, code, message, fix.into()))
}
