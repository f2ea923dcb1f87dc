//! `sl-doctor curl`: the reproducible curl commands (and a Postman file, when asked).

use super::print_or_fail;
use crate::args::CurlArgs;
use std::process::ExitCode;

/// Runs `sl-doctor curl`: exit 0 with the commands, 2 on a bad input.
pub fn run(args: &CurlArgs) -> ExitCode {
    let env: Vec<_> = std::env::vars_os().collect();
    print_or_fail(crate::curl::run(args, &env))
}
