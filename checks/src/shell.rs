//! How sl-doctor writes a word for a shell, in the commands it prints (the fixes of
//! findings, `sl-doctor curl`): POSIX `sh` and PowerShell. A printed command may end up in
//! a CI log, so no quoted word holds `##[` (GitHub's runner reads it as a workflow command
//! anywhere in a line): the word is split there into two adjacent quoted strings, which
//! the shell reads as the same word.

use crate::model::untrusted::LEGACY_COMMAND;
use std::path::Path;

/// Characters a POSIX shell takes literally in an unquoted word, wherever they stand.
/// `~` (tilde expansion at a word's start) and `=` (an assignment as a command's first
/// word) are left out on purpose.
const SH_PLAIN: &str = "-_./+@%:,";

/// One word for a POSIX shell: as it is when every character is plain, else single
/// quotes, `'` as `'\''`, and a `##[` split as `'#''#['`.
pub fn sh_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || SH_PLAIN.contains(c));
    if plain {
        return s.to_string();
    }
    split_legacy_command(s)
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', r"'\''")))
        .collect()
}

/// [`sh_quote`] of a path as it is displayed.
pub fn sh_quote_path(path: &Path) -> String {
    sh_quote(&path.display().to_string())
}

/// The characters PowerShell takes as a single quote: `'` and the typographic quotes
/// U+2018, U+2019, U+201A and U+201B all open and close a single-quoted string.
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// One word for PowerShell: single quotes (no expansion), every PowerShell single-quote
/// character doubled inside. A `##[` splits the string into a parenthesised concatenation
/// (`('a#'+'#[b')`), the same value as an argument or in an expression.
pub fn ps_quote(s: &str) -> String {
    let parts: Vec<String> = split_legacy_command(s)
        .iter()
        .map(|p| ps_quote_part(p))
        .collect();
    if parts.len() == 1 {
        parts.concat()
    } else {
        format!("({})", parts.join("+"))
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
        ];
        for (given, want) in cases {
            assert_eq!(ps_quote(given), want, "{given:?}");
        }
    }

    /// What `sh` makes of `words`, each written with [`sh_quote`]: one argument of
    /// `printf '%s\0'` each, read back split at the NULs.
    fn through_sh(words: &[String]) -> Vec<String> {
        let quoted: Vec<String> = words.iter().map(|w| sh_quote(w)).collect();
        let script = format!("printf '%s\\0' {}", quoted.join(" "));
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .env("LC_ALL", "C")
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{script}: {out:?}");
        let mut got: Vec<String> = String::from_utf8(out.stdout)
            .expect("sh gives back UTF-8")
            .split('\0')
            .map(str::to_string)
            .collect();
        assert_eq!(got.pop().as_deref(), Some(""), "{script}");
        got
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Every quoted word reads back from a real shell as the text it quotes, and
        /// none holds `##[`.
        #[test]
        fn a_quoted_word_reads_back_from_sh_as_itself(
            words in prop::collection::vec("[^\\x00]{0,24}|[a-z'#\\[~= $`\"\\\\*?]{0,12}", 1..24)
        ) {
            if crate::testing_support::require_tool("sh", &["-c", ":"]) {
                prop_assert_eq!(through_sh(&words), words.clone());
                for w in &words {
                    prop_assert!(!sh_quote(w).contains(LEGACY_COMMAND), "{:?}", w);
                }
            }
        }
    }
}
