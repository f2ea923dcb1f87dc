//! Static analysis of the target URLs: the base URL and the full request URL (`--url`).
//!
//! One pure function, [`analyze`], looks at a URL once and returns everything the
//! `base-url` checks (`url-format`, `url-scheme`, `url-host`, `url-path`) and the URL
//! checks of the `security` item (`key-in-url`, `plain-http`) need: the parsed parts,
//! the canonical URL to use instead, and the findings, each tagged with the check that
//! reports it. The checks only filter.
//!
//! URLs may hold secrets (that is what `key-in-url` looks for), so nothing here ever
//! echoes a URL as given: [`redact`] replaces the user info, every query value (except
//! the numeric values of the OData `$top` and `$skip`), the fragment and every
//! occurrence of the key (raw or percent-encoded) with `[redacted]`, and every message
//! is built from redacted parts only.

use crate::model::check::Outcome;
use crate::model::context::Context;
use crate::model::report::{Finding, Position, Severity};
use crate::model::secret::SecretKey;
use percent_encoding::percent_decode_str;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

/// The documented host of the current REST APIs.
pub const CANONICAL_HOST: &str = "api2.saleslayer.com";
/// The host of the legacy Connector API (v1.x, signed query parameters).
pub const LEGACY_CONNECTOR_HOST: &str = "api.saleslayer.com";
/// What every redacted part is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Stands for the key inside the scrubbed URL (parses as a name, a host label or a value).
const KEY_MARK: &str = "sldoctor-redacted-key";

/// The documented Catalog prefix.
const CATALOG_PREFIX: [&str; 3] = ["catalog", "rest", "Catalog"];

/// Catalog resources named in the docs (old and new), lowercase.
const CATALOG_RESOURCES: [&str; 9] = [
    "$metadata",
    "products",
    "variants",
    "categories",
    "attributesets",
    "customentities",
    "pointsofsale",
    "families",
    "changelogs",
];

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

    fn title(self) -> &'static str {
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

/// What kind of host the URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostClass {
    /// `api2.saleslayer.com`.
    Canonical,
    /// `api.saleslayer.com`: the legacy Connector API.
    LegacyConnector,
    /// A host that only appears in old docs examples (`catalog-rest.kp.saleslayer.com`).
    Internal,
    /// An ASCII host within edit distance 2 of the canonical host.
    Typo {
        /// Edit distance to `api2.saleslayer.com`.
        distance: usize,
    },
    /// A host with non-ASCII (or punycode) characters that looks like the canonical host.
    Lookalike {
        /// The host as Unicode.
        unicode: String,
        /// The non-ASCII characters: (1-based character index in the host, code point, name).
        chars: Vec<(usize, String, String)>,
    },
    /// Some other `*.saleslayer.com` host.
    OtherSalesLayer,
    /// localhost, 127.0.0.0/8, ::1 (the sl-doctor mock, a local proxy).
    Loopback,
    /// Any other host (a company proxy, a mock).
    Other,
}

impl HostClass {
    /// Whether the canonical URL replaces this host with `api2.saleslayer.com`.
    pub fn is_sales_layer(&self) -> bool {
        !matches!(self, HostClass::Loopback | HostClass::Other)
    }
}

/// One finding, tagged with the check that reports it.
#[derive(Debug, Clone)]
pub struct Issue {
    /// Id of the check that reports it.
    pub check: &'static str,
    /// A few words for the check summary (secret-free).
    pub short: String,
    /// The finding.
    pub finding: Finding,
}

/// Everything known about one URL.
#[derive(Debug, Clone)]
pub struct UrlAnalysis {
    /// Base URL or `--url`.
    pub role: Role,
    /// The URL as given, redacted and with invisible characters shown as `<U+XXXX>`.
    pub display: String,
    /// The scheme as given.
    pub scheme: Scheme,
    /// The host (ASCII form) when the URL parses.
    pub host: Option<String>,
    /// An explicit non-default port.
    pub port: Option<u16>,
    /// What the host is.
    pub host_class: Option<HostClass>,
    /// The key (or user info, or a key-named parameter) is in the URL.
    pub carries_credentials: bool,
    /// The URL to use instead (redacted display form), when one can be given.
    pub canonical: Option<String>,
    /// The findings of every URL check.
    pub issues: Vec<Issue>,
}

impl UrlAnalysis {
    /// Whether the host is a loopback host.
    pub fn is_loopback(&self) -> bool {
        self.host_class == Some(HostClass::Loopback)
    }

    /// The canonical URL when it differs from what was given.
    pub fn canonical_if_different(&self) -> Option<&str> {
        self.canonical.as_deref().filter(|c| *c != self.display)
    }

    fn use_hint(&self) -> String {
        match &self.canonical {
            Some(c) => format!("use {c}"),
            None => format!(
                "use a URL such as {}/dam/image?$top=1",
                crate::DEFAULT_BASE_URL
            ),
        }
    }

    fn push(&mut self, check: &'static str, short: impl Into<String>, finding: Finding) {
        self.issues.push(Issue {
            check,
            short: short.into(),
            finding,
        });
    }
}

/// The key as text to look for in URLs: valid UTF-8, trimmed, longer than 7 characters.
pub fn key_needle(key: Option<&SecretKey>) -> Option<&str> {
    key.and_then(|k| k.expose_str())
        .map(str::trim)
        .filter(|k| k.chars().count() > 7)
}

/// Analyses the base URL and `--url` of the context (base URL first).
pub fn analyze_target(cx: &Context) -> Vec<UrlAnalysis> {
    let key = key_needle(cx.key.key());
    let mut out = vec![analyze(
        &cx.target.base_url,
        Role::Base,
        key,
        cx.net.allow_http,
    )];
    if let Some(u) = &cx.target.url {
        out.push(analyze(u, Role::Request, key, cx.net.allow_http));
    }
    out
}

/// A URL redacted for display: user info, query values (except numeric `$top`/`$skip`),
/// the fragment and every occurrence of the key are replaced by `[redacted]`; invisible
/// characters and whitespace are shown as `<U+XXXX>`.
pub fn redact(url: &str, key: Option<&SecretKey>) -> String {
    let (scrubbed, _, _) = scrub_key(url, key_needle(key));
    redact_scrubbed(&scrubbed)
}

fn redact_scrubbed(scrubbed: &str) -> String {
    let escaped: String = scrubbed
        .chars()
        .map(|c| {
            if stray_kind(c).is_some() {
                format!("<U+{:04X}>", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    redact_structure(&escaped).replace(KEY_MARK, REDACTED)
}

/// Redacts user info, query values and the fragment of a URL string that may not parse.
fn redact_structure(s: &str) -> String {
    let (head, fragment) = match s.find('#') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (before_query, query) = match head.find('?') {
        Some(i) => (&head[..i], Some(&head[i + 1..])),
        None => (head, None),
    };
    let auth_start = match scheme_prefix(before_query) {
        Some(len) => len + 3,
        None if before_query.starts_with("//") => 2,
        None => 0,
    };
    let rest = &before_query[auth_start..];
    let mut out = String::from(&before_query[..auth_start]);
    // The last `@` before the query ends the user info, even after a `/`: a password
    // that contains `/` (a base64 key) must not be shown as a path.
    match rest.rfind('@') {
        Some(at) => {
            out.push_str(REDACTED);
            out.push_str(&rest[at..]);
        }
        None => out.push_str(rest),
    }
    if let Some(q) = query {
        out.push('?');
        let parts: Vec<String> = q.split('&').map(redact_query_part).collect();
        out.push_str(&parts.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        if !f.is_empty() {
            out.push_str(REDACTED);
        }
    }
    out
}

fn redact_query_part(part: &str) -> String {
    match part.split_once('=') {
        Some((name, value)) => {
            let decoded = decode(name);
            let shown_name = if is_name_like(name) { name } else { REDACTED };
            if matches!(decoded.as_str(), "$top" | "$skip")
                && !value.is_empty()
                && value.bytes().all(|b| b.is_ascii_digit())
            {
                format!("{shown_name}={value}")
            } else if value.is_empty() {
                format!("{shown_name}=")
            } else {
                format!("{shown_name}={REDACTED}")
            }
        }
        None if part.is_empty() => String::new(),
        None if is_name_like(part) && part.len() <= 24 => part.to_string(),
        None => REDACTED.to_string(),
    }
}

/// A query parameter name that can be shown: short, and only name characters.
fn is_name_like(name: &str) -> bool {
    name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$' | b'%'))
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Length of a `scheme` followed by `://`, when the string starts with one.
fn scheme_prefix(s: &str) -> Option<usize> {
    let i = s.find("://")?;
    let scheme = &s[..i];
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    (first.is_ascii_alphabetic()
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
    .then_some(i)
}

/// Replaces every occurrence of the key (each byte literal or as `%XX`) with `KEY_MARK`.
/// Returns (scrubbed, found, found percent-encoded).
fn scrub_key(raw: &str, key: Option<&str>) -> (String, bool, bool) {
    let Some(key) = key else {
        return (raw.to_string(), false, false);
    };
    let (rb, kb) = (raw.as_bytes(), key.as_bytes());
    let (mut out, mut found, mut encoded) = (String::new(), false, false);
    let (mut i, mut last) = (0, 0);
    while i < rb.len() {
        if let Some((end, enc)) = match_key_at(rb, i, kb) {
            out.push_str(&raw[last..i]);
            out.push_str(KEY_MARK);
            found = true;
            encoded |= enc;
            i = end;
            last = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&raw[last..]);
    (out, found, encoded)
}

fn match_key_at(rb: &[u8], mut i: usize, kb: &[u8]) -> Option<(usize, bool)> {
    let mut enc = false;
    for &b in kb {
        if rb.get(i) == Some(&b) {
            i += 1;
        } else if rb.get(i) == Some(&b'%')
            && i + 2 < rb.len()
            && hex_byte(rb[i + 1], rb[i + 2]) == Some(b)
        {
            i += 3;
            enc = true;
        } else {
            return None;
        }
    }
    Some((i, enc))
}

fn hex_byte(h: u8, l: u8) -> Option<u8> {
    let v = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    Some(v(h)? * 16 + v(l)?)
}

/// Why a character does not belong in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrayKind {
    Whitespace,
    Control,
    Invisible,
}

fn stray_kind(c: char) -> Option<StrayKind> {
    if c.is_whitespace() {
        Some(StrayKind::Whitespace)
    } else if c.is_control() {
        Some(StrayKind::Control)
    } else if c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{180E}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}'
        )
    {
        Some(StrayKind::Invisible)
    } else {
        None
    }
}

/// The Unicode name of a character (shared with the key analysis).
pub fn char_name(c: char) -> String {
    crate::analysis::value::char_name(c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Decodes one punycode label (without its `xn--` prefix), RFC 3492.
fn punycode_decode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta /= if first { 700 } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + 38)
    }
    let (basic, ext) = match input.rfind('-') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut out: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut it = ext.bytes().peekable();
    while it.peek().is_some() {
        let old = i;
        let (mut w, mut k) = (1u32, BASE);
        loop {
            let digit = match it.next()? {
                b @ b'a'..=b'z' => b - b'a',
                b @ b'A'..=b'Z' => b - b'A',
                b @ b'0'..=b'9' => b - b'0' + 26,
                _ => return None,
            } as u32;
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = if k <= bias {
                TMIN
            } else if k >= bias + TMAX {
                TMAX
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = out.len() as u32 + 1;
        bias = adapt(i - old, len, old == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        out.insert(i as usize, char::from_u32(n)?);
        i += 1;
    }
    Some(out.into_iter().collect())
}

/// The host as Unicode (punycode labels decoded).
fn unicode_host(host: &str) -> String {
    host.split('.')
        .map(|l| match l.strip_prefix("xn--").and_then(punycode_decode) {
            Some(u) => u,
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn classify_host(host: &url::Host<&str>) -> HostClass {
    let name = match host {
        url::Host::Ipv4(ip) if ip.is_loopback() => return HostClass::Loopback,
        url::Host::Ipv6(ip) if ip.is_loopback() => return HostClass::Loopback,
        url::Host::Ipv4(_) | url::Host::Ipv6(_) => return HostClass::Other,
        url::Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
    };
    if name == "localhost" || name.ends_with(".localhost") {
        return HostClass::Loopback;
    }
    if name == CANONICAL_HOST {
        return HostClass::Canonical;
    }
    if name == LEGACY_CONNECTOR_HOST {
        return HostClass::LegacyConnector;
    }
    if name.ends_with(".kp.saleslayer.com") {
        return HostClass::Internal;
    }
    let unicode = unicode_host(&name);
    if !unicode.is_ascii() {
        let skeleton: String = unicode_security::skeleton(&unicode)
            .collect::<String>()
            .to_lowercase();
        let plain = unicode.to_lowercase();
        if edit_distance(&skeleton, CANONICAL_HOST) <= 2
            || edit_distance(&plain, CANONICAL_HOST) <= 2
            || skeleton.contains("saleslayer")
            || skeleton.contains("sales1ayer")
        {
            let chars = unicode
                .chars()
                .enumerate()
                .filter(|(_, c)| !c.is_ascii())
                .map(|(i, c)| (i + 1, format!("U+{:04X}", c as u32), char_name(c)))
                .collect();
            return HostClass::Lookalike { unicode, chars };
        }
        return HostClass::Other;
    }
    let distance = edit_distance(&name, CANONICAL_HOST);
    if distance <= 2 {
        return HostClass::Typo { distance };
    }
    if name == "saleslayer.com" || name.ends_with(".saleslayer.com") {
        return HostClass::OtherSalesLayer;
    }
    HostClass::Other
}

/// One `name=value` part of a query string, by raw text.
#[derive(Debug, Clone)]
struct QueryPart {
    raw: String,
    name: String,
}

fn query_parts(q: &str) -> Vec<QueryPart> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let n = p.split_once('=').map_or(p, |(n, _)| n);
            QueryPart {
                raw: p.to_string(),
                name: decode(n),
            }
        })
        .collect()
}

/// Whether a query parameter name looks like it carries a credential.
pub fn is_key_like_param(name: &str) -> bool {
    if name.starts_with('$') {
        return false;
    }
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    const EXACT: [&str; 16] = [
        "key",
        "apikey",
        "xapikey",
        "token",
        "accesstoken",
        "authtoken",
        "apitoken",
        "auth",
        "authorization",
        "secret",
        "apisecret",
        "clientsecret",
        "password",
        "passwd",
        "pwd",
        "bearer",
    ];
    EXACT.contains(&n.as_str())
        || n.ends_with("apikey")
        || n.ends_with("token")
        || n.ends_with("secret")
}

/// Result of looking at the path of a URL.
struct PathResult {
    segments: Vec<String>,
    /// The path is an API path (DAM or Catalog), as opposed to a proxy prefix.
    api_like: bool,
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn analyze_path(a: &mut UrlAnalysis, path: &str, raw_had_trailing_slash: bool) -> PathResult {
    const ID: &str = "url-path";
    let role = a.role;
    let label = role.label();
    let sl_host = a.host_class.as_ref().is_some_and(HostClass::is_sales_layer);
    let raw_segments: Vec<&str> = path.split('/').skip(1).collect();
    let trailing_slash = path.len() > 1 && path.ends_with('/');
    let inner_empty = raw_segments
        .iter()
        .enumerate()
        .any(|(i, s)| s.is_empty() && i + 1 < raw_segments.len());
    let mut segs: Vec<String> = raw_segments
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect();

    if inner_empty {
        a.push(
            ID,
            "double slash in the path",
            Finding::warn(
                "double-slash",
                format!("The {label} path contains `//`: typically a base URL ending in `/` joined with a path starting with `/`; whether the API treats `//dam/...` like `/dam/...` is not documented"),
            )
            .with_fix("Join the base URL and the path with a single `/`: give the base URL without a trailing slash (https://api2.saleslayer.com)."),
        );
    }
    if role == Role::Base && path == "/" && raw_had_trailing_slash && sl_host {
        a.push(
            ID,
            "trailing slash",
            Finding::info(
                "trailing-slash",
                "The base URL ends with `/`: code that appends `/dam/...` or `/catalog/...` produces `//`",
            )
            .with_fix(format!("Write the base URL without the trailing slash: {}.", crate::DEFAULT_BASE_URL)),
        );
    }

    let first = segs.first().map(|s| s.to_ascii_lowercase());
    let mut api_like = true;
    match first.as_deref() {
        None => {
            api_like = false;
            if role == Role::Request {
                a.push(
                    ID,
                    "no API path",
                    Finding::warn(
                        "no-api-path",
                        "The --url has no path: a request goes to /dam/... or /catalog/rest/Catalog/...",
                    )
                    .with_fix(format!(
                        "Give the full request URL, e.g. {0}/dam/image?$top=1 or {0}/catalog/rest/Catalog/$metadata.",
                        crate::DEFAULT_BASE_URL
                    )),
                );
            }
        }
        Some("dam") => {
            if let Some(second) = segs.get(1) {
                if second == "images" || second.starts_with("images(") {
                    a.push(
                        ID,
                        "/dam/images instead of /dam/image",
                        Finding::warn(
                            "dam-images-plural",
                            format!("The {label} uses /dam/images: the Sales Layer guides write /dam/image (singular), the DAM reference pages write /images; which one is current (or whether both work) is not documented"),
                        )
                        .with_fix("Use /dam/image as in the guides; if that fails with 404 while /dam/images works, keep /dam/images."),
                    );
                    segs[1] = format!("image{}", &second["images".len()..]);
                }
            } else if role == Role::Request {
                a.push(
                    ID,
                    "no DAM resource",
                    Finding::warn(
                        "no-api-path",
                        "The --url stops at /dam: no resource is named",
                    )
                    .with_fix(format!(
                        "Name the resource, e.g. {}/dam/image?$top=1.",
                        crate::DEFAULT_BASE_URL
                    )),
                );
            }
        }
        Some("rest") if segs.get(1).is_some_and(|s| eq_ci(s, "Catalog")) => {
            a.push(
                ID,
                "legacy Catalog path /rest/Catalog",
                Finding::fail(
                    "legacy-catalog-path",
                    format!("The {label} uses /rest/Catalog/… without the /catalog prefix: that is the form of the old docs and most public code; the current guides use /catalog/rest/Catalog/…, and whether api2 still serves the old form is not documented"),
                )
                .with_fix("Put /catalog in front: /catalog/rest/Catalog/…"),
            );
            segs.insert(0, "catalog".into());
        }
        Some("catalog") => {
            let has_rest_catalog = segs.get(1).is_some_and(|s| eq_ci(s, "rest"))
                && segs.get(2).is_some_and(|s| eq_ci(s, "Catalog"));
            if !has_rest_catalog && segs.len() > 1 {
                a.push(
                    ID,
                    "Catalog path without /rest/Catalog",
                    Finding::warn(
                        "short-catalog-path",
                        format!("The {label} uses /catalog/… without /rest/Catalog: the documented Catalog paths are /catalog/rest/Catalog/<resource>"),
                    )
                    .with_fix("Use /catalog/rest/Catalog/<resource>, e.g. /catalog/rest/Catalog/$metadata."),
                );
                segs.splice(1..1, ["rest".to_string(), "Catalog".to_string()]);
            } else if !has_rest_catalog && role == Role::Request {
                a.push(
                    ID,
                    "no Catalog resource",
                    Finding::warn(
                        "no-api-path",
                        "The --url stops at /catalog: no resource is named",
                    )
                    .with_fix(format!(
                        "Name the resource, e.g. {}/catalog/rest/Catalog/$metadata.",
                        crate::DEFAULT_BASE_URL
                    )),
                );
            }
        }
        Some(f)
            if f == "catalog"
                || CATALOG_RESOURCES
                    .iter()
                    .any(|r| f == *r || f.starts_with(&format!("{r}("))) =>
        {
            a.push(
                ID,
                "Catalog path without prefix",
                Finding::warn(
                    "missing-api-prefix",
                    format!("The {label} path starts at the Catalog resource: the reference pages show such bare paths, but requests go to /catalog/rest/Catalog/<resource>"),
                )
                .with_fix("Prefix the path with /catalog/rest/Catalog."),
            );
            segs.splice(0..0, CATALOG_PREFIX.map(String::from));
        }
        Some(f) if f == "image" || f == "images" || f.starts_with("images(") => {
            a.push(
                ID,
                "DAM path without /dam",
                Finding::warn(
                    "missing-api-prefix",
                    format!("The {label} path starts at the DAM resource: the reference pages show such bare paths, but requests go to /dam/<resource>"),
                )
                .with_fix("Prefix the path with /dam (https://api2.saleslayer.com/dam/image)."),
            );
            segs.insert(0, "dam".into());
            if segs[1] != "image" && segs[1].to_ascii_lowercase().starts_with("images") {
                let tail = segs[1]["images".len()..].to_string();
                segs[1] = format!("image{tail}");
            }
        }
        Some(_) => {
            api_like = false;
            if role == Role::Request && sl_host {
                a.push(
                    ID,
                    "undocumented path",
                    Finding::warn(
                        "unknown-api-path",
                        format!("The {label} path is neither a DAM (/dam/...) nor a Catalog (/catalog/rest/Catalog/...) path"),
                    )
                    .with_fix("Use a documented path, e.g. /dam/image?$top=1 or /catalog/rest/Catalog/$metadata."),
                );
            }
        }
    }

    // Normalise the case of the documented Catalog prefix.
    if segs.len() >= 3
        && CATALOG_PREFIX
            .iter()
            .zip(&segs)
            .all(|(want, got)| eq_ci(want, got))
    {
        if CATALOG_PREFIX
            .iter()
            .zip(&segs)
            .any(|(want, got)| *want != got)
        {
            a.push(
                ID,
                "letter case of /catalog/rest/Catalog",
                Finding::warn(
                    "path-case",
                    format!("The {label} writes the Catalog prefix with different letter case than the docs (/catalog/rest/Catalog); whether paths are case-insensitive is not documented"),
                )
                .with_fix("Write /catalog/rest/Catalog exactly."),
            );
            for (i, want) in CATALOG_PREFIX.iter().enumerate() {
                segs[i] = want.to_string();
            }
        }
        if role == Role::Request && segs.len() == 3 {
            a.push(
                ID,
                "Catalog URL ends at /Catalog/",
                Finding::fail(
                    "catalog-resource-missing",
                    "The --url ends at /Catalog/ where `$metadata` or a resource was expected: a shell expanded `$metadata` (an unset variable) inside double quotes",
                )
                .with_fix("Put the URL in single quotes, or write \\$metadata or %24metadata (whether the API accepts %24metadata is not documented)."),
            );
            segs.push("$metadata".into());
        } else if role == Role::Request
            && trailing_slash
            && segs.len() >= 4
            && segs.last().is_some_and(|s| s != "$metadata")
        {
            a.push(
                ID,
                "trailing slash after a Catalog resource",
                Finding::warn(
                    "possibly-expanded-metadata",
                    "The --url ends with `/` after a Catalog resource: if you meant <Resource>/$metadata, a shell expanded `$metadata` inside double quotes",
                )
                .with_fix("Put the URL in single quotes, or write \\$metadata; otherwise remove the trailing slash."),
            );
        }
    }
    if segs.iter().any(|s| s.to_ascii_lowercase().contains("%24")) {
        a.push(
            ID,
            "percent-encoded $ in the path",
            Finding::info(
                "percent-encoded-dollar",
                format!("The {label} path writes `$` as %24; the docs write a literal `$` and do not say whether %24 is accepted"),
            ),
        );
    }
    PathResult {
        segments: segs,
        api_like,
    }
}

/// Analyses one URL. `key` is the key text to look for (see [`key_needle`]).
pub fn analyze(raw: &str, role: Role, key: Option<&str>, allow_http: bool) -> UrlAnalysis {
    let (scrubbed, key_found, key_encoded) = scrub_key(raw, key);
    let mut a = UrlAnalysis {
        role,
        display: redact_scrubbed(&scrubbed),
        scheme: Scheme::Missing,
        host: None,
        port: None,
        host_class: None,
        carries_credentials: key_found,
        canonical: None,
        issues: Vec::new(),
    };
    let label = role.label();
    let title = role.title();

    // Stray characters, by position in the URL as given.
    let graphemes: Vec<&str> = raw.graphemes(true).collect();
    let total = graphemes.len();
    let first_visible = graphemes
        .iter()
        .position(|g| !g.chars().all(|c| stray_kind(c).is_some()));
    let last_visible = graphemes
        .iter()
        .rposition(|g| !g.chars().all(|c| stray_kind(c).is_some()));
    let mut strays = Vec::new();
    for (i, g) in graphemes.iter().enumerate() {
        for c in g.chars() {
            if let Some(kind) = stray_kind(c) {
                let place = match (first_visible, last_visible) {
                    (Some(f), _) if i < f => "leading",
                    (_, Some(l)) if i > l => "trailing",
                    (None, _) => "leading",
                    _ => "inside",
                };
                strays.push((i + 1, c, kind, place));
            }
        }
    }
    let cleaned: String = scrubbed
        .chars()
        .filter(|c| stray_kind(*c).is_none())
        .collect();

    // Scheme.
    let (scheme, to_parse) = match scheme_prefix(&cleaned) {
        Some(len) => {
            let s = cleaned[..len].to_ascii_lowercase();
            let scheme = match s.as_str() {
                "https" => Scheme::Https,
                "http" => Scheme::Http,
                _ => Scheme::Other(s),
            };
            (scheme, cleaned.clone())
        }
        None => match cleaned.strip_prefix("//") {
            Some(rest) => (Scheme::Missing, format!("https://{rest}")),
            None => (Scheme::Missing, format!("https://{cleaned}")),
        },
    };
    a.scheme = scheme.clone();
    // User info ends at the last `@` before the query, even after a `/` (a password
    // holding a base64 key with `/`): cut it off before parsing, so that no part of it
    // is ever taken for the host or the path.
    let auth_start = to_parse.find("://").map_or(0, |i| i + 3);
    let before_query_end = to_parse[auth_start..]
        .find(['?', '#'])
        .map_or(to_parse.len(), |i| auth_start + i);
    let (to_parse, userinfo) = match to_parse[auth_start..before_query_end].rfind('@') {
        Some(at) => (
            format!(
                "{}{}",
                &to_parse[..auth_start],
                &to_parse[auth_start + at + 1..]
            ),
            Some(to_parse[auth_start..auth_start + at].to_string()),
        ),
        None => (to_parse, None),
    };
    let has_userinfo = userinfo.is_some();
    let parsed = if cleaned.is_empty() {
        Err("it is empty".to_string())
    } else {
        url::Url::parse(&to_parse).map_err(|e| e.to_string())
    };

    // Canonical URL (may be refined below).
    let mut canonical = match role {
        Role::Base => Some(crate::DEFAULT_BASE_URL.to_string()),
        Role::Request => None,
    };

    if let Ok(u) = &parsed {
        let host = u.host();
        let class = host.as_ref().map(classify_host);
        a.host = u.host_str().map(str::to_string);
        a.port = u.port();
        a.host_class = class.clone();

        let raw_had_trailing_slash = {
            let before = to_parse.split(['?', '#']).next().unwrap_or("");
            before.ends_with('/') && before.len() > auth_start
        };

        let path_result = analyze_path(&mut a, u.path(), raw_had_trailing_slash);
        let parts = u.query().map(query_parts).unwrap_or_default();

        // Shell expansion traces and credentials in the query.
        let mut kept: Vec<String> = Vec::new();
        let mut key_params: Vec<String> = Vec::new();
        for (n, p) in parts.iter().enumerate() {
            if p.name.is_empty() {
                a.push(
                    "url-path",
                    "query parameter with an empty name",
                    Finding::fail(
                        "shell-expanded-parameter",
                        format!("Query parameter {} of the {label} has an empty name (`?=…` or `&=…`): a shell expanded `$top`, `$skip`, `$filter`, `$select`, `$orderby` or `$expand` (unset variables) inside double quotes", n + 1),
                    )
                    .with_fix("Put the URL in single quotes, or write \\$top or %24top (whether the API accepts %24top is not documented), then restore the parameter name."),
                );
            } else if is_key_like_param(&p.name) {
                let shown = if is_name_like(&p.name) {
                    p.name.clone()
                } else {
                    REDACTED.to_string()
                };
                key_params.push(shown);
            } else {
                if p.name.starts_with('$') && p.raw.to_ascii_lowercase().starts_with("%24") {
                    a.push(
                        "url-path",
                        "percent-encoded $ in the query",
                        Finding::info(
                            "percent-encoded-dollar",
                            format!("The {label} writes `{}` as %24{}: the docs write a literal `$` and do not say whether the API accepts %24", p.name, &p.name[1..]),
                        ),
                    );
                }
                kept.push(p.raw.clone());
            }
        }
        if u.query() == Some("") {
            a.push(
                "url-path",
                "empty query string",
                Finding::warn(
                    "empty-query",
                    format!("The {label} ends with `?` and nothing after it: a shell may have expanded a `$top`-style parameter inside double quotes"),
                )
                .with_fix("Put the URL in single quotes, or write \\$top or %24top."),
            );
        }

        // Credentials.
        if key_found {
            let mut places = Vec::new();
            if userinfo.as_deref().is_some_and(|u| u.contains(KEY_MARK)) {
                places.push("user info");
            }
            if u.host_str().is_some_and(|h| h.contains(KEY_MARK)) {
                places.push("host");
            }
            if u.path().contains(KEY_MARK) {
                places.push("path");
            }
            if u.query().is_some_and(|q| q.contains(KEY_MARK)) {
                places.push("query string");
            }
            if u.fragment().is_some_and(|f| f.contains(KEY_MARK)) {
                places.push("fragment");
            }
            a.push(
                "key-in-url",
                "the API key is in the URL",
                Finding::fail(
                    "key-value-in-url",
                    format!(
                        "The API key itself appears in the {label} ({}{})",
                        if places.is_empty() {
                            "somewhere".to_string()
                        } else {
                            places.join(", ")
                        },
                        if key_encoded { ", percent-encoded" } else { "" }
                    ),
                )
                .with_fix(KEY_IN_URL_FIX),
            );
        }
        if has_userinfo {
            a.carries_credentials = true;
            a.push(
                "key-in-url",
                "user info in the URL",
                Finding::fail(
                    "userinfo-in-url",
                    format!("The {label} contains user info (`user:password@` before the host): the API does not use it, and it is a credential in a URL"),
                )
                .with_fix(KEY_IN_URL_FIX),
            );
        }
        for name in &key_params {
            a.carries_credentials = true;
            a.push(
                "key-in-url",
                format!("query parameter `{name}` carries a credential"),
                Finding::fail(
                    "key-parameter-in-url",
                    format!("The {label} has a query parameter named `{name}`, which looks like a key or token"),
                )
                .with_fix(KEY_IN_URL_FIX),
            );
        }

        // Canonical URL.
        let class = class.unwrap_or(HostClass::Other);
        let loopback = class == HostClass::Loopback;
        let canon_scheme = match (&scheme, &class) {
            (Scheme::Http, HostClass::Loopback) => "http",
            (Scheme::Missing, HostClass::Loopback) => "http",
            _ => "https",
        };
        let canon_host = if class.is_sales_layer() {
            CANONICAL_HOST.to_string()
        } else {
            let h = u.host_str().unwrap_or_default().to_string();
            match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h,
            }
        };
        let mut c = format!("{canon_scheme}://{canon_host}");
        let keep_path = match role {
            Role::Request => true,
            // A path prefix on a proxy is kept; an API path in a base URL is not.
            Role::Base => !class.is_sales_layer() && !path_result.api_like,
        };
        if keep_path && !path_result.segments.is_empty() {
            c.push('/');
            c.push_str(&path_result.segments.join("/"));
        }
        if role == Role::Request && !kept.is_empty() {
            c.push('?');
            c.push_str(&kept.join("&"));
        }
        canonical = Some(redact_scrubbed(&c));

        // Base URL with an API path.
        if role == Role::Base && path_result.api_like {
            a.push(
                "url-path",
                "the base URL has an API path",
                Finding::warn(
                    "base-has-path",
                    format!("The base URL ends in an API path ({}): sl-doctor and the Sales Layer Postman collection expect the bare host and append /dam/... or /catalog/rest/Catalog/... themselves", redact_scrubbed(u.path())),
                )
                .with_fix(format!("Give the bare host as base URL: {}.", canonical.as_deref().unwrap_or(crate::DEFAULT_BASE_URL))),
            );
        } else if role == Role::Base && u.path() != "/" && class.is_sales_layer() {
            a.push(
                "url-path",
                "the base URL has a path",
                Finding::warn(
                    "base-has-path",
                    "The base URL has a path that is not a documented API path: the base URL is the bare host",
                )
                .with_fix(format!("Give the bare host as base URL: {}.", crate::DEFAULT_BASE_URL)),
            );
        }

        // Query and fragment in a base URL.
        if role == Role::Base && u.query().is_some() {
            a.push(
                "url-format",
                "the base URL has a query string",
                Finding::fail(
                    "base-has-query",
                    "The base URL carries a query string (`?…`): a path appended to it lands inside the query, so every request goes to the wrong URL",
                )
                .with_fix(format!("Remove the query string: {}; query parameters such as $top belong to each request.", canonical.as_deref().unwrap_or(crate::DEFAULT_BASE_URL))),
            );
        }
        if u.fragment().is_some() {
            let f = Finding::new(
                "fragment",
                if role == Role::Base {
                    Severity::Fail
                } else {
                    Severity::Warn
                },
                format!(
                    "The {label} carries a fragment (`#…`): it is never sent to the server{}",
                    if role == Role::Base {
                        ", and a path appended to it is lost with it"
                    } else {
                        ""
                    }
                ),
            )
            .with_fix(format!(
                "Remove the `#…` part: {}.",
                canonical.as_deref().unwrap_or(crate::DEFAULT_BASE_URL)
            ));
            a.push("url-format", "the URL has a fragment", f);
        }

        // Scheme.
        let use_it = canonical.clone().unwrap_or_default();
        match &scheme {
            Scheme::Https => {}
            Scheme::Http if loopback => a.push(
                "url-scheme",
                "http:// on a loopback host",
                Finding::info(
                    "http-loopback",
                    format!("The {label} uses http:// on a loopback host: fine for the sl-doctor mock or a local proxy; the production API is https://{CANONICAL_HOST}"),
                ),
            ),
            Scheme::Http => a.push(
                "url-scheme",
                "http:// instead of https://",
                Finding::fail(
                    "http-scheme",
                    format!("The {label} uses http:// (as the old pagination article did): the documented API URL is https://{CANONICAL_HOST}; whether the server answers or redirects plain http is not documented, and the key would travel unencrypted"),
                )
                .with_fix(format!("Use https://: {use_it}.")),
            ),
            Scheme::Missing => a.push(
                "url-scheme",
                "no scheme",
                Finding::fail(
                    "missing-scheme",
                    format!("The {label} has no scheme: HTTP libraries reject it or read it as a relative path, and curl falls back to http://"),
                )
                .with_fix(format!("Write the scheme: {use_it}.")),
            ),
            Scheme::Other(s) => a.push(
                "url-scheme",
                format!("scheme {s}:// instead of https://"),
                Finding::fail(
                    "unsupported-scheme",
                    format!("The {label} uses the scheme {s}://: the API is served over https://"),
                )
                .with_fix(format!("Use https://: {use_it}.")),
            ),
        }

        // Host.
        let host_shown = redact_scrubbed(u.host_str().unwrap_or_default());
        let host_fix = format!("Use the documented host {CANONICAL_HOST}: {use_it}.");
        match &class {
            HostClass::Canonical => {
                if let Some(p) = u.port() {
                    a.push(
                        "url-host",
                        format!("port {p} instead of 443"),
                        Finding::warn(
                            "non-default-port",
                            format!("The {label} names port {p} on {CANONICAL_HOST}: the documented API URL has no port (443 for https)"),
                        )
                        .with_fix(format!("Remove the port: {use_it}.")),
                    );
                }
            }
            HostClass::LegacyConnector => a.push(
                "url-host",
                "api.saleslayer.com is the legacy Connector API",
                Finding::fail(
                    "legacy-connector-host",
                    format!("The {label} points at {LEGACY_CONNECTOR_HOST} (no \"2\"): that is the old Connector API (v1.x), which authenticates with a connector code and signed query parameters (code, time, unique, key256), not with an X-API-KEY header; a connector code or secret is not an api2 key"),
                )
                .with_fix(format!("For the REST APIs use {use_it} with the X-API-KEY key from Sales Layer support; if you only have connector credentials, ask support for an API key for DAM, Catalog or both.")),
            ),
            HostClass::Internal => a.push(
                "url-host",
                format!("{host_shown} is not a documented API host"),
                Finding::fail(
                    "internal-host",
                    format!("The {label} points at {host_shown}: this host appears only in an old docs example (an @readLink in the old pagination article), not as the documented API host"),
                )
                .with_fix(host_fix.clone()),
            ),
            HostClass::Typo { distance } => a.push(
                "url-host",
                format!("host {host_shown} is a misspelling of {CANONICAL_HOST}"),
                Finding::fail(
                    "host-typo",
                    format!("The {label} host {host_shown} is not {CANONICAL_HOST} (it differs by {distance} character{})", if *distance == 1 { "" } else { "s" }),
                )
                .with_fix(host_fix.clone()),
            ),
            HostClass::Lookalike { unicode, chars } => {
                let list: Vec<String> = chars
                    .iter()
                    .map(|(i, cp, name)| format!("{cp} {name} at character {i}"))
                    .collect();
                a.push(
                    "url-host",
                    "host with look-alike characters",
                    Finding::fail(
                        "lookalike-host",
                        format!("The {label} host {} ({host_shown}) looks like {CANONICAL_HOST} but contains non-ASCII characters: {}", redact_scrubbed(unicode), list.join(", ")),
                    )
                    .with_fix(format!("Type the host again in plain ASCII: {use_it}.")),
                );
            }
            HostClass::OtherSalesLayer => a.push(
                "url-host",
                format!("{host_shown} is not the API host"),
                Finding::warn(
                    "other-saleslayer-host",
                    format!("The {label} host {host_shown} is a Sales Layer host but not the documented API host {CANONICAL_HOST}"),
                )
                .with_fix(host_fix.clone()),
            ),
            HostClass::Loopback => a.push(
                "url-host",
                format!("{host_shown} is a loopback host, not the production API host"),
                Finding::info(
                    "loopback-host",
                    format!("The {label} host {host_shown} is a loopback host, not the production API host {CANONICAL_HOST} (fine for the sl-doctor mock or a local proxy)"),
                ),
            ),
            HostClass::Other => a.push(
                "url-host",
                format!("{host_shown} is not the documented API host"),
                Finding::warn(
                    "not-saleslayer-host",
                    format!("The {label} host {host_shown} is not the documented API host {CANONICAL_HOST}; fine if it is a proxy or mock you run that forwards to it"),
                )
                .with_fix(format!("If you meant the Sales Layer API, use {}.", match role { Role::Base => crate::DEFAULT_BASE_URL.to_string(), Role::Request => format!("https://{CANONICAL_HOST}/...") })),
            ),
        }

        // Plain http.
        match &scheme {
            Scheme::Http if loopback => a.push(
                "plain-http",
                "http:// on a loopback host",
                Finding::info(
                    "http-loopback",
                    format!("The {label} uses http:// on a loopback host: the key does not leave this machine"),
                ),
            ),
            Scheme::Http if allow_http => a.push(
                "plain-http",
                "the key will be sent over http",
                Finding::fail(
                    "key-sent-over-http",
                    format!("The {label} uses http:// and --allow-http is set: sl-doctor will send the key unencrypted to {host_shown}, readable by anyone on the network path"),
                )
                .with_fix(format!("Drop --allow-http and use {use_it}; if the key was already sent over http, ask Sales Layer support to rotate it.")),
            ),
            Scheme::Http => a.push(
                "plain-http",
                "the key would travel over http",
                Finding::warn(
                    "key-over-http",
                    format!("The {label} uses http://: an application using it sends the key unencrypted, readable by anyone on the network path (sl-doctor itself does not send the key over http unless --allow-http is given)"),
                )
                .with_fix(format!("Use {use_it}; if your application already sent the key over http, ask Sales Layer support to rotate it.")),
            ),
            Scheme::Missing => a.push(
                "plain-http",
                "no scheme: some clients default to http",
                Finding::warn(
                    "scheme-defaults-to-http",
                    format!("The {label} has no scheme: curl and some clients then use http:// and send the key unencrypted"),
                )
                .with_fix(format!("Write https:// explicitly: {use_it}.")),
            ),
            _ => {}
        }
    } else if let Err(e) = &parsed {
        a.push(
            "url-format",
            "not a valid URL",
            Finding::fail("unparsable", format!("{title} is not a valid URL: {e}")).with_fix(
                match role {
                    Role::Base => format!("Use {}.", crate::DEFAULT_BASE_URL),
                    Role::Request => format!(
                        "Copy the request URL again, e.g. {}/dam/image?$top=1.",
                        crate::DEFAULT_BASE_URL
                    ),
                },
            ),
        );
    }
    a.canonical = canonical;

    // Stray characters (reported first by url-format).
    let use_hint = a.use_hint();
    let mut stray_issues = Vec::new();
    for (pos, c, kind, place) in &strays {
        let cp = format!("U+{:04X}", *c as u32);
        let name = char_name(*c);
        let (code, what) = match (kind, place, *c) {
            (_, &"trailing", '\n' | '\r') => ("trailing-newline", "a trailing line break, typical of a value read from a file or from `echo`/`$(cat …)` output".to_string()),
            (StrayKind::Whitespace, &"leading", _) => ("leading-whitespace", "whitespace before the URL".to_string()),
            (StrayKind::Whitespace, &"trailing", _) => ("trailing-whitespace", "whitespace after the URL".to_string()),
            (StrayKind::Whitespace, _, _) => ("whitespace", "whitespace inside the URL".to_string()),
            (StrayKind::Control, _, _) => ("control-character", format!("a control character {}", where_(place))),
            (StrayKind::Invisible, _, _) => ("invisible-character", format!("an invisible character {}, typical of copy and paste from a web page, chat or word processor", where_(place))),
        };
        let fix = if code == "trailing-newline" {
            format!(
                "Strip the line break where the value is read (e.g. `tr -d '\\r\\n'`, `.trim()`), or {use_hint}."
            )
        } else {
            format!("Type the URL again or {use_hint}.")
        };
        stray_issues.push(Issue {
            check: "url-format",
            short: format!("{cp} {name} at character {pos} of {total}"),
            finding: Finding::fail(
                code,
                format!("{title} contains {cp} {name} at character {pos} of {total}: {what}; code that joins it with a path puts it inside the request URL"),
            )
            .with_fix(fix)
            .at(Position {
                character: *pos,
                of: total,
                codepoint: cp,
                name,
            }),
        });
    }
    stray_issues.append(&mut a.issues);
    a.issues = stray_issues;

    // Every problem's fix names the exact URL to use.
    if let Some(c) = &a.canonical {
        for i in &mut a.issues {
            if i.finding.severity == Severity::Info {
                continue;
            }
            if let Some(fix) = i.finding.fix.as_mut().filter(|f| !f.contains("://")) {
                fix.push_str(&format!(" Use {c}"));
            }
        }
    }
    a
}

fn where_(place: &str) -> &'static str {
    match place {
        "leading" => "before the URL",
        "trailing" => "at the end of the URL",
        _ => "inside the URL",
    }
}

const KEY_IN_URL_FIX: &str = "Remove it from the URL and send the key only in the X-API-KEY header (the only way the Sales Layer docs describe); URLs end up in server and proxy logs, browser history and shell history, so if this URL was ever used, logged or shared, ask Sales Layer support to rotate the key.";

/// Builds the outcome of one URL check: its findings for every URL, the URLs as given
/// (redacted) and the URL to use when it differs.
pub fn outcome(cx: &Context, check: &'static str, pass_summary: &str) -> Outcome {
    let analyses = analyze_target(cx);
    let mut o = Outcome::pass(pass_summary);
    let mut worst: Option<(Severity, String, usize)> = None;
    for a in &analyses {
        o = o.detail(format!("{}: {}", a.role.label(), a.display));
        if let Some(c) = a.canonical_if_different() {
            o = o.detail(match a.role {
                Role::Base => format!("use: {c}"),
                Role::Request => format!("use (--url): {c}"),
            });
        }
        for i in a.issues.iter().filter(|i| i.check == check) {
            let s = i.finding.severity;
            match &mut worst {
                Some((w, _, n)) if *w >= s => *n += 1,
                _ => {
                    let extra = worst.as_ref().map_or(0, |(_, _, n)| n + 1);
                    worst = Some((s, format!("{}: {}", a.role.label(), i.short), extra));
                }
            }
            o.findings.push(i.finding.clone());
        }
    }
    if let Some((_, short, more)) = worst {
        o.summary = if more > 0 {
            format!("{short} (+{more} more)")
        } else {
            short
        };
    }
    o
}

/// Helpers for the URL checks' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::model::check::Check;
    use crate::model::report::Status;
    use crate::testing::{cx_with_base_url, run};

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
        analyze_target(&cx(base, url)).pop().unwrap().canonical
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const CANARY: &str = "SLDOCTORcanary7Qx9+Zk/4mW2=";

    #[test]
    fn redaction_table() {
        let cases = [
            ("https://api2.saleslayer.com", "https://api2.saleslayer.com"),
            (
                "https://api2.saleslayer.com/dam/image?$top=10&$skip=20",
                "https://api2.saleslayer.com/dam/image?$top=10&$skip=20",
            ),
            (
                "https://api2.saleslayer.com/dam/image?$top=1&$filter=name eq 'x'&apikey=abc",
                "https://api2.saleslayer.com/dam/image?$top=1&$filter=[redacted]&apikey=[redacted]",
            ),
            (
                "https://u:p@api2.saleslayer.com/x",
                "https://[redacted]@api2.saleslayer.com/x",
            ),
            (
                "api2.saleslayer.com/x#frag",
                "api2.saleslayer.com/x#[redacted]",
            ),
            ("https://h/?$top=abc", "https://h/?$top=[redacted]"),
            ("https://h/?=10", "https://h/?=[redacted]"),
            ("https://h\n", "https://h<U+000A>"),
            (
                "not a url ?x=y",
                "not<U+0020>a<U+0020>url<U+0020>?x=[redacted]",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input, None), want, "{input:?}");
        }
    }

    #[test]
    fn key_is_scrubbed_raw_and_percent_encoded_anywhere() {
        let key = SecretKey::from_string(CANARY.into());
        for url in [
            format!("https://api2.saleslayer.com/dam/{CANARY}/image"),
            "https://api2.saleslayer.com/x/SLDOCTORcanary7Qx9%2BZk%2F4mW2%3D".to_string(),
            "https://api2.saleslayer.com/x/SLDOCTORcanary7Qx9%2bZk%2f4mW2%3d/y".to_string(),
            format!("https://{CANARY}@api2.saleslayer.com"),
        ] {
            let shown = redact(&url, Some(&key));
            assert!(!shown.contains("canary"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
    }

    /// Every URL check, on every placement of the canary, with and without the key known.
    #[test]
    fn no_check_ever_prints_the_canary() {
        use crate::testing::{cx_with_key, run};
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
        let windows: Vec<&str> = (0..=CANARY.len() - 8).map(|i| &CANARY[i..i + 8]).collect();
        let checks: Vec<Box<dyn crate::model::check::Check>> = crate::registry()
            .into_iter()
            .filter(|c| {
                [
                    "url-format",
                    "url-scheme",
                    "url-host",
                    "url-path",
                    "key-in-url",
                    "plain-http",
                ]
                .contains(&c.meta().id)
            })
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
                        for w in &windows {
                            assert!(
                                !json.contains(w),
                                "{} leaked {w:?} for {base:?} {url:?}: {json}",
                                c.meta().id
                            );
                        }
                    }
                }
            }
            // And the redaction helper the runner uses for the report's target.
            for (base, _) in &placements {
                let shown = redact(base, Some(&SecretKey::from_bytes(key.to_vec())));
                assert!(windows.iter().all(|w| !shown.contains(w)), "{shown}");
            }
        }
    }

    #[test]
    fn default_passes_everything_and_the_mock_fails_nothing_in_base_url() {
        use crate::model::report::Status;
        use crate::testing::{cx_with_base_url, run};
        for c in crate::registry() {
            let id = c.meta().id;
            if ![
                "url-format",
                "url-scheme",
                "url-host",
                "url-path",
                "key-in-url",
                "plain-http",
            ]
            .contains(&id)
            {
                continue;
            }
            let o = run(c.as_ref(), &cx_with_base_url(crate::DEFAULT_BASE_URL)).unwrap();
            assert_eq!(o.status(), Status::Pass, "{id}: {o:?}");
            assert!(o.findings.is_empty(), "{id}: {o:?}");
            let o = run(c.as_ref(), &cx_with_base_url("http://127.0.0.1:8080")).unwrap();
            if ["url-format", "url-host", "url-path"].contains(&id) {
                assert_eq!(o.status(), Status::Pass, "{id}: {o:?}");
            }
        }
    }

    #[test]
    fn edit_distance_table() {
        let cases = [
            ("api2.saleslayer.com", 0),
            ("api2.saleslayr.com", 1),
            ("api2.sales-layer.com", 1),
            ("ap2.saleslayer.com", 1),
            ("api2.saleslayer.co", 1),
            ("api.saleslayer.com", 1),
            ("example.com", 12),
        ];
        for (h, d) in cases {
            assert_eq!(edit_distance(h, CANONICAL_HOST), d, "{h}");
        }
    }

    #[test]
    fn punycode_round_trips_through_the_url_crate() {
        let u = url::Url::parse("https://\u{0430}pi2.saleslayer.com").unwrap();
        let host = u.host_str().unwrap();
        assert!(host.starts_with("xn--"), "{host}");
        assert_eq!(unicode_host(host), "\u{0430}pi2.saleslayer.com");
        assert_eq!(punycode_decode("mnchen-3ya").as_deref(), Some("münchen"));
    }

    #[test]
    fn key_like_parameter_names() {
        for n in [
            "apikey",
            "api_key",
            "x-api-key",
            "X-API-KEY",
            "key",
            "token",
            "access_token",
            "sl_api_key",
        ] {
            assert!(is_key_like_param(n), "{n}");
        }
        for n in ["$top", "$skiptoken", "$filter", "lang", "keyword"] {
            assert!(!is_key_like_param(n), "{n}");
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
            let a = analyze(input, *role, None, false);
            assert_eq!(a.canonical.as_deref(), *want, "{input:?}");
        }
    }
}
