//! Tests of `sl-doctor curl`: quoting, the key loads per source and shell (snapshots),
//! and the generated commands through `bash -n` and, when installed, PowerShell's parser.

use super::postman::{POSTMAN_ENV_NAME, postman_collection, postman_environment};
use super::*;

const ENV_LOAD: KeyLoad = KeyLoad::Env { why: None };

fn spec(shell: CurlShell) -> Spec<'static> {
    Spec {
        key_env: "SALESLAYER_API_KEY",
        load: &ENV_LOAD,
        ca_cert: None,
        resolve: &[],
        shell,
        http: false,
        caveats: &[],
        proxy: &CurlProxy::Environment,
    }
}

#[test]
fn variable_names() {
    assert!(is_var_name("SALESLAYER_API_KEY") && is_var_name("_k1"));
    assert!(!is_var_name("1K") && !is_var_name("SL-KEY") && !is_var_name(""));
}

#[test]
fn snapshot_of_both_probes_with_ca_and_resolve() {
    let reqs = [
        probe_request("https://api2.saleslayer.com", &probe::DAM).unwrap(),
        probe_request("https://api2.saleslayer.com/", &probe::CATALOG).unwrap(),
    ];
    let resolve = [(
        "api2.saleslayer.com".to_string(),
        443,
        "127.0.0.1".parse().unwrap(),
    )];
    let ca = std::path::PathBuf::from("certs/it's-ca.pem");
    let s = Spec {
        ca_cert: Some(&ca),
        resolve: &resolve,
        ..spec(CurlShell::All)
    };
    let text = render(&reqs, &s);
    assert!(text.contains("'https://api2.saleslayer.com/dam/image?$top=1'"));
    assert!(text.contains("'https://api2.saleslayer.com/catalog/rest/Catalog/$metadata'"));
    insta::assert_snapshot!(text);
}

#[test]
fn posix_only_has_no_powershell() {
    let reqs = [probe_request("https://api2.saleslayer.com", &probe::DAM).unwrap()];
    let text = render(&reqs, &spec(CurlShell::Posix));
    assert!(!text.contains("Invoke-RestMethod") && !text.contains("curl.exe"));
    assert!(text.contains("if [ -n \"${SALESLAYER_API_KEY:-}\" ]; then"));
}

#[test]
fn the_platform_shell_is_the_default_and_all_labels_each_block() {
    assert_eq!(
        CurlShell::platform(),
        if cfg!(windows) {
            CurlShell::Powershell
        } else {
            CurlShell::Posix
        }
    );
    let reqs = [probe_request("https://api2.saleslayer.com", &probe::DAM).unwrap()];
    let posix = render(&reqs, &spec(CurlShell::Posix));
    assert!(
        posix.contains("paste it whole, or pipe it into bash"),
        "{posix}"
    );
    let all = render(&reqs, &spec(CurlShell::All));
    // Two blocks, each under its label, the POSIX one first and free of PowerShell.
    let (head, ps) = all
        .split_once("# ===== PowerShell")
        .expect("a PowerShell block");
    let (_, sh) = head
        .split_once("# ===== POSIX shell")
        .expect("a POSIX block");
    assert!(
        !sh.contains("Invoke-RestMethod") && !sh.contains("$env:"),
        "{sh}"
    );
    assert!(ps.contains("curl.exe") && !ps.contains("printf"), "{ps}");
    // Pasted whole, the PowerShell block sends each request once.
    assert!(
        ps.lines()
            .filter(|l| l.contains("Invoke-RestMethod"))
            .all(|l| l.starts_with('#')),
        "{ps}"
    );
    // Each body ends with a line break before the next answer.
    assert_eq!(posix.matches("--write-out '\\n'").count(), 1, "{posix}");
}

#[test]
fn the_postman_collection_has_both_probes_on_the_environment_variables() {
    let v: serde_json::Value =
        serde_json::from_str(&postman_collection(&[&probe::DAM, &probe::CATALOG])).unwrap();
    assert_eq!(
        v["info"]["schema"],
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    );
    let items = v["item"].as_array().unwrap();
    let raws: Vec<&str> = items
        .iter()
        .map(|i| i["request"]["url"]["raw"].as_str().unwrap())
        .collect();
    assert_eq!(
        raws,
        [
            "{{baseUrl}}/dam/image?$top=1",
            "{{baseUrl}}/catalog/rest/Catalog/$metadata"
        ]
    );
    for i in items {
        assert_eq!(i["request"]["method"], "GET");
        assert_eq!(i["request"]["header"][0]["key"], "X-API-KEY");
        assert_eq!(i["request"]["header"][0]["value"], "{{apiKey}}");
        let test = i["event"][0]["script"]["exec"].to_string();
        assert!(test.contains("pm.response.to.have.status(200)"), "{test}");
    }
    assert_eq!(items[0]["request"]["url"]["query"][0]["key"], "$top");
    assert_eq!(items[1]["request"]["url"]["path"][3], "$metadata");
}

#[test]
fn postman_environment_matches_the_collection() {
    let v: serde_json::Value =
        serde_json::from_str(&postman_environment("https://api2.saleslayer.com")).unwrap();
    assert_eq!(v["name"], POSTMAN_ENV_NAME);
    assert_eq!(v["_postman_variable_scope"], "environment");
    let vals = v["values"].as_array().unwrap();
    assert_eq!(vals[0]["key"], "baseUrl");
    assert_eq!(vals[0]["value"], "https://api2.saleslayer.com");
    assert_eq!(vals[1]["key"], "apiKey");
    assert_eq!(vals[1]["type"], "secret");
    assert_eq!(vals[1]["value"], "");
}

/// One key source of the table, with how the doctor found it.
fn loads() -> Vec<(&'static str, KeyLoad)> {
    vec![
        ("env", KeyLoad::Env { why: None }),
        (
            "flag",
            KeyLoad::Env {
                why: Some("The key was given with --key".into()),
            },
        ),
        ("file", KeyLoad::File("keys/sl key’s.txt".into())),
        ("dotenv_plain", dotenv(".env", 3, (0, 0), (0, 0))),
        // Quotes around the value and a CRLF ending (no CR for PowerShell).
        (
            "dotenv_quoted_crlf",
            dotenv("config/.env.local", 1, (1, 2), (1, 1)),
        ),
    ]
}

/// A key found on `line` of the .env file `path`, with these bytes (and UTF-16 units) to
/// drop after the `=` and at the end of the line.
fn dotenv(path: &str, line: usize, bytes: (usize, usize), utf16: (usize, usize)) -> KeyLoad {
    KeyLoad::Dotenv {
        reader: "dotenv loaders".into(),
        path: path.into(),
        line,
        bytes,
        utf16: Some(utf16),
    }
}

fn render_with(load: &KeyLoad, shell: CurlShell, http: bool) -> String {
    let base = if http {
        "http://127.0.0.1:8080"
    } else {
        "https://api2.saleslayer.com"
    };
    let reqs = [probe_request(base, &probe::DAM).unwrap()];
    render(
        &reqs,
        &Spec {
            load,
            http,
            ..spec(shell)
        },
    )
}

#[test]
fn key_sources_by_shell_snapshots() {
    for (name, load) in loads() {
        for (shell_name, shell) in [
            ("posix", CurlShell::Posix),
            ("powershell", CurlShell::Powershell),
        ] {
            let text = render_with(&load, shell, false);
            insta::assert_snapshot!(format!("load_{name}_{shell_name}"), text);
        }
    }
    insta::assert_snapshot!(
        "http_warning",
        render_with(&ENV_LOAD, CurlShell::Posix, true)
    );
}

#[test]
fn generated_commands_parse_in_bash() {
    let hostile = [
        "it's",
        "‘curly’ ‚low‛",
        "$(touch pwned) `x` \"q\"",
        "new\nline",
    ];
    let mut texts = Vec::new();
    for (_, load) in loads() {
        texts.push(render_with(&load, CurlShell::Posix, true));
    }
    for h in hostile {
        let ca = std::path::PathBuf::from(format!("ca {h}.pem"));
        let file = KeyLoad::File(format!("key {h}").into());
        let reqs = [Request {
            label: "x".into(),
            url: format!("https://h.example/{h}?$top=1"),
            note: None,
        }];
        texts.push(render(
            &reqs,
            &Spec {
                load: &file,
                ca_cert: Some(&ca),
                ..spec(CurlShell::Posix)
            },
        ));
    }
    let reqs = [probe_request("https://api2.saleslayer.com", &probe::DAM).unwrap()];
    for (proxy, no) in [(Some("http://u:p@127.0.0.1:3128"), false), (None, true)] {
        let proxy = CurlProxy::from_flags(proxy, no).unwrap();
        texts.push(render(
            &reqs,
            &Spec {
                proxy: &proxy,
                ..spec(CurlShell::Posix)
            },
        ));
    }
    for text in texts {
        assert_parses("bash -n", &text, "bash", &["-n", "-c", &text]);
    }
}

/// Runs `program` with `args` and asserts that it (`who`) accepted `text`.
fn assert_parses(who: &str, text: &str, program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .expect("the parser runs");
    assert!(
        out.status.success(),
        "{who} refused:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One line of PowerShell, lexed by the language's quoting rules (PowerShell language
/// specification 3.0, §2.3.5.2): the values of its single-quoted strings, in order, and
/// the `$` expressions PowerShell would expand (outside single quotes). `None` when a
/// string does not close on the line.
fn ps_lex(line: &str) -> Option<(Vec<String>, Vec<String>)> {
    const SINGLE: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    const DOUBLE: [char; 3] = ['"', '\u{201C}', '\u{201D}'];
    let (mut literals, mut expanded) = (Vec::new(), Vec::new());
    let mut chars = line.chars().peekable();
    let mut in_double = false;
    while let Some(c) = chars.next() {
        if !in_double && c == '#' {
            break;
        } else if !in_double && SINGLE.contains(&c) {
            let mut value = String::new();
            loop {
                let c = chars.next()?;
                if SINGLE.contains(&c) {
                    if !chars.peek().is_some_and(|n| SINGLE.contains(n)) {
                        break;
                    }
                    chars.next();
                }
                value.push(c);
            }
            literals.push(value);
        } else if DOUBLE.contains(&c) {
            in_double = !in_double;
        } else if in_double && c == '`' {
            chars.next()?;
        } else if c == '$' {
            let name: String =
                std::iter::from_fn(|| chars.next_if(|n| n.is_alphanumeric() || "_:".contains(*n)))
                    .collect();
            expanded.push(name);
        }
    }
    (!in_double).then_some((literals, expanded))
}

/// pwsh cannot be installed here, so the PowerShell output is read by PowerShell's
/// quoting rules ([`ps_lex`]): every string closes on its line, only the key variable is
/// expanded (never `$top` or `$metadata`), and the URL and the key file's path (with a
/// U+2019 quote in its name) come back exactly.
#[test]
fn powershell_output_quotes_by_powershells_rules() {
    let url = "https://api2.saleslayer.com/dam/image?$top=1";
    for (name, load) in loads() {
        let text = render_with(&load, CurlShell::Powershell, false);
        let (mut literals, mut expanded) = (Vec::new(), Vec::new());
        for line in text.lines() {
            let (l, e) =
                ps_lex(line).unwrap_or_else(|| panic!("{name}: unclosed string in {line}"));
            literals.extend(l);
            expanded.extend(e);
        }
        assert!(literals.iter().any(|l| l == url), "{name}: {literals:?}");
        assert!(!expanded.is_empty(), "{name}: the key variable is read");
        for e in &expanded {
            assert_eq!(
                e, "env:SALESLAYER_API_KEY",
                "{name}: ${e} would be expanded"
            );
        }
        if let KeyLoad::File(path) = &load {
            let path = path.display().to_string();
            assert!(
                literals.contains(&path),
                "{name}: {path} not in {literals:?}"
            );
        }
    }
    assert_eq!(
        ps_lex("'a''b' \"$x\""),
        Some((vec!["a'b".into()], vec!["x".into()]))
    );
    assert_eq!(
        ps_lex("'a\u{2019}'"),
        None,
        "U+2019 closes a single-quoted string"
    );
}

/// The POSIX prelude of a real `.env` (read by the doctor's own source collection) sets
/// the variable to exactly the value the doctor found, and the output never holds it.
#[test]
fn dotenv_and_key_file_loads_read_the_doctors_value() {
    use sl_doctor_checks::input::sources::{KeySpec, collect};
    const V: &str = "SLDOCTORcanary7Qx9+Zk/4mW2=";
    let table: Vec<(&str, Vec<u8>)> = vec![
        (
            "plain",
            format!("A=1\nSALESLAYER_API_KEY={V}\n").into_bytes(),
        ),
        (
            "quoted",
            format!("SALESLAYER_API_KEY=\"{V}\"\n").into_bytes(),
        ),
        (
            "single",
            format!("export SALESLAYER_API_KEY = '{V}'  \r\n").into_bytes(),
        ),
        (
            "comment",
            format!("SALESLAYER_API_KEY={V} # prod ✔\r\nB=2\n").into_bytes(),
        ),
        (
            "bom_last_wins",
            format!("\u{feff}SALESLAYER_API_KEY=old\nSALESLAYER_API_KEY={V}").into_bytes(),
        ),
        ("key_file_with_lf", format!("{V}\n").into_bytes()),
        // A file name with a line break and workflow commands (trial 32): the commands
        // still name the file (`$'…'`), and no line of the output starts with the name.
        ("key_file_hostile_name", format!("{V}\n").into_bytes()),
        (
            "dotenv_hostile_name",
            format!("SALESLAYER_API_KEY={V}\n").into_bytes(),
        ),
    ];
    for (name, bytes) in table {
        let dir = tempfile::tempdir().unwrap();
        let file = match name {
            n if n.ends_with("hostile_name") => "k\n::warning::pwn ##[error]x\u{200b}.env",
            n if n.starts_with("key_file") => "key.txt",
            _ => ".env",
        };
        let path = dir.path().join(file);
        std::fs::write(&path, &bytes).unwrap();
        let mut ks = KeySpec {
            key_env: "SALESLAYER_API_KEY".into(),
            ..KeySpec::default()
        };
        if name.starts_with("key_file") {
            ks.key_file = Some(path.clone());
        } else {
            ks.dotenv = Some(path.clone());
            ks.dotenv_explicit = true;
        }
        let state = collect(ks, &[]).unwrap();
        let want = state.key().unwrap().expose_bytes().to_vec();
        let load = KeyLoad::of(&state);
        assert!(!matches!(load, KeyLoad::Env { .. }), "{name}: {load:?}");
        let text = render_with(&load, CurlShell::Posix, false);
        assert!(
            !text.contains(&V[..8]) && !text.contains(&V[8..16]),
            "{name}: key in\n{text}"
        );
        assert!(
            text.lines()
                .all(|l| !l.starts_with("::") && !l.contains("##[")),
            "{name}: a line of outside text\n{text}"
        );
        let prelude: String = text
            .lines()
            .filter(|l| l.starts_with("SALESLAYER_API_KEY="))
            .collect();
        let out = std::process::Command::new("bash")
            .args([
                "-c",
                &format!("{prelude}\nprintf %s \"$SALESLAYER_API_KEY\""),
            ])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .unwrap();
        assert!(
            out.stdout == want,
            "{name}: the command reads another value than sl-doctor ({prelude})"
        );
    }
}

#[test]
fn http_is_refused_unless_allowed() {
    assert!(
        check_http("http://127.0.0.1:8080", "the base URL", false)
            .unwrap_err()
            .contains("clear text")
    );
    assert!(check_http("HTTP://x", "--url", true).unwrap());
    assert!(!check_http("https://api2.saleslayer.com", "the base URL", false).unwrap());
}

#[test]
fn the_posix_script_sends_nothing_when_the_variable_is_unset() {
    use sl_doctor_checks::testing_support::{TEST_CANARY, leaks, require_tool};
    use std::net::TcpListener;
    if !require_tool("bash", &["--version"]) || !require_tool("curl", &["--version"]) {
        return;
    }
    // A loopback listener counts the connections curl opens (it never answers TLS).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let reqs = [probe_request(&base, &probe::DAM).unwrap()];
    let text = render(&reqs, &spec(CurlShell::Posix));
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(script.path(), &text).unwrap();
    let run = |key: Option<&str>| {
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(script.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        if let Some(k) = key {
            cmd.env("SALESLAYER_API_KEY", k);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Accept (and drop) what arrives, so that curl fails fast instead of waiting.
        let mut connections = 0;
        loop {
            if let Ok((s, _)) = listener.accept() {
                connections += 1;
                drop(s);
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        (out, connections)
    };
    for key in [None, Some("")] {
        let (out, connections) = run(key);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(connections, 0, "{key:?}: curl ran: {stderr}");
        assert!(!out.status.success(), "{key:?}");
        assert!(
            stderr.contains("SALESLAYER_API_KEY is not set: the request was not sent"),
            "{stderr}"
        );
    }
    // Set, the request goes out (and the key is not echoed by anything).
    let (out, connections) = run(Some(TEST_CANARY));
    assert_eq!(connections, 1);
    for stream in [&out.stdout, &out.stderr] {
        assert!(!leaks(TEST_CANARY, &String::from_utf8_lossy(stream)));
    }
}
