//! `extra-whitespace`: the key is not empty and has no extra whitespace or line breaks.
//!
//! The most common broken key is a good key plus a newline: `echo "$KEY" > file` adds
//! one, Kubernetes and Docker secret files made from a file usually end with one, and a
//! file saved on Windows ends with CR LF. A newline makes reqwest refuse the request; a
//! space or TAB at either end goes on the wire, and whether the server trims it depends
//! on the server. A key has no spaces, so a space inside it is always a copy problem.
//!
//! Only plain ASCII whitespace (space, TAB, CR, LF) at either end and plain spaces inside
//! are reported here; every other invisible character is `hidden-characters`' job.

use super::key_source::KeySource;
use super::{analyzed_text_key, value_outcome};
use crate::analysis::value::{Analysis, describe};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::evidence::Repair;
use crate::model::report::{Finding, Position, Severity};

crate::check! {
    /// The `extra-whitespace` check.
    ExtraWhitespace: "extra-whitespace", KeyLoaded, "The key is not empty and has no extra whitespace or line breaks",
    value_only, after [KeySource],
    codes: &[
        EMPTY, ONLY_WHITESPACE, NOTHING_LEFT, LEADING_NEWLINE, LEADING_WHITESPACE, TRAILING_NEWLINE,
        TRAILING_WHITESPACE, INNER_SPACE,
    ],
}

pub const EMPTY: Code = Code::fail("empty", "The value is empty (0 characters)");
pub const ONLY_WHITESPACE: Code = Code::fail("only-whitespace", "The value is only whitespace");
pub const NOTHING_LEFT: Code = Code::fail(
    "nothing-left",
    "The value holds no key: nothing is left once its quotes, a pasted label or invisible characters are removed (`\"\"`, `X-API-KEY:`)",
);
pub const LEADING_NEWLINE: Code = Code::fail(
    "leading-newline",
    "The value starts with whitespace that includes a line break",
);
pub const LEADING_WHITESPACE: Code = Code::new(
    "leading-whitespace",
    &[Severity::Fail, Severity::Warn],
    "The value starts with spaces or tabs; capture warns for a received header value, whose spaces and tabs servers drop",
);
pub const TRAILING_NEWLINE: Code = Code::fail(
    "trailing-newline",
    "The value ends with a line break (LF, CR LF or a lone CR), alone or mixed with other whitespace",
);
pub const TRAILING_WHITESPACE: Code = Code::new(
    "trailing-whitespace",
    &[Severity::Fail, Severity::Warn],
    "The value ends with spaces or tabs; capture warns for a received header value, whose spaces and tabs servers drop",
);
pub const INNER_SPACE: Code = Code::fail("inner-space", "A plain space inside the value");

const FIX_NEWLINE: &str = "Remove the line break at the end: `echo` adds one (use `printf %s \"$KEY\"` or `echo -n`); a Kubernetes or Docker secret created from a file keeps the file's final newline (create it with `kubectl create secret generic … --from-literal` or from a file written with `printf %s`, or trim the value when reading it); an editor adds one when it saves the key file.";
const FIX_CRLF: &str = "Remove the CR LF at the end: the file was saved on Windows (CR LF line endings). Save it with LF endings (`dos2unix FILE`, or the editor's line-ending setting) and without a final line break, or trim the value when reading it.";
const FIX_CR: &str = "Remove the CR at the end: it is the first half of a Windows CR LF line ending (the LF was removed, the CR was not). Save the file with LF endings (`dos2unix FILE`) or trim the value when reading it.";
const FIX_SPACE: &str = "Remove the spaces or tabs around the key: a key never starts or ends with whitespace. They usually come from a copy that took the space after the key, from `NAME= value` or `NAME=value ` in a .env or YAML file, or from a template that indents the value.";
const FIX_INNER: &str = "Remove the spaces: a key has no spaces. They come from a key copied across a wrapped line (PDF, e-mail) or from two values pasted together: copy the key again from the original source.";

fn list(ps: &[Position]) -> String {
    crate::analysis::value::describe_all(ps)
}

fn trailing_finding(ps: &[Position]) -> Finding {
    let cps: Vec<&str> = ps.iter().map(|p| p.codepoint.as_str()).collect();
    let (code, what, fix) = match cps.as_slice() {
        [.., "U+000D", "U+000A"] => (TRAILING_NEWLINE, "a Windows line ending (CR LF)", FIX_CRLF),
        [.., "U+000A"] => (TRAILING_NEWLINE, "a line break (LF)", FIX_NEWLINE),
        [.., "U+000D"] => (TRAILING_NEWLINE, "a carriage return (CR)", FIX_CR),
        _ if cps.iter().all(|c| *c == "U+0020") => (TRAILING_WHITESPACE, "a space", FIX_SPACE),
        _ if cps.iter().all(|c| *c == "U+0009") => (TRAILING_WHITESPACE, "a tab", FIX_SPACE),
        _ if cps.iter().any(|c| *c == "U+000A" || *c == "U+000D") => {
            (TRAILING_NEWLINE, "a line break", FIX_NEWLINE)
        }
        _ => (TRAILING_WHITESPACE, "whitespace", FIX_SPACE),
    };
    end_finding(
        code,
        ps,
        &format!("ends with {what}:"),
        ("character", "characters"),
        "after",
        fix,
    )
}

fn leading_finding(ps: &[Position]) -> Finding {
    let has_break = ps
        .iter()
        .any(|p| p.codepoint == "U+000A" || p.codepoint == "U+000D");
    let (code, fix) = if has_break {
        (LEADING_NEWLINE, FIX_NEWLINE)
    } else {
        (LEADING_WHITESPACE, FIX_SPACE)
    };
    end_finding(
        code,
        ps,
        "starts with",
        ("whitespace character", "whitespace characters"),
        "before",
        fix,
    )
}

/// The finding for whitespace at one end: "The value {verb} N {unit} {side} the key: …".
fn end_finding(
    code: Code,
    ps: &[Position],
    verb: &str,
    (one, many): (&str, &str),
    side: &str,
    fix: &'static str,
) -> Finding {
    let n = crate::checklist::count(crate::analysis::value::characters(ps), one, many);
    Finding::new(
        code,
        format!("The value {verb} {n} {side} the key: {}", list(ps)),
    )
    .at(ps[0].clone())
    .with_fix(fix)
}

/// The finding for a value that is whitespace and nothing else.
fn only_whitespace(a: &Analysis) -> Finding {
    let n = a
        .trailing_whitespace()
        .len()
        .max(a.leading_whitespace().len());
    Finding::new(
        ONLY_WHITESPACE,
        format!(
            "The value is only whitespace ({}, no key): usually an empty value followed by a line break",
            crate::checklist::count(n.max(a.graphemes), "character", "characters")
        ),
    )
    .with_fix("Set the variable or file to the key itself: the value was defined but not filled in (e.g. `echo $UNSET_VAR > file` writes only a newline).")
}

/// The finding for a value that holds nothing once its wrappers are removed (`""`).
fn nothing_left(a: &Analysis, repairs: &[Repair]) -> Finding {
    Finding::new(
        NOTHING_LEFT,
        format!(
            "The value holds no key: once {}, nothing is left of its {}",
            Repair::phrases(repairs),
            crate::checklist::count(a.graphemes, "character", "characters")
        ),
    )
    .with_fix("Set the variable or file to the key itself: the value was defined but not filled in (e.g. `NAME=\"\"` read by a loader that keeps quotes, or a template that quotes an empty value).")
}

fn findings(a: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    let lead = a.leading_whitespace();
    if !lead.is_empty() {
        out.push(leading_finding(&lead));
    }
    let trail = a.trailing_whitespace();
    if !trail.is_empty() {
        out.push(trailing_finding(&trail));
    }
    for p in a.inner_spaces() {
        out.push(
            Finding::new(
                INNER_SPACE,
                format!("The value has a space inside it: {}", describe(&p)),
            )
            .at(p)
            .with_fix(FIX_INNER),
        );
    }
    out
}

impl ExtraWhitespace {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let a = analyzed_text_key(cx)?;
        if a.is_empty() {
            return Ok(Outcome::from_findings(
                "The key is empty",
                vec![Finding::new(EMPTY, "The value is empty (0 characters)")
                    .with_fix("Set the variable or file to the key itself. An empty value usually means the variable is defined but not filled in (an empty CI/CD variable, `NAME=` in a .env file, a secret that is not mounted), or that a later step overwrites it.")],
            ));
        }
        if a.only_whitespace() {
            return Ok(Outcome::from_findings(
                "The key is only whitespace",
                vec![only_whitespace(&a)],
            ));
        }
        if let Some(repairs) = a.holds_no_key() {
            // An empty key in disguise: the whitespace findings would offer a repair that
            // leaves nothing to send.
            let mut fs = vec![nothing_left(&a, &repairs)];
            fs.extend(findings(&a));
            return Ok(Outcome::from_findings("The key is empty once cleaned", fs));
        }
        let fs = findings(&a);
        if fs.is_empty() {
            return Ok(Outcome::pass(format!(
                "No whitespace around or inside the key ({} characters)",
                a.graphemes
            )));
        }
        Ok(value_outcome(
            cx,
            &a,
            format!(
                "The key has {}",
                crate::checklist::count(fs.len(), "whitespace problem", "whitespace problems")
            ),
            fs,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{CANARY, KEY};

    #[test]
    fn echo_newline_and_crlf_are_explained() {
        let o = check("aB3+xY/9zQ==\n");
        assert_eq!(
            o.findings[0].message,
            "The value ends with a line break (LF): 1 character after the key: U+000A LINE FEED at character 13 of 13"
        );
        let fix = o.effective_fix().unwrap();
        assert!(fix.contains("`echo` adds one"), "{fix}");
        assert!(fix.contains("Kubernetes"), "{fix}");
        assert!(o.details[0].starts_with("cleaned value: 12 characters, sha256:"));
        let o = check("aB3+xY/9zQ==\r\n");
        // CR LF is one character (one line break) of two code points, said once.
        assert!(o.findings[0].message.ends_with(
            "1 character after the key: U+000D CARRIAGE RETURN and U+000A LINE FEED, one character at 13 of 13 (2 code points)"
        ), "{}", o.findings[0].message);
        assert!(o.effective_fix().unwrap().contains("Windows"));
    }

    #[test]
    fn quotes_alone_leave_no_key() {
        let o = check("\"\"");
        assert_eq!(
            o.findings[0].message,
            "The value holds no key: once the quotes are removed, nothing is left of its 2 characters"
        );
        let o = check("\"  \"\n");
        assert!(
            o.findings[0].message.starts_with(
                "The value holds no key: once the quotes and the whitespace are removed"
            ),
            "{}",
            o.findings[0].message
        );
    }

    crate::testing_support::value_check_tests! {
        ExtraWhitespace,
        whitespace_around_and_inside: [
            (KEY, []),
            // A trailing ` # comment`: pasted-label names it; its spaces are not the key's.
            (format!("\"{KEY}\" # prod key"), []),
            ("", ["empty"]),
            ("   ", ["only-whitespace"]),
            ("\n", ["only-whitespace"]),
            ("\r\n", ["only-whitespace"]),
            // Quotes (or a label) and nothing else: an empty key in disguise.
            ("\"\"", ["nothing-left"]),
            ("''", ["nothing-left"]),
            ("\"  \"", ["nothing-left", "inner-space", "inner-space"]),
            ("X-API-KEY:", ["nothing-left"]),
            (format!("{KEY}\n"), ["trailing-newline"]),
            (format!("{KEY}\r\n"), ["trailing-newline"]),
            (format!("{KEY}\r"), ["trailing-newline"]),
            (format!("{KEY} "), ["trailing-whitespace"]),
            (format!("{KEY}\t"), ["trailing-whitespace"]),
            (format!("{KEY} \n"), ["trailing-newline"]),
            (format!(" {KEY}"), ["leading-whitespace"]),
            (format!("\t{KEY}"), ["leading-whitespace"]),
            (format!("\n{KEY}"), ["leading-newline"]),
            (
                format!("  {KEY}\r\n"),
                ["leading-whitespace", "trailing-newline"],
            ),
            ("aB3+ xY/9zQ==", ["inner-space"]),
            // The hidden character is hidden-characters' job; the newline is still ours.
            (format!("{KEY}\n\u{200B}"), ["trailing-newline"]),
            // A TAB or LF inside the key is hidden-characters' job.
            ("aB3+\txY/9zQ==", []),
            // The space after a pasted label is pasted-label's job.
            (format!("Bearer {KEY}"), []),
        ],
        leaks: [
            format!(" \t{CANARY} "),
            "SLDOCTOR canary7Qx9+Zk/4mW2=",
        ],
        snapshot: format!(" {CANARY}\r\n"),
    }
}
