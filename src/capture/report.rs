//! The capture report: what was listened on, the key compared, one record per captured
//! request, and the verdict (`--format json` prints it as is).

use super::diagnose::KeyHeaderInfo;
use serde::Serialize;
use sl_doctor_checks::model::report::{Finding, Severity, SourceRef, Status, Tool, Verdict};
use sl_doctor_checks::model::secret::Fingerprint;

/// A bad `capture` invocation (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// A flag or input file is wrong.
    #[error("{0}")]
    Input(String),
    /// The listener could not start.
    #[error("cannot start capture: {0}")]
    Start(String),
}

/// The configured key, as shown in the report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ConfiguredKey {
    /// Where it came from.
    pub source: SourceRef,
    /// Length in characters.
    pub length: usize,
    /// Fingerprint of the exact bytes.
    pub fingerprint: Fingerprint,
}

/// Where capture listened.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Listen {
    /// The base URL to put in the application's configuration.
    pub base_url: String,
    /// The address bound.
    pub bind: String,
    /// HTTPS with a generated certificate.
    pub https: bool,
    /// The CA certificate file to trust, with HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
}

/// How one request was answered.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AnswerInfo {
    /// `mock` (answered like the mock), `forward` (relayed to the API), `capture`
    /// (refused by capture itself) or `none` (nothing could be answered).
    pub by: String,
    /// The status code the application received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The API base URL relayed to, with `--forward`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// TCP + TLS connect time to the API, with `--forward`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<u64>,
    /// Time to the first response byte, with `--forward`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttfb_ms: Option<u64>,
    /// Time to the whole response, with `--forward`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_ms: Option<u64>,
    /// What went wrong when relaying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One captured request.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CaptureRecord {
    /// 1-based, in order of arrival.
    pub index: usize,
    /// `http` or `https`.
    pub transport: String,
    /// The method as sent.
    pub method: String,
    /// The request target, redacted (query values and the key replaced by `[redacted]`).
    pub path: String,
    /// `HTTP/1.1`…
    pub http_version: String,
    /// `dam`, `catalog`, or absent for another path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// Header names, as sent (case kept), in order.
    pub header_names: Vec<String>,
    /// The `X-API-KEY` headers, described without their value.
    pub key_header: KeyHeaderInfo,
    /// Body bytes received (the body is never stored).
    pub body_bytes: u64,
    /// Worst finding: `pass`, `warn` or `fail`.
    pub status: Status,
    /// What was found, with fixes (same shape as the doctor's findings).
    pub findings: Vec<Finding>,
    /// How the request was answered.
    pub answer: AnswerInfo,
    /// Time from the first byte to the end of the answer.
    pub duration_ms: u64,
}

/// Counts.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct CaptureSummary {
    /// Requests captured.
    pub captures: usize,
    /// Requests with nothing to report.
    pub pass: usize,
    /// Requests with warnings only.
    pub warn: usize,
    /// Requests with a failing finding.
    pub fail: usize,
}

/// The capture report (`--format json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CaptureReport {
    /// Report format version (1).
    pub schema_version: u32,
    /// Always `capture`.
    pub command: String,
    /// The tool.
    pub tool: Tool,
    /// When the report was written (RFC 3339).
    pub generated_at: String,
    /// `pass`, `warn` or `fail`.
    pub verdict: Verdict,
    /// Where capture listened.
    pub listen: Listen,
    /// `mock` (answers like the mock) or `forward` (relays to the API).
    pub mode: String,
    /// The key compared with what arrived, when one is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<ConfiguredKey>,
    /// Findings about the run itself (bind address, nothing received).
    pub findings: Vec<Finding>,
    /// One section per captured request.
    pub captures: Vec<CaptureRecord>,
    /// With `-- COMMAND`: the command run behind the proxy, how it ended, the other
    /// hosts it reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intercept: Option<super::intercept::InterceptInfo>,
    /// Counts.
    pub summary: CaptureSummary,
}

impl CaptureReport {
    /// The report of a finished capture: counts and verdict from the records and the
    /// run's own findings.
    pub(super) fn new(
        listen: Listen,
        mode: &str,
        key: Option<ConfiguredKey>,
        findings: Vec<Finding>,
        captures: Vec<CaptureRecord>,
    ) -> CaptureReport {
        let mut summary = CaptureSummary {
            captures: captures.len(),
            ..Default::default()
        };
        for c in &captures {
            match c.status {
                Status::Fail => summary.fail += 1,
                Status::Warn => summary.warn += 1,
                _ => summary.pass += 1,
            }
        }
        let worst = captures
            .iter()
            .flat_map(|c| c.findings.iter())
            .chain(findings.iter())
            .map(|f| f.severity)
            .max();
        let verdict = match worst {
            Some(Severity::Fail) => Verdict::Fail,
            Some(Severity::Warn) => Verdict::Warn,
            _ => Verdict::Pass,
        };
        CaptureReport {
            schema_version: sl_doctor_checks::model::report::SCHEMA_VERSION,
            command: "capture".into(),
            tool: Tool {
                os: None,
                name: "sl-doctor".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            generated_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into()),
            verdict,
            listen,
            mode: mode.into(),
            key,
            findings,
            captures,
            intercept: None,
            summary,
        }
    }
    /// Whether any finding fails (exit code 1).
    pub fn failed(&self) -> bool {
        self.verdict == Verdict::Fail
    }
}
