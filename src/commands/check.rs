//! `sl-doctor check` (the default command): runs the diagnosis, renders it, adds the
//! GitHub Actions annotations and step summary, and exits by the report's verdict.

use super::{fail_usage, print_stdout, runtime};
use crate::args::{CheckArgs, Format};
use crate::config;
use crate::deadline::Watchdog;
use crate::exit;
use crate::files::{Links, WriteError, write_private};
use crate::render::{self, human};
use crate::term::Term;
use sl_doctor_checks::input::files::Deadline;
use sl_doctor_checks::input::misplaced;
use sl_doctor_checks::input::sources::InputError;
use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::runner;
use std::ffi::OsString;
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
    // A wrong --proxy is the user's input to fix, not a route to test another way.
    if let Some(p) = &args.proxy {
        sl_doctor_checks::net::proxy::check_flag(p).map_err(fail_usage)?;
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
    // Offline, nothing waits on the network: one thread is enough, and neither the two
    // workers nor the I/O driver (an epoll instance, an event fd and the signal pipe) are
    // started, which saves a noticeable part of an offline run (docs/performance.md).
    // Timers stay: the runner bounds each check in time.
    let rt = if args.offline {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
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

/// A spinner on stderr, only when it is a terminal (not in CI, pipes or TERM=dumb). It is
/// one line that never reaches the terminal's last column (the message is cut to fit),
/// and clearing it leaves nothing behind.
fn spinner() -> indicatif::ProgressBar {
    let width = crate::term::stderr_width();
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    let Some(width) = width.filter(|_| !dumb) else {
        return indicatif::ProgressBar::hidden();
    };
    let target = indicatif::ProgressDrawTarget::term_like(Box::new(SpinnerTerm {
        term: console::Term::stderr(),
        width: u16::try_from(width - 1).unwrap_or(u16::MAX),
    }));
    let pb = indicatif::ProgressBar::with_draw_target(None, target);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {wide_msg}").expect("a valid template"),
    );
    pb.set_message("checking the key and asking the API…");
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}

/// Standard error as the spinner draws on it: the terminal, one column narrower than the
/// wrap width (`COLUMNS`, else the terminal's), so a line never fills the last column
/// (where terminals wrap) and a narrow pane gets no stale lines.
#[derive(Debug)]
struct SpinnerTerm {
    term: console::Term,
    width: u16,
}

impl indicatif::TermLike for SpinnerTerm {
    fn width(&self) -> u16 {
        self.width
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.term.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.term.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.term.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.term.flush()
    }
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
        saved: false,
        term: Term::stdout(args.color, args.ascii),
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
    ExitCode::from(exit::for_report(&report))
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
