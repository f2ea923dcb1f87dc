//! The command line of `sl-doctor mock` (clap definitions only).

use super::parse_secs;
use clap::Args;
use std::path::PathBuf;

/// Options of `mock`.
#[derive(Args, Debug, Clone)]
pub struct MockArgs {
    /// Serve HTTPS with a certificate generated at start (its CA is written to a file).
    #[arg(long)]
    pub https: bool,

    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// A key the mock accepts, as SCOPE:KEY with SCOPE = both, dam, catalog or revoked
    /// (repeatable). Without --key or --keys-file a random test key for both APIs is made.
    #[arg(long = "key", value_name = "SCOPE:KEY")]
    pub keys: Vec<String>,

    /// A file with one `SCOPE KEY` per line (see docs/mock.md).
    #[arg(long, value_name = "PATH")]
    pub keys_file: Option<PathBuf>,

    /// Where to write the CA certificate (PEM) with --https.
    #[arg(long, value_name = "PATH")]
    pub ca_out: Option<PathBuf>,

    /// Wait this many milliseconds before every response.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub delay_ms: u64,

    /// Turn off the documented rate limit of 50 requests per 10 s (for benchmarks).
    #[arg(long)]
    pub no_rate_limit: bool,

    /// Stop after this many seconds (default: run until Ctrl-C or SIGTERM).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub exit_after: Option<f64>,

    /// Also stop when standard input closes: a script or test harness that holds a pipe
    /// to it ends the mock by exiting, however it exits.
    #[arg(long)]
    pub exit_on_stdin_close: bool,
}
