//! `sl-doctor demo`: the whole doctor against the embedded mock, with a deliberately
//! broken key, framed by a few lines that say what is happening.

use super::{fail_usage, print_stdout, runtime};
use crate::args::{DemoArgs, Format};
use crate::exit;
use crate::render::{self, human};
use std::process::ExitCode;

/// Runs `sl-doctor demo`; exits 0 when it ran, whatever the verdict.
pub fn run(args: &DemoArgs) -> ExitCode {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let demo = match rt.block_on(crate::serve::run_demo()) {
        Ok(d) => d,
        Err(e) => return fail_usage(e),
    };
    let style = super::stdout_style(&args.display, false);
    if args.format == Format::Human {
        print_stdout(&framed(&demo, &style));
    } else {
        print_stdout(&render::render(&demo.report, args.format, &style));
    }
    ExitCode::from(exit::OK)
}

/// The human report with the demo's introduction and the mock's request log.
fn framed(demo: &crate::serve::Demo, style: &human::Style) -> String {
    let mut text = format!(
        "sl-doctor demo: the full doctor against a local mock of the Sales Layer API at {}\n\
         (HTTPS with a CA generated just now; no network, no real key). The key is the mock's valid\n\
         key wrapped in double quotes, as `docker run --env-file` passes SALESLAYER_API_KEY=\"…\".\n\n",
        demo.base_url
    );
    text.push_str(&human::render(&demo.report, style));
    text.push_str(&format!(
        "\nThe mock received {} requests:\n",
        demo.requests.len()
    ));
    for r in &demo.requests {
        text.push_str(&format!("  {r}\n"));
    }
    text.push_str(
        "\nThe demo exits 0 when it ran; run `sl-doctor` on your own key for a real diagnosis.\n",
    );
    text
}
