//! `key-in-url`: the key is not placed in a URL.
//!
//! Sales Layer documents one way to send the key: the `X-API-KEY` header. A key in a
//! query parameter (`?api_key=…`), in the user info (`https://user:key@…`) or anywhere
//! else in the URL is written to server and proxy access logs, browser history, shell
//! history and CI logs. This check finds key-named parameters, user info and the key
//! value itself (raw or percent-encoded), and never prints what it found.

use crate::analysis::urls::{self, Role, UrlFacts};
use crate::checklist::base_url::UrlFinding;
use crate::model::code::Code;
use crate::model::report::Finding;

crate::checklist::base_url::url_check! {
    /// The `key-in-url` check.
    KeyInUrl: "key-in-url", Security, "The key is not placed in a URL",
    pass: "No key, token or user info in the URL",
    codes: &[KEY_AS_HOST, KEY_SHAPED_HOST, KEY_VALUE_IN_URL, USERINFO_IN_URL, KEY_PARAMETER_IN_URL],
}

pub const KEY_AS_HOST: Code = Code::fail(
    "key-as-host",
    "The base URL's host is the key itself, or holds a piece of it: the key was pasted where the API host belongs (nothing is sent there)",
);
pub const KEY_SHAPED_HOST: Code = Code::fail(
    "key-shaped-host",
    "The base URL's host is not the key sl-doctor uses but looks like an API key (one label of 20 or more letters and digits in both cases): a key was pasted where the API host belongs (nothing is sent there, and it is shown redacted)",
);
pub const KEY_VALUE_IN_URL: Code = Code::fail(
    "key-value-in-url",
    "The key itself, raw or percent-encoded, is in the URL",
);
pub const USERINFO_IN_URL: Code = Code::fail(
    "userinfo-in-url",
    "The URL carries user info (`user:password@`): a credential in a URL",
);
pub const KEY_PARAMETER_IN_URL: Code = Code::fail(
    "key-parameter-in-url",
    "A query parameter is named like a key or token (`api_key`, `token`…)",
);

const FIX: &str = "Remove it from the URL and send the key only in the X-API-KEY header (the only way the Sales Layer docs describe); URLs end up in server and proxy logs, browser history and shell history, so if this URL was ever used, logged or shared, ask Sales Layer support to rotate the key.";

const SHAPED_HOST_FIX: &str = "Put the API host in the base URL (--base-url or SALESLAYER_BASE_URL). If that value is an API key (perhaps the one meant for SALESLAYER_API_KEY), a client that used this URL sent it to a DNS server in clear text: if one did, ask Sales Layer support to rotate it.";

const AS_HOST_FIX: &str = "Put the API host in the base URL (--base-url or SALESLAYER_BASE_URL) and the key only in the X-API-KEY header; a client that used this URL sent the key to a DNS server in clear text, so ask Sales Layer support to rotate the key if it ever ran with it.";

/// The finding of the key, or of a value shaped like another key, pasted as the base URL's
/// host.
fn as_host(k: &urls::KeyInUrl, label: &str) -> UrlFinding {
    if k.shaped_host {
        return UrlFinding::new(
            "an API key is pasted as the base URL",
            Finding::new(
                KEY_SHAPED_HOST,
                format!(
                    "The host of the {label} is not a host name but looks like an API key (not the one sl-doctor uses): a key was pasted where the API host belongs; sl-doctor shows it redacted and sends nothing there, not even a DNS query"
                ),
            )
            .with_fix(SHAPED_HOST_FIX),
        );
    }
    let what = if k.piece_in_host {
        "holds a piece of the API key (host names are read in lower case)"
    } else {
        "is the API key itself"
    };
    UrlFinding::new(
        "the API key is pasted as the base URL",
        Finding::new(
            KEY_AS_HOST,
            format!(
                "The host of the {label} {what}: the key was pasted where the API host belongs; sl-doctor sends nothing there, not even a DNS query"
            ),
        )
        .with_fix(AS_HOST_FIX),
    )
}

/// The findings of `key-in-url` for one URL that parses: the key value itself, user
/// info, and key-named query parameters.
pub fn findings(f: &UrlFacts) -> Vec<UrlFinding> {
    let Ok(p) = &f.parsed else {
        return Vec::new();
    };
    let label = f.role.label();
    let mut out = Vec::new();
    if let Some(k) = p
        .key
        .as_ref()
        .filter(|k| k.in_host() && f.role == Role::Base)
    {
        out.push(as_host(k, label));
    } else if let Some(k) = &p.key {
        let places = if k.places.is_empty() {
            "somewhere".to_string()
        } else {
            k.places.join(", ")
        };
        let encoded = if k.encoded { ", percent-encoded" } else { "" };
        // The key in the query under a key-named parameter is one problem, not two: the
        // parameter names are said here, and get no finding of their own.
        let params = if k.places.contains(&"query string") && !p.query.key_params.is_empty() {
            format!(
                "; the query has {} named like a key ({})",
                if p.query.key_params.len() == 1 {
                    "a parameter"
                } else {
                    "parameters"
                },
                p.query
                    .key_params
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        out.push(UrlFinding::new(
            "the API key is in the URL",
            Finding::new(
                KEY_VALUE_IN_URL,
                format!("The API key itself appears in the {label} ({places}{encoded}){params}"),
            )
            .with_fix(FIX),
        ));
    }
    let key_in_query = p
        .key
        .as_ref()
        .is_some_and(|k| k.places.contains(&"query string"));
    if p.userinfo {
        out.push(UrlFinding::new(
            "user info in the URL",
            Finding::new(
                USERINFO_IN_URL,
                format!("The {label} contains user info (`user:password@` before the host): the API does not use it, and it is a credential in a URL"),
            )
            .with_fix(FIX),
        ));
    }
    for name in p.query.key_params.iter().filter(|_| !key_in_query) {
        out.push(UrlFinding::new(
            format!("query parameter `{name}` carries a credential"),
            Finding::new(
                KEY_PARAMETER_IN_URL,
                format!("The {label} has a query parameter named `{name}`, which looks like a key or token"),
            )
            .with_fix(FIX),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::{API2, UrlCase, assert_cases};
    use crate::model::report::Status::*;
    use crate::testing_support::{cx_with_key, run};

    #[test]
    fn key_parameters_and_user_info() {
        // (base URL, --url, expected codes, status, the URL to use): paths are on api2.
        #[rustfmt::skip]
        let cases: &[UrlCase] = &[
            ("https://user:pass@api2.saleslayer.com", None, &["userinfo-in-url"], Fail, API2),
            ("https://api2.saleslayer.com?apikey=x", None, &["key-parameter-in-url"], Fail, API2),
            (API2, None, &[], Pass, API2),
            (API2, Some("/dam/image?$top=1"), &[], Pass, "/dam/image?$top=1"),
            (API2, Some("/dam/image?apikey=abc&$top=1"), &["key-parameter-in-url"], Fail, "/dam/image?$top=1"),
            (API2, Some("/dam/image?api_key=abc"), &["key-parameter-in-url"], Fail, "/dam/image"),
            (API2, Some("/dam/image?X-API-KEY=abc"), &["key-parameter-in-url"], Fail, "/dam/image"),
            (API2, Some("/dam/image?key=abc"), &["key-parameter-in-url"], Fail, "/dam/image"),
            (API2, Some("/dam/image?token=abc"), &["key-parameter-in-url"], Fail, "/dam/image"),
            (API2, Some("/dam/image?access_token=abc"), &["key-parameter-in-url"], Fail, "/dam/image"),
            (API2, Some("/dam/image?$skiptoken=abc"), &[], Pass, "/dam/image?$skiptoken=[redacted]"),
        ];
        assert_cases(&KeyInUrl, cases);
    }

    #[test]
    fn the_key_value_itself_is_found_raw_and_percent_encoded() {
        let key = b"0123456789abcdef+/==";
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("https://api2.saleslayer.com/dam/image?q=0123456789abcdef+/==",         &["key-value-in-url"]),
            ("https://api2.saleslayer.com/dam/image?q=0123456789abcdef%2B%2F%3D%3D", &["key-value-in-url"]),
            (
                "https://api2.saleslayer.com/dam/image?apikey=0123456789abcdef%2B%2F%3D%3D",
                &["key-value-in-url"],
            ),
            ("https://api2.saleslayer.com/dam/image?q=0123456",                      &[]),
        ];
        for (url, want) in cases {
            let mut cx = cx_with_key(key);
            cx.target.url = Some(url.to_string());
            let o = run(&KeyInUrl, &cx).unwrap();
            let got: Vec<_> = o.findings.iter().map(|f| f.code.as_str()).collect();
            assert_eq!(got, *want, "{url}");
        }
        // A short key is not searched for (it would match everywhere).
        let mut cx = cx_with_key(b"dam");
        cx.target.url = Some("https://api2.saleslayer.com/dam/image".into());
        assert!(run(&KeyInUrl, &cx).unwrap().findings.is_empty());
    }

    #[test]
    fn the_key_pasted_as_the_base_url_is_named_so() {
        let key = crate::testing_support::TEST_CANARY;
        for base in [key.to_string(), format!("https://{key}")] {
            let mut cx = cx_with_key(key.as_bytes());
            cx.target.base_url = base.clone();
            let o = run(&KeyInUrl, &cx).unwrap();
            let got: Vec<_> = o.findings.iter().map(|f| f.code.as_str()).collect();
            assert_eq!(got, ["key-as-host"], "{base}");
            assert_eq!(o.summary, "base URL: the API key is pasted as the base URL");
            // Nothing is sent to that host: every network check skips.
            assert!(crate::net::endpoint::Target::from_context(&cx).is_err());
        }
        // The key in --url's host is the key in a URL, not the base URL's mistake.
        let mut cx = cx_with_key(key.as_bytes());
        cx.target.url = Some(format!("https://{key}/dam/image"));
        let o = run(&KeyInUrl, &cx).unwrap();
        assert_eq!(o.findings[0].code, "key-value-in-url");
    }

    #[test]
    fn a_host_that_looks_like_another_key_is_named_so_and_not_resolved() {
        // (base URL, looks like a key): one label of 20+ characters mixing upper and lower
        // case and digits. Host names in one case, with dots, or short, do not.
        #[rustfmt::skip]
        let cases: &[(&str, bool)] = &[
            ("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr", true),
            ("https://Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi", true),
            ("https://Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi:443/rest", true),
            ("https://Zm9vYmFy+YmF6cXV4MTIzNDU2Nzg5MGFi==", true),
            ("https://api2.saleslayer.com", false),
            ("https://my-service-1234567890abcdef", false),
            ("https://0123456789abcdef0123456789abcdef", false),
            ("https://MyProxy01", false),
            ("https://Zm9vYmFyYmF6cXV4.example.com", false),
        ];
        for (base, shaped) in cases {
            let mut cx = cx_with_key(b"SLDOCTORcanary7Qx9+Zk/4mW2=");
            cx.target.base_url = base.to_string();
            let o = run(&KeyInUrl, &cx).unwrap();
            let got: Vec<_> = o.findings.iter().map(|f| f.code.as_str()).collect();
            let want: &[&str] = if *shaped { &["key-shaped-host"] } else { &[] };
            assert_eq!(got, want, "{base}");
            assert_eq!(
                crate::net::endpoint::Target::from_context(&cx).is_err(),
                *shaped,
                "{base}"
            );
            // Shown redacted wherever a URL is shown.
            let shown = crate::analysis::urls::redact(base, None);
            assert_eq!(shown.contains("[redacted]"), *shaped, "{shown}");
            assert_eq!(
                shown.contains("Zm9vYmFy"),
                base.contains("Zm9vYmFy") && !*shaped,
                "{shown}"
            );
        }
    }

    #[test]
    fn snapshot_key_in_query_and_userinfo() {
        let mut cx = cx_with_key(crate::testing_support::TEST_CANARY.as_bytes());
        cx.target.base_url = "https://me:SLDOCTORcanary7Qx9+Zk%2F4mW2=@api2.saleslayer.com".into();
        cx.target.url = Some(
            "https://api2.saleslayer.com/dam/image?$top=1&api_key=SLDOCTORcanary7Qx9%2BZk%2F4mW2%3D".into(),
        );
        let o = run(&KeyInUrl, &cx).unwrap();
        assert!(!serde_json::to_string(&o).unwrap().contains("canary"));
        insta::assert_yaml_snapshot!(o);
    }
}
