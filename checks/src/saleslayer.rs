//! What sl-doctor knows about the Sales Layer REST APIs, in one place: the host, the
//! header that carries the key, the two APIs and the endpoint each probe reads, the
//! documented rate limit and the support address. Checks, the probe, the diagnosis, the
//! mock, `capture` and `support` read these instead of writing them again.
//!
//! A code's one-line meaning is a `const` and cannot be formatted; those few texts spell
//! the host out, and `meanings_spell_the_host_as_here` below keeps them in step.

use std::time::Duration;

/// The documented host of the current REST APIs.
pub const HOST: &str = "api2.saleslayer.com";

/// The host of the legacy Connector API (v1.x, signed query parameters).
pub const LEGACY_CONNECTOR_HOST: &str = "api.saleslayer.com";

/// The documented base URL: the host, with no path (each probe adds its own).
pub const BASE_URL: &str = "https://api2.saleslayer.com";

/// The header the APIs read the key from, as the documentation spells it.
pub const KEY_HEADER: &str = "X-API-KEY";

/// [`KEY_HEADER`] as HTTP/2 sends it and `http::HeaderName` stores it (lowercase).
pub const KEY_HEADER_WIRE: &str = "x-api-key";

/// Where Sales Layer support is reached.
pub const SUPPORT_ADDRESS: &str = "support@saleslayer.com";

/// Sales Layer support, as a fix names it.
pub fn support() -> String {
    format!("Sales Layer support ({SUPPORT_ADDRESS})")
}

/// A request budget per key: so many requests in a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in one window.
    pub requests: u32,
    /// The window.
    pub window: Duration,
}

impl RateLimit {
    /// "50 requests per 10 seconds".
    pub fn describe(self) -> String {
        format!(
            "{} requests per {} seconds",
            self.requests,
            self.window.as_secs()
        )
    }
}

/// The documented limit: 50 requests per 10 seconds per key. Sales Layer documents no
/// status code or `Retry-After` for it; the mock answers 429 with one.
pub const RATE_LIMIT: RateLimit = RateLimit {
    requests: 50,
    window: Duration::from_secs(10),
};

/// The two REST APIs the doctor knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    /// The DAM API (`/dam/...`).
    Dam,
    /// The Catalog API (`/catalog/rest/Catalog/...`).
    Catalog,
}

/// The request a probe sends to one API: `GET {base}{path}[?{query}]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// Path appended to the base URL.
    pub path: &'static str,
    /// Query string, if any.
    pub query: Option<&'static str>,
}

impl Api {
    /// Both, in the order the report lists them.
    pub const ALL: [Api; 2] = [Api::Dam, Api::Catalog];

    /// Lowercase id as used on the command line, in the report and in the mock's keys.
    pub const fn id(self) -> &'static str {
        match self {
            Api::Dam => "dam",
            Api::Catalog => "catalog",
        }
    }

    /// The name the documentation and every message use.
    pub const fn name(self) -> &'static str {
        match self {
            Api::Dam => "DAM",
            Api::Catalog => "Catalog",
        }
    }

    /// The API for a lowercase id.
    pub fn from_id(id: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.id() == id)
    }

    /// The cheapest authenticated read of this API: `GET /dam/image?$top=1` (the DAM
    /// reference's smallest listing), `GET /catalog/rest/Catalog/$metadata` (the Catalog
    /// reference's metadata document, readable by any key enabled for Catalog).
    pub const fn probe_endpoint(self) -> Endpoint {
        match self {
            Api::Dam => Endpoint {
                path: "/dam/image",
                query: Some("$top=1"),
            },
            Api::Catalog => Endpoint {
                path: "/catalog/rest/Catalog/$metadata",
                query: None,
            },
        }
    }

    /// The API a request path belongs to, by its first segment (`/dam`, `/catalog`).
    pub fn of_path(path: &str) -> Option<Api> {
        let first = path.strip_prefix('/')?.split(['/', '?']).next()?;
        Api::ALL.into_iter().find(|a| a.id() == first)
    }

    /// The path prefix every request to this API starts with.
    pub const fn prefix(self) -> &'static str {
        match self {
            Api::Dam => "/dam/",
            Api::Catalog => "/catalog/rest/Catalog/",
        }
    }
}

/// How an API refuses a key, as its reference documents it: the one table of statuses the
/// probe's classification (`net::probe::classify`), the mock and `capture --forward` read.
/// DAM: 401 for a missing key, 400 with problem details for an invalid one (DAMIMG; its
/// error guide also lists 401). Catalog: 401 for a missing or invalid key, 403 "Feature
/// disabled for the tenant" for a key the Catalog API is not enabled for (CATMETA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusals {
    /// No key, or an empty one.
    pub missing_key: u16,
    /// A key the API does not know (or a revoked one).
    pub invalid_key: u16,
    /// A valid key this API is not enabled for.
    pub not_enabled: u16,
}

impl Refusals {
    /// Whether `status` is one of this API's refusals of the key.
    pub fn contains(self, status: u16) -> bool {
        [self.missing_key, self.invalid_key, self.not_enabled].contains(&status)
    }
}

/// The problem-details `detail` of DAM's answer to an invalid key.
pub const INVALID_KEY_DETAIL: &str = "Invalid API key.";

/// The problem-details `detail` of Catalog's answer to a key it is not enabled for.
pub const NOT_ENABLED_DETAIL: &str = "Feature disabled for the tenant.";

impl Api {
    /// How this API refuses a key (see [`Refusals`]).
    pub const fn refusals(self) -> Refusals {
        match self {
            Api::Dam => Refusals {
                missing_key: 401,
                invalid_key: 400,
                not_enabled: 401,
            },
            Api::Catalog => Refusals {
                missing_key: 401,
                invalid_key: 401,
                not_enabled: 403,
            },
        }
    }
}

/// The refusals of both APIs in words, for a message about a status whose API is unknown:
/// "DAM answers 400 for an invalid key, Catalog 401; Catalog 403: not enabled for the key".
pub fn refusals_in_words() -> String {
    let (dam, catalog) = (Api::Dam.refusals(), Api::Catalog.refusals());
    format!(
        "both answer {} for a missing key; DAM answers {} for an invalid key, Catalog {}; Catalog {} means the API is not enabled for this key",
        dam.missing_key, dam.invalid_key, catalog.invalid_key, catalog.not_enabled
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_its_api_by_its_first_segment() {
        for (path, want) in [
            ("/dam", Some(Api::Dam)),
            ("/dam/image?$top=1", Some(Api::Dam)),
            ("/catalog/rest/Catalog/$metadata", Some(Api::Catalog)),
            ("/catalog", Some(Api::Catalog)),
            ("/damage", None),
            ("/rest/Catalog/", None),
            ("dam/image", None),
            ("/", None),
        ] {
            assert_eq!(Api::of_path(path), want, "{path}");
        }
    }

    #[test]
    fn the_refusals_read_as_the_references_document_them() {
        let (dam, catalog) = (Api::Dam.refusals(), Api::Catalog.refusals());
        // `refusals_in_words` says "both" for the missing key.
        assert_eq!(dam.missing_key, catalog.missing_key);
        assert_eq!((dam.invalid_key, catalog.not_enabled), (400, 403));
        assert!(dam.contains(400) && !dam.contains(403) && catalog.contains(403));
        assert_eq!(
            refusals_in_words(),
            "both answer 401 for a missing key; DAM answers 400 for an invalid key, Catalog 401; Catalog 403 means the API is not enabled for this key"
        );
    }

    #[test]
    fn the_facts_agree_with_each_other() {
        assert_eq!(BASE_URL, format!("https://{HOST}"));
        assert_eq!(KEY_HEADER_WIRE, KEY_HEADER.to_ascii_lowercase());
        assert_eq!(RATE_LIMIT.describe(), "50 requests per 10 seconds");
        for api in Api::ALL {
            assert_eq!(Api::from_id(api.id()), Some(api));
            assert!(
                api.probe_endpoint()
                    .path
                    .starts_with(api.prefix().trim_end_matches('/'))
            );
        }
    }

    /// Code meanings are `const` texts; every Sales Layer host they name is spelt as
    /// here (a `*.` pattern names a family of hosts, not this one).
    #[test]
    fn meanings_spell_the_host_as_here() {
        for c in crate::registry() {
            for code in c.meta().codes {
                let hosts = code
                    .meaning
                    .split(|ch: char| !(ch.is_ascii_alphanumeric() || "*.-".contains(ch)))
                    .map(|w| w.trim_end_matches('.'))
                    .filter(|w| w.ends_with("saleslayer.com") && !w.starts_with("*."));
                for h in hosts {
                    assert!(
                        [HOST, LEGACY_CONNECTOR_HOST].contains(&h),
                        "{}: {h} in {}",
                        code.name,
                        code.meaning
                    );
                }
            }
        }
    }
}
