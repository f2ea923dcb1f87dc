//! `sl-doctor view REPORT`: renders a saved JSON report (attached to a support ticket, or
//! written with `--output`) in the human, Markdown, GitHub, JUnit or JSON format, so whoever
//! receives it reads what the user saw.
//!
//! The file is somebody else's: it is read with a size cap, its schema version is checked
//! before anything else, and every string in it has control and bidi characters made
//! visible before it reaches the terminal.

use super::{fail_usage, print_stdout};
use crate::args::ViewArgs;
use crate::exit;
use crate::{render, support};
use serde_json::Value;
use sl_doctor_checks::input::files::Deadline;
use sl_doctor_checks::model::report::{Report, SCHEMA_VERSION};
use sl_doctor_checks::model::{grammar, untrusted};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reports are small (tens of KiB); anything past this is not one.
const MAX_REPORT: u64 = 16 * 1024 * 1024;

/// Runs `sl-doctor view`: exit 0 when the report was shown, 2 when it cannot be read.
pub fn run(args: &ViewArgs) -> ExitCode {
    let deadline = Deadline::from_now(args.deadline);
    let report =
        match read_report(&args.report, deadline).and_then(|(name, text)| parse(&name, &text)) {
            Ok(r) => r,
            Err(e) => return fail_usage(e),
        };
    let style = super::stdout_style(&args.display, true);
    print_stdout(&render::render(&report, args.format, &style));
    ExitCode::from(exit::OK)
}

/// The name and text of the report `path` names: the file itself; for a support bundle's
/// directory, the report inside it; for the bundle's index (`bundle.json`, which holds
/// no report), the report beside it, said on stderr. The name is the file read, as errors
/// about its contents name it.
fn read_report(path: &Path, deadline: Deadline) -> Result<(String, String), String> {
    if path.as_os_str() != "-" && path.is_dir() {
        let inside = path.join(support::REPORT_FILE);
        if !inside.is_file() {
            return Err(format!(
                "{} is a directory without a {}: give the report file (from --format json, --output or a support bundle)",
                path.display(),
                support::REPORT_FILE
            ));
        }
        return named_read(&inside, deadline);
    }
    let text = read(path, deadline)?;
    match bundle_report(path, &text) {
        None => Ok((display_name(path), text)),
        Some(Ok(beside)) => {
            super::print_stderr(&format!(
                "{} is a support bundle's index; showing {} beside it.\n",
                path.display(),
                beside.display()
            ));
            named_read(&beside, deadline)
        }
        Some(Err(e)) => Err(e),
    }
}

/// For a support bundle's `bundle.json`: the report file it names (a plain file name in
/// the same directory; anything else in it is not followed), or why it cannot be shown.
fn bundle_report(path: &Path, text: &str) -> Option<Result<PathBuf, String>> {
    let v: Value = serde_json::from_str(text).ok()?;
    v.get("bundle_version")?;
    let name = v
        .get("report")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty() && !n.contains(['/', '\\']) && *n != "." && *n != "..")
        .unwrap_or(support::REPORT_FILE);
    let beside = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(name),
        _ => PathBuf::from(name),
    };
    Some(if path.as_os_str() != "-" && beside.is_file() {
        Ok(beside)
    } else {
        Err(format!(
            "{} is a support bundle's index, not a report: view the {} that came with it",
            path.display(),
            support::REPORT_FILE
        ))
    })
}

/// How a report file is named in messages: its path as given (made safe to show: a
/// bundle's index names the file beside it), `-` as standard input.
fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        return "standard input".into();
    }
    untrusted::neutralise(&path.display().to_string(), 200)
}

fn named_read(path: &Path, deadline: Deadline) -> Result<(String, String), String> {
    Ok((display_name(path), read(path, deadline)?))
}

/// Reads the report like every input file (`input::files`): a FIFO or a device planted
/// where a file is expected is refused, a pipe the user names (`view <(…)`, `view -`) is
/// waited for until `--deadline` (30 s), nothing past the size cap is read.
fn read(path: &Path, deadline: Deadline) -> Result<String, String> {
    use sl_doctor_checks::input::files::{self, Pipes};
    use sl_doctor_checks::input::sources::InputError;
    let name = path.display();
    let read = if path.as_os_str() == "-" {
        files::read_stdin_as("report", MAX_REPORT, deadline)
    } else {
        files::read_input("report", path, MAX_REPORT, None, Pipes::Within(deadline))
    };
    let bytes = read.map_err(|e| match e {
        InputError::TooLarge { .. } => {
            format!("{name} is larger than 16 MiB: not an sl-doctor report")
        }
        e => format!("cannot read the {e}"),
    })?;
    String::from_utf8(bytes)
        .map_err(|_| format!("{name} is not UTF-8 text: not an sl-doctor report"))
}

/// Parses the report `name`: schema version first, then the types (enums, fingerprints)
/// with the path of the first field that breaks them, then the grammar of its ids; every
/// string is made safe to show. Each refusal names the file and says what is wrong.
pub fn parse(name: &str, text: &str) -> Result<Report, String> {
    let mut v: Value = serde_json::from_str(text).map_err(|e| not_json(name, text, &e))?;
    schema_version(&v).map_err(|e| format!("{name} {e}"))?;
    neutralise(&mut v);
    one_line(&mut v);
    // Reports written before the strict policy was recorded: the verdict is the effective one.
    let verdict = v.get("verdict").cloned();
    if let (Some(obj), Some(verdict)) = (v.as_object_mut(), verdict) {
        obj.entry("effective_verdict").or_insert(verdict);
    }
    let had_diagnosis = v.get("diagnosis").is_some();
    let mut report: Report = serde_path_to_error::deserialize(v).map_err(|e| {
        let at = e.path().to_string();
        let (what, deeper) = in_words(&at, &e.into_inner().to_string(), holds_more(text, &at));
        // Deeper than the path, the place serde names is only where the object ends.
        let place = match position(text, &at).filter(|_| !deeper) {
            Some((line, column)) => format!(" (line {line}, column {column})"),
            None => String::new(),
        };
        format!("{name} does not follow schema_version {SCHEMA_VERSION}{place}: {what}")
    })?;
    let invalid = grammar::invalid_words(&report);
    if !invalid.is_empty() {
        let shown: Vec<String> = invalid.iter().take(5).map(|i| format!("  {i}")).collect();
        let more = match invalid.len() {
            n if n > 5 => format!("\n  … and {} more", n - 5),
            _ => String::new(),
        };
        return Err(format!(
            "{name} holds ids sl-doctor never writes (it was edited, or not written by sl-doctor); nothing is shown:\n{}{more}",
            shown.join("\n")
        ));
    }
    // A report written by a version without the diagnosis gets it here: it is a pure
    // function of the report.
    if !had_diagnosis {
        report.diagnosis = sl_doctor_checks::diagnosis::diagnose(&report);
    }
    Ok(report)
}

/// Where in `text` the field `at` breaks the schema: the same refusal read from the text
/// itself (the report was checked as a tree, which has no lines), when it is that field's.
/// None at the top level, where it would only be the end of the file.
fn position(text: &str, at: &str) -> Option<(usize, usize)> {
    if at == "." {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, Report>(&mut de) {
        Err(e) if e.path().to_string() == at && e.inner().line() > 0 => {
            Some((e.inner().line(), e.inner().column()))
        }
        _ => None,
    }
}

/// Whether the JSON at the path `at` (`checklist[4].checks[0].evidence`) is an object or
/// an array: serde's path stops at a tagged enum (the evidence), so a refusal of a word
/// or a number there is about a field somewhere inside it.
fn holds_more(text: &str, at: &str) -> bool {
    let Ok(mut v) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    for part in at.split('.').filter(|p| !p.is_empty()) {
        let (key, indices) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            v = v[key].take();
        }
        let indices = indices.split('[');
        for i in indices.filter_map(|i| i.trim_end_matches(']').parse::<usize>().ok()) {
            v = v[i].take();
        }
    }
    v.is_object() || v.is_array()
}

/// serde's refusal of the field `at` ("invalid type: string \"fast\", expected u64"), in
/// sl-doctor's words: what the field holds and what sl-doctor writes there. serde's
/// wording names Rust types and its own grammar; the path and the value are kept. A
/// refusal worded by sl-doctor itself (a fingerprint's grammar) is kept as it is.
/// `holds_more`: the JSON at `at` is an object or array. Also returns whether the refused
/// value is deeper than `at` (a word or number where `at` holds an object).
fn in_words(at: &str, serde: &str, holds_more: bool) -> (String, bool) {
    let at_top = at == ".";
    let field = |rest: &str| untrusted::neutralise(rest.trim_matches('`'), 40);
    if let Some(rest) = serde.strip_prefix("missing field ") {
        let place = if at_top {
            "at the top level".to_string()
        } else {
            format!("in {at}")
        };
        return (
            format!("the field {} is missing {place}", field(rest)),
            false,
        );
    }
    let at = if at_top { "the report" } else { at };
    let inside = format!("a field inside {at}");
    let subject = |deeper: bool| if deeper { inside.as_str() } else { at };
    if let Some(rest) = serde.strip_prefix("unknown variant ") {
        // The value may itself hold ", expected": the list (ours) follows the last one.
        let (value, list) = rest
            .rsplit_once(", expected ")
            .unwrap_or((rest, "none: there are no values"));
        let said = format!(
            "{} is {}; sl-doctor writes {} there",
            subject(holds_more),
            quoted(value.trim_matches('`')),
            list.replace('`', "")
        );
        return (said, holds_more);
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = serde
            .strip_prefix(prefix)
            .and_then(|rest| rest.rsplit_once(", expected "))
        {
            let deeper = holds_more && !matches!(found, "map" | "sequence");
            let said = format!(
                "{} is {}; sl-doctor writes {} there",
                subject(deeper),
                described(found),
                expected_words(expected)
            );
            return (said, deeper);
        }
    }
    let said = if let Some((n, expected)) = serde
        .strip_prefix("invalid length ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        // An array where an object goes: serde reads a struct from an array too, and
        // refuses its length.
        match expected_words(expected).as_str() {
            "an object" => format!("{at} is an array; sl-doctor writes an object there"),
            words => format!("{at} has {n} elements; sl-doctor writes {words} there"),
        }
    } else if let Some(rest) = serde.strip_prefix("unknown field ") {
        let name = rest.split(", ").next().unwrap_or(rest);
        format!(
            "{at} has a field {} that schema_version {SCHEMA_VERSION} does not have",
            field(name)
        )
    } else if let Some(rest) = serde.strip_prefix("duplicate field ") {
        format!("{at} has the field {} twice", field(rest))
    } else {
        format!("{at}: {}", untrusted::neutralise(serde, 200))
    };
    (said, false)
}

/// A value from the file, quoted on one line and capped.
fn quoted(value: &str) -> String {
    format!("\"{}\"", untrusted::neutralise(value, 40))
}

/// serde's name of the value it refused ("string \"fast\"", "integer `-3`", "map").
fn described(found: &str) -> String {
    let inner = |s: &str| s.trim_matches('`').to_string();
    if let Some(s) = found.strip_prefix("string ") {
        // serde writes the string as Rust would (`"a\nb"`): shown as it wrote it.
        return format!("the string {}", untrusted::neutralise(s, 42));
    }
    for (prefix, what) in [
        ("integer ", "the number "),
        ("floating point ", "the number "),
        ("boolean ", "the boolean "),
    ] {
        if let Some(v) = found.strip_prefix(prefix) {
            return format!("{what}{}", untrusted::neutralise(&inner(v), 40));
        }
    }
    match found {
        "unit value" => "null".into(),
        "sequence" => "an array".into(),
        "map" => "an object".into(),
        other => untrusted::neutralise(other, 40),
    }
}

/// What serde expected, in JSON's words ("u64" is "a whole number, 0 or more").
fn expected_words(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number (0 or more)".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        // "string or map": an enum, whose words are strings.
        "a string" | "a borrowed string" | "string" | "string or map" => "a string".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "an array".into(),
        "a map" => "an object".into(),
        s if s.starts_with("struct ") || s.starts_with("internally tagged enum") => {
            "an object".into()
        }
        other => other.replace('`', ""),
    }
}

/// Why `text` is not JSON, in plain words with the place (serde's own wording names
/// grammar tokens: "expected ident").
fn not_json(name: &str, text: &str, e: &serde_json::Error) -> String {
    const READS: &str = "`sl-doctor view` reads the output of `sl-doctor --format json`";
    if text.trim().is_empty() {
        return format!("{name} is empty: {READS}");
    }
    match e.classify() {
        serde_json::error::Category::Eof => {
            format!("{name} is not JSON: it ends before the JSON is complete: {READS}")
        }
        _ => format!(
            "{name} is not JSON (line {}, column {}): {READS}",
            e.line(),
            e.column()
        ),
    }
}

/// The report's `schema_version` must be the whole number this sl-doctor reads; anything
/// else is named as what it is. The message follows the file's name.
fn schema_version(v: &Value) -> Result<(), String> {
    let wrong = |what: String| {
        Err(format!(
            "is not an sl-doctor report: its schema_version is {what}; an sl-doctor report has the whole number {SCHEMA_VERSION}"
        ))
    };
    match v.get("schema_version") {
        None if !v.is_object() => {
            Err("is not an sl-doctor report: it is JSON, but not an object".into())
        }
        None => Err("is not an sl-doctor report: it has no schema_version".into()),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(n) if n == u64::from(SCHEMA_VERSION) => Ok(()),
            Some(n) => Err(format!(
                "has schema_version {n}; this sl-doctor ({}) reads schema_version {SCHEMA_VERSION}: view it with a matching sl-doctor",
                env!("CARGO_PKG_VERSION")
            )),
            None if n.is_f64() => wrong(format!("the decimal number {n}")),
            None => wrong(format!("the negative number {n}")),
        },
        Some(Value::String(s)) => wrong(format!("the string {:?}", untrusted::neutralise(s, 20))),
        Some(other) => wrong(match other {
            Value::Null => "null".into(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Array(_) => "an array".into(),
            _ => "an object".into(),
        }),
    }
}

/// Every string of a saved report is outside text: control characters (C0, DEL, C1),
/// bidi controls and other default-ignorables become visible escapes, so a crafted report
/// cannot move the cursor, retitle the terminal or reorder text. Line breaks stay: the
/// report's own messages use them, and the renderers guard every line they print.
fn neutralise(v: &mut Value) {
    match v {
        Value::String(s) if s.chars().any(|c| c != '\n' && untrusted::is_unsafe(c)) => {
            *s = s
                .split('\n')
                .map(|line| untrusted::neutralise(line, usize::MAX))
                .collect::<Vec<_>>()
                .join("\n");
        }
        Value::Array(a) => a.iter_mut().for_each(neutralise),
        Value::Object(o) => o.values_mut().for_each(neutralise),
        _ => {}
    }
}

/// The fields that hold one value, never prose (a file name, a URL, a version): a line
/// break there could only lay out lines the report never had, so it is escaped too.
const ONE_LINE: &[&str] = &[
    "/key/source/name",
    "/target/base_url",
    "/target/url",
    "/tool/name",
    "/tool/version",
    "/tool/os",
    "/generated_at",
];

fn one_line(v: &mut Value) {
    let escape = |s: &mut Value| {
        if let Value::String(s) = s {
            *s = untrusted::neutralise(s, usize::MAX);
        }
    };
    for p in ONE_LINE {
        if let Some(s) = v.pointer_mut(p) {
            escape(s);
        }
    }
    if let Some(Value::Array(sources)) = v.pointer_mut("/key/sources") {
        for s in sources
            .iter_mut()
            .filter_map(|s| s.pointer_mut("/source/name"))
        {
            escape(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::human;
    use crate::render::tests_support::report as fixture;
    use sl_doctor_checks::model::report::Verdict;

    #[test]
    fn a_saved_report_reads_back_the_same() {
        for v in [
            Verdict::Pass,
            Verdict::Warn,
            Verdict::Fail,
            Verdict::Inconclusive,
        ] {
            let r = fixture(v);
            let json = crate::render::json::render(&r);
            let back = crate::render::json::render(&parse("r.json", &json).expect("reads back"));
            // Reading is a fixed point; only control characters are shown as escapes.
            let again = crate::render::json::render(&parse("r.json", &back).unwrap());
            assert_eq!(again, back, "{v:?}");
            assert_eq!(back.replace("\\\\u{a}", "\\n"), json, "{v:?}");
        }
    }

    #[test]
    fn one_value_fields_keep_no_line_break() {
        let json = crate::render::json::render(&fixture(Verdict::Fail));
        let mut v: Value = serde_json::from_str(&json).unwrap();
        let hostile = "x\n::warning::fake\n##[error]y";
        for p in ONE_LINE {
            if let Some(s) = v.pointer_mut(p) {
                *s = hostile.into();
            }
        }
        v["target"]["url"] = hostile.into();
        let report = parse("r.json", &v.to_string()).unwrap();
        let shown = [
            &report.key.source.name,
            &report.target.base_url,
            report.target.url.as_ref().unwrap(),
            &report.tool.version,
        ];
        for s in shown {
            assert_eq!(s, "x\\x0a::warning::fake\\x0a##[error]y");
        }
        let saved = human::Style {
            saved: true,
            ..Default::default()
        };
        let text = human::render(&report, &saved);
        for line in [
            "key     x\\x0a::warning::fake\\x0a\\x23#[error]y (",
            "target  x\\x0a::warning::fake\\x0a\\x23#[error]y · ",
        ] {
            assert!(text.lines().any(|l| l.starts_with(line)), "{line}: {text}");
        }
    }

    #[test]
    fn refusals_are_clear() {
        // Each refusal names the file and says in plain words what is wrong.
        let cases = [
            ("", "r.json is empty"),
            (
                "{",
                "r.json is not JSON: it ends before the JSON is complete",
            ),
            ("{x}", "r.json is not JSON (line 1, column 2)"),
            (
                "{}",
                "r.json is not an sl-doctor report: it has no schema_version",
            ),
            (
                "[1]",
                "r.json is not an sl-doctor report: it is JSON, but not an object",
            ),
            (r#"{"schema_version": 2}"#, "r.json has schema_version 2"),
            (
                r#"{"schema_version": "1"}"#,
                "r.json is not an sl-doctor report: its schema_version is the string \"1\"",
            ),
            (
                r#"{"schema_version": 1.0}"#,
                "r.json is not an sl-doctor report: its schema_version is the decimal number 1.0",
            ),
            (
                r#"{"schema_version": -1}"#,
                "r.json is not an sl-doctor report: its schema_version is the negative number -1",
            ),
            (
                r#"{"schema_version": null}"#,
                "r.json is not an sl-doctor report: its schema_version is null",
            ),
            (
                r#"{"schema_version": [1]}"#,
                "r.json is not an sl-doctor report: its schema_version is an array",
            ),
            (
                r#"{"schema_version": 1}"#,
                "r.json does not follow schema_version 1",
            ),
        ];
        for (text, want) in cases {
            let e = parse("r.json", text).expect_err(text);
            assert!(e.starts_with(want), "{text}: {e}");
            assert!(
                !e.contains("expected") && !e.contains(" at line"),
                "{text}: {e}"
            );
        }
    }

    /// A field of the wrong type or an unknown enum word is named by its path and said in
    /// sl-doctor's words (what the file holds, what sl-doctor writes there), with the
    /// line and column in the file; never in serde's (Rust types, "unknown variant").
    #[test]
    fn a_field_that_breaks_the_schema_is_named_in_our_words() {
        let r = fixture(Verdict::Fail);
        let json = crate::render::json::render(&r);
        let cases: [(&str, Value, &str); 9] = [
            (
                "/checklist/0/checks/0/duration_ms",
                "fast".into(),
                "checklist[0].checks[0].duration_ms is the string \"fast\"; sl-doctor writes a whole number (0 or more) there",
            ),
            (
                "/checklist/1/id",
                "header-presentt".into(),
                "checklist[1].id is \"header-presentt\"; sl-doctor writes one of base-url, header-present, no-quotes, key-loaded, works-in-curl, security there",
            ),
            (
                "/key/length",
                (-3).into(),
                "key.length is the number -3; sl-doctor writes a whole number (0 or more) there",
            ),
            (
                "/key/present",
                "yes".into(),
                "key.present is the string \"yes\"; sl-doctor writes true or false there",
            ),
            (
                "/checklist/0/checks/0/details",
                "x".into(),
                "checklist[0].checks[0].details is the string \"x\"; sl-doctor writes an array there",
            ),
            (
                "/checklist/0/checks/0/summary",
                Value::Null,
                "checklist[0].checks[0].summary is null; sl-doctor writes a string there",
            ),
            (
                "/target",
                Value::Array(vec![]),
                "target is an array; sl-doctor writes an object there",
            ),
            (
                "/checklist/0/checks/0/status",
                Value::Null,
                "checklist[0].checks[0].status is null; sl-doctor writes a string there",
            ),
            (
                "/verdict",
                1.5.into(),
                "verdict is the number 1.5; sl-doctor writes",
            ),
        ];
        for (pointer, value, want) in cases {
            let mut v: Value = serde_json::from_str(&json).unwrap();
            *v.pointer_mut(pointer).expect(pointer) = value;
            let text = crate::render::json::pretty(&v);
            let e = parse("r.json", &text).expect_err(pointer);
            let opening = "r.json does not follow schema_version 1 (line ";
            assert!(e.starts_with(opening), "{e}");
            assert!(e.contains(want), "{pointer}: {e}");
            for serde in [
                "invalid type",
                "unknown variant",
                "u64",
                "usize",
                "`",
                "expected",
            ] {
                assert!(!e.contains(serde), "{pointer}: {serde:?} in {e}");
            }
            // The line named is the field's.
            let line: usize = e[opening.len()..]
                .split(',')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a line number");
            let key = pointer.rsplit('/').next().unwrap();
            let at = text.lines().nth(line - 1).unwrap();
            assert!(
                at.contains(&format!("\"{key}\"")),
                "{pointer}: line {line} is {at:?}"
            );
        }
        // serde's path stops at the evidence (a tagged enum): the word refused is inside it,
        // and the place serde gives is only where the evidence ends.
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["checklist"][4]["checks"][0]["evidence"]["attempts"][0]["answer"] = "maybe".into();
        let e = parse("r.json", &crate::render::json::pretty(&v)).unwrap_err();
        assert!(
            e.starts_with("r.json does not follow schema_version 1: a field inside checklist[4].checks[0].evidence is \"maybe\"; sl-doctor writes one of accepted, "),
            "{e}"
        );
        // A missing field is named with where it is missing.
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v.as_object_mut().unwrap().remove("verdict");
        let e = parse("r.json", &v.to_string()).unwrap_err();
        assert_eq!(
            e,
            "r.json does not follow schema_version 1: the field verdict is missing at the top level"
        );
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["checklist"][0]["checks"][0]
            .as_object_mut()
            .unwrap()
            .remove("status");
        let e = parse("r.json", &v.to_string()).unwrap_err();
        assert!(
            e.ends_with(": the field status is missing in checklist[0].checks[0]"),
            "{e}"
        );
    }

    /// A crafted report: every id, code, fingerprint, API name and enum replaced in turn by
    /// markup, a link, an image, a table cell and workflow commands. Each is refused with
    /// the field named, and the message quotes it on one line.
    #[test]
    fn every_id_fingerprint_and_enum_of_a_crafted_report_is_refused() {
        let evil = "x|<img src=https://e.vil/p.png>[l](https://e.vil)\n::error::pwn ##[add-mask]y";
        let mut r = fixture(Verdict::Fail);
        // A report of this very version: only this version's checks, codes and causes.
        r.tool.version = env!("CARGO_PKG_VERSION").into();
        let json = crate::render::json::render(&r);
        assert!(parse("r.json", &json).is_ok());
        // serde buffers a tagged enum (the evidence): the path stops at it.
        let cases = [
            (
                "/checklist/2/checks/0/id",
                "checklist[2].checks[0].id",
                "a check id of this sl-doctor",
            ),
            (
                "/checklist/2/checks/0/findings/0/code",
                "checklist[2].checks[0].findings[0].code",
                "a finding code of quoted-value",
            ),
            (
                "/diagnosis/causes/0/id",
                "diagnosis.causes[0].id",
                "a check id",
            ),
            (
                "/diagnosis/causes/0/checks/0",
                "diagnosis.causes[0].checks[0]",
                "a check id",
            ),
            (
                "/target/apis/0",
                "target.apis[0]",
                "an API name (dam, catalog)",
            ),
            (
                "/key/fingerprint",
                "key.fingerprint",
                "is not a fingerprint",
            ),
            (
                "/checklist/4/checks/0/evidence/attempts/0/key/fingerprint",
                "checklist[4].checks[0].evidence",
                "is not a fingerprint",
            ),
            (
                "/checklist/4/checks/0/evidence/api",
                "checklist[4].checks[0].evidence.api",
                "an API name",
            ),
            (
                "/checklist/4/checks/0/evidence/attempts/0/answer",
                "checklist[4].checks[0].evidence",
                "sl-doctor writes one of",
            ),
            ("/verdict", "verdict", "sl-doctor writes one of"),
            (
                "/checklist/0/id",
                "checklist[0].id",
                "sl-doctor writes one of",
            ),
            (
                "/checklist/2/checks/0/status",
                "checklist[2].checks[0].status",
                "sl-doctor writes one of",
            ),
            (
                "/checklist/2/checks/0/findings/0/severity",
                "checklist[2].checks[0].findings[0].severity",
                "sl-doctor writes one of",
            ),
            (
                "/diagnosis/causes/0/level",
                "diagnosis.causes[0].level",
                "sl-doctor writes one of",
            ),
            (
                "/diagnosis/causes/0/fixed_by",
                "diagnosis.causes[0].fixed_by",
                "sl-doctor writes one of",
            ),
            (
                "/key/source/kind",
                "key.source.kind",
                "sl-doctor writes one of",
            ),
        ];
        for (pointer, at, want) in cases {
            let mut v: Value = serde_json::from_str(&json).unwrap();
            *v.pointer_mut(pointer).expect(pointer) = evil.into();
            let e = parse("r.json", &v.to_string()).expect_err(pointer);
            assert!(e.contains(at) && e.contains(want), "{pointer}: {e}");
            assert!(
                !e.contains("\n::") && e.contains("x|<img"),
                "{pointer}: quoted on one line: {e}"
            );
        }
        // Another version's report may name checks this one lacks, in the same grammar.
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["tool"]["version"] = "9.9.9".into();
        v["checklist"][2]["checks"][0]["id"] = "a-newer-check".into();
        assert!(parse("r.json", &v.to_string()).is_ok());
        v["checklist"][2]["checks"][0]["id"] = "A newer check".into();
        let e = parse("r.json", &v.to_string()).unwrap_err();
        assert!(e.contains("a check id (lowercase letters"), "{e}");
    }

    #[test]
    fn a_bundle_opens_the_report_inside_or_says_which_file_to_open() {
        let dir = tempfile::tempdir().unwrap();
        let read_report = |p: &std::path::Path| read_report(p, Deadline::from_now(5.0));
        let report = crate::render::json::render(&fixture(Verdict::Fail));
        let index = crate::render::json::pretty(&support::bundle_json(&[]));
        std::fs::write(dir.path().join("report.json"), &report).unwrap();
        std::fs::write(dir.path().join("bundle.json"), &index).unwrap();
        assert_eq!(read_report(dir.path()).unwrap().1, report, "the directory");
        assert_eq!(
            read_report(&dir.path().join("bundle.json")).unwrap().1,
            report,
            "the index: the report beside it"
        );
        // An index naming a path elsewhere is not followed; without a report beside it,
        // it says which file to open.
        let lonely = tempfile::tempdir().unwrap();
        let hostile = r#"{"bundle_version": 2, "report": "../../etc/passwd"}"#;
        std::fs::write(lonely.path().join("bundle.json"), hostile).unwrap();
        let e = read_report(&lonely.path().join("bundle.json")).unwrap_err();
        assert!(
            e.contains("support bundle's index, not a report: view the report.json"),
            "{e}"
        );
        let e = read_report(lonely.path()).unwrap_err();
        assert!(e.contains("without a report.json"), "{e}");
    }

    #[test]
    fn a_saved_report_opens_with_a_banner_and_speaks_with_one_voice() {
        let mut r = fixture(Verdict::Fail);
        r.tool.os = Some("linux x86_64".into());
        let style = |saved| human::Style {
            saved,
            ..Default::default()
        };
        let text = human::render(&r, &style(true));
        assert!(
            text.starts_with("Saved sl-doctor report · written 2026-01-02 03:04:05 UTC by sl-doctor 0.0.0-test on linux x86_64\n"),
            "{text}"
        );
        assert!(text.contains("view -v shows every check"), "{text}");
        // One voice, as the live run and markdown: "you".
        let user = human::render(&r, &style(false));
        let mine = "You can fix this yourself";
        assert!(user.contains(mine) && text.contains(mine), "{text}");
        assert!(!text.contains("The user can"), "{text}");
    }

    #[test]
    fn hostile_strings_are_shown_not_obeyed() {
        let r = fixture(Verdict::Fail);
        let mut v: Value = serde_json::from_str(&crate::render::json::render(&r)).unwrap();
        v["checklist"][0]["checks"][0]["summary"] = "\u{1b}]0;owned\u{7}\u{1b}[2K\u{202e}x".into();
        v.as_object_mut().unwrap().remove("diagnosis");
        let back = parse("r.json", &v.to_string()).unwrap();
        let text = human::render(
            &back,
            &human::Style {
                saved: true,
                verbose: 1,
                ..Default::default()
            },
        );
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'));
        assert!(text.contains("\\x1b]0;owned"), "{text}");
        assert!(
            !back.diagnosis.summary.is_empty(),
            "an old report gets its diagnosis"
        );
    }
}
