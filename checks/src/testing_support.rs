//! Test fixtures shared by this crate's tests, the binary's tests and the integration
//! tests. Always compiled (integration tests link the normal build), hidden from docs.

/// The canary key of every leak test: long, with `+`, `/` and `=` so that percent,
/// JSON and base64 spellings differ from the raw value. It is not a real key.
pub const TEST_CANARY: &str = "SLDOCTORcanary7Qx9+Zk/4mW2=";

use crate::model::report::{ItemResult, KeyInfo, Report, SourceKind, SourceRef, Target, Tool};
use crate::model::secret::Fingerprint;

/// A report of `checklist` as the runner writes it (verdict and summary tallied, not
/// strict, no diagnosis yet, online), for a key of `length` characters from
/// `SALESLAYER_API_KEY` and the default base URL probed for `apis`: the fixture the
/// diagnosis and renderer tests start from.
pub fn test_report(
    checklist: Vec<ItemResult>,
    length: usize,
    fingerprint: Fingerprint,
    apis: &[&str],
) -> Report {
    let (summary, verdict) = Report::tally(&checklist);
    Report {
        schema_version: 1,
        tool: Tool {
            name: "sl-doctor".into(),
            version: "0.0.0-test".into(),
        },
        generated_at: "2026-01-02T03:04:05Z".into(),
        verdict,
        strict: false,
        effective_verdict: verdict,
        diagnosis: Default::default(),
        key: KeyInfo {
            present: true,
            source: SourceRef {
                kind: SourceKind::Env,
                name: crate::DEFAULT_KEY_ENV.into(),
            },
            length,
            fingerprint: Some(fingerprint),
            cleaned_length: None,
            cleaned_fingerprint: None,
            sources: Vec::new(),
        },
        target: Target {
            base_url: crate::DEFAULT_BASE_URL.into(),
            url: None,
            apis: apis.iter().map(|a| a.to_string()).collect(),
        },
        offline: false,
        checklist,
        summary,
        duration_ms: 0,
    }
}
