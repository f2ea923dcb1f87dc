//! The commands that print documentation: `checks`, `explain`, `schema`, `completions`
//! and `man`, all generated from the code so they cannot drift from it.

use super::{fail_usage, print_stdout};
use crate::cli::Cli;
use crate::exit;
use clap::CommandFactory;
use sl_doctor_checks::model::report::Report;
use std::process::ExitCode;

/// `sl-doctor checks`: every check with its item and title.
pub fn checks() -> ExitCode {
    let t = crate::term::Term::stdout(crate::args::ColorWhen::Never, false);
    print_stdout(&t.wrap(&crate::explain::list(&sl_doctor_checks::registry())));
    ExitCode::from(exit::OK)
}

/// `sl-doctor explain [TOPIC]`: a topic's text, or without one the list of topics; an
/// unknown topic is a usage error that names the close matches.
pub fn explain(id: Option<&str>) -> ExitCode {
    use crate::explain::topics;
    let registry = sl_doctor_checks::registry();
    let t = crate::term::Term::stdout(crate::args::ColorWhen::Auto, false);
    let Some(id) = id else {
        print_stdout(&t.wrap(&crate::explain::to_terminal(
            &topics::overview(&registry),
            &t,
        )));
        return ExitCode::from(exit::OK);
    };
    match crate::explain::explain(id, &registry) {
        Some(text) => {
            print_stdout(&t.wrap(&crate::explain::to_terminal(&text, &t)));
            ExitCode::from(exit::OK)
        }
        None => {
            let close = topics::suggestions(id, &topics::all(&registry));
            let hint = match close.as_slice() {
                [] => String::new(),
                some => format!(" Did you mean {}?", some.join(", ")),
            };
            fail_usage(format!(
                "there is no topic '{id}' (a check, checklist item, cause, finding code or `fix`).{hint} `sl-doctor explain` lists them all"
            ))
        }
    }
}

/// `sl-doctor schema`.
pub fn schema() -> ExitCode {
    print_stdout(&schema_json());
    ExitCode::from(exit::OK)
}

/// `sl-doctor completions <shell>`.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sl-doctor", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf));
    ExitCode::from(exit::OK)
}

/// `sl-doctor man`.
pub fn man() -> ExitCode {
    print_stdout(&man_page());
    ExitCode::from(exit::OK)
}

/// The man page (roff), generated from the clap definitions; `docs/sl-doctor.1` is a copy
/// that a test keeps current.
pub fn man_page() -> String {
    let mut buf = Vec::new();
    // The plain crate version, not `--version`'s commit: the kept copy must not change per commit.
    clap_mangen::Man::new(Cli::command().version(env!("CARGO_PKG_VERSION")))
        .render(&mut buf)
        .expect("rendering to memory cannot fail");
    let page = String::from_utf8(buf).expect("clap_mangen writes UTF-8");
    subcommands_on_this_page(&page)
}

/// clap_mangen names each subcommand as a page of its own (`sl-doctor-mock(1)`), which
/// sl-doctor does not install: one page documents everything, and `sl-doctor help
/// <command>` prints a command's options. The subcommands are named as typed instead.
fn subcommands_on_this_page(page: &str) -> String {
    page.lines()
        .map(|line| {
            match line
                .strip_prefix("sl\\-doctor\\-")
                .and_then(|rest| rest.strip_suffix("(1)"))
            {
                Some(name) => format!("\\fBsl\\-doctor {name}\\fR"),
                None if line == ".SH EXTRA" => format!(
                    ".PP\nEach command's options: \\fBsl\\-doctor help\\fR \\fIcommand\\fR.\n{line}"
                ),
                None => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The JSON Schema of the report, as published in `docs/report.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Report);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serialises");
    s.push('\n');
    s
}
