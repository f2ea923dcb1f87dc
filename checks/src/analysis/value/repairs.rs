//! Repair candidates: the values a live probe may try when the key as given is rejected.
//!
//! The first candidate is the cleaned value (every defect the value checks found
//! removed). Two more come from how keys get copied: out of a JSON file (`\/` for `/`)
//! and out of a URL (`%2B` for `+`). Each names the repairs that made it, so when the
//! API accepts one, the report says which repair fixed the key; the value itself never
//! leaves this module except as the `SecretKey` the probe sends.

use super::{Analysis, QuoteDefect, analyze};
use crate::model::evidence::Repair;
use crate::model::secret::SecretKey;
use zeroize::Zeroizing;

/// The most repaired values a probe sends per API: with the key as given and one
/// `Retry-After` retry, a run stays at 5 requests per API, 10 in all, well inside the
/// documented limit of 50 requests per 10 seconds.
pub const MAX_CANDIDATES: usize = 3;

/// A decoding: the decoded value, when the value holds that encoding.
type Decoder = fn(&str) -> Option<Zeroizing<String>>;

/// A repaired value and what was done to make it.
pub struct RepairedKey {
    /// The repairs, in the order of [`Repair`].
    pub repairs: Vec<Repair>,
    /// The repaired value.
    pub key: SecretKey,
}

/// The repaired values of `key` worth trying, most likely first, each different from
/// the value as given and from each other; at most [`MAX_CANDIDATES`].
pub fn candidates(key: &SecretKey) -> Vec<RepairedKey> {
    let a = analyze(key);
    let mut out: Vec<RepairedKey> = Vec::new();
    let mut push = |c: RepairedKey| {
        let new = c.key != *key && !out.iter().any(|o| o.key == c.key);
        if new && !c.key.expose_bytes().is_empty() && out.len() < MAX_CANDIDATES {
            out.push(c);
        }
    };
    let cleaned = a.cleaned().map(|k| RepairedKey {
        repairs: a.repairs(),
        key: k,
    });
    // The decodings apply to the cleaned value when there is one: a key copied from a
    // JSON file often also keeps the JSON quotes.
    let (base, base_repairs) = match &cleaned {
        Some(c) => (c.key.clone(), c.repairs.clone()),
        None => (key.clone(), Vec::new()),
    };
    if let Some(c) = cleaned {
        push(c);
    }
    let text = std::str::from_utf8(base.expose_bytes()).ok();
    let decodings: [(Repair, Decoder); 3] = [
        (Repair::JsonUnescaped, json_unescape),
        (Repair::PercentDecoded, percent_decode),
        (Repair::Base64Decoded, base64_decode),
    ];
    for (repair, decode) in decodings {
        if let Some(decoded) = text.and_then(decode) {
            let mut repairs = base_repairs.clone();
            repairs.push(repair);
            push(RepairedKey {
                repairs,
                key: SecretKey::from_bytes(decoded.as_bytes().to_vec()),
            });
        }
    }
    out
}

impl Analysis {
    /// The repairs the cleaned value applies, from what the analysis found.
    pub fn repairs(&self) -> Vec<Repair> {
        let mut r = Vec::new();
        if !self.labels.is_empty() {
            r.push(Repair::LabelRemoved);
        }
        if self
            .quotes
            .iter()
            .any(|q| !matches!(q, QuoteDefect::Inner(_)))
        {
            r.push(Repair::Unquoted);
        }
        if self.comment.is_some() {
            r.push(Repair::CommentRemoved);
        }
        if self.edge_ws.iter().any(|&w| w) {
            r.push(Repair::Trimmed);
        }
        if !self.hidden().is_empty() {
            r.push(Repair::InvisibleRemoved);
        }
        if self
            .lookalikes()
            .iter()
            .any(|(l, _)| l.suggestion.is_some())
        {
            r.push(Repair::LookalikesReplaced);
        }
        r
    }
}

/// The value with its JSON string escapes decoded, when it has any and they are valid.
fn json_unescape(s: &str) -> Option<Zeroizing<String>> {
    if !s.contains('\\') {
        return None;
    }
    let quoted = Zeroizing::new(format!("\"{s}\""));
    let decoded: Zeroizing<String> = Zeroizing::new(serde_json::from_str::<String>(&quoted).ok()?);
    (decoded.as_str() != s).then_some(decoded)
}

/// The value percent-decoded, when it holds a `%XX` escape and decodes to UTF-8.
fn percent_decode(s: &str) -> Option<Zeroizing<String>> {
    let b = s.as_bytes();
    let has_escape = b
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    if !has_escape {
        return None;
    }
    let decoded = percent_encoding::percent_decode(b).decode_utf8().ok()?;
    Some(Zeroizing::new(decoded.into_owned()))
}

/// The value base64-decoded, when it is base64 (standard alphabet, padded, at least 16
/// characters) of printable ASCII text, with a trailing line break removed: a value
/// pasted from a Kubernetes Secret's `data:` (`echo KEY | base64` keeps the newline). A
/// real key is base64-shaped too, but decodes to bytes that are not text.
fn base64_decode(s: &str) -> Option<Zeroizing<String>> {
    use base64::Engine;
    if s.len() < 16 || !s.len().is_multiple_of(4) {
        return None;
    }
    let bytes = Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(s).ok()?);
    let text = std::str::from_utf8(&bytes).ok()?;
    let text = text.trim_end_matches(['\n', '\r']);
    let printable = text.len() >= 8 && text.bytes().all(|b| b.is_ascii_graphic());
    printable.then(|| Zeroizing::new(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::TEST_CANARY as CANARY;

    fn b64(s: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    /// The repairs of each candidate and the value they give.
    type Repaired = Vec<(Vec<Repair>, String)>;

    fn repairs_of(value: &str) -> Repaired {
        candidates(&SecretKey::from_bytes(value.as_bytes().to_vec()))
            .into_iter()
            .map(|c| {
                let v = String::from_utf8(c.key.expose_bytes().to_vec()).unwrap();
                (c.repairs, v)
            })
            .collect()
    }

    #[test]
    fn each_defect_gets_its_repair_and_the_decodings_follow() {
        use Repair::*;
        let k = CANARY;
        let slashed = format!("{}/{}", &k[..10], &k[10..]);
        let json_slashed = slashed.replace('/', "\\/");
        let plussed = format!("{}+{}", &k[..10], &k[10..]);
        let pct = plussed.replace('+', "%2B");
        let cases: Vec<(String, Repaired)> = vec![
            (k.to_string(), vec![]),
            (format!("{k}\n"), vec![(vec![Trimmed], k.to_string())]),
            (format!("\"{k}\""), vec![(vec![Unquoted], k.to_string())]),
            // A ` # comment` a reader kept (docker run --env-file), with or without quotes.
            (
                format!("\"{k}\" # prod key"),
                vec![(vec![Unquoted, CommentRemoved], k.to_string())],
            ),
            (
                format!("{k} # c\r"),
                vec![(vec![CommentRemoved, Trimmed], k.to_string())],
            ),
            // systemd keeps `"KEY" # c` as `KEY# c`: a key has no `#`.
            (
                format!("{k}# c"),
                vec![(vec![CommentRemoved], k.to_string())],
            ),
            (
                format!("{k}\u{200b}"),
                vec![(vec![InvisibleRemoved], k.to_string())],
            ),
            (
                format!("X-API-KEY: {k}"),
                vec![(vec![LabelRemoved], k.to_string())],
            ),
            (
                json_slashed.clone(),
                vec![(vec![JsonUnescaped], slashed.clone())],
            ),
            (
                format!("\"{json_slashed}\""),
                vec![
                    (vec![Unquoted], json_slashed.clone()),
                    (vec![Unquoted, JsonUnescaped], slashed.clone()),
                ],
            ),
            (pct.clone(), vec![(vec![PercentDecoded], plussed.clone())]),
            (b64(k), vec![(vec![Base64Decoded], k.to_string())]),
            // `echo KEY | base64`: the newline is inside the encoding.
            (
                b64(&format!("{k}\n")),
                vec![(vec![Base64Decoded], k.to_string())],
            ),
            // Base64 of bytes that are not text (as a real key is): nothing to decode.
            (b64("\u{1}\u{2}binary\u{3}\u{4}\u{5}\u{6}\u{7}"), vec![]),
            // Not an escape: nothing to decode.
            (format!("{k}%zz"), vec![]),
        ];
        for (value, want) in cases {
            assert_eq!(repairs_of(&value), want, "{value:?}");
        }
    }

    #[test]
    fn never_more_than_the_cap_and_never_the_value_as_given() {
        let value = format!(" \"{}\\/%2B{}\" ", &CANARY[..8], &CANARY[8..]);
        let c = candidates(&SecretKey::from_bytes(value.as_bytes().to_vec()));
        assert!(!c.is_empty() && c.len() <= MAX_CANDIDATES);
        assert!(c.iter().all(|c| c.key.expose_bytes() != value.as_bytes()));
    }
}
