//! The scan report as text for people, as JSON (schema_version 1, the types in `json.rs`)
//! and as SARIF 2.1.0 (the types in `sarif.rs`).
//!
//! All three are pure functions of [`ScanReport`], which holds no key material: paths,
//! positions, fingerprints and excerpts that were masked when they were made.

use super::places::Place;
use super::search::{Hit, Note};
use super::{ScanReport, patterns::Encoding};
use crate::term::Term;
use colored::Color;
use sl_doctor_checks::model::report::Status;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The steps to take when the key was found, in order. A key found only in `.env` files
/// of the working tree is where it belongs, as long as they stay private: the steps say
/// so instead of telling to remove it and rotate it outright.
pub fn remediation(r: &ScanReport) -> Vec<String> {
    let fp = &r.key.fingerprint;
    let history_hits = r.history.as_ref().is_some_and(|h| !h.hits.is_empty());
    let only_env_files = r.tree.hits.iter().all(|h| h.place == Place::EnvFile) && !history_hits;
    let mut steps = Vec::new();
    if only_env_files {
        steps.push(
            "An environment file is a place for the key: keep each one listed out of version control and readable by you only (see the advice for each place)."
                .to_string(),
        );
        steps.push(format!(
            "Rotate the key ({fp}) if one of these files was ever committed, shared or readable by others: ask Sales Layer support for a new key and have this one revoked."
        ));
    } else {
        if !r.tree.hits.is_empty() {
            // An environment file listed beside other files stays a place for the key.
            let except = if r.tree.hits.iter().any(|h| h.place == Place::EnvFile) {
                " except the environment files (.env…), which are a place for it when kept private"
            } else {
                ""
            };
            steps.push(format!(
                "Remove the key from every file listed{except}: read it from an environment variable or a secret manager instead (see the advice for each place)."
            ));
        }
        steps.push(format!(
            "Rotate the key ({fp}): ask Sales Layer support for a new key and have this one revoked. A key that was written where others can read it must be treated as exposed."
        ));
    }
    let mut purge = "If a repository that held it was ever pushed or shared, and above all if it is public: purge the key from the history (e.g. `git filter-repo --replace-text`), force-push, and have every clone re-cloned; rotate the key regardless, since purging does not un-publish it.".to_string();
    if r.history.is_none() {
        purge.push_str(" `sl-doctor scan --history` shows every commit that held it.");
    }
    steps.push(purge);
    steps
}

fn places_found(r: &ScanReport) -> Vec<Place> {
    let mut set = BTreeSet::new();
    for h in &r.tree.hits {
        set.insert(h.place);
    }
    if let Some(hist) = &r.history {
        for h in &hist.hits {
            set.insert(h.hit.place);
        }
    }
    set.into_iter().collect()
}

fn human_size(b: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < units.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// `1 file`, `2 files`: a count with its noun, plural-correct.
fn count(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn encodings_text(e: &[Encoding]) -> String {
    e.iter().map(|e| e.label()).collect::<Vec<_>>().join(", ")
}

/// The human report.
pub fn human(r: &ScanReport, term: &Term) -> String {
    let mut out = String::new();
    write_header(&mut out, r, term);
    out.push('\n');
    if r.found() {
        write_tree_hits(&mut out, r, term);
        write_history_hits(&mut out, r, term);
        write_what_to_do(&mut out, r, term);
    } else {
        let _ = writeln!(
            out,
            "{} The key was not found{}",
            term.status(Status::Pass),
            if r.history.is_some() {
                " in the files or in the git history"
            } else {
                " (add --history to search the git history too)"
            }
        );
        // "Not found" holds for what was searched: say what the ignore rules left out.
        let ignored = r.tree.stats.ignored_skipped;
        if ignored > 0 {
            let _ = writeln!(
                out,
                "  {} not searched: .gitignore, .ignore or git excludes leave {} out (logs, build output…); --no-ignore searches {} too",
                count(ignored, "file"),
                if ignored == 1 { "it" } else { "them" },
                if ignored == 1 { "it" } else { "them" },
            );
        }
    }
    write_notes(&mut out, r);
    // File names and excerpts are outside text: no line may read as a workflow command.
    crate::render::human::guard_lines(&term.wrap(&out))
}

/// What was searched, where, with which encodings, and what was skipped.
fn write_header(out: &mut String, r: &ScanReport, term: &Term) {
    let dim = |s: &str| term.dim(s);
    let _ = writeln!(
        out,
        "sl-doctor scan · key {} ({}) · {} characters · {}",
        r.key.source.name,
        source_kind(r),
        r.key.length,
        r.key.fingerprint
    );
    let s = &r.tree.stats;
    let _ = writeln!(
        out,
        "searched {} ({}) under {} in {:.2} s",
        count(s.files, "file"),
        human_size(s.bytes),
        r.paths.join(", "),
        r.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "{}",
        dim(&format!("encodings: {}", encodings_text(&r.encodings)))
    );
    let mut skipped = Vec::new();
    if s.binary_skipped > 0 {
        skipped.push(format!(
            "{} binary (--binary searches them)",
            s.binary_skipped
        ));
    }
    if s.large_skipped > 0 {
        skipped.push(format!(
            "{} larger than {} (--max-filesize)",
            s.large_skipped,
            human_size(r.max_filesize)
        ));
    }
    if s.ignored_skipped > 0 {
        skipped.push(format!(
            "{} left out by .gitignore/.ignore (--no-ignore searches them)",
            s.ignored_skipped
        ));
    }
    if s.errors > 0 {
        skipped.push(format!("{} unreadable (see notes)", s.errors));
    }
    if !skipped.is_empty() {
        let _ = writeln!(out, "{}", dim(&format!("skipped: {}", skipped.join(", "))));
    }
    if let Some(h) = &r.history {
        let _ = writeln!(
            out,
            "history: {} ({}) of the repository {}",
            count(h.blobs, "blob"),
            human_size(h.bytes),
            h.repository
        );
    }
}

/// The hits in the files.
fn write_tree_hits(out: &mut String, r: &ScanReport, term: &Term) {
    let dim = |s: &str| term.dim(s);
    let s = &r.tree.stats;
    if !r.tree.hits.is_empty() {
        let _ = writeln!(
            out,
            "{} The key was found {} in {}{}",
            term.status(Status::Fail),
            count(s.matches, "time"),
            count(s.files_with_key, "file"),
            if s.not_listed > 0 {
                format!(
                    "; {} listed (the rest are counted, see the notes)",
                    r.tree.hits.len()
                )
            } else {
                String::new()
            }
        );
        out.push('\n');
        for h in &r.tree.hits {
            write_hit(out, h, &dim);
        }
    }
}

/// The hits in the git history, first commit first.
fn write_history_hits(out: &mut String, r: &ScanReport, term: &Term) {
    let dim = |s: &str| term.dim(s);
    if let Some(hist) = r.history.as_ref().filter(|h| !h.hits.is_empty()) {
        if !r.tree.hits.is_empty() {
            out.push('\n');
        }
        let first = &hist.hits[0];
        let _ = writeln!(
            out,
            "{} The key is in the git history: first committed in {} ({}) in {}",
            term.status(Status::Fail),
            short(&first.commit),
            first.commit_date,
            first.hit.path
        );
        out.push('\n');
        for h in &hist.hits {
            let _ = writeln!(
                out,
                "  {} {}  {}:{}:{}  {} · {}{}",
                short(&h.commit),
                h.commit_date.get(..10).unwrap_or(&h.commit_date),
                h.hit.path,
                h.hit.line,
                h.hit.column,
                h.hit.place.label(),
                h.hit.encoding.label(),
                if h.in_head {
                    ""
                } else {
                    " · no longer in HEAD"
                }
            );
            let _ = writeln!(out, "      {}", dim(&h.hit.excerpt));
        }
    }
}

/// Advice per place found, then the numbered remediation.
fn write_what_to_do(out: &mut String, r: &ScanReport, term: &Term) {
    out.push('\n');
    let _ = writeln!(out, "What to do:");
    for p in places_found(r) {
        let _ = writeln!(
            out,
            "  • {}: {}",
            term.paint(p.label(), Color::Cyan),
            p.advice()
        );
    }
    for (i, step) in remediation(r).iter().enumerate() {
        let _ = writeln!(out, "  {}. {step}", i + 1);
    }
}

/// The notes of the run, the file search and the history search, in that order.
pub(super) fn all_notes(r: &ScanReport) -> Vec<&Note> {
    r.notes
        .iter()
        .chain(&r.tree.notes)
        .chain(r.history.iter().flat_map(|h| &h.notes))
        .collect()
}

/// Notes of the run, the file search and the history search.
fn write_notes(out: &mut String, r: &ScanReport) {
    let notes = all_notes(r);
    if !notes.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "notes:");
        for n in notes {
            match &n.path {
                Some(p) => {
                    let _ = writeln!(out, "  - {p}: {}", n.message);
                }
                None => {
                    let _ = writeln!(out, "  - {}", n.message);
                }
            }
        }
    }
}

fn write_hit(out: &mut String, h: &Hit, dim: &dyn Fn(&str) -> String) {
    let _ = writeln!(
        out,
        "  {}:{}:{}  {} · {}",
        h.path,
        h.line,
        h.column,
        h.place.label(),
        h.encoding.label()
    );
    let _ = writeln!(out, "      {}", dim(&h.excerpt));
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Where the key came from, in the words of the check report.
fn source_kind(r: &ScanReport) -> &'static str {
    crate::render::human::source_kind(r.key.source.kind)
}

/// The JSON report (schema_version 1): [`super::json::ScanJson`].
pub fn json(r: &ScanReport) -> String {
    crate::render::json::pretty(&super::json::ScanJson::of(r))
}

/// SARIF 2.1.0: [`super::sarif::SarifLog`].
pub fn sarif(r: &ScanReport) -> String {
    crate::render::json::pretty(&super::sarif::SarifLog::of(r))
}
