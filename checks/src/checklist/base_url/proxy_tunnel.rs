//! `tls-connection`'s words for the tunnels that are not plain HTTP `CONNECT`: the SOCKS5
//! exchange of a `socks5://`/`socks5h://` proxy and the TLS session to an `https://`
//! proxy. The proxy's credentials are never part of any message.

use super::tls_connection::{
    DNS, DNS_TIMEOUT, PROXY_TLS, PROXY_TLS_TIMEOUT, SOCKS_AUTH_FAILED, SOCKS_AUTH_REQUIRED,
    SOCKS_ERROR, SOCKS_FAILED, SOCKS_NOT_SOCKS, SOCKS_TIMEOUT, failure_code,
};
use crate::model::check::Outcome;
use crate::model::code::Code;
use crate::model::report::{Finding, Severity, Status};
use crate::net::handshake::{Handshake, ProxyTlsError};
use crate::net::proxy::Proxy;
use crate::net::socks::{SocksError, reply_words};
use crate::net::tls::{self, TlsFailure};

const ASK_ADMIN: &str = "Check the proxy address and credentials with your network administrator.";

/// One connection problem as the check words it: the outcome's summary, then the
/// finding's code, message and fix.
pub(super) type Problem = (String, Code, String, &'static str);

/// The outcome for one connection problem, built once from its [`Problem`]. A warning
/// here is always a timeout: the probe could not finish, so the check's status is Error.
pub(super) fn worded(mut o: Outcome, (summary, code, message, fix): Problem) -> Outcome {
    o.summary = summary;
    if code.severity() == Severity::Warn {
        o.status = Some(Status::Error);
    }
    o.finding(Finding::new(code, message).with_fix(fix))
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
    let (summary, code, message, fix) = match e {
        SocksError::Timeout => (
            format!("The SOCKS proxy {proxy} did not finish the exchange within {timeout} ms"),
            SOCKS_TIMEOUT,
            format!(
                "The SOCKS proxy {proxy} accepted the connection but did not complete the SOCKS5 exchange for {target} within {timeout} ms"
            ),
            "Check the proxy address (is it really a SOCKS5 proxy?) with your network administrator; raise --timeout on slow links.",
        ),
        SocksError::Io(e) => (
            format!("The SOCKS proxy {proxy} failed"),
            SOCKS_ERROR,
            format!("The SOCKS proxy {proxy} failed during the SOCKS5 exchange: {e}"),
            ASK_ADMIN,
        ),
        SocksError::NotSocks => (
            format!("{proxy} does not answer like a SOCKS5 proxy"),
            SOCKS_NOT_SOCKS,
            format!(
                "{proxy} did not answer the SOCKS5 greeting: it is not a SOCKS5 proxy (an HTTP proxy is given as http://host:port)"
            ),
            "Check the scheme, host and port in the proxy setting.",
        ),
        SocksError::NoAcceptableMethod {
            offered_credentials,
        } => {
            let said = if *offered_credentials {
                "it accepts neither no authentication nor username/password"
            } else {
                "it requires authentication and the proxy URL has no credentials"
            };
            (
                format!(
                    "The SOCKS proxy {proxy} accepts none of the offered authentication methods"
                ),
                SOCKS_AUTH_REQUIRED,
                format!(
                    "The SOCKS proxy {proxy} refused the authentication methods offered: {said}"
                ),
                "Put the proxy credentials in the proxy URL (socks5h://user:password@host:port, percent-encoded) or ask your network administrator.",
            )
        }
        SocksError::AuthFailed => (
            format!("The SOCKS proxy {proxy} rejected the credentials"),
            SOCKS_AUTH_FAILED,
            format!(
                "The SOCKS proxy {proxy}: authentication failed with the username and password in the proxy URL (not shown)"
            ),
            "Fix the username and password in the proxy URL (percent-encoded) or ask your network administrator.",
        ),
        SocksError::TooLong(what) => (
            format!("The {what} cannot be sent to the SOCKS proxy {proxy}"),
            SOCKS_AUTH_FAILED,
            format!("The {what} is longer than the 255 bytes SOCKS5 can carry"),
            ASK_ADMIN,
        ),
        SocksError::Reply(reply) => {
            let fix = socks_refused(*reply);
            (
                format!(
                    "The SOCKS proxy {proxy} could not reach {target}: {}",
                    reply_words(*reply)
                ),
                SOCKS_FAILED,
                format!(
                    "The SOCKS proxy {proxy} could not connect to {target}: {} (SOCKS5 reply {reply})",
                    reply_words(*reply)
                ),
                fix,
            )
        }
    };
    worded(o, (summary, code, message, fix))
}

/// The fix for the proxy's answer to the connect request, by kind of cause.
fn socks_refused(reply: u8) -> &'static str {
    match reply {
        0x02 => {
            "Ask your network administrator to allow connections to api2.saleslayer.com:443 through the proxy."
        }
        0x03 | 0x04 | 0x06 => {
            "The proxy cannot reach the API host: check the host name in the base URL, and the proxy's network with your administrator."
        }
        0x05 => {
            "Nothing listens on the API port as the proxy sees it: check the base URL's port (https://api2.saleslayer.com is 443)."
        }
        _ => ASK_ADMIN,
    }
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
    worded(o, (summary, code, message, fix))
}
