//! `sl-doctor scan [PATH…]`: searches for the configured key, prints the report in the
//! chosen format, and exits 1 when the key was found (0 not found, 2 bad input).

use super::{fail_usage, print_stdout};
use crate::args::{ScanArgs, ScanFormat};
use crate::exit;
use crate::scan::render;
use std::process::ExitCode;

/// Runs `sl-doctor scan`.
pub fn run(args: &ScanArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let report = match crate::scan::scan(args, &env) {
        Ok(report) => report,
        Err(e) => return fail_usage(e),
    };
    let text = match args.format {
        ScanFormat::Human => render::human(&report, &crate::term::Term::stdout(args.color, false)),
        ScanFormat::Json => render::json(&report),
        ScanFormat::Sarif => render::sarif(&report),
    };
    print_stdout(&text);
    ExitCode::from(exit::problem_if(report.found()))
}
