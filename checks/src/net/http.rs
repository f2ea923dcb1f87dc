//! The one place that builds an HTTP client for the live probes, sends a request with
//! per-phase timings, reads a capped body and classifies transport errors.
//!
//! Rules it enforces:
//! - redirects are never followed (`Policy::none()`): reqwest forwards `X-API-KEY` to
//!   other hosts and over plain http on redirects;
//! - every request is bounded: connect and request timeouts from `--timeout`, bodies are
//!   read in chunks and capped at [`BODY_CAP`] bytes;
//! - idle connections are not pooled: a request either goes over the run's shared
//!   connection ([`crate::net::shared`], timed from the request on) or really connects, so
//!   the timings are real;
//! - the key only ever goes into a `HeaderValue` marked sensitive; nothing built here
//!   (errors, URLs, timings) contains it.

use crate::context::NetOptions;
use crate::model::evidence::Timings;
use crate::model::secret::SecretKey;
use crate::net::proxy::Route;
use crate::net::shared::Opened;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode, Url, Version};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

/// At most this many body bytes are kept; the rest is never read.
pub const BODY_CAP: usize = 64 * 1024;

/// The header that carries the key, as `HeaderName` stores it.
pub const KEY_HEADER: &str = crate::saleslayer::KEY_HEADER_WIRE;

/// The `User-Agent` of every probe request.
pub const USER_AGENT: &str = concat!("sl-doctor/", env!("CARGO_PKG_VERSION"));

/// Appends a chunk to the kept body, up to [`BODY_CAP`]. Returns whether the cap was
/// reached: then the rest is never read.
pub(crate) fn keep(body: &mut Vec<u8>, chunk: &[u8]) -> bool {
    let room = BODY_CAP - body.len();
    if chunk.len() >= room {
        body.extend_from_slice(&chunk[..room]);
        return true;
    }
    body.extend_from_slice(chunk);
    false
}

/// The error of a request that got no answer in time.
pub(crate) fn timed_out(elapsed: Duration, timeout: Duration) -> NetError {
    NetError {
        kind: NetErrorKind::Timeout,
        message: format!(
            "No answer within the {} s timeout (after {} ms)",
            timeout.as_secs_f32(),
            elapsed.as_millis()
        ),
        elapsed,
    }
}

type Log = Arc<Mutex<Vec<Duration>>>;

fn push(log: &Log, d: Duration) {
    if let Ok(mut l) = log.lock() {
        l.push(d);
    }
}

fn total(log: &Log) -> Option<Duration> {
    let l = log.lock().ok()?;
    if l.is_empty() {
        None
    } else {
        Some(l.iter().sum())
    }
}

/// A DNS resolver that asks the system (getaddrinfo, like curl) and times the lookup.
struct TimedResolver {
    log: Log,
}

impl reqwest::dns::Resolve for TimedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let log = self.log.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let t = Instant::now();
            let res = tokio::net::lookup_host((host.as_str(), 0)).await;
            push(&log, t.elapsed());
            let addrs: Vec<SocketAddr> = res?.collect();
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// A connector layer that times DNS + TCP + TLS (+ proxy CONNECT) together.
#[derive(Clone)]
struct TimingLayer {
    log: Log,
}

impl<S> tower::Layer<S> for TimingLayer {
    type Service = TimingSvc<S>;
    fn layer(&self, inner: S) -> TimingSvc<S> {
        TimingSvc {
            inner,
            log: self.log.clone(),
        }
    }
}

#[derive(Clone)]
struct TimingSvc<S> {
    inner: S,
    log: Log,
}

impl<S, R> tower::Service<R> for TimingSvc<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let t = Instant::now();
        let fut = self.inner.call(req);
        let log = self.log.clone();
        Box::pin(async move {
            let out = fut.await;
            push(&log, t.elapsed());
            out
        })
    }
}

/// A client for the probes, with the timing hooks it was built with.
pub struct ProbeClient {
    client: Client,
    dns: Log,
    connect: Log,
    timeout: Duration,
    shared: Option<Arc<Opened>>,
    /// The proxy the requests go through (`scheme://host:port`, never credentials).
    proxy: Option<(String, String)>,
}

/// A response as far as it was read.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// HTTP status.
    pub status: StatusCode,
    /// HTTP version of the answer.
    pub version: Version,
    /// Response headers.
    pub headers: HeaderMap,
    /// The first [`BODY_CAP`] bytes of the body.
    pub body: Vec<u8>,
    /// Whether the body was longer than the cap (the rest was not read).
    pub truncated: bool,
    /// Why reading the body stopped early, when it did (e.g. a timeout).
    pub body_error: Option<String>,
    /// The peer address (the proxy's when a proxy was used).
    pub remote: Option<SocketAddr>,
    /// Per-phase timings, like httpstat (whole milliseconds).
    pub timings: Timings,
}

impl Exchange {
    /// `HTTP/1.1 200 OK`.
    pub fn status_line(&self) -> String {
        format!(
            "{:?} {} {}",
            self.version,
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_string()
    }

    /// A response header as text (lossy), when present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
}

/// What kind of transport failure happened: the report's class of failure.
pub use crate::model::evidence::NetFailureKind as NetErrorKind;

/// A classified transport error. Its message never contains the URL or the key.
#[derive(Debug, Clone)]
pub struct NetError {
    /// Class.
    pub kind: NetErrorKind,
    /// One sentence.
    pub message: String,
    /// Time until the failure.
    pub elapsed: Duration,
}

fn find_io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        match err.downcast_ref::<std::io::Error>() {
            Some(i) if i.kind() != std::io::ErrorKind::Other => return Some(i.kind()),
            _ => {}
        }
        cur = err.source();
    }
    None
}

/// The error chain (without the URL) in words: the client library's wrapper layers
/// ("client error (Connect)", "error sending request") dropped, the lower layers' texts
/// said plainly, OS error numbers removed; joined with `: `.
fn chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = cur {
        if let Some(s) = in_words(&err.to_string())
            && !parts.contains(&s)
        {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

/// One layer of an error chain in words, or `None` for a layer that only names a
/// library's internals.
fn in_words(layer: &str) -> Option<String> {
    const INTERNAL: &[&str] = &[
        "client error (Connect)",
        "client error (SendRequest)",
        "error sending request",
        "error trying to connect",
        "tcp connect error",
        "dns error",
        "tunnel error",
    ];
    const PLAIN: &[(&str, &str)] = &[
        (
            "invalid HTTP version parsed",
            "the server did not answer with HTTP (a TLS port reached with http://? then use https://)",
        ),
        (
            "connection closed before message completed",
            "the server closed the connection without answering",
        ),
        (
            "failed to lookup address information",
            "the name could not be looked up",
        ),
        (
            "Connection reset by peer",
            "the connection was reset by the server or a firewall",
        ),
        (
            "Network is unreachable",
            "the network is unreachable (no route: offline, VPN or firewall?)",
        ),
        (
            "No route to host",
            "there is no route to the host (offline, VPN or firewall?)",
        ),
        ("Connection refused", "the connection was refused"),
        (
            "unsuccessful",
            "the proxy refused the tunnel (tls-connection gives the proxy's answer)",
        ),
    ];
    let layer = layer.trim();
    if layer.is_empty() || INTERNAL.contains(&layer) {
        return None;
    }
    if let Some((_, plain)) = PLAIN.iter().find(|(raw, _)| layer.contains(raw)) {
        return Some(plain.to_string());
    }
    // "… (os error 111)": the number says nothing more to a reader.
    let text = match layer.rfind(" (os error ") {
        Some(i) if layer.ends_with(')') => &layer[..i],
        _ => layer,
    };
    Some(text.to_string())
}

/// Classifies a reqwest error into a finding code and a URL-free message.
pub fn classify(e: &reqwest::Error, elapsed: Duration, timeout: Duration) -> NetError {
    let detail = chain(e);
    let with = |s: String| {
        if detail.is_empty() {
            s
        } else {
            format!("{s}: {detail}")
        }
    };
    if e.is_timeout() {
        return timed_out(elapsed, timeout);
    }
    let (kind, message) = if e.is_builder() {
        (
            NetErrorKind::Builder,
            with("The HTTP client refused to build the request".into()),
        )
    } else if let Some(r) = crate::net::tls::find_rustls_error(e) {
        // The same classification as the tls-connection check, so both say the same.
        let (_, why) = crate::net::tls::classify(r);
        (
            NetErrorKind::Tls,
            format!("The TLS handshake failed: {why}"),
        )
    } else if e.is_dns() {
        (
            NetErrorKind::Dns,
            with("The host name could not be resolved".into()),
        )
    } else if find_io_kind(e) == Some(std::io::ErrorKind::ConnectionRefused) {
        (
            NetErrorKind::Refused,
            "The connection was refused: nothing listens on that host and port".into(),
        )
    } else if e.is_connect() {
        (
            NetErrorKind::Connect,
            with("The connection could not be established".into()),
        )
    } else {
        (NetErrorKind::Other, with("The request failed".into()))
    };
    NetError {
        kind,
        message,
        elapsed,
    }
}

/// Why the probe's HTTP client could not be built from the network options.
#[derive(Debug)]
pub enum ClientError {
    /// The TLS client could not be set up (`--ca-cert`, the system store).
    Tls(crate::net::tls::TlsSetupError),
    /// `--proxy` is not a proxy URL.
    ProxyInvalid,
    /// The client found no CA certificate on the system (the library's words).
    NoCaCertificates(String),
    /// Anything else the client library refused (its words).
    NotBuilt(String),
}

/// Builds the probe client from the network options, with the proxy decision for its
/// target (`route`): the client never reads the proxy variables itself, so it goes where
/// `proxy-config` says, with the same precedence. A problem with the options (an
/// unreadable or empty `--ca-cert`, a bad `--proxy`, no CA certificates at all) is an
/// error the probe check turns into its finding, not a panic.
pub fn build_client(net: &NetOptions, route: &Route) -> Result<ProbeClient, ClientError> {
    let dns: Log = Arc::default();
    let connect: Log = Arc::default();
    let mut b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(net.timeout)
        .timeout(net.timeout)
        .pool_max_idle_per_host(0)
        .user_agent(USER_AGENT)
        .dns_resolver(TimedResolver { log: dns.clone() })
        .connector_layer(TimingLayer {
            log: connect.clone(),
        });
    // The same trust as the tls-connection check, from the same (shared) verifier: system
    // roots plus --ca-cert, or no verification with --insecure.
    let tls = crate::net::tls::client_config(net).map_err(ClientError::Tls)?;
    b = b.tls_backend_preconfigured(tls);
    if let Some(p) = &net.proxy
        && !net.no_proxy
    {
        reqwest::Proxy::all(p.as_str()).map_err(|_| ClientError::ProxyInvalid)?;
    }
    b = match route {
        Route::Direct(_) => b.no_proxy(),
        Route::Proxy(p) => b.proxy(p.for_client().ok_or(ClientError::ProxyInvalid)?),
    };
    for (host, port, ip) in &net.resolve {
        b = b.resolve(host, SocketAddr::new(*ip, *port));
    }
    let client = b.build().map_err(|e| {
        let d = chain(&e);
        if d.contains("No CA certificates") {
            ClientError::NoCaCertificates(d)
        } else {
            ClientError::NotBuilt(d)
        }
    })?;
    Ok(ProbeClient {
        client,
        dns,
        connect,
        timeout: net.timeout,
        shared: None,
        proxy: match route {
            Route::Direct(_) => None,
            Route::Proxy(p) => Some((p.display(), p.source.describe())),
        },
    })
}

/// A refused connection through a proxy: the proxy refused it (the client connects to
/// nothing else), so the message names the proxy, not the API's host and port.
fn blame_proxy(mut e: NetError, proxy: Option<&(String, String)>) -> NetError {
    if let (NetErrorKind::Refused, Some((shown, source))) = (&e.kind, proxy) {
        e.message = format!(
            "The proxy {shown} (from {source}) refused the connection: nothing listens on its port, and the request never reached the API"
        );
    }
    e
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Checks that a key can be put in an HTTP header value. Returns the sensitive header
/// value, or a description of the first offending byte (position and name, never the key).
pub fn key_header(key: &SecretKey) -> Result<HeaderValue, String> {
    match HeaderValue::from_bytes(key.expose_bytes()) {
        Ok(mut v) => {
            v.set_sensitive(true);
            Ok(v)
        }
        Err(_) => {
            let bytes = key.expose_bytes();
            let (pos, b) = bytes
                .iter()
                .enumerate()
                .find(|(_, b)| (**b < 0x20 && **b != b'\t') || **b == 0x7f)
                .map(|(i, b)| (i, *b))
                .unwrap_or((0, 0));
            let name = match b {
                b'\n' => "LINE FEED".to_string(),
                b'\r' => "CARRIAGE RETURN".to_string(),
                0 => "NULL".to_string(),
                0x1b => "ESCAPE".to_string(),
                0x7f => "DELETE".to_string(),
                _ => "control character".to_string(),
            };
            // Position in characters when the key is UTF-8.
            let at = match key.expose_str() {
                Some(s) => s[..pos].chars().count() + 1,
                None => pos + 1,
            };
            let of = key.expose_str().map_or(bytes.len(), |s| s.chars().count());
            Err(format!(
                "U+{:04X} {name} at character {at} of {of}",
                b as u32
            ))
        }
    }
}

impl ProbeClient {
    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn reset(&self) {
        for l in [&self.dns, &self.connect] {
            if let Ok(mut v) = l.lock() {
                v.clear();
            }
        }
    }

    /// Sends the requests over the run's shared connection when it can serve them.
    pub fn share(mut self, opened: Option<Arc<Opened>>) -> Self {
        self.shared = opened;
        self
    }

    /// Sends `GET url` with the key header (when given), reads at most [`BODY_CAP`] bytes:
    /// over the shared connection when it can serve the request, else over a new one.
    pub async fn get(&self, url: &Url, key: Option<HeaderValue>) -> Result<Exchange, NetError> {
        if let Some(o) = &self.shared
            && let Some(x) = crate::net::shared::get(o, url, key.clone(), self.timeout).await
        {
            return x;
        }
        self.reset();
        let start = Instant::now();
        let mut req = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(v) = key {
            req = req.header(KEY_HEADER, v);
        }
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let e = classify(&e, start.elapsed(), self.timeout);
                return Err(blame_proxy(e, self.proxy.as_ref()));
            }
        };
        let ttfb = start.elapsed();
        let status = resp.status();
        let version = resp.version();
        let headers = resp.headers().clone();
        let remote = resp.remote_addr();
        let mut body = Vec::new();
        let mut truncated = false;
        let mut body_error = None;
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if keep(&mut body, &c) {
                        truncated = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    body_error = Some(classify(&e, start.elapsed(), self.timeout).message);
                    break;
                }
            }
        }
        drop(resp);
        let dns = total(&self.dns);
        let connect = total(&self.connect).map(|c| c.saturating_sub(dns.unwrap_or_default()));
        Ok(Exchange {
            status,
            version,
            headers,
            body,
            truncated,
            body_error,
            remote,
            timings: Timings {
                dns_ms: dns.map(ms),
                connect_ms: connect.map(ms),
                ttfb_ms: Some(ms(ttfb)),
                total_ms: ms(start.elapsed()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_through_a_proxy_names_the_proxy() {
        let e = |kind| NetError {
            kind,
            message: "The connection was refused: nothing listens on that host and port".into(),
            elapsed: Duration::ZERO,
        };
        let p = ("http://127.0.0.1:9".to_string(), "HTTPS_PROXY".to_string());
        let through = blame_proxy(e(NetErrorKind::Refused), Some(&p)).message;
        assert_eq!(
            through,
            "The proxy http://127.0.0.1:9 (from HTTPS_PROXY) refused the connection: nothing listens on its port, and the request never reached the API"
        );
        // Direct, or another failure: unchanged.
        for (kind, proxy) in [(NetErrorKind::Refused, None), (NetErrorKind::Dns, Some(&p))] {
            assert_eq!(
                blame_proxy(e(kind), proxy).message,
                e(NetErrorKind::Refused).message
            );
        }
    }

    #[test]
    fn error_chains_read_as_words() {
        for (layer, want) in [
            ("client error (Connect)", None),
            ("error sending request", None),
            (
                "invalid HTTP version parsed",
                Some(
                    "the server did not answer with HTTP (a TLS port reached with http://? then use https://)",
                ),
            ),
            (
                "Connection refused (os error 111)",
                Some("the connection was refused"),
            ),
            (
                "failed to lookup address information: Name or service not known",
                Some("the name could not be looked up"),
            ),
            ("some other thing (os error 5)", Some("some other thing")),
            ("tunnel error", None),
            (
                "unsuccessful",
                Some("the proxy refused the tunnel (tls-connection gives the proxy's answer)"),
            ),
        ] {
            assert_eq!(in_words(layer).as_deref(), want, "{layer}");
        }
    }

    #[test]
    fn header_check_names_the_first_control_character() {
        let k = SecretKey::from_string("abc\r\n".into());
        assert_eq!(
            key_header(&k).unwrap_err(),
            "U+000D CARRIAGE RETURN at character 4 of 5"
        );
        let k = SecretKey::from_string("é-x\n".into());
        assert_eq!(
            key_header(&k).unwrap_err(),
            "U+000A LINE FEED at character 4 of 4"
        );
        let ok = key_header(&SecretKey::from_string("a\u{200b}b".into())).unwrap();
        assert!(ok.is_sensitive());
    }

    #[test]
    fn timings_display() {
        let t = Timings {
            dns_ms: None,
            connect_ms: Some(3),
            ttfb_ms: Some(10),
            total_ms: 12,
        };
        assert_eq!(
            t.to_string(),
            "dns: - · connect+tls: 3 ms · ttfb: 10 ms · total: 12 ms"
        );
    }

    #[test]
    fn missing_and_empty_ca_cert_are_findings() {
        let mut net = NetOptions {
            ca_cert: Some("/nonexistent/ca.pem".into()),
            ..Default::default()
        };
        let direct = Route::Direct(crate::net::proxy::Direct::NoneConfigured);
        assert!(matches!(
            build_client(&net, &direct).err().unwrap(),
            ClientError::Tls(crate::net::tls::TlsSetupError::CaCertUnreadable { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, "hello").unwrap();
        net.ca_cert = Some(p);
        assert!(matches!(
            build_client(&net, &direct).err().unwrap(),
            ClientError::Tls(crate::net::tls::TlsSetupError::CaCertEmpty { .. })
        ));
    }
}
