//! `url-path`: the base URL is the bare host, and request paths are the documented ones.
//!
//! Three Catalog path forms circulate (`/catalog/rest/Catalog/…` in the current guides,
//! `/rest/Catalog/…` in the old docs and most public code, bare `/$metadata` in reference
//! examples) and two DAM forms (`/dam/image` in the guides, `/images` in the reference
//! pages). A base URL that already ends in `/dam` or `/rest/Catalog` doubles or breaks
//! the paths appended to it. And a URL written in double quotes in a shell loses
//! `$top`, `$metadata`… to variable expansion (`?=10`, `…/Catalog/`).

use crate::analysis::urls;
use crate::model::check::{Check, CheckError, CheckMeta, Outcome};
use crate::model::context::Context;
use crate::model::report::Item;

/// The `url-path` check.
pub struct UrlPath;

const PASS: &str = "The base URL is the bare host and the paths are the documented ones";

static META: CheckMeta = CheckMeta {
    id: "url-path",
    item: Item::BaseUrl,
    title: "The base URL is the bare host and request paths are the documented ones",
    needs_network: false,
    depends_on: &[],
};

#[async_trait::async_trait]
impl Check for UrlPath {
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

    const API2: &str = "https://api2.saleslayer.com";

    #[test]
    fn base_url_table() {
        let cases: &[(&str, &[&str], Status, &str)] = &[
            (API2, &[], Pass, API2),
            (
                "https://api2.saleslayer.com/",
                &["trailing-slash"],
                Pass,
                API2,
            ),
            ("http://127.0.0.1:8080", &[], Pass, "http://127.0.0.1:8080"),
            (
                "https://api2.saleslayer.com/dam",
                &["base-has-path"],
                Warn,
                API2,
            ),
            (
                "https://api2.saleslayer.com/dam/",
                &["base-has-path"],
                Warn,
                API2,
            ),
            (
                "https://api2.saleslayer.com/catalog",
                &["base-has-path"],
                Warn,
                API2,
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog",
                &["base-has-path"],
                Warn,
                API2,
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog/",
                &["base-has-path"],
                Warn,
                API2,
            ),
            (
                "https://api2.saleslayer.com/rest/Catalog",
                &["legacy-catalog-path", "base-has-path"],
                Fail,
                API2,
            ),
            (
                "https://api2.saleslayer.com/rest/Catalog/",
                &["legacy-catalog-path", "base-has-path"],
                Fail,
                API2,
            ),
            (
                "https://api2.saleslayer.com/v2",
                &["base-has-path"],
                Warn,
                API2,
            ),
            (
                "https://api2.saleslayer.com?=10",
                &["shell-expanded-parameter"],
                Fail,
                API2,
            ),
            (
                "https://proxy.example.com/saleslayer",
                &[],
                Pass,
                "https://proxy.example.com/saleslayer",
            ),
            (
                "http://127.0.0.1:8080/dam",
                &["base-has-path"],
                Warn,
                "http://127.0.0.1:8080",
            ),
        ];
        for (base, want, status, canon) in cases {
            let (got, st) = codes(&UrlPath, base, None);
            assert_eq!(got, *want, "{base:?}");
            assert_eq!(st, *status, "{base:?}");
            assert_eq!(canonical(base, None).as_deref(), Some(*canon), "{base:?}");
        }
    }

    #[test]
    fn request_url_table() {
        let cases: &[(&str, &[&str], Status, &str)] = &[
            (
                "https://api2.saleslayer.com/dam/image?$top=1",
                &[],
                Pass,
                "https://api2.saleslayer.com/dam/image?$top=1",
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
                &[],
                Pass,
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=1&$skip=5",
                &[],
                Pass,
                "https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=1&$skip=5",
            ),
            (
                "https://api2.saleslayer.com/rest/Catalog/$metadata",
                &["legacy-catalog-path"],
                Fail,
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
            ),
            (
                "https://api2.saleslayer.com/rest/Catalog/Categories/$metadata",
                &["legacy-catalog-path"],
                Fail,
                "https://api2.saleslayer.com/catalog/rest/Catalog/Categories/$metadata",
            ),
            (
                "https://api2.saleslayer.com/dam/images?$top=1",
                &["dam-images-plural"],
                Warn,
                "https://api2.saleslayer.com/dam/image?$top=1",
            ),
            (
                "https://api2.saleslayer.com/dam/image?=10",
                &["shell-expanded-parameter"],
                Fail,
                "https://api2.saleslayer.com/dam/image",
            ),
            (
                "https://api2.saleslayer.com/dam/image?=10&=20",
                &["shell-expanded-parameter", "shell-expanded-parameter"],
                Fail,
                "https://api2.saleslayer.com/dam/image",
            ),
            (
                "https://api2.saleslayer.com/dam/image?$top=10&=x",
                &["shell-expanded-parameter"],
                Fail,
                "https://api2.saleslayer.com/dam/image?$top=10",
            ),
            (
                "https://api2.saleslayer.com/dam/image?",
                &["empty-query"],
                Warn,
                "https://api2.saleslayer.com/dam/image",
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog/",
                &["catalog-resource-missing"],
                Fail,
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog",
                &["catalog-resource-missing"],
                Fail,
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
            ),
            (
                "https://api2.saleslayer.com/rest/Catalog/",
                &["legacy-catalog-path", "catalog-resource-missing"],
                Fail,
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog/Categories/",
                &["possibly-expanded-metadata"],
                Warn,
                "https://api2.saleslayer.com/catalog/rest/Catalog/Categories",
            ),
            (
                "https://api2.saleslayer.com/catalog/rest/Catalog/%24metadata",
                &["percent-encoded-dollar"],
                Pass,
                "https://api2.saleslayer.com/catalog/rest/Catalog/%24metadata",
            ),
            (
                "https://api2.saleslayer.com/dam/image?%24top=1",
                &["percent-encoded-dollar"],
                Pass,
                "https://api2.saleslayer.com/dam/image?%24top=1",
            ),
            (
                "https://api2.saleslayer.com/catalog/products",
                &["short-catalog-path"],
                Warn,
                "https://api2.saleslayer.com/catalog/rest/Catalog/products",
            ),
            (
                "https://api2.saleslayer.com/$metadata",
                &["missing-api-prefix"],
                Warn,
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
            ),
            (
                "https://api2.saleslayer.com/images?$top=1",
                &["missing-api-prefix"],
                Warn,
                "https://api2.saleslayer.com/dam/image?$top=1",
            ),
            (
                "https://api2.saleslayer.com/Catalog/rest/catalog/$metadata",
                &["path-case"],
                Warn,
                "https://api2.saleslayer.com/catalog/rest/Catalog/$metadata",
            ),
            (
                "https://api2.saleslayer.com//dam/image",
                &["double-slash"],
                Warn,
                "https://api2.saleslayer.com/dam/image",
            ),
            ("https://api2.saleslayer.com", &["no-api-path"], Warn, API2),
            (
                "https://api2.saleslayer.com/dam",
                &["no-api-path"],
                Warn,
                "https://api2.saleslayer.com/dam",
            ),
            (
                "https://api2.saleslayer.com/foo",
                &["unknown-api-path"],
                Warn,
                "https://api2.saleslayer.com/foo",
            ),
            (
                "http://127.0.0.1:8080/dam/image?$top=1",
                &[],
                Pass,
                "http://127.0.0.1:8080/dam/image?$top=1",
            ),
        ];
        for (url, want, status, canon) in cases {
            let (got, st) = codes(&UrlPath, API2, Some(url));
            assert_eq!(got, *want, "{url:?}");
            assert_eq!(st, *status, "{url:?}");
            assert_eq!(
                canonical(API2, Some(url)).as_deref(),
                Some(*canon),
                "{url:?}"
            );
        }
    }

    #[test]
    fn snapshot_shell_expanded_catalog_url() {
        let o = run(
            &UrlPath,
            &cx(API2, Some("https://api2.saleslayer.com/rest/Catalog/")),
        )
        .unwrap();
        assert!(o.details.contains(
            &"use (--url): https://api2.saleslayer.com/catalog/rest/Catalog/$metadata".to_string()
        ));
        insta::assert_yaml_snapshot!(o);
    }
}
