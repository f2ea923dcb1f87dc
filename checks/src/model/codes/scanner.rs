//! A scan of this crate's sources for finding codes, so that a code emitted by a check but
//! missing from the registry fails a test, without touching the checks.
//!
//! The scanner reads every `.rs` file under `checks/src`, drops comments and test code
//! (`#[cfg(test)]` items, and the files of `#[cfg(test)] mod x;`), and splits the rest
//! into tokens, so line breaks and formatting do not matter. A code is a kebab-case
//! string literal (`"[a-z0-9]+(-[a-z0-9]+)*"`) in one of these places:
//!
//! 1. the first argument of `Finding::fail(`, `Finding::warn(`, `Finding::info(` or
//!    `Finding::new(` (every literal there, e.g. both arms of `if c { "a" } else { "b" }`);
//! 2. a value of a function named `code` or `classify`: a literal after `=>` or alone in
//!    a block (`{ "a" }`), or the first element of such a tuple (`=> ("a", …)`), the
//!    way `HiddenKind::code`, `TlsSetupError::code` and `tls::classify` return codes;
//! 3. a value bound to a variable named `code`: `let code = "a";`,
//!    `let code = match … { … => "a" }`, or
//!    the matching element of the tuples in `let (code, what, …) = …`, the way
//!    `extra-whitespace`, `header-value`, the URL analysis and `http::classify` pick one;
//! 4. a field `code: "a"` in a struct literal.
//!
//! A code passed to a finding in another way (through a helper's parameter, say) is not
//! seen here; the runner asserts `codes::is_known` for every finding at run time in
//! debug builds, which catches it in the integration tests.
//!
//! The scan also reads `has_code("check", "code")` calls (the diagnosis step) and checks
//! each pair against the registry.

use super::{CODES, checks_using, is_kebab_case, is_known};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

/// Splits Rust source into identifiers, string literals and punctuation; comments,
/// whitespace, char literals and lifetimes are dropped.
fn lex(src: &str) -> Vec<Tok> {
    let s: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && s.get(i + 1) == Some(&'/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && s.get(i + 1) == Some(&'*') {
            i = skip_block_comment(&s, i);
        } else if c == '"' {
            let (text, end) = read_string(&s, i + 1);
            out.push(Tok::Str(text));
            i = end;
        } else if let Some((hashes, start)) = raw_string_start(&s, i) {
            let (text, end) = read_raw_string(&s, start, hashes);
            out.push(Tok::Str(text));
            i = end;
        } else if c == 'b' && s.get(i + 1) == Some(&'"') {
            let (text, end) = read_string(&s, i + 2);
            out.push(Tok::Str(text));
            i = end;
        } else if c == '\'' {
            i = skip_char_or_lifetime(&s, i);
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < s.len() && (s[i].is_alphanumeric() || s[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(s[start..i].iter().collect()));
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    out
}

fn skip_block_comment(s: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < s.len() {
        if s[i] == '/' && s.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// The text of a `"…"` literal starting after its opening quote (escapes kept as
/// written: codes have none), and the index after its closing quote.
fn read_string(s: &[char], mut i: usize) -> (String, usize) {
    let mut text = String::new();
    while i < s.len() && s[i] != '"' {
        if s[i] == '\\' {
            text.push(s[i]);
            i += 1;
        }
        if i < s.len() {
            text.push(s[i]);
        }
        i += 1;
    }
    (text, i + 1)
}

/// `r"`, `r#"`, `br"`, `br#"`…: the number of `#` and the index after the opening quote.
fn raw_string_start(s: &[char], i: usize) -> Option<(usize, usize)> {
    let prev_is_ident = i > 0 && (s[i - 1].is_alphanumeric() || s[i - 1] == '_');
    if prev_is_ident {
        return None;
    }
    let mut j = i;
    if s.get(j) == Some(&'b') {
        j += 1;
    }
    if s.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = s[j..].iter().take_while(|c| **c == '#').count();
    (s.get(j + hashes) == Some(&'"')).then_some((hashes, j + hashes + 1))
}

fn read_raw_string(s: &[char], mut i: usize, hashes: usize) -> (String, usize) {
    let start = i;
    while i < s.len() {
        if s[i] == '"'
            && s[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            return (s[start..i].iter().collect(), i + 1 + hashes);
        }
        i += 1;
    }
    (s[start..].iter().collect(), s.len())
}

/// A char literal (`'a'`, `'\n'`, `'\u{200B}'`) or a lifetime (`'static`): skipped.
fn skip_char_or_lifetime(s: &[char], i: usize) -> usize {
    if s.get(i + 1) == Some(&'\\') {
        let mut j = i + 2;
        while j < s.len() && s[j] != '\'' {
            j += 1;
        }
        return j + 1;
    }
    if s.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    let mut j = i + 1;
    while j < s.len() && (s[j].is_alphanumeric() || s[j] == '_') {
        j += 1;
    }
    j
}

fn punct(t: Option<&Tok>, c: char) -> bool {
    t == Some(&Tok::Punct(c))
}

fn ident(t: Option<&Tok>, name: &str) -> bool {
    matches!(t, Some(Tok::Ident(n)) if n == name)
}

fn depth_change(t: &Tok) -> i32 {
    match t {
        Tok::Punct('(' | '[' | '{') => 1,
        Tok::Punct(')' | ']' | '}') => -1,
        _ => 0,
    }
}

/// The index of the token that closes the bracket opened at `open`.
fn closing(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(open) {
        depth += depth_change(t);
        if depth == 0 {
            return i;
        }
    }
    toks.len()
}

const ITEM_KEYWORDS: [&str; 14] = [
    "fn", "mod", "impl", "struct", "enum", "use", "const", "static", "pub", "type", "trait",
    "async", "unsafe", "extern",
];

/// Removes `#[cfg(test)]` items; returns the names of `#[cfg(test)] mod name;` files.
fn strip_test_code(toks: Vec<Tok>) -> (Vec<Tok>, Vec<String>) {
    let mut out = Vec::new();
    let mut test_mods = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let is_cfg_test = punct(toks.get(i), '#')
            && punct(toks.get(i + 1), '[')
            && ident(toks.get(i + 2), "cfg")
            && punct(toks.get(i + 3), '(')
            && ident(toks.get(i + 4), "test")
            && punct(toks.get(i + 5), ')')
            && punct(toks.get(i + 6), ']');
        if !is_cfg_test {
            out.push(toks[i].clone());
            i += 1;
            continue;
        }
        let mut j = i + 7;
        // Further attributes of the same item.
        while punct(toks.get(j), '#') && punct(toks.get(j + 1), '[') {
            j = closing(&toks, j + 1) + 1;
        }
        let item =
            matches!(toks.get(j), Some(Tok::Ident(k)) if ITEM_KEYWORDS.contains(&k.as_str()));
        let start = j;
        let mut depth = 0;
        while j < toks.len() {
            let t = &toks[j];
            if depth == 0 && (punct(Some(t), ';') || (!item && punct(Some(t), ','))) {
                j += 1;
                break;
            }
            if depth == 0 && punct(Some(t), '}') {
                break; // The end of the enclosing block: the item was its last part.
            }
            depth += depth_change(t);
            j += 1;
            if depth == 0 && punct(Some(t), '}') {
                break;
            }
        }
        let slice = &toks[start..j];
        if let [.., Tok::Ident(m), Tok::Ident(name), Tok::Punct(';')] = slice
            && m == "mod"
        {
            test_mods.push(name.clone());
        }
        i = j;
    }
    (out, test_mods)
}

/// The elements of the tuple opened at `open`, split at its top-level commas.
fn tuple_elements(toks: &[Tok], open: usize) -> Vec<&[Tok]> {
    let close = closing(toks, open);
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, open + 1);
    for i in open + 1..close {
        match &toks[i] {
            t if depth == 0 && punct(Some(t), ',') => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            t => depth += depth_change(t),
        }
    }
    if start < close {
        out.push(&toks[start..close]);
    }
    out
}

/// Whether the token at `i` follows `=>`.
fn after_arrow(toks: &[Tok], i: usize) -> bool {
    i >= 2 && punct(toks.get(i - 2), '=') && punct(toks.get(i - 1), '>')
}

/// Whether `toks[first..=last]` is the value of a block: after `{` or `;`, before `}`.
fn block_tail(toks: &[Tok], first: usize, last: usize) -> bool {
    let before = toks.get(first.wrapping_sub(1));
    (punct(before, '{') || punct(before, ';')) && punct(toks.get(last + 1), '}')
}

/// The string literals in value position in `toks` (after `=>`, or a block's value
/// `{ "a" }`), or with `index`, element `index` of the tuples in value position
/// (`=> (…)` followed by `,` or `}`, and a block's value `{ …; (…) }`).
fn values(toks: &[Tok], index: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match (t, index) {
            (Tok::Str(s), None) if after_arrow(toks, i) || block_tail(toks, i, i) => {
                out.push(s.clone());
            }
            (Tok::Punct('('), Some(k)) => {
                let close = closing(toks, i);
                let next = toks.get(close + 1);
                let arm = after_arrow(toks, i) && (punct(next, ',') || punct(next, '}'));
                if (arm || block_tail(toks, i, close))
                    && let Some([Tok::Str(s)]) = tuple_elements(toks, i).get(k)
                {
                    out.push(s.clone());
                }
            }
            _ => {}
        }
    }
    out
}

/// Rule 1: the literals of the first argument of `Finding::fail(` and its siblings.
fn constructor_literals(toks: &[Tok], i: usize) -> Vec<String> {
    let is_constructor = ident(toks.get(i), "Finding")
        && punct(toks.get(i + 1), ':')
        && punct(toks.get(i + 2), ':')
        && matches!(toks.get(i + 3), Some(Tok::Ident(n)) if ["fail", "warn", "info", "new"].contains(&n.as_str()))
        && punct(toks.get(i + 4), '(');
    if !is_constructor {
        return Vec::new();
    }
    let first = tuple_elements(toks, i + 4).first().copied().unwrap_or(&[]);
    first
        .iter()
        .filter_map(|t| match t {
            Tok::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Rule 2: the values of `fn code` and `fn classify`.
fn function_values(toks: &[Tok], i: usize) -> Vec<String> {
    let named = ident(toks.get(i), "fn")
        && (ident(toks.get(i + 1), "code") || ident(toks.get(i + 1), "classify"));
    let Some(open) = named
        .then(|| (i..toks.len()).find(|&j| punct(toks.get(j), '{')))
        .flatten()
    else {
        return Vec::new();
    };
    let body = &toks[open..=closing(toks, open).min(toks.len() - 1)];
    let mut out = values(body, None);
    out.extend(values(body, Some(0)));
    out
}

/// Rule 3: the values bound to `code` by `let code = …;` or `let (…, code, …) = …;`.
fn let_values(toks: &[Tok], i: usize) -> Vec<String> {
    if !ident(toks.get(i), "let") {
        return Vec::new();
    }
    let index = if ident(toks.get(i + 1), "code") && punct(toks.get(i + 2), '=') {
        None
    } else if punct(toks.get(i + 1), '(') {
        match tuple_elements(toks, i + 1)
            .iter()
            .position(|e| matches!(e, [Tok::Ident(n)] if n == "code"))
        {
            Some(k) => Some(k),
            None => return Vec::new(),
        }
    } else {
        return Vec::new();
    };
    let mut depth = 0;
    let end = (i..toks.len())
        .find(|&j| {
            depth += depth_change(&toks[j]);
            depth == 0 && punct(toks.get(j), ';')
        })
        .unwrap_or(toks.len());
    // `let code = "a";`: the literal is the whole value.
    if let (None, Some(Tok::Str(s))) = (index, toks.get(i + 3))
        && end == i + 4
    {
        return vec![s.clone()];
    }
    values(&toks[i..end], index)
}

/// Rule 4: `code: "…"` in a struct literal.
fn field_value(toks: &[Tok], i: usize) -> Option<String> {
    match (toks.get(i), toks.get(i + 1), toks.get(i + 2)) {
        (Some(Tok::Ident(n)), Some(Tok::Punct(':')), Some(Tok::Str(s))) if n == "code" => {
            Some(s.clone())
        }
        _ => None,
    }
}

/// `has_code("check", "code")`: the pair.
fn has_code_pair(toks: &[Tok], i: usize) -> Option<(String, String)> {
    if !(ident(toks.get(i), "has_code") && punct(toks.get(i + 1), '(')) {
        return None;
    }
    match tuple_elements(toks, i + 1)[..] {
        [[Tok::Str(check)], [Tok::Str(code)]] => Some((check.clone(), code.clone())),
        _ => None,
    }
}

/// The id of a check module: `CheckMeta { id: "…"`.
fn check_id(toks: &[Tok], i: usize) -> Option<String> {
    match &toks.get(i..i + 5)? {
        [
            Tok::Ident(m),
            Tok::Punct('{'),
            Tok::Ident(id),
            Tok::Punct(':'),
            Tok::Str(s),
        ] if m == "CheckMeta" && id == "id" => Some(s.clone()),
        _ => None,
    }
}

/// What the scan of one file found.
#[derive(Debug, Default)]
struct Found {
    /// (code, where) of every code found.
    codes: Vec<(String, String)>,
    /// Literals in a constructor's code argument that are not kebab-case.
    malformed: Vec<(String, String)>,
    /// `has_code(check, code)` pairs, with the file.
    pairs: Vec<(String, String, String)>,
    /// The check id of the file, for a check module.
    check: Option<String>,
}

fn scan_tokens(toks: &[Tok], file: &str) -> Found {
    let mut f = Found::default();
    for i in 0..toks.len() {
        for s in constructor_literals(toks, i) {
            if is_kebab_case(&s) {
                f.codes.push((s, format!("{file} (constructor)")));
            } else {
                f.malformed.push((s, file.to_string()));
            }
        }
        let found = [
            (function_values(toks, i), "fn value"),
            (let_values(toks, i), "let code"),
            (field_value(toks, i).into_iter().collect(), "field"),
        ];
        for (codes, rule) in found {
            for c in codes.into_iter().filter(|c| is_kebab_case(c)) {
                f.codes.push((c, format!("{file} ({rule})")));
            }
        }
        if let Some((check, code)) = has_code_pair(toks, i) {
            f.pairs.push((check, code, file.to_string()));
        }
        if let Some(id) = check_id(toks, i) {
            f.check.get_or_insert(id);
        }
    }
    f
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Scans every non-test source file of `checks/src`.
fn scan_crate() -> Vec<Found> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut stripped = Vec::new();
    let mut test_files = HashSet::new();
    for p in &files {
        let src = std::fs::read_to_string(p).unwrap();
        let (toks, test_mods) = strip_test_code(lex(&src));
        let dir = if p
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            p.parent().unwrap().to_path_buf()
        } else {
            p.with_extension("")
        };
        for m in test_mods {
            test_files.insert(dir.join(format!("{m}.rs")));
            test_files.insert(dir.join(&m).join("mod.rs"));
        }
        stripped.push((p.clone(), toks));
    }
    stripped
        .into_iter()
        .filter(|(p, _)| !test_files.contains(p))
        .map(|(p, toks)| scan_tokens(&toks, &p.strip_prefix(&root).unwrap().display().to_string()))
        .collect()
}

#[test]
fn every_code_in_the_sources_is_registered() {
    let scan = scan_crate();
    let mut problems = Vec::new();
    for f in &scan {
        for (s, at) in &f.malformed {
            problems.push(format!("{at}: finding code {s:?} is not kebab-case"));
        }
        for (code, at) in &f.codes {
            let checks = checks_using(code);
            match &f.check {
                Some(check) if !is_known(check, code) => problems.push(format!(
                    "{at}: code `{code}` is emitted by check `{check}` but not registered for it in model/codes.rs"
                )),
                None if checks.is_empty() => problems.push(format!(
                    "{at}: code `{code}` is not registered for any check in model/codes.rs"
                )),
                _ => {}
            }
        }
        for (check, code, at) in &f.pairs {
            if !is_known(check, code) {
                problems.push(format!(
                    "{at}: has_code({check:?}, {code:?}) names a code that check does not emit"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_registered_code_is_found_in_the_sources() {
    let found: BTreeSet<String> = scan_crate()
        .into_iter()
        .flat_map(|f| f.codes.into_iter().map(|(c, _)| c))
        .collect();
    let mut stale: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in CODES {
        for x in c.codes.iter().filter(|x| !found.contains(x.code)) {
            stale.entry(x.code).or_default().push(c.check);
        }
    }
    assert!(
        stale.is_empty(),
        "registered codes the scanner does not find in the sources (no longer emitted, or emitted in a way scanner.rs does not read): {stale:?}"
    );
}

#[test]
fn the_scanner_reads_each_form() {
    let src = r##"
        fn a() { Finding::fail("one", "Message."); Finding::new(if x { "two" } else { "three" }, s, "m"); }
        pub fn code(self) -> &'static str { match self { K::A => "four", K::B => { "five" } } }
        fn classify(e: &E) -> (&'static str, String) { match e { E::A => ("six", "x".into()), _ => ("seven", m) } }
        fn b() {
            let code = match c { "U+000A" => "eight", _ => "nine" };
            let (kind, code, message) = if t { (K::T, "ten", "Text".into()) } else { let m = 1; (K::O, "eleven", s) };
            let e = NetError { code: "twelve", message };
            let c = '"'; let l: &'static str = "not-a-code-here";
            f.has_code("key-source", "no-key");
        }
        #[cfg(test)]
        mod tests { fn t() { Finding::fail("in-a-test", "m"); } }
        #[cfg(test)]
        mod more;
    "##;
    let (toks, mods) = strip_test_code(lex(src));
    assert_eq!(mods, ["more"]);
    let f = scan_tokens(&toks, "x.rs");
    let got: Vec<&str> = f.codes.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        got,
        [
            "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve"
        ]
    );
    assert_eq!(f.pairs.len(), 1);
    assert!(f.malformed.is_empty());
}
