//! `url-host`: the host is `api2.saleslayer.com`.
//!
//! Three kinds of wrong host are in circulation: typos and look-alikes of
//! `api2.saleslayer.com` (including non-ASCII letters that render the same), the legacy
//! Connector API host `api.saleslayer.com` (a different API with a different
//! authentication scheme, where a connector code is not an api2 key), and the internal
//! host `catalog-rest.kp.saleslayer.com` that leaked into an old docs example. A host
//! that is not Sales Layer's at all (a proxy, a mock, the sl-doctor mock on loopback)
//! is reported but never fails.

use super::UrlFinding;
use crate::analysis::urls::{
    CANONICAL_HOST, HostClass, LEGACY_CONNECTOR_HOST as CONNECTOR_HOST, Role, UrlFacts,
};
use crate::model::code::Code;

super::url_check! {
    /// The `url-host` check.
    UrlHost: "url-host", BaseUrl, "The host is api2.saleslayer.com",
    pass: "The host is api2.saleslayer.com",
    codes: &[
        NON_DEFAULT_PORT, LEGACY_CONNECTOR_HOST, INTERNAL_HOST, HOST_TYPO, LOOKALIKE_HOST,
        OTHER_SALESLAYER_HOST, LOOPBACK_HOST, NOT_SALESLAYER_HOST,
    ]
}

pub const NON_DEFAULT_PORT: Code = Code::warn(
    "non-default-port",
    "The URL names an explicit port on api2.saleslayer.com, whose documented URL has none",
);
pub const LEGACY_CONNECTOR_HOST: Code = Code::fail(
    "legacy-connector-host",
    "The host is api.saleslayer.com, the legacy Connector API, which does not take X-API-KEY keys",
);
pub const INTERNAL_HOST: Code = Code::fail(
    "internal-host",
    "The host is a *.kp.saleslayer.com host from an old docs example, not the API host",
);
pub const HOST_TYPO: Code = Code::fail(
    "host-typo",
    "The host is within two edits of api2.saleslayer.com: a misspelling",
);
pub const LOOKALIKE_HOST: Code = Code::fail(
    "lookalike-host",
    "The host looks like api2.saleslayer.com but holds non-ASCII look-alike characters",
);
pub const OTHER_SALESLAYER_HOST: Code = Code::warn(
    "other-saleslayer-host",
    "Another *.saleslayer.com host, not the documented API host",
);
pub const LOOPBACK_HOST: Code = Code::info(
    "loopback-host",
    "A loopback host (localhost, 127.0.0.0/8, ::1), such as the sl-doctor mock",
);
pub const NOT_SALESLAYER_HOST: Code = Code::warn(
    "not-saleslayer-host",
    "A host that is not Sales Layer's: fine for a proxy or mock that forwards to the API",
);

/// The finding of `url-host` for one URL that parses: any host but the API host
/// (with its default port).
pub fn findings(f: &UrlFacts) -> Vec<UrlFinding> {
    let Ok(p) = &f.parsed else {
        return Vec::new();
    };
    let label = f.role.label();
    let use_it = f.canonical.clone().unwrap_or_default();
    let host_shown = &p.host_shown;
    let host_fix = format!("Use the documented host {CANONICAL_HOST}: {use_it}.");
    let (short, code, message, fix) = match &p.host_class {
        HostClass::Canonical => match p.port {
            Some(port) => (
                format!("port {port} instead of 443"),
                NON_DEFAULT_PORT,
                format!(
                    "The {label} names port {port} on {CANONICAL_HOST}: the documented API URL has no port (443 for https)"
                ),
                Some(format!("Remove the port: {use_it}.")),
            ),
            None => return Vec::new(),
        },
        HostClass::LegacyConnector => (
            "api.saleslayer.com is the legacy Connector API".to_string(),
            LEGACY_CONNECTOR_HOST,
            format!(
                "The {label} points at {CONNECTOR_HOST} (no \"2\"): that is the old Connector API (v1.x), which authenticates with a connector code and signed query parameters (code, time, unique, key256), not with an X-API-KEY header; a connector code or secret is not an api2 key"
            ),
            Some(format!(
                "For the REST APIs use {use_it} with the X-API-KEY key from Sales Layer support; if you only have connector credentials, ask support for an API key for DAM, Catalog or both."
            )),
        ),
        HostClass::Internal => (
            format!("{host_shown} is not a documented API host"),
            INTERNAL_HOST,
            format!(
                "The {label} points at {host_shown}: this host appears only in an old docs example (an @readLink in the old pagination article), not as the documented API host"
            ),
            Some(host_fix),
        ),
        HostClass::Typo { distance } => (
            format!("host {host_shown} is a misspelling of {CANONICAL_HOST}"),
            HOST_TYPO,
            format!(
                "The {label} host {host_shown} is not {CANONICAL_HOST} (it differs by {distance} character{})",
                if *distance == 1 { "" } else { "s" }
            ),
            Some(host_fix),
        ),
        HostClass::Lookalike { unicode, chars } => {
            return vec![lookalike(label, unicode, chars, host_shown, &use_it)];
        }
        HostClass::OtherSalesLayer => (
            format!("{host_shown} is not the API host"),
            OTHER_SALESLAYER_HOST,
            format!(
                "The {label} host {host_shown} is a Sales Layer host but not the documented API host {CANONICAL_HOST}"
            ),
            Some(host_fix),
        ),
        HostClass::Loopback => (
            format!("{host_shown} is a loopback host, not the production API host"),
            LOOPBACK_HOST,
            format!(
                "The {label} host {host_shown} is a loopback host, not the production API host {CANONICAL_HOST} (fine for the sl-doctor mock or a local proxy)"
            ),
            None,
        ),
        HostClass::Other => return vec![other_host(f, label, host_shown)],
    };
    vec![UrlFinding::worded(short, code, message, fix)]
}

/// A host that looks like the API host but has non-ASCII characters.
fn lookalike(
    label: &str,
    unicode: &str,
    chars: &[(usize, String, String)],
    host_shown: &str,
    use_it: &str,
) -> UrlFinding {
    let list: Vec<String> = chars
        .iter()
        .map(|(i, cp, name)| format!("{cp} {name} at character {i}"))
        .collect();
    UrlFinding::worded(
        "host with look-alike characters",
        LOOKALIKE_HOST,
        format!(
            "The {label} host {unicode} ({host_shown}) looks like {CANONICAL_HOST} but contains non-ASCII characters: {}",
            list.join(", ")
        ),
        Some(format!("Type the host again in plain ASCII: {use_it}.")),
    )
}

/// Any other host: fine for a proxy or mock, worth a word if the API was meant.
fn other_host(f: &UrlFacts, label: &str, host_shown: &str) -> UrlFinding {
    let meant = match f.role {
        Role::Base => crate::DEFAULT_BASE_URL.to_string(),
        Role::Request => format!("https://{CANONICAL_HOST}/..."),
    };
    UrlFinding::worded(
        format!("{host_shown} is not the documented API host"),
        NOT_SALESLAYER_HOST,
        format!(
            "The {label} host {host_shown} is not the documented API host {CANONICAL_HOST}; fine if it is a proxy or mock you run that forwards to it"
        ),
        Some(format!("If you meant the Sales Layer API, use {meant}.")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::{API2, assert_case, codes, cx};
    use crate::model::report::Status::{self, *};
    use crate::testing_support::{first_message, run};

    #[test]
    fn each_kind_of_host() {
        // (base URLs, the codes each gives, status, the URL to use)
        #[rustfmt::skip]
        let cases: &[(&[&str], &[&str], Status, &str)] = &[
            (&[API2, "https://api2.saleslayer.com:443", "https://api2.saleslayer.com."], &[], Pass, API2),
            (&["https://api2.saleslayer.com:8443"], &["non-default-port"], Warn, API2),
            (
                &["https://api2.saleslayr.com", "https://api2.sales-layer.com", "https://ap2.saleslayer.com", "https://api2.saleslayer.co", "https://api3.saleslayer.com"],
                &["host-typo"], Fail, API2,
            ),
            (
                &["https://\u{0430}pi2.saleslayer.com", "https://xn--pi2-5cd.saleslayer.com", "https://api2.s\u{0430}leslayer.com"],
                &["lookalike-host"], Fail, API2,
            ),
            (&["https://api.saleslayer.com"], &["legacy-connector-host"], Fail, API2),
            (&["https://catalog-rest.kp.saleslayer.com"], &["internal-host"], Fail, API2),
            (&["https://docs.api.saleslayer.com", "https://saleslayer.com"], &["other-saleslayer-host"], Warn, API2),
            (&["http://127.0.0.1:8080"], &["loopback-host"], Pass, "http://127.0.0.1:8080"),
            (&["http://[::1]:8080"], &["loopback-host"], Pass, "http://[::1]:8080"),
            (&["http://localhost"], &["loopback-host"], Pass, "http://localhost"),
            (&["https://sl-proxy.corp.example:8443"], &["not-saleslayer-host"], Warn, "https://sl-proxy.corp.example:8443"),
            (&["https://10.1.2.3"], &["not-saleslayer-host"], Warn, "https://10.1.2.3"),
        ];
        for (bases, want, status, canon) in cases {
            for base in *bases {
                assert_case(&UrlHost, (base, None), want, *status, canon);
            }
        }
    }

    #[test]
    fn request_url_host_is_checked_too() {
        let (got, _) = codes(
            &UrlHost,
            "https://api2.saleslayer.com",
            Some("https://api.saleslayer.com/?code=c&time=1&unique=2&key256=x"),
        );
        assert_eq!(got, ["legacy-connector-host"]);
    }

    #[test]
    fn lookalike_names_the_characters() {
        let o = run(&UrlHost, &cx("https://\u{0430}pi2.saleslayer.com", None)).unwrap();
        let m = first_message(&o);
        assert!(
            m.contains("U+0430 CYRILLIC SMALL LETTER A at character 1"),
            "{m}"
        );
    }

    #[test]
    fn snapshot_legacy_connector_host() {
        let o = run(&UrlHost, &cx("https://api.saleslayer.com", None)).unwrap();
        insta::assert_yaml_snapshot!(o);
    }
}
