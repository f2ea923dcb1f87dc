//! The scan report as SARIF 2.1.0 (`scan --format sarif`), as types: the subset of the
//! OASIS standard that sl-doctor writes, with the names and nesting of its JSON schema
//! (tests validate real scans against the official schema, `tests/data/sarif/`).
//!
//! What GitHub code scanning reads beyond the standard: `security-severity` in a rule's
//! properties (a number as a string), `partialFingerprints` to follow a result across
//! runs, and relative URIs resolved against the checkout (`%SRCROOT%`).

use super::ScanReport;
use super::places::Place;
use super::search::Hit;
use crate::scan::patterns::Encoding;
use serde::Serialize;
use sl_doctor_checks::model::secret::Fingerprint;

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";
/// The schema URI of the SARIF written (where GitHub's documentation points).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Rule id of a key found in a file.
pub const RULE_FILE: &str = "sl-doctor/key-in-file";
/// Rule id of a key found in the git history.
pub const RULE_HISTORY: &str = "sl-doctor/key-in-git-history";

/// A SARIF log (§3.13): one run.
#[derive(Debug, Serialize)]
pub struct SarifLog {
    /// The schema URI.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `2.1.0`.
    pub version: &'static str,
    /// The one run of sl-doctor scan.
    pub runs: Vec<Run>,
}

/// A run (§3.14).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// sl-doctor and its two rules.
    pub tool: Tool,
    /// Columns count Unicode code points, as in the JSON and human reports.
    pub column_kind: ColumnKind,
    /// The one invocation, with the scan's notes as notifications.
    pub invocations: Vec<Invocation>,
    /// One result per finding listed.
    pub results: Vec<SarifResult>,
    /// The fingerprint of the key searched for.
    pub properties: RunProperties,
}

/// How a run counts columns (§3.14.22).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ColumnKind {
    /// Unicode code points.
    UnicodeCodePoints,
}

/// A run's property bag.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunProperties {
    /// The fingerprint of the key searched for.
    pub key_fingerprint: Fingerprint,
}

/// The tool (§3.18): its driver.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// sl-doctor.
    pub driver: Driver,
}

/// The tool component that ran (§3.19).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `sl-doctor`.
    pub name: &'static str,
    /// The version.
    pub version: &'static str,
    /// The same version, as semver.
    pub semantic_version: &'static str,
    /// [`RULE_FILE`], then [`RULE_HISTORY`]: results name them by index.
    pub rules: Vec<Rule>,
}

/// A rule (`reportingDescriptor`, §3.49).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// [`RULE_FILE`] or [`RULE_HISTORY`].
    pub id: &'static str,
    /// A name in PascalCase.
    pub name: &'static str,
    /// One line.
    pub short_description: Message,
    /// What the rule finds and why it matters.
    pub full_description: Message,
    /// What to do.
    pub help: Message,
    /// Its level when a result does not say.
    pub default_configuration: Configuration,
    /// Tags, GitHub's security severity, precision.
    pub properties: RuleProperties,
}

/// A rule's default configuration (`reportingConfiguration`, §3.50).
#[derive(Debug, Serialize)]
pub struct Configuration {
    /// The level.
    pub level: Level,
}

/// A rule's property bag, as GitHub code scanning reads it.
#[derive(Debug, Serialize)]
pub struct RuleProperties {
    /// `security` and `secret`.
    pub tags: [&'static str; 2],
    /// A number from 0.0 to 10.0 as a string: 9.0 and over is "critical" on GitHub.
    #[serde(rename = "security-severity")]
    pub security_severity: &'static str,
    /// How often a result is a true positive.
    pub precision: &'static str,
}

/// A message (§3.11): plain text, and Markdown when it has any.
#[derive(Debug, Serialize)]
pub struct Message {
    /// Plain text.
    pub text: String,
    /// The same as Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl Message {
    fn text(text: impl Into<String>) -> Self {
        Message {
            text: text.into(),
            markdown: None,
        }
    }
}

/// The level of a result or notification (§3.27.10, §3.58.6).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A notification that something was skipped or unreadable.
    Warning,
    /// The key was found.
    Error,
}

/// An invocation (§3.20).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// Always true: a scan that could not run writes no SARIF (exit code 2).
    pub execution_successful: bool,
    /// The scan's notes.
    pub tool_execution_notifications: Vec<Notification>,
}

/// A notification (§3.58).
#[derive(Debug, Serialize)]
pub struct Notification {
    /// Always a warning.
    pub level: Level,
    /// The note, after its path.
    pub message: Message,
}

/// A result (§3.27): one place the key was found.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// [`RULE_FILE`] or [`RULE_HISTORY`].
    pub rule_id: &'static str,
    /// The index of that rule in the driver's rules.
    pub rule_index: usize,
    /// Always an error.
    pub level: Level,
    /// Where the key is, how it is written, and what to do.
    pub message: Message,
    /// The one location.
    pub locations: [Location; 1],
    /// Where the key is, for following the result across runs.
    pub partial_fingerprints: PartialFingerprints,
    /// The encoding and the place; for the history, the commit.
    pub properties: ResultProperties,
}

/// A result's fingerprints (§3.27.17).
#[derive(Debug, Serialize)]
pub struct PartialFingerprints {
    /// A hash of the key's fingerprint, the rule, the path, the line and the encoding (not
    /// the column: an edit earlier on the line keeps the result).
    #[serde(rename = "slDoctorKeyLocation/v1")]
    pub key_location: Fingerprint,
}

/// A result's property bag.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultProperties {
    /// How the key is written.
    pub encoding: Encoding,
    /// The kind of place.
    pub place: Place,
    /// History only: the oldest commit that added the blob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// History only: its committer date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_date: Option<String>,
}

/// A location (§3.28).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file and the region.
    pub physical_location: PhysicalLocation,
}

/// A physical location (§3.29).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The line, the column and the masked excerpt.
    pub region: Region,
}

/// An artifact location (§3.4).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// A relative URI reference, or a `file://` URI for an absolute path.
    pub uri: String,
    /// `%SRCROOT%` for a relative URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

/// A region (§3.30).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1-based line.
    pub start_line: usize,
    /// 1-based column, in Unicode code points.
    pub start_column: usize,
    /// The masked excerpt.
    pub snippet: Snippet,
}

/// An artifact's content (`artifactContent`, §3.3): the masked excerpt.
#[derive(Debug, Serialize)]
pub struct Snippet {
    /// The text.
    pub text: String,
}

/// A path as a SARIF artifact location: relative paths stay relative (to `%SRCROOT%`),
/// with `/` separators and percent-encoding of what a URI cannot hold.
fn artifact_location(path: &str) -> ArtifactLocation {
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
        ArtifactLocation {
            uri: format!("file://{enc}"),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: enc,
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

impl SarifResult {
    fn of(h: &Hit, rule_index: usize, message: String, fp: &Fingerprint) -> Self {
        let rule = RULES[rule_index];
        let id_text = format!("{fp}|{rule}|{}|{}|{}", h.path, h.line, h.encoding.id());
        SarifResult {
            rule_id: rule,
            rule_index,
            level: Level::Error,
            message: Message::text(message),
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifact_location(&h.path),
                    region: Region {
                        start_line: h.line,
                        start_column: h.column,
                        snippet: Snippet {
                            text: h.excerpt.clone(),
                        },
                    },
                },
            }],
            partial_fingerprints: PartialFingerprints {
                key_location: Fingerprint::of(id_text.as_bytes()),
            },
            properties: ResultProperties {
                encoding: h.encoding,
                place: h.place,
                commit: None,
                commit_date: None,
            },
        }
    }
}

/// The rule ids, in the driver's order: a result's `ruleIndex` is its place here.
const RULES: [&str; 2] = [RULE_FILE, RULE_HISTORY];

/// The properties both rules have.
fn rule_properties() -> RuleProperties {
    RuleProperties {
        tags: ["security", "secret"],
        security_severity: "9.0",
        precision: "very-high",
    }
}

/// The two rules: the key in a file, the key in the git history.
fn rules(r: &ScanReport) -> Vec<Rule> {
    let steps = super::render::remediation(r);
    let text = steps.join(" ");
    let markdown: Vec<String> = steps.iter().map(|s| format!("- {s}")).collect();
    vec![
        Rule {
            id: RULE_FILE,
            name: "SalesLayerKeyInFile",
            short_description: Message::text("A Sales Layer API key is written in a file"),
            full_description: Message::text(
                "The configured Sales Layer API key was found in a file, as-is or encoded (URL-encoded, JSON-escaped, base64). Anyone who can read the file can use the key.",
            ),
            help: Message {
                text: text.clone(),
                markdown: Some(markdown.join("\n")),
            },
            default_configuration: Configuration {
                level: Level::Error,
            },
            properties: rule_properties(),
        },
        Rule {
            id: RULE_HISTORY,
            name: "SalesLayerKeyInGitHistory",
            short_description: Message::text("A Sales Layer API key is in the git history"),
            full_description: Message::text(
                "The configured Sales Layer API key is in a file of a past commit. It stays readable by anyone with a clone even when the file is gone now.",
            ),
            help: Message::text(text),
            default_configuration: Configuration {
                level: Level::Error,
            },
            properties: rule_properties(),
        },
    ]
}

/// One result per finding listed: the files, then the history.
fn results(r: &ScanReport) -> Vec<SarifResult> {
    let fp = &r.key.fingerprint;
    let mut results: Vec<SarifResult> = r
        .tree
        .hits
        .iter()
        .map(|h| {
            // "in this": a label may start with a vowel ("environment file").
            let message = format!(
                "The Sales Layer API key ({fp}) is written in this {} ({}). {}",
                h.place.label(),
                h.encoding.label(),
                h.place.advice()
            );
            SarifResult::of(h, 0, message, fp)
        })
        .collect();
    if let Some(hist) = &r.history {
        results.extend(hist.hits.iter().map(|h| {
            let message = format!(
                "The Sales Layer API key ({fp}) was committed in {} ({}) in this file ({}){}. Rotate the key.",
                h.commit,
                h.commit_date,
                h.hit.encoding.label(),
                if h.in_head {
                    ""
                } else {
                    "; it is no longer in HEAD but stays in the history"
                }
            );
            let mut res = SarifResult::of(&h.hit, 1, message, fp);
            res.properties.commit = Some(h.commit.clone());
            res.properties.commit_date = Some(h.commit_date.clone());
            res
        }));
    }
    results
}

impl SarifLog {
    /// The SARIF form of a scan report.
    pub fn of(r: &ScanReport) -> Self {
        let notifications = super::render::all_notes(r)
            .into_iter()
            .map(|n| Notification {
                level: Level::Warning,
                message: Message::text(match &n.path {
                    Some(p) => format!("{p}: {}", n.message),
                    None => n.message.clone(),
                }),
            })
            .collect();
        SarifLog {
            schema: SCHEMA_URI,
            version: VERSION,
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "sl-doctor",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        rules: rules(r),
                    },
                },
                column_kind: ColumnKind::UnicodeCodePoints,
                invocations: vec![Invocation {
                    execution_successful: true,
                    tool_execution_notifications: notifications,
                }],
                results: results(r),
                properties: RunProperties {
                    key_fingerprint: r.key.fingerprint.clone(),
                },
            }],
        }
    }
}
