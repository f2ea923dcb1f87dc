//! `key-in-url`: The key is not placed in a URL.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `key-in-url` check.
pub struct KeyInUrl;

static META: CheckMeta = CheckMeta {
    id: "key-in-url",
    item: Item::Security,
    title: "The key is not placed in a URL",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for KeyInUrl {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
