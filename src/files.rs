//! Creating the files the tool writes — `--output`, the support bundle, `--postman`,
//! `--ca-out`, `fix`'s edit and backup, the step summary — private, and never through
//! something planted at the path.
//!
//! - A new file is created exclusively (`O_CREAT|O_EXCL`, which also refuses a symbolic
//!   link, dangling or not), `0600`; new directories `0700` (unix). An existing regular
//!   file is never written into: the new contents go to a temporary file beside it
//!   (`O_EXCL`, `0600`) that is renamed over it, so a hard link planted at the path keeps
//!   its old contents and a reader sees the old file or the new one.
//! - What sl-doctor does not write to: a FIFO (opening one for writing waits for a reader
//!   forever, and a reader planted by someone else would get the bytes), a device, a
//!   socket, a directory ([`WriteError::Special`]), and a file owned by another user
//!   ([`WriteError::ForeignOwned`]: someone who can write to a shared directory can plant
//!   a `0666` file there and read what lands in it; replacing it would hide that).
//! - The last component of a path is never followed when it is a symbolic link:
//!   [`Links::Follow`] (`--force`, `--follow-symlinks`) allows it for the one path the
//!   user named (the rules above apply to the file it points to); never for the files
//!   inside a bundle directory or for a backup.
//! - Blocking: nothing here opens a FIFO or a device, so a write can only wait on a hung
//!   file system; the commands write under a `--deadline` watchdog.
//! - Limits: the directories above the last component are followed (they are the
//!   user's own path); on Windows the link test is a check before the open, and file
//!   owners are not compared.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

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
    /// Not a regular file: a FIFO, a device, a socket or a directory.
    #[error("it is {0}, not a regular file")]
    Special(&'static str),
    /// A regular file that belongs to another user.
    #[error(
        "it belongs to another user (uid {0}), and sl-doctor does not write into a file it does not own (remove it, or choose another path)"
    )]
    ForeignOwned(u32),
    /// The backup of a file (written before the file itself) could not be written.
    #[error("the backup {path} was not written: {source}")]
    Backup {
        /// The backup's path, as shown.
        path: String,
        /// Why.
        source: Box<WriteError>,
    },
    /// The operating system said no.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What is at `path` (not following a last symbolic link): nothing, a link, or a file
/// sl-doctor may replace; anything else is refused.
enum Existing {
    Nothing,
    Link,
    OwnFile,
}

fn existing(path: &Path) -> Result<Existing, WriteError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(e.into()),
    };
    if meta.file_type().is_symlink() {
        return Ok(Existing::Link);
    }
    if !meta.is_file() {
        return Err(WriteError::Special(
            sl_doctor_checks::input::files::kind_of(&meta),
        ));
    }
    check_owner(&meta)?;
    Ok(Existing::OwnFile)
}

/// Refuses a file owned by another user (unix), also for the superuser: a CI job running
/// as root in a container is where a planted world-writable file is read by its owner.
fn check_owner(meta: &std::fs::Metadata) -> Result<(), WriteError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(WriteError::ForeignOwned(meta.uid()));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

/// The file a followed symbolic link points to (the link's own directory for a
/// relative target; a dangling link's target is where the file will be created).
fn link_target(path: &Path) -> Result<PathBuf, WriteError> {
    match std::fs::canonicalize(path) {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let target = std::fs::read_link(path)?;
            Ok(crate::scan::parent_or_dot(path).join(target))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes `bytes` to `path`, `0600`: created exclusively when absent, an own regular file
/// replaced atomically, anything else refused (see the module documentation). A symbolic
/// link is refused unless `links` is [`Links::Follow`].
pub fn write_private(path: &Path, bytes: &[u8], links: Links) -> Result<(), WriteError> {
    match existing(path)? {
        Existing::Nothing => create_exclusive(path, bytes),
        Existing::OwnFile => replace_with(path, bytes, None),
        Existing::Link if links == Links::Refuse => Err(WriteError::Link),
        Existing::Link => {
            let target = link_target(path)?;
            if matches!(existing(&target)?, Existing::Link) {
                return Err(WriteError::Link);
            }
            write_private(&target, bytes, Links::Refuse)
        }
    }
}

/// Creates `path` with `O_CREAT|O_EXCL` (`0600`) and writes `bytes`.
fn create_exclusive(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    use std::io::Write;
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(|e| {
        // Planted between the check and the open: the same refusals as before it.
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            match existing(path) {
                Err(w) => return w,
                Ok(Existing::Link) => return WriteError::Link,
                _ => {}
            }
        }
        WriteError::Io(e)
    })?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Appends `bytes` to `path` (the step summary the CI runner gave): created exclusively
/// when absent; a symbolic link, a FIFO or a device is refused. The file may belong to
/// the runner's user (a container job), so its owner is not compared.
pub fn append_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    use std::io::Write;
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return create_exclusive(path, bytes);
        }
        m => m?,
    };
    if meta.file_type().is_symlink() {
        return Err(WriteError::Link);
    }
    if !meta.is_file() {
        return Err(WriteError::Special(
            sl_doctor_checks::input::files::kind_of(&meta),
        ));
    }
    let mut opts = OpenOptions::new();
    opts.append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a link or a FIFO since the check: refused, and never waited on.
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(WriteError::Special(
            sl_doctor_checks::input::files::kind_of(&meta),
        ));
    }
    file.write_all(bytes)?;
    Ok(())
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
/// there by [`write_private`]'s rules (links refused); without it, no copy is left
/// anywhere.
pub fn replace_file(
    path: &Path,
    expected: &[u8],
    new: &[u8],
    links: Links,
    backup: Option<&Path>,
) -> Result<(), WriteError> {
    let target = match std::fs::symlink_metadata(path)? {
        m if m.file_type().is_symlink() && links == Links::Refuse => return Err(WriteError::Link),
        m if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let meta = std::fs::symlink_metadata(&target)?;
    if !meta.is_file() {
        return Err(WriteError::Special(
            sl_doctor_checks::input::files::kind_of(&meta),
        ));
    }
    // Read without waiting on a FIFO swapped in since the check.
    let now = sl_doctor_checks::input::files::read_input(
        "file",
        &target,
        expected.len() as u64,
        None,
        sl_doctor_checks::input::files::Pipes::Refuse,
    )
    .map_err(|_| WriteError::Changed)?;
    if now != expected {
        return Err(WriteError::Changed);
    }
    if let Some(b) = backup {
        write_private(b, expected, Links::Refuse).map_err(|e| WriteError::Backup {
            path: b.display().to_string(),
            source: Box::new(e),
        })?;
    }
    replace_with(&target, new, Some(&meta))
}

/// Writes `new` to a temporary file beside `target` and renames it over `target`; the
/// temporary file gets `keep`'s owner and mode, or `0600`.
fn replace_with(
    target: &Path,
    new: &[u8],
    keep: Option<&std::fs::Metadata>,
) -> Result<(), WriteError> {
    use std::io::Write;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Created 0600 with O_EXCL by tempfile; removed again if anything below fails.
    let mut tmp = tempfile::Builder::new()
        .prefix(".sl-doctor-")
        .tempfile_in(dir)?;
    tmp.write_all(new)?;
    if let Some(meta) = keep {
        keep_owner_and_mode(tmp.as_file(), meta)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
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
    use std::path::PathBuf;

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

    fn mkfifo(p: &Path) {
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo has no other precondition.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o666) }, 0);
    }

    /// A file owned by someone else: `chown`ed when we are root, else a system file.
    fn foreign_file(dir: &Path) -> Option<PathBuf> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            let p = write_file(dir, "planted", b"");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
            std::os::unix::fs::chown(&p, Some(65534), Some(65534)).unwrap();
            return Some(p);
        }
        let p = PathBuf::from("/etc/hostname");
        p.exists().then_some(p)
    }

    /// Planted at the path: a FIFO (no reader: a blocking open would wait forever), a
    /// file of another user, a hard link to a file of ours. Nothing is written into any.
    #[test]
    fn fifos_foreign_files_and_hard_links_are_not_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("out.json");
        mkfifo(&fifo);
        for r in [
            write_private(&fifo, b"secret", Links::Refuse),
            write_private(&fifo, b"secret", Links::Follow),
            append_file(&fifo, b"secret"),
        ] {
            assert!(
                matches!(r, Err(WriteError::Special("a FIFO (named pipe)"))),
                "{r:?}"
            );
        }
        if let Some(foreign) = foreign_file(tmp.path()) {
            let before = std::fs::read(&foreign).unwrap();
            let r = write_private(&foreign, b"secret", Links::Refuse);
            assert!(matches!(r, Err(WriteError::ForeignOwned(_))), "{r:?}");
            assert_eq!(std::fs::read(&foreign).unwrap(), before);
        }
        let victim = write_file(tmp.path(), "victim", b"precious");
        let hard = tmp.path().join("hard.json");
        std::fs::hard_link(&victim, &hard).unwrap();
        write_private(&hard, b"report", Links::Refuse).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&hard).unwrap(), b"report");
        assert_eq!(mode(&hard), 0o600);
        // Appending: a new file is created 0600, an existing one appended to.
        let summary = tmp.path().join("summary.md");
        append_file(&summary, b"a").unwrap();
        append_file(&summary, b"b").unwrap();
        assert_eq!(std::fs::read(&summary).unwrap(), b"ab");
        assert_eq!(mode(&summary), 0o600);
    }

    /// The backup is refused by its own rules, and the error says it was the backup.
    #[test]
    fn a_planted_backup_is_refused_and_named() {
        let tmp = tempfile::tempdir().unwrap();
        let f = write_file(tmp.path(), ".env", b"old");
        let fifo = tmp.path().join("fifo-backup");
        mkfifo(&fifo);
        let link = tmp.path().join("link-backup");
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), &link).unwrap();
        let mut planted = vec![fifo, link];
        planted.extend(foreign_file(tmp.path()));
        for b in planted {
            let r = replace_file(&f, b"old", b"new", Links::Refuse, Some(&b));
            match r {
                Err(e @ WriteError::Backup { .. }) => {
                    assert!(e.to_string().contains(&b.display().to_string()), "{e}");
                }
                other => panic!("{b:?}: {other:?}"),
            }
            assert_eq!(std::fs::read(&f).unwrap(), b"old", "{b:?}");
        }
        assert!(!tmp.path().join("elsewhere").exists());
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
