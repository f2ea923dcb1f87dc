//! sl-doctor's domain. The tree reads as the troubleshooting checklist:
//! - `model`: data only, importing nothing above it: a check's id, metadata and outcome,
//!   the report, the evidence, the causes, the secret key type;
//! - `input`: key sources, the raw `.env` reader, the files that hold the key;
//! - `analysis`: offline facts about the key value and the URLs;
//! - `leak`: the one secret policy (what leaks the key, how text is redacted);
//! - `net`: resolver, proxy, TLS, HTTP exchange and the API probe (facts, not findings);
//! - `context`: what a check reads: the run's input, its shared connection, the earlier
//!   checks' facts;
//! - `checklist/<item>/<check>.rs`: the `Check` trait and one module per check, in one
//!   folder per checklist item;
//! - `runner`, `diagnosis`: the run and the causes it names.
//!
//! This crate knows nothing about terminals, colours or command lines: checks only
//! produce data ([`Outcome`]); the binary renders it.

pub mod analysis;
pub mod checklist;
pub mod context;
pub mod diagnosis;
pub mod input;
#[cfg(test)]
mod layering;
pub mod leak;
pub mod model;
pub mod net;
pub mod runner;
pub mod saleslayer;
pub mod shell;
/// The one test support module (context and report builders, the leak oracle, the
/// helpers every test shares), for this crate's tests and, with the `test-support`
/// feature, the binary's and the integration tests.
#[cfg(any(test, feature = "test-support"))]
#[doc(hidden)]
pub mod testing_support;

pub use checklist::Check;
pub use context::Context;
pub use model::check::{CheckId, CheckMeta, Outcome, Skipped};
pub use model::code::Code;

/// The documented base URL of the current REST APIs.
pub const DEFAULT_BASE_URL: &str = saleslayer::BASE_URL;

/// The environment variable read by default.
pub const DEFAULT_KEY_ENV: &str = "SALESLAYER_API_KEY";

/// The environment variable that may hold the base URL.
pub const BASE_URL_ENV: &str = "SALESLAYER_BASE_URL";

/// Every check, registered explicitly, in checklist order. Adding a check is one module
/// (its logic and codes), one line here and in `checklist/mod.rs`, and one section in
/// `docs/checks.md` (tests keep the three in step).
pub fn registry() -> Vec<Box<dyn Check>> {
    use checklist::*;
    vec![
        // base-url
        Box::new(UrlFormat),
        Box::new(UrlScheme),
        Box::new(UrlHost),
        Box::new(UrlPath),
        Box::new(DnsResolution),
        Box::new(ProxyConfig),
        Box::new(TlsConnection),
        // header-present
        Box::new(HeaderValue),
        Box::new(PastedLabel),
        // no-quotes
        Box::new(QuotedValue),
        // key-loaded
        Box::new(KeySource),
        Box::new(DotenvFileCheck),
        Box::new(ReadersAgree),
        Box::new(ExtraWhitespace),
        Box::new(HiddenCharacters),
        Box::new(LookalikeCharacters),
        Box::new(PlaceholderValue),
        // works-in-curl
        Box::new(DamProbe),
        Box::new(CatalogProbe),
        // security
        Box::new(KeyOnCommandLine),
        Box::new(KeyInUrl),
        Box::new(PlainHttp),
        Box::new(KeyFileInGit),
        Box::new(KeyFilePermissions),
        Box::new(KeyInDeploymentFile),
        Box::new(KeySharedAcrossEnvironments),
    ]
}

/// The registered checks that read nothing but the key's value, in registry order:
/// `capture` runs them on a value received in a request.
pub fn value_checks() -> Vec<Box<dyn Check>> {
    registry()
        .into_iter()
        .filter(|c| c.meta().value_only)
        .collect()
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
                m.id.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '-'),
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

    #[test]
    fn every_check_declares_sound_codes() {
        for c in registry() {
            let m = c.meta();
            assert!(
                !m.codes.is_empty(),
                "{}: a check without finding codes",
                m.id
            );
            let problems = model::code::problems(m.id.as_str(), m.codes);
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
    }

    #[test]
    fn offline_checks_emit_only_codes_they_declare() {
        use crate::testing_support::{cx_with_key, run};
        // Keys and URLs with one or several defects each; every offline check runs on
        // each (`testing::run` asserts the codes and severities against the metadata).
        let keys: [&[u8]; 9] = [
            b"aB3+xY/9zQ==",
            b"",
            b" \t\r\n",
            b" \"Bearer X-API-KEY: aB3+\xe2\x80\x8bxY/\xef\xbc\xa19zQ==\"\r\n",
            b"${SALESLAYER_API_KEY}",
            b"YOUR_API_KEY",
            b"ab\xffcd",
            b"a\0b\x7fc d\t",
            b"undefined",
        ];
        let urls = [
            ("https://api2.saleslayer.com", None),
            (
                " http://api.saleslayer.com/rest/Catalog/?x#f\n",
                Some("api2.saleslayer.com//dam/images?=1&top=5"),
            ),
            (
                "https://api2.sa1eslayer.com:8443/catalog/",
                Some("https://example.com/x?api_key=k"),
            ),
            ("ftp://127.0.0.1", Some("not a url")),
        ];
        let offline: Vec<Box<dyn Check>> = registry()
            .into_iter()
            .filter(|c| !c.meta().needs_network)
            .collect();
        for key in keys {
            for (base, url) in urls {
                let mut cx = cx_with_key(key);
                cx.target.base_url = base.into();
                cx.target.url = url.map(str::to_string);
                for c in &offline {
                    let _ = run(c.as_ref(), &cx);
                }
            }
        }
    }
}
