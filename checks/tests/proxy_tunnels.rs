//! The shared connection through `socks5://`, `socks5h://` and `https://` proxies:
//! `tls-connection` passes through them, the probes share its connection (counted at the
//! proxy), the probes' own connections (`--fresh-connections`) go through the same proxy,
//! precise failures, and the proxy credentials appear in no output.

mod support;

use sl_doctor_checks::Check;
use sl_doctor_checks::checklist::base_url::tls_connection::TlsConnection;
use sl_doctor_checks::context::Context;
use sl_doctor_checks::model::report::{CheckResult, Finding, Status};
use sl_doctor_checks::testing_support::{probe_connects, run_network_checks};
use std::path::PathBuf;
use support::proxies::{Asked, https_proxy, socks5};
use support::*;

const PASSWORD: &str = "pr0xy-Secret-9";

fn cx(base: &str, proxy: &str, ca: PathBuf) -> Context {
    let mut cx = cx_at(base, CANARY.as_bytes());
    cx.net.no_proxy = false;
    cx.net.proxy = Some(proxy.into());
    cx.net.ca_cert = Some(ca);
    cx
}

/// [`run_network_checks`], also checking that the proxy password is in no result.
async fn run_three_no_password(cx: &Context) -> [CheckResult; 3] {
    let out = run_network_checks(cx).await;
    for o in &out {
        let text = format!("{} {o:?}", serde_json::to_string(o).unwrap());
        assert!(!text.contains(PASSWORD), "proxy password in {text}");
    }
    out
}

/// The test server, a `--ca-cert` file with its CA, and its base URL (by name, so that
/// `socks5h://` has a name to send).
async fn server() -> (Server, PathBuf, String) {
    let (srv, ca) = serve_tls(|_, _| now(resp(200, Some("application/json"), "{}", &[]))).await;
    let p = ca_file(&srv, &[&ca]);
    let base = format!("https://localhost:{}", srv.addr.port());
    (srv, p, base)
}

/// A `--ca-cert` file holding these PEM certificates.
fn ca_file(srv: &Server, pems: &[&str]) -> PathBuf {
    let p = sl_doctor_checks::testing_support::scratch_dir().join(format!(
        "tunnel-ca-{}-{}.pem",
        srv.addr.port(),
        pems.len()
    ));
    std::fs::write(&p, pems.join("\n")).unwrap();
    p
}

fn codes(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.code.clone()).collect()
}

#[tokio::test]
async fn socks5h_with_credentials_carries_the_shared_connection() {
    let (srv, ca, base) = server().await;
    let socks = socks5(Some(("alice", PASSWORD)), srv.addr).await;
    let proxy = format!("socks5h://alice:{PASSWORD}@{}", socks.addr);
    let out = run_three_no_password(&cx(&base, &proxy, ca.clone())).await;
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:?}");
    assert_eq!(
        socks.connections(),
        1,
        "one tunnel for the check and both probes"
    );
    assert_eq!(
        socks.asked(),
        [Asked::Domain("localhost".into(), srv.addr.port())]
    );
    assert_eq!(probe_connects(&out), [false, false]);
    assert!(out[0].details.iter().any(|d| d.contains("SOCKS5 CONNECT")));
    assert_eq!(srv.hits().len(), 2);
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn socks5_resolves_here_and_the_probes_own_connections_use_it_too() {
    let (srv, ca, base) = server().await;
    let socks = socks5(None, srv.addr).await;
    let mut c = cx(&base, &format!("socks5://{}", socks.addr), ca.clone());
    c.net.fresh_connections = true;
    let out = run_three_no_password(&c).await;
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:?}");
    // One tunnel per request: the probes' own client goes through the proxy as well.
    assert_eq!(socks.connections(), 3);
    let asked = socks.asked();
    assert_eq!(asked.len(), 3);
    assert!(
        asked
            .iter()
            .all(|a| matches!(a, Asked::Ip(ip, _) if ip.is_loopback())),
        "socks5:// sends an address: {asked:?}"
    );
    assert_eq!(probe_connects(&out), [true, true]);
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn a_wrong_socks_password_is_a_clear_failure() {
    let (srv, ca, base) = server().await;
    let socks = socks5(Some(("alice", "the-right-one")), srv.addr).await;
    let proxy = format!("socks5h://alice:{PASSWORD}@{}", socks.addr);
    let out = run_three_no_password(&cx(&base, &proxy, ca.clone())).await;
    assert_eq!(out[0].status, Status::Fail, "{:?}", out[0]);
    assert_eq!(codes(&out[0].findings), ["socks-auth-failed"]);
    assert!(
        out[0].summary.contains("rejected the credentials"),
        "{}",
        out[0].summary
    );
    for o in &out[1..] {
        assert_ne!(o.status, Status::Pass, "{o:?}");
    }
    assert!(srv.hits().is_empty());
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn a_socks_proxy_without_the_credentials_it_needs() {
    let (srv, ca, base) = server().await;
    let socks = socks5(Some(("alice", "pw")), srv.addr).await;
    let o = TlsConnection
        .run(&cx(&base, &format!("socks5h://{}", socks.addr), ca.clone()))
        .await
        .unwrap();
    assert_eq!(codes(&o.findings), ["socks-auth-required"], "{o:?}");
    let _ = std::fs::remove_file(ca);
}

#[tokio::test]
async fn https_proxy_tunnels_with_tls_to_the_proxy_then_to_the_api() {
    let (srv, srv_ca) = serve_tls(|_, _| now(resp(200, Some("application/json"), "{}", &[]))).await;
    let (proxy, proxy_ca) = https_proxy(srv.addr).await;
    // The same trust for both: the test server's CA and the proxy's, in --ca-cert.
    let ca_both = ca_file(&srv, &[&srv_ca, &proxy_ca]);
    let base = format!("https://localhost:{}", srv.addr.port());
    let url = format!("https://bob:{PASSWORD}@localhost:{}", proxy.addr.port());
    let out = run_three_no_password(&cx(&base, &url, ca_both.clone())).await;
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:?}");
    assert_eq!(proxy.connections(), 1);
    let asked = proxy.asked();
    assert_eq!(
        asked[0].line,
        format!("CONNECT localhost:{} HTTP/1.1", srv.addr.port())
    );
    assert!(
        asked[0]
            .auth
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic "))
    );
    assert!(out[0].details.iter().any(|d| d.contains("TLS + CONNECT")));
    // The probes' own connections go through it as well.
    let mut fresh = cx(&base, &url, ca_both.clone());
    fresh.net.fresh_connections = true;
    let out = run_three_no_password(&fresh).await;
    assert!(out.iter().all(|o| o.status == Status::Pass), "{out:?}");
    assert_eq!(proxy.connections(), 4);
    let _ = std::fs::remove_file(ca_both);
}

#[tokio::test]
async fn an_untrusted_https_proxy_is_reported_as_the_proxys_certificate() {
    let (srv, ca, base) = server().await;
    let (proxy, _) = https_proxy(srv.addr).await;
    let url = format!("https://localhost:{}", proxy.addr.port());
    let o = TlsConnection
        .run(&cx(&base, &url, ca.clone()))
        .await
        .unwrap();
    assert_eq!(o.status(), Status::Fail, "{o:?}");
    assert_eq!(codes(&o.findings), ["proxy-tls"]);
    assert!(o.findings[0].message.contains("unknown-issuer"), "{o:?}");
    assert!(srv.hits().is_empty() && proxy.asked().is_empty());
    let _ = std::fs::remove_file(ca);
}
