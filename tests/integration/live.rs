//! The live doctor end to end: the real binary against `sl-doctor mock` (HTTPS with a CA
//! generated at start) and against tiny loopback servers. Never the real API.

use crate::common::{CANARY, MockProcess, SlDoctor, assert_contains, assert_no_leak, sl_doctor};
use std::io::{Read, Write};

fn run_against(mock: &MockProcess, key: &str, extra: &[&str]) -> crate::common::Run {
    let ca = mock.ca_path.as_ref().expect("https mock");
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", key)
        .args([
            "--base-url",
            &mock.base_url,
            "--color",
            "never",
            "--timeout",
            "5",
        ])
        .args(["--ca-cert"])
        .args([ca])
        .args(extra)
        .run();
    assert_no_leak(CANARY, "stdout", &r.stdout);
    assert_no_leak(CANARY, "stderr", &r.stderr);
    r
}

#[test]
fn good_key_passes_both_probes() {
    let mock = MockProcess::start(&["--https", "--key", &format!("both:{CANARY}")]);
    let r = run_against(&mock, CANARY, &["-v"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "✔ The key works: DAM and Catalog accepted it.");
    assert_contains(&r.stdout, "✔ dam-probe");
    assert_contains(&r.stdout, "✔ catalog-probe");
}

#[test]
fn quoted_key_is_accepted_once_cleaned() {
    let mock = MockProcess::start(&["--https", "--key", &format!("both:{CANARY}")]);
    let r = run_against(&mock, &format!("\"{CANARY}\""), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let probes = &v["checklist"][4]["checks"];
    for p in probes.as_array().unwrap() {
        assert_eq!(p["status"], "fail");
        assert!(
            p["summary"]
                .as_str()
                .unwrap()
                .contains("accepted once the quotes are removed"),
            "{p}"
        );
    }
}

#[test]
fn no_differential_means_no_cleaned_probe() {
    let mock = MockProcess::start(&["--https", "--key", &format!("both:{CANARY}")]);
    let r = run_against(&mock, &format!("\"{CANARY}\""), &["--no-differential"]);
    assert_eq!(r.code, 1);
    assert!(
        !r.stdout.contains("accepted once the quotes are removed"),
        "{}",
        r.stdout
    );
}

#[test]
fn dam_only_key_gets_catalog_403_and_revoked_key_fails() {
    let other = "OtherKey0000+Zk/4mW2abcdefgh=";
    let mock = MockProcess::start(&[
        "--https",
        "--key",
        &format!("dam:{CANARY}"),
        "--key",
        &format!("revoked:{other}"),
    ]);
    let r = run_against(&mock, CANARY, &["-v"]);
    assert_contains(&r.stdout, "✔ dam-probe");
    assert_contains(&r.stdout, "403");
    assert_contains(&r.stdout, "✘ The key is not enabled for Catalog");
    let r = run_against(&mock, other, &["--api", "catalog", "-v"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("– dam-probe"),
        "dam not selected:\n{}",
        r.stdout
    );
    assert_contains(&r.stdout, "401");
}

/// A plain-HTTP server that answers every request with `status` until the test ends.
fn always(status: &'static str) -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let body = "{\"title\":\"Service Unavailable\"}";
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// sl-doctor with the canary key against this base URL.
fn canary_against(base: &str) -> SlDoctor {
    sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .args(["--base-url", base])
}

#[test]
fn server_errors_are_inconclusive_exit_3() {
    let port = always("503 Service Unavailable");
    let base = format!("http://127.0.0.1:{port}");
    let (r, _d) = canary_against(&base)
        .args(["--allow-http", "--timeout", "3"])
        .run();
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert_contains(&r.stdout, "verdict: inconclusive");
    assert_no_leak(CANARY, "stdout", &r.stdout);
}

#[test]
fn refused_connection_fails_fast_and_never_hangs() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("https://127.0.0.1:{port}");
    let (r, _d) = canary_against(&base)
        .args(["--timeout", "2", "--deadline", "10"])
        .run();
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "refused");
}

#[test]
fn demo_runs_the_whole_pipeline() {
    let (r, _d) = sl_doctor().args(["demo", "--color", "never"]).run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "accepted once the quotes are removed");
    assert_contains(&r.stdout, "The mock received 4 requests");
    let (r, _d) = sl_doctor().args(["demo", "--format", "json"]).run();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("demo JSON");
    assert_eq!(v["verdict"], "fail");
}

#[test]
fn live_runs_never_leak_the_key_whatever_its_defect() {
    let mock = MockProcess::start(&["--https", "--key", &format!("both:{CANARY}")]);
    let variants = [
        format!("{CANARY}\n"),
        format!("\"{CANARY}\""),
        format!(" {CANARY}\r\n"),
        CANARY.replacen("SLDOCTOR", "SLDOCTOR\u{200b}", 1),
        format!("Bearer {CANARY}"),
    ];
    for key in &variants {
        for format in ["human", "json"] {
            let r = run_against(&mock, key, &["--format", format, "--verbose"]);
            assert_eq!(r.code, 1, "{key:?} {format}: {}", r.stdout);
            assert!(
                r.stdout.contains("the key once") || r.stdout.contains("accepted once"),
                "{key:?}: {}",
                r.stdout
            );
        }
    }
}

/// The mock stops cleanly, removing its temporary CA directory, on SIGTERM and when its
/// stdin closes (how the suite's mocks end with the test process), as on Ctrl-C.
#[test]
fn the_mock_cleans_up_on_sigterm_and_when_its_stdin_closes() {
    for how in ["SIGTERM", "stdin closed"] {
        let mut mock = crate::common::start_mock(CANARY);
        let dir = mock
            .ca_path
            .clone()
            .unwrap()
            .parent()
            .unwrap()
            .to_path_buf();
        assert!(dir.exists(), "{how}: {}", dir.display());
        let status = match how {
            "SIGTERM" => mock.terminate(),
            _ => mock.close_stdin(),
        };
        assert!(status.is_some_and(|s| s.success()), "{how}: {status:?}");
        assert!(!dir.exists(), "{how}: {} is left behind", dir.display());
    }
}
