//! The second look: what a newcomer met that read wrong, run again on the real
//! binary against `sl-doctor mock --https`: each finding under its own item and cause, a
//! fix said once, no support ticket for what the user can fix.

use crate::common::{
    CANARY, MockProcess, Run, assert_contains, assert_no_leak, sl_doctor, start_mock,
};
use std::sync::OnceLock;

/// One mock for this file: it accepts the canary on both APIs.
fn mock() -> &'static MockProcess {
    static MOCK: OnceLock<MockProcess> = OnceLock::new();
    MOCK.get_or_init(|| start_mock(CANARY))
}

/// `sl-doctor ARGS` against the mock, with `.env` holding `dotenv` when given and
/// `SALESLAYER_API_KEY` set to `env_key` when given; the canary never shows.
pub fn against_mock(args: &[&str], dotenv: Option<&str>, env_key: Option<&str>) -> Run {
    let m = mock();
    let mut cmd = sl_doctor()
        .args(args)
        .args(["--base-url", &m.base_url, "--no-proxy", "--color", "never"])
        .arg("--ca-cert")
        .arg(m.ca_path.as_ref().unwrap());
    if let Some(text) = dotenv {
        let p = cmd.file(".env", text);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    if let Some(k) = env_key {
        cmd = cmd.env("SALESLAYER_API_KEY", k);
    }
    let (r, _dir) = cmd.run();
    assert_no_leak(CANARY, &format!("{args:?} stdout"), &r.stdout);
    assert_no_leak(CANARY, &format!("{args:?} stderr"), &r.stderr);
    r
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).expect("a JSON report")
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["checks"].as_array().unwrap())
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn a_quoted_dotenv_line_warns_under_no_quotes_and_is_said_once() {
    let dotenv = format!("SALESLAYER_API_KEY=\"{CANARY}\"\n");
    // Without --loader, `docker run --env-file` would send the quotes and the mock rejects
    // that: the readers' disagreement is the one cause, and the quotes' warning stays
    // under no-quotes, explained by it rather than said again.
    let r = against_mock(&[], Some(&dotenv), None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(&r.stdout, "\n✘ The readers of the key disagree");
    assert_contains(&r.stdout, "⚠ 3. no-quotes");
    assert_contains(&r.stdout, "    ⚠ quoted-value: .env line 1 wraps the value");
    assert_eq!(
        r.stdout.matches("wraps the value in").count(),
        1,
        "{}",
        r.stdout
    );
    // A key kept in .env is information, not a warning.
    assert!(!r.stdout.contains("only the .env"), "{}", r.stdout);

    let report = json(&against_mock(&["--format", "json"], Some(&dotenv), None));
    let quoted = &check(&report, "quoted-value")["findings"][0];
    assert_eq!(quoted["code"], "dotenv-quotes");
    assert_eq!(
        quoted["location"],
        serde_json::json!({"path": ".env", "line": 1})
    );
    let source = &check(&report, "key-source")["findings"][0];
    assert_eq!(
        (&source["code"], &source["severity"]),
        (&"only-in-dotenv".into(), &"info".into())
    );

    // A dotenv library removes the quotes: with the reader named, nothing warns.
    let r = against_mock(&["--loader", "dotenv"], Some(&dotenv), None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "✔ 3. no-quotes");
    assert!(!r.stdout.contains('⚠'), "{}", r.stdout);
}

#[test]
fn quotes_and_a_space_are_two_causes_each_under_its_item() {
    let dotenv = format!("SALESLAYER_API_KEY=\"{CANARY} \"\n");
    let r = against_mock(&[], Some(&dotenv), None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    // The value sl-doctor uses has a space, and the readers disagree (docker keeps the
    // quotes): two causes, the space first (whichever reader is used, it is there), the
    // disagreement a warning, with the quotes' warning under it.
    assert_contains(&r.stdout, "✘ 1. The key has extra whitespace");
    assert_contains(&r.stdout, "⚠ 2. The readers of the key disagree");
    let quotes = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("⚠ quoted-value:"));
    assert!(
        quotes.is_some_and(|l| l.ends_with("(cause 2)")),
        "{}",
        r.stdout
    );
    let space = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("✘ extra-whitespace:"));
    assert!(
        space.is_some_and(|l| l.ends_with("(cause 1)")),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.matches("wraps the value in").count(),
        1,
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("dotenv-file"), "{}", r.stdout);
}

#[test]
fn a_key_in_the_url_is_one_problem_with_one_fix() {
    let url = format!(
        "{}/dam/image?$top=1&api_key={}",
        mock().base_url,
        CANARY
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    let r = against_mock(&["--url", &url], None, Some(CANARY));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(&r.stdout, "✘ --url: the API key is in the URL\n");
    assert_eq!(
        r.stdout
            .matches("send the key only in the X-API-KEY header")
            .count(),
        1,
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("more)"), "{}", r.stdout);
}

#[test]
fn a_lookalike_that_stands_for_another_letter_is_not_a_ticket() {
    // The `a` of "canary" typed as a Cyrillic `о`: its ASCII look-alike `o` is not the key.
    let key = CANARY.replacen('a', "\u{043e}", 1);
    let r = against_mock(&[], None, Some(&key));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(
        &r.stdout,
        "✘ The key contains look-alike characters that may stand for other letters",
    );
    assert_contains(&r.stdout, "Copy the key again");
    for never in ["Only Sales Layer", "sl-doctor support", "new key"] {
        assert!(!r.stdout.contains(never), "{never:?} in:\n{}", r.stdout);
    }
}

/// What a terminal `width` columns wide shows after `bytes`: carriage returns, line
/// clears (`ESC [ 2K`, `ESC [ K`) and colour codes are obeyed, and a line longer than the
/// width wraps onto the next one, as it would on screen (where stale spinner lines come
/// from); with no width, lines are as long as written. Cursor moves are not expected and
/// fail the test.
fn screen(bytes: &str, width: Option<usize>) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let mut col = 0;
    let mut chars = bytes.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                lines.push(Vec::new());
                col = 0;
            }
            '\u{1b}' => {
                let mut seq = String::new();
                if chars.next() == Some('[') {
                    for d in chars.by_ref() {
                        seq.push(d);
                        if d.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
                match seq.as_str() {
                    "2K" => lines.last_mut().unwrap().clear(),
                    "K" | "0K" => lines.last_mut().unwrap().truncate(col),
                    s if s.ends_with('m') => {}
                    s => panic!("unexpected escape sequence ESC[{s} in {bytes:?}"),
                }
            }
            c => {
                if Some(col) == width {
                    lines.push(Vec::new());
                    col = 0;
                }
                let line = lines.last_mut().unwrap();
                if line.len() <= col {
                    line.resize(col, ' ');
                    line.push(c);
                } else {
                    line[col] = c;
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

#[test]
fn a_narrow_terminal_gets_wrapped_lines_and_no_spinner_leftovers() {
    let Some(script) = sl_doctor_checks::testing_support::require_tool("script", &["--version"])
        .then_some("script")
    else {
        return;
    };
    let m = MockProcess::start(&[
        "--https",
        "--delay-ms",
        "400",
        "--key",
        &format!("both:{CANARY}"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let dotenv = dir.path().join(".env");
    std::fs::write(&dotenv, format!("SALESLAYER_API_KEY=\"{CANARY} \"\n")).unwrap();
    let cmd = format!(
        "{} -v --base-url {} --ca-cert {} --no-proxy --color always",
        env!("CARGO_BIN_EXE_sl-doctor"),
        m.base_url,
        m.ca_path.as_ref().unwrap().display()
    );
    let out = std::process::Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("COLUMNS", "60")
        .env("TERM", "xterm")
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_no_leak(CANARY, "terminal", &text);
    assert!(
        text.contains("checking the key"),
        "the spinner ran: {text:?}"
    );
    let shown = screen(&text, Some(60));
    for line in &shown {
        assert!(
            !line.contains("checking the key"),
            "a spinner line was left behind:\n{}",
            shown.join("\n")
        );
    }
    for line in screen(&text, None) {
        // Only an unbreakable word (a URL, a path) may make a line wider than the screen.
        assert!(
            line.chars().count() <= 60 || !line.trim().contains(' '),
            "too wide: {line:?}"
        );
    }
    let screen_text = shown.join("\n");
    assert!(
        screen_text.contains(
            "\n     fix   Remove the spaces or tabs around the key: a key\n           never"
        ),
        "{screen_text}"
    );
    assert!(
        !screen_text.contains("\n\n\n"),
        "a double blank line:\n{screen_text}"
    );
}

/// `sl-doctor curl ARGS` against the mock (CA included), in a fresh directory; the
/// canary never shows.
fn curl_for_mock(args: &[&str]) -> (Run, tempfile::TempDir) {
    let m = mock();
    let (r, dir) = sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .args(["curl", "--base-url", &m.base_url, "--ca-cert"])
        .arg(m.ca_path.as_ref().unwrap())
        .args(args)
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_leak(CANARY, "curl stdout", &r.stdout);
    (r, dir)
}

#[test]
fn the_default_curl_output_runs_whole_in_bash() {
    if cfg!(windows) || !sl_doctor_checks::testing_support::require_tool("curl", &["--version"]) {
        return;
    }
    let (r, dir) = curl_for_mock(&[]);
    assert!(
        !r.stdout.contains("Invoke-RestMethod") && !r.stdout.contains("$env:"),
        "{}",
        r.stdout
    );
    let out = std::process::Command::new("bash")
        .arg("-s")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SALESLAYER_API_KEY", CANARY)
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(r.stdout.as_bytes())?;
            c.wait_with_output()
        })
        .expect("bash");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stderr.is_empty(),
        "bash said:\n{stderr}\n{stdout}"
    );
    assert_eq!(stdout.matches("HTTP/2 200").count(), 2, "{stdout}");
    // Each answer starts on its own line: the body before it ended with a line break.
    for (i, _) in stdout.match_indices("HTTP/2 ").skip(1) {
        assert_eq!(
            &stdout[i - 1..i],
            "\n",
            "a body ran into the next status line:\n{stdout}"
        );
    }
    assert!(
        stdout.ends_with("}\n"),
        "the last body ends with a line break: {stdout:?}"
    );
}

#[test]
fn newman_runs_the_postman_collection_against_the_mock() {
    if !sl_doctor_checks::testing_support::require_tool("newman", &["--version"]) {
        return;
    }
    let (r, dir) = curl_for_mock(&[
        "--postman",
        "env.json",
        "--postman-collection",
        "probes.json",
    ]);
    assert_contains(&r.stdout, "newman run probes.json -e ENVIRONMENT.json");
    let collection = std::fs::read_to_string(dir.path().join("probes.json")).unwrap();
    assert_no_leak(CANARY, "collection", &collection);
    let newman = |key: &str| {
        // The environment as a user fills it in: the key in apiKey, not on a command line.
        let mut env: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("env.json")).unwrap())
                .unwrap();
        assert_eq!(
            env["values"][1]["value"], "",
            "the written environment holds no key"
        );
        env["values"][1]["value"] = key.into();
        std::fs::write(dir.path().join("filled.json"), env.to_string()).unwrap();
        std::process::Command::new("newman")
            .args([
                "run",
                "probes.json",
                "-e",
                "filled.json",
                "--color",
                "off",
                "--ssl-extra-ca-certs",
            ])
            .arg(mock().ca_path.as_ref().unwrap())
            .current_dir(dir.path())
            .output()
            .expect("newman")
    };
    let ok = newman(CANARY);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "newman: {text}\n{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_contains(&text, "DAM accepts the key (200)");
    assert_contains(&text, "Catalog accepts the key (200)");
    assert_no_leak(CANARY, "newman", &text);
    let bad = newman("not-the-key-at-all");
    assert!(
        !bad.status.success(),
        "a wrong key fails the collection's tests"
    );
}

/// `sl-doctor support ARGS` on a terminal (the key in `key.txt`, against the mock),
/// answering `answer` at `prompt`.
fn support_on_a_terminal(
    key: &str,
    args: &str,
    prompt: &str,
    answer: &str,
) -> Option<(String, tempfile::TempDir)> {
    let m = mock();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key.txt");
    std::fs::write(&file, key).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let args = format!(
        "support --key-file key.txt --base-url {} --ca-cert {} --no-proxy {args}",
        m.base_url,
        m.ca_path.as_ref().unwrap().display()
    );
    let out = crate::common::in_terminal(dir.path(), &args, prompt, || {}, answer)?;
    assert_no_leak(CANARY, "support on a terminal", &out);
    Some((out, dir))
}

#[test]
fn support_on_a_terminal_diagnoses_first_and_asks_only_for_an_email() {
    // Self-fixable (a trailing space): the whole fix, one question, no email fields.
    let Some((out, dir)) = support_on_a_terminal(&format!("{CANARY} "), "", "[y/N]", "n\n") else {
        return;
    };
    assert_contains(&out, "No email to Sales Layer support is needed");
    assert_contains(&out, "`sl-doctor fix` repairs it in key.txt");
    assert!(!out.contains("Customer or account name"), "{out}");
    assert!(!dir.path().join("sl-doctor-support").exists());

    // A key only Sales Layer can help with: the questions come after the diagnosis.
    let Some((out, dir)) = support_on_a_terminal(
        "SLDOCTORcanary6Qx9+Zk/4mW2=",
        "--environment prod --apis both --use-case sync --contact Ana",
        "Customer or account name",
        "ACME\n",
    ) else {
        return;
    };
    // The mock on loopback is not Sales Layer's API: the questions say who the email is for.
    assert_contains(&out, "For the email to whoever runs https://localhost:");
    assert!(
        !out.contains("Environment (e.g."),
        "a field given as a flag is not asked: {out}"
    );
    let email = std::fs::read_to_string(dir.path().join("sl-doctor-support/email.txt")).unwrap();
    assert_contains(&email, "Customer or account name: ACME");
    assert_contains(
        &email,
        "API key rejected, please check or reissue it (ACME, prod)",
    );
}

/// The mock's `try` lines, run as printed (the key in the variable, never on curl's
/// command line): curl gets the images, sl-doctor passes.
#[test]
fn the_mocks_try_lines_run_as_printed() {
    use std::io::BufRead;
    if cfg!(windows) || !sl_doctor_checks::testing_support::require_tool("curl", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sl-doctor"))
        .args([
            "mock",
            "--https",
            "--exit-after",
            "60",
            "--exit-on-stdin-close",
            "--key",
        ])
        .arg(format!("both:{CANARY}"))
        .current_dir(dir.path())
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sl-doctor mock");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("rate limit");
        banner.push(line);
        if done {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let banner = banner.join("\n");
    assert_no_leak(CANARY, "the mock's banner", &banner);
    assert!(!banner.contains("-H \"X-API-KEY"), "{banner}");
    let commands: Vec<&str> = banner
        .lines()
        .skip_while(|l| !l.starts_with("try"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert_eq!(commands.len(), 2, "{banner}");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_sl-doctor"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (command, says) in commands.iter().zip(["\"items\"", "verdict: pass"]) {
        let out = std::process::Command::new("bash")
            .args(["-c", command.trim()])
            .env_clear()
            .env("PATH", &path)
            .env("HOME", dir.path())
            .env("SALESLAYER_API_KEY", CANARY)
            .current_dir(dir.path())
            .output()
            .expect("bash");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_no_leak(CANARY, command, &text);
        assert!(out.status.success(), "{command}: {text}");
        assert_contains(&text, says);
    }
    // Closing its standard input ends the mock cleanly (its CA's temporary directory is
    // removed); a kill would leave the directory behind.
    drop(child.stdin.take());
    let _ = child.wait();
}
