//! The body of each command. `main` parses the command line and dispatches here; each
//! command returns its exit code, picked from its result by the functions of `exit`.

pub mod capture;
pub mod check;
pub mod curl;
pub mod demo;
pub mod docs;
pub mod fingerprint;
pub mod fix;
pub mod mock;
pub mod scan;
pub mod support;
pub mod view;

use crate::exit;
use crate::term::use_color;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// The human style for standard output from the display options of `demo` and `view`
/// (`saved`: a saved report, shown to whoever received it).
pub fn stdout_style(d: &crate::args::Display, saved: bool) -> crate::render::human::Style {
    crate::render::human::Style {
        saved,
        term: crate::term::Term::stdout(d.color, d.ascii),
        verbose: d.verbose,
        quiet: false,
    }
}

/// Prints `error: msg` on stderr (never a command-line value that could be the key:
/// see `usage`) and returns the usage exit code.
pub fn fail_usage(msg: impl std::fmt::Display) -> ExitCode {
    let msg = crate::usage::redact(&msg.to_string());
    let color = use_color(
        crate::args::ColorWhen::Auto,
        std::io::stderr().is_terminal(),
    );
    let label = if color {
        colored::Colorize::red(colored::Colorize::bold("error:")).to_string()
    } else {
        "error:".to_string()
    };
    // The message may quote outside text (a file name, a system error).
    let msg = crate::render::human::safe_lines(&msg.to_string());
    eprintln!("{label} {msg}");
    ExitCode::from(exit::USAGE)
}

/// Writes a message to stderr, every line neutralised and guarded against workflow
/// commands (it may quote outside text: a file name, a cause's fix naming one).
pub fn print_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(crate::render::human::safe_lines(text).as_bytes())
        .and_then(|_| err.flush());
}

/// Writes to stdout; a closed pipe (`sl-doctor | head`) is not an error.
pub fn print_stdout(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes()).and_then(|_| out.flush());
}

/// Prints `text` and exits 0, or reports a usage error.
pub fn print_or_fail<E: std::fmt::Display>(text: Result<String, E>) -> ExitCode {
    match text {
        Ok(t) => {
            print_stdout(&t);
            ExitCode::from(exit::OK)
        }
        Err(e) => fail_usage(e),
    }
}

/// The async runtime for the network checks and servers.
pub fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fail_usage(format!("cannot start the async runtime: {e}")))
}
