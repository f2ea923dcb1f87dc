//! A user trial of the release binary, run again on the real binary against
//! `sl-doctor mock --https`: each case must open with the cause a user acts on first.

use crate::common::{CANARY, assert_contains};
use crate::second_look::against_mock;
use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};

/// The canary with its last letter before the padding changed: a key the mock rejects.
fn stale() -> String {
    CANARY.replace("W2=", "W3=")
}

/// Snapshot settings: the mock's port and the version made stable.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"localhost:\d+", "localhost:[PORT]");
    s.add_filter(&env!("CARGO_PKG_VERSION").replace('.', r"\."), "[VERSION]");
    s
}

/// The first cause of a human view (numbered or not) reads `title`.
#[track_caller]
fn assert_first_cause(stdout: &str, title: &str) {
    let first = stdout
        .lines()
        .find(|l| l.starts_with('✘'))
        .unwrap_or_default();
    let rest = first.trim_start_matches("✘ ").trim_start_matches("1. ");
    assert_eq!(rest, title, "{stdout}");
}

#[test]
fn a_stale_key_in_dotenv_beside_the_environment_leads_with_the_stale_copy() {
    let dotenv = format!("SALESLAYER_API_KEY={}\n", stale());
    let r = against_mock(&[], Some(&dotenv), Some(CANARY));
    for key in [CANARY.to_string(), stale()] {
        assert_output_safe(&key, "stale .env", &r.stdout, OutputRules::default());
    }
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(
        &r.stdout,
        "\n✘ The .env file .env:1 holds a stale key, not the one in the environment variable SALESLAYER_API_KEY\n",
    );
    assert_contains(
        &r.stdout,
        "proof DAM and Catalog reject the key in the .env file .env:1",
    );
    // One cause, not one per API.
    assert!(!r.stdout.contains("✘ 2."), "{}", r.stdout);
    settings().bind(|| insta::assert_snapshot!(r.stdout));
}

#[test]
fn a_hidden_character_and_an_inline_comment_lead_with_the_damaged_value() {
    let (head, tail) = CANARY.split_at(8);
    let damaged = format!("{head}\u{200b}{tail}");
    let dotenv = format!("SALESLAYER_API_KEY={damaged} # prod\n");
    let r = against_mock(&[], Some(&dotenv), None);
    assert_output_safe(
        &damaged,
        "hidden + comment",
        &r.stdout,
        OutputRules::default(),
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(&r.stdout, "\n✘ 1. The key contains invisible characters\n");
    assert_contains(
        &r.stdout,
        "\n⚠ 2. The readers of the key disagree: docker run --env-file, kubectl --from-env-file and systemd EnvironmentFile= (.env line 1) deliver the key with 7 more characters after it, the others not\n",
    );
    // The check list and the diagnosis agree: the disagreement warns in both, and the
    // count says so.
    assert_contains(
        &r.stdout,
        "\n    ⚠ readers-agree: The readers of the key disagree",
    );
    assert!(!r.stdout.contains("✘ readers-agree"), "{}", r.stdout);
    settings().bind(|| insta::assert_snapshot!(r.stdout));
}

/// A `-v` run's DNS, TLS and probe checks were all skipped: nothing was sent to the host.
fn assert_nothing_sent(stdout: &str) {
    for id in [
        "dns-resolution",
        "tls-connection",
        "dam-probe",
        "catalog-probe",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("– {id} ")))
            .unwrap_or_else(|| panic!("{id} not skipped:\n{stdout}"));
        assert!(line.contains("Skipped"), "{line}");
    }
}

#[test]
fn the_key_pasted_as_the_base_url_leads_and_nothing_is_sent_to_it() {
    // The key as given, and pieces of it as a host writes them: lower case, or its start
    // before a domain (trial 32: these were looked up in DNS).
    let piece = &CANARY[..18];
    for base in [
        CANARY.to_string(),
        format!("https://{CANARY}"),
        format!("https://{}", CANARY.to_ascii_lowercase()),
        format!("https://{piece}.example"),
    ] {
        let r = crate::common::sl_doctor()
            .env("SALESLAYER_API_KEY", CANARY)
            .args(["--base-url", &base, "--no-proxy", "--color", "never", "-v"])
            .run()
            .0;
        for out in [&r.stdout, &r.stderr] {
            assert_output_safe(CANARY, &base, out, OutputRules::default());
        }
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert_first_cause(&r.stdout, "The API key is pasted as the base URL");
        assert_contains(
            &r.stdout,
            "fix   Use https://api2.saleslayer.com as the base URL",
        );
        // No DNS query, connection or probe went to the key.
        assert_nothing_sent(&r.stdout);
    }
}

#[test]
fn another_key_pasted_as_the_base_url_is_shown_redacted_and_not_resolved() {
    // Not the key sl-doctor uses (that one is in the environment), but shaped like one:
    // often the key meant for SALESLAYER_API_KEY, pasted into the base URL's variable.
    let other = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr";
    for base in [other.to_string(), format!("https://{other}/")] {
        let r = crate::common::sl_doctor()
            .env("SALESLAYER_API_KEY", CANARY)
            .env("SALESLAYER_BASE_URL", &base)
            .args(["--no-proxy", "--color", "never", "-v"])
            .run()
            .0;
        for out in [&r.stdout, &r.stderr] {
            assert_output_safe(CANARY, &base, out, OutputRules::default());
            assert_output_safe(other, &base, out, OutputRules::default());
        }
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert_first_cause(
            &r.stdout,
            "The base URL looks like an API key, not the API's address",
        );
        let target = r
            .stdout
            .lines()
            .find(|l| l.starts_with("target  "))
            .unwrap();
        assert!(target.contains("[redacted]"), "{target}");
        assert_nothing_sent(&r.stdout);
    }
}

#[test]
fn an_empty_key_is_one_cause_and_no_probe_is_sent() {
    let r = against_mock(&[], None, Some(""));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_first_cause(
        &r.stdout,
        "The key is empty: the X-API-KEY header would be empty",
    );
    assert_contains(&r.stdout, "– 5. works-in-curl");
    // Two checks say the value is empty, each tagged with the one cause, and the count
    // says they are one cause (not two problems); the base URL is still reached.
    assert_contains(&r.stdout, "verdict: fail · 1 cause · 2 failed");
    assert_contains(
        &r.stdout,
        "    ✘ header-value: The value is empty (0 characters): the request would carry an empty X-API-KEY header, which the API rejects with 401 (the cause above)\n",
    );
    assert_contains(
        &r.stdout,
        "    ✘ extra-whitespace: The value is empty (0 characters) (the cause above)\n",
    );
    assert_contains(&r.stdout, "✔ 1. base-url");
    let report: serde_json::Value =
        serde_json::from_str(&against_mock(&["--format", "json"], None, Some("")).stdout).unwrap();
    let causes: Vec<&str> = report["diagnosis"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(causes, ["key-empty"]);
    for id in ["dam-probe", "catalog-probe"] {
        let c = report["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| i["checks"].as_array().unwrap())
            .find(|c| c["id"] == id)
            .unwrap();
        assert_eq!(c["status"], "skip", "{c}");
        assert!(c.get("evidence").is_none_or(|e| e.is_null()), "{c}");
    }

    // Beside a .env line with the key (which the empty variable overrides), the probes
    // run: that value's answer tells. The empty value is still the one cause.
    let dotenv = format!("SALESLAYER_API_KEY={CANARY}\n");
    let r = against_mock(&[], Some(&dotenv), Some(""));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_first_cause(
        &r.stdout,
        "The key is empty: the X-API-KEY header would be empty",
    );
    assert!(!r.stdout.contains("stale key"), "{}", r.stdout);
}

/// A piece of the key as the base URL's host: URL parsers write a host in lower case, and
/// that spelling is a leak too (no output may show it).
#[test]
fn a_piece_of_the_key_as_the_host_is_not_shown_in_lower_case() {
    let piece = &CANARY[..18];
    assert!(
        piece.bytes().all(|b| b.is_ascii_alphanumeric()),
        "a host label"
    );
    let base = format!("https://{piece}.example");
    let lower = piece.to_ascii_lowercase();
    for format in ["human", "json"] {
        let (r, _dir) = crate::common::sl_doctor()
            .env("SALESLAYER_API_KEY", CANARY)
            .args([
                "--offline",
                "-v",
                "--base-url",
                base.as_str(),
                "--format",
                format,
            ])
            .run();
        for text in [&r.stdout, &r.stderr] {
            assert!(!text.contains(&lower[..8]), "{format}: {text}");
            assert_output_safe(CANARY, format, text, OutputRules::default());
        }
        assert_contains(&r.stdout, "[redacted]");
    }
}

/// The stale key in the environment, the valid one in `.env`: the probes say the value
/// used is stale, never that the key is invalid and support must issue a new one (trial 32).
#[test]
fn a_stale_key_in_the_environment_is_not_sent_to_support() {
    let dotenv = format!("SALESLAYER_API_KEY={CANARY}\n");
    // With a trailing space, so that the repaired value is tried (and rejected) too.
    let stale = format!("{} ", stale());
    let r = against_mock(&["-v"], Some(&dotenv), Some(&stale));
    for key in [CANARY, stale.trim_end()] {
        assert_output_safe(key, "stale environment", &r.stdout, OutputRules::default());
    }
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        !r.stdout.contains("ask support for a new key"),
        "{}",
        r.stdout
    );
    assert_contains(&r.stdout, "another reader's value is accepted");
    // The other readers' answer: one heading per probe that names them, its lines indented
    // under it (each line repeated the long list of readers).
    let headings = r
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("as delivered by "))
        .count();
    assert_eq!(headings, 2, "{}", r.stdout);
    assert!(
        !r.stdout.contains("delivers it: "),
        "a reader's name before each line:\n{}",
        r.stdout
    );
    assert_contains(&r.stdout, "\n          status: HTTP/2.0 200 OK\n");
    // The readers agree on the .env's value, which is another key, not the key damaged.
    assert_contains(
        &r.stdout,
        "a value other than the one sl-doctor uses (27 characters",
    );
}
