//! `header-value`: The key can be sent as an X-API-KEY header value.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `header-value` check.
pub struct HeaderValue;

static META: CheckMeta = CheckMeta {
    id: "header-value",
    item: Item::HeaderPresent,
    title: "The key can be sent as an X-API-KEY header value",
    needs_network: false,
    depends_on: &["key-source"],
};

#[async_trait::async_trait]
impl Check for HeaderValue {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
