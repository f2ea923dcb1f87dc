//! sl-doctor: a doctor for Sales Layer REST API keys.
//!
//! `main` parses the command line, dispatches to the command (`commands`, in the
//! binary's library) and returns its exit code (`exit`, the table in `cli.rs` and the
//! README): 0 nothing failed, 1 a problem was found, 2 usage or input error, 3 inconclusive.

use clap::Parser;
use sl_doctor::cli::{Cli, Command};
use sl_doctor::commands::{self, docs};
use sl_doctor::{exit, usage};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Our renderers decide colour per stream; colored must not second-guess them.
    colored::control::set_override(true);
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            // Rendered by us, not `e.print()`: the text passes the usage redaction, so a
            // key pasted as a command or an argument is not printed back.
            use std::io::{IsTerminal, Write};
            let styled = e.render();
            let text = if std::io::stderr().is_terminal() {
                styled.ansi().to_string()
            } else {
                styled.to_string()
            };
            let _ = std::io::stderr().write_all(usage::redact(&text).as_bytes());
            return ExitCode::from(exit::USAGE);
        }
        Err(e) => {
            // --help and --version: our own text, on stdout.
            let _ = e.print();
            return ExitCode::from(exit::OK);
        }
    };
    match cli.command {
        None => commands::check::run(&cli.check),
        Some(Command::Check(args)) => commands::check::run(&args),
        Some(Command::Checks) => docs::checks(),
        Some(Command::Explain { id }) => docs::explain(id.as_deref()),
        Some(Command::Schema) => docs::schema(),
        Some(Command::Completions { shell }) => docs::completions(shell),
        Some(Command::Man) => docs::man(),
        Some(Command::Mock(args)) => commands::mock::run(&args),
        Some(Command::Demo(args)) => commands::demo::run(&args),
        Some(Command::Capture(args)) => commands::capture::run(&args),
        Some(Command::Scan(args)) => commands::scan::run(&args),
        Some(Command::Support(args)) => commands::support::run(&args),
        Some(Command::Curl(args)) => commands::curl::run(&args),
        Some(Command::Fix(args)) => commands::fix::run(&args),
        Some(Command::Fingerprint(args)) => commands::fingerprint::run(&args),
        Some(Command::View(args)) => commands::view::run(&args),
    }
}
