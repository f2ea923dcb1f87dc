//! `sl-doctor check` (the default command): runs the diagnosis, renders it, adds the
//! GitHub Actions annotations and step summary, and exits by the report's verdict.

use super::{exit, exit_code, fail_usage, print_stdout, runtime};
use crate::args::{CheckArgs, Format};
use crate::config;
use crate::deadline::Watchdog;
use crate::files::{Links, WriteError, write_private};
use crate::render::{self, human};
use crate::term::{Term, use_color};
use sl_doctor_checks::input::files::Deadline;
use sl_doctor_checks::input::misplaced;
use sl_doctor_checks::input::sources::InputError;
use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::runner;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The environment, as the commands read it.
pub type Env = [(OsString, OsString)];

/// Builds the context, runs the diagnosis (with a spinner on a terminal's stderr while
/// network checks run) and returns the report with the context it was made from.
///
/// `--deadline` counts from here: reading the key file and the `.env` is part of the
/// run, and a watchdog stops the process if anything still blocks after the deadline.
pub fn diagnose(
    args: &CheckArgs,
    env: &Env,
) -> Result<(Report, sl_doctor_checks::Context), ExitCode> {
    // A key pasted where a path goes is refused before anything could name it.
    for (flag, path) in [("--output", &args.output), ("--ca-cert", &args.ca_cert)] {
        if let Some(p) = path {
            misplaced::check_path(flag, p).map_err(fail_usage)?;
        }
    }
    // A key typed at a prompt is read before the deadline starts: a person is typing.
    let read = config::KeyRead::start(&args.keys, args.deadline).map_err(fail_usage)?;
    let deadline = read.deadline;
    let watchdog = Watchdog::arm(deadline);
    let checks = sl_doctor_checks::registry();
    let deselected = runner::deselect(&checks, &args.select, &args.ignore).map_err(fail_usage)?;
    let cx = config::build_context(args, env, read).map_err(|e| match e {
        // A pipe that did not deliver in time: the same verdict as any other deadline.
        InputError::Deadline { .. } => {
            fail_usage(e);
            ExitCode::from(exit::INCONCLUSIVE)
        }
        e => fail_usage(e),
    })?;
    let opts = runner::RunOptions {
        offline: args.offline,
        deadline: deadline.at.saturating_duration_since(Instant::now()),
        deadline_secs: args.deadline,
        deselected,
        strict: args.strict,
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
    let spinner = (!args.offline).then(spinner);
    let report = rt.block_on(runner::run(&checks, &cx, &opts));
    // Blocking work the deadline abandoned (a getaddrinfo, a git) must not hold the exit.
    rt.shutdown_background();
    watchdog.disarm();
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    Ok((report.map_err(fail_usage)?, cx))
}

/// A spinner on stderr; indicatif hides it when stderr is not a terminal (CI, pipes,
/// TERM=dumb).
fn spinner() -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message("checking the key and asking the API…");
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}

/// Runs `sl-doctor check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let (report, _cx) = match diagnose(args, &env) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // Writing the outputs is bounded too: a hung file system must not hang a CI step.
    let _writing = Watchdog::arm(Deadline::from_now(args.deadline));
    if let Some(path) = &args.output {
        let json = render::json::render(&report);
        match write_private(path, json.as_bytes(), Links::forced(args.force)) {
            Ok(()) => {}
            Err(e @ WriteError::Link) => {
                return fail_usage(format!(
                    "--output {}: {e}; pass --force to write through it",
                    path.display()
                ));
            }
            Err(e) => {
                return fail_usage(format!(
                    "cannot write the report to {}: {e}",
                    path.display()
                ));
            }
        }
    }
    let style = human::Style {
        term: Term {
            color: use_color(args.color, std::io::stdout().is_terminal()),
            ascii: args.ascii,
        },
        verbose: args.verbose,
        quiet: args.quiet,
    };
    let mut text = render::render(&report, args.format, &style);
    let gh = config::github_env(&env);
    if gh.actions {
        // Annotations go with the human report only: the other formats own stdout.
        if args.format == Format::Human {
            text.push_str(&render::github::render(&report));
        }
        if let Some(path) = &gh.step_summary {
            append_step_summary(path, &render::markdown::render(&report));
        }
    }
    print_stdout(&text);
    ExitCode::from(exit_code(&report))
}

/// Appends the Markdown summary to `$GITHUB_STEP_SUMMARY` (never through a link or into a
/// FIFO: `files::append_file`). The diagnosis stands when it cannot be written: a summary
/// that could not be written is not a verdict.
fn append_step_summary(path: &Path, md: &str) {
    if let Err(e) = crate::files::append_file(path, md.as_bytes()) {
        super::print_stderr(&format!(
            "warning: cannot append the summary to $GITHUB_STEP_SUMMARY ({}): {e}\n",
            path.display()
        ));
    }
}
