//! `sl-doctor mock`: a local Sales-Layer-compatible API, serving until interrupted; its
//! banner and one line per request it sees go to standard output.

use super::{fail_usage, print_stdout, runtime};
use crate::args::MockArgs;
use crate::exit;
use std::process::ExitCode;

/// Runs `sl-doctor mock`: exit 0 when it stopped as asked, 2 when it could not start.
pub fn run(args: &MockArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    // The banner names the CA file as given, and the request log what clients sent:
    // neutralised and guarded, as every line of outside text.
    let say = |line: &str| print_stdout(&format!("{}\n", crate::render::human::safe_lines(line)));
    match rt.block_on(crate::serve::run_mock(args, say)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => fail_usage(e),
    }
}
