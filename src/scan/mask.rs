//! Masked excerpts: the line around a match, with every match replaced by
//! `[sl-key sha256:…]` and any other key material nearby replaced by `[redacted]`.
//!
//! What may leak next to a match: the base64 characters at each end of a base64 match
//! carry a few bits of the key (they were dropped from the pattern because they also
//! depend on the neighbouring bytes), and a truncated or differently encoded copy of
//! the key may sit on the same line. So base64 matches are widened over adjacent
//! base64 characters, and every remaining word of the excerpt that shares a 6-byte
//! piece with any pattern is masked too.

use super::patterns::{Encoding, Patterns};
use sl_doctor_checks::leak::REDACTED;
use sl_doctor_checks::model::untrusted::neutralise;

/// Characters of context kept on each side of the masked span.
pub const CONTEXT_CHARS: usize = 40;

/// Bytes looked at on each side before counting characters (UTF-8 is at most 4 bytes).
pub const CONTEXT_BYTES: usize = CONTEXT_CHARS * 4;

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/_-=".contains(&b)
}

/// Bytes that belong to a "word" for the key-material guard.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/_-=%\\.".contains(&b) || b >= 0x80
}

/// Widens a match so that the partial base64 characters around it are masked too.
pub fn widen(data: &[u8], start: usize, end: usize, enc: Encoding) -> (usize, usize) {
    if !matches!(enc, Encoding::Base64 | Encoding::Base64Url) {
        return (start, end);
    }
    let mut s = start;
    while s > 0 && start - s < 3 && is_b64(data[s - 1]) && data[s - 1] != b'=' {
        s -= 1;
    }
    let mut e = end;
    while e < data.len() && e - end < 5 && is_b64(data[e]) {
        e += 1;
    }
    (s, e)
}

/// Printable text of some bytes: lossy UTF-8, control characters as spaces, bidi controls
/// and other invisible characters as visible escapes (the file's text is outside text).
fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| {
            if c.is_control() {
                ' '.to_string()
            } else {
                neutralise(&c.to_string(), 1)
            }
        })
        .collect()
}

/// Replaces each word that holds key material by `[redacted]`, and shows control and
/// invisible characters as visible escapes: a file name is outside text (a repository
/// can name a file `a\x1b]0;…` or put a line break and `::error::` in it).
pub fn guard(text: &str, patterns: &Patterns) -> String {
    neutralise(&redact_words(text, patterns), usize::MAX)
}

/// Replaces each word that holds key material by `[redacted]`.
fn redact_words(text: &str, patterns: &Patterns) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if is_word(bytes[i]) {
            let mut j = i;
            while j < bytes.len() && is_word(bytes[j]) {
                j += 1;
            }
            if patterns.has_key_material(&bytes[i..j]) {
                out.push_str(REDACTED);
            } else {
                out.push_str(&text[i..j]);
            }
            i = j;
        } else {
            // Copy one whole character.
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The masked excerpt of the line holding the match `focus` (a widened byte range).
/// Every span of `all` (sorted, including `focus`) that falls in the excerpt is
/// replaced by `token` as well. Looks only at [`CONTEXT_BYTES`] on each side of the
/// match, so a long line with many matches costs no more per excerpt than a short one.
pub fn excerpt(
    data: &[u8],
    focus: (usize, usize),
    all: &[(usize, usize)],
    token: &str,
    patterns: &Patterns,
) -> String {
    let (first, last) = focus;
    // The window: the line around the match, at most CONTEXT_BYTES on each side; whether
    // the line goes on beyond it.
    let lo = first.saturating_sub(CONTEXT_BYTES);
    let (from, cut_before) = match memchr::memrchr(b'\n', &data[lo..first]) {
        Some(p) => (lo + p + 1, false),
        None => (lo, lo > 0 && data[lo - 1] != b'\n'),
    };
    let hi = (last + CONTEXT_BYTES).min(data.len());
    let (to, cut_after) = match memchr::memchr(b'\n', &data[last..hi]) {
        Some(p) => (last + p, false),
        None => (hi, hi < data.len() && data[hi] != b'\n'),
    };

    // Text pieces between the masked spans of the window: [text, span, text, …, text].
    let mut pieces: Vec<String> = Vec::new();
    let mut at = from;
    let first_in = all.partition_point(|(_, e)| *e <= from);
    for &(s, e) in all[first_in..].iter().take_while(|(s, _)| *s < to) {
        let (s, e) = (s.max(at), e.min(to));
        pieces.push(printable(&data[at..s]));
        at = e;
    }
    pieces.push(printable(&data[at..to]));

    let n = pieces.len();
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        let chars: Vec<char> = piece.chars().collect();
        let text: String = if i == 0 {
            if cut_before || chars.len() > CONTEXT_CHARS {
                out.push('…');
            }
            let t: String = chars[chars.len().saturating_sub(CONTEXT_CHARS)..]
                .iter()
                .collect();
            t.trim_start().to_string()
        } else if i == n - 1 {
            let t: String = chars[..chars.len().min(CONTEXT_CHARS)].iter().collect();
            t.trim_end().to_string()
        } else {
            piece.clone()
        };
        out.push_str(&guard(&text, patterns));
        if i < n - 1 {
            out.push_str(token);
        } else if cut_after || chars.len() > CONTEXT_CHARS {
            out.push('…');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    use sl_doctor_checks::testing_support::TEST_CANARY;
    const KEY: &[u8] = TEST_CANARY.as_bytes();
    const TOKEN: &str = "[sl-key sha256:b45407a7e392]";

    fn mask(line: &[u8]) -> String {
        let p = Patterns::new(KEY).unwrap();
        let spans: Vec<(usize, usize)> =
            p.ac.find_iter(line)
                .map(|m| {
                    widen(
                        line,
                        m.start(),
                        m.end(),
                        p.list[m.pattern().as_usize()].encoding,
                    )
                })
                .collect();
        assert!(!spans.is_empty());
        excerpt(line, spans[spans.len() - 1], &spans, TOKEN, &p)
    }

    fn no_piece(text: &str, secret: &[u8]) {
        for w in secret.windows(6) {
            assert!(
                !text.as_bytes().windows(6).any(|x| x == w),
                "key piece in {text:?}"
            );
        }
    }

    #[test]
    fn plain_key_in_code() {
        let got = mask(format!("  const apiKey = \"{}\"; // prod\n", TEST_CANARY).as_bytes());
        assert_eq!(got, format!("const apiKey = \"{TOKEN}\"; // prod"));
    }

    #[test]
    fn base64_edges_and_truncated_copies_are_masked() {
        let b = base64::engine::general_purpose::STANDARD;
        for pre in ["", "u:", "xy:", "Basic "] {
            let enc = b.encode(format!("{pre}{TEST_CANARY}\n"));
            let line = format!("Authorization: Basic {enc} end");
            let got = mask(line.as_bytes());
            no_piece(&got, enc.as_bytes());
            no_piece(&got, KEY);
            assert!(got.contains(TOKEN) && got.ends_with(" end"), "{got}");
        }
        let got = mask(format!("old={} new={TEST_CANARY}", &TEST_CANARY[..16]).as_bytes());
        // `=` belongs to words (base64 padding), so `old=` goes with the truncated copy.
        assert_eq!(got, format!("[redacted] new={TOKEN}"));
    }

    #[test]
    fn long_lines_are_cut_and_controls_hidden() {
        let mut line = vec![b'a'; 500];
        line.extend_from_slice(format!(" k=\t{TEST_CANARY} ").as_bytes());
        line.extend(vec![b'b'; 500]);
        let got = mask(&line);
        assert!(got.starts_with('…') && got.ends_with('…'), "{got}");
        assert!(got.contains(&format!("k= {TOKEN}")), "{got}");
        assert!(got.chars().count() < 2 * CONTEXT_CHARS + 40);
    }
}
