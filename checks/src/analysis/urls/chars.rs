//! Characters that do not belong in a URL (whitespace, controls, invisible characters),
//! found by position in the URL as given.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

/// Why a character does not belong in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrayKind {
    /// Any Unicode whitespace (space, TAB, CR, LF, no-break space…).
    Whitespace,
    /// A control character that is not whitespace.
    Control,
    /// A format character or a blank-looking filler (zero-width space, BOM…).
    Invisible,
}

/// Where a stray character sits relative to the visible part of the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Before the first visible character (or the URL has none).
    Leading,
    /// After the last visible character.
    Trailing,
    /// Between visible characters.
    Inside,
}

/// One stray character of the URL as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    /// 1-based position, in user-perceived characters (grapheme clusters).
    pub position: usize,
    /// The character.
    pub ch: char,
    /// What kind of stray character it is.
    pub kind: StrayKind,
    /// Where it sits.
    pub place: Place,
}

/// Why a character does not belong in a URL, or `None` when it may.
pub fn stray_kind(c: char) -> Option<StrayKind> {
    // A visible ASCII character is none of the kinds below (the usual URL is all of them).
    if c.is_ascii_graphic() {
        return None;
    }
    if c.is_whitespace() {
        Some(StrayKind::Whitespace)
    } else if c.is_control() {
        Some(StrayKind::Control)
    } else if c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{180E}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}'
        )
    {
        Some(StrayKind::Invisible)
    } else {
        None
    }
}

/// The stray characters of `raw`, and its length in user-perceived characters.
pub fn strays(raw: &str) -> (Vec<Stray>, usize) {
    let graphemes: Vec<&str> = raw.graphemes(true).collect();
    let all_stray = |g: &&str| g.chars().all(|c| stray_kind(c).is_some());
    let first_visible = graphemes.iter().position(|g| !all_stray(g));
    let last_visible = graphemes.iter().rposition(|g| !all_stray(g));
    let mut out = Vec::new();
    for (i, g) in graphemes.iter().enumerate() {
        for ch in g.chars() {
            let Some(kind) = stray_kind(ch) else {
                continue;
            };
            let place = match (first_visible, last_visible) {
                (Some(f), _) if i < f => Place::Leading,
                (_, Some(l)) if i > l => Place::Trailing,
                (None, _) => Place::Leading,
                _ => Place::Inside,
            };
            out.push(Stray {
                position: i + 1,
                ch,
                kind,
                place,
            });
        }
    }
    (out, graphemes.len())
}

/// `raw` without its stray characters.
pub fn without_strays(raw: &str) -> String {
    raw.chars().filter(|c| stray_kind(*c).is_none()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for visible ASCII answers what the full rule would.
    #[test]
    fn visible_ascii_is_never_stray() {
        for c in '!'..='~' {
            assert!(
                !c.is_whitespace()
                    && !c.is_control()
                    && c.general_category() != GeneralCategory::Format,
                "{c:?}"
            );
        }
        for (c, kind) in [
            (' ', StrayKind::Whitespace),
            ('\u{7f}', StrayKind::Control),
            ('\u{200b}', StrayKind::Invisible),
        ] {
            assert_eq!(stray_kind(c), Some(kind), "{c:?}");
        }
    }
}
