//! `sl-doctor fingerprint`: the key's fingerprint and length from the usual sources or a
//! hidden prompt, and the comparison with a given fingerprint; never the key.

use crate::common::{CANARY, assert_contains, assert_no_leak, sl_doctor};
use sl_doctor_checks::model::secret::Fingerprint;

fn fp(key: &str) -> String {
    Fingerprint::of(key.as_bytes()).to_string()
}

/// Runs `fingerprint ARGS` with `env_key` in SALESLAYER_API_KEY and `dotenv` as ./.env;
/// asserts the key is in no output.
fn fingerprint(args: &[&str], env_key: Option<&str>, dotenv: Option<&str>) -> crate::common::Run {
    let mut cmd = sl_doctor();
    if let Some(k) = env_key {
        cmd = cmd.env("SALESLAYER_API_KEY", k);
    }
    if let Some(d) = dotenv {
        cmd.file(".env", d);
    }
    let (r, _d) = cmd.arg("fingerprint").args(args).run();
    assert_no_leak(CANARY, "fingerprint stdout", &r.stdout);
    assert_no_leak(CANARY, "fingerprint stderr", &r.stderr);
    r
}

#[test]
fn prints_the_fingerprint_and_length_of_the_key_in_use() {
    let r = fingerprint(&[], Some(CANARY), None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains(
        &r.stdout,
        "Key in use: environment variable SALESLAYER_API_KEY",
    );
    assert_contains(
        &r.stdout,
        &format!("{}, {} characters", fp(CANARY), CANARY.len()),
    );
    assert_contains(&r.stdout, "sl-doctor fingerprint sha256:");
    // Quoted with a space in .env: as stored and once cleaned, the other source named.
    let r = fingerprint(
        &[],
        Some("other"),
        Some(&format!("SALESLAYER_API_KEY=\"{CANARY} \"\n")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains(&r.stdout, "Also found, not used");
    assert_contains(
        &r.stdout,
        &format!("{} characters once cleaned", CANARY.len()),
    );
    assert_contains(&r.stdout, &fp(CANARY));
}

/// No key found, but a variable named like the key's is set: the error names it.
#[test]
fn no_key_names_a_near_miss_variable() {
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_APIKEY", CANARY)
        .arg("fingerprint")
        .run();
    assert_no_leak(CANARY, "fingerprint stderr", &r.stderr);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_contains(
        &r.stderr,
        "SALESLAYER_APIKEY is set: if it holds the key, run with --key-env SALESLAYER_APIKEY",
    );
}

/// A value with no key in it (empty, or only quotes) says so under its fingerprint.
#[test]
fn a_value_that_holds_no_key_says_so() {
    for value in ["\"\"", "' '"] {
        let r = fingerprint(&[], Some(value), None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_contains(&r.stdout, "this value holds no key");
        assert!(!r.stdout.contains("once cleaned"), "{}", r.stdout);
        assert!(!r.stdout.contains("To compare"), "{}", r.stdout);
    }
    let r = fingerprint(&[], Some(CANARY), None);
    assert!(!r.stdout.contains("holds no key"), "{}", r.stdout);
}

#[test]
fn compares_with_a_given_fingerprint() {
    let given = fp(CANARY);
    // `printf %s "$CANARY" | sha256sum`: the whole digest, as someone may paste it.
    let full = "b45407a7e39254808359c904c06ae75955401781df1908764c3f9880462000a1";
    assert!(given.ends_with(&full[..12]));
    let upper = given.to_uppercase();
    let key_space = format!("{CANARY} ");
    let dotenv = format!("SALESLAYER_API_KEY={CANARY}\n");
    // (env, .env, argument, exit code, what the last line says)
    type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a str, i32, &'a str);
    let cases: &[Case] = &[
        (Some(CANARY), None, &given, 0, "✔ Match: the key in use is"),
        (Some(CANARY), None, full, 0, "✔ Match"),
        (Some(CANARY), None, &upper, 0, "✔ Match"),
        (Some(&key_space), None, &given, 0, "⚠ Match once cleaned"),
        (Some("another-key"), None, &given, 1, "✘ No match"),
        (
            Some("another-key"),
            Some(&dotenv),
            &given,
            1,
            "but the .env file .env:1 holds it. The environment variable SALESLAYER_API_KEY is read first",
        ),
    ];
    for (env_key, dotenv, arg, code, says) in cases {
        let r = fingerprint(&[arg], *env_key, *dotenv);
        assert_eq!(r.code, *code, "{arg}: {}{}", r.stdout, r.stderr);
        assert_contains(&r.stdout, says);
    }
}

#[test]
fn usage_errors_never_show_the_argument_or_the_key() {
    // The key given where a fingerprint goes: refused, not shown back.
    let r = fingerprint(&[CANARY], Some(CANARY), None);
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "the argument is not a fingerprint");
    // No key anywhere (standard input is not a terminal: no prompt).
    let r = fingerprint(&[], None, None);
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "no key found");
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn a_terminal_asks_for_the_key_without_showing_it() {
    if !sl_doctor_checks::testing_support::require_tool("script", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(out) = crate::common::in_terminal(
        dir.path(),
        &format!("fingerprint {}", fp(CANARY)),
        "Enter to finish",
        || {},
        &format!("{CANARY}\n"),
    ) else {
        return;
    };
    assert_no_leak(CANARY, "fingerprint on a terminal", &out);
    assert_contains(&out, "No key found");
    assert_contains(&out, "Key in use: the key typed at the prompt");
    assert_contains(&out, "✔ Match");
}

/// `--format` is not an option of `fingerprint`: the error says so and where the JSON is,
/// instead of clap's tip to `--from` (whose usage line read as if `--from` were required).
#[test]
fn format_is_refused_with_a_pointer_to_the_json_report() {
    for (args, key) in [
        (&["--format", "json"][..], None),
        (&["--format"][..], None),
        (&["--format", "json"][..], Some(CANARY)),
    ] {
        let r = fingerprint(args, key, None);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert_contains(&r.stderr, "error: fingerprint has no --format");
        assert_contains(
            &r.stderr,
            "`sl-doctor --offline --format json` (key.fingerprint",
        );
        assert!(!r.stderr.contains("--from"), "{}", r.stderr);
    }
}

/// `sl-doctor fix` edits key files and `.env` lines only: for a key elsewhere (the
/// environment, a deployment file) the hint says `fix` tells where to change it.
#[test]
fn the_repair_hint_promises_an_edit_only_where_fix_edits() {
    let spaced = format!("{CANARY} ");
    let dotenv = (".env", format!("SALESLAYER_API_KEY=\"{spaced}\"\n"));
    let compose = (
        "compose.yaml",
        format!("services:\n  app:\n    environment:\n      SALESLAYER_API_KEY: \"{spaced}\"\n"),
    );
    let cases = [
        (None, Some(dotenv), "`sl-doctor fix` repairs it"),
        (
            Some(&spaced),
            None,
            "`sl-doctor fix` says where to change it",
        ),
        (
            None,
            Some(compose),
            "`sl-doctor fix` says where to change it",
        ),
    ];
    let given = fp(CANARY);
    for (env_key, file, want) in &cases {
        let run = |args: &[&str]| {
            let mut cmd = sl_doctor();
            if let Some(k) = env_key {
                cmd = cmd.env("SALESLAYER_API_KEY", k);
            }
            if let Some((name, body)) = file {
                cmd.file(name, body);
            }
            let (r, _d) = cmd.arg("fingerprint").args(args).run();
            assert_no_leak(CANARY, "fingerprint stdout", &r.stdout);
            assert_no_leak(CANARY, "fingerprint stderr", &r.stderr);
            r
        };
        // The listing's line about the cleaned value, and the comparison's verdict.
        let r = run(&[]);
        assert_contains(r.stdout.lines().nth(2).unwrap_or(""), want);
        let r = run(&[&given]);
        assert_contains(
            &r.stdout,
            &format!("Match once cleaned: the key in use is {given}"),
        );
        assert_contains(&r.stdout, &format!("{want}."));
    }
}
