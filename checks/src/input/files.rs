//! Reading an input file (a key file, a `.env`, a CA certificate) without ever blocking
//! the run: a repository or a shell can put a FIFO, a device or a symbolic link where a
//! file is expected, and `read()` on a FIFO waits for a writer forever.
//!
//! - The path is `stat`ed first and opened with `O_NONBLOCK` (unix), and the open handle
//!   is `fstat`ed again, so a file swapped for a FIFO in between is still caught.
//! - Only regular files are read, and never more than the limit (+1 byte, to tell a
//!   file at the limit from a larger one): an over-size file is an error, not a prefix.
//! - A pipe (`--key-file <(pass show sl)`, `/dev/stdin`) is read only when the caller
//!   allows it ([`Pipes::Within`]): on a helper thread, waited for until the run's
//!   deadline. At the deadline the thread is left behind; the process exits soon after.

use crate::input::sources::{InputError, display_path};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

/// Whether a pipe or character device may be read.
#[derive(Debug, Clone, Copy)]
pub enum Pipes {
    /// Only regular files: anything else is reported, not read.
    Refuse,
    /// A pipe named explicitly by the user is read until this deadline (`--deadline`,
    /// counted from the start of the run).
    Within(Deadline),
}

/// The run's deadline: when it ends and how long it was (for the message).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// When the run must end.
    pub at: Instant,
    /// `--deadline`, in seconds, as given.
    pub secs: f64,
}

impl Deadline {
    /// A deadline `secs` seconds from now.
    pub fn from_now(secs: f64) -> Deadline {
        Deadline {
            at: Instant::now() + Duration::from_secs_f64(secs),
            secs,
        }
    }

    /// `2 s`, `2.5 s`: the deadline as the user gave it.
    pub fn shown(&self) -> String {
        format!("{} s", self.secs)
    }
}

/// What kind of file a path is, in words for a message ("a FIFO (named pipe)").
pub fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_file() {
        return "a regular file";
    }
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Whether a non-regular file can be read as a stream (a pipe or a terminal), as opposed
/// to a socket or a block device.
fn is_stream(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        t.is_fifo() || t.is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Opens `path` for reading without waiting for a FIFO's writer (`O_NONBLOCK`), and
/// without making a terminal the controlling one (`O_NOCTTY`).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    opts.open(path)
}

/// Reads a small input file completely, with the errors users need to see; see the
/// module documentation for what is refused.
pub fn read_input(
    what: &'static str,
    path: &Path,
    limit: u64,
    home: Option<&Path>,
    pipes: Pipes,
) -> Result<Vec<u8>, InputError> {
    let shown = display_path(path, home);
    let unreadable = |e: std::io::Error| InputError::Unreadable {
        what,
        path: shown.clone(),
        reason: e.to_string(),
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InputError::Missing { what, path: shown });
        }
        Err(e) => return Err(unreadable(e)),
    };
    if meta.is_dir() {
        return Err(InputError::Directory { what, path: shown });
    }
    if !meta.is_file() {
        return match pipes {
            Pipes::Within(deadline) if is_stream(&meta) => {
                let path = path.to_path_buf();
                read_stream(what, shown, limit, deadline, move || File::open(path))
            }
            _ => Err(InputError::NotRegular {
                what,
                path: shown,
                kind: kind_of(&meta),
            }),
        };
    }
    let file = open_nonblocking(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        // Swapped for something else between the stat and the open.
        return Err(InputError::NotRegular {
            what,
            path: shown,
            kind: kind_of(&meta),
        });
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            what,
            path: shown,
            size: Some(meta.len()),
            limit,
        });
    }
    let mut buf = Vec::new();
    // At most limit+1 bytes: a file that grew since the fstat is still bounded.
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(unreadable)?;
    if buf.len() as u64 > limit {
        return Err(InputError::TooLarge {
            what,
            path: shown,
            size: None,
            limit,
        });
    }
    Ok(buf)
}

/// Reads standard input (`--key-stdin`) until it is closed, at most `limit` bytes, and
/// waits for it until the deadline.
pub fn read_stdin(limit: u64, deadline: Deadline) -> Result<Vec<u8>, InputError> {
    read_stream(
        "standard input",
        "(--key-stdin)".into(),
        limit,
        deadline,
        || Ok(std::io::stdin()),
    )
}

/// Reads standard input as the input `what` (`sl-doctor view -`), like [`read_stdin`].
pub fn read_stdin_as(
    what: &'static str,
    limit: u64,
    deadline: Deadline,
) -> Result<Vec<u8>, InputError> {
    read_stream(what, "-".into(), limit, deadline, || Ok(std::io::stdin()))
}

/// Reads a pipe or a terminal on a helper thread (a blocking open waits for a FIFO's
/// writer, as the user who named it expects) and waits for it until the deadline.
fn read_stream<R: Read>(
    what: &'static str,
    shown: String,
    limit: u64,
    deadline: Deadline,
    open: impl FnOnce() -> std::io::Result<R> + Send + 'static,
) -> Result<Vec<u8>, InputError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("sl-doctor-read-pipe".into())
        .spawn(move || {
            let mut buf = Vec::new();
            let read = open().and_then(|f| f.take(limit + 1).read_to_end(&mut buf));
            let _ = tx.send(read.map(|_| buf));
        });
    if let Err(e) = spawned {
        return Err(InputError::Unreadable {
            what,
            path: shown,
            reason: e.to_string(),
        });
    }
    let wait = deadline.at.saturating_duration_since(Instant::now());
    match rx.recv_timeout(wait) {
        Ok(Ok(buf)) if buf.len() as u64 > limit => Err(InputError::TooLarge {
            what,
            path: shown,
            size: None,
            limit,
        }),
        Ok(Ok(buf)) => Ok(buf),
        Ok(Err(e)) => Err(InputError::Unreadable {
            what,
            path: shown,
            reason: e.to_string(),
        }),
        Err(_) => Err(InputError::Deadline {
            what,
            path: shown,
            deadline: deadline.shown(),
        }),
    }
}

/// Whether `path` (an entry of `dir`) is a symbolic link whose target is not inside
/// `dir`: a repository can commit `.env.staging -> /home/you/.ssh/…` or `-> /dev/zero`.
/// A link that cannot be resolved counts as outside.
pub fn link_leaves_dir(dir: &Path, path: &Path) -> bool {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return false;
    }
    match (std::fs::canonicalize(dir), std::fs::canonicalize(path)) {
        (Ok(d), Ok(target)) => target.parent() != Some(d.as_path()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::write_file;
    use std::path::PathBuf;

    fn deadline(secs: f64) -> Pipes {
        Pipes::Within(Deadline::from_now(secs))
    }

    #[test]
    fn regular_files_are_read_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let small = write_file(dir.path(), "small", b"abc");
        let big = write_file(dir.path(), "big", vec![b'a'; 101]);
        assert_eq!(
            read_input("key file", &small, 100, None, Pipes::Refuse).unwrap(),
            b"abc"
        );
        let err = read_input("key file", &big, 100, None, Pipes::Refuse).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::TooLarge {
                    size: Some(101),
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("limit 100 bytes"), "{err}");
    }

    #[cfg(unix)]
    fn fifo(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        crate::testing_support::mkfifo(&p);
        p
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_or_read_until_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let f = fifo(dir.path(), ".env");
        let err = read_input(".env file", &f, 100, None, Pipes::Refuse).unwrap_err();
        assert!(err.to_string().contains("is a FIFO (named pipe)"), "{err}");
        // Nobody writes: the read ends at the deadline, with the deadline in the message.
        let err = read_input("key file", &f, 100, None, deadline(0.2)).unwrap_err();
        assert!(err.to_string().contains("deadline of 0.2 s"), "{err}");
        // A writer that closes: read. (A new FIFO: the reader given up on above still
        // waits on the first one, and would take the bytes.)
        let f = fifo(dir.path(), "kf");
        let w = f.clone();
        let writer = std::thread::spawn(move || std::fs::write(w, b"key-bytes").unwrap());
        let got = read_input("key file", &f, 100, None, deadline(10.0)).unwrap();
        writer.join().unwrap();
        assert_eq!(got, b"key-bytes");
        // A writer that sends more than the limit: refused without reading further.
        let f = fifo(dir.path(), "big");
        let w = f.clone();
        let writer = std::thread::spawn(move || {
            let _ = std::fs::write(w, vec![b'a'; 4096]);
        });
        let err = read_input("key file", &f, 100, None, deadline(10.0)).unwrap_err();
        assert!(
            matches!(err, InputError::TooLarge { size: None, .. }),
            "{err}"
        );
        writer.join().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_directory_are_found() {
        let (_outer, dir, secret) =
            crate::testing_support::folder_beside_file("project", "secret", b"x");
        std::fs::write(dir.join(".env"), b"x").unwrap();
        let cases = [
            (".env", None, false),
            (".env.in", Some(dir.join(".env")), false),
            (".env.rel", Some(PathBuf::from(".env")), false),
            (".env.out", Some(secret.clone()), true),
            (".env.up", Some(PathBuf::from("../secret")), true),
            (".env.dev", Some(PathBuf::from("/dev/zero")), true),
            (".env.dangling", Some(dir.join("nope")), true),
        ];
        for (name, target, leaves) in cases {
            let p = dir.join(name);
            if let Some(t) = target {
                std::os::unix::fs::symlink(t, &p).unwrap();
            }
            assert_eq!(link_leaves_dir(&dir, &p), leaves, "{name}");
        }
    }
}
