//! `key-file-in-git`: the key file or `.env` that holds the key is neither tracked by git
//! nor left out of `.gitignore`.
//!
//! A tracked file puts the key in the repository and its whole history; a file that no
//! `.gitignore` covers is one `git add .` away from it. We ask git itself
//! (`ls-files --error-unmatch`, `check-ignore`) through the hardened runner
//! (`input::git`: bounded by a timeout, no power from the repository's own config), so
//! every ignore source (nested `.gitignore`, `.git/info/exclude`, `core.excludesFile`)
//! counts.

use crate::context::Context;
use crate::input::exposure::{KeyFile, key_files, parent_dir};
use crate::input::git::{Git, GitRun, SHORT_OUTPUT, TIMEOUT};
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, Location};
use crate::shell::sh_quote_path;
use std::ffi::OsStr;
use std::time::Duration;

crate::check! {
    /// The `key-file-in-git` check.
    KeyFileInGit: "key-file-in-git", Security, "The key file or .env is not tracked by git and is git-ignored",
    codes: &[TRACKED_BY_GIT, NOT_GITIGNORED],
}

pub const TRACKED_BY_GIT: Code = Code::fail(
    "tracked-by-git",
    "The key file or .env is tracked by git: the key is in the repository",
);
pub const NOT_GITIGNORED: Code = Code::warn(
    "not-gitignored",
    "The key file or .env is not covered by .gitignore: one `git add .` commits it",
);

/// What git says about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitState {
    /// No `git` program.
    NoGit,
    /// The file is not inside a git work tree.
    NotInRepo,
    /// Tracked (committed or staged). `ignored_too` when a `.gitignore` lists it anyway.
    Tracked {
        /// A `.gitignore` rule matches it (which does not untrack it).
        ignored_too: bool,
    },
    /// Untracked and not covered by any ignore rule.
    NotIgnored,
    /// Untracked and ignored: where a key file belongs.
    Ignored,
    /// git could not answer (timeout, odd exit code).
    Unknown(String),
}

/// Asks `program` (normally `git`) about one file.
pub fn git_state(program: &Git, file: &KeyFile, timeout: Duration) -> GitState {
    let dir = parent_dir(&file.path);
    let Some(name) = file.path.file_name() else {
        return GitState::Unknown("not a file name".into());
    };
    let git = |args: &[&OsStr]| program.run(&dir, args, timeout, SHORT_OUTPUT);
    match git(&[OsStr::new("rev-parse"), OsStr::new("--is-inside-work-tree")]) {
        GitRun::NotInstalled => return GitState::NoGit,
        GitRun::Exited {
            code: Some(0),
            stdout,
        } if stdout.starts_with(b"true") => {}
        // 128 = not a repository; `false` = inside .git or a bare repository.
        GitRun::Exited { .. } => return GitState::NotInRepo,
        GitRun::TimedOut => return GitState::Unknown("git did not answer in time".into()),
        GitRun::Failed(e) => return GitState::Unknown(format!("git could not run: {e}")),
    }
    let ls = git(&[
        OsStr::new("--literal-pathspecs"),
        OsStr::new("ls-files"),
        OsStr::new("--error-unmatch"),
        OsStr::new("--"),
        name,
    ]);
    if ls.code() == Some(0) {
        let ignored_too = git(&[
            OsStr::new("check-ignore"),
            OsStr::new("-q"),
            OsStr::new("--no-index"),
            OsStr::new("--"),
            name,
        ])
        .code()
            == Some(0);
        return GitState::Tracked { ignored_too };
    }
    match git(&[
        OsStr::new("check-ignore"),
        OsStr::new("-q"),
        OsStr::new("--"),
        name,
    ]) {
        GitRun::Exited { code: Some(0), .. } => GitState::Ignored,
        GitRun::Exited { code: Some(1), .. } => GitState::NotIgnored,
        GitRun::TimedOut => GitState::Unknown("git did not answer in time".into()),
        other => GitState::Unknown(format!("git check-ignore failed ({other:?})")),
    }
}

/// Builds the outcome from the state of each file (separate from running git so the
/// wording is tested without a repository).
pub fn outcome(states: &[(KeyFile, GitState)]) -> Result<Outcome, Skipped> {
    if states.is_empty() {
        return Err(Skipped(
            "the key was not read from a key file or a .env file".into(),
        ));
    }
    if states.iter().all(|(_, s)| *s == GitState::NoGit) {
        return Err(Skipped(
            "git is not installed, so whether the key file is committed could not be checked"
                .into(),
        ));
    }
    let mut findings = Vec::new();
    let mut details = Vec::new();
    for (f, state) in states {
        let shown = f.path.display();
        let q = sh_quote_path(&f.path);
        match state {
            GitState::NoGit => details.push(format!("{shown}: git is not installed")),
            GitState::NotInRepo => details.push(format!(
                "{shown}: not inside a git repository (nothing to commit it to)"
            )),
            GitState::Ignored => details.push(format!("{shown}: ignored by git")),
            GitState::Unknown(why) => details.push(format!("{shown}: {why}")),
            GitState::Tracked { ignored_too } => findings.push(
                Finding::new(
                    TRACKED_BY_GIT,
                    format!(
                        "The {} {shown} is tracked by git: the key is in the repository{}",
                        f.what,
                        if *ignored_too {
                            " (a .gitignore rule matches it, but that does not untrack a file that is already committed)"
                        } else {
                            ""
                        }
                    ),
                )
                .with_fix(format!(
                    "Stop tracking it with `git rm --cached {q}`, make sure .gitignore lists it, and commit. The key stays in the history: if the repository was ever pushed or shared, ask Sales Layer support to rotate the key (and purge the history if the repository is public); `sl-doctor scan --history` shows every commit that holds it."
                ))
                .in_file(Location::file(shown.to_string())),
            ),
            GitState::NotIgnored => findings.push(
                Finding::new(
                    NOT_GITIGNORED,
                    format!(
                        "The {} {shown} is not covered by .gitignore: a `git add .` would commit the key",
                        f.what
                    ),
                )
                .with_fix(format!(
                    "Add it to .gitignore: `echo {} >> .gitignore` in the repository (or a pattern such as `.env*` with `!.env.example`).",
                    sh_quote_path(std::path::Path::new(
                        f.path.file_name().unwrap_or(f.path.as_os_str())
                    ))
                ))
                .in_file(Location::file(shown.to_string())),
            ),
        }
    }
    let summary = if findings.iter().any(|f| f.is(TRACKED_BY_GIT)) {
        "A file holding the key is tracked by git"
    } else if !findings.is_empty() {
        "A file holding the key is not git-ignored"
    } else if states.iter().all(|(_, s)| *s == GitState::NotInRepo) {
        "The key file is not inside a git repository"
    } else if states
        .iter()
        .any(|(_, s)| matches!(s, GitState::Unknown(_)))
    {
        "git could not say whether the key file is committed"
    } else {
        "The key file is git-ignored and not tracked"
    };
    Ok(Outcome {
        details,
        ..Outcome::from_findings(summary, findings)
    })
}

impl KeyFileInGit {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let files = key_files(&cx.key);
        // No key file, no git to ask: no blocking-pool thread to start (an offline run
        // would otherwise spawn one just to return nothing).
        if files.is_empty() {
            return outcome(&[]);
        }
        // git is a child process: wait for it off the async workers.
        let states = tokio::task::spawn_blocking(move || {
            files
                .into_iter()
                .map(|f| {
                    let s = git_state(&Git::default(), &f, TIMEOUT);
                    (f, s)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        outcome(&states)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{CANARY, assert_no_leak, cx_with_key, cx_with_key_file, run};
    use std::path::{Path, PathBuf};

    fn has_git() -> bool {
        crate::testing_support::require_tool("git", &["--version"])
    }

    /// Sets up a test repository through the same hardened runner.
    fn git(dir: &Path, args: &[&str]) {
        let ident = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"];
        let all: Vec<&str> = ident.iter().chain(args).copied().collect();
        let r = Git::default().run(dir, &all, Duration::from_secs(30), SHORT_OUTPUT);
        assert_eq!(r.code(), Some(0), "git {args:?}: {r:?}");
    }

    fn key_file(path: PathBuf, what: &'static str) -> KeyFile {
        KeyFile { path, what }
    }

    /// Each repository layout and what git must say about `.env` in it.
    #[test]
    fn states_of_a_dotenv_in_each_layout() {
        if !has_git() {
            return;
        }
        type Setup = fn(&Path);
        let cases: [(&str, Setup, GitState); 5] = [
            ("no repository", |_| {}, GitState::NotInRepo),
            (
                "untracked, not ignored",
                |d| git(d, &["init", "-q"]),
                GitState::NotIgnored,
            ),
            (
                "ignored",
                |d| {
                    git(d, &["init", "-q"]);
                    std::fs::write(d.join(".gitignore"), ".env\n").unwrap();
                },
                GitState::Ignored,
            ),
            (
                "tracked",
                |d| {
                    git(d, &["init", "-q"]);
                    git(d, &["add", ".env"]);
                    git(d, &["commit", "-qm", "env"]);
                },
                GitState::Tracked { ignored_too: false },
            ),
            (
                "tracked and ignored later",
                |d| {
                    git(d, &["init", "-q"]);
                    git(d, &["add", ".env"]);
                    std::fs::write(d.join(".gitignore"), ".env\n").unwrap();
                },
                GitState::Tracked { ignored_too: true },
            ),
        ];
        for (name, setup, want) in cases {
            let tmp = tempfile::tempdir().unwrap();
            let d = tmp.path();
            std::fs::write(d.join(".env"), format!("SALESLAYER_API_KEY={CANARY}\n")).unwrap();
            setup(d);
            let got = git_state(
                &Git::default(),
                &key_file(d.join(".env"), ".env file"),
                TIMEOUT,
            );
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn no_git_binary_says_so() {
        let f = key_file(PathBuf::from(".env"), ".env file");
        let s = git_state(&Git::new("sl-doctor-no-such-git"), &f, TIMEOUT);
        assert_eq!(s, GitState::NoGit);
        let e = outcome(&[(f, s)]).unwrap_err();
        assert!(e.to_string().contains("git is not installed"), "{e}");
    }

    #[test]
    fn key_not_from_a_file_is_skipped() {
        let cx = cx_with_key(CANARY.as_bytes());
        assert!(matches!(run(&KeyFileInGit, &cx), Err(Skipped(_))));
    }

    #[test]
    fn runs_on_the_file_candidates_of_the_context() {
        let tmp = tempfile::tempdir().unwrap();
        let (cx, _) = cx_with_key_file(tmp.path());
        // Whatever git says (or whether it is installed), the check runs and leaks nothing.
        match run(&KeyFileInGit, &cx) {
            Ok(o) => assert_no_leak(&o, CANARY),
            Err(Skipped(why)) => assert!(why.contains("git"), "{why}"),
        }
    }

    #[test]
    fn statuses_of_each_state() {
        use crate::model::report::Status;
        let f = || key_file(PathBuf::from("config/.env"), ".env file");
        let cases = [
            (GitState::NotInRepo, Status::Pass),
            (GitState::Ignored, Status::Pass),
            (
                GitState::Unknown("git did not answer in time".into()),
                Status::Pass,
            ),
            (GitState::NotIgnored, Status::Warn),
            (GitState::Tracked { ignored_too: false }, Status::Fail),
        ];
        for (s, want) in cases {
            let o = outcome(&[(f(), s.clone())]).unwrap();
            assert_eq!(o.status(), want, "{s:?}");
        }
    }

    #[test]
    fn snapshot() {
        let o = outcome(&[
            (
                key_file(PathBuf::from("secrets/sl.key"), "key file"),
                GitState::Tracked { ignored_too: true },
            ),
            (
                key_file(PathBuf::from(".env"), ".env file"),
                GitState::NotIgnored,
            ),
        ])
        .unwrap();
        assert_no_leak(&o, CANARY);
        insta::assert_yaml_snapshot!(o);
    }
}
