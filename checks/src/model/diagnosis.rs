//! The diagnosis as data: the causes a report names, most likely first, each with the
//! checks it explains, its proof and its fix. The report embeds it; `crate::diagnosis`
//! decides it (its rules read the report and return these).

use crate::model::report::Verdict;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the report means, for a person: the causes, most likely first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnosis {
    /// One sentence: the most likely cause and its proof, or that nothing is wrong.
    pub summary: String,
    /// The causes, most likely first; empty when nothing is wrong.
    pub causes: Vec<Cause>,
}

/// The kinds of cause the diagnosis names. A failing or warning check that no rule
/// explains is a cause of its own, named by the check's id ([`CauseId::Check`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum CauseId {
    /// No key was found.
    KeyNotLoaded,
    /// The key is empty.
    KeyEmpty,
    /// The key is a placeholder or an unexpanded reference.
    PlaceholderKey,
    /// The key is pasted as the base URL: the base URL's host is the key.
    KeyAsBaseUrl,
    /// Another key source (a `.env` file, a deployment file) holds a different key than the
    /// one used, and the API rejects one of the two while it accepts the other.
    StaleKey,
    /// The readers of the key (the .env loaders, the --from files) deliver different values.
    ReadersDisagree,
    /// The key is wrapped in quotes.
    QuotedKey,
    /// A header name or auth scheme is pasted into the key.
    PastedLabel,
    /// A ` # comment` after the key is kept as part of it.
    TrailingComment,
    /// The key has extra whitespace or a line break.
    ExtraWhitespace,
    /// The key contains invisible characters.
    HiddenCharacters,
    /// The key contains look-alike characters.
    LookalikeCharacters,
    /// The key contains look-alike characters, and the key with them replaced by the
    /// ASCII characters they resemble is rejected too: they may stand for other letters.
    LookalikeUnresolved,
    /// The key carries several kinds of extra characters.
    DamagedValue,
    /// The key is stored JSON-escaped.
    JsonEscapedKey,
    /// The key is stored percent-encoded.
    PercentEncodedKey,
    /// The key is stored base64-encoded (a Kubernetes Secret's `data:`).
    Base64EncodedKey,
    /// The URL has a wrong or legacy path.
    WrongPath,
    /// The base URL is not the API's.
    WrongBaseUrl,
    /// The key is not enabled for an API.
    ApiNotEnabled,
    /// The key itself is not valid.
    KeyRejected,
    /// The API rate limited the request.
    RateLimited,
    /// The API answered with a server error.
    ApiUnavailable,
    /// A proxy refused the tunnel to the API host.
    ProxyRefused,
    /// The API could not be reached.
    Network,
    /// The base URL is plain http on a loopback host, and `--allow-http` is not given: the
    /// probes did not send the key.
    KeyNotSentOverHttp,
    /// The run's deadline (`--deadline`) passed before some checks finished.
    DeadlineReached,
    /// A check no rule explains, by its id.
    Check(String),
}

impl CauseId {
    /// The causes the rules name, in the order `docs/diagnosis.md` lists them.
    pub const RULES: [CauseId; 27] = [
        CauseId::KeyNotLoaded,
        CauseId::KeyEmpty,
        CauseId::PlaceholderKey,
        CauseId::KeyAsBaseUrl,
        CauseId::StaleKey,
        CauseId::ReadersDisagree,
        CauseId::LookalikeUnresolved,
        CauseId::QuotedKey,
        CauseId::PastedLabel,
        CauseId::TrailingComment,
        CauseId::ExtraWhitespace,
        CauseId::HiddenCharacters,
        CauseId::LookalikeCharacters,
        CauseId::DamagedValue,
        CauseId::JsonEscapedKey,
        CauseId::PercentEncodedKey,
        CauseId::Base64EncodedKey,
        CauseId::WrongPath,
        CauseId::WrongBaseUrl,
        CauseId::ApiNotEnabled,
        CauseId::KeyRejected,
        CauseId::RateLimited,
        CauseId::ApiUnavailable,
        CauseId::ProxyRefused,
        CauseId::Network,
        CauseId::KeyNotSentOverHttp,
        CauseId::DeadlineReached,
    ];

    /// The stable kebab-case word, as in the JSON report.
    pub fn as_str(&self) -> &str {
        match self {
            CauseId::KeyNotLoaded => "key-not-loaded",
            CauseId::KeyEmpty => "key-empty",
            CauseId::PlaceholderKey => "placeholder-key",
            CauseId::KeyAsBaseUrl => "key-as-base-url",
            CauseId::StaleKey => "stale-key",
            CauseId::ReadersDisagree => "readers-disagree",
            CauseId::QuotedKey => "quoted-key",
            CauseId::PastedLabel => "pasted-label",
            CauseId::TrailingComment => "trailing-comment",
            CauseId::ExtraWhitespace => "extra-whitespace",
            CauseId::HiddenCharacters => "hidden-characters",
            CauseId::LookalikeCharacters => "lookalike-characters",
            CauseId::LookalikeUnresolved => "lookalike-unresolved",
            CauseId::DamagedValue => "damaged-value",
            CauseId::JsonEscapedKey => "json-escaped-key",
            CauseId::PercentEncodedKey => "percent-encoded-key",
            CauseId::Base64EncodedKey => "base64-encoded-key",
            CauseId::WrongPath => "wrong-path",
            CauseId::WrongBaseUrl => "wrong-base-url",
            CauseId::ApiNotEnabled => "api-not-enabled",
            CauseId::KeyRejected => "key-rejected",
            CauseId::RateLimited => "rate-limited",
            CauseId::ApiUnavailable => "api-unavailable",
            CauseId::ProxyRefused => "proxy-refused",
            CauseId::Network => "network",
            CauseId::KeyNotSentOverHttp => "key-not-sent-over-http",
            CauseId::DeadlineReached => "deadline-reached",
            CauseId::Check(id) => id,
        }
    }
}

impl From<String> for CauseId {
    fn from(s: String) -> CauseId {
        CauseId::RULES
            .into_iter()
            .find(|c| c.as_str() == s)
            .unwrap_or(CauseId::Check(s))
    }
}

impl From<CauseId> for String {
    fn from(c: CauseId) -> String {
        c.as_str().to_string()
    }
}

impl std::fmt::Display for CauseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// One cause of the failures and warnings in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Cause {
    /// Stable kebab-case id of this kind of cause, e.g. `quoted-key`; a check's id for a
    /// check no rule explains.
    #[schemars(with = "String")]
    pub id: CauseId,
    /// What is wrong, in one line.
    pub title: String,
    /// How serious it is: `fail` (explains a rejection), `warn`, or `inconclusive`
    /// (the API could not be asked: network, rate limit, server error).
    pub level: CauseLevel,
    /// The checks whose findings this cause explains.
    pub checks: Vec<String>,
    /// What a live request proved, when one did (e.g. "DAM and Catalog accept the key
    /// once the quotes are removed"); `null` when the cause is inferred offline.
    pub proof: Option<String>,
    /// The one thing to do.
    pub fix: String,
    /// Whether it can be fixed without Sales Layer support (by you, or by your network
    /// team: `fixed_by` says who).
    pub self_fixable: bool,
    /// Who can fix it.
    #[serde(default)]
    pub fixed_by: Fixer,
}

/// Who can fix a cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Fixer {
    /// You: the key, the configuration, the proxy setting, the base URL.
    #[default]
    You,
    /// Whoever runs the network: a proxy's rules, its route or its DNS.
    NetworkTeam,
    /// Sales Layer support: the key itself or the account.
    SalesLayer,
}

/// How serious a cause is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CauseLevel {
    /// Worth fixing, but does not by itself explain a rejection.
    Warn,
    /// The live probe could not reach a verdict because of this.
    Inconclusive,
    /// Explains a rejected (or never sent) request.
    Fail,
}

impl CauseLevel {
    /// Lowercase name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseLevel::Warn => "warn",
            CauseLevel::Inconclusive => "inconclusive",
            CauseLevel::Fail => "fail",
        }
    }
}

impl From<CauseLevel> for Verdict {
    /// The verdict a run with this cause alone gets.
    fn from(level: CauseLevel) -> Verdict {
        match level {
            CauseLevel::Warn => Verdict::Warn,
            CauseLevel::Inconclusive => Verdict::Inconclusive,
            CauseLevel::Fail => Verdict::Fail,
        }
    }
}

impl Diagnosis {
    /// The causes that explain a check, by their 1-based number.
    pub fn causes_of(&self, check_id: &str) -> Vec<usize> {
        self.causes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.checks.iter().any(|id| id == check_id))
            .map(|(i, _)| i + 1)
            .collect()
    }

    /// Whether any cause of a failure or of no verdict is something the user cannot fix
    /// alone (a support ticket helps).
    pub fn needs_support(&self) -> bool {
        self.causes
            .iter()
            .any(|c| c.level != CauseLevel::Warn && !c.self_fixable)
    }

    /// The cause with a live proof that explains this check, if any: the check's own
    /// findings then yield to it, and their generic fixes ("ask for a new key") are not
    /// shown, since the proof may contradict them.
    pub fn proven_cause_of(&self, check_id: &str) -> Option<(usize, &Cause)> {
        self.causes
            .iter()
            .enumerate()
            .find(|(_, c)| c.proof.is_some() && c.checks.iter().any(|id| id == check_id))
            .map(|(i, c)| (i + 1, c))
    }
}
