//! Runs the registered checks and assembles the `Report`.
//!
//! Checks run in waves: every check whose dependencies have finished runs in the same
//! wave, concurrently, so network checks overlap and a run takes about as long as its
//! slowest request. A check whose dependency did not pass is skipped with the reason;
//! network checks are skipped under `--offline`; a global deadline bounds the run.

use futures_util::future::join_all;
use sl_doctor_checks::check::{Check, CheckError, Outcome};
use sl_doctor_checks::context::Context;
use sl_doctor_checks::report::{
    CheckResult, Item, ItemResult, KeyInfo, Report, SCHEMA_VERSION, SourceKind, SourceRef,
    SourceSeen, Status, Target, Tool,
};
use sl_doctor_checks::urls::redact;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Skip network checks.
    pub offline: bool,
    /// Global deadline for the whole run.
    pub deadline: Duration,
}

/// Runs `checks` (in registry order) against `cx` and returns the check results by item.
pub async fn run_checks(
    checks: &[Box<dyn Check>],
    cx: &Context,
    opts: &RunOptions,
) -> Vec<CheckResult> {
    let deadline = tokio::time::Instant::now() + opts.deadline;
    let mut done: HashMap<&'static str, CheckResult> = HashMap::new();
    let mut pending: Vec<&dyn Check> = checks.iter().map(|c| c.as_ref()).collect();

    while !pending.is_empty() {
        // A wave: every pending check whose dependencies are all done.
        let (ready, rest): (Vec<&dyn Check>, Vec<&dyn Check>) =
            pending.into_iter().partition(|c| {
                c.meta()
                    .depends_on
                    .iter()
                    .all(|d| done.contains_key(d) || !checks.iter().any(|o| o.meta().id == *d))
            });
        pending = rest;
        if ready.is_empty() {
            // Unreachable with a registry test that orders dependencies; never loop forever.
            for c in pending.drain(..) {
                done.insert(
                    c.meta().id,
                    skipped(c, "its dependencies could not be resolved".into()),
                );
            }
            break;
        }
        let futures = ready.into_iter().map(|c| {
            let blocked = c.meta().depends_on.iter().find_map(|d| {
                done.get(d)
                    .filter(|r| !matches!(r.status, Status::Pass | Status::Warn))
                    .map(|r| format!("{d} did not pass ({})", r.status.as_str()))
            });
            async move {
                if c.meta().needs_network && opts.offline {
                    return skipped(c, "--offline: network checks were not run".into());
                }
                if let Some(reason) = blocked {
                    return skipped(c, reason);
                }
                let start = Instant::now();
                let outcome = match tokio::time::timeout_at(deadline, c.run(cx)).await {
                    Ok(Ok(o)) => o,
                    Ok(Err(CheckError::Skip(reason))) => return skipped(c, reason),
                    Err(_) => {
                        Outcome::inconclusive("The check did not finish before the global deadline")
                    }
                };
                to_result(c, outcome, start.elapsed())
            }
        });
        for r in join_all(futures).await {
            let id = checks
                .iter()
                .find(|c| c.meta().id == r.id)
                .map(|c| c.meta().id)
                .unwrap_or("?");
            done.insert(id, r);
        }
    }
    checks
        .iter()
        .filter_map(|c| done.remove(c.meta().id))
        .collect()
}

fn skipped(c: &dyn Check, reason: String) -> CheckResult {
    CheckResult {
        id: c.meta().id.to_string(),
        title: c.meta().title.to_string(),
        status: Status::Skip,
        summary: format!("Skipped: {reason}"),
        details: Vec::new(),
        remediation: None,
        findings: Vec::new(),
        duration_ms: 0,
    }
}

fn to_result(c: &dyn Check, o: Outcome, took: Duration) -> CheckResult {
    CheckResult {
        id: c.meta().id.to_string(),
        title: c.meta().title.to_string(),
        status: o.status(),
        remediation: o.effective_remediation(),
        summary: o.summary,
        details: o.details,
        findings: o.findings,
        duration_ms: took.as_millis() as u64,
    }
}

/// Groups check results under the six checklist items, always all six, in order.
pub fn group(
    checks: &[Box<dyn Check>],
    results: Vec<CheckResult>,
    offline: bool,
) -> Vec<ItemResult> {
    let item_of: HashMap<&str, Item> = checks
        .iter()
        .map(|c| (c.meta().id, c.meta().item))
        .collect();
    Item::ALL
        .iter()
        .map(|&item| {
            let checks: Vec<CheckResult> = results
                .iter()
                .filter(|r| item_of.get(r.id.as_str()) == Some(&item))
                .cloned()
                .collect();
            let status = checks.iter().fold(Status::Skip, |s, c| s.worst(c.status));
            let reason = if checks.is_empty() {
                Some(if offline && item == Item::WorksInCurl {
                    "--offline: the live probe was not run".to_string()
                } else {
                    "no check of this item is available in this version".to_string()
                })
            } else if status == Status::Skip {
                Some("every check of this item was skipped".to_string())
            } else {
                None
            };
            ItemResult {
                id: item,
                title: item.title().to_string(),
                status,
                reason,
                checks,
            }
        })
        .collect()
}

/// Describes the key for the report: sources, lengths and fingerprints, never the value.
pub fn key_info(cx: &Context) -> KeyInfo {
    let ks = &cx.key;
    let sources = ks
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| SourceSeen {
            source: c.source.clone(),
            length: c.value.char_len(),
            fingerprint: c.value.fingerprint(),
            used: i == 0,
        })
        .collect();
    match ks.chosen() {
        Some(c) => {
            let cleaned = sl_doctor_checks::analysis::cleaned_key(&c.value);
            KeyInfo {
                present: true,
                source: c.source.clone(),
                length: c.value.char_len(),
                fingerprint: Some(c.value.fingerprint()),
                cleaned_length: cleaned.as_ref().map(|k| k.char_len()),
                cleaned_fingerprint: cleaned.as_ref().map(|k| k.fingerprint()),
                sources,
            }
        }
        None => KeyInfo {
            present: false,
            source: SourceRef {
                kind: SourceKind::None,
                name: String::new(),
            },
            length: 0,
            fingerprint: None,
            cleaned_length: None,
            cleaned_fingerprint: None,
            sources,
        },
    }
}

/// Runs everything and builds the report.
pub async fn run(checks: &[Box<dyn Check>], cx: &Context, opts: &RunOptions) -> Report {
    let start = Instant::now();
    let results = run_checks(checks, cx, opts).await;
    let checklist = group(checks, results, opts.offline);
    let (summary, verdict) = Report::tally(&checklist);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "sl-doctor".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        generated_at: now_rfc3339(),
        verdict,
        key: key_info(cx),
        target: Target {
            // URLs may carry the key (in userinfo or the query): the report shows them redacted.
            base_url: redact(&cx.target.base_url, cx.key.key()),
            url: cx.target.url.as_deref().map(|u| redact(u, cx.key.key())),
            apis: cx.target.apis.iter().map(|a| a.id().to_string()).collect(),
        },
        offline: opts.offline,
        checklist,
        summary,
        duration_ms: start.elapsed().as_millis() as u64,
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}
