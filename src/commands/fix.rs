//! `sl-doctor fix`: repairs the stored key where it lives — the key's `.env` line or a
//! `--key-file` — proven before (live: only a value the API accepted) and after (the
//! doctor runs again on the new file). See `docs/fix.md`.
//!
//! Order of work: diagnose; pick the value (`choose`); read the file again and compare it
//! with what was diagnosed; build the new bytes (`edit`); show the redacted diff (`diff`);
//! ask (terminal) or require `--yes` (elsewhere: a dry run); replace the file atomically
//! (`files::replace_file`, which refuses a file changed since it was read); diagnose again.
//! A key from the environment, `--key` or standard input has no file to edit: `fix` says
//! where to change it, and `--emit` pipes the repaired key to the tool that stores it.

use super::{check, fail_usage, print_stdout};
use crate::args::FixArgs;
use crate::config;
use crate::exit;
use crate::files::{Links, WriteError, replace_file};
use crate::fix::choose::{self, Choice};
use crate::fix::{
    Stored, backup_path, diff, headline, plan, proof_line, unchanged_line, undelivered_line,
};
use crate::render::human::safe_lines;
use sl_doctor_checks::context::{FoundKey, KeyState};
use sl_doctor_checks::input::dotenv::DotenvFile;
use sl_doctor_checks::input::files::{Pipes, read_input};
use sl_doctor_checks::input::loaders::{Delivered, Loader, deliver};
use sl_doctor_checks::input::sources::{MAX_DOTENV_FILE, MAX_KEY_FILE};
use sl_doctor_checks::model::report::{Report, SourceKind};
use sl_doctor_checks::model::secret::SecretKey;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

const EMIT_ON_TERMINAL: &str = "--emit writes the key itself to standard output, and standard \
    output is a terminal (the key would stay on screen and in the scrollback); pipe it into the \
    program that stores it, e.g. `sl-doctor fix --emit | gh secret set SALESLAYER_API_KEY`";

/// Where the text of `fix` goes: standard output, or standard error with `--emit` (whose
/// standard output is the key).
struct Out {
    emit: bool,
    color: crate::args::ColorWhen,
    ascii: bool,
}

impl Out {
    /// The diagnosis and verdict line of a report (`--quiet`'s view), styled for the
    /// stream the text goes to.
    fn quiet_report(&self, report: &Report) -> String {
        let style = crate::render::human::Style {
            saved: false,
            term: if self.emit {
                crate::term::Term::stderr(self.color, self.ascii)
            } else {
                crate::term::Term::stdout(self.color, self.ascii)
            },
            verbose: 0,
            quiet: true,
        };
        crate::render::render(report, crate::args::Format::Human, &style)
    }

    /// Text that may quote outside text (a path): neutralised first.
    fn say(&self, text: &str) {
        self.print(&safe_lines(text));
    }

    /// Text that is safe as it is (a rendered report, already guarded).
    fn print(&self, text: &str) {
        if self.emit {
            eprint!("{text}");
        } else {
            print_stdout(text);
        }
    }
}

/// Runs `sl-doctor fix`.
pub fn run(args: &FixArgs) -> ExitCode {
    if args.emit && std::io::stdout().is_terminal() {
        return fail_usage(EMIT_ON_TERMINAL);
    }
    if args.check.format != crate::args::Format::Human || args.check.output.is_some() {
        return fail_usage("fix prints its own output: --format and --output are for `check`");
    }
    let env: Vec<_> = std::env::vars_os().collect();
    let (report, cx) = match check::diagnose(&args.check, &env) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let out = Out {
        emit: args.emit,
        color: args.check.color,
        ascii: args.check.ascii,
    };
    out.say(&format!("Diagnosis: {}\n", headline(&report)));
    let home = config::home_dir(&env);
    let shown = |path: &Path| sl_doctor_checks::input::sources::display_path(path, home.as_deref());
    let loader = cx.key.loader.unwrap_or(Loader::Dotenv);
    let Some(chosen) = cx.key.chosen() else {
        // The reader --loader names sets nothing from the .env line (`export NAME=…` to
        // docker): the line is what to fix, with the value the dotenv libraries read.
        if let (Some((path, value)), false) = (undelivered(&cx.key), args.emit) {
            let stored = Stored {
                path,
                shown: shown(path),
                dotenv_name: Some(&cx.key.env_name),
                loader,
                delivered: None,
            };
            return fix_file(args, &env, &out, &report, value, &stored, Choice::Keep);
        }
        out.say(&crate::fix::no_key(&cx.key));
        return ExitCode::from(exit::PROBLEM);
    };
    let choice = choose::choose(&report, &chosen.value, args.check.offline);
    // A stale key is not damage: no repair of it is accepted, and the value sl-doctor uses
    // may be the accepted one. Say what fix does not do, and the cause's fix.
    if let (Some(words), false) = (
        crate::fix::stale(&report),
        matches!(choice, Choice::Repair(_)),
    ) {
        out.say(&words);
        return ExitCode::from(exit::PROBLEM);
    }
    if args.emit {
        return emit(&out, choice);
    }
    let stored = match (chosen.source.kind, &chosen.path) {
        (SourceKind::File | SourceKind::Dotenv, Some(path)) => Stored {
            path,
            shown: shown(path),
            dotenv_name: (chosen.source.kind == SourceKind::Dotenv).then_some(&*cx.key.env_name),
            loader,
            delivered: Some(&chosen.value),
        },
        _ => return elsewhere(&out, &report, chosen, &cx.key.env_name, &choice),
    };
    fix_file(args, &env, &out, &report, &chosen.value, &stored, choice)
}

/// The `.env` file and the value the dotenv libraries read from the key's line, when the
/// reader named by `--loader` sets nothing from that line.
fn undelivered(ks: &KeyState) -> Option<(&Path, &SecretKey)> {
    let loader = ks.loader?;
    let entry = ks.dotenv.as_ref()?.effective(&ks.env_name)?;
    match deliver(loader, entry) {
        Delivered::Value(_) => None,
        _ => Some((ks.dotenv_path.as_deref()?, &entry.value)),
    }
}

/// Edits the key file or the `.env` line, after the diff and the confirmation. `current`
/// is the value diagnosed: what the file must still hold, and what `Choice::Keep` writes.
fn fix_file(
    args: &FixArgs,
    env: &[(OsString, OsString)],
    out: &Out,
    report: &Report,
    current: &SecretKey,
    stored: &Stored,
    choice: Choice,
) -> ExitCode {
    let links = if args.follow_symlinks {
        Links::Follow
    } else {
        Links::Refuse
    };
    if links == Links::Refuse && is_link(stored.path) {
        return fail_link(&stored.shown);
    }
    let old = match read_stored(stored, current) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let (value, repaired) = match choice {
        Choice::Repair(r) => (r.key.clone(), Some(r)),
        Choice::Keep => (current.clone(), None),
        Choice::Nothing {
            reason,
            inconclusive,
        } => return nothing(out, &reason, inconclusive),
    };
    let plan = match plan(args, stored, &old, &value) {
        Ok(Some(p)) => p,
        Ok(None) => {
            out.say(&format!(
                "Nothing to change in {}: the stored value {}.\n",
                stored.shown,
                no_repair(report)
            ));
            let crlf = (stored.dotenv_name.is_some() && args.line_endings.is_none())
                .then(|| crate::fix::edit::crlf_pointer(&old))
                .flatten();
            if let Some(pointer) = crlf {
                out.say(&pointer);
            }
            return ExitCode::from(exit::for_report(report));
        }
        Err(refusal) => {
            out.say(&format!("Not edited: {refusal}.\n"));
            return ExitCode::from(exit::PROBLEM);
        }
    };
    out.say(&plan.text);
    out.say(&match (&repaired, stored.delivered) {
        (Some(r), _) => proof_line(r),
        (None, None) => undelivered_line(stored.loader, report.offline),
        (None, Some(_)) => unchanged_line(report.offline).to_string(),
    });
    if !args.yes {
        match confirm(env, &stored.shown) {
            Some(true) => {}
            Some(false) => {
                out.say("Nothing written.\n");
                return ExitCode::from(exit::PROBLEM);
            }
            None => {
                out.say(
                    "Dry run: nothing written (not a terminal). Pass --yes to apply the change.\n",
                );
                return ExitCode::from(exit::PROBLEM);
            }
        }
    }
    if let Err(code) = write(args, out, stored, &old, &plan.bytes, links) {
        return code;
    }
    after(args, env, out, stored)
}

/// The file as it is now, refused unless it still holds the value that was diagnosed
/// (`current`: as the loader delivers it, or as the dotenv libraries read a line the
/// loader sets nothing from).
fn read_stored(stored: &Stored, current: &SecretKey) -> Result<Vec<u8>, ExitCode> {
    let (what, limit) = match stored.dotenv_name {
        Some(_) => (".env file", MAX_DOTENV_FILE),
        None => ("key file", MAX_KEY_FILE),
    };
    // Only a regular file can be replaced: a pipe (`<(pass show sl)`) is refused here.
    let bytes = read_input(what, stored.path, limit, None, Pipes::Refuse).map_err(fail_usage)?;
    let same = match stored.dotenv_name {
        Some(name) => DotenvFile::parse("", &bytes)
            .effective(name)
            .is_some_and(|e| match stored.delivered {
                Some(_) => deliver(stored.loader, e).value() == Some(current),
                None => &e.value == current && deliver(stored.loader, e).value().is_none(),
            }),
        None => bytes == current.expose_bytes(),
    };
    if !same {
        return Err(fail_changed(&stored.shown));
    }
    Ok(bytes)
}

fn fail_changed(shown: &str) -> ExitCode {
    fail_usage(format!(
        "{shown}: it changed since it was diagnosed; nothing was written (run sl-doctor fix again)"
    ))
}

/// Asks on a terminal: `Some(answer)`; `None` off a terminal or in CI (a dry run).
fn confirm(env: &[(OsString, OsString)], shown: &str) -> Option<bool> {
    let interactive =
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !config::is_ci(env);
    if !interactive {
        return None;
    }
    eprint!(
        "{}",
        safe_lines(&format!("Write this change to {shown}? [y/N] "))
    );
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    Some(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Replaces the file; a refusal or a failure is said and becomes the exit code.
fn write(
    args: &FixArgs,
    out: &Out,
    stored: &Stored,
    old: &[u8],
    new: &[u8],
    links: Links,
) -> Result<(), ExitCode> {
    let backup = args.backup.then(|| backup_path(stored.path));
    // The write is bounded by a deadline of its own (the question before it is not).
    let _writing = crate::deadline::Watchdog::arm(
        sl_doctor_checks::input::files::Deadline::from_now(args.check.deadline),
    );
    match replace_file(stored.path, old, new, links, backup.as_deref()) {
        Ok(()) => {
            out.say(&format!("Wrote {}.\n", stored.shown));
            if let Some(b) = &backup {
                out.say(&format!(
                    "The old contents are in {} (0600; it holds the old key: delete it when done).\n",
                    b.display()
                ));
            }
            Ok(())
        }
        Err(WriteError::Changed) => Err(fail_changed(&stored.shown)),
        Err(WriteError::Link) => Err(fail_link(&stored.shown)),
        // The backup path is not the file: say which one was refused, and why.
        Err(e @ WriteError::Backup { .. }) => Err(fail_usage(format!(
            "{e}; {} was left as it was",
            stored.shown
        ))),
        Err(e) => Err(fail_usage(format!("cannot write {}: {e}", stored.shown))),
    }
}

fn fail_link(shown: &str) -> ExitCode {
    fail_usage(format!(
        "{shown} is a symbolic link, and sl-doctor does not edit through one (it could point \
         anywhere); nothing was written. --follow-symlinks edits the file it points to"
    ))
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Runs the doctor again on the new file and prints its verdict: exit 0 when it passes
/// live, 3 when it could not be verified (`--offline`, or no verdict), 1 when it fails.
fn after(args: &FixArgs, env: &[(OsString, OsString)], out: &Out, stored: &Stored) -> ExitCode {
    let (report, _) = match check::diagnose(&args.check, env) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let how = if args.check.offline {
        "offline"
    } else {
        "live"
    };
    out.say(&format!("The doctor again ({how}) on {}:\n", stored.shown));
    out.print(&out.quiet_report(&report));
    if args.check.offline {
        out.say("Not verified against the API (--offline): run `sl-doctor` to verify.\n");
        return ExitCode::from(exit::INCONCLUSIVE);
    }
    ExitCode::from(exit::for_report(&report))
}

/// Why a value needs no repair, as far as the run knows: only a live run that passed says
/// the API takes it; offline nothing was asked, and a failed run names what else is wrong.
fn no_repair(report: &Report) -> &'static str {
    if report.offline {
        "needs no repair (not verified: --offline sent nothing to the API)"
    } else if exit::for_report(report) == exit::OK {
        "is already what the API needs"
    } else {
        "needs no repair; the diagnosis above says what else is wrong"
    }
}

fn nothing(out: &Out, reason: &str, inconclusive: bool) -> ExitCode {
    out.say(&format!("Nothing fixed: {reason}.\n"));
    ExitCode::from(if inconclusive {
        exit::INCONCLUSIVE
    } else {
        exit::PROBLEM
    })
}

/// A key from the environment, `--key`, standard input or a deployment file: where to
/// change it.
fn elsewhere(
    out: &Out,
    report: &Report,
    chosen: &FoundKey,
    env_name: &str,
    choice: &Choice,
) -> ExitCode {
    // A compose file may take the key from another variable (`${SL_KEY}`): the source
    // names the variable that holds it.
    let env_name = match chosen.source.kind {
        SourceKind::Env => chosen.source.name.as_str(),
        _ => env_name,
    };
    let place = match chosen.source.kind {
        SourceKind::Env => format!(
            "the environment variable {env_name}: change it where it is set (a CI secret, a \
             shell profile, a container or service configuration)"
        ),
        SourceKind::Flag => "--key: change the value you pass (a key file, --key-file, keeps it \
                             out of the process list)"
            .into(),
        SourceKind::Deployment => format!(
            "the deployment file {}: change the value on that line (sl-doctor does not edit \
             deployment files)",
            chosen.source.name
        ),
        _ => "standard input: change it at its source".into(),
    };
    match choice {
        Choice::Repair(r) => {
            out.say(&format!("The key comes from {place}.\n"));
            out.say(&proof_line(r));
            out.say(&if chosen.source.kind == SourceKind::Deployment {
                format!(
                    "To store the repaired key in a secret store instead, pipe it:\n  \
                     set -o pipefail; sl-doctor fix --emit | gh secret set {env_name}\n"
                )
            } else {
                format!(
                    "sl-doctor cannot edit it there. To store the repaired key, pipe it:\n  \
                     set -o pipefail; sl-doctor fix --emit | gh secret set {env_name}\n"
                )
            });
            ExitCode::from(exit::PROBLEM)
        }
        // Nothing to fix is not a failure: the exit code is the diagnosis's, as for a
        // file that needs no change.
        Choice::Keep => {
            out.say(&format!(
                "Nothing to change: the key comes from the {}, and its value {}.\n",
                chosen.source.describe(),
                no_repair(report)
            ));
            ExitCode::from(exit::for_report(report))
        }
        Choice::Nothing {
            reason,
            inconclusive,
        } => nothing(out, reason, *inconclusive),
    }
}

/// `--emit`: the repaired key on standard output (never a terminal: checked first), the
/// words on standard error.
fn emit(out: &Out, choice: Choice) -> ExitCode {
    let r = match choice {
        Choice::Repair(r) => r,
        Choice::Keep => {
            // Exit 1 all the same: the program after the pipe read nothing, and under
            // `set -o pipefail` the pipeline must not count as a stored key.
            out.say(
                "Nothing emitted: the key needs no repair, so the program after the pipe read \
                 nothing (exit 1; with `set -o pipefail` the whole pipeline fails).\n",
            );
            return ExitCode::from(exit::PROBLEM);
        }
        Choice::Nothing {
            reason,
            inconclusive,
        } => return nothing(out, &reason, inconclusive),
    };
    // The one place sl-doctor outputs the key (docs/security.md, "fix --emit"): raw bytes,
    // no newline, to a pipe the user asked for.
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(r.key.expose_bytes())
        .and_then(|()| stdout.flush())
    {
        return fail_usage(format!("cannot write the key to standard output: {e}"));
    }
    out.say(&format!(
        "Wrote the repaired key {} to standard output.\n",
        diff::identity(&r.key)
    ));
    out.say(&proof_line(&r));
    if r.accepted_by.is_empty() {
        return ExitCode::from(exit::INCONCLUSIVE);
    }
    ExitCode::from(exit::OK)
}
