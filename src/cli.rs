//! The command line: clap definitions only. Turning them into a `Context` is `config.rs`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use sl_doctor_checks::model::secret::SecretKey;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0  nothing failed (warnings allowed; --strict turns warnings into failures)
  1  a key or configuration problem was found
  2  usage or input error (bad flag, unreadable file)
  3  inconclusive: nothing else failed, but the live probe could not reach a verdict
     (network unreachable, timeout, 5xx, 429)

Examples:
  sl-doctor                              diagnose the key in $SALESLAYER_API_KEY
  sl-doctor --offline                    only the checks that need no network
  sl-doctor --key-file ./secrets/sl.key  read the key from a file
  sl-doctor --format json > report.json  the report to attach to a support ticket
  sl-doctor --format junit > sl.xml      one JUnit test case per check, for CI test reports
  sl-doctor --quiet --strict             CI preflight: verdict and failures only, warnings fail
  sl-doctor --ignore plain-http          run everything but one check (or a checklist item)
  sl-doctor support --account 'ACME'     a share-safe bundle and a ready-to-send support email
  sl-doctor curl                         the same request as a curl command ($VAR, never the key)
  sl-doctor explain hidden-characters    what a check does and how to fix it
  sl-doctor demo                         the whole pipeline against a local mock, no key needed

In GitHub Actions (GITHUB_ACTIONS=true) the human format also prints ::error/::warning
annotations, and a Markdown summary is appended to $GITHUB_STEP_SUMMARY.

The key is never printed: it is shown by length, by the position and Unicode name of
suspicious characters, and by a fingerprint (sha256: + 12 hex digits of SHA-256 of the
exact bytes), so support can tell keys apart without seeing them.";

/// A doctor for Sales Layer REST API keys: finds why requests with an X-API-KEY header
/// are rejected, in the order of the official troubleshooting checklist, and says what to do.
#[derive(Parser, Debug)]
#[command(name = "sl-doctor", version, after_long_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: check).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of the default `check` command.
    #[command(flatten)]
    pub check: CheckArgs,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Diagnose the key and the target (the default command).
    #[command(after_long_help = AFTER_HELP)]
    Check(Box<CheckArgs>),
    /// List every check with its checklist item and title.
    Checks,
    /// Print the documentation of a check (or of a checklist item).
    Explain {
        /// A check id (see `sl-doctor checks`) or a checklist item id.
        id: String,
    },
    /// Print the JSON Schema of the --format json report.
    Schema,
    /// Serve a Sales-Layer-compatible API on 127.0.0.1 for your own tests (see docs/mock.md).
    Mock(MockArgs),
    /// Search files (and with --history the git history) for the configured key, in the
    /// encodings it leaks in; exit 1 when found.
    Scan(Box<crate::scan::ScanArgs>),
    /// Run the whole doctor against the embedded mock with a deliberately broken key
    /// (no network and no key needed).
    Demo(DemoArgs),
    /// Listen on 127.0.0.1 and diagnose the requests your own application really sends
    /// (see docs/capture.md).
    Capture(crate::capture::CaptureArgs),
    /// Run the diagnosis, write a share-safe bundle for Sales Layer support and print a
    /// ready-to-send email (exit 0 when the bundle was written, whatever the verdict).
    #[command(
        after_long_help = SUPPORT_HELP,
        mut_arg("output", |a| a
            .value_name("DIR")
            .help("Directory for the support bundle [default: ./sl-doctor-support]")),
        mut_arg("format", |a| a.hide(true)),
    )]
    Support(Box<SupportArgs>),
    /// Print the probe as a curl command (POSIX shell and PowerShell) with the key read from
    /// its environment variable, never inlined; optionally write a Postman environment.
    #[command(after_long_help = CURL_HELP)]
    Curl(CurlArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_long_help = "Examples:\n  sl-doctor completions bash > ~/.local/share/bash-completion/completions/sl-doctor\n  sl-doctor completions zsh > \"${fpath[1]}/_sl-doctor\"\n  sl-doctor completions fish > ~/.config/fish/completions/sl-doctor.fish\n  sl-doctor completions powershell >> $PROFILE"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from these definitions.
    #[command(hide = true)]
    Man,
}

const SUPPORT_HELP: &str = "\
The bundle (--output DIR, default ./sl-doctor-support) holds:
  report.json   the JSON report (the key only as length and sha256 fingerprint)
  bundle.json   tool version, OS, target, names of proxy variables, probe request ids and timings
  email.txt     the email printed on standard output
It leaves out the key (even partly), every environment value (only proxy variable NAMES)
and your home directory (shown as ~).

Missing email fields are asked for on a terminal; never when standard input is not a
terminal or CI is set: they are left as <placeholders> instead.

Example:
  sl-doctor support --account 'ACME Corp' --environment production --apis both \\
      --use-case 'Nightly product sync to our webshop' --contact 'Ana Dev <ana@acme.example>'";

const CURL_HELP: &str = "\
The key is read by the shell from the variable named by --key-env (default
SALESLAYER_API_KEY) and given to curl on standard input (-H @-), so it is neither in the
command nor in the process list. URLs are in single quotes so that $top and $metadata
are not expanded by the shell.

Examples:
  sl-doctor curl                          the DAM and Catalog probes
  sl-doctor curl --api dam --shell posix | bash   run the DAM probe (needs SALESLAYER_API_KEY)
  sl-doctor curl --url 'https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=1'
  sl-doctor curl --postman sl.postman_environment.json";

/// Options of `support`: the check options (reused) plus the email fields.
#[derive(Args, Debug, Clone)]
pub struct SupportArgs {
    /// Customer or account name.
    #[arg(long, value_name = "NAME", help_heading = "Email")]
    pub account: Option<String>,

    /// Environment the key is for (e.g. production, staging).
    #[arg(long, value_name = "NAME", help_heading = "Email")]
    pub environment: Option<String>,

    /// API areas needed.
    #[arg(long, value_enum, help_heading = "Email")]
    pub apis: Option<ApiAreas>,

    /// Short description of the use case.
    #[arg(long, value_name = "TEXT", help_heading = "Email")]
    pub use_case: Option<String>,

    /// Technical contact (name and email).
    #[arg(long, value_name = "CONTACT", help_heading = "Email")]
    pub contact: Option<String>,

    /// The check options: the diagnosis included in the bundle.
    #[command(flatten)]
    pub check: CheckArgs,
}

/// API areas, as Sales Layer support asks for them.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiAreas {
    /// DAM only.
    Dam,
    /// Catalog only.
    Catalog,
    /// DAM and Catalog.
    Both,
}

impl ApiAreas {
    /// As written in the email.
    pub fn label(self) -> &'static str {
        match self {
            ApiAreas::Dam => "DAM",
            ApiAreas::Catalog => "Catalog",
            ApiAreas::Both => "both (DAM and Catalog)",
        }
    }
}

/// Options of `curl`.
#[derive(Args, Debug, Clone)]
pub struct CurlArgs {
    /// Environment variable the command reads the key from (must be a shell variable name).
    #[arg(long, value_name = "NAME", default_value = sl_doctor_checks::DEFAULT_KEY_ENV)]
    pub key_env: String,

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

    /// Write a Postman environment (baseUrl, and apiKey as an empty secret) to this file.
    #[arg(long, value_name = "FILE")]
    pub postman: Option<PathBuf>,

    /// Which shells to print commands for.
    #[arg(long, value_enum, default_value = "all")]
    pub shell: CurlShell,
}

/// Shells for `sl-doctor curl`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurlShell {
    /// POSIX shell and PowerShell.
    All,
    /// POSIX shell (bash, zsh, sh): pipe it into bash to run it.
    Posix,
    /// PowerShell (Invoke-RestMethod and curl.exe).
    Powershell,
}

/// Options of `demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Report format on standard output.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorWhen,

    /// Use ASCII status symbols instead of ✔ ⚠ ✘ –.
    #[arg(long)]
    pub ascii: bool,

    /// Show the details of passing checks too.
    #[arg(long, short)]
    pub verbose: bool,
}

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

    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub exit_after: Option<f64>,
}

/// Output format of the report on standard output.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The checklist for people.
    Human,
    /// The schema_version 1 JSON report, and nothing else.
    Json,
    /// JUnit XML: one test case per check, one test suite per checklist item.
    Junit,
    /// GitHub Actions workflow commands (::error/::warning), one per problem.
    Github,
    /// A Markdown summary (e.g. for $GITHUB_STEP_SUMMARY or a merge request comment).
    Markdown,
}

/// When to use colour.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    /// When the stream is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Which API to diagnose.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiChoice {
    /// The DAM API.
    Dam,
    /// The Catalog API.
    Catalog,
    /// Both.
    All,
}

/// Where the key comes from: shared by `check`, `capture`, `scan`, `support` and `curl`.
#[derive(Args, Debug, Clone)]
pub struct KeyArgs {
    /// Environment variable that holds the key.
    #[arg(long, value_name = "NAME", default_value = sl_doctor_checks::DEFAULT_KEY_ENV, help_heading = "Key")]
    pub key_env: String,

    /// Read the key from this file (exact bytes; at most 64 KiB).
    #[arg(long, value_name = "PATH", help_heading = "Key")]
    pub key_file: Option<PathBuf>,

    /// Read the key from standard input (exact bytes; at most 64 KiB).
    #[arg(long, help_heading = "Key")]
    pub key_stdin: bool,

    /// Read this .env file (default: ./.env when present).
    #[arg(
        long,
        value_name = "PATH",
        help_heading = "Key",
        conflicts_with = "no_dotenv"
    )]
    pub dotenv: Option<PathBuf>,

    /// Do not read any .env file.
    #[arg(long, help_heading = "Key")]
    pub no_dotenv: bool,

    /// The key itself. Works, but is flagged: it shows in the process list and shell history.
    #[arg(long, value_name = "VALUE", value_parser = parse_secret, help_heading = "Key")]
    pub key: Option<SecretKey>,
}

/// Options of `check`.
#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Where the key comes from.
    #[command(flatten)]
    pub keys: KeyArgs,

    /// Base URL of the API [env: SALESLAYER_BASE_URL] [default: https://api2.saleslayer.com].
    #[arg(long, value_name = "URL", help_heading = "Target")]
    pub base_url: Option<String>,

    /// A full request URL copied from your own code, to analyse (quote it in single quotes).
    #[arg(long, value_name = "URL", help_heading = "Target")]
    pub url: Option<String>,

    /// Which API to diagnose.
    #[arg(long, value_enum, default_value = "all", help_heading = "Target")]
    pub api: ApiChoice,

    /// Run only the checks that need no network; the others are reported as skipped.
    #[arg(long, help_heading = "Network")]
    pub offline: bool,

    /// Timeout of each network operation, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = parse_secs, help_heading = "Network")]
    pub timeout: f64,

    /// Deadline for the whole run, in seconds: nothing runs longer, whatever the network does.
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = parse_secs, help_heading = "Network")]
    pub deadline: f64,

    /// Also trust this CA certificate file (PEM), e.g. a company's TLS-inspection root.
    #[arg(long, value_name = "PATH", help_heading = "Network")]
    pub ca_cert: Option<PathBuf>,

    /// Do not verify the server certificate (flagged under security; for diagnosis only).
    #[arg(long, help_heading = "Network")]
    pub insecure: bool,

    /// Use this proxy for every request (overrides HTTPS_PROXY and friends).
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "no_proxy",
        help_heading = "Network"
    )]
    pub proxy: Option<String>,

    /// Ignore proxy environment variables and connect directly.
    #[arg(long, help_heading = "Network")]
    pub no_proxy: bool,

    /// Resolve HOST:PORT to ADDR instead of asking DNS, like curl's --resolve (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_resolve, help_heading = "Network")]
    pub resolve: Vec<(String, u16, std::net::IpAddr)>,

    /// Allow sending the key over plain http (off by default: it would travel in clear).
    #[arg(long, help_heading = "Network")]
    pub allow_http: bool,

    /// When the key is rejected, do not retry once with the cleaned key.
    #[arg(long, help_heading = "Network")]
    pub no_differential: bool,

    /// Report format on standard output.
    #[arg(long, value_enum, default_value = "human", help_heading = "Output")]
    pub format: Format,

    /// Also write the JSON report to this file (the terminal still shows the chosen format).
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: ColorWhen,

    /// Use ASCII status symbols instead of ✔ ⚠ ✘ –.
    #[arg(long, help_heading = "Output")]
    pub ascii: bool,

    /// Show the details of passing checks too.
    #[arg(long, short, help_heading = "Output")]
    pub verbose: bool,

    /// Treat warnings as failures (exit code 1).
    #[arg(long, help_heading = "Output")]
    pub strict: bool,

    /// Human format: only the failures (and, with --strict, warnings) and the verdict line.
    #[arg(long, short, help_heading = "Output", conflicts_with = "verbose")]
    pub quiet: bool,

    /// Run only these checks or checklist items (comma-separated or repeated), plus the
    /// checks they depend on; the others are reported as skipped ("deselected").
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    pub select: Vec<String>,

    /// Do not run these checks or checklist items (comma-separated or repeated); they are
    /// reported as skipped ("deselected").
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    pub ignore: Vec<String>,
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!(
            "'{s}' is not a number of seconds between 0 and 3600"
        )),
    }
}

fn parse_resolve(s: &str) -> Result<(String, u16, std::net::IpAddr), String> {
    let bad = || format!("'{s}' is not HOST:PORT:ADDR (e.g. api2.saleslayer.com:443:127.0.0.1)");
    let (host, rest) = s.split_once(':').ok_or_else(bad)?;
    let (port, addr) = rest.split_once(':').ok_or_else(bad)?;
    let addr = addr.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad());
    }
    Ok((
        host.to_ascii_lowercase(),
        port.parse().map_err(|_| bad())?,
        addr.parse().map_err(|_| bad())?,
    ))
}

fn parse_secret(s: &str) -> Result<SecretKey, String> {
    Ok(SecretKey::from_string(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn resolve_and_seconds_parse_or_explain() {
        assert_eq!(
            parse_resolve("API2.saleslayer.com:443:127.0.0.1").unwrap(),
            (
                "api2.saleslayer.com".into(),
                443,
                "127.0.0.1".parse().unwrap()
            )
        );
        assert!(parse_resolve("h:443:[::1]").is_ok());
        for bad in [
            "h",
            "h:443",
            "h:x:127.0.0.1",
            ":443:127.0.0.1",
            "h:443:nope",
        ] {
            assert!(parse_resolve(bad).is_err(), "{bad}");
        }
        assert!(parse_secs("2.5").is_ok());
        for bad in ["0", "-1", "x", "99999"] {
            assert!(parse_secs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_of_parsed_args_does_not_show_the_key() {
        let cli = Cli::parse_from([
            "sl-doctor",
            "--key",
            sl_doctor_checks::testing_support::TEST_CANARY,
        ]);
        let shown = format!("{cli:?}");
        assert!(!shown.contains("canary"), "{shown}");
    }
}
