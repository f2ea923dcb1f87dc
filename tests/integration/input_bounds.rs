//! Hostile input that is not the network: FIFOs, `/dev/stdin`, symbolic links and huge
//! files where the key or a `.env` is expected; files the tool creates; usage errors
//! that would echo the key; unrelated secrets near the key's variable. Every run ends
//! inside its `--deadline` (a generous outer limit kills a run that hangs, so a
//! regression fails instead of hanging); no timing is asserted.

#![cfg(unix)]

use crate::common::{
    CANARY, Run, assert_contains, assert_no_leak, sl_doctor, support_offline, wait_within,
};
use sl_doctor_checks::model::secret::Fingerprint;
use sl_doctor_checks::testing_support::write_file;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Far above the 3 s deadline of these runs: only a hang reaches it.
const LIMIT: Duration = Duration::from_secs(60);

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn all(r: &Run) -> String {
    format!("{}\n{}", r.stdout, r.stderr)
}

#[test]
fn a_fifo_named_env_is_reported_not_read() {
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    mkfifo(&cmd.path().join(".env"));
    let (r, _d) = cmd.args(["--offline", "--deadline", "3"]).run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(
        &r.stderr,
        ".env: is a FIFO (named pipe), not a regular file",
    );
}

#[test]
fn a_fifo_env_sibling_and_a_link_out_are_not_read() {
    let outside = tempfile::tempdir().unwrap();
    let elsewhere = write_file(
        outside.path(),
        "secrets.env",
        format!("SALESLAYER_API_KEY={CANARY}\n"),
    );
    let cmd = sl_doctor();
    cmd.file(".env", format!("SALESLAYER_API_KEY={CANARY}\n"));
    cmd.file(".env.production", format!("SALESLAYER_API_KEY={CANARY}\n"));
    mkfifo(&cmd.path().join(".env.development"));
    std::os::unix::fs::symlink(&elsewhere, cmd.path().join(".env.staging")).unwrap();
    let (r, _d) = cmd
        .args(["--offline", "--deadline", "3", "-vv"])
        .run_within(LIMIT);
    assert_eq!(r.code, 0, "{}", all(&r));
    assert_contains(
        &r.stdout,
        ".env.development: is a FIFO (named pipe), not a regular file",
    );
    assert_contains(
        &r.stdout,
        ".env.staging is a symbolic link out of its directory; not followed",
    );
    // Followed, the link would put the same key in staging and production.
    assert!(!r.stdout.contains("same key"), "{}", r.stdout);
    assert_no_leak(CANARY, "output", &all(&r));
}

#[test]
fn a_key_file_fifo_without_writer_ends_at_the_deadline() {
    let cmd = sl_doctor();
    mkfifo(&cmd.path().join("key.fifo"));
    let (r, _d) = cmd
        .args(["--offline", "--deadline", "3", "--key-file", "key.fifo"])
        .run_within(LIMIT);
    assert_eq!(r.code, 3, "{}", all(&r));
    assert_contains(&r.stderr, "deadline of 3 s reached");
}

#[test]
fn dev_stdin_and_key_stdin_with_nothing_written_end_at_the_deadline() {
    for args in [
        &["--offline", "--deadline", "3", "--key-file", "/dev/stdin"][..],
        &["--offline", "--deadline", "3", "--key-stdin"][..],
        &["support", "--offline", "--deadline", "3", "--key-stdin"][..],
    ] {
        let (r, _d) = sl_doctor().args(args).run_with_silent_stdin(LIMIT);
        assert_eq!(r.code, 3, "{args:?}: {}", all(&r));
        assert_contains(&r.stderr, "deadline of 3 s reached");
    }
}

#[test]
fn huge_files_are_refused_without_reading_them() {
    let cmd = sl_doctor();
    cmd.file(".env", vec![b'#'; 2 * 1024 * 1024]);
    let (r, _d) = cmd.args(["--offline", "--deadline", "3"]).run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "is too large (limit 1048576 bytes)");

    let cmd = sl_doctor();
    cmd.file("big.key", vec![b'a'; 100 * 1024]);
    let (r, _d) = cmd
        .args([
            "--offline",
            "--deadline",
            "3",
            "--no-dotenv",
            "--key-file",
            "big.key",
        ])
        .run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "is too large (limit 65536 bytes)");
}

#[test]
fn a_process_substitution_key_file_still_works() {
    let script =
        r#""$0" --offline --deadline 3 --no-dotenv --format json --key-file <(printf %s "$1")"#;
    let tmp = tempfile::tempdir().unwrap();
    let mut bash = Command::new("bash");
    bash.args(["-c", script, env!("CARGO_BIN_EXE_sl-doctor"), CANARY]);
    let child = spawn_in(bash, tmp.path(), Stdio::null());
    let r = wait_within(child, LIMIT);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    assert_eq!(v["key"]["source"]["kind"], "file", "{}", r.stdout);
    assert_eq!(
        v["key"]["fingerprint"],
        Fingerprint::of(CANARY.as_bytes()).to_string()
    );
    assert_no_leak(CANARY, "output", &all(&r));
}

#[test]
fn output_is_private_and_not_written_through_a_link() {
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    let victim = cmd.file("victim.txt", "precious");
    std::os::unix::fs::symlink(&victim, cmd.path().join("report.json")).unwrap();
    let dir = cmd.path().to_path_buf();
    let (r, _d) = cmd.args(["--offline", "--output", "report.json"]).run();
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "symbolic link");
    assert_contains(&r.stderr, "--force");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    let (r, _d2) = sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .args(["--offline", "--force", "--output"])
        .arg(dir.join("report.json"))
        .run();
    assert_eq!(r.code, 0, "{}", all(&r));
    assert!(
        std::fs::read_to_string(&victim)
            .unwrap()
            .contains("schema_version")
    );

    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    let (r, d) = cmd.args(["--offline", "--output", "fresh.json"]).run();
    assert_eq!(r.code, 0, "{}", all(&r));
    assert_eq!(mode(&d.path().join("fresh.json")), 0o600);
}

#[test]
fn the_bundle_is_private_and_planted_links_are_not_followed() {
    let (r, d) = support_offline("new/bundle");
    assert_eq!(r.code, 0, "{}", all(&r));
    let bundle = d.path().join("new/bundle");
    assert_eq!(mode(&bundle), 0o700);
    for f in ["report.json", "bundle.json", "email.txt"] {
        assert_eq!(mode(&bundle.join(f)), 0o600, "{f}");
    }

    // A directory with a planted link in place of report.json.
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    let victim = cmd.file("victim.txt", "precious");
    std::fs::create_dir(cmd.path().join("b")).unwrap();
    std::os::unix::fs::symlink(&victim, cmd.path().join("b/report.json")).unwrap();
    let (r, _d) = cmd
        .args(["support", "--offline", "--force", "--output", "b"])
        .run();
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "report.json: it is a symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    // The bundle directory itself a link: refused without --force.
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    std::fs::create_dir(cmd.path().join("real")).unwrap();
    std::os::unix::fs::symlink(cmd.path().join("real"), cmd.path().join("b")).unwrap();
    let (r, d) = cmd.args(["support", "--offline", "--output", "b"]).run();
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "--force");
    assert!(!d.path().join("real/report.json").exists());
}

#[test]
fn usage_errors_do_not_echo_a_key() {
    let key = "q7Rk2pLx9Vw3Zt8Nb5Hs1Jd6Fg4Cm0Ya+/=";
    // (arguments, what the error must still say)
    let cases: [(&[&str], &str); 7] = [
        (&[key], "unrecognized subcommand"),
        (&["check", key], "unexpected argument"),
        (&["scan", key], "no such file"),
        (&["explain", key], "no check or checklist item"),
        (&["view", key], "cannot read"),
        (
            &["--offline", "--select", key],
            "no check or checklist item",
        ),
        (&["--kye", key], "unexpected argument"),
    ];
    for (args, problem) in cases {
        let (r, _d) = sl_doctor().args(args).run();
        assert_eq!(r.code, 2, "{args:?}: {}", all(&r));
        assert_no_leak(key, &format!("{args:?}"), &all(&r));
        assert_contains(&r.stderr, problem);
        if r.stderr.contains("sha256:") {
            assert_contains(&r.stderr, "looks like a key (sha256:");
        } else {
            // clap stops at `--kye` and does not print the value at all.
            assert_eq!(args[0], "--kye");
        }
    }
    // The configured key, even when it does not look like one, is not echoed either.
    let plain = "justlettersandnothingelse";
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", plain)
        .args(["check", plain])
        .run();
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_no_leak(plain, "configured key", &all(&r));
    assert_contains(&r.stderr, "unexpected argument");
}

#[test]
fn unrelated_secrets_are_not_near_misses() {
    let slack = "xoxb-1234567890-unrelated-slack-secret";
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .env("SLACK_BOT_TOKEN", slack)
        .env("SALESLAYER_APIKEY", "another-key-value-0123456789")
        .args(["--offline", "--format", "json"])
        .run();
    assert!(!all(&r).contains("SLACK"), "{}", r.stdout);
    assert!(
        !r.stdout
            .contains(&Fingerprint::of(slack.as_bytes()).to_string()),
        "{}",
        r.stdout
    );
    assert_contains(&r.stdout, "SALESLAYER_APIKEY");
    assert_no_leak(slack, "output", &all(&r));
}

/// `--key-stdin` on a terminal (a pseudo-terminal from util-linux `script`): a prompt,
/// nothing echoed, and the Enter not part of the key.
#[test]
#[cfg(target_os = "linux")]
fn key_stdin_on_a_terminal_prompts_without_echo() {
    let tmp = tempfile::tempdir().unwrap();
    // Type only once the prompt is shown: echo is off by then.
    let Some(text) = crate::common::in_terminal(
        tmp.path(),
        "--key-stdin --offline --no-dotenv --format json --color never",
        "typing is not shown",
        // The prompt is written just before echo is turned off: a person cannot type in
        // between, a test can, so it waits a moment as a person would.
        || std::thread::sleep(std::time::Duration::from_millis(300)),
        &format!("{CANARY}\r"),
    ) else {
        return;
    };
    let json = &text[text.find('{').expect("a JSON report")..];
    let v: serde_json::Value = serde_json::from_str(json.trim()).expect(json);
    assert_eq!(v["key"]["source"]["kind"], "stdin");
    assert_eq!(
        v["key"]["fingerprint"],
        Fingerprint::of(CANARY.as_bytes()).to_string(),
        "the Enter is not part of the key"
    );
    assert_no_leak(CANARY, "terminal", &text);
}

/// Starts `cmd` with a clean environment (only PATH, and HOME = `dir`) in `dir`, with
/// this stdin and piped output.
fn spawn_in(mut cmd: Command, dir: &std::path::Path, stdin: Stdio) -> std::process::Child {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .current_dir(dir)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts")
}

/// Issue 20: a FIFO or a file of another user planted where sl-doctor writes (`--output`,
/// a bundle file, the step summary) or reads (`view`). Refused at once or bounded by the
/// deadline, named, nothing written into it.
#[test]
fn planted_fifos_and_foreign_files_are_neither_written_nor_waited_on() {
    // --output: a FIFO without a reader.
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    mkfifo(&cmd.path().join("report.json"));
    let (r, _d) = cmd
        .args(["--offline", "--deadline", "3", "--output", "report.json"])
        .run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "is a FIFO (named pipe), not a regular file");
    assert_no_leak(CANARY, "output", &all(&r));

    // --output: a world-writable file of another user (only root can plant one here).
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    let planted = cmd.file("report.json", "");
    let root =
        std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if root {
        std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
        std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
        let (r, _d) = cmd
            .args(["--offline", "--output", "report.json"])
            .run_within(LIMIT);
        assert_eq!(r.code, 2, "{}", all(&r));
        assert_contains(&r.stderr, "belongs to another user");
        assert_eq!(std::fs::read(&planted).unwrap(), b"");
    }

    // A bundle directory with a FIFO where report.json goes.
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    std::fs::create_dir(cmd.path().join("b")).unwrap();
    mkfifo(&cmd.path().join("b/report.json"));
    let (r, _d) = cmd
        .args(["support", "--offline", "--deadline", "3", "--output", "b"])
        .run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "report.json: it is a FIFO (named pipe)");

    // $GITHUB_STEP_SUMMARY a FIFO: a warning, and the diagnosis stands.
    let cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    let summary = cmd.path().join("summary.md");
    mkfifo(&summary);
    let (r, _d) = cmd
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--offline", "--deadline", "3"])
        .run_within(LIMIT);
    assert_eq!(r.code, 0, "{}", all(&r));
    assert_contains(&r.stderr, "cannot append the summary");

    // view: a FIFO without a writer is waited for until --deadline, then refused.
    let cmd = sl_doctor();
    mkfifo(&cmd.path().join("report.json"));
    let (r, _d) = cmd
        .args(["view", "report.json", "--deadline", "2"])
        .run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", all(&r));
    assert_contains(&r.stderr, "deadline of 2 s reached");
}
