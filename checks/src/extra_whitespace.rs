//! `extra-whitespace`: The key is not empty and has no extra whitespace or line breaks.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `extra-whitespace` check.
pub struct ExtraWhitespace;

static META: CheckMeta = CheckMeta {
    id: "extra-whitespace",
    item: Item::KeyLoaded,
    title: "The key is not empty and has no extra whitespace or line breaks",
    needs_network: false,
    depends_on: &["key-source"],
};

#[async_trait::async_trait]
impl Check for ExtraWhitespace {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
