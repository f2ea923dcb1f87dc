//! `placeholder-value`: the key is a real key, not a placeholder or unexpanded reference.
//!
//! Many "invalid key" reports send no key at all: the documentation's `YOUR_API_KEY`
//! left in a config, a `${VAR}` that the shell, Compose or a CI system did not expand,
//! a Postman `{{apiKey}}` with no environment selected, or `undefined`/`null`/`None`
//! from a program that stringified a missing value. The API then answers 401 exactly as
//! for a wrong key, and the real cause is the configuration, not the key.
//!
//! The finding names the *form* that was found, never the text: not even a variable name
//! taken from the value is shown (only our own constant placeholder words are named).

use super::analyzed_text_key;
use super::key_source::KeySource;
use crate::analysis::value::{Placeholder, PlaceholderForm};
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::Finding;

crate::check! {
    /// The `placeholder-value` check.
    PlaceholderValue: "placeholder-value", KeyLoaded, "The key is a real key, not a placeholder or unexpanded variable",
    value_only, after [KeySource],
    codes: &[PLACEHOLDER, UNEXPANDED_REFERENCE, NULL_WORD, MASKED_VALUE, TRUNCATED_VALUE],
}

pub const PLACEHOLDER: Code = Code::fail(
    "placeholder",
    "A placeholder instead of a key: the documentation's YOUR_API_KEY (or a variant), a bracketed `<…>`, `[…]` or `{…}`, or a word such as `changeme`, `TODO`, `test` or `secret`",
);
pub const UNEXPANDED_REFERENCE: Code = Code::fail(
    "unexpanded-reference",
    "A reference nothing expanded: `${…}` or `$VAR` (shell, Compose), `$(…)` (Azure Pipelines, Kubernetes, command substitution), `${{ … }}` (GitHub Actions), `{{…}}` (Postman, templates), `%VAR%` (Windows cmd) or `#{…}` (Octopus Deploy, Ruby)",
);
pub const NULL_WORD: Code = Code::fail(
    "null-word",
    "A missing value turned into text: `undefined`, `null`, `None`, `nil` or `NaN`",
);
pub const MASKED_VALUE: Code = Code::fail(
    "masked-value",
    "A masked or redacted value (`xxxx`, `****`, `<redacted>`)",
);
pub const TRUNCATED_VALUE: Code =
    Code::fail("truncated-value", "A value shortened with `...` or `…`");

/// What was found, in words (never the user's text): "the word `undefined`: a missing
/// value turned into text".
pub fn describe(p: Placeholder) -> String {
    explain(p).1
}

/// The code, what was found, and how to fix it, for a form.
fn explain(p: Placeholder) -> (Code, String, String) {
    use PlaceholderForm::*;
    let (what, fix): (String, &str) = match p.form {
        DocsPlaceholder => (
            "the documentation's placeholder YOUR_API_KEY (or a variant of it)".into(),
            "Replace the placeholder with the real key. A key is issued per account by Sales Layer support or your account representative; ask for one that is enabled for the APIs you call (DAM, Catalog or both).",
        ),
        ShellBraces => (
            "an unexpanded `${…}` shell/compose reference".into(),
            "The variable was not expanded before the value reached the program: export it before the tool runs (`export NAME=…` in the same shell or CI step), use double quotes, not single quotes, around it in the shell, and for Docker Compose define it in the environment or the `.env` next to the compose file (Compose leaves nothing behind when it is unset, so a literal `${…}` means the value was read without any expansion, e.g. from a file).",
        ),
        ShellVariable => (
            "an unexpanded `$VAR` shell reference".into(),
            "The variable was not expanded: the value was written in single quotes, in a file that is read without a shell (a .env for `docker run --env-file`, a systemd unit, a YAML config), or the CI system does not expand variables there. Put the key itself in that place, or make sure a shell expands the reference before the program runs.",
        ),
        DollarParens => (
            "an unexpanded `$(…)` reference (an Azure Pipelines macro, a Kubernetes env reference or shell command substitution)".into(),
            "In Azure Pipelines a `$(NAME)` macro stays as it is when NAME is not defined: define the variable (secret variables must also be mapped into the step's `env:`). In Kubernetes `$(NAME)` only expands to a variable defined earlier in the same container's `env` list. In a shell the command substitution was quoted or not run.",
        ),
        GithubExpression => (
            "an unexpanded `${{ … }}` GitHub Actions expression".into(),
            "GitHub Actions only expands `${{ … }}` inside the workflow file: pass the secret to the step as `env: NAME: ${{ secrets.NAME }}` instead of writing the expression into a file or script that is read later.",
        ),
        DoubleBraces => (
            "an unresolved Postman variable `{{…}}` (or another unrendered `{{…}}` template)".into(),
            "In Postman select the environment that defines the variable (top-right environment selector), check the variable's name and scope, and that it has a Current value. For Helm, Jinja or Handlebars templates: the template was not rendered before the value was used.",
        ),
        WindowsVariable => (
            "an unexpanded `%VAR%` Windows cmd reference".into(),
            "cmd leaves `%NAME%` as it is when NAME is not set: set the variable (`set NAME=…`, or in System Properties › Environment Variables and open a new console). PowerShell uses `$env:NAME`, not `%NAME%`.",
        ),
        HashBraces => (
            "an unexpanded `#{…}` template reference (Octopus Deploy, Ruby and similar)".into(),
            "The variable substitution did not run or the variable is not defined for this environment or scope: define it, or put the key itself there.",
        ),
        AngleBrackets => (
            "a `<…>` placeholder".into(),
            "Replace the whole placeholder, brackets included, with the real key.",
        ),
        NullWord => (
            format!(
                "the word `{}`: a missing value turned into text",
                p.word.unwrap_or("null")
            ),
            "The program read a variable that is not set and converted the missing value to text (JavaScript `undefined`/`null`, Python `None`, Ruby/Go `nil`). Check the variable name and that it is set in the environment where the program runs (not only in your shell), and fail early when it is missing.",
        ),
        PlaceholderWord => (
            format!(
                "the placeholder word `{}`",
                p.word.unwrap_or("placeholder")
            ),
            "Replace the placeholder with the real key from Sales Layer.",
        ),
        Masked => (
            "a masked or redacted value (`xxxx`, `****`, `<redacted>`)".into(),
            "This is what a UI, a log or a support ticket shows instead of the key: copy the full key from the original source (or ask Sales Layer support for it); CI systems also show `***` for secrets, so check the source, not the log.",
        ),
        Truncated => (
            "a truncated value ending in `...` or `…`".into(),
            "A display shortened the key: copy the whole key from the original source.",
        ),
    };
    let code = match p.form {
        DocsPlaceholder | AngleBrackets | PlaceholderWord => PLACEHOLDER,
        ShellBraces | ShellVariable | DollarParens | GithubExpression | DoubleBraces
        | WindowsVariable | HashBraces => UNEXPANDED_REFERENCE,
        NullWord => NULL_WORD,
        Masked => MASKED_VALUE,
        Truncated => TRUNCATED_VALUE,
    };
    (code, what, fix.to_string())
}

impl PlaceholderValue {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let a = analyzed_text_key(cx)?;
        let Some(p) = a.placeholder else {
            return Ok(Outcome::pass(
                "The key is not a known placeholder or unexpanded reference",
            ));
        };
        let (code, what, fix) = explain(p);
        Ok(Outcome::from_findings(
            "The value is a placeholder, not a key",
            vec![
                Finding::new(
                    code,
                    format!(
                        "The value ({} characters) is {what}, not an API key",
                        a.graphemes
                    ),
                )
                .with_fix(fix),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::{
        CANARY, KEY, assert_codes, assert_fails_without_leak, assert_no_leak,
    };

    #[test]
    fn placeholders_by_form() {
        let cases: &[(&str, Option<&str>)] = &[
            (KEY, None),
            ("YOUR_API_KEY", Some("placeholder")),
            ("your_api_key", Some("placeholder")),
            ("your-api-key", Some("placeholder")),
            ("<YOUR_API_KEY>", Some("placeholder")),
            ("X-API-KEY: YOUR_API_KEY\n", Some("placeholder")),
            ("<key goes here>", Some("placeholder")),
            ("${SALESLAYER_API_KEY}", Some("unexpanded-reference")),
            ("\"${SALESLAYER_API_KEY}\"\n", Some("unexpanded-reference")),
            ("$SALESLAYER_API_KEY", Some("unexpanded-reference")),
            ("%SALESLAYER_API_KEY%", Some("unexpanded-reference")),
            ("$(SALESLAYER_API_KEY)", Some("unexpanded-reference")),
            ("${{ secrets.SL }}", Some("unexpanded-reference")),
            ("{{apiKey}}", Some("unexpanded-reference")),
            ("#{SlApiKey}", Some("unexpanded-reference")),
            ("undefined", Some("null-word")),
            ("null", Some("null-word")),
            ("None", Some("null-word")),
            ("nil", Some("null-word")),
            ("changeme", Some("placeholder")),
            ("TODO", Some("placeholder")),
            ("test", Some("placeholder")),
            ("secret", Some("placeholder")),
            ("xxxxxxxxxxxx", Some("masked-value")),
            ("XXXX", Some("masked-value")),
            ("***", Some("masked-value")),
            ("<redacted>", Some("masked-value")),
            ("aB3+xY/9...", Some("truncated-value")),
        ];
        for (input, want) in cases {
            let want: Vec<&str> = want.iter().copied().collect();
            assert_codes(&PlaceholderValue, input, &want);
        }
    }

    #[test]
    fn names_the_form_not_the_value() {
        let o = check("{{apiKey}}");
        let f = &o.findings[0];
        assert!(f.message.contains("an unresolved Postman variable `{{…}}`"));
        assert!(!f.message.contains("apiKey"), "{}", f.message);
        assert!(f.fix.as_deref().unwrap().contains("select the environment"));
        let o = check("${MY_SECRET_VAR_NAME}");
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.contains("an unexpanded `${…}` shell/compose reference"));
        assert!(!json.contains("MY_SECRET"), "{json}");
        let o = check("YOUR_API_KEY");
        assert!(
            o.findings[0]
                .message
                .contains("the documentation's placeholder YOUR_API_KEY")
        );
    }

    #[test]
    fn canary_never_leaks() {
        for w in [
            "${SLDOCTORcanary7Qx9}".to_string(),
            "$SLDOCTORcanary7Qx9".to_string(),
            "{{SLDOCTORcanary7Qx9}}".to_string(),
            "%SLDOCTORcanary7Qx9%".to_string(),
            "<SLDOCTORcanary7Qx9 Zk>".to_string(),
            "SLDOCTORcanary7Qx9+Zk/...".to_string(),
        ] {
            let o = assert_fails_without_leak(&PlaceholderValue, &w);
            assert_no_leak(&o, &w);
        }
        assert_no_leak(&check(CANARY), CANARY);
    }

    crate::testing_support::value_check_tests! {
        PlaceholderValue,
        snapshot: "{{SLDOCTORcanary7Qx9}}\n",
    }
}
