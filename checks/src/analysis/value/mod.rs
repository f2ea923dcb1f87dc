//! The character-level analysis of the key value, shared by the value checks.
//!
//! Most rejected keys are not wrong keys but right keys with something around or inside
//! them: a trailing newline from `echo`, a zero-width space from a chat app, smart quotes
//! from a word processor, a pasted `Bearer ` or `X-API-KEY: `, an unexpanded `${VAR}`.
//! This module looks at the value once, character by character, and records what it
//! finds; each check (`header-value`, `pasted-label`, `quoted-value`, `extra-whitespace`,
//! `hidden-characters`, `lookalike-characters`, `placeholder-value`) only picks the part
//! it reports, so no character is reported by two checks.
//!
//! Nothing here reproduces the key: results are positions (1-based grapheme clusters,
//! as users count characters), code points, Unicode names and fingerprints. [`Analysis`]
//! has no `Debug`, and the per-character copy it keeps is zeroized on drop.
//!
//! The analysis also computes the *cleaned* value ([`Analysis::cleaned`]): the value with
//! every problem found here removed. Its length and fingerprint go into the report so
//! users can compare them with the key they were given, and a live probe can retry with it.

use crate::model::evidence::Repair;
use crate::model::report::Position;
use crate::model::secret::{Fingerprint, SecretKey};
use unicode_segmentation::UnicodeSegmentation;
use zeroize::Zeroizing;

mod chars;
mod repairs;
mod wrappers;

pub use chars::*;
pub use repairs::{MAX_CANDIDATES, RepairedKey, candidates};
pub use wrappers::*;

/// Where a value stops being valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8 {
    /// 1-based byte position of the first invalid byte.
    pub byte: usize,
    /// Number of bytes.
    pub of: usize,
    /// The byte.
    pub value: u8,
}

/// The analysis of one value. No `Debug`: it holds a per-character copy of the key.
pub struct Analysis {
    /// Set when the value is not valid UTF-8 (everything else is then empty).
    pub invalid_utf8: Option<InvalidUtf8>,
    /// Number of bytes.
    pub byte_len: usize,
    /// Number of characters (grapheme clusters).
    pub graphemes: usize,
    chars: Zeroizing<Vec<char>>,
    index: Vec<usize>,
    edge_ws: Vec<bool>,
    label_span: Vec<bool>,
    /// Labels pasted in front of the key, outermost first.
    pub labels: Vec<Label>,
    /// Quote problems, outermost first.
    pub quotes: Vec<QuoteDefect>,
    /// A ` # comment` after the key, which a reader that takes a `.env` line as is
    /// (`docker run --env-file`) keeps in the value.
    pub comment: Option<Comment>,
    comment_span: Vec<bool>,
    /// A placeholder found instead of a key.
    pub placeholder: Option<Placeholder>,
    cleaned: Option<SecretKey>,
    /// The cleaned value's length and fingerprint, counted once: several checks and the
    /// report show them.
    cleaned_facts: std::sync::OnceLock<Option<(usize, Fingerprint)>>,
    /// Nothing is left of a non-empty value once its whitespace, invisible characters,
    /// quotes and labels are removed.
    no_key: bool,
}

/// Analyses a key value.
pub fn analyze(key: &SecretKey) -> Analysis {
    let bytes = key.expose_bytes();
    let mut a = Analysis {
        invalid_utf8: None,
        byte_len: bytes.len(),
        graphemes: 0,
        chars: Zeroizing::new(Vec::new()),
        index: Vec::new(),
        edge_ws: Vec::new(),
        label_span: Vec::new(),
        labels: Vec::new(),
        quotes: Vec::new(),
        comment: None,
        comment_span: Vec::new(),
        placeholder: None,
        cleaned: None,
        cleaned_facts: std::sync::OnceLock::new(),
        no_key: false,
    };
    let s = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let at = e.valid_up_to();
            a.invalid_utf8 = Some(InvalidUtf8 {
                byte: at + 1,
                of: bytes.len(),
                value: bytes[at],
            });
            return a;
        }
    };
    a.split_characters(s);
    a.mark_edge_whitespace();

    // The visible core: indices of characters that are neither invisible nor edge spaces.
    let n = a.chars.len();
    let visible: Vec<usize> = (0..n)
        .filter(|&i| !a.edge_ws[i] && hidden_kind(a.chars[i]).is_none())
        .collect();
    let core: Zeroizing<Vec<char>> = Zeroizing::new(visible.iter().map(|&i| a.chars[i]).collect());
    let (lo, hi) = a.peel_wrappers(&core, &visible);
    for k in lo..hi {
        if is_quote(core[k]) {
            a.quotes.push(QuoteDefect::Inner(a.pos(visible[k])));
        }
    }
    let body = &core[lo..hi];
    a.no_key = body.is_empty() && n > 0;
    a.placeholder = find_placeholder(body);
    if a.placeholder.is_none() && !body.is_empty() {
        a.cleaned = cleaned_body(body, bytes);
    }
    a
}

/// The cleaned value: the core, look-alikes mapped to their ASCII suggestion; `None`
/// when that is the value as given.
fn cleaned_body(body: &[char], given: &[u8]) -> Option<SecretKey> {
    let cleaned: Zeroizing<String> = Zeroizing::new(
        body.iter()
            .map(|&c| lookalike(c).and_then(|l| l.suggestion).unwrap_or(c))
            .collect(),
    );
    (cleaned.as_bytes() != given).then(|| SecretKey::from_bytes(cleaned.as_bytes().to_vec()))
}

/// Moves `lo`/`hi` past plain spaces at either end of `core[lo..hi]`.
fn trim_spaces(core: &[char], lo: &mut usize, hi: &mut usize) {
    while *lo < *hi && core[*lo] == ' ' {
        *lo += 1;
    }
    while *hi > *lo && core[*hi - 1] == ' ' {
        *hi -= 1;
    }
}

impl Analysis {
    /// Splits the value into code points, each with its 1-based grapheme index.
    fn split_characters(&mut self, s: &str) {
        for (g, grapheme) in s.graphemes(true).enumerate() {
            for c in grapheme.chars() {
                self.chars.push(c);
                self.index.push(g + 1);
            }
            self.graphemes = g + 1;
        }
        let n = self.chars.len();
        self.edge_ws = vec![false; n];
        self.label_span = vec![false; n];
        self.comment_span = vec![false; n];
    }

    /// Edge whitespace: leading and trailing runs of space/TAB/CR/LF, looking through
    /// other invisible characters (those are reported by `hidden-characters`).
    fn mark_edge_whitespace(&mut self) {
        let n = self.chars.len();
        for i in 0..n {
            let c = self.chars[i];
            if is_edge_whitespace(c) {
                self.edge_ws[i] = true;
            } else if hidden_kind(c).is_none() {
                break;
            }
        }
        for i in (0..n).rev() {
            let c = self.chars[i];
            if is_edge_whitespace(c) {
                self.edge_ws[i] = true;
            } else if hidden_kind(c).is_none() {
                break;
            }
        }
    }

    /// Peels labels and quotes off the visible core, in whatever order they were
    /// wrapped; returns the bounds of what is left.
    fn peel_wrappers(&mut self, core: &[char], visible: &[usize]) -> (usize, usize) {
        let (mut lo, mut hi) = (0usize, core.len());
        trim_spaces(core, &mut lo, &mut hi);
        self.peel_comment(core, visible, lo, &mut hi);
        trim_spaces(core, &mut lo, &mut hi);
        for _ in 0..4 {
            let before = (lo, hi);
            if let Some((kind, len)) = match_label(&core[lo..hi]) {
                for &v in &visible[lo..lo + len] {
                    self.label_span[v] = true;
                }
                self.labels.push(Label {
                    kind,
                    from: self.index[visible[lo]],
                    to: self.index[visible[lo + len - 1]],
                });
                lo += len;
                trim_spaces(core, &mut lo, &mut hi);
            }
            self.peel_quote(core, visible, &mut lo, &mut hi);
            trim_spaces(core, &mut lo, &mut hi);
            if (lo, hi) == before {
                break;
            }
        }
        (lo, hi)
    }

    /// Peels a trailing comment: a `#` with something before it, and the spaces before
    /// it. A key has neither spaces nor `#`, so this is never part of a key; dotenv
    /// libraries drop ` # comment`, `docker run --env-file` keeps it, and systemd's
    /// `EnvironmentFile=` keeps it after a quoted value without the space (`"KEY" # c` is
    /// `KEY# c`). (A TAB is an invisible character, not in `core`: `hidden-characters`
    /// names it.)
    fn peel_comment(&mut self, core: &[char], visible: &[usize], lo: usize, hi: &mut usize) {
        let Some(hash) = (lo + 1..*hi).find(|&k| core[k] == '#') else {
            return;
        };
        let mut start = hash;
        while start > lo && core[start - 1] == ' ' {
            start -= 1;
        }
        if start == lo {
            return;
        }
        for &v in &visible[start..*hi] {
            self.comment_span[v] = true;
        }
        self.comment = Some(Comment {
            from: self.index[visible[start]],
            to: self.index[visible[*hi - 1]],
        });
        *hi = start;
    }

    /// Peels one quote defect (escaped pair, pair, or a lone quote at either end).
    fn peel_quote(&mut self, core: &[char], visible: &[usize], lo: &mut usize, hi: &mut usize) {
        let (l, h) = (*lo, *hi);
        let len = h - l;
        if len >= 4
            && core[l] == '\\'
            && is_quote(core[l + 1])
            && core[h - 2] == '\\'
            && is_quote(core[h - 1])
        {
            self.quotes.push(QuoteDefect::Escaped {
                open: self.pos(visible[l + 1]),
                close: self.pos(visible[h - 1]),
            });
            (*lo, *hi) = (l + 2, h - 2);
        } else if len >= 2 && is_quote(core[l]) && is_quote(core[h - 1]) {
            self.quotes.push(QuoteDefect::Surrounding {
                open: self.pos(visible[l]),
                close: self.pos(visible[h - 1]),
            });
            (*lo, *hi) = (l + 1, h - 1);
        } else if len >= 1 && is_quote(core[l]) {
            self.quotes.push(QuoteDefect::Leading(self.pos(visible[l])));
            *lo = l + 1;
        } else if len >= 1 && is_quote(core[h - 1]) {
            self.quotes
                .push(QuoteDefect::Trailing(self.pos(visible[h - 1])));
            *hi = h - 1;
        }
    }
}

/// The cleaned value of a key, when cleaning changes it and the result is not a placeholder.
pub fn cleaned_key(key: &SecretKey) -> Option<SecretKey> {
    analyze(key).cleaned
}

/// Whether a value holds no key: it is empty, or nothing is left once it is cleaned
/// ([`Analysis::holds_no_key`]).
pub fn no_key_in(key: &SecretKey) -> bool {
    key.expose_bytes().is_empty() || analyze(key).holds_no_key().is_some()
}

impl Analysis {
    /// The position of the `i`-th code point.
    fn pos(&self, i: usize) -> Position {
        let c = self.chars[i];
        Position {
            character: self.index[i],
            of: self.graphemes,
            codepoint: codepoint(c),
            name: char_name(c),
        }
    }

    /// Whether the value is valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        self.invalid_utf8.is_none()
    }

    /// Whether the value has no bytes.
    pub fn is_empty(&self) -> bool {
        self.byte_len == 0
    }

    /// Whether every character is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.is_utf8() && self.chars.iter().all(|c| c.is_ascii())
    }

    /// What removing leaves nothing of, when the value is not empty but holds no key
    /// (`""`, `"  "`, `X-API-KEY:`, a lone zero-width space): the repairs that empty it.
    /// Such a value is an empty key in disguise, not a key with damage to repair.
    pub fn holds_no_key(&self) -> Option<Vec<Repair>> {
        if !self.no_key {
            return None;
        }
        let mut r = self.repairs();
        // Spaces between the quotes are removed too, though they are not at the value's
        // edges.
        if !r.contains(&Repair::Trimmed) && self.chars.iter().any(|c| is_edge_whitespace(*c)) {
            r.push(Repair::Trimmed);
            r.sort();
        }
        Some(r)
    }

    /// Whether the value is only whitespace (space, TAB, CR, LF) and not empty.
    pub fn only_whitespace(&self) -> bool {
        !self.chars.is_empty() && self.chars.iter().all(|c| is_edge_whitespace(*c))
    }

    /// Characters reqwest/http refuse in a header value.
    pub fn header_forbidden(&self) -> Vec<Position> {
        (0..self.chars.len())
            .filter(|&i| is_header_forbidden(self.chars[i]))
            .map(|i| self.pos(i))
            .collect()
    }

    /// The text of each label pasted in front of the key (`X-API-KEY: `,
    /// `SALESLAYER_API_KEY=`): a header or variable name, public words, not key material.
    pub fn label_texts(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut run = String::new();
        for (c, labelled) in self.chars.iter().zip(&self.label_span) {
            if *labelled {
                run.push(*c);
            } else if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            out.push(run);
        }
        out
    }

    /// Non-ASCII characters (sent as raw UTF-8 bytes).
    pub fn non_ascii(&self) -> Vec<Position> {
        (0..self.chars.len())
            .filter(|&i| !self.chars[i].is_ascii())
            .map(|i| self.pos(i))
            .collect()
    }

    /// The leading whitespace run (positions), outermost first.
    pub fn leading_whitespace(&self) -> Vec<Position> {
        let first_visible = (0..self.chars.len())
            .find(|&i| !self.edge_ws[i] && hidden_kind(self.chars[i]).is_none());
        match first_visible {
            None => Vec::new(),
            Some(f) => (0..f)
                .filter(|&i| self.edge_ws[i])
                .map(|i| self.pos(i))
                .collect(),
        }
    }

    /// The trailing whitespace run (positions), in order.
    pub fn trailing_whitespace(&self) -> Vec<Position> {
        let last_visible = (0..self.chars.len())
            .rev()
            .find(|&i| !self.edge_ws[i] && hidden_kind(self.chars[i]).is_none());
        match last_visible {
            None => Vec::new(),
            Some(l) => (l + 1..self.chars.len())
                .filter(|&i| self.edge_ws[i])
                .map(|i| self.pos(i))
                .collect(),
        }
    }

    /// Plain spaces inside the value (not at the ends, not part of a pasted label or of
    /// a trailing comment).
    pub fn inner_spaces(&self) -> Vec<Position> {
        (0..self.chars.len())
            .filter(|&i| {
                self.chars[i] == ' '
                    && !self.edge_ws[i]
                    && !self.label_span[i]
                    && !self.comment_span[i]
            })
            .map(|i| self.pos(i))
            .collect()
    }

    /// Invisible characters not reported as edge whitespace.
    pub fn hidden(&self) -> Vec<(HiddenKind, Position)> {
        (0..self.chars.len())
            .filter(|&i| !self.edge_ws[i])
            .filter_map(|i| hidden_kind(self.chars[i]).map(|k| (k, self.pos(i))))
            .collect()
    }

    /// The invisible characters among the code points `range` (0-based code point
    /// indices, as `str::chars` counts them), with their positions: a renderer that shows
    /// the edges of a value by code point names those inside (`sl-doctor fix`'s diff).
    pub fn hidden_in(&self, range: std::ops::Range<usize>) -> Vec<(HiddenKind, Position)> {
        range
            .filter(|&i| i < self.chars.len() && !self.edge_ws[i])
            .filter_map(|i| hidden_kind(self.chars[i]).map(|k| (k, self.pos(i))))
            .collect()
    }

    /// Visible non-ASCII characters that are not quotes (a trailing comment's words are
    /// not the key's).
    pub fn lookalikes(&self) -> Vec<(Lookalike, Position)> {
        (0..self.chars.len())
            .filter(|&i| !self.comment_span[i])
            .filter_map(|i| lookalike(self.chars[i]).map(|l| (l, self.pos(i))))
            .collect()
    }

    /// The cleaned value (see the module docs), when cleaning changes the value.
    pub fn cleaned(&self) -> Option<SecretKey> {
        self.cleaned.clone()
    }

    /// The value's length as [`SecretKey::char_len`] counts it (characters as a person
    /// sees them, or bytes when it is not UTF-8), without counting again.
    pub fn char_len(&self) -> usize {
        if self.invalid_utf8.is_some() {
            self.byte_len
        } else {
            self.graphemes
        }
    }

    /// `cleaned value: 44 characters, sha256:…`, when there is a cleaned value.
    pub fn cleaned_detail(&self) -> Option<String> {
        self.cleaned_facts().map(|(length, fingerprint)| {
            format!(
                "cleaned value: {length} characters, {fingerprint} (compare with the key you were given)"
            )
        })
    }

    /// The cleaned value's length (as [`SecretKey::char_len`] counts it) and fingerprint,
    /// when there is a cleaned value.
    pub fn cleaned_facts(&self) -> Option<&(usize, Fingerprint)> {
        self.cleaned_facts
            .get_or_init(|| {
                self.cleaned
                    .as_ref()
                    .map(|k| (k.char_len(), k.fingerprint()))
            })
            .as_ref()
    }

    /// `44 characters, sha256:…` of the value as given.
    pub fn as_given(key: &SecretKey) -> String {
        format!(
            "value as given: {} characters, {}",
            key.char_len(),
            key.fingerprint()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> SecretKey {
        SecretKey::from_string(s.into())
    }

    #[test]
    fn cleaning() {
        let healthy = "aB3+xY/9zQ==";
        let cases = [
            "aB3+xY/9zQ==\n",
            "aB3+xY/9zQ==\r\n",
            " \taB3+xY/9zQ== ",
            "\"aB3+xY/9zQ==\"",
            "'aB3+xY/9zQ=='\n",
            "\u{201C}aB3+xY/9zQ==\u{201D}",
            "\\\"aB3+xY/9zQ==\\\"",
            "X-API-KEY: aB3+xY/9zQ==",
            "X-API-KEY: \"aB3+xY/9zQ==\"",
            "\"X-API-KEY: aB3+xY/9zQ==\"",
            "Authorization: Bearer aB3+xY/9zQ==",
            "\u{FEFF}aB3\u{200B}+xY/9zQ==",
            "\u{FF41}B3+xY/9zQ==",
            "\u{0430}B3+xY/9zQ==",
            "aB3+xY/9zQ==\u{00A0}",
        ];
        for s in cases {
            let got = cleaned_key(&key(s)).unwrap_or_else(|| panic!("{s:?} not cleaned"));
            assert_eq!(got.expose_str(), Some(healthy), "{s:?}");
        }
        for s in [healthy, "", "   ", "YOUR_API_KEY", "\"${SL_KEY}\"\n"] {
            assert!(cleaned_key(&key(s)).is_none(), "{s:?}");
        }
        assert!(cleaned_key(&SecretKey::from_bytes(b"ab\xff".to_vec())).is_none());
    }

    #[test]
    fn a_value_of_only_wrappers_holds_no_key() {
        use Repair::*;
        let cases: &[(&str, Option<&[Repair]>)] = &[
            ("\"\"", Some(&[Unquoted])),
            ("''", Some(&[Unquoted])),
            ("\"\"\"\"", Some(&[Unquoted])),
            ("\u{201C}\u{201D}", Some(&[Unquoted])),
            ("\"", Some(&[Unquoted])),
            ("\"  \"", Some(&[Unquoted, Trimmed])),
            ("\"\"\n", Some(&[Unquoted, Trimmed])),
            ("   ", Some(&[Trimmed])),
            ("\u{200B}", Some(&[InvisibleRemoved])),
            ("X-API-KEY:", Some(&[LabelRemoved])),
            ("Bearer", Some(&[LabelRemoved])),
            ("Bearer ", Some(&[LabelRemoved, Trimmed])),
            ("Authorization: Bearer ", Some(&[LabelRemoved, Trimmed])),
            ("X-API-KEY: Bearer", Some(&[LabelRemoved, Trimmed])),
            // Empty is empty, not "no key once cleaned"; a key is a key.
            ("", None),
            ("\"aB3+xY/9zQ==\"", None),
            ("aB3+xY/9zQ==", None),
            ("\"${SL_KEY}\"", None),
        ];
        for (s, want) in cases {
            let got = analyze(&key(s)).holds_no_key();
            assert_eq!(got.as_deref(), *want, "{s:?}");
        }
        assert!(
            analyze(&SecretKey::from_bytes(b"\"\xff\"".to_vec()))
                .holds_no_key()
                .is_none()
        );
    }

    /// The seven value checks.
    #[test]
    fn a_healthy_key_passes_every_value_check() {
        use crate::testing_support::{CANARY, cx_with_key, run};
        for k in ["aB3+xY/9zQ==", CANARY] {
            let cx = cx_with_key(k.as_bytes());
            for c in crate::value_checks() {
                let o = run(c.as_ref(), &cx).unwrap();
                assert_eq!(
                    o.status(),
                    crate::model::report::Status::Pass,
                    "{}",
                    c.meta().id
                );
                assert!(
                    o.findings.is_empty() && o.details.is_empty(),
                    "{}",
                    c.meta().id
                );
            }
        }
    }

    #[test]
    fn each_character_is_reported_by_one_key_loaded_check() {
        use crate::testing_support::{CANARY, assert_no_leak, cx_with_key, run};
        // Every defect at once: each code point is named by exactly one of the
        // character-level checks (header-value only summarises non-ASCII).
        let value =
            " \u{201C}SLDOCTOR\u{200B}c\u{0430}nary 7Qx9\u{00A0}+Zk/4mW2=\u{201D}\r\n".to_string();
        let cx = cx_with_key(value.as_bytes());
        let mut seen = Vec::new();
        for c in crate::value_checks() {
            let o = run(c.as_ref(), &cx).unwrap();
            assert_no_leak(&o, CANARY);
            if c.meta().id == crate::checklist::HeaderValue::ID {
                continue;
            }
            for f in &o.findings {
                if let Some(p) = &f.position {
                    seen.push((p.character, p.codepoint.clone()));
                }
            }
        }
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(seen.len(), dedup.len(), "{seen:?}");
        let cleaned = cleaned_key(&key(&value)).unwrap();
        // The inner plain space is kept: it is reported, not guessed away.
        assert_eq!(cleaned.expose_str(), Some("SLDOCTORcanary 7Qx9+Zk/4mW2="));
    }

    #[test]
    fn positions_count_graphemes() {
        let a = analyze(&key("abc\u{200B}def"));
        assert_eq!(a.graphemes, 7);
        let h = a.hidden();
        assert_eq!(h.len(), 1);
        assert_eq!(
            describe(&h[0].1),
            "U+200B ZERO WIDTH SPACE at character 4 of 7"
        );
        // CR LF is one grapheme: both code points report character 4.
        let a = analyze(&key("abc\r\n"));
        let t = a.trailing_whitespace();
        assert_eq!(
            t.iter()
                .map(|p| (p.character, p.codepoint.as_str()))
                .collect::<Vec<_>>(),
            [(4, "U+000D"), (4, "U+000A")]
        );
        assert_eq!(a.graphemes, 4);
    }
}
