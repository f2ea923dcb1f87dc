//! The finding codes of `dam-probe` and `catalog-probe`, beside the findings that carry
//! them (`probe_findings`).
//!
//! The two probes share one engine (`net::probe`) and these codes, except for the answers
//! the docs describe for one API only (DAM's 400 about the query and its 403, Catalog's 403
//! for a disabled API). A TLS client that cannot be set up gives `tls-connection`'s codes
//! (`ca-cert-unreadable`, `ca-cert-empty`, `ca-cert-invalid`, `no-ca-certificates`,
//! `tls-setup`).

use crate::model::code::Code;
use crate::model::evidence::NetFailureKind;

/// A probe's codes, in docs order: the shared ones around the answers only its API gives
/// (`probe_codes![QUERY_REJECTED, FORBIDDEN]`).
macro_rules! probe_codes {
    ($($only:ident),* $(,)?) => {{
        use $crate::checklist::base_url::tls_connection::{
            CA_CERT_EMPTY, CA_CERT_INVALID, CA_CERT_UNREADABLE, NO_CA_CERTIFICATES, TLS_SETUP,
        };
        use $crate::checklist::works_in_curl::codes::*;
        &[
            CA_CERT_UNREADABLE, CA_CERT_EMPTY, CA_CERT_INVALID, NO_CA_CERTIFICATES, TLS_SETUP,
            PROXY_INVALID, CLIENT_NOT_BUILT, KEY_NOT_SENT_PLAIN_HTTP, KEYLESS_ANSWER,
            KEY_NOT_SENDABLE, KEY_ACCEPTED, UNEXPECTED_BODY, REDIRECT_NOT_FOLLOWED, NOT_THE_API,
            KEY_REJECTED, BAD_REQUEST, NOT_FOUND, RATE_LIMITED, SERVER_ERROR, UNEXPECTED_STATUS,
            $($only,)*
            TIMEOUT, REQUEST_NOT_BUILT, TLS_FAILED, DNS_FAILED, CONNECTION_REFUSED, CONNECT_FAILED,
            NETWORK_ERROR, DIFFERENTIAL_OFF, ACCEPTED_ONCE_CLEANED, CLEANED_REJECTED_TOO,
            CLEANED_UNTESTED, DELIVERED_REJECTED, DELIVERED_ACCEPTED, DELIVERED_UNTESTED,
            DELIVERED_NOT_SENDABLE, OTHER_API_ACCEPTS, OTHER_API_REJECTS, OTHER_API_UNTESTED,
        ]
    }};
}
pub(crate) use probe_codes;

pub const PROXY_INVALID: Code = Code::fail(
    "proxy-invalid",
    "The `--proxy` value is not a valid proxy URL",
);
pub const CLIENT_NOT_BUILT: Code =
    Code::fail("client-not-built", "The HTTP client could not be built");
pub const KEY_NOT_SENT_PLAIN_HTTP: Code = Code::fail(
    "key-not-sent-plain-http",
    "The base URL is plain http, so the key was not sent (no `--allow-http`)",
);
pub const KEYLESS_ANSWER: Code = Code::info(
    "keyless-answer",
    "What the endpoint answered to the request sent without the key over plain http",
);
pub const KEY_NOT_SENDABLE: Code = Code::fail(
    "key-not-sendable",
    "The key as given cannot be sent in a header (a line break or control character): no request was made",
);
pub const KEY_ACCEPTED: Code = Code::info(
    "key-accepted",
    "A 2xx answer with a JSON body (or XML, for Catalog): the key is accepted",
);
pub const UNEXPECTED_BODY: Code = Code::warn(
    "unexpected-body",
    "A 2xx answer whose body is not JSON: something may sit between you and the API",
);
pub const REDIRECT_NOT_FOLLOWED: Code = Code::fail(
    "redirect-not-followed",
    "A redirect, which sl-doctor never follows with the key",
);
pub const NOT_THE_API: Code = Code::fail(
    "not-the-api",
    "An HTML answer (not 429 or 5xx): a proxy, captive portal or wrong host answered",
);
pub const KEY_REJECTED: Code = Code::fail(
    "key-rejected",
    "The key is rejected: a 401 answer (missing or invalid key), or DAM's 400 with problem details (how the DAM reference answers an invalid key)",
);
pub const BAD_REQUEST: Code = Code::fail(
    "bad-request",
    "A 400 answer that is not about the key: the request was refused as malformed (from DAM, without problem details, so it may not come from the API)",
);
pub const NOT_FOUND: Code = Code::fail(
    "not-found",
    "A 404 answer: a wrong base path, or the tenant or model does not exist",
);
pub const RATE_LIMITED: Code = Code::warn("rate-limited", "A 429 answer: rate limited, no verdict");
pub const SERVER_ERROR: Code = Code::warn(
    "server-error",
    "A 5xx answer (503 temporarily unavailable, or another server error): no verdict",
);
pub const UNEXPECTED_STATUS: Code = Code::fail(
    "unexpected-status",
    "A status the docs do not describe for this request",
);
pub const QUERY_REJECTED: Code = Code::fail(
    "query-rejected",
    "A DAM 400 answer whose problem details are about the query ($top=1), not the key",
);
pub const FORBIDDEN: Code = Code::fail(
    "forbidden",
    "A 403 answer, which DAM is documented never to give: a proxy, firewall or gateway may have answered",
);
pub const CATALOG_NOT_ENABLED: Code = Code::fail(
    "catalog-not-enabled",
    "A 403 answer: the key works, but the Catalog API is not enabled for this account",
);
pub const TIMEOUT: Code = Code::warn("timeout", "No answer within the timeout");
pub const REQUEST_NOT_BUILT: Code = Code::fail(
    "request-not-built",
    "The HTTP client refused to build the request",
);
pub const TLS_FAILED: Code = Code::warn(
    "tls-failed",
    "The TLS handshake failed (tls-connection says why)",
);
pub const DNS_FAILED: Code = Code::warn(
    "dns-failed",
    "The host name could not be resolved (dns-resolution says why)",
);
pub const CONNECTION_REFUSED: Code = Code::warn(
    "connection-refused",
    "The connection was refused: nothing listens on that host and port (or on the proxy's, which the message names)",
);
pub const CONNECT_FAILED: Code =
    Code::warn("connect-failed", "The connection could not be established");
pub const NETWORK_ERROR: Code = Code::warn("network-error", "Another transport error");
pub const DIFFERENTIAL_OFF: Code = Code::info(
    "differential-off",
    "The repaired key was not tried: differential diagnosis is off",
);
pub const ACCEPTED_ONCE_CLEANED: Code = Code::fail(
    "accepted-once-cleaned",
    "The key as given fails, but a repaired value is accepted (the finding names the repair): fix the stored value",
);
pub const CLEANED_REJECTED_TOO: Code = Code::fail(
    "cleaned-rejected-too",
    "Every repaired value tried is rejected too: the key itself is invalid, revoked or not enabled",
);
pub const CLEANED_UNTESTED: Code = Code::info(
    "cleaned-untested",
    "The repaired key could not be tested: its request got no verdict",
);

/// The code of a transport failure: no answer.
pub fn failure_code(kind: NetFailureKind) -> Code {
    match kind {
        NetFailureKind::Timeout => TIMEOUT,
        NetFailureKind::Builder => REQUEST_NOT_BUILT,
        NetFailureKind::Tls => TLS_FAILED,
        NetFailureKind::Dns => DNS_FAILED,
        NetFailureKind::Refused => CONNECTION_REFUSED,
        NetFailureKind::Connect => CONNECT_FAILED,
        NetFailureKind::Other => NETWORK_ERROR,
    }
}

// The values other readers of the deployment deliver (`readers-agree`), each sent once.
pub const DELIVERED_REJECTED: Code = Code::fail(
    "delivered-rejected",
    "The API rejects the value another reader of the deployment delivers (a .env loader, a --from file): that deployment fails",
);
pub const DELIVERED_ACCEPTED: Code = Code::info(
    "delivered-accepted",
    "The API accepts the value another reader of the deployment delivers",
);
pub const DELIVERED_UNTESTED: Code = Code::info(
    "delivered-untested",
    "The value another reader delivers could not be tested: its request got no verdict",
);
pub const DELIVERED_NOT_SENDABLE: Code = Code::fail(
    "delivered-not-sendable",
    "The value another reader delivers cannot be sent in a header (a line break or control character)",
);

// With `--api`, the other API asked once about a rejected key.
pub const OTHER_API_ACCEPTS: Code = Code::fail(
    "other-api-accepts",
    "With --api, the other API accepts the key this one rejects: the key is valid, this API is not enabled for it",
);
pub const OTHER_API_REJECTS: Code = Code::info(
    "other-api-rejects",
    "With --api, the other API rejects the key too: it is not valid for either",
);
pub const OTHER_API_UNTESTED: Code = Code::info(
    "other-api-untested",
    "With --api, the other API gave no verdict: an invalid key and one not enabled for this API cannot be told apart",
);
