//! sl-doctor's domain. The tree reads as the troubleshooting checklist:
//! - `model`: the `Check` trait, the `Context`, the report and the secret key type;
//! - `input`: key sources, the raw `.env` reader, the files that hold the key;
//! - `analysis`: offline facts about the key value and the URLs;
//! - `net`: resolver, proxy, TLS, HTTP exchange and the API probe (facts, not findings);
//! - `checklist/<item>/<check>.rs`: one module per check, in one folder per checklist item.
//!
//! This crate knows nothing about terminals, colours or command lines: checks only
//! produce data ([`Outcome`]); the binary renders it.

pub mod analysis;
pub mod checklist;
pub mod diagnosis;
pub mod input;
pub mod model;
pub mod net;
#[doc(hidden)]
pub mod testing_support;

#[cfg(test)]
pub mod testing;

pub use model::check::{Check, CheckError, CheckMeta, Outcome};
pub use model::context::Context;

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
        Box::new(checklist::base_url::url_format::UrlFormat),
        Box::new(checklist::base_url::url_scheme::UrlScheme),
        Box::new(checklist::base_url::url_host::UrlHost),
        Box::new(checklist::base_url::url_path::UrlPath),
        Box::new(checklist::base_url::dns_resolution::DnsResolution),
        Box::new(checklist::base_url::proxy_config::ProxyConfig),
        Box::new(checklist::base_url::tls_connection::TlsConnection),
        // header-present
        Box::new(checklist::header_present::header_value::HeaderValue),
        Box::new(checklist::header_present::pasted_label::PastedLabel),
        // no-quotes
        Box::new(checklist::no_quotes::quoted_value::QuotedValue),
        // key-loaded
        Box::new(checklist::key_loaded::key_source::KeySource),
        Box::new(checklist::key_loaded::dotenv_file::DotenvFileCheck),
        Box::new(checklist::key_loaded::readers_agree::ReadersAgree),
        Box::new(checklist::key_loaded::extra_whitespace::ExtraWhitespace),
        Box::new(checklist::key_loaded::hidden_characters::HiddenCharacters),
        Box::new(checklist::key_loaded::lookalike_characters::LookalikeCharacters),
        Box::new(checklist::key_loaded::placeholder_value::PlaceholderValue),
        // works-in-curl
        Box::new(checklist::works_in_curl::dam_probe::DamProbe),
        Box::new(checklist::works_in_curl::catalog_probe::CatalogProbe),
        // security
        Box::new(checklist::security::key_on_command_line::KeyOnCommandLine),
        Box::new(checklist::security::key_in_url::KeyInUrl),
        Box::new(checklist::security::plain_http::PlainHttp),
        Box::new(checklist::security::key_file_in_git::KeyFileInGit),
        Box::new(checklist::security::key_file_permissions::KeyFilePermissions),
        Box::new(checklist::security::key_in_deployment_file::KeyInDeploymentFile),
        Box::new(checklist::security::key_shared_across_environments::KeySharedAcrossEnvironments),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_in_checklist_order() {
        let reg = registry();
        let mut seen = std::collections::HashSet::new();
        let mut last_item = model::report::Item::BaseUrl;
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
