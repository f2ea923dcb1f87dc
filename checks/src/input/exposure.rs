//! Shared helpers of the exposure checks (`key-file-in-git`, `key-file-permissions`,
//! `key-shared-across-environments`): which files hold the key and shell quoting for the
//! fixes we print (git itself runs through `input::git`).
//!
//! Nothing here reads or prints a key value; the files are only named.

use crate::context::KeyState;
use crate::model::report::SourceKind;
use std::path::{Path, PathBuf};

/// A file that holds a key value: the key file or a `.env`, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFile {
    /// The path as given (relative paths stay relative: fixes are copy-pasteable).
    pub path: PathBuf,
    /// `"key file"`, `".env file"` or `"environment file"` (one a deployment reads).
    pub what: &'static str,
}

/// The files (key file, `.env`, an environment file a deployment reads: compose
/// `env_file:`, systemd `EnvironmentFile=`) that held a key value, without duplicates,
/// in precedence order.
pub fn key_files(key: &KeyState) -> Vec<KeyFile> {
    let mut out: Vec<KeyFile> = Vec::new();
    for c in &key.candidates {
        let read_by_deployment = c
            .path
            .as_ref()
            .is_some_and(|p| !key.deployments.iter().any(|d| &d.path == p));
        let what = match c.source.kind {
            SourceKind::File => "key file",
            SourceKind::Dotenv => ".env file",
            SourceKind::Deployment if read_by_deployment => "environment file",
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

/// The directory a file lives in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
