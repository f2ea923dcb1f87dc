//! sl-doctor: a doctor for Sales Layer REST API keys.
//!
//! `main` is the only place that picks the exit code (see the table in `cli.rs` and the
//! README): 0 nothing failed, 1 a problem was found, 2 usage or input error,
//! 3 inconclusive.

mod capture;
mod cli;
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

use clap::{CommandFactory, Parser};
use cli::{CheckArgs, Cli, ColorWhen, Command, DemoArgs, Format, SupportArgs};
use sl_doctor_checks::model::report::{Report, Verdict};
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
pub(crate) fn use_color(when: ColorWhen, is_tty: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

pub(crate) fn fail_usage(msg: impl std::fmt::Display) -> ExitCode {
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
pub(crate) fn print_stdout(s: &str) {
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
        Some(Command::Demo(args)) => demo(&args),
        Some(Command::Capture(args)) => capture(&args),
        Some(Command::Schema) => {
            print_stdout(&schema_json());
            ExitCode::from(exit::OK)
        }
        Some(Command::Scan(args)) => match scan::run(&args) {
            Ok(true) => ExitCode::from(exit::PROBLEM),
            Ok(false) => ExitCode::from(exit::OK),
            Err(e) => fail_usage(e),
        },
        Some(Command::Support(args)) => support_cmd(&args),
        Some(Command::Curl(args)) => {
            let env: Vec<_> = std::env::vars_os().collect();
            match curl::run(&args, &env) {
                Ok(text) => {
                    print_stdout(&text);
                    ExitCode::from(exit::OK)
                }
                Err(e) => fail_usage(e),
            }
        }
        Some(Command::Completions { shell }) => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "sl-doctor", &mut buf);
            print_stdout(&String::from_utf8_lossy(&buf));
            ExitCode::from(exit::OK)
        }
        Some(Command::Man) => {
            print_stdout(&man_page());
            ExitCode::from(exit::OK)
        }
    }
}

/// The man page (roff), generated from the clap definitions; `docs/sl-doctor.1` is a copy
/// that a test keeps current.
fn man_page() -> String {
    let mut buf = Vec::new();
    // The plain crate version, not `--version`'s commit: the kept copy must not change per commit.
    clap_mangen::Man::new(Cli::command().version(env!("CARGO_PKG_VERSION")))
        .render(&mut buf)
        .expect("rendering to memory cannot fail");
    String::from_utf8(buf).expect("clap_mangen writes UTF-8")
}

/// The JSON Schema of the report, as published in `docs/report.schema.json`.
fn schema_json() -> String {
    let schema = schemars::schema_for!(Report);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serialises");
    s.push('\n');
    s
}

/// The async runtime for the network checks and servers.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fail_usage(format!("cannot start the async runtime: {e}")))
}

/// Builds the context, runs the diagnosis (with a spinner on a terminal's stderr while
/// network checks run) and returns the report with the context it was made from.
fn diagnose(
    args: &CheckArgs,
    env: &[(std::ffi::OsString, std::ffi::OsString)],
) -> Result<(Report, sl_doctor_checks::Context), ExitCode> {
    let checks = sl_doctor_checks::registry();
    let deselected = runner::deselect(&checks, &args.select, &args.ignore).map_err(fail_usage)?;
    let cx = config::build_context(args, env).map_err(fail_usage)?;
    let opts = runner::RunOptions {
        offline: args.offline,
        deadline: Duration::from_secs_f64(args.deadline),
        deselected,
    };
    // Offline, nothing waits on the network: one thread is enough, and not starting the
    // two workers saves a noticeable part of an offline run (bench/offline.sh).
    let rt = if args.offline {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fail_usage(format!("cannot start the async runtime: {e}")))?
    } else {
        runtime()?
    };
    // indicatif hides the spinner when stderr is not a terminal (CI, pipes, TERM=dumb).
    let spinner = (!args.offline).then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message("checking the key and asking the API…");
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    });
    let report = rt.block_on(runner::run(&checks, &cx, &opts));
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    Ok((report, cx))
}

fn check(args: &CheckArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let (report, _cx) = match diagnose(args, &env) {
        Ok(r) => r,
        Err(code) => return code,
    };

    if let Some(path) = &args.output {
        if let Err(e) = std::fs::write(path, render::json::render(&report)) {
            return fail_usage(format!(
                "cannot write the report to {}: {e}",
                path.display()
            ));
        }
    }
    let style = render::human::Style {
        color: use_color(args.color, std::io::stdout().is_terminal()),
        ascii: args.ascii,
        verbose: args.verbose,
        quiet: args.quiet,
        strict: args.strict,
    };
    let mut text = render::render(&report, args.format, &style);
    let gh = config::github_env(&env);
    if gh.actions {
        // Annotations go with the human report only: the other formats own stdout.
        if args.format == Format::Human {
            text.push_str(&render::github::render(&report, args.strict));
        }
        if let Some(path) = &gh.step_summary {
            let md = render::markdown::render(&report, args.strict);
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(md.as_bytes()));
            if let Err(e) = appended {
                // The diagnosis stands; a summary that could not be written is not a verdict.
                eprintln!(
                    "warning: cannot append the summary to $GITHUB_STEP_SUMMARY ({}): {e}",
                    path.display()
                );
            }
        }
    }
    print_stdout(&text);
    ExitCode::from(exit_code(&report, args.strict))
}

/// `sl-doctor support`: asks for missing email fields (terminal only), runs the diagnosis,
/// writes the bundle and prints the email. Exit 0 when the bundle was written.
fn support_cmd(args: &SupportArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let interactive =
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !config::is_ci(&env);
    let fields = support::Fields::from_args(args, interactive);
    let (report, cx) = match diagnose(&args.check, &env) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match support::write_bundle(&report, &cx, &fields, args.check.output.as_deref(), &env) {
        Ok(done) => {
            print_stdout(&done.email);
            eprintln!("{}", done.note);
            ExitCode::from(exit::OK)
        }
        Err(e) => fail_usage(e),
    }
}

fn demo(args: &DemoArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let demo = match rt.block_on(serve::run_demo()) {
        Ok(d) => d,
        Err(e) => return fail_usage(e),
    };
    let style = render::human::Style {
        color: use_color(args.color, std::io::stdout().is_terminal()),
        ascii: args.ascii,
        verbose: args.verbose,
        ..Default::default()
    };
    if args.format != Format::Human {
        print_stdout(&render::render(&demo.report, args.format, &style));
        return ExitCode::from(exit::OK);
    }
    let mut text = format!(
        "sl-doctor demo: the full doctor against a local mock of the Sales Layer API at {}\n\
         (HTTPS with a CA generated just now; no network, no real key). The key is the mock's valid\n\
         key wrapped in double quotes, as `docker run --env-file` passes SALESLAYER_API_KEY=\"…\".\n\n",
        demo.base_url
    );
    text.push_str(&render::human::render(&demo.report, &style));
    text.push_str(&format!(
        "\nThe mock received {} requests:\n",
        demo.requests.len()
    ));
    for r in &demo.requests {
        text.push_str(&format!("  {r}\n"));
    }
    text.push_str(
        "\nThe demo exits 0 when it ran; run `sl-doctor` on your own key for a real diagnosis.\n",
    );
    print_stdout(&text);
    ExitCode::from(exit::OK)
}

fn capture(args: &capture::CaptureArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let env: Vec<_> = std::env::vars_os().collect();
    let json = args.format == capture::CaptureFormat::Json;
    let style = capture::render::Style {
        color: !json && use_color(args.color, std::io::stdout().is_terminal()),
    };
    // With --format json standard output holds only the report: progress goes to stderr.
    let progress = move |line: &str| {
        if json {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{line}").and_then(|_| err.flush());
        } else {
            print_stdout(&format!("{line}\n"));
        }
    };
    let result = rt.block_on(capture::run(args, &env, &progress, &style));
    rt.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(report) => {
            if json {
                let mut s = serde_json::to_string_pretty(&report).expect("the report serialises");
                s.push('\n');
                print_stdout(&s);
            } else {
                print_stdout(&capture::render::summary(&report, &style));
            }
            ExitCode::from(if report.failed() {
                exit::PROBLEM
            } else {
                exit::OK
            })
        }
        Err(e) => fail_usage(e),
    }
}
