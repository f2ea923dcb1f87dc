//! Creating the files the tool writes — `--output`, the support bundle, `--postman`,
//! `--ca-out` — private and never through a planted symbolic link.
//!
//! - Files are created `0600` and directories `0700` (unix): a report, a bundle or a CA
//!   certificate is for the user who ran the tool. A regular file that already existed is
//!   truncated and set to `0600` too; an existing directory keeps its mode (it may be
//!   the current directory).
//! - The last component of a path is never followed when it is a symbolic link
//!   (`O_NOFOLLOW`): someone who can write to a shared directory could otherwise point
//!   `report.json` at any file of the user's. [`Links::Follow`] (`--force`) allows it
//!   for the one path the user named; never for the files inside a bundle directory.
//! - Limits: the directories above the last component are followed (they are the
//!   user's own path); on Windows the link test is a check before the open.

use std::fs::{File, OpenOptions};
use std::path::Path;

/// Whether the path may be a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// A symbolic link is refused ([`WriteError::Link`]).
    Refuse,
    /// A symbolic link is followed (`--force`).
    Follow,
}

impl Links {
    /// `Follow` with `--force`, else `Refuse`.
    pub fn forced(force: bool) -> Links {
        if force { Links::Follow } else { Links::Refuse }
    }
}

/// Why a file or directory was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The path is a symbolic link and links are refused.
    #[error("it is a symbolic link, and sl-doctor does not write through one")]
    Link,
    /// A directory was expected.
    #[error("it exists and is not a directory")]
    NotADirectory,
    /// The file to replace is not the one that was read: its bytes changed since.
    #[error("it changed since it was read; nothing was written (run the command again)")]
    Changed,
    /// The file to replace is not a regular file.
    #[error("it is not a regular file")]
    NotAFile,
    /// The operating system said no.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Creates (or truncates) `path` and writes `bytes`, `0600`, never through a link unless
/// `links` is [`Links::Follow`].
pub fn write_private(path: &Path, bytes: &[u8], links: Links) -> Result<(), WriteError> {
    use std::io::Write;
    let mut file = open_private(path, links)?;
    file.write_all(bytes)?;
    Ok(())
}

fn open_private(path: &Path, links: Links) -> Result<File, WriteError> {
    if links == Links::Refuse && is_link(path) {
        return Err(WriteError::Link);
    }
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
        if links == Links::Refuse {
            // The check above has a window; O_NOFOLLOW closes it.
            opts.custom_flags(libc::O_NOFOLLOW);
        }
    }
    let file = opts.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return WriteError::Link;
        }
        WriteError::Io(e)
    })?;
    #[cfg(unix)]
    if file.metadata().is_ok_and(|m| m.is_file()) {
        // An existing file kept its mode through the open; a device (/dev/stdout) is not
        // ours to change.
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    Ok(file)
}

/// Makes sure `dir` is a directory: created `0700` (with its missing parents) when absent;
/// an existing one is used as it is, unless it is a symbolic link and `links` refuses.
pub fn private_dir(dir: &Path, links: Links) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => {
            if links == Links::Refuse {
                return Err(WriteError::Link);
            }
            if !std::fs::metadata(dir)?.is_dir() {
                return Err(WriteError::NotADirectory);
            }
            Ok(())
        }
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(WriteError::NotADirectory),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                b.mode(0o700);
            }
            b.create(dir)?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces the contents of an existing file with `new`, atomically, when it still holds
/// exactly `expected` (what the caller read and decided on: a file edited in the meantime
/// is left alone, [`WriteError::Changed`]).
///
/// The new contents go to a temporary file in the same directory (so the rename stays on
/// one file system), which gets the original's owner and mode, is synced, and is renamed
/// over the original; the directory is synced too. A reader sees the old file or the new
/// one, never half of each, and a crash leaves at most a `.sl-doctor-*` temporary file.
/// A symbolic link is refused unless `links` is [`Links::Follow`]; then the file it points
/// to is replaced and the link stays. With `backup`, the old contents are first written
/// there (`0600`, never through a link); without it, no copy is left anywhere.
pub fn replace_file(
    path: &Path,
    expected: &[u8],
    new: &[u8],
    links: Links,
    backup: Option<&Path>,
) -> Result<(), WriteError> {
    use std::io::Write;
    let target = match std::fs::symlink_metadata(path)? {
        m if m.file_type().is_symlink() && links == Links::Refuse => return Err(WriteError::Link),
        m if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let meta = std::fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(WriteError::NotAFile);
    }
    if meta.len() != expected.len() as u64 || std::fs::read(&target)? != expected {
        return Err(WriteError::Changed);
    }
    if let Some(b) = backup {
        write_private(b, expected, Links::Refuse)?;
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Created 0600 with O_EXCL by tempfile; removed again if anything below fails.
    let mut tmp = tempfile::Builder::new()
        .prefix(".sl-doctor-")
        .tempfile_in(dir)?;
    tmp.write_all(new)?;
    keep_owner_and_mode(tmp.as_file(), &meta)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // The rename itself is durable once the directory is synced (best effort: not every
    // file system lets a directory be opened for that).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Gives `file` the owner and mode of `meta` (owner first: a change of owner may clear
/// the set-id bits). Failing to keep the owner fails the replacement: the file would
/// otherwise silently change hands.
fn keep_owner_and_mode(file: &File, meta: &std::fs::Metadata) -> Result<(), WriteError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()))?;
    }
    file.set_permissions(meta.permissions())?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use sl_doctor_checks::testing_support::write_file;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_private_and_links_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let target = write_file(tmp.path(), "victim", b"precious");
        let link = tmp.path().join("out.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let dangling = tmp.path().join("dangling.json");
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), &dangling).unwrap();
        for p in [&link, &dangling] {
            assert!(matches!(
                write_private(p, b"new", Links::Refuse),
                Err(WriteError::Link)
            ));
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert!(!tmp.path().join("nowhere").exists());
        write_private(&link, b"forced", Links::Follow).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"forced");

        let fresh = tmp.path().join("fresh");
        write_private(&fresh, b"x", Links::Refuse).unwrap();
        assert_eq!(mode(&fresh), 0o600);
        let old = write_file(tmp.path(), "old", b"x");
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&old, b"y", Links::Refuse).unwrap();
        assert_eq!(mode(&old), 0o600);
    }

    #[test]
    fn replace_keeps_the_mode_refuses_changes_and_links_and_backs_up_privately() {
        let tmp = tempfile::tempdir().unwrap();
        let f = write_file(tmp.path(), ".env", b"old");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        // Changed since it was read: refused, untouched.
        assert!(matches!(
            replace_file(&f, b"other", b"new", Links::Refuse, None),
            Err(WriteError::Changed)
        ));
        assert_eq!(std::fs::read(&f).unwrap(), b"old");
        let backup = tmp.path().join("backup");
        replace_file(&f, b"old", b"new", Links::Refuse, Some(&backup)).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"new");
        assert_eq!(mode(&f), 0o640);
        assert_eq!(std::fs::read(&backup).unwrap(), b"old");
        assert_eq!(mode(&backup), 0o600);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
        // A link: refused, or followed (the link stays, its target is replaced).
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        assert!(matches!(
            replace_file(&link, b"new", b"newer", Links::Refuse, None),
            Err(WriteError::Link)
        ));
        replace_file(&link, b"new", b"newer", Links::Follow, None).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&f).unwrap(), b"newer");
        assert_eq!(mode(&f), 0o640);
    }

    #[test]
    fn directories_are_private_and_links_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("a/b");
        private_dir(&d, Links::Refuse).unwrap();
        assert_eq!(mode(&d), 0o700);
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        private_dir(&d, Links::Refuse).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&d, &link).unwrap();
        assert!(matches!(
            private_dir(&link, Links::Refuse),
            Err(WriteError::Link)
        ));
        private_dir(&link, Links::Follow).unwrap();
        let file = write_file(tmp.path(), "file", b"");
        assert!(matches!(
            private_dir(&file, Links::Refuse),
            Err(WriteError::NotADirectory)
        ));
    }
}
