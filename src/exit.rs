//! The exit codes, as documented in `--help` and the README, and the one policy that picks
//! them: every command returns one of these, chosen here from its result.

use sl_doctor_checks::model::report::{Report, Verdict};

/// Nothing failed.
pub const OK: u8 = 0;
/// A problem was found.
pub const PROBLEM: u8 = 1;
/// Usage or input error.
pub const USAGE: u8 = 2;
/// The diagnosis could not reach a verdict (also: the `--deadline` stopped the run).
pub const INCONCLUSIVE: u8 = 3;

/// The exit code of a finished diagnosis: a pure function of the report, whose
/// `effective_verdict` already carries the `--strict` policy.
pub fn for_report(report: &Report) -> u8 {
    match report.effective_verdict {
        Verdict::Fail => PROBLEM,
        Verdict::Inconclusive => INCONCLUSIVE,
        Verdict::Warn | Verdict::Pass => OK,
    }
}

/// A search or a capture: [`PROBLEM`] when it found what it looks for (the key in a file,
/// a failed request), else [`OK`].
pub fn problem_if(found: bool) -> u8 {
    if found { PROBLEM } else { OK }
}
