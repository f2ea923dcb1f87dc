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

/// The host as Unicode (punycode labels decoded).
pub(super) fn unicode_host(host: &str) -> String {
    host.split('.')
        .map(|l| {
            match l
                .strip_prefix("xn--")
                .and_then(idna::punycode::decode_to_string)
            {
                Some(u) => u,
                None => l.to_string(),
            }
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
        if strsim::levenshtein(&skeleton, CANONICAL_HOST) <= 2
            || strsim::levenshtein(&plain, CANONICAL_HOST) <= 2
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
    let distance = strsim::levenshtein(&name, CANONICAL_HOST);
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
    fn punycode_round_trips_through_the_url_crate() {
        let u = ::url::Url::parse("https://\u{0430}pi2.saleslayer.com").unwrap();
        let host = u.host_str().unwrap();
        assert!(host.starts_with("xn--"), "{host}");
        assert_eq!(unicode_host(host), "\u{0430}pi2.saleslayer.com");
        assert_eq!(
            idna::punycode::decode_to_string("mnchen-3ya").as_deref(),
            Some("münchen")
        );
    }
}
