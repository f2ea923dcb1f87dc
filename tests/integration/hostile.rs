//! Hostile servers: loopback servers generated at test time whose every text
//! is an attack (terminal escapes, bidi overrides, line breaks with fake GitHub workflow
//! commands, Markdown links and images) or reflects the key in some encoding. Every
//! output format of the doctor, the support bundle and the email must come out with none
//! of it: `testing_support::assert_output_safe` is the one assertion.

use crate::common::{CANARY, sl_doctor};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Attacker text: ESC and BEL (a terminal title), an erase-line, CR/LF then a workflow
/// command, a right-to-left override, Markdown links and an image, HTML.
/// The legacy `##[…]` form mid-line (GitHub's runner reads it anywhere in a line).
const EVIL: &str = "evil\u{1b}]0;owned\u{7}\u{1b}[2K\r\n::error title=x::owned\n##[warning]y \u{202e}gnp.exe [x](https://evil) ![i](https://evil/i.png) <b>b</b> ##[stop-commands]t0ken ##[add-mask]sl-doctor";

/// What a header value may carry (no control bytes: HTTP parsers refuse them).
const EVIL_HEADER: &str =
    "::error::owned \u{202e}rtl [x](https://evil) ![i](https://evil/i.png) ##[stop-commands]t0ken";

/// Serves each accepted connection with `answer` on a thread, for 20 seconds.
fn serve(answer: impl Fn(TcpStream) + Send + Sync + 'static) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            match listener.accept() {
                Ok((s, _)) => {
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
                    let a = Arc::clone(&answer);
                    std::thread::spawn(move || a(s));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    addr
}

/// Reads a request head (up to the blank line).
fn read_head(s: &mut impl Read) -> String {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match s.read(&mut b) {
            Ok(1) => head.push(b[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A TLS server whose self-signed certificate's subject, issuer and names are attacks:
/// verification fails (unknown issuer), so the doctor prints them.
fn hostile_tls_server() -> String {
    use rcgen::{CertificateParams, DnType, DnValue, KeyPair, SanType};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    p.distinguished_name
        .push(DnType::CommonName, DnValue::Utf8String(EVIL.into()));
    p.distinguished_name.push(
        DnType::OrganizationName,
        DnValue::Utf8String("\u{1b}[31mred\r\n::warning::cert ##[stop-commands]issuer".into()),
    );
    p.subject_alt_names.push(SanType::DnsName(
        "x\u{1b}[2K\r\n::error::san.test".try_into().unwrap(),
    ));
    let cert = p.self_signed(&key).unwrap();
    let chain = vec![CertificateDer::from(cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let cfg = rustls::ServerConfig::builder_with_provider(sl_doctor_checks::net::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let cfg = Arc::new(cfg);
    let addr = serve(move |s| {
        let conn = rustls::ServerConnection::new(Arc::clone(&cfg)).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, s);
        let _ = read_head(&mut tls);
        let _ = tls.write_all(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    });
    format!("https://localhost:{}", addr.port())
}

/// An HTTP proxy that refuses every CONNECT with an HTML page whose `<title>` breaks the
/// line into a workflow command.
fn hostile_proxy() -> String {
    let addr = serve(|mut s| {
        let _ = read_head(&mut s);
        let body = format!(
            "<html><head><title>Blocked\r\n::warning::x {EVIL}</title></head><body>{EVIL}</body></html>"
        );
        let _ = s.write_all(
            format!(
                "HTTP/1.1 403 Forbidden \u{202e}::error::x ##[stop-commands]proxy\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
    });
    format!("http://127.0.0.1:{}", addr.port())
}

/// The key as a request carried it, in each encoding a careless gateway reflects.
fn reflections(key: &str) -> Vec<String> {
    let pct: String = key
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let pct_lower: String = key
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect();
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    let every: String = key.bytes().map(|b| format!("%{b:02X}")).collect();
    let utf16 = |le: bool| -> String {
        key.chars()
            .flat_map(|c| if le { [c, '\0'] } else { ['\0', c] })
            .collect()
    };
    vec![
        key.to_string(),
        pct.clone(),
        pct_lower,
        key.replace('/', "\\/"),
        STANDARD.encode(key),
        URL_SAFE.encode(format!("k={key}")),
        // Issue 20: hex in either case, HTML character references, every byte
        // percent-encoded, double percent-encoded, NUL-interleaved UTF-16.
        hex.clone(),
        hex.to_uppercase(),
        key.chars().map(|c| format!("&#{};", c as u32)).collect(),
        key.chars().map(|c| format!("&#x{:x};", c as u32)).collect(),
        every.clone(),
        pct.replace('%', "%25"),
        every.replace('%', "%25").to_lowercase(),
        utf16(true),
        utf16(false),
    ]
}

/// An API that answers 401 with problem details made of attacks and of the key reflected
/// in every encoding, in the body and in request-id headers.
fn hostile_api() -> String {
    let addr = serve(|mut s| {
        let head = read_head(&mut s);
        let key = head
            .lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.eq_ignore_ascii_case("x-api-key"))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default();
        let echo = reflections(&key);
        // Each reflection in a validation error of its own (each is shown, capped).
        let mut errors = serde_json::Map::new();
        errors.insert(EVIL.into(), serde_json::json!([EVIL, echo[4]]));
        for (i, e) in echo.iter().enumerate() {
            errors.insert(format!("r{i}"), serde_json::json!([e]));
        }
        let body = serde_json::json!({
            "type": format!("https://evil/{}", echo[1]),
            "title": EVIL,
            "status": 401,
            "detail": format!("{EVIL} key: {}", echo.join(" | ")),
            "instance": echo[3],
            "errors": errors,
        })
        .to_string();
        let mut resp = format!(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\nContent-Length: {}\r\nx-request-id: {EVIL_HEADER} {}\r\ncf-ray: {}\r\ntraceparent: {}\r\nx-correlation-id: {}\r\nx-amzn-requestid: {}\r\nx-trace-id: {}\r\n",
            body.len(),
            echo[0],
            echo[1],
            echo[4],
            echo[5],
            echo[6],
            echo[8],
        );
        resp.push_str("\r\n");
        resp.push_str(&body);
        let _ = s.write_all(resp.as_bytes());
    });
    format!("http://127.0.0.1:{}", addr.port())
}

/// The shared assertion, and independently of the leak policy's own list: no run of eight
/// key characters of any reflection (as sent, as neutralised text shows it, or
/// JSON-escaped) is in `text`.
#[track_caller]
fn assert_safe(what: &str, text: &str, rules: OutputRules) {
    assert_output_safe(CANARY, what, text, rules);
    let n = CANARY.chars().count();
    for r in reflections(CANARY) {
        let json = serde_json::to_string(&r).unwrap();
        let shown = sl_doctor_checks::model::untrusted::neutralise(&r, usize::MAX);
        for form in [r.clone(), shown, json[1..json.len() - 1].to_string()] {
            let chars: Vec<char> = form.chars().collect();
            // Eight key characters in this spelling (base64 is 4 per 3 bytes).
            let w = (8 * chars.len()).div_ceil(n);
            for piece in chars.windows(w) {
                let piece: String = piece.iter().collect();
                assert!(
                    !text.contains(&piece),
                    "{what} holds {piece:?} of a reflection of the key:\n{text}"
                );
            }
        }
    }
}

/// Every human verbosity and every format, for one set of doctor arguments.
const FORMATS: &[(&str, &[&str])] = &[
    ("human", &[]),
    ("human -v", &["-v"]),
    ("human -vv", &["-vv"]),
    ("human --quiet", &["--quiet"]),
    ("json", &["--format", "json"]),
    ("github", &["--format", "github"]),
    ("markdown", &["--format", "markdown"]),
    ("junit", &["--format", "junit"]),
];

/// Every format is printed to a CI log, so no line may start with `::` but the `github`
/// format's own annotations; `##[` is refused in every format.
fn rules_for(name: &str) -> OutputRules {
    OutputRules {
        tab: false,
        log: name != "github",
        markdown: name == "markdown",
    }
}

/// The doctor with the canary key and the scenario's environment.
fn doctor(env: &[(&str, &str)]) -> crate::common::SlDoctor {
    let mut cmd = sl_doctor().env("SALESLAYER_API_KEY", CANARY);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    cmd
}

/// Runs the doctor in every format (and `support`) against a server and checks every
/// output; returns the `-v` human output for the scenario's own assertions.
fn check_every_output(scenario: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut verbose = String::new();
    for (name, extra) in FORMATS {
        let (r, _d) = doctor(env).args(args).args(*extra).run();
        let what = format!("{scenario}, {name}");
        assert!(
            (0..=3).contains(&r.code),
            "{what}: exit {}\n{}",
            r.code,
            r.stderr
        );
        assert_safe(&format!("{what}: stdout"), &r.stdout, rules_for(name));
        assert_safe(&format!("{what}: stderr"), &r.stderr, rules_for("human"));
        if *name == "human -v" {
            verbose = r.stdout;
        }
    }
    // Under GitHub Actions: the human report, annotations and the step summary.
    let cmd = doctor(env);
    let summary = cmd.path().join("summary.md");
    let (r, _d) = cmd
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(args)
        .run();
    for line in r.stdout.lines().filter(|l| l.starts_with("::")) {
        // sl-doctor's own annotations: one line each, the server's text inside escaped.
        assert!(
            ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|c| line.starts_with(c)),
            "{scenario}: {line}"
        );
    }
    let human: Vec<&str> = r.stdout.lines().filter(|l| !l.starts_with("::")).collect();
    assert_safe(scenario, &human.join("\n"), rules_for("human"));
    assert_safe(scenario, &r.stdout, OutputRules::default());
    let md = std::fs::read_to_string(&summary).unwrap_or_default();
    assert_safe("step summary", &md, rules_for("markdown"));

    // The support bundle and the email.
    let (r, d) = doctor(env)
        .args(["support", "--anyway", "--account", "ACME"])
        .args(args)
        .run();
    assert_safe("support email", &r.stdout, rules_for("human"));
    assert_safe("support stderr", &r.stderr, rules_for("human"));
    assert_eq!(
        r.code, 0,
        "{scenario}: support wrote its bundle\n{}",
        r.stderr
    );
    let dir = d.path().join("sl-doctor-support");
    for f in ["report.json", "bundle.json", "email.txt"] {
        let text = std::fs::read_to_string(dir.join(f)).expect("a bundle file");
        assert_safe(f, &text, OutputRules::default());
    }
    verbose
}

#[test]
fn a_certificate_with_hostile_names_is_shown_neutralised() {
    let base = hostile_tls_server();
    let out = check_every_output(
        "hostile certificate",
        &["--base-url", &base, "--no-proxy", "--api", "dam"],
        &[],
    );
    // The names are there, as visible escapes.
    assert!(out.contains("\\x1b]0;owned\\x07"), "{out}");
    assert!(out.contains("\\x23#[stop-commands]t0ken"), "{out}");
    assert!(out.contains("\\u{202e}"), "{out}");
}

#[test]
fn a_proxy_page_with_a_hostile_title_is_shown_neutralised() {
    let proxy = hostile_proxy();
    let out = check_every_output(
        "hostile proxy",
        &["--base-url", "https://127.0.0.2:9", "--api", "dam"],
        &[("HTTPS_PROXY", &proxy)],
    );
    assert!(out.contains("Blocked\\x0d\\x0a::warning::x"), "{out}");
    assert!(out.contains("\\x23#[stop-commands]"), "{out}");
}

#[test]
fn problem_details_headers_and_the_reflected_key_are_neutralised_and_redacted() {
    let base = hostile_api();
    let out = check_every_output(
        "hostile API",
        &["--base-url", &base, "--allow-http", "--api", "dam"],
        &[],
    );
    assert!(
        out.contains("[redacted]"),
        "the reflected key was seen:\n{out}"
    );
    assert!(out.contains("\\u{202e}"), "{out}");
}

/// A report as the real binary writes it (a quoted canary key, offline), as JSON.
fn saved_report() -> serde_json::Value {
    let quoted = format!("\"{CANARY}\"");
    let (r, _d) = doctor(&[("SALESLAYER_API_KEY", &quoted)])
        .args(["--offline", "--format", "json"])
        .run();
    serde_json::from_str(&r.stdout).expect("a JSON report")
}

/// `sl-doctor view REPORT --format FORMAT` of `report`, in every format.
fn view_every_format(
    scenario: &str,
    report: &serde_json::Value,
) -> Vec<(String, crate::common::Run)> {
    let mut runs = Vec::new();
    // `view` has no --quiet: the run's own choice of output.
    for (name, extra) in FORMATS.iter().filter(|(n, _)| !n.contains("quiet")) {
        let cmd = sl_doctor();
        let path = cmd.file("report.json", report.to_string());
        let (r, _d) = cmd.arg("view").arg(&path).args(*extra).run();
        let what = format!("{scenario}, view {name}");
        assert_safe(&format!("{what}: stdout"), &r.stdout, rules_for(name));
        assert_safe(&format!("{what}: stderr"), &r.stderr, rules_for("human"));
        runs.push((what, r));
    }
    runs
}

/// A crafted report: each id, finding code, fingerprint, API name and enum holding markup,
/// a link, an image, a table cell and line breaks with workflow commands. `view` refuses
/// it in every format (exit 2, nothing shown), naming the field on one line.
#[test]
fn view_refuses_a_crafted_id_fingerprint_or_enum_in_every_format() {
    let base = saved_report();
    let evil = "x|<img src=https://e.vil/p.png>[l](https://e.vil)\n::error::pwn\n##[add-mask]y";
    let fields = [
        ("/checklist/2/checks/0/id", "checklist[2].checks[0].id"),
        (
            "/checklist/2/checks/0/findings/0/code",
            "checklist[2].checks[0].findings[0].code",
        ),
        ("/diagnosis/causes/0/id", "diagnosis.causes[0].id"),
        (
            "/diagnosis/causes/0/checks/0",
            "diagnosis.causes[0].checks[0]",
        ),
        ("/target/apis/0", "target.apis[0]"),
        ("/key/fingerprint", "key.fingerprint"),
        ("/key/sources/0/fingerprint", "key.sources[0].fingerprint"),
        (
            "/checklist/2/checks/0/status",
            "checklist[2].checks[0].status",
        ),
        ("/diagnosis/causes/0/level", "diagnosis.causes[0].level"),
    ];
    for (pointer, at) in fields {
        let mut report = base.clone();
        *report.pointer_mut(pointer).expect(pointer) = evil.into();
        for (what, r) in view_every_format(pointer, &report) {
            assert_eq!(r.code, 2, "{what}: refused\n{}", r.stderr);
            assert!(r.stdout.is_empty(), "{what}: nothing shown\n{}", r.stdout);
            assert!(r.stderr.contains(at), "{what}: names {at}\n{}", r.stderr);
        }
    }
}

/// The same attack in the report's free text (titles, summaries, findings, fixes, the
/// diagnosis): `view` shows it in every format, escaped for that format.
#[test]
fn view_shows_crafted_free_text_escaped_in_every_format() {
    let mut report = saved_report();
    let mut planted = 0;
    report["diagnosis"]["summary"] = EVIL.into();
    for cause in report["diagnosis"]["causes"].as_array_mut().unwrap() {
        cause["title"] = EVIL.into();
        cause["fix"] = EVIL.into();
    }
    for item in report["checklist"].as_array_mut().unwrap() {
        item["title"] = EVIL.into();
        for check in item["checks"].as_array_mut().unwrap() {
            check["summary"] = EVIL.into();
            check["details"] = serde_json::json!([EVIL]);
            for f in check["findings"].as_array_mut().unwrap() {
                f["message"] = EVIL.into();
                f["fix"] = EVIL.into();
                planted += 1;
            }
        }
    }
    assert!(planted > 0, "the report has findings to plant in");
    for (what, r) in view_every_format("crafted text", &report) {
        assert_eq!(r.code, 0, "{what}: shown\n{}", r.stderr);
        assert!(
            r.stdout.contains("gnp.exe"),
            "{what}: the text is there\n{}",
            r.stdout
        );
    }
}

/// The mock's banner names a CA file given with a line break and workflow commands in
/// its name: on one line, and its try lines quote it so that a shell finds the file
/// (`$'…'`), with no `##[` and no line of outside text (trial 32).
#[test]
fn the_mock_banner_quotes_a_hostile_ca_file_name() {
    let name = "ca\n::warning::pwn ##[error]x.pem";
    let (r, _dir) = crate::common::sl_doctor()
        .args(["mock", "--https", "--ca-out", name, "--exit-after", "0.3"])
        .run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for line in r.stdout.lines() {
        assert!(
            !line.trim_start().starts_with("::")
                && !line.trim_start().starts_with("\\x3a")
                && !line.contains("##["),
            "a line of outside text: {line:?}\n{}",
            r.stdout
        );
    }
    assert!(
        r.stdout
            .contains(r"--cacert $'ca\x0A::warning::pwn #'$'#[error]x.pem' -H @-"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("CA file   ca\\x0a::warning::pwn \\x23#[error]x.pem  (trust it"),
        "{}",
        r.stdout
    );
}
