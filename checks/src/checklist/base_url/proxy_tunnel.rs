//! `tls-connection`'s words for the tunnels that are not plain HTTP `CONNECT`: the SOCKS5
//! exchange of a `socks5://`/`socks5h://` proxy and the TLS session to an `https://`
//! proxy. The proxy's credentials are never part of any message.

use crate::model::check::Outcome;
use crate::model::report::{Finding, Status};
use crate::net::handshake::{Handshake, ProxyTlsError};
use crate::net::proxy::Proxy;
use crate::net::socks::{SocksError, reply_words};
use crate::net::tls;

const ASK_ADMIN: &str = "Check the proxy address and credentials with your network administrator.";

/// A failed SOCKS5 exchange.
pub(super) fn socks_failed(
    h: &Handshake,
    p: &Proxy,
    mut o: Outcome,
    e: &SocksError,
    timeout: u128,
) -> Outcome {
    let (proxy, target) = (p.authority(), h.target.authority());
    let f = match e {
        SocksError::Timeout => {
            o.summary =
                format!("The SOCKS proxy {proxy} did not finish the exchange within {timeout} ms");
            o.status = Some(Status::Error);
            Finding::warn("socks-timeout", format!("The SOCKS proxy {proxy} accepted the connection but did not complete the SOCKS5 exchange for {target} within {timeout} ms"))
                .with_fix("Check the proxy address (is it really a SOCKS5 proxy?) with your network administrator; raise --timeout on slow links.")
        }
        SocksError::Io(e) => {
            o.summary = format!("The SOCKS proxy {proxy} failed");
            Finding::fail(
                "socks-error",
                format!("The SOCKS proxy {proxy} failed during the SOCKS5 exchange: {e}"),
            )
            .with_fix(ASK_ADMIN)
        }
        SocksError::NotSocks => {
            o.summary = format!("{proxy} does not answer like a SOCKS5 proxy");
            Finding::fail("socks-not-socks", format!("{proxy} did not answer the SOCKS5 greeting: it is not a SOCKS5 proxy (an HTTP proxy is given as http://host:port)"))
                .with_fix("Check the scheme, host and port in the proxy setting.")
        }
        SocksError::NoAcceptableMethod {
            offered_credentials,
        } => {
            o.summary = format!(
                "The SOCKS proxy {proxy} accepts none of the offered authentication methods"
            );
            let said = if *offered_credentials {
                "it accepts neither no authentication nor username/password"
            } else {
                "it requires authentication and the proxy URL has no credentials"
            };
            Finding::fail("socks-auth-required", format!("The SOCKS proxy {proxy} refused the authentication methods offered: {said}"))
                .with_fix("Put the proxy credentials in the proxy URL (socks5h://user:password@host:port, percent-encoded) or ask your network administrator.")
        }
        SocksError::AuthFailed => {
            o.summary = format!("The SOCKS proxy {proxy} rejected the credentials");
            Finding::fail("socks-auth-failed", format!("The SOCKS proxy {proxy}: authentication failed with the username and password in the proxy URL (not shown)"))
                .with_fix("Fix the username and password in the proxy URL (percent-encoded) or ask your network administrator.")
        }
        SocksError::TooLong(what) => {
            o.summary = format!("The {what} cannot be sent to the SOCKS proxy {proxy}");
            Finding::fail(
                "socks-auth-failed",
                format!("The {what} is longer than the 255 bytes SOCKS5 can carry"),
            )
            .with_fix(ASK_ADMIN)
        }
        SocksError::Reply(code) => {
            o.summary = format!(
                "The SOCKS proxy {proxy} could not reach {target}: {}",
                reply_words(*code)
            );
            socks_refused(&proxy, &target, *code)
        }
    };
    o.finding(f)
}

/// The proxy's answer to the connect request, in words, with a code per kind of cause.
fn socks_refused(proxy: &str, target: &str, code: u8) -> Finding {
    let message = format!(
        "The SOCKS proxy {proxy} could not connect to {target}: {} (SOCKS5 reply {code})",
        reply_words(code)
    );
    match code {
        0x02 => Finding::fail("socks-not-allowed", message)
            .with_fix("Ask your network administrator to allow connections to api2.saleslayer.com:443 through the proxy."),
        0x03 | 0x04 | 0x06 => Finding::fail("socks-unreachable", message)
            .with_fix("The proxy cannot reach the API host: check the host name in the base URL, and the proxy's network with your administrator."),
        0x05 => Finding::fail("socks-connection-refused", message)
            .with_fix("Nothing listens on the API port as the proxy sees it: check the base URL's port (https://api2.saleslayer.com is 443)."),
        _ => Finding::fail("socks-failed", message).with_fix(ASK_ADMIN),
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
            o.finding(Finding::warn("dns-timeout", format!("The system resolver did not resolve {host} within {timeout} ms (socks5:// resolves it here)")).with_fix(fix))
        }
        Some(m) => {
            o.summary = format!("{host} cannot be resolved");
            o.finding(Finding::fail("dns", format!("{host} cannot be resolved on this machine (socks5:// resolves it here): {m}")).with_fix(fix))
        }
    }
}

/// The TLS session to an `https://` proxy failed: the proxy's certificate or TLS, not the
/// API's.
pub(super) fn proxy_tls_failed(
    p: &Proxy,
    mut o: Outcome,
    e: &ProxyTlsError,
    timeout: u128,
) -> Outcome {
    let proxy = p.authority();
    let f = match e {
        ProxyTlsError::Timeout => {
            o.summary = format!("No TLS handshake with the proxy {proxy} within {timeout} ms");
            o.status = Some(Status::Error);
            Finding::warn("proxy-tls-timeout", format!("The https:// proxy {proxy} accepted the TCP connection but did not complete the TLS handshake within {timeout} ms"))
                .with_fix("Check that the proxy really speaks TLS on that port (many proxies are http://host:port even for https requests).")
        }
        ProxyTlsError::BadName => {
            o.summary = format!("The proxy host {} is not a valid TLS server name", p.host);
            Finding::fail(
                "proxy-tls",
                format!("The proxy host {} is not a valid TLS server name", p.host),
            )
            .with_fix("Check the host in the proxy setting.")
        }
        ProxyTlsError::Failed(io, re) => {
            let (code, why) = match re {
                Some(re) => tls::classify(re),
                None => ("tls-error", io.to_string()),
            };
            o.summary =
                format!("The TLS handshake with the https:// proxy {proxy} failed ({code})");
            let fix = match code {
                "unknown-issuer" => {
                    "The proxy's certificate is not trusted: pass its CA certificate with --ca-cert (and give it to your application), or use http://host:port if the proxy also speaks plain HTTP."
                }
                "not-tls" => "The proxy speaks plain HTTP: give it as http://host:port.",
                _ => {
                    "Check the proxy's certificate and TLS set-up with your network administrator."
                }
            };
            Finding::fail(
                "proxy-tls",
                format!("The https:// proxy {proxy}'s TLS failed ({code}): {why}"),
            )
            .with_fix(fix)
        }
    };
    o.finding(f)
}
