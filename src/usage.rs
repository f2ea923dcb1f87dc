//! Usage errors never echo the key.
//!
//! `sl-doctor KEY`, `sl-doctor check KEY`, `sl-doctor scan KEY`: people paste the key
//! where a command or a path goes, and clap (or our own "no such file") would print it
//! back into the terminal, the shell's scrollback and CI logs. Every usage error passes
//! [`redact`] before it is printed: each command-line value that could be a key is
//! replaced by its length and fingerprint, and no piece of it (nor of the configured
//! key) is left in the text.
//!
//! A value could be a key when (the one rule, [`key_like`]):
//! - it follows `--key` (it is the key), or equals the value of the key's environment
//!   variable (`SALESLAYER_API_KEY`, or the one `--key-env` names); or
//! - it looks like one: 16 characters or more, no whitespace, no `.` (file names and
//!   host names have one; base64 keys do not), at least one letter, and at least one
//!   digit or one of `+ / =` (so `completions-bash` and other words are not), and it
//!   does not read as a path (it exists, or has a `/` and no `+` or `=`: see
//!   `misplaced::reads_as_path`), so `--key-file secrets/saleslayer` names its file.

use sl_doctor_checks::input::misplaced::reads_as_path;
use sl_doctor_checks::leak::{PIECE, Secrets};
use sl_doctor_checks::model::secret::Fingerprint;
use std::ffi::OsString;

/// Whether a command-line value looks like a key (see the module documentation).
pub fn key_like(value: &str) -> bool {
    value.chars().count() >= 16
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '.')
        && value.chars().any(|c| c.is_alphabetic())
        && value
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '+' | '/' | '='))
}

/// How a redacted value is shown: by length and fingerprint, as the report shows keys.
pub fn describe(value: &str) -> String {
    format!(
        "a {}-character value that looks like a key ({})",
        value.chars().count(),
        Fingerprint::of(value.as_bytes())
    )
}

const TIP: &str = "tip: sl-doctor never takes the key as a bare argument (it would show in the \
process list and shell history): set SALESLAYER_API_KEY, or use --key-stdin or --key-file PATH";

/// The value of an environment variable, as text.
fn env_value(env: &[(OsString, OsString)], name: &str) -> Option<String> {
    env.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.to_string_lossy().into_owned())
}

/// The values of `args` (without the program name) that could be the key.
fn suspects(args: &[OsString], env: &[(OsString, OsString)]) -> Vec<String> {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut key_env = sl_doctor_checks::DEFAULT_KEY_ENV.to_string();
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let next = args.get(i + 1);
        match a.split_once('=') {
            Some(("--key-env", name)) => key_env = name.to_string(),
            Some(("--key", v)) => out.push(v.to_string()),
            _ if a == "--key-env" => key_env = next.cloned().unwrap_or_default(),
            _ if a == "--key" => out.extend(next.cloned()),
            _ => {}
        }
    }
    let configured = env_value(env, &key_env).filter(|v| !v.is_empty());
    for a in &args {
        // `--flag=value`: the value is what could be the key (the whole would take a
        // path's `=` for a key's).
        let v = match a.split_once('=') {
            Some((flag, v)) if a.starts_with('-') && !flag.is_empty() => v,
            _ => a.as_str(),
        };
        // A path is shown as the path (`--key-file secrets/saleslayer`, `view reports/x`):
        // only the configured key is withheld from it, below.
        if (key_like(v) && !reads_as_path(v)) || configured.as_deref() == Some(v) {
            out.push(v.to_string());
        }
    }
    out.extend(configured);
    // Shorter values cannot be told from ordinary words of the message.
    out.retain(|v| v.chars().count() >= PIECE);
    out.sort_by_key(|v| std::cmp::Reverse(v.len()));
    out.dedup();
    out
}

/// `text` (a usage error) with every value of `args` that could be the key replaced by
/// [`describe`], any remaining piece of one by `[redacted]`, and a tip when anything was.
/// Values shorter than a leak piece (8 characters) are left: they cannot be told from the
/// words of the message.
pub fn redact_with(text: &str, args: &[OsString], env: &[(OsString, OsString)]) -> String {
    let suspects = suspects(args, env);
    let mut out = text.to_string();
    for v in &suspects {
        if out.contains(v.as_str()) {
            out = out.replace(v.as_str(), &describe(v));
        }
    }
    let mut secrets = Secrets::default();
    for v in &suspects {
        secrets.add_form(v.as_bytes());
    }
    secrets.redact(&mut out);
    if out != text && !out.contains(TIP) {
        let end = out.trim_end().len();
        out.truncate(end);
        out.push_str("\n\n");
        out.push_str(TIP);
        out.push('\n');
    }
    out
}

/// [`redact_with`] this process's command line and environment.
pub fn redact(text: &str) -> String {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    redact_with(text, &args, &env)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "q7Rk2pLx9Vw3Zt8Nb5Hs1Jd6Fg4Cm0Ya+/=";

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_rule() {
        let cases = [
            (KEY, true),
            ("0123456789abcdef0123456789abcdef", true),
            ("abcdefghijklmnop/", true),
            ("completions-bash", false),
            ("hidden-characters", false),
            ("key-shared-across-environments", false),
            ("abc123", false),
            ("./secrets/sl-2024.key", false),
            ("api2.saleslayer.com:443:127.0.0.1", false),
            ("has a space 1234567890", false),
            ("1234567890123456789", false),
        ];
        sl_doctor_checks::testing_support::assert_maps(key_like, cases);
    }

    #[test]
    fn values_that_could_be_the_key_are_described() {
        let env = vec![(
            OsString::from("MY_KEY"),
            OsString::from("plainwordsonlyhere"),
        )];
        // (arguments, error text, what must not be left)
        let cases: [(&[&str], String, &str); 4] = [
            (
                &["check", KEY],
                format!("error: unexpected argument '{KEY}' found"),
                KEY,
            ),
            (
                &[&format!("--kye={KEY}")],
                format!("error: unexpected argument '--kye={KEY}'"),
                KEY,
            ),
            (
                &["--key", "short-key-123", "--bogus"],
                "error: unexpected --bogus; short-key-123".into(),
                "short-key-123",
            ),
            (
                &["--key-env", "MY_KEY", "plainwordsonlyhere"],
                "error: unrecognized subcommand 'plainwordsonlyhere'".into(),
                "plainwordsonlyhere",
            ),
        ];
        for (args, text, secret) in cases {
            let out = redact_with(&text, &os(args), &env);
            assert!(
                !sl_doctor_checks::testing_support::leaks(secret, &out),
                "{secret} in {out}"
            );
            assert!(out.starts_with("error: "), "{out}");
            assert!(out.contains(TIP), "{out}");
        }
        let out = redact_with(
            &format!("unrecognized subcommand '{KEY}'"),
            &os(&[KEY]),
            &[],
        );
        assert!(
            out.contains(&format!(
                "a {}-character value that looks like a key (sha256:",
                KEY.len()
            )),
            "{out}"
        );
    }

    #[test]
    fn paths_are_shown_unless_they_hold_the_configured_key() {
        let env = |key: &str| vec![(OsString::from("SALESLAYER_API_KEY"), OsString::from(key))];
        // (arguments, error text, configured key, whether the text is left as is)
        let cases: [(&[&str], &str, &str, bool); 6] = [
            (
                &["--key-file", "secrets/saleslayer"],
                "key file secrets/saleslayer: no such file",
                "x",
                true,
            ),
            (
                &["--key-file=secrets/saleslayer"],
                "key file secrets/saleslayer: no such file",
                "x",
                true,
            ),
            (
                &["view", "reports/brokenrun"],
                "reports/brokenrun is not JSON",
                "x",
                true,
            ),
            (
                &["--from", "/no/such/dir/missingrun2"],
                "/no/such/dir/missingrun2: no such file",
                "x",
                true,
            ),
            // The configured key is withheld even when it reads as a path.
            (
                &["--key-file", "abcdefgh/ijklmnop123"],
                "key file abcdefgh/ijklmnop123: no such file",
                "abcdefgh/ijklmnop123",
                false,
            ),
            // A base64 key with `/` has `+` or `=` as well: not a path.
            (
                &["scan", KEY],
                &format!("{KEY}: no such file or directory"),
                "x",
                false,
            ),
        ];
        for (args, text, key, unchanged) in cases {
            let out = redact_with(text, &os(args), &env(key));
            assert_eq!(out == text, unchanged, "{args:?}: {out}");
            if !unchanged {
                let secret = if key == "x" { KEY } else { key };
                assert!(
                    !sl_doctor_checks::testing_support::leaks(secret, &out),
                    "{out}"
                );
                assert!(out.contains(TIP), "{out}");
            }
        }
    }

    #[test]
    fn other_errors_are_unchanged() {
        let text = "error: unrecognized subcommand 'chekc'\n";
        assert_eq!(redact_with(text, &os(&["chekc"]), &[]), text);
    }
}
