//! `tls-connection`: a TCP connection and a TLS handshake with the API host succeed.
//!
//! One explicit, bounded probe: TCP connect (honouring `--resolve`), through the proxy
//! with `CONNECT host:port` when one applies (same decision as `proxy-config`), then
//! the TLS handshake with the same trust as the live probe ([`crate::net::tls`]). Reports
//! the timings, remote address, TLS version, cipher suite, ALPN and the certificate,
//! and on failure the precise cause.

use crate::model::check::{CheckError, Outcome};
use crate::model::context::Context;
use crate::model::report::{Finding, Status};
use crate::net::endpoint::{self, ConnectError, Target, ms, remaining};
use crate::net::proxy::{self, Route};
use crate::net::tls::{self, RecordingVerifier};
use http::HeaderValue;
use rustls::pki_types::ServerName;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// A name that does not resolve is dns-resolution's finding; reporting it twice would
// only add noise.
crate::check! {
    /// The `tls-connection` check.
    TlsConnection: "tls-connection", BaseUrl, "A TCP connection and a TLS handshake with the API host succeed", network, after ["dns-resolution"]
}

const MAX_PROXY_ANSWER: usize = 16 * 1024;

/// What went wrong with the CONNECT tunnel.
#[derive(Debug)]
enum TunnelError {
    Timeout,
    Io(std::io::Error),
    Garbage,
    Status {
        code: u16,
        line: String,
        html: bool,
        title: Option<String>,
    },
}

fn find(h: &[u8], needle: &[u8]) -> Option<usize> {
    h.windows(needle.len()).position(|w| w == needle)
}

/// Sends `CONNECT authority` and reads the proxy's answer (bounded).
async fn connect_tunnel(
    s: &mut TcpStream,
    authority: &str,
    auth: Option<&HeaderValue>,
    deadline: Instant,
) -> Result<(), TunnelError> {
    let mut req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
    if let Some(a) = auth {
        req.extend_from_slice(b"Proxy-Authorization: ");
        req.extend_from_slice(a.as_bytes());
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"\r\n");
    let io = async {
        s.write_all(&req).await?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 2048];
        let head_end = loop {
            if let Some(p) = find(&buf, b"\r\n\r\n") {
                break Some(p + 4);
            }
            if buf.len() >= MAX_PROXY_ANSWER {
                break None;
            }
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                break None;
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        Ok::<_, std::io::Error>((buf, head_end))
    };
    let (mut buf, head_end) = match tokio::time::timeout(remaining(deadline), io).await {
        Err(_) => return Err(TunnelError::Timeout),
        Ok(Err(e)) => return Err(TunnelError::Io(e)),
        Ok(Ok(x)) => x,
    };
    let Some(head_end) = head_end else {
        return Err(TunnelError::Garbage);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let line = head.lines().next().unwrap_or("").trim().to_string();
    let mut parts = line.split_whitespace();
    let code = match (
        parts.next(),
        parts.next().and_then(|c| c.parse::<u16>().ok()),
    ) {
        (Some(v), Some(c)) if v.starts_with("HTTP/") => c,
        _ => return Err(TunnelError::Garbage),
    };
    if (200..300).contains(&code) {
        return Ok(());
    }
    let lower = head.to_ascii_lowercase();
    let content_length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    // Read (a bounded part of) the body to recognise an HTML page.
    let want = head_end + content_length.unwrap_or(4096).min(4096);
    let extra = async {
        let mut chunk = [0u8; 2048];
        while buf.len() < want {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(remaining(deadline).min(Duration::from_millis(500)), extra).await;
    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    let body_l = body.to_ascii_lowercase();
    let html = lower.contains("content-type: text/html")
        || body_l.trim_start().starts_with("<!doctype html")
        || body_l.contains("<html");
    let title = body_l.find("<title>").and_then(|i| {
        let rest = &body[i + 7..];
        rest.find("</")
            .map(|j| rest[..j].trim().chars().take(80).collect::<String>())
    });
    Err(TunnelError::Status {
        code,
        line: line.chars().take(120).collect(),
        html,
        title,
    })
}

fn cert_details(o: Outcome, chain: &[rustls::pki_types::CertificateDer<'_>]) -> Outcome {
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
fn inspection(chain: &[rustls::pki_types::CertificateDer<'_>]) -> Option<(&'static str, String)> {
    chain
        .iter()
        .filter_map(|c| tls::describe_cert(c))
        .find_map(|s| {
            tls::inspection_product(&s.issuer)
                .map(|p| (p, s.issuer.clone()))
                .or_else(|| tls::inspection_product(&s.subject).map(|p| (p, s.subject.clone())))
        })
}

fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2".into(),
        other => format!("{other:?}"),
    }
}

impl TlsConnection {
    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let t = Target::from_context(cx)?;
        let timeout = cx.net.timeout;
        let deadline = Instant::now() + timeout;
        let d = proxy::decide(&cx.net, &t);
        let via = match &d.route {
            Route::Proxy(p) => Some(p.clone()),
            Route::Direct(_) => None,
        };
        let mut o = Outcome::default();
        let (host, port) = match &via {
            Some(p) => {
                if !p.is_http() {
                    o.summary = format!(
                        "Not probed: the proxy {} uses {}://, which this check does not tunnel",
                        p.display(),
                        p.scheme
                    );
                    o.status = Some(Status::Error);
                    return Ok(o.detail(format!(
                        "proxy: {} (from {})",
                        p.display(),
                        p.source.describe()
                    )));
                }
                o = o.detail(format!(
                    "proxy: {} (from {})",
                    p.display(),
                    p.source.describe()
                ));
                (p.host.clone(), p.port)
            }
            None => (t.host.clone(), t.port),
        };
        let what = match &via {
            Some(p) => format!("the proxy {}", p.authority()),
            None => t.authority(),
        };

        // Addresses and TCP.
        let (addrs, origin) = match endpoint::addresses(&cx.net, &host, port, deadline).await {
            Ok(x) => x,
            Err(ConnectError::ResolveTimeout) => {
                o.summary = format!("{host} did not resolve within {} ms", timeout.as_millis());
                o.status = Some(Status::Error);
                return Ok(o.finding(
                    Finding::warn(
                        "dns-timeout",
                        format!(
                            "The system resolver did not resolve {host} within {} ms",
                            timeout.as_millis()
                        ),
                    )
                    .with_fix("See dns-resolution; check the network and /etc/resolv.conf."),
                ));
            }
            Err(e) => {
                let m = match e {
                    ConnectError::Resolve(m) => m,
                    _ => "no address".into(),
                };
                o.summary = format!("{host} cannot be resolved");
                return Ok(o.finding(
                    Finding::fail("dns", format!("{host} cannot be resolved: {m}"))
                        .with_fix("See dns-resolution: check the host name in the base URL (https://api2.saleslayer.com) or the proxy setting."),
                ));
            }
        };
        if origin == endpoint::AddrOrigin::Override {
            o = o.detail(format!("--resolve: {host}:{port} -> {}", addrs[0].ip()));
        }
        let t0 = Instant::now();
        let mut stream = match endpoint::connect_any(&addrs, deadline).await {
            Ok(s) => s,
            Err(e) => {
                let proxy_fix = "Check the proxy setting (see proxy-config).";
                return Ok(match e {
                    ConnectError::Refused(a) => {
                        o.summary = format!("Connection to {what} refused");
                        o.finding(
                            Finding::fail(
                                if via.is_some() { "proxy-refused" } else { "connection-refused" },
                                format!("The connection to {what} ({a}) was refused: nothing listens on that port"),
                            )
                            .with_fix(if via.is_some() {
                                proxy_fix
                            } else {
                                "Check the port in the base URL (https uses 443; the API is https://api2.saleslayer.com) and that no firewall rejects it."
                            }),
                        )
                    }
                    ConnectError::Timeout(a) => {
                        o.summary = format!(
                            "No TCP connection to {what} within {} ms",
                            timeout.as_millis()
                        );
                        o.status = Some(Status::Error);
                        o.finding(
                            Finding::warn(
                                "connect-timeout",
                                format!(
                                    "The TCP connection to {what}{} did not complete within {} ms: a firewall drops the packets, or the network is down",
                                    a.map(|a| format!(" ({a})")).unwrap_or_default(),
                                    timeout.as_millis()
                                ),
                            )
                            .with_fix("Check the network, firewalls and whether this machine must use a proxy (HTTPS_PROXY); raise --timeout on slow links."),
                        )
                    }
                    ConnectError::Other(a, err) => {
                        o.summary = format!("Cannot connect to {what}: {err}");
                        o.status = Some(Status::Error);
                        o.finding(
                            Finding::warn(
                                "connect-failed",
                                format!("The connection to {what} ({a}) failed: {err}"),
                            )
                            .with_fix("Check the network connection, routes and firewalls."),
                        )
                    }
                    ConnectError::Resolve(m) => {
                        o.summary = format!("{host} cannot be resolved");
                        o.finding(Finding::fail(
                            "dns",
                            format!("{host} cannot be resolved: {m}"),
                        ))
                    }
                    ConnectError::ResolveTimeout => Outcome::inconclusive("DNS timed out"),
                });
            }
        };
        let tcp = t0.elapsed();
        let remote = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "?".into());
        o = o
            .detail(format!(
                "remote: {remote}{}",
                if via.is_some() { " (the proxy)" } else { "" }
            ))
            .detail(format!("tcp: {}", ms(tcp)));

        if let Some(p) = &via {
            let t1 = Instant::now();
            match connect_tunnel(
                &mut stream,
                &t.authority(),
                p.proxy_authorization(),
                deadline,
            )
            .await
            {
                Ok(()) => {
                    o = o.detail(format!(
                        "proxy CONNECT {}: {}",
                        t.authority(),
                        ms(t1.elapsed())
                    ))
                }
                Err(TunnelError::Timeout) => {
                    o.summary = format!(
                        "The proxy {} did not answer CONNECT within {} ms",
                        p.authority(),
                        timeout.as_millis()
                    );
                    o.status = Some(Status::Error);
                    return Ok(o.finding(
                        Finding::warn("proxy-timeout", format!("The proxy {} accepted the connection but did not answer `CONNECT {}`", p.authority(), t.authority()))
                            .with_fix("Check the proxy address (is it really an HTTP proxy?) with your network administrator."),
                    ));
                }
                Err(TunnelError::Io(e)) => {
                    o.summary = format!("The proxy {} closed the connection", p.authority());
                    return Ok(o.finding(
                        Finding::fail(
                            "proxy-error",
                            format!("The proxy {} failed during CONNECT: {e}", p.authority()),
                        )
                        .with_fix("Check the proxy address with your network administrator."),
                    ));
                }
                Err(TunnelError::Garbage) => {
                    o.summary = format!("{} does not answer like an HTTP proxy", p.authority());
                    return Ok(o.finding(
                        Finding::fail("proxy-not-http", format!("{} did not answer `CONNECT` with an HTTP response: it is not an HTTP proxy", p.authority()))
                            .with_fix("Check the proxy host and port in the proxy setting."),
                    ));
                }
                Err(TunnelError::Status {
                    code,
                    line,
                    html,
                    title,
                }) => {
                    o.summary = format!(
                        "The proxy {} refused to tunnel to {}: {line}",
                        p.authority(),
                        t.authority()
                    );
                    let f = if code == 407 {
                        Finding::fail(
                            "proxy-auth-required",
                            format!(
                                "The proxy {} requires authentication ({line}){}",
                                p.authority(),
                                if p.has_credentials { "; it rejected the credentials in the proxy URL (not shown)" } else { "" }
                            ),
                        )
                        .with_fix("Put the proxy credentials in the proxy URL (http://user:password@host:port, percent-encoded) or ask your network administrator.")
                    } else if html {
                        Finding::fail(
                            "proxy-html",
                            format!(
                                "The proxy {} answered `CONNECT {}` with an HTML page ({line}{}): a captive portal, a proxy login page or a block page",
                                p.authority(),
                                t.authority(),
                                title.map(|t| format!(", title \"{t}\"")).unwrap_or_default()
                            ),
                        )
                        .with_fix("Open any web page in a browser on this machine to log in to the portal or proxy, or ask your network administrator to allow api2.saleslayer.com:443.")
                    } else {
                        Finding::fail(
                            "proxy-refused-tunnel",
                            format!("The proxy {} refused `CONNECT {}`: {line}", p.authority(), t.authority()),
                        )
                        .with_fix("Ask your network administrator to allow CONNECT to api2.saleslayer.com:443.")
                    };
                    return Ok(o.finding(f));
                }
            }
        }

        if !t.is_https() {
            o.summary = format!(
                "TCP connection to {} in {} (plain http: no TLS)",
                t.authority(),
                ms(tcp)
            );
            return Ok(o.detail("tls: not used (http://)"));
        }

        // TLS. Loading the system CA store is blocking file and parsing work: it runs on
        // the blocking pool so the other checks' I/O keeps moving meanwhile.
        let net = cx.net.clone();
        let built = tokio::task::spawn_blocking(move || tls::verifier(&net))
            .await
            .map_err(|e| CheckError::Skip(format!("the TLS set-up task failed: {e}")))?;
        let inner = match built {
            Ok(v) => v,
            Err(e) => {
                o.summary = "The TLS client cannot be set up".into();
                return Ok(o.finding(Finding::fail(e.code(), e.to_string()).with_fix(e.fix())));
            }
        };
        if cx.net.insecure {
            o = o.finding(
                Finding::warn(
                    "insecure",
                    "Certificate verification is OFF (--insecure): anyone on the network path could impersonate the server and read the X-API-KEY",
                )
                .with_fix("Drop --insecure; if the certificate is not trusted, pass the right CA with --ca-cert instead."),
            );
        }
        let rec = Arc::new(RecordingVerifier::new(inner));
        let cfg = tls::config_with_verifier(rec.clone());
        let Ok(sn) = ServerName::try_from(t.host.clone()) else {
            return Err(CheckError::Skip(format!(
                "{} is not a valid TLS server name",
                t.host
            )));
        };
        let t2 = Instant::now();
        let hs = tokio::time::timeout(
            remaining(deadline),
            tokio_rustls::TlsConnector::from(Arc::new(cfg)).connect(sn.clone(), stream),
        )
        .await;
        let tls_time = t2.elapsed();
        let chain = rec.chain();
        match hs {
            Err(_) => {
                o.summary = format!(
                    "No TLS handshake with {} within {} ms",
                    t.authority(),
                    timeout.as_millis()
                );
                o.status = Some(Status::Error);
                Ok(o.finding(
                    Finding::warn(
                        "tls-timeout",
                        format!(
                            "{} accepted the TCP connection but did not complete the TLS handshake within {} ms: a stuck server, a middlebox, or a service that is not TLS",
                            what,
                            timeout.as_millis()
                        ),
                    )
                    .with_fix("Check that the base URL's port serves https (the API is https://api2.saleslayer.com on 443) and that no firewall or proxy holds the connection."),
                ))
            }
            Ok(Err(e)) => {
                o = o.detail(format!("tls: failed after {}", ms(tls_time)));
                o = cert_details(o, &chain);
                let Some(re) = tls::find_rustls_error(&e) else {
                    let closed = matches!(
                        e.kind(),
                        std::io::ErrorKind::UnexpectedEof
                            | std::io::ErrorKind::ConnectionReset
                            | std::io::ErrorKind::ConnectionAborted
                    );
                    o.summary = format!("TLS handshake with {} failed: {e}", t.authority());
                    return Ok(o.finding(
                        Finding::fail(
                            if closed {
                                "handshake-closed"
                            } else {
                                "tls-error"
                            },
                            format!(
                                "{what} {} during the TLS handshake: {e}",
                                if closed {
                                    "closed the connection"
                                } else {
                                    "failed"
                                }
                            ),
                        )
                        .with_fix(tls::fix_for("tls-error")),
                    ));
                };
                let (code, message) = tls::classify(re);
                o.summary = match code {
                    "unknown-issuer" => {
                        "The server's certificate is not trusted (unknown issuer)".to_string()
                    }
                    "name-mismatch" => {
                        format!("The server's certificate is not valid for {}", t.host)
                    }
                    "expired" => "The server's certificate has expired".into(),
                    "not-tls" => format!("{} speaks plain HTTP, not TLS", t.authority()),
                    _ => format!("TLS handshake with {} failed", t.authority()),
                };
                let mut fix = tls::fix_for(code).to_string();
                let mut message = message;
                if code == "unknown-issuer" {
                    if let Some(leaf) = chain.first().and_then(|c| tls::describe_cert(c)) {
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
                    if let Some((product, name)) = inspection(&chain) {
                        fix = format!(
                            "The certificate comes from {product}, which inspects TLS traffic on your network: ask your IT team for the {product} root CA certificate (PEM), pass it with --ca-cert, and give it to your application's HTTP client too (or add it to the system store / SSL_CERT_FILE)."
                        );
                        o = o.finding(Finding::warn(
                            "inspection-proxy",
                            format!("The certificate chain names \"{name}\", which looks like {product}, a TLS-inspecting proxy: the connection is intercepted"),
                        ));
                    }
                }
                Ok(o.finding(Finding::fail(code, message).with_fix(fix)))
            }
            Ok(Ok(s)) => {
                let conn = s.get_ref().1;
                let version = conn
                    .protocol_version()
                    .map(version_name)
                    .unwrap_or_else(|| "?".into());
                let suite = conn
                    .negotiated_cipher_suite()
                    .map(|c| format!("{:?}", c.suite()))
                    .unwrap_or_else(|| "?".into());
                let alpn = conn
                    .alpn_protocol()
                    .map(|a| String::from_utf8_lossy(a).to_string())
                    .unwrap_or_else(|| "none".into());
                let peer: Vec<_> = conn
                    .peer_certificates()
                    .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
                    .unwrap_or(chain);
                o.summary = format!(
                    "{version} with {} (tcp {}, tls {})",
                    t.authority(),
                    ms(tcp),
                    ms(tls_time)
                );
                o = o
                    .detail(format!("tls: {}", ms(tls_time)))
                    .detail(format!("version: {version}"))
                    .detail(format!("cipher: {suite}"))
                    .detail(format!("alpn: {alpn}"));
                if cx.net.insecure {
                    // What verification would have said.
                    let strict = crate::model::context::NetOptions {
                        insecure: false,
                        ..cx.net.clone()
                    };
                    if let (Ok(v), Some((leaf, rest))) =
                        (tls::verifier(&strict), peer.split_first())
                        && let Err(e) = v.verify_server_cert(
                            leaf,
                            rest,
                            &sn,
                            &[],
                            rustls::pki_types::UnixTime::now(),
                        )
                    {
                        let (code, msg) = tls::classify(&e);
                        o = o.finding(Finding::info(
                            "would-fail-verification",
                            format!("Without --insecure the handshake would fail ({code}): {msg}"),
                        ));
                    }
                }
                o = cert_details(o, &peer);
                if version == "TLS 1.2" {
                    o = o.finding(Finding::info(
                        "tls12",
                        "TLS 1.2 was negotiated (1.3 is preferred)",
                    ));
                }
                Ok(o)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::codes;
    use crate::testing::cx_with_base_url;
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    };
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use std::path::PathBuf;

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
        let dir = std::env::temp_dir().join(format!("sl-doctor-tlsconn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
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
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((s, _)) = l.accept().await else { return };
                let a = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(mut t) = a.accept(s).await {
                        let mut b = [0u8; 64];
                        let _ = t.read(&mut b).await;
                    }
                });
            }
        });
        port
    }

    /// Accepts and sends `answer` (if any) to each connection, then holds it open.
    async fn raw_server(answer: Option<&'static [u8]>) -> u16 {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = l.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut b = [0u8; 1024];
                    if let Some(a) = answer {
                        let _ = s.read(&mut b).await;
                        let _ = s.write_all(a).await;
                    }
                    tokio::time::sleep(Duration::from_secs(30)).await;
                });
            }
        });
        port
    }

    /// A minimal CONNECT proxy; records the request heads it saw.
    async fn connect_proxy(seen: Arc<std::sync::Mutex<Vec<String>>>) -> u16 {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((mut c, _)) = l.accept().await else {
                    return;
                };
                let seen = seen.clone();
                tokio::spawn(async move {
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
                });
            }
        });
        port
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
            let ca = ca("sl-doctor Test CA");
            let (chain, key) = leaf(&ca, &["localhost", "127.0.0.1"], false);
            let port = tls_server(chain, key).await;
            let o = TlsConnection
                .run(&cx(&format!("https://localhost:{port}"), Some(&ca.pem)))
                .await
                .unwrap();
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
                assert!(
                    o.details.iter().any(|d| d.starts_with(p)),
                    "{p} in {:?}",
                    o.details
                );
            }
        });
    }

    #[test]
    fn unknown_issuer_and_inspection_proxy_hint() {
        rt().block_on(async {
            let zs = ca("Zscaler Root CA");
            let (chain, key) = leaf(&zs, &["localhost"], false);
            let port = tls_server(chain, key).await;
            let o = TlsConnection
                .run(&cx(&format!("https://localhost:{port}"), None))
                .await
                .unwrap();
            assert_eq!(o.status(), Status::Fail);
            assert_eq!(codes(&o), ["inspection-proxy", "unknown-issuer"]);
            assert!(o.findings[0].message.contains("Zscaler"));
            assert!(o.effective_remediation().unwrap().contains("--ca-cert"));

            let plain = ca("Some Private CA");
            let (chain, key) = leaf(&plain, &["localhost"], false);
            let port = tls_server(chain, key).await;
            let o = TlsConnection
                .run(&cx(&format!("https://localhost:{port}"), None))
                .await
                .unwrap();
            assert_eq!(codes(&o), ["unknown-issuer"]);
            assert!(o.findings[0].message.contains("issuer: CN=Some Private CA"));
        });
    }

    #[test]
    fn wrong_name_lists_the_presented_names() {
        rt().block_on(async {
            let ca = ca("sl-doctor Test CA");
            let (chain, key) = leaf(&ca, &["other.test"], false);
            let port = tls_server(chain, key).await;
            let o = TlsConnection
                .run(&cx(&format!("https://localhost:{port}"), Some(&ca.pem)))
                .await
                .unwrap();
            assert_eq!(codes(&o), ["name-mismatch"]);
            assert!(o.findings[0].message.contains("other.test"));
            let port_s = port.to_string();
            insta::with_settings!({filters => vec![
                (r"\d+(\.\d+)? ms", "[N] ms"),
                (port_s.as_str(), "[PORT]"),
            ]}, {
                insta::assert_yaml_snapshot!(o);
            });
        });
    }

    #[test]
    fn expired_certificate_gives_the_dates() {
        rt().block_on(async {
            let ca = ca("sl-doctor Test CA");
            let (chain, key) = leaf(&ca, &["localhost"], true);
            let port = tls_server(chain, key).await;
            let o = TlsConnection
                .run(&cx(&format!("https://localhost:{port}"), Some(&ca.pem)))
                .await
                .unwrap();
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
            let (chain, key) = leaf(&ca, &["localhost"], false);
            let port = tls_server(chain, key).await;
            let mut c = cx(&format!("https://localhost:{port}"), None);
            c.net.insecure = true;
            let o = TlsConnection.run(&c).await.unwrap();
            assert_eq!(o.status(), Status::Warn);
            assert_eq!(codes(&o), ["insecure", "would-fail-verification"]);
        });
    }

    #[test]
    fn https_to_plain_http_refused_and_silent() {
        rt().block_on(async {
            let port = raw_server(Some(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
            ))
            .await;
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
            assert_eq!(
                (o.status(), codes(&o)),
                (Status::Fail, vec!["connection-refused"])
            );

            let silent = raw_server(None).await;
            let mut c = cx(&format!("https://127.0.0.1:{silent}"), None);
            c.net.timeout = Duration::from_millis(400);
            let t = Instant::now();
            let o = TlsConnection.run(&c).await.unwrap();
            assert!(t.elapsed() < Duration::from_secs(2));
            assert_eq!(
                (o.status(), codes(&o)),
                (Status::Error, vec!["tls-timeout"])
            );
        });
    }

    #[test]
    fn handshake_through_connect_proxy_and_no_proxy_bypass() {
        rt().block_on(async {
            let ca = ca("sl-doctor Test CA");
            let (chain, key) = leaf(&ca, &["localhost"], false);
            let port = tls_server(chain, key).await;
            let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
            let pport = connect_proxy(seen.clone()).await;
            let mut c = cx(&format!("https://localhost:{port}"), Some(&ca.pem));
            c.net.proxy_env = vec![(
                "https_proxy".into(),
                format!("http://bob:s3cret@127.0.0.1:{pport}"),
            )];
            let o = TlsConnection.run(&c).await.unwrap();
            assert_eq!(o.status(), Status::Pass, "{o:?}");
            assert!(
                o.details
                    .iter()
                    .any(|d| d.starts_with("proxy CONNECT localhost:"))
            );
            assert!(
                o.details
                    .iter()
                    .any(|d| d == &format!("remote: 127.0.0.1:{pport} (the proxy)"))
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
            assert!(
                !o.details.iter().any(|d| d.starts_with("proxy")),
                "{:?}",
                o.details
            );
            assert_eq!(seen.lock().unwrap().len(), 1);
        });
    }

    #[test]
    fn proxy_html_page_is_a_captive_portal() {
        rt().block_on(async {
            let pport = raw_server(Some(
                b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: 60\r\n\r\n<html><head><title>Web Login</title></head><body></body></html>",
            ))
            .await;
            let mut c = cx("https://api2.saleslayer.com", None);
            c.net.proxy = Some(format!("http://127.0.0.1:{pport}"));
            let o = TlsConnection.run(&c).await.unwrap();
            assert_eq!((o.status(), codes(&o)), (Status::Fail, vec!["proxy-html"]));
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
            assert!(
                o.details
                    .iter()
                    .any(|d| d.starts_with("--resolve: api2.saleslayer.com:"))
            );
            assert!(
                o.details
                    .iter()
                    .any(|d| d == &format!("remote: 127.0.0.1:{port}"))
            );
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
