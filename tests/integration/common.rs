//! A builder for running the real binary in a clean, deterministic environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The canary key used by the leak tests. Never a real key.
pub use sl_doctor_checks::testing_support::TEST_CANARY as CANARY;

/// A finished run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Builder: `sl_doctor().env("K", "v").args(["--offline"]).run()`.
pub struct SlDoctor {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    pub dir: tempfile::TempDir,
}

/// A run in an empty temporary directory with an empty environment (only PATH and a
/// temporary HOME), so no `.env` or key variable of the developer leaks in.
pub fn sl_doctor() -> SlDoctor {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sl-doctor"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .current_dir(dir.path())
        .stdin(Stdio::null());
    SlDoctor {
        cmd,
        stdin: None,
        dir,
    }
}

impl SlDoctor {
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(k, v);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Runs in `dir` instead of the run's own temporary directory.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self.cmd.stdin(Stdio::piped());
        self
    }

    /// Writes a file into the run's directory and returns its path.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs with standard input a pipe that stays open and silent, killed past `limit`.
    pub fn run_with_silent_stdin(mut self, limit: std::time::Duration) -> (Run, tempfile::TempDir) {
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("spawn sl-doctor");
        let held = child.stdin.take();
        let run = wait_within(child, limit);
        drop(held);
        (run, self.dir)
    }

    /// Runs, killed (and the test failed) past `limit`.
    pub fn run_within(mut self, limit: std::time::Duration) -> (Run, tempfile::TempDir) {
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = self.cmd.spawn().expect("spawn sl-doctor");
        (wait_within(child, limit), self.dir)
    }

    pub fn run(mut self) -> (Run, tempfile::TempDir) {
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("spawn sl-doctor");
        if let Some(bytes) = self.stdin.take() {
            use std::io::Write;
            let mut w = child.stdin.take().unwrap();
            w.write_all(&bytes).unwrap();
        }
        let out = child.wait_with_output().expect("wait");
        (
            Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            },
            self.dir,
        )
    }
}

/// Waits for `child` at most `limit` (a generous bound, not a timing assertion: a run
/// that hangs fails the test instead of hanging it); kills it and panics past the limit.
pub fn wait_within(mut child: std::process::Child, limit: std::time::Duration) -> Run {
    use std::io::Read;
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let end = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sl-doctor did not finish within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
    }
}

/// Asserts that `text` holds no piece of `key` in any spelling of the leak policy.
#[track_caller]
pub fn assert_no_leak(key: &str, what: &str, text: &str) {
    assert!(
        !sl_doctor_checks::testing_support::leaks(key, text),
        "{what} contains a piece of the key:\n{text}"
    );
}

/// Replaces what changes from run to run in human output (temp paths, version).
pub fn stable(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "[DIR]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

/// Snapshots what a whole-run JSON report says about its scenario: every field but the
/// checks that passed or were skipped (the full list of checks is the `checks_list`
/// snapshot's, so a new check rewrites that one snapshot alone), the pass and skip counts
/// redacted for the same reason; timings, timestamp and version redacted. It first asserts
/// that the report lists every registered check once, in registry order.
#[macro_export]
macro_rules! assert_report_snapshot {
    ($name:expr, $json:expr) => {{
        let v: serde_json::Value = serde_json::from_str($json).expect("stdout is JSON");
        $crate::common::assert_every_check_reported(&v);
        let what_went_wrong = $crate::common::what_went_wrong(v);
        insta::assert_json_snapshot!($name, what_went_wrong, {
            ".generated_at" => "[time]",
            ".duration_ms" => "[ms]",
            ".tool.version" => "[version]",
            ".tool.os" => "[os]",
            ".summary.pass" => "[n]",
            ".summary.skip" => "[n]",
            ".checklist[].checks[].duration_ms" => "[ms]",
        });
    }};
}

/// The ids of a JSON report's checks, in order.
pub fn reported_check_ids(report: &serde_json::Value) -> Vec<&str> {
    report["checklist"]
        .as_array()
        .expect("a checklist")
        .iter()
        .flat_map(|item| item["checks"].as_array().expect("an item's checks"))
        .map(|c| c["id"].as_str().expect("a check id"))
        .collect()
}

/// A whole run reports every registered check, once, in registry order.
pub fn assert_every_check_reported(report: &serde_json::Value) {
    let registered: Vec<String> = sl_doctor_checks::registry()
        .iter()
        .map(|c| c.meta().id.to_string())
        .collect();
    assert_eq!(
        reported_check_ids(report),
        registered,
        "the report's checks"
    );
}

/// A JSON report with only the checks that failed, warned or could not finish: what a
/// scenario is about.
pub fn what_went_wrong(mut report: serde_json::Value) -> serde_json::Value {
    for item in report["checklist"].as_array_mut().expect("a checklist") {
        item["checks"]
            .as_array_mut()
            .expect("an item's checks")
            .retain(|c| !matches!(c["status"].as_str(), Some("pass" | "skip")));
    }
    report
}

/// `sl-doctor mock` running as a child process; killed on drop.
pub struct MockProcess {
    pub base_url: String,
    pub ca_path: Option<PathBuf>,
    child: std::process::Child,
    /// The mock's stdin: it stops when this closes (`--exit-on-stdin-close`), so it ends
    /// with the test process even when no destructor runs (a `static` mock).
    stdin: Option<std::process::ChildStdin>,
}

impl MockProcess {
    /// Starts `sl-doctor mock ARGS --exit-after 60 --exit-on-stdin-close` and reads its
    /// base URL and CA file.
    pub fn start(args: &[&str]) -> MockProcess {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_sl-doctor"))
            .arg("mock")
            .args(args)
            .args(["--exit-after", "60", "--exit-on-stdin-close"])
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sl-doctor mock");
        let out = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(out).lines();
        let (mut base_url, mut ca_path) = (None, None);
        for line in lines.by_ref() {
            let line = line.expect("mock output");
            if let Some(rest) = line.strip_prefix("base URL") {
                base_url = Some(rest.trim().to_string());
            } else if let Some(rest) = line.strip_prefix("CA file") {
                ca_path = rest.split_whitespace().next().map(PathBuf::from);
            } else if line.starts_with("keys") {
                break;
            }
        }
        // Keep draining its output so the mock never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let stdin = child.stdin.take();
        MockProcess {
            base_url: base_url.expect("the mock prints its base URL"),
            ca_path,
            child,
            stdin,
        }
    }
}

impl MockProcess {
    /// Closes the mock's stdin (it stops) and returns its exit status, `None` if it is
    /// still running after 5 s.
    pub fn close_stdin(&mut self) -> Option<std::process::ExitStatus> {
        drop(self.stdin.take());
        self.exited_within(std::time::Duration::from_secs(5))
    }

    /// Sends the mock SIGTERM (the shell's `kill`) and returns its exit status, `None` if
    /// it is still running after 5 s.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        let sent = Command::new("sh")
            .args(["-c", "kill -TERM \"$1\"", "sh", &pid])
            .status()
            .is_ok_and(|s| s.success());
        assert!(sent, "kill -TERM {pid}");
        self.exited_within(std::time::Duration::from_secs(5))
    }

    fn exited_within(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let end = std::time::Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(None) if std::time::Instant::now() < end => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                Ok(status) => return status,
                Err(_) => return None,
            }
        }
    }
}

impl Drop for MockProcess {
    /// Asks the mock to stop (its stdin closes), so it removes its CA directory; kills it
    /// only if it has not stopped within 5 s.
    fn drop(&mut self) {
        if self.close_stdin().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The output rules of a terminal or CI log (no tab, no workflow-command line).
pub const LOG: sl_doctor_checks::testing_support::OutputRules =
    sl_doctor_checks::testing_support::OutputRules {
        tab: false,
        log: true,
        markdown: false,
    };

/// The network options that point a run at an https mock.
pub fn mock_net(mock: &MockProcess) -> Vec<String> {
    let ca = mock.ca_path.as_ref().expect("https mock");
    vec![
        "--base-url".into(),
        mock.base_url.clone(),
        "--ca-cert".into(),
        ca.display().to_string(),
        "--no-proxy".into(),
        "--color".into(),
        "never".into(),
    ]
}

/// The Python program `code` (`/usr/bin/python3`, whose python3-yaml Debian's
/// docker-compose brings) run on `input`: its standard output when it succeeds.
pub fn system_python(code: &str, input: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut py = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(code)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the system python runs");
    py.stdin.take().unwrap().write_all(input).unwrap();
    let out = py.wait_with_output().unwrap();
    out.status.success().then_some(out.stdout)
}

/// Starts `sl-doctor mock --https` accepting `key` for both APIs.
pub fn start_mock(key: &str) -> MockProcess {
    let m = MockProcess::start(&["--https", "--key", &format!("both:{key}")]);
    assert!(
        m.ca_path.as_ref().is_some_and(|p| p.exists()),
        "the mock wrote its CA"
    );
    m
}

/// A plain-HTTP loopback server that answers 503 to everything, for at most
/// `max_connections` connections or 15 seconds. Returns its base URL.
pub fn start_503_server(max_connections: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut served = 0;
        while served < max_connections && std::time::Instant::now() < end {
            match listener.accept() {
                Ok((mut s, _)) => {
                    served += 1;
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf);
                    let _ = s.write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
    });
    format!("http://{addr}")
}

/// The strings of a JSON array (panics on anything else: the reports' lists are strings).
pub fn strs(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|x| x.as_str().expect("a string"))
        .collect()
}

/// Asserts that `text` (a run's stdout or stderr) contains `needle`, showing the text
/// when it does not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} is missing from:\n{text}");
}

/// `sl-doctor support --offline --output <out>` with the canary in `SALESLAYER_API_KEY`:
/// the bundle a user without network writes.
pub fn support_offline(out: &str) -> (Run, tempfile::TempDir) {
    sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .args(["support", "--offline", "--output", out])
        .run()
}

/// Runs `sl-doctor ARGS` (a shell command line) in a pseudo-terminal (util-linux `script`), answering `answer`
/// once `prompt` is shown, after calling `meanwhile`; `None` without `script`.
pub fn in_terminal(
    dir: &Path,
    args: &str,
    prompt: &str,
    meanwhile: impl FnOnce(),
    answer: &str,
) -> Option<String> {
    use std::io::{Read, Write};
    if !sl_doctor_checks::testing_support::require_tool("script", &["--version"]) {
        return None;
    }
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_sl-doctor"));
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script");
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains(prompt) {
        let n = out.read(&mut buf).expect("read the terminal");
        assert!(n > 0, "no {prompt:?}: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    meanwhile();
    // rpassword writes the prompt and only then turns the terminal's echo off: a person cannot
    // type in between, but a test writing the moment the prompt appears can, and the terminal
    // then echoes the key. Give it time to turn echo off first.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(answer.as_bytes()).unwrap();
    out.read_to_end(&mut seen).unwrap();
    let _ = child.wait();
    Some(String::from_utf8_lossy(&seen).into_owned())
}
