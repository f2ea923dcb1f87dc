//! The network checks through real proxies, started by the tests on loopback (see
//! `support/real_proxies.rs`): squid (basic authentication through its NCSA helper, an
//! access rule that denies, a name only squid resolves), microsocks (SOCKS5 with and
//! without username/password) and dante (a rule that refuses). Each case gives the cause
//! the proxy itself names, with the real target, and the proxy password is in no outcome.

mod support;

use sl_doctor_checks::Check;
use sl_doctor_checks::checklist::base_url::dns_resolution::DnsResolution;
use sl_doctor_checks::checklist::base_url::proxy_config::ProxyConfig;
use sl_doctor_checks::checklist::base_url::tls_connection::TlsConnection;
use sl_doctor_checks::checklist::{CatalogProbe, DamProbe};
use sl_doctor_checks::context::Context;
use sl_doctor_checks::model::evidence::{Evidence, ProxyRefusal, RefusalReason};
use sl_doctor_checks::model::report::{Finding, Status};
use sl_doctor_checks::testing_support::{leaks, run_network_checks, run_through_runner};
use std::path::PathBuf;
use support::real_proxies::{PASSWORD, RealProxy, SquidRules, USER, dante, microsocks, squid};
use support::*;

/// A name no DNS knows: only squid's `hosts_file` resolves it.
const PROXY_ONLY: &str = "api.proxy-only.test";

/// A context for `base` through `proxy` given in `https_proxy`, trusting `ca`.
fn cx(base: &str, proxy: &str, ca: Option<PathBuf>) -> Context {
    let mut cx = cx_at(base, CANARY.as_bytes());
    cx.net.no_proxy = false;
    cx.net.proxy_env = vec![("https_proxy".into(), proxy.into())];
    cx.net.ca_cert = ca;
    cx
}

fn with_auth(p: &RealProxy, user: &str, pass: &str) -> String {
    format!("http://{user}:{pass}@{}", p.authority())
}

/// Asserts that neither the proxy password nor the key is in the outcomes or results,
/// their evidence included (in the `Debug` form).
fn no_secrets<T: serde::Serialize + std::fmt::Debug>(out: &[&T]) {
    for o in out {
        let text = format!("{} {o:?}", serde_json::to_string(o).unwrap());
        assert!(!text.contains(PASSWORD), "proxy password in {text}");
        assert!(!leaks(CANARY, &text), "a piece of the key in {text}");
    }
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

fn refusal(evidence: Option<&Evidence>) -> Option<&ProxyRefusal> {
    match evidence {
        Some(Evidence::Tls(t)) => t.proxy_refusal.as_ref(),
        _ => None,
    }
}

/// A `--ca-cert` file with this PEM.
fn ca_file(pem: &str, tag: &str) -> PathBuf {
    let p = sl_doctor_checks::testing_support::scratch_dir().join(format!("real-proxy-{tag}.pem"));
    std::fs::write(&p, pem).unwrap();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_only_squid_resolves_is_information_and_everything_goes_through_it() {
    let Some(sq) = squid(&SquidRules {
        auth: true,
        deny: &[],
        hosts: &[PROXY_ONLY],
    }) else {
        return;
    };
    let (srv, pem) = serve_tls_names(
        |_, _| now(resp(200, Some("application/json"), "{}", &[])),
        &[PROXY_ONLY],
    )
    .await;
    let ca = ca_file(&pem, "only");
    let base = format!("https://{PROXY_ONLY}:{}", srv.addr.port());
    let c = cx(&base, &with_auth(&sq, USER, PASSWORD), Some(ca.clone()));
    let [dns, config, tls, dam, catalog] = run_through_runner(
        [
            Box::new(DnsResolution),
            Box::new(ProxyConfig),
            Box::new(TlsConnection),
            Box::new(DamProbe),
            Box::new(CatalogProbe),
        ],
        &c,
    )
    .await;
    no_secrets(&[&dns, &config, &tls, &dam, &catalog]);

    // This machine cannot resolve the name; the proxy can, so that is not a failure.
    assert_eq!(dns.status, Status::Pass, "{dns:?}");
    assert_eq!(codes(&dns.findings), ["proxy-resolves"], "{dns:?}");
    assert!(
        dns.summary.contains(&format!("resolves {PROXY_ONLY}")),
        "{}",
        dns.summary
    );
    assert!(
        dns.details
            .iter()
            .any(|d| d.starts_with("route: through http://127.0.0.1:"))
    );
    assert_eq!(config.status, Status::Pass, "{config:?}");
    assert!(config.summary.contains("reachable"), "{}", config.summary);
    for o in [&tls, &dam, &catalog] {
        assert_eq!(o.status, Status::Pass, "{o:?}");
    }
    assert_eq!(srv.hits().len(), 2);
    // One tunnel for the whole run, and nothing in squid's log is an error: the
    // reachability of the proxy is read from that tunnel, not from a connection of its own.
    // squid logs a tunnel when it closes: when the run's connection is dropped.
    drop(c);
    let log = sq.wait_for_log("access.log", "TCP_TUNNEL");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(
        lines[0].contains("TCP_TUNNEL/200") && lines[0].contains(&format!("CONNECT {PROXY_ONLY}:")),
        "{log}"
    );
    assert!(!log.contains("error:"), "{log}");
    let _ = std::fs::remove_file(ca);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn squid_refusals_are_worded_from_squids_own_diagnosis() {
    let Some(sq) = squid(&SquidRules {
        auth: true,
        deny: &["blocked.test", "api2.saleslayer.com"],
        hosts: &[PROXY_ONLY],
    }) else {
        return;
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let right = with_auth(&sq, USER, PASSWORD);
    let wrong = with_auth(&sq, USER, "not-the-password");
    let bare = format!("http://{}", sq.authority());
    use RefusalReason::*;
    // (base URL, proxy URL, code, reason, squid's code, words in the message, in the fix, the network team's)
    let cases = [
        (
            "https://blocked.test",
            bare.as_str(),
            "proxy-refused-tunnel",
            Denied,
            "ERR_ACCESS_DENIED",
            "blocked.test:443",
            "allow CONNECT to blocked.test:443",
            true,
        ),
        (
            "https://api2.saleslayer.com",
            right.as_str(),
            "proxy-refused-tunnel",
            Denied,
            "ERR_ACCESS_DENIED",
            "its access rules deny it",
            "api2.saleslayer.com:443",
            true,
        ),
        (
            &*format!("https://{PROXY_ONLY}:{closed}"),
            bare.as_str(),
            "proxy-auth-required",
            AuthRequired,
            "ERR_CACHE_ACCESS_DENIED",
            "has no credentials",
            "user:password@127.0.0.1:",
            false,
        ),
        (
            &*format!("https://{PROXY_ONLY}:{closed}"),
            wrong.as_str(),
            "proxy-auth-required",
            CredentialsRejected,
            "ERR_CACHE_ACCESS_DENIED",
            "rejected the username and password",
            "Correct the username and password",
            false,
        ),
        (
            &*format!("https://{PROXY_ONLY}:{closed}"),
            right.as_str(),
            "proxy-refused-tunnel",
            UpstreamUnreachable,
            "ERR_CONNECT_FAIL",
            "connection refused",
            "Check the host and port in the base URL",
            false,
        ),
        (
            "https://api2.saleslayre.invalid",
            right.as_str(),
            "proxy-refused-tunnel",
            UpstreamUnresolved,
            "ERR_CANNOT_FORWARD",
            "found no address for api2.saleslayre.invalid",
            "Check the spelling",
            false,
        ),
    ];
    for (base, proxy, code, reason, squid_code, said, fix, theirs) in cases {
        let o = TlsConnection.run(&cx(base, proxy, None)).await.unwrap();
        no_secrets(&[&o]);
        assert_eq!(o.status(), Status::Fail, "{base}: {o:?}");
        assert_eq!(codes(&o.findings), [code], "{base} {proxy}: {o:?}");
        let f = &o.findings[0];
        let target = base.trim_start_matches("https://");
        let target = if target.contains(':') {
            target.to_string()
        } else {
            format!("{target}:443")
        };
        assert!(
            f.message.contains(&target) || f.message.contains(target.split(':').next().unwrap()),
            "{}",
            f.message
        );
        assert!(f.message.contains(said), "{said} in {}", f.message);
        assert!(
            f.message.contains(&format!("squid says {squid_code}")),
            "{}",
            f.message
        );
        let fixes = f.fix.as_deref().unwrap_or("");
        assert!(fixes.contains(fix), "{fix} in {fixes}");
        assert!(
            !fixes.contains("network administrator"),
            "the fix says what, not who: {fixes}"
        );
        let r = refusal(o.evidence.as_ref()).expect("the refusal is evidence");
        assert_eq!(
            (r.reason, r.proxy_error.as_deref()),
            (reason, Some(squid_code))
        );
        assert_eq!(r.target, target);
        assert_eq!(r.needs_network_team(), theirs, "{base}");
        assert!(r.server.as_deref().is_some_and(|s| s.starts_with("squid/")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microsocks_with_and_without_credentials() {
    let (Some(open), Some(locked)) = (microsocks(false), microsocks(true)) else {
        return;
    };
    let (srv, pem) = serve_tls(|_, _| now(resp(200, Some("application/json"), "{}", &[]))).await;
    let ca = ca_file(&pem, "socks");
    let base = format!("https://localhost:{}", srv.addr.port());
    let a = |p: &RealProxy, creds: &str| format!("socks5h://{creds}{}", p.authority());
    let pass = format!("{USER}:{PASSWORD}@");
    let cases = [
        (a(&open, ""), Status::Pass, None),
        (a(&locked, &pass), Status::Pass, None),
        (
            a(&locked, ""),
            Status::Fail,
            Some(("socks-auth-required", RefusalReason::AuthRequired)),
        ),
        (
            a(&locked, &format!("{USER}:wrong-one@")),
            Status::Fail,
            Some(("socks-auth-failed", RefusalReason::CredentialsRejected)),
        ),
    ];
    for (proxy, status, refused) in cases {
        let c = cx(&base, &proxy, Some(ca.clone()));
        let [tls, dam, catalog] = run_network_checks(&c).await;
        no_secrets(&[&tls, &dam, &catalog]);
        assert_eq!(tls.status, status, "{proxy}: {tls:?}");
        match refused {
            None => {
                assert!(
                    tls.details.iter().any(|d| d.contains("SOCKS5 CONNECT")),
                    "{tls:?}"
                );
                assert_eq!((dam.status, catalog.status), (Status::Pass, Status::Pass));
            }
            Some((code, reason)) => {
                assert_eq!(codes(&tls.findings), [code], "{tls:?}");
                assert_eq!(
                    refusal(tls.evidence.as_ref()).map(|r| r.reason),
                    Some(reason)
                );
                assert!(
                    !tls.findings[0]
                        .fix
                        .as_deref()
                        .unwrap()
                        .contains("administrator")
                );
            }
        }
    }
    let _ = std::fs::remove_file(ca);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dante_rule_and_a_name_dante_cannot_resolve() {
    let blocked = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blocked.local_addr().unwrap().port();
    let Some(d) = dante(port) else {
        return;
    };
    let proxy = format!("socks5h://{}", d.authority());
    for (base, code, reason, said) in [
        (
            format!("https://127.0.0.1:{port}"),
            "socks-failed",
            RefusalReason::Denied,
            format!("127.0.0.1:{port}: connection not allowed by the proxy's rules"),
        ),
        (
            "https://nowhere.invalid".to_string(),
            "socks-failed",
            RefusalReason::UpstreamUnreachable,
            "with socks5h:// the proxy resolves nowhere.invalid".to_string(),
        ),
    ] {
        let o = TlsConnection.run(&cx(&base, &proxy, None)).await.unwrap();
        assert_eq!(codes(&o.findings), [code], "{o:?}");
        assert!(
            o.findings[0].message.contains(&said),
            "{said} in {}",
            o.findings[0].message
        );
        assert_eq!(refusal(o.evidence.as_ref()).map(|r| r.reason), Some(reason));
    }
    drop(blocked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks5_resolves_here_so_a_name_only_the_proxy_knows_stays_a_failure() {
    let Some(open) = microsocks(false) else {
        return;
    };
    let c = cx(
        "https://api.only-the-proxy.invalid",
        &format!("socks5://{}", open.authority()),
        None,
    );
    let dns = DnsResolution.run(&c).await.unwrap();
    assert!(
        matches!(dns.status(), Status::Fail | Status::Error),
        "{dns:?}"
    );
    assert!(!codes(&dns.findings).contains(&"proxy-resolves"), "{dns:?}");
    assert!(
        dns.details
            .iter()
            .any(|d| d.contains("socks5h:// would let the proxy resolve")),
        "{dns:?}"
    );
    let mut h = cx(
        "https://api.only-the-proxy.invalid",
        &format!("socks5h://{}", open.authority()),
        None,
    );
    h.net.timeout = std::time::Duration::from_secs(2);
    let dns = DnsResolution.run(&h).await.unwrap();
    assert_eq!(
        (dns.status(), codes(&dns.findings)),
        (Status::Pass, vec!["proxy-resolves"]),
        "{dns:?}"
    );
}
