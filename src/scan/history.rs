//! `--history`: every blob reachable from any ref of the repository, searched like a
//! file (`git rev-list --objects --all` piped into one `git cat-file --batch`), and for
//! each blob that holds the key, the oldest commit that introduced it
//! (`git log --all --reverse --find-object`).
//!
//! The key itself never goes on a git command line: blobs are matched here, by id. git
//! runs through the one hardened runner (`sl_doctor_checks::input::git`): nothing in the
//! repository's config runs, and every process is killed at its timeout.

use super::patterns::Patterns;
use super::places::{Place, classify};
use super::search::{Hit, Note, SearchOptions, find_all};
use sl_doctor_checks::input::git::{Finished, Git, GitRun};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// How long a short git command (rev-parse, ls-tree, one log) may run.
const SHORT: Duration = Duration::from_secs(30);

/// How long listing or reading the whole history may run: large repositories take
/// minutes, a planted FIFO or a hung file system must not take forever.
const LONG: Duration = Duration::from_secs(600);

/// The most `rev-list --objects` may print (about two million objects).
const LIST_CAP: usize = 256 << 20;

/// One match in the history.
#[derive(Debug, Clone)]
pub struct HistoryHit {
    /// The oldest commit that introduced the blob.
    pub commit: String,
    /// Its committer date (ISO 8601).
    pub commit_date: String,
    /// Whether the blob is still in the current HEAD.
    pub in_head: bool,
    /// Where in the blob, as for the working tree.
    pub hit: Hit,
}

/// What the history search found.
#[derive(Debug, Default)]
pub struct HistoryResult {
    /// The repository searched (its top-level directory, as shown).
    pub repository: String,
    /// Blobs searched.
    pub blobs: u64,
    /// Bytes searched.
    pub bytes: u64,
    /// Matches, oldest commit first.
    pub hits: Vec<HistoryHit>,
    /// Notes.
    pub notes: Vec<Note>,
}

/// Runs one git command; its standard output when it succeeded.
fn git_out(dir: &Path, args: &[&str], timeout: Duration, cap: usize) -> Result<Vec<u8>, String> {
    match Git::default().run(dir, args, timeout, cap) {
        GitRun::Exited {
            code: Some(0),
            stdout,
        } => Ok(stdout),
        GitRun::NotInstalled => Err("git is not installed: the history was not searched".into()),
        GitRun::TimedOut => Err(format!(
            "git {} did not finish in {} s: the history was not searched",
            args[0],
            timeout.as_secs()
        )),
        GitRun::Failed(e) => Err(format!("git could not run: {e}")),
        GitRun::Exited { code, .. } => Err(format!(
            "git {} failed (exit {})",
            args[0],
            code.map_or("by a signal".into(), |c| c.to_string())
        )),
    }
}

/// The repository's top-level directory, if `dir` is inside one.
pub fn toplevel(dir: &Path) -> Result<PathBuf, String> {
    let dir = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        super::parent_or_dot(dir)
    };
    match git_out(&dir, &["rev-parse", "--show-toplevel"], SHORT, 64 * 1024) {
        Ok(out) => Ok(PathBuf::from(String::from_utf8_lossy(&out).trim_end())),
        Err(e) if e.starts_with("git is not installed") => Err(e),
        Err(_) => Err(format!(
            "{} is not inside a git repository: no history to search",
            dir.display()
        )),
    }
}

/// Blob id → first path seen for it.
/// Objects missing from a partial clone are listed as `?<id>` and counted (git is never
/// allowed to fetch them).
fn blobs(top: &Path) -> Result<(Vec<(String, String)>, usize), String> {
    let out = git_out(
        top,
        &[
            "rev-list",
            "--objects",
            "--all",
            "--missing=print",
            "--filter=object:type=blob",
        ],
        LONG,
        LIST_CAP,
    )
    .or_else(|_| git_out(top, &["rev-list", "--objects", "--all"], LONG, LIST_CAP))?;
    let mut seen = HashSet::new();
    let mut list = Vec::new();
    let text = String::from_utf8_lossy(&out);
    let missing = text.lines().filter(|l| l.starts_with('?')).count();
    for line in text.lines().filter(|l| !l.starts_with('?')) {
        // Commits have no path; trees and blobs do (trees are told apart by cat-file).
        if let Some((id, path)) = line.split_once(' ')
            && seen.insert(id.to_string())
        {
            list.push((id.to_string(), path.to_string()));
        }
    }
    Ok((list, missing))
}

/// Attributes each blob with hits to the first commit that holds it, marks whether the
/// blob is still in HEAD, and sorts the hits by date.
fn attribute(top: &Path, found: Vec<(String, Vec<Hit>)>, res: &mut HistoryResult) {
    if found.is_empty() {
        return;
    }
    let head: HashSet<String> = git_out(top, &["ls-tree", "-r", "HEAD"], LONG, LIST_CAP)
        .map(|o| {
            String::from_utf8_lossy(&o)
                .lines()
                .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for (id, hits) in found {
        let (commit, date) = first_commit(top, &id);
        if commit == "unknown" {
            res.notes.push(Note {
                path: hits.first().map(|h| h.path.clone()),
                message: "found in a blob whose commit could not be determined (stash or notes?)"
                    .into(),
            });
        }
        for hit in hits {
            res.hits.push(HistoryHit {
                commit: commit.clone(),
                commit_date: date.clone(),
                in_head: head.contains(&id),
                hit,
            });
        }
    }
    res.hits.sort_by(|a, b| {
        (&a.commit_date, &a.hit.path, a.hit.line, a.hit.column).cmp(&(
            &b.commit_date,
            &b.hit.path,
            b.hit.line,
            b.hit.column,
        ))
    });
}

/// The first commit (hash and date) that holds the blob `id`, or `unknown`.
fn first_commit(top: &Path, id: &str) -> (String, String) {
    let log = git_out(
        top,
        &[
            "log",
            "--no-ext-diff",
            "--no-textconv",
            "--no-show-signature",
            "--all",
            "--reverse",
            "--format=%H %cI",
            &format!("--find-object={id}"),
        ],
        SHORT,
        LIST_CAP,
    )
    .unwrap_or_default();
    let log = String::from_utf8_lossy(&log);
    log.lines()
        .next()
        .and_then(|l| l.split_once(' '))
        .map(|(c, d)| (c.to_string(), d.to_string()))
        .unwrap_or_else(|| ("unknown".into(), String::new()))
}

/// Searches the history of the repository holding `dir`.
pub fn search_history(
    dir: &Path,
    pats: &Patterns,
    token: &str,
    opts: &SearchOptions,
) -> Result<HistoryResult, String> {
    let top = toplevel(dir)?;
    let (list, missing) = blobs(&top)?;
    let paths: HashMap<String, String> = list.iter().cloned().collect();
    let mut res = HistoryResult {
        repository: super::search::show_path(&top),
        ..Default::default()
    };
    if missing > 0 {
        res.notes.push(Note {
            path: None,
            message: format!(
                "{missing} objects of the history are not in this clone (a partial clone): not searched, and not fetched"
            ),
        });
    }

    let git = Git::default();
    let mut cmd = git.command(&top, &["cat-file", "--batch"]);
    cmd.stdin(Stdio::piped());
    let mut child = git
        .spawn(cmd, LONG)
        .map_err(|e| format!("git cat-file could not run: {e:?}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let ids: Vec<String> = list.iter().map(|(id, _)| id.clone()).collect();
    let writer = std::thread::spawn(move || {
        for id in ids {
            if stdin.write_all(id.as_bytes()).is_err() || stdin.write_all(b"\n").is_err() {
                break;
            }
        }
    });
    let mut out = BufReader::with_capacity(1 << 20, child.stdout.take().expect("piped"));
    let mut found: Vec<(String, Vec<Hit>)> = Vec::new();
    let mut header = String::new();
    let mut data = zeroize::Zeroizing::new(Vec::new());
    loop {
        header.clear();
        if out.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            break;
        }
        let mut parts = header.split_whitespace();
        let (Some(id), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
            continue; // "<id> missing"
        };
        let size: u64 = size
            .parse()
            .map_err(|_| "git cat-file: bad header".to_string())?;
        let id = id.to_string();
        if kind != "blob" || size > opts.max_filesize {
            std::io::copy(&mut (&mut out).take(size + 1), &mut std::io::sink())
                .map_err(|e| e.to_string())?;
            continue;
        }
        data.clear();
        (&mut out)
            .take(size + 1)
            .read_to_end(&mut data)
            .map_err(|e| e.to_string())?;
        data.truncate(size as usize);
        let head = &data[..data.len().min(256 * 1024)];
        if !opts.binary && memchr::memchr(0, head).is_some() {
            continue;
        }
        res.blobs += 1;
        res.bytes += size;
        if pats.ac.is_match(&data[..]) {
            let path = paths.get(&id).cloned().unwrap_or_default();
            let shown = super::mask::guard(&path, pats);
            let place: Place = classify(Path::new(&path));
            let f = find_all(&data, pats, token, place, &shown);
            res.notes.extend(f.capped_note(&shown));
            found.push((id, f.hits));
        }
    }
    let _ = writer.join();
    drop(out);
    if let Finished::TimedOut = child.finish() {
        res.notes.push(Note {
            path: None,
            message: format!(
                "reading the history took longer than {} s and was stopped: not every blob was searched",
                LONG.as_secs()
            ),
        });
    }

    attribute(&top, found, &mut res);
    super::search::cap_listed(&mut res.hits, &mut res.notes, "the history");
    Ok(res)
}
