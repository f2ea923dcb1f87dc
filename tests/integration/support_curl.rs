//! `sl-doctor support` (share-safe bundle and email) and `sl-doctor curl` (commands that
//! really work against the mock, and never contain the key).

use crate::common::{
    CANARY, assert_contains, assert_no_leak, sl_doctor, start_mock, strs, support_offline,
};
use std::path::Path;

/// An environment value that must never be copied anywhere.
const OTHER_SECRET: &str = "OTHERsecretVALUE9x8y7z";
/// A proxy password that must never be copied anywhere.
const PROXY_PASSWORD: &str = "PROXYpass5150word";

fn bundle_files(dir: &Path) -> Vec<(String, String)> {
    ["report.json", "bundle.json", "email.txt"]
        .iter()
        .map(|n| {
            let p = dir.join(n);
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("{} missing: {e}", p.display()));
            (n.to_string(), text)
        })
        .collect()
}

fn assert_share_safe(texts: &[(String, String)], home: &Path) {
    let home = home.display().to_string();
    for (what, text) in texts {
        for key in [CANARY, OTHER_SECRET, PROXY_PASSWORD] {
            assert_no_leak(key, what, text);
        }
        assert!(
            !text.contains(&home),
            "{what} contains the home directory {home}:\n{text}"
        );
    }
}

/// A support ticket is for what the user cannot fix alone: a damaged value gets its fix,
/// and no email, unless `--anyway`.
#[test]
fn support_says_the_fix_instead_of_drafting_an_email_for_a_self_fixable_cause() {
    let cmd = sl_doctor()
        .env("SALESLAYER_API_KEY", format!("\"{CANARY}\""))
        .env("CI", "true");
    let (r, d) = cmd.args(["support", "--offline"]).run();
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "no email: {}", r.stdout);
    // The whole self-fix: each cause with its fix, and `sl-doctor fix` for the value.
    for needle in [
        "No email to Sales Layer support is needed",
        "✘ The key is wrapped in quotes",
        "fix   ",
        "`sl-doctor fix`",
        "--anyway",
    ] {
        assert_contains(&r.stderr, needle);
    }
    assert!(
        !r.stderr.contains("below"),
        "nothing is below: {}",
        r.stderr
    );
    assert!(!d.path().join("sl-doctor-support").exists(), "no bundle");
    assert_no_leak(CANARY, "stderr", &r.stderr);
}

#[test]
fn support_bundle_and_email_are_share_safe_offline() {
    // The canary in a defective form, a proxy with a password, an unrelated secret, and
    // the run's directory inside the (fake) HOME.
    let cmd = sl_doctor()
        .env("SALESLAYER_API_KEY", format!(" {CANARY}\r\n"))
        .env(
            "HTTPS_PROXY",
            format!("http://ana:{PROXY_PASSWORD}@proxy.example:3128"),
        )
        .env("NO_PROXY", "localhost")
        .env("DEPLOY_TOKEN", OTHER_SECRET)
        .env("CI", "true");
    let home = cmd.path().to_path_buf();
    let (r, d) = cmd
        .args(["support", "--anyway", "--offline", "--account", "ACME Corp"])
        .args(["--environment", "staging", "--apis", "both"])
        .args([
            "--use-case",
            "Nightly product sync",
            "--contact",
            "Ana <ana@acme.example>",
        ])
        .run();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let files = bundle_files(&d.path().join("sl-doctor-support"));
    let mut all = files.clone();
    all.push(("stdout".into(), r.stdout.clone()));
    all.push(("stderr".into(), r.stderr.clone()));
    assert_share_safe(&all, &home);

    let email = &r.stdout;
    for needle in [
        "To: support@saleslayer.com",
        "Customer or account name: ACME Corp",
        "Environment: staging",
        "API areas needed: both (DAM and Catalog)",
        "Use case: Nightly product sync",
        "Technical contact: Ana <ana@acme.example>",
        "Please check our API key sha256:",
        "The key has extra whitespace",
    ] {
        assert!(email.contains(needle), "{needle:?} missing:\n{email}");
    }
    assert_eq!(&files[2].1, email, "email.txt is the printed email");
    assert!(
        r.stderr.contains("leave out the key"),
        "one line on what the bundle holds: {}",
        r.stderr
    );

    let bundle: serde_json::Value = serde_json::from_str(&files[1].1).unwrap();
    let proxies = strs(&bundle["proxy_variables_set"]);
    assert!(
        proxies.contains(&"HTTPS_PROXY") && proxies.contains(&"NO_PROXY"),
        "{proxies:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&files[0].1).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert!(
        report["tool"]["os"]
            .as_str()
            .unwrap()
            .contains(std::env::consts::OS)
    );
    // No file repeats another: bundle.json holds only what the report does not.
    let keys: Vec<&str> = bundle
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "bundle_version",
            "email",
            "left_out",
            "proxy_variables_set",
            "report"
        ]
    );
}

#[test]
fn support_in_ci_never_prompts_and_leaves_placeholders() {
    let (r, d) = support_offline("out/bundle");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Customer or account name: <customer or account name>")
    );
    assert!(
        r.stdout
            .contains("API areas needed: <DAM, Catalog, or both>")
    );
    assert!(d.path().join("out/bundle/report.json").exists());
    // The email names the attachments as the reader gets them: by file name.
    assert_contains(&r.stdout, "Attached: report.json (");
    assert!(!r.stdout.contains("out/bundle"), "{}", r.stdout);
    assert_contains(&r.stderr, "out/bundle/");
}

#[test]
fn support_against_the_mock_includes_request_ids() {
    let mock = start_mock(CANARY);
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    let home = cmd.path().to_path_buf();
    let (r, d) = cmd
        .args([
            "support",
            "--base-url",
            &mock.base_url,
            "--no-proxy",
            "--ca-cert",
        ])
        .arg(mock.ca_path.as_ref().unwrap())
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The mock is not Sales Layer's API: the draft is not addressed to Sales Layer.
    assert_contains(&r.stdout, "Subject: API key check (");
    assert_contains(&r.stdout, "To: <whoever runs https://localhost:");
    assert!(!r.stdout.contains("To: support@"), "{}", r.stdout);
    assert_contains(&r.stderr, "is not Sales Layer's API (a loopback host");
    // One line per probe: the request, its status, time and request id (nothing empty).
    for probe in ["- dam-probe (GET ", "- catalog-probe (GET "] {
        let line = r.stdout.lines().find(|l| l.starts_with(probe)).unwrap();
        assert!(
            line.contains("200 OK, ") && line.contains(" ms, x-request-id: "),
            "{line}"
        );
        assert!(!line.contains(": -"), "{line}");
    }
    // The request ids are in the report (the bundle holds no copy).
    let files = bundle_files(&d.path().join("sl-doctor-support"));
    assert!(files[0].1.contains("x-request-id"));
    assert!(!files[1].1.contains("x-request-id"));
    let mut all = files;
    all.push(("stdout".into(), r.stdout));
    assert_share_safe(&all, &home);
}

#[test]
fn curl_command_works_against_the_mock_and_never_holds_the_key() {
    let mock = start_mock(CANARY);
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    let postman = cmd.path().join("sl.postman_environment.json");
    let (r, d) = cmd
        .args([
            "curl",
            "--shell",
            "posix",
            "--base-url",
            &mock.base_url,
            "--ca-cert",
        ])
        .arg(mock.ca_path.as_ref().unwrap())
        .arg("--postman")
        .arg(&postman)
        .args([
            "--url",
            &format!("{}/dam/image?$top=1&apikey={CANARY}", mock.base_url),
        ])
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_leak(CANARY, "curl output", &r.stdout);
    assert!(
        r.stdout.contains("'$SALESLAYER_API_KEY'") || r.stdout.contains("${SALESLAYER_API_KEY")
    );
    assert_contains(&r.stdout, "/dam/image?$top=1'");
    let ca = sl_doctor_checks::shell::sh_quote_path(mock.ca_path.as_ref().unwrap());
    assert_contains(&r.stdout, &format!("--cacert {ca}"));
    let pm = std::fs::read_to_string(&postman).unwrap();
    assert_no_leak(CANARY, "postman", &pm);
    let v: serde_json::Value = serde_json::from_str(&pm).unwrap();
    assert_eq!(v["values"][0]["key"], "baseUrl");
    assert_eq!(v["values"][0]["value"], mock.base_url.as_str());
    assert_eq!(v["values"][1]["key"], "apiKey");
    assert_eq!(v["values"][1]["type"], "secret");
    assert_eq!(v["values"][1]["value"], "");

    // Only the two probes (the --url one carries a [redacted] query value).
    let probes: String = r.stdout.split("\n\n# your URL").next().unwrap().to_string();
    let run = |key: &str| {
        std::process::Command::new("bash")
            .args(["-c", &format!("set -e\n{probes}")])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SALESLAYER_API_KEY", key)
            .current_dir(d.path())
            .output()
            .expect("bash")
    };
    let ok = run(CANARY);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "curl against the mock: {out}\n{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(out.matches(" 200").count(), 2, "two 200 answers:\n{out}");
    let bad = run("not-the-key-at-all");
    assert!(!bad.status.success(), "a wrong key fails the command");

    // Unusable variable names are refused.
    let (r, _d) = sl_doctor().args(["curl", "--key-env", "SL-KEY"]).run();
    assert_eq!(r.code, 2);
}
