//! Runs the registered checks and returns the finished report: grouped under the
//! checklist items, diagnosed, and made safe (every string neutralised, every spelling of
//! the key redacted) before any renderer sees it.
//!
//! Checks run concurrently; each one starts as soon as the checks it depends on have
//! finished, so network checks overlap and a run takes about as long as its slowest
//! request. A check whose dependency did not pass is skipped with the reason;
//! network checks are skipped under `--offline`; a global deadline bounds the run.

use crate::analysis::urls::redact;
use crate::checklist::Check;
use crate::context::Context;
use crate::leak::Secrets;
use crate::model::check::{CheckId, Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{
    CheckResult, Finding, Item, ItemResult, KeyInfo, Report, SCHEMA_VERSION, SourceKind, SourceRef,
    SourceSeen, Status, Target, Tool,
};
use crate::model::untrusted;
use futures_util::future::{BoxFuture, FutureExt, Shared, join_all};
use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod strings;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Skip network checks.
    pub offline: bool,
    /// Global deadline for the whole run: the time left when the checks start.
    pub deadline: Duration,
    /// The `--deadline` as given, in seconds, for messages.
    pub deadline_secs: f64,
    /// Checks not to run (`--select` / `--ignore`): reported as skipped "deselected", and
    /// they do not block the checks that depend on them.
    pub deselected: HashSet<CheckId>,
    /// `--strict`: warnings count as failures (decided here, once, into the report).
    pub strict: bool,
}

impl Default for RunOptions {
    /// An online run of every check, nothing deselected, not strict, a 60 s deadline.
    fn default() -> Self {
        RunOptions {
            offline: false,
            deadline: Duration::from_secs(60),
            deadline_secs: 60.0,
            deselected: HashSet::new(),
            strict: false,
        }
    }
}

/// The reason shown for a deselected check.
pub const DESELECTED: &str = "deselected (--select/--ignore)";

/// Resolves `--select` and `--ignore` (check ids or checklist item ids) to the set of
/// checks not to run. `--select` keeps the selected checks and, transitively, the checks
/// they depend on; `--ignore` then removes its checks. An unknown id is an error that
/// lists the valid ids.
pub fn deselect(
    checks: &[Box<dyn Check>],
    select: &[String],
    ignore: &[String],
) -> Result<HashSet<CheckId>, String> {
    let expand = |ids: &[String], flag: &str| -> Result<HashSet<CheckId>, String> {
        let mut out = HashSet::new();
        for id in ids {
            let id = id.trim();
            if let Some(item) = Item::from_id(id) {
                out.extend(
                    checks
                        .iter()
                        .filter(|c| c.meta().item == item)
                        .map(|c| c.meta().id),
                );
            } else if let Some(c) = checks.iter().find(|c| *id == c.meta().id) {
                out.insert(c.meta().id);
            } else {
                return Err(format!(
                    "{flag}: no check or checklist item is called '{id}'.\n\
                     Checklist items: {}\n\
                     Checks: {}",
                    Item::ALL.map(|i| i.id()).join(", "),
                    checks
                        .iter()
                        .map(|c| c.meta().id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        Ok(out)
    };
    let mut keep: HashSet<CheckId> = if select.is_empty() {
        checks.iter().map(|c| c.meta().id).collect()
    } else {
        let mut keep = expand(select, "--select")?;
        // The checks the selected ones depend on run too, so they are not blocked.
        loop {
            let deps: Vec<CheckId> = checks
                .iter()
                .filter(|c| keep.contains(&c.meta().id))
                .flat_map(|c| c.meta().depends_on.iter().copied())
                .filter(|d| !keep.contains(d))
                .collect();
            if deps.is_empty() {
                break;
            }
            keep.extend(deps);
        }
        keep
    };
    for id in expand(ignore, "--ignore")? {
        keep.remove(&id);
    }
    Ok(checks
        .iter()
        .map(|c| c.meta().id)
        .filter(|id| !keep.contains(id))
        .collect())
}

/// Runs `checks` (in registry order) against `cx` and returns their results in that order.
///
/// Every check starts as soon as the checks it depends on have finished (dependencies are
/// registered earlier, so each check's future can await theirs); everything else runs
/// concurrently, so a run takes about as long as its slowest chain of requests.
pub async fn run_checks(
    checks: &[Box<dyn Check>],
    cx: &Context,
    opts: &RunOptions,
) -> Vec<CheckResult> {
    let deadline = tokio::time::Instant::now() + opts.deadline;
    cx.earlier.clear();
    // Each check's result goes to its slot; the futures that depend on it share only its
    // status (a shared future hands each of its awaiters a clone of its output, and the
    // results are the largest part of a report).
    let slots: Vec<OnceLock<CheckResult>> = checks.iter().map(|_| OnceLock::new()).collect();
    // The facts a later check reads are those of the checks it runs after (`after [..]`):
    // only their outcomes are recorded (a copy of every outcome cost a run more than most
    // checks do).
    let read_later: Vec<CheckId> = checks
        .iter()
        .flat_map(|c| c.meta().depends_on.iter().copied())
        .collect();
    type Pending<'a> = Shared<BoxFuture<'a, Status>>;
    let mut started: Vec<(CheckId, Pending<'_>)> = Vec::with_capacity(checks.len());
    for (c, slot) in checks.iter().zip(&slots) {
        let c: &dyn Check = c.as_ref();
        let recorded = read_later.contains(&c.meta().id);
        let deselected = opts.deselected.contains(&c.meta().id);
        // A dependency that is not registered (or deselected) does not block.
        let deps: Vec<(CheckId, Pending<'_>)> = c
            .meta()
            .depends_on
            .iter()
            .filter(|d| !opts.deselected.contains(*d))
            .filter_map(|d| started.iter().find(|(id, _)| id == d).cloned())
            .collect();
        let result = async move {
            if deselected {
                return skipped(c, DESELECTED.into());
            }
            if c.meta().needs_network && opts.offline {
                return skipped(c, "--offline: network checks were not run".into());
            }
            for (d, dep) in deps {
                let status = dep.await;
                if !matches!(status, Status::Pass | Status::Warn) {
                    return skipped(c, format!("{d} did not pass ({})", status.as_str()));
                }
            }
            let start = Instant::now();
            let outcome = match tokio::time::timeout_at(deadline, c.run(cx)).await {
                Ok(Ok(o)) => o,
                Ok(Err(Skipped(reason))) => return skipped(c, reason),
                Err(_) => deadline_reached(c, opts.deadline_secs),
            };
            if recorded {
                cx.earlier.record(c.meta().id, &outcome);
            }
            to_result(c, outcome, start.elapsed())
        };
        let fut = async move {
            let r = result.await;
            let status = r.status;
            // Each check's future runs once, so its slot is empty here.
            let _ = slot.set(r);
            status
        }
        .boxed()
        .shared();
        started.push((c.meta().id, fut));
    }
    join_all(started.into_iter().map(|(_, f)| f)).await;
    slots
        .into_iter()
        .map(|s| s.into_inner().expect("every check's future ran to its end"))
        .collect()
}

/// The code of a check the run's deadline stopped: the runner's, not the check's, so any
/// check may carry it (`docs/checks.md` says so once, above the checks).
pub const DEADLINE_REACHED: Code = Code::warn(
    "deadline-reached",
    "The check did not finish within the run's deadline (--deadline): no verdict",
);

/// The outcome of a check the deadline stopped: inconclusive, with what to do about it.
fn deadline_reached(c: &dyn Check, secs: f64) -> Outcome {
    let message =
        format!("The check did not finish within the run's deadline of {secs} s (--deadline)");
    let slow = if c.meta().needs_network {
        "; if it still does not finish, the network path or the server is slow: -v shows the timings of the checks that finished"
    } else {
        ""
    };
    let fix = format!(
        "Run sl-doctor again with a longer --deadline (this run allowed {secs} s; the default is 30 s){slow}."
    );
    Outcome::inconclusive(message.clone())
        .finding(Finding::new(DEADLINE_REACHED, message).with_fix(fix))
}

fn skipped(c: &dyn Check, reason: String) -> CheckResult {
    CheckResult {
        id: c.meta().id.to_string(),
        title: c.meta().title.to_string(),
        status: Status::Skip,
        summary: format!("Skipped: {reason}"),
        details: Vec::new(),
        fix: None,
        findings: Vec::new(),
        evidence: None,
        duration_ms: 0,
    }
}

/// The result of a finished check, as the report lists it.
pub fn to_result(c: &dyn Check, o: Outcome, took: Duration) -> CheckResult {
    CheckResult {
        id: c.meta().id.to_string(),
        title: c.meta().title.to_string(),
        status: o.status(),
        fix: o.effective_fix(),
        summary: o.summary,
        details: o.details,
        findings: o.findings,
        evidence: o.evidence,
        duration_ms: took.as_millis() as u64,
    }
}

/// Groups check results under the six checklist items, always all six, in order.
pub fn group(
    checks: &[Box<dyn Check>],
    results: Vec<CheckResult>,
    offline: bool,
) -> Vec<ItemResult> {
    // Each result moves to its item's list, in order (a result of no registered check is
    // dropped).
    let mut by_item: Vec<Vec<CheckResult>> = Item::ALL.iter().map(|_| Vec::new()).collect();
    for r in results {
        let item = checks
            .iter()
            .find(|c| c.meta().id.as_str() == r.id)
            .map(|c| c.meta().item);
        if let Some(at) = item.and_then(|i| Item::ALL.iter().position(|&x| x == i)) {
            by_item[at].push(r);
        }
    }
    Item::ALL
        .iter()
        .zip(by_item)
        .map(|(&item, checks)| {
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
                title: item.title_in_run(offline).to_string(),
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
    let chosen = ks.chosen().map(|c| (c, cx.analysis_of(&c.value)));
    let sources = ks
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| SourceSeen {
            source: c.source.clone(),
            length: match &chosen {
                Some((_, a)) if i == 0 => a.char_len(),
                _ => c.value.char_len(),
            },
            fingerprint: c.value.fingerprint(),
            used: i == 0,
        })
        .collect();
    match chosen {
        Some((c, a)) => {
            let cleaned = a.cleaned_facts();
            KeyInfo {
                present: true,
                source: c.source.clone(),
                length: a.char_len(),
                fingerprint: Some(c.value.fingerprint()),
                cleaned_length: cleaned.map(|(length, _)| *length),
                cleaned_fingerprint: cleaned.map(|(_, fingerprint)| fingerprint.clone()),
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

/// Runs everything and builds the report: the safe one, or none at all.
pub async fn run(
    checks: &[Box<dyn Check>],
    cx: &Context,
    opts: &RunOptions,
) -> Result<Report, UnsafeReport> {
    let start = Instant::now();
    let results = run_checks(checks, cx, opts).await;
    report(checks, results, cx, opts, start.elapsed())
}

/// The finished report of a run's results: grouped under the six checklist items,
/// tallied, the policy applied (`--strict`), diagnosed, and made safe ([`make_safe`]), or
/// none at all.
pub fn report(
    checks: &[Box<dyn Check>],
    results: Vec<CheckResult>,
    cx: &Context,
    opts: &RunOptions,
    took: Duration,
) -> Result<Report, UnsafeReport> {
    let target = Target {
        // URLs may carry the key (in userinfo or the query): the report shows them redacted.
        base_url: redact(&cx.target.base_url, cx.key.key()),
        url: cx.target.url.as_deref().map(|u| redact(u, cx.key.key())),
        apis: cx.target.apis.iter().map(|a| a.id().to_string()).collect(),
    };
    let checklist = group(checks, results, opts.offline);
    let mut report = assemble(checklist, key_info(cx), target, opts, took);
    report.diagnosis = crate::diagnosis::diagnose(&report);
    let keys = cx
        .key
        .candidates
        .iter()
        .map(|c| (&c.value, cx.analysis_of(&c.value)));
    make_safe(&mut report, &Secrets::of_analysed(keys))?;
    Ok(report)
}

/// The report of grouped results, tallied and with the policy applied (`--strict`), not
/// yet diagnosed nor made safe: the one assembly [`report`] and the test fixtures share.
pub fn assemble(
    checklist: Vec<ItemResult>,
    key: KeyInfo,
    target: Target,
    opts: &RunOptions,
    took: Duration,
) -> Report {
    let (summary, verdict) = Report::tally(&checklist);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "sl-doctor".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            os: Some(os_description()),
        },
        generated_at: now_rfc3339(),
        verdict,
        strict: opts.strict,
        effective_verdict: verdict.with_strict(opts.strict),
        diagnosis: Default::default(),
        key,
        target,
        offline: opts.offline,
        checklist,
        summary,
        duration_ms: took.as_millis() as u64,
    }
}

/// The finished report could not be made safe to show: nothing is shown.
#[derive(Debug, thiserror::Error)]
#[error(
    "the finished report could not be checked for the key ({0}); nothing is printed or written rather than a report that might hold it"
)]
pub struct UnsafeReport(String);

/// The boundary every output passes (stdout, `--output`, the support bundle, every
/// format): the finished report, diagnosis included, once more with every string
/// neutralised (text from outside is already an `Untrusted`; this catches what a check
/// quoted as plain text) and every spelling of every key value seen in this run
/// redacted (`leak`). Renderers are pure functions of what comes out.
///
/// It fails closed: a report that cannot be encoded for the pass, or whose redacted form
/// no longer reads as a report (the redaction hit a fingerprint or an enum word), is an
/// error, never the report as it was.
pub fn make_safe(report: &mut Report, secrets: &Secrets) -> Result<(), UnsafeReport> {
    // The pass changes the report only where a string (or key) holds an unsafe character
    // or key material. Visiting the report's strings ([`strings::any_string`]) finds that
    // without building the JSON tree, which cost a usual run more than its checks did;
    // whatever the visit cannot follow counts as found, so the full pass runs then.
    let needs_pass = |s: &str| untrusted::has_unsafe(s) || secrets.leaks(s);
    if let Ok(false) = strings::any_string(&*report, needs_pass) {
        return Ok(());
    }
    let mut v = serde_json::to_value(&*report)
        .map_err(|e| UnsafeReport(format!("encoding it failed: {e}")))?;
    make_value_safe(report, &mut v, secrets)
}

/// The pass itself, on the report's JSON form `v`.
fn make_value_safe(
    report: &mut Report,
    v: &mut serde_json::Value,
    secrets: &Secrets,
) -> Result<(), UnsafeReport> {
    let changed = untrusted::neutralise_value(v) | secrets.redact_value(v);
    if changed {
        // The error names the field only: its value may be what was redacted.
        *report = serde_path_to_error::deserialize(v.take()).map_err(|e| {
            UnsafeReport(format!(
                "its redacted form does not read back at {}",
                e.path()
            ))
        })?;
    }
    Ok(())
}

/// The OS as a short string (`linux x86_64`, plus the distribution on Linux).
pub fn os_description() -> String {
    let mut s = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    if let Ok(text) = std::fs::read_to_string("/etc/os-release")
        && let Some(name) = text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME="))
    {
        s.push_str(&format!(" ({})", name.trim_matches('"')));
    }
    s
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::secret::{Fingerprint, SecretKey};

    /// A report with a finding, the key's fingerprint and a diagnosis.
    fn fixture() -> Report {
        let c = CheckResult {
            id: "quoted-value".into(),
            title: "The key is not wrapped in quotes".into(),
            status: crate::model::report::Status::Fail,
            summary: "The key is wrapped in quotes".into(),
            details: Vec::new(),
            fix: None,
            findings: Vec::new(),
            evidence: None,
            duration_ms: 0,
        };
        let checklist = vec![ItemResult {
            id: crate::model::report::Item::NoQuotes,
            title: "t".into(),
            status: c.status,
            reason: None,
            checks: vec![c],
        }];
        let mut r = crate::testing_support::test_report(
            checklist,
            44,
            Fingerprint::of(b"fixture"),
            &["dam"],
        );
        r.diagnosis = crate::diagnosis::diagnose(&r);
        r
    }

    /// Offline, no request is sent: header-present says it checked the request
    /// sl-doctor would send (trial 32), not "the final HTTP request".
    #[test]
    fn offline_the_header_item_says_no_request_was_sent() {
        use crate::model::report::Item;
        let title = |offline| {
            group(&crate::registry(), Vec::new(), offline)
                .into_iter()
                .find(|i| i.id == Item::HeaderPresent)
                .unwrap()
                .title
        };
        assert_eq!(title(false), Item::HeaderPresent.title());
        assert!(
            title(true).contains(
                "would be present in the request sl-doctor sends (offline: no request was sent)"
            ),
            "{}",
            title(true)
        );
    }

    fn secrets(key: &str) -> Secrets {
        Secrets::of_run(&[&SecretKey::from_string(key.into())])
    }

    /// Key material in free text is redacted and the report kept.
    #[test]
    fn the_key_in_text_is_redacted() {
        let mut r = fixture();
        let key = "k3y-material-in-a-summary";
        r.diagnosis.summary = format!("it echoed {key}");
        make_safe(&mut r, &secrets(key)).unwrap();
        assert!(
            !r.diagnosis.summary.contains("material"),
            "{}",
            r.diagnosis.summary
        );
    }

    /// A redaction that breaks the report's own grammar (here: a key whose piece is the
    /// report's fingerprint) gives no report at all, never the unredacted one.
    #[test]
    fn a_redaction_that_does_not_read_back_fails_closed() {
        let mut r = fixture();
        let fingerprint = r.key.fingerprint.clone().unwrap();
        let key = fingerprint
            .as_str()
            .trim_start_matches("sha256:")
            .to_string();
        let e = make_safe(&mut r, &secrets(&key)).unwrap_err().to_string();
        assert!(e.contains("nothing is printed or written"), "{e}");
        assert!(e.contains("does not read back at "), "{e}");
        assert!(
            !e.contains(&key[..8]),
            "the error holds no piece of the key: {e}"
        );
    }
}
