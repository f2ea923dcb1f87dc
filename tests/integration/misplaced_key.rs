//! The key pasted where a name or a path goes: `--key-env KEY` (also what the
//! GitHub Action's `key-env` input becomes), `--dotenv KEY`, `--key-file KEY`,
//! `--ca-cert KEY`, `--output KEY`. Every command that takes them refuses with exit 2,
//! names the mistake, describes the value by length and fingerprint only, writes no file
//! and prints no piece of it in any format or stream.

use crate::common::{CANARY, sl_doctor};
use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};

/// Every command that reads key flags, with its format variants.
const COMMANDS: &[&[&str]] = &[
    &["--offline"],
    &["--offline", "--format", "json"],
    &["--offline", "--format", "junit"],
    &["--offline", "--format", "github"],
    &["--offline", "--format", "markdown"],
    &["fix", "--offline", "--yes"],
    &["support", "--offline", "--anyway"],
    &["scan"],
    &["scan", "--format", "json"],
    &["curl"],
    &["capture", "--count", "1", "--timeout", "1"],
];

/// Where a name or path goes, and the words the refusal must use.
const MISPLACED: &[(&str, &str)] = &[
    ("--key-env", "not a variable name"),
    ("--dotenv", "not a path"),
    ("--key-file", "not a path"),
];

const LOG: OutputRules = OutputRules {
    tab: false,
    log: true,
    markdown: false,
};

#[test]
fn a_key_given_as_a_name_or_a_path_is_refused_and_never_shown() {
    // A key that is a valid shell variable name too (letters and digits only).
    for key in [CANARY, "abcdEFGH1234ijkl5678mnop"] {
        for (flag, words) in MISPLACED {
            for cmd in COMMANDS {
                let what = format!("{cmd:?} {flag}");
                let run = sl_doctor()
                    .env("GITHUB_ACTIONS", "true")
                    .args(*cmd)
                    .args([flag, key]);
                let summary = run.path().join("summary.md");
                let (r, dir) = run.env("GITHUB_STEP_SUMMARY", &summary).run();
                assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
                assert!(
                    r.stderr.contains(words) && r.stderr.contains("looks like a key"),
                    "{what}: {}",
                    r.stderr
                );
                assert!(
                    r.stderr.contains(" characters, sha256:"),
                    "{what}: {}",
                    r.stderr
                );
                assert_output_safe(key, &format!("{what} stdout"), &r.stdout, LOG);
                assert_output_safe(key, &format!("{what} stderr"), &r.stderr, LOG);
                // Nothing written: no summary, no bundle, no file named after the key.
                let names: Vec<String> = std::fs::read_dir(dir.path())
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect();
                assert!(names.is_empty(), "{what}: wrote {names:?}");
            }
        }
    }
}

#[test]
fn a_key_given_as_the_report_or_ca_path_is_refused() {
    for flag in ["--output", "--ca-cert"] {
        for cmd in [&["--offline"][..], &["support", "--offline", "--anyway"]] {
            let (r, dir) = sl_doctor()
                .env("SALESLAYER_API_KEY", "not-the-canary-but-a-key-value-1")
                .args(cmd)
                .args([flag, CANARY])
                .run();
            assert_eq!(r.code, 2, "{flag}: {}", r.stderr);
            assert!(
                r.stderr.contains("this looks like a key, not a path"),
                "{}",
                r.stderr
            );
            assert_output_safe(CANARY, flag, &r.stderr, LOG);
            assert_output_safe(CANARY, flag, &r.stdout, LOG);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{flag}");
        }
    }
}

/// A name that only looks like a key is a name when a variable of that name is set, and
/// ordinary names are never refused.
#[test]
fn names_that_are_set_or_ordinary_are_used() {
    let (r, _d) = sl_doctor()
        .env("abcdEFGH1234ijkl5678mnop", CANARY)
        .args(["--offline", "--key-env", "abcdEFGH1234ijkl5678mnop"])
        .run();
    assert_ne!(r.code, 2, "{}", r.stderr);
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY_PROD_2", CANARY)
        .args(["--offline", "--key-env", "SALESLAYER_API_KEY_PROD_2"])
        .run();
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stdout.contains("SALESLAYER_API_KEY_PROD_2"),
        "{}",
        r.stdout
    );
}

/// An empty `--key-env` (an unset Action input, a shell variable that expanded to nothing)
/// is a usage error that says so, not a run that names a variable called "" and proposes
/// bash's `_` as a near miss.
#[test]
fn an_empty_key_env_is_a_usage_error() {
    for cmd in [&["--offline", "-q"][..], &["curl"], &["fingerprint"]] {
        for name in ["", " "] {
            let (r, _d) = sl_doctor()
                .env("_", "/usr/bin/sl-doctor")
                .args(cmd)
                .args(["--key-env", name])
                .run();
            assert_eq!(r.code, 2, "{cmd:?} {name:?}: {}{}", r.stdout, r.stderr);
            assert!(
                r.stderr.contains("the variable name is empty"),
                "{cmd:?}: {}",
                r.stderr
            );
            assert!(!r.stdout.contains("--key-env _"), "{}", r.stdout);
        }
    }
}

/// An empty `--key` (`--key "$VAR"` with VAR unset) is a key, empty: the diagnosis says so
/// (exit 1), and the command line holds nothing secret, so nothing to rotate.
#[test]
fn an_empty_key_flag_is_an_empty_key_with_nothing_to_rotate() {
    for value in ["", "\"\""] {
        let (r, _d) = sl_doctor()
            .args([
                "--offline",
                "--no-dotenv",
                "--color",
                "never",
                "--key",
                value,
            ])
            .run();
        assert_eq!(r.code, 1, "{value:?}: {}{}", r.stdout, r.stderr);
        let first = r.stdout.lines().nth(4).unwrap_or_default();
        assert!(
            first.starts_with("✘ The key is empty"),
            "{value:?}: {}",
            r.stdout
        );
        assert!(r.stdout.contains("--key was given"), "{}", r.stdout);
        for never in ["rotate", "key-on-command-line", "new key"] {
            assert!(
                !r.stdout.contains(never),
                "{value:?}: {never}\n{}",
                r.stdout
            );
        }
    }
}
