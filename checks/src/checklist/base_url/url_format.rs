//! `url-format`: the base URL (and `--url`) is a well-formed URL with no stray characters.
//!
//! A base URL read from a file or a secret store often ends with a newline, and one
//! pasted from a web page or chat can carry a zero-width space or a no-break space.
//! Joined with `/dam/image`, the stray character lands in the middle of the request
//! URL. A base URL with a query string or a fragment swallows every path appended to it.
//! The analysis itself lives in `crate::analysis::urls`.

use crate::analysis::urls;
use crate::model::check::{Check, CheckError, CheckMeta, Outcome};
use crate::model::context::Context;
use crate::model::report::Item;

/// The `url-format` check.
pub struct UrlFormat;

const PASS: &str = "The URL is well formed, with no stray characters";

static META: CheckMeta = CheckMeta {
    id: "url-format",
    item: Item::BaseUrl,
    title: "The base URL is a well-formed URL with no stray characters",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for UrlFormat {
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
        let cases: &[(&str, Option<&str>, &[&str], Status)] = &[
            ("https://api2.saleslayer.com", None, &[], Pass),
            ("http://127.0.0.1:8080", None, &[], Pass),
            (
                "https://api2.saleslayer.com\n",
                None,
                &["trailing-newline"],
                Fail,
            ),
            (
                "https://api2.saleslayer.com\r\n",
                None,
                &["trailing-newline", "trailing-newline"],
                Fail,
            ),
            (
                " https://api2.saleslayer.com",
                None,
                &["leading-whitespace"],
                Fail,
            ),
            (
                "https://api2.saleslayer.com \t",
                None,
                &["trailing-whitespace", "trailing-whitespace"],
                Fail,
            ),
            ("https://api2.sales layer.com", None, &["whitespace"], Fail),
            (
                "https://api2.saleslayer.com\u{200B}",
                None,
                &["invisible-character"],
                Fail,
            ),
            (
                "\u{FEFF}https://api2.saleslayer.com",
                None,
                &["invisible-character"],
                Fail,
            ),
            (
                "https://api2.saleslayer.com\u{A0}",
                None,
                &["trailing-whitespace"],
                Fail,
            ),
            (
                "https://api2.\u{0007}saleslayer.com",
                None,
                &["control-character"],
                Fail,
            ),
            (
                "https://api2.saleslayer.com?$top=10",
                None,
                &["base-has-query"],
                Fail,
            ),
            ("https://api2.saleslayer.com#x", None, &["fragment"], Fail),
            ("https://", None, &["unparsable"], Fail),
            ("", None, &["unparsable"], Fail),
            (
                "https://api2.saleslayer.com",
                Some("https://api2.saleslayer.com/dam/image?$top=1#top"),
                &["fragment"],
                Warn,
            ),
            (
                "https://api2.saleslayer.com",
                Some("https://api2.saleslayer.com/dam/image?$top=1\n"),
                &["trailing-newline"],
                Fail,
            ),
        ];
        for (base, url, want, status) in cases {
            let (got, st) = codes(&UrlFormat, base, *url);
            assert_eq!(got, *want, "{base:?} {url:?}");
            assert_eq!(st, *status, "{base:?} {url:?}");
        }
    }

    #[test]
    fn canonical_drops_stray_characters() {
        assert_eq!(
            canonical("https://api2.sales\u{200B}layer.com\n", None).as_deref(),
            Some("https://api2.saleslayer.com")
        );
    }

    #[test]
    fn positions_are_one_based_characters_with_names() {
        let o = run(
            &UrlFormat,
            &cx("https://api2.saleslayer.com\u{200B}/\n", None),
        )
        .unwrap();
        let p = o.findings[0].position.as_ref().unwrap();
        assert_eq!((p.character, p.of), (28, 30));
        assert_eq!(
            (p.codepoint.as_str(), p.name.as_str()),
            ("U+200B", "ZERO WIDTH SPACE")
        );
        assert_eq!(o.findings[1].code, "trailing-newline");
        assert!(
            o.details
                .iter()
                .any(|d| d == "use: https://api2.saleslayer.com")
        );
        insta::assert_yaml_snapshot!(o);
    }
}
