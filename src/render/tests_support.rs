//! Fixed reports for the renderers' snapshot tests: the same four reports (pass, warn,
//! fail, inconclusive) for every format, with text that needs escaping (`%`, `:`, `,`,
//! `|`, `<`, `&`, a newline) so every renderer's escaping shows in its snapshots.

use sl_doctor_checks::checklist::key_loaded::dotenv_file;
use sl_doctor_checks::checklist::no_quotes::quoted_value;
use sl_doctor_checks::checklist::works_in_curl::codes as probe_codes;
use sl_doctor_checks::context::Api;
use sl_doctor_checks::model::report::{
    BodyKind, CheckResult, Differential, Evidence, Finding, Item, ItemResult, KeyDelivery, KeyKind,
    KeyVariant, ProbeAttempt, ProbeEvidence, ProbeRequest, ProbeResponse, Report, RequestId,
    Status, Timings, Verdict,
};
use sl_doctor_checks::model::secret::Fingerprint;
use sl_doctor_checks::net::probe::classify;
use sl_doctor_checks::testing_support::test_report;

fn check(id: &str, title: &str, status: Status, summary: &str) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: title.into(),
        status,
        summary: summary.into(),
        details: Vec::new(),
        remediation: None,
        findings: Vec::new(),
        evidence: None,
        duration_ms: 3,
    }
}

fn probe(status: Status, summary: &str, http: &str) -> CheckResult {
    let mut c = check("dam-probe", "The DAM API accepts the key", status, summary);
    c.details = vec![
        "request: GET https://api2.saleslayer.com/dam/image?$top=1".into(),
        "X-API-KEY: 44 characters, sha256:b6a6ab17f2e6".into(),
        format!("status: {http}"),
        "dns: 5 ms · connect+tls: 26 ms · ttfb: 34 ms · total: 34 ms".into(),
        "x-request-id: 5f0c2a".into(),
    ];
    c.evidence = Some(probe_evidence(http));
    c.duration_ms = 41;
    c
}

/// The evidence behind [`probe`]'s detail lines.
fn probe_evidence(http: &str) -> Evidence {
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
        // DAM answers an invalid key with 400 and problem details.
        problem: (status == 400)
            .then(|| sl_doctor_checks::testing_support::dam_invalid_key_problem(false)),
        request_ids: vec![RequestId {
            name: "x-request-id".into(),
            value: "5f0c2a".into(),
        }],
        retry_after_s: None,
        redirect: None,
    };
    Evidence::Probe(ProbeEvidence {
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
    })
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
        (
            Item::WorksInCurl,
            vec![probe(
                Status::Pass,
                "DAM accepted the key (HTTP 200)",
                "HTTP/2.0 200 OK",
            )],
        ),
        (Item::Security, vec![]),
    ];
    // What each verdict adds: (index in `by_item`, the check, its one finding).
    let problems: Vec<(usize, CheckResult, Finding)> = match verdict {
        Verdict::Pass => Vec::new(),
        Verdict::Warn => vec![(
            3,
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
            .with_fix("Save the file with LF line endings"),
        )],
        Verdict::Fail => vec![
            (
                2,
                CheckResult {
                    remediation: Some("Remove the quotes from the stored value".into()),
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
            (
                4,
                probe(
                    Status::Fail,
                    "DAM rejected the key: HTTP 400, \"Invalid API key.\"",
                    "HTTP/2.0 400 Bad Request",
                ),
                Finding::new(
                    probe_codes::KEY_REJECTED,
                    "DAM answered 400 with problem details: Invalid API key. | <b>title</b> & more",
                )
                .with_fix("Ask support@saleslayer.com whether the key is enabled for DAM"),
            ),
        ],
        Verdict::Inconclusive => vec![(
            4,
            probe(
                Status::Error,
                "DAM answered 503 Service Unavailable twice, 2 s apart: no verdict",
                "HTTP/1.1 503 Service Unavailable",
            ),
            Finding::new(
                probe_codes::SERVER_ERROR,
                "The server could not answer (503)\nRetry-After: 2",
            )
            .with_fix("Run sl-doctor again later; check https://status.saleslayer.com"),
        )],
    };
    for (item, mut c, finding) in problems {
        c.findings = vec![finding];
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
