//! Context builders and check runners for the per-check tests, and the tables and
//! snapshot macro the value checks share.

use crate::checklist::Check;
use crate::context::{Context, FoundKey};
use crate::model::check::{Outcome, Skipped};
use crate::model::report::{SourceKind, SourceRef, Status};
use crate::model::secret::SecretKey;

/// A context whose key comes from `SALESLAYER_API_KEY` with these exact bytes.
pub fn cx_with_key(bytes: &[u8]) -> Context {
    let mut cx = Context::default();
    cx.key.env_name = crate::DEFAULT_KEY_ENV.into();
    cx.key.candidates.push(FoundKey {
        source: SourceRef {
            kind: SourceKind::Env,
            name: crate::DEFAULT_KEY_ENV.into(),
        },
        value: SecretKey::from_bytes(bytes.to_vec()),
        path: None,
    });
    cx
}

/// A context whose key is [`CANARY`], also read from the file `sl.key` written in `dir`
/// (a file candidate, as `--key-file` gives); returns the file's path too.
pub fn cx_with_key_file(dir: &std::path::Path) -> (Context, std::path::PathBuf) {
    let p = dir.join("sl.key");
    std::fs::write(&p, CANARY).expect("the key file is written");
    let mut cx = cx_with_key(CANARY.as_bytes());
    cx.key.candidates.push(FoundKey {
        source: SourceRef {
            kind: SourceKind::File,
            name: "sl.key".into(),
        },
        value: SecretKey::from_string(CANARY.into()),
        path: Some(p.clone()),
    });
    (cx, p)
}

/// A context as the binary builds it for a key in `SALESLAYER_API_KEY`, aimed at a
/// loopback base URL: short timeouts, no proxy from the environment.
pub fn cx_at(base: &str, key: &[u8]) -> Context {
    let mut cx = cx_with_key(key);
    cx.target.base_url = base.into();
    cx.net.timeout = std::time::Duration::from_secs(3);
    cx.net.no_proxy = true;
    cx
}

/// Runs `checks` through the runner as a run does (concurrently, each after those it
/// depends on among them), and asserts their codes and that no piece of the canary key
/// is in any result or its evidence.
pub async fn run_through_runner<const N: usize>(
    checks: [Box<dyn Check>; N],
    cx: &Context,
) -> [crate::model::report::CheckResult; N] {
    let results =
        crate::runner::run_checks(&checks, cx, &crate::runner::RunOptions::default()).await;
    for (r, c) in results.iter().zip(&checks) {
        super::assert_codes_declared(c.meta(), &r.findings);
        super::assert_no_leak(r, CANARY);
    }
    results.try_into().unwrap_or_else(|_| panic!("{N} results"))
}

/// [`run_through_runner`] of `tls-connection` and both probes (one shared connection).
pub async fn run_network_checks(cx: &Context) -> [crate::model::report::CheckResult; 3] {
    use crate::checklist::{CatalogProbe, DamProbe, TlsConnection};
    run_through_runner(
        [
            Box::new(TlsConnection),
            Box::new(DamProbe),
            Box::new(CatalogProbe),
        ],
        cx,
    )
    .await
}

/// Whether each probe of [`run_network_checks`] timed a connect of its own on its first
/// attempt (`false`: it reused the run's connection).
pub fn probe_connects(results: &[crate::model::report::CheckResult; 3]) -> Vec<bool> {
    use crate::model::report::Evidence;
    results[1..]
        .iter()
        .map(|r| match &r.evidence {
            Some(Evidence::Probe(p)) => p.attempts[0].timings.connect_ms.is_some(),
            other => panic!("no probe evidence: {other:?}"),
        })
        .collect()
}

/// A context with the given base URL (and a harmless key).
pub fn cx_with_base_url(url: &str) -> Context {
    let mut cx = cx_with_key(b"test-key-0000");
    cx.target.base_url = url.into();
    cx
}

/// Runs a check to completion on a current-thread runtime; every finding must carry a
/// code the check declares.
pub fn run(check: &dyn Check, cx: &Context) -> Result<Outcome, Skipped> {
    let out = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(check.run(cx));
    if let Ok(o) = &out {
        super::assert_codes_declared(check.meta(), &o.findings);
    }
    out
}

/// A canary key: tests wrap it in each defect and check that no piece of it leaks.
pub use super::TEST_CANARY as CANARY;
use super::assert_no_leak;

/// Whether one of the outcome's detail lines starts with `prefix`.
pub fn has_detail(o: &Outcome, prefix: &str) -> bool {
    o.details.iter().any(|d| d.starts_with(prefix))
}

/// Asserts an outcome's status and finding codes (in order).
pub fn assert_result(o: &Outcome, status: Status, want: &[&str]) {
    assert_eq!((o.status(), codes(o)), (status, want.to_vec()), "{o:?}");
}

/// The finding codes of an outcome, in order.
pub fn codes(o: &Outcome) -> Vec<&str> {
    o.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Runs a check on a context whose key is `value`.
pub fn run_on_key(check: &dyn Check, value: &str) -> Outcome {
    run(check, &cx_with_key(value.as_bytes())).expect("the check runs")
}

/// A well-formed sample key, for the value tables to wrap in defects.
pub const KEY: &str = "aB3+xY/9zQ==";

/// The message of an outcome's first finding.
pub fn first_message(o: &Outcome) -> &str {
    &o.findings[0].message
}

/// Asserts that a value check failed exactly when it found something (`found`).
pub fn assert_fails_when_found(o: &Outcome, found: bool, value: &str) {
    let status = if found { Status::Fail } else { Status::Pass };
    assert_eq!(o.status(), status, "{value:?}");
}

/// Asserts that the check reports exactly `want` (codes, in order) for the key `value`,
/// and fails exactly when it reports something.
pub fn assert_codes(check: &dyn Check, value: &str, want: &[&str]) {
    let o = run_on_key(check, value);
    assert_eq!(codes(&o), want, "{value:?}");
    assert_fails_when_found(&o, !want.is_empty(), value);
}

/// [`assert_codes`] for each row of a check's table: (key value, expected codes).
pub fn assert_code_table(check: &dyn Check, cases: &[(String, &[&str])]) {
    for (value, want) in cases {
        assert_codes(check, value, want);
    }
}

/// Asserts that the check fails for the key `value` and shows no piece of [`CANARY`].
pub fn assert_fails_without_leak(check: &dyn Check, value: &str) -> Outcome {
    let o = run_on_key(check, value);
    assert_eq!(o.status(), Status::Fail, "{value:?}");
    assert_no_leak(&o, CANARY);
    o
}

/// [`assert_fails_without_leak`] for each of these values.
pub fn assert_each_fails_without_leak(check: &dyn Check, values: &[String]) {
    for v in values {
        assert_fails_without_leak(check, v);
    }
}

/// Runs a check on the key `value` and asserts that no piece of [`CANARY`] shows: the
/// outcome a snapshot test records.
pub fn run_without_leak(check: &dyn Check, value: &str) -> Outcome {
    let o = run_on_key(check, value);
    assert_no_leak(&o, CANARY);
    o
}

/// A temporary directory holding the folder `inner` and, beside it, the file `outside`
/// with `content`: for the tests of links that leave a folder. Returns the directory
/// (removed on drop), the folder and the outside file.
pub fn folder_beside_file(
    inner: &str,
    outside: &str,
    content: impl AsRef<[u8]>,
) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join(inner);
    std::fs::create_dir(&dir).unwrap();
    let file = crate::testing_support::write_file(outer.path(), outside, content);
    (outer, dir, file)
}

/// Makes a FIFO (named pipe) at `path`.
#[cfg(unix)]
pub fn mkfifo(path: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "{path:?}");
}

/// A row of a value check's code table: the key value and the codes it gives, in order.
pub type CodeRow = (String, &'static [&'static str]);

/// The values of the failing rows that wrap [`KEY`], with [`CANARY`] in its place: each
/// defect of the table, tried again on the key whose pieces must not show.
pub fn canary_rows(rows: &[CodeRow]) -> Vec<String> {
    rows.iter()
        .filter(|(value, want)| !want.is_empty() && value.contains(KEY))
        .map(|(value, _)| value.replace(KEY, CANARY))
        .collect()
}

/// The tests every value check shares: `check(value)` for the module's own tests, and
/// `snapshot`, the outcome for the key `snapshot` (with no piece of [`CANARY`]) recorded
/// by insta. With `leaks`, also `canary_never_leaks`: the check fails on each of those
/// values and shows no piece of [`CANARY`].
///
/// With a code table (`name: [(value, ["code", …]), …]`), also the test `name`: each
/// value gives exactly those codes ([`assert_codes`]); and `canary_never_leaks` tries
/// the table's failing rows with [`CANARY`] for [`KEY`] ([`canary_rows`]), then `leaks`.
#[cfg(test)]
macro_rules! value_check_tests {
    ($check:expr, $table:ident: [$(($value:expr, [$($code:literal),* $(,)?] $(,)?)),+ $(,)?],
     $(leaks: [$($leak:expr),+ $(,)?],)? snapshot: $snapshot:expr $(,)?) => {
        $crate::testing_support::value_check_tests!($check, snapshot: $snapshot);

        fn code_rows() -> Vec<$crate::testing_support::CodeRow> {
            vec![$((($value).to_string(), &[$($code),*])),+]
        }

        #[test]
        fn $table() {
            $crate::testing_support::assert_code_table(&$check, &code_rows());
        }

        #[test]
        fn canary_never_leaks() {
            let mut leaks = $crate::testing_support::canary_rows(&code_rows());
            $(leaks.extend([$(($leak).to_string()),+]);)?
            assert!(!leaks.is_empty(), "the table has failing rows with KEY");
            $crate::testing_support::assert_each_fails_without_leak(&$check, &leaks);
        }
    };
    ($check:expr, leaks: [$($leak:expr),+ $(,)?], snapshot: $snapshot:expr $(,)?) => {
        $crate::testing_support::value_check_tests!($check, snapshot: $snapshot);

        #[test]
        fn canary_never_leaks() {
            let leaks = [$(($leak).to_string()),+];
            $crate::testing_support::assert_each_fails_without_leak(&$check, &leaks);
        }
    };
    ($check:expr, snapshot: $snapshot:expr $(,)?) => {
        fn check(s: &str) -> $crate::model::check::Outcome {
            $crate::testing_support::run_on_key(&$check, s)
        }

        #[test]
        fn snapshot() {
            let o = $crate::testing_support::run_without_leak(&$check, &$snapshot);
            insta::assert_yaml_snapshot!(o);
        }
    };
}
#[cfg(test)]
pub(crate) use value_check_tests;
