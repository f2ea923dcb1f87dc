//! sl-doctor's domain: the `Check` trait, the report model, the secret key type and
//! one module per check (module name = check id in snake_case).
//!
//! This crate knows nothing about terminals, colours or command lines: checks only
//! produce data ([`check::Outcome`]); the binary renders it.

pub mod analysis;
pub mod check;
pub mod context;
pub mod dotenv;
pub mod endpoint;
pub mod exposure;
pub mod net;
pub mod probe;
pub mod proxy;
pub mod report;
pub mod secret;
pub mod sources;
pub mod tls;
pub mod urls;

pub mod catalog_probe;
pub mod dam_probe;
pub mod dns_resolution;
pub mod dotenv_file;
pub mod extra_whitespace;
pub mod header_value;
pub mod hidden_characters;
pub mod key_file_in_git;
pub mod key_file_permissions;
pub mod key_in_url;
pub mod key_on_command_line;
pub mod key_shared_across_environments;
pub mod key_source;
pub mod lookalike_characters;
pub mod pasted_label;
pub mod placeholder_value;
pub mod plain_http;
pub mod proxy_config;
pub mod quoted_value;
pub mod tls_connection;
pub mod url_format;
pub mod url_host;
pub mod url_path;
pub mod url_scheme;

#[cfg(test)]
pub mod testing;

pub use check::{Check, CheckError, CheckMeta, Outcome};
pub use context::Context;

/// The documented base URL of the current REST APIs.
pub const DEFAULT_BASE_URL: &str = "https://api2.saleslayer.com";

/// The environment variable read by default.
pub const DEFAULT_KEY_ENV: &str = "SALESLAYER_API_KEY";

/// The environment variable that may hold the base URL.
pub const BASE_URL_ENV: &str = "SALESLAYER_BASE_URL";

/// Every check, registered explicitly, in checklist order. Adding a check is one line here,
/// one module, and one section in `docs/checks.md` (a test keeps the three in step).
pub fn registry() -> Vec<Box<dyn Check>> {
    vec![
        // base-url
        Box::new(url_format::UrlFormat),
        Box::new(url_scheme::UrlScheme),
        Box::new(url_host::UrlHost),
        Box::new(url_path::UrlPath),
        Box::new(dns_resolution::DnsResolution),
        Box::new(proxy_config::ProxyConfig),
        Box::new(tls_connection::TlsConnection),
        // header-present
        Box::new(header_value::HeaderValue),
        Box::new(pasted_label::PastedLabel),
        // no-quotes
        Box::new(quoted_value::QuotedValue),
        // key-loaded
        Box::new(key_source::KeySource),
        Box::new(dotenv_file::DotenvFileCheck),
        Box::new(extra_whitespace::ExtraWhitespace),
        Box::new(hidden_characters::HiddenCharacters),
        Box::new(lookalike_characters::LookalikeCharacters),
        Box::new(placeholder_value::PlaceholderValue),
        // works-in-curl
        Box::new(dam_probe::DamProbe),
        Box::new(catalog_probe::CatalogProbe),
        // security
        Box::new(key_on_command_line::KeyOnCommandLine),
        Box::new(key_in_url::KeyInUrl),
        Box::new(plain_http::PlainHttp),
        Box::new(key_file_in_git::KeyFileInGit),
        Box::new(key_file_permissions::KeyFilePermissions),
        Box::new(key_shared_across_environments::KeySharedAcrossEnvironments),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_in_checklist_order() {
        let reg = registry();
        let mut seen = std::collections::HashSet::new();
        let mut last_item = report::Item::BaseUrl;
        for c in &reg {
            let m = c.meta();
            assert!(seen.insert(m.id), "duplicate id {}", m.id);
            assert!(
                m.id.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'),
                "{} is not kebab-case",
                m.id
            );
            assert!(m.item >= last_item, "{} is out of checklist order", m.id);
            last_item = m.item;
            for d in m.depends_on {
                assert!(
                    reg.iter()
                        .position(|o| o.meta().id == *d)
                        .is_some_and(|p| p < reg.iter().position(|o| o.meta().id == m.id).unwrap()),
                    "{} depends on {d}, which is not registered before it",
                    m.id
                );
            }
        }
    }
}
