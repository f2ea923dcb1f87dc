//! Single characters: names, and the classes the value checks report (invisible,
//! header-forbidden, quote, look-alike).

use crate::model::report::Position;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// `U+XXXX` (at least four hex digits).
pub fn codepoint(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The Unicode name of a character; the usual alias for controls, which have no name.
pub fn char_name(c: char) -> String {
    const C0: [&str; 32] = [
        "NULL",
        "START OF HEADING",
        "START OF TEXT",
        "END OF TEXT",
        "END OF TRANSMISSION",
        "ENQUIRY",
        "ACKNOWLEDGE",
        "BELL",
        "BACKSPACE",
        "CHARACTER TABULATION",
        "LINE FEED",
        "LINE TABULATION",
        "FORM FEED",
        "CARRIAGE RETURN",
        "SHIFT OUT",
        "SHIFT IN",
        "DATA LINK ESCAPE",
        "DEVICE CONTROL ONE",
        "DEVICE CONTROL TWO",
        "DEVICE CONTROL THREE",
        "DEVICE CONTROL FOUR",
        "NEGATIVE ACKNOWLEDGE",
        "SYNCHRONOUS IDLE",
        "END OF TRANSMISSION BLOCK",
        "CANCEL",
        "END OF MEDIUM",
        "SUBSTITUTE",
        "ESCAPE",
        "INFORMATION SEPARATOR FOUR",
        "INFORMATION SEPARATOR THREE",
        "INFORMATION SEPARATOR TWO",
        "INFORMATION SEPARATOR ONE",
    ];
    let n = c as u32;
    if n < 0x20 {
        return C0[n as usize].to_string();
    }
    match n {
        0x7F => return "DELETE".into(),
        0x85 => return "NEXT LINE".into(),
        0x80..=0x9F => return "C1 CONTROL".into(),
        _ => {}
    }
    match unicode_names2::name(c) {
        Some(name) => name.to_string(),
        None => "unnamed".into(),
    }
}

/// `U+200B ZERO WIDTH SPACE at character 4 of 7`.
pub fn describe(p: &Position) -> String {
    format!(
        "{} {} at character {} of {}",
        p.codepoint, p.name, p.character, p.of
    )
}

/// Several positions, those that share one character (a grapheme cluster, as a reader
/// counts: CR LF is one line break) said together: `U+000D CARRIAGE RETURN and U+000A LINE
/// FEED, one character at 28 of 28 (2 code points)`.
pub fn describe_all(ps: &[Position]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ps.len() {
        let same = ps[i..]
            .iter()
            .take_while(|p| p.character == ps[i].character)
            .count();
        if same == 1 {
            out.push(describe(&ps[i]));
        } else {
            let names: Vec<String> = ps[i..i + same]
                .iter()
                .map(|p| format!("{} {}", p.codepoint, p.name))
                .collect();
            out.push(format!(
                "{}, one character at {} of {} ({same} code points)",
                names.join(" and "),
                ps[i].character,
                ps[i].of
            ));
        }
        i += same;
    }
    out.join(", ")
}

/// How many characters (grapheme clusters) the positions cover.
pub fn characters(ps: &[Position]) -> usize {
    let mut seen: Vec<usize> = ps.iter().map(|p| p.character).collect();
    seen.dedup();
    seen.len()
}

/// `U+0022 QUOTATION MARK` (no position).
pub fn describe_char(c: char) -> String {
    format!("{} {}", codepoint(c), char_name(c))
}

/// The ASCII whitespace that `extra-whitespace` reports at either end of the value.
pub fn is_edge_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Characters that refuse a request in reqwest/http: C0 controls except TAB, and DEL.
pub fn is_header_forbidden(c: char) -> bool {
    (c < ' ' && c != '\t') || c == '\u{7F}'
}

/// Kinds of invisible characters (`hidden-characters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HiddenKind {
    /// U+200B, U+200C, U+200D, U+2060, U+180E…
    ZeroWidth,
    /// U+FEFF.
    ByteOrderMark,
    /// U+00AD.
    SoftHyphen,
    /// U+200E/200F, U+202A–202E, U+2066–2069, U+061C.
    BidiControl,
    /// U+FE00–FE0F, U+E0100–E01EF, U+180B–180D, U+180F.
    VariationSelector,
    /// U+E0000–E007F.
    TagCharacter,
    /// CR or LF inside the value.
    LineBreak,
    /// TAB inside the value.
    Tab,
    /// Another C0/C1 control or DEL.
    Control,
    /// A space other than U+0020 (NBSP, thin space, ideographic space…).
    UnusualSpace,
    /// U+2028, U+2029.
    LineSeparator,
    /// Hangul fillers (U+115F, U+1160, U+3164, U+FFA0).
    HangulFiller,
    /// Any other format or default-ignorable character.
    Format,
}

impl HiddenKind {
    /// Where such a character usually comes from.
    pub fn origin(self) -> &'static str {
        match self {
            HiddenKind::ZeroWidth => {
                "an invisible zero-width character, typically picked up when copying from a chat app, a web page, a PDF or a rich-text editor"
            }
            HiddenKind::ByteOrderMark => {
                "a byte order mark, typically left at the start of a file saved as \"UTF-8 with BOM\" (Windows Notepad, PowerShell `Out-File`)"
            }
            HiddenKind::SoftHyphen => {
                "an invisible soft hyphen, typically added by a word processor or a web page that hyphenates long words"
            }
            HiddenKind::BidiControl => {
                "an invisible text-direction control, typically copied from a web page or a right-to-left text editor"
            }
            HiddenKind::VariationSelector => {
                "an invisible variation selector (it changes how the previous character is drawn)"
            }
            HiddenKind::TagCharacter => {
                "an invisible tag character (these can smuggle hidden text through copy and paste)"
            }
            HiddenKind::LineBreak => {
                "a line break inside the value, typically from a key copied across a wrapped line"
            }
            HiddenKind::Tab => "a tab inside the value",
            HiddenKind::Control => {
                "a control character, typically from a terminal, a binary file or a broken encoding"
            }
            HiddenKind::UnusualSpace => {
                "a space that is not a plain space (a no-break or typographic space), typically from a web page, a PDF or a word processor"
            }
            HiddenKind::LineSeparator => "an invisible Unicode line or paragraph separator",
            HiddenKind::HangulFiller => "an invisible Hangul filler character",
            HiddenKind::Format => "an invisible formatting character",
        }
    }
}

/// The invisible-character class of `c`, or `None` for a visible character and for U+0020.
pub fn hidden_kind(c: char) -> Option<HiddenKind> {
    let n = c as u32;
    let kind = match n {
        0x200B..=0x200D | 0x2060 | 0x180E => HiddenKind::ZeroWidth,
        0xFEFF => HiddenKind::ByteOrderMark,
        0x00AD => HiddenKind::SoftHyphen,
        0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0x061C => HiddenKind::BidiControl,
        0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0x180B..=0x180D | 0x180F => {
            HiddenKind::VariationSelector
        }
        0xE0000..=0xE007F => HiddenKind::TagCharacter,
        0x0A | 0x0D => HiddenKind::LineBreak,
        0x09 => HiddenKind::Tab,
        0x115F | 0x1160 | 0x3164 | 0xFFA0 => HiddenKind::HangulFiller,
        0x20 => return None,
        _ => match c.general_category() {
            GeneralCategory::Control => HiddenKind::Control,
            GeneralCategory::SpaceSeparator => HiddenKind::UnusualSpace,
            GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
                HiddenKind::LineSeparator
            }
            GeneralCategory::Format => HiddenKind::Format,
            _ if crate::model::untrusted::is_default_ignorable(c) => HiddenKind::Format,
            _ => return None,
        },
    };
    Some(kind)
}

/// Quote characters: ASCII, typographic, guillemets, primes and fullwidth forms.
pub fn is_quote(c: char) -> bool {
    matches!(c as u32,
        0x22 | 0x27 | 0x60 | 0xAB | 0xB4 | 0xBB | 0x02BC | 0x2018..=0x201F | 0x2032..=0x2037
        | 0x2039 | 0x203A | 0x301D..=0x301F | 0xFF02 | 0xFF07)
}

/// Kinds of visible non-ASCII characters (`lookalike-characters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookalikeKind {
    /// U+FF01–FF5E: a fullwidth form of an ASCII character (CJK input methods).
    Fullwidth,
    /// U+2010–2015, U+2212…: a typographic dash or minus.
    TypographicDash,
    /// A compatibility form (superscript, ligature, circled…) with an ASCII equivalent.
    CompatibilityForm,
    /// A letter of another script that looks like an ASCII one (Cyrillic а, Greek ο…).
    Confusable,
    /// Any other non-ASCII character.
    NonAscii,
}

/// A visible non-ASCII character and its ASCII suggestion, when there is a single one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookalike {
    /// What kind of character it is.
    pub kind: LookalikeKind,
    /// The ASCII character it most likely stands for.
    pub suggestion: Option<char>,
}

fn single_ascii(mut it: impl Iterator<Item = char>) -> Option<char> {
    let first = it.next()?;
    if it.next().is_none() && ('!'..='~').contains(&first) {
        Some(first)
    } else {
        None
    }
}

/// The look-alike class of `c`: visible, non-ASCII, not invisible, not a quote.
pub fn lookalike(c: char) -> Option<Lookalike> {
    if c.is_ascii() || hidden_kind(c).is_some() || is_quote(c) {
        return None;
    }
    let mut buf = [0u8; 4];
    let s: &str = c.encode_utf8(&mut buf);
    let nfkc = single_ascii(s.nfkc());
    let skel = single_ascii(unicode_security::skeleton(s));
    let n = c as u32;
    let kind = if (0xFF01..=0xFF5E).contains(&n) {
        LookalikeKind::Fullwidth
    } else if matches!(n, 0x2010..=0x2015 | 0x2212 | 0x2043 | 0xFE58 | 0xFE63) {
        LookalikeKind::TypographicDash
    } else if nfkc.is_some() {
        LookalikeKind::CompatibilityForm
    } else if skel.is_some() {
        LookalikeKind::Confusable
    } else {
        LookalikeKind::NonAscii
    };
    let suggestion = match kind {
        LookalikeKind::TypographicDash => Some('-'),
        _ => nfkc.or(skel),
    };
    Some(Lookalike { kind, suggestion })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codepoints() {
        let cases = [
            ('\u{200B}', "U+200B ZERO WIDTH SPACE"),
            ('\0', "U+0000 NULL"),
            ('\t', "U+0009 CHARACTER TABULATION"),
            ('\n', "U+000A LINE FEED"),
            ('\r', "U+000D CARRIAGE RETURN"),
            ('\u{1B}', "U+001B ESCAPE"),
            ('\u{7F}', "U+007F DELETE"),
            ('\u{FEFF}', "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
            ('\u{E0041}', "U+E0041 TAG LATIN CAPITAL LETTER A"),
            ('\u{201C}', "U+201C LEFT DOUBLE QUOTATION MARK"),
            ('\u{0430}', "U+0430 CYRILLIC SMALL LETTER A"),
            ('\u{10FFFF}', "U+10FFFF unnamed"),
        ];
        for (c, want) in cases {
            assert_eq!(describe_char(c), want);
        }
    }

    #[test]
    fn hidden_classes() {
        let cases = [
            ('\u{200B}', Some(HiddenKind::ZeroWidth)),
            ('\u{2060}', Some(HiddenKind::ZeroWidth)),
            ('\u{FEFF}', Some(HiddenKind::ByteOrderMark)),
            ('\u{00AD}', Some(HiddenKind::SoftHyphen)),
            ('\u{202E}', Some(HiddenKind::BidiControl)),
            ('\u{FE0F}', Some(HiddenKind::VariationSelector)),
            ('\u{E0041}', Some(HiddenKind::TagCharacter)),
            ('\u{00A0}', Some(HiddenKind::UnusualSpace)),
            ('\u{3000}', Some(HiddenKind::UnusualSpace)),
            ('\u{2028}', Some(HiddenKind::LineSeparator)),
            ('\u{3164}', Some(HiddenKind::HangulFiller)),
            ('\u{1D173}', Some(HiddenKind::Format)),
            ('\u{FFF0}', Some(HiddenKind::Format)),
            ('\u{0085}', Some(HiddenKind::Control)),
            ('\n', Some(HiddenKind::LineBreak)),
            (' ', None),
            ('a', None),
            ('+', None),
            ('\u{0430}', None),
        ];
        for (c, want) in cases {
            assert_eq!(hidden_kind(c), want, "{}", codepoint(c));
        }
    }

    #[test]
    fn lookalike_suggestions() {
        let cases = [
            ('\u{FF21}', LookalikeKind::Fullwidth, Some('A')),
            ('\u{FF10}', LookalikeKind::Fullwidth, Some('0')),
            ('\u{0430}', LookalikeKind::Confusable, Some('a')),
            ('\u{03BF}', LookalikeKind::Confusable, Some('o')),
            ('\u{2013}', LookalikeKind::TypographicDash, Some('-')),
            ('\u{2212}', LookalikeKind::TypographicDash, Some('-')),
            ('\u{00B2}', LookalikeKind::CompatibilityForm, Some('2')),
            ('\u{00E9}', LookalikeKind::NonAscii, None),
        ];
        for (c, kind, sugg) in cases {
            let l = lookalike(c).unwrap_or_else(|| panic!("{}", codepoint(c)));
            assert_eq!((l.kind, l.suggestion), (kind, sugg), "{}", codepoint(c));
        }
        for c in ['a', '\u{201C}', '\u{00A0}', '\u{200B}'] {
            assert_eq!(lookalike(c), None, "{}", codepoint(c));
        }
    }
}
