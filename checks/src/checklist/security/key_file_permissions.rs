//! `key-file-permissions`: the key file or `.env` is readable by its owner only.
//!
//! A key file with the usual `0644` mode is readable by every account on the machine
//! (other users, services, a compromised web server). The documentation asks to
//! restrict access to keys; on Unix that is the file mode, and `chmod 600` fixes it.

use crate::analysis::value::no_key_in;
use crate::context::Context;
use crate::input::exposure::KeyFile;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, Location};
use crate::shell::sh_quote_path;

crate::check! {
    /// The `key-file-permissions` check.
    KeyFilePermissions: "key-file-permissions", Security, "The key file or .env is readable by its owner only",
    codes: &[READABLE_BY_OTHERS],
}

pub const READABLE_BY_OTHERS: Code = Code::warn(
    "readable-by-others",
    "The key file or .env is readable by its group or by everyone, or writable by others",
);

/// Who besides the owner may read or write a file, from its mode bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// The permission bits (`0o644`).
    pub mode: u32,
}

impl Access {
    /// Every user of the machine may read it.
    pub fn others_read(self) -> bool {
        self.mode & 0o004 != 0
    }
    /// Members of the file's group may read it.
    pub fn group_read(self) -> bool {
        self.mode & 0o040 != 0
    }
    /// Someone other than the owner may replace its content.
    pub fn others_write(self) -> bool {
        self.mode & 0o022 != 0
    }
    /// Nothing to report.
    pub fn private(self) -> bool {
        !self.others_read() && !self.group_read() && !self.others_write()
    }
}

/// The finding for one file, if its mode is too open.
pub fn finding(file: &KeyFile, access: Access) -> Option<Finding> {
    if access.private() {
        return None;
    }
    let who = if access.others_read() {
        "readable by every user of this machine"
    } else if access.group_read() {
        "readable by the members of its group"
    } else {
        "writable by users other than its owner (who could replace the key)"
    };
    Some(
        Finding::new(
            READABLE_BY_OTHERS,
            format!(
                "The {} {} has mode {:04o}: {who}",
                file.what,
                file.path.display(),
                access.mode
            ),
        )
        .with_fix(format!(
            "Make it private to its owner: `chmod 600 {}` (and, for a directory of secrets, `chmod 700` on the directory).",
            sh_quote_path(&file.path)
        ))
        .in_file(Location::file(file.path.display().to_string())),
    )
}

/// The outcome for each (file, mode) pair; `None` = the mode could not be read.
pub fn outcome(files: &[(KeyFile, Result<Access, String>)]) -> Result<Outcome, Skipped> {
    if files.is_empty() {
        return Err(Skipped(
            "the key was not read from a key file or a .env file".into(),
        ));
    }
    let mut findings = Vec::new();
    let mut details = Vec::new();
    for (f, access) in files {
        match access {
            Ok(a) => match finding(f, *a) {
                Some(x) => findings.push(x),
                None => details.push(format!("{}: mode {:04o}", f.path.display(), a.mode)),
            },
            Err(e) => details.push(format!("{}: mode unknown ({e})", f.path.display())),
        }
    }
    let summary = if findings.is_empty() {
        "The files holding the key are private to their owner"
    } else {
        "A file holding the key is readable by other users"
    };
    Ok(Outcome {
        details,
        ..Outcome::from_findings(summary, findings)
    })
}

/// Whether a source read from `f` holds a key (not an empty value, whitespace or a label
/// alone).
fn holds_a_key(cx: &Context, f: &KeyFile) -> bool {
    cx.key
        .candidates
        .iter()
        .any(|c| c.path.as_ref() == Some(&f.path) && !no_key_in(&c.value))
}

#[cfg(unix)]
fn mode_of(path: &std::path::Path) -> Result<Access, String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| Access {
            mode: m.permissions().mode() & 0o777,
        })
        .map_err(|e| e.to_string())
}

impl KeyFilePermissions {
    #[cfg(unix)]
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let (with_key, without): (Vec<KeyFile>, Vec<KeyFile>) =
            crate::input::exposure::key_files(&cx.key)
                .into_iter()
                .partition(|f| holds_a_key(cx, f));
        // A file that holds no key (empty, whitespace, a label alone) has nothing to keep
        // private yet: its mode is not this check's business until the key is written.
        if with_key.is_empty()
            && let Some(f) = without.first()
        {
            return Err(Skipped(format!(
                "the {} {} holds no key, so there is nothing to keep private yet",
                f.what,
                f.path.display()
            )));
        }
        let files: Vec<_> = with_key
            .into_iter()
            .map(|f| {
                let a = mode_of(&f.path);
                (f, a)
            })
            .collect();
        outcome(&files)
    }

    #[cfg(not(unix))]
    async fn run(&self, _cx: &Context) -> Result<Outcome, Skipped> {
        Err(Skipped(
            "file modes are a Unix notion; check the file's ACL instead".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::Status;
    use crate::model::secret::SecretKey;
    use crate::testing_support::{cx_with_key, run};
    use std::path::PathBuf;

    fn f(p: &str) -> KeyFile {
        KeyFile {
            path: PathBuf::from(p),
            what: ".env file",
        }
    }

    #[test]
    fn each_mode() {
        let cases = [
            (0o600, Status::Pass),
            (0o400, Status::Pass),
            (0o700, Status::Pass),
            (0o644, Status::Warn),
            (0o640, Status::Warn),
            (0o604, Status::Warn),
            (0o620, Status::Warn),
            (0o666, Status::Warn),
            (0o711, Status::Pass),
        ];
        for (mode, want) in cases {
            let o = outcome(&[(f(".env"), Ok(Access { mode }))]).unwrap();
            assert_eq!(o.status(), want, "{mode:o}");
        }
    }

    #[test]
    fn fix_names_the_chmod() {
        let x = finding(&f("my dir/.env"), Access { mode: 0o644 }).unwrap();
        assert!(x.fix.unwrap().contains("`chmod 600 'my dir/.env'`"));
        // A line break in the name (trial 32): a command a shell runs on that very file,
        // with no line break and no `##[` in it, which the report's last pass keeps.
        let x = finding(
            &f("x\n::warning::pwn ##[error]inj.env"),
            Access { mode: 0o644 },
        )
        .unwrap();
        let fix = x.fix.unwrap();
        assert!(
            fix.contains(r"`chmod 600 $'x\x0A::warning::pwn #'$'#[error]inj.env'`"),
            "{fix}"
        );
        assert_eq!(
            crate::model::untrusted::neutralise(&fix, usize::MAX),
            fix,
            "the last pass changes nothing"
        );
    }

    #[cfg(unix)]
    #[test]
    fn reads_the_real_mode() {
        use crate::testing_support::{CANARY, assert_no_leak, cx_with_key_file};
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let (cx, p) = cx_with_key_file(tmp.path());
        for (mode, want) in [(0o644, Status::Warn), (0o600, Status::Pass)] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            let o = run(&KeyFilePermissions, &cx).unwrap();
            assert_eq!(o.status(), want, "{mode:o}");
            assert_no_leak(&o, CANARY);
        }
        assert!(matches!(
            run(&KeyFilePermissions, &cx_with_key(b"k")),
            Err(Skipped(_))
        ));
    }

    /// A key file that holds no key (whitespace, a label alone) gets no mode warning: the
    /// check is skipped and says why.
    #[cfg(unix)]
    #[test]
    fn a_file_that_holds_no_key_is_not_judged_by_its_mode() {
        use crate::testing_support::cx_with_key_file;
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        for value in ["   \n", "Bearer ", "\"\""] {
            let (mut cx, p) = cx_with_key_file(tmp.path());
            std::fs::write(&p, value).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            cx.key.candidates.remove(0);
            cx.key.candidates[0].value = SecretKey::from_string(value.into());
            let Err(Skipped(why)) = run(&KeyFilePermissions, &cx) else {
                panic!("{value:?}: not skipped");
            };
            assert!(
                why.ends_with("holds no key, so there is nothing to keep private yet"),
                "{why}"
            );
        }
    }

    /// Windows has ACLs, not modes: the check says so instead of guessing.
    #[cfg(not(unix))]
    #[test]
    fn skipped_where_files_have_no_modes() {
        assert!(matches!(
            run(&KeyFilePermissions, &cx_with_key(b"k")),
            Err(Skipped(_))
        ));
    }

    #[test]
    fn snapshot() {
        let o = outcome(&[
            (f(".env"), Ok(Access { mode: 0o644 })),
            (
                KeyFile {
                    path: PathBuf::from("secrets/sl.key"),
                    what: "key file",
                },
                Ok(Access { mode: 0o600 }),
            ),
        ])
        .unwrap();
        insta::assert_yaml_snapshot!(o);
    }
}
