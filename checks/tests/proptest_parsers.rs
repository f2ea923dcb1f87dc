//! Property tests of the parsers that read outside input: the raw `.env` reader and the
//! URL analysis. Arbitrary input never panics; a value written as a `.env` line reads
//! back as itself; a key embedded in a URL leaves no 8-character piece in the URL's facts.
//! (Capture's raw request parser has its own property test beside it, in the binary.)

use proptest::prelude::*;
use sl_doctor_checks::analysis::urls::{Role, analyze, redact};
use sl_doctor_checks::input::dotenv::DotenvFile;
use sl_doctor_checks::model::secret::SecretKey;
use sl_doctor_checks::testing_support::TEST_CANARY;

/// Whether `text` holds a piece of the canary, in any spelling of the leak policy.
fn holds_key_piece(text: &str) -> bool {
    sl_doctor_checks::testing_support::leaks(TEST_CANARY, text)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dotenv_reads_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let f = DotenvFile::parse(".env", &bytes);
        prop_assert!(f.lines <= bytes.iter().filter(|b| **b == b'\n').count() + 1);
        for e in &f.entries {
            prop_assert!(e.line >= 1 && e.line <= f.lines);
        }
    }

    /// A value written the ways a person writes it reads back as the same value: bare
    /// (no spaces, quotes, `#` or backslash in it), single-quoted (no `'`), and
    /// double-quoted with `\` and `"` escaped.
    #[test]
    fn dotenv_values_round_trip(
        value in "[A-Za-z0-9+/=_.:@-]{1,64}",
        quoted in "[ -~]{0,64}",
        crlf in any::<bool>(),
        export in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let pre = if export { "export " } else { "" };
        let single = quoted.replace('\'', "");
        let double = quoted.replace('\\', "\\\\").replace('"', "\\\"");
        let text = format!(
            "{pre}BARE={value}{end}{pre}SINGLE='{single}'{end}{pre}DOUBLE=\"{double}\"{end}"
        );
        let f = DotenvFile::parse(".env", text.as_bytes());
        for (name, want) in [("BARE", value.as_str()), ("SINGLE", single.as_str()), ("DOUBLE", quoted.as_str())] {
            let e = f.effective(name);
            prop_assert!(e.is_some(), "{} missing in {:?}", name, text);
            prop_assert_eq!(e.unwrap().value.expose_bytes(), want.as_bytes(), "{}", name);
        }
    }

    #[test]
    fn url_analysis_takes_any_string(raw in any::<String>(), base in any::<bool>()) {
        let role = if base { Role::Base } else { Role::Request };
        let _ = analyze(&raw, role, None);
        let _ = analyze(&raw, role, Some(TEST_CANARY));
        let _ = redact(&raw, None);
    }

    /// The key anywhere in a URL (raw or percent-encoded, in the user info, host, path,
    /// query or fragment) leaves no piece of it in the facts or the redacted text.
    #[test]
    fn an_embedded_key_leaves_no_piece(
        before in "[a-z0-9/?&=#.:@_-]{0,24}",
        after in "[a-z0-9/?&=#._-]{0,24}",
        scheme in prop::sample::select(vec!["https://", "http://", ""]),
        encode in any::<bool>(),
    ) {
        let key = if encode {
            TEST_CANARY.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
        } else {
            TEST_CANARY.to_string()
        };
        let url = format!("{scheme}{before}{key}{after}");
        let facts = analyze(&url, Role::Request, Some(TEST_CANARY));
        let text = format!("{facts:?}");
        prop_assert!(!holds_key_piece(&text), "key piece in the facts of {:?}: {}", url, text);
        let shown = redact(&url, Some(&SecretKey::from_string(TEST_CANARY.into())));
        prop_assert!(!holds_key_piece(&shown), "key piece in {:?}", shown);
    }
}
