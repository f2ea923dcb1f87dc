//! The scan report as text for people, as JSON (schema_version 1) and as SARIF 2.1.0.
//!
//! All three are pure functions of [`ScanReport`], which holds no key material: paths,
//! positions, fingerprints and excerpts that were masked when they were made.

use super::places::Place;
use super::search::{Hit, Note};
use super::{ScanReport, patterns::Encoding};
use crate::term::Term;
use colored::Color;
use serde::Serialize;
use serde_json::json;
use sl_doctor_checks::model::report::Status;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Version of the scan JSON report.
pub const SCHEMA_VERSION: u32 = 1;

/// The steps to take when the key was found, in order.
pub fn remediation(r: &ScanReport) -> Vec<String> {
    let fp = &r.key.fingerprint;
    let mut steps = Vec::new();
    if !r.tree.hits.is_empty() {
        steps.push(
            "Remove the key from every file listed: read it from an environment variable or a secret manager instead (see the advice for each place)."
                .to_string(),
        );
    }
    steps.push(format!(
        "Rotate the key ({fp}): ask Sales Layer support for a new key and have this one revoked. A key that was written where others can read it must be treated as exposed."
    ));
    steps.push(
        "If a repository that held it was ever pushed or shared, and above all if it is public: purge the key from the history (e.g. `git filter-repo --replace-text`), force-push, and have every clone re-cloned; rotate the key regardless, since purging does not un-publish it. `sl-doctor scan --history` shows every commit."
            .to_string(),
    );
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
fn all_notes(r: &ScanReport) -> Vec<&Note> {
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

#[derive(Serialize)]
struct JsonPlace {
    id: &'static str,
    label: &'static str,
    advice: &'static str,
}

fn place_json(p: Place) -> JsonPlace {
    JsonPlace {
        id: p.id(),
        label: p.label(),
        advice: p.advice(),
    }
}

fn hit_json(h: &Hit, location: &str) -> serde_json::Value {
    json!({
        "location": location,
        "path": h.path,
        "line": h.line,
        "column": h.column,
        "encoding": h.encoding,
        "place": place_json(h.place),
        "excerpt": h.excerpt,
    })
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The JSON report (schema_version 1).
pub fn json(r: &ScanReport) -> String {
    let mut findings: Vec<serde_json::Value> = r
        .tree
        .hits
        .iter()
        .map(|h| hit_json(h, "working-tree"))
        .collect();
    if let Some(hist) = &r.history {
        for h in &hist.hits {
            let mut v = hit_json(&h.hit, "history");
            v["commit"] = json!(h.commit);
            v["commit_date"] = json!(h.commit_date);
            v["in_head"] = json!(h.in_head);
            findings.push(v);
        }
    }
    let notes = all_notes(r);
    let v = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": "sl-doctor", "version": env!("CARGO_PKG_VERSION") },
        "command": "scan",
        "generated_at": now_rfc3339(),
        "verdict": if r.found() { "found" } else { "not-found" },
        "key": r.key,
        "mask": r.token,
        "paths": r.paths,
        "encodings": r.encodings,
        "stats": {
            "files": r.tree.stats.files,
            "bytes": r.tree.stats.bytes,
            "binary_skipped": r.tree.stats.binary_skipped,
            "large_skipped": r.tree.stats.large_skipped,
            "errors": r.tree.stats.errors,
            "ignored_skipped": r.tree.stats.ignored_skipped,
            "matches": r.tree.stats.matches,
            "files_with_key": r.tree.stats.files_with_key,
            "matches_not_listed": r.tree.stats.not_listed,
            "max_filesize": r.max_filesize,
            "binary_searched": r.binary,
            "duration_ms": r.duration_ms,
        },
        "history": r.history.as_ref().map(|h| json!({
            "repository": h.repository,
            "blobs": h.blobs,
            "bytes": h.bytes,
            "first": h.hits.first().map(|f| json!({
                "commit": f.commit, "commit_date": f.commit_date, "path": f.hit.path,
            })),
        })),
        "findings": findings,
        "notes": notes,
        "remediation": if r.found() { remediation(r) } else { Vec::new() },
    });
    crate::render::json::pretty(&v)
}

/// Rule ids of the SARIF output.
pub const RULE_FILE: &str = "sl-doctor/key-in-file";
/// Rule id of a key found in the git history.
pub const RULE_HISTORY: &str = "sl-doctor/key-in-git-history";

/// A path as a SARIF artifact URI: relative paths stay relative (to %SRCROOT%), with
/// `/` separators and percent-encoding of what a URI cannot hold.
fn uri(path: &str) -> (String, bool) {
    let p = path.replace('\\', "/");
    let enc: String = p
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if p.starts_with('/') {
        (format!("file://{enc}"), false)
    } else {
        (enc, true)
    }
}

fn sarif_result(
    h: &Hit,
    rule: &str,
    rule_index: usize,
    message: String,
    fp: &str,
) -> serde_json::Value {
    let (u, relative) = uri(&h.path);
    let mut artifact = json!({ "uri": u });
    if relative {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    let id_text = format!("{fp}|{}|{}|{}|{}", rule, h.path, h.line, h.encoding.id());
    json!({
        "ruleId": rule,
        "ruleIndex": rule_index,
        "level": "error",
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {
                    "startLine": h.line,
                    "startColumn": h.column,
                    "snippet": { "text": h.excerpt },
                },
            },
        }],
        "partialFingerprints": {
            "slDoctorKeyLocation/v1": sl_doctor_checks::model::secret::Fingerprint::of(id_text.as_bytes()).as_str(),
        },
        "properties": { "encoding": h.encoding, "place": h.place },
    })
}

/// The two SARIF rules: the key in a file, the key in the git history.
fn sarif_rules(r: &ScanReport, steps: &str) -> serde_json::Value {
    json!([
        {
            "id": RULE_FILE,
            "name": "SalesLayerKeyInFile",
            "shortDescription": { "text": "A Sales Layer API key is written in a file" },
            "fullDescription": { "text": "The configured Sales Layer API key was found in a file, as-is or encoded (URL-encoded, JSON-escaped, base64). Anyone who can read the file can use the key." },
            "help": { "text": steps, "markdown": remediation(r).iter().map(|s| format!("- {s}")).collect::<Vec<_>>().join("\n") },
            "defaultConfiguration": { "level": "error" },
            "properties": { "tags": ["security", "secret"], "security-severity": "9.0", "precision": "very-high" },
        },
        {
            "id": RULE_HISTORY,
            "name": "SalesLayerKeyInGitHistory",
            "shortDescription": { "text": "A Sales Layer API key is in the git history" },
            "fullDescription": { "text": "The configured Sales Layer API key is in a file of a past commit. It stays readable by anyone with a clone even when the file is gone now." },
            "help": { "text": steps },
            "defaultConfiguration": { "level": "error" },
            "properties": { "tags": ["security", "secret"], "security-severity": "9.0", "precision": "very-high" },
        },
    ])
}

/// SARIF 2.1.0.
pub fn sarif(r: &ScanReport) -> String {
    let fp = r.key.fingerprint.as_str();
    let steps = remediation(r).join(" ");
    let rules = sarif_rules(r, &steps);
    let mut results: Vec<serde_json::Value> = r
        .tree
        .hits
        .iter()
        .map(|h| {
            sarif_result(
                h,
                RULE_FILE,
                0,
                format!(
                    "The Sales Layer API key ({fp}) is written here ({}) in a {}. {}",
                    h.encoding.label(),
                    h.place.label(),
                    h.place.advice()
                ),
                fp,
            )
        })
        .collect();
    if let Some(hist) = &r.history {
        for h in &hist.hits {
            let mut v = sarif_result(
                &h.hit,
                RULE_HISTORY,
                1,
                format!(
                    "The Sales Layer API key ({fp}) was committed in {} ({}) in this file ({}){}. Rotate the key.",
                    h.commit,
                    h.commit_date,
                    h.hit.encoding.label(),
                    if h.in_head {
                        ""
                    } else {
                        "; it is no longer in HEAD but stays in the history"
                    }
                ),
                fp,
            );
            v["properties"]["commit"] = json!(h.commit);
            v["properties"]["commitDate"] = json!(h.commit_date);
            results.push(v);
        }
    }
    let notes: Vec<serde_json::Value> = r
        .notes
        .iter()
        .chain(&r.tree.notes)
        .chain(r.history.iter().flat_map(|h| &h.notes))
        .map(|n| {
            let text = match &n.path {
                Some(p) => format!("{p}: {}", n.message),
                None => n.message.clone(),
            };
            json!({ "level": "warning", "message": { "text": text } })
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sl-doctor",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notes,
            }],
            "results": results,
            "properties": { "keyFingerprint": fp },
        }],
    });
    crate::render::json::pretty(&v)
}
