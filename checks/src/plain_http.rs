//! `plain-http`: The key would not travel over plain http.
//!
//! STUB: to be implemented.

use crate::check::{Check, CheckError, CheckMeta, Outcome};
use crate::context::Context;
use crate::report::Item;

/// The `plain-http` check.
pub struct PlainHttp;

static META: CheckMeta = CheckMeta {
    id: "plain-http",
    item: Item::Security,
    title: "The key would not travel over plain http",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for PlainHttp {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, _cx: &Context) -> Result<Outcome, CheckError> {
        Err(CheckError::Skip("not implemented yet".into()))
    }
}
