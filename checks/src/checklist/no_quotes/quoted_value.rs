//! `quoted-value`: the key is not wrapped in (or mixed with) quote characters.
//!
//! The official checklist names it: "the key value is not wrapped in quotes". Quotes get
//! in when a `.env` value is read by a loader that keeps them (`docker run --env-file`,
//! systemd `EnvironmentFile` with typographic quotes), when a YAML/JSON value is quoted
//! twice (`"\"…\""`), or when a word processor or chat app turns `"` into `“ ”`. The
//! server then compares a key that starts with a quote character, and says 401.
//!
//! It does not depend on `key-source` (registered later, in `key-loaded`); it skips by
//! itself when there is no key.

use crate::analysis::value::{QuoteDefect, describe};
use crate::checklist::key_loaded::{analyzed_text_key, value_outcome};
use crate::context::Context;
use crate::input::dotenv::DotenvEntry;
use crate::input::loaders::{LOADERS, deliver};
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::prose::join_names;
use crate::model::report::{Finding, Location};

crate::check! {
    /// The `quoted-value` check.
    QuotedValue: "quoted-value", NoQuotes, "The key is not wrapped in quotes",
    // Besides the value it reads the key's `.env` line when there is one (capture's
    // contexts have none, so there it is the value alone).
    value_only,
    codes: &[SURROUNDING_QUOTES, ESCAPED_QUOTES, LEADING_QUOTE, TRAILING_QUOTE, INNER_QUOTE, DOTENV_QUOTES],
}

pub const SURROUNDING_QUOTES: Code = Code::fail(
    "surrounding-quotes",
    "The value is wrapped in quote characters (ASCII, typographic, guillemets…)",
);
pub const ESCAPED_QUOTES: Code = Code::fail(
    "escaped-quotes",
    "The value is wrapped in backslash-escaped quotes (`\\\"…\\\"`): it was quoted twice",
);
pub const LEADING_QUOTE: Code = Code::fail(
    "leading-quote",
    "The value starts with a quote that is not closed at the end",
);
pub const TRAILING_QUOTE: Code = Code::fail(
    "trailing-quote",
    "The value ends with a quote that is not opened at the start",
);
pub const INNER_QUOTE: Code = Code::fail("inner-quote", "A quote character inside the value");
pub const DOTENV_QUOTES: Code = Code::warn(
    "dotenv-quotes",
    "The key's .env line wraps the value in quotes, which `docker run --env-file` and `kubectl --from-env-file` keep in the key (not raised when --loader names the reader)",
);

const FIX_SURROUNDING: &str = "Remove the quotes from the value itself: in a .env file used with `docker run --env-file` or `kubectl create secret --from-env-file` write `NAME=value` without quotes; in YAML/JSON quote the value once, not twice; in a shell the quotes of `export NAME=\"value\"` are fine because the shell removes them.";
const FIX_ESCAPED: &str = "The value was quoted twice (e.g. a JSON string inside a JSON string, or `\\\"` in a YAML or Compose file): quote it once, or not at all.";
const FIX_ONE: &str = "A quote is left over at one end (a quote opened but not closed in a .env, shell or YAML file, or a copy that stopped early): remove it and check that the rest of the key is complete.";
const FIX_INNER: &str =
    "A key never contains quote characters: copy the key again from the original source.";

/// Every defect is a failure at one quote: the arms only say which (the finding code),
/// in what words, and the fix.
fn finding(d: &QuoteDefect) -> Finding {
    let (code, message, at, fix) = match d {
        QuoteDefect::Surrounding { open, close } => (
            SURROUNDING_QUOTES,
            format!(
                "The value is wrapped in quotes: {} and {}",
                describe(open),
                describe(close)
            ),
            open,
            FIX_SURROUNDING,
        ),
        QuoteDefect::Escaped { open, close } => (
            ESCAPED_QUOTES,
            format!(
                "The value is wrapped in backslash-escaped quotes: {} and {}, each after a U+005C REVERSE SOLIDUS",
                describe(open),
                describe(close)
            ),
            open,
            FIX_ESCAPED,
        ),
        QuoteDefect::Leading(p) => (
            LEADING_QUOTE,
            format!("The value starts with a quote: {}", describe(p)),
            p,
            FIX_ONE,
        ),
        QuoteDefect::Trailing(p) => (
            TRAILING_QUOTE,
            format!("The value ends with a quote: {}", describe(p)),
            p,
            FIX_ONE,
        ),
        QuoteDefect::Inner(p) => (
            INNER_QUOTE,
            format!("The value contains a quote: {}", describe(p)),
            p,
            FIX_INNER,
        ),
    };
    Finding::new(code, message).at(at.clone()).with_fix(fix)
}

/// The `.env` lines that define the key in quotes: dotenv libraries remove them (so the
/// value itself has none), `docker run --env-file` and kubectl keep them in the key (the
/// readers named are the loader table's, as readers-agree names them). With --loader the
/// reader is known, and what it delivers is checked as the value itself.
fn dotenv_quotes(cx: &Context) -> Vec<Finding> {
    let Some(file) = cx.key.dotenv.as_ref().filter(|_| cx.key.loader.is_none()) else {
        return Vec::new();
    };
    file.definitions(&cx.key.env_name)
        .filter_map(|e| {
            let q = e.quote?;
            let (keep, remove) = quote_readers(e, q);
            // No reader keeps them (those that would refuse the line: `export NAME=…` is
            // nothing to docker and kubectl): the quotes harm no one, and readers-agree
            // names what refuses the line.
            if keep.is_empty() {
                return None;
            }
            // Never an empty list of readers: "… remove the quotes, but" only when some do.
            let removed = if remove.is_empty() {
                String::new()
            } else {
                format!("{} remove the quotes, but ", join_names(&remove))
            };
            Some(
                Finding::new(
                    DOTENV_QUOTES,
                    format!(
                        "{} line {} wraps the value in {q}…{q}: {removed}{} {} them as part of the key",
                        file.display,
                        e.line,
                        join_names(&keep),
                        if keep.len() == 1 { "keeps" } else { "keep" }
                    ),
                )
                .with_fix("Write the value without quotes (a key never needs them: it has no spaces).")
                .in_file(Location::line(file.display.clone(), e.line)),
            )
        })
        .collect()
}

/// The readers of the loader table that keep the quotes of `e` in the value, and those
/// that remove them (the others deliver nothing from the line, or cannot be known).
fn quote_readers(e: &DotenvEntry, q: char) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut quote = [0; 4];
    let quote = q.encode_utf8(&mut quote).as_bytes();
    let (mut keep, mut remove) = (Vec::new(), Vec::new());
    for l in &LOADERS {
        match deliver(l.loader, e).value() {
            Some(v) if v.expose_bytes().starts_with(quote) => keep.push(l.name),
            Some(_) => remove.push(l.name),
            None => {}
        }
    }
    (keep, remove)
}

impl QuotedValue {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let a = analyzed_text_key(cx)?;
        let in_dotenv = dotenv_quotes(cx);
        if a.quotes.is_empty() && in_dotenv.is_empty() {
            return Ok(Outcome::pass("The value has no quote characters"));
        }
        if a.quotes.is_empty() {
            return Ok(Outcome::from_findings(
                "The value has no quote characters, but its .env line quotes it",
                in_dotenv,
            ));
        }
        let summary = match &a.quotes[0] {
            QuoteDefect::Surrounding { .. } => "The value is wrapped in quotes".to_string(),
            QuoteDefect::Escaped { .. } => {
                "The value is wrapped in escaped quotes (quoted twice)".to_string()
            }
            _ => format!(
                "The value contains {}",
                crate::checklist::count(a.quotes.len(), "quote character", "quote characters")
            ),
        };
        let mut findings: Vec<Finding> = a.quotes.iter().map(finding).collect();
        findings.extend(in_dotenv);
        Ok(value_outcome(cx, &a, summary, findings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{CANARY, KEY, first_message};

    #[test]
    fn typographic_quotes_are_named() {
        let o = check("\u{201C}aB3+xY/9zQ==\u{201D}");
        assert_eq!(
            o.findings[0].message,
            "The value is wrapped in quotes: U+201C LEFT DOUBLE QUOTATION MARK at character 1 of 14 and U+201D RIGHT DOUBLE QUOTATION MARK at character 14 of 14"
        );
        assert!(o.details[0].starts_with("cleaned value: 12 characters, sha256:"));
        let o = check("\\\"aB3+xY/9zQ==\\\"");
        let m = first_message(&o);
        assert!(
            m.contains("U+0022 QUOTATION MARK at character 2 of 16"),
            "{m}"
        );
    }

    #[test]
    fn quotes_of_the_dotenv_line_are_a_warning_of_this_item() {
        use crate::input::dotenv::DotenvFile;
        use crate::model::report::{SourceKind, Status};
        let cases: &[(&[u8], &[&str], Status)] = &[
            (b"SALESLAYER_API_KEY=aB3xY9zQ\n", &[], Status::Pass),
            (
                b"SALESLAYER_API_KEY=\"aB3xY9zQ\"\n",
                &["dotenv-quotes"],
                Status::Warn,
            ),
            (
                b"SALESLAYER_API_KEY='aB3xY9zQ'\n",
                &["dotenv-quotes"],
                Status::Warn,
            ),
            // docker and kubectl refuse an `export` line: no reader keeps the quotes, so
            // there is no list of readers that keep them to print (readers-agree names
            // what refuses the line).
            (
                b"export SALESLAYER_API_KEY=\"aB3xY9zQ\" # prod key\n",
                &[],
                Status::Pass,
            ),
        ];
        for (src, codes, status) in cases {
            let mut cx = crate::testing_support::cx_with_key(b"aB3xY9zQ");
            cx.key.env_name = "SALESLAYER_API_KEY".into();
            cx.key.candidates[0].source.kind = SourceKind::Dotenv;
            cx.key.dotenv = Some(DotenvFile::parse(".env", src));
            let o = crate::testing_support::run(&QuotedValue, &cx).unwrap();
            let got: Vec<_> = o.findings.iter().map(|f| f.code.as_str()).collect();
            assert_eq!(got, *codes, "{}", String::from_utf8_lossy(src));
            assert_eq!(o.status(), *status);
            if let Some(f) = o.findings.first() {
                assert_eq!(f.location, Some(Location::line(".env", 1)));
                // The readers named are the loader table's, as readers-agree names them.
                assert!(
                    f.message.ends_with(
                        ": dotenv libraries, docker compose (env_file), systemd EnvironmentFile= \
                         and a shell (set -a; . ./.env) remove the quotes, but docker run \
                         --env-file and kubectl --from-env-file keep them as part of the key"
                    ),
                    "{}",
                    f.message
                );
            }
        }
    }

    crate::testing_support::value_check_tests! {
        QuotedValue,
        quotes_around_and_inside: [
            (KEY, []),
            (format!("\"{KEY}\""), ["surrounding-quotes"]),
            (format!("'{KEY}'"), ["surrounding-quotes"]),
            (format!("`{KEY}`"), ["surrounding-quotes"]),
            (format!("\"{KEY}\"\n"), ["surrounding-quotes"]),
            (format!("\u{201C}{KEY}\u{201D}"), ["surrounding-quotes"]),
            (format!("\u{2018}{KEY}\u{2019}"), ["surrounding-quotes"]),
            (format!("\u{201E}{KEY}\u{201C}"), ["surrounding-quotes"]),
            (format!("\u{00AB}{KEY}\u{00BB}"), ["surrounding-quotes"]),
            (format!("\\\"{KEY}\\\""), ["escaped-quotes"]),
            (format!("\\'{KEY}\\'"), ["escaped-quotes"]),
            (
                format!("'\"{KEY}\"'"),
                ["surrounding-quotes", "surrounding-quotes"],
            ),
            (format!("\"{KEY}"), ["leading-quote"]),
            (format!("{KEY}'"), ["trailing-quote"]),
            ("aB3\"xY/9zQ==", ["inner-quote"]),
            (
                "\"aB3'xY/9zQ==\"",
                ["surrounding-quotes", "inner-quote"],
            ),
        ],
        leaks: [
            format!("'{CANARY}"),
            format!("{CANARY}`"),
        ],
        snapshot: format!("\u{201C}{CANARY}\u{201D}\n"),
    }
}
