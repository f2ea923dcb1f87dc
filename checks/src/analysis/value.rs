//! The character-level analysis of the key value, shared by the value checks.
//!
//! Most rejected keys are not wrong keys but right keys with something around or inside
//! them: a trailing newline from `echo`, a zero-width space from a chat app, smart quotes
//! from a word processor, a pasted `Bearer ` or `X-API-KEY: `, an unexpanded `${VAR}`.
//! This module looks at the value once, character by character, and records what it
//! finds; each check (`header-value`, `pasted-label`, `quoted-value`, `extra-whitespace`,
//! `hidden-characters`, `lookalike-characters`, `placeholder-value`) only picks the part
//! it reports, so no character is reported by two checks.
//!
//! Nothing here reproduces the key: results are positions (1-based grapheme clusters,
//! as users count characters), code points, Unicode names and fingerprints. [`Analysis`]
//! has no `Debug`, and the per-character copy it keeps is zeroized on drop.
//!
//! The analysis also computes the *cleaned* value ([`Analysis::cleaned`]): the value with
//! every problem found here removed. Its length and fingerprint go into the report so
//! users can compare them with the key they were given, and a live probe can retry with it.

use crate::model::report::Position;
use crate::model::secret::SecretKey;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;
use zeroize::Zeroizing;

// ---------------------------------------------------------------------------------------
// Single characters: names and classes
// ---------------------------------------------------------------------------------------

/// `U+XXXX` (at least four hex digits).
pub fn codepoint(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The Unicode name of a character; the usual alias for controls, which have no name.
pub fn char_name(c: char) -> String {
    const C0: [&str; 32] = [
        "NULL",
        "START OF HEADING",
        "START OF TEXT",
        "END OF TEXT",
        "END OF TRANSMISSION",
        "ENQUIRY",
        "ACKNOWLEDGE",
        "BELL",
        "BACKSPACE",
        "CHARACTER TABULATION",
        "LINE FEED",
        "LINE TABULATION",
        "FORM FEED",
        "CARRIAGE RETURN",
        "SHIFT OUT",
        "SHIFT IN",
        "DATA LINK ESCAPE",
        "DEVICE CONTROL ONE",
        "DEVICE CONTROL TWO",
        "DEVICE CONTROL THREE",
        "DEVICE CONTROL FOUR",
        "NEGATIVE ACKNOWLEDGE",
        "SYNCHRONOUS IDLE",
        "END OF TRANSMISSION BLOCK",
        "CANCEL",
        "END OF MEDIUM",
        "SUBSTITUTE",
        "ESCAPE",
        "INFORMATION SEPARATOR FOUR",
        "INFORMATION SEPARATOR THREE",
        "INFORMATION SEPARATOR TWO",
        "INFORMATION SEPARATOR ONE",
    ];
    let n = c as u32;
    if n < 0x20 {
        return C0[n as usize].to_string();
    }
    match n {
        0x7F => return "DELETE".into(),
        0x85 => return "NEXT LINE".into(),
        0x80..=0x9F => return "C1 CONTROL".into(),
        _ => {}
    }
    match unicode_names2::name(c) {
        Some(name) => name.to_string(),
        None => "unnamed".into(),
    }
}

/// `U+200B ZERO WIDTH SPACE at character 4 of 7`.
pub fn describe(p: &Position) -> String {
    format!(
        "{} {} at character {} of {}",
        p.codepoint, p.name, p.character, p.of
    )
}

/// `U+0022 QUOTATION MARK` (no position).
pub fn describe_char(c: char) -> String {
    format!("{} {}", codepoint(c), char_name(c))
}

/// The ASCII whitespace that `extra-whitespace` reports at either end of the value.
pub fn is_edge_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Characters that refuse a request in reqwest/http: C0 controls except TAB, and DEL.
pub fn is_header_forbidden(c: char) -> bool {
    (c < ' ' && c != '\t') || c == '\u{7F}'
}

/// Default_Ignorable_Code_Point (Unicode DerivedCoreProperties), as a table.
fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Kinds of invisible characters (`hidden-characters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HiddenKind {
    /// U+200B, U+200C, U+200D, U+2060, U+180E…
    ZeroWidth,
    /// U+FEFF.
    ByteOrderMark,
    /// U+00AD.
    SoftHyphen,
    /// U+200E/200F, U+202A–202E, U+2066–2069, U+061C.
    BidiControl,
    /// U+FE00–FE0F, U+E0100–E01EF, U+180B–180D, U+180F.
    VariationSelector,
    /// U+E0000–E007F.
    TagCharacter,
    /// CR or LF inside the value.
    LineBreak,
    /// TAB inside the value.
    Tab,
    /// Another C0/C1 control or DEL.
    Control,
    /// A space other than U+0020 (NBSP, thin space, ideographic space…).
    UnusualSpace,
    /// U+2028, U+2029.
    LineSeparator,
    /// Hangul fillers (U+115F, U+1160, U+3164, U+FFA0).
    HangulFiller,
    /// Any other format or default-ignorable character.
    Format,
}

impl HiddenKind {
    /// Stable finding code.
    pub fn code(self) -> &'static str {
        match self {
            HiddenKind::ZeroWidth => "zero-width",
            HiddenKind::ByteOrderMark => "byte-order-mark",
            HiddenKind::SoftHyphen => "soft-hyphen",
            HiddenKind::BidiControl => "bidi-control",
            HiddenKind::VariationSelector => "variation-selector",
            HiddenKind::TagCharacter => "tag-character",
            HiddenKind::LineBreak => "inner-line-break",
            HiddenKind::Tab => "inner-tab",
            HiddenKind::Control => "control-character",
            HiddenKind::UnusualSpace => "unusual-space",
            HiddenKind::LineSeparator => "line-separator",
            HiddenKind::HangulFiller => "hangul-filler",
            HiddenKind::Format => "format-character",
        }
    }

    /// Where such a character usually comes from.
    pub fn origin(self) -> &'static str {
        match self {
            HiddenKind::ZeroWidth => {
                "an invisible zero-width character, typically picked up when copying from a chat app, a web page, a PDF or a rich-text editor"
            }
            HiddenKind::ByteOrderMark => {
                "a byte order mark, typically left at the start of a file saved as \"UTF-8 with BOM\" (Windows Notepad, PowerShell `Out-File`)"
            }
            HiddenKind::SoftHyphen => {
                "an invisible soft hyphen, typically added by a word processor or a web page that hyphenates long words"
            }
            HiddenKind::BidiControl => {
                "an invisible text-direction control, typically copied from a web page or a right-to-left text editor"
            }
            HiddenKind::VariationSelector => {
                "an invisible variation selector (it changes how the previous character is drawn)"
            }
            HiddenKind::TagCharacter => {
                "an invisible tag character (these can smuggle hidden text through copy and paste)"
            }
            HiddenKind::LineBreak => {
                "a line break inside the value, typically from a key copied across a wrapped line"
            }
            HiddenKind::Tab => "a tab inside the value",
            HiddenKind::Control => {
                "a control character, typically from a terminal, a binary file or a broken encoding"
            }
            HiddenKind::UnusualSpace => {
                "a space that is not a plain space (a no-break or typographic space), typically from a web page, a PDF or a word processor"
            }
            HiddenKind::LineSeparator => "an invisible Unicode line or paragraph separator",
            HiddenKind::HangulFiller => "an invisible Hangul filler character",
            HiddenKind::Format => "an invisible formatting character",
        }
    }
}

/// The invisible-character class of `c`, or `None` for a visible character and for U+0020.
pub fn hidden_kind(c: char) -> Option<HiddenKind> {
    let n = c as u32;
    let kind = match n {
        0x200B..=0x200D | 0x2060 | 0x180E => HiddenKind::ZeroWidth,
        0xFEFF => HiddenKind::ByteOrderMark,
        0x00AD => HiddenKind::SoftHyphen,
        0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0x061C => HiddenKind::BidiControl,
        0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0x180B..=0x180D | 0x180F => {
            HiddenKind::VariationSelector
        }
        0xE0000..=0xE007F => HiddenKind::TagCharacter,
        0x0A | 0x0D => HiddenKind::LineBreak,
        0x09 => HiddenKind::Tab,
        0x115F | 0x1160 | 0x3164 | 0xFFA0 => HiddenKind::HangulFiller,
        0x20 => return None,
        _ => match c.general_category() {
            GeneralCategory::Control => HiddenKind::Control,
            GeneralCategory::SpaceSeparator => HiddenKind::UnusualSpace,
            GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
                HiddenKind::LineSeparator
            }
            GeneralCategory::Format => HiddenKind::Format,
            _ if is_default_ignorable(c) => HiddenKind::Format,
            _ => return None,
        },
    };
    Some(kind)
}

/// Quote characters: ASCII, typographic, guillemets, primes and fullwidth forms.
pub fn is_quote(c: char) -> bool {
    matches!(c as u32,
        0x22 | 0x27 | 0x60 | 0xAB | 0xB4 | 0xBB | 0x02BC | 0x2018..=0x201F | 0x2032..=0x2037
        | 0x2039 | 0x203A | 0x301D..=0x301F | 0xFF02 | 0xFF07)
}

/// Kinds of visible non-ASCII characters (`lookalike-characters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookalikeKind {
    /// U+FF01–FF5E: a fullwidth form of an ASCII character (CJK input methods).
    Fullwidth,
    /// U+2010–2015, U+2212…: a typographic dash or minus.
    TypographicDash,
    /// A compatibility form (superscript, ligature, circled…) with an ASCII equivalent.
    CompatibilityForm,
    /// A letter of another script that looks like an ASCII one (Cyrillic а, Greek ο…).
    Confusable,
    /// Any other non-ASCII character.
    NonAscii,
}

impl LookalikeKind {
    /// Stable finding code.
    pub fn code(self) -> &'static str {
        match self {
            LookalikeKind::Fullwidth => "fullwidth",
            LookalikeKind::TypographicDash => "typographic-dash",
            LookalikeKind::CompatibilityForm => "compatibility-form",
            LookalikeKind::Confusable => "confusable",
            LookalikeKind::NonAscii => "non-ascii",
        }
    }
}

/// A visible non-ASCII character and its ASCII suggestion, when there is a single one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookalike {
    /// What kind of character it is.
    pub kind: LookalikeKind,
    /// The ASCII character it most likely stands for.
    pub suggestion: Option<char>,
}

fn single_ascii(mut it: impl Iterator<Item = char>) -> Option<char> {
    let first = it.next()?;
    if it.next().is_none() && ('!'..='~').contains(&first) {
        Some(first)
    } else {
        None
    }
}

/// The look-alike class of `c`: visible, non-ASCII, not invisible, not a quote.
pub fn lookalike(c: char) -> Option<Lookalike> {
    if c.is_ascii() || hidden_kind(c).is_some() || is_quote(c) {
        return None;
    }
    let mut buf = [0u8; 4];
    let s: &str = c.encode_utf8(&mut buf);
    let nfkc = single_ascii(s.nfkc());
    let skel = single_ascii(unicode_security::skeleton(s));
    let n = c as u32;
    let kind = if (0xFF01..=0xFF5E).contains(&n) {
        LookalikeKind::Fullwidth
    } else if matches!(n, 0x2010..=0x2015 | 0x2212 | 0x2043 | 0xFE58 | 0xFE63) {
        LookalikeKind::TypographicDash
    } else if nfkc.is_some() {
        LookalikeKind::CompatibilityForm
    } else if skel.is_some() {
        LookalikeKind::Confusable
    } else {
        LookalikeKind::NonAscii
    };
    let suggestion = match kind {
        LookalikeKind::TypographicDash => Some('-'),
        _ => nfkc.or(skel),
    };
    Some(Lookalike { kind, suggestion })
}

// ---------------------------------------------------------------------------------------
// Pasted labels, quotes, placeholders
// ---------------------------------------------------------------------------------------

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
    /// Stable finding code.
    pub fn code(self) -> &'static str {
        match self {
            LabelKind::HeaderName => "header-name",
            LabelKind::Authorization => "authorization-header",
            LabelKind::Bearer => "bearer-scheme",
            LabelKind::Basic => "basic-scheme",
            LabelKind::Token => "token-scheme",
            LabelKind::Assignment => "variable-assignment",
        }
    }

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

impl QuoteDefect {
    /// Stable finding code.
    pub fn code(&self) -> &'static str {
        match self {
            QuoteDefect::Surrounding { .. } => "surrounding-quotes",
            QuoteDefect::Escaped { .. } => "escaped-quotes",
            QuoteDefect::Leading(_) => "leading-quote",
            QuoteDefect::Trailing(_) => "trailing-quote",
            QuoteDefect::Inner(_) => "inner-quote",
        }
    }
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

impl PlaceholderForm {
    /// Stable finding code.
    pub fn code(self) -> &'static str {
        match self {
            PlaceholderForm::DocsPlaceholder => "docs-placeholder",
            PlaceholderForm::ShellBraces => "shell-reference",
            PlaceholderForm::ShellVariable => "shell-variable",
            PlaceholderForm::DollarParens => "dollar-parens-reference",
            PlaceholderForm::GithubExpression => "github-expression",
            PlaceholderForm::DoubleBraces => "postman-variable",
            PlaceholderForm::WindowsVariable => "windows-variable",
            PlaceholderForm::HashBraces => "hash-brace-reference",
            PlaceholderForm::AngleBrackets => "angle-placeholder",
            PlaceholderForm::NullWord => "null-word",
            PlaceholderForm::PlaceholderWord => "placeholder-word",
            PlaceholderForm::Masked => "masked-value",
            PlaceholderForm::Truncated => "truncated-value",
        }
    }
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

fn find_placeholder(s: &[char]) -> Option<Placeholder> {
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
fn match_label(s: &[char]) -> Option<(LabelKind, usize)> {
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
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------------------

/// Where a value stops being valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8 {
    /// 1-based byte position of the first invalid byte.
    pub byte: usize,
    /// Number of bytes.
    pub of: usize,
    /// The byte.
    pub value: u8,
}

/// The analysis of one value. No `Debug`: it holds a per-character copy of the key.
pub struct Analysis {
    /// Set when the value is not valid UTF-8 (everything else is then empty).
    pub invalid_utf8: Option<InvalidUtf8>,
    /// Number of bytes.
    pub byte_len: usize,
    /// Number of characters (grapheme clusters).
    pub graphemes: usize,
    chars: Zeroizing<Vec<char>>,
    index: Vec<usize>,
    edge_ws: Vec<bool>,
    label_span: Vec<bool>,
    /// Labels pasted in front of the key, outermost first.
    pub labels: Vec<Label>,
    /// Quote problems, outermost first.
    pub quotes: Vec<QuoteDefect>,
    /// A placeholder found instead of a key.
    pub placeholder: Option<Placeholder>,
    cleaned: Option<SecretKey>,
}

/// Analyses a key value.
pub fn analyze(key: &SecretKey) -> Analysis {
    let bytes = key.expose_bytes();
    let mut a = Analysis {
        invalid_utf8: None,
        byte_len: bytes.len(),
        graphemes: 0,
        chars: Zeroizing::new(Vec::new()),
        index: Vec::new(),
        edge_ws: Vec::new(),
        label_span: Vec::new(),
        labels: Vec::new(),
        quotes: Vec::new(),
        placeholder: None,
        cleaned: None,
    };
    let s = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let at = e.valid_up_to();
            a.invalid_utf8 = Some(InvalidUtf8 {
                byte: at + 1,
                of: bytes.len(),
                value: bytes[at],
            });
            return a;
        }
    };
    for (g, grapheme) in s.graphemes(true).enumerate() {
        for c in grapheme.chars() {
            a.chars.push(c);
            a.index.push(g + 1);
        }
        a.graphemes = g + 1;
    }
    let n = a.chars.len();
    a.edge_ws = vec![false; n];
    a.label_span = vec![false; n];

    // Edge whitespace: leading and trailing runs of space/TAB/CR/LF, looking through
    // other invisible characters (those are reported by `hidden-characters`).
    for i in 0..n {
        let c = a.chars[i];
        if is_edge_whitespace(c) {
            a.edge_ws[i] = true;
        } else if hidden_kind(c).is_none() {
            break;
        }
    }
    for i in (0..n).rev() {
        let c = a.chars[i];
        if is_edge_whitespace(c) {
            a.edge_ws[i] = true;
        } else if hidden_kind(c).is_none() {
            break;
        }
    }

    // The visible core: indices of characters that are neither invisible nor edge spaces.
    let visible: Vec<usize> = (0..n)
        .filter(|&i| !a.edge_ws[i] && hidden_kind(a.chars[i]).is_none())
        .collect();
    let core: Zeroizing<Vec<char>> = Zeroizing::new(visible.iter().map(|&i| a.chars[i]).collect());
    let (mut lo, mut hi) = (0usize, core.len());
    let trim = |lo: &mut usize, hi: &mut usize| {
        while *lo < *hi && core[*lo] == ' ' {
            *lo += 1;
        }
        while *hi > *lo && core[*hi - 1] == ' ' {
            *hi -= 1;
        }
    };
    trim(&mut lo, &mut hi);

    // Peel labels and quotes, in whatever order they were wrapped.
    for _ in 0..4 {
        let before = (lo, hi);
        if let Some((kind, len)) = match_label(&core[lo..hi]) {
            for &v in &visible[lo..lo + len] {
                a.label_span[v] = true;
            }
            a.labels.push(Label {
                kind,
                from: a.index[visible[lo]],
                to: a.index[visible[lo + len - 1]],
            });
            lo += len;
            trim(&mut lo, &mut hi);
        }
        let len = hi - lo;
        if len >= 4
            && core[lo] == '\\'
            && is_quote(core[lo + 1])
            && core[hi - 2] == '\\'
            && is_quote(core[hi - 1])
        {
            a.quotes.push(QuoteDefect::Escaped {
                open: a.pos(visible[lo + 1]),
                close: a.pos(visible[hi - 1]),
            });
            lo += 2;
            hi -= 2;
            trim(&mut lo, &mut hi);
        } else if len >= 2 && is_quote(core[lo]) && is_quote(core[hi - 1]) {
            a.quotes.push(QuoteDefect::Surrounding {
                open: a.pos(visible[lo]),
                close: a.pos(visible[hi - 1]),
            });
            lo += 1;
            hi -= 1;
            trim(&mut lo, &mut hi);
        } else if len >= 1 && is_quote(core[lo]) {
            a.quotes.push(QuoteDefect::Leading(a.pos(visible[lo])));
            lo += 1;
            trim(&mut lo, &mut hi);
        } else if len >= 1 && is_quote(core[hi - 1]) {
            a.quotes.push(QuoteDefect::Trailing(a.pos(visible[hi - 1])));
            hi -= 1;
            trim(&mut lo, &mut hi);
        }
        if (lo, hi) == before {
            break;
        }
    }
    for k in lo..hi {
        if is_quote(core[k]) {
            a.quotes.push(QuoteDefect::Inner(a.pos(visible[k])));
        }
    }

    let body = &core[lo..hi];
    a.placeholder = find_placeholder(body);

    // The cleaned value: the core, look-alikes mapped to their ASCII suggestion.
    if a.placeholder.is_none() && !body.is_empty() {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            body.iter()
                .map(|&c| lookalike(c).and_then(|l| l.suggestion).unwrap_or(c))
                .collect(),
        );
        if cleaned.as_bytes() != bytes {
            a.cleaned = Some(SecretKey::from_bytes(cleaned.as_bytes().to_vec()));
        }
    }
    a
}

/// The cleaned value of a key, when cleaning changes it and the result is not a placeholder.
pub fn cleaned_key(key: &SecretKey) -> Option<SecretKey> {
    analyze(key).cleaned
}

impl Analysis {
    /// The position of the `i`-th code point.
    fn pos(&self, i: usize) -> Position {
        let c = self.chars[i];
        Position {
            character: self.index[i],
            of: self.graphemes,
            codepoint: codepoint(c),
            name: char_name(c),
        }
    }

    /// Whether the value is valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        self.invalid_utf8.is_none()
    }

    /// Whether the value has no bytes.
    pub fn is_empty(&self) -> bool {
        self.byte_len == 0
    }

    /// Whether every character is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.is_utf8() && self.chars.iter().all(|c| c.is_ascii())
    }

    /// Whether the value is only whitespace (space, TAB, CR, LF) and not empty.
    pub fn only_whitespace(&self) -> bool {
        !self.chars.is_empty() && self.chars.iter().all(|c| is_edge_whitespace(*c))
    }

    /// Characters reqwest/http refuse in a header value.
    pub fn header_forbidden(&self) -> Vec<Position> {
        (0..self.chars.len())
            .filter(|&i| is_header_forbidden(self.chars[i]))
            .map(|i| self.pos(i))
            .collect()
    }

    /// Non-ASCII characters (sent as raw UTF-8 bytes).
    pub fn non_ascii(&self) -> Vec<Position> {
        (0..self.chars.len())
            .filter(|&i| !self.chars[i].is_ascii())
            .map(|i| self.pos(i))
            .collect()
    }

    /// The leading whitespace run (positions), outermost first.
    pub fn leading_whitespace(&self) -> Vec<Position> {
        let first_visible = (0..self.chars.len())
            .find(|&i| !self.edge_ws[i] && hidden_kind(self.chars[i]).is_none());
        match first_visible {
            None => Vec::new(),
            Some(f) => (0..f)
                .filter(|&i| self.edge_ws[i])
                .map(|i| self.pos(i))
                .collect(),
        }
    }

    /// The trailing whitespace run (positions), in order.
    pub fn trailing_whitespace(&self) -> Vec<Position> {
        let last_visible = (0..self.chars.len())
            .rev()
            .find(|&i| !self.edge_ws[i] && hidden_kind(self.chars[i]).is_none());
        match last_visible {
            None => Vec::new(),
            Some(l) => (l + 1..self.chars.len())
                .filter(|&i| self.edge_ws[i])
                .map(|i| self.pos(i))
                .collect(),
        }
    }

    /// Plain spaces inside the value (not at the ends, not part of a pasted label).
    pub fn inner_spaces(&self) -> Vec<Position> {
        (0..self.chars.len())
            .filter(|&i| self.chars[i] == ' ' && !self.edge_ws[i] && !self.label_span[i])
            .map(|i| self.pos(i))
            .collect()
    }

    /// Invisible characters not reported as edge whitespace.
    pub fn hidden(&self) -> Vec<(HiddenKind, Position)> {
        (0..self.chars.len())
            .filter(|&i| !self.edge_ws[i])
            .filter_map(|i| hidden_kind(self.chars[i]).map(|k| (k, self.pos(i))))
            .collect()
    }

    /// Visible non-ASCII characters that are not quotes.
    pub fn lookalikes(&self) -> Vec<(Lookalike, Position)> {
        (0..self.chars.len())
            .filter_map(|i| lookalike(self.chars[i]).map(|l| (l, self.pos(i))))
            .collect()
    }

    /// The cleaned value (see the module docs), when cleaning changes the value.
    pub fn cleaned(&self) -> Option<SecretKey> {
        self.cleaned.clone()
    }

    /// `cleaned value: 44 characters, sha256:…`, when there is a cleaned value.
    pub fn cleaned_detail(&self) -> Option<String> {
        self.cleaned.as_ref().map(|k| {
            format!(
                "cleaned value: {} characters, {} (compare with the key you were given)",
                k.char_len(),
                k.fingerprint()
            )
        })
    }

    /// `44 characters, sha256:…` of the value as given.
    pub fn as_given(key: &SecretKey) -> String {
        format!(
            "value as given: {} characters, {}",
            key.char_len(),
            key.fingerprint()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> SecretKey {
        SecretKey::from_string(s.into())
    }

    #[test]
    fn names_and_codepoints() {
        let cases = [
            ('\u{200B}', "U+200B ZERO WIDTH SPACE"),
            ('\0', "U+0000 NULL"),
            ('\t', "U+0009 CHARACTER TABULATION"),
            ('\n', "U+000A LINE FEED"),
            ('\r', "U+000D CARRIAGE RETURN"),
            ('\u{1B}', "U+001B ESCAPE"),
            ('\u{7F}', "U+007F DELETE"),
            ('\u{FEFF}', "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
            ('\u{E0041}', "U+E0041 TAG LATIN CAPITAL LETTER A"),
            ('\u{201C}', "U+201C LEFT DOUBLE QUOTATION MARK"),
            ('\u{0430}', "U+0430 CYRILLIC SMALL LETTER A"),
            ('\u{10FFFF}', "U+10FFFF unnamed"),
        ];
        for (c, want) in cases {
            assert_eq!(describe_char(c), want);
        }
    }

    #[test]
    fn hidden_classes() {
        let cases = [
            ('\u{200B}', Some(HiddenKind::ZeroWidth)),
            ('\u{2060}', Some(HiddenKind::ZeroWidth)),
            ('\u{FEFF}', Some(HiddenKind::ByteOrderMark)),
            ('\u{00AD}', Some(HiddenKind::SoftHyphen)),
            ('\u{202E}', Some(HiddenKind::BidiControl)),
            ('\u{FE0F}', Some(HiddenKind::VariationSelector)),
            ('\u{E0041}', Some(HiddenKind::TagCharacter)),
            ('\u{00A0}', Some(HiddenKind::UnusualSpace)),
            ('\u{3000}', Some(HiddenKind::UnusualSpace)),
            ('\u{2028}', Some(HiddenKind::LineSeparator)),
            ('\u{3164}', Some(HiddenKind::HangulFiller)),
            ('\u{1D173}', Some(HiddenKind::Format)),
            ('\u{FFF0}', Some(HiddenKind::Format)),
            ('\u{0085}', Some(HiddenKind::Control)),
            ('\n', Some(HiddenKind::LineBreak)),
            (' ', None),
            ('a', None),
            ('+', None),
            ('\u{0430}', None),
        ];
        for (c, want) in cases {
            assert_eq!(hidden_kind(c), want, "{}", codepoint(c));
        }
    }

    #[test]
    fn lookalike_suggestions() {
        let cases = [
            ('\u{FF21}', LookalikeKind::Fullwidth, Some('A')),
            ('\u{FF10}', LookalikeKind::Fullwidth, Some('0')),
            ('\u{0430}', LookalikeKind::Confusable, Some('a')),
            ('\u{03BF}', LookalikeKind::Confusable, Some('o')),
            ('\u{2013}', LookalikeKind::TypographicDash, Some('-')),
            ('\u{2212}', LookalikeKind::TypographicDash, Some('-')),
            ('\u{00B2}', LookalikeKind::CompatibilityForm, Some('2')),
            ('\u{00E9}', LookalikeKind::NonAscii, None),
        ];
        for (c, kind, sugg) in cases {
            let l = lookalike(c).unwrap_or_else(|| panic!("{}", codepoint(c)));
            assert_eq!((l.kind, l.suggestion), (kind, sugg), "{}", codepoint(c));
        }
        for c in ['a', '\u{201C}', '\u{00A0}', '\u{200B}'] {
            assert_eq!(lookalike(c), None, "{}", codepoint(c));
        }
    }

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

    #[test]
    fn cleaning() {
        let clean = "aB3+xY/9zQ==";
        let cases = [
            "aB3+xY/9zQ==\n",
            "aB3+xY/9zQ==\r\n",
            " \taB3+xY/9zQ== ",
            "\"aB3+xY/9zQ==\"",
            "'aB3+xY/9zQ=='\n",
            "\u{201C}aB3+xY/9zQ==\u{201D}",
            "\\\"aB3+xY/9zQ==\\\"",
            "X-API-KEY: aB3+xY/9zQ==",
            "X-API-KEY: \"aB3+xY/9zQ==\"",
            "\"X-API-KEY: aB3+xY/9zQ==\"",
            "Authorization: Bearer aB3+xY/9zQ==",
            "\u{FEFF}aB3\u{200B}+xY/9zQ==",
            "\u{FF41}B3+xY/9zQ==",
            "\u{0430}B3+xY/9zQ==",
            "aB3+xY/9zQ==\u{00A0}",
        ];
        for s in cases {
            let got = cleaned_key(&key(s)).unwrap_or_else(|| panic!("{s:?} not cleaned"));
            assert_eq!(got.expose_str(), Some(clean), "{s:?}");
        }
        for s in [clean, "", "   ", "YOUR_API_KEY", "\"${SL_KEY}\"\n"] {
            assert!(cleaned_key(&key(s)).is_none(), "{s:?}");
        }
        assert!(cleaned_key(&SecretKey::from_bytes(b"ab\xff".to_vec())).is_none());
    }

    /// The seven value checks.
    fn value_checks() -> Vec<Box<dyn crate::Check>> {
        vec![
            Box::new(crate::checklist::header_present::header_value::HeaderValue),
            Box::new(crate::checklist::header_present::pasted_label::PastedLabel),
            Box::new(crate::checklist::no_quotes::quoted_value::QuotedValue),
            Box::new(crate::checklist::key_loaded::extra_whitespace::ExtraWhitespace),
            Box::new(crate::checklist::key_loaded::hidden_characters::HiddenCharacters),
            Box::new(crate::checklist::key_loaded::lookalike_characters::LookalikeCharacters),
            Box::new(crate::checklist::key_loaded::placeholder_value::PlaceholderValue),
        ]
    }

    #[test]
    fn a_clean_key_passes_every_value_check() {
        use crate::testing::{CANARY, cx_with_key, run};
        for k in ["aB3+xY/9zQ==", CANARY] {
            let cx = cx_with_key(k.as_bytes());
            for c in value_checks() {
                let o = run(c.as_ref(), &cx).unwrap();
                assert_eq!(
                    o.status(),
                    crate::model::report::Status::Pass,
                    "{}",
                    c.meta().id
                );
                assert!(
                    o.findings.is_empty() && o.details.is_empty(),
                    "{}",
                    c.meta().id
                );
            }
        }
    }

    #[test]
    fn each_character_is_reported_by_one_key_loaded_check() {
        use crate::testing::{CANARY, assert_no_leak, cx_with_key, run};
        // Every defect at once: each code point is named by exactly one of the
        // character-level checks (header-value only summarises non-ASCII).
        let value =
            " \u{201C}SLDOCTOR\u{200B}c\u{0430}nary 7Qx9\u{00A0}+Zk/4mW2=\u{201D}\r\n".to_string();
        let cx = cx_with_key(value.as_bytes());
        let mut seen = Vec::new();
        for c in value_checks() {
            let o = run(c.as_ref(), &cx).unwrap();
            assert_no_leak(&o, CANARY);
            if c.meta().id == "header-value" {
                continue;
            }
            for f in &o.findings {
                if let Some(p) = &f.position {
                    seen.push((p.character, p.codepoint.clone()));
                }
            }
        }
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(seen.len(), dedup.len(), "{seen:?}");
        let cleaned = cleaned_key(&key(&value)).unwrap();
        // The inner plain space is kept: it is reported, not guessed away.
        assert_eq!(cleaned.expose_str(), Some("SLDOCTORcanary 7Qx9+Zk/4mW2="));
    }

    #[test]
    fn positions_count_graphemes() {
        let a = analyze(&key("abc\u{200B}def"));
        assert_eq!(a.graphemes, 7);
        let h = a.hidden();
        assert_eq!(h.len(), 1);
        assert_eq!(
            describe(&h[0].1),
            "U+200B ZERO WIDTH SPACE at character 4 of 7"
        );
        // CR LF is one grapheme: both code points report character 4.
        let a = analyze(&key("abc\r\n"));
        let t = a.trailing_whitespace();
        assert_eq!(
            t.iter()
                .map(|p| (p.character, p.codepoint.as_str()))
                .collect::<Vec<_>>(),
            [(4, "U+000D"), (4, "U+000A")]
        );
        assert_eq!(a.graphemes, 4);
    }
}
