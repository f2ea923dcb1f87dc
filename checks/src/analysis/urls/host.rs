//! The host of a URL: what kind of host it is (the API host, the legacy Connector host,
//! a misspelling, a look-alike in other scripts, loopback…).

use super::redact::redact_scrubbed;
use crate::analysis::value::char_name;

pub use crate::saleslayer::{HOST as CANONICAL_HOST, LEGACY_CONNECTOR_HOST};

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
        /// The host as Unicode, redacted for display.
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
pub(super) fn unicode_host(host: &str) -> String {
    host.split('.')
        .map(|l| match l.strip_prefix("xn--").and_then(punycode_decode) {
            Some(u) => u,
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

pub(super) fn classify_host(host: &::url::Host<&str>) -> HostClass {
    let name = match host {
        ::url::Host::Ipv4(ip) if ip.is_loopback() => return HostClass::Loopback,
        ::url::Host::Ipv6(ip) if ip.is_loopback() => return HostClass::Loopback,
        ::url::Host::Ipv4(_) | ::url::Host::Ipv6(_) => return HostClass::Other,
        ::url::Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
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
            return HostClass::Lookalike {
                unicode: redact_scrubbed(&unicode),
                chars,
            };
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let u = ::url::Url::parse("https://\u{0430}pi2.saleslayer.com").unwrap();
        let host = u.host_str().unwrap();
        assert!(host.starts_with("xn--"), "{host}");
        assert_eq!(unicode_host(host), "\u{0430}pi2.saleslayer.com");
        assert_eq!(punycode_decode("mnchen-3ya").as_deref(), Some("münchen"));
    }
}
