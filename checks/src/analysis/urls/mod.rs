//! Static analysis of the target URLs: the base URL and the full request URL (`--url`).
//!
//! One pure function, [`analyze`], looks at a URL once and returns the facts the URL
//! checks (`url-format`, `url-scheme`, `url-host`, `url-path`, `key-in-url`,
//! `plain-http`) turn into findings: the stray characters by position, the scheme as
//! given, the host and its class, the port, the path and query problems as typed data,
//! where credentials sit, and the canonical URL to use instead.
//!
//! URLs may hold secrets (that is what `key-in-url` looks for), so nothing here ever
//! keeps a URL as given: the key is replaced before anything is parsed, and every text
//! field is redacted by [`redact`]'s rule.

mod chars;
mod host;
mod path;
mod query;
mod redact;

pub use chars::{Place, Stray, StrayKind};
pub use host::{CANONICAL_HOST, HostClass, LEGACY_CONNECTOR_HOST};
pub use path::{PathFacts, PathProblem};
pub use query::{QueryFacts, QueryProblem, is_key_like_param};
pub use redact::{
    REDACTED, key_needle, key_shaped_host, looks_like_credential, redact, redact_plain_values,
    redact_url,
};

use crate::context::Context;
use redact::{KEY_MARK, KeyFound, redact_scrubbed, scheme_prefix, scrub};

/// Which URL is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The base URL (`--base-url`, `SALESLAYER_BASE_URL` or the default).
    Base,
    /// A full request URL copied from the user's code (`--url`).
    Request,
}

impl Role {
    /// How the URL is named in messages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Base => "base URL",
            Role::Request => "--url",
        }
    }

    /// How the URL is named at the start of a sentence.
    pub fn title(self) -> &'static str {
        match self {
            Role::Base => "The base URL",
            Role::Request => "The --url",
        }
    }
}

/// The scheme as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `https://`.
    Https,
    /// `http://`.
    Http,
    /// No scheme at all (`api2.saleslayer.com`).
    Missing,
    /// Anything else (lowercased).
    Other(String),
}

/// Where the key value itself was found in the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInUrl {
    /// The parts of the URL that hold it ("user info", "host", "path", "query string",
    /// "fragment"), in that order; empty when it straddles parts.
    pub places: Vec<&'static str>,
    /// At least one occurrence is percent-encoded.
    pub encoded: bool,
    /// The host holds only a piece of the key, or the key in lower case (a URL parser
    /// writes a host so), not the key as given.
    pub piece_in_host: bool,
    /// The base URL's host is not the key but looks like one ([`key_shaped_host`]):
    /// another key, pasted where the API host belongs.
    pub shaped_host: bool,
}

impl KeyInUrl {
    /// Whether the host holds the key: the key pasted where the API host belongs.
    pub fn in_host(&self) -> bool {
        self.places.contains(&"host")
    }
}

/// Whether the base URL's host holds the key, or looks like a key (a key pasted as the
/// base URL): nothing may be sent there, not even a DNS query, which would carry it in
/// clear text.
pub fn base_host_holds_key(cx: &Context) -> bool {
    analyze_target(cx)
        .iter()
        .filter(|f| f.role == Role::Base)
        .filter_map(|f| f.parsed.as_ref().ok())
        .any(|p| p.key.as_ref().is_some_and(KeyInUrl::in_host))
}

/// The facts of a URL that parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The host (ASCII form), when the URL has one.
    pub host: Option<String>,
    /// The host redacted for display.
    pub host_shown: String,
    /// What the host is (`Other` when the URL has no host).
    pub host_class: HostClass,
    /// An explicit non-default port.
    pub port: Option<u16>,
    /// The path, its problems and the segments to use instead.
    pub path: PathFacts,
    /// The path as parsed, redacted for display.
    pub path_shown: String,
    /// The path is `/` (no path given, or only a slash).
    pub path_is_root: bool,
    /// The query string.
    pub query: QueryFacts,
    /// The URL has a fragment (`#…`).
    pub fragment: bool,
    /// The URL has user info (`user:password@`).
    pub userinfo: bool,
    /// The key value itself is in the URL.
    pub key: Option<KeyInUrl>,
}

/// Everything known about one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlFacts {
    /// Base URL or `--url`.
    pub role: Role,
    /// The URL as given, redacted and with invisible characters shown as `<U+XXXX>`.
    pub display: String,
    /// Whitespace, control and invisible characters, by position in the URL as given.
    pub strays: Vec<Stray>,
    /// Length of the URL as given, in user-perceived characters.
    pub length: usize,
    /// The scheme as given.
    pub scheme: Scheme,
    /// The parsed URL, or why it does not parse.
    pub parsed: Result<Parsed, String>,
    /// The key (or user info, or a key-named parameter) is in the URL.
    pub carries_credentials: bool,
    /// The URL to use instead (redacted display form), when one can be given.
    pub canonical: Option<String>,
}

impl UrlFacts {
    /// What the host is, when the URL parses.
    pub fn host_class(&self) -> Option<&HostClass> {
        self.parsed.as_ref().ok().map(|p| &p.host_class)
    }

    /// Whether the host is a loopback host.
    pub fn is_loopback(&self) -> bool {
        self.host_class() == Some(&HostClass::Loopback)
    }

    /// The canonical URL when it differs from what was given.
    pub fn canonical_if_different(&self) -> Option<&str> {
        self.canonical.as_deref().filter(|c| *c != self.display)
    }
}

/// Analyses the base URL and `--url` of the context (base URL first), once per run
/// (`context::memo`).
pub fn analyze_target(cx: &Context) -> std::sync::Arc<Vec<UrlFacts>> {
    let (base, url) = (&cx.target.base_url, cx.target.url.as_deref());
    cx.memo.url_facts(base, url, cx.key.key(), || {
        let key = key_needle(cx.key.key());
        let mut out = vec![analyze(base, Role::Base, key)];
        if let Some(u) = url {
            out.push(analyze(u, Role::Request, key));
        }
        out
    })
}

/// Analyses one URL. `key` is the key text to look for (see [`key_needle`]).
pub fn analyze(raw: &str, role: Role, key: Option<&str>) -> UrlFacts {
    // Any URL shows a key-shaped host redacted; only the base URL's is a finding (a key
    // pasted where the API host belongs).
    let (scrubbed, key_found, shaped) = scrub(raw, key);
    let shaped_host = shaped && role == Role::Base;
    let (strays, length) = chars::strays(raw);
    let cleaned = chars::without_strays(&scrubbed);
    let (scheme, to_parse) = split_scheme(&cleaned);
    let (to_parse, userinfo, auth_start) = cut_userinfo(to_parse);
    let parsed = if cleaned.is_empty() {
        Err("it is empty".to_string())
    } else {
        ::url::Url::parse(&to_parse)
            .map(|u| {
                let trailing_slash = {
                    let before = to_parse.split(['?', '#']).next().unwrap_or("");
                    before.ends_with('/') && before.len() > auth_start
                };
                parsed_facts(
                    &u,
                    role,
                    trailing_slash,
                    userinfo.as_deref(),
                    key,
                    key_found,
                    shaped_host,
                )
            })
            .map_err(|e| e.to_string())
    };
    let canonical = match &parsed {
        Ok(p) => Some(canonical(role, &scheme, p)),
        Err(_) => (role == Role::Base).then(|| crate::DEFAULT_BASE_URL.to_string()),
    };
    let carries_credentials = key_found.is_some()
        || parsed
            .as_ref()
            .is_ok_and(|p| p.key.is_some() || p.userinfo || !p.query.key_params.is_empty());
    UrlFacts {
        role,
        display: redact_scrubbed(&scrubbed),
        strays,
        length,
        scheme,
        parsed,
        carries_credentials,
        canonical,
    }
}

/// The scheme as given, and the URL to parse (with `https://` when it has none).
fn split_scheme(cleaned: &str) -> (Scheme, String) {
    match scheme_prefix(cleaned) {
        Some(len) => {
            let s = cleaned[..len].to_ascii_lowercase();
            let scheme = match s.as_str() {
                "https" => Scheme::Https,
                "http" => Scheme::Http,
                _ => Scheme::Other(s),
            };
            (scheme, cleaned.to_string())
        }
        None => match cleaned.strip_prefix("//") {
            Some(rest) => (Scheme::Missing, format!("https://{rest}")),
            None => (Scheme::Missing, format!("https://{cleaned}")),
        },
    }
}

/// Cuts the user info off a URL: (URL without it, the user info, where the authority
/// starts). User info ends at the last `@` before the query, even after a `/` (a
/// password holding a base64 key with `/`): it is cut off before parsing, so that no
/// part of it is ever taken for the host or the path.
fn cut_userinfo(to_parse: String) -> (String, Option<String>, usize) {
    let auth_start = to_parse.find("://").map_or(0, |i| i + 3);
    let before_query_end = to_parse[auth_start..]
        .find(['?', '#'])
        .map_or(to_parse.len(), |i| auth_start + i);
    match to_parse[auth_start..before_query_end].rfind('@') {
        Some(at) => (
            format!(
                "{}{}",
                &to_parse[..auth_start],
                &to_parse[auth_start + at + 1..]
            ),
            Some(to_parse[auth_start..auth_start + at].to_string()),
            auth_start,
        ),
        None => (to_parse, None, auth_start),
    }
}

fn parsed_facts(
    u: &::url::Url,
    role: Role,
    trailing_slash: bool,
    userinfo: Option<&str>,
    key: Option<&str>,
    key_found: Option<KeyFound>,
    shaped_host: bool,
) -> Parsed {
    let host_class = u
        .host()
        .as_ref()
        .map_or(HostClass::Other, host::classify_host);
    let in_part = |p: Option<&str>| p.is_some_and(|p| p.contains(KEY_MARK));
    let host_holds_key = in_part(u.host_str());
    // A host is written in lower case, and a piece of the key there is as much of a leak
    // (and as little of an API) as the whole key.
    let piece_in_host = !host_holds_key
        && key
            .zip(u.host_str())
            .is_some_and(|(k, h)| holds_piece(h, k));
    let key = match key_found {
        _ if shaped_host => Some(KeyInUrl {
            places: vec!["host"],
            encoded: false,
            piece_in_host: false,
            shaped_host,
        }),
        Some(k) => Some(KeyInUrl {
            places: [
                ("user info", in_part(userinfo)),
                ("host", host_holds_key || piece_in_host),
                ("path", in_part(Some(u.path()))),
                ("query string", in_part(u.query())),
                ("fragment", in_part(u.fragment())),
            ]
            .iter()
            .filter(|p| p.1)
            .map(|p| p.0)
            .collect(),
            encoded: k.encoded,
            piece_in_host,
            shaped_host,
        }),
        None => piece_in_host.then(|| KeyInUrl {
            places: vec!["host"],
            encoded: false,
            piece_in_host,
            shaped_host,
        }),
    };
    Parsed {
        host: u.host_str().map(str::to_string),
        host_shown: redact_scrubbed(u.host_str().unwrap_or_default()),
        path: path::analyze(u.path(), role, host_class.is_sales_layer(), trailing_slash),
        host_class,
        port: u.port(),
        path_shown: redact_scrubbed(u.path()),
        path_is_root: u.path() == "/",
        query: query::analyze(u.query()),
        fragment: u.fragment().is_some(),
        userinfo: userinfo.is_some(),
        key,
    }
}

/// Whether `host` holds a piece of `key` as the leak policy counts one
/// ([`crate::leak::PIECE`] characters), ignoring ASCII case.
fn holds_piece(host: &str, key: &str) -> bool {
    let n = crate::leak::PIECE;
    let (host, key) = (host.to_ascii_lowercase(), key.to_ascii_lowercase());
    host.len() >= n
        && key
            .as_bytes()
            .windows(n)
            .any(|w| host.as_bytes().windows(n).any(|h| h == w))
}

/// The URL to use instead: https (http kept on loopback), the API host for any Sales
/// Layer host, the documented path (a base URL keeps only a proxy's path prefix), and
/// the request's query without credentials.
fn canonical(role: Role, scheme: &Scheme, p: &Parsed) -> String {
    let class = &p.host_class;
    let canon_scheme = match (scheme, class) {
        (Scheme::Http | Scheme::Missing, HostClass::Loopback) => "http",
        _ => "https",
    };
    // A host that holds the key (the key pasted as the base URL) is no host to keep.
    let key_is_host = p.key.as_ref().is_some_and(KeyInUrl::in_host);
    let canon_host = if class.is_sales_layer() || key_is_host {
        CANONICAL_HOST.to_string()
    } else {
        let h = p.host.clone().unwrap_or_default();
        match p.port {
            Some(port) => format!("{h}:{port}"),
            None => h,
        }
    };
    let mut c = format!("{canon_scheme}://{canon_host}");
    let keep_path = match role {
        Role::Request => true,
        Role::Base => !class.is_sales_layer() && !p.path.api_like,
    };
    if keep_path && !p.path.segments.is_empty() {
        c.push('/');
        c.push_str(&p.path.segments.join("/"));
    }
    if role == Role::Request && !p.query.kept.is_empty() {
        c.push('?');
        c.push_str(&p.query.kept.join("&"));
    }
    redact_scrubbed(&c)
}

/// Helpers for the URL checks' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::checklist::Check;
    use crate::model::report::Status;
    use crate::testing_support::{cx_with_base_url, run};

    /// A context with this base URL and, optionally, this `--url`.
    pub fn cx(base: &str, url: Option<&str>) -> Context {
        let mut cx = cx_with_base_url(base);
        cx.target.url = url.map(str::to_string);
        cx
    }

    /// The finding codes and status of a check for this base URL and `--url`.
    pub fn codes(check: &dyn Check, base: &str, url: Option<&str>) -> (Vec<String>, Status) {
        let o = run(check, &cx(base, url)).unwrap();
        (
            o.findings.iter().map(|f| f.code.clone()).collect(),
            o.status(),
        )
    }

    /// The canonical URL of the last analysed URL (the `--url` when given).
    pub fn canonical(base: &str, url: Option<&str>) -> Option<String> {
        analyze_target(&cx(base, url))
            .last()
            .unwrap()
            .canonical
            .clone()
    }

    /// Asserts a check's codes, status and the canonical URL for this base URL and `--url`.
    pub fn assert_case(
        check: &dyn Check,
        (base, url): (&str, Option<&str>),
        want: &[&str],
        status: Status,
        canon: &str,
    ) {
        let (got, st) = codes(check, base, url);
        assert_eq!(got, want, "{base:?} {url:?}");
        assert_eq!(st, status, "{base:?} {url:?}");
        assert_eq!(
            canonical(base, url).as_deref(),
            Some(canon),
            "{base:?} {url:?}"
        );
    }

    /// The documented base URL, as the URL tables write it.
    pub const API2: &str = crate::DEFAULT_BASE_URL;

    /// A path on the API host (`/dam/image` → `https://api2.saleslayer.com/dam/image`), or
    /// a whole URL as given: keeps the URL tables of the checks short.
    pub fn on_api2(path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{API2}{path}")
        }
    }

    /// One row of a URL check's table: base URL, `--url`, the expected codes, the status,
    /// and the URL to use; `--url` and the URL to use may be paths on the API host.
    pub type UrlCase = (
        &'static str,
        Option<&'static str>,
        &'static [&'static str],
        Status,
        &'static str,
    );

    /// Asserts every row of a URL check's table with [`assert_case`].
    pub fn assert_cases(check: &dyn Check, cases: &[UrlCase]) {
        for (base, url, want, status, canon) in cases {
            let url = url.map(on_api2);
            assert_case(
                check,
                (base, url.as_deref()),
                want,
                *status,
                &on_api2(canon),
            );
        }
    }

    /// The ids of the six URL checks.
    pub const URL_CHECKS: [crate::CheckId; 6] = {
        use crate::checklist::*;
        [
            UrlFormat::ID,
            UrlScheme::ID,
            UrlHost::ID,
            UrlPath::ID,
            KeyInUrl::ID,
            PlainHttp::ID,
        ]
    };
}

#[cfg(test)]
mod tests {
    use super::test_support::URL_CHECKS;
    use super::*;
    use crate::model::secret::SecretKey;
    use crate::testing_support::CANARY;

    /// Every URL check, on every placement of the canary, with and without the key known.
    #[test]
    fn no_check_ever_prints_the_canary() {
        use crate::testing_support::{cx_with_key, run};
        let enc = "SLDOCTORcanary7Qx9%2BZk%2F4mW2%3D";
        let placements: Vec<(String, Option<String>)> = vec![
            (format!("https://api2.saleslayer.com?apikey={CANARY}"), None),
            (format!("https://me:{CANARY}@api2.saleslayer.com"), None),
            (format!("https://me:{enc}@api2.saleslayer.com"), None),
            (
                format!("http://{CANARY}@api2.saleslayr.com/rest/Catalog/"),
                None,
            ),
            (
                "https://api2.saleslayer.com".into(),
                Some(format!(
                    "https://api2.saleslayer.com/dam/images?$top=1&api_key={CANARY}"
                )),
            ),
            (
                "https://api2.saleslayer.com".into(),
                Some(format!(
                    "https://api2.saleslayer.com/dam/image?$top=1&x-api-key={enc}#{CANARY}"
                )),
            ),
            (
                "https://api2.saleslayer.com".into(),
                Some(format!(
                    "https://api2.saleslayer.com/catalog/rest/Catalog/Products?$filter={enc}&=1"
                )),
            ),
            (
                "https://api2.saleslayer.com".into(),
                Some(format!(
                    "https://u:{enc}@api2.saleslayer.com/dam/image?q={CANARY}\n"
                )),
            ),
            (
                "https://api2.saleslayer.com".into(),
                Some(format!(
                    "api.saleslayer.com/?code={CANARY}&key256={enc}&{CANARY}"
                )),
            ),
        ];
        let checks: Vec<Box<dyn crate::checklist::Check>> = crate::registry()
            .into_iter()
            .filter(|c| URL_CHECKS.contains(&c.meta().id))
            .collect();
        assert_eq!(checks.len(), 6);
        for key in [CANARY.as_bytes(), b"another-key-entirely".as_slice()] {
            for (base, url) in &placements {
                for allow_http in [false, true] {
                    let mut cx = cx_with_key(key);
                    cx.target.base_url = base.clone();
                    cx.target.url = url.clone();
                    cx.net.allow_http = allow_http;
                    for c in &checks {
                        let json = serde_json::to_string(&run(c.as_ref(), &cx).unwrap()).unwrap();
                        assert!(
                            !crate::testing_support::leaks(CANARY, &json),
                            "{} leaked a piece of the key for {base:?} {url:?}: {json}",
                            c.meta().id
                        );
                    }
                }
            }
            // And the redaction helper the runner uses for the report's target.
            for (base, _) in &placements {
                let shown = redact(base, Some(&SecretKey::from_bytes(key.to_vec())));
                assert!(!crate::testing_support::leaks(CANARY, &shown), "{shown}");
            }
        }
    }

    #[test]
    fn default_passes_everything_and_the_mock_fails_nothing_in_base_url() {
        use crate::model::report::Status;
        use crate::testing_support::{cx_with_base_url, run};
        for c in crate::registry() {
            let id = c.meta().id;
            if !URL_CHECKS.contains(&id) {
                continue;
            }
            let o = run(c.as_ref(), &cx_with_base_url(crate::DEFAULT_BASE_URL)).unwrap();
            assert_eq!(o.status(), Status::Pass, "{id}: {o:?}");
            assert!(o.findings.is_empty(), "{id}: {o:?}");
            let o = run(c.as_ref(), &cx_with_base_url("http://127.0.0.1:8080")).unwrap();
            use crate::checklist::{UrlFormat, UrlHost, UrlPath};
            if [UrlFormat::ID, UrlHost::ID, UrlPath::ID].contains(&id) {
                assert_eq!(o.status(), Status::Pass, "{id}: {o:?}");
            }
        }
    }

    #[test]
    fn stray_characters_are_found_by_position_and_place() {
        let f = analyze(" https://api2.saleslayer.com\u{200B}x\n", Role::Base, None);
        let got: Vec<_> = f.strays.iter().map(|s| (s.position, s.place)).collect();
        assert_eq!(
            got,
            [
                (1, Place::Leading),
                (29, Place::Inside),
                (31, Place::Trailing)
            ]
        );
        assert_eq!(f.length, 31);
    }

    #[test]
    fn key_places_are_named() {
        let f = analyze(
            "https://me:SLDOCTORcanary7Qx9@h.example/x?q=SLDOCTORcanary7Qx9%2B",
            Role::Request,
            Some("SLDOCTORcanary7Qx9"),
        );
        let key = f.parsed.unwrap().key.unwrap();
        assert_eq!(key.places, ["user info", "query string"]);
        assert!(!key.encoded);
    }

    #[test]
    fn a_key_pasted_as_the_base_url_gets_the_api_host() {
        let key = "SLDOCTORcanary7Qx9+Zk/4mW2=abcdefgh";
        for raw in [key.to_string(), format!("https://{}", &key[..18])] {
            let needle = &raw.trim_start_matches("https://").to_string();
            let facts = analyze(&raw, Role::Base, Some(needle));
            assert_eq!(
                facts.canonical.as_deref(),
                Some("https://api2.saleslayer.com"),
                "{raw}"
            );
        }
    }

    #[test]
    fn canonical_url_table() {
        let cases: &[(&str, Role, Option<&str>)] = &[
            (
                "https://api2.saleslayer.com",
                Role::Base,
                Some("https://api2.saleslayer.com"),
            ),
            (
                "https://api2.saleslayer.com/",
                Role::Base,
                Some("https://api2.saleslayer.com"),
            ),
            (
                "api2.saleslayer.com",
                Role::Base,
                Some("https://api2.saleslayer.com"),
            ),
            (
                "http://api2.saleslayer.com/rest/Catalog",
                Role::Base,
                Some("https://api2.saleslayer.com"),
            ),
            (
                "https://api2.saleslayr.com:8443/dam",
                Role::Base,
                Some("https://api2.saleslayer.com"),
            ),
            (
                "http://127.0.0.1:8080",
                Role::Base,
                Some("http://127.0.0.1:8080"),
            ),
            ("127.0.0.1:8080", Role::Base, Some("http://127.0.0.1:8080")),
            (
                "https://proxy.example.com/saleslayer",
                Role::Base,
                Some("https://proxy.example.com/saleslayer"),
            ),
            (
                "http://proxy.example.com",
                Role::Base,
                Some("https://proxy.example.com"),
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog/",
                Role::Request,
                Some("https://api2.saleslayer.com/catalog/rest/Catalog/$metadata"),
            ),
            (
                "http://api2.saleslayer.com/rest/Catalog/Products?$top=10",
                Role::Request,
                Some("https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=10"),
            ),
            (
                "https://api2.saleslayer.com/dam/images?$top=1&api_key=zzz",
                Role::Request,
                Some("https://api2.saleslayer.com/dam/image?$top=1"),
            ),
            (
                "https://api2.saleslayer.com/dam/image?=10",
                Role::Request,
                Some("https://api2.saleslayer.com/dam/image"),
            ),
            (
                "https://api.saleslayer.com/$metadata",
                Role::Request,
                Some("https://api2.saleslayer.com/catalog/rest/Catalog/$metadata"),
            ),
            (
                "https://api2.saleslayer.com/catalog/Products",
                Role::Request,
                Some("https://api2.saleslayer.com/catalog/rest/Catalog/Products"),
            ),
            ("", Role::Base, Some("https://api2.saleslayer.com")),
            ("https://[::1", Role::Request, None),
        ];
        for (input, role, want) in cases {
            let a = analyze(input, *role, None);
            assert_eq!(a.canonical.as_deref(), *want, "{input:?}");
        }
    }
}
