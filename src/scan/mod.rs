//! `sl-doctor scan [PATH…]`: where the configured key is stored or leaked.
//!
//! The key comes from the same sources and flags as `check` (`sources.rs`). It is
//! searched for as-is and in the encodings it leaks in (`patterns.rs`), in every file
//! under the paths that git would not ignore (`search.rs`, ripgrep's walker), and with
//! `--history` in every blob of the repository's history (`history.rs`). Findings show
//! where, with a masked excerpt (`mask.rs`); the key never appears in any output.
//!
//! `scan` returns the report (`ScanReport`, rendered by `render`); the command prints it
//! and picks the exit code (`commands/scan.rs`).

pub mod follow;
pub mod history;
pub mod json;
pub mod mask;
pub mod patterns;
pub mod places;
pub mod render;
pub mod sarif;
pub mod search;

pub use crate::args::ScanArgs;
use patterns::{PatternError, Patterns};
use sl_doctor_checks::analysis::value::{analyze, cleaned_key};
use sl_doctor_checks::model::report::SourceRef;
use sl_doctor_checks::model::secret::{Fingerprint, SecretKey};

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The directory of a path (`.` for a bare name).
pub fn parent_or_dot(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What the key is and where it came from, for the report.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct KeyInfo {
    /// The source that won.
    pub source: SourceRef,
    /// Length in characters of the value as given.
    pub length: usize,
    /// Fingerprint of the value as given.
    pub fingerprint: Fingerprint,
    /// Fingerprint of the value searched for, when cleaning changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub searched_fingerprint: Option<Fingerprint>,
}

/// Everything a renderer needs.
#[derive(Debug)]
pub struct ScanReport {
    /// The key.
    pub key: KeyInfo,
    /// The token that replaces the key in excerpts.
    pub token: String,
    /// The paths searched, as given.
    pub paths: Vec<String>,
    /// The encodings searched.
    pub encodings: Vec<patterns::Encoding>,
    /// The working tree.
    pub tree: search::TreeResult,
    /// The history, when asked for and available.
    pub history: Option<history::HistoryResult>,
    /// Notes about the run as a whole (history unavailable, cleaned key…).
    pub notes: Vec<search::Note>,
    /// Options used.
    pub max_filesize: u64,
    /// Whether binary files were searched.
    pub binary: bool,
    /// Wall time.
    pub duration_ms: u64,
}

impl ScanReport {
    /// Whether the key was found anywhere.
    pub fn found(&self) -> bool {
        !self.tree.hits.is_empty() || self.history.as_ref().is_some_and(|h| !h.hits.is_empty())
    }
}

/// Refuses a search in which every path given is a file and none was searched (a FIFO,
/// a device, a file over --max-filesize, a binary file): "not found" would claim a search
/// that did not happen. A directory with nothing to search in it is an answer, not this.
fn every_file_skipped(paths: &[PathBuf], tree: &search::TreeResult) -> Result<(), String> {
    let dir = |p: &PathBuf| std::fs::metadata(p).is_ok_and(|m| m.is_dir());
    if tree.stats.files > 0 || !tree.hits.is_empty() || paths.iter().any(dir) {
        return Ok(());
    }
    let st = &tree.stats;
    let mut why: Vec<String> = tree
        .notes
        .iter()
        .map(|n| match &n.path {
            Some(p) => format!("{p}: {}", n.message),
            None => n.message.clone(),
        })
        .collect();
    if st.large_skipped > 0 {
        why.push(format!("{} over --max-filesize", st.large_skipped));
    }
    if st.binary_skipped > 0 {
        why.push(format!(
            "{} binary (--binary searches them)",
            st.binary_skipped
        ));
    }
    Err(format!(
        "nothing was searched: every path given was skipped ({}); name a regular file or a directory",
        if why.is_empty() {
            "no file could be read".to_string()
        } else {
            why.join("; ")
        }
    ))
}

/// Reads the key and searches. `env` is a snapshot of the process environment.
pub fn scan(args: &ScanArgs, env: &[(OsString, OsString)]) -> Result<ScanReport, String> {
    let start = Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    let state = crate::config::collect_keys(&args.keys, env).map_err(|e| e.to_string())?;
    let Some(chosen) = state.chosen() else {
        return Err(format!(
            "no key configured: nothing to search for. Set {}, or give --key-file PATH, --key-stdin, --dotenv PATH or --key-env NAME (looked at: {})",
            args.keys.key_env,
            state.looked_at.join("; ")
        ));
    };
    let given = &chosen.value;
    if let Some(p) = analyze(given).placeholder {
        return Err(format!(
            "the configured value ({}) is {}, not a key: nothing to search for",
            chosen.source.name,
            sl_doctor_checks::checklist::key_loaded::placeholder_value::describe(p)
        ));
    }
    let cleaned = cleaned_key(given);
    let searched: &SecretKey = cleaned.as_ref().unwrap_or(given);
    let pats = Patterns::new(searched.expose_bytes()).map_err(|e| match e {
        PatternError::TooShort(n) => format!(
            "the key is {n} bytes long: too short to search for without matching by chance (at least {} needed); is it the right value?",
            patterns::MIN_KEY_LEN
        ),
    })?;
    let token = format!("[sl-key {}]", searched.fingerprint());
    let mut notes = Vec::new();
    if cleaned.is_some() {
        notes.push(search::Note {
            path: None,
            message: format!(
                "the configured value has whitespace, quotes or hidden characters around it; searched for the cleaned value ({}); `sl-doctor check` explains",
                searched.fingerprint()
            ),
        });
    }
    for e in &pats.dropped {
        notes.push(search::Note {
            path: None,
            message: format!(
                "not searched {}: the key is too short for that encoding to be told from chance",
                e.label()
            ),
        });
    }
    let opts = search::SearchOptions {
        binary: args.binary,
        max_filesize: args.max_filesize,
        no_ignore: args.no_ignore,
        follow: args.follow,
        threads: args.threads,
    };
    let mut tree = search::search_tree(&paths, &pats, &token, &opts);
    every_file_skipped(&paths, &tree)?;
    tree.stats.ignored_skipped = search::count_ignored(&paths, &opts);
    let history = if args.history {
        match history::search_history(&paths[0], &pats, &token, &opts) {
            Ok(h) => Some(h),
            Err(why) => {
                notes.push(search::Note {
                    path: None,
                    message: why,
                });
                None
            }
        }
    } else {
        None
    };
    Ok(ScanReport {
        key: KeyInfo {
            source: chosen.source.clone(),
            length: given.char_len(),
            fingerprint: given.fingerprint(),
            searched_fingerprint: cleaned.as_ref().map(|c| c.fingerprint()),
        },
        token,
        paths: paths.iter().map(|p| p.display().to_string()).collect(),
        encodings: pats.encodings(),
        tree,
        history,
        notes,
        max_filesize: args.max_filesize,
        binary: args.binary,
        duration_ms: start.elapsed().as_millis() as u64,
    })
}
