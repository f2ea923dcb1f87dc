//! `sl-doctor capture`: runs the capture server until it stops, with progress on the
//! right stream, then prints the report.

use super::{fail_usage, print_stdout, runtime};
use crate::args::{CaptureArgs, CaptureFormat};
use crate::exit;
use crate::render::human::guard_lines;
use crate::term::{Term, use_color};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

/// Runs `sl-doctor capture`: exit 1 when a captured request failed.
pub fn run(args: &CaptureArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    if !args.command.is_empty() {
        return intercept(args, rt);
    }
    let env: Vec<_> = std::env::vars_os().collect();
    let json = args.format == CaptureFormat::Json;
    let term = Term {
        color: !json && use_color(args.color, std::io::stdout().is_terminal()),
        ascii: false,
        width: None,
    };
    // With --format json standard output holds only the report: progress goes to stderr.
    // Both streams reach CI logs: every line passes the workflow-command guard.
    let progress = move |line: &str| {
        let line = guard_lines(line);
        if json {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{line}").and_then(|_| err.flush());
        } else {
            print_stdout(&format!("{line}\n"));
        }
    };
    let result = rt.block_on(crate::capture::run(args, &env, &progress, &term));
    rt.shutdown_timeout(Duration::from_millis(200));
    let report = match result {
        Ok(report) => report,
        Err(e) => return fail_usage(e),
    };
    if json {
        print_stdout(&crate::render::json::pretty(&report));
    } else {
        print_stdout(&guard_lines(&crate::capture::render::summary(
            &report, &term,
        )));
    }
    ExitCode::from(exit::problem_if(report.failed()))
}

/// `sl-doctor capture -- COMMAND`: standard output and the terminal belong to the
/// command; capture's own lines and its report go to standard error (and, with
/// `--output`, the JSON report to a file), every line through the workflow-command guard.
fn intercept(args: &CaptureArgs, rt: tokio::runtime::Runtime) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let json = args.format == CaptureFormat::Json;
    let term = Term {
        color: !json && use_color(args.color, std::io::stderr().is_terminal()),
        ascii: false,
        width: None,
    };
    let progress = |line: &str| to_stderr(&guard_lines(&format!("{line}\n")));
    let result = rt.block_on(crate::capture::intercept::run(args, &env, &progress));
    rt.shutdown_timeout(Duration::from_millis(200));
    let report = match result {
        Ok(report) => report,
        Err(e) => return fail_usage(e),
    };
    let as_json = crate::render::json::pretty(&report);
    if json {
        to_stderr(&as_json);
    } else {
        let text = crate::capture::intercept::render::report(&report, &term);
        to_stderr(&guard_lines(&text));
    }
    if let Some(path) = &args.output
        && let Err(e) =
            crate::files::write_private(path, as_json.as_bytes(), crate::files::Links::Refuse)
    {
        return fail_usage(format!(
            "cannot write the report to {}: {e}",
            path.display()
        ));
    }
    ExitCode::from(exit::problem_if(report.failed()))
}

/// Writes guarded text to stderr; a closed stream is not an error.
fn to_stderr(s: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(s.as_bytes()).and_then(|_| err.flush());
}
