//! The command line of `sl-doctor scan` (clap definitions only).

use super::{ColorWhen, KeyArgs};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

const SCAN_HELP: &str = "\
Encodings searched: as-is (also quoted or followed by a newline), URL-encoded (upper or
lower hex, with or without `/` kept, or every byte), double URL-encoded, JSON-escaped
(`\\/`, `\\u002B`), base64 and URL-safe base64 (any alignment, with or without padding or a
trailing newline), hex (either case), HTML character references, UTF-16 (LE or BE).

Exit codes:
  0  the key was not found
  1  the key was found (in a file, or with --history in a commit)
  2  usage or input error (no key configured, missing path, bad flag)

Examples:
  sl-doctor scan                          the current directory, .gitignore honoured
  sl-doctor scan --history                also every commit of the repository
  sl-doctor scan dist/ logs/ --no-ignore  build output and logs, even if git-ignored
  sl-doctor scan --format sarif > sl.sarif   for GitHub code scanning

The key is never printed: matches are shown as [sl-key sha256:…].";

/// Options of `scan`.
#[derive(Args, Debug, Clone)]
#[command(after_long_help = SCAN_HELP)]
pub struct ScanArgs {
    /// Files or directories to search (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Where the key comes from (the same flags as `check`).
    #[command(flatten)]
    pub keys: KeyArgs,

    /// Also search every blob in the git history of the repository.
    #[arg(long, help_heading = "Search")]
    pub history: bool,

    /// Also search binary files (a NUL byte near the start).
    #[arg(long, help_heading = "Search")]
    pub binary: bool,

    /// Skip files larger than this (bytes, or with a K, M or G suffix).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size, help_heading = "Search")]
    pub max_filesize: u64,

    /// Search files that .gitignore, .ignore and git excludes leave out, too.
    #[arg(long, help_heading = "Search")]
    pub no_ignore: bool,

    /// Follow symbolic links: each file once, never into /proc, /sys or /dev.
    #[arg(long, short = 'L', help_heading = "Search")]
    pub follow: bool,

    /// Number of search threads (default: one per core).
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        help_heading = "Search"
    )]
    pub threads: usize,

    /// Report format on standard output.
    #[arg(long, value_enum, default_value = "human", help_heading = "Output")]
    pub format: ScanFormat,

    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: ColorWhen,
}

/// Output formats of `scan`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanFormat {
    /// Findings for people.
    Human,
    /// The scan report (schema_version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// Parses `123`, `64K`, `64M`, `1G` (binary multiples).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("'{s}' is not a size (e.g. 1048576, 512K, 64M, 1G)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64M").unwrap(), 64 << 20);
        assert_eq!(parse_size("512k").unwrap(), 512 << 10);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("100").unwrap(), 100);
        for bad in ["", "M", "x", "-1", "99999999999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
