//! The scenario suite: the common ways a key fails, each run on the real binary against
//! `sl-doctor mock --https`, in every output a user reads (the default human view, JSON,
//! GitHub annotations, Markdown, `support`). Each output must open with the right cause,
//! fit the line budget, never show a fix the proof contradicts, and never hold the key.
//!
//! One mock serves every scenario: each scenario has its own key (the shared canary with
//! one digit changed, so every key's fingerprint is fixed and the leak assertion for the
//! canary's `SLDOCTOR` prefix covers all of them) and so its own rate-limit bucket; the
//! `only_quotes` scenario's value holds no key at all.

use crate::common::{CANARY, MockProcess, Run, assert_no_leak, sl_doctor};
use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};
use std::sync::OnceLock;

/// How the key reaches sl-doctor.
#[derive(Clone, Copy)]
enum Key {
    /// `SALESLAYER_API_KEY` holds this value.
    Env(&'static str),
    /// SALESLAYER_API_KEY holds the key wrapped in double quotes.
    EnvQuoted(&'static str),
    /// SALESLAYER_API_KEY holds the key with U+200B after its 8th character.
    EnvZeroWidth(&'static str),
    /// `--key-file key.txt` holds the key and one LF.
    FileWithLf(&'static str),
}

/// Where the base URL points.
#[derive(Clone, Copy)]
enum Target {
    /// The mock.
    Mock,
    /// The mock with this path appended.
    MockPath(&'static str),
    /// A loopback port where nothing listens.
    ClosedPort,
}

struct Scenario {
    name: &'static str,
    key: Key,
    target: Target,
    /// Send the documented limit's worth of requests with the key first.
    exhaust: bool,
    /// `diagnosis.causes[0].id`, or `None` for a healthy run.
    cause: Option<&'static str>,
    /// How the human view's first line after the header starts.
    opens_with: &'static str,
    effective_verdict: &'static str,
    exit: i32,
    /// Whether the first cause is one the user fixes alone (support does not draft an email).
    self_fixable: bool,
    /// Phrases the proof contradicts: none may appear in any output.
    never: &'static [&'static str],
}

/// The key as given a scenario: the canary with the digit after "canary" changed to `$digit`.
macro_rules! canary_with {
    ($digit:literal) => {
        concat!("SLDOCTORcanary", $digit, "Qx9+Zk/4mW2=")
    };
}

const HEALTHY: &str = CANARY; // canary_with!(7), as a test below asserts
const QUOTED: &str = canary_with!(1);
const FILE_LF: &str = canary_with!(2);
const ZERO_WIDTH: &str = canary_with!(3);
const CATALOG_ONLY: &str = canary_with!(4);
const DAM_ONLY: &str = canary_with!(5);
const REVOKED: &str = canary_with!(6);
const RATE_LIMITED: &str = canary_with!(8);
const LEGACY: &str = canary_with!(9);
const NETWORK: &str = canary_with!(0);

/// What a valid key's run must never say: the key is fine, so neither a new key nor a
/// support ticket is the fix.
const KEY_IS_FINE: &[&str] = &["new key", "support@", "sl-doctor support", "invalid"];
/// What a run that never reached a verdict on the key must not say.
const NO_VERDICT: &[&str] = &["new key", "invalid", "rejected"];

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "healthy",
        key: Key::Env(HEALTHY),
        target: Target::Mock,
        exhaust: false,
        cause: None,
        opens_with: "✔ The key works: DAM and Catalog accepted it.",
        effective_verdict: "pass",
        exit: 0,
        self_fixable: true,
        never: KEY_IS_FINE,
    },
    Scenario {
        name: "quoted_key",
        key: Key::EnvQuoted(QUOTED),
        target: Target::Mock,
        exhaust: false,
        cause: Some("quoted-key"),
        opens_with: "✘ The key is wrapped in quotes",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: true,
        never: KEY_IS_FINE,
    },
    Scenario {
        name: "only_quotes",
        key: Key::Env("\"\""),
        target: Target::Mock,
        exhaust: false,
        cause: Some("key-empty"),
        opens_with: "✘ The key is empty: the value holds only quotes",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: true,
        // Nothing is left once the quotes are removed: no repaired value to offer, and
        // the rejection of `""` says nothing about the key.
        never: &["new key", "support@", "repaired value", "invalid key"],
    },
    Scenario {
        name: "key_file_trailing_lf",
        key: Key::FileWithLf(FILE_LF),
        target: Target::Mock,
        exhaust: false,
        cause: Some("extra-whitespace"),
        opens_with: "✘ The key has extra whitespace or a line break",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: true,
        never: KEY_IS_FINE,
    },
    Scenario {
        name: "zero_width_space",
        key: Key::EnvZeroWidth(ZERO_WIDTH),
        target: Target::Mock,
        exhaust: false,
        cause: Some("hidden-characters"),
        opens_with: "✘ The key contains invisible characters",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: true,
        never: KEY_IS_FINE,
    },
    Scenario {
        name: "catalog_only_key",
        key: Key::Env(CATALOG_ONLY),
        target: Target::Mock,
        exhaust: false,
        cause: Some("api-not-enabled"),
        opens_with: "✘ The key is not enabled for DAM",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: false,
        // The probe's own reading of a 401 ("missing or invalid key") stays, as the
        // evidence; no fix may send the user for a new key.
        never: &["new key"],
    },
    Scenario {
        name: "dam_only_key",
        key: Key::Env(DAM_ONLY),
        target: Target::Mock,
        exhaust: false,
        cause: Some("api-not-enabled"),
        opens_with: "✘ The key is not enabled for Catalog",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: false,
        // The probe's own reading of a 401 ("missing or invalid key") stays, as the
        // evidence; no fix may send the user for a new key.
        never: &["new key"],
    },
    Scenario {
        name: "revoked_key",
        key: Key::Env(REVOKED),
        target: Target::Mock,
        exhaust: false,
        cause: Some("key-rejected"),
        opens_with: "✘ The key itself is not valid",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: false,
        never: &["accepted once", "accepts this key"],
    },
    Scenario {
        name: "rate_limited",
        key: Key::Env(RATE_LIMITED),
        target: Target::Mock,
        exhaust: true,
        cause: Some("rate-limited"),
        opens_with: "? DAM and Catalog rate limited the request",
        effective_verdict: "inconclusive",
        exit: 3,
        self_fixable: true,
        never: NO_VERDICT,
    },
    Scenario {
        name: "legacy_path",
        key: Key::Env(LEGACY),
        target: Target::MockPath("/rest/Catalog"),
        exhaust: false,
        cause: Some("wrong-path"),
        opens_with: "✘ The base URL has a legacy path",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: true,
        never: KEY_IS_FINE,
    },
    Scenario {
        name: "network_down",
        key: Key::Env(NETWORK),
        target: Target::ClosedPort,
        exhaust: false,
        cause: Some("network"),
        opens_with: "✘ The API could not be reached: connection to localhost:",
        effective_verdict: "fail",
        exit: 1,
        self_fixable: true,
        never: NO_VERDICT,
    },
];

/// The one mock of the suite (it stops by itself after `--exit-after`).
fn mock() -> &'static MockProcess {
    static MOCK: OnceLock<MockProcess> = OnceLock::new();
    MOCK.get_or_init(|| {
        let keys = [
            format!("both:{HEALTHY}"),
            format!("both:{QUOTED}"),
            format!("both:{FILE_LF}"),
            format!("both:{ZERO_WIDTH}"),
            format!("catalog:{CATALOG_ONLY}"),
            format!("dam:{DAM_ONLY}"),
            format!("revoked:{REVOKED}"),
            format!("both:{RATE_LIMITED}"),
            format!("both:{LEGACY}"),
        ];
        let mut args = vec!["--https"];
        for k in &keys {
            args.extend(["--key", k]);
        }
        MockProcess::start(&args)
    })
}

/// A loopback port where nothing listens (bound, then released).
fn closed_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    })
}

/// Sends requests with `key` until the mock answers 429 with a fresh window (the
/// documented limit is 50 requests per 10 s per key, in a sliding window: topping it up
/// before each run keeps the key limited for the run).
fn exhaust(key: &str) {
    let m = mock();
    sl_doctor_checks::net::tls::provider();
    let pem = std::fs::read(m.ca_path.as_ref().unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
            .build()
            .unwrap();
        let url = format!("{}/dam/image?$top=1", m.base_url);
        for _ in 0..200 {
            let r = client
                .get(&url)
                .header("X-API-KEY", key)
                .send()
                .await
                .unwrap();
            if r.status() != 429 {
                continue;
            }
            // The window is full. Rejected requests do not count, so a window filled by
            // an earlier run empties as soon as its oldest request ages out: only a
            // window whose oldest request is fresh (Retry-After near the full 10 s) keeps
            // the key limited for the whole run. Otherwise wait for it to empty, refill.
            let wait: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            if wait >= 8 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        }
        panic!("the mock never rate limited the key");
    });
}

/// Runs `sl-doctor ARGS` (a command and its flags) for a scenario and checks the run
/// never shows the key.
fn run(s: &Scenario, args: &[&str]) -> Run {
    if s.exhaust {
        exhaust(RATE_LIMITED);
    }
    let base = match s.target {
        Target::Mock => mock().base_url.clone(),
        Target::MockPath(p) => format!("{}{p}", mock().base_url),
        Target::ClosedPort => format!("https://localhost:{}", closed_port()),
    };
    let ca = mock().ca_path.clone().unwrap();
    let mut cmd = sl_doctor().args(args).args([
        "--base-url",
        &base,
        "--no-proxy",
        "--color",
        "never",
        "--timeout",
        "5",
    ]);
    cmd = cmd.arg("--ca-cert").arg(&ca);
    let key = match s.key {
        Key::Env(k) => k.to_string(),
        Key::EnvQuoted(k) => format!("\"{k}\""),
        Key::EnvZeroWidth(k) => format!("{}\u{200b}{}", &k[..8], &k[8..]),
        Key::FileWithLf(k) => format!("{k}\n"),
    };
    cmd = match s.key {
        Key::FileWithLf(_) => {
            let path = cmd.file("key.txt", &key);
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            cmd.args(["--key-file", "key.txt"])
        }
        _ => cmd.env("SALESLAYER_API_KEY", &key),
    };
    let (r, _dir) = cmd.run();
    for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        let what = format!("{} {args:?} {what}", s.name);
        assert_no_leak(CANARY, &what, text);
        let rules = OutputRules {
            markdown: args.contains(&"markdown"),
            ..OutputRules::default()
        };
        assert_output_safe(&key, &what, text, rules);
    }
    r
}

/// Redacts what changes from run to run: ports, the version, times, request ids.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"localhost:\d+", "localhost:[PORT]");
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    s.add_filter(&regex_escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    s.add_filter(r"\d{4}-\d\d-\d\dT[0-9:.]+Z", "[TIME]");
    s.add_filter(r"\b\d+ ms\b", "[N] ms");
    s.add_filter(r"x-request-id: [0-9a-f-]+", "x-request-id: [ID]");
    s.add_filter(r"Retry-After: \d+", "Retry-After: [N]");
    s.set_prepend_module_to_snapshot(true);
    s
}

fn regex_escape(s: &str) -> String {
    s.replace('.', r"\.")
}

/// Every scenario, its runs made in parallel (each is a process waiting on the mock).
fn each<T: Send>(f: impl Fn(&'static Scenario) -> T + Sync) -> Vec<(&'static Scenario, T)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = SCENARIOS
            .iter()
            .map(|s| (s, scope.spawn(|| f(s))))
            .collect();
        handles
            .into_iter()
            .map(|(s, h)| (s, h.join().expect("scenario run")))
            .collect()
    })
}

#[track_caller]
fn assert_never(s: &Scenario, what: &str, text: &str) {
    for phrase in s.never {
        assert!(
            !text.contains(phrase),
            "{} ({what}) says {phrase:?}, which its proof contradicts:\n{text}",
            s.name
        );
    }
}

/// The human view opens with the cause (the first line after the header block), fits
/// the budget and is snapshotted.
#[test]
fn human_view_opens_with_the_cause_within_a_screen() {
    mock();
    let settings = settings();
    for (s, r) in each(|s| run(s, &[])) {
        assert_eq!(r.code, s.exit, "{}: {}{}", s.name, r.stdout, r.stderr);
        let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.trim().is_empty()).collect();
        // The header block is three lines: the tool, the key, the target.
        assert!(lines[0].starts_with("sl-doctor "), "{}", r.stdout);
        assert!(
            lines[3].starts_with(s.opens_with),
            "{} opens with {:?}, expected {:?}:\n{}",
            s.name,
            lines[3],
            s.opens_with,
            r.stdout
        );
        let budget = if s.cause.is_none() { 14 } else { 30 };
        assert!(
            lines.len() <= budget,
            "{}: {} non-empty lines, budget {budget}:\n{}",
            s.name,
            lines.len(),
            r.stdout
        );
        assert_never(s, "human", &r.stdout);
        for noise in ["<-", "error(s)", "warning(s)", "character(s)", "1 warnings"] {
            assert!(
                !r.stdout.contains(noise),
                "{}: {noise:?} in\n{}",
                s.name,
                r.stdout
            );
        }
        settings.bind(|| insta::assert_snapshot!(format!("human_{}", s.name), r.stdout));
    }
}

#[test]
fn json_names_the_cause_first() {
    mock();
    for (s, r) in each(|s| run(s, &["--format", "json"])) {
        assert_eq!(r.code, s.exit, "{}: {}", s.name, r.stdout);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        let causes = v["diagnosis"]["causes"].as_array().expect("causes");
        match s.cause {
            None => assert!(causes.is_empty(), "{}: {causes:?}", s.name),
            Some(id) => {
                assert_eq!(causes[0]["id"], id, "{}: {causes:#?}", s.name);
                assert_eq!(
                    causes[0]["self_fixable"], s.self_fixable,
                    "{}: {causes:#?}",
                    s.name
                );
            }
        }
        assert_eq!(v["effective_verdict"], s.effective_verdict, "{}", s.name);
        assert_eq!(v["strict"], false, "{}", s.name);
        assert_never(s, "json diagnosis", &v["diagnosis"].to_string());
    }
}

#[test]
fn github_annotates_each_cause_once() {
    mock();
    for (s, r) in each(|s| run(s, &["--format", "github"])) {
        assert_eq!(r.code, s.exit, "{}: {}", s.name, r.stdout);
        let annotations: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
            .collect();
        let causes = run_causes(s);
        assert_eq!(annotations.len(), causes.len(), "{}:\n{}", s.name, r.stdout);
        if let Some(first) = annotations.first() {
            let title = &causes[0];
            assert!(
                first.contains(&github_escape(title)),
                "{}: the first annotation does not name {title:?}:\n{}",
                s.name,
                r.stdout
            );
        }
        let last = r.stdout.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("::notice title=sl-doctor verdict::"),
            "{last}"
        );
        assert_never(s, "github", &r.stdout);
    }
}

#[test]
fn markdown_starts_with_the_diagnosis() {
    mock();
    for (s, r) in each(|s| run(s, &["--format", "markdown"])) {
        assert_eq!(r.code, s.exit, "{}: {}", s.name, r.stdout);
        let mut lines = r.stdout.lines().filter(|l| !l.trim().is_empty());
        let heading = lines.next().unwrap_or_default();
        assert!(
            heading.starts_with("## ") && heading.contains(s.effective_verdict),
            "{}: {heading}",
            s.name
        );
        let summary = lines.next().unwrap_or_default();
        let expected = s.opens_with.trim_start_matches(['✔', '✘', '?', ' ']);
        assert!(
            summary.starts_with("**") && summary.contains(&markdown_escape(expected)),
            "{}: {summary:?} does not open with {expected:?}:\n{}",
            s.name,
            r.stdout
        );
        assert_never(s, "markdown", &r.stdout);
    }
}

/// `support` off a terminal: for a cause the user fixes alone, the fix and exit 1 (no
/// email, no prompt); otherwise (a healthy run too: asking for another API) the email,
/// opening with the diagnosis.
#[test]
fn support_sends_only_what_support_can_fix() {
    mock();
    let settings = settings();
    for (s, r) in each(|s| run(s, &["support"])) {
        let both = format!("{}--- stderr ---\n{}", r.stdout, r.stderr);
        if s.cause.is_some() && s.self_fixable {
            assert_eq!(r.code, 1, "{}: {both}", s.name);
            assert!(r.stdout.is_empty(), "{}: no email: {both}", s.name);
            assert!(
                r.stderr
                    .starts_with("No email to Sales Layer support is needed"),
                "{}: {both}",
                s.name
            );
            // The whole self-fix follows: the cause and its fix, as the report says them.
            assert!(r.stderr.contains(s.opens_with), "{}: {both}", s.name);
            // The way to the email is named (`support --anyway`), never as the fix.
            for phrase in ["new key", "invalid"] {
                assert!(!r.stderr.contains(phrase), "{}: {phrase:?}: {both}", s.name);
            }
        } else {
            assert_eq!(r.code, 0, "{}: {both}", s.name);
            // The email opens with its ask, for the key by fingerprint, and says it once.
            // The mock on loopback is not Sales Layer's API: the draft is for whoever runs
            // it, and standard error says so and how to reach Sales Layer instead.
            assert!(
                r.stdout.starts_with("To: <whoever runs https://localhost:")
                    && r.stderr
                        .contains("is not Sales Layer's API (a loopback host")
                    && r.stderr
                        .contains("set the base URL to https://api2.saleslayer.com"),
                "{}: {both}",
                s.name
            );
            let ask = r
                .stdout
                .split_once("Hello,\n\n")
                .map(|(_, rest)| rest.lines().next().unwrap_or(""))
                .unwrap_or("");
            assert!(
                ask.starts_with("Please ") && ask.contains("our API key sha256:"),
                "{}: the email does not open with its ask:\n{both}",
                s.name
            );
            let expected = s.opens_with.trim_start_matches(['✔', '✘', '?', ' ']);
            let said = r.stdout.matches(expected).count();
            if s.cause.is_none() {
                assert_eq!(said, 1, "{}: the diagnosis, once: {both}", s.name);
            } else {
                assert!(said <= 1, "{}: said twice: {both}", s.name);
            }
        }
        settings.bind(|| insta::assert_snapshot!(format!("support_{}", s.name), both));
    }
}

/// The titles of a scenario's causes, from its JSON report.
fn run_causes(s: &Scenario) -> Vec<String> {
    let r = run(s, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    v["diagnosis"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_string())
        .collect()
}

fn github_escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace(':', "%3A")
        .replace(',', "%2C")
}

fn markdown_escape(s: &str) -> String {
    s.replace('(', r"\(").replace(')', r"\)")
}

#[test]
fn every_scenario_key_is_the_canary_with_one_digit_changed() {
    assert_eq!(canary_with!(7), CANARY);
    let keys = [
        HEALTHY,
        QUOTED,
        FILE_LF,
        ZERO_WIDTH,
        CATALOG_ONLY,
        DAM_ONLY,
        REVOKED,
        RATE_LIMITED,
        LEGACY,
        NETWORK,
    ];
    let distinct: std::collections::HashSet<&str> = keys.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        keys.len(),
        "one key, so one rate-limit bucket, each"
    );
}
