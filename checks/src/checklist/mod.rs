//! The checks, one folder per item of the troubleshooting checklist, in checklist order;
//! one module per check (module name = check id in snake_case).

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
