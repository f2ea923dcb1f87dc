//! The connection engine behind `tls-connection`: TCP connect (honouring `--resolve`),
//! through the proxy with `CONNECT host:port` when one applies (the same decision as
//! `proxy-config`; TLS to the proxy first for an `https://` proxy, the SOCKS5 exchange of
//! [`crate::net::socks`] instead of `CONNECT` for `socks5://`/`socks5h://`), then the TLS
//! handshake with the same trust as the live probe ([`crate::net::tls`]). It returns a [`Handshake`] record: what was reached, how long
//! each step took, what was negotiated and where it stopped. The check words findings.

use crate::context::{Context, NetOptions};
use crate::model::check::Skipped;
use crate::model::evidence::{CertificateFacts, TlsEvidence};
use crate::net::endpoint::{self, ConnectError, Target, remaining};
use crate::net::proxy::{self, Proxy, Route};
use crate::net::proxy_answer::ProxyAnswer;
use crate::net::socks::{self, Dest, SocksError};
use crate::net::tls::{self, RecordingVerifier, TlsSetupError};
use http::HeaderValue;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// A byte stream a TLS session runs over: TCP, or a tunnel through a proxy.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The first hop's stream, whatever carries it.
pub type BoxIo = Box<dyn Io>;

/// An established TLS session with the API host, ready for HTTP.
pub type TlsStream = tokio_rustls::client::TlsStream<BoxIo>;

const MAX_PROXY_ANSWER: usize = 16 * 1024;

/// What went wrong with the CONNECT tunnel.
#[derive(Debug)]
pub enum TunnelError {
    /// No answer to `CONNECT` in time.
    Timeout,
    /// The connection failed during `CONNECT`.
    Io(std::io::Error),
    /// The answer is not HTTP: not an HTTP proxy.
    Garbage,
    /// A non-2xx answer: the proxy's refusal, as it gave it.
    Status(Box<ProxyAnswer>),
}

fn find(h: &[u8], needle: &[u8]) -> Option<usize> {
    h.windows(needle.len()).position(|w| w == needle)
}

/// Reads from `s` into `buf` until the head ends (`\r\n\r\n`): the head's length, or
/// `None` when the stream ends or the head grows past [`MAX_PROXY_ANSWER`].
async fn read_head<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<usize>> {
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(p) = find(buf, b"\r\n\r\n") {
            return Ok(Some(p + 4));
        }
        if buf.len() >= MAX_PROXY_ANSWER {
            return Ok(None);
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Sends `CONNECT authority` and reads the proxy's answer (bounded).
pub async fn connect_tunnel<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
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
    let mut buf = Vec::new();
    let io = async {
        s.write_all(&req).await?;
        read_head(s, &mut buf).await
    };
    let head_end = match tokio::time::timeout(remaining(deadline), io).await {
        Err(_) => return Err(TunnelError::Timeout),
        Ok(Err(e)) => return Err(TunnelError::Io(e)),
        Ok(Ok(None)) => return Err(TunnelError::Garbage),
        Ok(Ok(Some(end))) => end,
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
    let content_length = head
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| l.strip_prefix("content-length:").map(str::to_string))
        .and_then(|v| v.trim().parse::<usize>().ok());
    // Read (a bounded part of) the body: the page names the proxy's diagnosis.
    let want = head_end
        + content_length
            .unwrap_or(MAX_PROXY_ANSWER)
            .min(MAX_PROXY_ANSWER);
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
    let body = String::from_utf8_lossy(&buf[head_end..]);
    Err(TunnelError::Status(Box::new(ProxyAnswer::read(
        &head,
        &body,
        auth.is_some(),
    ))))
}

/// What was negotiated.
#[derive(Debug, Clone)]
pub struct Negotiated {
    /// e.g. `TLS 1.3`.
    pub version: String,
    /// Cipher suite name.
    pub cipher: String,
    /// ALPN protocol, or `none`.
    pub alpn: String,
}

/// What went wrong with the TLS session to an `https://` proxy.
#[derive(Debug)]
pub enum ProxyTlsError {
    /// No handshake with the proxy in time.
    Timeout,
    /// The proxy's host is not a valid TLS server name.
    BadName,
    /// The handshake failed: the I/O error and, when it is one, the TLS error in it.
    Failed(std::io::Error, Option<rustls::Error>),
}

/// Where the connection stopped.
#[derive(Debug)]
pub enum Stop {
    /// The proxy's scheme is one the engine does not tunnel (e.g. socks4); nothing was tried.
    ProxyNotTunnelled,
    /// The TLS session to an `https://` proxy failed.
    ProxyTls(ProxyTlsError),
    /// The SOCKS5 exchange failed.
    Socks(SocksError),
    /// `socks5://` resolves the API host here, and it did not resolve (`None`: in time).
    SocksResolve(Option<String>),
    /// The host did not resolve in time.
    ResolveTimeout,
    /// The host does not resolve.
    Resolve(String),
    /// The TCP connection failed.
    Connect(ConnectError),
    /// The proxy refused or failed `CONNECT`.
    Tunnel(TunnelError),
    /// Plain http: TCP worked, TLS is not used.
    PlainHttp,
    /// The TLS client could not be set up (CA file…).
    Setup(TlsSetupError),
    /// No handshake in time.
    HandshakeTimeout,
    /// The handshake failed: the I/O error and, when it is one, the TLS error in it.
    Handshake(std::io::Error, Option<rustls::Error>),
}

/// Everything one connection attempt established.
pub struct Handshake {
    /// The API host and port.
    pub target: Target,
    /// The proxy tunnelled through.
    pub proxy: Option<Proxy>,
    /// The address `--resolve` gave, when it applied.
    pub override_ip: Option<IpAddr>,
    /// The peer address.
    pub remote: Option<String>,
    /// TCP connect time.
    pub tcp: Option<Duration>,
    /// `CONNECT` time.
    pub tunnel: Option<Duration>,
    /// Handshake time (to the end or to the failure).
    pub tls: Option<Duration>,
    /// The certificates the server presented.
    pub chain: Vec<CertificateDer<'static>>,
    /// What was negotiated, on success.
    pub negotiated: Option<Negotiated>,
    /// With `--insecure`: what verification would have said (code, message).
    pub strict_verdict: Option<(tls::TlsFailure, String)>,
    /// Where it stopped, when it did.
    pub stop: Option<Stop>,
}

fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2".into(),
        other => format!("{other:?}"),
    }
}

impl Handshake {
    fn stop(mut self, why: Stop) -> Handshake {
        self.stop = Some(why);
        self
    }

    /// The host and port the TCP connection goes to: the proxy's or the API's.
    fn first_hop(&self) -> (String, u16) {
        match &self.proxy {
            Some(p) => (p.host.clone(), p.port),
            None => (self.target.host.clone(), self.target.port),
        }
    }

    /// What the TCP connection to the first hop (the proxy, or the API host) did: its time
    /// and peer, or why it failed; `None` when it was not tried.
    pub fn first_hop_result(&self) -> Option<Result<(Duration, String), ConnectError>> {
        if let (Some(tcp), Some(remote)) = (self.tcp, &self.remote) {
            return Some(Ok((tcp, remote.clone())));
        }
        match self.stop.as_ref()? {
            Stop::Resolve(m) => Some(Err(ConnectError::Resolve(m.clone()))),
            Stop::ResolveTimeout => Some(Err(ConnectError::ResolveTimeout)),
            Stop::Connect(e) => Some(Err(e.clone())),
            _ => None,
        }
    }

    /// The record as report evidence.
    pub fn evidence(&self, net: &NetOptions) -> TlsEvidence {
        let ms = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
        let leaf = self.chain.first().and_then(|c| tls::describe_cert(c));
        TlsEvidence {
            target: self.target.authority(),
            proxy: self.proxy.as_ref().map(Proxy::authority),
            remote: self.remote.clone(),
            tcp_ms: ms(self.tcp),
            connect_tunnel_ms: ms(self.tunnel),
            handshake_ms: ms(self.tls),
            version: self.negotiated.as_ref().map(|n| n.version.clone()),
            cipher: self.negotiated.as_ref().map(|n| n.cipher.clone()),
            alpn: self.negotiated.as_ref().map(|n| n.alpn.clone()),
            certificate: leaf.map(|l| CertificateFacts {
                subject: l.subject,
                issuer: l.issuer,
                names: l.names,
                not_before: l.not_before,
                not_after: l.not_after,
            }),
            insecure: net.insecure,
            failure: None,
            proxy_refusal: None,
        }
    }
}

/// TCP to the first hop (the proxy or the API), then `CONNECT` through the proxy.
async fn reach(cx: &Context, mut h: Handshake, deadline: Instant) -> (Handshake, Option<BoxIo>) {
    let (host, port) = h.first_hop();
    let (addrs, origin) = match endpoint::addresses(&cx.net, &host, port, deadline).await {
        Ok(x) => x,
        Err(ConnectError::ResolveTimeout) => return (h.stop(Stop::ResolveTimeout), None),
        Err(ConnectError::Resolve(m)) => return (h.stop(Stop::Resolve(m)), None),
        Err(_) => return (h.stop(Stop::Resolve("no address".into())), None),
    };
    if origin == endpoint::AddrOrigin::Override {
        h.override_ip = Some(addrs[0].ip());
    }
    let t0 = Instant::now();
    let stream = match endpoint::connect_any(&addrs, deadline).await {
        Ok(s) => s,
        Err(e) => return (h.stop(Stop::Connect(e)), None),
    };
    h.tcp = Some(t0.elapsed());
    h.remote = Some(
        stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "?".into()),
    );
    let Some(p) = h.proxy.clone() else {
        return (h, Some(Box::new(stream)));
    };
    let t1 = Instant::now();
    match through_proxy(cx, &h.target, &p, stream, deadline).await {
        Ok(io) => {
            h.tunnel = Some(t1.elapsed());
            (h, Some(io))
        }
        Err(stop) => (h.stop(stop), None),
    }
}

/// The tunnel through the proxy over its TCP connection: TLS to an `https://` proxy, then
/// SOCKS5 or `CONNECT`.
async fn through_proxy(
    cx: &Context,
    target: &Target,
    p: &Proxy,
    stream: TcpStream,
    deadline: Instant,
) -> Result<BoxIo, Stop> {
    let mut io: BoxIo = if p.scheme == "https" {
        Box::new(proxy_tls(cx, p, stream, deadline).await?)
    } else {
        Box::new(stream)
    };
    if p.is_socks5() {
        let dest = socks_dest(cx, target, p.scheme == "socks5h", deadline).await?;
        socks::connect(&mut io, &dest, target.port, p.socks_credentials(), deadline)
            .await
            .map_err(Stop::Socks)?;
    } else {
        connect_tunnel(
            &mut io,
            &target.authority(),
            p.proxy_authorization(),
            deadline,
        )
        .await
        .map_err(Stop::Tunnel)?;
    }
    Ok(io)
}

/// What the SOCKS proxy is asked to reach: the host name for `socks5h://`, an address
/// resolved here (honouring `--resolve`) for `socks5://`, as curl and reqwest do.
async fn socks_dest(
    cx: &Context,
    target: &Target,
    remote_dns: bool,
    deadline: Instant,
) -> Result<Dest, Stop> {
    if let Ok(ip) = target.host.parse::<IpAddr>() {
        return Ok(Dest::Ip(ip));
    }
    if remote_dns {
        return Ok(Dest::Domain(target.host.clone()));
    }
    match endpoint::addresses(&cx.net, &target.host, target.port, deadline).await {
        Ok((addrs, _)) => Ok(Dest::Ip(addrs[0].ip())),
        Err(ConnectError::ResolveTimeout) => Err(Stop::SocksResolve(None)),
        Err(ConnectError::Resolve(m)) => Err(Stop::SocksResolve(Some(m))),
        Err(_) => Err(Stop::SocksResolve(Some("no address".into()))),
    }
}

/// TLS to an `https://` proxy, with the same trust as the API host (system roots plus
/// `--ca-cert`, or none with `--insecure`, as reqwest's proxy connection has) and only
/// HTTP/1.1 offered, since `CONNECT` follows.
async fn proxy_tls(
    cx: &Context,
    p: &Proxy,
    stream: TcpStream,
    deadline: Instant,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Stop> {
    let net = cx.net.clone();
    let verifier = match tokio::task::spawn_blocking(move || tls::verifier(&net)).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return Err(Stop::Setup(e)),
        Err(e) => {
            let e = std::io::Error::other(format!("the TLS set-up task failed: {e}"));
            return Err(Stop::ProxyTls(ProxyTlsError::Failed(e, None)));
        }
    };
    let mut cfg = tls::config_with_verifier(verifier);
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    let sn =
        ServerName::try_from(p.host.clone()).map_err(|_| Stop::ProxyTls(ProxyTlsError::BadName))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    match tokio::time::timeout(remaining(deadline), connector.connect(sn, stream)).await {
        Err(_) => Err(Stop::ProxyTls(ProxyTlsError::Timeout)),
        Ok(Err(e)) => {
            let re = tls::find_rustls_error(&e).cloned();
            Err(Stop::ProxyTls(ProxyTlsError::Failed(e, re)))
        }
        Ok(Ok(s)) => Ok(s),
    }
}

/// With `--insecure`: what verification would have said about the presented chain.
fn strict_verdict(
    net: &NetOptions,
    sn: &ServerName<'static>,
    peer: &[CertificateDer<'static>],
) -> Option<(tls::TlsFailure, String)> {
    let strict = NetOptions {
        insecure: false,
        ..net.clone()
    };
    let v = tls::verifier(&strict).ok()?;
    let (leaf, rest) = peer.split_first()?;
    let e = v
        .verify_server_cert(leaf, rest, sn, &[], rustls::pki_types::UnixTime::now())
        .err()?;
    Some(tls::classify(&e))
}

/// The TLS handshake over an established stream.
async fn handshake(
    cx: &Context,
    mut h: Handshake,
    stream: BoxIo,
    deadline: Instant,
) -> Result<(Handshake, Option<TlsStream>), Skipped> {
    // Loading the system CA store is blocking file and parsing work: it runs on the
    // blocking pool so the other checks' I/O keeps moving meanwhile.
    let net = cx.net.clone();
    let built = tokio::task::spawn_blocking(move || tls::verifier(&net))
        .await
        .map_err(|e| Skipped(format!("the TLS set-up task failed: {e}")))?;
    let inner = match built {
        Ok(v) => v,
        Err(e) => return Ok((h.stop(Stop::Setup(e)), None)),
    };
    let rec = Arc::new(RecordingVerifier::new(inner));
    let cfg = tls::config_with_verifier(rec.clone());
    let Ok(sn) = ServerName::try_from(h.target.host.clone()) else {
        return Err(Skipped(format!(
            "{} is not a valid TLS server name",
            h.target.host
        )));
    };
    let t2 = Instant::now();
    let hs = tokio::time::timeout(
        remaining(deadline),
        tokio_rustls::TlsConnector::from(Arc::new(cfg)).connect(sn.clone(), stream),
    )
    .await;
    h.tls = Some(t2.elapsed());
    h.chain = rec.chain();
    let s = match hs {
        Err(_) => return Ok((h.stop(Stop::HandshakeTimeout), None)),
        Ok(Err(e)) => {
            let re = tls::find_rustls_error(&e).cloned();
            return Ok((h.stop(Stop::Handshake(e, re)), None));
        }
        Ok(Ok(s)) => s,
    };
    let conn = s.get_ref().1;
    h.negotiated = Some(Negotiated {
        version: conn
            .protocol_version()
            .map(version_name)
            .unwrap_or_else(|| "?".into()),
        cipher: conn
            .negotiated_cipher_suite()
            .map(|c| format!("{:?}", c.suite()))
            .unwrap_or_else(|| "?".into()),
        alpn: conn
            .alpn_protocol()
            .map(|a| String::from_utf8_lossy(a).to_string())
            .unwrap_or_else(|| "none".into()),
    });
    if let Some(peer) = conn.peer_certificates() {
        h.chain = peer.iter().map(|d| d.clone().into_owned()).collect();
    }
    if cx.net.insecure {
        h.strict_verdict = strict_verdict(&cx.net, &sn, &h.chain);
    }
    Ok((h, Some(s)))
}

/// Connects to the API host (through the proxy that applies) and shakes hands, within
/// `--timeout` in all.
pub async fn connect(cx: &Context) -> Result<Handshake, Skipped> {
    Ok(connect_stream(cx).await?.0)
}

/// [`connect`], keeping the established TLS session (when there is one) for HTTP.
pub async fn connect_stream(cx: &Context) -> Result<(Handshake, Option<TlsStream>), Skipped> {
    let target = Target::from_context(cx)?;
    let deadline = Instant::now() + cx.net.timeout;
    let proxy = match proxy::decide(&cx.net, &target).route {
        Route::Proxy(p) => Some(p),
        Route::Direct(_) => None,
    };
    let h = Handshake {
        target,
        proxy,
        override_ip: None,
        remote: None,
        tcp: None,
        tunnel: None,
        tls: None,
        chain: Vec::new(),
        negotiated: None,
        strict_verdict: None,
        stop: None,
    };
    if h.proxy.as_ref().is_some_and(|p| !p.is_tunnelled()) {
        return Ok((h.stop(Stop::ProxyNotTunnelled), None));
    }
    let (h, stream) = reach(cx, h, deadline).await;
    let Some(stream) = stream else {
        return Ok((h, None));
    };
    if !h.target.is_https() {
        return Ok((h.stop(Stop::PlainHttp), None));
    }
    handshake(cx, h, stream, deadline).await
}
