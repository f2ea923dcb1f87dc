//! The command line of `sl-doctor curl` (clap definitions only).

use super::{ApiChoice, parse_resolve};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Options of `curl`.
#[derive(Args, Debug, Clone)]
pub struct CurlArgs {
    /// Where the key comes from (the same flags as `check`): the commands load it the
    /// same way (from the key file, from the .env line, or from the variable, which must
    /// be a shell variable name). The key itself is never printed.
    #[command(flatten)]
    pub keys: super::KeyArgs,

    /// Print commands for an http:// base URL or --url although they send the key in
    /// clear text (refused otherwise, exit code 2).
    #[arg(long)]
    pub allow_http: bool,

    /// Base URL of the API [env: SALESLAYER_BASE_URL] [default: https://api2.saleslayer.com].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Also print a command for this full request URL (quote it in single quotes).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Which API's probe to print.
    #[arg(long, value_enum, default_value = "all")]
    pub api: ApiChoice,

    /// Add --cacert with this CA certificate file (PEM).
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,

    /// Add --resolve HOST:PORT:ADDR (repeatable), like curl's.
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_resolve)]
    pub resolve: Vec<(String, u16, std::net::IpAddr)>,

    /// Send the commands through this proxy (`--proxy`, as the doctor's run did); its
    /// user:password is not written into them: they read it from $SL_DOCTOR_PROXY_USER.
    #[arg(long, value_name = "URL", conflicts_with = "no_proxy")]
    pub proxy: Option<String>,

    /// Make the commands connect directly (`--noproxy '*'`), as the doctor's --no-proxy.
    #[arg(long)]
    pub no_proxy: bool,

    /// Write a Postman environment (baseUrl, and apiKey as an empty secret) to this file.
    #[arg(long, value_name = "FILE")]
    pub postman: Option<PathBuf>,

    /// Write a Postman collection (v2.1) with the probes to this file: they use
    /// {{baseUrl}} and {{apiKey}} (the --postman environment) and test the status.
    #[arg(long, value_name = "FILE")]
    pub postman_collection: Option<PathBuf>,

    /// Which shell to print commands for: the one of the platform sl-doctor runs on by
    /// default (posix on Linux and macOS, powershell on Windows), or all, each block
    /// labelled with its shell.
    #[arg(long, value_enum, default_value_t = CurlShell::platform())]
    pub shell: CurlShell,
}

/// Shells for `sl-doctor curl`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurlShell {
    /// POSIX shell and PowerShell, each block labelled.
    All,
    /// POSIX shell (bash, zsh, sh): paste the output or pipe it into bash to run it.
    Posix,
    /// PowerShell (Invoke-RestMethod and curl.exe).
    Powershell,
}

impl CurlShell {
    /// The shell of the platform sl-doctor runs on.
    pub const fn platform() -> CurlShell {
        if cfg!(windows) {
            CurlShell::Powershell
        } else {
            CurlShell::Posix
        }
    }
}
