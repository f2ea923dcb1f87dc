//! `tls-connection`: a TCP connection and a TLS handshake with the API host succeed.
//!
//! One explicit, bounded probe ([`crate::net::handshake`]): TCP connect (honouring
//! `--resolve`), through the proxy when one applies (same decision as `proxy-config`:
//! `CONNECT host:port`, over TLS for an `https://` proxy, or SOCKS5), then the TLS
//! handshake with the same trust as the live probe. This check turns the handshake record into the timings, remote address, TLS
//! version, cipher suite, ALPN and the certificate, and on failure the precise cause.

use super::dns_resolution::DnsResolution;
use super::proxy_tunnel::worded;
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::evidence::{Evidence, Untrusted};
use crate::model::report::{Finding, Status};
use crate::net::endpoint::{ConnectError, ms};
use crate::net::handshake::{self, Handshake, Stop};
use crate::net::tls::{self, TlsFailure, TlsSetupError};
use rustls::pki_types::CertificateDer;

// A name that does not resolve is dns-resolution's finding; reporting it twice would
// only add noise.
crate::check! {
    /// The `tls-connection` check.
    TlsConnection: "tls-connection", BaseUrl, "A TCP connection and a TLS handshake with the API host succeed",
    network, after [DnsResolution],
    codes: &[
        DNS_TIMEOUT, DNS, CONNECTION_REFUSED, PROXY_REFUSED, CONNECT_TIMEOUT, CONNECT_FAILED,
        PROXY_TIMEOUT, PROXY_ERROR, PROXY_NOT_HTTP, PROXY_AUTH_REQUIRED, PROXY_HTML,
        PROXY_REFUSED_TUNNEL, PROXY_TLS, PROXY_TLS_TIMEOUT, SOCKS_TIMEOUT, SOCKS_ERROR,
        SOCKS_NOT_SOCKS, SOCKS_AUTH_REQUIRED, SOCKS_AUTH_FAILED, SOCKS_FAILED, CA_CERT_UNREADABLE,
        CA_CERT_EMPTY, CA_CERT_INVALID, NO_CA_CERTIFICATES, TLS_SETUP, INSECURE, TLS_TIMEOUT,
        HANDSHAKE_CLOSED, TLS_ERROR, UNKNOWN_ISSUER, NAME_MISMATCH, EXPIRED, NOT_YET_VALID,
        REVOKED, INVALID_CERTIFICATE, NOT_TLS, TLS_ALERT, TLS_INCOMPATIBLE, NO_CERTIFICATE,
        INSPECTION_PROXY, WOULD_FAIL_VERIFICATION, TLS12,
    ],
}

pub const DNS_TIMEOUT: Code = Code::warn(
    "dns-timeout",
    "The host (or the proxy host) did not resolve within the timeout (inconclusive)",
);
pub const DNS: Code = Code::fail(
    "dns",
    "The host (or the proxy host) cannot be resolved (see dns-resolution)",
);
pub const CONNECTION_REFUSED: Code = Code::fail(
    "connection-refused",
    "The TCP connection to the host was refused: nothing listens on that port",
);
pub const PROXY_REFUSED: Code = Code::fail(
    "proxy-refused",
    "The TCP connection to the proxy was refused",
);
pub const CONNECT_TIMEOUT: Code = Code::warn(
    "connect-timeout",
    "No TCP connection within the timeout: a firewall drops the packets or the network is down (inconclusive)",
);
pub const CONNECT_FAILED: Code = Code::warn(
    "connect-failed",
    "The TCP connection failed for another reason (inconclusive)",
);
pub const PROXY_TIMEOUT: Code = Code::warn(
    "proxy-timeout",
    "The proxy accepted the connection but did not answer CONNECT in time (inconclusive)",
);
pub const PROXY_ERROR: Code =
    Code::fail("proxy-error", "The proxy connection failed during CONNECT");
pub const PROXY_NOT_HTTP: Code = Code::fail(
    "proxy-not-http",
    "The proxy did not answer CONNECT with an HTTP response: it is not an HTTP proxy",
);
pub const PROXY_AUTH_REQUIRED: Code = Code::fail(
    "proxy-auth-required",
    "The proxy requires authentication (407; tinyproxy: 401), or rejected the credentials in the proxy URL (the evidence's proxy-refusal says which)",
);
pub const PROXY_HTML: Code = Code::fail(
    "proxy-html",
    "The proxy answered CONNECT with an HTML page and no proxy error code: a captive portal, login or block page",
);
pub const PROXY_REFUSED_TUNNEL: Code = Code::fail(
    "proxy-refused-tunnel",
    "The proxy refused to tunnel to the target (CONNECT answered with an error status): denied by its rules, it cannot connect to or resolve the host, or another reason (the proxy's own code, e.g. squid's ERR_ACCESS_DENIED, says which)",
);
pub const PROXY_TLS: Code = Code::fail(
    "proxy-tls",
    "The TLS handshake with an https:// proxy failed (its certificate is not trusted, not TLS…)",
);
pub const PROXY_TLS_TIMEOUT: Code = Code::warn(
    "proxy-tls-timeout",
    "The https:// proxy did not complete the TLS handshake within the timeout (inconclusive)",
);
pub const SOCKS_TIMEOUT: Code = Code::warn(
    "socks-timeout",
    "The SOCKS5 proxy did not complete the SOCKS5 exchange within the timeout (inconclusive)",
);
pub const SOCKS_ERROR: Code = Code::fail(
    "socks-error",
    "The SOCKS5 proxy connection failed during the SOCKS5 exchange",
);
pub const SOCKS_NOT_SOCKS: Code = Code::fail(
    "socks-not-socks",
    "The proxy did not answer the SOCKS5 greeting: it is not a SOCKS5 proxy",
);
pub const SOCKS_AUTH_REQUIRED: Code = Code::fail(
    "socks-auth-required",
    "The SOCKS5 proxy accepts none of the offered authentication methods (credentials missing from the proxy URL)",
);
pub const SOCKS_AUTH_FAILED: Code = Code::fail(
    "socks-auth-failed",
    "The SOCKS5 proxy rejected the username and password in the proxy URL",
);
pub const SOCKS_FAILED: Code = Code::fail(
    "socks-failed",
    "The SOCKS5 proxy could not connect to the API: its rules forbid it, the API host is unreachable or refused the connection from the proxy (its reply code in words)",
);
pub const CA_CERT_UNREADABLE: Code =
    Code::fail("ca-cert-unreadable", "The `--ca-cert` file cannot be read");
pub const CA_CERT_EMPTY: Code = Code::fail(
    "ca-cert-empty",
    "The `--ca-cert` file holds no PEM certificate",
);
pub const CA_CERT_INVALID: Code = Code::fail(
    "ca-cert-invalid",
    "The `--ca-cert` file holds a certificate that cannot be used as a root",
);
pub const NO_CA_CERTIFICATES: Code = Code::fail(
    "no-ca-certificates",
    "No CA certificate could be loaded from the system, so no server can be trusted",
);
pub const TLS_SETUP: Code = Code::fail("tls-setup", "The TLS client could not be configured");
pub const INSECURE: Code = Code::warn("insecure", "Certificate verification is off (`--insecure`)");
pub const TLS_TIMEOUT: Code = Code::warn(
    "tls-timeout",
    "The TLS handshake did not complete within the timeout (inconclusive)",
);
pub const HANDSHAKE_CLOSED: Code = Code::fail(
    "handshake-closed",
    "The server closed the connection during the TLS handshake",
);
pub const TLS_ERROR: Code = Code::fail("tls-error", "The TLS handshake failed for another reason");
pub const UNKNOWN_ISSUER: Code = Code::fail(
    "unknown-issuer",
    "The certificate is not issued by a CA this machine trusts (often a TLS-inspecting proxy)",
);
pub const NAME_MISMATCH: Code = Code::fail(
    "name-mismatch",
    "The certificate is not valid for the host name",
);
pub const EXPIRED: Code = Code::fail("expired", "The certificate has expired");
pub const NOT_YET_VALID: Code = Code::fail(
    "not-yet-valid",
    "The certificate is not valid yet (check this machine's clock)",
);
pub const REVOKED: Code = Code::fail("revoked", "The certificate has been revoked");
pub const INVALID_CERTIFICATE: Code = Code::fail(
    "invalid-certificate",
    "The certificate was rejected for another reason",
);
pub const NOT_TLS: Code = Code::fail(
    "not-tls",
    "The server does not speak TLS on that port (plain HTTP or another protocol)",
);
pub const TLS_ALERT: Code = Code::fail(
    "tls-alert",
    "The server aborted the TLS handshake with an alert",
);
pub const TLS_INCOMPATIBLE: Code = Code::fail(
    "tls-incompatible",
    "The server and sl-doctor have no TLS version or cipher suite in common",
);
pub const NO_CERTIFICATE: Code =
    Code::fail("no-certificate", "The server presented no certificate");
pub const INSPECTION_PROXY: Code = Code::warn(
    "inspection-proxy",
    "The certificate chain names a TLS-inspecting proxy product: the connection is intercepted",
);
pub const WOULD_FAIL_VERIFICATION: Code = Code::info(
    "would-fail-verification",
    "With `--insecure`: the handshake would fail certificate verification without it",
);
pub const TLS12: Code = Code::info("tls12", "TLS 1.2 was negotiated (1.3 is preferred)");

/// The code of a TLS handshake failure (also the probes' for a failed client set-up).
pub fn failure_code(f: TlsFailure) -> Code {
    match f {
        TlsFailure::UnknownIssuer => UNKNOWN_ISSUER,
        TlsFailure::NameMismatch => NAME_MISMATCH,
        TlsFailure::Expired => EXPIRED,
        TlsFailure::NotYetValid => NOT_YET_VALID,
        TlsFailure::Revoked => REVOKED,
        TlsFailure::InvalidCertificate => INVALID_CERTIFICATE,
        TlsFailure::NotTls => NOT_TLS,
        TlsFailure::Alert => TLS_ALERT,
        TlsFailure::NoCaCertificates => NO_CA_CERTIFICATES,
        TlsFailure::Incompatible => TLS_INCOMPATIBLE,
        TlsFailure::NoCertificate => NO_CERTIFICATE,
        TlsFailure::Other => TLS_ERROR,
    }
}

/// The finding for a TLS client that cannot be set up (`--ca-cert`, the system store):
/// the same for this check and the probes.
pub fn setup_finding(e: &TlsSetupError) -> Finding {
    let code = match e {
        TlsSetupError::CaCertUnreadable { .. } => CA_CERT_UNREADABLE,
        TlsSetupError::CaCertEmpty { .. } => CA_CERT_EMPTY,
        TlsSetupError::CaCertInvalid { .. } => CA_CERT_INVALID,
        TlsSetupError::NoSystemRoots(_) => NO_CA_CERTIFICATES,
        TlsSetupError::Other(_) => TLS_SETUP,
    };
    Finding::new(code, e.to_string()).with_fix(e.fix())
}

fn cert_details(o: Outcome, chain: &[CertificateDer<'_>]) -> Outcome {
    let Some(leaf) = chain.first().and_then(|c| tls::describe_cert(c)) else {
        return o;
    };
    o.detail(format!("subject: {}", leaf.subject))
        .detail(format!("issuer: {}", leaf.issuer))
        .detail(format!(
            "names: {}",
            if leaf.names.is_empty() {
                "(none)".into()
            } else {
                leaf.names.join(", ")
            }
        ))
        .detail(format!("valid: {} to {}", leaf.not_before, leaf.not_after))
}

/// The inspection product named by any certificate of the chain (subject or issuer).
fn inspection(chain: &[CertificateDer<'_>]) -> Option<(&'static str, Untrusted)> {
    chain
        .iter()
        .filter_map(|c| tls::describe_cert(c))
        .find_map(|s| {
            tls::inspection_product(&s.issuer)
                .map(|p| (p, s.issuer.clone()))
                .or_else(|| tls::inspection_product(&s.subject).map(|p| (p, s.subject.clone())))
        })
}

/// What the connection reached before anything went wrong: proxy, `--resolve`, remote, tcp,
/// `CONNECT`.
fn reach_details(h: &Handshake) -> Outcome {
    let mut o = Outcome::default();
    if let Some(p) = &h.proxy {
        o = o.detail(format!(
            "proxy: {} (from {})",
            p.display(),
            p.source.describe()
        ));
    }
    if let Some(ip) = h.override_ip {
        let (host, port) = match &h.proxy {
            Some(p) => (p.host.clone(), p.port),
            None => (h.target.host.clone(), h.target.port),
        };
        o = o.detail(format!("--resolve: {host}:{port} -> {ip}"));
    }
    if let (Some(remote), Some(tcp)) = (&h.remote, h.tcp) {
        o = o
            .detail(format!(
                "remote: {remote}{}",
                if h.proxy.is_some() {
                    " (the proxy)"
                } else {
                    ""
                }
            ))
            .detail(format!("tcp: {}", ms(tcp)));
    }
    if let Some(t) = h.tunnel {
        let how = match h.proxy.as_ref().map(|p| p.scheme.as_str()) {
            Some("socks5" | "socks5h") => "SOCKS5 CONNECT",
            Some("https") => "TLS + CONNECT",
            _ => "CONNECT",
        };
        o = o.detail(format!("proxy {how} {}: {}", h.target.authority(), ms(t)));
    }
    o
}

/// What to call the first hop in messages: the proxy or the API host.
fn what(h: &Handshake) -> String {
    match &h.proxy {
        Some(p) => format!("the proxy {}", p.authority()),
        None => h.target.authority(),
    }
}

fn first_hop_host(h: &Handshake) -> String {
    match &h.proxy {
        Some(p) => p.host.clone(),
        None => h.target.host.clone(),
    }
}

fn resolve_failed(h: &Handshake, o: Outcome, m: &str) -> Outcome {
    let host = first_hop_host(h);
    worded(
        o,
        (
            format!("{host} cannot be resolved"),
            DNS,
            format!("{host} cannot be resolved: {m}"),
            "See dns-resolution: check the host name in the base URL (https://api2.saleslayer.com) or the proxy setting.".into(),
        ),
    )
}

fn resolve_timeout(h: &Handshake, o: Outcome, timeout: u128) -> Outcome {
    let host = first_hop_host(h);
    worded(
        o,
        (
            format!("{host} did not resolve within {timeout} ms"),
            DNS_TIMEOUT,
            format!("The system resolver did not resolve {host} within {timeout} ms"),
            "See dns-resolution; check the network and /etc/resolv.conf.".into(),
        ),
    )
}

fn connect_failed(h: &Handshake, mut o: Outcome, e: &ConnectError, timeout: u128) -> Outcome {
    let what = what(h);
    let via = h.proxy.is_some();
    let (summary, code, message, fix) = match e {
        ConnectError::Refused(a) => {
            let code = if via {
                PROXY_REFUSED
            } else {
                CONNECTION_REFUSED
            };
            let fix = if via {
                "Check the proxy setting (see proxy-config)."
            } else {
                "Check the port in the base URL (https uses 443; the API is https://api2.saleslayer.com) and that no firewall rejects it."
            };
            let message =
                format!("The connection to {what} ({a}) was refused: nothing listens on that port");
            (format!("Connection to {what} refused"), code, message, fix)
        }
        ConnectError::Timeout(a) => (
            format!("No TCP connection to {what} within {timeout} ms"),
            CONNECT_TIMEOUT,
            format!(
                "The TCP connection to {what}{} did not complete within {timeout} ms: a firewall drops the packets, or the network is down",
                a.map(|a| format!(" ({a})")).unwrap_or_default(),
            ),
            "Check the network, firewalls and whether this machine must use a proxy (HTTPS_PROXY); raise --timeout on slow links.",
        ),
        ConnectError::Other(a, err) => (
            format!("Cannot connect to {what}: {err}"),
            CONNECT_FAILED,
            format!("The connection to {what} ({a}) failed: {err}"),
            "Check the network connection, routes and firewalls.",
        ),
        ConnectError::Resolve(m) => {
            let host = first_hop_host(h);
            o.summary = format!("{host} cannot be resolved");
            return o.finding(Finding::new(DNS, format!("{host} cannot be resolved: {m}")));
        }
        ConnectError::ResolveTimeout => return Outcome::inconclusive("DNS timed out"),
    };
    worded(o, (summary, code, message, fix.into()))
}

/// A handshake that failed with an I/O error that carries no TLS error.
fn handshake_io_failed(h: &Handshake, mut o: Outcome, e: &std::io::Error) -> Outcome {
    let closed = matches!(
        e.kind(),
        std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
    );
    o.summary = format!("TLS handshake with {} failed: {e}", h.target.authority());
    o.finding(
        Finding::new(
            if closed { HANDSHAKE_CLOSED } else { TLS_ERROR },
            format!(
                "{} {} during the TLS handshake: {e}",
                what(h),
                if closed {
                    "closed the connection"
                } else {
                    "failed"
                }
            ),
        )
        .with_fix(TlsFailure::Other.fix()),
    )
}

/// A handshake the TLS layer refused: untrusted, wrong name, expired, not TLS…
fn handshake_refused(h: &Handshake, mut o: Outcome, re: &rustls::Error) -> Outcome {
    let (class, mut message) = tls::classify(re);
    o.summary = match class {
        TlsFailure::UnknownIssuer => {
            "The server's certificate is not trusted (unknown issuer)".to_string()
        }
        TlsFailure::NameMismatch => format!(
            "The server's certificate is not valid for {}",
            h.target.host
        ),
        TlsFailure::Expired => "The server's certificate has expired".into(),
        TlsFailure::NotTls => format!("{} speaks plain HTTP, not TLS", h.target.authority()),
        _ => format!("TLS handshake with {} failed", h.target.authority()),
    };
    let mut fix = class.fix();
    if class == TlsFailure::UnknownIssuer {
        if let Some(leaf) = h.chain.first().and_then(|c| tls::describe_cert(c)) {
            message.push_str(&format!(
                "; issuer: {}{}",
                leaf.issuer,
                if leaf.self_issued() {
                    " (self-signed)"
                } else {
                    ""
                }
            ));
        }
        if let Some((product, name)) = inspection(&h.chain) {
            fix = format!(
                "The certificate comes from {product}, which inspects TLS traffic on your network: ask your IT team for the {product} root CA certificate (PEM), pass it with --ca-cert, and give it to your application's HTTP client too (or add it to the system store / SSL_CERT_FILE)."
            );
            o = o.finding(Finding::new(
                INSPECTION_PROXY,
                format!("The certificate chain names \"{name}\", which looks like {product}, a TLS-inspecting proxy: the connection is intercepted"),
            ));
        }
    }
    o.finding(Finding::new(failure_code(class), message).with_fix(fix))
}

fn insecure_warning() -> Finding {
    Finding::new(
        INSECURE,
        "Certificate verification is OFF (--insecure): anyone on the network path could impersonate the server and read the X-API-KEY",
    )
    .with_fix("Drop --insecure; if the certificate is not trusted, pass the right CA with --ca-cert instead.")
}

/// The outcome of a completed handshake.
fn negotiated(h: &Handshake, mut o: Outcome, n: &handshake::Negotiated) -> Outcome {
    let tls_time = h.tls.unwrap_or_default();
    o.summary = format!(
        "{} with {} (tcp {}, tls {})",
        n.version,
        h.target.authority(),
        ms(h.tcp.unwrap_or_default()),
        ms(tls_time)
    );
    o = o
        .detail(format!("tls: {}", ms(tls_time)))
        .detail(format!("version: {}", n.version))
        .detail(format!("cipher: {}", n.cipher))
        .detail(format!("alpn: {}", n.alpn));
    if let Some((class, msg)) = &h.strict_verdict {
        let code = failure_code(*class).name;
        o = o.finding(Finding::new(
            WOULD_FAIL_VERIFICATION,
            format!("Without --insecure the handshake would fail ({code}): {msg}"),
        ));
    }
    o = cert_details(o, &h.chain);
    if n.version == "TLS 1.2" {
        o = o.finding(Finding::new(
            TLS12,
            "TLS 1.2 was negotiated (1.3 is preferred)",
        ));
    }
    o
}

/// The outcome of a handshake that did not complete.
fn stopped(h: &Handshake, o: Outcome, stop: &Stop, cx: &Context) -> Outcome {
    let timeout = cx.net.timeout.as_millis();
    let mut o = o;
    match stop {
        Stop::ProxyNotTunnelled => {
            let p = h.proxy.as_ref().expect("a proxy was decided");
            o.summary = format!(
                "Not probed: the proxy {} uses {}://, which this check does not tunnel",
                p.display(),
                p.scheme
            );
            o.status = Some(Status::Error);
            o
        }
        Stop::ResolveTimeout => resolve_timeout(h, o, timeout),
        Stop::Resolve(m) => resolve_failed(h, o, m),
        Stop::Connect(e) => connect_failed(h, o, e, timeout),
        Stop::Tunnel(e) => {
            let p = h.proxy.as_ref().expect("a tunnel goes through a proxy");
            super::proxy_tunnel::tunnel_failed(h, p, o, e, timeout)
        }
        Stop::Socks(e) => {
            let p = h.proxy.as_ref().expect("SOCKS goes through a proxy");
            super::proxy_tunnel::socks_failed(h, p, o, e, timeout)
        }
        Stop::SocksResolve(m) => {
            super::proxy_tunnel::socks_resolve_failed(h, o, m.as_deref(), timeout)
        }
        Stop::ProxyTls(e) => {
            let p = h.proxy.as_ref().expect("TLS to a proxy");
            super::proxy_tunnel::proxy_tls_failed(p, o, e, timeout)
        }
        Stop::PlainHttp => {
            o.summary = format!(
                "TCP connection to {} in {} (plain http: no TLS)",
                h.target.authority(),
                ms(h.tcp.unwrap_or_default())
            );
            o.detail("tls: not used (http://)")
        }
        Stop::Setup(e) => {
            o.summary = "The TLS client cannot be set up".into();
            o.finding(setup_finding(e))
        }
        Stop::HandshakeTimeout => {
            o.summary = format!(
                "No TLS handshake with {} within {timeout} ms",
                h.target.authority()
            );
            o.status = Some(Status::Error);
            o.finding(
                Finding::new(
                    TLS_TIMEOUT,
                    format!(
                        "{} accepted the TCP connection but did not complete the TLS handshake within {timeout} ms: a stuck server, a middlebox, or a service that is not TLS",
                        what(h)
                    ),
                )
                .with_fix("Check that the base URL's port serves https (the API is https://api2.saleslayer.com on 443) and that no firewall or proxy holds the connection."),
            )
        }
        Stop::Handshake(e, re) => {
            o = o.detail(format!(
                "tls: failed after {}",
                ms(h.tls.unwrap_or_default())
            ));
            o = cert_details(o, &h.chain);
            match re {
                Some(re) => handshake_refused(h, o, re),
                None => handshake_io_failed(h, o, e),
            }
        }
    }
}

/// The finding code of the stop, for the evidence.
fn stop_code(o: &Outcome) -> Option<String> {
    o.findings
        .iter()
        .rev()
        .find(|f| f.severity != crate::model::report::Severity::Info)
        .map(|f| f.code.clone())
}

impl TlsConnection {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let h = crate::net::shared::handshake_for_check(cx).await?;
        let mut o = reach_details(&h);
        // The --insecure warning comes first, once the TLS client is being set up.
        let tls_tried = h.negotiated.is_some()
            || matches!(h.stop, Some(Stop::HandshakeTimeout | Stop::Handshake(..)));
        if cx.net.insecure && tls_tried {
            o = o.finding(insecure_warning());
        }
        o = match (&h.stop, &h.negotiated) {
            (Some(stop), _) => stopped(&h, o, stop, cx),
            (None, Some(n)) => negotiated(&h, o, n),
            (None, None) => o,
        };
        let mut ev = h.evidence(&cx.net);
        if h.stop.is_some() && !matches!(h.stop, Some(Stop::PlainHttp)) {
            ev.failure = stop_code(&o);
            ev.proxy_refusal = super::proxy_tunnel::refusal(&h);
        }
        Ok(o.with_evidence(Evidence::Tls(ev)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::cx_with_base_url;
    use crate::testing_support::{assert_result, codes, has_detail};
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    };
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    fn find(h: &[u8], needle: &[u8]) -> Option<usize> {
        h.windows(needle.len()).position(|w| w == needle)
    }

    struct Ca {
        issuer: Issuer<'static, KeyPair>,
        pem: String,
    }

    fn ca(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        p.distinguished_name = dn;
        let cert = p.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(p, key),
        }
    }

    fn leaf(
        ca: &Ca,
        names: &[&str],
        expired: bool,
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, names[0]);
        p.distinguished_name = dn;
        if expired {
            p.not_before = rcgen::date_time_ymd(2020, 1, 1);
            p.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let cert = p.signed_by(&key, &ca.issuer).unwrap();
        (
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }

    fn write_tmp(name: &str, text: &str) -> PathBuf {
        let p = crate::testing_support::scratch_dir().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A TLS server on loopback presenting a leaf for `names` signed by `ca`; its port.
    async fn leaf_server(ca: &Ca, names: &[&str], expired: bool) -> u16 {
        let (chain, key) = leaf(ca, names, expired);
        tls_server(chain, key).await
    }

    /// A TLS server on loopback presenting `chain`; returns its port.
    async fn tls_server(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> u16 {
        let mut cfg = rustls::ServerConfig::builder_with_provider(tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        serve(move |s| {
            let a = acceptor.clone();
            async move {
                if let Ok(mut t) = a.accept(s).await {
                    let mut b = [0u8; 64];
                    let _ = t.read(&mut b).await;
                }
            }
        })
        .await
    }

    /// A loopback server that hands each connection to `handle` in a task of its own;
    /// returns its port.
    async fn serve<F, Fut>(handle: F) -> u16
    where
        F: Fn(TcpStream) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                tokio::spawn(handle(s));
            }
        });
        port
    }

    /// A plain-HTTP server's answer to a TLS ClientHello.
    const PLAIN_HTTP_ANSWER: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

    /// A captive portal's answer to `CONNECT`: a login page.
    const PORTAL_PAGE: &[u8] = b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: 60\r\n\r\n<html><head><title>Web Login</title></head><body></body></html>";

    /// Accepts and sends `answer` (if any) to each connection, then holds it open.
    async fn raw_server(answer: Option<&'static [u8]>) -> u16 {
        serve(move |mut s| async move {
            let mut b = [0u8; 1024];
            if let Some(a) = answer {
                let _ = s.read(&mut b).await;
                let _ = s.write_all(a).await;
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        })
        .await
    }

    /// A minimal CONNECT proxy; records the request heads it saw.
    async fn connect_proxy(seen: Arc<std::sync::Mutex<Vec<String>>>) -> u16 {
        serve(move |mut c| {
            let seen = seen.clone();
            async move {
                let mut buf = Vec::new();
                let mut b = [0u8; 1024];
                while find(&buf, b"\r\n\r\n").is_none() {
                    match c.read(&mut b).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&b[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                seen.lock().unwrap().push(head.clone());
                let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let Ok(mut up) = TcpStream::connect(target).await else {
                    let _ = c.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let _ = c
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut c, &mut up).await;
            }
        })
        .await
    }

    /// [`check_against`] a server whose leaf is signed by a test CA the check trusts.
    async fn check_trusted(names: &[&str], expired: bool) -> Outcome {
        let ca = ca("sl-doctor Test CA");
        check_against(&ca, names, expired, Some(&ca.pem)).await
    }

    /// Runs the check against a loopback TLS server presenting a leaf for `names` signed
    /// by `ca`, trusting `trust` (a PEM CA) when given.
    async fn check_against(ca: &Ca, names: &[&str], expired: bool, trust: Option<&str>) -> Outcome {
        let port = leaf_server(ca, names, expired).await;
        TlsConnection
            .run(&cx(&format!("https://localhost:{port}"), trust))
            .await
            .unwrap()
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    fn cx(url: &str, ca_pem: Option<&str>) -> Context {
        let mut cx = cx_with_base_url(url);
        cx.net.timeout = Duration::from_millis(1500);
        if let Some(pem) = ca_pem {
            cx.net.ca_cert = Some(write_tmp(&format!("ca-{}.pem", url.len() + pem.len()), pem));
        }
        cx
    }

    #[test]
    fn trusted_via_ca_cert_passes_with_timings() {
        rt().block_on(async {
            let o = check_trusted(&["localhost", "127.0.0.1"], false).await;
            assert_eq!(o.status(), Status::Pass, "{o:?}");
            assert!(
                o.summary.starts_with("TLS 1.3 with localhost:"),
                "{}",
                o.summary
            );
            for p in [
                "tcp: ",
                "tls: ",
                "version: TLS 1.3",
                "cipher: TLS13_",
                "alpn: h2",
                "remote: 127.0.0.1:",
                "issuer: CN=sl-doctor Test CA",
                "names: localhost, 127.0.0.1",
            ] {
                assert!(has_detail(&o, p), "{p} in {:?}", o.details);
            }
            // The same facts as typed evidence.
            let Some(Evidence::Tls(ev)) = &o.evidence else {
                panic!("tls-connection has TLS evidence: {o:?}");
            };
            assert_eq!(ev.version.as_deref(), Some("TLS 1.3"));
            assert_eq!(ev.alpn.as_deref(), Some("h2"));
            assert!(ev.tcp_ms.is_some() && ev.handshake_ms.is_some());
            let cert = ev.certificate.as_ref().unwrap();
            assert_eq!(cert.issuer, "CN=sl-doctor Test CA");
            assert_eq!(cert.names, ["localhost", "127.0.0.1"]);
            assert_eq!(ev.failure, None);
        });
    }

    #[test]
    fn unknown_issuer_and_inspection_proxy_hint() {
        rt().block_on(async {
            let zs = ca("Zscaler Root CA");
            let o = check_against(&zs, &["localhost"], false, None).await;
            assert_eq!(o.status(), Status::Fail);
            assert_eq!(codes(&o), ["inspection-proxy", "unknown-issuer"]);
            assert!(o.findings[0].message.contains("Zscaler"));
            assert!(o.effective_fix().unwrap().contains("--ca-cert"));

            let plain = ca("Some Private CA");
            let o = check_against(&plain, &["localhost"], false, None).await;
            assert_eq!(codes(&o), ["unknown-issuer"]);
            assert!(o.findings[0].message.contains("issuer: CN=Some Private CA"));
            let Some(Evidence::Tls(ev)) = &o.evidence else {
                panic!("tls-connection has TLS evidence: {o:?}");
            };
            assert_eq!(ev.failure.as_deref(), Some("unknown-issuer"));
            assert_eq!(ev.version, None);
        });
    }

    #[test]
    fn wrong_name_lists_the_presented_names() {
        rt().block_on(async {
            let o = check_trusted(&["other.test"], false).await;
            assert_eq!(codes(&o), ["name-mismatch"]);
            assert!(o.findings[0].message.contains("other.test"));
            insta::with_settings!({filters => vec![
                (r"\d+(\.\d+)? ms", "[N] ms"),
                (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
            ]}, {
                insta::assert_yaml_snapshot!(o);
            });
        });
    }

    #[test]
    fn expired_certificate_gives_the_dates() {
        rt().block_on(async {
            let o = check_trusted(&["localhost"], true).await;
            assert_eq!(codes(&o), ["expired"]);
            assert!(
                o.findings[0].message.contains("2021-01-01"),
                "{}",
                o.findings[0].message
            );
        });
    }

    #[test]
    fn insecure_accepts_but_warns() {
        rt().block_on(async {
            let ca = ca("Untrusted CA");
            let port = leaf_server(&ca, &["localhost"], false).await;
            let mut c = cx(&format!("https://localhost:{port}"), None);
            c.net.insecure = true;
            let o = TlsConnection.run(&c).await.unwrap();
            assert_eq!(o.status(), Status::Warn);
            assert_eq!(codes(&o), ["insecure", "would-fail-verification"]);
        });
    }

    /// A certificate chain of a megabyte is a TLS server that TLS clients refuse (rustls
    /// caps a handshake message at 64 KiB), not a port that speaks plain HTTP.
    #[test]
    fn a_megabyte_certificate_is_not_plain_http() {
        rt().block_on(async {
            let ca = ca("Big CA");
            let (mut chain, key) = leaf(&ca, &["localhost"], false);
            let filler = chain[0].clone();
            while chain.iter().map(|c| c.len()).sum::<usize>() < 1 << 20 {
                chain.push(filler.clone());
            }
            let port = tls_server(chain, key).await;
            let o = TlsConnection
                .run(&cx(&format!("https://localhost:{port}"), Some(&ca.pem)))
                .await
                .unwrap();
            assert_eq!(codes(&o), ["tls-error"], "{}: {:?}", o.summary, o.findings);
            assert!(!o.summary.contains("plain HTTP"), "{}", o.summary);
            let f = &o.findings[0].message;
            assert!(
                f.contains(
                    "speaks TLS, but sent a handshake message larger than TLS clients accept"
                ),
                "{f}"
            );
        });
    }

    #[test]
    fn https_to_plain_http_refused_and_silent() {
        rt().block_on(async {
            let port = raw_server(Some(PLAIN_HTTP_ANSWER)).await;
            let o = TlsConnection
                .run(&cx(&format!("https://127.0.0.1:{port}"), None))
                .await
                .unwrap();
            assert_eq!(codes(&o), ["not-tls"]);
            assert!(o.summary.contains("speaks plain HTTP"));

            let closed = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let o = TlsConnection
                .run(&cx(&format!("https://127.0.0.1:{closed}"), None))
                .await
                .unwrap();
            assert_result(&o, Status::Fail, &["connection-refused"]);

            let silent = raw_server(None).await;
            let mut c = cx(&format!("https://127.0.0.1:{silent}"), None);
            c.net.timeout = Duration::from_millis(400);
            let t = Instant::now();
            let o = TlsConnection.run(&c).await.unwrap();
            assert!(t.elapsed() < Duration::from_secs(2));
            assert_result(&o, Status::Error, &["tls-timeout"]);
        });
    }

    #[test]
    fn handshake_through_connect_proxy_and_no_proxy_bypass() {
        rt().block_on(async {
            let ca = ca("sl-doctor Test CA");
            let port = leaf_server(&ca, &["localhost"], false).await;
            let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
            let pport = connect_proxy(seen.clone()).await;
            let mut c = cx(&format!("https://localhost:{port}"), Some(&ca.pem));
            c.net.proxy_env = vec![(
                "https_proxy".into(),
                format!("http://bob:s3cret@127.0.0.1:{pport}"),
            )];
            let o = TlsConnection.run(&c).await.unwrap();
            assert_eq!(o.status(), Status::Pass, "{o:?}");
            assert!(has_detail(&o, "proxy CONNECT localhost:"));
            assert!(
                o.details
                    .contains(&format!("remote: 127.0.0.1:{pport} (the proxy)"))
            );
            let text = serde_json::to_string(&o).unwrap();
            assert!(!text.contains("bob") && !text.contains("s3cret"));
            let heads = seen.lock().unwrap().clone();
            assert_eq!(heads.len(), 1);
            assert!(heads[0].starts_with(&format!("CONNECT localhost:{port} HTTP/1.1")));
            assert!(heads[0].contains("Proxy-Authorization: Basic "));

            c.net
                .proxy_env
                .push(("NO_PROXY".into(), "localhost".into()));
            let o = TlsConnection.run(&c).await.unwrap();
            assert_eq!(o.status(), Status::Pass);
            assert!(!has_detail(&o, "proxy"), "{:?}", o.details);
            assert_eq!(seen.lock().unwrap().len(), 1);
        });
    }

    #[test]
    fn proxy_html_page_is_a_captive_portal() {
        rt().block_on(async {
            let pport = raw_server(Some(PORTAL_PAGE)).await;
            let mut c = cx("https://api2.saleslayer.com", None);
            c.net.proxy = Some(format!("http://127.0.0.1:{pport}"));
            let o = TlsConnection.run(&c).await.unwrap();
            assert_result(&o, Status::Fail, &["proxy-html"]);
            assert!(o.findings[0].message.contains("Web Login"));
        });
    }

    #[test]
    fn resolve_override_and_plain_http() {
        rt().block_on(async {
            let port = raw_server(None).await;
            let mut c = cx(&format!("http://api2.saleslayer.com:{port}"), None);
            c.net.resolve = vec![(
                "api2.saleslayer.com".into(),
                port,
                "127.0.0.1".parse().unwrap(),
            )];
            let o = TlsConnection.run(&c).await.unwrap();
            assert_eq!(o.status(), Status::Pass, "{o:?}");
            assert!(o.details.contains(&"tls: not used (http://)".to_string()));
            assert!(has_detail(&o, "--resolve: api2.saleslayer.com:"));
            assert!(o.details.contains(&format!("remote: 127.0.0.1:{port}")));
        });
    }

    #[test]
    fn bad_ca_file_is_a_finding() {
        rt().block_on(async {
            let c = cx("https://127.0.0.1:1", Some("not a certificate"));
            let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = closed.local_addr().unwrap().port();
            let mut c2 = c.clone();
            c2.target.base_url = format!("https://127.0.0.1:{port}");
            let o = TlsConnection.run(&c2).await.unwrap();
            drop(closed);
            assert_eq!(codes(&o), ["ca-cert-empty"], "{o:?}");
        });
    }
}
