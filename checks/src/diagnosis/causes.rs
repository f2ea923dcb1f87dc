//! The rules: each looks at the facts and may name one cause. They run in order of
//! likelihood; a check explained by an earlier cause is not explained again.

use super::facts::{Facts, KeyAnswer, Probe};
use super::{Cause, CauseId, CauseLevel, Fixer};
use crate::checklist::key_loaded::key_source;
use crate::checklist::{
    CatalogProbe, DamProbe, DotenvFileCheck, ExtraWhitespace, HeaderValue, HiddenCharacters,
    KeySource, LookalikeCharacters, PastedLabel, PlaceholderValue, QuotedValue,
};
use crate::model::check::CheckId;
use crate::model::evidence::Repair;
use crate::model::prose::join_names as join;
use crate::model::report::{SourceKind, Status};
use crate::saleslayer::{RATE_LIMIT, support};

mod network;
mod readers;
mod sources;
mod urls;

use network::{deadline_reached, key_not_sent_over_http, no_answer, proxy_refused};
use readers::{not_enabled_by_other_api, readers_disagree};
use sources::stale_key;
use urls::{key_as_base_url, wrong_base_url};

/// Every cause the facts show, most likely first.
pub fn find(f: &Facts) -> Vec<Cause> {
    let rules: [fn(&Facts) -> Option<Cause>; 16] = [
        key_not_loaded,
        placeholder,
        key_as_base_url,
        stale_key,
        readers_disagree,
        lookalike_unresolved,
        damaged_value,
        wrong_base_url,
        api_not_enabled,
        key_rejected,
        rate_limited,
        api_unavailable,
        proxy_refused,
        no_answer,
        key_not_sent_over_http,
        deadline_reached,
    ];
    let mut causes: Vec<Cause> = rules.iter().filter_map(|r| r(f)).collect();
    // Whatever failed or warned and no rule explains is still a cause of its own, so
    // nothing the checks found is lost from the diagnosis.
    for c in f.report.checks() {
        let explained = causes.iter().any(|k| k.checks.contains(&c.id));
        if !explained && matches!(c.status, Status::Fail | Status::Warn | Status::Error) {
            causes.push(of_check(c));
        }
    }
    causes.sort_by_key(|c| std::cmp::Reverse(c.level));
    causes
}

fn cause(id: CauseId, title: impl Into<String>, level: CauseLevel, checks: &[CheckId]) -> Cause {
    Cause {
        id,
        title: title.into(),
        level,
        checks: checks.iter().map(|c| c.to_string()).collect(),
        proof: None,
        fix: String::new(),
        self_fixable: true,
        fixed_by: Fixer::You,
    }
}

impl Cause {
    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }
    fn proof(mut self, proof: Option<String>) -> Self {
        self.proof = proof;
        self
    }
    fn support(mut self) -> Self {
        self.self_fixable = false;
        self.fixed_by = Fixer::SalesLayer;
        self
    }
    fn by(mut self, fixer: Fixer) -> Self {
        self.fixed_by = fixer;
        self
    }
    fn also(mut self, f: &Facts, ids: &[CheckId]) -> Self {
        for &id in ids {
            if !matches!(f.status(id), Status::Pass | Status::Skip)
                && !self.checks.iter().any(|c| *c == id)
            {
                self.checks.push(id.to_string());
            }
        }
        self
    }
}

/// The fix a check gave, or a default.
fn check_fix(f: &Facts, id: CheckId, default: &str) -> String {
    f.report
        .check(id)
        .and_then(|c| c.fix.clone())
        .unwrap_or_else(|| default.to_string())
}

fn key_not_loaded(f: &Facts) -> Option<Cause> {
    let empty = f.key_empty();
    let in_deployment = f.has(KeySource::ID, key_source::DEPLOYMENT_NO_KEY);
    let missing = f.has(KeySource::ID, key_source::NO_KEY) || in_deployment;
    if !missing && !empty {
        return None;
    }
    let (id, title) = match (missing, f.only.as_slice()) {
        (true, _) if in_deployment => (
            CauseId::KeyNotLoaded,
            "No key sl-doctor can read: the deployment file sets it from a value that is unset here or filled in at run time".to_string(),
        ),
        (true, _) => (
            CauseId::KeyNotLoaded,
            "No key was found: the X-API-KEY header would be missing".to_string(),
        ),
        (false, []) => (
            CauseId::KeyEmpty,
            "The key is empty: the X-API-KEY header would be empty".to_string(),
        ),
        (false, only) => (
            CauseId::KeyEmpty,
            format!("The key is empty: the value holds only {}", join(only)),
        ),
    };
    let fix = if missing {
        check_fix(
            f,
            KeySource::ID,
            "Set SALESLAYER_API_KEY to the key Sales Layer gave you (or pass --key-file), then run sl-doctor again.",
        )
    } else {
        empty_key_fix(f)
    };
    Some(
        cause(id, title, CauseLevel::Fail, &[KeySource::ID])
            .fix(fix)
            // The value checks that say what the value is made of ("" is quotes) explain
            // nothing else: there is no key in it to repair.
            .also(
                f,
                &[
                    HeaderValue::ID,
                    QuotedValue::ID,
                    PastedLabel::ID,
                    ExtraWhitespace::ID,
                    HiddenCharacters::ID,
                    DotenvFileCheck::ID,
                    DamProbe::ID,
                    CatalogProbe::ID,
                ],
            ),
    )
}

/// Where the empty value came from, and what to put there: the fix of `key-empty`.
fn empty_key_fix(f: &Facts) -> String {
    let s = &f.report.key.source;
    // "is empty", or what the value holds instead of a key.
    let holds = match f.only.as_slice() {
        [] => None,
        only => Some(format!("holds only {}, no key", join(only))),
    };
    let what = match (s.kind, &holds) {
        (SourceKind::Env, None) => format!(
            "{} is set but empty: set it to the key Sales Layer gave you (an empty CI/CD variable, `{}=` in a .env file or a later `export {}=` leaves it empty)",
            s.name, s.name, s.name
        ),
        (SourceKind::Env, Some(h)) => {
            format!("{} {h}: set it to the key Sales Layer gave you", s.name)
        }
        (SourceKind::Flag, _) => format!(
            "--key was given {}: pass the key Sales Layer gave you, preferably in SALESLAYER_API_KEY, with --key-file or with --key-stdin rather than on the command line",
            holds.as_deref().map_or(
                "an empty value (`--key \"$VAR\"` with VAR unset or empty gives one)".to_string(),
                |h| format!("a value that {h}")
            ),
        ),
        (SourceKind::File, None) => format!(
            "The key file {} is empty: write the key Sales Layer gave you into it",
            s.name
        ),
        (SourceKind::File, Some(h)) => format!(
            "The key file {} {h}: write the key Sales Layer gave you into it",
            s.name
        ),
        (SourceKind::Stdin, None) => {
            "Nothing came on standard input (--key-stdin): pipe the key Sales Layer gave you"
                .to_string()
        }
        (SourceKind::Stdin, Some(h)) => format!(
            "What came on standard input (--key-stdin) {h}: pipe the key Sales Layer gave you"
        ),
        (SourceKind::Dotenv | SourceKind::Deployment, _) => format!(
            "The value in {} {}: put the key Sales Layer gave you there (or the reference to the secret that holds it)",
            f.key_place(),
            holds.as_deref().unwrap_or("is empty")
        ),
        (SourceKind::None, _) => "Give sl-doctor the key Sales Layer gave you".to_string(),
    };
    format!("{what}, then run sl-doctor again.")
}

fn placeholder(f: &Facts) -> Option<Cause> {
    (f.status(PlaceholderValue::ID) == Status::Fail).then(|| {
        cause(
            CauseId::PlaceholderKey,
            "The key is a placeholder or an unexpanded reference, not a real key",
            CauseLevel::Fail,
            &[PlaceholderValue::ID],
        )
        .fix(check_fix(
            f,
            PlaceholderValue::ID,
            "Put the real key where the placeholder is.",
        ))
        .also(f, &[DamProbe::ID, CatalogProbe::ID, KeySource::ID])
    })
}

/// The probes that rejected the key with its look-alike characters replaced, when no
/// repair was accepted: empty unless the key has look-alike characters.
fn lookalike_guess_rejected<'f>(f: &'f Facts) -> Vec<&'f Probe> {
    let lookalikes = f.defects.iter().any(|d| d.check == LookalikeCharacters::ID);
    let repaired_ok = f.apis(|p| p.repaired.is_some_and(KeyAnswer::authenticated));
    if !lookalikes || !repaired_ok.is_empty() {
        return Vec::new();
    }
    f.apis(|p| p.repaired == Some(KeyAnswer::Rejected))
}

/// Look-alike characters replaced by the ASCII letters they resemble, and the key still
/// rejected: a look-alike may stand for another letter (a Cyrillic `Ѕ` typed for `s`, a
/// Greek `Ο` for `0`), so this does not prove the key wrong; the key's original source
/// does. Not a ticket for support, and not something `sl-doctor fix` can prove.
fn lookalike_unresolved(f: &Facts) -> Option<Cause> {
    let rejected = lookalike_guess_rejected(f);
    if rejected.is_empty() {
        return None;
    }
    let all = names(&rejected);
    let verb = if rejected.len() == 1 {
        "rejects"
    } else {
        "reject"
    };
    let mut checks: Vec<CheckId> = f.defects.iter().map(|d| d.check).collect();
    checks.push(HeaderValue::ID);
    checks.extend(rejected.iter().map(|p| p.check));
    Some(
        cause(
            CauseId::LookalikeUnresolved,
            "The key contains look-alike characters that may stand for other letters",
            CauseLevel::Fail,
            &[],
        )
        .also(f, &checks)
        .proof(Some(format!(
            "{all} {verb} the key with each look-alike replaced by the ASCII character it resembles"
        )))
        .fix(format!(
            "Copy the key again from where Sales Layer gave it to you (copy and paste, do not retype it), store it in {}, then run sl-doctor again; only if the copy is rejected too is the key itself wrong.",
            f.key_place()
        )),
    )
}

/// Quotes, whitespace, invisible or look-alike characters, a pasted label: proven when
/// the repaired key was accepted, refuted (but still a defect) when it was rejected too.
fn damaged_value(f: &Facts) -> Option<Cause> {
    if !lookalike_guess_rejected(f).is_empty() {
        return None;
    }
    let repaired_ok = f.apis(|p| p.repaired.is_some_and(KeyAnswer::authenticated));
    let accepted = repaired_ok.iter().find_map(|p| p.accepted_repair.as_ref());
    let decoded: Vec<Repair> = accepted
        .map(|k| {
            k.repairs
                .iter()
                .copied()
                .filter(|r| r.is_decoding())
                .collect()
        })
        .unwrap_or_default();
    if f.defects.is_empty() && decoded.is_empty() {
        return None;
    }
    let named: Vec<&str> = f.defects.iter().map(|d| d.phrase).collect();
    let every_defect = join(
        &named
            .iter()
            .copied()
            .chain(decoded.iter().map(|r| r.defect()))
            .collect::<Vec<_>>(),
    );
    let (id, title) = match (f.defects.as_slice(), decoded.as_slice()) {
        ([], [Repair::JsonUnescaped]) => (
            CauseId::JsonEscapedKey,
            "The key is stored JSON-escaped (`\\/` for `/`)".to_string(),
        ),
        ([], [Repair::PercentDecoded]) => (
            CauseId::PercentEncodedKey,
            "The key is stored percent-encoded (`%2B` for `+`)".to_string(),
        ),
        ([], [Repair::Base64Decoded]) => (
            CauseId::Base64EncodedKey,
            "The key is stored base64-encoded, as a Kubernetes Secret's `data:` holds it"
                .to_string(),
        ),
        ([one], []) => (one.cause.clone(), one.title.to_string()),
        _ => (
            CauseId::DamagedValue,
            format!("The key carries extra characters: {}", every_defect),
        ),
    };
    let proof = accepted.map(|k| {
        format!(
            "{} the key once {}{}",
            accept(&repaired_ok),
            Repair::phrases(&k.repairs),
            match (k.length, &k.fingerprint) {
                (Some(n), Some(fp)) => format!(" ({n} characters, {fp})"),
                _ => String::new(),
            }
        )
    });
    let fix = match (f.defects.as_slice(), decoded.as_slice()) {
        ([one], []) => with_place(
            f,
            check_fix(f, one.check, "Fix the value where it is stored."),
        ),
        (_, []) => format!(
            "Remove the extra characters ({}) from the value stored in {}, then run sl-doctor again.",
            named.join("; "),
            f.key_place()
        ),
        _ => format!(
            "Store the key decoded, without {}, in {}, then run sl-doctor again.",
            every_defect,
            f.key_place()
        ),
    };
    let mut checks: Vec<CheckId> = f.defects.iter().map(|d| d.check).collect();
    checks.push(HeaderValue::ID);
    // The probes' rejections are explained when the repair proves it, or when the repair
    // got no verdict: the damage is then the likelier reason, not yet verified.
    let untested = f.apis(|p| p.repair_untested().is_some());
    checks.extend(repaired_ok.iter().chain(&untested).map(|p| p.check));
    let title = match (&proof, untested.as_slice()) {
        (None, [_, ..]) => format!(
            "{title} (not verified: {})",
            no_verdict_on_repair(&untested)
        ),
        _ => title,
    };
    Some(
        cause(id, title, CauseLevel::Fail, &[])
            .also(f, &checks)
            .proof(proof)
            .fix(fix),
    )
}

/// "DAM and Catalog rate limited the repaired key": why a repair got no verdict.
fn no_verdict_on_repair(probes: &[&Probe]) -> String {
    let answers: Vec<KeyAnswer> = probes.iter().filter_map(|p| p.repair_untested()).collect();
    let what = match answers.as_slice() {
        [first, rest @ ..] if rest.iter().all(|a| a == first) => match first {
            KeyAnswer::RateLimited => "rate limited the repaired key",
            KeyAnswer::Unavailable => "answered the repaired key with a server error",
            _ => "did not answer the repaired key",
        },
        _ => "gave no verdict on the repaired key",
    };
    format!("{} {what}", names(probes))
}

/// The probes whose repaired key got this no-verdict answer, when no damage of the value
/// explains them: no defect offline and no repair accepted (a guessed decoding, say).
fn repair_untested_alone<'f>(f: &'f Facts, answer: KeyAnswer) -> Vec<&'f Probe> {
    if !f.defects.is_empty() || f.probes.iter().any(|p| p.accepted_repair.is_some()) {
        return Vec::new();
    }
    f.apis(|p| p.repair_untested() == Some(answer))
}

/// A check's fix, followed by where the value is when it is one line of a file (a `.env`
/// line, a deployment file's definition): the fix then names the file and line.
fn with_place(f: &Facts, fix: String) -> String {
    match f.report.key.source.kind {
        SourceKind::Deployment | SourceKind::Dotenv => {
            format!("{fix} The value is in {}.", f.key_place())
        }
        _ => fix,
    }
}

fn names(probes: &[&Probe]) -> String {
    join(&probes.iter().map(|p| p.api).collect::<Vec<_>>())
}

/// The probes' names with the verb agreeing: "X accepts", "X and Y accept".
fn accept(probes: &[&Probe]) -> String {
    let verb = if probes.len() == 1 {
        "accepts"
    } else {
        "accept"
    };
    format!("{} {verb}", names(probes))
}

fn api_not_enabled(f: &Facts) -> Option<Cause> {
    if let Some(c) = not_enabled_by_other_api(f) {
        return Some(c);
    }
    let valid =
        f.apis(|p| p.given == KeyAnswer::Accepted || p.repaired == Some(KeyAnswer::Accepted));
    let shut = f.apis(|p| {
        p.given == KeyAnswer::NotEnabled
            || (p.given == KeyAnswer::Rejected && !p.repaired.is_some_and(KeyAnswer::authenticated))
    });
    if shut.is_empty()
        || (valid.is_empty() && !shut.iter().any(|p| p.given == KeyAnswer::NotEnabled))
    {
        return None;
    }
    let closed = names(&shut);
    let answers: Vec<String> = shut
        .iter()
        .map(|p| match p.given {
            KeyAnswer::NotEnabled => format!(
                "{} answers 403: the feature is disabled for the account",
                p.api
            ),
            _ => format!("{} rejects it", p.api),
        })
        .collect();
    let proof = if valid.is_empty() {
        answers.join("; ")
    } else {
        format!(
            "{} this key, so the key is valid; {}",
            accept(&valid),
            answers.join("; ")
        )
    };
    let checks: Vec<CheckId> = shut.iter().map(|p| p.check).collect();
    Some(
        cause(
            CauseId::ApiNotEnabled,
            format!("The key is not enabled for {closed}"),
            CauseLevel::Fail,
            &checks,
        )
        .proof(Some(proof))
        .fix(format!("Ask {} to enable {closed} for this key (give them the key's fingerprint, never the key).", support()))
        .support(),
    )
}

fn key_rejected(f: &Facts) -> Option<Cause> {
    // The key itself is invalid only for the APIs that reject the repaired value too, or
    // when no repair applies: a repair that got no verdict (rate limited) leaves the
    // damage the likelier cause. With a damage whose repair was not tried, the damage is
    // the likelier cause; with look-alikes, the repair is a guess, and its rejection
    // proves nothing.
    let refuted = |p: &Probe| match p.repaired {
        Some(a) => a == KeyAnswer::Rejected,
        None => f.defects.is_empty(),
    };
    let rejected = f.apis(|p| {
        (p.given == KeyAnswer::Rejected
            || p.given == KeyAnswer::NotSent && p.repaired == Some(KeyAnswer::Rejected))
            && refuted(p)
    });
    // A value another reader delivers (a .env line the environment overrides, say) that
    // the API accepts proves a valid key too.
    let any_valid = f.apis(|p| {
        p.given.authenticated()
            || p.repaired.is_some_and(KeyAnswer::authenticated)
            || p.other.is_some_and(|(_, a)| a.authenticated())
            || p.delivered.iter().any(|d| d.answer.authenticated())
    });
    // No key, an empty one or a placeholder is rejected as expected: it says nothing
    // about the key Sales Layer gave, and its own cause says what to put there.
    let no_real_key = f.key_empty() || f.status(PlaceholderValue::ID) == Status::Fail;
    if rejected.is_empty() || !any_valid.is_empty() || no_real_key {
        return None;
    }
    let untried = f.apis(|p| p.given == KeyAnswer::Rejected && p.repaired.is_none());
    if !f.defects.is_empty() && !untried.is_empty() || !lookalike_guess_rejected(f).is_empty() {
        return None;
    }
    let all = names(&rejected);
    // Once what was done to it: "once the quotes are removed" for a damage, "once it is
    // base64-decoded" for a value with no damage that a decoding was tried on.
    let repaired_with = rejected
        .iter()
        .find(|p| p.repaired == Some(KeyAnswer::Rejected))
        .map(|p| Repair::phrases(&p.repaired_with));
    let mut proof = if let Some(once) = repaired_with {
        format!("{all} reject the key as given and once {once}")
    } else {
        format!("{all} reject the key, and nothing in the value explains it")
    };
    let also = rejected.iter().find_map(|p| match p.other {
        Some((o, KeyAnswer::Rejected)) => Some(o),
        _ => None,
    });
    if let Some(o) = also {
        proof.push_str(&format!("; {o}, asked once, rejects it too"));
    }
    let untold = rejected
        .iter()
        .any(|p| matches!(p.other, Some((_, a)) if a != KeyAnswer::Rejected && !a.authenticated()))
        || f.probes.iter().any(|p| p.repair_untested().is_some());
    let title = if untold {
        format!(
            "The key is rejected: not valid, or not enabled for {all} (the other API gave no verdict, so the two cannot be told apart)"
        )
    } else {
        "The key itself is not valid: wrong, revoked or replaced".to_string()
    };
    Some(
        cause(
            CauseId::KeyRejected,
            title,
            CauseLevel::Fail,
            &rejected.iter().map(|p| p.check).collect::<Vec<_>>(),
        )
        .proof(Some(proof.replace(" reject ", if rejected.len() == 1 { " rejects " } else { " reject " })))
        .fix(format!("Check that it is the key Sales Layer gave you for this account; if it is, ask {} for a new key for {all}.", support()))
        .support(),
    )
}

fn rate_limited(f: &Facts) -> Option<Cause> {
    let mut hit = f.apis(|p| p.given == KeyAnswer::RateLimited);
    hit.extend(repair_untested_alone(f, KeyAnswer::RateLimited));
    (!hit.is_empty()).then(|| {
        cause(CauseId::RateLimited, format!("{} rate limited the request: no verdict on the key", names(&hit)), CauseLevel::Inconclusive, &hit.iter().map(|p| p.check).collect::<Vec<_>>())
            .fix(format!("Run sl-doctor again in a minute; if other jobs use the same key, pause them (the documented limit is {}).", RATE_LIMIT.describe()))
    })
}

fn api_unavailable(f: &Facts) -> Option<Cause> {
    let mut hit = f.apis(|p| p.given == KeyAnswer::Unavailable);
    hit.extend(repair_untested_alone(f, KeyAnswer::Unavailable));
    (!hit.is_empty()).then(|| {
        cause(CauseId::ApiUnavailable, format!("{} answered with a server error: no verdict on the key", names(&hit)), CauseLevel::Inconclusive, &hit.iter().map(|p| p.check).collect::<Vec<_>>())
            .fix(format!("Run sl-doctor again later; if it persists, send this report (it holds the request ids) to {}.", support()))
            .support()
    })
}

/// A failing or warning check no rule explains: its own summary and fix.
fn of_check(c: &crate::model::report::CheckResult) -> Cause {
    let level = match c.status {
        Status::Fail => CauseLevel::Fail,
        Status::Error => CauseLevel::Inconclusive,
        _ => CauseLevel::Warn,
    };
    // A warning check's summary may only say what was looked at ("Key from .env file
    // .env:1"): its first warning says what is wrong. A failing check's summary names the
    // failure.
    let title = c
        .findings
        .iter()
        .find(|f| c.status == Status::Warn && f.severity == crate::model::report::Severity::Warn)
        .map_or(c.summary.as_str(), |f| f.message.as_str());
    let mut k = cause(
        CauseId::Check(c.id.clone()),
        title.trim_end_matches('.'),
        level,
        &[],
    );
    k.checks.push(c.id.clone());
    k.fix = c
        .fix
        .clone()
        .unwrap_or_else(|| format!("See `sl-doctor explain {}`.", c.id));
    k
}
