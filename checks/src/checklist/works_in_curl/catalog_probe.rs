//! `catalog-probe`: the key works against the Catalog API
//! (`GET {base}/catalog/rest/Catalog/$metadata`).
//!
//! One read-only request with `X-API-KEY`, redirects never followed, interpreted as the
//! Catalog reference describes the metadata endpoint (401 missing/invalid key, 403
//! feature disabled for the tenant, 404 tenant or model not found). When the key as given
//! is rejected (or cannot be sent at all) and the offline checks found something to
//! clean, the cleaned key is tried once. The engine is [`crate::net::probe`]; the findings are built in [`super::probe_findings`].

use crate::model::check::{CheckError, Outcome};
use crate::model::context::Context;

crate::check! {
    /// The `catalog-probe` check.
    CatalogProbe: "catalog-probe", WorksInCurl, "The key works against the Catalog API (live request)", network, after ["key-source"]
}

impl CatalogProbe {
    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        super::probe_findings::run(
            cx,
            &crate::net::probe::CATALOG,
            crate::analysis::value::candidates,
        )
        .await
    }
}
