//! The loopback proxy the command sends through.
//!
//! * `CONNECT` to the API host: answered `200`, then TLS is terminated with the run's
//!   leaf and the request inside is read, diagnosed and answered by capture's own
//!   `serve` (the same parser, diagnosis, mock answer or `--forward` relay as the base
//!   URL mode).
//! * `CONNECT` to any other host: a byte-for-byte tunnel, never decrypted; only the host
//!   name and port are kept.
//! * A plain-http request in proxy form (`GET http://host/…`): to the API host it is
//!   diagnosed like the others, with a finding (the key would cross the network in
//!   clear); to another host it is relayed as received.
//! * Anything else is answered `400`: the proxy address is not an API base URL.

use super::super::{PartialRecord, Shared, bare_record, serve};
use crate::capture::codes::{PLAIN_HTTP_TO_API, TLS_HANDSHAKE_FAILED};
use sl_doctor_checks::model::report::Finding;
use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use zeroize::Zeroizing;

/// How long a client may stay silent before its first byte, and take to send a head.
const FIRST_BYTE: Duration = Duration::from_secs(15);
const HEAD: Duration = Duration::from_secs(10);
/// Largest request line, and largest `CONNECT` head, read.
const MAX_LINE: usize = 16 * 1024;
const MAX_CONNECT_HEAD: usize = 64 * 1024;
/// How long connecting to another host may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Distinct other hosts listed; more are counted.
pub(super) const MAX_TUNNEL_HOSTS: usize = 64;

/// The host whose requests are diagnosed, from the configured base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ApiHost {
    /// Lowercase, without brackets or a final dot.
    pub host: String,
    /// The https port (443 by default).
    pub port: u16,
}

/// A host name as compared: lowercase, no IPv6 brackets, no final dot.
fn canonical(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

impl ApiHost {
    /// The host and port of an https base URL.
    pub fn from_base_url(base: &str) -> Result<ApiHost, String> {
        let u = url::Url::parse(base).map_err(|e| format!("--base-url {base}: {e}"))?;
        if u.scheme() != "https" {
            return Err(format!(
                "--base-url {base}: capture intercepts an https base URL (the key must not travel in clear)"
            ));
        }
        let host = u
            .host_str()
            .ok_or_else(|| format!("--base-url {base}: no host"))?;
        Ok(ApiHost {
            host: canonical(host),
            port: u.port_or_known_default().unwrap_or(443),
        })
    }

    /// `host:port` as shown.
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }

    fn is(&self, host: &str) -> bool {
        canonical(host) == self.host
    }
}

/// `host:port`, with brackets around an IPv6 address.
pub(super) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Connections to one other host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct HostCount {
    /// Connections tunnelled (or relayed, for plain http).
    pub connections: usize,
    /// Connections whose host could not be reached.
    pub failed: usize,
    /// Some arrived as plain http.
    pub plain_http: bool,
}

/// The other hosts reached, by `(host, port)`, bounded.
#[derive(Debug, Default)]
pub(super) struct Tunnels {
    /// Per host and port.
    pub hosts: BTreeMap<(String, u16), HostCount>,
    /// Connections to hosts beyond [`MAX_TUNNEL_HOSTS`].
    pub more: usize,
}

/// What the proxy shares between connections.
pub(super) struct Proxy {
    /// Capture's own request handling (diagnosis, answer).
    pub shared: Arc<Shared>,
    /// Terminates TLS for the API host.
    pub tls: tokio_rustls::TlsAcceptor,
    /// The host whose requests are diagnosed.
    pub api: ApiHost,
    /// Other hosts reached.
    pub tunnels: Arc<Mutex<Tunnels>>,
    /// Where the records of diagnosed requests go.
    pub records: tokio::sync::mpsc::Sender<PartialRecord>,
}

impl Proxy {
    fn note(&self, host: &str, port: u16, plain: bool, reached: bool) {
        let mut t = self.tunnels.lock().unwrap_or_else(|e| e.into_inner());
        let key = (canonical(host), port);
        if !t.hosts.contains_key(&key) && t.hosts.len() >= MAX_TUNNEL_HOSTS {
            t.more += 1;
            return;
        }
        let c = t.hosts.entry(key).or_default();
        c.connections += 1;
        c.failed += usize::from(!reached);
        c.plain_http |= plain;
    }

    async fn record(&self, r: Option<PartialRecord>) {
        if let Some(r) = r {
            let _ = self.records.send(r).await;
        }
    }
}

/// A stream that first yields bytes already read from it.
pub(super) struct Prefixed<S> {
    prefix: Zeroizing<Vec<u8>>,
    pos: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    pub(super) fn new(prefix: Zeroizing<Vec<u8>>, inner: S) -> Self {
        Prefixed {
            prefix,
            pos: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let left = self.prefix.len() - self.pos;
        if left > 0 {
            let n = left.min(buf.remaining());
            let from = self.pos;
            buf.put_slice(&self.prefix[from..from + n]);
            self.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Reads until `done(buf)` gives the end, at most `max` bytes, the first byte within
/// [`FIRST_BYTE`] and the rest within [`HEAD`]. `None` when it does not come.
async fn read_until(
    s: &mut TcpStream,
    buf: &mut Zeroizing<Vec<u8>>,
    max: usize,
    done: impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let deadline = tokio::time::Instant::now() + HEAD;
    loop {
        if let Some(end) = done(buf) {
            return Some(end);
        }
        if buf.len() > max {
            return None;
        }
        let wait = if buf.is_empty() {
            FIRST_BYTE
        } else {
            deadline.saturating_duration_since(tokio::time::Instant::now())
        };
        let mut chunk = Zeroizing::new([0u8; 4096]);
        match tokio::time::timeout(wait, s.read(&mut chunk[..])).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return None,
        }
    }
}

/// What the first line of a proxy request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Ask {
    /// `CONNECT host:port`.
    Connect(String, u16),
    /// `METHOD http://host[:port]/path…`: the host, the port, and where the
    /// origin-form target starts and ends in the line.
    Plain(String, u16, std::ops::Range<usize>),
    /// Not a proxy request.
    Other,
}

/// `host:port` (or `[v6]:port`), without user info.
fn host_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let a = authority.rsplit('@').next()?;
    let (host, port) = match a.strip_prefix('[') {
        Some(v6) => {
            let (h, rest) = v6.split_once(']')?;
            (h, rest.strip_prefix(':'))
        }
        None => match a.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (a, None),
        },
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default_port,
    };
    (!host.is_empty()).then(|| (host.to_string(), port))
}

/// Reads the request line `line` (without its line ending).
fn ask(line: &[u8]) -> Ask {
    let Ok(text) = std::str::from_utf8(line) else {
        return Ask::Other;
    };
    let mut parts = text.splitn(3, ' ');
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ask::Other;
    };
    if method.eq_ignore_ascii_case("CONNECT") {
        return host_port(target, 443).map_or(Ask::Other, |(h, p)| Ask::Connect(h, p));
    }
    let Some(rest) = target
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("http://"))
        .map(|_| &target[7..])
    else {
        return Ask::Other;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some((host, port)) = host_port(&rest[..end], 80) else {
        return Ask::Other;
    };
    let start = method.len() + 1 + 7 + end;
    Ask::Plain(host, port, start..method.len() + 1 + target.len())
}

/// Serves one connection to the proxy.
pub(super) async fn handle(mut stream: TcpStream, p: Arc<Proxy>) {
    let start = Instant::now();
    let mut buf = Zeroizing::new(Vec::new());
    let line_end = |b: &[u8]| memchr::memchr(b'\n', b);
    let Some(eol) = read_until(&mut stream, &mut buf, MAX_LINE, line_end).await else {
        return;
    };
    let line = buf[..eol].strip_suffix(b"\r").unwrap_or(&buf[..eol]);
    match ask(line) {
        Ask::Connect(host, port) => {
            let head_end = |b: &[u8]| {
                memchr::memmem::find(b, b"\r\n\r\n")
                    .map(|i| i + 4)
                    .or_else(|| memchr::memmem::find(b, b"\n\n").map(|i| i + 2))
            };
            let Some(end) = read_until(&mut stream, &mut buf, MAX_CONNECT_HEAD, head_end).await
            else {
                return;
            };
            let early = Zeroizing::new(buf[end..].to_vec());
            if p.api.is(&host) && port == p.api.port {
                intercept(stream, early, &p, start).await;
            } else {
                tunnel(stream, &host, port, early, false, &p).await;
            }
        }
        Ask::Plain(host, port, origin) if p.api.is(&host) && (port == 80 || port == p.api.port) => {
            // Diagnosed like the others: the request line made origin-form.
            let mut bytes = Zeroizing::new(Vec::with_capacity(buf.len()));
            let method_end = line.iter().position(|b| *b == b' ').unwrap_or(0);
            bytes.extend_from_slice(&buf[..=method_end]);
            let target = &buf[origin.clone()];
            if !target.starts_with(b"/") {
                bytes.push(b'/');
            }
            bytes.extend_from_slice(&buf[origin.start..]);
            let finding = plain_http_finding(&p.api);
            let r = serve(
                Prefixed::new(bytes, stream),
                &p.shared,
                "http",
                vec![finding],
                start,
            )
            .await;
            p.record(r).await;
        }
        Ask::Plain(host, port, _) => {
            let head = Zeroizing::new(buf.to_vec());
            tunnel(stream, &host, port, head, true, &p).await;
        }
        Ask::Other => {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 67\r\nconnection: close\r\n\r\nThis is sl-doctor capture's proxy, not an API base URL: see --help\n")
                .await;
        }
    }
}

fn plain_http_finding(api: &ApiHost) -> Finding {
    Finding::new(
        PLAIN_HTTP_TO_API,
        format!(
            "The application sent this request over plain http:// to {}: the key crosses the network in clear, and the API serves only https",
            api.host
        ),
    )
    .with_fix(format!("Use https://{} as the base URL.", api.host))
}

/// Terminates TLS for the API host with the run's leaf and serves the request inside.
async fn intercept(mut stream: TcpStream, early: Zeroizing<Vec<u8>>, p: &Proxy, start: Instant) {
    if stream
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let accepted = tokio::time::timeout(HEAD, p.tls.accept(Prefixed::new(early, stream))).await;
    let r = match accepted {
        Ok(Ok(tls)) => serve(tls, &p.shared, "https", Vec::new(), start).await,
        Ok(Err(e)) => Some(bare_record(
            "https",
            vec![handshake_finding(&p.api, &e.to_string())],
            start,
            "none",
            None,
        )),
        Err(_) => None,
    };
    p.record(r).await;
}

fn handshake_finding(api: &ApiHost, error: &str) -> Finding {
    Finding::new(
        TLS_HANDSHAKE_FAILED,
        format!(
            "The TLS handshake for {} through the proxy failed ({error}): the client does not trust the run's CA. It reads none of the trust settings capture gives it (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, PHP's curl.cainfo), or its code names a CA file of its own",
            api.host
        ),
    )
    .with_fix("Let the client use the trust of its environment for this run (drop a `verify=`/`ca=`/`cafile` argument that names a fixed file, or a pinned certificate), or run `sl-doctor capture` without a command and point the application's base URL at it.")
}

/// Relays bytes to another host unchanged: `early` (what the client already sent) first.
async fn tunnel(
    mut client: TcpStream,
    host: &str,
    port: u16,
    early: Zeroizing<Vec<u8>>,
    plain: bool,
    p: &Proxy,
) {
    let connect = TcpStream::connect((host.trim_matches(['[', ']']), port));
    let upstream = tokio::time::timeout(CONNECT_TIMEOUT, connect).await;
    p.note(host, port, plain, matches!(upstream, Ok(Ok(_))));
    let Ok(Ok(mut upstream)) = upstream else {
        let _ = client
            .write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .await;
        return;
    };
    if !plain
        && client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
    {
        return;
    }
    if upstream.write_all(&early).await.is_err() {
        return;
    }
    drop(early);
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_request_lines() {
        let plain = |h: &str, p: u16, r: std::ops::Range<usize>| Ask::Plain(h.into(), p, r);
        let table: Vec<(&str, Ask)> = vec![
            (
                "CONNECT api2.saleslayer.com:443 HTTP/1.1",
                Ask::Connect("api2.saleslayer.com".into(), 443),
            ),
            (
                "CONNECT [::1]:8443 HTTP/1.1",
                Ask::Connect("::1".into(), 8443),
            ),
            (
                "connect example.com HTTP/1.1",
                Ask::Connect("example.com".into(), 443),
            ),
            (
                "GET http://api2.saleslayer.com/dam/image?$top=1 HTTP/1.1",
                plain("api2.saleslayer.com", 80, 30..47),
            ),
            ("GET HTTP://u:p@h:8080 HTTP/1.1", plain("h", 8080, 21..21)),
            ("GET http://h?x=1 HTTP/1.1", plain("h", 80, 12..16)),
            ("GET /dam/image HTTP/1.1", Ask::Other),
            ("CONNECT :443 HTTP/1.1", Ask::Other),
            ("\u{1b}[31m", Ask::Other),
        ];
        for (line, want) in table {
            assert_eq!(ask(line.as_bytes()), want, "{line}");
        }
        let line = "GET http://api2.saleslayer.com/dam/image?$top=1 HTTP/1.1";
        assert_eq!(&line[30..47], "/dam/image?$top=1");
    }

    #[test]
    fn the_api_host_comes_from_an_https_base_url() {
        let a = ApiHost::from_base_url("https://API2.saleslayer.com./").unwrap();
        assert_eq!(a.authority(), "api2.saleslayer.com:443");
        assert!(a.is("api2.SalesLayer.com"));
        assert!(!a.is("api.saleslayer.com"));
        let v6 = ApiHost::from_base_url("https://[::1]:8443").unwrap();
        assert_eq!(v6.authority(), "[::1]:8443");
        assert!(ApiHost::from_base_url("http://api2.saleslayer.com").is_err());
    }

    #[tokio::test]
    async fn a_prefixed_stream_reads_its_prefix_first() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b" world").await.unwrap();
        drop(a);
        let mut s = Prefixed::new(Zeroizing::new(b"hello".to_vec()), b);
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "hello world");
    }
}
