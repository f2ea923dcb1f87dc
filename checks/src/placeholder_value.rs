//! `placeholder-value`: The key is a real key, not a placeholder or unexpanded variable.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `placeholder-value` check.
pub struct PlaceholderValue;

static META: CheckMeta = CheckMeta {
    id: "placeholder-value",
    item: Item::KeyLoaded,
    title: "The key is a real key, not a placeholder or unexpanded variable",
    needs_network: false,
    depends_on: &["key-source"],
};

#[async_trait::async_trait]
impl Check for PlaceholderValue {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
