//! `dam-probe`: the key works against the DAM API (`GET {base}/dam/image?$top=1`).
//!
//! One read-only request with `X-API-KEY`, redirects never followed, interpreted as the
//! DAM docs describe each status (401 missing/invalid key, 400 with problem details =
//! likely invalid key per the DAM reference). When the key as given is rejected (or
//! cannot be sent at all) and the offline checks found something to clean, the cleaned
//! key is tried once. The engine is [`crate::net::probe`]; the findings are built in [`super::probe_findings`].

use crate::model::check::{CheckError, Outcome};
use crate::model::context::Context;

crate::check! {
    /// The `dam-probe` check.
    DamProbe: "dam-probe", WorksInCurl, "The key works against the DAM API (live request)", network, after ["key-source"]
}

impl DamProbe {
    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        super::probe_findings::run(
            cx,
            &crate::net::probe::DAM,
            crate::analysis::value::candidates,
        )
        .await
    }
}
