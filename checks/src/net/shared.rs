//! The run's one connection to the API host, shared by `tls-connection` and the probes.
//!
//! Whichever of them asks first opens it ([`crate::net::handshake::connect_stream`]: the
//! same TCP, proxy and TLS path as the check reports); the others await that same
//! handshake instead of making their own. `tls-connection` takes the handshake record
//! (its timings and facts stay its own); the probes send their requests over the
//! established session: HTTP/2 multiplexes them all, HTTP/1.1 serves one at a time
//! (keep-alive) and a probe that finds it busy opens its own connection, as it does when
//! there is no shared connection at all (a failed handshake, plain http, a proxy scheme it
//! does not tunnel) or `--fresh-connections` is given. So a probe never waits on another
//! check's failure and reports its own errors from its own connection.

use crate::context::Context;
use crate::model::check::Skipped;
use crate::model::evidence::Timings;
use crate::net::endpoint::remaining;
use crate::net::handshake::{self, Handshake, TlsStream};
use crate::net::http::{Exchange, KEY_HEADER, NetError, USER_AGENT, keep, timed_out};
use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::{Position, Url};

/// How requests reach the shared connection.
pub(crate) enum Sender {
    /// HTTP/2: every request gets its own stream on the one connection.
    H2(http2::SendRequest<Empty<Bytes>>),
    /// HTTP/1.1: one request at a time.
    H1(tokio::sync::Mutex<http1::SendRequest<Empty<Bytes>>>),
}

/// The opened connection: the handshake record until `tls-connection` takes it, and the
/// HTTP sender when the handshake succeeded.
pub struct Opened {
    record: Mutex<Option<Handshake>>,
    pub(crate) sender: Option<Sender>,
    /// `scheme://host:port` of the API host the session is with.
    pub(crate) origin: (String, String, u16),
    /// The peer address (the proxy's when tunnelled).
    pub(crate) remote: Option<SocketAddr>,
    /// The TCP connection to the first hop (see [`Handshake::first_hop_result`]), for
    /// `proxy-config`: the proxy's reachability is read from the run's real connection, so
    /// no connection of its own leaves an error line in the proxy's log.
    pub first_hop: Option<Result<(Duration, String), crate::net::endpoint::ConnectError>>,
}

impl Opened {
    /// The handshake record, once (`tls-connection` reports it).
    pub fn take_record(&self) -> Option<Handshake> {
        self.record.lock().ok()?.take()
    }
}

/// The slot in the [`Context`]: empty until the first check asks for the connection.
/// Clones share the slot.
#[derive(Clone, Default)]
pub struct ConnSlot(Arc<tokio::sync::OnceCell<Arc<Opened>>>);

impl std::fmt::Debug for ConnSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.initialized() {
            "ConnSlot(opened)"
        } else {
            "ConnSlot(empty)"
        })
    }
}

impl ConnSlot {
    /// The run's connection: opened by the first caller, awaited by the others.
    pub async fn open(&self, cx: &Context) -> Result<Arc<Opened>, Skipped> {
        self.0
            .get_or_try_init(|| async { Ok(Arc::new(open(cx).await?)) })
            .await
            .cloned()
    }
}

/// Starts HTTP over the session, with the protocol ALPN chose.
async fn http(stream: TlsStream, deadline: Instant) -> Option<Sender> {
    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
    let io = TokioIo::new(stream);
    let left = crate::net::endpoint::remaining(deadline);
    if h2 {
        let hs = http2::handshake(TokioExecutor::new(), io);
        let (send, conn) = tokio::time::timeout(left, hs).await.ok()?.ok()?;
        // The connection task ends when every sender is dropped or the peer closes.
        tokio::spawn(conn);
        Some(Sender::H2(send))
    } else {
        let (send, conn) = tokio::time::timeout(left, http1::handshake(io))
            .await
            .ok()?
            .ok()?;
        tokio::spawn(conn);
        Some(Sender::H1(tokio::sync::Mutex::new(send)))
    }
}

async fn open(cx: &Context) -> Result<Opened, Skipped> {
    let deadline = Instant::now() + cx.net.timeout;
    let (h, stream) = handshake::connect_stream(cx).await?;
    let sender = match stream {
        Some(s) if h.stop.is_none() => http(s, deadline).await,
        _ => None,
    };
    Ok(Opened {
        origin: (
            h.target.scheme.clone(),
            h.target.host.clone(),
            h.target.port,
        ),
        remote: h.remote.as_deref().and_then(|r| r.parse().ok()),
        first_hop: h.first_hop_result(),
        sender,
        record: Mutex::new(Some(h)),
    })
}

/// The handshake `tls-connection` reports: the shared one unless `--fresh-connections`
/// (or it was already taken, which a run does not do).
pub async fn handshake_for_check(cx: &Context) -> Result<Handshake, Skipped> {
    if !cx.net.fresh_connections
        && let Some(h) = cx.conn.open(cx).await?.take_record()
    {
        return Ok(h);
    }
    handshake::connect(cx).await
}

/// Whether the session is with the URL's origin (the probe URL comes from the same base
/// URL, but a request never goes over a connection to another host).
fn same_origin(o: &Opened, url: &Url) -> bool {
    let host = url.host_str().unwrap_or("").trim_matches(['[', ']']);
    url.scheme() == "https"
        && o.origin.0 == "https"
        && host.eq_ignore_ascii_case(&o.origin.1)
        && url.port_or_known_default() == Some(o.origin.2)
}

/// The request a fresh probe connection would send: the same headers, the key only in
/// its sensitive header value. HTTP/2 takes the absolute URI (`:authority`), HTTP/1.1
/// the path and a `Host` header.
fn request(url: &Url, key: Option<HeaderValue>, h2: bool) -> Option<Request<Empty<Bytes>>> {
    let target = if h2 {
        url.as_str()
    } else {
        &url[Position::BeforePath..]
    };
    let mut b = Request::get(target.parse::<http::Uri>().ok()?)
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::USER_AGENT, USER_AGENT);
    if !h2 {
        b = b.header(
            http::header::HOST,
            &url[Position::BeforeHost..Position::AfterPort],
        );
    }
    if let Some(v) = key {
        b = b.header(KEY_HEADER, v);
    }
    b.body(Empty::new()).ok()
}

/// Awaits the answer and reads the capped body, within `timeout` in all. `None` when the
/// connection failed before answering: the caller tries again on a connection of its own.
async fn finish(
    start: Instant,
    timeout: Duration,
    remote: Option<SocketAddr>,
    answer: impl Future<Output = hyper::Result<Response<Incoming>>>,
) -> Option<Result<Exchange, NetError>> {
    let resp = match tokio::time::timeout(timeout, answer).await {
        Err(_) => return Some(Err(timed_out(start.elapsed(), timeout))),
        Ok(Err(_)) => return None,
        Ok(Ok(r)) => r,
    };
    let ttfb = start.elapsed();
    let (parts, mut body) = resp.into_parts();
    let mut kept = Vec::new();
    let (mut truncated, mut body_error) = (false, None);
    let deadline = start + timeout;
    loop {
        match tokio::time::timeout(remaining(deadline), body.frame()).await {
            Err(_) => body_error = Some(timed_out(start.elapsed(), timeout).message),
            Ok(None) => {}
            Ok(Some(Err(e))) => body_error = Some(format!("The request failed ({e})")),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    truncated = keep(&mut kept, &data);
                    if !truncated {
                        continue;
                    }
                } else {
                    continue;
                }
            }
        }
        break;
    }
    Some(Ok(Exchange {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        body: kept,
        truncated,
        body_error,
        remote,
        // No DNS and no connect: the connection was already open.
        timings: Timings {
            dns_ms: None,
            connect_ms: None,
            ttfb_ms: Some(ttfb.as_millis() as u64),
            total_ms: start.elapsed().as_millis() as u64,
        },
    }))
}

/// Sends `GET url` over the shared connection. `None` when it cannot serve the request
/// (another origin, HTTP/1.1 busy with another request, closed, failed before an
/// answer): the caller then uses a connection of its own.
pub(crate) async fn get(
    o: &Opened,
    url: &Url,
    key: Option<HeaderValue>,
    timeout: Duration,
) -> Option<Result<Exchange, NetError>> {
    if !same_origin(o, url) {
        return None;
    }
    let start = Instant::now();
    match o.sender.as_ref()? {
        Sender::H2(s) => {
            let mut s = s.clone();
            tokio::time::timeout(timeout, s.ready()).await.ok()?.ok()?;
            let req = request(url, key, true)?;
            finish(start, timeout, o.remote, s.send_request(req)).await
        }
        Sender::H1(m) => {
            // Held until the body is read: HTTP/1.1 answers one request at a time.
            let mut s = m.try_lock().ok()?;
            tokio::time::timeout(timeout, s.ready()).await.ok()?.ok()?;
            let req = request(url, key, false)?;
            finish(start, timeout, o.remote, s.send_request(req)).await
        }
    }
}
