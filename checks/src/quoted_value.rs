//! `quoted-value`: The key is not wrapped in quotes.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `quoted-value` check.
pub struct QuotedValue;

static META: CheckMeta = CheckMeta {
    id: "quoted-value",
    item: Item::NoQuotes,
    title: "The key is not wrapped in quotes",
    needs_network: false,
    depends_on: &["key-source"],
};

#[async_trait::async_trait]
impl Check for QuotedValue {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
