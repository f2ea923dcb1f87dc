//! `url-path`: the base URL is the bare host, and request paths are the documented ones.
//!
//! Three Catalog path forms circulate (`/catalog/rest/Catalog/…` in the current guides,
//! `/rest/Catalog/…` in the old docs and most public code, bare `/$metadata` in reference
//! examples) and two DAM forms (`/dam/image` in the guides, `/images` in the reference
//! pages). A base URL that already ends in `/dam` or `/rest/Catalog` doubles or breaks
//! the paths appended to it. And a URL written in double quotes in a shell loses
//! `$top`, `$metadata`… to variable expansion (`?=10`, `…/Catalog/`).

use super::UrlFinding;
use crate::DEFAULT_BASE_URL;
use crate::analysis::urls::{Parsed, PathProblem, QueryProblem, Role, UrlFacts};
use crate::model::code::Code;
use crate::model::report::Finding;

super::url_check! {
    /// The `url-path` check.
    UrlPath: "url-path", BaseUrl, "The base URL is the bare host and request paths are the documented ones",
    pass: "The base URL is the bare host and the paths are the documented ones",
    codes: &[
        DOUBLE_SLASH, TRAILING_SLASH, NO_API_PATH, DAM_IMAGES_PLURAL, LEGACY_CATALOG_PATH,
        SHORT_CATALOG_PATH, MISSING_API_PREFIX, UNKNOWN_API_PATH, PATH_CASE,
        CATALOG_RESOURCE_MISSING, POSSIBLY_EXPANDED_METADATA, PERCENT_ENCODED_DOLLAR,
        SHELL_EXPANDED_PARAMETER, ODATA_OPTION_WITHOUT_DOLLAR, EMPTY_QUERY, BASE_HAS_PATH,
    ],
}

pub const DOUBLE_SLASH: Code = Code::warn(
    "double-slash",
    "The path contains `//`, typically a base URL ending in `/` joined with a path starting with `/`",
);
pub const TRAILING_SLASH: Code = Code::info(
    "trailing-slash",
    "The base URL ends with `/`, so code that appends `/dam/...` produces `//`",
);
pub const NO_API_PATH: Code = Code::warn(
    "no-api-path",
    "The `--url` names no API resource: no path, or it stops at /dam or /catalog",
);
pub const DAM_IMAGES_PLURAL: Code = Code::warn(
    "dam-images-plural",
    "The path uses /dam/images where the guides write /dam/image",
);
pub const LEGACY_CATALOG_PATH: Code = Code::fail(
    "legacy-catalog-path",
    "The path uses the legacy /rest/Catalog/… without the /catalog prefix",
);
pub const SHORT_CATALOG_PATH: Code = Code::warn(
    "short-catalog-path",
    "The path uses /catalog/… without /rest/Catalog",
);
pub const MISSING_API_PREFIX: Code = Code::warn(
    "missing-api-prefix",
    "The path starts at a Catalog or DAM resource, without /catalog/rest/Catalog or /dam in front",
);
pub const UNKNOWN_API_PATH: Code = Code::warn(
    "unknown-api-path",
    "The `--url` path on a Sales Layer host is neither a DAM nor a Catalog path",
);
pub const PATH_CASE: Code = Code::warn(
    "path-case",
    "The Catalog prefix is written with other letter case than /catalog/rest/Catalog",
);
pub const CATALOG_RESOURCE_MISSING: Code = Code::fail(
    "catalog-resource-missing",
    "The `--url` ends at /Catalog/: a shell expanded `$metadata` inside double quotes",
);
pub const POSSIBLY_EXPANDED_METADATA: Code = Code::warn(
    "possibly-expanded-metadata",
    "The `--url` ends with `/` after a Catalog resource: maybe a shell expanded `$metadata`",
);
pub const PERCENT_ENCODED_DOLLAR: Code = Code::info(
    "percent-encoded-dollar",
    "The URL writes `$` as %24 in the path or in a `$top`-style parameter name",
);
pub const SHELL_EXPANDED_PARAMETER: Code = Code::fail(
    "shell-expanded-parameter",
    "A query parameter has an empty name: a shell expanded `$top`-style parameters inside double quotes",
);
pub const ODATA_OPTION_WITHOUT_DOLLAR: Code = Code::warn(
    "odata-option-without-dollar",
    "A query parameter is named like an OData option without its `$` (`top` for `$top`): the API does not apply it",
);
pub const EMPTY_QUERY: Code = Code::warn(
    "empty-query",
    "The URL ends with a lone `?`: maybe a shell expanded a `$top`-style parameter",
);
pub const BASE_HAS_PATH: Code = Code::warn(
    "base-has-path",
    "The base URL has an API path, or any path on a Sales Layer host: it should be the bare host",
);

/// The findings of `url-path` for one URL that parses: the path problems, the traces of
/// shell expansion in the query, and an API path in a base URL.
pub fn findings(f: &UrlFacts) -> Vec<UrlFinding> {
    let Ok(p) = &f.parsed else {
        return Vec::new();
    };
    let label = f.role.label();
    let mut out: Vec<UrlFinding> = p
        .path
        .problems
        .iter()
        .map(|pp| path_finding(*pp, label))
        .collect();
    out.extend(p.query.problems.iter().map(|q| query_finding(q, label)));
    if p.query.empty {
        out.push(UrlFinding::new(
            "empty query string",
            Finding::new(
                EMPTY_QUERY,
                format!("The {label} ends with `?` and nothing after it: a shell may have expanded a `$top`-style parameter inside double quotes"),
            )
            .with_fix("Put the URL in single quotes, or write \\$top or %24top."),
        ));
    }
    if f.role == Role::Base
        && let Some(bare) = base_path_finding(f, p)
    {
        // A base URL with a path has one fix, the bare host: sl-doctor appends the right
        // path itself, so "put /catalog in front" would contradict it.
        for f in &mut out {
            f.finding.fix = None;
        }
        out.push(bare);
    }
    out
}

fn path_finding(problem: PathProblem, label: &str) -> UrlFinding {
    let (short, code, message, fix) = match problem {
        PathProblem::DoubleSlash => (
            "double slash in the path",
            DOUBLE_SLASH,
            format!("The {label} path contains `//`: typically a base URL ending in `/` joined with a path starting with `/`; whether the API treats `//dam/...` like `/dam/...` is not documented"),
            Some("Join the base URL and the path with a single `/`: give the base URL without a trailing slash (https://api2.saleslayer.com).".into()),
        ),
        PathProblem::TrailingSlash => (
            "trailing slash",
            TRAILING_SLASH,
            "The base URL ends with `/`: code that appends `/dam/...` or `/catalog/...` produces `//`".into(),
            Some(format!("Write the base URL without the trailing slash: {DEFAULT_BASE_URL}.")),
        ),
        PathProblem::NoPath => (
            "no API path",
            NO_API_PATH,
            "The --url has no path: a request goes to /dam/... or /catalog/rest/Catalog/...".into(),
            Some(format!("Give the full request URL, e.g. {DEFAULT_BASE_URL}/dam/image?$top=1 or {DEFAULT_BASE_URL}/catalog/rest/Catalog/$metadata.")),
        ),
        PathProblem::DamImagesPlural => (
            "/dam/images instead of /dam/image",
            DAM_IMAGES_PLURAL,
            format!("The {label} uses /dam/images: the Sales Layer guides write /dam/image (singular), the DAM reference pages write /images; which one is current (or whether both work) is not documented"),
            Some("Use /dam/image as in the guides; if that fails with 404 while /dam/images works, keep /dam/images.".into()),
        ),
        PathProblem::NoDamResource => (
            "no DAM resource",
            NO_API_PATH,
            "The --url stops at /dam: no resource is named".into(),
            Some(format!("Name the resource, e.g. {DEFAULT_BASE_URL}/dam/image?$top=1.")),
        ),
        PathProblem::LegacyCatalogPath => (
            "legacy Catalog path /rest/Catalog",
            LEGACY_CATALOG_PATH,
            format!("The {label} uses /rest/Catalog/… without the /catalog prefix: that is the form of the old docs and most public code; the current guides use /catalog/rest/Catalog/…, and whether api2 still serves the old form is not documented"),
            Some("Put /catalog in front: /catalog/rest/Catalog/…".into()),
        ),
        PathProblem::ShortCatalogPath => (
            "Catalog path without /rest/Catalog",
            SHORT_CATALOG_PATH,
            format!("The {label} uses /catalog/… without /rest/Catalog: the documented Catalog paths are /catalog/rest/Catalog/<resource>"),
            Some("Use /catalog/rest/Catalog/<resource>, e.g. /catalog/rest/Catalog/$metadata.".into()),
        ),
        PathProblem::NoCatalogResource => (
            "no Catalog resource",
            NO_API_PATH,
            "The --url stops at /catalog: no resource is named".into(),
            Some(format!("Name the resource, e.g. {DEFAULT_BASE_URL}/catalog/rest/Catalog/$metadata.")),
        ),
        other => return resource_finding(other, label),
    };
    UrlFinding::worded(short, code, message, fix)
}

/// The problems found from the resource on: a missing prefix, its letter case, a
/// resource lost to shell expansion, `%24`.
fn resource_finding(problem: PathProblem, label: &str) -> UrlFinding {
    let (short, code, message, fix) = match problem {
        PathProblem::BareCatalogResource => (
            "Catalog path without prefix",
            MISSING_API_PREFIX,
            format!("The {label} path starts at the Catalog resource: the reference pages show such bare paths, but requests go to /catalog/rest/Catalog/<resource>"),
            Some("Prefix the path with /catalog/rest/Catalog."),
        ),
        PathProblem::BareDamResource => (
            "DAM path without /dam",
            MISSING_API_PREFIX,
            format!("The {label} path starts at the DAM resource: the reference pages show such bare paths, but requests go to /dam/<resource>"),
            Some("Prefix the path with /dam (https://api2.saleslayer.com/dam/image)."),
        ),
        PathProblem::UnknownApiPath => (
            "undocumented path",
            UNKNOWN_API_PATH,
            format!("The {label} path is neither a DAM (/dam/...) nor a Catalog (/catalog/rest/Catalog/...) path"),
            Some("Use a documented path, e.g. /dam/image?$top=1 or /catalog/rest/Catalog/$metadata."),
        ),
        PathProblem::PrefixCase => (
            "letter case of /catalog/rest/Catalog",
            PATH_CASE,
            format!("The {label} writes the Catalog prefix with different letter case than the docs (/catalog/rest/Catalog); whether paths are case-insensitive is not documented"),
            Some("Write /catalog/rest/Catalog exactly."),
        ),
        PathProblem::CatalogResourceMissing => (
            "Catalog URL ends at /Catalog/",
            CATALOG_RESOURCE_MISSING,
            "The --url ends at /Catalog/ where `$metadata` or a resource was expected: a shell expanded `$metadata` (an unset variable) inside double quotes".into(),
            Some("Put the URL in single quotes, or write \\$metadata or %24metadata (whether the API accepts %24metadata is not documented)."),
        ),
        PathProblem::PossiblyExpandedMetadata => (
            "trailing slash after a Catalog resource",
            POSSIBLY_EXPANDED_METADATA,
            "The --url ends with `/` after a Catalog resource: if you meant <Resource>/$metadata, a shell expanded `$metadata` inside double quotes".into(),
            Some("Put the URL in single quotes, or write \\$metadata; otherwise remove the trailing slash."),
        ),
        PathProblem::PercentEncodedDollar => (
            "percent-encoded $ in the path",
            PERCENT_ENCODED_DOLLAR,
            format!("The {label} path writes `$` as %24; the docs write a literal `$` and do not say whether %24 is accepted"),
            None,
        ),
        other => return path_finding(other, label),
    };
    UrlFinding::worded(short, code, message, fix.map(String::from))
}

fn query_finding(problem: &QueryProblem, label: &str) -> UrlFinding {
    match problem {
        QueryProblem::EmptyName { index } => UrlFinding::new(
            "query parameter with an empty name",
            Finding::new(
                SHELL_EXPANDED_PARAMETER,
                format!("Query parameter {index} of the {label} has an empty name (`?=…` or `&=…`): a shell expanded `$top`, `$skip`, `$filter`, `$select`, `$orderby` or `$expand` (unset variables) inside double quotes"),
            )
            .with_fix("Put the URL in single quotes, or write \\$top or %24top (whether the API accepts %24top is not documented), then restore the parameter name."),
        ),
        QueryProblem::EncodedDollar { name } => UrlFinding::new(
            "percent-encoded $ in the query",
            Finding::new(
                PERCENT_ENCODED_DOLLAR,
                format!("The {label} writes `{name}` as %24{}: the docs write a literal `$` and do not say whether the API accepts %24", &name[1..]),
            ),
        ),
        QueryProblem::MissingDollar { name } => {
            let option = format!("${}", name.to_ascii_lowercase());
            UrlFinding::new(
                "OData option without its $",
                Finding::new(
                    ODATA_OPTION_WITHOUT_DOLLAR,
                    format!("The {label} has a query parameter `{name}`: the API reads the OData option `{option}` (with `$`), so `{name}` is not applied"),
                )
                .with_fix(format!("Name the parameter `{option}` (e.g. params={{\"{option}\": 1}} in Python requests; in a shell, put the URL in single quotes).")),
            )
        }
    }
}

/// A base URL is the bare host: an API path (or any path on a Sales Layer host) in it
/// breaks the paths appended to it.
fn base_path_finding(f: &UrlFacts, p: &Parsed) -> Option<UrlFinding> {
    if p.path.api_like {
        let use_it = f.canonical.as_deref().unwrap_or(DEFAULT_BASE_URL);
        Some(UrlFinding::new(
            "the base URL has an API path",
            Finding::new(
                BASE_HAS_PATH,
                format!("The base URL ends in an API path ({}): sl-doctor and the Sales Layer Postman collection expect the bare host and append /dam/... or /catalog/rest/Catalog/... themselves", p.path_shown),
            )
            .with_fix(format!("Give the bare host as base URL: {use_it}.")),
        ))
    } else if !p.path_is_root && p.host_class.is_sales_layer() {
        Some(UrlFinding::new(
            "the base URL has a path",
            Finding::new(
                BASE_HAS_PATH,
                "The base URL has a path that is not a documented API path: the base URL is the bare host",
            )
            .with_fix(format!("Give the bare host as base URL: {DEFAULT_BASE_URL}.")),
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::{API2, assert_case, canonical, codes, cx, on_api2};
    use crate::model::report::Status::{self, *};
    use crate::testing_support::run;

    #[test]
    fn base_url_table() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], Status, &str)] = &[
            (API2,                                                &[], Pass, API2),
            ("https://api2.saleslayer.com/",                      &["trailing-slash"], Pass, API2),
            ("http://127.0.0.1:8080",                             &[], Pass, "http://127.0.0.1:8080"),
            ("https://api2.saleslayer.com/dam",                   &["base-has-path"], Warn, API2),
            ("https://api2.saleslayer.com/dam/",                  &["base-has-path"], Warn, API2),
            ("https://api2.saleslayer.com/catalog",               &["base-has-path"], Warn, API2),
            ("https://api2.saleslayer.com/catalog/rest/Catalog",  &["base-has-path"], Warn, API2),
            ("https://api2.saleslayer.com/catalog/rest/Catalog/", &["base-has-path"], Warn, API2),
            ("https://api2.saleslayer.com/rest/Catalog",          &["legacy-catalog-path", "base-has-path"], Fail, API2),
            ("https://api2.saleslayer.com/rest/Catalog/",         &["legacy-catalog-path", "base-has-path"], Fail, API2),
            ("https://api2.saleslayer.com/v2",                    &["base-has-path"], Warn, API2),
            ("https://api2.saleslayer.com?=10",                   &["shell-expanded-parameter"], Fail, API2),
            ("https://proxy.example.com/saleslayer",              &[], Pass, "https://proxy.example.com/saleslayer"),
            ("http://127.0.0.1:8080/dam",                         &["base-has-path"], Warn, "http://127.0.0.1:8080"),
        ];
        for (base, want, status, canon) in cases {
            assert_case(&UrlPath, (base, None), want, *status, canon);
        }
    }

    #[test]
    fn request_url_table() {
        // (the --url, expected codes, status, the URL to use): paths are on api2.
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], Status, &str)] = &[
            ("/dam/image?$top=1",                             &[], Pass, "/dam/image?$top=1"),
            ("/catalog/rest/Catalog/$metadata",               &[], Pass, "/catalog/rest/Catalog/$metadata"),
            ("/catalog/rest/Catalog/Products?$top=1&$skip=5", &[], Pass, "/catalog/rest/Catalog/Products?$top=1&$skip=5"),
            (
                "/rest/Catalog/$metadata",
                &["legacy-catalog-path"],
                Fail,
                "/catalog/rest/Catalog/$metadata",
            ),
            (
                "/rest/Catalog/Categories/$metadata",
                &["legacy-catalog-path"],
                Fail,
                "/catalog/rest/Catalog/Categories/$metadata",
            ),
            ("/dam/images?$top=1",                            &["dam-images-plural"], Warn, "/dam/image?$top=1"),
            ("/dam/image?=10",                                &["shell-expanded-parameter"], Fail, "/dam/image"),
            (
                "/dam/image?=10&=20",
                &["shell-expanded-parameter", "shell-expanded-parameter"],
                Fail,
                "/dam/image",
            ),
            ("/dam/image?$top=10&=x",                         &["shell-expanded-parameter"], Fail, "/dam/image?$top=10"),
            ("/dam/image?",                                   &["empty-query"], Warn, "/dam/image"),
            (
                "/catalog/rest/Catalog/",
                &["catalog-resource-missing"],
                Fail,
                "/catalog/rest/Catalog/$metadata",
            ),
            (
                "/catalog/rest/Catalog",
                &["catalog-resource-missing"],
                Fail,
                "/catalog/rest/Catalog/$metadata",
            ),
            (
                "/rest/Catalog/",
                &["legacy-catalog-path", "catalog-resource-missing"],
                Fail,
                "/catalog/rest/Catalog/$metadata",
            ),
            (
                "/catalog/rest/Catalog/Categories/",
                &["possibly-expanded-metadata"],
                Warn,
                "/catalog/rest/Catalog/Categories",
            ),
            (
                "/catalog/rest/Catalog/%24metadata",
                &["percent-encoded-dollar"],
                Pass,
                "/catalog/rest/Catalog/%24metadata",
            ),
            ("/dam/image?%24top=1",                           &["percent-encoded-dollar"], Pass, "/dam/image?%24top=1"),
            ("/dam/image?top=1",                              &["odata-option-without-dollar"], Warn, "/dam/image?$top=1"),
            ("/catalog/products",                             &["short-catalog-path"], Warn, "/catalog/rest/Catalog/products"),
            ("/$metadata",                                    &["missing-api-prefix"], Warn, "/catalog/rest/Catalog/$metadata"),
            ("/images?$top=1",                                &["missing-api-prefix"], Warn, "/dam/image?$top=1"),
            ("/Catalog/rest/catalog/$metadata",               &["path-case"], Warn, "/catalog/rest/Catalog/$metadata"),
            ("//dam/image",                                   &["double-slash"], Warn, "/dam/image"),
            ("",                                              &["no-api-path"], Warn, ""),
            ("/dam",                                          &["no-api-path"], Warn, "/dam"),
            ("/foo",                                          &["unknown-api-path"], Warn, "/foo"),
            ("http://127.0.0.1:8080/dam/image?$top=1",        &[], Pass, "http://127.0.0.1:8080/dam/image?$top=1"),
        ];
        for (path, want, status, canon) in cases {
            let url = on_api2(path);
            let (got, st) = codes(&UrlPath, API2, Some(&url));
            assert_eq!(got, *want, "{url:?}");
            assert_eq!(st, *status, "{url:?}");
            assert_eq!(canonical(API2, Some(&url)), Some(on_api2(canon)), "{url:?}");
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
