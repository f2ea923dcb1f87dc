//! Two key sources that hold different keys (`key-source`'s `sources-differ`): the one
//! sl-doctor uses and a shadowed one that a deployment also reads (a `.env` line, a
//! deployment file's definition). The probes send the shadowed value as that reader
//! delivers it, so the API says which of the two keys is the stale one.

use super::{cause, names};
use crate::checklist::KeySource;
use crate::checklist::key_loaded::key_source::SOURCES_DIFFER;
use crate::diagnosis::facts::{Facts, KeyAnswer, Probe};
use crate::diagnosis::{Cause, CauseId, CauseLevel};
use crate::model::check::CheckId;
use crate::model::report::{SourceKind, SourceSeen};

/// The source used and a shadowed one hold different keys, and the API accepts one and
/// rejects the other: the rejected copy is stale, and that (not the readers of one file
/// disagreeing, nor an invalid key) is what the user must see first.
pub(super) fn stale_key(f: &Facts) -> Option<Cause> {
    // An empty value is key-empty's, whatever the other source holds.
    if !f.has(KeySource::ID, SOURCES_DIFFER) || f.key_empty() {
        return None;
    }
    let sources = &f.report.key.sources;
    let used = sources.iter().find(|s| s.used)?;
    sources
        .iter()
        .filter(|s| !s.used && s.fingerprint != used.fingerprint)
        // Deployment files among themselves are readers-agree's to compare.
        .filter(|s| {
            !(s.source.kind == SourceKind::Deployment && used.source.kind == SourceKind::Deployment)
        })
        .find_map(|shadow| proven(f, used, shadow))
}

/// The cause when the probes tell the two keys apart, one way or the other.
fn proven(f: &Facts, used: &SourceSeen, shadow: &SourceSeen) -> Option<Cause> {
    // Each probe's answer to the shadowed key, as the reader that delivers it sent it.
    let answers: Vec<(&Probe, KeyAnswer)> = f
        .probes
        .iter()
        .filter_map(|p| {
            let d = p
                .delivered
                .iter()
                .find(|d| d.fingerprint.as_ref() == Some(&shadow.fingerprint))?;
            Some((p, d.answer))
        })
        .collect();
    let used_valid =
        |p: &Probe| p.given.authenticated() || p.repaired.is_some_and(|a| a.authenticated());
    let pick = |keep: &dyn Fn(&Probe, KeyAnswer) -> bool| -> Vec<&Probe> {
        answers
            .iter()
            .filter(|(p, a)| keep(p, *a))
            .map(|(p, _)| *p)
            .collect()
    };
    let shadow_stale = pick(&|p, a| used_valid(p) && a == KeyAnswer::Rejected);
    let used_stale =
        pick(&|p, a| p.given == KeyAnswer::Rejected && !used_valid(p) && a.authenticated());
    let (stale, good, probes, used_is_stale) =
        match (shadow_stale.is_empty(), used_stale.is_empty()) {
            (false, _) => (shadow, used, shadow_stale, false),
            (true, false) => (used, shadow, used_stale, true),
            (true, true) => return None,
        };
    let (stale_at, good_at) = (place(stale), place(good));
    let title = if used_is_stale {
        format!(
            "{}, which sl-doctor uses, holds a stale key, not the one in {good_at}",
            capitalised(&stale_at)
        )
    } else {
        format!(
            "{} holds a stale key, not the one in {good_at}",
            capitalised(&stale_at)
        )
    };
    let apis = names(&probes);
    let (rejects, accepts) = if probes.len() == 1 {
        ("rejects", "accepts")
    } else {
        ("reject", "accept")
    };
    let proof = format!(
        "{apis} {rejects} the key in {stale_at} ({}) and {accepts} the one in {good_at} ({})",
        stale.fingerprint, good.fingerprint
    );
    let fix = if used_is_stale {
        format!(
            "Put the key {good_at} holds (the accepted one) in {stale_at}, or stop setting it there: {stale_at} takes precedence, so every run that reads it sends the stale key. Then run sl-doctor again."
        )
    } else {
        format!(
            "Replace the key in {stale_at} with the one in {good_at} (the accepted one), or remove it from {stale_at} if your deployment does not read it: a deployment that reads {stale_at} sends the stale key. Then run sl-doctor again."
        )
    };
    let mut checks: Vec<CheckId> = vec![KeySource::ID];
    checks.extend(probes.iter().map(|p| p.check));
    Some(
        cause(CauseId::StaleKey, title, CauseLevel::Fail, &[])
            .also(f, &checks)
            .proof(Some(proof))
            .fix(fix),
    )
}

/// A source in a sentence: "the .env file .env:1", "--key on the command line".
fn place(s: &SourceSeen) -> String {
    match s.source.kind {
        SourceKind::Flag => s.source.describe(),
        _ => format!("the {}", s.source.describe()),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(c).collect()
    })
}
