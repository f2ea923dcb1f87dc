//! How the printed commands get the key: the way the doctor found it, so that a command
//! reproduces the doctor's request instead of running with an unset variable (and
//! getting a 401 that looks like proof that the key is bad).
//!
//! * **Environment variable** (or no key found, or `--key`/`--key-stdin`): the commands
//!   read `$NAME`; the header says it must be set in the shell that runs them.
//! * **Key file**: read byte for byte into the variable of this shell. POSIX: `$(cat …)`
//!   drops trailing line breaks, so a sentinel `x` is appended and removed; PowerShell:
//!   `Get-Content -Raw`.
//! * **`.env` file**: only the doctor's line is read, never the file as a script:
//!   `set -a; . ./.env` would run every line as shell code (a value with a space or a
//!   `$(…)` executes something) and reads quotes, `\`-escapes and CR differently from
//!   dotenv loaders. The doctor knows which bytes of the line dotenv loaders keep (the
//!   value is a contiguous part of what follows `=`: quotes, spaces, a comment, a CR
//!   around it), so the command cuts exactly those off by count: `sed` on bytes
//!   (`LC_ALL=C`) for POSIX, a `-replace` on the line for PowerShell. When the value is
//!   not such a part (a double-quoted value with escapes), no command can cut it out and
//!   the header says to set the variable instead.
//!
//! The variable is set for this shell only (a POSIX shell variable, not exported; a
//! PowerShell `$env:` entry of this session).

use super::Spec;
use crate::args::CurlShell;
use sl_doctor_checks::context::KeyState;
use sl_doctor_checks::model::report::SourceKind;
use sl_doctor_checks::shell::{ps_quote, sh_quote, sh_quote_path};
use std::fmt::Write;
use std::path::PathBuf;

/// Outside text (a file name, a sentence that quotes one) as a comment of the script
/// writes it: neutralised (no line break, no control character) and with no `##[`.
pub(super) fn prose(text: &str) -> String {
    use sl_doctor_checks::model::untrusted::{guard_workflow_command, neutralise};
    guard_workflow_command(&neutralise(text, usize::MAX)).into_owned()
}

/// How the commands load the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLoad {
    /// From the environment variable, which must be set where the commands run; `why`
    /// says where the doctor found the key when that is not the variable.
    Env {
        /// Why the variable must be set by hand, when it must.
        why: Option<String>,
    },
    /// From a key file, byte for byte.
    File(PathBuf),
    /// From one line of a `.env` file, as its reader (`--loader`; the dotenv libraries
    /// by default) delivers it.
    Dotenv {
        /// Who reads the line: `dotenv loaders`, `docker run --env-file`…
        reader: String,
        /// The file, as given.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Bytes to drop after the `=` and at the end of the line (CR included).
        bytes: (usize, usize),
        /// The same in UTF-16 units for PowerShell, whose lines have no CR; `None`
        /// when the line is not UTF-8.
        utf16: Option<(usize, usize)>,
    },
}

impl KeyLoad {
    /// How to load the key the doctor chose from `state`.
    pub fn of(state: &KeyState) -> KeyLoad {
        let Some(chosen) = state.chosen() else {
            return KeyLoad::Env {
                why: Some("No key was found (environment, key file, .env)".into()),
            };
        };
        match (chosen.source.kind, &chosen.path) {
            (SourceKind::File, Some(path)) => KeyLoad::File(path.clone()),
            (SourceKind::Dotenv, Some(path)) => dotenv_load(state, path.clone()),
            (SourceKind::Deployment, _) => KeyLoad::Env {
                why: Some(format!(
                    "The key is what the deployment delivers from {} (sl-doctor does not read deployment files in a shell)",
                    chosen.source.name
                )),
            },
            (SourceKind::Flag, _) => KeyLoad::Env {
                why: Some("The key was given with --key".into()),
            },
            (SourceKind::Stdin, _) => KeyLoad::Env {
                why: Some("The key was given on standard input".into()),
            },
            _ => KeyLoad::Env { why: None },
        }
    }

    /// The lines above the commands that load the key, for the shells of `spec`.
    pub fn write_prelude(&self, out: &mut String, spec: &Spec) {
        let var = spec.key_env;
        let posix = matches!(spec.shell, CurlShell::All | CurlShell::Posix);
        let ps = matches!(spec.shell, CurlShell::All | CurlShell::Powershell);
        match self {
            KeyLoad::Env { why: None } => {
                let _ = writeln!(
                    out,
                    "# ${var} must be set in the shell that runs them (exported, or set in that same shell)."
                );
            }
            KeyLoad::Env { why: Some(why) } => {
                let _ = writeln!(
                    out,
                    "# {}: set ${var} first in the shell that runs them, without putting the key on a command line:",
                    prose(why)
                );
                if posix {
                    let _ = writeln!(
                        out,
                        "#   POSIX shell: read -rs {var}   (paste the key, Enter)"
                    );
                }
                if ps {
                    let _ = writeln!(
                        out,
                        "#   PowerShell:  $env:{var} = Read-Host -MaskInput   (PowerShell 7; paste the key, Enter)"
                    );
                }
            }
            KeyLoad::File(path) => {
                let shown = path.display().to_string();
                let _ = writeln!(
                    out,
                    "# The key is read from the key file {}, byte for byte as sl-doctor reads it, into\n\
                     # ${var} of this shell only (run these from the directory sl-doctor ran in).",
                    prose(&shown)
                );
                if posix {
                    let _ = writeln!(
                        out,
                        "{var}=\"$(cat -- {}; printf x)\"; {var}=\"${{{var}%x}}\"",
                        sh_quote_path(path)
                    );
                }
                if ps {
                    let _ = writeln!(
                        out,
                        "$env:{var} = Get-Content -LiteralPath {} -Raw -Encoding UTF8",
                        ps_quote(&shown)
                    );
                }
            }
            KeyLoad::Dotenv {
                reader,
                path,
                line,
                bytes,
                utf16,
            } => dotenv_prelude(out, spec, reader, path, *line, *bytes, *utf16),
        }
    }
}

/// The load of the `.env` line the doctor read, or `Env` when it cannot be cut out.
fn dotenv_load(state: &KeyState, path: PathBuf) -> KeyLoad {
    let entry = state
        .dotenv
        .as_ref()
        .and_then(|f| f.effective(&state.env_name));
    let (Some(e), Some(chosen)) = (entry, state.key()) else {
        return KeyLoad::Env { why: None };
    };
    // The value the doctor uses: what the chosen reader delivers from the line.
    let (raw, value) = (e.raw_value.expose_bytes(), chosen.expose_bytes());
    let at = if value.is_empty() {
        None
    } else {
        memchr::memmem::find(raw, value)
    };
    let Some(at) = at else {
        return KeyLoad::Env {
            why: Some(format!(
                "The key is in {} line {}, written in a way no command can read as {} does (escapes)",
                path.display(),
                e.line,
                reader_name(state)
            )),
        };
    };
    let tail = raw.len() - at - value.len();
    let utf16 = match (
        std::str::from_utf8(&raw[..at]),
        std::str::from_utf8(&raw[at + value.len()..]),
    ) {
        (Ok(before), Ok(after)) if std::str::from_utf8(value).is_ok() => {
            let after = after.strip_suffix('\r').unwrap_or(after);
            Some((before.encode_utf16().count(), after.encode_utf16().count()))
        }
        _ => None,
    };
    KeyLoad::Dotenv {
        reader: reader_name(state),
        path,
        line: e.line,
        bytes: (at, tail),
        utf16,
    }
}

/// What the script must say about the key it loads, as comments: bytes curl cannot send
/// as the deployment delivers them (curl drops a header line's CR LF, and splits at a
/// line break), and which reader it reproduces when the readers disagree.
pub fn caveats(state: &KeyState) -> Vec<String> {
    let mut out = Vec::new();
    let Some(key) = state.key() else {
        return out;
    };
    if let Err(why) = sl_doctor_checks::net::http::key_header(key) {
        let b = key.expose_bytes();
        let body = b.len()
            - b.iter()
                .rev()
                .take_while(|c| matches!(c, b'\r' | b'\n'))
                .count();
        let only_at_end = b[..body]
            .iter()
            .all(|&c| c >= 0x20 && c != 0x7f || c == b'\t');
        let ending = match &b[body..] {
            b"\r\n" => "CR LF",
            b"\n" => "LF",
            b"\r" => "CR",
            _ => "several line-break characters",
        };
        out.push(if only_at_end {
            format!(
                "WARNING: the key as it is delivered ends with a line break ({ending}). No HTTP client can\n\
                 # send that, and sl-doctor's probe did not: the deployment's requests fail. curl reads the\n\
                 # header below line by line and drops the line's CR LF, so this command sends the key\n\
                 # WITHOUT it: a 200 proves the key itself is valid, not that the deployment works.\n\
                 # Remove the line break where the key is stored (sl-doctor fix)."
            )
        } else {
            format!(
                "WARNING: the key as it is delivered contains {why}, which no HTTP client can send\n\
                 # (sl-doctor's probe did not). curl splits its header at a line break and does not send\n\
                 # control characters as they are, so this command does not send what the deployment\n\
                 # delivers: its answer proves nothing about that deployment."
            )
        });
    }
    let mut values: Vec<&sl_doctor_checks::model::secret::SecretKey> = Vec::new();
    for v in state.readings.iter().filter_map(|r| r.delivered.value()) {
        if !values.contains(&v) {
            values.push(v);
        }
    }
    let chosen = state.chosen();
    if state.loader.is_none() && values.len() > 1 {
        let used = chosen.map(|c| c.source.name.clone()).unwrap_or_default();
        let from_dotenv = chosen.is_some_and(|c| c.source.kind == SourceKind::Dotenv);
        out.push(if from_dotenv {
            format!(
                "The readers of the key deliver different values (sl-doctor's readers-agree): this\n\
                 # command sends what {used} delivers as the dotenv libraries read it. Add --loader NAME\n\
                 # (docker, compose, kubectl, systemd, shell) or --from FILE to reproduce another reader."
            )
        } else {
            format!(
                "The readers of the key deliver different values (sl-doctor's readers-agree): sl-doctor's\n\
                 # probe sent what {used} delivers; set that value to reproduce its\n\
                 # answer (`sl-doctor check -vv` lists what each reader delivers, by fingerprint)."
            )
        });
    }
    out
}

/// Who reads the `.env` line: `--loader`'s reader, or the dotenv libraries.
fn reader_name(state: &KeyState) -> String {
    match state.loader {
        Some(l) => l.info().name.to_string(),
        None => "dotenv loaders".into(),
    }
}

/// `.{n}` in a regular expression (nothing for 0); `basic` for sed's `.\{n\}`.
fn skip(n: usize, basic: bool) -> String {
    match (n, basic) {
        (0, _) => String::new(),
        (n, true) => format!(".\\{{{n}\\}}"),
        (n, false) => format!(".{{{n}}}"),
    }
}

fn dotenv_prelude(
    out: &mut String,
    spec: &Spec,
    reader: &str,
    path: &std::path::Path,
    line: usize,
    bytes: (usize, usize),
    utf16: Option<(usize, usize)>,
) {
    let var = spec.key_env;
    let shown = path.display().to_string();
    let _ = writeln!(
        out,
        "# The key is read from {} line {line} as it reaches the application through {reader} (only that line; the file\n\
         # is not run as a script), into ${var} of this shell only (run these from the directory\n\
         # sl-doctor ran in).",
        prose(&shown)
    );
    if matches!(spec.shell, CurlShell::All | CurlShell::Posix) {
        let script = format!(
            "{line}s/^[^=]*={}\\(.*\\){}$/\\1/p",
            skip(bytes.0, true),
            skip(bytes.1, true)
        );
        let _ = writeln!(
            out,
            "{var}=\"$(LC_ALL=C sed -n {} {})\"",
            sh_quote(&script),
            sh_quote_path(path)
        );
    }
    if matches!(spec.shell, CurlShell::All | CurlShell::Powershell) {
        match utf16 {
            Some((before, after)) => {
                let _ = writeln!(
                    out,
                    "$env:{var} = @(Get-Content -LiteralPath {} -Encoding UTF8)[{}] -replace {}, '$1'",
                    ps_quote(&shown),
                    line - 1,
                    ps_quote(&format!(
                        "^[^=]*={}(.*){}$",
                        skip(before, false),
                        skip(after, false)
                    ))
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "# PowerShell: the line is not UTF-8; set $env:{var} yourself."
                );
            }
        }
    }
}
