//! `sl-doctor fingerprint [FINGERPRINT]`: the fingerprint and length of the key you have,
//! read from the same sources as `check` (or typed at a hidden prompt), and, given a
//! fingerprint (e.g. the one support names), whether it is that key.
//!
//! Only fingerprints, lengths and the sources' names are printed, never the key; an
//! argument that is not a fingerprint is not shown back either (it may be the key).

use super::{fail_usage, print_stdout};
use crate::args::{ColorWhen, FingerprintArgs, KeyArgs};
use crate::exit;
use sl_doctor_checks::analysis::value::{cleaned_key, no_key_in};
use sl_doctor_checks::context::{FoundKey, KeyState};
use sl_doctor_checks::input::sources::InputError;
use sl_doctor_checks::model::report::{SourceKind, Status};
use sl_doctor_checks::model::secret::{Fingerprint, GivenFingerprint};
use std::ffi::OsString;
use std::process::ExitCode;

/// How a key found in one source compares with the given fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    No,
    AsStored,
    OnceCleaned,
}

/// One source's key, by fingerprint: what is printed for it.
struct Seen {
    source: String,
    used: bool,
    fingerprint: Fingerprint,
    length: usize,
    /// The fingerprint and length once cleaned, when cleaning changes the value.
    cleaned: Option<(Fingerprint, usize)>,
    /// The value is empty, or nothing is left once it is cleaned (`""`, spaces).
    no_key: bool,
    matched: Match,
    /// `sl-doctor fix` edits where it is stored (a key file, a `.env` line); elsewhere
    /// (the environment, a deployment file…) it says where to change it.
    fix_edits: bool,
}

impl Seen {
    fn of(c: &FoundKey, used: bool, given: Option<&GivenFingerprint>) -> Seen {
        let cleaned = cleaned_key(&c.value);
        let matched = match given {
            Some(g) if g.matches(c.value.expose_bytes()) => Match::AsStored,
            Some(g)
                if cleaned
                    .as_ref()
                    .is_some_and(|k| g.matches(k.expose_bytes())) =>
            {
                Match::OnceCleaned
            }
            _ => Match::No,
        };
        Seen {
            source: c.source.describe(),
            used,
            fingerprint: c.value.fingerprint(),
            length: c.value.char_len(),
            cleaned: cleaned.map(|k| (k.fingerprint(), k.char_len())),
            no_key: no_key_in(&c.value),
            matched,
            fix_edits: matches!(c.source.kind, SourceKind::File | SourceKind::Dotenv),
        }
    }
}

/// Why `fingerprint --format` is refused, and where the fingerprint is in JSON.
const NO_FORMAT: &str = "fingerprint has no --format: it prints the fingerprint for people. \
    For JSON, the report holds it: `sl-doctor --offline --format json` (key.fingerprint, \
    key.length), with the same key options (--key-env, --key-file, --dotenv, --key-stdin)";

pub fn run(args: &FingerprintArgs) -> ExitCode {
    if args.format.is_some() {
        return fail_usage(NO_FORMAT);
    }
    let given = match args.expected.as_deref().map(GivenFingerprint::parse) {
        None => None,
        Some(Some(g)) => Some(g),
        Some(None) => {
            return fail_usage(
                "the argument is not a fingerprint: give sha256: and 8 to 64 hex digits, e.g. \
                 sha256:1a2b3c4d5e6f (the argument is not shown, in case it is the key; if it \
                 was, it is now in your shell history)",
            );
        }
    };
    let env: Vec<_> = std::env::vars_os().collect();
    let (state, typed) = match load(&args.keys, &env) {
        Ok(s) => s,
        Err(e) => return fail_usage(e),
    };
    if state.chosen().is_none() {
        // A variable whose name looks like the key's is the likely one (as `check` says).
        let near: Vec<&str> = state.near_misses.iter().map(|n| n.name.as_str()).collect();
        let hint = match near.first() {
            Some(first) => format!(
                "; {} {} set: if it holds the key, run with --key-env {first}",
                sl_doctor_checks::model::prose::join_names(&near),
                if near.len() == 1 { "is" } else { "are" }
            ),
            None => String::new(),
        };
        return fail_usage(format!(
            "no key found (looked at: {}); name it with --key-env, --key-file, --dotenv or \
             --key-stdin{hint}",
            state.looked_at.join(", ")
        ));
    }
    let mut seen: Vec<Seen> = state
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| Seen::of(c, i == 0, given.as_ref()))
        .collect();
    if typed {
        seen[0].source = "the key typed at the prompt".into();
    }
    let t = crate::term::Term::stdout(ColorWhen::Auto, false);
    let mut text = listing(&seen);
    if state
        .chosen()
        .is_some_and(|c| c.source.kind == SourceKind::Flag)
    {
        text.push_str(
            "  (--key shows the key in the process list and the shell history; --key-stdin \
             asks for it without showing it)\n",
        );
    }
    let code = match &given {
        None => {
            if !seen[0].no_key {
                text.push_str(
                    "\nTo compare with the fingerprint support names: sl-doctor fingerprint \
                     sha256:…\n",
                );
            }
            exit::OK
        }
        Some(g) => {
            let (line, code) = verdict(&seen, g, &t);
            text.push('\n');
            text.push_str(&line);
            code
        }
    };
    print_stdout(&t.wrap(&text));
    ExitCode::from(code)
}

/// The key sources, as `check` reads them; with none set and no key found, the key
/// typed at a hidden prompt when a person is at a terminal (never in CI); `true` when
/// it was typed.
fn load(args: &KeyArgs, env: &[(OsString, OsString)]) -> Result<(KeyState, bool), InputError> {
    use std::io::IsTerminal;
    let state = crate::config::collect_keys(args, env)?;
    let ask = state.chosen().is_none()
        && !args.key_stdin
        && std::io::stdin().is_terminal()
        && !crate::config::is_ci(env);
    if !ask {
        return Ok((state, false));
    }
    eprintln!(
        "No key found (looked at: {}). Type or paste it:",
        state.looked_at.join(", ")
    );
    let typed = KeyArgs {
        key_stdin: true,
        ..args.clone()
    };
    Ok((crate::config::collect_keys(&typed, env)?, true))
}

/// Each source's key: the one in use first, then the others found.
fn listing(seen: &[Seen]) -> String {
    let mut s = String::new();
    for (i, k) in seen.iter().enumerate() {
        if i == 1 {
            s.push_str("\nAlso found, not used (the source above wins):\n");
        }
        let head = if k.used { "Key in use: " } else { "" };
        s.push_str(&format!("{head}{}\n", k.source));
        s.push_str(&format!(
            "  {}, {} characters{}\n",
            k.fingerprint,
            k.length,
            same_as_used(k, &seen[0])
        ));
        if k.no_key {
            // Its fingerprint is no key's: comparing it with support's would only mislead.
            s.push_str(
                "  this value holds no key (it is empty, or only quotes or whitespace): set \
                 the key Sales Layer gave you there\n",
            );
        } else if let Some((fp, n)) = &k.cleaned {
            s.push_str(&format!(
                "  {fp}, {n} characters once cleaned (`sl-doctor` names what is around or in \
                 the value, {})\n",
                repair(k)
            ));
        }
    }
    s
}

/// Who repairs a value: `sl-doctor fix` where it edits the source, else the user where
/// `fix` says.
fn repair(k: &Seen) -> &'static str {
    if k.fix_edits {
        "`sl-doctor fix` repairs it"
    } else {
        "`sl-doctor fix` says where to change it"
    }
}

fn same_as_used(k: &Seen, used: &Seen) -> &'static str {
    if k.used {
        ""
    } else if k.fingerprint == used.fingerprint {
        " (the same value as the key in use)"
    } else {
        " (a different value from the key in use)"
    }
}

/// The comparison's last line and the exit code: 0 when the key in use is the given one
/// (as stored, or once cleaned), 1 when it is not.
fn verdict(seen: &[Seen], given: &GivenFingerprint, t: &crate::term::Term) -> (String, u8) {
    let g = given.as_text();
    let used = &seen[0];
    let (status, line, code) = match used.matched {
        Match::AsStored => (
            Status::Pass,
            format!("Match: the key in use is {g}."),
            exit::OK,
        ),
        Match::OnceCleaned => (
            Status::Warn,
            format!(
                "Match once cleaned: the key in use is {g} without what is around or in it; as \
                 stored it is not, so requests send something else: {}.",
                repair(used)
            ),
            exit::OK,
        ),
        Match::No => match seen.iter().find(|k| k.matched != Match::No) {
            Some(other) => (
                Status::Fail,
                format!(
                    "No match: the key in use is not {g}, but the {} holds it{}. The {} is \
                     read first: put that key there, or remove it so the other source is used.",
                    other.source,
                    if other.matched == Match::OnceCleaned {
                        " once cleaned"
                    } else {
                        ""
                    },
                    used.source
                ),
                exit::PROBLEM,
            ),
            None => (
                Status::Fail,
                format!(
                    "No match: {g} is a different key from the one in use{}, also once \
                     cleaned. Copy the key again from where it was issued, or ask support which \
                     key they mean.",
                    if seen.len() > 1 {
                        " and the others found"
                    } else {
                        ""
                    }
                ),
                exit::PROBLEM,
            ),
        },
    };
    (format!("{} {line}\n", t.status(status)), code)
}
