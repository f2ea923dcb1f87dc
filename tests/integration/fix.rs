//! `sl-doctor fix` end to end against `sl-doctor mock`: the written bytes (every other
//! byte unchanged), the redacted diff, the mode kept, the doctor passing on the result,
//! the refusals, and the key in no output but `--emit`'s standard output.

use crate::common::{
    CANARY, LOG, MockProcess, Run, SlDoctor, in_terminal, mock_net, sl_doctor, start_mock,
};
use sl_doctor_checks::testing_support::assert_output_safe;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The network options that point a run at the mock.
fn net(mock: &MockProcess) -> Vec<String> {
    mock_net(mock)
}

/// Runs, and asserts that neither stream holds a piece of the key.
fn run_safe(cmd: SlDoctor) -> (Run, tempfile::TempDir) {
    let (r, dir) = cmd.run();
    assert_output_safe(CANARY, "stdout", &r.stdout, LOG);
    assert_output_safe(CANARY, "stderr", &r.stderr, LOG);
    (r, dir)
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn with_file(cmd: SlDoctor, name: &str, bytes: &[u8]) -> SlDoctor {
    let p = cmd.file(name, bytes);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    cmd
}

/// A run that wrote nothing: exit 1, each phrase on standard output, `file` in `dir`
/// byte for byte as it was.
fn assert_refused(r: &Run, dir: &Path, file: &str, says: &[&str], was: &[u8]) {
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    for phrase in says {
        assert!(r.stdout.contains(phrase), "{phrase}: {}", r.stdout);
    }
    assert_eq!(std::fs::read(dir.join(file)).unwrap(), was);
}

#[test]
fn dotenv_variants_get_only_the_keys_line_rewritten_and_then_pass() {
    let mock = start_mock(CANARY);
    let k = CANARY;
    let line = format!("SALESLAYER_API_KEY={k}");
    // (case, file, written file, the diff's "before" line)
    let cases: Vec<(&str, String, String, &str)> = vec![
        (
            "double-quoted with a space",
            format!("A=1\nSALESLAYER_API_KEY=\"{k} \"\n# note\nB=2\n"),
            format!("A=1\n{line}\n# note\nB=2\n"),
            "- SALESLAYER_API_KEY=\"…27 chars␠\"",
        ),
        (
            "single-quoted (docker keeps the quotes)",
            format!("SALESLAYER_API_KEY='{k}'\nB='x'\n"),
            format!("{line}\nB='x'\n"),
            "- SALESLAYER_API_KEY='…27 chars'",
        ),
        (
            "CR LF file",
            format!("A=1\r\nSALESLAYER_API_KEY=\"{k}\"\r\nB=2\r\n"),
            format!("A=1\r\n{line}\r\nB=2\r\n"),
            "- SALESLAYER_API_KEY=\"…27 chars\"⏎CR",
        ),
        (
            "BOM on the key's line",
            format!("\u{feff}SALESLAYER_API_KEY=\"{k}\"\nB=2\n"),
            format!("{line}\nB=2\n"),
            "- <BOM>SALESLAYER_API_KEY=\"…27 chars\"",
        ),
        (
            "export prefix",
            format!("export SALESLAYER_API_KEY=\"{k}\"\nexport B=2\n"),
            format!("export {line}\nexport B=2\n"),
            "- export SALESLAYER_API_KEY=\"…27 chars\"",
        ),
        (
            "inline comment",
            format!("SALESLAYER_API_KEY={k}\u{200b} # prod key\nB=2\n"),
            format!("{line}\nB=2\n"),
            "- SALESLAYER_API_KEY=…27 chars<U+200B> # comment",
        ),
        (
            "duplicate keys: the last one is read and fixed",
            format!("SALESLAYER_API_KEY=first\nSALESLAYER_API_KEY=\"{k}\"\n"),
            format!("SALESLAYER_API_KEY=first\n{line}\n"),
            "- SALESLAYER_API_KEY=\"…27 chars\"",
        ),
        (
            "the key on the last line without a newline",
            format!("A=1\nSALESLAYER_API_KEY=\" {k}\""),
            format!("A=1\n{line}"),
            "- SALESLAYER_API_KEY=\"␠…27 chars\"",
        ),
    ];
    for (case, file, want, before) in cases {
        let mut cmd = with_file(sl_doctor(), ".env", file.as_bytes()).arg("fix");
        if file.contains('\r') {
            // A shell sourcing the file keeps the CR of every line (readers-agree): the
            // application reads it with a dotenv library.
            cmd = cmd.args(["--loader", "dotenv"]);
        }
        let (r, dir) = run_safe(cmd.args(net(&mock)).arg("--yes"));
        assert_eq!(r.code, 0, "{case}: {}{}", r.stdout, r.stderr);
        let path = dir.path().join(".env");
        assert_eq!(
            String::from_utf8(std::fs::read(&path).unwrap()).unwrap(),
            want,
            "{case}"
        );
        assert_eq!(mode(&path), 0o640, "{case}: the mode is kept");
        assert!(r.stdout.contains(before), "{case}: {}", r.stdout);
        assert!(
            r.stdout.contains("+ ") && r.stdout.contains("SALESLAYER_API_KEY=…27 chars"),
            "{case}: {}",
            r.stdout
        );
        assert!(r.stdout.contains("The doctor again (live)"), "{case}");
        // The doctor on the result, as a user would run it next.
        let mut check = sl_doctor().args(net(&mock));
        if file.contains('\r') {
            check = check.args(["--loader", "dotenv"]);
        }
        std::fs::write(check.path().join(".env"), &want).unwrap();
        let (r, _d) = run_safe(check);
        assert_eq!(
            r.code, 0,
            "{case}: the doctor passes after the fix: {}",
            r.stdout
        );
    }
}

#[test]
fn key_files_get_exactly_the_repaired_key() {
    let mock = start_mock(CANARY);
    let k = CANARY;
    // (case, file, the diff's "before" value)
    let cases: Vec<(&str, String, &str)> = vec![
        ("trailing LF", format!("{k}\n"), "- …27 chars⏎LF"),
        ("CR LF", format!("{k}\r\n"), "- …27 chars⏎CR⏎LF"),
        (
            "zero-width space",
            format!("\u{200b}{k}"),
            "- <U+200B>…27 chars",
        ),
        ("quotes", format!("\"{k}\""), "- \"…27 chars\""),
    ];
    for (case, file, before) in cases {
        let cmd = with_file(sl_doctor(), "sl.key", file.as_bytes());
        let (r, dir) = run_safe(
            cmd.args(["fix", "--key-file", "sl.key", "--yes"])
                .args(net(&mock)),
        );
        assert_eq!(r.code, 0, "{case}: {}{}", r.stdout, r.stderr);
        let path = dir.path().join("sl.key");
        assert_eq!(std::fs::read(&path).unwrap(), k.as_bytes(), "{case}");
        assert_eq!(mode(&path), 0o640, "{case}");
        assert!(r.stdout.contains(before), "{case}: {}", r.stdout);
        assert!(
            r.stdout.contains("Verified live: DAM and Catalog"),
            "{case}"
        );
        // No temporary file or backup left next to it.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{case}: {names:?}");
    }
}

#[test]
fn offline_applies_only_certain_repairs_marked_not_verified() {
    let cmd = with_file(sl_doctor(), "sl.key", format!("{CANARY}\n").as_bytes());
    let (r, dir) = run_safe(cmd.args([
        "fix",
        "--offline",
        "--key-file",
        "sl.key",
        "--yes",
        "--backup",
    ]));
    assert_eq!(r.code, 3, "written, not verified: {}", r.stdout);
    assert!(
        r.stdout.contains(
            "The new value is the key once the whitespace is removed: not verified, since --offline sent nothing to the API."
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read(dir.path().join("sl.key")).unwrap(),
        CANARY.as_bytes()
    );
    let backup = dir.path().join("sl.key.sl-doctor-backup");
    assert_eq!(
        std::fs::read(&backup).unwrap(),
        format!("{CANARY}\n").as_bytes()
    );
    assert_eq!(mode(&backup), 0o600);
    // A clean key offline: nothing to change, and nothing claimed about the API.
    let cmd = with_file(sl_doctor(), "sl.key", CANARY.as_bytes());
    let (r, _dir) = run_safe(cmd.args(["fix", "--offline", "--key-file", "sl.key", "--yes"]));
    assert!(
        r.stdout.contains(
            "Nothing to change in sl.key: the stored value needs no repair (not verified: --offline sent nothing to the API)."
        ),
        "{}",
        r.stdout
    );
    // A percent-encoded key is not certain offline: nothing written.
    let pct = CANARY.replace('+', "%2B");
    let cmd = with_file(sl_doctor(), "sl.key", pct.as_bytes());
    let (r, dir) = run_safe(cmd.args(["fix", "--offline", "--key-file", "sl.key", "--yes"]));
    assert_refused(&r, dir.path(), "sl.key", &[], pct.as_bytes());
}

#[test]
fn refusals_leave_the_file_as_it_was() {
    let quoted = format!("SALESLAYER_API_KEY=\"{CANARY}\"\n");
    // Off a terminal without --yes: a dry run.
    let cmd = with_file(sl_doctor(), ".env", quoted.as_bytes());
    let (r, dir) = run_safe(cmd.args(["fix", "--offline"]));
    assert_refused(
        &r,
        dir.path(),
        ".env",
        &[
            "Dry run: nothing written",
            "- SALESLAYER_API_KEY=\"…27 chars\"",
        ],
        quoted.as_bytes(),
    );

    // A symbolic link: refused unless --follow-symlinks.
    let cmd = sl_doctor();
    let target = cmd.file("real.env", quoted.as_bytes());
    std::os::unix::fs::symlink(&target, cmd.path().join(".env")).unwrap();
    let (r, dir) = run_safe(cmd.args(["fix", "--offline", "--yes"]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read(&target).unwrap(), quoted.as_bytes());
    drop(dir);
    let cmd = sl_doctor();
    let target = cmd.file("real.env", quoted.as_bytes());
    std::os::unix::fs::symlink(&target, cmd.path().join(".env")).unwrap();
    let (r, dir) = run_safe(cmd.args(["fix", "--offline", "--yes", "--follow-symlinks"]));
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        std::fs::symlink_metadata(dir.path().join(".env"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        format!("SALESLAYER_API_KEY={CANARY}\n").as_bytes()
    );

    // A value some .env reader would read differently unquoted: refused, explained.
    let dollar = "SALESLAYER_API_KEY=\"abc$defghijklmnop0123\"\n";
    let cmd = with_file(sl_doctor(), ".env", dollar.as_bytes());
    let (r, dir) = run_safe(cmd.args(["fix", "--offline", "--yes"]));
    assert_refused(
        &r,
        dir.path(),
        ".env",
        &["a dollar sign ($) at character 4"],
        dollar.as_bytes(),
    );

    // A value quoted across two lines: rewriting the first would leave `…"` dangling.
    let (head, tail) = CANARY.split_at(12);
    let spans = format!("SALESLAYER_API_KEY=\"{head}\n{tail}\"\nOTHER=1\n");
    let cmd = with_file(sl_doctor(), ".env", spans.as_bytes());
    let (r, dir) = run_safe(cmd.args(["fix", "--offline", "--yes"]));
    assert_refused(
        &r,
        dir.path(),
        ".env",
        &[
            "opens a quote on line 1 that closes on line 2",
            "write the key on one line",
        ],
        spans.as_bytes(),
    );
}

#[test]
fn a_key_from_the_environment_is_emitted_only_into_a_pipe() {
    let mock = start_mock(CANARY);
    let quoted = format!("\"{CANARY}\"");
    // Without --emit: where to change it, and how to pipe it.
    let (r, _d) = run_safe(
        sl_doctor()
            .env("SALESLAYER_API_KEY", &quoted)
            .arg("fix")
            .args(net(&mock)),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("the environment variable SALESLAYER_API_KEY"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("sl-doctor fix --emit | gh secret set"),
        "{}",
        r.stdout
    );
    // --emit into a pipe: exactly the repaired key on stdout, the words on stderr.
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", &quoted)
        .args(["fix", "--emit"])
        .args(net(&mock))
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, CANARY, "the key, no newline");
    assert_output_safe(CANARY, "stderr", &r.stderr, LOG);
    assert!(r.stderr.contains("Verified live"), "{}", r.stderr);
}

#[test]
fn on_a_terminal_it_asks_and_refuses_a_file_changed_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    let quoted = format!("SALESLAYER_API_KEY=\"{CANARY}\"\n");
    std::fs::write(&env, &quoted).unwrap();
    // Declined: nothing written.
    let Some(text) = in_terminal(
        dir.path(),
        "fix --offline; echo \"[exit $?]\"",
        "[y/N]",
        || {},
        "n\r",
    ) else {
        return;
    };
    assert_output_safe(CANARY, "terminal", &text.replace('\r', ""), LOG);
    assert!(
        text.contains("Nothing written") && text.contains("[exit 1]"),
        "{text}"
    );
    assert_eq!(std::fs::read(&env).unwrap(), quoted.as_bytes());
    // Edited while the question waits: refused at the write.
    let edited = format!("{quoted}B=2\n");
    let text = in_terminal(
        dir.path(),
        "fix --offline; echo \"[exit $?]\"",
        "[y/N]",
        || std::fs::write(&env, &edited).unwrap(),
        "y\r",
    )
    .unwrap();
    assert!(text.contains("changed since it was diagnosed"), "{text}");
    assert!(text.contains("[exit 2]"), "{text}");
    assert_eq!(std::fs::read(&env).unwrap(), edited.as_bytes());
    // Accepted.
    let text = in_terminal(
        dir.path(),
        "fix --offline; echo \"[exit $?]\"",
        "[y/N]",
        || {},
        "y\r",
    )
    .unwrap();
    assert!(text.contains("[exit 3]"), "written, not verified: {text}");
    assert_eq!(
        std::fs::read(&env).unwrap(),
        format!("SALESLAYER_API_KEY={CANARY}\nB=2\n").as_bytes()
    );
    // --emit with standard output a terminal: refused before anything is read.
    let text = in_terminal(
        dir.path(),
        "fix --emit --offline; echo \"[exit $?]\"",
        "[exit",
        || {},
        "",
    )
    .unwrap();
    assert!(text.contains("standard output is a terminal"), "{text}");
    assert_output_safe(CANARY, "terminal", &text.replace('\r', ""), LOG);
}

/// A file someone else owns, planted at `path` world-writable (root `chown`s it; other
/// users cannot make one, so the case is skipped for them).
fn plant_foreign(path: &Path) -> bool {
    if !std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
    {
        return false;
    }
    std::fs::write(path, b"").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::os::unix::fs::chown(path, Some(65534), Some(65534)).unwrap();
    true
}

/// Issue 20: `fix --backup` with something planted at the backup path — a FIFO (with no
/// reader a blocking open hangs past --deadline; with one, the old key goes to it), a
/// world-writable file of another user, a symbolic link. Refused at once, the backup
/// named as what was refused (not ".env is a symbolic link"), nothing written anywhere.
#[test]
fn a_planted_backup_path_is_refused_and_named() {
    let quoted = format!("SALESLAYER_API_KEY=\"{CANARY}\"\n");
    type Plant = fn(&Path) -> bool;
    let plants: [(&str, Plant, &str); 3] = [
        (
            "fifo",
            |p| {
                let ok = std::process::Command::new("mkfifo").arg(p).status();
                ok.is_ok_and(|s| s.success())
            },
            "is a FIFO (named pipe), not a regular file",
        ),
        ("foreign", plant_foreign, "belongs to another user"),
        (
            "link",
            |p| std::os::unix::fs::symlink(p.with_file_name("elsewhere"), p).is_ok(),
            "is a symbolic link",
        ),
    ];
    for (name, plant, says) in plants {
        let cmd = with_file(sl_doctor(), ".env", quoted.as_bytes());
        let backup = cmd.path().join(".env.sl-doctor-backup");
        if !plant(&backup) {
            continue;
        }
        let (r, dir) = cmd
            .args(["fix", "--offline", "--yes", "--backup", "--deadline", "5"])
            .run_within(std::time::Duration::from_secs(60));
        assert_output_safe(CANARY, "stdout", &r.stdout, LOG);
        assert_output_safe(CANARY, "stderr", &r.stderr, LOG);
        assert_eq!(r.code, 2, "{name}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("the backup") && r.stderr.contains(".env.sl-doctor-backup"),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(says), "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(".env was left as it was"),
            "{name}: {}",
            r.stderr
        );
        assert!(
            !r.stderr.contains(".env is a symbolic link"),
            "{}",
            r.stderr
        );
        assert_eq!(
            std::fs::read(dir.path().join(".env")).unwrap(),
            quoted.as_bytes()
        );
        assert!(!dir.path().join("elsewhere").exists());
        if name == "foreign" {
            assert_eq!(
                std::fs::read(&backup).unwrap(),
                b"",
                "nothing in the planted file"
            );
        }
    }
}

/// The diff's "before" is the value the diagnosis read, as the chosen loader delivers it
/// (docker keeps the quotes: 2 characters more), so it names the report's fingerprint; and
/// a value that only changes how it is written is not said to be accepted offline.
#[test]
fn the_diff_names_the_value_the_loader_delivers_and_offline_claims_no_answer() {
    let quoted = format!("SALESLAYER_API_KEY=\"{CANARY}\"\n");
    let fingerprint = |args: &[&str]| -> String {
        let cmd = with_file(sl_doctor(), ".env", quoted.as_bytes());
        let (r, _dir) = run_safe(cmd.args(["--offline", "--format", "json"]).args(args));
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v["key"]["fingerprint"].as_str().unwrap().to_string()
    };
    for (loader, unchanged) in [(None, true), (Some("docker"), false)] {
        let args: Vec<&str> = loader.map(|l| vec!["--loader", l]).unwrap_or_default();
        let cmd = with_file(sl_doctor(), ".env", quoted.as_bytes());
        let (r, _dir) = run_safe(cmd.args(["fix", "--offline"]).args(&args));
        let minus = r
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with("- "))
            .unwrap();
        assert!(
            minus.contains(&fingerprint(&args)),
            "{loader:?}: {}",
            r.stdout
        );
        if unchanged {
            assert!(
                r.stdout
                    .contains("not verified: --offline sent nothing to the API")
            );
            assert!(!r.stdout.contains("accepted"), "{}", r.stdout);
        }
    }
}

/// A CR LF `.env`: a shell keeps the CR, so the readers disagree; rewriting the line cannot
/// help, and both the diagnosis and `fix` point at `--line-endings lf`, which ends it.
#[test]
fn a_crlf_env_file_is_pointed_at_line_endings_lf_and_that_ends_it() {
    let crlf = format!("FOO=bar\r\nSALESLAYER_API_KEY={CANARY}\r\n");
    let cmd = with_file(sl_doctor(), ".env", crlf.as_bytes());
    let (r, _dir) = run_safe(cmd.args(["--offline"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("`sl-doctor fix --line-endings lf`"),
        "{}",
        r.stdout
    );
    let cmd = with_file(sl_doctor(), ".env", crlf.as_bytes());
    let (r, _dir) = run_safe(cmd.args(["fix", "--offline", "--yes"]));
    assert!(
        r.stdout
            .contains("`sl-doctor fix --line-endings lf` converts them"),
        "{}",
        r.stdout
    );
    let cmd = with_file(sl_doctor(), ".env", crlf.as_bytes());
    let (r, dir) = run_safe(cmd.args(["fix", "--offline", "--yes", "--line-endings", "lf"]));
    assert_eq!(
        std::fs::read(dir.path().join(".env")).unwrap(),
        format!("FOO=bar\nSALESLAYER_API_KEY={CANARY}\n").as_bytes(),
        "{}",
        r.stdout
    );
}

/// `NAME="KEY" # prod key` read by docker: `fix` writes the key alone, offline (removing
/// quotes and a ` # comment` is certain: a key has neither) and live, and the doctor then
/// passes with docker as the reader.
#[test]
fn fix_removes_the_quotes_and_the_comment_docker_keeps() {
    let mock = start_mock(CANARY);
    let file = format!("SALESLAYER_API_KEY=\"{CANARY}\" # prod key\n");
    let want = format!("SALESLAYER_API_KEY={CANARY}\n");
    for live in [false, true] {
        let cmd = with_file(sl_doctor(), ".env", file.as_bytes());
        let cmd = cmd.args(["fix", "--loader", "docker", "--yes"]);
        let cmd = if live {
            cmd.args(net(&mock))
        } else {
            cmd.arg("--offline")
        };
        let (r, dir) = run_safe(cmd);
        // Offline the doctor again cannot verify the key: not a pass (exit 3).
        assert_eq!(r.code, if live { 0 } else { 3 }, "{}{}", r.stdout, r.stderr);
        let written = std::fs::read(dir.path().join(".env")).unwrap();
        assert_eq!(written, want.as_bytes(), "live {live}: {}", r.stdout);
        assert!(
            r.stdout.contains("the quotes and the comment are removed"),
            "{}",
            r.stdout
        );
    }
}

/// `export NAME=…` read by `docker run --env-file` (`--loader docker`): docker refuses the
/// whole file, so the diagnosis finds no key and its fix names the line, the reason and
/// `sl-doctor fix`; `fix` removes the `export` (the plan says why), keeps the value, and the
/// doctor passes with docker as the reader. With the dotenv libraries as the reader the
/// `export` stays.
#[test]
fn export_goes_when_the_loader_refuses_it() {
    let mock = start_mock(CANARY);
    let file = format!("A=1\nexport SALESLAYER_API_KEY=\"{CANARY}\"\n");
    let cmd = with_file(sl_doctor(), ".env", file.as_bytes());
    let (r, _d) = run_safe(cmd.args(net(&mock)).args(["--loader", "docker"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "fix   Write .env line 2 as SALESLAYER_API_KEY=value, with no `export`, quotes, \
             spaces, comment or CR after the value (docker run --env-file refuses the whole \
             file: the name `export SALESLAYER_API_KEY` contains a space); `sl-doctor fix \
             --loader docker` rewrites it so."
        ),
        "{}",
        r.stdout
    );
    // `fix --yes --loader L`: the run and the file it leaves.
    let fix_with = |loader: &str| {
        let cmd = with_file(sl_doctor(), ".env", file.as_bytes());
        let (r, dir) = run_safe(
            cmd.arg("fix")
                .args(net(&mock))
                .args(["--loader", loader, "--yes"]),
        );
        assert_eq!(r.code, 0, "{loader}: {}{}", r.stdout, r.stderr);
        let written = String::from_utf8(std::fs::read(dir.path().join(".env")).unwrap());
        (r, written.unwrap())
    };
    let (r, written) = fix_with("docker");
    for phrase in [
        "  - export SALESLAYER_API_KEY=\"…27 chars\"   [docker run --env-file delivers nothing]",
        "  note: `export` removed: docker run --env-file refuses the whole file",
        "The doctor again (live) on .env:",
        "verdict: pass",
    ] {
        assert!(r.stdout.contains(phrase), "{phrase}: {}", r.stdout);
    }
    assert_eq!(written, format!("A=1\nSALESLAYER_API_KEY={CANARY}\n"));
    // The dotenv libraries accept `export`: it stays.
    let (_r, written) = fix_with("dotenv");
    assert_eq!(
        written,
        format!("A=1\nexport SALESLAYER_API_KEY={CANARY}\n")
    );
}

/// Nothing to fix is not a failure: a working key from the environment exits 0 and says
/// there is nothing to change (not "change it where it is set"); `--emit` with nothing to
/// emit exits 1 and says why a pipe needs `set -o pipefail`.
#[test]
fn nothing_to_fix_exits_0_and_emit_without_a_repair_exits_1() {
    let mock = start_mock(CANARY);
    let (r, _d) = run_safe(
        sl_doctor()
            .env("SALESLAYER_API_KEY", CANARY)
            .arg("fix")
            .args(net(&mock)),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "Nothing to change: the key comes from the environment variable \
             SALESLAYER_API_KEY, and its value is already what the API needs."
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("change it where"), "{}", r.stdout);
    let (r, _d) = run_safe(
        sl_doctor()
            .env("SALESLAYER_API_KEY", CANARY)
            .args(["fix", "--offline"]),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("not verified: --offline"), "{}", r.stdout);
    let (r, _d) = run_safe(
        sl_doctor()
            .env("SALESLAYER_API_KEY", CANARY)
            .args(["fix", "--emit"])
            .args(net(&mock)),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("set -o pipefail"), "{}", r.stderr);
}
