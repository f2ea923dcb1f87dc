//! Table-driven: each scenario is a report as the checks would make it, and the causes
//! the diagnosis must name, in order, with what must and must not be said.

use super::*;
use crate::model::evidence::{
    Answer, BodyKind, Differential, Evidence, KeyDelivery, KeyKind, KeyVariant, ProbeAttempt,
    ProbeEvidence, ProbeRequest, ProbeResponse, Repair, Timings,
};
use crate::model::report::{CheckResult, Finding, Item, ItemResult, Report, Status};
use crate::model::secret::SecretKey;
use crate::registry;

/// A check result: id, status and finding codes (severity follows the status).
type Row = (&'static str, Status, &'static [&'static str]);

fn report(rows: &[Row], offline: bool) -> Report {
    let reg = registry();
    let mut checklist: Vec<ItemResult> = Item::ALL
        .iter()
        .map(|i| ItemResult {
            id: *i,
            title: i.title().into(),
            status: Status::Skip,
            reason: None,
            checks: vec![],
        })
        .collect();
    for c in &reg {
        let m = c.meta();
        let (status, codes) = rows
            .iter()
            .find(|r| *r.0 == m.id)
            .map(|r| (r.1, r.2))
            .unwrap_or((
                if offline && m.needs_network {
                    Status::Skip
                } else {
                    Status::Pass
                },
                &[],
            ));
        let sev = match status {
            Status::Fail => crate::model::report::Severity::Fail,
            Status::Warn | Status::Error => crate::model::report::Severity::Warn,
            _ => crate::model::report::Severity::Info,
        };
        let item = checklist.iter_mut().find(|i| i.id == m.item).unwrap();
        item.status = item.status.worst(status);
        item.checks.push(CheckResult {
            id: m.id.to_string(),
            title: m.title.into(),
            status,
            summary: format!("{} summary", m.id),
            details: vec![],
            fix: (status != Status::Pass).then(|| format!("{} fix", m.id)),
            // Scenario codes: registered codes, and the `accepted-once-…` shorthand below.
            findings: codes
                .iter()
                .map(|c| Finding {
                    code: c.to_string(),
                    severity: sev,
                    message: "m".into(),
                    position: None,
                    fix: None,
                    location: None,
                })
                .collect(),
            evidence: (status != Status::Skip)
                .then(|| probe_evidence(m.id.as_str(), codes))
                .flatten(),
            duration_ms: 0,
        });
    }
    let fp = SecretKey::from_string("k".into()).fingerprint();
    let mut r = crate::testing_support::test_report(checklist, 46, fp.clone(), &["dam", "catalog"]);
    r.key.cleaned_length = Some(44);
    r.key.cleaned_fingerprint = Some(fp);
    r.offline = offline;
    r
}

/// The evidence a probe would carry for the finding codes it reports: a compact way to
/// write the scenarios (`key-rejected-400` = DAM answered 400 to the key as given,
/// `accepted-once-unquoted` = the key with its quotes removed got a 200, …).
fn probe_evidence(check: &str, codes: &[&str]) -> Option<Evidence> {
    if codes.contains(&"deadline-reached") {
        return None;
    }
    let api = match check {
        "dam-probe" => "dam",
        "catalog-probe" => "catalog",
        _ => return None,
    };
    let variant = |variant, repairs: Vec<Repair>| KeyVariant {
        variant,
        length: Some(44),
        fingerprint: Some(SecretKey::from_string("k".into()).fingerprint()),
        repairs,
        reader: None,
    };
    let attempt = |kind, answer, status: Option<u16>, repairs| ProbeAttempt {
        key: variant(kind, repairs),
        answer,
        response: status.map(|status| ProbeResponse {
            status,
            status_line: Default::default(),
            http_version: String::new(),
            remote: None,
            content_type: None,
            body_kind: BodyKind::Json,
            body_bytes: 0,
            body_truncated: false,
            body_error: None,
            problem: None,
            request_ids: vec![],
            retry_after_s: None,
            redirect: None,
        }),
        error: None,
        timings: Timings::default(),
        retry: None,
    };
    let mut delivery = KeyDelivery::Sent;
    let mut attempts = vec![];
    for code in codes {
        // `accepted-once-unquoted+trimmed`: a repaired value with those repairs got a 200.
        if let Some(repairs) = code.strip_prefix("accepted-once-") {
            let repairs = repairs
                .split('+')
                .map(|r| serde_json::from_value(serde_json::Value::from(r)).expect(r))
                .collect();
            attempts.push(attempt(
                KeyKind::Cleaned,
                Answer::Accepted,
                Some(200),
                repairs,
            ));
            continue;
        }
        // `delivered-rejected`: the value another reader delivers (the .env line as the
        // dotenv libraries read it, holding the key `stale`) got this answer.
        if let Some(answer) = code.strip_prefix("delivered-") {
            let (answer, status) = match answer {
                "rejected" => (Answer::Rejected, 401),
                _ => (Answer::Accepted, 200),
            };
            let mut a = attempt(KeyKind::Delivered, answer, Some(status), vec![]);
            a.key.reader = Some("dotenv libraries (.env line 1)".into());
            a.key.fingerprint = Some(SecretKey::from_string("stale".into()).fingerprint());
            attempts.push(a);
            continue;
        }
        let (kind, answer, status) = match *code {
            "key-accepted" => (KeyKind::AsGiven, Answer::Accepted, Some(200)),
            "catalog-not-enabled" => (KeyKind::AsGiven, Answer::NotEnabled, Some(403)),
            "key-rejected" => (KeyKind::AsGiven, Answer::Rejected, Some(401)),
            "key-rejected-400" => (KeyKind::AsGiven, Answer::Rejected, Some(400)),
            "rate-limited" => (KeyKind::AsGiven, Answer::RateLimited, Some(429)),
            "server-error" => (KeyKind::AsGiven, Answer::Unavailable, Some(500)),
            "not-found" => (KeyKind::AsGiven, Answer::NotFound, Some(404)),
            "dns" | "timeout" => (KeyKind::AsGiven, Answer::NoAnswer, None),
            "cleaned-rejected-too" => (KeyKind::Cleaned, Answer::Rejected, Some(401)),
            // A value with no damage whose base64 decoding was tried, and rejected.
            "decoded-rejected-too" => {
                attempts.push(attempt(
                    KeyKind::Cleaned,
                    Answer::Rejected,
                    Some(401),
                    vec![Repair::Base64Decoded],
                ));
                continue;
            }
            "cleaned-rate-limited" => (KeyKind::Cleaned, Answer::RateLimited, Some(429)),
            "cleaned-server-error" => (KeyKind::Cleaned, Answer::Unavailable, Some(503)),
            "key-not-sendable" => {
                delivery = KeyDelivery::NotSendable;
                continue;
            }
            "key-not-sent-plain-http" => {
                delivery = KeyDelivery::NotSentPlainHttp;
                continue;
            }
            other => panic!("no evidence for {other}"),
        };
        attempts.push(attempt(kind, answer, status, vec![]));
    }
    Some(Evidence::Probe(ProbeEvidence {
        api: api.into(),
        request: ProbeRequest {
            method: "GET".into(),
            url: String::new(),
            key: delivery,
            key_as_given: variant(KeyKind::AsGiven, vec![]),
            not_sendable_because: None,
        },
        attempts,
        differential: Differential::Tried,
        cleaned: None,
        candidates: vec![],
        unsendable: vec![],
        other_api: None,
    }))
}

use Status::{Error as E, Fail as F, Pass as P, Warn as W};

struct Case {
    name: &'static str,
    rows: &'static [Row],
    offline: bool,
    /// Cause ids, in order.
    causes: &'static [&'static str],
    /// The first cause's proof contains this (None: no proof).
    proof: Option<&'static str>,
    self_fixable: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "healthy",
        rows: &[
            ("dam-probe", Status::Pass, &["key-accepted"]),
            ("catalog-probe", Status::Pass, &["key-accepted"]),
        ],
        offline: false,
        causes: &[],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "quoted key, proven by both APIs",
        rows: &[
            ("quoted-value", F, &["surrounding-quotes"]),
            (
                "dam-probe",
                F,
                &["key-rejected-400", "accepted-once-unquoted"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "accepted-once-unquoted"],
            ),
        ],
        offline: false,
        causes: &["quoted-key"],
        proof: Some("DAM and Catalog accept the key once the quotes are removed"),
        self_fixable: true,
    },
    Case {
        name: "trailing LF from a key file: whitespace and an unsendable header",
        rows: &[
            ("extra-whitespace", F, &["trailing-line-break"]),
            ("header-value", F, &["control-character"]),
            (
                "dam-probe",
                F,
                &["key-not-sendable", "accepted-once-trimmed"],
            ),
            (
                "catalog-probe",
                F,
                &["key-not-sendable", "accepted-once-trimmed"],
            ),
        ],
        offline: false,
        causes: &["extra-whitespace"],
        proof: Some("DAM and Catalog accept the key once the whitespace is removed"),
        self_fixable: true,
    },
    Case {
        name: "zero-width space",
        rows: &[
            ("hidden-characters", F, &["zero-width"]),
            (
                "dam-probe",
                F,
                &["key-rejected-400", "accepted-once-invisible-removed"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "accepted-once-invisible-removed"],
            ),
        ],
        offline: false,
        causes: &["hidden-characters"],
        proof: Some("accept the key once the invisible characters are removed"),
        self_fixable: true,
    },
    Case {
        name: "JSON-escaped key: no defect offline, the decoded value accepted",
        rows: &[
            (
                "dam-probe",
                F,
                &["key-rejected-400", "accepted-once-json-unescaped"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "accepted-once-json-unescaped"],
            ),
        ],
        offline: false,
        causes: &["json-escaped-key"],
        proof: Some("DAM and Catalog accept the key once its JSON escapes are decoded"),
        self_fixable: true,
    },
    Case {
        name: "quoted key offline: named, not proven",
        rows: &[("quoted-value", F, &["surrounding-quotes"])],
        offline: true,
        causes: &["quoted-key"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "quotes and a line break together",
        rows: &[
            ("quoted-value", F, &["surrounding-quotes"]),
            ("extra-whitespace", F, &["trailing-line-break"]),
            (
                "dam-probe",
                F,
                &["key-not-sendable", "accepted-once-unquoted+trimmed"],
            ),
        ],
        offline: false,
        causes: &["damaged-value"],
        proof: Some("DAM accepts the key once the quotes and the whitespace are removed"),
        self_fixable: true,
    },
    Case {
        name: "Catalog-only key",
        rows: &[
            ("dam-probe", F, &["key-rejected-400"]),
            ("catalog-probe", Status::Pass, &["key-accepted"]),
        ],
        offline: false,
        causes: &["api-not-enabled"],
        proof: Some("Catalog accepts this key, so the key is valid; DAM rejects it"),
        self_fixable: false,
    },
    Case {
        name: "DAM-only key (Catalog 403)",
        rows: &[
            ("dam-probe", Status::Pass, &["key-accepted"]),
            ("catalog-probe", F, &["catalog-not-enabled"]),
        ],
        offline: false,
        causes: &["api-not-enabled"],
        proof: Some("DAM accepts this key"),
        self_fixable: false,
    },
    Case {
        name: "revoked key",
        rows: &[
            ("dam-probe", F, &["key-rejected-400"]),
            ("catalog-probe", F, &["key-rejected"]),
        ],
        offline: false,
        causes: &["key-rejected"],
        proof: Some("DAM and Catalog reject the key"),
        self_fixable: false,
    },
    Case {
        name: "damaged and revoked: the repair is rejected too",
        rows: &[
            ("quoted-value", F, &["surrounding-quotes"]),
            (
                "dam-probe",
                F,
                &["key-rejected-400", "cleaned-rejected-too"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "cleaned-rejected-too"],
            ),
        ],
        offline: false,
        causes: &["quoted-key", "key-rejected"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "quoted key, the repaired key rate limited: the quotes, not verified, and no invalid key",
        rows: &[
            ("quoted-value", F, &["surrounding-quotes"]),
            (
                "dam-probe",
                F,
                &["key-rejected-400", "cleaned-rate-limited"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "cleaned-rate-limited"],
            ),
        ],
        offline: false,
        causes: &["quoted-key"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "quoted key, DAM rejects the repair, Catalog errs: rejected by DAM alone",
        rows: &[
            ("quoted-value", F, &["surrounding-quotes"]),
            (
                "dam-probe",
                F,
                &["key-rejected-400", "cleaned-rejected-too"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "cleaned-server-error"],
            ),
        ],
        offline: false,
        causes: &["quoted-key", "key-rejected"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "no defect offline, a decoded guess rate limited: no verdict, not an invalid key",
        rows: &[
            (
                "dam-probe",
                F,
                &["key-rejected-400", "cleaned-rate-limited"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "cleaned-rate-limited"],
            ),
        ],
        offline: false,
        causes: &["rate-limited"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "look-alikes replaced and still rejected: the guess, not the key, is refuted",
        rows: &[
            ("lookalike-characters", F, &["cyrillic"]),
            (
                "dam-probe",
                F,
                &["key-rejected-400", "cleaned-rejected-too"],
            ),
            (
                "catalog-probe",
                F,
                &["key-rejected", "cleaned-rejected-too"],
            ),
        ],
        offline: false,
        causes: &["lookalike-unresolved"],
        proof: Some("DAM and Catalog reject the key with each look-alike replaced"),
        self_fixable: true,
    },
    Case {
        name: "whitespace in the value and a .env warning: two causes, each its own",
        rows: &[
            ("extra-whitespace", F, &["trailing-whitespace"]),
            ("dotenv-file", W, &["export"]),
        ],
        offline: true,
        causes: &["extra-whitespace", "dotenv-file"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "a damaged value that readers also disagree about: the damage first, the disagreement warns",
        rows: &[
            ("hidden-characters", F, &["zero-width"]),
            ("readers-agree", F, &["readers-disagree"]),
            ("dotenv-file", W, &["inline-comment"]),
            (
                "dam-probe",
                F,
                &[
                    "key-rejected-400",
                    "accepted-once-invisible-removed",
                    "delivered-rejected",
                ],
            ),
            (
                "catalog-probe",
                F,
                &[
                    "key-rejected",
                    "accepted-once-invisible-removed",
                    "delivered-rejected",
                ],
            ),
        ],
        offline: false,
        causes: &["hidden-characters", "readers-disagree"],
        proof: Some("accept the key once the invisible characters are removed"),
        self_fixable: true,
    },
    Case {
        name: "the key pasted as the base URL: one cause, before what the URL checks say about it",
        rows: &[
            ("url-scheme", F, &["missing-scheme"]),
            ("url-host", W, &["not-saleslayer-host"]),
            ("key-in-url", F, &["key-as-host"]),
            ("plain-http", W, &["scheme-defaults-to-http"]),
            ("dns-resolution", Status::Skip, &[]),
            ("tls-connection", Status::Skip, &[]),
            ("dam-probe", Status::Skip, &[]),
            ("catalog-probe", Status::Skip, &[]),
        ],
        offline: false,
        causes: &["key-as-base-url"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "another key pasted as the base URL: the same one cause",
        rows: &[
            ("url-scheme", F, &["missing-scheme"]),
            ("url-host", W, &["not-saleslayer-host"]),
            ("key-in-url", F, &["key-shaped-host"]),
            ("plain-http", W, &["scheme-defaults-to-http"]),
            ("dns-resolution", Status::Skip, &[]),
            ("dam-probe", Status::Skip, &[]),
            ("catalog-probe", Status::Skip, &[]),
        ],
        offline: false,
        causes: &["key-as-base-url"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "rate limited",
        rows: &[
            ("dam-probe", E, &["rate-limited"]),
            ("catalog-probe", E, &["rate-limited"]),
        ],
        offline: false,
        causes: &["rate-limited"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "legacy path",
        rows: &[
            ("url-path", F, &["legacy-catalog-path"]),
            ("dam-probe", F, &["not-found"]),
            ("catalog-probe", F, &["not-found"]),
        ],
        offline: false,
        causes: &["wrong-path"],
        proof: Some("dam-probe summary"),
        self_fixable: true,
    },
    Case {
        name: "network down",
        rows: &[
            ("dns-resolution", E, &["dns-timeout"]),
            ("tls-connection", Status::Skip, &[]),
            ("dam-probe", E, &["dns"]),
            ("catalog-probe", E, &["dns"]),
        ],
        offline: false,
        causes: &["network"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "the API does not answer",
        rows: &[
            ("tls-connection", P, &[]),
            ("dam-probe", E, &["timeout"]),
            ("catalog-probe", E, &["timeout"]),
        ],
        offline: false,
        causes: &["network"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "no key",
        rows: &[
            ("key-source", F, &["no-key"]),
            ("dam-probe", Status::Skip, &[]),
            ("catalog-probe", Status::Skip, &[]),
        ],
        offline: false,
        causes: &["key-not-loaded"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "empty key: one cause, not also extra whitespace",
        rows: &[
            ("extra-whitespace", F, &["empty"]),
            ("header-value", F, &["empty-value"]),
            ("dam-probe", F, &["key-rejected"]),
            ("catalog-probe", F, &["key-rejected"]),
        ],
        offline: false,
        causes: &["key-empty"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "quotes and nothing else: the key is empty, one cause, nobody sent for a new key",
        rows: &[
            ("quoted-value", F, &["surrounding-quotes"]),
            ("extra-whitespace", F, &["nothing-left"]),
            ("dam-probe", F, &["key-rejected-400"]),
            ("catalog-probe", F, &["key-rejected"]),
        ],
        offline: false,
        causes: &["key-empty"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "quotes and nothing else, offline: the key is empty, not a quoted key to repair",
        rows: &[
            ("quoted-value", F, &["surrounding-quotes"]),
            ("extra-whitespace", F, &["nothing-left"]),
        ],
        offline: true,
        causes: &["key-empty"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "only whitespace: the key is empty, one cause",
        rows: &[
            ("extra-whitespace", F, &["only-whitespace"]),
            ("dam-probe", F, &["key-rejected-400"]),
            ("catalog-probe", F, &["key-rejected"]),
        ],
        offline: false,
        causes: &["key-empty"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "the deadline stopped both probes: one cause",
        rows: &[
            ("dam-probe", E, &["deadline-reached"]),
            ("catalog-probe", E, &["deadline-reached"]),
        ],
        offline: false,
        causes: &["deadline-reached"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "http:// on a host that is not loopback: one cause, the probes' refusal folded in",
        rows: &[
            ("url-scheme", F, &["http-scheme"]),
            ("plain-http", W, &["key-over-http"]),
            ("dam-probe", F, &["key-not-sent-plain-http"]),
            ("catalog-probe", F, &["key-not-sent-plain-http"]),
        ],
        offline: false,
        causes: &["wrong-base-url"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "http:// on loopback without --allow-http: one cause for both probes",
        rows: &[
            ("url-scheme", Status::Pass, &["http-loopback"]),
            ("plain-http", Status::Pass, &["http-loopback"]),
            ("dam-probe", F, &["key-not-sent-plain-http"]),
            ("catalog-probe", F, &["key-not-sent-plain-http"]),
        ],
        offline: false,
        causes: &["key-not-sent-over-http"],
        proof: None,
        self_fixable: true,
    },
    Case {
        name: "a warning only: healthy with a warning",
        rows: &[
            ("dotenv-file", W, &["crlf"]),
            ("dam-probe", Status::Pass, &["key-accepted"]),
            ("catalog-probe", Status::Pass, &["key-accepted"]),
        ],
        offline: false,
        causes: &["dotenv-file"],
        proof: None,
        self_fixable: true,
    },
];

#[test]
fn scenarios_name_the_right_causes_in_order() {
    for case in CASES {
        let r = report(case.rows, case.offline);
        let d = diagnose(&r);
        let ids: Vec<&str> = d.causes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, case.causes, "{}: {d:#?}", case.name);
        if let Some(first) = d.causes.first() {
            match case.proof {
                Some(p) => assert!(
                    first.proof.as_deref().is_some_and(|x| x.contains(p)),
                    "{}: proof {:?} lacks {p:?}",
                    case.name,
                    first.proof
                ),
                None => assert_eq!(first.proof, None, "{}", case.name),
            }
            assert_eq!(first.self_fixable, case.self_fixable, "{}", case.name);
        }
        // Every failing or warning check is explained by some cause: nothing is lost.
        for c in r.checks().filter(|c| matches!(c.status, F | W | E)) {
            assert!(
                !d.causes_of(&c.id).is_empty(),
                "{}: {} unexplained",
                case.name,
                c.id
            );
        }
    }
}

#[test]
fn no_fix_contradicts_a_proof() {
    for case in CASES {
        let d = diagnose(&report(case.rows, case.offline));
        let proven_valid = d
            .causes
            .iter()
            .any(|c| c.proof.as_deref().is_some_and(|p| p.contains("accept")));
        for c in &d.causes {
            if proven_valid {
                assert!(
                    !c.fix.contains("new key"),
                    "{}: {} says new key",
                    case.name,
                    c.id
                );
            }
        }
    }
}

#[test]
fn summary_leads_with_the_first_cause_and_its_proof() {
    let d = diagnose(&report(CASES[1].rows, false));
    assert!(
        d.summary.starts_with(
            "The key is wrapped in quotes: DAM and Catalog accept the key once the quotes are removed (44 characters, sha256:"
        ),
        "{}",
        d.summary
    );
    assert!(d.summary.ends_with(")."), "{}", d.summary);
    let healthy = diagnose(&report(CASES[0].rows, false));
    assert_eq!(
        healthy.summary,
        "The key works: DAM and Catalog accepted it."
    );
    let warn = diagnose(&report(CASES.last().unwrap().rows, false));
    assert_eq!(
        warn.summary,
        "The key works: DAM and Catalog accepted it, with 1 warning."
    );
    let offline = diagnose(&report(&[], true));
    assert!(
        offline.summary.starts_with("No problem found offline"),
        "{}",
        offline.summary
    );
    // Live, with the probes deselected (--select no-quotes): the key was not tried.
    let skipped: &[Row] = &[
        ("dam-probe", Status::Skip, &[]),
        ("catalog-probe", Status::Skip, &[]),
    ];
    let unprobed = diagnose(&report(skipped, false));
    assert_eq!(
        unprobed.summary,
        "No problem found; the key was not tried against the API (the probes did not run)."
    );
}

/// A report whose tls-connection stopped at a proxy's refusal (the probes got no answer).
fn refused_by_proxy(reason: crate::model::evidence::RefusalReason, target: &str) -> Report {
    use crate::model::evidence::{ProxyRefusal, TlsEvidence, Untrusted};
    let mut r = report(
        &[
            ("tls-connection", F, &["proxy-refused-tunnel"]),
            ("dam-probe", E, &["dns"]),
            ("catalog-probe", E, &["dns"]),
        ],
        false,
    );
    let tls = r
        .checklist
        .iter_mut()
        .flat_map(|i| i.checks.iter_mut())
        .find(|c| c.id == "tls-connection")
        .unwrap();
    tls.evidence = Some(Evidence::Tls(TlsEvidence {
        target: target.into(),
        proxy: Some("127.0.0.1:3128".into()),
        remote: None,
        tcp_ms: Some(1),
        connect_tunnel_ms: None,
        handshake_ms: None,
        version: None,
        cipher: None,
        alpn: None,
        certificate: None,
        insecure: false,
        failure: Some("proxy-refused-tunnel".into()),
        proxy_refusal: Some(ProxyRefusal {
            proxy: "127.0.0.1:3128".into(),
            target: target.into(),
            reason,
            status: Some(403),
            socks_reply: None,
            proxy_error: Some(Untrusted::new("ERR_ACCESS_DENIED")),
            proxy_errno: Some(0),
            server: Some(Untrusted::new("squid/5.7")),
        }),
    }));
    r
}

#[test]
fn a_proxy_refusal_is_one_cause_that_says_who_can_fix_it() {
    use crate::model::evidence::RefusalReason::*;
    let api = "api2.saleslayer.com:443";
    for (reason, target, fixer) in [
        (Denied, api, Fixer::NetworkTeam),
        (Denied, "localhost:8443", Fixer::NetworkTeam),
        (Other, api, Fixer::NetworkTeam),
        (UpstreamUnreachable, api, Fixer::NetworkTeam),
        (UpstreamUnreachable, "api2.saleslayer.com:8443", Fixer::You),
        (UpstreamUnresolved, api, Fixer::NetworkTeam),
        (UpstreamUnresolved, "api2.saleslayr.com:443", Fixer::You),
        (AuthRequired, api, Fixer::You),
        (CredentialsRejected, api, Fixer::You),
        (Page, api, Fixer::You),
    ] {
        let d = diagnose(&refused_by_proxy(reason, target));
        let ids: Vec<&str> = d.causes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["proxy-refused"], "{reason:?} {target}: {d:#?}");
        let c = &d.causes[0];
        assert_eq!(c.fixed_by, fixer, "{reason:?} {target}");
        // The network team is not Sales Layer: no support email is suggested.
        assert!(c.self_fixable && !d.needs_support(), "{reason:?}");
        assert_eq!(c.checks, ["tls-connection", "dam-probe", "catalog-probe"]);
        assert_eq!(
            c.proof.as_deref(),
            Some(
                format!(
                    "squid at 127.0.0.1:3128 answered 403 (ERR_ACCESS_DENIED) to `CONNECT {target}`"
                )
                .as_str()
            )
        );
    }
}

/// A handshake that worked and requests that went unanswered point at the wait, not
/// at the network path; a network that is down still points at the path.
#[test]
fn an_api_that_does_not_answer_after_the_handshake_points_at_the_timeout() {
    let d = diagnose(&report(rows_of("the API does not answer"), false));
    let c = &d.causes[0];
    assert!(c.title.starts_with("The API did not answer"), "{}", c.title);
    assert!(c.fix.contains("longer --timeout"), "{}", c.fix);
    let down = diagnose(&report(rows_of("network down"), false));
    assert!(
        down.causes[0]
            .title
            .starts_with("The API could not be reached")
    );
    assert!(
        !down.causes[0].fix.contains("--timeout"),
        "{}",
        down.causes[0].fix
    );
}

/// The rows of the scenario whose name starts with `name`.
fn rows_of(name: &str) -> &'static [Row] {
    CASES
        .iter()
        .find(|c| c.name.starts_with(name))
        .unwrap_or_else(|| panic!("no scenario {name}"))
        .rows
}

#[test]
fn a_repair_without_a_verdict_is_named_not_verified_and_sends_nobody_to_support() {
    let rows = rows_of("quoted key, the repaired key rate limited");
    let d = diagnose(&report(rows, false));
    assert_eq!(
        d.causes[0].title,
        "The key is wrapped in quotes (not verified: DAM and Catalog rate limited the repaired key)"
    );
    assert_eq!(
        d.causes[0].checks,
        ["quoted-value", "dam-probe", "catalog-probe"]
    );
    assert!(!d.needs_support(), "{d:#?}");
    assert!(
        d.causes.iter().all(|c| !c.fix.contains("new key")),
        "{d:#?}"
    );
}

#[test]
fn an_api_that_rejects_the_repair_is_named_alone_when_the_other_gave_no_verdict() {
    let rows = rows_of("quoted key, DAM rejects the repair, Catalog errs");
    let d = diagnose(&report(rows, false));
    let rejected = &d.causes[1];
    assert_eq!(rejected.checks, ["dam-probe"], "{d:#?}");
    assert_eq!(
        rejected.proof.as_deref(),
        Some("DAM rejects the key as given and once it is cleaned")
    );
    assert!(rejected.title.contains("cannot be told apart"), "{d:#?}");
    assert_eq!(d.causes[0].checks, ["quoted-value", "catalog-probe"]);
}

/// A key with no damage whose base64 decoding was tried and rejected: the proof names
/// the decoding, not "once it is cleaned" (trial 32: nothing needed cleaning).
#[test]
fn a_rejected_decoding_is_named_not_called_cleaning() {
    let rows: &[Row] = &[
        (
            "dam-probe",
            F,
            &["key-rejected-400", "decoded-rejected-too"],
        ),
        (
            "catalog-probe",
            F,
            &["key-rejected", "decoded-rejected-too"],
        ),
    ];
    let d = diagnose(&report(rows, false));
    assert_eq!(d.causes[0].id, CauseId::KeyRejected, "{d:#?}");
    assert_eq!(
        d.causes[0].proof.as_deref(),
        Some(
            "DAM and Catalog reject the key as given and once it is base64-decoded (as a Kubernetes Secret's data: holds it)"
        )
    );
}

#[test]
fn an_empty_key_s_fix_names_where_it_came_from() {
    use crate::model::report::SourceKind;
    let rows: &[Row] = &[
        ("extra-whitespace", F, &["empty"]),
        ("header-value", F, &["empty-value"]),
    ];
    for (kind, name, says) in [
        (
            SourceKind::Env,
            "SALESLAYER_API_KEY",
            "SALESLAYER_API_KEY is set but empty",
        ),
        (SourceKind::Flag, "--key", "--key was given an empty value"),
        (SourceKind::File, "key.txt", "The key file key.txt is empty"),
        (SourceKind::Stdin, "stdin", "Nothing came on standard input"),
        (
            SourceKind::Dotenv,
            ".env:3",
            "The value in the .env file .env:3 is empty",
        ),
    ] {
        let mut r = report(rows, true);
        r.key.source.kind = kind;
        r.key.source.name = name.into();
        let d = diagnose(&r);
        assert_eq!(d.causes.len(), 1, "{kind:?}: {d:#?}");
        let fix = &d.causes[0].fix;
        assert!(fix.starts_with(says), "{kind:?}: {fix}");
        assert!(!d.causes[0].is_damaged_value(), "{kind:?}");
    }
}

#[test]
fn a_key_of_only_quotes_is_named_empty_with_what_it_holds() {
    use crate::model::report::SourceKind;
    let rows: &[Row] = &[
        ("quoted-value", F, &["surrounding-quotes"]),
        ("extra-whitespace", F, &["nothing-left", "inner-space"]),
        ("dam-probe", F, &["key-rejected-400"]),
        ("catalog-probe", F, &["key-rejected"]),
    ];
    for (kind, name, says) in [
        (
            SourceKind::Env,
            "SALESLAYER_API_KEY",
            "SALESLAYER_API_KEY holds only quotes and whitespace or a line break, no key",
        ),
        (
            SourceKind::Flag,
            "--key",
            "--key was given a value that holds only quotes and whitespace or a line break, no key",
        ),
        (
            SourceKind::Dotenv,
            ".env:3",
            "The value in the .env file .env:3 holds only quotes and whitespace or a line break, no key",
        ),
    ] {
        let mut r = report(rows, false);
        r.key.source.kind = kind;
        r.key.source.name = name.into();
        let d = diagnose(&r);
        assert_eq!(d.causes.len(), 1, "{kind:?}: {d:#?}");
        let c = &d.causes[0];
        assert_eq!(
            c.title,
            "The key is empty: the value holds only quotes and whitespace or a line break"
        );
        assert!(c.fix.starts_with(says), "{kind:?}: {}", c.fix);
        assert!(
            !c.fix.contains("support") && !c.fix.contains("new key"),
            "{}",
            c.fix
        );
        assert!(!c.is_damaged_value(), "no repaired value to offer");
        assert!(c.self_fixable);
    }
}

#[test]
fn a_deadline_cause_names_what_did_not_finish_and_gives_the_runner_s_fix() {
    for (rows, named) in [
        (
            &[
                ("dam-probe", E, &["deadline-reached"][..]),
                ("catalog-probe", E, &["deadline-reached"][..]),
            ][..],
            "the DAM and Catalog probes",
        ),
        (
            &[
                ("catalog-probe", E, &["deadline-reached"][..]),
                ("key-file-in-git", E, &["deadline-reached"][..]),
            ][..],
            "the Catalog probe and key-file-in-git",
        ),
    ] {
        let d = diagnose(&report(rows, false));
        assert_eq!(d.causes.len(), 1, "{d:#?}");
        let c = &d.causes[0];
        assert_eq!(
            c.title,
            format!("The run's deadline (--deadline) passed before {named} finished: no verdict")
        );
        assert_eq!(c.level, CauseLevel::Inconclusive);
        assert_eq!(c.fix, format!("{} fix", rows[0].0));
    }
}

/// A report whose key comes from SALESLAYER_API_KEY while `.env` line 1 holds another key
/// (`stale`), the probes' answers to each given by `rows`.
fn shadowed_by_the_environment(rows: &[Row]) -> Report {
    use crate::model::report::{SourceKind, SourceRef, SourceSeen};
    let mut r = report(rows, false);
    let seen = |kind, name: &str, key: &str, used| SourceSeen {
        source: SourceRef {
            kind,
            name: name.into(),
        },
        length: 44,
        fingerprint: SecretKey::from_string(key.into()).fingerprint(),
        used,
    };
    r.key.sources = vec![
        seen(SourceKind::Env, "SALESLAYER_API_KEY", "k", true),
        seen(SourceKind::Dotenv, ".env:1", "stale", false),
    ];
    r
}

#[test]
fn a_stale_key_in_dotenv_beside_the_environment_is_the_one_cause_first() {
    // The environment's key works; the .env line every loader reads holds another key,
    // which both APIs reject: one cause, first, naming the .env copy as the stale one.
    let r = shadowed_by_the_environment(&[
        ("key-source", W, &["sources-differ"]),
        ("dam-probe", F, &["key-accepted", "delivered-rejected"]),
        ("catalog-probe", F, &["key-accepted", "delivered-rejected"]),
    ]);
    let d = diagnose(&r);
    assert_eq!(d.causes.len(), 1, "{d:#?}");
    let c = &d.causes[0];
    assert_eq!(c.id, CauseId::StaleKey);
    assert_eq!(c.level, CauseLevel::Fail);
    assert_eq!(
        c.title,
        "The .env file .env:1 holds a stale key, not the one in the environment variable SALESLAYER_API_KEY"
    );
    assert_eq!(c.checks, ["key-source", "dam-probe", "catalog-probe"]);
    assert!(
        c.proof
            .as_deref()
            .is_some_and(|p| p
                .starts_with("DAM and Catalog reject the key in the .env file .env:1 (sha256:")),
        "{c:#?}"
    );
    assert!(c.fix.starts_with("Replace the key in the .env file .env:1 with the one in the environment variable SALESLAYER_API_KEY"), "{}", c.fix);
    assert!(!d.needs_support());
    insta::assert_yaml_snapshot!(d);
}

#[test]
fn a_stale_key_in_the_environment_is_named_and_the_key_is_not_called_invalid() {
    // The other way round: the environment overrides a .env line whose key works.
    let r = shadowed_by_the_environment(&[
        ("key-source", W, &["sources-differ"]),
        ("dam-probe", F, &["key-rejected-400", "delivered-accepted"]),
        ("catalog-probe", F, &["key-rejected", "delivered-accepted"]),
    ]);
    let d = diagnose(&r);
    let ids: Vec<&str> = d.causes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["stale-key"], "{d:#?}");
    let c = &d.causes[0];
    assert!(c.title.starts_with("The environment variable SALESLAYER_API_KEY, which sl-doctor uses, holds a stale key, not the one in the .env file .env:1"), "{}", c.title);
    assert!(c.fix.starts_with("Put the key the .env file .env:1 holds (the accepted one) in the environment variable SALESLAYER_API_KEY"), "{}", c.fix);
    assert!(!d.needs_support(), "a valid key was seen: {d:#?}");
}

#[test]
fn sources_that_differ_without_a_verdict_stay_a_warning() {
    // Offline, or both keys answered alike: which copy is stale is not proven.
    for rows in [
        &[("key-source", W, &["sources-differ"][..])][..],
        &[
            ("key-source", W, &["sources-differ"][..]),
            ("dam-probe", P, &["key-accepted", "delivered-accepted"][..]),
            (
                "catalog-probe",
                P,
                &["key-accepted", "delivered-accepted"][..],
            ),
        ][..],
    ] {
        let d = diagnose(&shadowed_by_the_environment(rows));
        let ids: Vec<&str> = d.causes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["key-source"], "{d:#?}");
        assert_eq!(d.causes[0].level, CauseLevel::Warn);
    }
}
