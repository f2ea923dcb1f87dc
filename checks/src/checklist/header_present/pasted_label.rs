//! `pasted-label`: the value is the key alone, not a header line or an auth scheme.
//!
//! Copying a whole header line from documentation, Postman or a curl command gives a
//! value like `X-API-KEY: …`, and habits from other APIs add `Bearer …` or
//! `Authorization: …`. The client then sends `X-API-KEY: X-API-KEY: …`, which the API
//! rejects as an invalid key. api2 documents exactly one scheme: `X-API-KEY: <key>`.
//!
//! It does not depend on `key-source` (registered later, in `key-loaded`); it skips by
//! itself when there is no key.

use crate::analysis::value::{Analysis, Comment, LabelKind};
use crate::checklist::key_loaded::{analyzed_text_key, value_outcome};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::Finding;

crate::check! {
    /// The `pasted-label` check.
    PastedLabel: "pasted-label", HeaderPresent, "The value is the key alone, not a header line or an auth scheme",
    value_only,
    codes: &[HEADER_NAME, AUTHORIZATION_HEADER, AUTH_SCHEME, VARIABLE_ASSIGNMENT, TRAILING_COMMENT],
}

pub const HEADER_NAME: Code = Code::fail(
    "header-name",
    "The value starts with the header name `X-API-KEY:` (or `X-API-KEY=`)",
);
pub const AUTHORIZATION_HEADER: Code = Code::fail(
    "authorization-header",
    "The value starts with an `Authorization:` header name",
);
pub const AUTH_SCHEME: Code = Code::fail(
    "auth-scheme",
    "The value starts with an authentication scheme word: `Bearer`, `Basic` or `Token`",
);
pub const VARIABLE_ASSIGNMENT: Code = Code::fail(
    "variable-assignment",
    "The value starts with a variable assignment (`NAME=` or `NAME:`)",
);

pub const TRAILING_COMMENT: Code = Code::fail(
    "trailing-comment",
    "The value ends with a comment after the key (` # …`), which some readers of a .env line keep (`docker run --env-file`, `kubectl --from-env-file`, systemd `EnvironmentFile=`)",
);

const FIX_COMMENT: &str = "Remove the comment from the line that defines the key (put it on a line of its own, starting with `#`), and the quotes around the value: `docker run --env-file` and `kubectl --from-env-file` keep everything after `=`, and systemd's `EnvironmentFile=` keeps a comment that follows the value.";

const FIX: &str = "Keep only the key in the variable or file. Sales Layer's API takes exactly one header, `X-API-KEY: <key>`, where your HTTP client adds the name: no `Bearer` or `Authorization` scheme is documented for api2.";

fn fix(kind: LabelKind) -> String {
    match kind {
        LabelKind::Basic => format!(
            "{FIX} What follows `Basic` is usually base64 of a user name and password, not a Sales Layer API key: use the key you received from Sales Layer."
        ),
        LabelKind::Assignment => format!(
            "{FIX} The value holds a whole `NAME=value` line: a .env or shell line was pasted as the value, or the variable is defined twice."
        ),
        _ => FIX.to_string(),
    }
}

/// The code of a pasted label of this kind (capture words it for the code that adds it).
pub fn code(kind: LabelKind) -> Code {
    match kind {
        LabelKind::HeaderName => HEADER_NAME,
        LabelKind::Authorization => AUTHORIZATION_HEADER,
        LabelKind::Bearer | LabelKind::Basic | LabelKind::Token => AUTH_SCHEME,
        LabelKind::Assignment => VARIABLE_ASSIGNMENT,
    }
}

/// The finding for a ` # comment` after the key, naming the reader that keeps it when
/// --loader names one.
fn comment_finding(cx: &Context, a: &Analysis, c: Comment) -> Finding {
    let who = match cx.key.loader {
        Some(l) => format!("{} keeps it as part of the key", l.info().name),
        None => "a reader that takes the .env line as is (`docker run --env-file`) keeps it as part of the key".to_string(),
    };
    Finding::new(
        TRAILING_COMMENT,
        format!(
            "The value ends with the comment ` # …` after the key (characters {} to {} of {}): {who}",
            c.from, c.to, a.graphemes
        ),
    )
    .with_fix(FIX_COMMENT)
}

impl PastedLabel {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let a = analyzed_text_key(cx)?;
        if a.labels.is_empty() {
            return Ok(match a.comment {
                None => Outcome::pass("The value has no pasted header name or auth scheme"),
                Some(c) => value_outcome(
                    cx,
                    &a,
                    "The value includes a comment after the key".to_string(),
                    vec![comment_finding(cx, &a, c)],
                ),
            });
        }
        // A label with nothing after it (`Bearer`, `X-API-KEY:`) was pasted without the key.
        let with = if a.holds_no_key().is_some() {
            "with no key after it"
        } else {
            "pasted together with the key"
        };
        let mut findings: Vec<Finding> = a
            .labels
            .iter()
            .map(|l| {
                Finding::new(
                    code(l.kind),
                    format!(
                        "The value starts with {} (characters {} to {} of {}), {with}",
                        l.kind.what(),
                        l.from,
                        l.to,
                        a.graphemes
                    ),
                )
                .with_fix(fix(l.kind))
            })
            .collect();
        findings.extend(a.comment.map(|c| comment_finding(cx, &a, c)));
        Ok(value_outcome(
            cx,
            &a,
            format!("The value includes {}", a.labels[0].kind.what()),
            findings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{CANARY, KEY, first_message};

    #[test]
    fn message_has_span_and_cleaned_detail() {
        let o = check("X-API-KEY: aB3+xY/9zQ==");
        let m = first_message(&o);
        assert!(m.contains("(characters 1 to 11 of 23)"), "{m}");
        assert!(o.details[0].starts_with("cleaned value: 12 characters, sha256:"));
        assert!(o.effective_fix().unwrap().contains("`X-API-KEY: <key>`"));
        assert!(m.ends_with(", pasted together with the key"), "{m}");
        // The scheme alone: a label with the key left out, not a key called "Bearer".
        for v in ["Bearer", "Bearer ", "Authorization: Bearer "] {
            let o = check(v);
            let m = first_message(&o);
            assert!(m.ends_with(", with no key after it"), "{v:?}: {m}");
        }
    }

    crate::testing_support::value_check_tests! {
        PastedLabel,
        labels_and_schemes: [
            (KEY, []),
            (format!("X-API-KEY: {KEY}"), ["header-name"]),
            (format!("X-API-KEY={KEY}"), ["header-name"]),
            (format!("x-api-key:{KEY}"), ["header-name"]),
            (format!("X-Api-Key : {KEY}"), ["header-name"]),
            (format!("Bearer {KEY}"), ["auth-scheme"]),
            (format!("Authorization: {KEY}"), ["authorization-header"]),
            (
                format!("Authorization: Bearer {KEY}"),
                ["authorization-header"],
            ),
            (format!("apikey={KEY}"), ["variable-assignment"]),
            (format!("api_key={KEY}"), ["variable-assignment"]),
            (format!("key={KEY}"), ["variable-assignment"]),
            (format!("Basic {KEY}"), ["auth-scheme"]),
            (format!("\"X-API-KEY: {KEY}\"\n"), ["header-name"]),
            (format!("X-API-KEY: Bearer {KEY}"), ["auth-scheme"]),
            ("abcKEY==", []),
            (format!("\"{KEY}\" # prod key"), ["trailing-comment"]),
            (format!("export SALESLAYER_API_KEY={KEY} # c"), ["variable-assignment", "trailing-comment"]),
            (format!("{KEY}# prod key"), ["trailing-comment"]),
            (format!("#{KEY}"), []),
        ],
        leaks: [
            format!("export SALESLAYER_API_KEY={CANARY}"),
            format!("\"{CANARY}\" # prod key"),
        ],
        snapshot: format!("Authorization: Bearer {CANARY}"),
    }
}
