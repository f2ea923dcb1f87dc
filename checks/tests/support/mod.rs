//! A scripted loopback HTTP(S) server for the probe tests: it records every request (path
//! and the X-API-KEY it carried) and answers with whatever the test's script says.

#![allow(dead_code)]

pub mod proxies;
pub mod real_proxies;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// The canary key used by every test. Never a real key.
pub use sl_doctor_checks::testing_support::TEST_CANARY as CANARY;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Path and query.
    pub uri: String,
    /// The X-API-KEY header bytes, when present.
    pub key: Option<Vec<u8>>,
}

/// The future of one answer.
pub type Reply = Pin<Box<dyn Future<Output = Response> + Send>>;
type Script = dyn Fn(&Hit, usize) -> Reply + Send + Sync;

struct St {
    hits: Mutex<Vec<Hit>>,
    script: Box<Script>,
}

/// A running server.
pub struct Server {
    /// `http(s)://127.0.0.1:PORT`.
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    st: Arc<St>,
}

impl Server {
    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.st.hits.lock().unwrap().clone()
    }
}

async fn handle(State(st): State<Arc<St>>, req: Request) -> Response {
    let hit = Hit {
        uri: req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        key: req
            .headers()
            .get("x-api-key")
            .map(|v| v.as_bytes().to_vec()),
    };
    let n = {
        let mut h = st.hits.lock().unwrap();
        h.push(hit.clone());
        h.len()
    };
    (st.script)(&hit, n).await
}

fn router(script: Box<Script>) -> (Router, Arc<St>) {
    let st = Arc::new(St {
        hits: Mutex::new(Vec::new()),
        script,
    });
    (Router::new().fallback(handle).with_state(st.clone()), st)
}

/// A plain-http server answering with `script(hit, n)` (n = 1-based request count).
pub fn serve(script: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static) -> Server {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let (app, st) = router(Box::new(script));
    let srv = axum_server::from_tcp(l).unwrap();
    tokio::spawn(async move { srv.serve(app.into_make_service()).await });
    Server {
        base: format!("http://{addr}"),
        addr,
        st,
    }
}

/// An HTTPS server with a leaf for localhost/127.0.0.1 signed by a fresh CA; returns the
/// CA certificate as PEM.
pub async fn serve_tls(
    script: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static,
) -> (Server, String) {
    serve_tls_alpn(script, &[b"h2", b"http/1.1"]).await
}

/// A rustls server configuration with a leaf for localhost/127.0.0.1 signed by a fresh
/// CA, offering these ALPN protocols; returns the CA certificate as PEM.
pub fn tls_server_config(alpn: &[&[u8]]) -> (rustls::ServerConfig, String) {
    tls_server_config_for(alpn, &["localhost", "127.0.0.1"])
}

/// [`tls_server_config`] with a leaf for these names.
pub fn tls_server_config_for(alpn: &[&[u8]], names: &[&str]) -> (rustls::ServerConfig, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut cap = CertificateParams::new(Vec::<String>::new()).unwrap();
    cap.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own per CA: two CAs with one name make a verifier try the wrong one.
    static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    cap.distinguished_name
        .push(rcgen::DnType::CommonName, format!("sl-doctor test CA {n}"));
    let ca = cap.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(cap, ca_key);
    let k = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap()
        .signed_by(&k, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(k.serialize_der().into()),
        )
        .unwrap();
    server.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    (server, ca.pem())
}

/// [`serve_tls`] offering only these ALPN protocols (e.g. only `http/1.1`).
pub async fn serve_tls_alpn(
    script: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static,
    alpn: &[&[u8]],
) -> (Server, String) {
    serve_tls_config(script, tls_server_config(alpn)).await
}

/// [`serve_tls`] with a certificate for these names (and localhost, 127.0.0.1).
pub async fn serve_tls_names(
    script: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static,
    names: &[&str],
) -> (Server, String) {
    let mut all = names.to_vec();
    all.extend(["localhost", "127.0.0.1"]);
    serve_tls_config(script, tls_server_config_for(&[b"h2", b"http/1.1"], &all)).await
}

async fn serve_tls_config(
    script: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static,
    (server, ca): (rustls::ServerConfig, String),
) -> (Server, String) {
    let cfg = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(server));
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let (app, st) = router(Box::new(script));
    let srv = axum_server::tls_rustls::from_tcp_rustls(l, cfg).unwrap();
    tokio::spawn(async move { srv.serve(app.into_make_service()).await });
    (
        Server {
            base: format!("https://{addr}"),
            addr,
            st,
        },
        ca,
    )
}

/// A response with a status, optional content type and body, and extra headers.
pub fn resp(status: u16, ct: Option<&str>, body: &str, headers: &[(&str, &str)]) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    if let Some(ct) = ct {
        r.headers_mut()
            .insert("content-type", HeaderValue::from_str(ct).unwrap());
    }
    for (k, v) in headers {
        r.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    r
}

/// An answer available now.
pub fn now(r: Response) -> Reply {
    Box::pin(async move { r })
}

/// The API's 401 for a missing or invalid key: problem details in this content type,
/// with these extra headers.
pub fn unauthorized(ct: &str, headers: &[(&str, &str)]) -> Reply {
    now(resp(
        401,
        Some(ct),
        &problem(401, "Unauthorized", "A valid API key is required.", "/x"),
        headers,
    ))
}

/// A problem-details JSON body.
pub fn problem(status: u16, title: &str, detail: &str, instance: &str) -> String {
    serde_json::json!({
        "type": "https://api2.saleslayer.com/errors/x",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    })
    .to_string()
}

pub use sl_doctor_checks::testing_support::cx_at;

/// Asserts that no piece of the canary is in the JSON form of `o`.
pub fn assert_no_leak<T: serde::Serialize>(o: &T) {
    sl_doctor_checks::testing_support::assert_no_leak(o, CANARY);
}
