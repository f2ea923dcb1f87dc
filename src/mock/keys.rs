//! The keys the mock accepts: scopes, the keys-file format and the `--key SCOPE:KEY` flag.
//!
//! Error messages name the line number and the problem, never the key (not even in part).

use sl_doctor_checks::model::secret::SecretKey;

/// Which APIs a mock key is enabled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// DAM only: the Catalog API answers 403 "Feature disabled for the tenant".
    Dam,
    /// Catalog only: the DAM API answers 401.
    Catalog,
    /// Both APIs.
    Both,
}

/// One of the two APIs the mock serves.
pub use sl_doctor_checks::saleslayer::Api;

impl Scope {
    /// True when a key of this scope may call `api`.
    pub fn allows(self, api: Api) -> bool {
        matches!(
            (self, api),
            (Scope::Both, _) | (Scope::Dam, Api::Dam) | (Scope::Catalog, Api::Catalog)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Dam => "dam",
            Scope::Catalog => "catalog",
            Scope::Both => "both",
        }
    }
}

/// A key the mock knows about.
#[derive(Clone, Debug)]
pub struct MockKey {
    /// The exact bytes a client must send in `X-API-KEY`.
    pub key: SecretKey,
    /// The APIs enabled for it.
    pub scope: Scope,
    /// A revoked key is answered like an unknown one (DAM 400, Catalog 401).
    pub revoked: bool,
}

impl MockKey {
    /// A key valid for `scope`.
    pub fn new(key: SecretKey, scope: Scope) -> Self {
        MockKey {
            key,
            scope,
            revoked: false,
        }
    }

    /// A revoked key (it was enabled for both APIs).
    #[cfg(test)]
    pub fn revoked(key: SecretKey) -> Self {
        MockKey {
            key,
            scope: Scope::Both,
            revoked: true,
        }
    }

    /// A fresh random key for `scope`: 44 base64 characters ending in `=`, like the
    /// keys in the Sales Layer docs. For `sl-doctor mock` / `demo` when no key is given;
    /// it is a throwaway test value, so the CLI may show it.
    pub fn random(scope: Scope) -> Self {
        const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = Vec::with_capacity(44);
        while out.len() < 43 {
            let mut r = super::random_u64();
            for _ in 0..10 {
                if out.len() == 43 {
                    break;
                }
                out.push(B64[(r & 63) as usize]);
                r >>= 6;
            }
        }
        out.push(b'=');
        MockKey::new(SecretKey::from_bytes(out), scope)
    }
}

/// The word before the key, in the keys file and in `--key`.
fn parse_scope(word: &str) -> Option<(Scope, bool)> {
    match word.to_ascii_lowercase().as_str() {
        "both" => Some((Scope::Both, false)),
        "dam" => Some((Scope::Dam, false)),
        "catalog" => Some((Scope::Catalog, false)),
        "revoked" => Some((Scope::Both, true)),
        _ => None,
    }
}

const SCOPES: &str = "both, dam, catalog or revoked";

/// Checks a configured key value. A hyper server trims spaces and tabs around header
/// values and rejects control characters, so a key with either could never match.
fn validate_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        return Err("the key is missing");
    }
    if key.chars().any(char::is_whitespace) {
        return Err("the key contains whitespace");
    }
    if key.chars().any(char::is_control) {
        return Err("the key contains a control character");
    }
    Ok(())
}

/// Parses a keys file: one `SCOPE KEY` per line.
///
/// * `SCOPE` is `both`, `dam`, `catalog` or `revoked` (case-insensitive); one or more
///   spaces or tabs separate it from the key.
/// * Blank lines and lines whose first non-blank character is `#` are ignored.
/// * Spaces, tabs and a CR at either end of the line are ignored; the key itself may not
///   contain whitespace or control characters (it could never match a header value).
/// * The same key twice is an error.
///
/// Errors name the line number, never the key.
pub fn parse_keys_file(text: &str) -> Result<Vec<MockKey>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut keys: Vec<(MockKey, usize)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.trim_matches(|c| c == ' ' || c == '\t' || c == '\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((word, rest)) = line.split_once([' ', '\t']) else {
            return Err(if parse_scope(line).is_some() {
                format!("line {n}: the key is missing after the scope")
            } else {
                format!("line {n}: expected `SCOPE KEY` where SCOPE is {SCOPES}")
            });
        };
        let Some((scope, revoked)) = parse_scope(word) else {
            return Err(format!(
                "line {n}: unknown scope (the first word must be {SCOPES})"
            ));
        };
        let key = rest.trim_start_matches([' ', '\t']);
        validate_key(key).map_err(|e| format!("line {n}: {e}"))?;
        if let Some((_, first)) = keys
            .iter()
            .find(|(k, _)| k.key.expose_bytes() == key.as_bytes())
        {
            return Err(format!("line {n}: the same key is already on line {first}"));
        }
        let key = SecretKey::from_string(key.to_string());
        keys.push((
            MockKey {
                key,
                scope,
                revoked,
            },
            n,
        ));
    }
    Ok(keys.into_iter().map(|(k, _)| k).collect())
}

/// Parses `--key SCOPE:KEY` (`both:KEY`, `dam:KEY`, `catalog:KEY`, `revoked:KEY`).
/// Only the first `:` separates, so the key may contain colons. Errors never echo the key.
pub fn parse_key_flag(s: &str) -> Result<MockKey, String> {
    let Some((word, key)) = s.split_once(':') else {
        return Err(format!(
            "expected SCOPE:KEY where SCOPE is {SCOPES} (no `:` found)"
        ));
    };
    let Some((scope, revoked)) = parse_scope(word) else {
        return Err(format!(
            "expected SCOPE:KEY where SCOPE is {SCOPES} (unknown scope before the first `:`)"
        ));
    };
    validate_key(key)?;
    Ok(MockKey {
        key: SecretKey::from_string(key.to_string()),
        scope,
        revoked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use sl_doctor_checks::testing_support::TEST_CANARY as CANARY;

    #[test]
    fn keys_file_parses_scopes_comments_and_crlf() {
        let text = "\u{feff}# mock keys\r\nboth  AAAA+/bb=\r\n\n  dam\tDDDD\ncatalog CCCC:x \nREVOKED RRRR\n";
        let keys = parse_keys_file(text).unwrap();
        let got: Vec<_> = keys
            .iter()
            .map(|k| (k.key.expose_str().unwrap().to_string(), k.scope, k.revoked))
            .collect();
        assert_eq!(
            got,
            vec![
                ("AAAA+/bb=".into(), Scope::Both, false),
                ("DDDD".into(), Scope::Dam, false),
                ("CCCC:x".into(), Scope::Catalog, false),
                ("RRRR".into(), Scope::Both, true),
            ]
        );
    }

    #[test]
    fn keys_file_errors_name_the_line_but_never_the_key() {
        let cases = [
            (format!("both {CANARY}\nadmin {CANARY}x\n"), "line 2"),
            (format!("{CANARY}\n"), "line 1"),
            (format!("# c\nboth {CANARY} tail\n"), "line 2"),
            (format!("both {CANARY}\ndam {CANARY}\n"), "line 2"),
            (format!("\n\nboth {CANARY}\u{7}\n"), "line 3"),
            ("dam\n".to_string(), "line 1"),
        ];
        for (text, line) in cases {
            let err = parse_keys_file(&text).unwrap_err();
            assert!(err.starts_with(line), "{err}");
            assert!(
                !err.contains("SLDOCTOR") && !err.contains("canary"),
                "{err}"
            );
        }
        assert!(
            parse_keys_file(&format!("both {CANARY}\ndam {CANARY}\n"))
                .unwrap_err()
                .contains("already on line 1")
        );
    }

    #[test]
    fn key_flag() {
        let k = parse_key_flag(&format!("dam:{CANARY}")).unwrap();
        assert_eq!(k.scope, Scope::Dam);
        assert_eq!(k.key.expose_str(), Some(CANARY));
        let k = parse_key_flag("revoked:a:b").unwrap();
        assert!(k.revoked);
        assert_eq!(k.key.expose_str(), Some("a:b"));
        for bad in [
            CANARY.to_string(),
            format!("admin:{CANARY}"),
            "both:".to_string(),
            format!("both:{CANARY} "),
        ] {
            let err = parse_key_flag(&bad).unwrap_err();
            assert!(!err.contains("canary"), "{err}");
        }
    }

    #[test]
    fn random_keys_look_like_sales_layer_keys() {
        let a = MockKey::random(Scope::Both);
        let b = MockKey::random(Scope::Both);
        assert_eq!(a.key.byte_len(), 44);
        assert!(a.key.expose_str().unwrap().ends_with('='));
        assert_ne!(a.key, b.key);
    }
}

#[cfg(test)]
mod doc_tests {
    /// The keys-file example in docs/mock.md parses as documented.
    #[test]
    fn docs_example_parses() {
        let section = crate::explain::sections_of(include_str!("../../docs/mock.md"))
            .into_iter()
            .find_map(|(title, body)| (title == "Keys file format").then_some(body))
            .expect("docs/mock.md has a `## Keys file format` section");
        let example = section.split("```").nth(1).expect("code block");
        let keys = super::parse_keys_file(example).expect("example parses");
        let scopes: Vec<_> = keys.iter().map(|k| (k.scope, k.revoked)).collect();
        use super::Scope::*;
        assert_eq!(
            scopes,
            vec![(Both, false), (Dam, false), (Catalog, false), (Both, true)]
        );
    }
}
