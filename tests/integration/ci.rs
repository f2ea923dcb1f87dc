//! CI preflight: exit codes of every class (including 3 against a server that answers
//! 503), the machine formats from the real binary, --select/--ignore, --quiet and the
//! GitHub Actions integration.

use crate::common::{
    CANARY, assert_contains, assert_no_leak, sl_doctor, start_503_server, start_mock,
};

const GOOD: &str = "aB3+xY/9zQ==";

#[test]
fn exit_code_3_when_the_api_only_answers_503() {
    let base = start_503_server(8);
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", GOOD)
        .args(["--base-url", &base, "--allow-http", "--timeout", "3"])
        .args(["--deadline", "10", "--format", "json"])
        .run();
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["verdict"], "inconclusive");
    assert_eq!(v["summary"]["fail"], 0);
}

#[test]
fn exit_codes_0_and_1_against_the_mock_and_2_for_bad_ids() {
    let mock = start_mock(GOOD);
    let ca = mock.ca_path.as_ref().unwrap().to_str().unwrap();
    let quiet_with_key = |key: &str| {
        sl_doctor()
            .env("SALESLAYER_API_KEY", key)
            .args(["--base-url", &mock.base_url, "--ca-cert", ca, "--no-proxy"])
            .args(["--quiet", "--color", "never"])
            .run()
    };
    let (r, _d) = quiet_with_key(GOOD);
    assert_eq!(r.code, 0, "a key the mock accepts:\n{}", r.stdout);
    assert!(
        r.stdout
            .starts_with("✔ The key works: DAM and Catalog accepted it.\n✔ verdict: pass"),
        "--quiet is the diagnosis and the verdict:\n{}",
        r.stdout
    );
    assert!(
        r.stderr.is_empty(),
        "no spinner off a terminal: {:?}",
        r.stderr
    );

    let (r, _d) = quiet_with_key("wrongWRONGwrong1234=");
    assert_eq!(r.code, 1, "a key the mock rejects:\n{}", r.stdout);
    assert_contains(&r.stdout, "dam-probe");
    assert!(
        !r.stdout.contains("✔"),
        "--quiet shows failures only:\n{}",
        r.stdout
    );

    for flag in ["--select", "--ignore"] {
        let (r, _d) = sl_doctor().args(["--offline", flag, "no-such-id"]).run();
        assert_eq!(r.code, 2, "{flag}");
        assert_contains(&r.stderr, "no-such-id");
        assert!(
            r.stderr.contains("key-loaded") && r.stderr.contains("hidden-characters"),
            "lists the valid ids: {}",
            r.stderr
        );
    }
}

fn statuses(json: &str) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut out = Vec::new();
    let items = v["checklist"].as_array().unwrap();
    assert_eq!(items.len(), 6, "the six items always appear");
    for item in items {
        for c in item["checks"].as_array().unwrap() {
            out.push((
                item["id"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
                c["summary"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

#[test]
fn select_and_ignore_report_deselected_checks_as_skipped() {
    // A quoted key fails no-quotes; ignoring that item makes the run pass.
    let key = format!("\"{GOOD}\"");
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", &key)
        .args(["--offline", "--format", "json", "--ignore", "no-quotes"])
        .run();
    let checks = statuses(&r.stdout);
    let quoted = checks.iter().find(|c| c.1 == "quoted-value").unwrap();
    assert!(quoted.2.contains("deselected"), "{quoted:?}");
    assert_eq!(r.code, 0, "{}", r.stdout);

    // --select runs the selected checks and what they depend on (key-source).
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", &key)
        .args([
            "--offline",
            "--format",
            "json",
            "--select",
            "hidden-characters,url-host",
        ])
        .run();
    assert_eq!(r.code, 0, "{}", r.stdout);
    for (_, id, summary) in statuses(&r.stdout) {
        let ran = ["hidden-characters", "url-host", "key-source"].contains(&id.as_str());
        assert_eq!(!summary.contains("deselected"), ran, "{id}: {summary}");
    }
}

#[test]
fn machine_formats_from_the_binary() {
    let run = |format: &str| {
        sl_doctor()
            .env("SALESLAYER_API_KEY", "abc\u{200b}def")
            .args(["--offline", "--format", format])
            .run()
            .0
    };
    let r = run("junit");
    assert_eq!(r.code, 1);
    let mut reader = quick_xml::Reader::from_str(&r.stdout);
    let mut failures = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"failure" => {
                failures += 1
            }
            Ok(_) => {}
            Err(e) => panic!("not XML: {e}\n{}", r.stdout),
        }
    }
    assert!(failures >= 1, "{}", r.stdout);

    let r = run("github");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.lines().all(|l| l.starts_with("::")),
        "{}",
        r.stdout
    );
    assert_contains(
        &r.stdout,
        "::error title=sl-doctor%3A The key contains invisible characters::",
    );

    let r = run("markdown");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.starts_with("## ❌ sl-doctor: fail"),
        "{}",
        r.stdout
    );
}

#[test]
fn github_actions_gets_annotations_and_a_step_summary() {
    let cmd = sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .env("GITHUB_ACTIONS", "true")
        .env("CI", "true");
    let summary = cmd.file("summary.md", "# earlier step\n");
    let (r, _d) = cmd
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--offline", "--key", CANARY])
        .run();
    assert_eq!(r.code, 0, "--key only warns: {}", r.stdout);
    assert_contains(
        &r.stdout,
        "::warning title=sl-doctor%3A A key given with --key is visible to other users",
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("# earlier step\n## ⚠️ sl-doctor"),
        "appended: {md}"
    );
    assert_no_leak(CANARY, "stdout", &r.stdout);
    assert_no_leak(CANARY, "step summary", &md);

    // JSON keeps stdout to itself; the summary is still written.
    let cmd = sl_doctor()
        .env("SALESLAYER_API_KEY", GOOD)
        .env("GITHUB_ACTIONS", "true");
    let summary = cmd.path().join("summary.md");
    let (r, _d) = cmd
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--offline", "--format", "json"])
        .run();
    serde_json::from_str::<serde_json::Value>(&r.stdout).expect("only JSON on stdout");
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("sl-doctor: pass")
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (r, _d) = sl_doctor().args(["completions", shell]).run();
        assert_eq!(r.code, 0, "{shell}");
        assert!(r.stdout.contains("sl-doctor"), "{shell}");
        assert!(r.stdout.contains("select"), "{shell}");
        // Check and item ids are offered for explain, --select and --ignore (clap's
        // PowerShell script completes no values at all).
        for id in ["quoted-value", "works-in-curl"] {
            assert!(
                shell == "powershell" || r.stdout.contains(id),
                "{shell} completes {id}"
            );
        }
    }
    let (r, _d) = sl_doctor().args(["man"]).run();
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with(".ie"), "{}", &r.stdout[..40]);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/sl-doctor.1");
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == r.stdout,
        "docs/sl-doctor.1 is out of date: run `cargo run -q -- man > docs/sl-doctor.1`"
    );
}

/// The `run:` script of the step with `id: <id>` in action.yml (block scalar by indent).
#[cfg(unix)]
fn action_step_script(id: &str) -> String {
    let yml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let lines: Vec<&str> = yml.lines().collect();
    let step = lines
        .iter()
        .position(|l| l.trim() == format!("id: {id}"))
        .expect("step id");
    let run = step
        + lines[step..]
            .iter()
            .position(|l| l.trim() == "run: |")
            .expect("run: |");
    let indent = lines[run].len() - lines[run].trim_start().len();
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .map(|l| l.get(indent + 2..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

// Unix only: the step is a bash script (on Windows runners the Action runs it in Git Bash).
#[cfg(unix)]
#[test]
fn action_yml_runs_sl_doctor_and_fails_by_its_exit_code() {
    let script = action_step_script("run");
    assert!(script.contains("\"$SL_DOCTOR\" \"${args[@]}\""), "{script}");
    // The install step itself (scripts/action-install.sh) is tested in action_install.rs.
    let yml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    assert!(
        yml.contains("run: bash \"$SL_SOURCE_DIR/scripts/action-install.sh\" install"),
        "{yml}"
    );
    let run = |key: &str, extra: &str, inconclusive_ok: &str| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("github_output");
        let o = std::process::Command::new("bash")
            .args(["-eo", "pipefail", "-c", &script])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SL_DOCTOR", env!("CARGO_BIN_EXE_sl-doctor"))
            .env("HOME", dir.path())
            .env("GITHUB_OUTPUT", &out)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
            .env("SALESLAYER_API_KEY", key)
            .env("SL_KEY_ENV", "SALESLAYER_API_KEY")
            .env("SL_BASE_URL", "")
            .env("SL_APIS", "all")
            .env("SL_FORMAT", "human")
            .env("SL_STRICT", "false")
            .env("SL_INCONCLUSIVE_OK", inconclusive_ok)
            .env("SL_ARGS", extra)
            .env("SL_REPORT", dir.path().join("report.json"))
            .current_dir(dir.path())
            .output()
            .unwrap();
        let outputs = std::fs::read_to_string(&out).unwrap_or_default();
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_no_leak(key, "action log", &stdout);
        assert!(dir.path().join("report.json").exists(), "{stdout}");
        (o.status.code().unwrap_or(-1), outputs, stdout)
    };
    let (code, outputs, _) = run(GOOD, "--offline", "false");
    assert_eq!(code, 0);
    assert!(outputs.contains("exit-code=0"), "{outputs}");
    let quoted = format!("\"{CANARY}\"");
    let (code, outputs, stdout) = run(&quoted, "--offline", "false");
    assert_eq!(code, 1, "{stdout}");
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    assert!(stdout.contains("::error "), "{stdout}");
    let base = start_503_server(8);
    let args = format!("--base-url {base} --allow-http --timeout 3");
    let (code, outputs, _) = run(GOOD, &args, "true");
    assert_eq!(code, 0, "inconclusive-ok");
    assert!(outputs.contains("exit-code=3"), "{outputs}");
}

/// GitHub annotations point at the `.env` line that defines the key (`file=`, `line=`,
/// escaped as properties), in `--format github` and in the human format under Actions.
#[test]
fn github_annotations_carry_the_file_and_line() {
    // Without --loader, `docker run --env-file` would keep the quotes: the readers
    // disagree (an error), placed at the quoted line.
    for (name, dotenv_arg, want) in [
        (".env", None, "::error file=.env,line=2,title="),
        (
            "a,b:c.env",
            Some("./a,b:c.env"),
            "::error file=a%2Cb%3Ac.env,line=2,title=",
        ),
    ] {
        let cmd = sl_doctor();
        cmd.file(name, format!("OTHER=1\nSALESLAYER_API_KEY=\"{CANARY}\"\n"));
        let mut args = vec!["--offline", "--format", "github"];
        args.extend(dotenv_arg.map(|d| ["--dotenv", d]).into_iter().flatten());
        let (r, _d) = cmd.args(&args).run();
        assert_no_leak(CANARY, "github annotations", &r.stdout);
        assert!(
            r.stdout.contains(want),
            "{want} missing from:\n{}",
            r.stdout
        );
    }
    let cmd = sl_doctor().env("GITHUB_ACTIONS", "true");
    // A space inside the quotes: a failure, on the key's line.
    cmd.file(".env", format!("SALESLAYER_API_KEY=\"{CANARY} \"\n"));
    let (r, _d) = cmd.args(["--offline"]).run();
    assert_no_leak(CANARY, "human format under Actions", &r.stdout);
    assert_contains(&r.stdout, "::error file=.env,line=1,title=");
}
