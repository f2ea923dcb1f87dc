//! The facts the diagnosis reasons about, read once from the report's typed data.

use super::CauseId;
use crate::checklist::header_present::header_value::EMPTY_VALUE;
use crate::checklist::header_present::pasted_label::TRAILING_COMMENT;
use crate::checklist::key_loaded::extra_whitespace::{EMPTY, NOTHING_LEFT, ONLY_WHITESPACE};
use crate::checklist::{
    CatalogProbe, DamProbe, ExtraWhitespace, HeaderValue, HiddenCharacters, LookalikeCharacters,
    PastedLabel, QuotedValue,
};
use crate::model::check::CheckId;
use crate::model::code::Code;
use crate::model::evidence::{Answer, Evidence, KeyDelivery, KeyKind, KeyVariant, ProbeAttempt};
use crate::model::prose::join_names;
use crate::model::report::{CheckResult, Report, Severity, SourceKind, Status};
use crate::model::secret::Fingerprint;

/// What an API's answer to one request says about the key: the probe's [`Answer`] as the
/// rules group it, or that no request was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAnswer {
    /// The key authenticated.
    Accepted,
    /// The key authenticated, but this API is not enabled for the account (Catalog 403).
    NotEnabled,
    /// The key was rejected (401, or DAM 400 with problem details).
    Rejected,
    /// Rate limited (429).
    RateLimited,
    /// A server error or 503: says nothing about the key.
    Unavailable,
    /// No answer at all (DNS, connect, TLS, timeout).
    Unreachable,
    /// Something that is not the API answered, or the path is wrong (404, redirect, HTML…).
    WrongEndpoint,
    /// The key could not be sent (a header value HTTP refuses).
    NotSent,
    /// The key was not sent: the base URL is plain http (no `--allow-http`).
    NotSentOverHttp,
    /// Not tried, or the answer does not bear on the key.
    Unknown,
}

impl KeyAnswer {
    /// The key is valid (whether or not this API is enabled).
    pub fn authenticated(self) -> bool {
        matches!(self, KeyAnswer::Accepted | KeyAnswer::NotEnabled)
    }

    /// The request got no verdict on its key: rate limited, a server error, no answer.
    pub fn no_verdict(self) -> bool {
        matches!(
            self,
            KeyAnswer::RateLimited | KeyAnswer::Unavailable | KeyAnswer::Unreachable
        )
    }
}

impl From<Answer> for KeyAnswer {
    fn from(a: Answer) -> KeyAnswer {
        match a {
            Answer::Accepted | Answer::AcceptedUnexpectedBody => KeyAnswer::Accepted,
            Answer::NotEnabled => KeyAnswer::NotEnabled,
            Answer::Rejected => KeyAnswer::Rejected,
            Answer::RateLimited => KeyAnswer::RateLimited,
            Answer::Unavailable => KeyAnswer::Unavailable,
            Answer::NoAnswer => KeyAnswer::Unreachable,
            Answer::QueryRejected
            | Answer::BadRequest
            | Answer::Forbidden
            | Answer::NotFound
            | Answer::Redirect
            | Answer::NotTheApi
            | Answer::UnexpectedStatus => KeyAnswer::WrongEndpoint,
        }
    }
}

/// One API's probe.
#[derive(Debug, Clone)]
pub struct Probe {
    /// `dam-probe` or `catalog-probe`.
    pub check: CheckId,
    /// `DAM` or `Catalog`.
    pub api: &'static str,
    /// The answer to the key as given.
    pub given: KeyAnswer,
    /// The answer to the repaired key, when one was tried: the accepted one's, else the
    /// last one's.
    pub repaired: Option<KeyAnswer>,
    /// The repaired value the API accepted (its repairs, length and fingerprint).
    pub accepted_repair: Option<KeyVariant>,
    /// What was done to the value as given to make the repaired value `repaired` answers
    /// for (the accepted one's, else the last one's): a damage removed, or a decoding of
    /// a value with no damage (base64, say); empty when none was tried.
    pub repaired_with: Vec<crate::model::evidence::Repair>,
    /// The status of the answer to the key as given, without the HTTP version
    /// ("404 Not Found"), when there was one.
    pub status: Option<String>,
    /// The answers to the values other readers of the deployment deliver.
    pub delivered: Vec<Delivery>,
    /// With `--api`: the other API's answer to the key as given (asked once), and its
    /// name.
    pub other: Option<(&'static str, KeyAnswer)>,
}

impl Probe {
    /// The answer to the repaired key when a repair was tried and got no verdict
    /// (rate limited, a server error, no answer) while the key as given was not accepted:
    /// the repair is then neither proven nor refuted.
    pub fn repair_untested(&self) -> Option<KeyAnswer> {
        self.repaired
            .filter(|a| a.no_verdict() && !self.given.authenticated())
    }
}

/// The answer to a value another reader of the deployment delivers.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Who delivers it, and where (`docker run --env-file (.env line 3)`).
    pub who: String,
    /// The answer.
    pub answer: KeyAnswer,
    /// The value's fingerprint, which names the key source that holds it.
    pub fingerprint: Option<Fingerprint>,
}

/// A defect of the value that a check found and a repair removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// The check that found it.
    pub check: CheckId,
    /// The finding code that names it, when it is one of the check's codes rather than
    /// all of them (the others are then the check's other defect).
    pub code: Option<Code>,
    /// A cause id of its own when it is the only defect.
    pub cause: CauseId,
    /// The cause title when it is the only defect.
    pub title: &'static str,
    /// How the defect is named in a list ("quotes around it").
    pub phrase: &'static str,
    /// What removing it is called ("the quotes are removed").
    pub removed: &'static str,
}

/// The value checks, in the order their defects are named.
pub const DEFECTS: &[Defect] = &[
    Defect {
        check: QuotedValue::ID,
        code: None,
        cause: CauseId::QuotedKey,
        title: "The key is wrapped in quotes",
        phrase: "quotes",
        removed: "the quotes are removed",
    },
    Defect {
        check: PastedLabel::ID,
        code: None,
        cause: CauseId::PastedLabel,
        title: "A header name or auth scheme is pasted into the key",
        phrase: "a pasted label",
        removed: "the pasted label is removed",
    },
    Defect {
        check: PastedLabel::ID,
        code: Some(TRAILING_COMMENT),
        cause: CauseId::TrailingComment,
        title: "A comment after the key is kept as part of it",
        phrase: "the comment ` # …` after the value",
        removed: "the comment is removed",
    },
    Defect {
        check: ExtraWhitespace::ID,
        code: None,
        cause: CauseId::ExtraWhitespace,
        title: "The key has extra whitespace or a line break",
        phrase: "whitespace or a line break",
        removed: "the whitespace is removed",
    },
    Defect {
        check: HiddenCharacters::ID,
        code: None,
        cause: CauseId::HiddenCharacters,
        title: "The key contains invisible characters",
        phrase: "invisible characters",
        removed: "the invisible characters are removed",
    },
    Defect {
        check: LookalikeCharacters::ID,
        code: None,
        cause: CauseId::LookalikeCharacters,
        title: "The key contains look-alike characters",
        phrase: "look-alike characters",
        removed: "the look-alike characters are replaced",
    },
];

/// Whether finding `f` of the defect's check names defect `d`: its own code, or, for a
/// defect without one, none of the codes another defect of the check owns.
fn names(d: &Defect, f: &crate::model::report::Finding) -> bool {
    match d.code {
        Some(code) => f.is(code),
        None => !DEFECTS
            .iter()
            .any(|o| o.check == d.check && o.code.is_some_and(|c| f.is(c))),
    }
}

/// Everything the rules look at.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// The report itself, for statuses and the checks' fixes.
    pub report: &'a Report,
    /// The probes that ran (or tried to).
    pub probes: Vec<Probe>,
    /// The value defects found, in [`DEFECTS`] order; none when the value holds no key.
    pub defects: Vec<&'static Defect>,
    /// What a value that holds no key is made of, in [`DEFECTS`] order (`quotes`); empty
    /// for an empty value or one that holds a key.
    pub only: Vec<&'static str>,
}

impl<'a> Facts<'a> {
    /// Reads the facts of a report.
    pub fn read(report: &'a Report) -> Facts<'a> {
        let probes = report.checks().filter_map(probe_of).collect();
        // Beside an empty key, only the whitespace findings say what the value is made of.
        let failed = |d: &&Defect| {
            report.check(d.check).is_some_and(|c| {
                c.status == Status::Fail
                    && c.findings.iter().any(|f| {
                        f.severity == Severity::Fail
                            && !f.is(EMPTY)
                            && !f.is(NOTHING_LEFT)
                            && names(d, f)
                    })
            })
        };
        let found: Vec<&'static Defect> = DEFECTS.iter().filter(failed).collect();
        // A value that holds no key has no damage a repair removes: key-empty names it.
        let (defects, only) = if holds_no_key(report) {
            (Vec::new(), found.iter().map(|d| d.phrase).collect())
        } else {
            (found, Vec::new())
        };
        Facts {
            report,
            probes,
            defects,
            only,
        }
    }

    /// Whether the value holds no key: empty, only whitespace, or nothing left once its
    /// quotes, label or invisible characters are removed.
    pub fn key_empty(&self) -> bool {
        holds_no_key(self.report)
    }

    /// The status of a check (skip when it is not in the report).
    pub fn status(&self, id: CheckId) -> Status {
        self.report.check(id).map_or(Status::Skip, |c| c.status)
    }

    /// Whether a check reported a finding with this code.
    pub fn has(&self, id: CheckId, code: Code) -> bool {
        self.report.check(id).is_some_and(|c| c.has(code))
    }

    /// Where the key was read from, for a fix ("the environment variable X").
    pub fn key_place(&self) -> String {
        let s = &self.report.key.source;
        match s.kind {
            SourceKind::Env => format!(
                "the environment variable {} (and wherever it is set: CI secret, .env, shell profile)",
                s.name
            ),
            SourceKind::File => format!("the key file {}", s.name),
            SourceKind::Dotenv => format!("the .env file {}", s.name),
            SourceKind::Stdin => "what you pipe to --key-stdin".into(),
            SourceKind::Flag => "the value you pass to --key".into(),
            SourceKind::Deployment => s.name.clone(),
            SourceKind::None => "where the key is stored".into(),
        }
    }

    /// "DAM and Catalog" for the probes that match.
    pub fn apis(&self, pick: impl Fn(&Probe) -> bool) -> Vec<&Probe> {
        self.probes.iter().filter(|p| pick(p)).collect()
    }

    /// The sentence of a run where no cause was found.
    pub fn healthy_summary(&self) -> String {
        let accepted: Vec<&str> = self
            .probes
            .iter()
            .filter(|p| p.given == KeyAnswer::Accepted)
            .map(|p| p.api)
            .collect();
        let warned = self.report.summary.warn;
        let base = if !accepted.is_empty() {
            format!("The key works: {} accepted it", join_names(&accepted))
        } else if self.report.offline {
            "No problem found offline; the key was not tried against the API (--offline)"
                .to_string()
        } else if self.probes.is_empty() {
            // The probes were deselected or skipped: say that the key was not tried.
            "No problem found; the key was not tried against the API (the probes did not run)"
                .to_string()
        } else {
            "No problem found".to_string()
        };
        // No "below": the sentence is also read where nothing follows it (a CI notice,
        // the support command's own words).
        match warned {
            0 => format!("{base}."),
            1 => format!("{base}, with 1 warning."),
            n => format!("{base}, with {n} warnings."),
        }
    }
}

fn holds_no_key(report: &Report) -> bool {
    let has = |id: CheckId, code: Code| report.check(id).is_some_and(|c| c.has(code));
    [EMPTY, ONLY_WHITESPACE, NOTHING_LEFT]
        .into_iter()
        .any(|code| has(ExtraWhitespace::ID, code))
        || has(HeaderValue::ID, EMPTY_VALUE)
}

/// The probe facts of a probe check, from its typed evidence.
fn probe_of(c: &CheckResult) -> Option<Probe> {
    let Some(Evidence::Probe(p)) = &c.evidence else {
        return None;
    };
    let (api, check) = if p.api.eq_ignore_ascii_case("dam") {
        ("DAM", DamProbe::ID)
    } else {
        ("Catalog", CatalogProbe::ID)
    };
    let of = |kind: KeyKind| {
        p.attempts
            .iter()
            .rev()
            .find(|a| a.key.variant == kind)
            .map(answer)
    };
    let given = match p.request.key {
        KeyDelivery::NotSentPlainHttp => KeyAnswer::NotSentOverHttp,
        KeyDelivery::NotSendable => KeyAnswer::NotSent,
        KeyDelivery::NoClient => KeyAnswer::Unreachable,
        KeyDelivery::Sent => of(KeyKind::AsGiven).unwrap_or(KeyAnswer::Unknown),
    };
    let accepted = p
        .attempts_with(KeyKind::Cleaned)
        .find(|a| answer(a).authenticated());
    let delivered = p
        .attempts_with(KeyKind::Delivered)
        .map(|a| Delivery {
            who: a.key.reader.clone().unwrap_or_default(),
            answer: answer(a),
            fingerprint: a.key.fingerprint.clone(),
        })
        .collect();
    let other = p.other_api.as_ref().map(|o| {
        let name = if o.api == "dam" { "DAM" } else { "Catalog" };
        (name, answer(&o.attempt))
    });
    Some(Probe {
        check,
        api,
        given,
        delivered,
        other,
        repaired: accepted.map(answer).or(of(KeyKind::Cleaned)),
        repaired_with: accepted
            .or_else(|| {
                p.attempts
                    .iter()
                    .rev()
                    .find(|a| a.key.variant == KeyKind::Cleaned)
            })
            .map(|a| a.key.repairs.clone())
            .unwrap_or_default(),
        accepted_repair: accepted.map(|a| a.key.clone()),
        status: p
            .attempts
            .iter()
            .rev()
            .find(|a| a.key.variant == KeyKind::AsGiven)
            .and_then(|a| a.response.as_ref())
            .filter(|r| !r.status_line.as_str().is_empty())
            .map(|r| {
                let line = r.status_line.as_str();
                // "HTTP/2.0 404 Not Found" → "404 Not Found".
                match line.split_once(' ') {
                    Some((v, rest)) if v.starts_with("HTTP/") => rest.to_string(),
                    _ => line.to_string(),
                }
            }),
    })
}

/// What one attempt's answer says about its key.
fn answer(a: &ProbeAttempt) -> KeyAnswer {
    a.answer.into()
}
