//! `hidden-characters`: the key has no invisible, format or control characters.
//!
//! A key copied through a chat app, a web page, a PDF or a word processor can pick up
//! characters that are invisible in every editor and terminal: zero-width spaces and
//! joiners, a byte order mark, soft hyphens, text-direction controls, variation
//! selectors, tag characters, no-break spaces. reqwest sends most of them as they are
//! and the server compares a different key. Each one is named with its position.
//!
//! Plain ASCII whitespace at either end (space, TAB, CR, LF) is `extra-whitespace`'s
//! job; everything else invisible, anywhere in the value, is reported here.

use super::character_check;
use crate::analysis::value::{Analysis, describe};
use crate::model::check::{CheckError, Outcome};
use crate::model::context::Context;
use crate::model::report::Finding;

crate::check! {
    /// The `hidden-characters` check.
    HiddenCharacters: "hidden-characters", KeyLoaded, "The key has no invisible or control characters", after ["key-source"]
}

const FIX: &str = "Delete the invisible characters: retype the key or copy it again from the original source through a plain-text editor that shows invisible characters (e.g. VS Code's \"Render Control Characters\" and \"unicode highlight\"), and save key files as UTF-8 without BOM. Check the fingerprint of the cleaned value against the key you were given.";

impl HiddenCharacters {
    async fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        character_check(cx, "invisible", Analysis::hidden, |kind, p| {
            Finding::fail(kind.code(), format!("{}: {}", describe(&p), kind.origin()))
                .at(p)
                .with_fix(FIX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{CANARY, assert_fails_when_found, first_message};

    /// Each finding as "code character/of codepoint".
    fn found(o: &Outcome) -> Vec<String> {
        o.findings
            .iter()
            .map(|f| {
                let p = f.position.as_ref().unwrap();
                format!("{} {}/{} {}", f.code, p.character, p.of, p.codepoint)
            })
            .collect()
    }

    #[test]
    fn hidden_characters_by_kind() {
        let cases: &[(&str, &[&str])] = &[
            ("aB3+xY/9zQ==", &[]),
            ("abc\u{200B}def", &["zero-width 4/7 U+200B"]),
            // ZWNJ and ZWJ extend the grapheme before them.
            (
                "abc\u{200C}d\u{200D}",
                &["zero-width 3/4 U+200C", "zero-width 4/4 U+200D"],
            ),
            ("ab\u{2060}c", &["zero-width 3/4 U+2060"]),
            ("\u{FEFF}abc", &["byte-order-mark 1/4 U+FEFF"]),
            ("ab\u{00AD}c", &["soft-hyphen 3/4 U+00AD"]),
            (
                "\u{202E}abc\u{202C}",
                &["bidi-control 1/5 U+202E", "bidi-control 5/5 U+202C"],
            ),
            ("abc\u{FE0F}", &["variation-selector 3/3 U+FE0F"]),
            ("abc\u{E0041}", &["tag-character 3/3 U+E0041"]),
            ("ab\u{00A0}c", &["unusual-space 3/4 U+00A0"]),
            ("abc\u{00A0}", &["unusual-space 4/4 U+00A0"]),
            ("ab\u{3000}c", &["unusual-space 3/4 U+3000"]),
            ("ab\u{2028}c", &["line-separator 3/4 U+2028"]),
            ("ab\u{3164}c", &["hangul-filler 3/4 U+3164"]),
            ("ab\u{1D173}c", &["format-character 3/4 U+1D173"]),
            ("ab\nc", &["inner-line-break 3/4 U+000A"]),
            ("ab\tc", &["inner-tab 3/4 U+0009"]),
            ("ab\u{1B}c", &["control-character 3/4 U+001B"]),
            ("ab\u{7F}c", &["control-character 3/4 U+007F"]),
            // Leading/trailing ASCII whitespace is extra-whitespace's job.
            ("abc\r\n", &[]),
            (" \tabc ", &[]),
            ("abc def", &[]),
            // Looking through the zero-width space, the LF is still trailing.
            ("abc\n\u{200B}", &["zero-width 5/5 U+200B"]),
        ];
        for (input, want) in cases {
            let o = check(input);
            assert_eq!(found(&o), *want, "{input:?}");
            assert_fails_when_found(&o, !want.is_empty(), input);
        }
    }

    #[test]
    fn zero_width_space_message() {
        let o = check("abc\u{200B}def");
        let m = first_message(&o);
        assert!(
            m.starts_with("U+200B ZERO WIDTH SPACE at character 4 of 7"),
            "{m}"
        );
        assert!(o.details[0].starts_with("cleaned value: 6 characters, sha256:"));
    }

    crate::testing::value_check_tests! {
        HiddenCharacters,
        leaks: [
            format!("{CANARY}\u{200B}"),
            format!("\u{FEFF}{CANARY}"),
            "SLDOC\u{200D}TORcanary7Qx9+Zk/4mW2=",
            format!("{CANARY}\u{E0041}\u{E0042}"),
            format!("\u{202E}{CANARY}\u{00A0}"),
        ],
        snapshot: "\u{FEFF}SLDOCTOR\u{200B}canary7Qx9+Zk/4mW2=\u{00A0}",
    }
}
