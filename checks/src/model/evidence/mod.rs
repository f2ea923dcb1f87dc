//! Typed evidence: the facts a network check observed, as data on its result.
//!
//! A check's detail lines and findings are built from its evidence, so the two cannot
//! disagree; `support`, renderers and a diagnosis read these fields instead of parsing
//! rendered text. Every text that comes from outside (a server, a certificate, a
//! resolver, the network stack) is an [`Untrusted`]: neutralised and capped when it was
//! built, so no renderer can forget to. Key pieces are removed from the whole report where
//! the runner finishes it.

pub use crate::model::repair::Repair;
use crate::model::secret::Fingerprint;
pub use crate::model::untrusted::Untrusted;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod tls;
pub use tls::{CertificateFacts, ProxyRefusal, RefusalReason, TlsEvidence};

/// What a network check observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Evidence {
    /// A live request to one API with the key (`dam-probe`, `catalog-probe`).
    Probe(ProbeEvidence),
    /// The resolution of the API host (`dns-resolution`).
    Dns(DnsEvidence),
    /// The TCP connection and TLS handshake with the API host (`tls-connection`).
    Tls(TlsEvidence),
}

/// One API's live probe: the request, every request actually sent, and the differential
/// retry with the cleaned key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ProbeEvidence {
    /// Which API: `dam` or `catalog`.
    pub api: String,
    /// The request the probe makes.
    pub request: ProbeRequest,
    /// Every request sent, in order (the key as given, a retry after `Retry-After`, the
    /// cleaned key); empty when none was sent.
    pub attempts: Vec<ProbeAttempt>,
    /// Whether the cleaned key was tried, and why not.
    pub differential: Differential,
    /// The cleaned key (length and fingerprint), when cleaning changes the key: the first
    /// of `candidates`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleaned: Option<KeyVariant>,
    /// Every repaired value the probe may try when the key as given is rejected, most
    /// likely first (at most three); each names the repairs that made it. The attempts
    /// with `key.variant` = `cleaned` say which were sent and which one was accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<KeyVariant>,
    /// Values other readers deliver that no HTTP client can send (a line break, a control
    /// character): not sent, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsendable: Vec<UnsendableDelivery>,
    /// With one API diagnosed (`--api`) and the key rejected by it: the other API's
    /// answer to the key as given (one request), which tells "not enabled for this API"
    /// (the other accepts it) from "not valid" (both reject it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_api: Option<Box<OtherApi>>,
}

/// The other API's answer to the key, asked once to tell an invalid key from one not
/// enabled for the API diagnosed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct OtherApi {
    /// `dam` or `catalog`.
    pub api: String,
    /// The request's URL.
    pub url: String,
    /// What it answered.
    pub attempt: ProbeAttempt,
}

/// A value another reader delivers that cannot go in a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct UnsendableDelivery {
    /// The value (length, fingerprint) and who delivers it.
    pub key: KeyVariant,
    /// The first character no header may hold.
    pub because: String,
}

/// The request a probe makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ProbeRequest {
    /// Always `GET`.
    pub method: String,
    /// The probe URL: built by sl-doctor from the base URL without its user info, query
    /// and fragment.
    pub url: String,
    /// Whether the key as given was sent.
    pub key: KeyDelivery,
    /// The key as given: length and fingerprint.
    pub key_as_given: KeyVariant,
    /// Why the key cannot be sent in a header (the first offending character), when
    /// `key` is `not-sendable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_sendable_because: Option<String>,
}

/// Whether the key as given went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyDelivery {
    /// Sent in `X-API-KEY`.
    Sent,
    /// Not sent: the base URL is plain http (no `--allow-http`); the request went
    /// without the key.
    NotSentPlainHttp,
    /// Not sent: the value cannot be an HTTP header value (a line break or control
    /// character); no request went with it.
    NotSendable,
    /// Not sent: the HTTP client could not be built (see the finding).
    NoClient,
}

/// Which value of the key a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// The value exactly as loaded.
    AsGiven,
    /// A repaired value: the defects the offline checks found removed, or the value
    /// decoded (see the variant's `repairs`).
    Cleaned,
    /// No key (plain http without `--allow-http`).
    None,
    /// What another reader of the deployment delivers (a `.env` loader, a `--from`
    /// file) when it differs from the value as given (see the variant's `reader`).
    Delivered,
}

/// A key value, described without showing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct KeyVariant {
    /// Which value.
    pub variant: KeyKind,
    /// Length in characters (bytes when not UTF-8); absent for `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    /// Fingerprint of the exact bytes; absent for `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    /// For a repaired value: what was done to the value as given to make it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<Repair>,
    /// For a delivered value: who delivers it, and where (`docker run --env-file
    /// (.env line 3)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
}

/// Whether the cleaned key was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Differential {
    /// Not needed: the key as given was not rejected (or was not sent: plain http).
    NotNeeded,
    /// Needed, but cleaning does not change the key.
    NothingToClean,
    /// Needed, but nothing is left once the value is cleaned (`""`, only whitespace, a
    /// label alone): it holds no key, so its rejection says nothing about the key.
    NoKeyLeft,
    /// Needed, but differential diagnosis is off.
    Off,
    /// Needed, but the cleaned key cannot be sent in a header either.
    CleanedNotSendable,
    /// The cleaned key was sent once (its attempt has `key.variant` = `cleaned`).
    Tried,
}

/// What an API's answer means, decided once, where the probe reads it
/// (`net::probe::classify`), as the Sales Layer docs describe each status for that API.
/// The probe's findings, the diagnosis, `sl-doctor fix` and the test fixtures all match
/// on it; none of them reads the status again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// 2xx with a JSON body (or XML, for Catalog's metadata): the key is accepted.
    Accepted,
    /// 2xx whose body is neither JSON nor HTML: the key seems accepted, but something may
    /// sit between the client and the API.
    AcceptedUnexpectedBody,
    /// Catalog's 403 "feature disabled for the tenant": the key authenticates, but the API
    /// is not enabled for the account.
    NotEnabled,
    /// The key is rejected: 401, or DAM's 400 with problem details not about the query.
    Rejected,
    /// DAM's 400 whose problem details are about the query, not the key.
    QueryRejected,
    /// Another 400: the request was refused as malformed.
    BadRequest,
    /// A 403 from DAM, which the DAM docs never give: a proxy, firewall or gateway.
    Forbidden,
    /// 404: a wrong base path, or the tenant or model does not exist.
    NotFound,
    /// A redirect (3xx), never followed with the key.
    Redirect,
    /// An HTML answer other than 429 or 5xx: a proxy, captive portal or wrong host.
    NotTheApi,
    /// 429: rate limited; says nothing about the key.
    RateLimited,
    /// 5xx: the API (or something in front of it) could not answer; says nothing about
    /// the key.
    Unavailable,
    /// A status the docs do not describe for this request.
    UnexpectedStatus,
    /// No HTTP answer at all (DNS, connection, TLS, timeout, or the request could not be
    /// built): see `error`.
    NoAnswer,
}

impl Answer {
    /// Whether the key authenticated (this API may still be disabled for it).
    pub fn authenticates(self) -> bool {
        matches!(
            self,
            Answer::Accepted | Answer::AcceptedUnexpectedBody | Answer::NotEnabled
        )
    }

    /// Whether the answer says nothing about the key: rate limited, unavailable, no answer.
    pub fn no_verdict(self) -> bool {
        matches!(
            self,
            Answer::RateLimited | Answer::Unavailable | Answer::NoAnswer
        )
    }
}

/// One request sent by a probe, and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ProbeAttempt {
    /// The key value it carried.
    pub key: KeyVariant,
    /// What the answer means for the key.
    pub answer: Answer,
    /// The response, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ProbeResponse>,
    /// The transport failure, when there was no response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<NetFailure>,
    /// Per-phase timings.
    pub timings: Timings,
    /// What was done about a 429 or 503 (retried after `Retry-After` or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryDecision>,
}

/// A response as far as it was read (at most 64 KiB of body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ProbeResponse {
    /// HTTP status code.
    pub status: u16,
    /// The status line, e.g. `HTTP/1.1 401 Unauthorized` (the reason phrase is the
    /// server's).
    pub status_line: Untrusted,
    /// HTTP version, e.g. `HTTP/2.0`.
    pub http_version: String,
    /// The peer address (the proxy's when a proxy was used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The `Content-Type` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<Untrusted>,
    /// What the body looks like.
    pub body_kind: BodyKind,
    /// Bytes of body read.
    pub body_bytes: usize,
    /// Whether the body was longer than the 64 KiB that were read.
    pub body_truncated: bool,
    /// Why reading the body stopped early, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_error: Option<Untrusted>,
    /// The problem-details fields of a JSON error body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<ProblemDetails>,
    /// Request-id style headers (`x-request-id`, `cf-ray`, …) support can look up.
    pub request_ids: Vec<RequestId>,
    /// The `Retry-After` wait in seconds, when the header was present and readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
    /// Where a redirect pointed (never followed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
}

/// The shape of a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    /// An HTML page (a proxy, portal or web server, not the API).
    Html,
    /// JSON (or the start of a JSON document cut at the cap).
    Json,
    /// XML (the Catalog metadata document).
    Xml,
    /// Empty or anything else.
    Other,
}

/// The RFC 9457 problem-details fields of a JSON error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ProblemDetails {
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Untrusted>,
    /// `title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Untrusted>,
    /// `status`, when the body states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// `detail`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Untrusted>,
    /// `instance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Untrusted>,
    /// `validationFailures` / `errors` entries, as `field: messages`.
    pub validation: Vec<Untrusted>,
    /// Whether the title, detail or validation text names a query parameter (`$top`,
    /// `$filter`, "query", "parameter"…): the answer is about the query, not the key.
    pub about_query: bool,
}

/// One request-id header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct RequestId {
    /// Header name, lowercase.
    pub name: String,
    /// Its value.
    pub value: Untrusted,
}

/// A redirect the probe did not follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Redirect {
    /// Characters in the `Location` header; absent when there was none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_chars: Option<usize>,
    /// Where it points (user info removed, query values redacted); absent when there was
    /// no `Location` or it could not be read as a URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Untrusted>,
    /// The target's host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_host: Option<Untrusted>,
    /// Whether the target is another host or port.
    pub other_host: bool,
    /// Whether it goes from https to plain http.
    pub to_plain_http: bool,
}

/// Per-phase timings in milliseconds, like httpstat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Timings {
    /// DNS lookup; absent when no lookup was made (an IP address, `--resolve`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_ms: Option<u64>,
    /// TCP connect + TLS handshake (+ proxy CONNECT), without DNS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<u64>,
    /// Time to the response headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttfb_ms: Option<u64>,
    /// Time to the end of the (capped) body, or to the failure.
    pub total_ms: u64,
}

/// What was done about a 429 or 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct RetryDecision {
    /// Whether the request was sent again (once) after waiting `Retry-After`.
    pub retried: bool,
    /// The longest wait sl-doctor accepts, in seconds.
    pub longest_wait_s: u64,
}

/// A transport failure: no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct NetFailure {
    /// The class of failure.
    pub kind: NetFailureKind,
    /// The finding code it gives (`timeout`, `dns-failed`, `tls-failed`…).
    pub code: String,
    /// One sentence, without the URL or the key (it may quote the server or the system).
    pub message: Untrusted,
}

/// Classes of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NetFailureKind {
    /// Connect or request timeout.
    Timeout,
    /// The host name did not resolve.
    Dns,
    /// TCP connection refused.
    Refused,
    /// The connection could not be established for another reason.
    Connect,
    /// TLS handshake or certificate problem.
    Tls,
    /// The request could not be built.
    Builder,
    /// Any other transport problem.
    Other,
}

impl std::fmt::Display for Timings {
    /// `dns: 5 ms · connect+tls: 26 ms · ttfb: 34 ms · total: 34 ms` (`-` when absent).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |v: Option<u64>| v.map_or("-".to_string(), |v| format!("{v} ms"));
        write!(
            f,
            "dns: {} · connect+tls: {} · ttfb: {} · total: {}",
            ms(self.dns_ms),
            ms(self.connect_ms),
            ms(self.ttfb_ms),
            ms(Some(self.total_ms))
        )
    }
}

impl ProbeEvidence {
    /// The attempts that carried the given key value.
    pub fn attempts_with(&self, variant: KeyKind) -> impl Iterator<Item = &ProbeAttempt> {
        self.attempts
            .iter()
            .filter(move |a| a.key.variant == variant)
    }

    /// The final answer for a key value (the last attempt with it: after a retry, the
    /// retried one).
    pub fn last_with(&self, variant: KeyKind) -> Option<&ProbeAttempt> {
        self.attempts_with(variant).last()
    }
}

/// How the API host resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct DnsEvidence {
    /// The host looked up (or the IP address of the base URL).
    pub host: String,
    /// The address given with `--resolve`, when it applies (no lookup is made).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_address: Option<String>,
    /// Addresses from the system resolver (getaddrinfo, as curl and most clients use).
    pub system: Vec<String>,
    /// Why the system lookup failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_error: Option<Untrusted>,
    /// The direct A query to the configured DNS servers.
    pub a: DnsAnswer,
    /// The direct AAAA query.
    pub aaaa: DnsAnswer,
    /// The DNS servers from the resolver configuration.
    pub nameservers: Vec<String>,
    /// Addresses the hosts file gives the host, which override DNS.
    pub hosts_file: Vec<String>,
    /// Wall time of the lookups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub took_ms: Option<u64>,
}

/// One direct DNS query's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct DnsAnswer {
    /// What came back.
    pub result: DnsResult,
    /// The addresses, for `addresses`.
    pub addresses: Vec<String>,
    /// The error, for `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Untrusted>,
}

/// Classes of DNS answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DnsResult {
    /// At least one address.
    Addresses,
    /// The name exists but has no record of this type.
    NoData,
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// SERVFAIL: the server failed to answer.
    ServFail,
    /// No answer within the timeout.
    Timeout,
    /// Another error.
    Error,
    /// Not queried (no lookup needed, or no usable resolver configuration).
    NotQueried,
}

impl DnsAnswer {
    /// A query that was not made.
    pub fn not_queried() -> DnsAnswer {
        DnsAnswer {
            result: DnsResult::NotQueried,
            addresses: Vec::new(),
            error: None,
        }
    }
}

impl DnsEvidence {
    /// Evidence of a host that needed no direct query.
    pub fn new(host: &str) -> DnsEvidence {
        DnsEvidence {
            host: host.to_string(),
            override_address: None,
            system: Vec::new(),
            system_error: None,
            a: DnsAnswer::not_queried(),
            aaaa: DnsAnswer::not_queried(),
            nameservers: Vec::new(),
            hosts_file: Vec::new(),
            took_ms: None,
        }
    }
}
