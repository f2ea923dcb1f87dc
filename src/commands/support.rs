//! `sl-doctor support`: runs the diagnosis first; when only Sales Layer can fix the cause
//! (or with `--anyway`), asks for the missing email fields (terminal only), writes the
//! bundle and prints the email. Exit 0 when the bundle was written; 1 with the whole
//! self-fix instead when the user can fix the cause alone.

use super::{fail_usage, print_stderr, print_stdout};
use crate::args::SupportArgs;
use crate::exit;
use crate::render::human;
use crate::{config, support};
use sl_doctor_checks::diagnosis::{CauseLevel, Fixer};
use sl_doctor_checks::model::report::Report;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// Runs `sl-doctor support`.
pub fn run(args: &SupportArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    let interactive =
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !config::is_ci(&env);
    let (report, cx) = match super::check::diagnose(&args.check, &env) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if !args.anyway && !wants_support(&report, args, interactive) {
        return ExitCode::from(exit::PROBLEM);
    }
    let mut fields = support::Fields::from_args(args);
    if interactive {
        print_stderr(&format!(
            "For the email to {}:\n",
            support::Recipient::of(&report).who()
        ));
        let stdin = std::io::stdin();
        let mut lines = stdin.lock().lines();
        fields = fields.ask_missing(|question| {
            eprint!("{question} (Enter to leave it out): ");
            lines
                .next()
                .and_then(Result::ok)
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
        });
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
/// or of no verdict (a rate limit, the network) is self-fixable, show the whole diagnosis
/// (each cause, its proof, its fix, and `sl-doctor fix` where it repairs the value) and
/// draft nothing unless the user confirms (on a terminal) or passed `--anyway`.
fn wants_support(report: &Report, args: &SupportArgs, interactive: bool) -> bool {
    let d = &report.diagnosis;
    let failing = d.causes.iter().any(|c| c.level != CauseLevel::Warn);
    if !failing || d.needs_support() {
        return true;
    }
    let style = human::Style {
        saved: false,
        term: crate::term::Term::stderr(args.check.color, args.check.ascii),
        verbose: 0,
        quiet: true,
    };
    let network = d
        .causes
        .iter()
        .any(|c| c.level != CauseLevel::Warn && c.fixed_by == Fixer::NetworkTeam);
    print_stderr(if network {
        "No email to Sales Layer support is needed: Sales Layer cannot fix this; your network team can (the proxy is theirs).\n\n"
    } else {
        "No email to Sales Layer support is needed: each cause is yours to fix.\n\n"
    });
    // Rendered and guarded already (and painted when stderr is a terminal).
    eprint!("{}", human::render(report, &style));
    if !interactive {
        print_stderr(
            "\nNo support email drafted; run `sl-doctor support --anyway` to draft it all the same.\n",
        );
        return false;
    }
    eprint!("\nDraft the support email anyway? [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}
