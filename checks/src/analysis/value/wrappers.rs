//! What is wrapped around the key: labels pasted in front of it (`X-API-KEY: `,
//! `Bearer `), quotes, and placeholders found instead of a key.

use crate::model::report::Position;
use zeroize::Zeroizing;

/// A label pasted in front of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// `X-API-KEY: …` or `X-API-KEY=…` (any case, with or without spaces).
    HeaderName,
    /// `Authorization: …` (also `Authorization: Bearer …`).
    Authorization,
    /// `Bearer …` (also after `Authorization:` or `X-API-KEY:`).
    Bearer,
    /// `Basic …`.
    Basic,
    /// `Token …`.
    Token,
    /// `apikey=…`, `api_key=…`, `key=…`, `SALESLAYER_API_KEY=…`, `export NAME=…`.
    Assignment,
}

impl LabelKind {
    /// What was pasted, in words (never the user's text).
    pub fn what(self) -> &'static str {
        match self {
            LabelKind::HeaderName => "the header name `X-API-KEY:`",
            LabelKind::Authorization => "an `Authorization:` header name",
            LabelKind::Bearer => "the `Bearer` authentication scheme",
            LabelKind::Basic => "the `Basic` authentication scheme",
            LabelKind::Token => "the `Token` authentication scheme",
            LabelKind::Assignment => "a variable assignment (`NAME=` or `NAME:`)",
        }
    }
}

/// One pasted label: its kind and the characters (1-based, inclusive) it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// The kind of label.
    pub kind: LabelKind,
    /// First character of the label.
    pub from: usize,
    /// Last character of the label (including the separator and spaces after it).
    pub to: usize,
}

/// A comment after the key (` # …`): the characters (1-based, inclusive) from the
/// blank before the `#` to the value's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    /// First character (the space or TAB before the `#`).
    pub from: usize,
    /// Last character of the value.
    pub to: usize,
}

/// A problem with quote characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteDefect {
    /// The value is wrapped in quotes (possibly two different ones, e.g. “ and ”).
    Surrounding { open: Position, close: Position },
    /// The value is wrapped in backslash-escaped quotes (`\"…\"`).
    Escaped { open: Position, close: Position },
    /// One quote at the start, none at the end.
    Leading(Position),
    /// One quote at the end, none at the start.
    Trailing(Position),
    /// A quote inside the value.
    Inner(Position),
}

/// The form of a placeholder or unexpanded reference found instead of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderForm {
    /// `YOUR_API_KEY`, `<YOUR_API_KEY>`, `your-api-key`…
    DocsPlaceholder,
    /// `${…}`.
    ShellBraces,
    /// `$VAR`.
    ShellVariable,
    /// `$(…)`.
    DollarParens,
    /// `${{ … }}` (GitHub Actions expression).
    GithubExpression,
    /// `{{…}}`.
    DoubleBraces,
    /// `%VAR%`.
    WindowsVariable,
    /// `#{…}` (Octopus, Ruby and other template syntaxes).
    HashBraces,
    /// `<…>`, `[…]`.
    AngleBrackets,
    /// `undefined`, `null`, `None`, `nil`, `NaN`.
    NullWord,
    /// `changeme`, `TODO`, `test`, `secret`…
    PlaceholderWord,
    /// `xxxx`, `****`, `••••`, `<redacted>`.
    Masked,
    /// A value ending in `...` or `…`.
    Truncated,
}

/// A placeholder found; `word` is one of our own constant words when the form is a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder {
    /// The form.
    pub form: PlaceholderForm,
    /// Our constant spelling of the word (`undefined`, `changeme`…), never the user's text.
    pub word: Option<&'static str>,
}

const NULL_WORDS: [&str; 5] = ["undefined", "null", "None", "nil", "NaN"];
const PLACEHOLDER_WORDS: [&str; 24] = [
    "changeme",
    "change_me",
    "changeit",
    "todo",
    "fixme",
    "tbd",
    "test",
    "testing",
    "secret",
    "password",
    "dummy",
    "example",
    "sample",
    "placeholder",
    "replace_me",
    "replaceme",
    "key",
    "apikey",
    "api_key",
    "api-key",
    "token",
    "empty",
    "default",
    "none_set",
];
const DOCS_WORDS: [&str; 12] = [
    "yourapikey",
    "yourapikeyhere",
    "yourkey",
    "yourkeyhere",
    "yoursaleslayerapikey",
    "apikeyhere",
    "insertapikeyhere",
    "insertyourapikey",
    "insertyourapikeyhere",
    "enteryourapikey",
    "xapikeyvalue",
    "yourtoken",
];
const REDACTED_WORDS: [&str; 4] = ["redacted", "hidden", "masked", "secret_redacted"];

fn is_ident(s: &[char]) -> bool {
    !s.is_empty()
        && (s[0].is_ascii_alphabetic() || s[0] == '_')
        && s.iter().all(|c| c.is_ascii_alphanumeric() || *c == '_')
}

pub(super) fn find_placeholder(s: &[char]) -> Option<Placeholder> {
    let n = s.len();
    if n == 0 {
        return None;
    }
    let form = |form| Some(Placeholder { form, word: None });
    let lower: Zeroizing<String> =
        Zeroizing::new(s.iter().flat_map(|c| c.to_lowercase()).collect());
    let alnum: Zeroizing<String> = Zeroizing::new(
        lower
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect(),
    );
    if DOCS_WORDS.contains(&alnum.as_str()) {
        return form(PlaceholderForm::DocsPlaceholder);
    }
    let has = |pat: &str| lower.contains(pat);
    if has("${{") {
        return form(PlaceholderForm::GithubExpression);
    }
    if has("${") {
        return form(PlaceholderForm::ShellBraces);
    }
    if has("$(") {
        return form(PlaceholderForm::DollarParens);
    }
    if has("{{") && has("}}") {
        return form(PlaceholderForm::DoubleBraces);
    }
    if has("#{") && has("}") {
        return form(PlaceholderForm::HashBraces);
    }
    if s[0] == '$' && n >= 2 && is_ident(&s[1..]) {
        return form(PlaceholderForm::ShellVariable);
    }
    if n >= 3 && s[0] == '%' && s[n - 1] == '%' && is_ident(&s[1..n - 1]) {
        return form(PlaceholderForm::WindowsVariable);
    }
    let bracketed = n >= 2
        && ((s[0] == '<' && s[n - 1] == '>') || (s[0] == '[' && s[n - 1] == ']'))
        || (n >= 2 && s[0] == '{' && s[n - 1] == '}');
    if bracketed && REDACTED_WORDS.contains(&alnum.as_str()) {
        return form(PlaceholderForm::Masked);
    }
    if bracketed {
        return form(PlaceholderForm::AngleBrackets);
    }
    if n >= 3
        && (s.iter().all(|c| matches!(c, 'x' | 'X'))
            || s.iter().all(|c| matches!(c, '*' | '•' | '●' | '·' | '∙')))
    {
        return form(PlaceholderForm::Masked);
    }
    if REDACTED_WORDS.contains(&lower.as_str()) {
        return form(PlaceholderForm::Masked);
    }
    if lower.ends_with("...") || lower.ends_with('…') {
        return form(PlaceholderForm::Truncated);
    }
    if let Some(w) = NULL_WORDS.iter().find(|w| w.eq_ignore_ascii_case(&lower)) {
        return Some(Placeholder {
            form: PlaceholderForm::NullWord,
            word: Some(w),
        });
    }
    if let Some(w) = PLACEHOLDER_WORDS.iter().find(|w| **w == lower.as_str()) {
        return Some(Placeholder {
            form: PlaceholderForm::PlaceholderWord,
            word: Some(w),
        });
    }
    None
}

fn starts_ci(s: &[char], at: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    s.len() >= at + w.len()
        && s[at..at + w.len()]
            .iter()
            .zip(&w)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

fn skip_spaces(s: &[char], mut i: usize) -> usize {
    while i < s.len() && s[i] == ' ' {
        i += 1;
    }
    i
}

/// `Bearer ` / `Basic ` / `Token ` at `at`, followed by at least one space: the end index.
fn match_scheme(s: &[char], at: usize) -> Option<(LabelKind, usize)> {
    for (word, kind) in [
        ("bearer", LabelKind::Bearer),
        ("basic", LabelKind::Basic),
        ("token", LabelKind::Token),
    ] {
        let end = at + word.len();
        if starts_ci(s, at, word) && s.get(end) == Some(&' ') {
            return Some((kind, skip_spaces(s, end)));
        }
    }
    None
}

/// A label at the start of `s` (already trimmed): its kind and how many chars it takes.
pub(super) fn match_label(s: &[char]) -> Option<(LabelKind, usize)> {
    let n = s.len();
    let mut i = 0;
    if starts_ci(s, 0, "export") && s.get(6) == Some(&' ') {
        i = skip_spaces(s, 6);
    }
    let name_start = i;
    while i < n && (s[i].is_ascii_alphanumeric() || s[i] == '-' || s[i] == '_') {
        i += 1;
    }
    let name: Zeroizing<String> = Zeroizing::new(
        s[name_start..i]
            .iter()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    );
    let j = skip_spaces(s, i);
    if i > name_start && j < n && (s[j] == ':' || s[j] == '=') {
        let labelled = name.as_str() == "authorization"
            || name.ends_with("key")
            || name.ends_with("token")
            || name.ends_with("apikey");
        if labelled {
            let sep = s[j];
            let mut kind = match name.as_str() {
                "xapikey" => LabelKind::HeaderName,
                "authorization" => LabelKind::Authorization,
                _ => LabelKind::Assignment,
            };
            let mut k = skip_spaces(s, j + 1);
            if let Some((scheme, k2)) = match_scheme(s, k)
                && k2 < n
            {
                if kind != LabelKind::Authorization {
                    kind = scheme;
                }
                k = k2;
            }
            let rest = &s[k..];
            let rest_is_padding = !rest.is_empty() && rest.iter().all(|c| *c == '=');
            // `abcKEY=` is a base64 key with padding, not `NAME=`; `NAME:` alone is a label.
            if !rest_is_padding && (sep == ':' || !rest.is_empty()) {
                return Some((kind, k));
            }
        }
    }
    match match_scheme(s, 0) {
        Some((kind, k)) if k < n => Some((kind, k)),
        _ => scheme_alone(s),
    }
}

/// `Bearer` or `Basic` and nothing else (`Authorization: Bearer ` with the key left out):
/// a label with no key after it, not a six-letter key. `Token` alone stays a placeholder
/// word.
fn scheme_alone(s: &[char]) -> Option<(LabelKind, usize)> {
    [("bearer", LabelKind::Bearer), ("basic", LabelKind::Basic)]
        .into_iter()
        .find(|(word, _)| s.len() == word.len() && starts_ci(s, 0, word))
        .map(|(_, kind)| (kind, s.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let cases: &[(&str, Option<LabelKind>)] = &[
            ("X-API-KEY: abc", Some(LabelKind::HeaderName)),
            ("X-API-KEY:abc", Some(LabelKind::HeaderName)),
            ("x-api-key=abc", Some(LabelKind::HeaderName)),
            ("X-Api-Key :  abc", Some(LabelKind::HeaderName)),
            ("Bearer abc", Some(LabelKind::Bearer)),
            ("bearer  abc", Some(LabelKind::Bearer)),
            ("Authorization: abc", Some(LabelKind::Authorization)),
            ("Authorization: Bearer abc", Some(LabelKind::Authorization)),
            ("X-API-KEY: Bearer abc", Some(LabelKind::Bearer)),
            ("apikey=abc", Some(LabelKind::Assignment)),
            ("api_key=abc", Some(LabelKind::Assignment)),
            ("key=abc", Some(LabelKind::Assignment)),
            ("export SALESLAYER_API_KEY=abc", Some(LabelKind::Assignment)),
            ("Basic dXNlcjpwYXNz", Some(LabelKind::Basic)),
            ("X-API-KEY:", Some(LabelKind::HeaderName)),
            // The scheme alone: a label with the key left out.
            ("Bearer", Some(LabelKind::Bearer)),
            ("BASIC", Some(LabelKind::Basic)),
            // Not labels: base64 keys that happen to contain these letters.
            ("abcKEY==", None),
            ("keyAB3+/x=", None),
            ("Bearerabc", None),
            ("aB3+xY/9zQ==", None),
        ];
        for (s, want) in cases {
            let chars: Vec<char> = s.chars().collect();
            assert_eq!(match_label(&chars).map(|l| l.0), *want, "{s}");
        }
    }

    #[test]
    fn placeholders() {
        use PlaceholderForm::*;
        let cases: &[(&str, Option<PlaceholderForm>)] = &[
            ("YOUR_API_KEY", Some(DocsPlaceholder)),
            ("your-api-key", Some(DocsPlaceholder)),
            ("<YOUR_API_KEY>", Some(DocsPlaceholder)),
            ("${SALESLAYER_API_KEY}", Some(ShellBraces)),
            ("$SALESLAYER_API_KEY", Some(ShellVariable)),
            ("$(SL_KEY)", Some(DollarParens)),
            ("${{ secrets.SL_KEY }}", Some(GithubExpression)),
            ("%SL_KEY%", Some(WindowsVariable)),
            ("{{apiKey}}", Some(DoubleBraces)),
            ("#{SlKey}", Some(HashBraces)),
            ("<api key>", Some(AngleBrackets)),
            ("<redacted>", Some(Masked)),
            ("[REDACTED]", Some(Masked)),
            ("undefined", Some(NullWord)),
            ("null", Some(NullWord)),
            ("None", Some(NullWord)),
            ("nil", Some(NullWord)),
            ("changeme", Some(PlaceholderWord)),
            ("TODO", Some(PlaceholderWord)),
            ("test", Some(PlaceholderWord)),
            ("secret", Some(PlaceholderWord)),
            ("xxxxxxxx", Some(Masked)),
            ("XXXX", Some(Masked)),
            ("***", Some(Masked)),
            ("aB3+xY...", Some(Truncated)),
            ("aB3+xY/9zQ==", None),
            ("xxY", None),
        ];
        for (s, want) in cases {
            let chars: Vec<char> = s.chars().collect();
            assert_eq!(find_placeholder(&chars).map(|p| p.form), *want, "{s}");
        }
    }
}
