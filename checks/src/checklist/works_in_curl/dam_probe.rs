//! `dam-probe`: the key works against the DAM API (`GET {base}/dam/image?$top=1`).
//!
//! One read-only request with `X-API-KEY`, redirects never followed, interpreted as the
//! DAM docs describe each status (401 missing/invalid key, 400 with problem details =
//! likely invalid key per the DAM reference). When the key as given is rejected (or
//! cannot be sent at all) and the offline checks found something to clean, the cleaned
//! key is tried once. The engine is [`crate::net::probe`]; the findings are built in [`super::probe_findings`].

super::probe_check! {
    /// The `dam-probe` check.
    DamProbe: "dam-probe", "The key works against the DAM API (live request)", endpoint: DAM,
    codes: super::codes::probe_codes![QUERY_REJECTED, FORBIDDEN],
}
