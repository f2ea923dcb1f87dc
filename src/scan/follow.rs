//! `scan -L`: following symbolic links without being led astray by them.
//!
//! The walker's own loop check only sees a link back to an ancestor. A chain of
//! directories each linked twice from the one above has no loop but 2^n paths; a link
//! into `/proc` reaches files that block on read (`/proc/kmsg`) or never end. So, with
//! `-L`, every directory and file is visited once, by its device and inode, and nothing
//! on the kernel's own trees (`/proc`, `/sys`, `/dev`: by device, and by the link's
//! target path) is entered. The work is then linear in the distinct files reached, and
//! the memory one device-inode pair per file or directory.

use ignore::DirEntry;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

/// The kernel's trees: special files and endless or blocking reads.
const KERNEL_TREES: [&str; 3] = ["/proc", "/sys", "/dev"];

/// What the walk may do with one entry reached with `-L`.
#[derive(Debug, PartialEq, Eq)]
pub enum Admit {
    /// Search it (a file) or descend into it (a directory).
    Yes,
    /// Already visited through another path: passed over, silently.
    Seen,
    /// On a kernel tree: passed over, with this note.
    Kernel(&'static str),
}

/// The state of one `-L` walk, shared by the walker's threads.
pub struct Followed {
    seen: Mutex<HashSet<(u64, u64)>>,
    kernel_devices: Vec<u64>,
}

impl Default for Followed {
    fn default() -> Self {
        Followed::new()
    }
}

impl Followed {
    /// A new walk; the devices of `/proc`, `/sys` and `/dev` as this system mounts them.
    pub fn new() -> Followed {
        let kernel_devices = KERNEL_TREES
            .iter()
            .filter_map(|p| identity(Path::new(p)).map(|(dev, _)| dev))
            .collect();
        Followed {
            seen: Mutex::new(HashSet::new()),
            kernel_devices,
        }
    }

    /// Whether the walk may search or enter `entry`.
    pub fn admit(&self, entry: &DirEntry) -> Admit {
        if entry.path_is_symlink()
            && let Ok(target) = std::fs::canonicalize(entry.path())
            && let Some(tree) = KERNEL_TREES.iter().find(|t| target.starts_with(t))
        {
            return Admit::Kernel(kernel_note(tree));
        }
        let Some((dev, ino)) = identity(entry.path()) else {
            // Not stat-able (a dangling link): the walker reports it.
            return Admit::Yes;
        };
        if let Some(i) = self.kernel_devices.iter().position(|&d| d == dev) {
            return Admit::Kernel(kernel_note(KERNEL_TREES[i]));
        }
        let searched = entry.file_type().is_some_and(|t| t.is_dir() || t.is_file());
        if !searched {
            // A FIFO, device or socket is never opened; the walk says so for each link.
            return Admit::Yes;
        }
        let first = self.seen.lock().expect("seen lock").insert((dev, ino));
        if first { Admit::Yes } else { Admit::Seen }
    }
}

fn kernel_note(tree: &str) -> &'static str {
    match tree {
        "/proc" => {
            "leads into /proc (the kernel's process files) through a symbolic link: not followed"
        }
        "/sys" => {
            "leads into /sys (the kernel's device files) through a symbolic link: not followed"
        }
        _ => "leads into /dev (device files) through a symbolic link: not followed",
    }
}

/// Device and inode of what `path` names, links followed.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Elsewhere the walker's own loop check is all there is.
#[cfg(not(unix))]
fn identity(_path: &Path) -> Option<(u64, u64)> {
    None
}
