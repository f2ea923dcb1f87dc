//! The run's shared connection: `tls-connection` and both probes over one TLS connection
//! (HTTP/2), at most two over HTTP/1.1 (the second probe finds the first one's busy), one
//! per request with `--fresh-connections`, and each probe still reporting its own error
//! when the shared handshake fails. Connections are counted by a loopback TCP relay in
//! front of the test server.

mod support;

use sl_doctor_checks::Check;
use sl_doctor_checks::checklist::base_url::tls_connection::TlsConnection;
use sl_doctor_checks::checklist::works_in_curl::catalog_probe::CatalogProbe;
use sl_doctor_checks::checklist::works_in_curl::dam_probe::DamProbe;
use sl_doctor_checks::context::Context;
use sl_doctor_checks::model::report::{CheckResult, Evidence, Status};
use sl_doctor_checks::testing_support::{probe_connects, run_network_checks};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::*;

/// A TCP relay to `to` that counts the connections it accepts.
async fn counting_relay(to: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let n = Arc::new(AtomicUsize::new(0));
    let count = n.clone();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = l.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut up) = tokio::net::TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut c, &mut up).await;
                }
            });
        }
    });
    (addr, n)
}

fn cx(base: &str, ca: Option<std::path::PathBuf>) -> Context {
    let mut cx = cx_at(base, CANARY.as_bytes());
    cx.net.ca_cert = ca;
    cx
}

/// (handshake ms present, ALPN) of tls-connection; (connect ms present) of each probe's
/// first attempt.
fn timings(out: &[CheckResult; 3]) -> (bool, String, Vec<bool>) {
    let Some(Evidence::Tls(t)) = &out[0].evidence else {
        panic!("no TLS evidence: {:?}", out[0]);
    };
    (
        t.handshake_ms.is_some(),
        t.alpn.clone().unwrap_or_default(),
        probe_connects(out),
    )
}

async fn server(alpn: &[&[u8]]) -> (Server, std::path::PathBuf, SocketAddr, Arc<AtomicUsize>) {
    let (srv, ca) = serve_tls_alpn(
        |_, _| now(resp(200, Some("application/json"), r#"{"items":[]}"#, &[])),
        alpn,
    )
    .await;
    let p = sl_doctor_checks::testing_support::scratch_dir()
        .join(format!("shared-ca-{}.pem", srv.addr.port()));
    std::fs::write(&p, ca).unwrap();
    let (relay, n) = counting_relay(srv.addr).await;
    (srv, p, relay, n)
}

#[tokio::test]
async fn http2_serves_the_check_and_both_probes_on_one_connection() {
    let (srv, ca, relay, n) = server(&[b"h2", b"http/1.1"]).await;
    let out = run_network_checks(&cx(&format!("https://{relay}"), Some(ca.clone()))).await;
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:?}");
    assert_eq!(n.load(Ordering::SeqCst), 1, "one TCP+TLS connection in all");
    assert_eq!(srv.hits().len(), 2);
    let (handshake, alpn, probe_connects) = timings(&out);
    assert!(handshake, "the check keeps its own handshake timing");
    assert_eq!(alpn, "h2");
    assert_eq!(probe_connects, [false, false], "no connect: reused");
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn fresh_connections_opens_one_per_request() {
    let (srv, ca, relay, n) = server(&[b"h2", b"http/1.1"]).await;
    let mut c = cx(&format!("https://{relay}"), Some(ca.clone()));
    c.net.fresh_connections = true;
    let out = run_network_checks(&c).await;
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:?}");
    assert_eq!(n.load(Ordering::SeqCst), 3);
    assert_eq!(srv.hits().len(), 2);
    assert_eq!(
        timings(&out).2,
        [true, true],
        "each probe timed its connect"
    );
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn http1_reuses_the_connection_and_opens_a_second_only_when_busy() {
    let (srv, ca, relay, n) = server(&[b"http/1.1"]).await;
    let base = format!("https://{relay}");
    let out = run_network_checks(&cx(&base, Some(ca.clone()))).await;
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:?}");
    assert_eq!(timings(&out).1, "http/1.1");
    let opened = n.load(Ordering::SeqCst);
    assert!((1..=2).contains(&opened), "{opened} connections");
    // One after the other, keep-alive serves both probes on the check's connection.
    let c = cx(&base, Some(ca.clone()));
    let before = n.load(Ordering::SeqCst);
    TlsConnection.run(&c).await.unwrap();
    let d = DamProbe.run(&c).await.unwrap();
    let k = CatalogProbe.run(&c).await.unwrap();
    assert_eq!((d.status(), k.status()), (Status::Pass, Status::Pass));
    assert_eq!(n.load(Ordering::SeqCst) - before, 1);
    assert_eq!(srv.hits().len(), 4);
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn a_failed_shared_handshake_leaves_each_probe_its_own_error() {
    let (srv, ca, relay, _) = server(&[b"h2", b"http/1.1"]).await;
    // Without the test CA: the certificate is not trusted anywhere.
    let out = run_network_checks(&cx(&format!("https://{relay}"), None)).await;
    assert_eq!(out[0].status, Status::Fail, "{:?}", out[0]);
    for o in &out[1..] {
        assert_eq!(o.status, Status::Error, "{o:?}");
        assert!(o.findings.iter().any(|f| f.code == "tls-failed"), "{o:?}");
    }
    assert!(srv.hits().is_empty());
    let _ = std::fs::remove_file(ca);
}
