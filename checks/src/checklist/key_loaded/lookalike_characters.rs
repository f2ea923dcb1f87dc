//! `lookalike-characters`: the key has no visible non-ASCII characters.
//!
//! A Sales Layer API key is ASCII (treat it as opaque base64-like text: letters, digits,
//! `+`, `/` and a trailing `=` are all legitimate). A key retyped with a CJK input method
//! gets fullwidth letters (`Ａ`), a word processor turns `-` into `–`, and some fonts and
//! OCR tools produce Cyrillic or Greek letters that look exactly like Latin ones. They
//! look right and compare wrong. Each one is named, with the ASCII character it most
//! likely stands for when NFKC or the UTS #39 confusable skeleton gives a single one.
//!
//! Invisible characters and unusual spaces are `hidden-characters`' job, quotes are
//! `quoted-value`'s: neither is reported here.

use super::character_check;
use super::key_source::KeySource;
use crate::analysis::value::{Analysis, LookalikeKind, describe};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::Finding;

crate::check! {
    /// The `lookalike-characters` check.
    LookalikeCharacters: "lookalike-characters", KeyLoaded, "The key has no non-ASCII look-alike characters",
    value_only, after [KeySource],
    codes: &[FULLWIDTH, TYPOGRAPHIC_DASH, COMPATIBILITY_FORM, CONFUSABLE, NON_ASCII],
}

pub const FULLWIDTH: Code = Code::fail(
    "fullwidth",
    "A fullwidth form of an ASCII character (U+FF01–U+FF5E), typed with a CJK input method",
);
pub const TYPOGRAPHIC_DASH: Code = Code::fail(
    "typographic-dash",
    "A typographic dash or minus (U+2010–U+2015, U+2212…) where `-` was meant",
);
pub const COMPATIBILITY_FORM: Code = Code::fail(
    "compatibility-form",
    "A compatibility form with an ASCII equivalent (superscript, ligature, circled…)",
);
pub const CONFUSABLE: Code = Code::fail(
    "confusable",
    "A letter of another script that looks like an ASCII one (Cyrillic а, Greek ο…)",
);
pub const NON_ASCII: Code = Code::fail("non-ascii", "Any other visible non-ASCII character");

const FIX: &str = "Replace each character with its plain ASCII form, or better, copy the key again from the original source without retyping it (turn off the input method's fullwidth mode and the editor's \"smart\" punctuation). A Sales Layer API key contains only ASCII letters, digits and `+`, `/`, `=`.";

fn what(kind: LookalikeKind) -> &'static str {
    match kind {
        LookalikeKind::Fullwidth => "a fullwidth form (typed with a CJK input method)",
        LookalikeKind::TypographicDash => {
            "a typographic dash (a word processor's \"smart\" punctuation)"
        }
        LookalikeKind::CompatibilityForm => {
            "a compatibility form (superscript, ligature or similar)"
        }
        LookalikeKind::Confusable => "a letter from another script that looks like an ASCII one",
        LookalikeKind::NonAscii => "a non-ASCII character",
    }
}

fn code(kind: LookalikeKind) -> Code {
    match kind {
        LookalikeKind::Fullwidth => FULLWIDTH,
        LookalikeKind::TypographicDash => TYPOGRAPHIC_DASH,
        LookalikeKind::CompatibilityForm => COMPATIBILITY_FORM,
        LookalikeKind::Confusable => CONFUSABLE,
        LookalikeKind::NonAscii => NON_ASCII,
    }
}

impl LookalikeCharacters {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        character_check(cx, "non-ASCII look-alike", Analysis::lookalikes, |l, p| {
            let hint = match l.suggestion {
                Some(c) => format!("; it looks like ASCII `{c}`"),
                None => String::new(),
            };
            Finding::new(
                code(l.kind),
                format!("{}: {}{hint}", describe(&p), what(l.kind)),
            )
            .at(p)
            .with_fix(FIX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{CANARY, assert_fails_when_found};

    #[test]
    fn lookalikes_by_kind() {
        // (input, [(code, character, suggestion)])
        type Case<'a> = (&'a str, &'a [(&'a str, usize, Option<char>)]);
        let cases: &[Case] = &[
            ("aB3+xY/9zQ==", &[]),
            (
                "\u{FF21}\u{FF22}\u{FF23}",
                &[
                    ("fullwidth", 1, Some('A')),
                    ("fullwidth", 2, Some('B')),
                    ("fullwidth", 3, Some('C')),
                ],
            ),
            ("k\u{0430}y", &[("confusable", 2, Some('a'))]),
            ("k\u{03BF}y", &[("confusable", 2, Some('o'))]),
            ("a\u{2013}b", &[("typographic-dash", 2, Some('-'))]),
            ("a\u{2212}b", &[("typographic-dash", 2, Some('-'))]),
            ("ab\u{00B2}", &[("compatibility-form", 3, Some('2'))]),
            ("ab\u{00E9}", &[("non-ascii", 3, None)]),
            // Hidden characters, unusual spaces and quotes belong to other checks.
            ("ab\u{200B}c\u{00A0}", &[]),
            ("\u{201C}abc\u{201D}", &[]),
        ];
        for (input, want) in cases {
            let o = check(input);
            let got: Vec<_> = o
                .findings
                .iter()
                .map(|f| {
                    let sugg = f
                        .message
                        .split("looks like ASCII `")
                        .nth(1)
                        .and_then(|s| s.chars().next());
                    (
                        f.code.as_str(),
                        f.position.as_ref().unwrap().character,
                        sugg,
                    )
                })
                .collect();
            assert_eq!(got, *want, "{input:?}");
            assert_fails_when_found(&o, !want.is_empty(), input);
        }
    }

    #[test]
    fn fullwidth_abc_cleans_to_abc() {
        let o = check("\u{FF21}\u{FF22}\u{FF23}");
        assert_eq!(
            o.findings[0].message,
            "U+FF21 FULLWIDTH LATIN CAPITAL LETTER A at character 1 of 3: a fullwidth form (typed with a CJK input method); it looks like ASCII `A`"
        );
        let abc = crate::model::secret::SecretKey::from_string("ABC".into());
        assert_eq!(
            o.details,
            [format!(
                "cleaned value: 3 characters, {} (compare with the key you were given)",
                abc.fingerprint()
            )]
        );
    }

    crate::testing_support::value_check_tests! {
        LookalikeCharacters,
        leaks: [
            "\u{FF33}LDOCTORcanary7Qx9+Zk/4mW2=",
            "SLDOCTORc\u{0430}nary7Qx9+Zk/4mW2=",
            format!("{CANARY}\u{2013}"),
            format!("{CANARY}\u{00E9}"),
        ],
        snapshot: "SLDOCTORc\u{0430}nary7Qx9\u{FF0B}Zk/4mW2\u{2212}",
    }
}
