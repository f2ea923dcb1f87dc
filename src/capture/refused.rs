//! The reason nothing arrives that capture can prove from the configured key alone: a
//! line break in it. Go's net/http, httpx and Python's http.client refuse such a header
//! value before any byte leaves, so neither capture nor the API sees a request, and the
//! base URL is not to blame.

use super::codes::HEADER_REFUSED_BY_CLIENT;
use super::diagnose::Configured;
use sl_doctor_checks::analysis::value::{analyze, describe_all};
use sl_doctor_checks::model::report::Finding;

/// The finding when the configured key holds a CR or LF: `nothing` says what did not
/// arrive (e.g. "No request arrived at http://127.0.0.1:8765 within 120 s").
pub(super) fn line_break_refusal(conf: &Configured, nothing: &str) -> Option<Finding> {
    let breaks: Vec<_> = analyze(&conf.key)
        .header_forbidden()
        .into_iter()
        .filter(|p| p.codepoint == "U+000A" || p.codepoint == "U+000D")
        .collect();
    if breaks.is_empty() {
        return None;
    }
    let name = &conf.name;
    Some(
        Finding::new(
            HEADER_REFUSED_BY_CLIENT,
            format!(
                "{nothing}, and the configured key ({name}) holds a line break ({}): Go's net/http, httpx and Python's http.client refuse to send such a header value, before any byte leaves (curl and PHP send it as is; Node's fetch and axios trim it at the ends)",
                describe_all(&breaks)
            ),
        )
        .with_fix(format!(
            "Remove the line break where {name} is stored (`sl-doctor` on the key shows where it comes from; `sl-doctor fix` repairs a .env line or a key file). The application's own error (Go: `net/http: invalid header field value`; Python: `ValueError: Invalid header value`; httpx: `LocalProtocolError: Illegal header value`) may quote the key: redact it before sharing it."
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::model::secret::SecretKey;
    use sl_doctor_checks::testing_support::TEST_CANARY;

    #[test]
    fn only_a_line_break_is_a_refusal() {
        let conf = |v: String| Configured {
            name: "SALESLAYER_API_KEY".into(),
            key: SecretKey::from_string(v),
        };
        let table = [
            (
                format!("{TEST_CANARY}\n"),
                Some("U+000A LINE FEED at character 28 of 28"),
            ),
            (
                format!("{TEST_CANARY}\r\n"),
                Some("one character at 28 of 28"),
            ),
            (format!("{TEST_CANARY} "), None),
            (TEST_CANARY.to_string(), None),
        ];
        for (value, want) in table {
            let f = line_break_refusal(&conf(value), "No request arrived");
            match want {
                Some(w) => {
                    let f = f.expect("a refusal");
                    assert!(f.message.contains(w), "{}", f.message);
                    assert!(f.message.starts_with(
                        "No request arrived, and the configured key (SALESLAYER_API_KEY)"
                    ));
                }
                None => assert!(f.is_none()),
            }
        }
    }
}
