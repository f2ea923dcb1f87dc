//! The redacted diff: the line (or key file) before and after, with its visible
//! structure — quotes, spaces, a comment, CR, a byte order mark, the defects at the
//! value's edges by name and the invisible characters inside it by code point and
//! position (as `hidden-characters` names them) — and the value itself only as length and
//! fingerprint.

use super::edit::LineShape;
use sl_doctor_checks::analysis::value::{
    analyze, codepoint, hidden_kind, is_edge_whitespace, is_quote,
};
use sl_doctor_checks::model::secret::SecretKey;

/// How many characters at each edge of the value are shown by name at most.
const EDGE: usize = 4;

/// How many invisible characters inside the value are named at most.
const INSIDE: usize = 3;

/// A value: its visible edge defects around `…N chars`, e.g. `"…44 chars"⏎LF`, and the
/// invisible characters inside, e.g. `…45 chars (U+200B at 21)`.
pub fn value(v: &SecretKey) -> String {
    let Some(text) = v.expose_str() else {
        return format!("…{} bytes, not UTF-8", v.byte_len());
    };
    let chars: Vec<char> = text.chars().collect();
    let defect = |c: &char| is_edge_whitespace(*c) || hidden_kind(*c).is_some() || is_quote(*c);
    let lead = chars.iter().take(EDGE).take_while(|c| defect(c)).count();
    let rest = &chars[lead..];
    let trail = rest
        .iter()
        .rev()
        .take(EDGE)
        .take_while(|c| defect(c))
        .count();
    let middle = rest.len() - trail;
    let shown = |cs: &[char]| cs.iter().map(|&c| visible(c)).collect::<String>();
    format!(
        "{}…{middle} chars{}{}",
        shown(&chars[..lead]),
        inside(v, lead..lead + middle),
        shown(&rest[middle..])
    )
}

/// ` (U+200B at 21)`: the invisible characters among the code points `range` (the part
/// shown as `…N chars`), at their positions in the value as the check counts them
/// (characters, from 1); empty when there are none.
fn inside(v: &SecretKey, range: std::ops::Range<usize>) -> String {
    let found = analyze(v).hidden_in(range);
    if found.is_empty() {
        return String::new();
    }
    let mut named: Vec<String> = found
        .iter()
        .take(INSIDE)
        .map(|(_, p)| format!("{} at {}", p.codepoint, p.character))
        .collect();
    if found.len() > INSIDE {
        named.push(format!("{} more", found.len() - INSIDE));
    }
    let named: Vec<&str> = named.iter().map(String::as_str).collect();
    format!(" ({})", sl_doctor_checks::model::prose::join_names(&named))
}

/// `[44 chars, sha256:26dbe1d622e8]`: what identifies a value without showing it.
pub fn identity(v: &SecretKey) -> String {
    format!("[{} chars, {}]", v.char_len(), v.fingerprint())
}

/// A character at a value's edge, shown so that it can be seen.
fn visible(c: char) -> String {
    match c {
        '"' | '\'' | '`' => c.to_string(),
        ' ' => "␠".into(),
        '\t' => "⇥".into(),
        '\r' => "⏎CR".into(),
        '\n' => "⏎LF".into(),
        c => format!("<{}>", codepoint(c)),
    }
}

/// One side of a `.env` line, e.g. `SALESLAYER_API_KEY="…44 chars"⏎CR`.
pub fn line(s: &LineShape) -> String {
    let mut out = String::new();
    for (on, text) in [(s.bom, "<BOM>"), (s.indent, "␠"), (s.export, "export ")] {
        if on {
            out.push_str(text);
        }
    }
    out.push_str(&s.name);
    out.push_str(if s.space_around_eq { "␠=␠" } else { "=" });
    let q = s.quote.map(String::from).unwrap_or_default();
    out.push_str(&format!("{q}{}{q}", value(&s.value)));
    for (on, text) in [
        (s.trailing_space, "␠"),
        (s.comment, " # comment"),
        (s.crlf, "⏎CR"),
    ] {
        if on {
            out.push_str(text);
        }
    }
    out
}

/// The two lines of a change, each followed by the value's identity.
pub fn pair(before: &str, before_id: &str, after: &str, after_id: &str) -> String {
    let w = before.chars().count().max(after.chars().count());
    format!("  - {before:<w$}   {before_id}\n  + {after:<w$}   {after_id}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::testing_support::TEST_CANARY as CANARY;

    #[test]
    fn values_show_their_edges_and_never_their_characters() {
        let cases = [
            (CANARY.to_string(), "…27 chars"),
            (format!("\"{CANARY}\""), "\"…27 chars\""),
            (format!("{CANARY}\r\n"), "…27 chars⏎CR⏎LF"),
            (format!("{CANARY}\u{200b}"), "…27 chars<U+200B>"),
            (format!(" {CANARY}"), "␠…27 chars"),
            // Inside the value (trial 32: the diff showed only a change of length), at the
            // position hidden-characters names.
            (
                format!("{}\u{200b}{}", &CANARY[..20], &CANARY[20..]),
                "…28 chars (U+200B at 21)",
            ),
            (
                format!(
                    "\"{}\u{200b}{}\u{2060}{}\"",
                    &CANARY[..2],
                    &CANARY[2..4],
                    &CANARY[4..]
                ),
                "\"…29 chars (U+200B at 4 and U+2060 at 7)\"",
            ),
            (
                format!("a\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}{CANARY}"),
                "…33 chars (U+200B at 2, U+200B at 3, U+200B at 4 and 2 more)",
            ),
            (format!("\u{200b}{CANARY}"), "<U+200B>…27 chars"),
        ];
        for (v, want) in cases {
            let shown = value(&SecretKey::from_string(v.clone()));
            assert_eq!(shown, want, "{v:?}");
        }
        let id = identity(&SecretKey::from_string(CANARY.into()));
        assert!(id.starts_with("[27 chars, sha256:"), "{id}");
        sl_doctor_checks::testing_support::assert_output_safe(
            CANARY,
            "identity",
            &id,
            Default::default(),
        );
    }
}
