//! `sl-doctor capture -- COMMAND` with real, unchanged clients: curl, Python's urllib
//! and requests, PHP's curl extension, Go's net/http, Node's axios and fetch. Each
//! sends the canary key with the classic mistakes to `https://api2.saleslayer.com/...`
//! by name through capture's proxy (so nothing resolves or leaves this machine: the
//! proxy answers like the mock); the report names each mistake or the client's own
//! refusal. Also: other hosts are tunnelled, `--forward` relays, the child never gets
//! the key, and nothing is left behind (processes, the temporary directory).

use crate::common::{CANARY, Run, sl_doctor, start_mock};
use serde_json::Value;
use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe, require_tool};
use std::path::{Path, PathBuf};
use std::time::Duration;

const API: &str = "https://api2.saleslayer.com";

/// `require_tool` for a library: `program args…` must succeed (e.g. `python3 -c
/// "import requests"`).
fn require_library(what: &str, program: &str, args: &[&str]) -> bool {
    if !require_tool(program, &["--version"]) {
        return false;
    }
    let ok = std::process::Command::new(program)
        .args(args)
        .env("NODE_PATH", node_path())
        .output()
        .is_ok_and(|o| o.status.success());
    sl_doctor_checks::testing_support::require(what, ok)
}

/// Where `.ci/install-tools` puts the npm packages, unless NODE_PATH says otherwise.
fn node_path() -> String {
    std::env::var("NODE_PATH")
        .unwrap_or_else(|_| format!("{}/target/ci-node/node_modules", env!("CARGO_MANIFEST_DIR")))
}

/// One intercepted run: how sl-doctor ended, the command's output, the JSON report.
struct Intercepted {
    run: Run,
    report: Value,
    _dir: tempfile::TempDir,
}

/// Runs `sl-doctor capture -o report.json EXTRA -- COMMAND` in a clean environment
/// (PATH, a temporary HOME, NODE_PATH, the canary in SALESLAYER_API_KEY, plus `env`),
/// bounded; asserts that no output holds the key.
fn intercept(extra: &[&str], command: &[&str], env: &[(&str, &str)]) -> Intercepted {
    let mut cmd = sl_doctor()
        .env("NODE_PATH", node_path())
        .env("SALESLAYER_API_KEY", CANARY);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    let report = cmd.path().join("report.json");
    let cmd = cmd
        .args(["capture", "--timeout", "60", "-o"])
        .arg(&report)
        .args(extra)
        .arg("--")
        .args(command);
    let (run, dir) = cmd.run_within(Duration::from_secs(120));
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| {
        panic!(
            "no report ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
            run.code, run.stdout, run.stderr
        )
    });
    let rules = OutputRules {
        tab: false,
        log: true,
        markdown: false,
    };
    for (what, t) in [
        ("stdout", &run.stdout),
        ("stderr", &run.stderr),
        ("report", &text),
    ] {
        assert_output_safe(CANARY, what, t, rules);
    }
    let report: Value = serde_json::from_str(&text).unwrap();
    Intercepted {
        run,
        report,
        _dir: dir,
    }
}

fn codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// What one case of a client does: the line the client prints, and the codes its
/// request must get (none: the client refused to send it, nothing arrived).
type Case<'a> = (&'a str, &'a [&'a str]);

/// Asserts the client's lines and, in order, each request's codes.
fn assert_cases(r: &Intercepted, cases: &[Case]) {
    let lines: Vec<&str> = r.run.stdout.lines().collect();
    let want: Vec<&str> = cases.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, want, "stderr:\n{}", r.run.stderr);
    let caps = r.report["captures"].as_array().unwrap();
    let sent: Vec<&Case> = cases.iter().filter(|(_, c)| !c.is_empty()).collect();
    assert_eq!(caps.len(), sent.len(), "{}", r.run.stderr);
    for (c, (line, want)) in caps.iter().zip(sent) {
        let got = codes(&c["findings"]);
        for w in *want {
            assert!(got.iter().any(|g| g == w), "{line}: no {w} in {got:?}");
        }
        assert_eq!(c["transport"], "https", "{line}");
    }
    assert_eq!(r.report["intercept"]["ended"], "exited");
    assert_eq!(r.report["intercept"]["exit_code"], 0);
}

/// The request cases every client sends, in this order, as `CASE` arguments.
const CASES: [&str; 6] = ["ok", "quotes", "space", "newline", "wrongname", "query"];

/// Runs `command CASES…` under capture and asserts [`expected`] with this client's own
/// outcomes for a trailing space and a line break.
fn run_cases(command: &[&str], space: Case, newline: Case) -> Intercepted {
    let mut cmd = command.to_vec();
    cmd.extend(CASES);
    let r = intercept(&[], &cmd, &[]);
    assert_cases(&r, &expected(space, newline));
    r
}

/// What every client does with [`CASES`]: the same for all but a trailing space and a
/// line break, where each client has its own way (`space`, `newline`).
fn expected<'a>(space: Case<'a>, newline: Case<'a>) -> Vec<Case<'a>> {
    vec![
        ("ok status 200", &["same-key-as-configured"]),
        ("quotes status 400", &["surrounding-quotes"]),
        space,
        newline,
        (
            "wrongname status 401",
            &["misspelt-key-header", "missing-key-header"],
        ),
        (
            "query status 401",
            &["key-value-in-url", "missing-key-header"],
        ),
    ]
}

#[test]
fn curl_sends_each_mistake_and_capture_names_it() {
    if !require_tool("curl", &["--version"]) {
        return;
    }
    // One curl, one request per --next; the key read from the environment, as an
    // application does.
    const SCRIPT: &str = r#"u=https://api2.saleslayer.com/dam/image; w=' status %{http_code}\n'
curl -sS -o /dev/null -w "ok$w" -H "X-API-KEY: $SALESLAYER_API_KEY" "$u?\$top=1" \
 --next -sS -o /dev/null -w "quotes$w" -H "X-API-KEY: \"$SALESLAYER_API_KEY\"" "$u" \
 --next -sS -o /dev/null -w "space$w" -H "X-API-KEY: $SALESLAYER_API_KEY " "$u" \
 --next -sS -o /dev/null -w "newline$w" -H "X-API-KEY: $SALESLAYER_API_KEY
" "$u" \
 --next -sS -o /dev/null -w "wrongname$w" -H "X_API_KEY: $SALESLAYER_API_KEY" "$u" \
 --next -sS -o /dev/null -w "query$w" "$u?api_key=$(printf %s "$SALESLAYER_API_KEY" | sed 's/+/%2B/g; s/\//%2F/g; s/=/%3D/g')"
"#;
    let r = intercept(&[], &["sh", "-c", SCRIPT], &[]);
    assert_cases(
        &r,
        &expected(
            (
                "space status 200",
                &["trailing-whitespace", "configured-key-plus-extra"],
            ),
            (
                "newline status 400",
                &["trailing-newline", "rejected-by-strict-servers"],
            ),
        ),
    );
    let quotes = codes(&r.report["captures"][1]["findings"]);
    assert!(
        quotes.iter().any(|c| c == "configured-key-with-defects"),
        "{quotes:?}"
    );
    assert_eq!(r.run.code, 1);
    assert_eq!(r.report["intercept"]["runtime"], Value::Null, "sh");
    let first = &r.report["captures"][0]["findings"][0]["code"];
    assert_eq!(first, "same-key-as-configured");
    let x = codes(&r.report["captures"][4]["findings"]);
    assert_eq!(
        x[0], "misspelt-key-header",
        "the specific finding first: {x:?}"
    );
    assert!(
        r.run.stderr.contains("✘ #2 GET /dam/image · dam"),
        "{}",
        r.run.stderr
    );
}

/// A Python client (urllib or requests) sending `CASES`; it prints the exception type
/// only (their messages quote the key).
const PYTHON: &str = r#"
import os, sys, urllib.parse
lib, key = sys.argv[1], os.environ["SALESLAYER_API_KEY"]
base = "https://api2.saleslayer.com"
def get(path, headers):
    if lib == "requests":
        import requests
        return requests.get(base + path, headers=headers, timeout=20).status_code
    import urllib.request, urllib.error
    try:
        return urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=20).status
    except urllib.error.HTTPError as e:
        return e.code
cases = {
    "ok": ("/dam/image?$top=1", {"X-API-KEY": key}),
    "quotes": ("/dam/image", {"X-API-KEY": '"' + key + '"'}),
    "space": ("/dam/image", {"X-API-KEY": key + " "}),
    "newline": ("/dam/image", {"X-API-KEY": key + "\n"}),
    "wrongname": ("/dam/image", {"X_API_KEY": key}),
    "query": ("/dam/image?api_key=" + urllib.parse.quote(key, safe=""), {}),
}
for name in sys.argv[2:]:
    path, headers = cases[name]
    try:
        print(name, "status", get(path, headers))
    except Exception as e:
        print(name, "refused", type(e).__name__)
"#;

#[test]
fn python_urllib_through_the_proxy() {
    if !require_tool("python3", &["--version"]) {
        return;
    }
    let r = run_cases(
        &["python3", "-c", PYTHON, "urllib"],
        ("space status 200", &["trailing-whitespace"]),
        ("newline refused ValueError", &[]),
    );
    assert_eq!(r.report["intercept"]["runtime"], "python");
}

#[test]
fn python_requests_through_the_proxy() {
    if !require_library("Python requests", "python3", &["-c", "import requests"]) {
        return;
    }
    run_cases(
        &["python3", "-c", PYTHON, "requests"],
        ("space status 200", &["trailing-whitespace"]),
        ("newline refused InvalidHeader", &[]),
    );
}

#[test]
fn php_curl_through_the_proxy() {
    if !require_library(
        "PHP's curl extension",
        "php",
        &["-r", "exit(function_exists('curl_init') ? 0 : 1);"],
    ) {
        return;
    }
    const PHP: &str = r#"
$key = getenv("SALESLAYER_API_KEY");
$cases = [
    "ok" => ["/dam/image?\$top=1", ["X-API-KEY: $key"]],
    "quotes" => ["/dam/image", ["X-API-KEY: \"$key\""]],
    "space" => ["/dam/image", ["X-API-KEY: $key "]],
    "newline" => ["/dam/image", ["X-API-KEY: $key\n"]],
    "wrongname" => ["/dam/image", ["X_API_KEY: $key"]],
    "query" => ["/dam/image?api_key=" . rawurlencode($key), []],
];
foreach (array_slice($argv, 1) as $name) {
    [$path, $headers] = $cases[$name];
    $c = curl_init("https://api2.saleslayer.com" . $path);
    curl_setopt($c, CURLOPT_HTTPHEADER, $headers);
    curl_setopt($c, CURLOPT_RETURNTRANSFER, true);
    $ok = curl_exec($c) !== false;
    echo $name, $ok ? " status " . curl_getinfo($c, CURLINFO_RESPONSE_CODE) : " error " . curl_errno($c), "\n";
}
"#;
    let r = run_cases(
        &["php", "-r", PHP, "--"],
        ("space status 200", &["trailing-whitespace"]),
        (
            "newline status 400",
            &["trailing-newline", "rejected-by-strict-servers"],
        ),
    );
    assert_eq!(r.report["intercept"]["runtime"], "php");
}

/// The Go client, compiled once per test run into the test target's temporary
/// directory (with its own GOCACHE, GOPATH and HOME there).
fn go_client() -> Option<PathBuf> {
    static CLIENT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            if !require_tool("go", &["version"]) {
                return None;
            }
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("capture-go-client");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("main.go"), GO).unwrap();
            let out = std::process::Command::new("go")
                .args(["build", "-o", "client", "main.go"])
                .current_dir(&dir)
                .env("GOCACHE", dir.join("cache"))
                .env("GOPATH", dir.join("gopath"))
                .env("HOME", &dir)
                .env("GO111MODULE", "off")
                .output()
                .expect("go build");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(dir.join("client"))
        })
        .clone()
}

/// Go's net/http sending the `CASES` named in its arguments; a refused value prints
/// `refused` (Go's error names the header, not the value).
const GO: &str = r#"package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
)

func main() {
	key := os.Getenv("SALESLAYER_API_KEY")
	for _, c := range os.Args[1:] {
		name, value, path := "X-API-KEY", key, "/dam/image?$top=1"
		switch c {
		case "quotes":
			value = "\"" + key + "\""
		case "space":
			value = key + " "
		case "newline":
			value = key + "\n"
		case "wrongname":
			name = "X_API_KEY"
		case "query":
			name, path = "", "/dam/image?api_key="+url.QueryEscape(key)
		}
		req, _ := http.NewRequest("GET", "https://api2.saleslayer.com"+path, nil)
		if name != "" {
			req.Header[name] = []string{value}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if strings.Contains(err.Error(), "invalid header field value") {
				fmt.Println(c, "refused")
			} else {
				fmt.Println(c, "error")
			}
			continue
		}
		resp.Body.Close()
		fmt.Println(c, "status", resp.StatusCode)
	}
}
"#;

#[test]
fn go_net_http_through_the_proxy() {
    let Some(client) = go_client() else { return };
    run_cases(
        &[client.to_str().unwrap()],
        // Go trims the spaces around a header value as it writes it.
        ("space status 200", &["same-key-as-configured"]),
        ("newline refused", &[]),
    );
}

#[test]
fn go_refusing_a_key_with_a_line_break_is_named_not_the_base_url() {
    let Some(client) = go_client() else { return };
    let key = format!("{CANARY}\n");
    let r = intercept(
        &[],
        &[client.to_str().unwrap(), "ok"],
        &[("SALESLAYER_API_KEY", &key)],
    );
    assert_eq!(r.run.stdout, "ok refused\n");
    assert_eq!(r.run.code, 1);
    let f = &r.report["findings"][0];
    assert_eq!(
        f["code"], "header-refused-by-client",
        "{}",
        r.report["findings"]
    );
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("U+000A LINE FEED at character 28 of 28"), "{m}");
    assert!(!m.contains("base URL"), "{m}");
    assert!(
        r.run.stderr.contains("header-refused-by-client"),
        "{}",
        r.run.stderr
    );
}

/// Node: axios (HTTPS_PROXY) and the built-in fetch (routed by capture's preload through
/// the `undici` package on Node 20/22, by NODE_USE_ENV_PROXY on 24).
const NODE: &str = r#"
const [lib, ...names] = process.argv.slice(1);
const key = process.env.SALESLAYER_API_KEY;
const cases = {
  ok: ["/dam/image?$top=1", {"X-API-KEY": key}],
  quotes: ["/dam/image", {"X-API-KEY": '"' + key + '"'}],
  space: ["/dam/image", {"X-API-KEY": key + " "}],
  newline: ["/dam/image", {"X-API-KEY": key + "\n"}],
  wrongname: ["/dam/image", {"X_API_KEY": key}],
  query: ["/dam/image?api_key=" + encodeURIComponent(key), {}],
};
const get = async (url, headers) => {
  if (lib === "fetch") { const r = await fetch(url, {headers}); await r.text(); return r.status; }
  const r = await require("axios").get(url, {headers, validateStatus: () => true});
  return r.status;
};
(async () => {
  for (const name of names) {
    const [path, headers] = cases[name];
    try { console.log(name, "status", await get("https://api2.saleslayer.com" + path, headers)); }
    catch (e) { console.log(name, "refused", e.name); }
  }
})();
"#;

#[test]
fn node_axios_through_the_proxy() {
    if !require_library("axios", "node", &["-e", "require('axios')"]) {
        return;
    }
    let r = run_cases(
        &["node", "-e", NODE, "axios"],
        // axios strips spaces and control characters around a value, silently.
        ("space status 200", &["same-key-as-configured"]),
        ("newline status 200", &["same-key-as-configured"]),
    );
    assert_eq!(r.report["intercept"]["runtime"], "node");
}

#[test]
fn node_fetch_through_the_preload_and_the_users_node_options_kept() {
    if !require_library("undici", "node", &["-e", "require('undici')"]) {
        return;
    }
    let script = format!("console.log(process.env.NODE_OPTIONS.split(' ')[0]);\n{NODE}");
    let r = intercept(
        &[],
        &["node", "-e", &script, "fetch", "ok", "quotes"],
        &[("NODE_OPTIONS", "--no-warnings")],
    );
    #[rustfmt::skip]
    assert_cases(&r, &[
        ("--no-warnings", &[]),
        ("ok status 200", &["same-key-as-configured"]),
        ("quotes status 400", &["surrounding-quotes"]),
    ]);
}

/// A marker no other process has: `sleep` with a fraction unique to this test process.
fn sleeper(n: u32) -> String {
    format!("{n}.{}", std::process::id())
}

/// Whether a process whose command line holds `marker` is running.
fn running(marker: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
    })
}

#[test]
fn a_healthy_key_passes_and_nothing_is_left_behind() {
    if !require_tool("curl", &["--version"]) || !Path::new("/proc").exists() {
        return;
    }
    let (a, b) = (sleeper(301), sleeper(302));
    // The command leaves a process behind, one in a session of its own, and prints
    // the run's directory (from its CA bundle variable) and that directory's mode.
    let script = format!(
        "sleep {a} & setsid sleep {b} & d=$(dirname \"$SSL_CERT_FILE\"); echo \"$d\"; stat -c %a \"$d\"; \
         curl -sS -H \"X-API-KEY: $SALESLAYER_API_KEY\" https://api2.saleslayer.com/catalog/rest/Catalog/\\$metadata | head -c 5; echo"
    );
    let r = intercept(&[], &["sh", "-c", &script], &[]);
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    assert_eq!(r.report["verdict"], "pass");
    let out: Vec<&str> = r.run.stdout.lines().collect();
    assert_eq!(out[1], "700", "the run's directory is private");
    assert!(!Path::new(out[0]).exists(), "{} is left behind", out[0]);
    assert_eq!(
        out[2], "{\"$En",
        "the command's output passes through unchanged"
    );
    for m in [&a, &b] {
        assert!(!running(&format!("sleep {m}")), "sleep {m} is left running");
    }
    let caps = r.report["captures"].as_array().unwrap();
    assert_eq!(caps.len(), 1);
    assert_eq!(caps[0]["api"], "catalog");
    assert_eq!(caps[0]["answer"]["status"], 200);
    let env = r.report["intercept"]["environment"].as_array().unwrap();
    for v in [
        "HTTPS_PROXY",
        "https_proxy",
        "SSL_CERT_FILE",
        "NODE_OPTIONS",
    ] {
        assert!(env.iter().any(|e| e == v), "{v} in {env:?}");
    }
}

#[test]
fn the_timeout_ends_the_command_and_what_it_started() {
    if !Path::new("/proc").exists() {
        return;
    }
    let (a, b) = (sleeper(303), sleeper(304));
    let script = format!("sleep {a} & sleep {b}");
    let (run, _d) = sl_doctor()
        .args([
            "capture",
            "--timeout",
            "1",
            "--format",
            "json",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .run_within(Duration::from_secs(30));
    assert_eq!(run.code, 1);
    let json: Value = serde_json::from_str(run.stderr.split_once('\n').unwrap().1).unwrap();
    assert_eq!(json["intercept"]["ended"], "timeout");
    let got = codes(&json["findings"]);
    assert_eq!(got, ["nothing-proxied", "command-timeout"]);
    for m in [&a, &b] {
        assert!(!running(&format!("sleep {m}")), "sleep {m} is left running");
    }
}

#[test]
fn other_hosts_are_tunnelled_and_forward_relays_the_api_host() {
    if !require_tool("curl", &["--version"]) {
        return;
    }
    let mock = start_mock(CANARY);
    let ca = mock.ca_path.clone().unwrap();
    let ca = ca.to_str().unwrap();
    // The mock, by its own name: tunnelled, its certificate checked by curl end to end.
    // Then the API host: with a Bearer prefix; over plain http; and by a client that
    // trusts another CA only (it refuses the run's certificate).
    let script = format!(
        "w='%{{http_code}}\\n'; k=\"X-API-KEY: $SALESLAYER_API_KEY\"
         curl -sS -o /dev/null -w \"$w\" --cacert {ca} -H \"$k\" {m}/dam/image
         curl -sS -o /dev/null -w \"$w\" -H \"X-API-KEY: Bearer $SALESLAYER_API_KEY\" {API}/dam/image
         curl -sS -o /dev/null -w \"$w\" -H \"$k\" http://api2.saleslayer.com/dam/image
         curl -s -o /dev/null -w \"$w\" --cacert {ca} -H \"$k\" {API}/dam/image; echo \"curl exit $?\"",
        m = mock.base_url
    );
    let r = intercept(
        &["--forward-to", &mock.base_url, "--ca-cert", ca],
        &["sh", "-c", &script],
        &[],
    );
    assert_eq!(
        r.run.stdout, "200\n400\n200\n000\ncurl exit 60\n",
        "{}",
        r.run.stderr
    );
    let others = r.report["intercept"]["other_hosts"].as_array().unwrap();
    let port = mock.base_url.rsplit(':').next().unwrap();
    assert_eq!(others.len(), 1, "{others:?}");
    assert_eq!(others[0]["host"], "localhost");
    assert_eq!(others[0]["port"].to_string(), port);
    let caps = r.report["captures"].as_array().unwrap();
    assert_eq!(caps.len(), 3, "the tunnelled request is not decrypted");
    assert_eq!(caps[0]["answer"]["by"], "forward");
    assert_eq!(caps[0]["answer"]["status"], 400);
    assert_eq!(caps[1]["transport"], "http");
    assert!(codes(&caps[1]["findings"]).contains(&"plain-http-to-api".to_string()));
    assert_eq!(caps[1]["answer"]["status"], 200, "relayed over https");
    assert_eq!(codes(&caps[2]["findings"]), ["tls-handshake-failed"]);
    let bearer = caps[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "auth-scheme")
        .expect("auth-scheme");
    let fix = bearer["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("Where the code builds the request, send the key alone"),
        "{fix}"
    );
    assert_eq!(r.report["mode"], "forward");
}

#[test]
fn the_command_never_gets_the_key_from_sl_doctor() {
    // The key comes from a file: the command's environment must not hold it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key");
    std::fs::write(&file, CANARY).unwrap();
    let (run, _d) = sl_doctor()
        .args(["capture", "--timeout", "20", "--key-file"])
        .arg(&file)
        .args(["--", "env"])
        .run_within(Duration::from_secs(60));
    assert_eq!(run.code, 1, "nothing was sent: {}", run.stderr);
    assert!(
        run.stdout.contains("HTTPS_PROXY=http://127.0.0.1:"),
        "{}",
        run.stdout
    );
    assert_output_safe(
        CANARY,
        "the command's environment",
        &run.stdout,
        OutputRules {
            tab: false,
            log: true,
            markdown: false,
        },
    );
}

#[test]
fn a_command_that_cannot_run_is_a_usage_error() {
    let table = [
        (
            "sl-doctor-no-such-program",
            "cannot run sl-doctor-no-such-program: ",
        ),
        // A path that could be a key is not echoed.
        ("/nonexistent/program2", "cannot run the command after --: "),
    ];
    for (program, want) in table {
        let (run, _d) = sl_doctor()
            .args(["capture", "--", program])
            .run_within(Duration::from_secs(30));
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(want), "{}", run.stderr);
    }
    let (run, _d) = sl_doctor()
        .args(["capture", "--count", "2", "--", "true"])
        .run_within(Duration::from_secs(30));
    assert_eq!(
        run.code, 2,
        "--count is for the base URL mode: {}",
        run.stderr
    );
}

#[test]
fn without_a_command_a_key_with_a_line_break_is_named_too() {
    // The base URL mode: nothing arrives, and the configured key explains why.
    let key = format!("{CANARY}\r\n");
    let (run, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", &key)
        .args([
            "capture",
            "--port",
            "0",
            "--timeout",
            "0.3",
            "--format",
            "json",
        ])
        .run_within(Duration::from_secs(30));
    assert_eq!(run.code, 1);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(codes(&json["findings"]), ["header-refused-by-client"]);
    let m = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        m.starts_with("No request arrived at http://127.0.0.1:"),
        "{m}"
    );
    assert!(m.contains("one character at 28 of 28"), "{m}");
}

#[test]
fn the_human_report_reads_as_a_whole() {
    if !require_tool("curl", &["--version"]) {
        return;
    }
    let script = "curl -sS -o /dev/null -H \"X-API-KEY: Bearer $SALESLAYER_API_KEY\" https://api2.saleslayer.com/dam/image";
    let (run, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .args(["capture", "--color", "never", "--", "sh", "-c", script])
        .run_within(Duration::from_secs(60));
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "", "the command printed nothing");
    insta::with_settings!({filters => vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"after \d+\.\d s", "after [time]"),
    ]}, {
        insta::assert_snapshot!("capture_intercept_human", run.stderr);
    });
}
