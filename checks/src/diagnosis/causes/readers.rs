//! The causes of a deployment: its readers disagree about the key, and, with `--api`,
//! what the other API's one answer proves.

use super::{cause, check_fix};
use crate::checklist::no_quotes::quoted_value::DOTENV_QUOTES;
use crate::checklist::works_in_curl::codes::DELIVERED_NOT_SENDABLE;
use crate::checklist::{DotenvFileCheck, QuotedValue, ReadersAgree};
use crate::diagnosis::facts::{Facts, KeyAnswer};
use crate::diagnosis::{Cause, CauseId, CauseLevel};
use crate::model::check::CheckId;
use crate::model::prose::join_names as join;
use crate::model::report::Status;
use crate::saleslayer::support;

/// The readers of the key deliver different values (`readers-agree`): the cause is the
/// disagreement itself, proven by the probes that sent each value.
pub(super) fn readers_disagree(f: &Facts) -> Option<Cause> {
    let check = f.report.check(ReadersAgree::ID)?;
    if !matches!(check.status, Status::Fail | Status::Warn) {
        return None;
    }
    // (APIs, what they say), the APIs that say the same thing merged.
    let mut proofs: Vec<(Vec<&str>, String)> = Vec::new();
    let mut rejected_somewhere = false;
    let mut probes: Vec<CheckId> = Vec::new();
    for p in &f.probes {
        if f.has(p.check, DELIVERED_NOT_SENDABLE) {
            probes.push(p.check);
        }
        let rejected: Vec<&str> = p
            .delivered
            .iter()
            .filter(|d| d.answer == KeyAnswer::Rejected)
            .map(|d| d.who.as_str())
            .collect();
        if rejected.is_empty() {
            continue;
        }
        rejected_somewhere = true;
        probes.push(p.check);
        let verb = if rejected.len() == 1 && !rejected[0].contains(" and ") {
            "delivers"
        } else {
            "deliver"
        };
        let accepted = if p.given == KeyAnswer::Accepted {
            ", and accepted the value sl-doctor uses"
        } else {
            ""
        };
        let said = format!("what {} {verb}{accepted}", join(&rejected));
        match proofs.iter_mut().find(|(_, s)| *s == said) {
            Some((apis, _)) => apis.push(p.api),
            None => proofs.push((vec![p.api], said)),
        }
    }
    let proofs: Vec<String> = proofs
        .into_iter()
        .map(|(apis, said)| format!("{} rejected {said}", join(&apis)))
        .collect();
    let mut proofs = proofs;
    if proofs.is_empty() && !probes.is_empty() {
        proofs.push(
            "no HTTP client can send the value another reader delivers (it holds a line break or control character)".into(),
        );
    }
    // When the value sl-doctor uses is itself damaged, the value's own cause (with its
    // proof and the file and line) comes first, whichever reader is used; the
    // disagreement then only warns, even where another reader's value is rejected.
    let level = if f.defects.is_empty() && (check.status == Status::Fail || rejected_somewhere) {
        CauseLevel::Fail
    } else {
        CauseLevel::Warn
    };
    // The `.env` line's quotes alone (quoted-value warns, the value has none) are what
    // the readers disagree about: said once, here. Quotes in the value itself are their
    // own cause.
    let line_quotes =
        if f.status(QuotedValue::ID) == Status::Warn && f.has(QuotedValue::ID, DOTENV_QUOTES) {
            vec![QuotedValue::ID]
        } else {
            Vec::new()
        };
    Some(
        cause(
            CauseId::ReadersDisagree,
            format!("The readers of the key disagree: {}", check.summary),
            level,
            &[ReadersAgree::ID],
        )
        .also(f, &[DotenvFileCheck::ID])
        .also(f, &line_quotes)
        .also(f, &probes)
        .proof((!proofs.is_empty()).then(|| proofs.join("; ")))
        .fix(check_fix(
            f,
            ReadersAgree::ID,
            "Write the key's definition so every reader delivers the same bytes.",
        )),
    )
}

/// With `--api`, the one API diagnosed rejects the key and the other, asked once,
/// accepts it: the key is valid, and not enabled for the API diagnosed.
pub(super) fn not_enabled_by_other_api(f: &Facts) -> Option<Cause> {
    let p = f
        .probes
        .iter()
        .find(|p| p.other.is_some_and(|(_, a)| a.authenticated()))?;
    let (other, _) = p.other?;
    Some(
        cause(
            CauseId::ApiNotEnabled,
            format!("The key is not enabled for {}", p.api),
            CauseLevel::Fail,
            &[p.check],
        )
        .proof(Some(format!(
            "{other} accepts this key (asked once: only {} was diagnosed), so the key is valid; {} rejects it",
            p.api, p.api
        )))
        .fix(format!("Ask {} to enable {} for this key (give them the key's fingerprint, never the key).", support(), p.api))
        .support(),
    )
}
