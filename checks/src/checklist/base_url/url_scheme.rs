//! `url-scheme`: the base URL (and `--url`) uses https.
//!
//! The old pagination article wrote `http://api2.saleslayer.com/...`, and a base URL
//! without a scheme (`api2.saleslayer.com`) is read as a relative path by HTTP libraries
//! and as http:// by curl. Both send the request somewhere else than the documented
//! `https://api2.saleslayer.com`. http on a loopback host (the sl-doctor mock) is fine as
//! a URL; the probes still send the key over it only with `--allow-http`.

use super::UrlFinding;
use crate::analysis::urls::{CANONICAL_HOST, Scheme, UrlFacts};
use crate::model::code::Code;

super::url_check! {
    /// The `url-scheme` check.
    UrlScheme: "url-scheme", BaseUrl, "The base URL uses https",
    pass: "The URL uses https://",
    codes: &[HTTP_SCHEME, MISSING_SCHEME, UNSUPPORTED_SCHEME, HTTP_LOOPBACK]
}

pub const HTTP_SCHEME: Code = Code::fail(
    "http-scheme",
    "The URL uses http:// on a host that is not loopback; the API is served over https://",
);
pub const MISSING_SCHEME: Code = Code::fail(
    "missing-scheme",
    "The URL has no scheme: libraries reject it or read it as a relative path, curl falls back to http://",
);
pub const UNSUPPORTED_SCHEME: Code = Code::fail(
    "unsupported-scheme",
    "The URL uses a scheme other than https:// or http://",
);
pub const HTTP_LOOPBACK: Code = Code::info(
    "http-loopback",
    "The URL uses http:// on a loopback host (the sl-doctor mock or a local proxy)",
);

/// The finding of `url-scheme` for one URL that parses: anything but https.
pub fn findings(f: &UrlFacts) -> Vec<UrlFinding> {
    if f.parsed.is_err() {
        return Vec::new();
    }
    let label = f.role.label();
    let use_it = f.canonical.clone().unwrap_or_default();
    let (short, code, message, fix) = match &f.scheme {
        Scheme::Https => return Vec::new(),
        Scheme::Http if f.is_loopback() => (
            "http:// on a loopback host".to_string(),
            HTTP_LOOPBACK,
            format!(
                "The {label} uses http:// on a loopback host: fine for the sl-doctor mock or a local proxy, but sl-doctor sends the key over plain http only with --allow-http; the production API is https://{CANONICAL_HOST}"
            ),
            None,
        ),
        Scheme::Http => (
            "http:// instead of https://".to_string(),
            HTTP_SCHEME,
            format!(
                "The {label} uses http:// (as the old pagination article did): the documented API URL is https://{CANONICAL_HOST}; whether the server answers or redirects plain http is not documented, and the key would travel unencrypted"
            ),
            Some(format!("Use https://: {use_it}.")),
        ),
        Scheme::Missing => (
            "no scheme".to_string(),
            MISSING_SCHEME,
            format!(
                "The {label} has no scheme: HTTP libraries reject it or read it as a relative path, and curl falls back to http://"
            ),
            Some(format!("Write the scheme: {use_it}.")),
        ),
        Scheme::Other(s) => (
            format!("scheme {s}:// instead of https://"),
            UNSUPPORTED_SCHEME,
            format!("The {label} uses the scheme {s}://: the API is served over https://"),
            Some(format!("Use https://: {use_it}.")),
        ),
    };
    vec![UrlFinding::worded(short, code, message, fix)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::{API2, UrlCase, assert_cases, cx};
    use crate::model::report::Status::*;
    use crate::testing_support::run;

    #[test]
    fn each_scheme() {
        // (base URL, --url, expected codes, status, the URL to use)
        #[rustfmt::skip]
        let cases: &[UrlCase] = &[
            (API2,                          None, &[],                     Pass, API2),
            ("HTTPS://API2.SALESLAYER.COM", None, &[],                     Pass, API2),
            ("http://api2.saleslayer.com",  None, &["http-scheme"],        Fail, API2),
            ("api2.saleslayer.com",         None, &["missing-scheme"],     Fail, API2),
            ("//api2.saleslayer.com",       None, &["missing-scheme"],     Fail, API2),
            ("ftp://api2.saleslayer.com",   None, &["unsupported-scheme"], Fail, API2),
            ("http://127.0.0.1:8080",       None, &["http-loopback"],      Pass, "http://127.0.0.1:8080"),
            ("http://localhost:8080",       None, &["http-loopback"],      Pass, "http://localhost:8080"),
            ("http://proxy.example.com",    None, &["http-scheme"],        Fail, "https://proxy.example.com"),
            (
                API2,
                Some("http://api2.saleslayer.com/rest/Catalog/Products?$top=10"),
                &["http-scheme"],
                Fail,
                "https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=10",
            ),
        ];
        assert_cases(&UrlScheme, cases);
    }

    #[test]
    fn snapshot_missing_scheme() {
        let o = run(&UrlScheme, &cx("api2.saleslayer.com", None)).unwrap();
        insta::assert_yaml_snapshot!(o);
    }
}
