//! What of a captured request may reach an output, and which received values are
//! secrets: every piece shown is checked against the run's one `Secrets` (one
//! Aho-Corasick pass) on its raw text, then neutralised and capped (`Untrusted`).

use sl_doctor_checks::leak::Secrets;
use sl_doctor_checks::model::report::Finding;
use sl_doctor_checks::model::untrusted::Untrusted;

/// Received values that become secrets of a request: at most this many…
const MAX_SECRET_VALUES: usize = 16;
/// …each cut to this many bytes. A Sales Layer key is a few dozen characters; a longer
/// value is never shown (values never are), so its start is what needs guarding, and
/// the guard's cost stays linear in the size of the request.
const MAX_SECRET_BYTES: usize = 1024;

/// The distinct received values to treat as secrets, in order, bounded as above.
pub(super) fn secret_values(values: Vec<&[u8]>) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    for v in values {
        let v = &v[..v.len().min(MAX_SECRET_BYTES)];
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
        if out.len() == MAX_SECRET_VALUES {
            break;
        }
    }
    out
}

/// Characters kept of a method, a version or a header name.
pub(super) const SHORT: usize = 64;
/// Header names listed per request; the rest are counted.
pub(super) const MAX_NAMES: usize = 64;
/// Characters kept of a finding's message or fix.
const FINDING_CAP: usize = 2000;

/// A piece of a captured request as it may be shown: `[redacted]` when it holds key
/// material (checked on the raw text, one pass of the run's one `Secrets`), else
/// neutralised and capped (`Untrusted`): no control, bidi or invisible character of the
/// request reaches any output raw.
pub(super) fn shown(secrets: &Secrets, raw: &str, cap: usize) -> String {
    Untrusted::capped(&secrets.guarded(raw), cap).to_string()
}

/// `… (N more)` after the first [`MAX_NAMES`] header names.
pub(super) fn names_left_out(total: usize) -> Option<String> {
    (total > MAX_NAMES).then(|| format!("… ({} more)", total - MAX_NAMES))
}

/// Findings quote what arrived (a header name, a URL): their text is made safe like
/// every other piece of the request, and withheld when it would show key material.
pub(super) fn neutralise_findings(findings: &mut [Finding], secrets: &Secrets) {
    for f in findings.iter_mut() {
        if secrets.leaks(&f.message) {
            f.message = format!(
                "{} (message withheld: it would show part of the key)",
                f.code
            );
        }
        f.message = Untrusted::capped(&f.message, FINDING_CAP).to_string();
        if let Some(fix) = &mut f.fix {
            *fix = Untrusted::capped(&secrets.guarded(fix), FINDING_CAP).to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::model::secret::SecretKey;
    use sl_doctor_checks::testing_support::TEST_CANARY;

    #[test]
    fn secret_values_are_bounded_distinct_and_in_order() {
        let long = vec![b'a'; 10 * MAX_SECRET_BYTES];
        let many: Vec<Vec<u8>> = (0..40).map(|i| format!("value-{i}").into_bytes()).collect();
        let mut input: Vec<&[u8]> = vec![b"", &long, &long];
        input.extend(many.iter().map(Vec::as_slice));
        let got = secret_values(input);
        assert_eq!(got.len(), MAX_SECRET_VALUES);
        assert_eq!(got[0].len(), MAX_SECRET_BYTES);
        assert_eq!(got[1], b"value-0");
    }

    #[test]
    fn shown_pieces_are_redacted_or_neutralised_and_capped() {
        let s = Secrets::new(&[&SecretKey::from_string(TEST_CANARY.into())]);
        let table = [
            ("G\u{1b}ET", "G\\x1bET"),
            ("X-API\u{202e}", "X-API\\u{202e}"),
            (&format!("X-{TEST_CANARY}") as &str, "[redacted]"),
        ];
        for (raw, want) in table {
            assert_eq!(shown(&s, raw, SHORT), want);
        }
        assert!(shown(&s, &"n".repeat(500), SHORT).ends_with("(436 more characters)"));
        assert_eq!(names_left_out(MAX_NAMES + 3).as_deref(), Some("… (3 more)"));
        assert_eq!(names_left_out(MAX_NAMES), None);
    }
}
