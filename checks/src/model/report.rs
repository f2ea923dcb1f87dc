//! The report model: what every renderer (human, JSON, …) is a pure function of.
//!
//! The JSON form of [`Report`] is the schema_version 1 contract (fields are only ever added); its
//! JSON Schema is generated from these types (`docs/report.schema.json`) and a test
//! keeps the published file and real reports in step with it.

use crate::model::check::CheckId;
use crate::model::code::Code;
pub use crate::model::evidence::*;
use crate::model::secret::Fingerprint;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The report format version. Bump only on an incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The six items of the official troubleshooting checklist, in order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Item {
    /// The request is sent to the correct base URL.
    BaseUrl,
    /// The X-API-KEY header is present in the final HTTP request.
    HeaderPresent,
    /// The key value is not surrounded by quotes.
    NoQuotes,
    /// The key is loaded correctly from the deployment environment.
    KeyLoaded,
    /// The same request works in a controlled tool such as curl.
    WorksInCurl,
    /// The security recommendations.
    Security,
}

impl Item {
    /// All items in checklist order.
    pub const ALL: [Item; 6] = [
        Item::BaseUrl,
        Item::HeaderPresent,
        Item::NoQuotes,
        Item::KeyLoaded,
        Item::WorksInCurl,
        Item::Security,
    ];

    /// Stable kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            Item::BaseUrl => "base-url",
            Item::HeaderPresent => "header-present",
            Item::NoQuotes => "no-quotes",
            Item::KeyLoaded => "key-loaded",
            Item::WorksInCurl => "works-in-curl",
            Item::Security => "security",
        }
    }

    /// The checklist wording.
    pub fn title(self) -> &'static str {
        match self {
            Item::BaseUrl => "The request is sent to the correct base URL",
            Item::HeaderPresent => "The X-API-KEY header is present in the final HTTP request",
            Item::NoQuotes => "The key value is not surrounded by quotes",
            Item::KeyLoaded => "The key is loaded correctly from the deployment environment",
            Item::WorksInCurl => "The same request works in a controlled tool such as curl",
            Item::Security => "The security recommendations are followed",
        }
    }

    /// The item's title in a report: the checklist wording, except where a run without
    /// requests (`--offline`) checked something else than it says. Offline, no HTTP
    /// request is sent, so `header-present` checked the request sl-doctor would send.
    pub fn title_in_run(self, offline: bool) -> &'static str {
        match (self, offline) {
            (Item::HeaderPresent, true) => {
                "The X-API-KEY header would be present in the request sl-doctor sends (offline: no request was sent)"
            }
            _ => self.title(),
        }
    }

    /// Looks an item up by id.
    pub fn from_id(id: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.id() == id)
    }
}

/// Outcome of one check or one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing wrong found.
    Pass,
    /// Something worth fixing that does not by itself explain a rejection.
    Warn,
    /// A problem that explains (or will cause) a rejected request.
    Fail,
    /// Not run: offline, not applicable, or a check it depends on failed.
    Skip,
    /// The check itself could not reach a result (network unreachable, timeout, 5xx…).
    Error,
}

impl Status {
    /// Rank used to fold check statuses into an item status: fail > error > warn > pass > skip.
    fn rank(self) -> u8 {
        match self {
            Status::Skip => 0,
            Status::Pass => 1,
            Status::Warn => 2,
            Status::Error => 3,
            Status::Fail => 4,
        }
    }

    /// The worse of two statuses.
    pub fn worst(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// Lowercase name as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

/// How serious one finding is. A check's status is the worst of its findings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context only; does not change the status.
    Info,
    /// Becomes a `warn` status.
    Warn,
    /// Becomes a `fail` status.
    Fail,
}

impl Severity {
    /// Lowercase name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }
}

/// Where in the key (or URL) a finding points: positions count user-perceived
/// characters (grapheme clusters), starting at 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Position {
    /// 1-based character (grapheme) index.
    pub character: usize,
    /// Total number of characters in the value.
    pub of: usize,
    /// The code point, e.g. `U+200B`.
    pub codepoint: String,
    /// The Unicode name, e.g. `ZERO WIDTH SPACE`.
    pub name: String,
}

/// The place in a file a finding is about: a `.env` line, a key file, a line of a
/// deployment file. Renderers that can point at a file use it (GitHub annotations get
/// `file=` and `line=`); it is data, never parsed back from the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Location {
    /// The file, as the report shows paths: as given on the command line or found
    /// (relative to the directory sl-doctor ran in when it was given so), the home
    /// directory as `~`.
    pub path: String,
    /// The 1-based line, when the finding is about one line of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Location {
    /// A line of a file.
    pub fn line(path: impl Into<String>, line: usize) -> Location {
        Location {
            path: path.into(),
            line: Some(line),
        }
    }

    /// A whole file.
    pub fn file(path: impl Into<String>) -> Location {
        Location {
            path: path.into(),
            line: None,
        }
    }
}

/// One observation of a check, with its fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable kebab-case code of this kind of finding, e.g. `zero-width`.
    pub code: String,
    /// How serious it is.
    pub severity: Severity,
    /// What was found, in one sentence. Never contains the key.
    pub message: String,
    /// Where, when it is about one character.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The file (and line) it is about, when it is about a place in a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Finding {
    /// A finding with this code, at the code's severity (the worst it allows).
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding::with_severity(code, code.severity(), message)
    }

    /// A finding with this code at another severity its code allows (a code whose
    /// severity depends on the case says when in its meaning).
    pub fn with_severity(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        debug_assert!(
            code.allows(severity),
            "finding code {} does not allow {severity:?}",
            code.name
        );
        Finding {
            code: code.name.to_string(),
            severity,
            message: message.into(),
            position: None,
            fix: None,
            location: None,
        }
    }

    /// Whether the finding carries this code.
    pub fn is(&self, code: Code) -> bool {
        self.code == code.name
    }

    /// Adds the fix.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Adds the position.
    pub fn at(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    /// Adds the place in a file it is about.
    pub fn in_file(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
}

/// The result of one check.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CheckResult {
    /// Stable kebab-case check id (also its docs anchor and `explain` argument).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Outcome.
    pub status: Status,
    /// One-line summary of the outcome.
    pub summary: String,
    /// Further facts, one per line (sources, timings, headers…). Never the key.
    pub details: Vec<String>,
    // Named `fix` in code like a finding's and a cause's; the JSON keeps `remediation`.
    /// What to do, when something is to be done.
    #[serde(rename = "remediation", skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The individual findings behind the status.
    pub findings: Vec<Finding>,
    /// The facts a network check observed, as data (probe request and answers, DNS
    /// addresses, TLS handshake); its details and findings are built from them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Wall time of the check in milliseconds.
    pub duration_ms: u64,
}

impl CheckResult {
    /// Whether one of its findings carries this code.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.is(code))
    }

    /// The first finding with this code.
    pub fn finding(&self, code: Code) -> Option<&Finding> {
        self.findings.iter().find(|f| f.is(code))
    }
}

/// One checklist item with the checks that belong to it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ItemResult {
    /// Item id, e.g. `key-loaded`.
    pub id: Item,
    /// Checklist wording.
    pub title: String,
    /// Worst status of its checks (`skip` when none ran).
    pub status: Status,
    /// Why the item was skipped, when none of its checks ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its checks, in registry order.
    pub checks: Vec<CheckResult>,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing failed or warned.
    Pass,
    /// Warnings only.
    Warn,
    /// At least one check failed.
    Fail,
    /// Nothing failed, but a check could not reach a result (network, timeout, 5xx, 429).
    Inconclusive,
}

impl Verdict {
    /// The verdict under the `--strict` policy: warnings count as failures.
    pub fn with_strict(self, strict: bool) -> Verdict {
        match self {
            Verdict::Warn if strict => Verdict::Fail,
            v => v,
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The tool that wrote the report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    /// Always `sl-doctor`.
    pub name: String,
    /// The tool's version.
    pub version: String,
    /// The operating system it ran on, e.g. `linux x86_64 (Debian GNU/Linux 12 (bookworm))`:
    /// the same key and URL can behave differently behind another system's trust store or
    /// proxy settings. Added in 0.1 (additive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
}

/// Where a key value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// An environment variable.
    Env,
    /// A key file (`--key-file`).
    File,
    /// Standard input (`--key-stdin`).
    Stdin,
    /// A `.env` file.
    Dotenv,
    /// The command line (`--key`).
    Flag,
    /// A deployment file (`--from`, or the compose file of the working directory): what
    /// that deployment delivers.
    Deployment,
    /// No key found.
    None,
}

/// A source, as shown in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceRef {
    /// Kind of source.
    pub kind: SourceKind,
    /// Variable name, file path (home shown as `~`), or `--key`.
    pub name: String,
}

impl SourceRef {
    /// The source in words: "environment variable SALESLAYER_API_KEY", "key file ~/sl.key".
    pub fn describe(&self) -> String {
        let name = &self.name;
        match self.kind {
            SourceKind::Env => format!("environment variable {name}"),
            SourceKind::File => format!("key file {name}"),
            SourceKind::Stdin => "standard input".into(),
            SourceKind::Dotenv => format!(".env file {name}"),
            SourceKind::Flag => "--key on the command line".into(),
            SourceKind::Deployment => format!("deployment file {name}"),
            SourceKind::None => "nowhere".into(),
        }
    }
}

/// Every source that held a value, and what it held (by fingerprint only).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SourceSeen {
    /// Where.
    pub source: SourceRef,
    /// Length in characters (graphemes) when the value is UTF-8, else in bytes.
    pub length: usize,
    /// Fingerprint of the exact bytes.
    pub fingerprint: Fingerprint,
    /// Whether this is the source that was used.
    pub used: bool,
}

/// What the report says about the key (never the key itself).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct KeyInfo {
    /// Whether a value was found at all (it may still be empty).
    pub present: bool,
    /// The source that was used.
    pub source: SourceRef,
    /// Length in characters (graphemes) of the value as found.
    pub length: usize,
    /// Fingerprint of the exact bytes, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    /// Length of the cleaned value, when cleaning changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleaned_length: Option<usize>,
    /// Fingerprint of the cleaned value, when cleaning changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleaned_fingerprint: Option<Fingerprint>,
    /// Every source that held a value, in precedence order.
    pub sources: Vec<SourceSeen>,
}

/// What was diagnosed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// The base URL in use.
    pub base_url: String,
    /// A full request URL given with `--url`, when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The APIs diagnosed.
    pub apis: Vec<String>,
}

/// Count of checks per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Checks that passed.
    pub pass: usize,
    /// Checks that warned.
    pub warn: usize,
    /// Checks that failed.
    pub fail: usize,
    /// Checks that were skipped.
    pub skip: usize,
    /// Checks that could not reach a result.
    pub error: usize,
}

/// The whole report (schema_version 1).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Always 1 for this format.
    pub schema_version: u32,
    /// The tool and its version.
    pub tool: Tool,
    /// When the report was generated (RFC 3339).
    pub generated_at: String,
    /// Overall verdict of the checks, whatever the policy: `warn` stays `warn` with
    /// `--strict`.
    pub verdict: Verdict,
    /// Whether `--strict` was given: warnings count as failures. Added in 0.1 (additive).
    #[serde(default)]
    pub strict: bool,
    /// The verdict after the policy, decided once when the report is built: `verdict`,
    /// except that with `strict` a `warn` becomes `fail`. The exit code follows it.
    /// Added in 0.1 (additive).
    pub effective_verdict: Verdict,
    /// What the report means: the causes, most likely first, each with its proof and
    /// one fix (see `docs/diagnosis.md`). Every output leads with it.
    #[serde(default)]
    pub diagnosis: crate::model::diagnosis::Diagnosis,
    /// The key, described without showing it.
    pub key: KeyInfo,
    /// What was diagnosed.
    pub target: Target,
    /// Whether network checks were turned off.
    pub offline: bool,
    /// The six checklist items, always all of them, in order.
    pub checklist: Vec<ItemResult>,
    /// Counts of check statuses.
    pub summary: Summary,
    /// Wall time of the whole run in milliseconds.
    pub duration_ms: u64,
}

impl Report {
    /// Whether a check with this status counts as a failure under the report's policy
    /// (with `strict`, warnings do).
    pub fn counts_as_failure(&self, status: Status) -> bool {
        match status {
            Status::Fail => true,
            Status::Warn => self.strict,
            Status::Pass | Status::Skip | Status::Error => false,
        }
    }

    /// The verdict as words: `pass`, `pass with warnings`, `fail`, `inconclusive`, and
    /// `fail (strict: warnings count)` when only the policy made it a failure.
    pub fn verdict_words(&self) -> &'static str {
        match (self.verdict, self.effective_verdict) {
            (Verdict::Warn, Verdict::Fail) => "fail (strict: warnings count)",
            (_, Verdict::Pass) => "pass",
            (_, Verdict::Warn) => "pass with warnings",
            (_, Verdict::Fail) => "fail",
            (_, Verdict::Inconclusive) => "inconclusive",
        }
    }

    /// Every check result, in checklist order.
    pub fn checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checklist.iter().flat_map(|i| i.checks.iter())
    }

    /// The result of one check, by id.
    pub fn check(&self, id: CheckId) -> Option<&CheckResult> {
        self.checks().find(|c| c.id == id)
    }

    /// Counts statuses and computes the verdict from the checks.
    pub fn tally(checklist: &[ItemResult]) -> (Summary, Verdict) {
        let mut s = Summary::default();
        for c in checklist.iter().flat_map(|i| i.checks.iter()) {
            match c.status {
                Status::Pass => s.pass += 1,
                Status::Warn => s.warn += 1,
                Status::Fail => s.fail += 1,
                Status::Skip => s.skip += 1,
                Status::Error => s.error += 1,
            }
        }
        let verdict = if s.fail > 0 {
            Verdict::Fail
        } else if s.error > 0 {
            Verdict::Inconclusive
        } else if s.warn > 0 {
            Verdict::Warn
        } else {
            Verdict::Pass
        };
        (s, verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_and_are_in_checklist_order() {
        let ids: Vec<_> = Item::ALL.iter().map(|i| i.id()).collect();
        assert_eq!(
            ids,
            [
                "base-url",
                "header-present",
                "no-quotes",
                "key-loaded",
                "works-in-curl",
                "security"
            ]
        );
        for i in Item::ALL {
            assert_eq!(Item::from_id(i.id()), Some(i));
        }
    }

    #[test]
    fn worst_status_table() {
        use Status::*;
        let cases = [
            (Skip, Pass, Pass),
            (Pass, Warn, Warn),
            (Warn, Error, Error),
            (Error, Fail, Fail),
            (Fail, Pass, Fail),
            (Skip, Skip, Skip),
        ];
        for (a, b, want) in cases {
            assert_eq!(a.worst(b), want, "{a:?} vs {b:?}");
            assert_eq!(b.worst(a), want, "{b:?} vs {a:?}");
        }
    }
}
