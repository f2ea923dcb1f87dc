//! `url-path`: The API paths are the documented ones.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `url-path` check.
pub struct UrlPath;

static META: CheckMeta = CheckMeta {
    id: "url-path",
    item: Item::BaseUrl,
    title: "The API paths are the documented ones",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for UrlPath {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
