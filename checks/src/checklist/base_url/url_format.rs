//! `url-format`: the base URL (and `--url`) is a well-formed URL with no stray characters.
//!
//! A base URL read from a file or a secret store often ends with a newline, and one
//! pasted from a web page or chat can carry a zero-width space or a no-break space.
//! Joined with `/dam/image`, the stray character lands in the middle of the request
//! URL. A base URL with a query string or a fragment swallows every path appended to it.
//! The facts (stray characters by position, query, fragment) come from
//! `crate::analysis::urls`; the findings are built here.

use super::UrlFinding;
use crate::analysis::urls::{Place, Role, Stray, StrayKind, UrlFacts};
use crate::analysis::value::{char_name, codepoint};
use crate::model::code::Code;
use crate::model::report::{Finding, Position, Severity};

super::url_check! {
    /// The `url-format` check.
    UrlFormat: "url-format", BaseUrl, "The base URL is a well-formed URL with no stray characters",
    pass: "The URL is well formed, with no stray characters",
    codes: &[
        TRAILING_NEWLINE, LEADING_WHITESPACE, TRAILING_WHITESPACE, WHITESPACE, CONTROL_CHARACTER,
        INVISIBLE_CHARACTER, BASE_HAS_QUERY, FRAGMENT, UNPARSABLE,
    ]
}

pub const TRAILING_NEWLINE: Code = Code::fail(
    "trailing-newline",
    "The URL ends with a line break (LF or CR), typical of a value read from a file or `$(cat …)`",
);
pub const LEADING_WHITESPACE: Code = Code::fail("leading-whitespace", "Whitespace before the URL");
pub const TRAILING_WHITESPACE: Code = Code::fail(
    "trailing-whitespace",
    "Whitespace other than a line break after the URL",
);
pub const WHITESPACE: Code = Code::fail("whitespace", "Whitespace inside the URL");
pub const CONTROL_CHARACTER: Code = Code::fail(
    "control-character",
    "A control character before, inside or at the end of the URL",
);
pub const INVISIBLE_CHARACTER: Code = Code::fail(
    "invisible-character",
    "An invisible or format character (zero-width space, bidi mark…) in the URL, typical of copy and paste",
);
pub const BASE_HAS_QUERY: Code = Code::fail(
    "base-has-query",
    "The base URL carries a query string, so every path appended to it lands inside the query",
);
pub const FRAGMENT: Code = Code::new(
    "fragment",
    &[Severity::Fail, Severity::Warn],
    "The URL carries a fragment (`#…`), never sent to the server: fails in the base URL, warns in `--url`",
);
pub const UNPARSABLE: Code = Code::fail(
    "unparsable",
    "The URL is empty or cannot be parsed as a URL",
);

/// The findings of `url-format` for one URL: stray characters first, then the
/// structure (query or fragment in the way, or no URL at all).
pub fn findings(f: &UrlFacts) -> Vec<UrlFinding> {
    let mut out = stray_findings(f);
    out.extend(structure_findings(f));
    out
}

/// One finding per stray character, by position.
pub fn stray_findings(f: &UrlFacts) -> Vec<UrlFinding> {
    let use_hint = match &f.canonical {
        Some(c) => format!("use {c}"),
        None => format!(
            "use a URL such as {}/dam/image?$top=1",
            crate::DEFAULT_BASE_URL
        ),
    };
    f.strays
        .iter()
        .map(|s| stray_finding(f, s, &use_hint))
        .collect()
}

fn stray_finding(f: &UrlFacts, s: &Stray, use_hint: &str) -> UrlFinding {
    let (pos, total, title) = (s.position, f.length, f.role.title());
    let (cp, name) = (codepoint(s.ch), char_name(s.ch));
    let where_ = match s.place {
        Place::Leading => "before the URL",
        Place::Trailing => "at the end of the URL",
        Place::Inside => "inside the URL",
    };
    let (code, what) = match (s.kind, s.place, s.ch) {
        (_, Place::Trailing, '\n' | '\r') => (TRAILING_NEWLINE, "a trailing line break, typical of a value read from a file or from `echo`/`$(cat …)` output".to_string()),
        (StrayKind::Whitespace, Place::Leading, _) => (LEADING_WHITESPACE, "whitespace before the URL".to_string()),
        (StrayKind::Whitespace, Place::Trailing, _) => (TRAILING_WHITESPACE, "whitespace after the URL".to_string()),
        (StrayKind::Whitespace, _, _) => (WHITESPACE, "whitespace inside the URL".to_string()),
        (StrayKind::Control, _, _) => (CONTROL_CHARACTER, format!("a control character {where_}")),
        (StrayKind::Invisible, _, _) => (INVISIBLE_CHARACTER, format!("an invisible character {where_}, typical of copy and paste from a web page, chat or word processor")),
    };
    let fix = if code == TRAILING_NEWLINE {
        format!(
            "Strip the line break where the value is read (e.g. `tr -d '\\r\\n'`, `.trim()`), or {use_hint}."
        )
    } else {
        format!("Type the URL again or {use_hint}.")
    };
    UrlFinding::new(
        format!("{cp} {name} at character {pos} of {total}"),
        Finding::new(
            code,
            format!("{title} contains {cp} {name} at character {pos} of {total}: {what}; code that joins it with a path puts it inside the request URL"),
        )
        .with_fix(fix)
        .at(Position {
            character: pos,
            of: total,
            codepoint: cp,
            name,
        }),
    )
}

/// A query string or a fragment in the way, or a URL that does not parse.
pub fn structure_findings(f: &UrlFacts) -> Vec<UrlFinding> {
    let (role, label) = (f.role, f.role.label());
    let p = match &f.parsed {
        Ok(p) => p,
        Err(e) => {
            let fix = match role {
                Role::Base => format!("Use {}.", crate::DEFAULT_BASE_URL),
                Role::Request => format!(
                    "Copy the request URL again, e.g. {}/dam/image?$top=1.",
                    crate::DEFAULT_BASE_URL
                ),
            };
            let msg = format!("{} is not a valid URL: {e}", role.title());
            return vec![UrlFinding::new(
                "not a valid URL",
                Finding::new(UNPARSABLE, msg).with_fix(fix),
            )];
        }
    };
    let use_it = f.canonical.as_deref().unwrap_or(crate::DEFAULT_BASE_URL);
    let mut out = Vec::new();
    if role == Role::Base && p.query.present {
        out.push(UrlFinding::new(
            "the base URL has a query string",
            Finding::new(
                BASE_HAS_QUERY,
                "The base URL carries a query string (`?…`): a path appended to it lands inside the query, so every request goes to the wrong URL",
            )
            .with_fix(format!("Remove the query string: {use_it}; query parameters such as $top belong to each request.")),
        ));
    }
    if p.fragment {
        let (severity, lost) = match role {
            Role::Base => (
                Severity::Fail,
                ", and a path appended to it is lost with it",
            ),
            Role::Request => (Severity::Warn, ""),
        };
        out.push(UrlFinding::new(
            "the URL has a fragment",
            Finding::with_severity(
                FRAGMENT,
                severity,
                format!(
                    "The {label} carries a fragment (`#…`): it is never sent to the server{lost}"
                ),
            )
            .with_fix(format!("Remove the `#…` part: {use_it}.")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::urls::test_support::{canonical, codes, cx};
    use crate::model::report::Status::{self, *};
    use crate::testing_support::run;

    #[test]
    fn stray_characters_and_structure() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<&str>, &[&str], Status)] = &[
            ("https://api2.saleslayer.com",         None, &[], Pass),
            ("http://127.0.0.1:8080",               None, &[], Pass),
            ("https://api2.saleslayer.com\n",       None, &["trailing-newline"], Fail),
            ("https://api2.saleslayer.com\r\n",     None, &["trailing-newline", "trailing-newline"], Fail),
            (" https://api2.saleslayer.com",        None, &["leading-whitespace"], Fail),
            ("https://api2.saleslayer.com \t",      None, &["trailing-whitespace", "trailing-whitespace"], Fail),
            ("https://api2.sales layer.com",        None, &["whitespace"], Fail),
            ("https://api2.saleslayer.com\u{200B}", None, &["invisible-character"], Fail),
            ("\u{FEFF}https://api2.saleslayer.com", None, &["invisible-character"], Fail),
            ("https://api2.saleslayer.com\u{A0}",   None, &["trailing-whitespace"], Fail),
            ("https://api2.\u{0007}saleslayer.com", None, &["control-character"], Fail),
            ("https://api2.saleslayer.com?$top=10", None, &["base-has-query"], Fail),
            ("https://api2.saleslayer.com#x",       None, &["fragment"], Fail),
            ("https://",                            None, &["unparsable"], Fail),
            ("",                                    None, &["unparsable"], Fail),
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
