//! Every spelling of a key value that counts as the key: the one list, used by the leak
//! rule of every output ([`super::Secrets`]) and by `scan`, which searches files for the
//! same spellings of the whole key.
//!
//! A spelling is *sparse* when it keeps most characters as they are and rewrites a few
//! (percent-encoding, JSON escapes, base64 is its own alphabet): a piece is then
//! [`super::PIECE`] consecutive characters of the spelled text. It is *dense* when every
//! character of the key becomes several (hex, HTML character references, every byte
//! percent-encoded, UTF-16 with its NUL bytes): a piece is then [`super::PIECE`]
//! consecutive characters *of the key* so spelled, so that eight hex digits (four bytes
//! of the key) do not count as a leak, sixteen do.

use crate::model::hex;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

/// How a spelling writes the key; serialised as its stable id (`plain`, `url-encoded`…:
/// `scan`'s JSON report).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// The key as it is (also followed by a newline, or inside quotes).
    Plain,
    /// Percent-encoded (`+` as `%2B`, upper or lower hex, with or without `/` kept, or
    /// every byte as `%XX`).
    UrlEncoded,
    /// Percent-encoded twice (`+` as `%252B`, or every byte as `%25XX`).
    DoubleUrlEncoded,
    /// JSON-escaped (`/` as `\/`, `+` as `\u002B`, non-ASCII as `\uXXXX`).
    JsonEscaped,
    /// Standard base64 of the key (at any alignment, with or without padding or newline).
    Base64,
    /// URL-safe base64 (`-` and `_`).
    Base64Url,
    /// Every byte as two hex digits, upper or lower case.
    Hex,
    /// HTML character references: every character (`&#83;`, `&#x53;`) or every
    /// punctuation character (`&#43;`, as Go's html/template writes `+`).
    HtmlReferences,
    /// UTF-16, little- or big-endian (a NUL byte beside each ASCII character), raw, as
    /// neutralised text shows it (`\x00`) or JSON-escaped (`\u0000`).
    #[serde(rename = "utf-16")]
    Utf16,
    /// The key as outside text is shown once neutralised (`\u{200b}` for an invisible
    /// character): only in sl-doctor's own outputs, never searched for by `scan`.
    #[schemars(skip)]
    Shown,
    /// The key with its ASCII letters in lower case, as a URL parser writes a host (a key
    /// pasted as the base URL's host): only in sl-doctor's own outputs, never searched for
    /// by `scan`.
    #[schemars(skip)]
    Lowercase,
}

impl Encoding {
    /// Stable id, as in `scan`'s JSON report.
    pub fn id(self) -> &'static str {
        match self {
            Encoding::Plain => "plain",
            Encoding::UrlEncoded => "url-encoded",
            Encoding::DoubleUrlEncoded => "double-url-encoded",
            Encoding::JsonEscaped => "json-escaped",
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64-url",
            Encoding::Hex => "hex",
            Encoding::HtmlReferences => "html-references",
            Encoding::Utf16 => "utf-16",
            Encoding::Shown => "shown",
            Encoding::Lowercase => "lowercase",
        }
    }

    /// Whether only sl-doctor's own outputs write the key so (`scan` does not look for it
    /// in files).
    pub fn own_outputs_only(self) -> bool {
        matches!(self, Encoding::Shown | Encoding::Lowercase)
    }

    /// Shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Plain => "as-is",
            Encoding::UrlEncoded => "URL-encoded",
            Encoding::DoubleUrlEncoded => "double URL-encoded",
            Encoding::JsonEscaped => "JSON-escaped",
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "URL-safe base64",
            Encoding::Hex => "hex",
            Encoding::HtmlReferences => "HTML character references",
            Encoding::Utf16 => "UTF-16",
            Encoding::Shown => "as shown neutralised",
            Encoding::Lowercase => "in lower case",
        }
    }
}

/// One spelling of a key value. The bytes are as secret as the key.
pub struct Spelling {
    /// What it is.
    pub encoding: Encoding,
    /// The whole value so spelled.
    pub bytes: Zeroizing<Vec<u8>>,
    /// For a dense spelling, where each character of the value ends in `bytes` (the
    /// character's spelling runs from the previous end); empty for a sparse one.
    pub ends: Vec<usize>,
}

impl Spelling {
    fn sparse(encoding: Encoding, bytes: Vec<u8>) -> Spelling {
        Spelling {
            encoding,
            bytes: Zeroizing::new(bytes),
            ends: Vec::new(),
        }
    }

    /// A dense spelling: `spell` writes one character (its bytes) of the value at the end
    /// of the spelling so far, at most `per_byte` bytes for each byte of the value (one
    /// buffer for the whole value, sized so that it does not grow: a grown buffer leaves
    /// its old copy behind unzeroized, and a larger one costs more to clear).
    fn dense(
        encoding: Encoding,
        chars: &[&[u8]],
        per_byte: usize,
        spell: impl Fn(&[u8], &mut Vec<u8>),
    ) -> Spelling {
        let len: usize = chars.iter().map(|c| c.len()).sum();
        let mut bytes = Zeroizing::new(Vec::with_capacity(len * per_byte));
        let mut ends = Vec::with_capacity(chars.len());
        for c in chars {
            spell(c, &mut bytes);
            ends.push(bytes.len());
        }
        debug_assert!(
            bytes.len() <= len * per_byte,
            "{encoding:?} outgrew its buffer"
        );
        Spelling {
            encoding,
            bytes,
            ends,
        }
    }
}

/// Every spelling of one value, the value itself first (see the module documentation).
pub fn spellings(v: &[u8]) -> Vec<Spelling> {
    let mut out = vec![Spelling::sparse(Encoding::Plain, v.to_vec())];
    if v.iter().any(u8::is_ascii_uppercase) {
        out.push(Spelling::sparse(
            Encoding::Lowercase,
            v.to_ascii_lowercase(),
        ));
    }
    let text = std::str::from_utf8(v).ok();
    if let Some(text) = text {
        let shown = crate::model::untrusted::neutralise(text, usize::MAX);
        if shown != text {
            out.push(Spelling::sparse(Encoding::Shown, shown.into_bytes()));
        }
    }
    for upper in [true, false] {
        // RFC 3986 unreserved only; encodeURIComponent; Python's quote() keeping `/`;
        // application/x-www-form-urlencoded (`+` for a space).
        for (keep, plus) in [
            (&b"-._~"[..], false),
            (b"-._~!'()*", false),
            (b"-._~/", false),
            (b"-._*", true),
        ] {
            out.push(Spelling::sparse(
                Encoding::UrlEncoded,
                percent(v, upper, keep, plus),
            ));
        }
        let once = percent(v, upper, b"-._~", false);
        out.push(Spelling::sparse(
            Encoding::DoubleUrlEncoded,
            percent(&once, upper, b"-._~", false),
        ));
    }
    if let Some(text) = text {
        for style in JSON_STYLES {
            out.push(Spelling::sparse(
                Encoding::JsonEscaped,
                json_escape(text, style).into_bytes(),
            ));
        }
    }
    base64_spellings(v, &mut out);
    dense_spellings(v, text, &mut out);
    out
}

/// Full base64 encodings, and the stable inner part at each alignment.
fn base64_spellings(v: &[u8], out: &mut Vec<Spelling>) {
    for (e, enc) in [
        (&STANDARD, Encoding::Base64),
        (&STANDARD_NO_PAD, Encoding::Base64),
        (&URL_SAFE, Encoding::Base64Url),
        (&URL_SAFE_NO_PAD, Encoding::Base64Url),
    ] {
        out.push(Spelling::sparse(enc, e.encode(v).into_bytes()));
    }
    for align in 0..3 {
        out.push(Spelling::sparse(
            Encoding::Base64,
            base64_core(v, align, false),
        ));
        out.push(Spelling::sparse(
            Encoding::Base64Url,
            base64_core(v, align, true),
        ));
    }
}

/// The spellings that write every character as several: hex, HTML references, every
/// byte percent-encoded (once and twice), UTF-16; and HTML references of punctuation only.
fn dense_spellings(v: &[u8], text: Option<&str>, out: &mut Vec<Spelling>) {
    // Characters of a UTF-8 value, bytes of any other.
    let chars: Vec<&[u8]> = match text {
        Some(t) => t
            .char_indices()
            .map(|(i, c)| &v[i..i + c.len_utf8()])
            .collect(),
        None => v.chunks(1).collect(),
    };
    for upper in [true, false] {
        // Every byte as `prefix` and two hex digits.
        let each_byte = move |prefix: &'static [u8]| {
            // Byte by byte: a copy call per two or three bytes cost more than the writing.
            move |b: &[u8], out: &mut Vec<u8>| {
                for x in b {
                    prefix.iter().for_each(|&p| out.push(p));
                    let [high, low] = hex::byte(*x, upper);
                    out.push(high);
                    out.push(low);
                }
            }
        };
        out.push(Spelling::dense(Encoding::Hex, &chars, 2, each_byte(b"")));
        out.push(Spelling::dense(
            Encoding::UrlEncoded,
            &chars,
            3,
            each_byte(b"%"),
        ));
        out.push(Spelling::dense(
            Encoding::DoubleUrlEncoded,
            &chars,
            5,
            each_byte(b"%25"),
        ));
    }
    if text.is_none() {
        return;
    }
    let cp = |b: &[u8]| -> u32 {
        if let [ascii] = b {
            return u32::from(*ascii);
        }
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.chars().next())
            .map_or(0, |c| c as u32)
    };
    for style in ["&#{}", "&#x{:x}", "&#x{:X}"] {
        let spell = |b: &[u8], out: &mut Vec<u8>| html_reference(cp(b), style, out);
        out.push(Spelling::dense(
            Encoding::HtmlReferences,
            &chars,
            HTML_PER_BYTE,
            spell,
        ));
    }
    for style in ["&#{}", "&#x{:x}"] {
        let spell = |b: &[u8], out: &mut Vec<u8>| {
            if b.len() == 1 && b[0].is_ascii_alphanumeric() {
                out.extend_from_slice(b);
            } else {
                html_reference(cp(b), style, out);
            }
        };
        let dense = Spelling::dense(Encoding::HtmlReferences, &chars, HTML_PER_BYTE, spell);
        out.push(Spelling::sparse(
            Encoding::HtmlReferences,
            dense.bytes.to_vec(),
        ));
    }
    utf16_spellings(&chars, cp, out);
}

/// Bytes of an HTML character reference per byte of the value: `&#127;` for a one-byte
/// character, at most `&#x10FFFF;` (10) for a longer one.
const HTML_PER_BYTE: usize = 6;

/// UTF-16 little- and big-endian: raw, as neutralised text shows the NUL bytes, and
/// JSON-escaped (a JSON encoder writes a NUL as `\u0000`).
fn utf16_spellings(chars: &[&[u8]], cp: impl Fn(&[u8]) -> u32, out: &mut Vec<Spelling>) {
    for little in [true, false] {
        // The UTF-16 code units of one character, as bytes (cleared after use).
        let units = |b: &[u8]| {
            let c = char::from_u32(cp(b)).unwrap_or('\u{fffd}');
            let mut raw = Zeroizing::new([0u8; 4]);
            let mut n = 0;
            for u in c.encode_utf16(&mut [0u16; 2]) {
                let bytes = if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                };
                raw[n..n + 2].copy_from_slice(&bytes);
                n += 2;
            }
            (raw, n)
        };
        let raw = |b: &[u8], out: &mut Vec<u8>| {
            let (raw, n) = units(b);
            out.extend_from_slice(&raw[..n]);
        };
        out.push(Spelling::dense(Encoding::Utf16, chars, 2, raw));
        // The units read as outside text (they are not UTF-8 in general), each character
        // written by `write`.
        let each_char = |b: &[u8], out: &mut Vec<u8>, write: &dyn Fn(char, &mut Bytes)| {
            let (raw, n) = units(b);
            for c in String::from_utf8_lossy(&raw[..n]).chars() {
                write(c, &mut Bytes(out));
            }
        };
        // A printable ASCII character other than `"` and `\\` is written as it is beside
        // its NUL byte's escape (most keys are such characters; the general path costs
        // more than the rest of the spellings).
        let beside_nul = |b: &[u8], nul: &[u8], out: &mut Vec<u8>| match b {
            [c @ (b' '..=b'~')] if *c != b'"' && *c != b'\\' => {
                if little {
                    out.push(*c);
                    out.extend_from_slice(nul);
                } else {
                    out.extend_from_slice(nul);
                    out.push(*c);
                }
                true
            }
            _ => false,
        };
        let shown = |b: &[u8], out: &mut Vec<u8>| {
            if !beside_nul(b, b"\\x00", out) {
                each_char(b, out, &|c, out| {
                    crate::model::untrusted::neutralise_char(c, out)
                });
            }
        };
        out.push(Spelling::dense(Encoding::Utf16, chars, 8, shown));
        let json = |b: &[u8], out: &mut Vec<u8>| {
            if !beside_nul(b, b"\\u0000", out) {
                each_char(b, out, &|c, out| json_escape_char(c, Json::Plain, out));
            }
        };
        out.push(Spelling::dense(Encoding::Utf16, chars, 12, json));
    }
}

/// `&#83;`, `&#x53;` or `&#x53;` in upper hex, by `style`, written at the end of `out`.
fn html_reference(cp: u32, style: &str, out: &mut Vec<u8>) {
    // Written by hand: a formatter per character cost more than the rest of the spellings.
    let (base, digits) = match style {
        "&#{}" => (10, hex::LOWER),
        "&#x{:x}" => (16, hex::LOWER),
        _ => (16, hex::UPPER),
    };
    out.extend_from_slice(if base == 10 { b"&#" } else { b"&#x" });
    // A code point has at most 7 digits in base 10 (1114111).
    let mut buf = [0u8; 8];
    let mut at = buf.len();
    let mut n = cp;
    loop {
        at -= 1;
        // Constant divisors: the compiler writes each as a multiplication.
        let (rest, digit) = if base == 10 {
            (n / 10, n % 10)
        } else {
            (n >> 4, n & 15)
        };
        buf[at] = digits[digit as usize];
        n = rest;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
    out.push(b';');
}

/// Percent-encodes every byte that is not ASCII alphanumeric or in `keep`; a space as
/// `+` when `plus`.
pub fn percent(v: &[u8], upper: bool, keep: &[u8], plus: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 3);
    for &b in v {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b);
        } else if plus && b == b' ' {
            out.push(b'+');
        } else {
            let [high, low] = hex::byte(b, upper);
            out.extend([b'%', high, low]);
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
    /// HTML-sensitive characters (`+ < > & ' "` and the backtick) and non-ASCII as
    /// `\uXXXX` in upper hex (.NET's default encoder).
    DotNet,
    /// Every non-alphanumeric character as `\uXXXX` in upper hex (a strict encoder).
    Punct,
}

const JSON_STYLES: [Json; 6] = [
    Json::Plain,
    Json::Slash,
    Json::Ascii,
    Json::AsciiUpper,
    Json::DotNet,
    Json::Punct,
];

/// A byte buffer written as text.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// `text` as the inside of a JSON string literal written in `style`.
fn json_escape(text: &str, style: Json) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    text.chars()
        .for_each(|c| json_escape_char(c, style, &mut out));
    out
}

/// One character as [`json_escape`] writes it, at the end of `out`.
fn json_escape_char(c: char, style: Json, out: &mut impl std::fmt::Write) {
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
        Json::DotNet => !c.is_ascii() || c.is_ascii_control() || "+<>&'\"`".contains(c),
        Json::Ascii | Json::AsciiUpper => !c.is_ascii() || c.is_ascii_control(),
        Json::Plain | Json::Slash => c.is_ascii_control(),
    };
    let spelled_u = matches!(style, Json::Punct | Json::DotNet);
    // Writing to a String or a byte buffer cannot fail.
    if let (Some(n), false) = (named, spelled_u && as_u) {
        let _ = out.write_str(n);
    } else if as_u {
        // `\u00e9`, written by hand (the UTF-16 spellings write one per character).
        let digits = hex::digits(style != Json::Ascii);
        for u in c.encode_utf16(&mut [0u16; 2]) {
            let digit = |shift: u16| char::from(digits[usize::from((*u >> shift) & 15)]);
            let _ = out.write_str("\\u");
            for shift in [12, 8, 4, 0] {
                let _ = out.write_char(digit(shift));
            }
        }
    } else {
        let _ = out.write_char(c);
    }
}

/// The base64 characters that depend only on `v` when it starts at byte offset `align`
/// (0, 1 or 2) of a longer encoded stream: the first and last characters, which share
/// bits with the bytes around it, are left out.
pub fn base64_core(v: &[u8], align: usize, url_safe: bool) -> Vec<u8> {
    let mut input = Zeroizing::new(vec![0u8; align]);
    input.extend_from_slice(v);
    let enc = Zeroizing::new(if url_safe {
        URL_SAFE_NO_PAD.encode(&*input)
    } else {
        STANDARD_NO_PAD.encode(&*input)
    });
    // The characters whose six bits all come from `v`: those from bit 8 * align on that
    // end by bit 8 * (align + len).
    let (lo, hi) = (8 * align, 8 * (align + v.len()));
    let (first, end) = (lo.div_ceil(6), hi / 6);
    enc.as_bytes()
        .get(first..end.max(first))
        .unwrap_or_default()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(v: &str, enc: Encoding) -> Vec<String> {
        spellings(v.as_bytes())
            .into_iter()
            .filter(|s| s.encoding == enc)
            .map(|s| String::from_utf8_lossy(&s.bytes).into_owned())
            .collect()
    }

    /// Each spelling written out by hand, so the test shares no code with the encoders.
    #[test]
    fn each_encoding_spells_the_value_as_its_writers_do() {
        let has = |v: &str, enc: Encoding, want: &str| {
            let got = of(v, enc);
            assert!(got.iter().any(|g| g == want), "{enc:?} of {v:?}: {got:?}");
        };
        has("a+/=", Encoding::UrlEncoded, "a%2B%2F%3D");
        has("a+/=", Encoding::UrlEncoded, "a%2b/%3d");
        has("a+/=", Encoding::UrlEncoded, "%61%2B%2F%3D");
        has("a+/=", Encoding::DoubleUrlEncoded, "a%252B%252F%253D");
        has("a+/=", Encoding::DoubleUrlEncoded, "%2561%252b%252f%253d");
        has("a+/=", Encoding::JsonEscaped, "a+\\/=");
        has("a+/=", Encoding::JsonEscaped, "a\\u002B/=");
        has("a+/=", Encoding::JsonEscaped, "a\\u002B\\u002F\\u003D");
        has("a+/=", Encoding::Hex, "612B2F3D");
        has("a+/=", Encoding::Hex, "612b2f3d");
        has("a+/=", Encoding::HtmlReferences, "&#97;&#43;&#47;&#61;");
        has("a+/=", Encoding::HtmlReferences, "&#x61;&#x2b;&#x2f;&#x3d;");
        has("a+/=", Encoding::HtmlReferences, "&#x61;&#x2B;&#x2F;&#x3D;");
        has("a+/=", Encoding::HtmlReferences, "a&#43;&#47;&#61;");
        has("a+", Encoding::Utf16, "a\0+\0");
        has("a+", Encoding::Utf16, "\0a\0+");
        has("a+", Encoding::Utf16, "a\\x00+\\x00");
        has("a+", Encoding::Utf16, "\\u0000a\\u0000+");
        // A quote and a non-ASCII character: é is E9 00, which is not UTF-8 (U+FFFD).
        has("\"é", Encoding::Utf16, "\"\\x00\u{fffd}\\x00");
        has("\"é", Encoding::Utf16, "\\\"\\u0000\u{fffd}\\u0000");
        has("\n", Encoding::Utf16, "\\x0a\\x00");
        has("\n", Encoding::Utf16, "\\u0000\\n");
        has("é", Encoding::Hex, "C3A9");
        has("a\u{200b}b", Encoding::Shown, "a\\u{200b}b");
        has("AbC-123", Encoding::Lowercase, "abc-123");
        assert!(of("abc-123", Encoding::Lowercase).is_empty());
        assert!(of("ab", Encoding::Shown).is_empty());
        // A value that is not UTF-8: bytes, no text spellings.
        let raw: Vec<Spelling> = spellings(b"\xffab");
        assert!(
            raw.iter()
                .any(|s| s.encoding == Encoding::Hex && *s.bytes == b"FF6162")
        );
        assert!(!raw.iter().any(|s| s.encoding == Encoding::HtmlReferences));
    }

    /// The hand-written spellings (ASCII beside a NUL's escape, HTML references) are
    /// the ones the general rules write, for every ASCII character and a few others.
    #[test]
    fn the_shortcuts_spell_as_the_general_rules_do() {
        let has = |v: &str, enc: Encoding, want: &str| {
            let got = of(v, enc);
            assert!(got.iter().any(|g| g == want), "{enc:?} of {v:?}: {got:?}");
        };
        let mut chars: Vec<char> = (0u8..0x80).map(char::from).collect();
        chars.extend(['é', '\u{200b}', '😀']);
        for c in chars {
            let units: Vec<u16> = c.encode_utf16(&mut [0; 2]).to_vec();
            for little in [true, false] {
                let raw: Vec<u8> = units
                    .iter()
                    .flat_map(|u| {
                        if little {
                            u.to_le_bytes()
                        } else {
                            u.to_be_bytes()
                        }
                    })
                    .collect();
                let (mut shown, mut json) = (String::new(), String::new());
                for d in String::from_utf8_lossy(&raw).chars() {
                    crate::model::untrusted::neutralise_char(d, &mut shown);
                    json_escape_char(d, Json::Plain, &mut json);
                }
                has(&c.to_string(), Encoding::Utf16, &shown);
                has(&c.to_string(), Encoding::Utf16, &json);
            }
            let cp = c as u32;
            for want in [
                format!("&#{cp};"),
                format!("&#x{cp:x};"),
                format!("&#x{cp:X};"),
            ] {
                has(&c.to_string(), Encoding::HtmlReferences, &want);
            }
        }
    }

    /// The id `scan` hashes into SARIF fingerprints is the one its JSON writes.
    #[test]
    fn each_id_is_the_serialised_name() {
        use Encoding::*;
        for e in [
            Plain,
            UrlEncoded,
            DoubleUrlEncoded,
            JsonEscaped,
            Base64,
            Base64Url,
            Hex,
            HtmlReferences,
            Utf16,
            Shown,
            Lowercase,
        ] {
            assert_eq!(serde_json::to_value(e).unwrap(), e.id(), "{e:?}");
        }
    }

    #[test]
    fn dense_spellings_mark_where_each_character_ends() {
        for s in spellings("SLDOCTORcanary7Qx9+Zk/4mW2=".as_bytes()) {
            if !s.ends.is_empty() {
                assert_eq!(s.ends.len(), 27, "{:?}", s.encoding);
                assert_eq!(s.ends.last(), Some(&s.bytes.len()));
                assert!(s.ends.windows(2).all(|w| w[0] < w[1]), "{:?}", s.encoding);
            }
        }
    }

    proptest::proptest! {
        /// The core is exactly the characters of the encoding whose six bits all come from
        /// the value.
        #[test]
        fn base64_core_keeps_the_characters_made_of_the_value(
            v in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            align in 0usize..3,
            url_safe in proptest::prelude::any::<bool>(),
        ) {
            let mut input = vec![0u8; align];
            input.extend_from_slice(&v);
            let enc = if url_safe { URL_SAFE_NO_PAD.encode(&input) } else { STANDARD_NO_PAD.encode(&input) };
            let (lo, hi) = (8 * align, 8 * (align + v.len()));
            let want: Vec<u8> = enc
                .bytes()
                .enumerate()
                .filter(|(i, _)| 6 * i >= lo && 6 * i + 6 <= hi)
                .map(|(_, c)| c)
                .collect();
            proptest::prop_assert_eq!(base64_core(&v, align, url_safe), want);
        }
    }
}
