//! The one secret policy: what counts as a leak of the key, and how text is redacted.
//!
//! A text leaks the key when it contains any piece of [`PIECE`] consecutive characters
//! of any *spelling* of a key value: the value itself, its cleaned form (quotes,
//! whitespace and invisible characters removed, as `crate::analysis::value::cleaned_key`
//! does), and the encodings a server, a proxy or a log may reflect it in ([`forms`], the
//! one list): percent-encoded (upper and lower hex; `encodeURIComponent`, RFC 3986,
//! `quote()` keeping `/`, and form style with `+` for a space), JSON-escaped (as-is,
//! `\/`, `\uXXXX` for non-ASCII and controls, or for all punctuation as .NET does) and
//! base64 (standard and URL-safe, padded or not, and the stable inner part of the key
//! at byte offset 0, 1 or 2 of a longer encoded stream), and the value as outside text
//! is shown once neutralised (`\u{200b}` for an invisible character). Pieces that start or end with
//! whitespace do not count: they are mostly padding, and a key pasted with a trailing
//! newline would otherwise make every line break of a text "leak" it. A value that is
//! not UTF-8 is cut into bytes instead of characters.
//!
//! Every output path (the report at the runner's boundary, probe details, the support
//! bundle, capture's records, scan's excerpts) asks the same [`Secrets`]: `leaks` to
//! refuse a text, `redact` to replace every run of key material with [`REDACTED`],
//! `guarded` to replace a whole short text (a header name, a path) that holds key
//! material.
//!
//! All pieces of all spellings go into one Aho-Corasick automaton, so a check is one
//! linear pass over the text whatever the key length and the number of spellings.

use crate::model::secret::SecretKey;
use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use std::collections::HashSet;
use zeroize::Zeroizing;

/// Characters in a piece: a text holding this many consecutive characters of the key
/// leaks it. Shorter runs are common in ordinary text (`Bearer`, `https://`).
pub const PIECE: usize = 8;

/// What replaces key material in a redacted text.
pub const REDACTED: &str = "[redacted]";

/// Every secret spelling of one key value: the value and its cleaned form, each raw and
/// in every encoding of [`encodings`]. The one place that lists what counts as the key.
fn forms(key: &SecretKey) -> Vec<Zeroizing<Vec<u8>>> {
    let mut values = vec![Zeroizing::new(key.expose_bytes().to_vec())];
    if let Some(clean) = crate::analysis::value::cleaned_key(key) {
        values.push(Zeroizing::new(clean.expose_bytes().to_vec()));
    }
    let mut out = Vec::new();
    for v in &values {
        out.push(v.clone());
        out.extend(encodings(v));
        // As outside text is shown: a reflected key with an invisible character reads
        // `abc\u{200b}def` once neutralised (`model::untrusted`).
        if let Ok(text) = std::str::from_utf8(v) {
            let shown = crate::model::untrusted::neutralise(text, usize::MAX);
            if shown != text {
                out.push(Zeroizing::new(shown.into_bytes()));
            }
        }
    }
    out
}

/// The encoded spellings of one value (see the module documentation).
fn encodings(v: &[u8]) -> Vec<Zeroizing<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for upper in [true, false] {
        // RFC 3986 unreserved only; encodeURIComponent; Python's quote() keeping `/`;
        // application/x-www-form-urlencoded (`+` for a space).
        out.push(percent(v, upper, b"-._~", false));
        out.push(percent(v, upper, b"-._~!'()*", false));
        out.push(percent(v, upper, b"-._~/", false));
        out.push(percent(v, upper, b"-._*", true));
    }
    if let Ok(text) = std::str::from_utf8(v) {
        for style in [
            Json::Plain,
            Json::Slash,
            Json::Ascii,
            Json::AsciiUpper,
            Json::Punct,
        ] {
            out.push(json_escape(text, style).into_bytes());
        }
    }
    for e in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        out.push(e.encode(v).into_bytes());
    }
    for align in 1..3 {
        out.push(base64_core(v, align, false));
        out.push(base64_core(v, align, true));
    }
    out.into_iter().map(Zeroizing::new).collect()
}

/// Percent-encodes every byte that is not ASCII alphanumeric or in `keep`; a space as
/// `+` when `plus` (also the percent-encoded forms `scan` looks for).
pub fn percent(v: &[u8], upper: bool, keep: &[u8], plus: bool) -> Vec<u8> {
    let hex: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = Vec::with_capacity(v.len() * 3);
    for &b in v {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b);
        } else if plus && b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', hex[(b >> 4) as usize], hex[(b & 15) as usize]]);
        }
    }
    out
}

/// How a JSON encoder escapes a string.
#[derive(Clone, Copy, PartialEq)]
enum Json {
    /// Only `"`, `\` and controls (serde_json, `JSON.stringify`).
    Plain,
    /// And `/` as `\/` (PHP's `json_encode`).
    Slash,
    /// And non-ASCII as `\uXXXX` in lower hex (PHP, Python's `json.dumps`).
    Ascii,
    /// Non-ASCII as `\uXXXX` in upper hex.
    AsciiUpper,
    /// Every non-alphanumeric character as `\uXXXX` in upper hex (.NET's encoder).
    Punct,
}

/// `text` as the inside of a JSON string literal written in `style`.
fn json_escape(text: &str, style: Json) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut utf16 = [0u16; 2];
    for c in text.chars() {
        let named = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '/' if style == Json::Slash || style == Json::Ascii => Some("\\/"),
            _ => None,
        };
        let as_u = match style {
            Json::Punct => !c.is_ascii_alphanumeric() && c != ' ',
            Json::Ascii | Json::AsciiUpper => !c.is_ascii() || c.is_ascii_control(),
            Json::Plain | Json::Slash => c.is_ascii_control(),
        };
        if let (Some(n), false) = (named, style == Json::Punct) {
            out.push_str(n);
        } else if as_u {
            for u in c.encode_utf16(&mut utf16) {
                if style == Json::Ascii {
                    out.push_str(&format!("\\u{u:04x}"));
                } else {
                    out.push_str(&format!("\\u{u:04X}"));
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The base64 characters that depend only on `v` when it starts at byte offset `align`
/// (0, 1 or 2) of a longer encoded stream: the first and last characters, which share
/// bits with the bytes around it, are left out. (`scan` searches for the same cores.)
pub fn base64_core(v: &[u8], align: usize, url_safe: bool) -> Vec<u8> {
    let mut input = Zeroizing::new(vec![0u8; align]);
    input.extend_from_slice(v);
    let enc = Zeroizing::new(if url_safe {
        URL_SAFE_NO_PAD.encode(&*input)
    } else {
        STANDARD_NO_PAD.encode(&*input)
    });
    let (lo, hi) = (8 * align, 8 * (align + v.len()));
    enc.bytes()
        .enumerate()
        .filter(|(i, _)| 6 * i >= lo && 6 * i + 6 <= hi)
        .map(|(_, c)| c)
        .collect()
}

/// Every `len`-character piece of `form` that neither starts nor ends with whitespace;
/// `len`-byte pieces when `form` is not UTF-8.
fn pieces(form: &[u8], len: usize, seen: &mut HashSet<Vec<u8>>, into: &mut Vec<Vec<u8>>) {
    let mut push = |p: &[u8]| {
        if seen.insert(p.to_vec()) {
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
    seen: HashSet<Vec<u8>>,
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

    /// The secrets of a run's key values, leaving out a value that is a documentation
    /// placeholder (`YOUR_API_KEY`): that is public text the report names on purpose,
    /// and its pieces are ordinary words (`SALESLAYER_API_KEY` holds `_API_KEY`).
    pub fn of_run(keys: &[&SecretKey]) -> Secrets {
        let secret: Vec<&SecretKey> = keys
            .iter()
            .copied()
            .filter(|k| crate::analysis::value::analyze(k).placeholder.is_none())
            .collect();
        Secrets::new(&secret)
    }

    /// No secrets yet; pieces of `len` characters. `scan` uses shorter pieces (6)
    /// because its excerpts sit right next to a full match.
    pub fn empty(len: usize) -> Secrets {
        Secrets {
            pieces: Vec::new(),
            seen: HashSet::new(),
            len: len.max(1),
            finder: None,
        }
    }

    /// Adds a key value: every spelling of it and of its cleaned form ([`forms`]).
    pub fn add(&mut self, key: &SecretKey) {
        let before = self.pieces.len();
        for form in forms(key) {
            pieces(&form, self.len, &mut self.seen, &mut self.pieces);
        }
        self.rebuild(before);
    }

    /// Adds one exact spelling (for callers that derive encoded spellings themselves).
    pub fn add_form(&mut self, form: &[u8]) {
        let before = self.pieces.len();
        pieces(form, self.len, &mut self.seen, &mut self.pieces);
        self.rebuild(before);
    }

    /// Builds the automaton again when pieces were added since `before`.
    fn rebuild(&mut self, before: usize) {
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

    /// Redacts every string of `data` (a report, an evidence record): the whole value
    /// goes through its JSON form, so no field can be forgotten, and comes back the same
    /// type. Outside text stays neutralised: a marker adds no unsafe character.
    pub fn redact_all<T>(&self, data: &mut T)
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        if self.finder.is_none() {
            return;
        }
        let Ok(mut v) = serde_json::to_value(&*data) else {
            return;
        };
        if !self.redact_value(&mut v) {
            return;
        }
        // The same type, just written: reading it back cannot fail.
        if let Ok(back) = serde_json::from_value(v) {
            *data = back;
        }
    }

    /// Redacts every string (and object key) in `v`; whether anything changed.
    pub fn redact_value(&self, v: &mut serde_json::Value) -> bool {
        use serde_json::Value;
        match v {
            Value::String(s) if self.leaks(s) => {
                self.redact(s);
                true
            }
            Value::Array(a) => a.iter_mut().fold(false, |c, x| self.redact_value(x) | c),
            Value::Object(o) => {
                let leaky: Vec<String> = o.keys().filter(|k| self.leaks(k)).cloned().collect();
                for k in &leaky {
                    if let Some(x) = o.remove(k) {
                        let mut k = k.clone();
                        self.redact(&mut k);
                        o.insert(k, x);
                    }
                }
                o.values_mut()
                    .fold(!leaky.is_empty(), |c, x| self.redact_value(x) | c)
            }
            _ => false,
        }
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
    fn every_encoding_of_the_key_leaks() {
        // The canary percent-encoded, JSON-escaped and in base64 at every offset, written
        // out by hand so the test does not share code with `forms`.
        let s = of(TEST_CANARY);
        for text in [
            "x=SLDOCTORcanary7Qx9%2BZk%2F4mW2%3D&y",
            "x=SLDOCTORcanary7Qx9%2bZk%2f4mW2%3d",
            "\"key\":\"SLDOCTORcanary7Qx9+Zk\\/4mW2=\"",
            "\"key\":\"SLDOCTORcanary7Qx9\\u002BZk\\u002F4mW2\\u003D\"",
            "U0xET0NUT1JjYW5hcnk3UXg5K1prLzRtVzI9", // base64(canary)
            "eFNMRE9DVE9SY2FuYXJ5N1F4OStaay80bVcyPQ==", // base64("x" + canary)
            "eHlTTERPQ1RPUmNhbmFyeTdReDkrWmsvNG1XMj0K", // base64("xy" + canary + "\n")
        ] {
            assert!(s.leaks(text), "{text}");
            let mut t = text.to_string();
            s.redact(&mut t);
            assert!(!s.leaks(&t), "{t}");
        }
        // Any 8-character piece of an encoded spelling is enough.
        assert!(s.leaks("5hcnk3UX"));
        assert!(s.leaks("y9%2BZk%2F"));
        // Form encoding of a value with a space, and a non-ASCII value as \uXXXX.
        let k = of("ab cdéfgh ijk");
        assert!(k.leaks("v=ab+cd%C3%A9fgh+ijk"));
        assert!(k.leaks("\"ab cd\\u00e9fgh ijk\""));
        assert!(!s.leaks("U0xET0N plain words SLDOCTO"));
        // URL-safe base64 (here at offset 1), where standard base64 has `+` and `/`.
        let k = of("k>>>???~~~abcdefgh");
        assert!(k.leaks("az4+Pj8/P35+fmFiY2RlZmdo"));
        assert!(k.leaks("ems-Pj4_Pz9-fn5hYmNkZWZnaA=="));
    }

    #[test]
    fn shorter_pieces_on_request() {
        let mut s = Secrets::empty(6);
        s.add_form(b"abcdefghij");
        assert!(s.leaks("..cdefgh.."));
        assert!(!s.leaks("..cdefg.."));
    }
}
