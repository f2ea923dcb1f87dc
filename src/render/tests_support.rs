//! Fixed reports for the renderers' snapshot tests: the same four reports (pass, warn,
//! fail, inconclusive) for every format, with text that needs escaping (`%`, `:`, `,`,
//! `|`, `<`, `&`, a newline) so every renderer's escaping shows in its snapshots.

use sl_doctor_checks::checklist::DamProbe;
use sl_doctor_checks::checklist::key_loaded::dotenv_file;
use sl_doctor_checks::checklist::no_quotes::quoted_value;
use sl_doctor_checks::checklist::works_in_curl::probe_findings::outcome;
use sl_doctor_checks::context::Api;
use sl_doctor_checks::model::report::{
    BodyKind, CheckResult, Differential, Finding, Item, ItemResult, KeyDelivery, KeyKind,
    KeyVariant, ProbeAttempt, ProbeEvidence, ProbeRequest, ProbeResponse, Report, RequestId,
    Status, Timings, Verdict,
};
use sl_doctor_checks::model::secret::Fingerprint;
use sl_doctor_checks::model::untrusted::Untrusted;
use sl_doctor_checks::net::probe::{DAM, ProbeRun, classify};
use sl_doctor_checks::runner::to_result;
use sl_doctor_checks::saleslayer::INVALID_KEY_DETAIL;
use sl_doctor_checks::testing_support::test_report;
use std::time::Duration;

fn check(id: &str, title: &str, status: Status, summary: &str) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: title.into(),
        status,
        summary: summary.into(),
        details: Vec::new(),
        fix: None,
        findings: Vec::new(),
        evidence: None,
        duration_ms: 3,
    }
}

/// The DAM probe's result for one answer, worded by the probe check itself
/// (`probe_findings::outcome`), as a real run words it.
fn probe(http: &str) -> CheckResult {
    let run = ProbeRun {
        evidence: probe_evidence(http),
        setup_failure: None,
    };
    to_result(&DamProbe, outcome(&DAM, run), Duration::from_millis(41))
}

/// What the DAM probe recorded for one answer. A 400 carries DAM's problem details for an
/// invalid key, with server text that needs escaping in every format.
pub fn probe_evidence(http: &str) -> ProbeEvidence {
    let key = KeyVariant {
        variant: KeyKind::AsGiven,
        length: Some(44),
        fingerprint: Some(Fingerprint::of(b"fixture")),
        repairs: vec![],
        reader: None,
    };
    let mut words = http.split_whitespace();
    let http_version = words.next().unwrap_or_default().to_string();
    let status: u16 = words.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let response = ProbeResponse {
        status,
        status_line: http.into(),
        http_version,
        remote: None,
        content_type: None,
        body_kind: BodyKind::Json,
        body_bytes: 2,
        body_truncated: false,
        body_error: None,
        problem: (status == 400).then(|| {
            let mut p = sl_doctor_checks::testing_support::dam_invalid_key_problem(false);
            p.detail = Some(Untrusted::new(&format!(
                "{INVALID_KEY_DETAIL} | <b>title</b> & more"
            )));
            p
        }),
        request_ids: vec![RequestId {
            name: "x-request-id".into(),
            value: "5f0c2a".into(),
        }],
        retry_after_s: None,
        redirect: None,
    };
    ProbeEvidence {
        api: "dam".into(),
        request: ProbeRequest {
            method: "GET".into(),
            url: "https://api2.saleslayer.com/dam/image?$top=1".into(),
            key: KeyDelivery::Sent,
            key_as_given: key.clone(),
            not_sendable_because: None,
        },
        attempts: vec![ProbeAttempt {
            key,
            // The probe's own classification, as a real run decides it.
            answer: classify(Api::Dam, &response),
            response: Some(response),
            error: None,
            timings: Timings {
                dns_ms: Some(5),
                connect_ms: Some(26),
                ttfb_ms: Some(34),
                total_ms: 34,
            },
            retry: None,
        }],
        differential: Differential::NotNeeded,
        cleaned: None,
        candidates: vec![],
        unsendable: vec![],
        other_api: None,
    }
}

fn with_finding(mut c: CheckResult, finding: Finding) -> CheckResult {
    c.findings = vec![finding];
    c
}

/// A cause of level fail: its title is `"{id} title"`; only Sales Layer fixes it when
/// `by` says so.
pub fn cause(
    id: sl_doctor_checks::diagnosis::CauseId,
    checks: &[&str],
    proof: &str,
    fix: &str,
    by: sl_doctor_checks::diagnosis::Fixer,
) -> sl_doctor_checks::diagnosis::Cause {
    use sl_doctor_checks::diagnosis::{Cause, CauseLevel, Fixer};
    Cause {
        title: format!("{id} title"),
        id,
        level: CauseLevel::Fail,
        checks: checks.iter().map(|s| s.to_string()).collect(),
        proof: Some(proof.into()),
        fix: fix.into(),
        self_fixable: by != Fixer::SalesLayer,
        fixed_by: by,
    }
}

/// A report with the given verdict.
pub fn report(verdict: Verdict) -> Report {
    let mut by_item: Vec<(Item, Vec<CheckResult>)> = vec![
        (
            Item::BaseUrl,
            vec![check(
                "url-host",
                "The host is the documented API host",
                Status::Pass,
                "api2.saleslayer.com is the documented host",
            )],
        ),
        (
            Item::HeaderPresent,
            vec![check(
                "header-value",
                "The key can be sent as an X-API-KEY header value",
                Status::Pass,
                "The key is a valid header value",
            )],
        ),
        (
            Item::NoQuotes,
            vec![check(
                "quoted-value",
                "The key is not wrapped in quotes",
                Status::Pass,
                "No quotes around the key",
            )],
        ),
        (
            Item::KeyLoaded,
            vec![check(
                "key-source",
                "A key was found, and where",
                Status::Pass,
                "Key read from SALESLAYER_API_KEY (environment)",
            )],
        ),
        (Item::WorksInCurl, vec![probe("HTTP/2.0 200 OK")]),
        (Item::Security, vec![]),
    ];
    // What each verdict adds: (index in `by_item`, the check). The offline checks carry
    // one hand-made finding each; the probe's come from the probe check.
    let problems: Vec<(usize, CheckResult)> = match verdict {
        Verdict::Pass => Vec::new(),
        Verdict::Warn => vec![(
            3,
            with_finding(
                check(
                    "dotenv-file",
                    "The .env file defines the key the way every loader reads it",
                    Status::Warn,
                    "./.env line 1 ends with CR LF: 100% of your shells keep the CR",
                ),
                Finding::new(
                    dotenv_file::CRLF,
                    "SALESLAYER_API_KEY's line in .env ends with CR LF (100% of its loaders must read it), which `source .env` keeps",
                )
                .with_fix("Save the file with LF line endings\n(in vim: `:set ff=unix`, then `:w`)"),
            ),
        )],
        Verdict::Fail => vec![
            (
                2,
                with_finding(
                    CheckResult {
                        fix: Some("Remove the quotes from the stored value".into()),
                        ..check(
                            "quoted-value",
                            "The key is not wrapped in quotes",
                            Status::Fail,
                            "The key is wrapped in double quotes: \"…\"",
                        )
                    },
                    Finding::new(
                        quoted_value::SURROUNDING_QUOTES,
                        "Character 1 of 46 is U+0022 QUOTATION MARK, and so is character 46",
                    )
                    .with_fix("Remove the quotes from the stored value; docker --env-file keeps them"),
                ),
            ),
            (4, probe("HTTP/2.0 400 Bad Request")),
        ],
        Verdict::Inconclusive => vec![(4, probe("HTTP/1.1 503 Service Unavailable"))],
    };
    for (item, c) in problems {
        by_item[item].1 = vec![c];
    }
    let checklist: Vec<ItemResult> = by_item
        .into_iter()
        .map(|(item, checks)| {
            let status = checks.iter().fold(Status::Skip, |s, c| s.worst(c.status));
            ItemResult {
                id: item,
                title: item.title().into(),
                status,
                reason: checks
                    .is_empty()
                    .then(|| "every check of this item was deselected".into()),
                checks,
            }
        })
        .collect();
    let mut r = test_report(checklist, 44, Fingerprint::of(b"fixture"), &["dam"]);
    assert_eq!(r.verdict, verdict, "fixture verdict");
    r.duration_ms = 52;
    r.diagnosis = sl_doctor_checks::diagnosis::diagnose(&r);
    r
}

/// The four verdicts with their snapshot names.
pub const VERDICTS: [(Verdict, &str); 4] = [
    (Verdict::Pass, "pass"),
    (Verdict::Warn, "warn"),
    (Verdict::Fail, "fail"),
    (Verdict::Inconclusive, "inconclusive"),
];

/// The same report under `--strict` (as the runner decides it).
pub fn strict(mut r: Report) -> Report {
    r.strict = true;
    r.effective_verdict = r.verdict.with_strict(true);
    r
}
