//! How sl-doctor writes a word for a shell, in the commands it prints (the fixes of
//! findings, `sl-doctor curl`, the mock's hints): POSIX `sh` and PowerShell. Every printed
//! command that holds a path or other outside text quotes it here, so that the command
//! is right to paste and safe in a CI log:
//!
//! - no quoted word holds `##[` (GitHub's runner reads it as a workflow command anywhere
//!   in a line): the word is split there into two adjacent quoted strings, which the shell
//!   reads as the same word;
//! - no quoted word holds a character the report neutralises (a control character such
//!   as a line break, or an invisible one: `model::untrusted::is_unsafe`): such a word is
//!   written with escapes the shell itself decodes (`$'x\x0a…'` for sh,
//!   `('x'+[char]0x0A+'…')` for PowerShell). The command then has no line break (so no
//!   outside text starts a line of the output) and the report's last pass leaves it as it
//!   is (an escape it wrote inside single quotes, `'x\x0a'`, would be four literal
//!   characters to the shell, and the command would name another file).
//!
//! `$'…'` is read by bash, zsh and ksh, and is in POSIX.1-2024; dash 0.5.12 (Debian 12's
//! `/bin/sh`) does not read it (`printf '%s' $'a\nb'` prints `$a\nb`), so a word is written
//! so only when it must be: a name with a control or invisible character.

use crate::model::untrusted::{LEGACY_COMMAND, is_unsafe};
use std::path::Path;

/// Characters a POSIX shell takes literally in an unquoted word, wherever they stand.
/// `~` (tilde expansion at a word's start) and `=` (an assignment as a command's first
/// word) are left out on purpose.
const SH_PLAIN: &str = "-_./+@%:,";

/// One word for a POSIX shell: as it is when every character is plain; else single
/// quotes, `'` as `'\''`; `$'…'` with `\xHH` escapes when it holds a control or
/// invisible character; and a `##[` split as `'#''#['`.
pub fn sh_quote(s: &str) -> String {
    sh_quote_bytes(s.as_bytes())
}

/// [`sh_quote`] of a path: its bytes (on Unix), so a name that is not UTF-8 is quoted
/// as it is on disk, not as its lossy display.
pub fn sh_quote_path(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        sh_quote_bytes(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        sh_quote(&path.display().to_string())
    }
}

/// [`sh_quote`] of a path as the report shows it, the home directory as `~`: a leading
/// `~/` stays outside the quotes, so that the shell still expands it.
pub fn sh_quote_shown(shown: &str) -> String {
    match shown.strip_prefix("~/") {
        Some(rest) if !rest.is_empty() => format!("~/{}", sh_quote(rest)),
        _ => sh_quote(shown),
    }
}

/// What a word is made of: text, and bytes that are not UTF-8.
enum Piece<'a> {
    Text(&'a str),
    Byte(u8),
}

fn pieces(bytes: &[u8]) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    for chunk in bytes.utf8_chunks() {
        out.push(Piece::Text(chunk.valid()));
        out.extend(chunk.invalid().iter().map(|&b| Piece::Byte(b)));
    }
    out
}

fn sh_quote_bytes(bytes: &[u8]) -> String {
    let Ok(s) = std::str::from_utf8(bytes) else {
        // Bytes that are not UTF-8 can only be written as escapes.
        return dollar_quoted(bytes);
    };
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || SH_PLAIN.contains(c));
    if plain {
        return s.to_string();
    }
    if s.chars().any(is_unsafe) {
        return dollar_quoted(bytes);
    }
    split_legacy_command(s)
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', r"'\''")))
        .collect()
}

/// `$'…'` words: `\\` and `\'` for a backslash and a quote, `\xHH` for every byte of a
/// control or invisible character and every byte that is not UTF-8; split at `##[`.
fn dollar_quoted(bytes: &[u8]) -> String {
    let mut body = String::new();
    for piece in pieces(bytes) {
        match piece {
            Piece::Byte(b) => body.push_str(&format!("\\x{b:02X}")),
            Piece::Text(t) => {
                for c in t.chars() {
                    match c {
                        '\\' => body.push_str("\\\\"),
                        '\'' => body.push_str("\\'"),
                        c if is_unsafe(c) => {
                            let mut buf = [0u8; 4];
                            for b in c.encode_utf8(&mut buf).bytes() {
                                body.push_str(&format!("\\x{b:02X}"));
                            }
                        }
                        c => body.push(c),
                    }
                }
            }
        }
    }
    split_legacy_command(&body)
        .iter()
        .map(|p| format!("$'{p}'"))
        .collect()
}

/// The characters PowerShell takes as a single quote: `'` and the typographic quotes
/// U+2018, U+2019, U+201A and U+201B all open and close a single-quoted string.
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// One word for PowerShell: single quotes (no expansion), every PowerShell single-quote
/// character doubled inside. A `##[` splits the string into a parenthesised concatenation
/// (`('a#'+'#[b')`), the same value as an argument or in an expression; so does a control
/// or invisible character, written as `[char]0x0A` (`[char]::ConvertFromUtf32(…)` above
/// U+FFFF), which Windows PowerShell 5.1 and PowerShell 7 both read.
pub fn ps_quote(s: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for p in split_legacy_command(s) {
        let mut run = String::new();
        for c in p.chars() {
            if is_unsafe(c) {
                if !run.is_empty() {
                    parts.push(ps_quote_part(&std::mem::take(&mut run)));
                }
                parts.push(ps_char(c));
            } else {
                run.push(c);
            }
        }
        // An empty part only when the word is empty, or to keep `'a#'+'#[b'` split.
        if !run.is_empty() || p.is_empty() {
            parts.push(ps_quote_part(&run));
        }
    }
    // `+` concatenates when its left side is a string: a `[char]` first would add numbers.
    if parts.first().is_some_and(|p| p.starts_with('[')) {
        parts.insert(0, "''".into());
    }
    if parts.len() == 1 {
        parts.concat()
    } else {
        format!("({})", parts.join("+"))
    }
}

/// A character PowerShell builds from its code point.
fn ps_char(c: char) -> String {
    let n = c as u32;
    if n <= 0xFFFF {
        format!("[char]0x{n:04X}")
    } else {
        format!("[char]::ConvertFromUtf32(0x{n:X})")
    }
}

fn ps_quote_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        out.push(c);
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// `s` cut between the two `#` of every `##[`, so that no part holds one.
fn split_legacy_command(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(LEGACY_COMMAND) {
        parts.push(&rest[..=i]);
        rest = &rest[i + 1..];
    }
    parts.push(rest);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn posix_words() {
        let cases = [
            (".env", ".env"),
            ("secrets/sl.key", "secrets/sl.key"),
            ("my keys/sl.key", "'my keys/sl.key'"),
            ("it's.env", r"'it'\''s.env'"),
            ("a'b$top", r"'a'\''b$top'"),
            ("", "''"),
            ("~/.env", "'~/.env'"),
            ("A=b", "'A=b'"),
            ("d/##[x]/.env", "'d/#''#[x]/.env'"),
            ("###[a##[", "'##''#[a#''#['"),
            // A control or invisible character: `$'…'` with escapes, still split at `##[`
            // (trial 32: a newline was written as `\x0a` inside single quotes).
            (
                "x\n::warning::pwn ##[error]inj.env",
                r"$'x\x0A::warning::pwn #'$'#[error]inj.env'",
            ),
            ("a\u{200b}b", r"$'a\xE2\x80\x8Bb'"),
            ("it's\r", r"$'it\'s\x0D'"),
            ("a\\b\t", r"$'a\\b\x09'"),
        ];
        for (given, want) in cases {
            assert_eq!(sh_quote(given), want, "{given:?}");
        }
    }

    #[test]
    fn powershell_words() {
        // PowerShell ends a single-quoted string at ' and at the typographic quotes.
        let cases = [
            ("a'b$top", "'a''b$top'"),
            ("d/##[x]'", "('d/#'+'#[x]''')"),
            ("it's", "'it''s'"),
            ("a\u{2018}b", "'a\u{2018}\u{2018}b'"),
            ("a\u{2019}b", "'a\u{2019}\u{2019}b'"),
            ("a\u{201A}b", "'a\u{201A}\u{201A}b'"),
            ("a\u{201B}b", "'a\u{201B}\u{201B}b'"),
            (
                "\u{201C}double\u{201D} \"x\" $top",
                "'\u{201C}double\u{201D} \"x\" $top'",
            ),
            ("x\ny", "('x'+[char]0x000A+'y')"),
            ("\u{200b}", "(''+[char]0x200B)"),
            ("a\u{E0001}", "('a'+[char]::ConvertFromUtf32(0xE0001))"),
            ("a\n##[b", "('a'+[char]0x000A+'#'+'#[b')"),
        ];
        for (given, want) in cases {
            assert_eq!(ps_quote(given), want, "{given:?}");
        }
    }

    /// What `shell` makes of `words`, each written with [`sh_quote`]: one argument of
    /// `printf '%s\0'` each, read back split at the NULs.
    fn through(shell: &str, quoted: &[String]) -> Vec<Vec<u8>> {
        let script = format!("printf '%s\\0' {}", quoted.join(" "));
        let out = std::process::Command::new(shell)
            .args(["-c", &script])
            .env("LC_ALL", "C")
            .output()
            .expect("the shell runs");
        assert!(out.status.success(), "{script}: {out:?}");
        let mut got: Vec<Vec<u8>> = out.stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        assert_eq!(got.pop().as_deref(), Some(&b""[..]), "{script}");
        got
    }

    #[test]
    fn a_shown_path_keeps_its_home_outside_the_quotes() {
        assert_eq!(sh_quote_shown("~/my keys/.env"), "~/'my keys/.env'");
        assert_eq!(sh_quote_shown("~/.env"), "~/.env");
        assert_eq!(sh_quote_shown("~"), "'~'");
        assert_eq!(sh_quote_shown("d/~/x y"), "'d/~/x y'");
    }

    /// A path that is not UTF-8, with a line break: bash reads back its bytes.
    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_reads_back_from_bash_as_its_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let bytes = b"d/\xff\n::x ##[y]'\\.env";
        let q = sh_quote_path(Path::new(std::ffi::OsStr::from_bytes(bytes)));
        assert_eq!(q, r"$'d/\xFF\x0A::x #'$'#[y]\'\\.env'");
        if crate::testing_support::require_tool("bash", &["-c", ":"]) {
            assert_eq!(through("bash", &[q]), [bytes.to_vec()]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Every quoted word reads back from a real shell as the text it quotes (from
        /// `sh`, and from bash when it needs `$'…'`), holds no `##[`, and is left as it is
        /// by the report's last pass (it holds nothing that pass neutralises).
        #[test]
        fn a_quoted_word_reads_back_from_sh_as_itself(
            words in prop::collection::vec("[^\\x00]{0,24}|[a-z'#\\[~= $`\"\\\\*?\\n\\t\u{200b}]{0,12}", 1..24)
        ) {
            let quoted: Vec<String> = words.iter().map(|w| sh_quote(w)).collect();
            let bytes: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
            let plain: Vec<String> = words
                .iter()
                .filter(|w| !w.chars().any(is_unsafe))
                .map(|w| sh_quote(w))
                .collect();
            let plain_bytes: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| !w.chars().any(is_unsafe))
                .map(|w| w.as_bytes().to_vec())
                .collect();
            if !plain.is_empty() && crate::testing_support::require_tool("sh", &["-c", ":"]) {
                prop_assert_eq!(through("sh", &plain), plain_bytes);
            }
            if crate::testing_support::require_tool("bash", &["-c", ":"]) {
                prop_assert_eq!(through("bash", &quoted), bytes);
            }
            for (w, q) in words.iter().zip(&quoted) {
                prop_assert!(!q.contains(LEGACY_COMMAND), "{:?}", w);
                prop_assert_eq!(crate::model::untrusted::neutralise(q, usize::MAX), q.clone());
                let p = ps_quote(w);
                prop_assert!(!p.contains(LEGACY_COMMAND), "{:?}", w);
                prop_assert_eq!(crate::model::untrusted::neutralise(&p, usize::MAX), p.clone());
            }
        }
    }
}
