//! The support email. It opens with the ask (what Sales Layer should do, for which key,
//! and the proof that it is theirs to do), says each finding once, gives the fields the
//! docs ask for, the requests to look up in their logs, and names the attachments by
//! file name (the reader has the files, not the sender's directories).

use super::{Fields, Recipient};
use crate::args::ApiAreas;
use sl_doctor_checks::diagnosis::{Cause, CauseId, CauseLevel};
use sl_doctor_checks::model::report::{
    Evidence, KeyDelivery, KeyKind, ProbeAttempt, ProbeEvidence, Report,
};
use std::fmt::Write;

fn or_placeholder(v: &Option<String>, what: &str) -> String {
    v.clone().unwrap_or_else(|| format!("<{what}>"))
}

/// What the email asks Sales Layer to do: the subject's words, the request paragraph, and
/// which cause it is about (its proof is said there, not again).
struct Ask {
    subject: String,
    request: String,
    cause: Option<usize>,
}

/// The APIs a cause's probes are about.
fn areas_of(c: &Cause) -> Option<ApiAreas> {
    let has = |id: &str| c.checks.iter().any(|c| c == id);
    match (has("dam-probe"), has("catalog-probe")) {
        (true, true) => Some(ApiAreas::Both),
        (true, false) => Some(ApiAreas::Dam),
        (false, true) => Some(ApiAreas::Catalog),
        (false, false) => None,
    }
}

/// "DAM", "Catalog", "DAM and Catalog"; "the API" for none.
fn area_words(a: Option<ApiAreas>) -> &'static str {
    match a {
        Some(ApiAreas::Dam) => "DAM",
        Some(ApiAreas::Catalog) => "Catalog",
        Some(ApiAreas::Both) => "DAM and Catalog",
        None => "the API",
    }
}

/// The API areas the email names, once for the request and the field alike: those the
/// sender gave, else those of the cause the email asks about (the APIs that rejected the
/// key or are not enabled), else none (the field keeps its placeholder).
fn areas(report: &Report, f: &Fields) -> Option<ApiAreas> {
    f.apis.or_else(|| {
        report
            .diagnosis
            .causes
            .iter()
            .find(|c| c.level != CauseLevel::Warn && !c.self_fixable)
            .and_then(areas_of)
    })
}

/// "our API key sha256:… (44 characters; the key itself is not in this email)".
fn key_words(report: &Report) -> String {
    let k = &report.key;
    let Some(fp) = &k.fingerprint else {
        return "our API key (sl-doctor found no key where it looked)".into();
    };
    let cleaned = match (&k.cleaned_fingerprint, k.cleaned_length) {
        (Some(c), Some(n)) => format!("; {c}, {n} characters, once cleaned"),
        _ => String::new(),
    };
    format!(
        "our API key {fp} ({} characters{cleaned}; the key itself is not in this email)",
        k.length
    )
}

fn with_proof(text: String, c: &Cause) -> String {
    match &c.proof {
        Some(p) => format!(
            "{text} {}{}",
            upper_first(p),
            if p.ends_with('.') { "" } else { "." }
        ),
        None => text,
    }
}

fn upper_first(s: &str) -> String {
    let mut it = s.chars();
    match it.next() {
        Some(c) => c.to_uppercase().chain(it).collect(),
        None => String::new(),
    }
}

/// The ask for the first cause only Sales Layer can fix; without one (`--anyway`, a
/// healthy key), a check of the key. A new key is asked for the areas the email names
/// (`areas`); what to enable, or where the errors came from, is what the probes proved.
fn ask(report: &Report, areas: Option<ApiAreas>) -> Ask {
    let d = &report.diagnosis;
    let key = key_words(report);
    let found = d
        .causes
        .iter()
        .position(|c| c.level != CauseLevel::Warn && !c.self_fixable);
    let Some(i) = found else {
        return Ask {
            subject: "API key check".into(),
            request: format!(
                "Please check {key}. sl-doctor, the Sales Layer API key doctor, found: {}",
                d.summary
            ),
            cause: None,
        };
    };
    let c = &d.causes[i];
    let apis = area_words(areas_of(c));
    let (subject, request) = match c.id {
        CauseId::ApiNotEnabled => (
            format!("please enable {apis} for our API key"),
            format!("Please enable {apis} for {key}."),
        ),
        CauseId::KeyRejected => (
            "API key rejected, please check or reissue it".to_string(),
            format!(
                "Please check {key}: if it was revoked or replaced, please issue a new key for {}.",
                area_words(areas.or(areas_of(c)))
            ),
        ),
        CauseId::ApiUnavailable => (
            format!("server errors from {apis}"),
            format!(
                "Please look into the server errors {apis} answered our requests with (request ids below); we used {key}."
            ),
        ),
        _ => (
            c.title.clone(),
            format!("Please look into this for {key}: {}.", c.title),
        ),
    };
    Ask {
        subject,
        request: with_proof(request, c),
        cause: Some(i),
    }
}

/// "400 Bad Request, 9 ms, x-request-id: …" for one attempt: only what was measured.
fn attempt_words(a: &ProbeAttempt) -> String {
    let mut parts = Vec::new();
    match &a.response {
        Some(r) => parts.push(r.status_line.to_string()),
        None => parts.push("no answer".into()),
    }
    parts.push(format!("{} ms", a.timings.total_ms));
    for id in a.response.iter().flat_map(|r| &r.request_ids) {
        parts.push(format!("{}: {}", id.name, id.value));
    }
    let label = match a.key.variant {
        KeyKind::AsGiven => "",
        // A value with no damage whose encoding was tried (base64) was decoded, not cleaned.
        KeyKind::Cleaned
            if !a.key.repairs.is_empty() && a.key.repairs.iter().all(|r| r.is_decoding()) =>
        {
            "decoded key: "
        }
        KeyKind::Cleaned => "cleaned key: ",
        KeyKind::None => "without key: ",
        KeyKind::Delivered => "delivered value: ",
    };
    format!("{label}{}", parts.join(", "))
}

/// One line per probe that sent a request: what was asked, and each answer.
fn request_lines(report: &Report) -> Vec<String> {
    report
        .checks()
        .filter_map(|c| match &c.evidence {
            Some(Evidence::Probe(ev)) if ev.request.key != KeyDelivery::NoClient => Some((c, ev)),
            _ => None,
        })
        .map(|(c, ev): (_, &ProbeEvidence)| {
            let answers: Vec<String> = ev.attempts.iter().map(attempt_words).collect();
            format!(
                "- {} ({} {}): {}",
                c.id,
                ev.request.method,
                ev.request.url,
                answers.join("; ")
            )
        })
        .collect()
}

/// The email to support (or, for a host that is not Sales Layer's, to whoever runs it),
/// ready to send.
pub fn email(report: &Report, f: &Fields, to: &Recipient) -> String {
    let account = or_placeholder(&f.account, "customer or account name");
    let environment = or_placeholder(&f.environment, "environment, e.g. production");
    let areas = areas(report, f);
    let apis = areas
        .map(|a| a.label().to_string())
        .unwrap_or_else(|| "<DAM, Catalog, or both>".into());
    let ask = ask(report, areas);
    let mut out = String::new();
    let _ = writeln!(out, "To: {}", to.address());
    let (product, hello) = match to {
        Recipient::SalesLayer => ("Sales Layer REST API: ", "Hello Sales Layer support,"),
        Recipient::Host { .. } => ("", "Hello,"),
    };
    let _ = writeln!(
        out,
        "Subject: {product}{} ({account}, {environment})",
        ask.subject
    );
    let _ = writeln!(out, "\n{hello}\n");
    let _ = writeln!(out, "{}\n", ask.request);
    let others: Vec<&Cause> = report
        .diagnosis
        .causes
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != ask.cause && ask.cause.is_some())
        .map(|(_, c)| c)
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "sl-doctor also found (we are fixing these ourselves):");
        for c in others {
            let _ = writeln!(out, "- {}", with_proof(c.title.clone(), c));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "Customer or account name: {account}");
    let _ = writeln!(out, "Environment: {environment}");
    let _ = writeln!(out, "API areas needed: {apis}");
    let _ = writeln!(
        out,
        "Use case: {}",
        or_placeholder(&f.use_case, "short description of the use case")
    );
    let _ = writeln!(
        out,
        "Technical contact: {}\n",
        or_placeholder(&f.contact, "name and email")
    );
    let requests = request_lines(report);
    if !requests.is_empty() {
        let _ = writeln!(
            out,
            "Requests, for your logs (sent around {}, to {}):",
            crate::render::human::whole_seconds(&report.generated_at),
            report.target.base_url
        );
        for l in requests {
            let _ = writeln!(out, "{l}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "Attached: report.json (the full diagnosis by sl-doctor {}) and bundle.json (the names of the proxy variables that were set). Neither contains the key.\n",
        report.tool.version
    );
    let _ = writeln!(out, "Thank you,");
    let _ = writeln!(out, "{}", or_placeholder(&f.contact, "name"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::model::report::Verdict;

    #[test]
    fn email_has_every_field_and_placeholders() {
        let report = crate::render::tests_support::report(Verdict::Fail);
        let f = Fields {
            account: Some("ACME Corp".into()),
            apis: Some(ApiAreas::Both),
            ..Fields::default()
        };
        let text = email(&report, &f, &Recipient::SalesLayer);
        for needle in [
            "To: support@saleslayer.com",
            "Customer or account name: ACME Corp",
            "Environment: <environment, e.g. production>",
            "API areas needed: both (DAM and Catalog)",
            "Use case: <short description of the use case>",
            "Technical contact: <name and email>",
            "x-request-id: 5f0c2a",
            "Attached: report.json (",
        ] {
            assert!(text.contains(needle), "{needle:?} missing:\n{text}");
        }
        assert!(
            !text.contains(" - ·") && !text.contains(": -"),
            "no empty timings:\n{text}"
        );
    }

    /// A cause only Sales Layer fixes.
    fn cause(id: CauseId, checks: &[&str], proof: &str) -> sl_doctor_checks::diagnosis::Cause {
        crate::render::tests_support::cause(
            id,
            checks,
            proof,
            "x",
            sl_doctor_checks::diagnosis::Fixer::SalesLayer,
        )
    }

    /// A base64 decoding tried on a value with no damage is "decoded", not "cleaned".
    #[test]
    fn a_decoded_attempt_is_not_called_cleaned() {
        use sl_doctor_checks::model::evidence::Repair;
        let ev = crate::render::tests_support::probe_evidence("HTTP/2.0");
        let mut a = ev.attempts[0].clone();
        a.key.variant = KeyKind::Cleaned;
        a.key.repairs = vec![Repair::Base64Decoded];
        assert!(
            attempt_words(&a).starts_with("decoded key: "),
            "{}",
            attempt_words(&a)
        );
        a.key.repairs = vec![Repair::Unquoted];
        assert!(
            attempt_words(&a).starts_with("cleaned key: "),
            "{}",
            attempt_words(&a)
        );
    }

    /// The areas the sender gives are the ones asked for, in the request and the field.
    #[test]
    fn the_areas_given_are_the_ones_asked_for() {
        let mut report = crate::render::tests_support::report(Verdict::Fail);
        report.diagnosis.causes = vec![cause(
            CauseId::KeyRejected,
            &["dam-probe", "catalog-probe"],
            "DAM and Catalog reject the key",
        )];
        let f = Fields {
            apis: Some(ApiAreas::Catalog),
            ..Fields::default()
        };
        let text = email(&report, &f, &Recipient::SalesLayer);
        assert!(
            text.contains("please issue a new key for Catalog."),
            "{text}"
        );
        assert!(text.contains("API areas needed: Catalog\n"), "{text}");
    }

    #[test]
    fn the_ask_follows_the_cause_only_sales_layer_can_fix() {
        let cases = [
            (
                cause(
                    CauseId::ApiNotEnabled,
                    &["catalog-probe"],
                    "DAM accepts this key",
                ),
                "Subject: Sales Layer REST API: please enable Catalog for our API key (",
                "Please enable Catalog for our API key sha256:",
            ),
            (
                cause(
                    CauseId::KeyRejected,
                    &["dam-probe", "catalog-probe"],
                    "DAM and Catalog reject the key",
                ),
                "Subject: Sales Layer REST API: API key rejected, please check or reissue it (",
                "please issue a new key for DAM and Catalog. DAM and Catalog reject the key.",
            ),
        ];
        for (c, subject, request) in cases {
            let mut report = crate::render::tests_support::report(Verdict::Fail);
            report.diagnosis.causes = vec![c];
            let text = email(&report, &Fields::default(), &Recipient::SalesLayer);
            assert!(text.contains(subject), "{subject:?}:\n{text}");
            assert!(text.contains(request), "{request:?}:\n{text}");
            // The field names the areas the request names (trial 32: a placeholder beside
            // "a new key for DAM and Catalog").
            let field = match report.diagnosis.causes[0].id {
                CauseId::ApiNotEnabled => "API areas needed: Catalog\n",
                _ => "API areas needed: both (DAM and Catalog)\n",
            };
            assert!(text.contains(field), "{field:?}:\n{text}");
            // Said once: the proof is in the request, not repeated in a list, and the
            // cause's title is the ask's business, not a second line.
            let proof = report.diagnosis.causes[0].proof.clone().unwrap();
            assert_eq!(text.matches(&upper_first(&proof)).count(), 1, "{text}");
            assert_eq!(text.matches("title").count(), 0, "{text}");
        }
    }
}
