//! The human rendering of capture blocks and of the final summary, in the shared
//! terminal style (`crate::term::Term`).

use super::{CaptureRecord, CaptureReport};
use crate::term::Term;
use sl_doctor_checks::model::report::{Finding, Severity};
use sl_doctor_checks::saleslayer::KEY_HEADER;

/// The block printed when a request arrives.
pub fn capture_block(c: &CaptureRecord, term: &Term) -> String {
    let mut s = String::new();
    let what = if c.method.is_empty() {
        format!("({} connection, no HTTP request)", c.transport)
    } else {
        format!("{} {}", c.method, c.path)
    };
    let api = c
        .api
        .as_deref()
        .map(|a| format!(" · {a}"))
        .unwrap_or_default();
    let key = match (c.key_header.count, &c.key_header.fingerprint) {
        (0, _) => format!("no {KEY_HEADER}"),
        (n, Some(fp)) => format!(
            "{KEY_HEADER}{} {} characters {fp}",
            if n > 1 {
                format!(" ×{n}")
            } else {
                String::new()
            },
            c.key_header.length.unwrap_or(0)
        ),
        (_, None) => KEY_HEADER.to_string(),
    };
    let answer = match c.answer.status {
        Some(st) => format!(" → {st} ({})", c.answer.by),
        None => String::new(),
    };
    s.push_str(&format!(
        "\n{} #{} {what}{api} · {key}{answer}\n",
        term.status(c.status),
        c.index
    ));
    if !c.header_names.is_empty() {
        s.push_str(&format!("    headers: {}\n", c.header_names.join(", ")));
    }
    for f in &c.findings {
        // A capture's notes (info) need no fix line.
        push_finding(&mut s, term, f, "    ", f.severity != Severity::Info);
    }
    s.truncate(s.trim_end().len());
    s
}

/// The closing lines of the human output.
pub fn summary(r: &CaptureReport, term: &Term) -> String {
    let mut s = String::new();
    for f in &r.findings {
        push_finding(&mut s, term, f, "", true);
    }
    s.push_str(&format!(
        "\nverdict: {} · {} captured: {} failed, {} with warnings, {} clean\n",
        r.verdict.as_str(),
        crate::render::human::count(r.summary.captures, "request", "requests"),
        r.summary.fail,
        r.summary.warn,
        r.summary.pass
    ));
    s
}

/// One finding as a line `<severity> <code>  <message>` indented by `indent`, and its fix
/// below it when there is one and `with_fix`.
fn push_finding(s: &mut String, term: &Term, f: &Finding, indent: &str, with_fix: bool) {
    s.push_str(&format!(
        "{indent}{} {}  {}\n",
        term.severity(f.severity),
        f.code,
        f.message
    ));
    if with_fix && let Some(fix) = &f.fix {
        s.push_str(&format!("{indent}    fix: {fix}\n"));
    }
}
