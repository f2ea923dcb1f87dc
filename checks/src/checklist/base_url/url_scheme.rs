//! `url-scheme`: the base URL (and `--url`) uses https.
//!
//! The old pagination article wrote `http://api2.saleslayer.com/...`, and a base URL
//! without a scheme (`api2.saleslayer.com`) is read as a relative path by HTTP libraries
//! and as http:// by curl. Both send the request somewhere else than the documented
//! `https://api2.saleslayer.com`. http on a loopback host (the sl-doctor mock) is fine.

use super::{UrlFinding, url_outcome};
use crate::analysis::urls::{CANONICAL_HOST, Scheme, UrlFacts};
use crate::model::check::{CheckError, Outcome};
use crate::model::context::Context;
use crate::model::report::Finding;

const PASS: &str = "The URL uses https://";

crate::check! {
    /// The `url-scheme` check.
    UrlScheme: "url-scheme", BaseUrl, "The base URL uses https"
}

impl UrlScheme {
    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        Ok(url_outcome(cx, PASS, findings))
    }
}

/// The finding of `url-scheme` for one URL that parses: anything but https.
pub fn findings(f: &UrlFacts) -> Vec<UrlFinding> {
    if f.parsed.is_err() {
        return Vec::new();
    }
    let label = f.role.label();
    let use_it = f.canonical.clone().unwrap_or_default();
    let found = match &f.scheme {
        Scheme::Https => return Vec::new(),
        Scheme::Http if f.is_loopback() => UrlFinding::new(
            "http:// on a loopback host",
            Finding::info(
                "http-loopback",
                format!("The {label} uses http:// on a loopback host: fine for the sl-doctor mock or a local proxy; the production API is https://{CANONICAL_HOST}"),
            ),
        ),
        Scheme::Http => UrlFinding::new(
            "http:// instead of https://",
            Finding::fail(
                "http-scheme",
                format!("The {label} uses http:// (as the old pagination article did): the documented API URL is https://{CANONICAL_HOST}; whether the server answers or redirects plain http is not documented, and the key would travel unencrypted"),
            )
            .with_fix(format!("Use https://: {use_it}.")),
        ),
        Scheme::Missing => UrlFinding::new(
            "no scheme",
            Finding::fail(
                "missing-scheme",
                format!("The {label} has no scheme: HTTP libraries reject it or read it as a relative path, and curl falls back to http://"),
            )
            .with_fix(format!("Write the scheme: {use_it}.")),
        ),
        Scheme::Other(s) => UrlFinding::new(
            format!("scheme {s}:// instead of https://"),
            Finding::fail(
                "unsupported-scheme",
                format!("The {label} uses the scheme {s}://: the API is served over https://"),
            )
            .with_fix(format!("Use https://: {use_it}.")),
        ),
    };
    vec![found]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::{assert_case, cx};
    use crate::model::report::Status::{self, *};
    use crate::testing::run;

    /// (base URL, --url, …, expected codes, status…)
    type Case = (
        &'static str,
        Option<&'static str>,
        &'static [&'static str],
        Status,
        &'static str,
    );

    #[test]
    fn table() {
        let cases: &[Case] = &[
            (
                "https://api2.saleslayer.com",
                None,
                &[],
                Pass,
                "https://api2.saleslayer.com",
            ),
            (
                "HTTPS://API2.SALESLAYER.COM",
                None,
                &[],
                Pass,
                "https://api2.saleslayer.com",
            ),
            (
                "http://api2.saleslayer.com",
                None,
                &["http-scheme"],
                Fail,
                "https://api2.saleslayer.com",
            ),
            (
                "api2.saleslayer.com",
                None,
                &["missing-scheme"],
                Fail,
                "https://api2.saleslayer.com",
            ),
            (
                "//api2.saleslayer.com",
                None,
                &["missing-scheme"],
                Fail,
                "https://api2.saleslayer.com",
            ),
            (
                "ftp://api2.saleslayer.com",
                None,
                &["unsupported-scheme"],
                Fail,
                "https://api2.saleslayer.com",
            ),
            (
                "http://127.0.0.1:8080",
                None,
                &["http-loopback"],
                Pass,
                "http://127.0.0.1:8080",
            ),
            (
                "http://localhost:8080",
                None,
                &["http-loopback"],
                Pass,
                "http://localhost:8080",
            ),
            (
                "http://proxy.example.com",
                None,
                &["http-scheme"],
                Fail,
                "https://proxy.example.com",
            ),
            (
                "https://api2.saleslayer.com",
                Some("http://api2.saleslayer.com/rest/Catalog/Products?$top=10"),
                &["http-scheme"],
                Fail,
                "https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=10",
            ),
        ];
        for (base, url, want, status, canon) in cases {
            assert_case(&UrlScheme, (base, *url), want, *status, canon);
        }
    }

    #[test]
    fn snapshot_missing_scheme() {
        let o = run(&UrlScheme, &cx("api2.saleslayer.com", None)).unwrap();
        insta::assert_yaml_snapshot!(o);
    }
}
