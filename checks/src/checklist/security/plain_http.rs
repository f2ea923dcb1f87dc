//! `plain-http`: the key would not travel over plain http.
//!
//! Over `http://` the `X-API-KEY` header crosses the network in clear text. sl-doctor
//! itself refuses to send the key over http unless `--allow-http` is given, but the
//! user's application has no such guard. http to a loopback host (the sl-doctor mock)
//! never leaves the machine and is only noted.

use crate::analysis::urls;
use crate::model::check::{Check, CheckError, CheckMeta, Outcome};
use crate::model::context::Context;
use crate::model::report::{Finding, Item};

/// The `plain-http` check.
pub struct PlainHttp;

const PASS: &str = "The key would only be sent over https";

static META: CheckMeta = CheckMeta {
    id: "plain-http",
    item: Item::Security,
    title: "The key would not travel over plain http",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for PlainHttp {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let mut o = urls::outcome(cx, META.id, PASS);
        if cx.net.allow_http && o.findings.is_empty() {
            o = o.finding(Finding::info(
                "allow-http-unused",
                "--allow-http is set, but no URL uses http://",
            ));
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::cx;
    use crate::model::report::Status::{self, *};
    use crate::testing::run;

    /// (base URL, --url, …, expected codes, status…)
    type Case = (
        &'static str,
        Option<&'static str>,
        bool,
        &'static [&'static str],
        Status,
    );

    #[test]
    fn table() {
        let cases: &[Case] = &[
            ("https://api2.saleslayer.com", None, false, &[], Pass),
            (
                "https://api2.saleslayer.com",
                None,
                true,
                &["allow-http-unused"],
                Pass,
            ),
            (
                "http://127.0.0.1:8080",
                None,
                false,
                &["http-loopback"],
                Pass,
            ),
            (
                "http://127.0.0.1:8080",
                None,
                true,
                &["http-loopback"],
                Pass,
            ),
            (
                "http://localhost:8080",
                None,
                true,
                &["http-loopback"],
                Pass,
            ),
            (
                "http://api2.saleslayer.com",
                None,
                false,
                &["key-over-http"],
                Warn,
            ),
            (
                "http://api2.saleslayer.com",
                None,
                true,
                &["key-sent-over-http"],
                Fail,
            ),
            (
                "http://proxy.example.com",
                None,
                true,
                &["key-sent-over-http"],
                Fail,
            ),
            (
                "api2.saleslayer.com",
                None,
                false,
                &["scheme-defaults-to-http"],
                Warn,
            ),
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
