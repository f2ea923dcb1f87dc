//! `works-in-curl`: the same request works in a controlled tool such as curl.

mod answers;
pub mod catalog_probe;
pub mod codes;
pub mod dam_probe;
pub mod probe_findings;
mod reader_findings;

/// Declares a probe check: its `check!` metadata (a network check of `works-in-curl`
/// that runs after `key-source`), and a `run` that is [`probe_findings::run`] against
/// one endpoint of [`crate::net::probe`], with the repaired candidates of the value.
macro_rules! probe_check {
    ($(#[$doc:meta])* $name:ident: $id:literal, $title:literal, endpoint: $endpoint:ident,
     codes: $codes:expr $(,)?) => {
        $crate::check! {
            $(#[$doc])*
            $name: $id, WorksInCurl, $title, network,
            after [$crate::checklist::key_loaded::key_source::KeySource],
            codes: $codes
        }

        impl $name {
            async fn run(
                &self,
                cx: &$crate::context::Context,
            ) -> Result<$crate::model::check::Outcome, $crate::model::check::Skipped> {
                super::probe_findings::run(
                    cx,
                    &$crate::net::probe::$endpoint,
                    $crate::analysis::value::candidates,
                )
                .await
            }
        }
    };
}
use probe_check;
