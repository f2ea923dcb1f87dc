//! The one URL redactor: every URL sl-doctor shows goes through [`redact`] (a URL as
//! text, which may not parse) or [`redact_url`] (a parsed `url::Url`, e.g. a redirect's
//! `Location`). The rule is the same for both:
//! - the user info (`user:password@`) becomes `[redacted]@`;
//! - every query value becomes `[redacted]`, except the numeric values of the OData
//!   `$top` and `$skip`; a query name is kept when it is short and made of name
//!   characters, otherwise it is `[redacted]` too;
//! - a non-empty fragment becomes `#[redacted]`;
//! - every occurrence of the key, raw or percent-encoded byte by byte, becomes
//!   `[redacted]` wherever it is (host, path, anywhere);
//! - a host that looks like an API key rather than a host name ([`key_shaped_host`]) becomes
//!   `[redacted]`: it may be another key, pasted where the host belongs;
//! - whitespace, control and invisible characters are shown as `<U+XXXX>`.

use super::chars::stray_kind;
use crate::model::secret::SecretKey;
use percent_encoding::percent_decode_str;

/// What every redacted part is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Stands for the key inside the scrubbed URL (parses as a name, a host label or a value).
pub(super) const KEY_MARK: &str = "sl-doctor-redacted-key";

/// The key as text to look for in URLs: valid UTF-8, trimmed, longer than 7 characters.
pub fn key_needle(key: Option<&SecretKey>) -> Option<&str> {
    key.and_then(|k| k.expose_str())
        .map(str::trim)
        .filter(|k| k.chars().count() > 7)
}

/// A URL redacted for display (see the module documentation for the rule).
pub fn redact(url: &str, key: Option<&SecretKey>) -> String {
    let (scrubbed, _, _) = scrub(url, key_needle(key));
    redact_scrubbed(&scrubbed)
}

/// The byte range of the host of a URL string (which may not parse, and may have no
/// scheme) when it looks like an API key rather than a host name: one label (no dot) of 20
/// or more characters of a token's alphabet ([`looks_like_credential`]) with upper- and
/// lower-case letters and digits. Host names are written in one case (a URL parser
/// lower-cases them) and rarely run so long without a dot; base64 keys mix all three.
pub fn key_shaped_host(url: &str) -> Option<std::ops::Range<usize>> {
    let start = authority_start(url);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    let host_start = start + authority.rfind('@').map_or(0, |i| i + 1);
    let host = &url[host_start..end];
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let shaped = host.len() >= 20
        && !host.contains('.')
        && !host.contains(KEY_MARK)
        && looks_like_credential(host)
        && host.bytes().any(|b| b.is_ascii_uppercase())
        && host.bytes().any(|b| b.is_ascii_lowercase());
    shaped.then(|| host_start..host_start + host.len())
}

/// A URL with every occurrence of the key ([`scrub_key`]) and a key-shaped host
/// ([`key_shaped_host`]) replaced by [`KEY_MARK`]: the one form every URL is redacted and
/// analysed from. Also where the key was found, and whether the host was key-shaped.
pub(super) fn scrub(raw: &str, key: Option<&str>) -> (String, Option<KeyFound>, bool) {
    let (mut out, found) = scrub_key(raw, key);
    match key_shaped_host(&out) {
        Some(r) => {
            out.replace_range(r, KEY_MARK);
            (out, found, true)
        }
        None => (out, found, false),
    }
}

/// Which query values a redacted URL shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Values {
    /// Only the numeric `$top` and `$skip` (the rule of [`redact`]).
    Paging,
    /// Every value that is not secret (see [`redact_plain_values`]).
    Plain,
}

/// A request target as `capture` shows it (a request the user's application really
/// sent, where `?top=1` must stay visible): by the rule of [`redact`], except that a
/// query value is shown when it is not secret, i.e. its parameter name is not key-like
/// ([`is_key_like_param`]) and the value does not look like a credential
/// ([`looks_like_credential`]). The caller still guards the result against the keys of
/// the run (`leak::Secrets`).
pub fn redact_plain_values(url: &str, key: Option<&SecretKey>) -> String {
    let (scrubbed, _, _) = scrub(url, key_needle(key));
    redact_scrubbed_with(&scrubbed, Values::Plain)
}

/// Whether a query value may be a credential: 16 or more characters of token alphabet
/// (letters, digits, `+/=_-.~%`) mixing letters and digits, like an API key, a token or
/// a signature. Numbers, words and OData expressions (`Name eq 'x'`) are not.
pub fn looks_like_credential(value: &str) -> bool {
    let v = decode(value);
    v.chars().count() >= 16
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=_-.~%".contains(c))
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && v.chars().any(|c| c.is_ascii_digit())
}

/// A parsed URL redacted for display, by the same rule as [`redact`]. The serialised
/// form of a `url::Url` is percent-encoded, so the key is found there in either form.
pub fn redact_url(url: &::url::Url, key: Option<&SecretKey>) -> String {
    redact(url.as_str(), key)
}

/// Redacts a URL in which the key was already replaced by [`KEY_MARK`].
pub(super) fn redact_scrubbed(scrubbed: &str) -> String {
    redact_scrubbed_with(scrubbed, Values::Paging)
}

fn redact_scrubbed_with(scrubbed: &str, values: Values) -> String {
    use std::fmt::Write;
    let mut escaped = String::with_capacity(scrubbed.len());
    for c in scrubbed.chars() {
        if stray_kind(c).is_some() {
            // Writing to a String cannot fail.
            let _ = write!(escaped, "<U+{:04X}>", c as u32);
        } else {
            escaped.push(c);
        }
    }
    redact_structure(&escaped, values).replace(KEY_MARK, REDACTED)
}

/// Redacts user info, query values and the fragment of a URL string that may not parse.
fn redact_structure(s: &str, values: Values) -> String {
    let (head, fragment) = match s.find('#') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (before_query, query) = match head.find('?') {
        Some(i) => (&head[..i], Some(&head[i + 1..])),
        None => (head, None),
    };
    let auth_start = authority_start(before_query);
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
        let parts: Vec<String> = q.split('&').map(|p| redact_query_part(p, values)).collect();
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

fn redact_query_part(part: &str, values: Values) -> String {
    match part.split_once('=') {
        Some((name, value)) => {
            let decoded = decode(name);
            let shown_name = if is_name_like(name) { name } else { REDACTED };
            let paging = matches!(decoded.as_str(), "$top" | "$skip")
                && !value.is_empty()
                && value.bytes().all(|b| b.is_ascii_digit());
            let plain = values == Values::Plain
                && shown_name != REDACTED
                && !decoded.is_empty()
                && !super::query::is_key_like_param(&decoded)
                && !looks_like_credential(value)
                && !value.contains(KEY_MARK);
            if paging || plain {
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
pub(super) fn is_name_like(name: &str) -> bool {
    name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$' | b'%'))
}

/// Percent-decodes text, replacing invalid UTF-8.
pub(super) fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Where the authority (user info, host, port) of a URL string starts: after `scheme://`,
/// after a leading `//`, or at the start of a URL written without a scheme.
fn authority_start(s: &str) -> usize {
    match scheme_prefix(s) {
        Some(len) => len + 3,
        None if s.starts_with("//") => 2,
        None => 0,
    }
}

/// Length of a `scheme` followed by `://`, when the string starts with one.
pub(super) fn scheme_prefix(s: &str) -> Option<usize> {
    let i = s.find("://")?;
    let scheme = &s[..i];
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    (first.is_ascii_alphabetic()
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
    .then_some(i)
}

/// Where the key was found in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct KeyFound {
    /// At least one occurrence was percent-encoded.
    pub encoded: bool,
}

/// Replaces every occurrence of the key (each byte literal or as `%XX`) with `KEY_MARK`.
fn scrub_key(raw: &str, key: Option<&str>) -> (String, Option<KeyFound>) {
    let Some(key) = key else {
        return (raw.to_string(), None);
    };
    let (rb, kb) = (raw.as_bytes(), key.as_bytes());
    let (mut out, mut found) = (String::new(), None::<KeyFound>);
    let (mut i, mut last) = (0, 0);
    while i < rb.len() {
        if let Some((end, enc)) = match_key_at(rb, i, kb) {
            out.push_str(&raw[last..i]);
            out.push_str(KEY_MARK);
            let encoded = found.is_some_and(|f| f.encoded) || enc;
            found = Some(KeyFound { encoded });
            i = end;
            last = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&raw[last..]);
    (out, found)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::CANARY;

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
    fn plain_values_are_shown_and_secret_ones_are_not() {
        let key = SecretKey::from_string(CANARY.into());
        let cases = [
            ("/dam/images?top=1", "/dam/images?top=1"),
            (
                "/dam/image?$top=1&$filter=Name eq 'x'",
                "/dam/image?$top=1&$filter=Name<U+0020>eq<U+0020>'x'",
            ),
            (
                "/dam/image?api_key=abc&lang=es",
                "/dam/image?api_key=[redacted]&lang=es",
            ),
            ("/x?sig=a1b2c3d4e5f6g7h8i9", "/x?sig=[redacted]"),
            ("/x?id=1234567890123456789", "/x?id=1234567890123456789"),
            (&format!("/x?q={CANARY}"), "/x?q=[redacted]"),
            ("/x?=10", "/x?=[redacted]"),
        ];
        for (input, want) in cases {
            assert_eq!(redact_plain_values(input, Some(&key)), want, "{input:?}");
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

    /// The parsed-URL form covers what the probe's own redactor did (user info, query
    /// values, fragment) and the key anywhere, raw or percent-encoded.
    #[test]
    fn parsed_urls_follow_the_same_rule() {
        let l = ::url::Url::parse("http://u:p@other.example/x?api_key=SECRET&flag&$top=5#frag")
            .unwrap();
        assert_eq!(
            redact_url(&l, None),
            "http://[redacted]@other.example/x?api_key=[redacted]&flag&$top=5#[redacted]"
        );
        let key = SecretKey::from_string(CANARY.into());
        let l = ::url::Url::parse(&format!("https://h.example/{CANARY}/x")).unwrap();
        let shown = redact_url(&l, Some(&key));
        assert_eq!(shown, "https://h.example/[redacted]/x");
    }
}
