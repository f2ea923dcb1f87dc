//! `sl-doctor capture -- COMMAND`: the unchanged application behind a loopback proxy.
//!
//! The command runs with its own base URL and its standard streams untouched; its
//! environment gets the proxy and trust settings of `environ` (nothing else, never the
//! key). Requests to the API host are terminated with a leaf of the run's own CA
//! (`certs`) and go through capture's own parser, diagnosis and answer (`serve`);
//! other hosts are tunnelled, never decrypted (`proxy`). When the command exits (or at
//! `--timeout`, or when capture is interrupted) its process group is ended (`child`),
//! the run's temporary directory removed (`rundir`), and the report built: one record
//! per request, the command's exit, the other hosts by name, and the likely reason when
//! nothing reached the API host (`reason`).

mod certs;
mod child;
mod environ;
mod proxy;
mod reason;
pub mod render;
mod rundir;

use super::{CaptureArgs, CaptureError, CaptureRecord, CaptureReport, Listen, Shared, accept};
use crate::capture::codes::{
    COMMAND_TIMEOUT, KEY_IN_COMMAND_ARGS, NO_SYSTEM_BUNDLE, TEMP_DIR_LEFT,
};
use crate::capture::diagnose::Secrets;
use crate::capture::guard::{SHORT, shown};
use proxy::{ApiHost, Proxy, Tunnels};
use serde::Serialize;
use sl_doctor_checks::model::report::Finding;
use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Requests listed in one report; more are counted.
const MAX_RECORDS: usize = 1000;
/// How long records of connections still open when the command ended may take.
const DRAIN: Duration = Duration::from_secs(2);

/// Another host the command reached through the proxy.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OtherHost {
    /// The host name as the client asked for it (never resolved or decrypted here).
    pub host: String,
    /// The port.
    pub port: u16,
    /// Connections to it.
    pub connections: usize,
    /// Connections that could not reach it.
    pub failed: usize,
    /// Some were plain http, relayed as received.
    pub plain_http: bool,
}

/// The command run behind the proxy (`capture -- COMMAND`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InterceptInfo {
    /// The program run. Its arguments are not shown: they may hold secrets.
    pub program: String,
    /// How many arguments it was given.
    pub arguments: usize,
    /// The runtime guessed from the program's name or `#!` line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// The proxy URL the command was given.
    pub proxy: String,
    /// The `host:port` whose requests are diagnosed.
    pub api_host: String,
    /// The environment variables capture set or extended for the command (names only).
    pub environment: Vec<String>,
    /// `exited`, `timeout` (ended by capture at --timeout) or `interrupted` (capture was
    /// interrupted and ended it).
    pub ended: String,
    /// Its exit code, when it exited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The signal that ended it, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// How long it ran.
    pub duration_ms: u64,
    /// Other hosts reached through the proxy, by name: tunnelled, never decrypted.
    pub other_hosts: Vec<OtherHost>,
    /// Connections to further hosts, beyond the 64 listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub other_hosts_more: usize,
    /// Requests to the API host beyond the 1000 listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub requests_more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Aborts the accept loop however `run` returns.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The upstream of `--forward`: `--forward-to`, else the intercepted base URL.
fn upstream(
    args: &CaptureArgs,
    base: &str,
) -> Result<Option<super::forward::Upstream>, CaptureError> {
    if args.forward && args.forward_to.is_none() {
        return super::forward::Upstream::new(base, args.ca_cert.clone(), Duration::from_secs(30))
            .map(Some)
            .map_err(CaptureError::Input);
    }
    super::upstream(args)
}

/// The run's shared pieces, set up before the command starts.
struct Setup {
    proxy: Arc<Proxy>,
    tunnels: Arc<Mutex<Tunnels>>,
    records: tokio::sync::mpsc::Receiver<super::PartialRecord>,
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    secrets: Secrets,
}

async fn setup(
    args: &CaptureArgs,
    env: &[(OsString, OsString)],
    api: &ApiHost,
    base: &str,
) -> Result<(Setup, Option<super::ConfiguredKey>, certs::RunCerts), CaptureError> {
    let (configured, key_info) = match super::configured_key(args, env)? {
        Some((c, i)) => (Some(c), Some(i)),
        None => (None, None),
    };
    let mut secrets = Secrets::default();
    if let Some(c) = &configured {
        secrets.add(&c.key);
    }
    let upstream = upstream(args, base)?;
    let certs = certs::generate(&api.host).map_err(CaptureError::Start)?;
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| CaptureError::Start(format!("cannot listen on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CaptureError::Start(e.to_string()))?;
    let (tx, rx) = tokio::sync::mpsc::channel(accept::MAX_CONNECTIONS);
    let tunnels = Arc::new(Mutex::new(Tunnels::default()));
    let shared = Arc::new(Shared {
        configured,
        upstream,
        base_url: base.trim_end_matches('/').to_string(),
        tls: None,
    });
    let proxy = Arc::new(Proxy {
        shared,
        tls: certs.acceptor.clone(),
        api: api.clone(),
        tunnels: tunnels.clone(),
        records: tx,
    });
    let s = Setup {
        proxy,
        tunnels,
        records: rx,
        listener,
        addr,
        secrets,
    };
    Ok((s, key_info, certs))
}

/// Runs `sl-doctor capture -- COMMAND`. `progress` receives the one line printed before
/// the command starts.
pub async fn run(
    args: &CaptureArgs,
    env: &[(OsString, OsString)],
    progress: &(dyn Fn(&str) + Sync),
) -> Result<CaptureReport, CaptureError> {
    let base = crate::config::base_url(args.base_url.as_deref(), env);
    let api = ApiHost::from_base_url(&base).map_err(CaptureError::Input)?;
    let (s, key_info, certs) = setup(args, env, &api, &base).await?;
    let dir = rundir::RunDir::create(env, &certs.ca_pem).map_err(CaptureError::Start)?;
    drop(certs);
    let proxy_url = format!("http://{}", s.addr);
    let settings = environ::settings(env, &proxy_url, &dir.trust);
    let child_env = environ::child_env(env, &settings);
    let counters = Arc::new(accept::Counters::default());
    let p = s.proxy.clone();
    let accepting = AbortOnDrop(accept::spawn(s.listener, counters, move |stream| {
        proxy::handle(stream, p.clone())
    }));
    let program = program_name(&args.command[0], &s.secrets);
    progress(&announce(
        &program,
        &proxy_url,
        &api,
        s.proxy.shared.upstream.as_ref(),
    ));
    let started = Instant::now();
    let running = match child::spawn(&args.command, &child_env) {
        Ok(r) => r,
        Err(e) => {
            let _ = dir.remove();
            return Err(CaptureError::Input(e));
        }
    };
    let shared = s.proxy.shared.clone();
    drop(s.proxy);
    let (ending, status, captures, requests_more) =
        wait_and_collect(running, s.records, args.timeout, accepting).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    let no_system_bundle = dir.no_system_bundle;
    let left_behind = dir.remove();

    let tunnels = std::mem::take(&mut *s.tunnels.lock().unwrap_or_else(|e| e.into_inner()));
    let exit = Exit::new(ending, status);
    let runtime = reason::detect(&args.command[0], environ::get(env, "PATH"));
    let bypass = ["NO_PROXY", "no_proxy"]
        .iter()
        .filter_map(|v| environ::get(env, v))
        .find_map(|v| reason::bypass_entry(&v.to_string_lossy(), &api.host));
    let facts = reason::Run {
        api: &api,
        program: &program,
        ended: &exit.words(args.timeout),
        runtime,
        tunnels: &tunnels,
        configured: shared.configured.as_ref(),
        bypass,
    };
    let mut findings = run_findings(&facts, &captures, args, &s.secrets, &exit);
    findings.extend(housekeeping(no_system_bundle, left_behind));
    let info = InterceptInfo {
        program,
        arguments: args.command.len() - 1,
        runtime: runtime.map(|r| r.name().to_string()),
        proxy: proxy_url,
        api_host: api.authority(),
        environment: settings.iter().map(|(n, _)| n.to_string()).collect(),
        ended: exit.ending_name().into(),
        exit_code: exit.code,
        signal: exit.signal,
        duration_ms,
        other_hosts: other_hosts(&tunnels, &s.secrets),
        other_hosts_more: tunnels.more,
        requests_more,
    };
    let listen = Listen {
        base_url: base.trim_end_matches('/').to_string(),
        bind: s.addr.to_string(),
        https: true,
        ca_file: None,
    };
    let mode = if shared.upstream.is_some() {
        "forward"
    } else {
        "mock"
    };
    let mut report = CaptureReport::new(listen, mode, key_info, findings, captures);
    report.intercept = Some(info);
    Ok(report)
}

/// The program as the report names it: its file name (its directories say nothing about
/// the requests), withheld when it looks like a key (usage errors treat it so too).
fn program_name(program: &std::ffi::OsStr, secrets: &Secrets) -> String {
    let p = std::path::Path::new(program);
    let name = p.file_name().unwrap_or(program).to_string_lossy();
    if crate::usage::key_like(&name) {
        return "[a value that looks like a key]".into();
    }
    shown(secrets, &name, SHORT)
}

/// The opening line, before the command's own output.
fn announce(
    program: &str,
    proxy_url: &str,
    api: &ApiHost,
    upstream: Option<&super::forward::Upstream>,
) -> String {
    let answered = match upstream {
        Some(u) => format!("relayed to {}", u.base_url),
        None => "answered like the sl-doctor mock (they do not reach the API)".into(),
    };
    format!(
        "sl-doctor capture: running {program} behind the proxy {proxy_url}: requests to {} are diagnosed and {answered}, other hosts tunnelled unchanged; the report follows when it ends.",
        api.host
    )
}

/// Waits for the command to end while collecting the records of its requests; then
/// stops accepting and collects what is still in flight (for at most [`DRAIN`]).
/// Returns how it ended, its status, the records and how many were over the cap.
async fn wait_and_collect(
    running: child::Running,
    mut rx: tokio::sync::mpsc::Receiver<super::PartialRecord>,
    timeout: f64,
    accepting: AbortOnDrop,
) -> (
    child::Ending,
    Option<std::process::ExitStatus>,
    Vec<CaptureRecord>,
    usize,
) {
    let mut captures: Vec<CaptureRecord> = Vec::new();
    let mut more = 0;
    let mut push = |r: super::PartialRecord| {
        if captures.len() < MAX_RECORDS {
            captures.push(r.into_record(captures.len() + 1));
        } else {
            more += 1;
        }
    };
    let finish = running.finish(Duration::from_secs_f64(timeout));
    tokio::pin!(finish);
    let (ending, status) = loop {
        tokio::select! {
            r = &mut finish => break r,
            Some(r) = rx.recv() => push(r),
        }
    };
    drop(accepting);
    let drain = tokio::time::sleep(DRAIN);
    tokio::pin!(drain);
    loop {
        tokio::select! {
            _ = &mut drain => break,
            r = rx.recv() => match r {
                Some(r) => push(r),
                None => break,
            },
        }
    }
    (ending, status, captures, more)
}

/// How the command ended.
struct Exit {
    ending: child::Ending,
    code: Option<i32>,
    signal: Option<i32>,
}

impl Exit {
    fn new(ending: child::Ending, status: Option<std::process::ExitStatus>) -> Exit {
        #[cfg(unix)]
        let signal = status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s));
        #[cfg(not(unix))]
        let signal = None;
        Exit {
            ending,
            code: status.and_then(|s| s.code()),
            signal,
        }
    }

    fn ending_name(&self) -> &'static str {
        match self.ending {
            child::Ending::Exited => "exited",
            child::Ending::Timeout => "timeout",
            child::Ending::Interrupted => "interrupted",
        }
    }

    /// "exited with status 1", "ended by signal 9", "ended by capture at --timeout (5 s)".
    fn words(&self, timeout: f64) -> String {
        let how = match (self.code, self.signal) {
            (Some(c), _) => format!("exited with status {c}"),
            (None, Some(s)) => format!("ended by signal {s}"),
            (None, None) => "ended".to_string(),
        };
        match self.ending {
            child::Ending::Exited => how,
            child::Ending::Timeout => {
                format!("still running at --timeout ({timeout} s): ended by capture")
            }
            child::Ending::Interrupted => "ended by capture, which was interrupted".to_string(),
        }
    }
}

/// The run's own findings: why nothing reached the API host, other Sales Layer hosts,
/// the timeout, the key on the command line.
fn run_findings(
    facts: &reason::Run,
    captures: &[CaptureRecord],
    args: &CaptureArgs,
    secrets: &Secrets,
    exit: &Exit,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let reached = !captures.is_empty();
    match reason::other_sales_layer_host(facts, reached) {
        Some(f) => out.push(f),
        None if !reached => out.push(reason::no_api_request(facts)),
        None => {}
    }
    if exit.ending == child::Ending::Timeout {
        out.push(
            Finding::new(
                COMMAND_TIMEOUT,
                format!("`{}` was {}", facts.program, exit.words(args.timeout)),
            )
            .with_fix("Give it more time with --timeout SECS, or run a command that makes its API calls and exits."),
        );
    }
    if args.command[1..]
        .iter()
        .any(|a| secrets.leaks(&a.to_string_lossy()))
    {
        out.push(
            Finding::new(
                KEY_IN_COMMAND_ARGS,
                "The key is in the command's arguments: while it runs, any user of this machine can read it in the process list, and it stays in the shell history",
            )
            .with_fix("Let the application read the key from the environment or a file, not from its command line."),
        );
    }
    crate::capture::guard::neutralise_findings(&mut out, secrets);
    out
}

/// Findings about the run's own files.
fn housekeeping(no_system_bundle: bool, left_behind: Option<std::path::PathBuf>) -> Vec<Finding> {
    let mut out = Vec::new();
    if no_system_bundle {
        out.push(
            Finding::new(
                NO_SYSTEM_BUNDLE,
                "No system CA bundle was found to extend: clients that read SSL_CERT_FILE or REQUESTS_CA_BUNDLE trusted only the run's CA, so their connections to other hosts failed",
            )
            .with_fix("Set SSL_CERT_FILE to the system's CA bundle (PEM) before running capture."),
        );
    }
    if let Some(p) = left_behind {
        out.push(
            Finding::new(
                TEMP_DIR_LEFT,
                format!(
                    "The run's temporary directory {} could not be removed",
                    p.display()
                ),
            )
            .with_fix(
                "Remove it by hand: it holds only the run's public CA certificate and settings.",
            ),
        );
    }
    out
}

/// The other hosts, as shown.
fn other_hosts(t: &Tunnels, secrets: &Secrets) -> Vec<OtherHost> {
    t.hosts
        .iter()
        .map(|((host, port), c)| OtherHost {
            host: shown(secrets, host, sl_doctor_checks::model::untrusted::CAP),
            port: *port,
            connections: c.connections,
            failed: c.failed,
            plain_http: c.plain_http,
        })
        .collect()
}
