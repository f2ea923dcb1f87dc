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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_private_and_links_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("victim");
        std::fs::write(&target, b"precious").unwrap();
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
        let old = tmp.path().join("old");
        std::fs::write(&old, b"x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&old, b"y", Links::Refuse).unwrap();
        assert_eq!(mode(&old), 0o600);
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
        let file = tmp.path().join("file");
        std::fs::write(&file, b"").unwrap();
        assert!(matches!(
            private_dir(&file, Links::Refuse),
            Err(WriteError::NotADirectory)
        ));
    }
}
