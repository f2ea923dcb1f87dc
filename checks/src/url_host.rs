//! `url-host`: The host is api2.saleslayer.com.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `url-host` check.
pub struct UrlHost;

static META: CheckMeta = CheckMeta {
    id: "url-host",
    item: Item::BaseUrl,
    title: "The host is api2.saleslayer.com",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for UrlHost {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
