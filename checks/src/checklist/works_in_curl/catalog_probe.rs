//! `catalog-probe`: the key works against the Catalog API
//! (`GET {base}/catalog/rest/Catalog/$metadata`).
//!
//! One read-only request with `X-API-KEY`, redirects never followed, interpreted as the
//! Catalog reference describes the metadata endpoint (401 missing/invalid key, 403
//! feature disabled for the tenant, 404 tenant or model not found). When the key as given
//! is rejected (or cannot be sent at all) and the offline checks found something to
//! clean, the cleaned key is tried once. The engine is [`crate::net::probe`]; the findings are built in [`super::probe_findings`].

super::probe_check! {
    /// The `catalog-probe` check.
    CatalogProbe: "catalog-probe", "The key works against the Catalog API (live request)", endpoint: CATALOG,
    codes: super::codes::probe_codes![CATALOG_NOT_ENABLED],
}
