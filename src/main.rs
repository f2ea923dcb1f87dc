//! sl-doctor: a doctor for Sales Layer REST API keys.
//!
//! `main` parses the command line, dispatches to the command (`commands`) and returns
//! its exit code (see the table in `cli.rs` and the README): 0 nothing failed, 1 a
//! problem was found, 2 usage or input error, 3 inconclusive.

mod args;
mod capture;
mod cli;
mod commands;
mod config;
mod curl;
mod explain;
// Parts of the mock's API (client_builder, ca_pem, MockKey::revoked…) serve its tests only.
#[allow(dead_code)]
mod mock;
mod render;
mod runner;
mod scan;
mod serve;
mod support;
mod term;

use clap::Parser;
use cli::{Cli, Command};
use commands::{docs, exit};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Our renderers decide colour per stream; colored must not second-guess them.
    colored::control::set_override(true);
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        None => commands::check::run(&cli.check),
        Some(Command::Check(args)) => commands::check::run(&args),
        Some(Command::Checks) => docs::checks(),
        Some(Command::Explain { id }) => docs::explain(&id),
        Some(Command::Schema) => docs::schema(),
        Some(Command::Completions { shell }) => docs::completions(shell),
        Some(Command::Man) => docs::man(),
        Some(Command::Mock(args)) => commands::mock(&args),
        Some(Command::Demo(args)) => commands::demo::run(&args),
        Some(Command::Capture(args)) => commands::capture::run(&args),
        Some(Command::Scan(args)) => commands::scan(&args),
        Some(Command::Support(args)) => commands::support::run(&args),
        Some(Command::Curl(args)) => commands::curl(&args),
        Some(Command::View(args)) => commands::view::run(&args),
    }
}
