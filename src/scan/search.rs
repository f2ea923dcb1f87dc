//! The working-tree search: ripgrep's walker (`ignore`, parallel, honouring
//! `.gitignore`/`.ignore`), one reusable buffer per thread, and one Aho-Corasick pass
//! over each file that stops at the first match.
//!
//! Files with a match (rare) are read a second time, whole, to find every match with
//! its line, column and masked excerpt; the fast path never counts lines.

use super::mask;
use super::patterns::{Encoding, Patterns};
use super::places::{Place, classify};
use ignore::{WalkBuilder, WalkState};
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes read per `read` call.
const CHUNK: usize = 256 * 1024;

/// Matches listed per file (or blob); the others are counted and a note says so.
pub const MAX_HITS_PER_FILE: usize = 20;

/// Matches listed in all, so that a key-dense tree cannot flood a terminal or a CI log;
/// the others are counted and a note says so.
pub const MAX_HITS: usize = 200;

/// Search options.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Search binary files too (a NUL byte in the first chunk).
    pub binary: bool,
    /// Files larger than this are skipped (and reading stops there if one grows).
    pub max_filesize: u64,
    /// Do not honour `.gitignore`, `.ignore` and git excludes.
    pub no_ignore: bool,
    /// Follow symbolic links.
    pub follow: bool,
    /// Worker threads (0 = one per core).
    pub threads: usize,
}

/// One place the key was found (its JSON form is `json::FindingJson`).
#[derive(Debug, Clone)]
pub struct Hit {
    /// Path as shown (relative to the current directory when given so).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in Unicode code points.
    pub column: usize,
    /// How the key was written.
    pub encoding: Encoding,
    /// What kind of place this is.
    pub place: Place,
    /// The line around the match with the key masked.
    pub excerpt: String,
}

/// Something worth telling about the scan that is not a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
pub struct Note {
    /// The path concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What happened.
    pub message: String,
}

/// Counters of one scan.
#[derive(Debug, Default, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Stats {
    /// Files searched.
    pub files: u64,
    /// Bytes searched.
    pub bytes: u64,
    /// Binary files skipped.
    pub binary_skipped: u64,
    /// Files over `--max-filesize` skipped.
    pub large_skipped: u64,
    /// Files or directories that could not be read.
    pub errors: u64,
    /// Matches found, listed or not.
    pub matches: u64,
    /// Files that hold the key.
    pub files_with_key: u64,
    /// Matches counted but not listed, past the caps on the matches listed per file and in
    /// all (a note says how many).
    #[serde(rename = "matches_not_listed")]
    pub not_listed: u64,
    /// Files not searched because `.gitignore`, `.ignore` or git excludes leave them out
    /// (`--no-ignore` searches them).
    pub ignored_skipped: u64,
}

/// What a search of the working tree found.
#[derive(Debug, Default)]
pub struct TreeResult {
    /// Every match, sorted by path, line, column.
    pub hits: Vec<Hit>,
    /// Notes, sorted.
    pub notes: Vec<Note>,
    /// Counters.
    pub stats: Stats,
}

#[derive(Default)]
struct Shared {
    hits: Mutex<Vec<Hit>>,
    notes: Mutex<Vec<Note>>,
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    large: AtomicU64,
    errors: AtomicU64,
    matches: AtomicU64,
    files_with_key: AtomicU64,
    /// With `-L`: links to directories searched through another path.
    relinked: Mutex<Vec<String>>,
}

impl Shared {
    fn note(&self, path: Option<String>, message: impl Into<String>) {
        self.notes.lock().expect("notes lock").push(Note {
            path,
            message: message.into(),
        });
    }
}

/// Shows a path without a leading `./`.
pub fn show_path(p: &Path) -> String {
    let p = p.strip_prefix(".").unwrap_or(p);
    p.display().to_string()
}

/// The walk over `roots`: hidden files included, the repository database left out (it is
/// searched by --history, blob by blob), `.gitignore`, `.ignore` and git excludes
/// honoured when `honour_ignore`.
fn walker(roots: &[PathBuf], opts: &SearchOptions, honour_ignore: bool) -> WalkBuilder {
    let mut wb = WalkBuilder::new(&roots[0]);
    for r in &roots[1..] {
        wb.add(r);
    }
    wb.hidden(false)
        .follow_links(opts.follow)
        .threads(opts.threads)
        .ignore(honour_ignore)
        .git_ignore(honour_ignore)
        .git_global(honour_ignore)
        .git_exclude(honour_ignore)
        .parents(honour_ignore)
        .filter_entry(|e| !(e.file_name() == ".git" && e.file_type().is_some_and(|t| t.is_dir())));
    wb
}

/// How many regular files under `roots` the ignore rules leave out of the search (0 with
/// `--no-ignore`): the walk without the rules, less the walk with them. Only names are
/// read, never contents.
pub fn count_ignored(roots: &[PathBuf], opts: &SearchOptions) -> u64 {
    if opts.no_ignore {
        return 0;
    }
    files_walked(roots, opts, false).saturating_sub(files_walked(roots, opts, true))
}

/// The regular files one walk reaches, admitted as the search admits them: with -L each
/// file and directory once, and never into /proc, /sys or /dev.
fn files_walked(roots: &[PathBuf], opts: &SearchOptions, honour_ignore: bool) -> u64 {
    use super::follow::{Admit, Followed};
    let followed = opts.follow.then(Followed::new);
    let files = AtomicU64::new(0);
    walker(roots, opts, honour_ignore).build_parallel().run(|| {
        let (followed, files) = (followed.as_ref(), &files);
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            if followed.is_some_and(|f| f.admit(&entry) != Admit::Yes) {
                return WalkState::Skip;
            }
            if entry.file_type().is_some_and(|t| t.is_file()) {
                files.fetch_add(1, Ordering::Relaxed);
            }
            WalkState::Continue
        })
    });
    files.into_inner()
}

/// Searches every file under `roots`.
pub fn search_tree(
    roots: &[PathBuf],
    pats: &Patterns,
    token: &str,
    opts: &SearchOptions,
) -> TreeResult {
    let wb = walker(roots, opts, !opts.no_ignore);
    let shared = Shared::default();
    let followed = opts.follow.then(super::follow::Followed::new);
    wb.build_parallel().run(|| {
        let shared = &shared;
        let followed = followed.as_ref();
        let mut buf = vec![0u8; CHUNK + pats.max_len];
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    shared.errors.fetch_add(1, Ordering::Relaxed);
                    shared.note(None, pats_guarded(pats, &err.to_string()));
                    return WalkState::Continue;
                }
            };
            if let Some(followed) = followed
                && !admitted(followed, &entry, pats, shared)
            {
                return WalkState::Skip;
            }
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if !is_file {
                // Special files (FIFOs, devices, sockets) given or linked to are said to be
                // skipped; they are never opened.
                let named = entry.depth() == 0 || entry.path_is_symlink();
                if named && !entry.file_type().is_some_and(|t| t.is_dir()) {
                    shared.note(
                        Some(pats_guarded(pats, &show_path(entry.path()))),
                        "not a regular file: skipped",
                    );
                }
                return WalkState::Continue;
            }
            scan_file(entry.path(), pats, token, opts, &mut buf, shared);
            WalkState::Continue
        })
    });
    let mut hits = shared.hits.into_inner().expect("hits lock");
    hits.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    let mut notes = shared.notes.into_inner().expect("notes lock");
    notes.extend(relinked_note(
        shared.relinked.into_inner().expect("relinked lock"),
    ));
    notes.sort();
    let matches = shared.matches.into_inner();
    cap_listed(&mut hits, &mut notes, "files");
    let not_listed = matches.saturating_sub(hits.len() as u64);
    TreeResult {
        hits,
        notes,
        stats: Stats {
            files: shared.files.into_inner(),
            bytes: shared.bytes.into_inner(),
            binary_skipped: shared.binary.into_inner(),
            large_skipped: shared.large.into_inner(),
            errors: shared.errors.into_inner(),
            matches,
            files_with_key: shared.files_with_key.into_inner(),
            not_listed,
            ignored_skipped: 0,
        },
    }
}

/// With `-L`: whether the walk searches or enters `entry` (`follow::Followed`); what it
/// passes over for a reason worth telling is noted.
fn admitted(
    followed: &super::follow::Followed,
    entry: &ignore::DirEntry,
    pats: &Patterns,
    shared: &Shared,
) -> bool {
    use super::follow::Admit;
    let shown = || pats_guarded(pats, &show_path(entry.path()));
    match followed.admit(entry) {
        Admit::Yes => true,
        Admit::Seen => {
            // A file reached twice is searched once, silently; a directory is said (a
            // loop, or a second path into the same tree), in one note for them all.
            if entry.path_is_symlink() && entry.file_type().is_some_and(|t| t.is_dir()) {
                shared.relinked.lock().expect("relinked lock").push(shown());
            }
            false
        }
        Admit::Kernel(why) => {
            shared.note(Some(shown()), why);
            false
        }
    }
}

/// One note for every link to a directory already searched (a chain linked twice per
/// level has one per level): the shortest path, and how many more.
fn relinked_note(mut paths: Vec<String>) -> Option<Note> {
    paths.sort_by_key(|p| (p.len(), p.clone()));
    let first = paths.first()?.clone();
    let others = match paths.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more such link)".to_string(),
        n => format!(" (and {n} more such links)"),
    };
    Some(Note {
        path: Some(first),
        message: format!(
            "a symbolic link to a directory already searched (a loop, or a second path to it): not searched again{others}"
        ),
    })
}

/// Masks key material in text we did not write (paths, OS error messages).
fn pats_guarded(pats: &Patterns, text: &str) -> String {
    mask::guard(text, pats)
}

/// How one pass over a file ended.
enum Pass {
    NothingFound,
    Error,
    Found,
    Binary,
}

fn scan_file(
    path: &Path,
    pats: &Patterns,
    token: &str,
    opts: &SearchOptions,
    buf: &mut [u8],
    shared: &Shared,
) {
    let shown = || pats_guarded(pats, &show_path(path));
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            shared.errors.fetch_add(1, Ordering::Relaxed);
            shared.note(Some(shown()), format!("cannot be read: {e}"));
            return;
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > opts.max_filesize {
        shared.large.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let overlap = pats.max_len.saturating_sub(1);
    let mut keep = 0usize;
    let mut total: u64 = 0;
    let mut first = true;
    let pass = loop {
        let n = match file.read(&mut buf[keep..]) {
            Ok(0) => break Pass::NothingFound,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
                shared.note(
                    Some(shown()),
                    format!("read error after {total} bytes: {e}"),
                );
                break Pass::Error;
            }
        };
        total += n as u64;
        let end = keep + n;
        if first {
            first = false;
            // UTF-16 text (Windows PowerShell's `>` writes it) has NUL bytes but a BOM.
            let utf16 = matches!(buf[keep..end], [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]);
            if !opts.binary && !utf16 && memchr::memchr(0, &buf[keep..end]).is_some() {
                break Pass::Binary;
            }
        }
        // A match wholly inside the carried-over bytes would have ended the previous
        // round, so any match here is new.
        if pats.ac.is_match(&buf[..end]) {
            break Pass::Found;
        }
        if total > opts.max_filesize {
            shared.note(
                Some(shown()),
                format!(
                    "grew past --max-filesize while being read; searched the first {total} bytes"
                ),
            );
            break Pass::NothingFound;
        }
        let k = overlap.min(end);
        buf.copy_within(end - k..end, 0);
        keep = k;
    };
    match pass {
        Pass::Binary => {
            shared.binary.fetch_add(1, Ordering::Relaxed);
            return;
        }
        Pass::Error => return,
        Pass::NothingFound => {
            if total != size && total <= opts.max_filesize {
                shared.note(
                    Some(shown()),
                    format!(
                        "changed size while being read ({size} bytes when opened, {total} read)"
                    ),
                );
            }
        }
        Pass::Found => {}
    }
    shared.files.fetch_add(1, Ordering::Relaxed);
    shared.bytes.fetch_add(total, Ordering::Relaxed);
    if let Pass::Found = pass {
        locate(path, pats, token, opts, shared);
    }
}

/// Second pass over a file known to hold the key: every match with line and column.
fn locate(path: &Path, pats: &Patterns, token: &str, opts: &SearchOptions, shared: &Shared) {
    let shown = pats_guarded(pats, &show_path(path));
    let mut data = zeroize::Zeroizing::new(Vec::new());
    let read = File::open(path).and_then(|f| f.take(opts.max_filesize).read_to_end(&mut data));
    if let Err(e) = read {
        shared.note(
            Some(shown.clone()),
            format!("the key was seen, but re-reading failed: {e}"),
        );
    }
    let found = find_all(&data, pats, token, classify(path), &shown);
    if found.hits.is_empty() {
        shared.note(
            Some(shown),
            "changed while being read: the key was seen, but is gone on re-reading",
        );
        return;
    }
    if let Some(n) = found.capped_note(&shown) {
        shared.notes.lock().expect("notes lock").push(n);
    }
    shared
        .matches
        .fetch_add(found.total as u64, Ordering::Relaxed);
    shared.files_with_key.fetch_add(1, Ordering::Relaxed);
    shared.hits.lock().expect("hits lock").extend(found.hits);
}

/// Keeps the first [`MAX_HITS`] of `hits` (already sorted) and says how many more were
/// found in `what` (`files`, `the history`).
pub fn cap_listed<T>(hits: &mut Vec<T>, notes: &mut Vec<Note>, what: &str) {
    if hits.len() > MAX_HITS {
        notes.push(Note {
            path: None,
            message: format!(
                "{} more matches in {what} are not listed: at most {MAX_HITS} are",
                hits.len() - MAX_HITS
            ),
        });
        hits.truncate(MAX_HITS);
    }
}

/// The matches of one file: the first [`MAX_HITS_PER_FILE`] with positions and excerpts,
/// and how many there are in all.
#[derive(Debug, Default)]
pub struct Found {
    /// The matches listed.
    pub hits: Vec<Hit>,
    /// Every match, listed or not.
    pub total: usize,
}

impl Found {
    /// The note that says matches were counted but not listed, if any were.
    pub fn capped_note(&self, shown: &str) -> Option<Note> {
        (self.total > self.hits.len()).then(|| Note {
            path: Some(shown.to_string()),
            message: format!(
                "the key is there {} times; the first {} are listed",
                self.total,
                self.hits.len()
            ),
        })
    }
}

/// Every match in `data`, counted, and the first [`MAX_HITS_PER_FILE`] with positions
/// and masked excerpts. Linear in the size of `data` and the number of matches: one
/// automaton pass, lines and columns counted once from the previous listed match, and
/// each excerpt looks only at its own window.
pub fn find_all(data: &[u8], pats: &Patterns, token: &str, place: Place, shown: &str) -> Found {
    let mut spans: Vec<(usize, usize, Encoding)> = Vec::new();
    let mut total = 0usize;
    for m in pats.ac.find_iter(data) {
        total += 1;
        // Beyond the listed matches, spans are kept only while they may fall inside the
        // last excerpt's window (so they are masked there too).
        let near_last = spans
            .get(MAX_HITS_PER_FILE.wrapping_sub(1))
            .is_some_and(|(_, e, _)| m.start() < e + mask::CONTEXT_BYTES);
        if spans.len() < MAX_HITS_PER_FILE || near_last {
            let enc = pats.list[m.pattern().as_usize()].encoding;
            let (s, e) = mask::widen(data, m.start(), m.end(), enc);
            spans.push((s, e, enc));
        }
    }
    let masked: Vec<(usize, usize)> = spans.iter().map(|(s, e, _)| (*s, *e)).collect();
    let mut hits = Vec::with_capacity(spans.len().min(MAX_HITS_PER_FILE));
    let mut pos = Position::default();
    for &(start, end, enc) in spans.iter().take(MAX_HITS_PER_FILE) {
        let (line, column) = pos.advance(data, start);
        hits.push(Hit {
            path: shown.to_string(),
            line,
            column,
            encoding: enc,
            place,
            excerpt: mask::excerpt(data, (start, end), &masked, token, pats),
        });
    }
    Found { hits, total }
}

/// Line and column (1-based, in code points) of successive offsets, counted once.
struct Position {
    /// Bytes counted so far.
    at: usize,
    line: usize,
    /// Code points of the current line before `at`.
    column: usize,
}

impl Default for Position {
    fn default() -> Self {
        Position {
            at: 0,
            line: 1,
            column: 0,
        }
    }
}

impl Position {
    /// Moves to `to` (not before the previous offset) and returns its line and column.
    fn advance(&mut self, data: &[u8], to: usize) -> (usize, usize) {
        let gap = &data[self.at..to.max(self.at)];
        let tail = match memchr::memrchr(b'\n', gap) {
            Some(p) => {
                self.line += memchr::memchr_iter(b'\n', gap).count();
                self.column = 0;
                &gap[p + 1..]
            }
            None => gap,
        };
        // A code point starts at every byte that is not a UTF-8 continuation byte.
        self.column += tail.iter().filter(|b| (**b & 0xC0) != 0x80).count();
        self.at = self.at.max(to);
        (self.line, self.column + 1)
    }
}
