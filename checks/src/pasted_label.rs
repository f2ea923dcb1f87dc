//! `pasted-label`: The value is the key alone, not a header line or scheme.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `pasted-label` check.
pub struct PastedLabel;

static META: CheckMeta = CheckMeta {
    id: "pasted-label",
    item: Item::HeaderPresent,
    title: "The value is the key alone, not a header line or scheme",
    needs_network: false,
    depends_on: &["key-source"],
};

#[async_trait::async_trait]
impl Check for PastedLabel {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
