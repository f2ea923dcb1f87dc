//! The whole run through a real squid started on loopback: the diagnosis names the
//! proxy's refusal once, with who can fix it, the lower-case proxy variable wins as with
//! curl, and neither the proxy password nor the key is in any output format.

#[path = "../../checks/tests/support/real_proxies.rs"]
mod real_proxies;

use crate::common::{CANARY, Run, assert_no_leak, sl_doctor};
use real_proxies::{PASSWORD, RealProxy, SquidRules, USER, squid};

/// sl-doctor for the documented API host with these proxy variables, in `format`.
fn run(vars: &[(&str, String)], format: &str) -> Run {
    let mut cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY).args([
        "--color",
        "never",
        "--timeout",
        "5",
        "--format",
        format,
        "-v",
    ]);
    for (k, v) in vars {
        cmd = cmd.env(k, v);
    }
    let (r, _dir) = cmd.run();
    for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        assert_no_leak(CANARY, what, text);
        assert!(
            !text.contains(PASSWORD),
            "proxy password in {what}:\n{text}"
        );
        assert!(
            !text.contains("other-secret"),
            "proxy password in {what}:\n{text}"
        );
    }
    r
}

fn url(p: &RealProxy, user: &str, pass: &str) -> String {
    format!("http://{user}:{pass}@{}", p.authority())
}

#[test]
fn a_denial_is_one_cause_for_the_network_team_and_the_lower_case_variable_wins() {
    let Some(sq) = squid(&SquidRules {
        auth: true,
        deny: &["api2.saleslayer.com"],
        hosts: &[],
    }) else {
        return;
    };
    // Go would use HTTPS_PROXY (nothing listens there); curl, PHP, Python and Node, and
    // sl-doctor, use https_proxy.
    let vars = [
        ("https_proxy", url(&sq, USER, PASSWORD)),
        (
            "HTTPS_PROXY",
            "http://bob:other-secret@127.0.0.1:1".to_string(),
        ),
    ];
    let r = run(&vars, "human");
    assert_eq!(r.code, 1, "{}", r.stdout);
    let out = &r.stdout;
    assert!(
        out.contains("The proxy 127.0.0.1:")
            && out.contains("denies the tunnel to api2.saleslayer.com:443"),
        "{out}"
    );
    assert!(
        out.contains("answered 403 (ERR_ACCESS_DENIED) to `CONNECT api2.saleslayer.com:443`"),
        "{out}"
    );
    assert_eq!(
        out.matches("Only your network team can fix this").count(),
        1,
        "{out}"
    );
    assert!(!out.contains("You can fix this yourself"), "{out}");
    assert!(!out.contains("network administrator"), "{out}");
    assert!(out.contains("Go programs use HTTPS_PROXY"), "{out}");
    assert!(
        !out.contains("The API could not be reached"),
        "one cause, not two:\n{out}"
    );
    let json: serde_json::Value = serde_json::from_str(&run(&vars, "json").stdout).unwrap();
    let cause = &json["diagnosis"]["causes"][0];
    assert_eq!(cause["id"], "proxy-refused");
    assert_eq!(cause["fixed_by"], "network-team");
    for format in ["markdown", "github", "junit"] {
        assert_eq!(run(&vars, format).code, 1, "{format}");
    }
}

#[test]
fn rejected_proxy_credentials_are_yours_to_fix() {
    let Some(sq) = squid(&SquidRules {
        auth: true,
        deny: &[],
        hosts: &[],
    }) else {
        return;
    };
    let r = run(&[("https_proxy", url(&sq, USER, "other-secret"))], "human");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("rejected the proxy credentials"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("You can fix this yourself"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Correct the username and password in the proxy URL"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_unusable_proxy_flag_is_a_usage_error_that_hides_its_password() {
    // Nothing listens on port 9: a run that ignored the flag would still end, but not in 2.
    for bad in [
        "ftp://alice:s3cr3tPassw0rd!@127.0.0.1:39138",
        "http://alice:s3cr3tPassw0rd!@[::1",
    ] {
        for cmd in [&["--format", "json"][..], &["fix", "--yes"], &["support"]] {
            let (r, _dir) = sl_doctor()
                .env("SALESLAYER_API_KEY", CANARY)
                .args(cmd)
                .args(["--base-url", "https://127.0.0.1:9", "--proxy", bad])
                .run();
            let what = format!("{cmd:?} --proxy {bad}");
            assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
            assert!(
                r.stderr.contains("not a usable proxy URL") && r.stderr.contains("***@"),
                "{what}: {}",
                r.stderr
            );
            for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
                assert_no_leak(CANARY, stream, text);
                assert!(
                    !text.contains("s3cr3t"),
                    "{what}: password in {stream}:\n{text}"
                );
            }
        }
    }
}
