//! A key pasted where a name or a path goes: `--key-env` given the key instead of the
//! variable's name (or the Action's `key-env` input set from the secret itself),
//! `--dotenv`, `--key-file`, `--ca-cert` or `--output` given the key instead of a path.
//!
//! Such a value is a secret: it is never printed (it is described by its length and
//! fingerprint, as the report describes keys), the run stops before anything could quote
//! it (a fix naming the variable, a report naming the file), and the mistake is
//! named ("this looks like a key, not a variable name"). A usage error is redacted
//! by the binary's own rule as well, which shows a value that [`reads_as_path`] as the
//! path it is (unless it holds the configured key).
//!
//! A value looks like a key when it is 16 characters or more of the key alphabet
//! (letters, digits, `+ / = _ -`), holds a letter and a digit, and is not a name someone
//! would give: it holds a character no variable name has (`+ / = -`), mixes upper- and
//! lower-case letters, or is 24 characters or more without an underscore (a hex token).
//! `SALESLAYER_API_KEY_2` and `sl_key_prod_2024` are names; a variable that is set in the
//! environment is a name whatever it looks like, and so is a path that exists. A path with
//! a directory part is taken for a key only when it holds `+` or `=` (a missing path is
//! an error all the same, and its message is redacted as a usage error).

use crate::model::secret::Fingerprint;
use std::ffi::OsString;
use std::path::Path;

/// Whether `value`, given where a name goes, looks like a key (see the module documentation).
pub fn looks_like_key(value: &str) -> bool {
    let n = value.chars().count();
    let alphabet = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c));
    let has = |f: fn(&char) -> bool| value.chars().any(|c| f(&c));
    if n < 16 || !alphabet || !has(char::is_ascii_alphabetic) || !has(char::is_ascii_digit) {
        return false;
    }
    let mixed_case = has(char::is_ascii_lowercase) && has(char::is_ascii_uppercase);
    value.contains(['+', '/', '=', '-']) || mixed_case || (n >= 24 && !value.contains('_'))
}

/// How a misplaced key is shown: by length and fingerprint, never its characters.
pub fn describe(value: &[u8]) -> String {
    format!(
        "{} characters, {}",
        String::from_utf8_lossy(value).chars().count(),
        Fingerprint::of(value)
    )
}

/// A key where a name or a path goes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{flag}: this looks like a key, not {what} ({described}); the key is not used and not shown. {hint}"
)]
pub struct MisplacedKey {
    /// The flag (`--key-env`).
    pub flag: &'static str,
    /// `a variable name` or `a path`.
    pub what: &'static str,
    /// Length and fingerprint.
    pub described: String,
    /// What to pass instead.
    pub hint: &'static str,
}

/// Refuses a `--key-env` value that looks like a key and names no variable that is set.
pub fn check_name(
    flag: &'static str,
    name: &str,
    env: &[(OsString, OsString)],
) -> Result<(), MisplacedKey> {
    let set = env.iter().any(|(k, _)| k == name);
    if set || !looks_like_key(name) {
        return Ok(());
    }
    Err(MisplacedKey {
        flag,
        what: "a variable name",
        described: describe(name.as_bytes()),
        hint: "Pass the NAME of the environment variable that holds the key (--key-env SALESLAYER_API_KEY), and set that variable from your secret store; in the GitHub Action, set the secret in the step's env: and key-env to its name.",
    })
}

/// Whether `text`, given where a path goes, reads as a path and not as a key: it exists,
/// or it has a directory part and holds no `+` or `=` (paths have `/` where keys rarely
/// do, and a base64 key with a `/` nearly always has a `+` or an `=` too).
pub fn reads_as_path(text: &str) -> bool {
    std::fs::symlink_metadata(text).is_ok()
        || (text.contains(['/', '\\']) && !text.contains(['+', '=']))
}

/// Refuses a path that does not exist and looks like a key.
pub fn check_path(flag: &'static str, path: &Path) -> Result<(), MisplacedKey> {
    let Some(text) = path.to_str() else {
        return Ok(());
    };
    if reads_as_path(text) || !looks_like_key(text) {
        return Ok(());
    }
    Err(MisplacedKey {
        flag,
        what: "a path",
        described: describe(text.as_bytes()),
        hint: "Pass the path of a file; to give the key itself, set SALESLAYER_API_KEY or use --key-stdin.",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{TEST_CANARY, assert_maps};

    #[test]
    fn keys_and_names() {
        assert_maps(
            looks_like_key,
            [
                (TEST_CANARY, true),
                ("abcdEFGH1234ijkl5678", true),
                ("3f9a6c0e8b7d4a21c5e6f7a8b9c0d1e2", true),
                ("sk_live_51H8xYzAbCdEfGhIjKlMnOp", true),
                ("SALESLAYER_API_KEY", false),
                ("SALESLAYER_API_KEY_2", false),
                ("sl_key_prod_2024_backup", false),
                ("SALESLAYERAPIKEY", false),
                ("MY_KEY", false),
                ("short1A", false),
                ("secrets/sl.key", false),
                ("has space 1234567890abcdef", false),
            ],
        );
    }

    #[test]
    fn a_misplaced_key_is_named_and_never_shown() {
        let e = check_name("--key-env", TEST_CANARY, &[]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("this looks like a key, not a variable name"),
            "{text}"
        );
        assert!(text.contains("27 characters, sha256:"), "{text}");
        crate::testing_support::assert_output_safe(TEST_CANARY, "error", &text, Default::default());
        // A variable that is set is a name, whatever it looks like.
        let env = [(OsString::from(TEST_CANARY), OsString::from("x"))];
        assert!(check_name("--key-env", TEST_CANARY, &env).is_ok());
        assert!(check_name("--key-env", "SALESLAYER_API_KEY", &[]).is_ok());
        let e = check_path("--dotenv", Path::new(TEST_CANARY)).unwrap_err();
        assert!(e.to_string().contains("not a path"), "{e}");
        assert!(check_path("--dotenv", Path::new("no/such/.env")).is_ok());
        assert!(check_path("--key-file", Path::new("/tmp/sld-bad-23951/missing")).is_ok());
        assert!(check_path("--key-file", Path::new("abcdEFGH1234ijkl5678")).is_err());
    }
}
