//! `dotenv-file`: the `.env` file defines the key in a form every loader reads the same way.
//!
//! dotenv libraries forgive CRLF, quotes, `export`, spaces around `=` and inline
//! comments; shells (`source .env`), `docker run --env-file` and hand-written loaders do
//! not. A key that works from one loader and fails from another is a classic cause.

use crate::context::Context;
use crate::input::dotenv::DotenvEntry;
use crate::input::sources::looks_like_key_var;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, Location, Severity};

crate::check! {
    /// The `dotenv-file` check.
    DotenvFileCheck: "dotenv-file", KeyLoaded, "The .env file defines the key the way every loader reads it",
    codes: &[
        BOM, CRLF, EXPORT, SPACE_AROUND_EQUALS, INLINE_COMMENT, TRAILING_SPACE, DUPLICATE,
        SIMILAR_VARIABLE, UNPARSED_LINE, NOT_READ,
    ],
}

pub const BOM: Code = Code::warn("bom", "The .env file starts with a byte order mark");
pub const CRLF: Code = Code::warn(
    "crlf",
    "The key's line ends with CR LF, which `source .env` keeps in the key",
);
pub const EXPORT: Code = Code::warn(
    "export",
    "The line starts with `export`, which `docker run --env-file` reads as part of the name",
);
pub const SPACE_AROUND_EQUALS: Code =
    Code::warn("space-around-equals", "The line has spaces around `=`");
pub const INLINE_COMMENT: Code = Code::warn(
    "inline-comment",
    "The line has a `# comment` after the value, which simple loaders keep in the key",
);
pub const TRAILING_SPACE: Code = Code::warn(
    "trailing-space",
    "The line has spaces or tabs after the value, which some loaders keep",
);
pub const DUPLICATE: Code = Code::new(
    "duplicate",
    &[Severity::Warn, Severity::Info],
    "The key variable is defined more than once: warns when the values differ, else noted",
);
pub const SIMILAR_VARIABLE: Code = Code::warn(
    "similar-variable",
    "The file does not define the key variable but defines one with a key-like name (not raised when the key comes from a deployment file, which may interpolate it)",
);
pub const NOT_READ: Code = Code::warn(
    "not-read",
    "With --loader, the reader it names sets nothing from the key's line (it refuses the file or the line): key-source fails on it, and this line is where to fix it",
);
pub const UNPARSED_LINE: Code =
    Code::info("unparsed-line", "A line is not a NAME=value assignment");

/// The warnings of one definition line: one row per way loaders disagree about it.
/// Quotes around the value are `quoted-value`'s (checklist item `no-quotes`).
fn entry_findings(e: &DotenvEntry, file: &str) -> Vec<Finding> {
    let at = format!("{file} line {}", e.line);
    // After a space the CR is a word of its own, which a shell runs as a command.
    let raw = e.raw_line.expose_bytes();
    let shell = if raw.ends_with(b" \r") || raw.ends_with(b"\t\r") {
        "runs the CR after the space as a command and leaves the variable unset"
    } else {
        "keeps it at the end of the key"
    };
    let rows = [
        (
            e.crlf,
            Finding::new(CRLF, format!("{at} ends with CR LF (a Windows line ending): dotenv libraries drop the CR, but `source .env` in a shell {shell}"))
                .with_fix("Save the file with LF line endings (e.g. `dos2unix .env`, or the line-ending setting of your editor)."),
        ),
        (
            e.export,
            Finding::new(EXPORT, format!("{at} starts with `export`: `docker run --env-file` reads the variable name as `export {}`", e.name))
                .with_fix("Remove `export ` when the file is used as an env-file; keep it only for files meant to be sourced by a shell."),
        ),
        (
            e.space_around_eq,
            Finding::new(SPACE_AROUND_EQUALS, format!("{at} has spaces around `=`: a shell reads `NAME = value` as a command, and some loaders keep the spaces in the name or value"))
                .with_fix(format!("Write `{}=value` with no spaces around `=`.", e.name)),
        ),
        (
            e.inline_comment,
            Finding::new(INLINE_COMMENT, format!("{at} has a `# comment` after the value: `docker run --env-file` and simple loaders keep it as part of the key"))
                .with_fix("Move the comment to a line of its own."),
        ),
        (
            e.trailing_space,
            Finding::new(TRAILING_SPACE, format!("{at} has spaces or tabs after the value: dotenv libraries trim them, other loaders keep them"))
                .with_fix("Delete the whitespace after the value."),
        ),
    ];
    rows.into_iter()
        .filter_map(|(found, finding)| found.then_some(finding))
        .map(|f| f.in_file(Location::line(file, e.line)))
        .collect()
}

/// The `duplicate` finding when the key is defined more than once: a warning when the
/// values differ, a note when they are the same.
fn duplicate(defs: &[&DotenvEntry], file: &str, name: &str) -> Option<Finding> {
    let last = defs.last()?.line;
    if defs.len() < 2 {
        return None;
    }
    let lines: Vec<String> = defs.iter().map(|e| e.line.to_string()).collect();
    let fps: Vec<String> = defs
        .iter()
        .map(|e| e.value.fingerprint().to_string())
        .collect();
    let differ = defs.iter().any(|e| e.value != defs[0].value);
    let msg = format!(
        "{name} is defined {} times in {file} (lines {}){}; dotenvy (Rust) keeps the first, shells, python-dotenv and Node's dotenv keep the last (sl-doctor uses the last)",
        defs.len(),
        lines.join(", "),
        if differ {
            format!(" with different values ({})", fps.join(", "))
        } else {
            " with the same value".into()
        },
    );
    let f = if differ {
        Finding::new(DUPLICATE, msg)
    } else {
        Finding::with_severity(DUPLICATE, Severity::Info, msg)
    };
    Some(
        f.with_fix(format!("Keep a single {name}= line."))
            .in_file(Location::line(file.to_string(), last)),
    )
}

impl DotenvFileCheck {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let Some(file) = &cx.key.dotenv else {
            return Err(Skipped("no .env file was read".into()));
        };
        let name = cx.key.env_name.as_str();
        let defs: Vec<&DotenvEntry> = file.definitions(name).collect();
        let mut findings = Vec::new();
        if file.bom {
            findings.push(
                Finding::new(
                    BOM,
                    format!("{} starts with a byte order mark (U+FEFF): loaders that do not strip it read the first variable's name with an invisible prefix", file.display),
                )
                .with_fix("Save the file as UTF-8 without BOM.")
                .in_file(Location::line(file.display.clone(), 1)),
            );
        }
        // With --loader the reader is known: how other loaders would read the line does
        // not matter (what that reader delivers is checked as the key itself).
        if cx.key.loader.is_none() {
            for e in &defs {
                findings.extend(entry_findings(e, &file.display));
            }
        }
        findings.extend(duplicate(&defs, &file.display, name));
        let others: Vec<&DotenvEntry> = file
            .entries
            .iter()
            .filter(|e| e.name != name && looks_like_key_var(&e.name, name))
            .collect();
        // A key from a deployment file is found: a compose file's `.env` then holds the
        // variables it interpolates (`${SL_KEY}`), not a misspelt key variable.
        let from_deployment = cx
            .key
            .chosen()
            .is_some_and(|c| c.source.kind == crate::model::report::SourceKind::Deployment);
        if defs.is_empty() && !from_deployment {
            for e in &others {
                let o = &e.name;
                findings.push(
                    Finding::new(
                        SIMILAR_VARIABLE,
                        format!("{} does not define {name}, but defines {o}, whose name looks like a misspelt or alternative key variable", file.display),
                    )
                    .with_fix(format!("Rename it to {name}, or run with --key-env {o}."))
                    .in_file(Location::line(file.display.clone(), e.line)),
                );
            }
        }
        for l in &file.bad_lines {
            findings.push(
                Finding::new(
                    UNPARSED_LINE,
                    format!("{} line {l} is not a NAME=value assignment", file.display),
                )
                .in_file(Location::line(file.display.clone(), *l)),
            );
        }
        // The reader --loader names sets nothing from the line: the file defines the key,
        // but not for that reader (key-source fails on it; here is the line to fix).
        let unread = cx.key.not_delivered();
        if let (Some((r, why)), Some(e)) = (unread, defs.last()) {
            findings.push(
                Finding::new(
                    NOT_READ,
                    format!("{} is not read by {}: {why}", r.place, r.reader),
                )
                .with_fix(format!(
                    "Write line {} as {name}=value (`sl-doctor fix --loader {}` rewrites it so).",
                    e.line,
                    cx.key.loader.map_or("dotenv", |l| l.info().id)
                ))
                .in_file(Location::line(file.display.clone(), e.line)),
            );
        }
        let summary = match (defs.last(), unread) {
            (Some(e), Some((r, _))) => format!(
                "{} defines {name} at line {}, which {} does not read",
                file.display, e.line, r.reader
            ),
            (Some(e), None) => format!("{} defines {name} at line {}", file.display, e.line),
            (None, _) => format!("{} does not define {name}", file.display),
        };
        let mut o = Outcome::from_findings(summary, findings);
        if file.crlf_lines > 0 {
            o = o.detail(format!(
                "{} of {} lines end with CR LF",
                file.crlf_lines, file.lines
            ));
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dotenv::DotenvFile;
    use crate::model::report::Status;

    fn check(src: &[u8]) -> Outcome {
        let mut cx = Context::default();
        cx.key.env_name = "SALESLAYER_API_KEY".into();
        cx.key.dotenv = Some(DotenvFile::parse(".env", src));
        crate::testing_support::run(&DotenvFileCheck, &cx).unwrap()
    }

    #[test]
    fn each_trait_is_one_finding() {
        let cases: &[(&[u8], &str)] = &[
            (b"SALESLAYER_API_KEY=abc\r\n", "crlf"),
            (b"export SALESLAYER_API_KEY=abc\n", "export"),
            (b"SALESLAYER_API_KEY = abc\n", "space-around-equals"),
            (b"SALESLAYER_API_KEY=abc # prod\n", "inline-comment"),
            (b"SALESLAYER_API_KEY=abc \n", "trailing-space"),
            (b"\xEF\xBB\xBFSALESLAYER_API_KEY=abc\n", "bom"),
            (b"SALESLAYER_API_KEY=a\nSALESLAYER_API_KEY=b\n", "duplicate"),
            (b"SL_API_KEY=abc\n", "similar-variable"),
        ];
        for (src, code) in cases {
            let o = check(src);
            let codes: Vec<_> = o.findings.iter().map(|f| f.code.as_str()).collect();
            assert_eq!(codes, [*code], "{:?}", String::from_utf8_lossy(src));
            assert_eq!(o.status(), Status::Warn);
        }
    }

    /// What a shell does with the CR depends on the space before it.
    #[test]
    fn the_crlf_warning_says_what_a_shell_does() {
        for (src, says) in [
            (
                &b"SALESLAYER_API_KEY=abc\r\n"[..],
                "keeps it at the end of the key",
            ),
            (
                b"SALESLAYER_API_KEY=abc \r\n",
                "runs the CR after the space as a command",
            ),
        ] {
            let o = check(src);
            let crlf = o
                .findings
                .iter()
                .find(|f| f.code == "crlf")
                .expect("a crlf finding");
            assert!(crlf.message.contains(says), "{}", crlf.message);
        }
    }

    #[test]
    fn each_finding_points_at_its_line() {
        let o = check(b"# keys\r\nSALESLAYER_API_KEY=abc # old\r\nSL_KEY=x\n");
        let at: Vec<_> = o
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.location.clone()))
            .collect();
        assert_eq!(
            at,
            [
                ("crlf", Some(Location::line(".env", 2))),
                ("inline-comment", Some(Location::line(".env", 2))),
            ]
        );
        // Quotes are the no-quotes item's (quoted-value), not this check's.
        assert!(check(b"SALESLAYER_API_KEY=\"abc\"\n").findings.is_empty());
    }

    #[test]
    fn healthy_file_passes() {
        let o = check(b"# keys\nSALESLAYER_API_KEY=abc\nOTHER=1\n");
        assert_eq!(o.status(), Status::Pass);
        assert!(o.findings.is_empty());
    }

    #[test]
    fn snapshot_of_a_messy_file() {
        let o = check(b"\xEF\xBB\xBFexport SALESLAYER_API_KEY = \"one\"\r\njunk\r\nSALESLAYER_API_KEY=two # old\r\n");
        insta::assert_yaml_snapshot!(o);
    }

    /// `export NAME=…` with `--loader docker`: docker refuses the whole file, so the line
    /// is not read; the check says so (trial 32, case c5) instead of passing under
    /// key-source's failure.
    #[test]
    fn a_line_the_loader_does_not_read_is_not_a_pass() {
        use crate::context::ReaderDelivery;
        use crate::input::loaders::{Loader, deliver};
        let src = b"APP=1\nexport SALESLAYER_API_KEY=abc\n";
        let mut cx = Context::default();
        cx.key.env_name = "SALESLAYER_API_KEY".into();
        let file = DotenvFile::parse(".env", src);
        let e = file.definitions("SALESLAYER_API_KEY").next().unwrap();
        cx.key.loader = Some(Loader::Docker);
        cx.key.readings = vec![ReaderDelivery {
            reader: Loader::Docker.info().name.into(),
            place: ".env line 2".into(),
            path: None,
            line: 2,
            delivered: deliver(Loader::Docker, e),
        }];
        cx.key.dotenv = Some(file);
        let o = crate::testing_support::run(&DotenvFileCheck, &cx).unwrap();
        assert_eq!(o.status(), Status::Warn, "{o:?}");
        assert_eq!(
            o.summary,
            ".env defines SALESLAYER_API_KEY at line 2, which docker run --env-file does not read"
        );
        assert_eq!(crate::testing_support::codes(&o), ["not-read"]);
        assert!(
            o.findings[0].message.starts_with(
                ".env line 2 is not read by docker run --env-file: docker run --env-file refuses the whole file"
            ),
            "{}",
            o.findings[0].message
        );
        // The same line read by the dotenv libraries is read: nothing to say.
        cx.key.loader = Some(Loader::Dotenv);
        let o = crate::testing_support::run(&DotenvFileCheck, &cx).unwrap();
        assert_eq!(o.status(), Status::Pass, "{o:?}");
    }

    #[test]
    fn no_dotenv_is_skipped() {
        let cx = Context::default();
        assert!(crate::testing_support::run(&DotenvFileCheck, &cx).is_err());
    }
}
