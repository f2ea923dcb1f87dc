//! `sl-doctor capture` driven by real HTTP clients other than our own: curl, Python 3's
//! urllib and Node's fetch. Each sends the canary key correctly and with the classic
//! mistakes; each case asserts the finding capture reports, or the client's own refusal
//! to send the value (documented in docs/capture.md). No test touches the real API:
//! `--forward` is tested against `sl-doctor mock --https` on loopback.

use crate::common::{CANARY, assert_contains, assert_no_leak};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `sl-doctor capture` (or `mock`) child process.
struct Server {
    child: Child,
    base_url: String,
    ca_file: Option<String>,
    lines: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

/// Starts the binary with `args`, in an empty directory and environment plus `env`,
/// and waits for its `base URL` line on `stream` ("stderr" with --format json).
fn start(args: &[&str], env: &[(&str, &str)], stream: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sl-doctor"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .current_dir(dir.path())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn sl-doctor");
    let pipe: Box<dyn Read + Send> = if stream == "stderr" {
        Box::new(child.stderr.take().unwrap())
    } else {
        Box::new(child.stdout.take().unwrap())
    };
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut base_url = None;
    let mut ca_file = None;
    let mut seen = Vec::new();
    while base_url.is_none() || (args.contains(&"--https") && ca_file.is_none()) {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no base URL line; saw {seen:?}"));
        if let Some(u) = line.strip_prefix("base URL  ") {
            base_url = Some(u.trim().to_string());
        }
        if let Some(c) = line.strip_prefix("CA file   ") {
            ca_file = Some(c.split("  ").next().unwrap().trim().to_string());
        }
        seen.push(line);
    }
    Server {
        child,
        base_url: base_url.unwrap(),
        ca_file,
        lines: rx,
        reader,
        _dir: dir,
    }
}

/// Waits for the capture to end: (exit code, JSON report, stdout, stderr).
fn finish(mut s: Server) -> (i32, Value, String, String) {
    let mut stdout = String::new();
    s.child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = s.child.wait().unwrap();
    s.reader.join().unwrap();
    let stderr: Vec<String> = s.lines.try_iter().collect();
    let stderr = stderr.join("\n");
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    for (what, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert_no_leak(CANARY, what, text);
    }
    (status.code().unwrap_or(-1), json, stdout, stderr)
}

fn capture(count: usize, extra: &[&str]) -> Server {
    let n = count.to_string();
    let mut args = vec![
        "capture",
        "--port",
        "0",
        "--count",
        &n,
        "--timeout",
        "20",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    start(&args, &[("SALESLAYER_API_KEY", CANARY)], "stderr")
}

fn codes(c: &Value) -> Vec<String> {
    c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn assert_codes(c: &Value, want: &[&str], what: &str) {
    let got = codes(c);
    for w in want {
        assert!(got.iter().any(|g| g == w), "{what}: missing {w} in {got:?}");
    }
}

/// Whether `tool` runs here (`require_tool`: under CI a missing tool fails the test).
fn installed(tool: &str) -> bool {
    sl_doctor_checks::testing_support::require_tool(tool, &["--version"])
}

/// Runs a `python3 -c` or `node -e` client script against `base_url` with the canary in
/// `SL_KEY`, and asserts that it printed one line starting with each of `expect`.
fn run_client(program: &str, script: &str, base_url: &str, expect: &[&str]) {
    let flag = if program == "node" { "-e" } else { "-c" };
    let out = Command::new(program)
        .args([flag, script, base_url])
        .env("SL_KEY", CANARY)
        .output()
        .expect(program);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}\n{err}");
    let lines: Vec<&str> = text.lines().collect();
    for (got, want) in lines.iter().zip(expect) {
        assert!(got.starts_with(want), "{got:?} vs {want:?}\n{text}");
    }
    assert_eq!(lines.len(), expect.len(), "{text}");
}

/// One request of a client script: the line the script prints for it, and the codes its
/// capture must have (none: the client refused to send it, nothing arrives).
type ClientCase<'a> = (&'a str, &'a [&'a str]);

/// Runs a client script ([`run_client`]) against a capture of the requests that arrive,
/// and asserts each capture's codes ([`assert_codes`], named by the request's name, the
/// first word the script prints); returns the captures.
fn client_captures(program: &str, script: &str, cases: &[ClientCase]) -> Vec<Value> {
    let sent: Vec<&ClientCase> = cases
        .iter()
        .filter(|(_, codes)| !codes.is_empty())
        .collect();
    let s = capture(sent.len(), &[]);
    let lines: Vec<&str> = cases.iter().map(|(line, _)| *line).collect();
    run_client(program, script, &s.base_url, &lines);
    let (_, caps) = failed_captures(s);
    assert_eq!(caps.len(), sent.len());
    for (c, (line, codes)) in caps.iter().zip(sent) {
        assert_codes(c, codes, line.split(' ').next().unwrap_or(line));
    }
    caps
}

/// Waits for a capture that found problems (exit code 1): its report and its captures.
fn failed_captures(s: Server) -> (Value, Vec<Value>) {
    let (code, json, _, _) = finish(s);
    assert_eq!(code, 1);
    let caps = json["captures"].as_array().unwrap().clone();
    (json, caps)
}

/// The finding with this code of a capture.
fn finding<'a>(c: &'a Value, code: &str) -> &'a Value {
    c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} finding in {c}"))
}

/// Runs curl; returns (exit code, HTTP status as printed by -w).
fn curl(args: &[&str]) -> (i32, String) {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "10",
        ])
        .args(args)
        .output()
        .expect("curl");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn curl_sends_every_classic_mistake_and_capture_names_each() {
    if !installed("curl") {
        return;
    }
    let s = capture(9, &[]);
    let u = &s.base_url;
    let k = CANARY;
    let dam = format!("{u}/dam/image?$top=1");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![format!("X-API-KEY: {k}"), dam.clone()], "200"),
        (vec![format!("X-API-KEY: {k}\r"), dam.clone()], "400"),
        (vec![format!("X-API-KEY: {k}\n"), dam.clone()], "400"),
        (vec![format!("X-API-KEY: \"{k}\""), dam.clone()], "400"),
        (
            vec![
                format!(
                    "X-API-KEY: {}",
                    k.replacen("SLDOCTOR", "SLDOCTOR\u{200B}", 1)
                ),
                dam.clone(),
            ],
            "400",
        ),
        (vec![format!("X_API_KEY: {k}"), dam.clone()], "401"),
        (
            vec![format!("Authorization: Bearer {k}"), dam.clone()],
            "401",
        ),
        (
            vec![
                "Accept: application/json".into(),
                format!(
                    "{u}/dam/image?api_key={}",
                    k.replace('+', "%2B")
                        .replace('/', "%2F")
                        .replace('=', "%3D")
                ),
            ],
            "401",
        ),
        (
            // The documented curl command in double quotes: the shell ate `$metadata`.
            vec![format!("X-API-KEY: {k}"), format!("{u}/rest/Catalog/")],
            "404",
        ),
    ];
    for (args, want) in &cases {
        let (code, status) = curl(&["-H", &args[0], &args[1]]);
        assert_eq!(code, 0, "curl refused {args:?}");
        assert_eq!(&status, want, "{args:?}");
    }
    let (json, caps) = failed_captures(s);
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["command"], "capture");
    assert_eq!(caps.len(), 9);
    assert_eq!(caps[0]["status"], "pass");
    assert_codes(&caps[0], &["same-key-as-configured"], "correct key");
    assert_eq!(caps[0]["key_header"]["matches_configured"], true);
    assert_eq!(caps[0]["path"], "/dam/image?$top=1");
    assert!(
        caps[0]["header_names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "X-API-KEY")
    );
    assert_codes(
        &caps[1],
        &[
            "trailing-newline",
            "rejected-by-strict-servers",
            "configured-key-plus-extra",
        ],
        "trailing CR",
    );
    assert_codes(
        &caps[2],
        &["trailing-newline", "configured-key-plus-extra"],
        "trailing LF",
    );
    assert_codes(
        &caps[3],
        &["surrounding-quotes", "configured-key-with-defects"],
        "quotes",
    );
    assert_codes(&caps[4], &["zero-width", "non-ascii"], "zero-width space");
    let zw = finding(&caps[4], "zero-width");
    assert_eq!(zw["position"]["character"], 9);
    assert_eq!(zw["position"]["codepoint"], "U+200B");
    assert_codes(
        &caps[5],
        &["missing-key-header", "misspelt-key-header"],
        "X_API_KEY",
    );
    assert_codes(
        &caps[6],
        &["missing-key-header", "authorization-header"],
        "Bearer",
    );
    assert_codes(
        &caps[7],
        // The key under a key-named parameter is one finding (the parameter is named in
        // it), not two.
        &["missing-key-header", "key-value-in-url"],
        "query",
    );
    assert!(caps[7]["path"].as_str().unwrap().contains("[redacted]"));
    assert_codes(
        &caps[8],
        &["legacy-catalog-path", "catalog-resource-missing"],
        "legacy path",
    );
    assert_eq!(caps[8]["api"], "catalog");
}

#[test]
fn python_urllib_sends_or_refuses_each_value() {
    if !installed("python3") {
        return;
    }
    // Python reads the key from the environment, like an application does.
    const SCRIPT: &str = r#"
import os, sys, urllib.parse, urllib.request, urllib.error
base, key = sys.argv[1], os.environ["SL_KEY"]
cases = [
    ("ok", {"X-API-KEY": key}, "/dam/image?$top=1"),
    ("newline", {"X-API-KEY": key + "\n"}, "/dam/image"),
    ("cr", {"X-API-KEY": key + "\r"}, "/dam/image"),
    ("quoted", {"X-API-KEY": '"' + key + '"'}, "/dam/image"),
    ("zwsp-str", {"X-API-KEY": key[:8] + "\u200b" + key[8:]}, "/dam/image"),
    ("zwsp-bytes", {"X-API-KEY": (key[:8] + "\u200b" + key[8:]).encode()}, "/dam/image"),
    ("nbsp-latin1", {"X-API-KEY": key + "\u00a0"}, "/dam/image"),
    ("wrong-name", {"Api-Key": key}, "/dam/image"),
    ("query", {}, "/catalog/rest/Catalog/Products?apikey=" + urllib.parse.quote(key, safe="")),
]
for name, headers, path in cases:
    try:
        r = urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=10)
        print(name, "status", r.status)
    except urllib.error.HTTPError as e:
        print(name, "status", e.code)
    except Exception as e:
        # The message may hold the key: print only the exception type and its start.
        print(name, "refused", type(e).__name__, str(e).split(" b'")[0].split(" '")[0])
"#;
    #[rustfmt::skip]
    let cases: &[ClientCase] = &[
        ("ok status 200", &["same-key-as-configured"]),
        ("newline refused ValueError Invalid header value", &[]),
        ("cr refused ValueError Invalid header value", &[]),
        ("quoted status 400", &["surrounding-quotes"]),
        ("zwsp-str refused UnicodeEncodeError", &[]),
        ("zwsp-bytes status 400", &["zero-width"]),
        // http.client encodes str values as Latin-1: U+00A0 arrives as the single byte 0xA0.
        ("nbsp-latin1 status 400", &["not-utf8", "unusual-space", "configured-key-plus-extra"]),
        ("wrong-name status 401", &["missing-key-header", "wrong-key-header"]),
        ("query status 401", &["missing-key-header", "key-value-in-url"]),
    ];
    let caps = client_captures("python3", SCRIPT, cases);
    assert!(
        caps[4]["header_names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "Api-Key"),
        "{}",
        caps[4]["header_names"]
    );
}

#[test]
fn node_fetch_trims_some_values_and_refuses_others() {
    if !installed("node") {
        return;
    }
    const SCRIPT: &str = r#"
const [base] = process.argv.slice(1);
const key = process.env.SL_KEY;
const cases = [
  ["ok", {"X-API-KEY": key}, "/dam/image?$top=1"],
  ["cr", {"X-API-KEY": key + "\r"}, "/dam/image"],
  ["newline", {"X-API-KEY": key + "\n"}, "/dam/image"],
  ["inner-newline", {"X-API-KEY": key.slice(0, 8) + "\n" + key.slice(8)}, "/dam/image"],
  ["quoted", {"X-API-KEY": '"' + key + '"'}, "/dam/image"],
  ["zwsp", {"X-API-KEY": key.slice(0, 8) + "\u200b" + key.slice(8)}, "/dam/image"],
  ["wrong-name", {"X-Api-Token": key}, "/catalog/rest/Catalog/$metadata"],
  ["query", {}, "/dam/image?api_key=" + encodeURIComponent(key)],
];
(async () => {
  for (const [name, headers, path] of cases) {
    try {
      const r = await fetch(base + path, {headers});
      await r.text();
      console.log(name, "status", r.status);
    } catch (e) {
      // Messages may quote the value: print the error class and the part before it.
      const m = String((e.cause && e.cause.message) || e.message);
      console.log(name, "refused", e.name, m.includes("ByteString") ? "ByteString" : m.includes("invalid header value") ? "invalid header value" : m.slice(0, 12));
    }
  }
})();
"#;
    #[rustfmt::skip]
    let cases: &[ClientCase] = &[
        ("ok status 200", &["same-key-as-configured"]),
        // fetch strips leading and trailing HTTP whitespace (TAB, LF, CR, SP) silently.
        ("cr status 200", &["same-key-as-configured"]),
        ("newline status 200", &["same-key-as-configured"]),
        ("inner-newline refused TypeError invalid header value", &[]),
        ("quoted status 400", &["surrounding-quotes"]),
        ("zwsp refused TypeError ByteString", &[]),
        ("wrong-name status 401", &["missing-key-header", "wrong-key-header"]),
        ("query status 401", &["missing-key-header", "key-value-in-url"]),
    ];
    let caps = client_captures("node", SCRIPT, cases);
    for c in &caps[..3] {
        assert_eq!(c["status"], "pass");
    }
    assert_eq!(caps[4]["api"], "catalog");
}

#[test]
fn https_capture_with_curl_and_a_client_that_does_not_trust_the_ca() {
    if !installed("curl") {
        return;
    }
    let s = capture(3, &["--https"]);
    let ca = s.ca_file.clone().expect("CA file printed");
    let url = format!("{}/dam/image?$top=1", s.base_url);
    assert!(url.starts_with("https://localhost:"), "{url}");
    let (code, status) = curl(&[
        "--cacert",
        &ca,
        "-H",
        &format!("X-API-KEY: {CANARY} "),
        &url,
    ]);
    assert_eq!((code, status.as_str()), (0, "200"));
    // Without the CA curl refuses the certificate (exit 60); capture reports the handshake.
    let (code, _) = curl(&["-H", &format!("X-API-KEY: {CANARY}"), &url]);
    assert_eq!(code, 60);
    // Plain http to the https port is diagnosed too.
    let plain = url.replacen("https://localhost", "http://127.0.0.1", 1);
    let (code, status) = curl(&["-H", &format!("X-API-KEY: {CANARY}"), &plain]);
    assert_eq!((code, status.as_str()), (0, "200"));
    let (json, caps) = failed_captures(s);
    assert_eq!(json["listen"]["https"], true);
    assert_eq!(caps[0]["transport"], "https");
    // A trailing space is reported from the raw bytes, as a warning: servers drop it.
    assert_codes(
        &caps[0],
        &["trailing-whitespace", "configured-key-plus-extra"],
        "space",
    );
    assert_eq!(finding(&caps[0], "trailing-whitespace")["severity"], "warn");
    assert_codes(&caps[1], &["tls-handshake-failed"], "untrusted CA");
    assert_codes(
        &caps[2],
        &["plain-http-to-https", "same-key-as-configured"],
        "plain",
    );
}

#[test]
fn forward_relays_unchanged_to_a_loopback_https_api() {
    if !installed("curl") {
        return;
    }
    // The upstream: the mock over HTTPS, knowing the canary as a valid key.
    let ca_dir = tempfile::tempdir().unwrap();
    let ca = ca_dir.path().join("mock-ca.pem");
    let ca_s = ca.display().to_string();
    let key_flag = format!("both:{CANARY}");
    let mock = start(
        &[
            "mock",
            "--https",
            "--key",
            &key_flag,
            "--ca-out",
            &ca_s,
            "--exit-after",
            "30",
        ],
        &[],
        "stdout",
    );
    let s = capture(3, &["--forward-to", &mock.base_url, "--ca-cert", &ca_s]);
    let dam = format!("{}/dam/image?$top=1", s.base_url);
    let (_, status) = curl(&["-H", &format!("X-API-KEY: {CANARY}"), &dam]);
    assert_eq!(status, "200");
    let (_, status) = curl(&["-H", &format!("X-API-KEY: \"{CANARY}\""), &dam]);
    assert_eq!(status, "400", "the mock's DAM answer to an invalid key");
    let (_, status) = curl(&[&format!("{}/catalog/rest/Catalog/$metadata", s.base_url)]);
    assert_eq!(status, "401");
    let (json, caps) = failed_captures(s);
    let mut mock = mock;
    let _ = mock.child.kill();
    let _ = mock.child.wait();
    assert_eq!(json["mode"], "forward");
    let statuses: Vec<&Value> = caps.iter().map(|c| &c["answer"]["status"]).collect();
    assert_eq!(statuses, [200, 400, 401]);
    for c in &caps {
        assert_eq!(c["answer"]["by"], "forward");
        assert_eq!(c["answer"]["upstream"], mock.base_url.as_str());
        assert!(c["answer"]["total_ms"].is_u64());
    }
    assert_codes(&caps[0], &["forward-accepted"], "accepted");
    assert_codes(
        &caps[1],
        &["forward-rejected", "surrounding-quotes"],
        "quoted",
    );
    assert_codes(
        &caps[2],
        &["forward-rejected", "missing-key-header"],
        "missing",
    );
}

#[test]
fn nothing_arrives_fails_and_bad_flags_are_usage_errors() {
    let s = start(
        &[
            "capture",
            "--port",
            "0",
            "--timeout",
            "0.5",
            "--format",
            "json",
        ],
        &[],
        "stderr",
    );
    let (code, json, _, _) = finish(s);
    assert_eq!(code, 1);
    assert_eq!(json["findings"][0]["code"], "no-request");
    assert_eq!(json["captures"].as_array().unwrap().len(), 0);
    assert!(json.get("key").is_none());

    let (r, _d) = crate::common::sl_doctor()
        .args([
            "capture",
            "--forward-to",
            "http://127.0.0.1:9",
            "--timeout",
            "1",
        ])
        .run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_contains(&r.stderr, "only https");
    let (r, _d) = crate::common::sl_doctor()
        .args(["capture", "--count", "0"])
        .run();
    assert_eq!(r.code, 2);
}

#[test]
fn a_non_loopback_bind_is_a_security_warning() {
    let s = start(
        &[
            "capture",
            "--bind",
            "0.0.0.0",
            "--port",
            "0",
            "--count",
            "1",
            "--timeout",
            "10",
            "--format",
            "json",
        ],
        &[("SALESLAYER_API_KEY", CANARY)],
        "stderr",
    );
    let (code, status) = if installed("curl") {
        curl(&[
            "-H",
            &format!("X-API-KEY: {CANARY}"),
            &format!("{}/dam/image", s.base_url),
        ])
    } else {
        (0, "200".into())
    };
    assert_eq!((code, status.as_str()), (0, "200"));
    let (code, json, _, _) = finish(s);
    assert_eq!(code, 0, "warnings only");
    assert_eq!(json["verdict"], "warn");
    assert_eq!(json["findings"][0]["code"], "non-loopback-bind");
    assert_eq!(json["findings"][0]["severity"], "warn");
}

#[test]
fn human_output_shows_each_request_without_the_key() {
    if !installed("curl") {
        return;
    }
    let s = start(
        &["capture", "--port", "0", "--count", "1", "--timeout", "20"],
        &[("SALESLAYER_API_KEY", CANARY)],
        "stdout",
    );
    let (code, _) = curl(&[
        "-H",
        &format!("X-API-KEY: {CANARY}\r"),
        &format!("{}/dam/image?$top=1", s.base_url),
    ]);
    assert_eq!(code, 0);
    let mut s = s;
    let status = s.child.wait().unwrap();
    s.reader.join().unwrap();
    let mut stderr = String::new();
    s.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let stdout: Vec<String> = s.lines.try_iter().collect();
    let stdout = stdout.join("\n");
    assert_eq!(status.code(), Some(1), "{stdout}\n{stderr}");
    assert_no_leak(CANARY, "stdout", &stdout);
    assert_no_leak(CANARY, "stderr", &stderr);
    assert!(
        stdout.contains("#1 GET /dam/image?$top=1 · dam"),
        "{stdout}"
    );
    assert!(
        stdout.contains("U+000D CARRIAGE RETURN at character 28 of 28"),
        "{stdout}"
    );
    assert!(
        stdout.contains("plus U+000D CARRIAGE RETURN at the end"),
        "{stdout}"
    );
    assert!(stdout.contains("verdict: fail"), "{stdout}");
}

#[test]
fn the_refusal_messages_asserted_here_are_explained_in_the_docs() {
    let doc = include_str!("../../docs/capture.md");
    for msg in [
        "ValueError: Invalid header value",
        "UnicodeEncodeError: 'latin-1' codec can't encode character '\\u200b'",
        "TypeError: Cannot convert argument to a ByteString",
        "is an invalid header value.",
        "strips leading/trailing TAB, LF, CR and space",
        "answer.by = \"capture\"",
    ] {
        assert!(
            doc.contains(msg),
            "docs/capture.md does not explain {msg:?}"
        );
    }
}
