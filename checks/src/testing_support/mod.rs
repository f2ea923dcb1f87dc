//! The test support every test of the workspace shares: the canary key and the leak
//! oracle (the real leak policy, `leak`), the context builders, the report builder
//! (the runner's own assembly), the check runners and table helpers (`checks`), output
//! safety, and `require_tool`. Compiled for this crate's tests and, behind the
//! `test-support` feature, for the binary's and the integration tests; never in a release
//! build of the binary.

mod checks;
pub use checks::*;

/// The canary key of every leak test: long, with `+`, `/` and `=` so that percent,
/// JSON and base64 spellings differ from the raw value. It is not a real key.
pub const TEST_CANARY: &str = "SLDOCTORcanary7Qx9+Zk/4mW2=";

/// The leak oracle of every test: whether `text` holds a piece of `secret` (or of its
/// cleaned form) in any spelling the real leak policy knows (`leak`: raw,
/// percent-encoded, JSON-escaped, base64).
pub fn leaks(secret: &str, text: &str) -> bool {
    let key = crate::model::secret::SecretKey::from_string(secret.to_string());
    crate::leak::Secrets::new(&[&key]).leaks(text)
}

/// Asserts that the JSON form of `value` holds no piece of `secret` ([`leaks`]).
#[track_caller]
pub fn assert_no_leak<T: serde::Serialize + ?Sized>(value: &T, secret: &str) {
    let json = serde_json::to_string(value).expect("the value serialises");
    assert!(
        !leaks(secret, &json),
        "a piece of the key leaked into {json}"
    );
}

thread_local! {
    static SCRATCH: std::cell::OnceCell<tempfile::TempDir> = const { std::cell::OnceCell::new() };
}

/// A temporary directory of the running test (of its thread), removed when the test
/// ends, pass or panic: for fixture files a helper writes but cannot hand back a guard
/// for (a path inside a `Context`). Elsewhere a test holds its own `tempfile::tempdir()`.
pub fn scratch_dir() -> std::path::PathBuf {
    SCRATCH.with(|d| {
        d.get_or_init(|| {
            tempfile::Builder::new()
                .prefix("sl-doctor-test-")
                .tempdir()
                .expect("a temporary directory")
        })
        .path()
        .to_path_buf()
    })
}

/// Writes `content` to the file `name` in `dir` and returns its path: the one-line
/// fixture file of the tests that read, replace or link to files.
pub fn write_file(
    dir: &std::path::Path,
    name: impl AsRef<std::path::Path>,
    content: impl AsRef<[u8]>,
) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// An environment as the commands read it, from `(name, value)` pairs.
pub fn env_of(pairs: &[(&str, &str)]) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

/// Asserts that every finding carries a code the check declares (or the runner's
/// `deadline-reached`), at a severity the code allows: the test every check run of the
/// tests goes through.
#[track_caller]
pub fn assert_codes_declared(meta: &crate::CheckMeta, findings: &[crate::model::report::Finding]) {
    for f in findings {
        assert!(
            meta.code(&f.code)
                .or((f.code == crate::runner::DEADLINE_REACHED.name)
                    .then_some(&crate::runner::DEADLINE_REACHED))
                .is_some_and(|c| c.allows(f.severity)),
            "{}: finding code {} ({:?}) is not declared in its check! codes",
            meta.id,
            f.code,
            f.severity
        );
    }
}

use crate::model::report::{ItemResult, KeyInfo, Report, SourceKind, SourceRef, Target};
use crate::model::secret::Fingerprint;

/// A report of `checklist` as the runner assembles it (`runner::assemble`: tallied, not
/// strict, online, no diagnosis yet), for a key of `length` characters from
/// `SALESLAYER_API_KEY` and the default base URL probed for `apis`, with a fixed version
/// and time: the fixture the diagnosis and renderer tests start from.
pub fn test_report(
    checklist: Vec<ItemResult>,
    length: usize,
    fingerprint: Fingerprint,
    apis: &[&str],
) -> Report {
    let key = KeyInfo {
        present: true,
        source: SourceRef {
            kind: SourceKind::Env,
            name: crate::DEFAULT_KEY_ENV.into(),
        },
        length,
        fingerprint: Some(fingerprint),
        cleaned_length: None,
        cleaned_fingerprint: None,
        sources: Vec::new(),
    };
    let target = Target {
        base_url: crate::DEFAULT_BASE_URL.into(),
        url: None,
        apis: apis.iter().map(|a| a.to_string()).collect(),
    };
    let opts = crate::runner::RunOptions::default();
    let mut report = crate::runner::assemble(checklist, key, target, &opts, Default::default());
    report.tool.version = "0.0.0-test".into();
    report.tool.os = None;
    report.generated_at = "2026-01-02T03:04:05Z".into();
    report
}

/// What an output format may hold besides printable text.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputRules {
    /// Whether a tab is allowed (formats that indent with tabs).
    pub tab: bool,
    /// Output read by a CI log as lines: no line may start with `::` (every format but
    /// `github`, whose annotations are workflow commands on purpose). `##[` is refused
    /// anywhere in every output.
    pub log: bool,
    /// Markdown: no unescaped `](` or `![` (a link or an image from someone's text).
    pub markdown: bool,
}

/// The one assertion of the hostile-input tests, for any output (`what` names it): no
/// control byte but `\n` (and `\t` when allowed), no DEL or C1, no bidi or other
/// default-ignorable character, no legacy workflow command (`##[`) anywhere in a line,
/// per the rules no line starting with `::` and no Markdown link, and no piece of `key`
/// in any spelling of the leak rule (`leak`).
#[track_caller]
pub fn assert_output_safe(key: &str, what: &str, text: &str, rules: OutputRules) {
    use crate::model::untrusted::is_unsafe;
    // Markdown's own warning icon is the emoji form of U+26A0 (with VARIATION SELECTOR-16).
    let text = if rules.markdown {
        text.replace("\u{26a0}\u{fe0f}", "\u{26a0}")
    } else {
        text.to_string()
    };
    for (n, line) in text.split('\n').enumerate() {
        let bad = line
            .chars()
            .find(|&c| is_unsafe(c) && !(rules.tab && c == '\t'));
        assert!(
            bad.is_none(),
            "{what}: line {} holds the unsafe character {:?}: {line:?}",
            n + 1,
            bad
        );
        // GitHub's runner reads the legacy `##[command]` anywhere in a line, in any format
        // printed to a log (JSON, JUnit, Markdown, a GitHub annotation's text).
        assert!(
            !line.contains(crate::model::untrusted::LEGACY_COMMAND),
            "{what}: line {} holds a legacy workflow command (##[): {line:?}",
            n + 1
        );
        if rules.log {
            assert!(
                !crate::model::untrusted::is_workflow_command(line),
                "{what}: line {} is a workflow command: {line:?}",
                n + 1
            );
        }
        if rules.markdown {
            for needle in ["](", "!["] {
                for (i, _) in line.match_indices(needle) {
                    assert!(
                        line[..i].ends_with('\\'),
                        "{what}: line {} holds an unescaped {needle:?}: {line:?}",
                        n + 1
                    );
                }
            }
        }
    }
    let secrets = crate::leak::Secrets::new(&[&crate::model::secret::SecretKey::from_string(
        key.to_string(),
    )]);
    assert!(
        !secrets.leaks(&text),
        "{what} holds a piece of the key in some spelling:\n{text}"
    );
}

/// Asserts `f(input) == want` for each `(input, want)` of a table, naming the input
/// that fails.
pub fn assert_maps<I: std::fmt::Debug + Copy, O: PartialEq + std::fmt::Debug>(
    f: impl Fn(I) -> O,
    cases: impl IntoIterator<Item = (I, O)>,
) {
    for (input, want) in cases {
        assert_eq!(f(input), want, "{input:?}");
    }
}

/// Whether the external program `tool` runs (`tool ARGS` exits, whatever its status), for
/// tests that drive a real tool (curl, git, python3, squid…). `.ci/run` installs every
/// tool a test names, so where it sets `SL_DOCTOR_REQUIRE_TOOLS` (and under `CI`) a
/// missing tool fails the test instead of passing it; elsewhere the test says it was
/// skipped and returns.
#[track_caller]
pub fn require_tool(tool: &str, args: &[&str]) -> bool {
    let runs = std::process::Command::new(tool)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    require(&format!("`{tool}`"), runs)
}

/// [`require_tool`] for anything a test needs that is not a program (a library of a
/// language runtime, say): `available` says whether it is there; under CI its absence
/// fails the test, elsewhere the test is told to skip.
#[track_caller]
pub fn require(what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    let required = ["SL_DOCTOR_REQUIRE_TOOLS", "CI"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0" && x != "false"));
    assert!(
        !required,
        "this test needs {what}, which is not installed; .ci/run installs it (see .ci/tools/)"
    );
    eprintln!("skipped: {what} is not installed (under CI this test fails instead)");
    false
}

/// DAM's answer to an invalid key as the mock gives it: HTTP 400 with problem details,
/// title "Bad Request", detail [`INVALID_KEY_DETAIL`](crate::saleslayer::INVALID_KEY_DETAIL).
/// `about_query` marks the text as about the query instead (the classification tests vary it).
pub fn dam_invalid_key_problem(about_query: bool) -> crate::model::evidence::ProblemDetails {
    use crate::model::untrusted::Untrusted;
    crate::model::evidence::ProblemDetails {
        kind: Some(Untrusted::new(
            "https://api2.saleslayer.com/errors/validation",
        )),
        title: Some(Untrusted::new("Bad Request")),
        status: Some(400),
        detail: Some(Untrusted::new(crate::saleslayer::INVALID_KEY_DETAIL)),
        instance: Some(Untrusted::new("/image")),
        validation: vec![],
        about_query,
    }
}
