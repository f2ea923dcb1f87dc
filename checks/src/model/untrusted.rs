//! Text that sl-doctor did not write: certificate names, proxy pages, problem-details
//! bodies, response headers, captured requests, file names, `.env` lines.
//!
//! Such text is neutralised once, where it enters the report model, by building an
//! [`Untrusted`]: every control character (C0, DEL, C1) and every default-ignorable
//! code point (bidi controls, zero-width characters…) becomes a visible escape (`\x1b`,
//! `\u{202e}`), so the text is one line that cannot move the cursor, retitle a terminal,
//! reorder what surrounds it or hide characters; and it is capped in length. Renderers
//! add what their format needs on top (Markdown and XML escaping, workflow-command
//! guards) but never see a raw control character from outside.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Characters kept of one untrusted text; the rest is counted, not shown. Long enough for
/// a problem-details `detail` or a certificate subject, short enough that a hostile page
/// cannot fill a screen.
pub const CAP: usize = 300;

/// One piece of text from outside, neutralised and capped when it was built.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Untrusted(String);

impl Untrusted {
    /// Neutralises `raw` and caps it at [`CAP`] characters.
    pub fn new(raw: &str) -> Untrusted {
        Untrusted(neutralise(raw, CAP))
    }

    /// Neutralises `raw` and caps it at `cap` characters.
    pub fn capped(raw: &str, cap: usize) -> Untrusted {
        Untrusted(neutralise(raw, cap))
    }

    /// Bytes from outside (a header value, a body): invalid UTF-8 shown as U+FFFD.
    pub fn from_bytes(raw: &[u8]) -> Untrusted {
        Untrusted::new(&String::from_utf8_lossy(raw))
    }

    /// The neutralised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Read-only access as `str` (`.as_deref()`, `contains`, `to_lowercase`…): the text is
/// already safe, and nothing can put raw text back in through a shared reference.
impl std::ops::Deref for Untrusted {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// So `Vec<Untrusted>` joins like strings.
impl std::borrow::Borrow<str> for Untrusted {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Any text becomes untrusted text by being neutralised (`"x".into()`).
impl From<&str> for Untrusted {
    fn from(raw: &str) -> Untrusted {
        Untrusted::new(raw)
    }
}

impl PartialEq<str> for Untrusted {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Untrusted {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Safe text becomes a plain string freely (a finding message built from it).
impl From<Untrusted> for String {
    fn from(u: Untrusted) -> String {
        u.0
    }
}

impl AsRef<str> for Untrusted {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A saved report (read back by `view`) is itself outside text: reading neutralises again.
/// Neutralising is idempotent on its own output, so a report we wrote reads back the same.
impl<'de> Deserialize<'de> for Untrusted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Untrusted(neutralise(&raw, usize::MAX)))
    }
}

/// Whether `c` must not reach an output raw: controls (C0, DEL, C1) and default-ignorable
/// code points (Unicode DerivedCoreProperties), which include the bidi controls, the
/// zero-width characters, the byte-order mark and variation selectors.
pub fn is_unsafe(c: char) -> bool {
    // Most text is ASCII, where only C0 and DEL are unsafe (no default-ignorable code
    // point is ASCII); the range table is the slow part of the report's last pass.
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control() || is_default_ignorable(c)
}

/// Whether any character of `s` [`is_unsafe`]: the ASCII run at its start is read a byte at
/// a time, without decoding characters (the report's last pass tests every string).
pub fn has_unsafe(s: &str) -> bool {
    // Eight bytes at a time: a byte below 0x20, equal to 0x7f or from 0x80 up sends the
    // test to the characters from that group on (everything before it is ASCII, so the
    // group starts a character).
    let bytes = s.as_bytes();
    let mut at = 0;
    for group in bytes.chunks_exact(8) {
        let x = group::of(group);
        if group::non_ascii(x) || group::holds_below(x, 0x20) || group::holds(x, 0x7f) {
            return s[at..].chars().any(is_unsafe);
        }
        at += 8;
    }
    match bytes[at..].iter().position(|b| !(0x20..0x7f).contains(b)) {
        Some(i) => s[at + i..].chars().any(is_unsafe),
        None => false,
    }
}

/// Default_Ignorable_Code_Point, as a table.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// `raw` with every unsafe character as a visible escape (`\x1b` below U+0100, else
/// `\u{202e}`), cut after `cap` characters with a count of what was left out.
pub fn neutralise(raw: &str, cap: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(cap.saturating_mul(4)));
    let mut chars = raw.chars();
    for (kept, c) in chars.by_ref().enumerate() {
        if kept == cap {
            let rest = 1 + chars.count();
            out.push_str(&format!(" … ({rest} more characters)"));
            break;
        }
        neutralise_char(c, &mut out);
    }
    out
}

/// One character as [`neutralise`] writes it, at the end of `out`.
pub fn neutralise_char(c: char, out: &mut impl std::fmt::Write) {
    // Writing to a String or a byte buffer cannot fail.
    let _ = if !is_unsafe(c) {
        out.write_char(c)
    } else if let Ok(b) = u8::try_from(c) {
        // `\x1b`: written by hand, a formatter costs more than the leak index's spellings
        // of a key otherwise do (they write a NUL byte per character of UTF-16).
        let [high, low] = super::hex::byte(b, false);
        let x = [b'\\', b'x', high, low];
        out.write_str(std::str::from_utf8(&x).expect("ASCII"))
    } else {
        write!(out, "\\u{{{:x}}}", c as u32)
    };
}

/// Neutralises (without a cap) every string of `v` that holds an unsafe character, and
/// every such object key; whether anything changed. The runner's last pass over the
/// report: text a check quoted without building an [`Untrusted`] (a file name, a `.env`
/// line) is made safe here all the same.
pub fn neutralise_value(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    let unsafe_text = |s: &str| s.chars().any(is_unsafe);
    match v {
        Value::String(s) if unsafe_text(s) => {
            *s = neutralise(s, usize::MAX);
            true
        }
        Value::Array(a) => a.iter_mut().fold(false, |c, x| neutralise_value(x) | c),
        Value::Object(o) => {
            let bad: Vec<String> = o.keys().filter(|k| unsafe_text(k)).cloned().collect();
            for k in &bad {
                if let Some(x) = o.remove(k) {
                    o.insert(neutralise(k, usize::MAX), x);
                }
            }
            o.values_mut()
                .fold(!bad.is_empty(), |c, x| neutralise_value(x) | c)
        }
        _ => false,
    }
}

/// The legacy workflow-command prefix. GitHub's runner looks for it anywhere in a log line
/// (`##[add-mask]…`, `##[stop-commands]token`), not only at the start.
pub const LEGACY_COMMAND: &str = "##[";

/// How one output format spells a workflow command harmlessly: what replaces a leading
/// `::` and what replaces every `##[`. Each replacement reads back as the same text for a
/// reader of that format (JSON, XML, Markdown), or as a visible escape (a log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// Human text for a terminal or a CI log: `\x3a:` and `\x23#[`, the escapes of
    /// [`neutralise`].
    Log,
    /// JSON text: `\u0023#[` inside a string is `##[` to a JSON reader (a JSON line never
    /// starts with `::`: strings hold no line break).
    Json,
    /// XML (JUnit): the character references `&#58;:` and `&#35;#[`.
    Xml,
    /// Markdown: the backslash escapes `\::` and `##\[`.
    Markdown,
}

impl Sink {
    fn colon(self) -> &'static str {
        match self {
            Sink::Log => "\\x3a:",
            Sink::Json => "\\u003a:",
            Sink::Xml => "&#58;:",
            Sink::Markdown => "\\::",
        }
    }

    fn legacy(self) -> &'static str {
        match self {
            Sink::Log => "\\x23#[",
            Sink::Json => "\\u0023#[",
            Sink::Xml => "&#35;#[",
            Sink::Markdown => "##\\[",
        }
    }
}

/// Whether GitHub Actions would read `line` as a workflow command: its trimmed start is
/// `::`, or it holds `##[` anywhere. The one test of what must not reach an output.
pub fn is_workflow_command(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains(LEGACY_COMMAND)
}

/// One line made safe for CI logs in `sink`'s spelling: a leading `::` (after whitespace)
/// gets its first colon escaped, and every `##[` its first hash (or, in Markdown, its
/// bracket). The `github` format writes its own commands on purpose and escapes only the
/// text inside them.
pub fn guard_line(line: &str, sink: Sink) -> std::borrow::Cow<'_, str> {
    if !is_workflow_command(line) {
        return std::borrow::Cow::Borrowed(line);
    }
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let body = body.replace(LEGACY_COMMAND, sink.legacy());
    let out = match body.strip_prefix("::") {
        Some(rest) => format!("{indent}{}{rest}", sink.colon()),
        None => format!("{indent}{body}"),
    };
    std::borrow::Cow::Owned(out)
}

/// Whether any line of `text` (split at `\n`) [`is_workflow_command`]: one search of the
/// whole text for each marker instead of two per line (a JSON report has hundreds of
/// lines, and every output is tested).
pub fn has_workflow_command(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // Groups with neither `:` nor `#` are passed over whole: most of a text.
        if let Some(g) = bytes.get(at..at + 8) {
            let x = group::of(g);
            if !group::holds(x, b':') && !group::holds(x, b'#') {
                at += 8;
                continue;
            }
        }
        let rest = &bytes[at..];
        if rest.starts_with(LEGACY_COMMAND.as_bytes()) {
            return true;
        }
        if rest.starts_with(b"::") {
            // `at` holds an ASCII byte, and a line starts after a `\n`: both are
            // character boundaries.
            let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            if text[line_start..at].chars().all(char::is_whitespace) {
                return true;
            }
        }
        at += 1;
    }
    false
}

/// Tests of eight bytes at once (one `u64`), for the scans every output goes through:
/// the classic zero-byte test and its relatives. Each answers whether *any* byte of the
/// group qualifies.
mod group {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

    /// Eight bytes as one number.
    pub fn of(bytes: &[u8]) -> u64 {
        u64::from_ne_bytes(bytes.try_into().expect("8 bytes"))
    }

    /// A byte from 0x80 up.
    pub fn non_ascii(x: u64) -> bool {
        x & HIGH != 0
    }

    /// A byte below `n` (exact when no byte is from 0x80 up; callers test that too).
    pub fn holds_below(x: u64, n: u8) -> bool {
        x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH != 0
    }

    /// A byte equal to `b`.
    pub fn holds(x: u64, b: u8) -> bool {
        let y = x ^ (ONES * u64::from(b));
        y.wrapping_sub(ONES) & !y & HIGH != 0
    }
}

/// Every line of `text` passed through [`guard_line`] (line breaks kept).
pub fn guard_text(text: &str, sink: Sink) -> std::borrow::Cow<'_, str> {
    if !has_workflow_command(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let lines: Vec<std::borrow::Cow<'_, str>> =
        text.split('\n').map(|l| guard_line(l, sink)).collect();
    std::borrow::Cow::Owned(lines.join("\n"))
}

/// A line of human output made safe for CI logs ([`guard_line`] with [`Sink::Log`]).
pub fn guard_workflow_command(line: &str) -> std::borrow::Cow<'_, str> {
    guard_line(line, Sink::Log)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-byte shortcut in `has_unsafe` finds every ASCII control and DEL, and any
    /// unsafe character, at every position of a group and of the tail.
    #[test]
    fn has_unsafe_finds_each_character_at_each_position() {
        for c in (0u8..0x80)
            .map(char::from)
            .chain(['\u{85}', '\u{200b}', 'é'])
        {
            for at in 0..19 {
                let mut s: String = "a".repeat(19);
                s.replace_range(at..=at, c.encode_utf8(&mut [0; 4]));
                assert_eq!(has_unsafe(&s), is_unsafe(c), "{c:?} at {at}");
            }
        }
    }

    /// The ASCII shortcut in `is_unsafe` agrees with the definition on every code point.
    #[test]
    fn the_ascii_shortcut_changes_no_answer() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(
                is_unsafe(c),
                c.is_control() || is_default_ignorable(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn unsafe_characters_become_visible_escapes() {
        for (raw, want) in [
            ("plain text", "plain text"),
            ("\u{1b}]0;owned\u{7}", "\\x1b]0;owned\\x07"),
            ("a\r\nb", "a\\x0d\\x0ab"),
            ("tab\there", "tab\\x09here"),
            ("del\u{7f}", "del\\x7f"),
            ("c1\u{85}", "c1\\x85"),
            ("\u{202e}gnp.exe", "\\u{202e}gnp.exe"),
            ("zero\u{200b}width", "zero\\u{200b}width"),
            ("\u{feff}bom", "\\u{feff}bom"),
            ("naïve café ✔", "naïve café ✔"),
        ] {
            assert_eq!(neutralise(raw, CAP), want, "{raw:?}");
        }
    }

    #[test]
    fn long_text_is_capped_with_a_count() {
        let s = "x".repeat(CAP + 20);
        let n = Untrusted::new(&s);
        assert!(n.as_str().starts_with(&"x".repeat(CAP)));
        assert!(n.as_str().ends_with(" … (20 more characters)"), "{n}");
        assert_eq!(neutralise("abc", 3), "abc");
    }

    #[test]
    fn neutralising_is_idempotent_so_saved_reports_read_back_the_same() {
        for raw in ["\u{1b}[2K", "x\u{202e}y", "plain", "\\x1b already"] {
            let once = neutralise(raw, usize::MAX);
            assert_eq!(neutralise(&once, usize::MAX), once);
            let json = serde_json::to_string(&Untrusted::new(raw)).unwrap();
            let back: Untrusted = serde_json::from_str(&json).unwrap();
            assert_eq!(back, Untrusted::new(raw));
        }
        // A hostile saved report is neutralised on reading.
        let back: Untrusted = serde_json::from_str("\"\\u001b[2K\"").unwrap();
        assert_eq!(back.as_str(), "\\x1b[2K");
    }

    #[test]
    fn workflow_command_lines_are_guarded() {
        for (line, want) in [
            ("::error title=x::owned", "\\x3a:error title=x::owned"),
            ("   ::warning::x", "   \\x3a:warning::x"),
            ("##[error]x", "\\x23#[error]x"),
            (
                "issuer ##[stop-commands]tok",
                "issuer \\x23#[stop-commands]tok",
            ),
            ("a ##[add-mask]b ###[x", "a \\x23#[add-mask]b #\\x23#[x"),
            ("::x ##[y]", "\\x3a:x \\x23#[y]"),
            ("  fix: run sl-doctor::x", "  fix: run sl-doctor::x"),
            ("## [not]", "## [not]"),
            ("ok", "ok"),
        ] {
            assert_eq!(guard_workflow_command(line), want, "{line:?}");
            assert!(
                !is_workflow_command(&guard_workflow_command(line)),
                "{line:?}"
            );
        }
    }

    #[test]
    fn each_sink_keeps_the_value_for_its_reader() {
        let text = "{\"x\": \"a ##[add-mask]b\"}";
        let json = guard_text(text, Sink::Json);
        assert!(!json.contains(LEGACY_COMMAND), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["x"], "a ##[add-mask]b");
        assert_eq!(
            guard_text("<a>x\n  ::error::y ##[z]</a>", Sink::Xml),
            "<a>x\n  &#58;:error::y &#35;#[z]</a>"
        );
        assert_eq!(guard_text("::a\nb ##[c", Sink::Markdown), "\\::a\nb ##\\[c");
        assert_eq!(guard_text("plain\ntext", Sink::Log), "plain\ntext");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The one search of a whole text finds a workflow command where the test of each
        /// line does.
        #[test]
        fn has_workflow_command_agrees_with_every_line(
            parts in proptest::collection::vec(prop_oneof![
                Just("::".to_string()), Just("##[".to_string()), Just("#".to_string()),
                Just("\n".to_string()), Just(" ".to_string()), Just("\r".to_string()),
                Just("\u{a0}".to_string()), Just(":".to_string()), "[a-z]{1,3}",
            ], 0..32),
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(
                has_workflow_command(&text),
                text.split('\n').any(is_workflow_command),
                "{:?}", text
            );
        }

        /// The byte shortcut gives the same answer as testing every character.
        #[test]
        fn has_unsafe_agrees_with_every_character(
            raw in any::<String>(),
            ascii in "[ -~]{0,20}",
            mixed in "[ -~\\x00-\\x1f\\x7f\u{80}\u{200b}]{0,24}",
        ) {
            for s in [raw.clone(), format!("{ascii}{raw}"), ascii.clone(), mixed.clone(), format!("{ascii}{mixed}")] {
                prop_assert_eq!(has_unsafe(&s), s.chars().any(is_unsafe));
            }
        }

        /// For any text: no unsafe character survives, neutralising again changes
        /// nothing, and at most `cap` characters of the input are kept.
        #[test]
        fn neutralised_text_is_safe_idempotent_and_capped(raw in any::<String>(), cap in 0usize..64) {
            let all = neutralise(&raw, usize::MAX);
            prop_assert!(!all.chars().any(is_unsafe));
            prop_assert_eq!(neutralise(&all, usize::MAX), all.clone());
            let capped = neutralise(&raw, cap);
            prop_assert!(!capped.chars().any(is_unsafe));
            let n = raw.chars().count();
            if n <= cap {
                prop_assert_eq!(&capped, &all);
            } else {
                let suffix = format!(" … ({} more characters)", n - cap);
                prop_assert!(capped.ends_with(&suffix));
                let kept = &capped[..capped.len() - suffix.len()];
                prop_assert_eq!(kept, neutralise(&raw.chars().take(cap).collect::<String>(), usize::MAX));
            }
            // The one-line guarantee: the workflow-command guard never sees a line break.
            prop_assert!(!capped.contains('\n') && !capped.contains('\r'));
        }

        /// For any text and every sink: no guarded line is a workflow command, and text
        /// that held none is unchanged.
        #[test]
        fn guarded_text_holds_no_workflow_command(raw in "[#:\\[ ax\n]{0,40}") {
            for sink in [Sink::Log, Sink::Json, Sink::Xml, Sink::Markdown] {
                let out = guard_text(&raw, sink);
                prop_assert!(!out.split('\n').any(is_workflow_command), "{:?}: {:?}", sink, out);
                if !raw.split('\n').any(is_workflow_command) {
                    prop_assert_eq!(&out, &raw);
                }
            }
        }
    }
}
