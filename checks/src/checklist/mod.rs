//! The checks, one folder per item of the troubleshooting checklist, in checklist order;
//! one module per check (module name = check id in snake_case), and the [`Check`] trait
//! each implements: it reads the run's [`Context`] and returns the model's [`Outcome`].

use crate::context::Context;
use crate::model::check::{CheckMeta, Outcome, Skipped};

pub mod base_url;
pub mod header_present;
pub mod key_loaded;
pub mod no_quotes;
pub mod security;
pub mod works_in_curl;

pub use base_url::dns_resolution::DnsResolution;
pub use base_url::proxy_config::ProxyConfig;
pub use base_url::tls_connection::TlsConnection;
pub use base_url::url_format::UrlFormat;
pub use base_url::url_host::UrlHost;
pub use base_url::url_path::UrlPath;
pub use base_url::url_scheme::UrlScheme;
pub use header_present::header_value::HeaderValue;
pub use header_present::pasted_label::PastedLabel;
pub use key_loaded::dotenv_file::DotenvFileCheck;
pub use key_loaded::extra_whitespace::ExtraWhitespace;
pub use key_loaded::hidden_characters::HiddenCharacters;
pub use key_loaded::key_source::KeySource;
pub use key_loaded::lookalike_characters::LookalikeCharacters;
pub use key_loaded::placeholder_value::PlaceholderValue;
pub use key_loaded::readers_agree::ReadersAgree;
pub use no_quotes::quoted_value::QuotedValue;
pub use security::key_file_in_git::KeyFileInGit;
pub use security::key_file_permissions::KeyFilePermissions;
pub use security::key_in_deployment_file::KeyInDeploymentFile;
pub use security::key_in_url::KeyInUrl;
pub use security::key_on_command_line::KeyOnCommandLine;
pub use security::key_shared_across_environments::KeySharedAcrossEnvironments;
pub use security::plain_http::PlainHttp;
pub use works_in_curl::catalog_probe::CatalogProbe;
pub use works_in_curl::dam_probe::DamProbe;

/// "1 character", "2 characters": a count with its noun in the right number.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One check. Object-safe and async so network checks plug into the same runner.
#[async_trait::async_trait]
pub trait Check: Send + Sync {
    /// Static metadata.
    fn meta(&self) -> &'static CheckMeta;
    /// Runs the check.
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped>;
}

/// Declares a check: its unit struct (with its doc comment), its `ID`, its `META` and its
/// [`Check`] impl, which forwards to the check's own inherent `async fn run(&self, cx)`.
/// A check module then holds only its logic and its codes.
///
/// ```text
/// Name: "id", Item, "title"
///     [, network]            the check talks to the network (skipped under --offline)
///     [, value_only]         it reads only the key's value (capture runs it too)
///     [, after [Other, ..]]  the checks it waits for (and is skipped when they fail)
///     , codes: &[CODE, ..]   its finding codes, in docs order
/// ```
#[macro_export]
macro_rules! check {
    ($(#[$doc:meta])* $name:ident: $id:literal, $item:ident, $title:literal
     $(, network $($network:lifetime)?)? $(, value_only $($value:lifetime)?)?
     $(, after [$($dep:ty),* $(,)?])?, codes: $codes:expr $(,)?) => {
        $(#[$doc])*
        pub struct $name;

        impl $name {
            /// The check's id.
            pub const ID: $crate::model::check::CheckId =
                $crate::model::check::CheckId::declare($id);
        }

        static META: $crate::model::check::CheckMeta = $crate::model::check::CheckMeta {
            id: $name::ID,
            item: $crate::model::report::Item::$item,
            title: $title,
            needs_network: false $(|| { $($network)? true })?,
            value_only: false $(|| { $($value)? true })?,
            depends_on: &[$($(<$dep>::ID),*)?],
            codes: $codes,
        };

        #[async_trait::async_trait]
        impl $crate::checklist::Check for $name {
            fn meta(&self) -> &'static $crate::model::check::CheckMeta {
                &META
            }

            async fn run(
                &self,
                cx: &$crate::context::Context,
            ) -> Result<$crate::model::check::Outcome, $crate::model::check::Skipped> {
                // The inherent `run` of the check (inherent functions win over the trait's).
                <$name>::run(self, cx).await
            }
        }
    };
}
