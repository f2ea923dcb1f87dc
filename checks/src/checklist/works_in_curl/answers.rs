//! What each answer of a probe says, in words: the probe's one-line summary and its
//! finding, one arm per [`Answer`]. The meaning of an answer is the engine's
//! (`net::probe::classify`, decided where the response is read); this module only words
//! it, with the status line and problem details the evidence holds.

use super::codes::*;
use crate::context::Api;
use crate::model::code::Code;
use crate::model::evidence::{
    Answer, BodyKind, Differential, NetFailureKind, ProbeAttempt, ProbeResponse, ProblemDetails,
    Redirect,
};
use crate::model::report::Finding;
use crate::net::probe::{ApiProbe, server_text};
use crate::saleslayer::{BASE_URL, HOST, NOT_ENABLED_DETAIL, RATE_LIMIT, SUPPORT_ADDRESS};

/// One answer in words: the probe's summary and the finding.
pub(super) struct Explained {
    /// A one-line summary of the probe.
    pub summary: String,
    /// The finding.
    pub finding: Finding,
}

/// The finding code of an answer (for no answer, `failure_code` of the failure's kind
/// is the precise one).
pub(super) fn code(answer: Answer) -> Code {
    match answer {
        Answer::Accepted => KEY_ACCEPTED,
        Answer::AcceptedUnexpectedBody => UNEXPECTED_BODY,
        Answer::NotEnabled => CATALOG_NOT_ENABLED,
        Answer::Rejected => KEY_REJECTED,
        Answer::QueryRejected => QUERY_REJECTED,
        Answer::BadRequest => BAD_REQUEST,
        Answer::Forbidden => FORBIDDEN,
        Answer::NotFound => NOT_FOUND,
        Answer::Redirect => REDIRECT_NOT_FOLLOWED,
        Answer::NotTheApi => NOT_THE_API,
        Answer::RateLimited => RATE_LIMITED,
        Answer::Unavailable => SERVER_ERROR,
        Answer::UnexpectedStatus => UNEXPECTED_STATUS,
        Answer::NoAnswer => NETWORK_ERROR,
    }
}

/// The explanation of one attempt: its answer, or the transport failure.
pub(super) fn explain(spec: &ApiProbe, path: &str, a: &ProbeAttempt) -> Explained {
    match (&a.response, &a.error) {
        (Some(r), _) if a.answer == Answer::Rejected && a.key.length == Some(0) => {
            empty_key_rejected(spec, r, false)
        }
        (Some(r), _) => answer(spec, path, a.answer, r),
        (None, Some(e)) => {
            let finding = Finding::new(failure_code(e.kind), e.message.clone());
            let finding = if e.kind == NetFailureKind::Builder {
                finding
            } else {
                finding.with_fix(
                    "Check the network path to the API (DNS, firewall, proxy, TLS); the dns-resolution, proxy-config and tls-connection checks say more. Then run sl-doctor again.",
                )
            };
            Explained {
                summary: format!("{} probe got no answer: {}", spec.name, e.message),
                finding,
            }
        }
        (None, None) => unreachable!("an attempt has a response or an error"),
    }
}

/// The explanation of the key as given: like [`explain`], except that a value which holds
/// no key once cleaned (`""`: `differential` is `no-key-left`) is rejected as the empty
/// key is.
pub(super) fn explain_given(
    spec: &ApiProbe,
    path: &str,
    a: &ProbeAttempt,
    differential: Differential,
) -> Explained {
    match &a.response {
        Some(r) if a.answer == Answer::Rejected && differential == Differential::NoKeyLeft => {
            empty_key_rejected(spec, r, true)
        }
        _ => explain(spec, path, a),
    }
}

/// An empty key rejected (or a value that holds no key, `no_key`): the answer an empty
/// X-API-KEY header gets, which says nothing about the key Sales Layer gave (the value
/// checks say where the empty value comes from).
fn empty_key_rejected(spec: &ApiProbe, r: &ProbeResponse, no_key: bool) -> Explained {
    let (api, line) = (spec.name, r.status_line.as_str());
    let (key, value) = if no_key {
        (
            "a value that holds no key",
            "the value it was given, which holds no key (nothing is left once its quotes, whitespace or label are removed),",
        )
    } else {
        ("the empty key", "the empty value it was given,")
    };
    Explained {
        summary: format!("{api} rejected {key} ({line})"),
        finding: Finding::new(
            KEY_REJECTED,
            format!(
                "{api} answered {line}{}: sl-doctor sent the X-API-KEY header with {value} so this says nothing about the key itself",
                short(r.problem.as_ref())
            ),
        )
        .with_fix(format!("Give sl-doctor the key itself: the value it read {} (extra-whitespace and key-source say where it came from).", if no_key { "holds no key" } else { "is empty" })),
    }
}

/// `: "title — detail"` of a problem-details body, or nothing.
fn short(p: Option<&ProblemDetails>) -> String {
    let Some(p) = p else {
        return String::new();
    };
    let parts: Vec<&str> = [&p.title, &p.detail]
        .into_iter()
        .flatten()
        .map(|s| s.as_str())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": \"{}\"", parts.join(" — "))
    }
}

/// The text of one answer: the probe's summary, the finding's message and its fix.
type AnswerText = (String, String, Option<String>);

/// An answer in words: the summary and the finding.
fn answer(spec: &ApiProbe, path: &str, answer: Answer, r: &ProbeResponse) -> Explained {
    let (summary, message, fix) = match answer {
        Answer::Redirect => {
            return redirect(spec.name, r.status_line.as_str(), r.redirect.as_ref());
        }
        Answer::Accepted
        | Answer::AcceptedUnexpectedBody
        | Answer::Rejected
        | Answer::NotEnabled => about_the_key(spec, answer, r),
        Answer::RateLimited | Answer::Unavailable => no_verdict(spec, r),
        _ => about_the_request(spec, path, answer, r),
    };
    let finding = Finding::new(code(answer), message);
    Explained {
        summary,
        finding: match fix {
            Some(fix) => finding.with_fix(fix),
            None => finding,
        },
    }
}

/// The answers that say something about the key: accepted, rejected, not enabled.
fn about_the_key(spec: &ApiProbe, answer: Answer, r: &ProbeResponse) -> AnswerText {
    let (api, line) = (spec.name, r.status_line.as_str());
    let pshort = short(r.problem.as_ref());
    match answer {
        Answer::Accepted => (
            format!("{api} accepted the key ({line})"),
            format!("The key is valid for {api}: {line}"),
            None,
        ),
        Answer::AcceptedUnexpectedBody => (
            format!("{api} answered {line}, but not with JSON"),
            format!(
                "{api} answered {line}, but the body is not JSON (content-type: {}); the key seems accepted, but something may sit between you and the API",
                server_text(
                    &r.content_type.clone().unwrap_or_default().to_lowercase(),
                    80
                )
            ),
            Some(format!(
                "Check the base URL and any proxy between you and {HOST}."
            )),
        ),
        Answer::Rejected if r.status == 400 => (
            format!("{api} rejected the key ({line})"),
            format!(
                "{api} answered {line} with a problem-details body ({}): likely an invalid key (the DAM reference documents 400 for an invalid API key)",
                pshort.trim_start_matches(": ")
            ),
            Some(format!(
                "Make sure the key is exactly the one Sales Layer gave you and that DAM is enabled for it; if it is, ask Sales Layer support ({SUPPORT_ADDRESS}) for a new key."
            )),
        ),
        Answer::Rejected => {
            let why = if spec.api == Api::Dam {
                " (the DAM reference documents 401 for a *missing* key and 400 for an invalid one; sl-doctor did send X-API-KEY, so either the key is invalid or something on the way removed the header)"
            } else {
                ""
            };
            (
                format!("{api} rejected the key ({line})"),
                format!("{api} answered {line}: missing or invalid key{pshort}{why}"),
                Some(format!(
                    "Make sure the key is exactly the one Sales Layer gave you, that it is enabled for {api}, and that it was not revoked or replaced; if it is, ask Sales Layer support ({SUPPORT_ADDRESS}) for a new key."
                )),
            )
        }
        Answer::NotEnabled => (
            format!("The key works, but the Catalog API is not enabled for this account ({line})"),
            format!(
                "Catalog answered {line}: the key works but the Catalog API is not enabled for this account ({}){pshort}",
                NOT_ENABLED_DETAIL.trim_end_matches('.')
            ),
            Some(format!(
                "Ask Sales Layer support ({SUPPORT_ADDRESS}) to enable Catalog for your account/key."
            )),
        ),
        _ => unreachable!("only answers about the key are worded here"),
    }
}

/// The answers about the request, not the key: a wrong path, a query problem, not the
/// API, a status the docs do not describe.
fn about_the_request(spec: &ApiProbe, path: &str, answer: Answer, r: &ProbeResponse) -> AnswerText {
    let (api, line) = (spec.name, r.status_line.as_str());
    let pshort = short(r.problem.as_ref());
    match answer {
        Answer::NotTheApi => (
            format!("{api} probe got HTML, not the API ({line})"),
            format!(
                "The answer ({line}) is HTML, not the API: a proxy, captive portal or wrong host answered"
            ),
            Some(format!(
                "Check the base URL ({BASE_URL}), your proxy settings (HTTPS_PROXY, NO_PROXY) and whether the network needs a login page first."
            )),
        ),
        Answer::QueryRejected => (
            format!("{api} rejected the probe's query ({line})"),
            format!("{api} answered {line} about the query ($top=1), not about the key{pshort}"),
            Some(format!(
                "The request reached the DAM API; check the base URL path (/dam/image) and run `sl-doctor` again. If it persists, send this report to {SUPPORT_ADDRESS}."
            )),
        ),
        Answer::BadRequest if spec.api == Api::Dam => (
            format!("{api} answered {line}"),
            format!(
                "{api} answered {line} without a problem-details body; the DAM reference documents 400 for an invalid key, but this answer may not come from the API"
            ),
            Some(format!(
                "Check the base URL and any proxy; if it persists, send this report to {SUPPORT_ADDRESS}."
            )),
        ),
        Answer::BadRequest => (
            format!("{api} answered {line}"),
            format!("{api} answered {line}: the request was refused as malformed{pshort}"),
            Some(format!(
                "Check the base URL path (/catalog/rest/Catalog/); if it persists, send this report to {SUPPORT_ADDRESS}."
            )),
        ),
        Answer::Forbidden => (
            format!("{api} answered {line}"),
            format!(
                "{api} answered {line}; the Sales Layer docs say DAM never returns 403, so a proxy, firewall or gateway may have answered{pshort}"
            ),
            Some(format!(
                "Check the base URL and proxy settings; if the answer really comes from {HOST}, send this report to {SUPPORT_ADDRESS}."
            )),
        ),
        Answer::NotFound => (
            format!("{api} probe path not found ({line})"),
            format!(
                "{api} answered {line} for {path}: wrong base path, or tenant/model not found{pshort}"
            ),
            Some(format!(
                "Give the base URL as the bare host with no path ({BASE_URL} for the Sales Layer API): sl-doctor adds /dam/... and /catalog/rest/Catalog/... itself (old docs use /rest/Catalog/ without /catalog). If the path is right, the account (tenant) or model does not exist: ask {SUPPORT_ADDRESS}."
            )),
        ),
        _ => (
            format!("{api} answered {line}"),
            format!(
                "{api} answered {line}, which the Sales Layer docs do not describe for this request{pshort}"
            ),
            Some(format!(
                "Check the base URL and proxy settings; if it persists, send this report to {SUPPORT_ADDRESS}."
            )),
        ),
    }
}

/// Rate limited or unavailable: no verdict on the key.
fn no_verdict(spec: &ApiProbe, r: &ProbeResponse) -> AnswerText {
    let (api, line) = (spec.name, r.status_line.as_str());
    let from_proxy = if r.body_kind == BodyKind::Html {
        "; the answer is HTML, so it may come from a proxy"
    } else {
        ""
    };
    match r.status {
        429 | 503 => {
            let limit = RATE_LIMIT.describe();
            let what = if r.status == 429 {
                format!("rate limited (Sales Layer documents {limit}, but not 429 or Retry-After)")
            } else {
                "temporarily unavailable".into()
            };
            (
                format!("{api} is {what} ({line}): no verdict"),
                format!("{api} answered {line}: {what}{from_proxy}"),
                Some(format!(
                    "Run sl-doctor again in a minute; if other jobs use the same key, pause them (the documented limit is {limit})."
                )),
            )
        }
        _ => (
            format!("{api} answered with a server error ({line}): no verdict"),
            format!("{api} answered {line}: a server error says nothing about the key{from_proxy}"),
            Some(format!(
                "Run sl-doctor again later; if it persists, send this report (with any request id shown) to {SUPPORT_ADDRESS}."
            )),
        ),
    }
}

/// A redirect in words: where it points, and what following it would have done.
fn redirect(api: &str, line: &str, d: Option<&Redirect>) -> Explained {
    let msg = match d.map(|d| (d, d.location_chars, &d.target)) {
        None | Some((_, None, _)) => format!(
            "{api} answered {line} without a Location header; sl-doctor never follows redirects"
        ),
        Some((_, Some(n), None)) => format!(
            "{api} answered {line} with an unparseable Location ({n} characters); sl-doctor never follows redirects"
        ),
        Some((d, Some(_), Some(t))) => {
            let host = d.target_host.as_deref().unwrap_or("?");
            let consequence = match (d.other_host, d.to_plain_http) {
                (true, true) => format!(
                    "following it would have sent your key to another host ({host}) and over plain http, in clear"
                ),
                (true, false) => format!(
                    "following it would have sent your key to another host or port ({host})"
                ),
                (false, true) => {
                    "following it would have sent your key over plain http, in clear".to_string()
                }
                (false, false) => {
                    "it points to the same host; following it would keep the key on that host"
                        .to_string()
                }
            };
            format!(
                "{api} answered {line} with Location: {t}; sl-doctor never follows redirects: {consequence}"
            )
        }
    };
    Explained {
        summary: format!("{api} answered with a redirect ({line}); not followed"),
        finding: Finding::new(REDIRECT_NOT_FOLLOWED, msg).with_fix(
            "Use the URL the API is really served from as the base URL (the documented one is https://api2.saleslayer.com), and make sure your HTTP client does not follow redirects with X-API-KEY: most clients (reqwest, many others) keep custom headers on redirects to other hosts and to http.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_has_a_code_of_both_probes_or_of_its_api() {
        use crate::checklist::Check;
        use crate::checklist::{CatalogProbe, DamProbe};
        let answers = [
            Answer::Accepted,
            Answer::AcceptedUnexpectedBody,
            Answer::NotEnabled,
            Answer::Rejected,
            Answer::QueryRejected,
            Answer::BadRequest,
            Answer::Forbidden,
            Answer::NotFound,
            Answer::Redirect,
            Answer::NotTheApi,
            Answer::RateLimited,
            Answer::Unavailable,
            Answer::UnexpectedStatus,
        ];
        for a in answers {
            let c = code(a);
            let owners = [DamProbe.meta(), CatalogProbe.meta()]
                .iter()
                .filter(|m| m.codes.contains(&c))
                .count();
            assert!(owners >= 1, "{a:?}: {} is no probe's code", c.name);
        }
    }
}
