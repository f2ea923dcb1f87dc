//! sl-doctor: a doctor for Sales Layer REST API keys.
//!
//! `main` is the only place that picks the exit code (see the table in `cli.rs` and the
//! README): 0 nothing failed, 1 a problem was found, 2 usage or input error,
//! 3 inconclusive.

mod cli;
mod config;
mod explain;
// Parts of the mock's API (client_builder, ca_pem, MockKey::revoked…) serve its tests only.
#[allow(dead_code)]
mod mock;
mod render;
mod runner;
mod scan;
mod serve;

use clap::Parser;
use cli::{CheckArgs, Cli, ColorWhen, Command, Format};
use sl_doctor_checks::report::{Report, Verdict};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

/// Exit codes, as documented.
mod exit {
    pub const OK: u8 = 0;
    pub const PROBLEM: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INCONCLUSIVE: u8 = 3;
}

/// The exit code of a finished diagnosis.
fn exit_code(report: &Report, strict: bool) -> u8 {
    match report.verdict {
        Verdict::Fail => exit::PROBLEM,
        Verdict::Warn if strict => exit::PROBLEM,
        Verdict::Inconclusive => exit::INCONCLUSIVE,
        Verdict::Warn | Verdict::Pass => exit::OK,
    }
}

/// Whether to paint a stream: only a terminal, never with NO_COLOR or --color never.
fn use_color(when: ColorWhen, is_tty: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn fail_usage(msg: impl std::fmt::Display) -> ExitCode {
    let color = use_color(ColorWhen::Auto, std::io::stderr().is_terminal());
    let label = if color {
        colored::Colorize::red(colored::Colorize::bold("error:")).to_string()
    } else {
        "error:".to_string()
    };
    eprintln!("{label} {msg}");
    ExitCode::from(exit::USAGE)
}

/// Writes to stdout; a closed pipe (`sl-doctor | head`) is not an error.
fn print_stdout(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes()).and_then(|_| out.flush());
}

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
        None => check(&cli.check),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Checks) => {
            print_stdout(&explain::list(&sl_doctor_checks::registry()));
            ExitCode::from(exit::OK)
        }
        Some(Command::Explain { id }) => match explain::explain(&id, &sl_doctor_checks::registry())
        {
            Some(text) => {
                print_stdout(&text);
                ExitCode::from(exit::OK)
            }
            None => fail_usage(format!(
                "no check or checklist item is called '{id}'; `sl-doctor checks` lists them"
            )),
        },
        Some(Command::Mock(args)) => {
            let rt = match runtime() {
                Ok(rt) => rt,
                Err(code) => return code,
            };
            match rt.block_on(serve::run_mock(&args)) {
                Ok(()) => ExitCode::from(exit::OK),
                Err(e) => fail_usage(e),
            }
        }
        Some(Command::Schema) => {
            print_stdout(&schema_json());
            ExitCode::from(exit::OK)
        }
        Some(Command::Scan(args)) => match scan::run(&args) {
            Ok(true) => ExitCode::from(exit::PROBLEM),
            Ok(false) => ExitCode::from(exit::OK),
            Err(e) => fail_usage(e),
        },
    }
}

/// The JSON Schema of the report, as published in `docs/report.schema.json`.
fn schema_json() -> String {
    let schema = schemars::schema_for!(Report);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serialises");
    s.push('\n');
    s
}

/// The async runtime for the network checks and servers.
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fail_usage(format!("cannot start the async runtime: {e}")))
}

fn check(args: &CheckArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let cx = match config::build_context(args, &env) {
        Ok(cx) => cx,
        Err(e) => return fail_usage(e),
    };
    let checks = sl_doctor_checks::registry();
    let opts = runner::RunOptions {
        offline: args.offline,
        deadline: Duration::from_secs_f64(args.deadline),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail_usage(format!("cannot start the async runtime: {e}")),
    };
    let report = rt.block_on(runner::run(&checks, &cx, &opts));

    if let Some(path) = &args.output {
        if let Err(e) = std::fs::write(path, render::json::render(&report)) {
            return fail_usage(format!(
                "cannot write the report to {}: {e}",
                path.display()
            ));
        }
    }
    let text = match args.format {
        Format::Json => render::json::render(&report),
        Format::Human => render::human::render(
            &report,
            &render::human::Style {
                color: use_color(args.color, std::io::stdout().is_terminal()),
                ascii: args.ascii,
                verbose: args.verbose,
            },
        ),
    };
    print_stdout(&text);
    ExitCode::from(exit_code(&report, args.strict))
}
