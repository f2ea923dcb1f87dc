//! Property test of capture's request path: arbitrary bytes, with the canary key placed
//! in the head, go through the raw parser, the diagnosis and the answer, and the record
//! (JSON and the human block) holds no key piece and nothing a terminal or a CI log
//! would act on.

use super::*;
use proptest::prelude::*;
use sl_doctor_checks::model::secret::SecretKey;
use sl_doctor_checks::testing_support::TEST_CANARY;

/// What no output of capture may hold: a piece of the key, a control character other
/// than LF, a bidi or invisible character, or a line a CI runner takes as a command.
fn unsafe_in(text: &str) -> Option<String> {
    if sl_doctor_checks::testing_support::leaks(TEST_CANARY, text) {
        return Some("a piece of the key".into());
    }
    if let Some(c) = text
        .chars()
        .find(|c| *c != '\n' && untrusted::is_unsafe(*c))
    {
        return Some(format!("character U+{:04X}", c as u32));
    }
    text.lines()
        .find(|l| l.trim_start().starts_with("::"))
        .map(|l| format!("workflow command line {l:?}"))
}

fn shared() -> Shared {
    Shared {
        configured: Some(Configured {
            name: "SALESLAYER_API_KEY".into(),
            key: SecretKey::from_string(TEST_CANARY.into()),
        }),
        upstream: None,
        base_url: "http://127.0.0.1:1".into(),
        tls: None,
    }
}

/// Serves `bytes` as one connection and returns the record's JSON and human block.
async fn outputs(bytes: Vec<u8>) -> Option<String> {
    let (mut client, server) = tokio::io::duplex(1 << 20);
    client.write_all(&bytes).await.ok()?;
    client.shutdown().await.ok()?;
    let rec = serve(server, &shared(), "http", Vec::new(), Instant::now())
        .await?
        .into_record(1);
    let term = crate::term::Term {
        color: false,
        ascii: false,
        width: None,
    };
    Some(serde_json::to_string(&rec).unwrap() + "\n" + &render::capture_block(&rec, &term))
}

fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        Just(TEST_CANARY.as_bytes().to_vec()),
        Just(b"\x1b]0;owned\x07".to_vec()),
        Just("\u{202e}".as_bytes().to_vec()),
        Just(b"\r\n::error::x\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b": ".to_vec()),
        Just(b"[a](https://evil.example)".to_vec()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_parse_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        for ending in [parse::LineEnding::Crlf, parse::LineEnding::Lf] {
            let r = parse::parse_head(&bytes, ending);
            let _ = (r.path(), r.query());
        }
    }

    #[test]
    fn no_output_holds_the_key_or_a_raw_control(
        method in hostile_bytes(),
        target in hostile_bytes(),
        name in hostile_bytes(),
        value in hostile_bytes(),
    ) {
        let mut head = method;
        head.extend_from_slice(b" /dam/image?");
        head.extend_from_slice(&target);
        head.extend_from_slice(b" HTTP/1.1\r\n");
        head.extend_from_slice(&name);
        head.extend_from_slice(b": ");
        head.extend_from_slice(&value);
        head.extend_from_slice(format!("\r\nX-API-KEY: {TEST_CANARY}\r\n\r\n").as_bytes());
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        if let Some(text) = rt.block_on(outputs(head)) {
            prop_assert!(unsafe_in(&text).is_none(), "{:?} in\n{}", unsafe_in(&text), text);
        }
    }
}
