//! End-to-end runs of the offline doctor: exit codes, formats, colour, files, snapshots.

use crate::assert_report_snapshot;
use crate::common::{Run, SlDoctor, assert_contains, sl_doctor, stable};

/// sl-doctor with a well-formed key in SALESLAYER_API_KEY.
fn with_healthy_key() -> SlDoctor {
    sl_doctor().env("SALESLAYER_API_KEY", "aB3+xY/9zQ==")
}

/// An offline run with a well-formed key and these options.
fn offline_with_healthy_key(options: &[&str]) -> (Run, tempfile::TempDir) {
    with_healthy_key().arg("--offline").args(options).run()
}

#[test]
fn zero_width_space_is_named_and_located() {
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", "abc\u{200b}def")
        .args(["--offline"])
        .run();
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(&r.stdout, "U+200B ZERO WIDTH SPACE at character 4 of 7");
}

#[test]
fn healthy_key_passes_offline() {
    let (r, _d) = offline_with_healthy_key(&["--color", "never"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "verdict: pass");
}

#[test]
fn exit_codes_for_each_class() {
    // 1: no key at all.
    let (r, _d) = sl_doctor().args(["--offline"]).run();
    assert_eq!(r.code, 1);
    // 2: bad flag value, unknown flag, missing/dir/huge key file, missing --dotenv.
    let (r, _d) = sl_doctor().args(["--format", "yaml"]).run();
    assert_eq!(r.code, 2);
    let (r, _d) = sl_doctor().args(["--no-such-flag"]).run();
    assert_eq!(r.code, 2);
    let (r, _d) = sl_doctor()
        .args(["--offline", "--key-file", "missing.key"])
        .run();
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "missing.key: no such file");
    let (r, _d) = sl_doctor().args(["--offline", "--key-file", "."]).run();
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "is a directory");
    let cmd = sl_doctor();
    cmd.file("big.key", vec![b'a'; 70_000]);
    let (r, _d) = cmd.args(["--offline", "--key-file", "big.key"]).run();
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "too large");
    let (r, _d) = sl_doctor()
        .args(["--offline", "--dotenv", "nope.env"])
        .run();
    assert_eq!(r.code, 2);
    let (r, _d) = sl_doctor().args(["explain", "no-such-check"]).run();
    assert_eq!(r.code, 2);
    // 0 with a warning, 1 with --strict: a .env others can read warns (key-file-permissions;
    // a key kept in .env is information, not a warning).
    let cmd = sl_doctor();
    cmd.file(".env", "SALESLAYER_API_KEY=aB3+xY/9zQ==\n");
    let (r, _d) = cmd.args(["--offline"]).run();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "verdict: pass with warnings");
    let cmd = sl_doctor();
    cmd.file(".env", "SALESLAYER_API_KEY=aB3+xY/9zQ==\n");
    let (r, _d) = cmd.args(["--offline", "--strict"]).run();
    assert_eq!(r.code, 1);
    // It exits 1, so the verdict line says fail, not "pass with warnings".
    assert_contains(&r.stdout, "verdict: fail (strict: warnings count)");
}

#[test]
fn non_utf8_key_file_is_diagnosed_not_a_crash() {
    let cmd = sl_doctor();
    cmd.file("latin1.key", b"abc\xe9def");
    let (r, _d) = cmd.args(["--offline", "--key-file", "latin1.key"]).run();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "not valid UTF-8");
}

#[test]
fn json_goes_alone_to_stdout_and_output_file_gets_json() {
    let (r, _d) = offline_with_healthy_key(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("only JSON on stdout");
    assert_eq!(v["schema_version"], 1);
    assert!(r.stderr.is_empty(), "{}", r.stderr);

    let cmd = with_healthy_key();
    let out = cmd.path().join("report.json");
    let (r, _d) = cmd.args(["--offline", "--output", "report.json"]).run();
    assert!(
        r.stdout.contains("verdict:"),
        "human report on the terminal"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["verdict"], "pass");
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let key = ("SALESLAYER_API_KEY", "abc\u{200b}def");
    let (r, _d) = sl_doctor().env(key.0, key.1).args(["--offline"]).run();
    assert!(!r.stdout.contains('\x1b'), "not a terminal: no colour");
    let (r, _d) = sl_doctor()
        .env(key.0, key.1)
        .args(["--offline", "--color", "always"])
        .run();
    assert!(r.stdout.contains('\x1b'), "--color always paints");
    let (r, _d) = sl_doctor()
        .env(key.0, key.1)
        .env("NO_COLOR", "1")
        .args(["--offline", "--color", "never"])
        .run();
    assert!(!r.stdout.contains('\x1b'));
    let (r, _d) = sl_doctor()
        .env(key.0, key.1)
        .args(["--offline", "--ascii"])
        .run();
    assert!(
        r.stdout.is_ascii(),
        "--ascii output is ASCII:\n{}",
        r.stdout
    );
}

#[test]
fn checks_and_explain() {
    let (r, _d) = sl_doctor().args(["checks"]).run();
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("checks_list", r.stdout);
    let (r, _d) = sl_doctor().args(["explain", "hidden-characters"]).run();
    assert_eq!(r.code, 0);
    // Terminal text, not Markdown.
    assert!(r.stdout.contains("\nHow to fix. "), "{}", r.stdout);
    assert!(!r.stdout.contains("**") && !r.stdout.contains("```"));
    let (r, _d) = sl_doctor().args(["explain", "key-loaded"]).run();
    assert!(r.stdout.contains("hidden-characters"));
    // Without a topic: every kind of topic, exit 0 (not a bare usage error).
    let (r, _d) = sl_doctor().args(["explain"]).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    for kind in [
        "Checklist items",
        "Causes the diagnosis names",
        "key-rejected",
        "misspelt-key-header",
        "fix",
    ] {
        assert_contains(&r.stdout, kind);
    }
    // Causes and finding codes (of checks and of capture) are topics too.
    for (topic, says) in [
        ("key-rejected", "Who fixes it: Sales Layer support"),
        ("lookalike-unresolved", "may stand for another letter"),
        ("dotenv-quotes", "of the check quoted-value (warn)"),
        ("misspelt-key-header", "of sl-doctor capture"),
    ] {
        let (r, _d) = sl_doctor().args(["explain", topic]).run();
        assert_eq!(r.code, 0, "{topic}: {}", r.stderr);
        assert_contains(&r.stdout, says);
    }
    // A typo gets the close match.
    let (r, _d) = sl_doctor().args(["explain", "hidden-charaters"]).run();
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "Did you mean hidden-characters?");
}

/// A snapshot scenario: name, environment, extra arguments.
type Scenario<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);

/// Whole-run snapshots, human and JSON, for representative keys. The JSON snapshots hold
/// what went wrong (`assert_report_snapshot!`); the full list of checks is `checks_list`'s.
#[test]
fn snapshots_of_whole_runs() {
    let cases: &[Scenario] = &[
        ("healthy", &[("SALESLAYER_API_KEY", "aB3+xY/9zQ==")], &[]),
        ("no_key", &[("SL_API_KEY", "aB3+xY/9zQ==")], &[]),
        (
            "hidden_and_newline",
            &[("SALESLAYER_API_KEY", "abc\u{200b}def\n")],
            &[],
        ),
        (
            "quoted_legacy_url",
            &[("SALESLAYER_API_KEY", "\"aB3+xY/9zQ==\"")],
            &["--url", "http://api2.saleslayer.com/rest/Catalog/?=10"],
        ),
        (
            "placeholder_on_argv",
            &[],
            &[
                "--key",
                "YOUR_API_KEY",
                "--base-url",
                "https://api.saleslayer.com",
            ],
        ),
    ];
    for (name, env, args) in cases {
        for format in ["human", "json"] {
            let mut cmd = sl_doctor()
                .args(["--offline", "--color", "never", "--format", format])
                .args(*args);
            for (k, v) in *env {
                cmd = cmd.env(k, v);
            }
            let (r, d) = cmd.run();
            if format == "json" {
                assert_report_snapshot!(format!("run_{name}_json"), &r.stdout);
            } else {
                insta::assert_snapshot!(format!("run_{name}_human"), stable(&r.stdout, d.path()));
            }
        }
    }
}

#[test]
fn help_documents_exit_codes() {
    let (r, _d) = sl_doctor().args(["--help"]).run();
    assert_eq!(r.code, 0);
    for line in [
        "0  nothing failed",
        "1  a key or configuration problem",
        "2  usage or input error",
        "3  inconclusive",
    ] {
        assert!(r.stdout.contains(line), "--help lacks {line:?}");
    }
}

/// A misspelt key name in `.env`: the no-key cause's fix names the file, the line, the name
/// found and the name expected (as it does for a misspelt environment variable), and the
/// value is in no output.
#[test]
fn a_misspelt_name_in_dotenv_is_the_no_key_fix() {
    let key = sl_doctor_checks::testing_support::TEST_CANARY;
    let cmd = sl_doctor().args(["--offline", "--color", "never"]);
    cmd.file(".env", format!("A=1\nSALESLAYER_APIKEY={key}\n"));
    let (r, _d) = cmd.run();
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(
        &r.stdout,
        "fix   Rename SALESLAYER_APIKEY to SALESLAYER_API_KEY on .env line 2 \
         (SALESLAYER_API_KEY=…), or run with --key-env SALESLAYER_APIKEY",
    );
    sl_doctor_checks::testing_support::assert_output_safe(
        key,
        "stdout",
        &r.stdout,
        Default::default(),
    );
}
