//! `key-loaded`: the key is loaded correctly from the deployment environment.

pub mod dotenv_file;
pub mod extra_whitespace;
pub mod hidden_characters;
pub mod key_source;
pub mod lookalike_characters;
pub mod placeholder_value;
pub mod readers_agree;

use crate::analysis::value::Analysis;
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::report::{Finding, Position, Severity};
use std::sync::Arc;

/// The character analysis of the key, for the checks that look at its value; skipped
/// when no key was found (`key-source` reports that).
pub(crate) fn analyzed_key(cx: &Context) -> Result<Arc<Analysis>, Skipped> {
    match cx.key.key() {
        Some(key) => Ok(cx.analysis_of(key)),
        None => Err(Skipped("no key was found (see key-source)".into())),
    }
}

/// [`analyzed_key`], also skipped when the value is not valid UTF-8 (`header-value`
/// reports that, and no character analysis is possible).
pub(crate) fn analyzed_text_key(cx: &Context) -> Result<Arc<Analysis>, Skipped> {
    let a = analyzed_key(cx)?;
    if !a.is_utf8() {
        return Err(Skipped(
            "the value is not valid UTF-8 (see header-value)".into(),
        ));
    }
    Ok(a)
}

/// The outcome of a value check that found problems, with the length and fingerprint
/// of the cleaned value when cleaning changes the key. Each problem points at where the
/// key is written (its `.env` line or key file), which is where it is fixed.
pub(crate) fn value_outcome(
    cx: &Context,
    a: &Analysis,
    summary: String,
    findings: Vec<Finding>,
) -> Outcome {
    let place = cx.key.location();
    let findings = findings
        .into_iter()
        .map(|f| match (&place, f.severity) {
            (Some(l), Severity::Warn | Severity::Fail) if f.location.is_none() => {
                f.in_file(l.clone())
            }
            _ => f,
        })
        .collect();
    let o = Outcome::from_findings(summary, findings);
    match a.cleaned_detail() {
        Some(d) => o.detail(d),
        None => o,
    }
}

/// The run of a value check with one finding per suspicious character: `list` picks the
/// characters (with their positions) from the key's analysis, `finding` words each one,
/// and [`character_outcome`] sums them up. Skipped like [`analyzed_text_key`].
pub(crate) fn character_check<T>(
    cx: &Context,
    what: &str,
    list: impl FnOnce(&Analysis) -> Vec<(T, Position)>,
    finding: impl Fn(T, Position) -> Finding,
) -> Result<Outcome, Skipped> {
    let a = analyzed_text_key(cx)?;
    let findings = list(&a).into_iter().map(|(t, p)| finding(t, p)).collect();
    Ok(character_outcome(cx, &a, what, findings))
}

/// The outcome of a value check with one finding per suspicious character: `what`
/// names the kind ("invisible") in the summary, with the key's length when it passes.
pub(crate) fn character_outcome(
    cx: &Context,
    a: &Analysis,
    what: &str,
    findings: Vec<Finding>,
) -> Outcome {
    if findings.is_empty() {
        // An empty value holds no key to speak of: its own cause (key-empty) says so.
        return Outcome::pass(if a.graphemes == 0 {
            format!("No {what} characters in the value (it is empty)")
        } else {
            format!(
                "No {what} characters in the key ({} characters)",
                a.graphemes
            )
        });
    }
    let summary = format!(
        "The key contains {}",
        super::count(
            findings.len(),
            &format!("{what} character"),
            &format!("{what} characters")
        )
    );
    value_outcome(cx, a, summary, findings)
}
