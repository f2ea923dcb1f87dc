//! `dam-probe`: the key works against the DAM API (`GET {base}/dam/image?$top=1`).
//!
//! One read-only request with `X-API-KEY`, redirects never followed, interpreted as the
//! DAM docs describe each status (401 missing/invalid key, 400 with problem details =
//! likely invalid key per the DAM reference). When the key as given is rejected (or
//! cannot be sent at all) and the offline checks found something to clean, the cleaned
//! key is tried once. The engine is [`crate::net::probe`]; the findings are built in [`super::probe_findings`].

use super::codes::*;
use crate::checklist::base_url::tls_connection::{
    CA_CERT_EMPTY, CA_CERT_INVALID, CA_CERT_UNREADABLE, NO_CA_CERTIFICATES, TLS_SETUP,
};

super::probe_check! {
    /// The `dam-probe` check.
    DamProbe: "dam-probe", "The key works against the DAM API (live request)", endpoint: DAM,
    codes: &[
        CA_CERT_UNREADABLE, CA_CERT_EMPTY, CA_CERT_INVALID, NO_CA_CERTIFICATES, TLS_SETUP,
        PROXY_INVALID, CLIENT_NOT_BUILT, KEY_NOT_SENT_PLAIN_HTTP, KEYLESS_ANSWER, KEY_NOT_SENDABLE,
        KEY_ACCEPTED, UNEXPECTED_BODY, REDIRECT_NOT_FOLLOWED, NOT_THE_API, KEY_REJECTED,
        BAD_REQUEST, NOT_FOUND, RATE_LIMITED, SERVER_ERROR, UNEXPECTED_STATUS,
        QUERY_REJECTED, FORBIDDEN,
        TIMEOUT, REQUEST_NOT_BUILT, TLS_FAILED, DNS_FAILED, CONNECTION_REFUSED, CONNECT_FAILED,
        NETWORK_ERROR, DIFFERENTIAL_OFF, ACCEPTED_ONCE_CLEANED, CLEANED_REJECTED_TOO,
        CLEANED_UNTESTED,
    ],
}
