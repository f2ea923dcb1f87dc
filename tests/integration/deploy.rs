//! The key as the deployment delivers it, end to end against the mock: `--loader`,
//! `--from` deployment files, base64 and one API at a time. Every run's outputs (human
//! and JSON) are checked for the key in any encoding; the printed curl, run as printed
//! against the mock, gets the answer the doctor's probe got, or says why not.

use crate::common::{
    CANARY, LOG, MockProcess, Run, SlDoctor, assert_contains, assert_no_leak, mock_net as net,
    sl_doctor, start_mock,
};
use sl_doctor_checks::testing_support::assert_output_safe;

/// Runs the doctor (human, then JSON) with `files` in its directory; both outputs are
/// checked for the key. Returns the human run and the JSON report.
fn doctor(mock: &MockProcess, files: &[(&str, String)], args: &[&str]) -> (Run, serde_json::Value) {
    doctor_env(mock, files, args, &[])
}

/// [`doctor`] with these variables in the doctor's environment (compose's, too).
fn doctor_env(
    mock: &MockProcess,
    files: &[(&str, String)],
    args: &[&str],
    vars: &[(&str, String)],
) -> (Run, serde_json::Value) {
    let build = || {
        let mut cmd = sl_doctor().args(net(mock)).args(args);
        for (k, v) in vars {
            cmd = cmd.env(k, v);
        }
        for (name, body) in files {
            let p = cmd.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, body.replace("{dir}", &cmd.path().display().to_string())).unwrap();
        }
        cmd
    };
    let (r, _d) = build().run();
    let (j, _d) = build().args(["--format", "json"]).run();
    for (what, text) in [
        ("stdout", &r.stdout),
        ("stderr", &r.stderr),
        ("json", &j.stdout),
    ] {
        assert_output_safe(CANARY, what, text, LOG);
    }
    let report = serde_json::from_str(&j.stdout).unwrap_or_else(|e| panic!("{e}: {}", j.stdout));
    (r, report)
}

fn causes(report: &serde_json::Value) -> Vec<String> {
    report["diagnosis"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// The diagnosis's cause with this id (`shown`: the human output, for the message).
fn cause_with<'a>(report: &'a serde_json::Value, id: &str, shown: &str) -> &'a serde_json::Value {
    report["diagnosis"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no cause {id}\n{shown}"))
}

/// The key and a line break, base64-encoded: `echo KEY | base64`, as a Secret's `data:`.
fn b64_with_newline() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{CANARY}\n"))
}

fn dotenv_quoted() -> (&'static str, String) {
    (".env", format!("SALESLAYER_API_KEY=\"{CANARY}\"\n"))
}

#[test]
fn a_quoted_dotenv_without_loader_fails_on_the_disagreement_first() {
    let mock = start_mock(CANARY);
    let (r, report) = doctor(&mock, &[dotenv_quoted()], &[]);
    assert_eq!(
        r.code, 1,
        "docker would send the quotes: never exit 0\n{}",
        r.stdout
    );
    assert_eq!(causes(&report)[0], "readers-disagree", "{}", r.stdout);
    let first = &report["diagnosis"]["causes"][0];
    assert_contains(first["title"].as_str().unwrap(), "docker run --env-file");
    assert_contains(first["title"].as_str().unwrap(), ".env line 1");
    assert_contains(
        first["proof"].as_str().unwrap(),
        "rejected what docker run --env-file",
    );
    // The cause comes first in the human view too.
    let first_cause = r.stdout.lines().find(|l| l.starts_with('✘')).unwrap();
    assert_contains(first_cause, "The readers of the key disagree");
}

#[test]
fn the_loader_decides_what_is_sent() {
    let mock = start_mock(CANARY);
    // compose removes the quotes: no quote failure, nothing to disagree about.
    let (r, report) = doctor(&mock, &[dotenv_quoted()], &["--loader", "compose"]);
    assert!(
        !causes(&report)
            .iter()
            .any(|c| c.contains("quote") || c == "readers-disagree"),
        "{}",
        r.stdout
    );
    assert_ne!(r.code, 1, "{}", r.stdout);
    // The loader named, the .env is known to reach the application: no "only in .env".
    assert!(
        !causes(&report).contains(&"key-source".to_string()),
        "{}",
        r.stdout
    );
    // docker keeps them: the quoted key is the cause, with the file and line.
    let (r, report) = doctor(&mock, &[dotenv_quoted()], &["--loader", "docker"]);
    assert_eq!(r.code, 1);
    assert_eq!(causes(&report)[0], "quoted-key", "{}", r.stdout);
    assert_contains(
        report["diagnosis"]["causes"][0]["fix"].as_str().unwrap(),
        ".env:1",
    );
}

/// `NAME="KEY" # prod key` read by a reader that keeps the line as is (docker, kubectl):
/// the quotes and the comment are named and removed, the API accepts what is left, and no
/// cause says the key itself is invalid or sends the user to support.
#[test]
fn a_comment_after_a_quoted_value_is_named_and_removed() {
    let mock = start_mock(CANARY);
    let files = [(
        ".env",
        format!("SALESLAYER_API_KEY=\"{CANARY}\" # prod key\n"),
    )];
    for loader in ["docker", "kubectl"] {
        let (r, report) = doctor(&mock, &files, &["--loader", loader]);
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert_eq!(
            causes(&report)[0],
            "damaged-value",
            "{loader}: {}",
            r.stdout
        );
        let cause = &report["diagnosis"]["causes"][0];
        assert_eq!(
            cause["title"],
            "The key carries extra characters: quotes and the comment ` # …` after the value",
            "{}",
            r.stdout
        );
        assert_contains(
            cause["proof"].as_str().unwrap(),
            "accept the key once the quotes and the comment are removed (27 characters",
        );
        for wrong in ["support", "not valid", "space inside"] {
            assert!(!r.stdout.contains(wrong), "{loader} {wrong}: {}", r.stdout);
        }
        assert_contains(
            &r.stdout,
            "The value ends with the comment ` # …` after the key",
        );
    }
    // systemd's EnvironmentFile= removes the quotes and keeps `KEY# prod key`.
    let (r, report) = doctor(&mock, &files, &["--loader", "systemd"]);
    assert_eq!(causes(&report)[0], "trailing-comment", "{}", r.stdout);
    assert_contains(
        report["diagnosis"]["causes"][0]["proof"].as_str().unwrap(),
        "accept the key once the comment is removed (27 characters",
    );
    assert!(!r.stdout.contains("support"), "{}", r.stdout);
}

/// A unit with the key written in `Environment=` and an `EnvironmentFile=` (mode 0644) that
/// overrides it: the literal key is still in the unit (`systemctl show` shows it), and the
/// environment file the key is read from gets the mode check a .env gets.
#[cfg(unix)]
#[test]
fn a_unit_s_overridden_literal_and_its_environment_file_are_checked() {
    use std::os::unix::fs::PermissionsExt;
    let mock = start_mock(CANARY);
    let cmd = sl_doctor()
        .args(net(&mock))
        .args(["--from", "sync.service", "--format", "json"]);
    let dir = cmd.path().to_path_buf();
    let env_file = dir.join("sl.env");
    std::fs::write(&env_file, format!("SALESLAYER_API_KEY={CANARY}\n")).unwrap();
    std::fs::set_permissions(&env_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let unit = format!(
        "[Service]\nExecStart=/bin/true\nEnvironment=\"SALESLAYER_API_KEY={CANARY}x\"\nEnvironmentFile={}\n",
        env_file.display()
    );
    std::fs::write(dir.join("sync.service"), unit).unwrap();
    let (r, _d) = cmd.run();
    assert_output_safe(CANARY, "json", &r.stdout, LOG);
    assert_output_safe(CANARY, "stderr", &r.stderr, LOG);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let check = |id: &str| {
        report["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|item| item["checks"].as_array().unwrap())
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id}"))
            .clone()
    };
    let literal = check("key-in-deployment-file");
    assert_eq!(literal["status"], "warn", "{literal}");
    assert_contains(
        literal["findings"][0]["message"].as_str().unwrap(),
        "sync.service line 3 (systemd (Environment=), which another definition overrides: the key is still in the file)",
    );
    let mode = check("key-file-permissions");
    assert_eq!(mode["status"], "warn", "{mode}");
    assert_contains(
        mode["findings"][0]["message"].as_str().unwrap(),
        "sl.env has mode 0644: readable by every user of this machine",
    );
    // The key delivered is the EnvironmentFile='s (the unit's own value has an extra x).
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn an_export_line_warns_and_strict_fails() {
    let mock = start_mock(CANARY);
    let files = [(".env", format!("export SALESLAYER_API_KEY={CANARY}\n"))];
    let (r, report) = doctor(&mock, &files, &[]);
    assert_eq!(
        r.code, 0,
        "docker refuses the file, the others read it: a warning\n{}",
        r.stdout
    );
    assert!(causes(&report).contains(&"readers-disagree".to_string()));
    let (r, _) = doctor(&mock, &files, &["--strict"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn healthy_deployments_raise_no_false_quote_or_whitespace_failure() {
    let mock = start_mock(CANARY);
    let compose = format!(
        "services:\n  api:\n    image: app\n    environment:\n      SALESLAYER_API_KEY: \"{CANARY}\"\n  worker:\n    image: app\n    env_file: prod.env\n"
    );
    let unit = "[Service]\nEnvironmentFile={dir}/app.env\nExecStart=/bin/true\n".to_string();
    let files = [
        ("docker-compose.yml", compose),
        ("prod.env", format!("SALESLAYER_API_KEY=\"{CANARY}\"  \n")),
        ("app.service", unit),
        ("app.env", format!("SALESLAYER_API_KEY='{CANARY}'\r\n")),
    ];
    let args = [
        "--from",
        "docker-compose.yml",
        "--from",
        "app.service",
        "--no-dotenv",
    ];
    let (r, report) = doctor(&mock, &files, &args);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Only the exposure of the key written in the compose file warns (and the mode of the
    // environment files the deployments read, written here with the umask's mode).
    let found = causes(&report);
    assert!(found.contains(&"key-in-deployment-file".to_string()));
    assert!(
        found
            .iter()
            .all(|c| c == "key-in-deployment-file" || c == "key-file-permissions"),
        "{}",
        r.stdout
    );
    let sources = report["key"]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 3, "each deployment is a source: {sources:?}");
    assert!(sources.iter().all(|s| s["source"]["kind"] == "deployment"));
}

#[test]
fn compose_interpolates_the_key_from_its_dotenv() {
    let mock = start_mock(CANARY);
    let compose = "services:\n  web:\n    environment:\n      SALESLAYER_API_KEY: ${SL_KEY}\n  job:\n    environment:\n      - SALESLAYER_API_KEY=${SL_KEY:?set SL_KEY}\n".to_string();
    let files = [
        ("compose.yaml", compose),
        (".env", format!("SL_KEY=\"{CANARY}\"\n")),
    ];
    let (r, report) = doctor(&mock, &files, &["--from", "compose.yaml"]);
    // Both services get the healthy key; the .env's SL_KEY is compose's, not a misspelling.
    // Only the mode of that .env (written with the umask's) warns: it holds the key.
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        causes(&report).iter().all(|c| c == "key-file-permissions"),
        "{}",
        r.stdout
    );
}

/// A value compose takes from its environment is that variable's: a defect in it is
/// fixed there, and an unset `${VAR:?}` (compose refuses to start) says to set it.
#[test]
fn compose_blames_the_variable_it_interpolates() {
    let mock = start_mock(CANARY);
    let compose =
        "services:\n  app:\n    environment:\n      - SALESLAYER_API_KEY=${SL_KEY:?set SL_KEY}\n"
            .to_string();
    let files = [("docker-compose.yml", compose)];
    let args = ["--from", "docker-compose.yml"];
    let spaced = [("SL_KEY", format!("{CANARY} "))];
    let (r, report) = doctor_env(&mock, &files, &args, &spaced);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(report["key"]["source"]["kind"], "env", "{}", r.stdout);
    assert_eq!(report["key"]["source"]["name"], "SL_KEY", "{}", r.stdout);
    // The key line names the variable; the fix does not send the user to the file.
    assert_contains(&r.stdout, "key     SL_KEY (environment)");
    let fix = report["diagnosis"]["causes"][0]["fix"].as_str().unwrap();
    assert!(!fix.contains("docker-compose.yml"), "{fix}");
    // `fix` names the same variable.
    let cmd = sl_doctor()
        .arg("fix")
        .args(net(&mock))
        .args(args)
        .env("SL_KEY", &spaced[0].1);
    cmd.file("docker-compose.yml", &files[0].1);
    let (f, _d) = cmd.run();
    assert_output_safe(CANARY, "fix stdout", &f.stdout, LOG);
    assert_output_safe(CANARY, "fix stderr", &f.stderr, LOG);
    assert_contains(
        &f.stdout,
        "The key comes from the environment variable SL_KEY",
    );
    // Unset: compose would not start; the fix says where to set the variable.
    let (r, report) = doctor(&mock, &files, &args);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let missing = cause_with(&report, "key-not-loaded", &r.stdout);
    assert_contains(
        missing["fix"].as_str().unwrap(),
        "Set SL_KEY where compose runs",
    );
}

/// The running container gets the last `ENV`, not the build-time `ARG` before it.
#[test]
fn a_dockerfile_env_wins_over_the_arg() {
    let mock = start_mock(CANARY);
    let dockerfile = format!(
        "FROM alpine\nARG SALESLAYER_API_KEY=\"not-the-key-at-all-0123456789abcdefghijkl\"\nENV OTHER=1 SALESLAYER_API_KEY=\"{CANARY} \"\n"
    );
    let (r, report) = doctor(
        &mock,
        &[("Dockerfile", dockerfile)],
        &["--from", "Dockerfile"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(
        report["key"]["source"]["name"].as_str().unwrap(),
        "Dockerfile:3 (Dockerfile (ENV))",
    );
    assert_eq!(causes(&report)[0], "extra-whitespace", "{}", r.stdout);
    // Both lines still hold the key: both are exposures.
    assert_contains(
        &r.stdout,
        "The key is written in Dockerfile line 2 and Dockerfile line 3",
    );
}

/// A step's `env:` overrides the job's: a literal key in the job that every step
/// overrides reaches no step (still an exposure); what the steps get is unknown here.
#[test]
fn a_workflow_step_env_overrides_the_job_env() {
    let mock = start_mock(CANARY);
    let step = "        env:\n          SALESLAYER_API_KEY: ${{ secrets.SL_KEY }}\n";
    let job = format!(
        "on: push\njobs:\n  sync:\n    runs-on: ubuntu-latest\n    env:\n      SALESLAYER_API_KEY: '{CANARY}'\n    steps:\n      - run: ./sync.sh\n"
    );
    let path = ".github/workflows/sync.yml";
    let args = ["--from", path];
    let (r, report) = doctor(&mock, &[(path, format!("{job}{step}"))], &args);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let missing = cause_with(&report, "key-not-loaded", &r.stdout);
    assert_contains(
        missing["fix"].as_str().unwrap(),
        "GitHub fills in `${{ secrets.SL_KEY }}` at run time",
    );
    assert!(
        causes(&report).contains(&"key-in-deployment-file".to_string()),
        "{}",
        r.stdout
    );
    assert_eq!(report["key"]["present"], false, "{}", r.stdout);
    // A second step without its own env: gets the job's value, which is diagnosed.
    let two = format!("{job}{step}      - run: ./report.sh\n");
    let (r, report) = doctor(&mock, &[(path, two)], &[&args[..], &["-v"]].concat());
    assert_eq!(report["key"]["present"], true, "{}", r.stdout);
    assert_contains(
        &r.stdout,
        "One reader delivers a value known before run time",
    );
}

#[test]
fn compose_list_syntax_keeps_the_quotes_and_names_the_line() {
    let mock = start_mock(CANARY);
    let compose = format!(
        "services:\n  api:\n    image: app\n    environment:\n      - SALESLAYER_API_KEY=\"{CANARY}\"\n  worker:\n    image: app\n    environment:\n      SALESLAYER_API_KEY: \"{CANARY}\"\n"
    );
    let compose_body = compose.clone();
    let (r, report) = doctor(&mock, &[("compose.yml", compose)], &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(causes(&report)[0], "quoted-key", "{}", r.stdout);
    assert_contains(
        report["diagnosis"]["causes"][0]["fix"].as_str().unwrap(),
        "compose.yml:5",
    );
    // The list entry's own quotes are the proven cause; that the map-syntax service
    // delivers the key clean is said after it, as a warning, with the line's fix.
    let disagree = cause_with(&report, "readers-disagree", &r.stdout);
    assert_eq!(disagree["level"], "warn", "{}", r.stdout);
    assert_contains(disagree["fix"].as_str().unwrap(), "compose.yml line 5");
    // The compose file of the working directory is a source, read like ./.env.
    assert_eq!(report["key"]["source"]["kind"], "deployment");
    // Each finding about the line points at it, as a .env finding does.
    for (code, lines) in [
        ("surrounding-quotes", vec![5]),
        ("readers-disagree", vec![5]),
        ("key-in-deployment-file", vec![5, 9]),
    ] {
        let at: Vec<&serde_json::Value> = findings_with(&report, code)
            .into_iter()
            .map(|f| &f["location"])
            .collect();
        let want: Vec<serde_json::Value> = lines
            .into_iter()
            .map(|l| serde_json::json!({"path": "compose.yml", "line": l}))
            .collect();
        assert_eq!(at, want.iter().collect::<Vec<_>>(), "{code}\n{}", r.stdout);
    }
    // GitHub annotations point at the line (workflow commands are the format's own).
    let cmd = sl_doctor().args(net(&mock)).args(["--format", "github"]);
    cmd.file("compose.yml", &compose_body);
    let (gh, _d) = cmd.run();
    assert_no_leak(CANARY, "github", &gh.stdout);
    assert_contains(
        &gh.stdout,
        "::error file=compose.yml,line=5,title=sl-doctor%3A The key is wrapped in quotes",
    );
}

/// Every finding of the report with this code.
fn findings_with<'a>(v: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    match v {
        serde_json::Value::Object(m)
            if m.get("code").and_then(|c| c.as_str()) == Some(code)
                && m.contains_key("message") =>
        {
            vec![v]
        }
        serde_json::Value::Object(m) => m.values().flat_map(|x| findings_with(x, code)).collect(),
        serde_json::Value::Array(a) => a.iter().flat_map(|x| findings_with(x, code)).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn a_secret_key_ref_names_the_secret_line_in_another_file() {
    let mock = start_mock(CANARY);
    let b64 = b64_with_newline();
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sl\ntype: Opaque\ndata:\n  api-key: {b64}\n"
    );
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: SALESLAYER_API_KEY\n              valueFrom:\n                secretKeyRef: {name: sl, key: api-key}\n".to_string();
    let files = [("secret.yaml", secret), ("deployment.yaml", deployment)];
    let args = ["--from", "deployment.yaml", "--from", "secret.yaml"];
    let (r, report) = doctor(&mock, &files, &args);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(causes(&report)[0], "extra-whitespace", "{}", r.stdout);
    // The line to change is the Secret's, though the Deployment references it.
    let fix = report["diagnosis"]["causes"][0]["fix"].as_str().unwrap();
    assert_contains(fix, "secret.yaml:7");
    assert_contains(fix, "secretKeyRef sl/api-key");
    let exposure = cause_with(&report, "key-in-deployment-file", &r.stdout);
    assert_contains(exposure["title"].as_str().unwrap(), "secret.yaml line 7");
    let secret_line = serde_json::json!({"path": "secret.yaml", "line": 7});
    for code in ["trailing-newline", "key-in-deployment-file"] {
        let at: Vec<&serde_json::Value> = findings_with(&report, code)
            .into_iter()
            .map(|f| &f["location"])
            .collect();
        assert_eq!(at, vec![&secret_line], "{code}\n{}", r.stdout);
    }
    // `fix` names the same place, and edits nothing.
    let cmd = sl_doctor().arg("fix").args(net(&mock)).args(args);
    for (name, body) in &files {
        std::fs::write(cmd.path().join(name), body).unwrap();
    }
    let (f, _d) = cmd.run();
    assert_output_safe(CANARY, "fix stdout", &f.stdout, LOG);
    assert_output_safe(CANARY, "fix stderr", &f.stderr, LOG);
    assert_contains(&f.stdout, "the deployment file secret.yaml:7");
    assert!(!f.stdout.contains("standard input"), "{}", f.stdout);
}

#[test]
fn a_secret_with_a_newline_and_a_pasted_base64_key() {
    let mock = start_mock(CANARY);
    let b64 = b64_with_newline();
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sl\ndata:\n  SALESLAYER_API_KEY: {b64}\n"
    );
    let (r, report) = doctor(&mock, &[("k8s.yaml", manifest)], &["--from", "k8s.yaml"]);
    assert_eq!(r.code, 1);
    assert_eq!(causes(&report)[0], "extra-whitespace", "{}", r.stdout);
    assert_contains(
        report["diagnosis"]["causes"][0]["fix"].as_str().unwrap(),
        "k8s.yaml:6",
    );
    // The same data pasted into the variable as it is: decoded, proven, not "invalid".
    let cmd = || sl_doctor().args(net(&mock)).env("SALESLAYER_API_KEY", &b64);
    let (j, _d) = cmd().args(["--format", "json"]).run();
    assert_output_safe(CANARY, "json", &j.stdout, LOG);
    let report: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(causes(&report)[0], "base64-encoded-key", "{}", j.stdout);
    assert!(!causes(&report).contains(&"key-rejected".to_string()));
}

#[test]
fn one_api_at_a_time_tells_not_enabled_from_invalid() {
    let mock = MockProcess::start(&["--https", "--key", &format!("catalog:{CANARY}")]);
    let cmd = || {
        sl_doctor()
            .args(net(&mock))
            .env("SALESLAYER_API_KEY", CANARY)
    };
    let (j, _d) = cmd().args(["--api", "dam", "--format", "json"]).run();
    assert_output_safe(CANARY, "json", &j.stdout, LOG);
    let report: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(causes(&report)[0], "api-not-enabled", "{}", j.stdout);
    assert!(!causes(&report).contains(&"key-rejected".to_string()));
    // A key neither API knows: rejected by both, and the proof says the other was asked.
    let (j, _d) = sl_doctor()
        .args(net(&mock))
        .env("SALESLAYER_API_KEY", "SLDOCTORunknown7Qx9+Zk/4mW2=")
        .args(["--api", "dam", "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    let c = &report["diagnosis"]["causes"][0];
    assert_eq!(c["id"], "key-rejected", "{}", j.stdout);
    assert_contains(
        c["proof"].as_str().unwrap(),
        "Catalog, asked once, rejects it too",
    );
}

/// The printed POSIX curl, run as printed in the doctor's directory.
fn run_curl(cmd: SlDoctor, mock: &MockProcess, extra: &[&str]) -> (String, String) {
    let (r, d) = cmd
        .args([
            "curl",
            "--shell",
            "posix",
            "--api",
            "dam",
            "--base-url",
            &mock.base_url,
            "--ca-cert",
        ])
        .arg(mock.ca_path.as_ref().unwrap())
        .args(extra)
        .run();
    assert_output_safe(CANARY, "curl script", &r.stdout, LOG);
    let out = std::process::Command::new("bash")
        .args(["-c", &r.stdout])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(d.path())
        .output()
        .expect("bash");
    let status = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("HTTP/"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("none")
        .to_string();
    (r.stdout, status)
}

/// The status of the doctor's DAM probe for the key as given, or `not-sendable`.
fn probe_status(report: &serde_json::Value) -> String {
    let ev = report["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["checks"].as_array().unwrap())
        .find(|c| c["id"] == "dam-probe")
        .unwrap()["evidence"]
        .clone();
    if ev["request"]["key"] == "not-sendable" {
        return "not-sendable".into();
    }
    ev["attempts"][0]["response"]["status"].to_string()
}

#[test]
fn the_printed_curl_gets_the_probes_answer_or_says_why_not() {
    let mock = start_mock(CANARY);
    let cases: [(&str, String, &[&str]); 3] = [
        (
            "dotenv reading",
            format!("SALESLAYER_API_KEY=\"{CANARY}\"\n"),
            &[],
        ),
        (
            "docker reading",
            format!("SALESLAYER_API_KEY=\"{CANARY}\"\n"),
            &["--loader", "docker"],
        ),
        (
            "shell keeps the CR",
            format!("SALESLAYER_API_KEY={CANARY}\r\n"),
            &["--loader", "shell"],
        ),
    ];
    for (case, body, extra) in cases {
        let files = [(".env", body.clone())];
        let (_, report) = doctor(&mock, &files, &[&["--api", "dam"], extra].concat());
        let want = probe_status(&report);
        let cmd = sl_doctor();
        std::fs::write(cmd.path().join(".env"), &body).unwrap();
        let (script, got) = run_curl(cmd, &mock, extra);
        if want == "not-sendable" {
            assert_contains(
                &script,
                "WARNING: the key as it is delivered ends with a line break (CR)",
            );
            assert_contains(
                &script,
                "a 200 proves the key itself is valid, not that the deployment works",
            );
            assert_eq!(got, "200", "{case}: curl drops the CR, as the script says");
        } else {
            assert_eq!(
                got, want,
                "{case}: the curl and the probe disagree\n{script}"
            );
        }
        if extra.is_empty() {
            assert_contains(&script, "The readers of the key deliver different values");
        }
    }
}
