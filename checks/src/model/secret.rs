//! The API key as a secret type, from the moment it is read to the moment it is sent.
//!
//! `SecretKey` holds the raw bytes exactly as they were read (a key read from a
//! non-UTF-8 environment value or file must be diagnosed, not rejected). It has no
//! `Display` and no `Serialize`; its `Debug` is redacted and its memory is zeroized on
//! drop. The only ways to learn something about it are its length, a fingerprint and
//! the per-character analysis in `crate::analysis::value`, none of which reproduce it.

use std::fmt;
use zeroize::Zeroizing;

/// A key value as raw bytes. Never printed, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Zeroizing<Vec<u8>>);

impl SecretKey {
    /// Wraps raw bytes. The caller hands over ownership so no copy stays behind.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        SecretKey(Zeroizing::new(bytes))
    }

    /// Wraps a string value.
    pub fn from_string(s: String) -> Self {
        Self::from_bytes(s.into_bytes())
    }

    /// The raw bytes, for analysis and for building the request header only.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as UTF-8 when it is valid UTF-8.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// Number of bytes.
    pub fn byte_len(&self) -> usize {
        self.0.len()
    }

    /// Length as users count it: grapheme clusters when UTF-8, else bytes.
    pub fn char_len(&self) -> usize {
        use unicode_segmentation::UnicodeSegmentation;
        match self.expose_str() {
            Some(s) => s.graphemes(true).count(),
            None => self.0.len(),
        }
    }

    /// True when the value has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `sha256:` + the first 12 hex digits of SHA-256 over the exact bytes.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.0)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey([REDACTED {} bytes])", self.0.len())
    }
}

/// A short, non-reversible fingerprint: enough for support to tell two keys apart.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Fingerprint(String);

/// What a fingerprint looks like, for the message that refuses another.
pub const FINGERPRINT_GRAMMAR: &str = "`sha256:` and 12 lowercase hex digits";

/// A fingerprint read back (a saved report, `sl-doctor view`) must have the grammar sl-doctor
/// writes: anything else (markup, a link, a line break) is refused where it is read.
impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Fingerprint::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "\"{}\" is not a fingerprint ({FINGERPRINT_GRAMMAR})",
                crate::model::untrusted::neutralise(&raw, 40)
            ))
        })
    }
}

/// SHA-256 of `bytes`. From hmac-sha256, a portable implementation: the sha2 crate asks
/// the CPU for its SHA extensions first (three `cpuid` instructions, which trap to the
/// hypervisor in a virtual machine and cost an offline run more than all its hashing;
/// docs/performance.md).
fn sha256(bytes: &[u8]) -> [u8; 32] {
    hmac_sha256::Hash::hash(bytes)
}

impl Fingerprint {
    /// Fingerprint of arbitrary bytes (used for the key and for its cleaned form).
    pub fn of(bytes: &[u8]) -> Self {
        let digest = sha256(bytes);
        let mut text = String::with_capacity(19);
        text.push_str("sha256:");
        text.extend(
            digest
                .iter()
                .take(6)
                .flat_map(|&b| super::hex::byte(b, false))
                .map(char::from),
        );
        Fingerprint(text)
    }

    /// `text` when it is a fingerprint as [`Fingerprint::of`] writes it.
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let hex = text.strip_prefix("sha256:")?;
        let ok = hex.len() == 12 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| Fingerprint(text.to_string()))
    }

    /// The fingerprint text, e.g. `sha256:1a2b3c4d5e6f`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fingerprint someone was given to compare a key with (`sl-doctor fingerprint
/// sha256:…`): lowercase hex digits of SHA-256, from 8 (a shortened one) to 64 (the
/// whole digest, as `sha256sum` prints it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivenFingerprint(String);

impl GivenFingerprint {
    /// Reads `sha256:1a2b3c4d5e6f` (the prefix optional, any case, surrounding spaces
    /// ignored); `None` for anything else, which may be the key pasted by mistake and so
    /// must never be shown back.
    pub fn parse(text: &str) -> Option<GivenFingerprint> {
        let t = text.trim();
        let hex = t
            .strip_prefix("sha256:")
            .or_else(|| t.strip_prefix("SHA256:"))
            .unwrap_or(t);
        let ok = (8..=64).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| GivenFingerprint(hex.to_ascii_lowercase()))
    }

    /// Whether these are the first hex digits of SHA-256 over `bytes`.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let digest = sha256(bytes);
        let full: String = digest
            .iter()
            .flat_map(|&b| super::hex::byte(b, false))
            .map(char::from)
            .collect();
        full.starts_with(&self.0)
    }

    /// `sha256:` and the digits as given (lowercase).
    pub fn as_text(&self) -> String {
        format!("sha256:{}", self.0)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let k = SecretKey::from_string(crate::testing_support::TEST_CANARY.into());
        let shown = format!("{k:?} {:#?}", k);
        assert!(!shown.contains("canary"));
        assert!(shown.contains("REDACTED"));
    }

    #[test]
    fn fingerprint_is_sha256_prefix() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223...
        assert_eq!(Fingerprint::of(b"abc").as_str(), "sha256:ba7816bf8f01");
        let k = SecretKey::from_string("abc".into());
        assert_eq!(k.fingerprint(), Fingerprint::of(b"abc"));
    }

    #[test]
    fn only_the_written_grammar_reads_back() {
        let of = Fingerprint::of(b"abc");
        let back: Fingerprint = serde_json::from_value(serde_json::json!(of.as_str())).unwrap();
        assert_eq!(back, of);
        for bad in [
            "",
            "sha256:",
            "sha256:BA7816BF8F01",
            "sha256:ba7816bf8f0",
            "sha256:ba7816bf8f012",
            "md5:ba7816bf8f01",
            "sha256:ba7816bf8f0|",
            "sha256:ba7816bf8f01\n::error::x",
            "[l](https://e.vil)",
        ] {
            let e = serde_json::from_value::<Fingerprint>(serde_json::json!(bad)).unwrap_err();
            assert!(e.to_string().contains("is not a fingerprint"), "{bad}: {e}");
            assert!(!e.to_string().contains('\n'), "{bad}: one line");
        }
    }

    /// The FIPS 180-2 test vectors, and a value longer than one block.
    #[test]
    fn sha256_is_the_standard_one() {
        let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        for (input, want) in [
            (
                &b""[..],
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
        ] {
            assert_eq!(hex(sha256(input)), want);
        }
        let long = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(sha256(&long)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn fingerprint_differs_on_trailing_newline() {
        assert_ne!(Fingerprint::of(b"abc"), Fingerprint::of(b"abc\n"));
    }

    #[test]
    fn a_given_fingerprint_is_read_and_compared() {
        use crate::testing_support::assert_maps;
        assert_maps(
            |t: &str| GivenFingerprint::parse(t).map(|g| g.as_text()),
            [
                (
                    "sha256:ba7816bf8f01",
                    Some("sha256:ba7816bf8f01".to_string()),
                ),
                (
                    " SHA256:BA7816BF8F01 ",
                    Some("sha256:ba7816bf8f01".to_string()),
                ),
                ("ba7816bf", Some("sha256:ba7816bf".to_string())),
                ("ba7816b", None),
                ("sha256:", None),
                ("sha256:ba7816bf8f0g", None),
                (crate::testing_support::TEST_CANARY, None),
            ],
        );
        let full = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        for given in ["sha256:ba7816bf8f01", full, "BA7816BF"] {
            assert!(
                GivenFingerprint::parse(given).unwrap().matches(b"abc"),
                "{given}"
            );
        }
        let ours = GivenFingerprint::parse("sha256:ba7816bf8f01").unwrap();
        assert!(!ours.matches(b"abc\n"));
    }
}
