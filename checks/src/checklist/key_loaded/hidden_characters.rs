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
use super::key_source::KeySource;
use crate::analysis::value::{Analysis, HiddenKind, describe};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::Finding;

crate::check! {
    /// The `hidden-characters` check.
    HiddenCharacters: "hidden-characters", KeyLoaded, "The key has no invisible or control characters",
    value_only, after [KeySource],
    codes: &[
        ZERO_WIDTH, BYTE_ORDER_MARK, SOFT_HYPHEN, BIDI_CONTROL, VARIATION_SELECTOR, TAG_CHARACTER,
        INNER_LINE_BREAK, INNER_TAB, CONTROL_CHARACTER, UNUSUAL_SPACE, LINE_SEPARATOR,
        HANGUL_FILLER, FORMAT_CHARACTER,
    ],
}

pub const ZERO_WIDTH: Code = Code::fail(
    "zero-width",
    "A zero-width space, joiner or non-joiner (U+200B–U+200D, U+2060, U+180E)",
);
pub const BYTE_ORDER_MARK: Code = Code::fail("byte-order-mark", "A byte order mark (U+FEFF)");
pub const SOFT_HYPHEN: Code = Code::fail("soft-hyphen", "A soft hyphen (U+00AD)");
pub const BIDI_CONTROL: Code = Code::fail(
    "bidi-control",
    "A text-direction control (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, U+061C)",
);
pub const VARIATION_SELECTOR: Code = Code::fail(
    "variation-selector",
    "A variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF, U+180B–U+180D, U+180F)",
);
pub const TAG_CHARACTER: Code = Code::fail("tag-character", "A tag character (U+E0000–U+E007F)");
pub const INNER_LINE_BREAK: Code = Code::fail(
    "inner-line-break",
    "A CR or LF inside the value, not at either end",
);
pub const INNER_TAB: Code = Code::fail("inner-tab", "A TAB inside the value, not at either end");
pub const CONTROL_CHARACTER: Code = Code::fail(
    "control-character",
    "Another C0 or C1 control character, or DEL",
);
pub const UNUSUAL_SPACE: Code = Code::fail(
    "unusual-space",
    "A space other than U+0020 (no-break, thin, ideographic space…)",
);
pub const LINE_SEPARATOR: Code = Code::fail(
    "line-separator",
    "A Unicode line or paragraph separator (U+2028, U+2029)",
);
pub const HANGUL_FILLER: Code = Code::fail(
    "hangul-filler",
    "A Hangul filler (U+115F, U+1160, U+3164, U+FFA0)",
);
pub const FORMAT_CHARACTER: Code = Code::fail(
    "format-character",
    "Any other invisible format or default-ignorable character",
);

const FIX: &str = "Delete the invisible characters: retype the key or copy it again from the original source through a plain-text editor that shows invisible characters (e.g. VS Code's \"Render Control Characters\" and \"unicode highlight\"), and save key files as UTF-8 without BOM. Check the fingerprint of the cleaned value against the key you were given.";

fn code(kind: HiddenKind) -> Code {
    match kind {
        HiddenKind::ZeroWidth => ZERO_WIDTH,
        HiddenKind::ByteOrderMark => BYTE_ORDER_MARK,
        HiddenKind::SoftHyphen => SOFT_HYPHEN,
        HiddenKind::BidiControl => BIDI_CONTROL,
        HiddenKind::VariationSelector => VARIATION_SELECTOR,
        HiddenKind::TagCharacter => TAG_CHARACTER,
        HiddenKind::LineBreak => INNER_LINE_BREAK,
        HiddenKind::Tab => INNER_TAB,
        HiddenKind::Control => CONTROL_CHARACTER,
        HiddenKind::UnusualSpace => UNUSUAL_SPACE,
        HiddenKind::LineSeparator => LINE_SEPARATOR,
        HiddenKind::HangulFiller => HANGUL_FILLER,
        HiddenKind::Format => FORMAT_CHARACTER,
    }
}

impl HiddenCharacters {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        character_check(cx, "invisible", Analysis::hidden, |kind, p| {
            Finding::new(code(kind), format!("{}: {}", describe(&p), kind.origin()))
                .at(p)
                .with_fix(FIX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{CANARY, assert_fails_when_found, first_message};

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

    /// An empty value passes without "in the key (0 characters)": there is no key in it
    /// (trial 32).
    #[test]
    fn an_empty_value_is_called_a_value() {
        let o = crate::testing_support::run_on_key(&HiddenCharacters, "");
        assert_eq!(
            o.summary,
            "No invisible characters in the value (it is empty)"
        );
        let o = crate::testing_support::run_on_key(&HiddenCharacters, CANARY);
        assert!(
            o.summary
                .starts_with("No invisible characters in the key ("),
            "{}",
            o.summary
        );
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

    crate::testing_support::value_check_tests! {
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
