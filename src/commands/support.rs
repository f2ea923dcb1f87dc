//! `sl-doctor support`: asks for missing email fields (terminal only), runs the
//! diagnosis, writes the bundle and prints the email. Exit 0 when the bundle was written.

use super::{exit, fail_usage, print_stdout};
use crate::args::SupportArgs;
use crate::{config, support};
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
    match support::write_bundle(&report, &cx, &fields, args.check.output.as_deref(), &env) {
        Ok(done) => {
            print_stdout(&done.email);
            eprintln!("{}", done.note);
            ExitCode::from(exit::OK)
        }
        Err(e) => fail_usage(e),
    }
}
