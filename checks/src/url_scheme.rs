//! `url-scheme`: The base URL uses https.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `url-scheme` check.
pub struct UrlScheme;

static META: CheckMeta = CheckMeta {
    id: "url-scheme",
    item: Item::BaseUrl,
    title: "The base URL uses https",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for UrlScheme {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
