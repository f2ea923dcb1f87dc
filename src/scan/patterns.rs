//! The byte patterns a key leaks as: every spelling of the leak policy
//! (`sl_doctor_checks::leak::spellings`, the one list: as-is, percent-encoded once
//! or twice, JSON-escaped, base64 at any alignment, hex, HTML character references,
//! UTF-16) of the whole key.
//!
//! Every pattern is derived from the key and is as secret as the key: the bytes live in
//! `Zeroizing` buffers and are never printed. (The Aho-Corasick automaton keeps its own
//! copy for the duration of the scan; it is dropped, not zeroized.)
//!
//! Base64 of a key embedded in a larger string (`user:KEY`, `KEY\n`, a JSON blob)
//! depends on where the key starts modulo 3 and on the bytes around it: the policy
//! encodes the key at all three alignments and keeps only the characters whose 6 bits
//! all come from the key, so the pattern matches whatever surrounds the key, including
//! the trailing newline that `echo KEY | base64` adds.

use aho_corasick::{AhoCorasick, MatchKind};
use sl_doctor_checks::leak::{Secrets, spellings};
use zeroize::Zeroizing;

/// Shortest key we search for: shorter values match by chance.
pub const MIN_KEY_LEN: usize = 8;

/// Shortest derived pattern we keep (a base64 core of a short key can be tiny).
pub const MIN_PATTERN_LEN: usize = 10;

/// Length of the pieces used to recognise key material next to an excerpt.
pub const GRAM: usize = 6;

/// How the key was written where it was found: the leak policy's own names.
pub use sl_doctor_checks::leak::Encoding;

/// One derived pattern.
pub struct Pattern {
    /// The bytes to look for. Secret.
    pub bytes: Zeroizing<Vec<u8>>,
    /// What it is.
    pub encoding: Encoding,
}

/// Every pattern of one key plus the automaton that finds them all in one pass.
pub struct Patterns {
    /// Patterns, indexed like the automaton's pattern ids.
    pub list: Vec<Pattern>,
    /// Multi-pattern searcher (Teddy SIMD prefilter for a handful of patterns).
    pub ac: AhoCorasick,
    /// Longest pattern: the overlap kept between chunks.
    pub max_len: usize,
    /// Every `GRAM`-character piece of every pattern (the shared secret policy with
    /// shorter pieces), to mask key material near a match.
    material: Secrets,
    /// Encodings dropped because their pattern would be too short.
    pub dropped: Vec<Encoding>,
}

impl std::fmt::Debug for Patterns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Patterns([REDACTED {} patterns])", self.list.len())
    }
}

/// The base64 characters that depend only on the key, with the key starting at
/// `align` (0, 1 or 2) within its group of three bytes: the leak rule's own cores.
#[cfg(test)]
pub use sl_doctor_checks::leak::base64_core;

/// Why no pattern could be built.
#[derive(Debug, PartialEq, Eq)]
pub enum PatternError {
    /// The key is shorter than `MIN_KEY_LEN`.
    TooShort(usize),
}

impl Patterns {
    /// Builds every pattern of `key` (already cleaned of quotes and whitespace).
    pub fn new(key: &[u8]) -> Result<Patterns, PatternError> {
        if key.len() < MIN_KEY_LEN {
            return Err(PatternError::TooShort(key.len()));
        }
        // As sl-doctor's own output shows it (neutralised, or a host in lower case): not a
        // way a file holds it.
        let cands = spellings(key)
            .into_iter()
            .filter(|s| !s.encoding.own_outputs_only())
            .map(|s| (s.bytes, s.encoding));
        let mut list: Vec<Pattern> = Vec::new();
        let mut dropped = Vec::new();
        for (bytes, encoding) in cands {
            if list.iter().any(|p| *p.bytes == *bytes) {
                continue;
            }
            if bytes.len() < MIN_PATTERN_LEN && encoding != Encoding::Plain {
                if !dropped.contains(&encoding) {
                    dropped.push(encoding);
                }
                continue;
            }
            list.push(Pattern { bytes, encoding });
        }
        // A dropped encoding may still have other patterns (another alignment).
        dropped.retain(|e| !list.iter().any(|p| p.encoding == *e));
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(list.iter().map(|p| p.bytes.as_slice()))
            .expect("a handful of short literal patterns always builds");
        let max_len = list.iter().map(|p| p.bytes.len()).max().unwrap_or(0);
        let mut material = Secrets::empty(GRAM);
        for p in &list {
            material.add_form(&p.bytes);
        }
        Ok(Patterns {
            list,
            ac,
            max_len,
            material,
            dropped,
        })
    }

    /// The encodings searched, in order, without repeats.
    pub fn encodings(&self) -> Vec<Encoding> {
        let mut e: Vec<Encoding> = self.list.iter().map(|p| p.encoding).collect();
        e.sort();
        e.dedup();
        e
    }

    /// Whether `text` contains any `GRAM`-character piece of any pattern.
    pub fn has_key_material(&self, text: &[u8]) -> bool {
        self.material.leaks_bytes(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};

    const KEY: &[u8] = sl_doctor_checks::testing_support::TEST_CANARY.as_bytes();

    fn find(p: &Patterns, hay: &[u8]) -> Vec<Encoding> {
        p.ac.find_iter(hay)
            .map(|m| p.list[m.pattern().as_usize()].encoding)
            .collect()
    }

    #[test]
    fn every_encoding_is_found_in_context() {
        let p = Patterns::new(KEY).unwrap();
        let k = std::str::from_utf8(KEY).unwrap();
        let b64 = |s: &[u8]| STANDARD.encode(s);
        let b64u = |s: &[u8]| URL_SAFE.encode(s);
        let nopad = |s: String| s.trim_end_matches('=').to_string();
        let cases: Vec<(String, Encoding)> = vec![
            (format!("const k = \"{k}\";"), Encoding::Plain),
            (format!("{k}\n"), Encoding::Plain),
            (
                "key=SLDOCTORcanary7Qx9%2BZk%2F4mW2%3D&x".into(),
                Encoding::UrlEncoded,
            ),
            (
                "key=SLDOCTORcanary7Qx9%2bZk%2f4mW2%3d&x".into(),
                Encoding::UrlEncoded,
            ),
            (
                "key=SLDOCTORcanary7Qx9%2BZk/4mW2%3D".into(),
                Encoding::UrlEncoded,
            ),
            (
                r#"{"k":"SLDOCTORcanary7Qx9+Zk\/4mW2="}"#.into(),
                Encoding::JsonEscaped,
            ),
            (
                r#"{"k":"SLDOCTORcanary7Qx9\u002BZk/4mW2="}"#.into(),
                Encoding::JsonEscaped,
            ),
            (format!("x {} y", b64(KEY)), Encoding::Base64),
            (format!("x {} y", nopad(b64(KEY))), Encoding::Base64),
            (b64(format!("{k}\n").as_bytes()), Encoding::Base64),
            (b64(format!("u:{k}").as_bytes()), Encoding::Base64),
            (b64(format!("ab{k}").as_bytes()), Encoding::Base64),
            // The canary's base64 has no `+` or `/`: URL-safe is the same text.
            (b64u(format!("a{k}").as_bytes()), Encoding::Base64),
            (
                "id=534c444f43544f5263616e617279375178392b5a6b2f346d57323d".into(),
                Encoding::Hex,
            ),
            (
                k.chars().map(|c| format!("&#x{:X};", c as u32)).collect(),
                Encoding::HtmlReferences,
            ),
            (
                "SLDOCTORcanary7Qx9&#43;Zk&#47;4mW2&#61;".into(),
                Encoding::HtmlReferences,
            ),
            (
                "q=SLDOCTORcanary7Qx9%252BZk%252F4mW2%253D".into(),
                Encoding::DoubleUrlEncoded,
            ),
            (
                k.bytes().map(|b| format!("%{b:02x}")).collect(),
                Encoding::UrlEncoded,
            ),
            (k.chars().flat_map(|c| [c, '\0']).collect(), Encoding::Utf16),
        ];
        for (hay, want) in cases {
            assert_eq!(find(&p, hay.as_bytes()), vec![want], "case {want:?}");
        }
        assert!(find(&p, b"SLDOCTORcanary7Qx9 Zk/4mW2=").is_empty());

        // A key whose base64 has `+` and `/`: URL-safe base64 is its own pattern.
        let k2 = b"Qx9+Zk/4mW2=ZZ~~kk>>";
        let p2 = Patterns::new(k2).unwrap();
        for pre in ["", "a", "ab"] {
            let mut s = pre.as_bytes().to_vec();
            s.extend_from_slice(k2);
            s.push(b'\n');
            assert_eq!(
                find(&p2, nopad(b64u(&s)).as_bytes()),
                vec![Encoding::Base64Url]
            );
            assert_eq!(find(&p2, b64(&s).as_bytes()), vec![Encoding::Base64]);
        }
    }

    #[test]
    fn base64_core_keeps_only_key_bits() {
        // "abc" at alignment 0 is exactly "YWJj"; at 1 and 2 the edge characters go.
        assert_eq!(base64_core(b"abc", 0, false), b"YWJj");
        assert_eq!(base64_core(b"abcdef", 1, false).len(), (8 * 6 - 4) / 6);
        for align in 0..3 {
            let core = base64_core(KEY, align, false);
            for pre in [&b""[..], b"x", b"xy", b"xyz"] {
                let mut s = pre.to_vec();
                s.extend_from_slice(KEY);
                s.push(b'\n');
                let enc = STANDARD.encode(&s);
                if pre.len() % 3 == align {
                    assert!(
                        enc.as_bytes()
                            .windows(core.len())
                            .any(|w| w == core.as_slice()),
                        "align {align} pre {pre:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn short_keys_are_refused_and_key_material_is_recognised() {
        assert_eq!(
            Patterns::new(b"abc").unwrap_err(),
            PatternError::TooShort(3)
        );
        let p = Patterns::new(KEY).unwrap();
        assert!(p.has_key_material(b"xx canary7 yy"));
        assert!(!p.has_key_material(b"const apiKey = process.env.X;"));
        assert!(format!("{p:?}").contains("REDACTED"));
        assert!(!p.encodings().contains(&Encoding::Base64Url));
        let p2 = Patterns::new(b"Qx9+Zk/4mW2=ZZ~~kk>>").unwrap();
        assert!(p2.encodings().contains(&Encoding::Base64Url));
    }
}
