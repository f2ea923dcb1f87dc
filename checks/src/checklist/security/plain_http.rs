//! `plain-http`: the key would not travel over plain http.
//!
//! Over `http://` the `X-API-KEY` header crosses the network in clear text. sl-doctor
//! itself refuses to send the key over http unless `--allow-http` is given, but the
//! user's application has no such guard. http to a loopback host (the sl-doctor mock)
//! never leaves the machine and is only noted.

use crate::analysis::urls::{Scheme, UrlFacts};
use crate::checklist::base_url::{UrlFinding, url_outcome};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::Finding;

const PASS: &str = "The key would only be sent over https";

crate::check! {
    /// The `plain-http` check.
    PlainHttp: "plain-http", Security, "The key would not travel over plain http",
    codes: &[
        HTTP_LOOPBACK, KEY_SENT_OVER_HTTP, KEY_OVER_HTTP, SCHEME_DEFAULTS_TO_HTTP,
        ALLOW_HTTP_UNUSED,
    ],
}

pub const HTTP_LOOPBACK: Code = Code::info(
    "http-loopback",
    "The URL uses http:// on a loopback host: the key does not leave this machine",
);
pub const KEY_SENT_OVER_HTTP: Code = Code::fail(
    "key-sent-over-http",
    "The URL uses http:// and `--allow-http` is set: sl-doctor sends the key unencrypted",
);
pub const KEY_OVER_HTTP: Code = Code::warn(
    "key-over-http",
    "The URL uses http://: an application using it sends the key unencrypted",
);
pub const SCHEME_DEFAULTS_TO_HTTP: Code = Code::warn(
    "scheme-defaults-to-http",
    "The URL has no scheme: curl and some clients use http:// and send the key unencrypted",
);
pub const ALLOW_HTTP_UNUSED: Code = Code::info(
    "allow-http-unused",
    "The `--allow-http` option is set, but no URL uses http://",
);

impl PlainHttp {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let allow_http = cx.net.allow_http;
        let mut o = url_outcome(cx, PASS, |f| findings(f, allow_http));
        if allow_http && o.findings.is_empty() {
            o = o.finding(Finding::new(
                ALLOW_HTTP_UNUSED,
                "--allow-http is set, but no URL uses http://",
            ));
        }
        Ok(o)
    }
}

/// The finding of `plain-http` for one URL that parses: http (or no scheme) anywhere
/// but on a loopback host. `allow_http`: sl-doctor itself will send the key over http.
pub fn findings(f: &UrlFacts, allow_http: bool) -> Vec<UrlFinding> {
    let Ok(p) = &f.parsed else {
        return Vec::new();
    };
    let label = f.role.label();
    let use_it = f.canonical.clone().unwrap_or_default();
    let host_shown = &p.host_shown;
    let (short, code, message, fix) = match &f.scheme {
        Scheme::Http if f.is_loopback() => (
            "http:// on a loopback host",
            HTTP_LOOPBACK,
            format!(
                "The {label} uses http:// on a loopback host: the key does not leave this machine"
            ),
            None,
        ),
        Scheme::Http if allow_http => (
            "the key will be sent over http",
            KEY_SENT_OVER_HTTP,
            format!(
                "The {label} uses http:// and --allow-http is set: sl-doctor will send the key unencrypted to {host_shown}, readable by anyone on the network path"
            ),
            Some(format!(
                "Drop --allow-http and use {use_it}; if the key was already sent over http, ask Sales Layer support to rotate it."
            )),
        ),
        Scheme::Http => (
            "the key would travel over http",
            KEY_OVER_HTTP,
            format!(
                "The {label} uses http://: an application using it sends the key unencrypted, readable by anyone on the network path (sl-doctor itself does not send the key over http unless --allow-http is given)"
            ),
            Some(format!(
                "Use {use_it}; if your application already sent the key over http, ask Sales Layer support to rotate it."
            )),
        ),
        Scheme::Missing => (
            "no scheme: some clients default to http",
            SCHEME_DEFAULTS_TO_HTTP,
            format!(
                "The {label} has no scheme: curl and some clients then use http:// and send the key unencrypted"
            ),
            Some(format!("Write https:// explicitly: {use_it}.")),
        ),
        Scheme::Https | Scheme::Other(_) => return Vec::new(),
    };
    vec![UrlFinding::worded(short, code, message, fix)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::cx;
    use crate::model::report::Status::{self, *};
    use crate::testing_support::run;

    /// (base URL, --url, --allow-http, expected codes, status)
    type Case = (
        &'static str,
        Option<&'static str>,
        bool,
        &'static [&'static str],
        Status,
    );

    #[test]
    fn http_with_and_without_allow_http() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("https://api2.saleslayer.com", None, false, &[], Pass),
            ("https://api2.saleslayer.com", None, true, &["allow-http-unused"], Pass),
            ("http://127.0.0.1:8080",       None, false, &["http-loopback"], Pass),
            ("http://127.0.0.1:8080",       None, true, &["http-loopback"], Pass),
            ("http://localhost:8080",       None, true, &["http-loopback"], Pass),
            ("http://api2.saleslayer.com",  None, false, &["key-over-http"], Warn),
            ("http://api2.saleslayer.com",  None, true, &["key-sent-over-http"], Fail),
            ("http://proxy.example.com",    None, true, &["key-sent-over-http"], Fail),
            ("api2.saleslayer.com",         None, false, &["scheme-defaults-to-http"], Warn),
            (
                "https://api2.saleslayer.com",
                Some("http://api2.saleslayer.com/rest/Catalog/Products"),
                false,
                &["key-over-http"],
                Warn,
            ),
        ];
        for (base, url, allow, want, status) in cases {
            let mut cx = cx(base, *url);
            cx.net.allow_http = *allow;
            let o = run(&PlainHttp, &cx).unwrap();
            let got: Vec<_> = o.findings.iter().map(|f| f.code.as_str()).collect();
            assert_eq!(got, *want, "{base:?} {url:?} allow_http={allow}");
            assert_eq!(o.status(), *status, "{base:?} {url:?} allow_http={allow}");
        }
    }

    #[test]
    fn snapshot_http_allowed() {
        let mut cx = cx("http://api2.saleslayer.com", None);
        cx.net.allow_http = true;
        let o = run(&PlainHttp, &cx).unwrap();
        insta::assert_yaml_snapshot!(o);
    }
}
