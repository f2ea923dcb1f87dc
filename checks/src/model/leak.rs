//! The one secret policy: what counts as a leak of the key, and how text is redacted.
//!
//! A text leaks the key when it contains any piece of [`PIECE`] consecutive characters
//! of a key value or of its cleaned form (quotes, whitespace and invisible characters
//! removed, as `crate::analysis::value::cleaned_key` does). Pieces that start or end
//! with whitespace do not count: they are mostly padding, and a key pasted with a
//! trailing newline would otherwise make every line break of a text "leak" it. A value
//! that is not UTF-8 is cut into bytes instead of characters.
//!
//! Every output path (probe details, the support bundle, capture's records, scan's
//! excerpts) asks the same [`Secrets`]: `leaks` to refuse a text, `redact` to replace
//! every run of key material with [`REDACTED`], `guarded` to replace a whole short
//! text (a header name, a path) that holds key material.
//!
//! All pieces go into one Aho-Corasick automaton, so a check is one pass over the text
//! whatever the key length. Encoded copies of the key (percent-encoded, JSON-escaped,
//! base64) are not pieces yet: they are added in [`forms`], the one place that lists
//! which spellings of a key are secret.

use crate::model::secret::SecretKey;
use aho_corasick::{AhoCorasick, MatchKind};

/// Characters in a piece: a text holding this many consecutive characters of the key
/// leaks it. Shorter runs are common in ordinary text (`Bearer`, `https://`).
pub const PIECE: usize = 8;

/// What replaces key material in a redacted text.
pub const REDACTED: &str = "[redacted]";

/// The secret spellings of one key value: the value itself and its cleaned form.
/// Encoded forms (percent, JSON-escaped, base64) belong here too when they are added.
fn forms(key: &SecretKey) -> Vec<Vec<u8>> {
    let mut out = vec![key.expose_bytes().to_vec()];
    if let Some(clean) = crate::analysis::value::cleaned_key(key) {
        out.push(clean.expose_bytes().to_vec());
    }
    out
}

/// Every `len`-character piece of `form` that neither starts nor ends with whitespace;
/// `len`-byte pieces when `form` is not UTF-8.
fn pieces(form: &[u8], len: usize, into: &mut Vec<Vec<u8>>) {
    let mut push = |p: &[u8]| {
        if !into.iter().any(|q| q == p) {
            into.push(p.to_vec());
        }
    };
    let Ok(text) = std::str::from_utf8(form) else {
        form.windows(len).for_each(&mut push);
        return;
    };
    // Byte offsets of every character, plus the end, so windows slice the original.
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    for w in bounds.windows(len + 1) {
        let piece = &text[w[0]..w[len]];
        if piece.trim().chars().count() == len {
            push(piece.as_bytes());
        }
    }
}

/// The key material of one run: a set of pieces and the automaton that finds them.
#[derive(Clone)]
pub struct Secrets {
    pieces: Vec<Vec<u8>>,
    len: usize,
    finder: Option<AhoCorasick>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets([REDACTED {} pieces])", self.pieces.len())
    }
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets::empty(PIECE)
    }
}

impl Secrets {
    /// The secrets of these key values (each with its cleaned form).
    pub fn new(keys: &[&SecretKey]) -> Secrets {
        let mut s = Secrets::empty(PIECE);
        for k in keys {
            s.add(k);
        }
        s
    }

    /// No secrets yet; pieces of `len` characters. `scan` uses shorter pieces (6)
    /// because its excerpts sit right next to a full match.
    pub fn empty(len: usize) -> Secrets {
        Secrets {
            pieces: Vec::new(),
            len: len.max(1),
            finder: None,
        }
    }

    /// Adds a key value (and its cleaned form).
    pub fn add(&mut self, key: &SecretKey) {
        for form in forms(key) {
            self.add_form(&form);
        }
    }

    /// Adds one exact spelling (for callers that derive encoded spellings themselves).
    pub fn add_form(&mut self, form: &[u8]) {
        let before = self.pieces.len();
        pieces(form, self.len, &mut self.pieces);
        if self.pieces.len() != before {
            self.finder = Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&self.pieces)
                    .expect("short literal pieces always build"),
            );
        }
    }

    /// True when no value long enough to leak was added.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Whether `text` holds a piece of a secret.
    pub fn leaks(&self, text: &str) -> bool {
        self.leaks_bytes(text.as_bytes())
    }

    /// Whether `bytes` hold a piece of a secret.
    pub fn leaks_bytes(&self, bytes: &[u8]) -> bool {
        self.finder.as_ref().is_some_and(|f| f.is_match(bytes))
    }

    /// Replaces every run of key material in `text` by [`REDACTED`] (overlapping and
    /// adjacent pieces become one marker, so no key characters sit between markers).
    pub fn redact(&self, text: &mut String) {
        let Some(finder) = &self.finder else { return };
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for m in finder.find_overlapping_iter(text.as_str()) {
            match spans.last_mut() {
                Some(last) if m.start() <= last.1 => last.1 = last.1.max(m.end()),
                _ => spans.push((m.start(), m.end())),
            }
        }
        if spans.is_empty() {
            return;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (s, e) in spans {
            // Pieces of a UTF-8 key are whole characters; a non-UTF-8 key's byte pieces
            // may cut one, so widen to character boundaries.
            let s = floor_char(text, s).max(at);
            let e = ceil_char(text, e);
            out.push_str(&text[at..s]);
            out.push_str(REDACTED);
            at = e;
        }
        out.push_str(&text[at..]);
        *text = out;
    }

    /// `text`, or [`REDACTED`] alone when it holds key material (for short texts such
    /// as a header name or a request target, where a partial redaction reads worse).
    pub fn guarded(&self, text: &str) -> String {
        if self.leaks(text) {
            REDACTED.to_string()
        } else {
            text.to_string()
        }
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::TEST_CANARY;

    fn of(key: &str) -> Secrets {
        Secrets::new(&[&SecretKey::from_string(key.into())])
    }

    #[test]
    fn what_leaks() {
        // (key, text, leaks)
        let table: &[(&str, &str, bool)] = &[
            (TEST_CANARY, "xx canary7Qx9+ yy", true),
            (TEST_CANARY, "xx canary7 yy", false),
            (TEST_CANARY, "nothing", false),
            (TEST_CANARY, TEST_CANARY, true),
            ("short", "short", false),
            // The cleaned form counts: the quotes are gone, the pieces across them too.
            ("\"abcdefgh\"", "key abcdefgh end", true),
            // Whitespace-edged windows do not count.
            ("abcdefg \n", "abcdefg \n", false),
            ("ñandúñandú", "x ñandúñan y", true),
            ("ñandúñandú", "x ñandúña y", false),
        ];
        for (key, text, want) in table {
            assert_eq!(of(key).leaks(text), *want, "key {key:?} text {text:?}");
        }
    }

    #[test]
    fn non_utf8_keys_are_cut_in_bytes() {
        let k = SecretKey::from_bytes(b"\xffabcdefgh\xfe".to_vec());
        let s = Secrets::new(&[&k]);
        assert!(s.leaks("..abcdefgh.."));
        assert!(!s.leaks("..abcdefg.."));
    }

    #[test]
    fn redaction() {
        // (text, redacted)
        let table: &[(&str, &str)] = &[
            (
                "server said canary7Qx9+Zk hello",
                "server said [redacted] hello",
            ),
            ("x SLDOCTORcanary y", "x [redacted] y"),
            (TEST_CANARY, "[redacted]"),
            ("a SLDOCTOR b canary7Q c", "a [redacted] b [redacted] c"),
            ("nothing here", "nothing here"),
        ];
        let s = of(TEST_CANARY);
        for (text, want) in table {
            let mut t = text.to_string();
            s.redact(&mut t);
            assert_eq!(&t, want, "{text:?}");
            assert!(!s.leaks(&t));
        }
    }

    #[test]
    fn guarded_and_empty() {
        let s = of(TEST_CANARY);
        assert_eq!(s.guarded("/dam/SLDOCTORcan"), REDACTED);
        assert_eq!(s.guarded("/dam/image"), "/dam/image");
        let none = Secrets::default();
        assert!(none.is_empty() && !none.leaks(TEST_CANARY));
        let mut t = TEST_CANARY.to_string();
        none.redact(&mut t);
        assert_eq!(t, TEST_CANARY);
    }

    #[test]
    fn shorter_pieces_on_request() {
        let mut s = Secrets::empty(6);
        s.add_form(b"abcdefghij");
        assert!(s.leaks("..cdefgh.."));
        assert!(!s.leaks("..cdefg.."));
    }
}
