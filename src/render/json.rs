//! The JSON report (schema_version 1): serde straight off the report model.

use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::model::untrusted::{Sink, guard_text};

/// The pretty-printed JSON report, with a trailing newline.
pub fn render(report: &Report) -> String {
    pretty(report)
}

/// `value` as pretty-printed JSON with a trailing newline, safe to print in a CI log:
/// every `##[` is written `\u0023#[`, the same string to a JSON reader.
pub fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("our report models always serialise");
    s.push('\n');
    guard_text(&s, Sink::Json).into_owned()
}
