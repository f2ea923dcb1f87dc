//! `sl-doctor capture` fed hostile requests on loopback: method, header names and path
//! carrying ESC, a bare LF, U+202E, `::error::` and Markdown links, next to the canary
//! key. Every output of every format (human on stdout, JSON on stdout and its progress
//! lines on stderr) must hold no control byte but LF, no bidi or invisible character,
//! no line starting with `::`, no `##[` anywhere, and no piece of the key.

use crate::common::{CANARY, assert_no_leak};
use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The requests, raw. Each ends its head so capture answers at once.
fn hostile_requests() -> Vec<Vec<u8>> {
    let k = CANARY;
    vec![
        format!("G\x1b]0;owned\x07ET /dam/image?$top=1 HTTP/1.1\r\nX-API-KEY: {k}\r\n\r\n"),
        format!("GET /dam/im\u{202e}age?q=[x](https://evil.example) HTTP/1.1\r\nX-\x1b[2KAPI-KEY\u{202e}: {k}\r\n\r\n"),
        format!("GET /dam/image HTTP/1.1\r\n::error title=x::owned: 1\r\n[click](https://evil.example): 2\r\nX-API-KEY: {k}\r\n\r\n"),
        format!("GET /dam/image HTTP/1.1\nX-API-KEY: {k}\nBare\nLF: x\n\n"),
        format!("GET /{k}/x?api_key={k} HTTP/1.1\r\nX-Key-{k}: 1\r\n\r\n"),
        // The key in hex, as HTML character references and double percent-encoded.
        format!(
            "GET /dam/{}?h={}&d={} HTTP/1.1\r\nX-{}: 1\r\nX-API-KEY: {k}\r\n\r\n",
            hex(k),
            k.chars().map(|c| format!("&#{};", c as u32)).collect::<String>(),
            k.replace('+', "%252B").replace('/', "%252F").replace('=', "%253D"),
            hex(k).to_lowercase(),
        ),
        // The legacy workflow command mid-line, in a header name and in the path.
        format!("GET /dam/x##[add-mask]y?q=##[stop-commands]p HTTP/1.1\r\nX ##[stop-commands]t0ken: 1\r\nX-API-KEY: {k}\r\n\r\n"),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

/// Every byte as two upper-case hex digits.
fn hex(k: &str) -> String {
    k.bytes().map(|b| format!("{b:02X}")).collect()
}

/// A free loopback port (bound, then released for capture to take).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends one request once the port accepts connections, and reads the answer.
fn send(port: u16, bytes: &[u8]) {
    let start = Instant::now();
    let mut s = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if start.elapsed() < Duration::from_secs(20) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("capture did not listen on {port}: {e}"),
        }
    };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    assert!(answer.starts_with(b"HTTP/1.1 "), "no answer to {bytes:?}");
}

/// Runs capture in `format` for the hostile requests: (stdout, stderr).
fn run_capture(format: &str) -> (String, String) {
    let requests = hostile_requests();
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_sl-doctor"))
        .env_clear()
        .env("SALESLAYER_API_KEY", CANARY)
        .current_dir(dir.path())
        .args(["capture", "--port", &port.to_string(), "--timeout", "30"])
        .args(["--count", &requests.len().to_string(), "--format", format])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for r in &requests {
        send(port, r);
    }
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// The rules of the module doc on one output: the shared assertion, as for a CI log.
fn assert_inert(what: &str, text: &str) {
    // Independently of the leak policy: no eight key bytes in hex, either case.
    for h in [hex(CANARY), hex(CANARY).to_lowercase()] {
        let c: Vec<char> = h.chars().collect();
        for w in c.windows(16) {
            let piece: String = w.iter().collect();
            assert!(
                !text.contains(&piece),
                "{what} holds the key in hex: {text}"
            );
        }
    }
    assert_output_safe(
        CANARY,
        what,
        text,
        OutputRules {
            log: true,
            ..Default::default()
        },
    );
}

#[test]
fn hostile_requests_reach_no_output_raw() {
    let (human, progress) = run_capture("human");
    assert_inert("human stdout", &human);
    assert_inert("human stderr", &progress);
    // The escapes are visible, so the user sees what was sent.
    assert!(human.contains("\\x1b"), "{human}");
    assert!(human.contains("\\u{202e}"), "{human}");

    let (json, progress) = run_capture("json");
    assert_inert("json stdout", &json);
    assert_inert("json stderr", &progress);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON report");
    let captures = v["captures"].as_array().unwrap();
    assert_eq!(captures.len(), hostile_requests().len());
    // Decoded JSON strings carry no raw control either (an escaped \u001b would).
    for c in captures {
        for field in ["method", "path"] {
            let s = c[field].as_str().unwrap();
            assert!(!s.chars().any(char::is_control), "{field}: {s:?}");
        }
        for n in c["header_names"].as_array().unwrap() {
            let s = n.as_str().unwrap();
            assert!(!s.chars().any(char::is_control), "header name {s:?}");
            assert_no_leak(CANARY, "header name", s);
        }
    }
    // The legacy command is escaped in the JSON text, not in the value a JSON reader gets.
    assert!(json.contains("\\u0023#[stop-commands]t0ken"), "{json}");
    assert!(
        captures
            .iter()
            .flat_map(|c| c["header_names"].as_array().unwrap())
            .any(|n| n.as_str().unwrap().contains("##[stop-commands]t0ken")),
        "{json}"
    );
}
