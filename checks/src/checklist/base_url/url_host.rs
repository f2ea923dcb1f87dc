//! `url-host`: the host is `api2.saleslayer.com`.
//!
//! Three kinds of wrong host are in circulation: typos and look-alikes of
//! `api2.saleslayer.com` (including non-ASCII letters that render the same), the legacy
//! Connector API host `api.saleslayer.com` (a different API with a different
//! authentication scheme, where a connector code is not an api2 key), and the internal
//! host `catalog-rest.kp.saleslayer.com` that leaked into an old docs example. A host
//! that is not Sales Layer's at all (a proxy, a mock, the sl-doctor mock on loopback)
//! is reported but never fails.

use crate::analysis::urls;
use crate::model::check::{Check, CheckError, CheckMeta, Outcome};
use crate::model::context::Context;
use crate::model::report::Item;

/// The `url-host` check.
pub struct UrlHost;

const PASS: &str = "The host is api2.saleslayer.com";

static META: CheckMeta = CheckMeta {
    id: "url-host",
    item: Item::BaseUrl,
    title: "The host is api2.saleslayer.com",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for UrlHost {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        Ok(urls::outcome(cx, META.id, PASS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::{canonical, codes, cx};
    use crate::model::report::Status::{self, *};
    use crate::testing::run;

    #[test]
    fn table() {
        const API2: &str = "https://api2.saleslayer.com";
        let cases: &[(&str, &[&str], Status, &str)] = &[
            ("https://api2.saleslayer.com", &[], Pass, API2),
            ("https://api2.saleslayer.com:443", &[], Pass, API2),
            ("https://api2.saleslayer.com.", &[], Pass, API2),
            (
                "https://api2.saleslayer.com:8443",
                &["non-default-port"],
                Warn,
                API2,
            ),
            ("https://api2.saleslayr.com", &["host-typo"], Fail, API2),
            ("https://api2.sales-layer.com", &["host-typo"], Fail, API2),
            ("https://ap2.saleslayer.com", &["host-typo"], Fail, API2),
            ("https://api2.saleslayer.co", &["host-typo"], Fail, API2),
            ("https://api3.saleslayer.com", &["host-typo"], Fail, API2),
            (
                "https://\u{0430}pi2.saleslayer.com",
                &["lookalike-host"],
                Fail,
                API2,
            ),
            (
                "https://xn--pi2-5cd.saleslayer.com",
                &["lookalike-host"],
                Fail,
                API2,
            ),
            (
                "https://api2.s\u{0430}leslayer.com",
                &["lookalike-host"],
                Fail,
                API2,
            ),
            (
                "https://api.saleslayer.com",
                &["legacy-connector-host"],
                Fail,
                API2,
            ),
            (
                "https://catalog-rest.kp.saleslayer.com",
                &["internal-host"],
                Fail,
                API2,
            ),
            (
                "https://docs.api.saleslayer.com",
                &["other-saleslayer-host"],
                Warn,
                API2,
            ),
            (
                "https://saleslayer.com",
                &["other-saleslayer-host"],
                Warn,
                API2,
            ),
            (
                "http://127.0.0.1:8080",
                &["loopback-host"],
                Pass,
                "http://127.0.0.1:8080",
            ),
            (
                "http://[::1]:8080",
                &["loopback-host"],
                Pass,
                "http://[::1]:8080",
            ),
            (
                "http://localhost",
                &["loopback-host"],
                Pass,
                "http://localhost",
            ),
            (
                "https://sl-proxy.corp.example:8443",
                &["not-saleslayer-host"],
                Warn,
                "https://sl-proxy.corp.example:8443",
            ),
            (
                "https://10.1.2.3",
                &["not-saleslayer-host"],
                Warn,
                "https://10.1.2.3",
            ),
        ];
        for (base, want, status, canon) in cases {
            let (got, st) = codes(&UrlHost, base, None);
            assert_eq!(got, *want, "{base:?}");
            assert_eq!(st, *status, "{base:?}");
            assert_eq!(canonical(base, None).as_deref(), Some(*canon), "{base:?}");
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
        assert!(
            o.findings[0]
                .message
                .contains("U+0430 CYRILLIC SMALL LETTER A at character 1"),
            "{}",
            o.findings[0].message
        );
    }

    #[test]
    fn snapshot_legacy_connector_host() {
        let o = run(&UrlHost, &cx("https://api.saleslayer.com", None)).unwrap();
        insta::assert_yaml_snapshot!(o);
    }
}
