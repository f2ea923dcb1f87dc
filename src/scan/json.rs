//! The scan report as JSON (`scan --format json`, schema_version 1), as types: its JSON
//! Schema is generated from them (`sl-doctor schema scan`, published as
//! `docs/scan.schema.json`), and a test keeps the published file and real scans in step
//! with it. Fields are only ever added.

use super::places::Place;
use super::search::{Hit, Note, Stats};
use super::{KeyInfo, ScanReport, patterns::Encoding};
use schemars::JsonSchema;
use serde::Serialize;
use sl_doctor_checks::model::report::Tool;

/// Version of the scan JSON report.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole scan report (schema_version 1).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "ScanReport")]
pub struct ScanJson {
    /// Always 1 for this format.
    pub schema_version: u32,
    /// The tool and its version.
    pub tool: Tool,
    /// Always `scan` (a `check` report has no `command`).
    pub command: Command,
    /// When the report was generated (RFC 3339).
    pub generated_at: String,
    /// Whether the key was found, in the files or in the history.
    pub verdict: ScanVerdict,
    /// The key searched for: where it came from, its length and fingerprint.
    pub key: KeyInfo,
    /// The token that replaces the key in excerpts: `[sl-key sha256:…]`.
    pub mask: String,
    /// The paths searched, as given.
    pub paths: Vec<String>,
    /// The spellings of the key searched for, in order.
    pub encodings: Vec<Encoding>,
    /// What was searched and skipped in the files.
    pub stats: ScanStats,
    /// The git history search (`--history`); `null` when not asked for or not available
    /// (a note says why).
    pub history: Option<HistoryJson>,
    /// Every place the key was found and listed: the files first, then the history
    /// (oldest commit first).
    pub findings: Vec<FindingJson>,
    /// Notes about the run, the files and the history: what was skipped or unreadable.
    pub notes: Vec<Note>,
    /// What to do, in order; empty when the key was not found.
    pub remediation: Vec<String>,
}

/// The command that wrote a scan report.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// `sl-doctor scan`.
    Scan,
}

/// Whether the key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ScanVerdict {
    /// In a file, or with `--history` in a commit (exit code 1).
    Found,
    /// Not in anything searched (exit code 0).
    NotFound,
}

/// The counters of the file search and the options that bound it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScanStats {
    /// Files searched, bytes searched, what was skipped, what was found.
    #[serde(flatten)]
    pub counts: Stats,
    /// `--max-filesize` in bytes: larger files are skipped.
    pub max_filesize: u64,
    /// Whether binary files were searched (`--binary`).
    pub binary_searched: bool,
    /// Wall time of the whole scan in milliseconds.
    pub duration_ms: u64,
}

/// What the history search covered.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HistoryJson {
    /// The repository searched (its top-level directory, as shown).
    pub repository: String,
    /// Blobs searched.
    pub blobs: u64,
    /// Bytes searched.
    pub bytes: u64,
    /// The commit where the key first appears; `null` when it is in no commit.
    pub first: Option<FirstCommit>,
}

/// The commit where the key first appears.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FirstCommit {
    /// The commit id.
    pub commit: String,
    /// Its committer date (ISO 8601).
    pub commit_date: String,
    /// The file of that commit that holds the key.
    pub path: String,
}

/// Where a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FindingLocation {
    /// A file under the paths searched.
    WorkingTree,
    /// A blob of a commit (`--history`).
    History,
}

/// One place the key was found.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FindingJson {
    /// A file or a commit.
    pub location: FindingLocation,
    /// The file's path (relative to the current directory when given so; in a commit,
    /// relative to the repository).
    pub path: String,
    /// 1-based line.
    #[schemars(range(min = 1))]
    pub line: usize,
    /// 1-based column, in Unicode code points.
    #[schemars(range(min = 1))]
    pub column: usize,
    /// How the key is written there.
    pub encoding: Encoding,
    /// The kind of place, with its advice.
    pub place: PlaceJson,
    /// The line around the match, every copy of the key replaced by the mask and any
    /// other piece of it by `[redacted]`.
    pub excerpt: String,
    /// History only: the oldest commit that added the blob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// History only: its committer date (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_date: Option<String>,
    /// History only: whether the blob is still in `HEAD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_head: Option<bool>,
}

/// A kind of place, with what to do about a key there.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlaceJson {
    /// Stable id.
    pub id: Place,
    /// Shown to people.
    pub label: &'static str,
    /// What to do about a key in this kind of place.
    pub advice: &'static str,
}

impl From<Place> for PlaceJson {
    fn from(p: Place) -> Self {
        PlaceJson {
            id: p,
            label: p.label(),
            advice: p.advice(),
        }
    }
}

impl FindingJson {
    fn of(h: &Hit, location: FindingLocation) -> Self {
        FindingJson {
            location,
            path: h.path.clone(),
            line: h.line,
            column: h.column,
            encoding: h.encoding,
            place: h.place.into(),
            excerpt: h.excerpt.clone(),
            commit: None,
            commit_date: None,
            in_head: None,
        }
    }
}

impl ScanJson {
    /// The JSON form of a scan report, generated now.
    pub fn of(r: &ScanReport) -> Self {
        let mut findings: Vec<FindingJson> = r
            .tree
            .hits
            .iter()
            .map(|h| FindingJson::of(h, FindingLocation::WorkingTree))
            .collect();
        if let Some(hist) = &r.history {
            findings.extend(hist.hits.iter().map(|h| FindingJson {
                commit: Some(h.commit.clone()),
                commit_date: Some(h.commit_date.clone()),
                in_head: Some(h.in_head),
                ..FindingJson::of(&h.hit, FindingLocation::History)
            }));
        }
        ScanJson {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "sl-doctor".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                os: None,
            },
            command: Command::Scan,
            generated_at: now_rfc3339(),
            verdict: if r.found() {
                ScanVerdict::Found
            } else {
                ScanVerdict::NotFound
            },
            key: r.key.clone(),
            mask: r.token.clone(),
            paths: r.paths.clone(),
            encodings: r.encodings.clone(),
            stats: ScanStats {
                counts: r.tree.stats.clone(),
                max_filesize: r.max_filesize,
                binary_searched: r.binary,
                duration_ms: r.duration_ms,
            },
            history: r.history.as_ref().map(|h| HistoryJson {
                repository: h.repository.clone(),
                blobs: h.blobs,
                bytes: h.bytes,
                first: h.hits.first().map(|f| FirstCommit {
                    commit: f.commit.clone(),
                    commit_date: f.commit_date.clone(),
                    path: f.hit.path.clone(),
                }),
            }),
            findings,
            notes: super::render::all_notes(r).into_iter().cloned().collect(),
            remediation: if r.found() {
                super::render::remediation(r)
            } else {
                Vec::new()
            },
        }
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The JSON Schema of the scan report, as published in `docs/scan.schema.json`.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(ScanJson)
}
