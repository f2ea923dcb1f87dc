//! The long-running commands: `mock` (a local Sales Layer API) and `demo`.

use crate::cli::MockArgs;
use crate::mock::{self, MockConfig, MockKey, Scope};
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
        let bytes =
            sl_doctor_checks::sources::read_small_file("keys file", path, 1024 * 1024, None)
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

/// Runs `sl-doctor mock` until Ctrl-C (or `--exit-after`), printing each request it sees.
pub async fn run_mock(args: &MockArgs) -> Result<(), MockError> {
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
        ..MockConfig::default()
    })
    .await
    .map_err(MockError::Start)?;

    println!("sl-doctor mock: a Sales-Layer-compatible API (DAM and Catalog, read-only)");
    println!("base URL  {}", mock.base_url);
    if let Some(ca) = &mock.ca_path {
        println!(
            "CA file   {}  (trust it: curl --cacert, reqwest tls_certs_merge, NODE_EXTRA_CA_CERTS)",
            ca.display()
        );
    }
    if let Some(k) = &shown_key {
        // A throwaway key made for this mock only, never a Sales Layer key: shown so it can be used.
        let text = String::from_utf8_lossy(k.expose_bytes()).into_owned();
        println!("test key  {text}  (random, accepted by this mock only, for DAM and Catalog)");
    }
    println!("keys      {}", summary.join(", "));
    println!(
        "try       curl '{}/dam/image?$top=1'{} -H \"X-API-KEY: $KEY\"",
        mock.base_url,
        mock.ca_path
            .as_ref()
            .map(|p| format!(" --cacert '{}'", p.display()))
            .unwrap_or_default()
    );
    println!("rate limit 50 requests per 10 s per key · Ctrl-C stops");
    let mut seen = 0;
    let stop = async {
        match args.exit_after {
            Some(s) => tokio::time::sleep(Duration::from_secs_f64(s)).await,
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                let log = mock.request_log();
                for r in log.iter().skip(seen) {
                    println!(
                        "{} {} {} {} -> {} ({})",
                        r.request_id,
                        r.api.map(|a| a.as_str()).unwrap_or("-"),
                        r.method,
                        r.path,
                        r.status,
                        describe_key(&r.key)
                    );
                }
                seen = log.len();
            }
        }
    }
    mock.shutdown().await;
    Ok(())
}

fn describe_key(k: &mock::KeySeen) -> String {
    match k {
        mock::KeySeen::Missing => "no X-API-KEY".into(),
        mock::KeySeen::Empty => "empty X-API-KEY".into(),
        mock::KeySeen::Multiple => "several X-API-KEY headers".into(),
        mock::KeySeen::Known { scope, fingerprint } => {
            format!("key {fingerprint}, {}", scope.as_str())
        }
        mock::KeySeen::Revoked { fingerprint } => format!("revoked key {fingerprint}"),
        mock::KeySeen::Unknown { fingerprint } => format!("unknown key {fingerprint}"),
    }
}
