//! What the application's code adds around a healthy key: a label in front (`Bearer …`,
//! `X-API-KEY: …`) or quotes around it. The value checks word their findings for a
//! variable that holds them ("keep only the key in the variable"); when the configured
//! key itself is healthy and the request carries it with such additions, capture proves
//! that the code added them, and says so instead.

use super::Configured;
use crate::capture::codes::{CONFIGURED_KEY_PLUS_EXTRA, CONFIGURED_KEY_WITH_DEFECTS};
use sl_doctor_checks::analysis::value::{QuoteDefect, analyze};
use sl_doctor_checks::checklist::header_present::pasted_label;
use sl_doctor_checks::checklist::no_quotes::quoted_value::{
    ESCAPED_QUOTES, LEADING_QUOTE, SURROUNDING_QUOTES, TRAILING_QUOTE,
};
use sl_doctor_checks::model::code::Code;
use sl_doctor_checks::model::report::Finding;
use sl_doctor_checks::model::secret::SecretKey;

/// The codes of the findings the value checks make for what was added around `want`.
fn added(sent: &[u8], want: &[u8]) -> Vec<Code> {
    let around =
        !want.is_empty() && sent.len() > want.len() && memchr::memmem::find(sent, want).is_some();
    if !around {
        return Vec::new();
    }
    let wanted = analyze(&SecretKey::from_bytes(want.to_vec()));
    if !wanted.labels.is_empty() || !wanted.quotes.is_empty() {
        return Vec::new();
    }
    let a = analyze(&SecretKey::from_bytes(sent.to_vec()));
    let labels = a.labels.iter().map(|l| pasted_label::code(l.kind));
    let quotes = a.quotes.iter().filter_map(|q| match q {
        QuoteDefect::Surrounding { .. } => Some(SURROUNDING_QUOTES),
        QuoteDefect::Escaped { .. } => Some(ESCAPED_QUOTES),
        QuoteDefect::Leading(_) => Some(LEADING_QUOTE),
        QuoteDefect::Trailing(_) => Some(TRAILING_QUOTE),
        QuoteDefect::Inner(_) => None,
    });
    labels.chain(quotes).collect()
}

/// "the `Bearer` authentication scheme", for the configured key with a label in front.
pub(super) fn label_in_front(sent: &[u8], want: &[u8]) -> Option<String> {
    let wanted = analyze(&SecretKey::from_bytes(want.to_vec()));
    if !sent.ends_with(want) || !wanted.labels.is_empty() {
        return None;
    }
    let a = analyze(&SecretKey::from_bytes(sent.to_vec()));
    a.labels.first().map(|l| l.kind.what().to_string())
}

/// The comparison findings whose fix ("trim the value where it is read") the addition
/// findings replace.
const COMPARISONS: [Code; 2] = [CONFIGURED_KEY_PLUS_EXTRA, CONFIGURED_KEY_WITH_DEFECTS];

/// Rewords the findings of additions made by the code, and drops the comparison's fix,
/// which they replace.
pub(super) fn by_code(findings: &mut [Finding], sent: &[u8], conf: &Configured) {
    let adds = added(sent, conf.key.expose_bytes());
    if adds.is_empty() {
        return;
    }
    let name = &conf.name;
    let why = if adds.iter().any(|c| c.name.contains("quote")) {
        " (a JSON-encoded string, or quotes in a format string or a template, add them)"
    } else {
        " (no `Bearer` or other scheme is documented for api2)"
    };
    let fix =
        format!("Where the code builds the request, send the key alone: `X-API-KEY: <key>`{why}.");
    for f in findings.iter_mut() {
        if adds.iter().any(|c| f.is(*c)) {
            let m = f.message.replace(", pasted together with the key", "");
            f.message =
                format!("{m}; {name} holds the key alone, so the application's code adds it");
            f.fix = Some(fix.clone());
        } else if COMPARISONS.iter().any(|c| f.is(*c)) {
            f.fix = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::testing_support::TEST_CANARY;

    fn conf(v: &str) -> Configured {
        Configured {
            name: "SALESLAYER_API_KEY".into(),
            key: SecretKey::from_string(v.into()),
        }
    }

    #[test]
    fn additions_around_a_healthy_key_are_the_codes() {
        let k = TEST_CANARY;
        #[rustfmt::skip]
        let table: Vec<(String, Vec<Code>)> = vec![
            (format!("Bearer {k}"), vec![pasted_label::AUTH_SCHEME]),
            (format!("X-API-KEY: {k}"), vec![pasted_label::HEADER_NAME]),
            (format!("\"{k}\""), vec![SURROUNDING_QUOTES]),
            (format!("{k}\""), vec![TRAILING_QUOTE]),
            (k.to_string(), vec![]),
            ("Bearer other-value-0000".to_string(), vec![]),
        ];
        for (sent, want) in table {
            assert_eq!(added(sent.as_bytes(), k.as_bytes()), want, "{sent}");
        }
        // A variable that holds the label itself is the variable's problem.
        let sent = format!("Bearer {k}");
        assert!(added(sent.as_bytes(), sent.as_bytes()).is_empty());
        assert_eq!(
            label_in_front(sent.as_bytes(), k.as_bytes()).as_deref(),
            Some("the `Bearer` authentication scheme")
        );
    }

    #[test]
    fn the_findings_say_the_code_adds_it() {
        let sent = format!("Bearer {TEST_CANARY}");
        let mut f = vec![
            Finding::new(
                pasted_label::AUTH_SCHEME,
                "The value starts with the `Bearer` scheme, pasted together with the key",
            )
            .with_fix("Keep only the key in the variable or file."),
            Finding::new(CONFIGURED_KEY_PLUS_EXTRA, "x").with_fix("trim"),
            Finding::new(LEADING_QUOTE, "y").with_fix("z"),
        ];
        by_code(&mut f, sent.as_bytes(), &conf(TEST_CANARY));
        assert_eq!(
            f[0].message,
            "The value starts with the `Bearer` scheme; SALESLAYER_API_KEY holds the key alone, so the application's code adds it"
        );
        let fix = f[0].fix.as_deref().unwrap_or_default();
        assert!(
            fix.starts_with("Where the code builds the request, send the key alone"),
            "{fix}"
        );
        assert_eq!(f[1].fix, None, "said once, by the finding above");
        assert_eq!(f[2].fix.as_deref(), Some("z"));
    }
}
