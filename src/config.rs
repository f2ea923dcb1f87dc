//! Builds the checks' `Context` from the command line and the process environment.
//!
//! This is the only place that reads the environment, standard input or the current
//! directory for the `check` command, so checks stay pure and testable.

use crate::args::{ApiChoice, CheckArgs, KeyArgs};
use sl_doctor_checks::context::KeyState;
use sl_doctor_checks::context::{Api, Context, NetOptions, TargetSpec, UrlOrigin};
use sl_doctor_checks::input::files::{self, Deadline, Pipes};
use sl_doctor_checks::input::sources::{self, InputError, KeySpec, MAX_KEY_FILE};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// How long the commands without `--deadline` (`scan`, `capture`) wait for a pipe named
/// by `--key-file` or for `--key-stdin`: the default `--deadline` of `check`.
pub const INPUT_DEADLINE_SECS: f64 = 30.0;

/// Collects the key sources named by the key flags (shared by every command that takes
/// them); a pipe is waited for at most [`INPUT_DEADLINE_SECS`].
pub fn collect_keys(args: &KeyArgs, env: &[(OsString, OsString)]) -> Result<KeyState, InputError> {
    collect_keys_until(args, env, KeyRead::start(args, INPUT_DEADLINE_SECS)?)
}

/// How the key flags are read: what a person typed at the hidden prompt, and until when
/// a pipe (`--key-file`, `--dotenv`, `--key-stdin`) is waited for.
pub struct KeyRead {
    /// The key typed at the prompt, when `--key-stdin` is a terminal.
    pub typed: Option<Vec<u8>>,
    /// The deadline: it also bounds the other files the run reads.
    pub deadline: Deadline,
}

impl KeyRead {
    /// Asks for the key first when a person types it, then starts a deadline of `secs`:
    /// the typing does not count against it.
    pub fn start(args: &KeyArgs, secs: f64) -> Result<KeyRead, InputError> {
        let typed = prompt_key(args)?;
        Ok(KeyRead {
            typed,
            deadline: Deadline::from_now(secs),
        })
    }
}

/// `--key-stdin` when standard input is a terminal: a hidden prompt (nothing echoed, the
/// Enter not part of the key), asked before the run's deadline starts since a person is
/// typing. `None` when the key is not to be read from a terminal: a pipe is read as is,
/// byte for byte, by [`collect_keys_until`].
fn prompt_key(args: &KeyArgs) -> Result<Option<Vec<u8>>, InputError> {
    use std::io::IsTerminal;
    if !args.key_stdin || !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password("Sales Layer API key (typing is not shown; Enter to finish): ")
        .map(|typed| Some(typed.into_bytes()))
        .map_err(|e| InputError::Unreadable {
            what: "standard input",
            path: "(--key-stdin)".into(),
            reason: e.to_string(),
        })
}

/// Collects the key sources; a pipe named by `--key-file`/`--dotenv` and standard input
/// are read until the deadline of `read`.
pub fn collect_keys_until(
    args: &KeyArgs,
    env: &[(OsString, OsString)],
    read: KeyRead,
) -> Result<KeyState, InputError> {
    let KeyRead { typed, deadline } = read;
    let home = env
        .iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| PathBuf::from(v));
    let dotenv = if args.no_dotenv {
        None
    } else {
        Some(args.dotenv.clone().unwrap_or_else(|| PathBuf::from(".env")))
    };
    let spec = KeySpec {
        key_env: args.key_env.clone(),
        key_file: args.key_file.clone(),
        key_stdin: match (args.key_stdin, typed) {
            (true, Some(typed)) => Some(typed),
            (true, None) => Some(files::read_stdin(MAX_KEY_FILE, deadline)?),
            (false, _) => None,
        },
        dotenv,
        dotenv_explicit: args.dotenv.is_some(),
        key_flag: args.key.clone(),
        loader: args.loader,
        from: args.from.clone(),
        default_compose: !args.no_dotenv,
        home,
        deadline: Some(deadline),
    };
    sources::collect(spec, env)
}

/// Builds the context. `env` is a snapshot of the process environment; the files are
/// read before the deadline of `read` (the run's, so reading them counts against
/// `--deadline`).
pub fn build_context(
    args: &CheckArgs,
    env: &[(OsString, OsString)],
    read: KeyRead,
) -> Result<Context, InputError> {
    let deadline = read.deadline;
    let key = collect_keys_until(&args.keys, env, read)?;
    if let Some(ca) = &args.ca_cert {
        // Existence and size only; whether it holds a certificate is the TLS check's finding.
        let pem = files::read_input(
            "CA certificate file",
            ca,
            4 * 1024 * 1024,
            None,
            Pipes::Within(deadline),
        )?;
        // Read once per process: the TLS check and the probes reuse these bytes.
        sl_doctor_checks::net::tls::remember_ca_file(ca, pem);
    }

    let env_base = env
        .iter()
        .find(|(k, _)| k == sl_doctor_checks::BASE_URL_ENV)
        .map(|(_, v)| v.to_string_lossy().into_owned());
    let (base_url, base_url_origin) = match (&args.base_url, env_base) {
        (Some(u), _) => (u.clone(), UrlOrigin::Flag),
        (None, Some(u)) => (u, UrlOrigin::Env),
        (None, None) => (
            sl_doctor_checks::DEFAULT_BASE_URL.to_string(),
            UrlOrigin::Default,
        ),
    };
    let apis = match args.api {
        ApiChoice::Dam => vec![Api::Dam],
        ApiChoice::Catalog => vec![Api::Catalog],
        ApiChoice::All => Api::ALL.to_vec(),
    };
    let proxy_env = env
        .iter()
        .filter_map(|(k, v)| {
            let k = k.to_str()?;
            let lower = k.to_ascii_lowercase();
            matches!(
                lower.as_str(),
                "https_proxy" | "http_proxy" | "all_proxy" | "no_proxy"
            )
            .then(|| (k.to_string(), v.to_string_lossy().into_owned()))
        })
        .collect();
    Ok(Context {
        key,
        target: TargetSpec {
            base_url,
            base_url_origin,
            url: args.url.clone(),
            apis,
        },
        net: NetOptions {
            offline: args.offline,
            timeout: Duration::from_secs_f64(args.timeout),
            ca_cert: args.ca_cert.clone(),
            insecure: args.insecure,
            proxy: args.proxy.clone(),
            no_proxy: args.no_proxy,
            resolve: args.resolve.clone(),
            allow_http: args.allow_http,
            differential: !args.no_differential,
            proxy_env,
            fresh_connections: args.fresh_connections,
        },
        conn: Default::default(),
        earlier: Default::default(),
        memo: Default::default(),
    })
}

/// What the GitHub Actions runner tells a step through its environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubEnv {
    /// `GITHUB_ACTIONS=true`: print annotations and write the step summary.
    pub actions: bool,
    /// `$GITHUB_STEP_SUMMARY`: the file the Markdown summary is appended to.
    pub step_summary: Option<PathBuf>,
}

fn env_value<'a>(env: &'a [(OsString, OsString)], name: &str) -> Option<&'a OsString> {
    env.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Reads `GITHUB_ACTIONS` and `GITHUB_STEP_SUMMARY`.
pub fn github_env(env: &[(OsString, OsString)]) -> GithubEnv {
    let actions = env_value(env, "GITHUB_ACTIONS").is_some_and(|v| v == "true");
    GithubEnv {
        actions,
        step_summary: env_value(env, "GITHUB_STEP_SUMMARY")
            .filter(|v| actions && !v.is_empty())
            .map(PathBuf::from),
    }
}

/// Whether this runs in CI (`CI` set to anything but empty, `0` or `false`): never prompt.
pub fn is_ci(env: &[(OsString, OsString)]) -> bool {
    env_value(env, "CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The home directory (`HOME`, or `USERPROFILE` on Windows), to show as `~`.
pub fn home_dir(env: &[(OsString, OsString)]) -> Option<PathBuf> {
    env_value(env, "HOME")
        .or_else(|| env_value(env, "USERPROFILE"))
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The base URL: `--base-url`, else `SALESLAYER_BASE_URL`, else the documented default.
pub fn base_url(flag: Option<&str>, env: &[(OsString, OsString)]) -> String {
    flag.map(str::to_string)
        .or_else(|| {
            env_value(env, sl_doctor_checks::BASE_URL_ENV).map(|v| v.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| sl_doctor_checks::DEFAULT_BASE_URL.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::testing_support::env_of as env;

    #[test]
    fn github_and_ci_detection() {
        let e = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", "/tmp/s.md"),
        ]);
        assert_eq!(
            github_env(&e),
            GithubEnv {
                actions: true,
                step_summary: Some("/tmp/s.md".into())
            }
        );
        let e = env(&[
            ("GITHUB_ACTIONS", "false"),
            ("GITHUB_STEP_SUMMARY", "/tmp/s.md"),
        ]);
        assert_eq!(github_env(&e), GithubEnv::default());
        assert!(is_ci(&env(&[("CI", "true")])));
        assert!(is_ci(&env(&[("CI", "1")])));
        assert!(!is_ci(&env(&[("CI", "false")])));
        assert!(!is_ci(&env(&[])));
    }
}
