//! `lookalike-characters`: The key has no non-ASCII look-alike characters.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `lookalike-characters` check.
pub struct LookalikeCharacters;

static META: CheckMeta = CheckMeta {
    id: "lookalike-characters",
    item: Item::KeyLoaded,
    title: "The key has no non-ASCII look-alike characters",
    needs_network: false,
    depends_on: &["key-source"],
};

#[async_trait::async_trait]
impl Check for LookalikeCharacters {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
