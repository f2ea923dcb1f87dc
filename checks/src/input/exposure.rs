//! Shared helpers of the exposure checks (`key-file-in-git`, `key-file-permissions`,
//! `key-shared-across-environments`): which files hold the key, a bounded `git` runner
//! and shell quoting for the fixes we print.
//!
//! Nothing here reads or prints a key value; the files are only named.

use crate::model::context::KeyState;
use crate::model::report::SourceKind;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one `git` command may run. `git` on a local repository answers in
/// milliseconds; a hung filesystem or a credential prompt must not hang the doctor.
pub const GIT_TIMEOUT: Duration = Duration::from_secs(3);

/// A file that holds a key value: the key file or a `.env`, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFile {
    /// The path as given (relative paths stay relative: fixes are copy-pasteable).
    pub path: PathBuf,
    /// `"key file"` or `".env file"`.
    pub what: &'static str,
}

/// The files (key file, `.env`) that held a key value, without duplicates, in
/// precedence order.
pub fn key_files(key: &KeyState) -> Vec<KeyFile> {
    let mut out: Vec<KeyFile> = Vec::new();
    for c in &key.candidates {
        let what = match c.source.kind {
            SourceKind::File => "key file",
            SourceKind::Dotenv => ".env file",
            _ => continue,
        };
        if let Some(p) = &c.path
            && !out.iter().any(|f| &f.path == p)
        {
            out.push(KeyFile {
                path: p.clone(),
                what,
            });
        }
    }
    out
}

/// Quotes a path for a POSIX shell when it needs quoting.
pub fn shell_quote(path: &Path) -> String {
    let s = path.display().to_string();
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./~+@%:,".contains(c));
    if safe {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The result of one bounded `git` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRun {
    /// The `git` program is not installed (or not on PATH).
    NotInstalled,
    /// It ran longer than the timeout and was killed.
    TimedOut,
    /// It could not be started for another reason.
    Failed(String),
    /// It finished.
    Exited {
        /// Exit code (`None` when killed by a signal).
        code: Option<i32>,
        /// Standard output (small: only short answers are asked for).
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
}

/// Runs `program args…` in `dir` with a timeout, stdin closed, stderr discarded, and
/// no pager, prompt or optional lock.
pub fn run_git(program: &OsStr, dir: &Path, args: &[&OsStr], timeout: Duration) -> GitRun {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return GitRun::NotInstalled,
        Err(e) => return GitRun::Failed(e.to_string()),
    };
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut stdout = Vec::new();
                if let Some(mut out) = child.stdout.take() {
                    let _ = out.by_ref().take(64 * 1024).read_to_end(&mut stdout);
                }
                return GitRun::Exited {
                    code: status.code(),
                    stdout,
                };
            }
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return GitRun::TimedOut;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return GitRun::Failed(e.to_string());
            }
        }
    }
}

/// The directory a file lives in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_only_when_needed() {
        let cases = [
            (".env", ".env"),
            ("secrets/sl.key", "secrets/sl.key"),
            ("my keys/sl.key", "'my keys/sl.key'"),
            ("it's.env", r"'it'\''s.env'"),
        ];
        for (given, want) in cases {
            assert_eq!(shell_quote(Path::new(given)), want, "{given}");
        }
    }

    #[test]
    fn missing_program_is_not_installed() {
        let r = run_git(
            OsStr::new("sl-doctor-no-such-git-binary"),
            Path::new("."),
            &[],
            GIT_TIMEOUT,
        );
        assert_eq!(r, GitRun::NotInstalled);
    }

    #[test]
    fn slow_program_times_out() {
        let t = Instant::now();
        let r = run_git(
            OsStr::new("sleep"),
            Path::new("."),
            &[OsStr::new("5")],
            Duration::from_millis(100),
        );
        assert_eq!(r, GitRun::TimedOut);
        assert!(t.elapsed() < Duration::from_secs(3));
    }
}
