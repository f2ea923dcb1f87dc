//! `hidden-characters`: The key has no invisible or control characters.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `hidden-characters` check.
pub struct HiddenCharacters;

static META: CheckMeta = CheckMeta {
    id: "hidden-characters",
    item: Item::KeyLoaded,
    title: "The key has no invisible or control characters",
    needs_network: false,
    depends_on: &["key-source"],
};

#[async_trait::async_trait]
impl Check for HiddenCharacters {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
