//! `sl-doctor capture`: a loopback endpoint that diagnoses the request the user's own
//! application really sends (see docs/capture.md).
//!
//! It reads every request from raw bytes (`parse`), diagnoses it with the doctor's own
//! value and URL analysis (`diagnose`), answers it like the mock (`answer`) or relays it
//! to the real API (`forward`), prints one block per request as it arrives and builds
//! one report with a section per captured request. The key is never printed or stored:
//! values are described by length, positions, code points and fingerprints, paths are
//! redacted, bodies are not kept.

mod accept;
mod answer;
pub mod codes;
mod diagnose;
mod forward;
mod guard;
pub mod intercept;
mod parse;
mod refused;
pub mod render;
mod report;

pub use crate::args::CaptureArgs;
pub use report::{AnswerInfo, CaptureError, CaptureRecord, CaptureReport, ConfiguredKey, Listen};

use codes::*;
use diagnose::{Configured, KeyHeaderInfo, Secrets};
use guard::{MAX_NAMES, SHORT, names_left_out, neutralise_findings, shown};
use parse::Received;
use sl_doctor_checks::model::report::{Finding, Severity, Status};
use sl_doctor_checks::model::untrusted;
use sl_doctor_checks::saleslayer::{Api, refusals_in_words};
use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

fn status_of(findings: &[Finding]) -> Status {
    match findings.iter().map(|f| f.severity).max() {
        Some(Severity::Fail) => Status::Fail,
        Some(Severity::Warn) => Status::Warn,
        _ => Status::Pass,
    }
}

struct Shared {
    configured: Option<Configured>,
    upstream: Option<forward::Upstream>,
    base_url: String,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

/// Reads the configured key like `check` does. `None` when no source holds one.
fn configured_key(
    args: &CaptureArgs,
    env: &[(OsString, OsString)],
) -> Result<Option<(Configured, ConfiguredKey)>, CaptureError> {
    let state = crate::config::collect_keys(&args.keys, env)
        .map_err(|e| CaptureError::Input(e.to_string()))?;
    Ok(state.chosen().map(|c| {
        (
            Configured {
                name: c.source.name.clone(),
                key: c.value.clone(),
            },
            ConfiguredKey {
                source: c.source.clone(),
                length: c.value.char_len(),
                fingerprint: c.value.fingerprint(),
            },
        )
    }))
}

fn server_tls(certs: &crate::mock::tls::MockCerts) -> Result<tokio_rustls::TlsAcceptor, String> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(certs.leaf_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
    let key =
        PrivateKeyDer::from_pem_slice(certs.leaf_key_pem.as_bytes()).map_err(|e| e.to_string())?;
    http1_acceptor(chain, key)
}

/// A TLS acceptor serving `chain` with `key`, HTTP/1.1 only: capture reads one request
/// per connection from raw bytes.
fn http1_acceptor(
    chain: Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>,
    key: tokio_rustls::rustls::pki_types::PrivateKeyDer<'static>,
) -> Result<tokio_rustls::TlsAcceptor, String> {
    let mut cfg = tokio_rustls::rustls::ServerConfig::builder_with_provider(
        sl_doctor_checks::net::tls::provider(),
    )
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| e.to_string())?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

fn base_url_for(addr: SocketAddr, https: bool) -> String {
    let ip = addr.ip();
    let host = if https && ip.is_loopback() {
        "localhost".to_string()
    } else {
        match ip {
            IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".into(),
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".into(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        }
    };
    format!(
        "{}://{host}:{}",
        if https { "https" } else { "http" },
        addr.port()
    )
}

/// Runs `sl-doctor capture`. `progress` receives each line meant for the person
/// watching (base URL, one block per request); the caller decides the stream.
pub async fn run(
    args: &CaptureArgs,
    env: &[(OsString, OsString)],
    progress: &(dyn Fn(&str) + Sync),
    human: &crate::term::Term,
) -> Result<CaptureReport, CaptureError> {
    let (configured, key_info) = match configured_key(args, env)? {
        Some((c, i)) => (Some(c), Some(i)),
        None => (None, None),
    };
    let upstream = upstream(args)?;
    let bind = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let listener = tokio::net::TcpListener::bind((bind, args.port))
        .await
        .map_err(|e| {
            CaptureError::Start(format!(
                "cannot listen on {}: {e}",
                SocketAddr::new(bind, args.port)
            ))
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| CaptureError::Start(e.to_string()))?;
    let base_url = base_url_for(addr, args.https);
    let mut run_findings: Vec<Finding> = bind_finding(bind, args.https).into_iter().collect();
    let (tls, ca_file, _ca_dir) = if args.https {
        let (tls, path, dir) = https_setup(args, bind)?;
        (Some(tls), Some(path), dir)
    } else {
        (None, None, None)
    };
    let listen = Listen {
        base_url: base_url.clone(),
        bind: addr.to_string(),
        https: args.https,
        ca_file: ca_file.as_ref().map(|p| p.display().to_string()),
    };
    announce(
        progress,
        args,
        &listen,
        key_info.as_ref(),
        upstream.as_ref(),
    );
    let shared = Arc::new(Shared {
        configured,
        upstream,
        base_url: base_url.clone(),
        tls,
    });
    let (captures, stopped_early, over_cap) =
        collect(listener, &shared, args, progress, human).await;
    run_findings.extend(over_cap);
    run_findings.extend(ending_finding(
        captures.len(),
        args,
        &base_url,
        stopped_early,
        shared.configured.as_ref(),
    ));
    let mode = if shared.upstream.is_some() {
        "forward"
    } else {
        "mock"
    };
    Ok(CaptureReport::new(
        listen,
        mode,
        key_info,
        run_findings,
        captures,
    ))
}

/// The upstream of `--forward` / `--forward-to`, if any.
fn upstream(args: &CaptureArgs) -> Result<Option<forward::Upstream>, CaptureError> {
    if !(args.forward || args.forward_to.is_some()) {
        if args.ca_cert.is_some() {
            return Err(CaptureError::Input(
                "--ca-cert is only used with --forward".into(),
            ));
        }
        return Ok(None);
    }
    let base = args
        .forward_to
        .clone()
        .unwrap_or_else(|| sl_doctor_checks::DEFAULT_BASE_URL.to_string());
    forward::Upstream::new(&base, args.ca_cert.clone(), Duration::from_secs(30))
        .map(Some)
        .map_err(CaptureError::Input)
}

/// A warning when capture listens beyond loopback.
fn bind_finding(bind: IpAddr, https: bool) -> Option<Finding> {
    if bind.is_loopback() {
        return None;
    }
    Some(
        Finding::new(
            NON_LOOPBACK_BIND,
            format!(
                "Capture listens on {bind}, not on loopback: other machines can send requests to it{}",
                if https { "" } else { ", and keys sent to it cross the network in clear (plain http)" }
            ),
        )
        .with_fix("Listen on 127.0.0.1 (the default) unless the application runs on another machine or in a container; then prefer --https and a firewall, and stop capture as soon as you are done."),
    )
}

/// With `--https`: a fresh CA and server certificate, the CA written where the
/// application can trust it (`--ca-out` or a temporary directory kept while running).
fn https_setup(
    args: &CaptureArgs,
    bind: IpAddr,
) -> Result<
    (
        tokio_rustls::TlsAcceptor,
        std::path::PathBuf,
        Option<tempfile::TempDir>,
    ),
    CaptureError,
> {
    let certs =
        crate::mock::tls::generate(Some(bind)).map_err(|e| CaptureError::Start(e.to_string()))?;
    let (path, dir) = match &args.ca_out {
        Some(p) => (p.clone(), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("sl-doctor-capture-")
                .tempdir()
                .map_err(|e| CaptureError::Start(e.to_string()))?;
            (dir.path().join("capture-ca.pem"), Some(dir))
        }
    };
    crate::files::write_private(&path, certs.ca_pem.as_bytes(), crate::files::Links::Refuse)
        .map_err(|e| {
            CaptureError::Input(format!(
                "cannot write the CA certificate to {}: {e}",
                path.display()
            ))
        })?;
    Ok((server_tls(&certs).map_err(CaptureError::Start)?, path, dir))
}

/// The opening lines: where to point the application, which key is compared, who answers.
fn announce(
    progress: &(dyn Fn(&str) + Sync),
    args: &CaptureArgs,
    listen: &Listen,
    key_info: Option<&ConfiguredKey>,
    upstream: Option<&forward::Upstream>,
) {
    progress(&format!("sl-doctor capture: listening on {}", listen.bind));
    progress(&format!("base URL  {}", listen.base_url));
    if let Some(p) = &listen.ca_file {
        progress(&format!(
            "CA file   {p}  (trust it: curl --cacert, NODE_EXTRA_CA_CERTS, Python verify=, REQUESTS_CA_BUNDLE)"
        ));
    }
    match (key_info, upstream) {
        (Some(k), _) => progress(&format!(
            "key       comparing with {} ({} characters, {})",
            k.source.name, k.length, k.fingerprint
        )),
        (None, None) => progress(
            "key       none configured: every key is answered as invalid (set SALESLAYER_API_KEY or --key-file to compare and get 200s)",
        ),
        (None, Some(_)) => {}
    }
    match upstream {
        Some(u) => progress(&format!(
            "answers   relayed unchanged to {} (--forward)",
            u.base_url
        )),
        None => progress("answers   like the sl-doctor mock (no request leaves this machine)"),
    }
    progress(&format!(
        "waiting   for {}, at most {} s · Ctrl-C stops",
        crate::render::human::count(args.count as usize, "request", "requests"),
        args.timeout
    ));
}

/// Accepts connections until `--count` requests arrived, the timeout or Ctrl-C; prints
/// a block per request. Returns the records, whether Ctrl-C stopped it, and a finding
/// when connections over the cap were closed.
async fn collect(
    listener: tokio::net::TcpListener,
    shared: &Arc<Shared>,
    args: &CaptureArgs,
    progress: &(dyn Fn(&str) + Sync),
    human: &crate::term::Term,
) -> (Vec<CaptureRecord>, bool, Option<Finding>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<PartialRecord>(accept::MAX_CONNECTIONS);
    let counters = Arc::new(accept::Counters::default());
    let accept_shared = shared.clone();
    let acceptor = accept::spawn(listener, counters.clone(), move |stream| {
        let s = accept_shared.clone();
        let tx = tx.clone();
        async move {
            if let Some(r) = handle(stream, &s).await {
                let _ = tx.send(r).await;
            }
        }
    });
    let mut captures = Vec::new();
    let deadline = tokio::time::sleep(Duration::from_secs_f64(args.timeout));
    tokio::pin!(deadline);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut stopped_early = false;
    while captures.len() < args.count as usize {
        tokio::select! {
            _ = &mut deadline => break,
            _ = &mut ctrl_c => { stopped_early = true; break }
            r = rx.recv() => {
                let Some(r) = r else { break };
                let rec = r.into_record(captures.len() + 1);
                progress(&render::capture_block(&rec, human));
                captures.push(rec);
            }
        }
    }
    acceptor.abort();
    (captures, stopped_early, over_cap_finding(&counters))
}

/// A warning when connections were closed over the cap (the rest of a burst).
fn over_cap_finding(counters: &accept::Counters) -> Option<Finding> {
    let closed = counters.over_cap.load(std::sync::atomic::Ordering::Relaxed);
    (closed > 0).then(|| {
        Finding::new(
            CONNECTIONS_OVER_CAP,
            format!(
                "{} closed unanswered: capture serves at most {} connections at once",
                crate::render::human::count(closed, "connection was", "connections were"),
                accept::MAX_CONNECTIONS
            ),
        )
        .with_fix("Send fewer requests at once while capturing (capture is for looking at a few requests, not for load).")
    })
}

/// What the number of captured requests says: none arrived, or fewer than expected.
fn ending_finding(
    captured: usize,
    args: &CaptureArgs,
    base_url: &str,
    stopped_early: bool,
    configured: Option<&Configured>,
) -> Option<Finding> {
    if captured == 0 {
        let nothing = format!("No request arrived at {base_url} within {} s", args.timeout);
        if let Some(f) = configured.and_then(|c| refused::line_break_refusal(c, &nothing)) {
            return Some(f);
        }
        return Some(
            Finding::new(
                NO_REQUEST,
                format!(
                    "No request arrived at {base_url} within {} s: the application does not use this base URL (or could not connect)",
                    args.timeout
                ),
            )
            .with_fix("Set the printed base URL where the application configures the Sales Layer API URL (replacing https://api2.saleslayer.com, keeping the /dam/... or /catalog/... paths), check that no proxy setting intercepts it (NO_PROXY=127.0.0.1,localhost), and that the application runs on this machine (a container needs --bind and the host's address)."),
        );
    }
    (captured < args.count as usize).then(|| {
        Finding::new(
            FEWER_REQUESTS,
            format!(
                "{captured} of the {} arrived before {}",
                crate::render::human::count(
                    args.count as usize,
                    "expected request",
                    "expected requests"
                ),
                if stopped_early {
                    "Ctrl-C"
                } else {
                    "the timeout"
                }
            ),
        )
    })
}

/// A record before its index is known.
struct PartialRecord(Box<dyn FnOnce(usize) -> CaptureRecord + Send>);

impl PartialRecord {
    fn into_record(self, index: usize) -> CaptureRecord {
        (self.0)(index)
    }
}

/// How long a connection may stay silent before its first byte.
const FIRST_BYTE: Duration = Duration::from_secs(15);

async fn handle(stream: TcpStream, shared: &Shared) -> Option<PartialRecord> {
    let start = Instant::now();
    let Some(acceptor) = &shared.tls else {
        return serve(stream, shared, "http", Vec::new(), start).await;
    };
    let mut first = [0u8; 1];
    match tokio::time::timeout(FIRST_BYTE, stream.peek(&mut first)).await {
        Ok(Ok(1)) => {}
        _ => return None,
    }
    if first[0] != 0x16 {
        // Plain http to the https port: diagnose it anyway.
        let extra = vec![Finding::new(
            PLAIN_HTTP_TO_HTTPS,
            "The application sent plain http:// to the https capture: it will do the same to the API, which only serves https",
        )
        .with_fix("Use the https:// base URL printed at start (https://api2.saleslayer.com for the real API).")];
        return serve(stream, shared, "http", extra, start).await;
    }
    match tokio::time::timeout(parse::HEAD_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => serve(tls, shared, "https", Vec::new(), start).await,
        Ok(Err(e)) => {
            let msg = e.to_string();
            let f = Finding::new(
                TLS_HANDSHAKE_FAILED,
                format!("The TLS handshake failed: {msg}. The application does not trust the capture certificate (or speaks an unexpected TLS variant)"),
            )
            .with_fix("Make the application trust the printed CA file for this test (curl --cacert FILE, NODE_EXTRA_CA_CERTS=FILE, Python verify=FILE / REQUESTS_CA_BUNDLE=FILE, Java keytool import), or run capture without --https and use the http:// base URL.");
            Some(bare_record("https", vec![f], start, "none", None))
        }
        Err(_) => None,
    }
}

fn bare_record(
    transport: &'static str,
    findings: Vec<Finding>,
    start: Instant,
    by: &'static str,
    status: Option<u16>,
) -> PartialRecord {
    let duration_ms = start.elapsed().as_millis() as u64;
    let mut findings = findings;
    neutralise_findings(&mut findings, &Secrets::default());
    PartialRecord(Box::new(move |index| CaptureRecord {
        index,
        transport: transport.into(),
        method: String::new(),
        path: String::new(),
        http_version: String::new(),
        api: None,
        header_names: Vec::new(),
        key_header: KeyHeaderInfo {
            count: 0,
            length: None,
            fingerprint: None,
            cleaned_fingerprint: None,
            matches_configured: None,
        },
        body_bytes: 0,
        status: status_of(&findings),
        findings,
        answer: AnswerInfo {
            by: by.into(),
            status,
            upstream: None,
            connect_ms: None,
            ttfb_ms: None,
            total_ms: None,
            error: None,
        },
        duration_ms,
    }))
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    shared: &Shared,
    transport: &'static str,
    mut findings: Vec<Finding>,
    start: Instant,
) -> Option<PartialRecord> {
    let received = parse::read_request(&mut stream, FIRST_BYTE, b"", async |s: &mut S| {
        let _ = s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
        let _ = s.flush().await;
    })
    .await;
    let req = match received {
        Received::Nothing => return None,
        Received::TlsHandshake => {
            findings.push(
                Finding::new(
                    TLS_TO_PLAIN_HTTP,
                    "The application started a TLS handshake (https://) on the plain-http capture",
                )
                .with_fix("Use the http:// base URL printed at start, or run `sl-doctor capture --https` and trust its CA file."),
            );
            let _ = stream.shutdown().await;
            return Some(bare_record(transport, findings, start, "none", None));
        }
        Received::Request(r) => r,
    };
    let mut secrets = Secrets::default();
    if let Some(c) = &shared.configured {
        secrets.add(&c.key);
    }
    let d = diagnose::diagnose(&req, shared.configured.as_ref(), &mut secrets).await;
    findings.extend(d.findings);

    let api = d.api.and_then(Api::from_id);
    let (bytes, mut info) = answer_request(shared, &req, api, &secrets, &mut findings).await;
    let _ = stream.write_all(&bytes).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;

    let method = shown(&secrets, &req.method, SHORT);
    let header_names: Vec<String> = req
        .headers
        .iter()
        .take(MAX_NAMES)
        .map(|h| shown(&secrets, &String::from_utf8_lossy(&h.name), SHORT))
        .chain(names_left_out(req.headers.len()))
        .collect();
    let version = shown(&secrets, &req.version, SHORT);
    let duration_ms = start.elapsed().as_millis() as u64;
    let body_bytes = req.body_len;
    let path = shown(&secrets, &d.path, untrusted::CAP);
    neutralise_findings(&mut findings, &secrets);
    info.error = info.error.map(|e| shown(&secrets, &e, untrusted::CAP));
    let api = d.api.map(str::to_string);
    let key_header = d.key_header;
    Some(PartialRecord(Box::new(move |index| CaptureRecord {
        index,
        transport: transport.into(),
        method,
        path,
        http_version: version,
        api,
        header_names,
        key_header,
        body_bytes,
        status: status_of(&findings),
        findings,
        answer: info,
        duration_ms,
    })))
}

/// The answer to a request: relayed upstream with `--forward` (a 502 when that fails),
/// a 400 from capture for a request a strict server refuses, else the mock's answer.
async fn answer_request(
    shared: &Shared,
    req: &parse::RawRequest,
    api: Option<Api>,
    secrets: &Secrets,
    findings: &mut Vec<Finding>,
) -> (Vec<u8>, AnswerInfo) {
    let mut info = AnswerInfo {
        by: "mock".into(),
        status: None,
        upstream: None,
        connect_ms: None,
        ttfb_ms: None,
        total_ms: None,
        error: None,
    };
    let bytes = match &shared.upstream {
        Some(up) if !req.incomplete && !req.too_large && !req.bad_request_line => {
            let r = up.relay(req).await;
            info.by = "forward".into();
            info.upstream = Some(up.base_url.clone());
            info.connect_ms = Some(r.connect_ms);
            info.ttfb_ms = r.ttfb_ms;
            info.total_ms = Some(r.total_ms);
            info.status = r.status;
            info.error = r.error.clone().map(|e| secrets.guarded(&e));
            findings.push(forward_finding(&r, &up.base_url, api));
            if r.bytes.is_empty() {
                let a = answer::bad_gateway(&format!(
                    "sl-doctor capture could not relay the request to {}: {}",
                    up.base_url,
                    info.error.as_deref().unwrap_or("no response")
                ));
                info.status = Some(a.status);
                a.bytes
            } else {
                r.bytes
            }
        }
        Some(_) => {
            info.by = "capture".into();
            let a =
                answer::refusal(req).unwrap_or_else(|| answer::bad_request("malformed request"));
            info.status = Some(a.status);
            a.bytes
        }
        None => {
            let configured = shared.configured.as_ref().map(|c| &c.key);
            let a = answer::like_the_mock(req, configured, &shared.base_url).await;
            if answer::strict_refusal(req).is_some() {
                info.by = "capture".into();
            }
            info.status = Some(a.status);
            a.bytes
        }
    };
    (bytes, info)
}

/// Whether `status` refuses the key: one of the API's documented refusals, or of either
/// API's when the path names neither.
fn refuses_the_key(api: Option<Api>, status: u16) -> bool {
    match api {
        Some(a) => a.refusals().contains(status),
        None => Api::ALL.iter().any(|a| a.refusals().contains(status)),
    }
}

fn forward_finding(r: &forward::Relayed, base: &str, api: Option<Api>) -> Finding {
    match r.status {
        Some(s @ 200..=299) => Finding::new(
            FORWARD_ACCEPTED,
            format!("{base} answered {s}: the API accepted the request as the application sent it"),
        ),
        Some(s) if refuses_the_key(api, s) => Finding::new(
            FORWARD_REJECTED,
            format!(
                "{base} answered {s}: the API rejected the request as the application sent it ({})",
                refusals_in_words()
            ),
        )
        .with_fix("Fix the findings above; if none explains it, the key is not valid for this account or API: run `sl-doctor` on the key and ask Sales Layer support."),
        Some(s @ (429 | 500..=599)) => Finding::new(
            FORWARD_INCONCLUSIVE,
            format!("{base} answered {s}: throttled or a server error, so this says nothing about the key"),
        )
        .with_fix(format!(
            "Wait and try again (the documented limit is {}).",
            sl_doctor_checks::saleslayer::RATE_LIMIT.describe()
        )),
        Some(s) => Finding::new(
            FORWARD_STATUS,
            format!("{base} answered {s}"),
        ),
        None => Finding::new(
            FORWARD_FAILED,
            format!(
                "The request could not be relayed to {base}: {}",
                r.error.as_deref().unwrap_or("no response")
            ),
        )
        .with_fix("Check the network path to the API with `sl-doctor` (dns-resolution, proxy-config, tls-connection)."),
    }
}

#[cfg(test)]
mod tests;
