//! The mock as a server (`mock`: a local Sales Layer API) and the `demo` run against it.
//! They return values (the demo's report) or hand their lines to the caller (the mock's
//! banner and request log, as they happen); the commands print them.

use crate::args::MockArgs;
use crate::mock::{self, MockConfig, MockKey, Scope};
use sl_doctor_checks::context::{Context, FoundKey, NetOptions, TargetSpec, UrlOrigin};
use sl_doctor_checks::model::report::{Report, SourceKind, SourceRef};
use sl_doctor_checks::model::secret::SecretKey;
use sl_doctor_checks::saleslayer::KEY_HEADER;
use std::time::Duration;

/// A bad `mock` invocation.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// A key flag or file could not be parsed.
    #[error("{0}")]
    Keys(String),
    /// The server could not start.
    #[error("cannot start the mock: {0:#}")]
    Start(anyhow::Error),
    /// The demo's report could not be made safe to show.
    #[error("{0}")]
    Unsafe(#[from] sl_doctor_checks::runner::UnsafeReport),
}

/// Builds the key list from flags and file. `Ok((keys, generated))`.
fn keys(args: &MockArgs) -> Result<(Vec<MockKey>, bool), MockError> {
    let mut keys = Vec::new();
    for (i, k) in args.keys.iter().enumerate() {
        keys.push(
            mock::parse_key_flag(k)
                .map_err(|e| MockError::Keys(format!("--key number {}: {e}", i + 1)))?,
        );
    }
    if let Some(path) = &args.keys_file {
        use sl_doctor_checks::input::files::{Pipes, read_input};
        let bytes = read_input("keys file", path, 1024 * 1024, None, Pipes::Refuse)
            .map_err(|e| MockError::Keys(e.to_string()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| MockError::Keys(format!("keys file {}: not UTF-8", path.display())))?;
        keys.extend(
            mock::parse_keys_file(&text)
                .map_err(|e| MockError::Keys(format!("keys file {}: {e}", path.display())))?,
        );
    }
    if keys.is_empty() {
        return Ok((vec![MockKey::random(Scope::Both)], true));
    }
    Ok((keys, false))
}

/// Runs `sl-doctor mock` until Ctrl-C (or `--exit-after`), handing `say` its banner and
/// then one line per request it sees.
pub async fn run_mock(args: &MockArgs, say: impl Fn(&str)) -> Result<(), MockError> {
    let (keys, generated) = keys(args)?;
    let summary: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                "{} {}",
                if k.revoked {
                    "revoked"
                } else {
                    k.scope.as_str()
                },
                k.key.fingerprint()
            )
        })
        .collect();
    let shown_key = generated.then(|| keys[0].key.clone());
    let mock = mock::start(MockConfig {
        tls: args.https,
        port: args.port,
        keys,
        delay: Duration::from_millis(args.delay_ms),
        ca_out: args.ca_out.clone(),
        rate_limit: if args.no_rate_limit {
            None
        } else {
            MockConfig::default().rate_limit
        },
        ..MockConfig::default()
    })
    .await
    .map_err(MockError::Start)?;
    // The stop listeners (SIGTERM, Ctrl-C, stdin) are installed when the future is first
    // polled: before the banner, which is what a script waits for before it may stop the
    // mock (a SIGTERM before then would kill it without its clean-up).
    let stop = stop_requested(args.exit_after, args.exit_on_stdin_close);
    tokio::pin!(stop);
    tokio::select! {
        biased;
        _ = &mut stop => {
            mock.shutdown().await;
            return Ok(());
        }
        _ = std::future::ready(()) => {}
    }

    banner(&mock, args, shown_key.as_ref(), &summary, &say);
    let mut seen = 0;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                let log = mock.request_log();
                for r in log.iter().skip(seen) {
                    say(&format!(
                        "{} {} {} {} -> {} ({})",
                        r.request_id,
                        r.api.map(|a| a.id()).unwrap_or("-"),
                        r.method,
                        r.path,
                        r.status,
                        describe_key(&r.key)
                    ));
                }
                seen = log.len();
            }
        }
    }
    mock.shutdown().await;
    Ok(())
}

/// What the mock says when it is ready: where it is, its CA, its keys, how to try it.
fn banner(
    mock: &mock::RunningMock,
    args: &MockArgs,
    shown_key: Option<&SecretKey>,
    summary: &[String],
    say: &impl Fn(&str),
) {
    say("sl-doctor mock: a Sales-Layer-compatible API (DAM and Catalog, read-only)");
    say(&format!("base URL  {}", mock.base_url));
    if let Some(ca) = &mock.ca_path {
        say(&format!(
            "CA file   {}  (trust it: curl --cacert, reqwest tls_certs_merge, NODE_EXTRA_CA_CERTS)",
            // The name as given: one line, whatever it holds.
            sl_doctor_checks::model::untrusted::neutralise(&ca.display().to_string(), usize::MAX)
        ));
    }
    if let Some(k) = shown_key {
        // A throwaway key made for this mock only, never a Sales Layer key: shown so it can be used.
        let text = String::from_utf8_lossy(k.expose_bytes()).into_owned();
        say(&format!(
            "test key  {text}  (random, accepted by this mock only, for DAM and Catalog)"
        ));
    }
    say(&format!("keys      {}", summary.join(", ")));
    try_lines(
        &mock.base_url,
        mock.ca_path.as_deref(),
        shown_key.is_some(),
        say,
    );
    say(&format!(
        "rate limit {} · Ctrl-C stops",
        if args.no_rate_limit {
            "off".to_string()
        } else {
            format!(
                "{} per key",
                sl_doctor_checks::saleslayer::RATE_LIMIT.describe()
            )
        }
    ));
}

/// How to try the mock: the key in a variable and on curl's standard input (never on its
/// command line, where the process list shows it), and sl-doctor itself.
fn try_lines(base_url: &str, ca: Option<&std::path::Path>, generated: bool, say: &impl Fn(&str)) {
    let var = sl_doctor_checks::DEFAULT_KEY_ENV;
    let set = if generated {
        format!("export {var}='<the test key above>'")
    } else {
        format!("export {var}='<a key you gave with --key or --keys-file>'")
    };
    use sl_doctor_checks::shell::sh_quote_path;
    let cacert = ca
        .map(|p| format!(" --cacert {}", sh_quote_path(p)))
        .unwrap_or_default();
    // Over plain http sl-doctor sends a key only when told to (loopback or not).
    let ca_cert = match ca {
        Some(p) => format!(" --ca-cert {}", sh_quote_path(p)),
        None => " --allow-http".to_string(),
    };
    let header = KEY_HEADER;
    say(&format!("try       {set}"));
    say(&format!(
        "          printf '{header}: %s\\n' \"${var}\" | curl -sS '{base_url}/dam/image?$top=1'{cacert} -H @-"
    ));
    say(&format!(
        "          sl-doctor --base-url {base_url}{ca_cert}"
    ));
}

/// Resolves when the mock should stop: Ctrl-C, SIGTERM, `--exit-after`, or standard
/// input closing with `--exit-on-stdin-close`. Each ends in the same clean shutdown, which
/// removes the temporary CA directory.
async fn stop_requested(exit_after: Option<f64>, on_stdin_close: bool) {
    let after = async {
        match exit_after {
            Some(s) => tokio::time::sleep(Duration::from_secs_f64(s)).await,
            None => std::future::pending().await,
        }
    };
    let stdin_closed = async {
        if !on_stdin_close {
            return std::future::pending().await;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        // A plain thread: a blocking read must not hold the runtime's shutdown.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = tx.send(());
        });
        let _ = rx.await;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated() => {}
        _ = after => {}
        _ = stdin_closed => {}
    }
}

/// SIGTERM (what `kill` and process supervisors send); never on other systems.
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        s.recv().await;
        return;
    }
    std::future::pending::<()>().await
}

fn describe_key(k: &mock::KeySeen) -> String {
    match k {
        mock::KeySeen::Missing => format!("no {KEY_HEADER}"),
        mock::KeySeen::Empty => format!("empty {KEY_HEADER}"),
        mock::KeySeen::Multiple => format!("several {KEY_HEADER} headers"),
        mock::KeySeen::Known { scope, fingerprint } => {
            format!("key {fingerprint}, {}", scope.as_str())
        }
        mock::KeySeen::Revoked { fingerprint } => format!("revoked key {fingerprint}"),
        mock::KeySeen::Unknown { fingerprint } => format!("unknown key {fingerprint}"),
    }
}

/// What the demo did, for the caller to print.
pub struct Demo {
    /// The mock's base URL.
    pub base_url: String,
    /// The report of the full doctor run.
    pub report: Report,
    /// One line per request the mock received.
    pub requests: Vec<String>,
}

/// Runs `sl-doctor demo`: the mock over HTTPS in-process, and the full doctor against it
/// with the mock's valid key wrapped in double quotes — what an application gets when a
/// `.env` line `SALESLAYER_API_KEY="…"` is passed with `docker run --env-file`, which keeps
/// quotes. The doctor finds the quotes offline, sees the key rejected live, and proves
/// with one extra request per API that the key without its quotes is accepted.
pub async fn run_demo() -> Result<Demo, MockError> {
    let good = MockKey::random(Scope::Both);
    let mut quoted = Vec::with_capacity(good.key.byte_len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(good.key.expose_bytes());
    quoted.push(b'"');
    let mock = mock::start(MockConfig {
        tls: true,
        keys: vec![good],
        ..MockConfig::default()
    })
    .await
    .map_err(MockError::Start)?;

    let mut cx = Context {
        target: TargetSpec {
            base_url: mock.base_url.clone(),
            base_url_origin: UrlOrigin::Flag,
            ..TargetSpec::default()
        },
        net: NetOptions {
            ca_cert: mock.ca_path.clone(),
            // The demo talks to loopback only, whatever proxies the environment names.
            no_proxy: true,
            timeout: Duration::from_secs(5),
            ..NetOptions::default()
        },
        ..Context::default()
    };
    cx.key.env_name = sl_doctor_checks::DEFAULT_KEY_ENV.into();
    cx.key.looked_at.push(format!(
        "environment variable {} (demo)",
        sl_doctor_checks::DEFAULT_KEY_ENV
    ));
    cx.key.candidates.push(FoundKey {
        source: SourceRef {
            kind: SourceKind::Env,
            name: sl_doctor_checks::DEFAULT_KEY_ENV.into(),
        },
        value: SecretKey::from_bytes(quoted),
        path: None,
    });

    let checks = sl_doctor_checks::registry();
    let opts = sl_doctor_checks::runner::RunOptions {
        offline: false,
        deadline: Duration::from_secs(30),
        deadline_secs: 30.0,
        deselected: Default::default(),
        strict: false,
    };
    let report = sl_doctor_checks::runner::run(&checks, &cx, &opts).await?;
    let requests = mock
        .request_log()
        .iter()
        .map(|r| {
            format!(
                "{} {} -> {} ({})",
                r.method,
                r.path,
                r.status,
                describe_key(&r.key)
            )
        })
        .collect();
    let base_url = mock.base_url.clone();
    mock.shutdown().await;
    Ok(Demo {
        base_url,
        report,
        requests,
    })
}
