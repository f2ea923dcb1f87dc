//! `url-format`: The base URL is a well-formed URL with no stray characters.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `url-format` check.
pub struct UrlFormat;

static META: CheckMeta = CheckMeta {
    id: "url-format",
    item: Item::BaseUrl,
    title: "The base URL is a well-formed URL with no stray characters",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for UrlFormat {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
