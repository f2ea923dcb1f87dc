//! The JSON report (schema_version 1): serde straight off the report model.

use sl_doctor_checks::model::report::Report;

/// The pretty-printed JSON report, with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("the report model always serialises");
    s.push('\n');
    s
}
