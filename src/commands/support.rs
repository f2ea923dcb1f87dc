//! `sl-doctor support`: asks for missing email fields (terminal only), runs the
//! diagnosis, writes the bundle and prints the email. Exit 0 when the bundle was written.

use super::{exit, fail_usage, print_stderr, print_stdout};
use crate::args::SupportArgs;
use crate::{config, support};
use sl_doctor_checks::diagnosis::{CauseLevel, Fixer};
use sl_doctor_checks::model::report::Report;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Runs `sl-doctor support`.
pub fn run(args: &SupportArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let interactive =
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !config::is_ci(&env);
    let fields = support::Fields::from_args(args, interactive);
    let (report, cx) = match super::check::diagnose(&args.check, &env) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if !args.anyway && !wants_support(&report, interactive) {
        return ExitCode::from(exit::PROBLEM);
    }
    let dir = args.check.output.as_deref();
    let links = crate::files::Links::forced(args.check.force);
    // Writing the bundle is bounded too (after any question asked on a terminal).
    let _writing = crate::deadline::Watchdog::arm(
        sl_doctor_checks::input::files::Deadline::from_now(args.check.deadline),
    );
    match support::write_bundle(&report, &cx, &fields, dir, links, &env) {
        Ok(done) => {
            print_stdout(&done.email);
            print_stderr(&format!("{}\n", done.note));
            ExitCode::from(exit::OK)
        }
        Err(e) => fail_usage(e),
    }
}

/// A support ticket is for what the user cannot fix alone: when every cause of a failure
/// or of no verdict (a rate limit, the network) is self-fixable, say the fix and draft nothing unless the user confirms (on a terminal)
/// or passed `--anyway`.
fn wants_support(report: &Report, interactive: bool) -> bool {
    let d = &report.diagnosis;
    let failing: Vec<_> = d
        .causes
        .iter()
        .filter(|c| c.level != CauseLevel::Warn)
        .collect();
    if failing.is_empty() || d.needs_support() {
        return true;
    }
    let who = if failing.iter().any(|c| c.fixed_by == Fixer::NetworkTeam) {
        "Sales Layer cannot fix this; your network team can (the proxy is theirs)"
    } else {
        "You can fix this yourself"
    };
    print_stderr(&format!("{who}: {}\n", d.summary));
    for c in &failing {
        print_stderr(&format!("  fix: {}\n", c.fix));
    }
    if !interactive {
        eprintln!(
            "No support email drafted; run `sl-doctor support --anyway` to draft it all the same."
        );
        return false;
    }
    eprint!("Draft the support email anyway? [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}
