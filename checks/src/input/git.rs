//! The one way sl-doctor runs `git`: bounded in time and output, and with no power from
//! the repository's own configuration.
//!
//! A repository is outside input: an extracted customer archive or a cloned project can
//! carry a `.git/config` (or a `.git` file pointing elsewhere, or an embedded bare
//! repository) whose settings make git run programs: `core.fsmonitor` runs a hook on every
//! index read, `core.hooksPath` chooses the hooks, `core.pager`/`pager.*` a pager,
//! `diff.external` and `diff.<driver>.textconv` programs on diffs, `filter.<driver>` on
//! content, `core.sshCommand`, `core.askPass` and `credential.helper` on a fetch (a partial
//! clone fetches missing objects lazily), `log.showSignature` runs `gpg.program`. Every
//! invocation therefore gets:
//!
//! - command-line configuration ([`OVERRIDES`]), which outranks every configuration file:
//!   no fsmonitor, hooks in a path that cannot hold any, no pager, no askpass, no
//!   credential helper, no signature display, no transport at all, and embedded bare
//!   repositories refused (`safe.bareRepository=explicit`);
//! - global options: `--no-pager`, `--no-replace-objects` (replace refs cannot hide a
//!   blob); callers that pass a file name as a pathspec add `--literal-pathspecs` (a file
//!   named `*` is that file; `check-ignore` takes no pathspec magic and refuses it);
//! - an environment that makes the same choices where git reads the environment first:
//!   `GIT_ASKPASS=""` (wins over `core.askPass`), `GIT_ALLOW_PROTOCOL=""` (no transport,
//!   whatever `protocol.*.allow` says), `GIT_NO_LAZY_FETCH=1`, `GIT_TERMINAL_PROMPT=0`,
//!   `GIT_OPTIONAL_LOCKS=0` (no index refresh written), `GIT_PAGER=cat`, `LC_ALL=C`;
//! - callers pass flags that turn off what configuration cannot (`log --no-ext-diff
//!   --no-textconv --no-show-signature`); the commands sl-doctor runs (`rev-parse`,
//!   `ls-files`, `check-ignore`, `rev-list`, `cat-file --batch`, `ls-tree`, `log`) never
//!   apply content filters;
//! - a timeout: the process is killed when it outlives it (a configuration can still make
//!   git *read* a FIFO through `include.path` or `core.excludesFile`), and standard output
//!   is read while it runs, up to a cap.
//!
//! `tests/integration/git_config.rs` plants each of those settings, each one creating a
//! marker file if run, and runs every command that runs git.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long one short `git` command may run. `git` on a local repository answers in
/// milliseconds; a hung filesystem or a planted FIFO must not hang the doctor.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// What standard output of a short command may hold (only short answers are asked for).
pub const SHORT_OUTPUT: usize = 64 * 1024;

/// A path that cannot hold hooks: git looks for `<path>/<hook>` and finds nothing.
#[cfg(unix)]
const NO_HOOKS: &str = "core.hooksPath=/dev/null";
#[cfg(not(unix))]
const NO_HOOKS: &str = "core.hooksPath=NUL";

/// Configuration given on the command line, which outranks the repository's own files.
/// An empty value turns a setting off (`core.fsmonitor=` is "false" for every git version
/// that knows it; `credential.helper=` empties the list of helpers).
pub const OVERRIDES: &[&str] = &[
    "core.fsmonitor=",
    NO_HOOKS,
    "core.pager=cat",
    "core.askPass=",
    "credential.helper=",
    "log.showSignature=false",
    "protocol.allow=never",
    "safe.bareRepository=explicit",
];

/// The result of one bounded `git` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRun {
    /// The `git` program is not installed (or not on PATH).
    NotInstalled,
    /// It ran longer than the timeout and was killed.
    TimedOut,
    /// It could not be started, or wrote more than it may.
    Failed(String),
    /// It finished.
    Exited {
        /// Exit code (`None` when killed by a signal).
        code: Option<i32>,
        /// Standard output.
        stdout: Vec<u8>,
    },
}

impl GitRun {
    /// The exit code, when it finished.
    pub fn code(&self) -> Option<i32> {
        match self {
            GitRun::Exited { code, .. } => *code,
            _ => None,
        }
    }

    /// Standard output of a run that exited 0.
    pub fn success(self) -> Option<Vec<u8>> {
        match self {
            GitRun::Exited {
                code: Some(0),
                stdout,
            } => Some(stdout),
            _ => None,
        }
    }
}

/// The `git` program to run (normally `git` on PATH; tests name a missing one).
#[derive(Debug, Clone)]
pub struct Git {
    program: OsString,
}

impl Default for Git {
    fn default() -> Self {
        Git::new("git")
    }
}

impl Git {
    /// Runs `program` as git.
    pub fn new(program: impl AsRef<OsStr>) -> Git {
        Git {
            program: program.as_ref().to_os_string(),
        }
    }

    /// The hardened command `git <global options> <args…>` in `dir`: stdin closed, stdout
    /// piped, stderr discarded (callers change stdin when they feed it).
    pub fn command<S: AsRef<OsStr>>(&self, dir: &Path, args: &[S]) -> Command {
        let mut cmd = Command::new(&self.program);
        for o in OVERRIDES {
            cmd.arg("-c").arg(o);
        }
        cmd.args(["--no-pager", "--no-replace-objects"])
            .args(args)
            .current_dir(dir)
            .env("GIT_ASKPASS", "")
            .env("SSH_ASKPASS", "")
            .env("GIT_ALLOW_PROTOCOL", "")
            .env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_PAGER", "cat")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // Its own process group, so that the watchdog kills whatever it started too.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd
    }

    /// Runs `git args…` in `dir` until it exits or `timeout` passes (then it is killed),
    /// reading at most `cap` bytes of standard output ([`GitRun::Failed`] past that).
    pub fn run<S: AsRef<OsStr>>(
        &self,
        dir: &Path,
        args: &[S],
        timeout: Duration,
        cap: usize,
    ) -> GitRun {
        let mut spawned = match self.spawn(self.command(dir, args), timeout) {
            Ok(s) => s,
            Err(e) => return e,
        };
        // Read on a helper thread: a process that escaped the kill could hold the pipe
        // open, and the answer must still come at the timeout.
        let mut pipe = spawned.stdout.take().expect("spawned with a pipe");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let read = pipe.by_ref().take(cap as u64 + 1).read_to_end(&mut out);
            let _ = tx.send(read.map(|_| out));
        });
        let stdout = match rx.recv_timeout(timeout + Duration::from_millis(500)) {
            Ok(Ok(out)) if out.len() <= cap => out,
            Ok(Ok(_)) => {
                spawned.kill();
                let _ = spawned.finish();
                return GitRun::Failed(format!("git wrote more than {cap} bytes"));
            }
            Ok(Err(e)) => {
                spawned.kill();
                let _ = spawned.finish();
                return GitRun::Failed(e.to_string());
            }
            Err(_) => {
                spawned.kill();
                let _ = spawned.finish();
                return GitRun::TimedOut;
            }
        };
        match spawned.finish() {
            Finished::Exited(status) => GitRun::Exited {
                code: status.code(),
                stdout,
            },
            Finished::TimedOut => GitRun::TimedOut,
            Finished::Failed(e) => GitRun::Failed(e),
        }
    }

    /// Starts `cmd` (built by [`Git::command`]) with a watchdog that kills it after
    /// `timeout`: the caller reads its standard output to the end (which comes at the
    /// latest when it is killed), then calls [`Spawned::finish`].
    pub fn spawn(&self, mut cmd: Command, timeout: Duration) -> Result<Spawned, GitRun> {
        let mut child = cmd.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                GitRun::NotInstalled
            } else {
                GitRun::Failed(e.to_string())
            }
        })?;
        let stdout = child.stdout.take().expect("Git::command pipes stdout");
        let stdin = child.stdin.take();
        let (kill_tx, kill_rx) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || watch(child, timeout, kill_rx));
        Ok(Spawned {
            stdin,
            stdout: Some(stdout),
            kill: kill_tx,
            watchdog,
        })
    }
}

/// A running git process under its watchdog.
#[derive(Debug)]
pub struct Spawned {
    /// Its standard input, when the command was given a pipe.
    pub stdin: Option<ChildStdin>,
    /// Its standard output (taken by the caller that reads it).
    pub stdout: Option<ChildStdout>,
    kill: std::sync::mpsc::Sender<()>,
    watchdog: std::thread::JoinHandle<Finished>,
}

/// How a watched process ended.
#[derive(Debug)]
pub enum Finished {
    /// It exited.
    Exited(ExitStatus),
    /// The watchdog killed it at the timeout (or the caller asked).
    TimedOut,
    /// Waiting for it failed.
    Failed(String),
}

impl Spawned {
    /// Asks the watchdog to kill the process now.
    pub fn kill(&self) {
        let _ = self.kill.send(());
    }

    /// Waits for the process (it is killed at its timeout at the latest).
    pub fn finish(self) -> Finished {
        drop(self.stdin);
        drop(self.stdout);
        self.watchdog
            .join()
            .unwrap_or_else(|_| Finished::Failed("the git watchdog panicked".into()))
    }
}

/// Waits for `child` until `timeout` or a message on `kill`; kills it then.
fn watch(mut child: Child, timeout: Duration, kill: std::sync::mpsc::Receiver<()>) -> Finished {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Finished::Exited(status),
            Ok(None) => {}
            Err(e) => {
                kill_group(&mut child);
                return Finished::Failed(e.to_string());
            }
        }
        let now = Instant::now();
        let asked = kill.try_recv().is_ok();
        if asked || now >= deadline {
            kill_group(&mut child);
            return Finished::TimedOut;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(2)));
    }
}

/// Kills `child` and its process group (what it started), and reaps it.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the group that `child` leads (it
        // was started with process_group(0) and is not reaped yet, so the id is its own).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_program_is_not_installed() {
        let r = Git::new("sl-doctor-no-such-git-binary").run(
            Path::new("."),
            &["version"],
            TIMEOUT,
            SHORT_OUTPUT,
        );
        assert_eq!(r, GitRun::NotInstalled);
    }

    /// A stand-in for git that ignores its arguments: a shell script.
    #[cfg(unix)]
    fn fake_git(dir: &Path, script: &str) -> Git {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("fake-git");
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        Git::new(p)
    }

    #[test]
    #[cfg(unix)]
    fn slow_program_is_killed_at_the_timeout() {
        let tmp = tempfile::tempdir().unwrap();
        let git = fake_git(tmp.path(), "exec sleep 5");
        let t = Instant::now();
        let r = git.run(tmp.path(), &["x"], Duration::from_millis(100), 10);
        assert_eq!(r, GitRun::TimedOut);
        assert!(t.elapsed() < Duration::from_secs(3));
    }

    #[test]
    #[cfg(unix)]
    fn output_is_read_while_it_runs_and_capped() {
        let tmp = tempfile::tempdir().unwrap();
        // More than a pipe buffer: it would block forever if read only after exit.
        let git = fake_git(tmp.path(), "head -c 200000 /dev/zero");
        let r = git.run(tmp.path(), &["x"], TIMEOUT, 300_000);
        assert!(matches!(&r, GitRun::Exited { code: Some(0), stdout } if stdout.len() == 200_000));
        let r = git.run(tmp.path(), &["x"], TIMEOUT, 1000);
        assert!(matches!(r, GitRun::Failed(_)), "{r:?}");
    }

    #[test]
    #[cfg(unix)]
    fn every_run_carries_the_overrides_and_global_options() {
        let tmp = tempfile::tempdir().unwrap();
        let git = fake_git(
            tmp.path(),
            "printf '%s\\n' \"$@\"; echo \"ASKPASS=[$GIT_ASKPASS] PROTO=[$GIT_ALLOW_PROTOCOL] LAZY=$GIT_NO_LAZY_FETCH\"",
        );
        let out = git
            .run(tmp.path(), &["status"], TIMEOUT, SHORT_OUTPUT)
            .success()
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        for o in OVERRIDES {
            assert!(out.contains(&format!("-c\n{o}\n")), "{o}: {out}");
        }
        assert!(
            out.contains("--no-pager\n--no-replace-objects\nstatus\n"),
            "{out}"
        );
        assert!(out.contains("ASKPASS=[] PROTO=[] LAZY=1"), "{out}");
    }
}
