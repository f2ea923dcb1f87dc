//! The command line of `sl-doctor capture` (clap definitions only).

use super::{ColorWhen, parse_secs};
use clap::{Args, ValueEnum};
use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;

/// Options of `capture`.
#[derive(Args, Debug, Clone)]
pub struct CaptureArgs {
    /// Port to listen on (0 = any free port; the base URL is printed at start).
    #[arg(long, default_value_t = 8765, conflicts_with = "command")]
    pub port: u16,

    /// Serve HTTPS with a certificate generated at start (its CA file is printed).
    #[arg(long, conflicts_with = "command")]
    pub https: bool,

    /// Stop after this many requests.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000), conflicts_with = "command")]
    pub count: u32,

    /// Stop after this many seconds, whatever arrived (with -- COMMAND: end the command,
    /// and what it started, then).
    #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = parse_secs)]
    pub timeout: f64,

    /// Listen on this address instead of 127.0.0.1 (flagged under security: other
    /// machines can then send requests, and see the key with plain http).
    #[arg(long, value_name = "ADDR", conflicts_with = "command")]
    pub bind: Option<IpAddr>,

    /// Relay each request unchanged to the real API (https://api2.saleslayer.com) and
    /// report its real status and timing, instead of answering like the mock.
    #[arg(long)]
    pub forward: bool,

    /// Relay to this https base URL instead of the real API (for tests).
    #[arg(long, value_name = "URL", hide = true)]
    pub forward_to: Option<String>,

    /// With --forward: also trust this CA certificate file (PEM).
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,

    /// Where to write the CA certificate (PEM) with --https (default: a temp file).
    #[arg(long, value_name = "PATH", conflicts_with = "command")]
    pub ca_out: Option<PathBuf>,

    /// With -- COMMAND: the API base URL whose host is intercepted and diagnosed
    /// [env: SALESLAYER_BASE_URL] [default: https://api2.saleslayer.com].
    #[arg(long, value_name = "URL", requires = "command")]
    pub base_url: Option<String>,

    /// With -- COMMAND: also write the JSON report to this file (created 0600; a
    /// symbolic link there is refused).
    #[arg(long, short = 'o', value_name = "FILE", requires = "command")]
    pub output: Option<PathBuf>,

    /// Run this command (the application, unchanged) behind a loopback proxy that
    /// diagnoses what it sends to the API host; other hosts are tunnelled, never
    /// decrypted. The report follows when it exits (or at --timeout).
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,

    /// Where the key comes from (the same flags as `check`).
    #[command(flatten)]
    pub keys: super::KeyArgs,

    /// Report format on standard output. With json, the progress lines (base URL, one
    /// line per request) go to standard error and standard output holds only the report.
    /// With -- COMMAND, standard output is the command's: the report goes to standard
    /// error (and to --output).
    #[arg(long, value_enum, default_value = "human", help_heading = "Output")]
    pub format: CaptureFormat,

    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: ColorWhen,
}

/// Output format of `capture`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFormat {
    /// One block per request as it arrives, then the verdict.
    Human,
    /// One JSON report with a section per captured request, and nothing else.
    Json,
}
