//! A Sales-Layer-compatible REST API on loopback (`sl-doctor mock`, `sl-doctor demo`, tests).
//!
//! It serves read-only GETs of the DAM and Catalog APIs and answers authentication
//! failures with the status codes and problem-details bodies of the Sales Layer docs.
//! Where the docs are silent the behaviour is an assumption, listed in `docs/mock.md`.
//!
//! The mock prints nothing itself. It never logs or echoes a key value: bodies, the
//! request log and errors describe keys by scope and fingerprint only.

mod keys;
pub(crate) mod tls;

pub use keys::{Api, MockKey, Scope, parse_key_flag, parse_keys_file};

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum_server::Handle;
use serde_json::{Value, json};
use sl_doctor_checks::model::secret::Fingerprint;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The header the Sales Layer REST APIs read the key from.
pub const API_KEY_HEADER: &str = sl_doctor_checks::saleslayer::KEY_HEADER_WIRE;
/// The header carrying a fresh id on every mock response (name is our assumption).
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The documented rate limit (`saleslayer::RATE_LIMIT`).
pub const DOCUMENTED_RATE_LIMIT: (u32, Duration) = (
    sl_doctor_checks::saleslayer::RATE_LIMIT.requests,
    sl_doctor_checks::saleslayer::RATE_LIMIT.window,
);
/// How many requests [`RunningMock::request_log`] keeps (oldest dropped first).
pub const REQUEST_LOG_CAP: usize = 10_000;

/// How to run the mock.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Address to listen on (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port; 0 picks any free port.
    pub port: u16,
    /// Serve HTTPS with a CA generated at start.
    pub tls: bool,
    /// The keys the mock knows.
    pub keys: Vec<MockKey>,
    /// Added before every response.
    pub delay: Duration,
    /// `(requests, window)` per key (or per client IP without a key); `None` = unlimited.
    pub rate_limit: Option<(u32, Duration)>,
    /// Where to write the CA certificate (PEM) when `tls`; `None` = a fresh temp dir,
    /// deleted when the mock stops.
    pub ca_out: Option<PathBuf>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: false,
            keys: Vec::new(),
            delay: Duration::ZERO,
            rate_limit: Some(DOCUMENTED_RATE_LIMIT),
            ca_out: None,
        }
    }
}

/// What the mock made of the `X-API-KEY` header of one request. Share-safe: a key is
/// only described by its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySeen {
    /// No `X-API-KEY` header.
    Missing,
    /// The header was there with an empty value (after hyper's trimming of spaces/tabs).
    Empty,
    /// More than one `X-API-KEY` header (treated as an unknown key).
    Multiple,
    /// A configured, non-revoked key.
    Known {
        scope: Scope,
        fingerprint: Fingerprint,
    },
    /// A configured key marked revoked.
    Revoked { fingerprint: Fingerprint },
    /// A value matching no configured key.
    Unknown { fingerprint: Fingerprint },
}

/// One request as the mock saw it. Never holds header values.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    /// The path without the query string (replaced by `[redacted]` if it contained a key).
    pub path: String,
    pub status: u16,
    /// The `X-Request-Id` sent back.
    pub request_id: String,
    /// Which API the path belongs to, if any.
    pub api: Option<Api>,
    pub key: KeySeen,
}

/// A started mock. Stop it with [`RunningMock::shutdown`]; dropping it stops it too
/// (without waiting for in-flight requests).
pub struct RunningMock {
    /// The address actually bound.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT` (no trailing slash).
    pub base_url: String,
    /// The CA certificate (PEM) to trust, when serving HTTPS (the tests' clients trust it;
    /// the commands hand out `ca_path`).
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests only"))]
    pub ca_pem: Option<String>,
    /// Where that CA certificate was written.
    pub ca_path: Option<PathBuf>,
    shared: Arc<Shared>,
    handle: Handle<SocketAddr>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _ca_dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for RunningMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningMock")
            .field("addr", &self.addr)
            .field("base_url", &self.base_url)
            .field("ca_path", &self.ca_path)
            .finish_non_exhaustive()
    }
}

impl RunningMock {
    /// The requests seen so far (method, path, status, request id, key fingerprint).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).iter().cloned().collect()
    }

    /// A reqwest client builder that trusts only the mock's CA (when HTTPS) and does
    /// not follow redirects.
    #[cfg(test)]
    pub fn client_builder(&self) -> anyhow::Result<reqwest::ClientBuilder> {
        // reqwest has no crypto provider of its own here: install ring as the default.
        sl_doctor_checks::net::tls::provider();
        let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &self.ca_pem {
            b = b.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes())?]);
        }
        Ok(b)
    }

    /// Graceful shutdown: stops accepting, lets in-flight requests finish (at most 5 s).
    pub async fn shutdown(mut self) {
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        if self.task.is_some() {
            self.handle.shutdown();
        }
    }
}

/// Starts the mock and returns once it is listening.
pub async fn start(cfg: MockConfig) -> anyhow::Result<RunningMock> {
    let listener = std::net::TcpListener::bind((cfg.bind, cfg.port))
        .with_context(|| format!("cannot listen on {}", SocketAddr::new(cfg.bind, cfg.port)))?;
    let addr = listener.local_addr()?;
    let base_url = base_url_for(addr, cfg.tls);

    let shared = Arc::new(Shared {
        keys: cfg.keys,
        delay: cfg.delay,
        rate_limit: cfg.rate_limit.filter(|(n, w)| *n > 0 && !w.is_zero()),
        limiter: Mutex::new(HashMap::new()),
        log: Mutex::new(VecDeque::new()),
        base_url: base_url.clone(),
        hasher: std::hash::RandomState::new(),
    });
    let app = Router::new()
        .fallback(handle_request)
        .with_state(shared.clone())
        .into_make_service_with_connect_info::<SocketAddr>();
    let handle: Handle<SocketAddr> = Handle::new();

    let (task, ca_pem, ca_path, ca_dir) = if cfg.tls {
        let certs = tls::generate(Some(cfg.bind))?;
        let (ca_path, ca_dir) = match cfg.ca_out {
            Some(p) => (p, None),
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("sl-doctor-mock-")
                    .tempdir()
                    .context("cannot create a temp dir for the mock CA")?;
                (dir.path().join("mock-ca.pem"), Some(dir))
            }
        };
        crate::files::write_private(
            &ca_path,
            certs.ca_pem.as_bytes(),
            crate::files::Links::Refuse,
        )
        .with_context(|| format!("cannot write the CA certificate to {}", ca_path.display()))?;
        let rustls = axum_server::tls_rustls::RustlsConfig::from_pem(
            certs.leaf_pem.into_bytes(),
            certs.leaf_key_pem.into_bytes(),
        )
        .await
        .context("cannot load the generated certificate")?;
        // TCP_NODELAY, as production servers set it: without it Nagle's algorithm and the
        // client's delayed ACK add ~40 ms to small HTTP/2 responses.
        let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(rustls)
            .acceptor(axum_server::accept::NoDelayAcceptor::new());
        let server = axum_server::from_tcp(listener)?
            .acceptor(acceptor)
            .handle(handle.clone());
        let task = tokio::spawn(server.serve(app));
        (task, Some(certs.ca_pem), Some(ca_path), ca_dir)
    } else {
        let server = axum_server::from_tcp(listener)?
            .acceptor(axum_server::accept::NoDelayAcceptor::new())
            .handle(handle.clone());
        (tokio::spawn(server.serve(app)), None, None, None)
    };

    if handle.listening().await.is_none() {
        let err = match task.await {
            Ok(Err(e)) => anyhow::Error::new(e),
            _ => anyhow::anyhow!("the mock server stopped at start"),
        };
        return Err(err.context("cannot start the mock server"));
    }

    Ok(RunningMock {
        addr,
        base_url,
        ca_pem,
        ca_path,
        shared,
        handle,
        task: Some(task),
        _ca_dir: ca_dir,
    })
}

fn base_url_for(addr: SocketAddr, tls: bool) -> String {
    let ip = addr.ip();
    let host = if tls && (ip.is_loopback() || ip.is_unspecified()) {
        "localhost".to_string()
    } else {
        let ip = match ip {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            other => other,
        };
        match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        }
    };
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{host}:{}", addr.port())
}

// ---------------------------------------------------------------------------------------
// Request handling

struct Shared {
    keys: Vec<MockKey>,
    delay: Duration,
    rate_limit: Option<(u32, Duration)>,
    limiter: Mutex<HashMap<Bucket, VecDeque<Instant>>>,
    log: Mutex<VecDeque<LoggedRequest>>,
    base_url: String,
    /// Keyed hash for rate-limit buckets, so no key bytes are kept in the limiter.
    hasher: std::hash::RandomState,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Bucket {
    Key(u64),
    Client(IpAddr),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A random-enough u64 from std's randomly keyed SipHash (no extra dependency).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::hash::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
}

fn new_request_id() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

/// Byte comparison whose time does not depend on where the first difference is.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The endpoints the mock serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    DamImages,
    CatalogMetadata,
    CatalogProducts,
    CatalogCategories,
    CatalogCategoriesMetadata,
    CatalogVariants,
}

impl Endpoint {
    fn api(self) -> Api {
        match self {
            Endpoint::DamImages => Api::Dam,
            _ => Api::Catalog,
        }
    }

    fn route(path: &str) -> Option<Endpoint> {
        Some(match path {
            "/dam/image" | "/dam/images" => Endpoint::DamImages,
            "/catalog/rest/Catalog/$metadata" => Endpoint::CatalogMetadata,
            "/catalog/rest/Catalog/Products" => Endpoint::CatalogProducts,
            "/catalog/rest/Catalog/Categories" => Endpoint::CatalogCategories,
            "/catalog/rest/Catalog/Categories/$metadata" => Endpoint::CatalogCategoriesMetadata,
            "/catalog/rest/Catalog/Variants" => Endpoint::CatalogVariants,
            _ => return None,
        })
    }
}

/// The problem-details `instance`: the path relative to the API's server root, as in
/// the documented examples (`/image/123`, `/rest/Catalog/Products`).
fn instance_of(path: &str) -> &str {
    for prefix in ["/dam", "/catalog"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && rest.starts_with('/')
        {
            return rest;
        }
    }
    path
}

/// True when `hay` contains `needle`, or any 8-byte window of it.
fn contains_part_of(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return false;
    }
    let w = needle.len().min(8);
    needle
        .windows(w)
        .any(|win| hay.windows(w).any(|h| h == win))
}

impl Shared {
    fn classify(&self, headers: &HeaderMap) -> (KeySeen, Option<Bucket>) {
        let mut values = headers.get_all(API_KEY_HEADER).iter();
        let Some(first) = values.next() else {
            return (KeySeen::Missing, None);
        };
        if values.next().is_some() {
            // Hash the values as a server joining them with ", " would see them.
            let mut h = self.hasher.build_hasher();
            for (i, v) in headers.get_all(API_KEY_HEADER).iter().enumerate() {
                if i > 0 {
                    h.write(b", ");
                }
                h.write(v.as_bytes());
            }
            let fp_bucket = Bucket::Key(h.finish());
            return (KeySeen::Multiple, Some(fp_bucket));
        }
        let bytes = first.as_bytes();
        if bytes.is_empty() {
            return (KeySeen::Empty, None);
        }
        let mut h = self.hasher.build_hasher();
        h.write(bytes);
        let bucket = Some(Bucket::Key(h.finish()));
        let fingerprint = Fingerprint::of(bytes);
        let seen = match self
            .keys
            .iter()
            .find(|k| ct_eq(k.key.expose_bytes(), bytes))
        {
            Some(k) if k.revoked => KeySeen::Revoked { fingerprint },
            Some(k) => KeySeen::Known {
                scope: k.scope,
                fingerprint,
            },
            None => KeySeen::Unknown { fingerprint },
        };
        (seen, bucket)
    }

    /// `Some(retry_after_seconds)` when this request is over the limit.
    fn rate_limited(&self, bucket: Bucket) -> Option<u64> {
        let (limit, window) = self.rate_limit?;
        let now = Instant::now();
        let mut map = lock(&self.limiter);
        if map.len() > 10_000 {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = map.entry(bucket).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if q.len() >= limit as usize {
            let oldest = *q.front()?;
            let wait = window.saturating_sub(now.duration_since(oldest));
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Some(secs.max(1));
        }
        q.push_back(now);
        None
    }

    /// The path as it may appear in bodies and the log: `[redacted]` if any part of a
    /// configured key or of the received header value is in it.
    fn safe_path(&self, path: &str, headers: &HeaderMap) -> String {
        let hay = path.as_bytes();
        let leaks = self
            .keys
            .iter()
            .any(|k| contains_part_of(hay, k.key.expose_bytes()))
            || headers
                .get_all(API_KEY_HEADER)
                .iter()
                .any(|v| v.len() >= 4 && contains_part_of(hay, v.as_bytes()));
        if leaks {
            "[redacted]".to_string()
        } else {
            path.to_string()
        }
    }

    fn log(&self, entry: LoggedRequest) {
        let mut log = lock(&self.log);
        if log.len() >= REQUEST_LOG_CAP {
            log.pop_front();
        }
        log.push_back(entry);
    }
}

mod data;
mod respond;

pub use respond::answer;
use respond::handle_request;

#[cfg(test)]
mod tests;
