//! The causes of the base URL: the key pasted as the base URL (`key-in-url`'s
//! `key-as-host`), one mistake whatever else the URL checks say about that URL, with one
//! fix; and a base URL that is not the API's.

use super::{cause, check_fix, join, names};
use crate::checklist::base_url::url_path;
use crate::checklist::security::key_in_url::{KEY_AS_HOST, KEY_SHAPED_HOST};
use crate::checklist::{
    CatalogProbe, DamProbe, DnsResolution, KeyInUrl, PlainHttp, ProxyConfig, TlsConnection,
    UrlFormat, UrlHost, UrlPath, UrlScheme,
};
use crate::diagnosis::facts::{Facts, KeyAnswer, Probe};
use crate::diagnosis::{Cause, CauseId, CauseLevel};
use crate::model::check::CheckId;
use crate::model::code::Code;
use crate::model::report::Status;
use crate::saleslayer::BASE_URL;

/// The base URL's host is the key: the URL checks' other findings about it (no scheme,
/// not the API host, no key over http) are this mistake, and the network checks were
/// not run (nothing is sent to the key).
pub(super) fn key_as_base_url(f: &Facts) -> Option<Cause> {
    // Another key (not the one sl-doctor uses) pasted as the base URL is the same mistake.
    let (title, fix) = if f.has(KeyInUrl::ID, KEY_AS_HOST) {
        (
            "The API key is pasted as the base URL",
            "send the key only in the X-API-KEY header; then run sl-doctor again. A client that ran with this URL sent the key to a DNS server in clear text: if one did, ask Sales Layer support to rotate the key.",
        )
    } else if f.has(KeyInUrl::ID, KEY_SHAPED_HOST) {
        (
            "The base URL looks like an API key, not the API's address",
            "put the key, if that value is the one meant for the API, in SALESLAYER_API_KEY; then run sl-doctor again. A client that ran with this URL sent the value to a DNS server in clear text: if it is a key and one did, ask Sales Layer support to rotate it.",
        )
    } else {
        return None;
    };
    Some(
        cause(
            CauseId::KeyAsBaseUrl,
            title,
            CauseLevel::Fail,
            &[KeyInUrl::ID],
        )
        .also(
            f,
            &[
                UrlScheme::ID,
                UrlHost::ID,
                UrlFormat::ID,
                UrlPath::ID,
                PlainHttp::ID,
                DnsResolution::ID,
                ProxyConfig::ID,
                TlsConnection::ID,
                DamProbe::ID,
                CatalogProbe::ID,
            ],
        )
        .fix(format!(
            "Use {BASE_URL} as the base URL (--base-url or SALESLAYER_BASE_URL) and {fix}"
        )),
    )
}

pub(super) fn wrong_base_url(f: &Facts) -> Option<Cause> {
    // The key pasted as the base URL is its own cause, which explains the URL checks.
    if f.has(KeyInUrl::ID, KEY_AS_HOST) || f.has(KeyInUrl::ID, KEY_SHAPED_HOST) {
        return None;
    }
    // In the order their fixes are preferred: each ends with the URL to use.
    let url_checks = [
        (UrlScheme::ID, "not https"),
        (UrlHost::ID, "not the API's host"),
        (UrlPath::ID, "a wrong or legacy path"),
        (UrlFormat::ID, "stray characters"),
    ];
    let failed: Vec<(CheckId, &str)> = url_checks
        .into_iter()
        .filter(|(id, _)| f.status(*id) == Status::Fail)
        .collect();
    let wrong = f.apis(|p| p.given == KeyAnswer::WrongEndpoint);
    // A scheme that is not https is also why the probes did not send the key: the same
    // mistake, the same fix.
    let not_sent = if f.status(UrlScheme::ID) == Status::Fail {
        f.apis(|p| p.given == KeyAnswer::NotSentOverHttp)
    } else {
        Vec::new()
    };
    let first = failed
        .first()
        .map(|(id, _)| *id)
        .or(wrong.first().map(|p| p.check))?;
    let base_has_path = f.has(UrlPath::ID, url_path::BASE_HAS_PATH);
    let (id, title) = match failed.as_slice() {
        [(UrlPath::ID, _)] => (
            CauseId::WrongPath,
            match (
                f.has(UrlPath::ID, url_path::LEGACY_CATALOG_PATH),
                base_has_path,
            ) {
                (true, true) => "The base URL has a legacy path",
                (false, true) => "The base URL has a path",
                _ => "The URL has a wrong or legacy path",
            }
            .to_string(),
        ),
        [] => (
            CauseId::WrongBaseUrl,
            "Something other than the API answers at this base URL".to_string(),
        ),
        some => (
            CauseId::WrongBaseUrl,
            format!(
                "The URL is not the documented one: {}",
                join(&some.iter().map(|(_, what)| *what).collect::<Vec<_>>())
            ),
        ),
    };
    let proof = (!wrong.is_empty()).then(|| wrong_endpoint_proof(f, &wrong));
    let mut checks: Vec<CheckId> = failed.iter().map(|(id, _)| *id).collect();
    checks.extend(wrong.iter().chain(&not_sent).map(|p| p.check));
    Some(
        cause(id, title, CauseLevel::Fail, &checks)
            // http:// in the URL is also why plain-http warns.
            .also(
                f,
                if f.status(UrlScheme::ID) == Status::Fail {
                    &[PlainHttp::ID]
                } else {
                    &[]
                },
            )
            .proof(proof)
            // A path in the base URL has one fix, the bare host: the check's other
            // findings (how the path itself is wrong) would contradict it.
            .fix(
                base_has_path
                    .then(|| finding_fix(f, UrlPath::ID, url_path::BASE_HAS_PATH))
                    .flatten()
                    .unwrap_or_else(|| {
                        check_fix(f, first, "Use https://api2.saleslayer.com as the base URL.")
                    }),
            ),
    )
}

/// "DAM and Catalog answer 404 Not Found at this base URL", or each probe's summary when
/// their answers differ.
fn wrong_endpoint_proof(f: &Facts, wrong: &[&Probe]) -> String {
    let statuses: Vec<&str> = wrong.iter().filter_map(|p| p.status.as_deref()).collect();
    match statuses.as_slice() {
        [first, rest @ ..] if statuses.len() == wrong.len() && rest.iter().all(|s| s == first) => {
            format!(
                "{} {} {first} at this base URL",
                names(wrong),
                if wrong.len() == 1 {
                    "answers"
                } else {
                    "answer"
                }
            )
        }
        _ => wrong
            .iter()
            .filter_map(|p| f.report.check(p.check).map(|c| c.summary.clone()))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The fix of one finding of a check.
fn finding_fix(f: &Facts, id: CheckId, code: Code) -> Option<String> {
    f.report.check(id)?.finding(code)?.fix.clone()
}
