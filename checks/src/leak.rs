//! The one secret policy: what counts as a leak of the key, and how text is redacted.
//!
//! A text leaks the key when it contains any *piece* of any *spelling* of a key value: the
//! value itself and its cleaned form (quotes, whitespace and invisible characters removed,
//! as `crate::analysis::value::cleaned_key` does), each as it is and in every encoding a
//! server, a proxy, a log or a file may carry it in ([`spellings`], the one list, which
//! `scan` searches for too): percent-encoded once or twice, JSON-escaped, base64 at any
//! alignment, hex, HTML character references, UTF-16, and as outside text is shown once
//! neutralised. A piece is [`PIECE`] consecutive characters of a spelling that keeps most
//! characters (pieces that start or end with whitespace do not count: they are mostly
//! padding), or [`PIECE`] consecutive characters of the key in a spelling that writes each
//! character as several (hex, references, UTF-16). A value that is not UTF-8 is cut into
//! bytes instead of characters.
//!
//! Every output path (the report at the runner's boundary, probe details, the support
//! bundle, capture's records, scan's excerpts) asks the same [`Secrets`]: `leaks` to
//! refuse a text, `redact` to replace every run of key material with [`REDACTED`],
//! `guarded` to replace a whole short text (a header name, a path) that holds key
//! material.
//!
//! All pieces of all spellings go into one index ([`index`]), so a check is one pass over
//! the text whatever the key length and the number of spellings.

mod index;
mod spellings;

pub use spellings::{Encoding, Spelling, base64_core, percent, spellings};

use crate::analysis::value::Analysis;
use crate::model::secret::SecretKey;
use index::{PieceIndex, Pieces};

/// Characters in a piece: a text holding this many consecutive characters of the key
/// leaks it. Shorter runs are common in ordinary text (`Bearer`, `https://`).
pub const PIECE: usize = 8;

/// What replaces key material in a redacted text.
pub const REDACTED: &str = "[redacted]";

/// Every spelling of one key value and of its cleaned form
/// (`crate::analysis::value::cleaned_key`; [`spellings`], the one list).
fn forms(key: &SecretKey, cleaned: Option<&SecretKey>) -> Vec<Spelling> {
    let mut all = spellings(key.expose_bytes());
    if let Some(cleaned) = cleaned {
        all.extend(spellings(cleaned.expose_bytes()));
    }
    // Encodings agree on most of a key (letters and digits are their own URL encoding),
    // and a clean value is its own cleaned form: each distinct spelling is cut once.
    let mut out: Vec<Spelling> = Vec::with_capacity(all.len());
    for s in all {
        if !out.iter().any(|o| o.bytes == s.bytes && o.ends == s.ends) {
            out.push(s);
        }
    }
    out
}

/// The pieces of one spelling: `len` consecutive characters' spellings of a dense one
/// (see the module documentation), else [`pieces`] of its text.
fn spelling_pieces(s: &Spelling, len: usize, into: &mut Pieces) {
    if s.ends.is_empty() {
        return pieces(&s.bytes, len, into);
    }
    let at = into.add_text(&s.bytes);
    let starts = std::iter::once(0).chain(s.ends.iter().copied());
    for (start, end) in starts.zip(s.ends.iter().skip(len - 1)) {
        into.push_span(at + start, at + end);
    }
}

/// Every `len`-character piece of `form` that neither starts nor ends with whitespace;
/// `len`-byte pieces when `form` is not UTF-8.
fn pieces(form: &[u8], len: usize, into: &mut Pieces) {
    let at = into.add_text(form);
    let windows = 0..(form.len() + 1).saturating_sub(len);
    if form.is_ascii() {
        // Characters are bytes (most spellings are ASCII).
        let edge = |b: u8| char::from(b).is_whitespace();
        for i in windows.filter(|&i| !edge(form[i]) && !edge(form[i + len - 1])) {
            into.push_span(at + i, at + i + len);
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(form) else {
        windows.for_each(|i| into.push_span(at + i, at + i + len));
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
        let edge = |c: Option<char>| c.is_some_and(char::is_whitespace);
        if !edge(piece.chars().next()) && !edge(piece.chars().next_back()) {
            into.push_span(at + w[0], at + w[len]);
        }
    }
}

/// The key material of one run: a set of pieces and the index that finds them.
#[derive(Clone)]
pub struct Secrets {
    /// Spellings repeat each other's pieces (`%41` and `A` agree on letters); the
    /// duplicates stay: removing them cost more than the index spends on them.
    pieces: Pieces,
    len: usize,
    finder: Option<PieceIndex>,
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

    /// The secrets of a run's key values, leaving out what is public text the report
    /// names on purpose: a value that is a documentation placeholder (`YOUR_API_KEY`, its
    /// pieces are ordinary words: `SALESLAYER_API_KEY` holds `_API_KEY`), and the pieces
    /// of a label pasted in front of the key (`X-API-KEY: `), which the findings quote.
    pub fn of_run(keys: &[&SecretKey]) -> Secrets {
        Secrets::of_analysed(
            keys.iter()
                .map(|k| (*k, crate::analysis::value::analyze(k))),
        )
    }

    /// [`Secrets::of_run`] of values whose analysis the caller has already (a run's
    /// context keeps its key's).
    pub fn of_analysed<'k, A: std::borrow::Borrow<Analysis>>(
        keys: impl IntoIterator<Item = (&'k SecretKey, A)>,
    ) -> Secrets {
        let mut s = Secrets::empty(PIECE);
        for (k, a) in keys {
            let a = a.borrow();
            if a.placeholder.is_none() {
                s.add_except(k, a.cleaned().as_ref(), &a.label_texts());
            }
        }
        s
    }

    /// No secrets yet; pieces of `len` characters. `scan` uses shorter pieces (6)
    /// because its excerpts sit right next to a full match.
    pub fn empty(len: usize) -> Secrets {
        Secrets {
            pieces: Pieces::default(),
            len: len.max(1),
            finder: None,
        }
    }

    /// Adds a key value: every spelling of it and of its cleaned form ([`forms`]).
    pub fn add(&mut self, key: &SecretKey) {
        let cleaned = crate::analysis::value::cleaned_key(key);
        self.add_except(key, cleaned.as_ref(), &[]);
    }

    /// [`Secrets::add`], without the pieces that lie wholly inside one of the `public`
    /// texts (a pasted label: its pieces hold no character of the key). `cleaned` is the
    /// key's cleaned form, which the caller has analysed already.
    fn add_except(&mut self, key: &SecretKey, cleaned: Option<&SecretKey>, public: &[String]) {
        let before = self.pieces.len();
        for form in forms(key, cleaned) {
            spelling_pieces(&form, self.len, &mut self.pieces);
        }
        if !public.is_empty() {
            let public_piece = |p: &[u8]| {
                public
                    .iter()
                    .any(|t| t.as_bytes().windows(p.len()).any(|w| w == p))
            };
            self.pieces.retain_from(before, |p| !public_piece(p));
        }
        self.rebuild(before);
    }

    /// Adds one exact spelling (for callers that derive encoded spellings themselves).
    pub fn add_form(&mut self, form: &[u8]) {
        let before = self.pieces.len();
        pieces(form, self.len, &mut self.pieces);
        self.rebuild(before);
    }

    /// Builds the index again when pieces were added since there were `before`.
    fn rebuild(&mut self, before: usize) {
        if self.pieces.len() != before {
            self.finder = Some(PieceIndex::new(&self.pieces));
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
        let mut found = false;
        if let Some(f) = &self.finder {
            f.each_match(&self.pieces, bytes, |_, _| {
                found = true;
                false
            });
        }
        found
    }

    /// Replaces every run of key material in `text` by [`REDACTED`] (overlapping and
    /// adjacent pieces become one marker, so no key characters sit between markers).
    pub fn redact(&self, text: &mut String) {
        let Some(finder) = &self.finder else { return };
        // Matches come in order of their start, so each extends the last span or
        // begins a new one.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        finder.each_match(&self.pieces, text.as_bytes(), |start, end| {
            match spans.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => spans.push((start, end)),
            }
            true
        });
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
            ("abcdefg\x0b", "abcdefg\x0b", false),
            // A space inside a window does.
            ("ab cdefghi", "x ab cdefg y", true),
            ("ñandúñandú", "x ñandúñan y", true),
            ("ñandúñandú", "x ñandúña y", false),
        ];
        for (key, text, want) in table {
            assert_eq!(of(key).leaks(text), *want, "key {key:?} text {text:?}");
        }
    }

    #[test]
    fn a_pasted_label_is_public_text_the_key_behind_it_is_not() {
        // (value as pasted, public text that must not count, text that must)
        let table: &[(String, &str, &str)] = &[
            (
                format!("X-API-KEY: {TEST_CANARY}"),
                "The value includes the header name `X-API-KEY`",
                "X-API-KEY: SLDOCTORcan",
            ),
            (
                format!("SALESLAYER_API_KEY={TEST_CANARY}"),
                "Set SALESLAYER_API_KEY in the environment",
                "U0xET0NUT1JjYW5hcnk3UXg5K1prLzRtVzI9",
            ),
        ];
        for (value, public, secret) in table {
            let s = Secrets::of_run(&[&SecretKey::from_string(value.clone())]);
            assert!(!s.leaks(public), "{value:?}: {public:?}");
            assert!(s.leaks(secret), "{value:?}: {secret:?}");
            assert!(s.leaks(TEST_CANARY), "{value:?}");
            // A piece across the label and the key holds key characters: it counts.
            assert!(
                s.leaks(&value[value.len() - TEST_CANARY.len() - 4..][..8]),
                "{value:?}"
            );
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

    /// The spellings a leak may take, written out by hand (not by the code under test): hex in either case, HTML character
    /// references (decimal and hex), every byte percent-encoded, double percent-encoding
    /// and NUL-interleaved UTF-16 (raw, neutralised, JSON-escaped; LE and BE).
    #[test]
    fn reflected_spellings_of_a_gateway_leak() {
        let s = of(TEST_CANARY);
        for text in [
            "id=534C444F43544F5263616E617279375178392B5A6B2F346D57323D",
            "id=534c444f43544f5263616e617279375178392b5a6b2f346d57323d;",
            "<p>&#83;&#76;&#68;&#79;&#67;&#84;&#79;&#82;&#99;&#97;&#110;</p>",
            "&#x54;&#x4f;&#x52;&#x63;&#x61;&#x6e;&#x61;&#x72;&#x79;&#x37;",
            "canary7Qx9&#43;Zk&#47;4mW2&#61;",
            "q=%4F%43%54%4F%52%63%61%6E%61%72%79",
            "q=SLDOCTORcanary7Qx9%252BZk%252F4mW2%253D",
            "%256e%2561%2572%2579%2537%2551%2578%2539%252b%255a",
            "S\0L\0D\0O\0C\0T\0O\0R\0c\0a\0n\0",
            "\0S\0L\0D\0O\0C\0T\0O\0R\0c\0a\0n",
            "S\\x00L\\x00D\\x00O\\x00C\\x00T\\x00O\\x00R\\x00",
            "\\u0000S\\u0000L\\u0000D\\u0000O\\u0000C\\u0000T\\u0000O\\u0000R",
        ] {
            assert!(s.leaks(text), "{text:?}");
            let mut t = text.to_string();
            s.redact(&mut t);
            assert!(!s.leaks(&t), "{t:?}");
        }
        // Seven characters of the key in a dense spelling are not a piece; eight are.
        assert!(!s.leaks("534C444F43544F"));
        assert!(s.leaks("534C444F43544F52"));
        assert!(!s.leaks("&#83;&#76;&#68;&#79;&#67;&#84;&#79;"));
        // Ordinary hex (a request id, a digest) does not leak.
        assert!(!s.leaks("sha256:5f0c2a9be31d 8f14e45fceea167a5a36dedd4bea2543"));
    }

    #[test]
    fn shorter_pieces_on_request() {
        let mut s = Secrets::empty(6);
        s.add_form(b"abcdefghij");
        assert!(s.leaks("..cdefgh.."));
        assert!(!s.leaks("..cdefg.."));
    }
}
