//! `header-value`: the key can be sent as an `X-API-KEY` header value at all.
//!
//! reqwest/http refuse a header value with CR, LF, NUL, another C0 control (TAB is
//! allowed) or DEL, but only when the request is sent, and the error ("builder error <-
//! failed to parse header value") says neither which character nor where: the request is
//! never made, so the user sees no HTTP status at all. Non-ASCII characters are accepted
//! and sent as raw UTF-8 bytes (obs-text), which servers may reject or mangle. This check
//! finds all of it before any request is made, with positions.
//!
//! It does not depend on `key-source` (registered later, in `key-loaded`); it skips by
//! itself when there is no key.

use crate::analysis::value::{InvalidUtf8, describe};
use crate::checklist::key_loaded::{analyzed_key, value_outcome};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::Finding;

crate::check! {
    /// The `header-value` check.
    HeaderValue: "header-value", HeaderPresent, "The key can be sent as an X-API-KEY header value",
    value_only,
    codes: &[NOT_UTF8, EMPTY_VALUE, CONTROL_CHARACTER, NON_ASCII],
}

pub const NOT_UTF8: Code = Code::fail(
    "not-utf8",
    "The value is not valid UTF-8, so it cannot be sent as a text header value",
);
pub const EMPTY_VALUE: Code = Code::fail(
    "empty-value",
    "The value is empty: the request would carry an empty X-API-KEY header",
);
pub const CONTROL_CHARACTER: Code = Code::fail(
    "control-character",
    "A control character other than TAB in the value (CR, LF, NUL, DEL…): HTTP clients refuse the whole request",
);
pub const NON_ASCII: Code = Code::warn(
    "non-ascii",
    "Non-ASCII characters in the value, sent as raw UTF-8 bytes (the first one is named)",
);

/// The value's first byte that is not UTF-8, and where the key comes from in that case.
fn not_utf8(bad: &InvalidUtf8) -> Finding {
    Finding::new(
        NOT_UTF8,
        format!(
            "The value is not valid UTF-8: byte {} of {} is 0x{:02X}",
            bad.byte, bad.of, bad.value
        ),
    )
    .with_fix("The key was saved in another encoding (Latin-1, UTF-16 from PowerShell or Notepad) or is corrupted: copy the key again into a UTF-8 or plain ASCII file or variable.")
}

impl HeaderValue {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let a = analyzed_key(cx)?;
        if let Some(bad) = a.invalid_utf8 {
            return Ok(Outcome::from_findings(
                "The key is not valid UTF-8 and cannot be sent as a text header value",
                vec![not_utf8(&bad)],
            ));
        }
        if a.is_empty() {
            return Ok(Outcome::from_findings(
                "The key is empty: the request would carry an empty X-API-KEY header",
                vec![Finding::new(EMPTY_VALUE, "The value is empty (0 characters): the request would carry an empty X-API-KEY header, which the API rejects with 401")
                    .with_fix("Set the variable or file to the key itself; check that the variable is not set to an empty string by a later step (e.g. an `export NAME=` in a profile script or an empty CI variable).")],
            ));
        }

        let mut findings = Vec::new();
        let forbidden = a.header_forbidden();
        for p in &forbidden {
            findings.push(
                Finding::new(
                    CONTROL_CHARACTER,
                    format!(
                        "{} cannot be sent in a header: reqwest/http refuse the whole request (\"failed to parse header value\") without saying where",
                        describe(p)
                    ),
                )
                .at(p.clone())
                .with_fix("Remove the control characters from the key (see extra-whitespace and hidden-characters for where they come from); a key never contains them."),
            );
        }
        let non_ascii = a.non_ascii();
        if let Some(first) = non_ascii.first() {
            findings.push(
                Finding::new(
                    NON_ASCII,
                    format!(
                        "{}, the first {}, would be sent as raw UTF-8 bytes; servers may reject or mangle them",
                        crate::checklist::count(non_ascii.len(), "non-ASCII character", "non-ASCII characters"),
                        describe(first)
                    ),
                )
                .at(first.clone())
                .with_fix("A Sales Layer API key is plain ASCII: copy it again from the original source (see hidden-characters and lookalike-characters for each character)."),
            );
        }
        if findings.is_empty() {
            return Ok(Outcome::pass(format!(
                "The key can be sent as a header value ({} ASCII characters)",
                a.graphemes
            )));
        }
        let summary = if forbidden.is_empty() {
            format!(
                "The key can be sent, but {} not ASCII",
                match non_ascii.len() {
                    1 => "1 character is".to_string(),
                    n => format!("{n} characters are"),
                }
            )
        } else {
            format!(
                "The key cannot be sent as a header value: {} the HTTP client refuse the request",
                match forbidden.len() {
                    1 => "1 character makes".to_string(),
                    n => format!("{n} characters make"),
                }
            )
        };
        Ok(value_outcome(cx, &a, summary, findings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::Status;
    use crate::testing_support::codes;
    use crate::testing_support::{CANARY, assert_no_leak, cx_with_key, run};

    fn check(bytes: &[u8]) -> Outcome {
        run(&HeaderValue, &cx_with_key(bytes)).unwrap()
    }

    #[test]
    fn table() {
        let cases: &[(&[u8], Status, &[&str])] = &[
            (b"aB3+xY/9zQ==", Status::Pass, &[]),
            (b"", Status::Fail, &["empty-value"]),
            (b"ab\xffcd", Status::Fail, &["not-utf8"]),
            (b"abc\n", Status::Fail, &["control-character"]),
            (
                b"abc\r\n",
                Status::Fail,
                &["control-character", "control-character"],
            ),
            (b"a\0bc", Status::Fail, &["control-character"]),
            (b"a\x1bbc", Status::Fail, &["control-character"]),
            (b"abc\x7f", Status::Fail, &["control-character"]),
            (b"a\tbc", Status::Pass, &[]),
            ("ab\u{200B}c".as_bytes(), Status::Warn, &["non-ascii"]),
            ("\u{FF21}\u{FF22}".as_bytes(), Status::Warn, &["non-ascii"]),
            (
                "ab\u{00E9}\n".as_bytes(),
                Status::Fail,
                &["control-character", "non-ascii"],
            ),
        ];
        for (input, status, want) in cases {
            let o = check(input);
            assert_eq!(o.status(), *status, "{input:?}");
            assert_eq!(codes(&o), *want, "{input:?}");
        }
    }

    #[test]
    fn positions_and_messages() {
        let o = check(b"abc\r\n");
        assert_eq!(
            o.findings[0].message.split(" cannot").next(),
            Some("U+000D CARRIAGE RETURN at character 4 of 4")
        );
        let o = check(b"ab\xffcd");
        assert!(o.findings[0].message.contains("byte 3 of 5 is 0xFF"));
        let o = check(b"aB3+xY/9zQ==");
        assert_eq!(
            o.summary,
            "The key can be sent as a header value (12 ASCII characters)"
        );
    }

    #[test]
    fn no_key_skips() {
        let cx = Context::default();
        assert!(run(&HeaderValue, &cx).is_err());
    }

    #[test]
    fn canary_never_leaks() {
        for wrapped in [
            format!("{CANARY}\n"),
            format!("{CANARY}\r\n"),
            format!("\0{CANARY}"),
            format!("{CANARY}\u{00E9}"),
            format!("\u{FF21}{CANARY}\x7f"),
        ] {
            let o = check(wrapped.as_bytes());
            assert_ne!(o.status(), Status::Pass);
            assert_no_leak(&o, CANARY);
        }
        let mut bytes = CANARY.as_bytes().to_vec();
        bytes.push(0xFF);
        assert_no_leak(&check(&bytes), CANARY);
    }

    #[test]
    fn snapshot() {
        let o = check(format!("{CANARY}\u{00A0}\r\n").as_bytes());
        assert_no_leak(&o, CANARY);
        insta::assert_yaml_snapshot!(o);
    }
}
