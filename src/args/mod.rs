//! The arguments of every command (clap definitions only): `cli` assembles them into
//! the command line, each feature reads its own. Nothing here imports a feature, so the
//! features and `config` can import their arguments without an import circle.

mod capture;
mod curl;
mod demo;
mod fingerprint;
mod fix;
mod mock;
mod scan;
mod support;
mod view;

pub use capture::{CaptureArgs, CaptureFormat};
pub use curl::{CurlArgs, CurlShell};
pub use demo::DemoArgs;
pub use fingerprint::FingerprintArgs;
pub use fix::{FixArgs, LineEndings};
pub use mock::MockArgs;
pub use scan::{ScanArgs, ScanFormat};
pub use support::{ApiAreas, SupportArgs};
pub use view::ViewArgs;

use clap::{Args, ValueEnum};

/// How a report is shown on the terminal, for the commands that only show one (`demo`,
/// `view`): the diagnosis's own options live in [`CheckArgs`].
#[derive(Args, Debug, Clone)]
pub struct Display {
    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorWhen,

    /// Use ASCII status symbols instead of ✔ ⚠ ✘ –.
    #[arg(long)]
    pub ascii: bool,

    /// Show every check with its findings and evidence (-v); -vv also the details of
    /// passing checks.
    #[arg(long, short, action = clap::ArgAction::Count)]
    pub verbose: u8,
}
use sl_doctor_checks::input::loaders::{LOADERS, Loader};
use sl_doctor_checks::model::secret::SecretKey;
use std::path::PathBuf;

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

/// The reports whose JSON Schema `sl-doctor schema` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaOf {
    /// The diagnosis report (`sl-doctor --format json`): docs/report.schema.json.
    Check,
    /// The scan report (`sl-doctor scan --format json`): docs/scan.schema.json.
    Scan,
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

/// Where the key comes from: shared by `check` (and so `support` and `fix`), `capture`,
/// `scan`, `curl` and `fingerprint`.
#[derive(Args, Debug, Clone)]
pub struct KeyArgs {
    /// Environment variable that holds the key.
    #[arg(long, value_name = "NAME", default_value = sl_doctor_checks::DEFAULT_KEY_ENV, value_parser = parse_var_name, help_heading = "Key")]
    pub key_env: String,

    /// Read the key from this file (exact bytes; at most 64 KiB).
    #[arg(long, value_name = "PATH", help_heading = "Key")]
    pub key_file: Option<PathBuf>,

    /// Read the key from standard input: a pipe as exact bytes (at most 64 KiB); on a
    /// terminal, a prompt that does not show what you type (the Enter is not part of the key).
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

    /// Who reads the .env file in your deployment: dotenv (the dotenv libraries), compose
    /// (env_file:), docker (docker run --env-file), kubectl (--from-env-file), systemd
    /// (EnvironmentFile=) or shell (set -a; . ./.env). Without it, sl-doctor compares what
    /// each delivers and uses the dotenv libraries' value.
    #[arg(long, value_name = "NAME", value_parser = loader_parser(), help_heading = "Key")]
    pub loader: Option<Loader>,

    /// Read the key's definition from this deployment file (repeatable): a docker compose
    /// file, Kubernetes manifests, a systemd unit, a Dockerfile or a GitHub Actions
    /// workflow (recognised by name and content). Each definition is a key source with
    /// the value that deployment delivers. Without it, the compose file of the working
    /// directory is read when there is one.
    #[arg(long, value_name = "PATH", help_heading = "Key")]
    pub from: Vec<PathBuf>,

    /// The key itself. Works, but is flagged: it shows in the process list and shell history.
    /// An empty value (`--key "$VAR"` with VAR unset) is diagnosed as an empty key (exit 1),
    /// unlike an empty --key-env, which names no variable (usage error, exit 2).
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

    /// Use this proxy for every request (instead of https_proxy, HTTPS_PROXY and the like).
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

    /// When the key is rejected, do not retry with repaired values (trimmed, unquoted, decoded…).
    #[arg(long, help_heading = "Network")]
    pub no_differential: bool,

    /// Open a new connection for every request instead of reusing tls-connection's (more
    /// handshakes; each probe's timings then include its own connect).
    #[arg(long, help_heading = "Network")]
    pub fresh_connections: bool,

    /// Report format on standard output.
    #[arg(long, value_enum, default_value = "human", help_heading = "Output")]
    pub format: Format,

    /// Also write the JSON report to this file (the terminal still shows the chosen format).
    /// Created 0600; a symbolic link there is refused unless --force.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// Write --output (or support's bundle directory) even when it is a symbolic link
    /// (refused by default: a link planted in a shared directory could point anywhere).
    #[arg(long, help_heading = "Output")]
    pub force: bool,

    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: ColorWhen,

    /// Use ASCII status symbols instead of ✔ ⚠ ✘ –.
    #[arg(long, help_heading = "Output")]
    pub ascii: bool,

    /// Show every check with its findings and evidence (-v); -vv also the details of
    /// passing checks.
    #[arg(long, short, action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbose: u8,

    /// Treat warnings as failures (exit code 1).
    #[arg(long, help_heading = "Output")]
    pub strict: bool,

    /// Human format: only the diagnosis (causes, proof, fix) and the verdict line.
    #[arg(long, short, help_heading = "Output", conflicts_with = "verbose")]
    pub quiet: bool,

    /// Run only these checks or checklist items (comma-separated or repeated), plus the
    /// checks they depend on; the others are reported as skipped ("deselected").
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        value_parser = Offered::CheckIds,
        hide_possible_values = true,
        help_heading = "Selection"
    )]
    pub select: Vec<String>,

    /// Do not run these checks or checklist items (comma-separated or repeated); they are
    /// reported as skipped ("deselected").
    #[arg(
        long,
        value_name = "ID",
        value_delimiter = ',',
        value_parser = Offered::CheckIds,
        hide_possible_values = true,
        help_heading = "Selection"
    )]
    pub ignore: Vec<String>,
}

/// Accepts any value (the command says which ids exist, in its own words, with close
/// matches for `explain`) but offers a list of them to shell completion.
#[derive(Clone, Copy, Debug)]
pub enum Offered {
    /// Every check and checklist item id (`--select`, `--ignore`).
    CheckIds,
    /// Every topic of `explain`: items, checks, `fix`, causes and finding codes.
    ExplainTopics,
}

impl clap::builder::TypedValueParser for Offered {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let registry = sl_doctor_checks::registry();
        let ids: Vec<&'static str> = match self {
            Offered::CheckIds => sl_doctor_checks::model::report::Item::ALL
                .iter()
                .map(|i| i.id())
                .chain(registry.iter().map(|c| c.meta().id.as_str()))
                .collect(),
            Offered::ExplainTopics => crate::explain::topics::all(&registry),
        };
        Some(Box::new(
            ids.into_iter()
                .map(|id| clap::builder::PossibleValue::new(id).hide(false)),
        ))
    }
}

pub(crate) fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 3600.0 => Ok(v),
        Ok(v) if v <= 0.0 => Err(format!(
            "'{s}': the time must be more than 0 seconds (e.g. 0.5 or 10); at most 3600"
        )),
        _ => Err(format!(
            "'{s}' is not a number of seconds from more than 0 to 3600 (e.g. 0.5 or 10)"
        )),
    }
}

pub(crate) fn parse_resolve(s: &str) -> Result<(String, u16, std::net::IpAddr), String> {
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

/// `--loader`: one of the loader table's ids (offered to completion).
fn loader_parser() -> impl clap::builder::TypedValueParser<Value = Loader> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(LOADERS.map(|l| l.id))
        .map(|id: String| Loader::from_id(&id).expect("a listed id"))
}

/// `--key-env`: a name, never empty or blank (an empty GitHub Action input or a shell
/// variable that expanded to nothing would otherwise name no variable at all).
fn parse_var_name(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err(format!(
            "the variable name is empty; give the NAME of the environment variable that holds the key (default {})",
            sl_doctor_checks::DEFAULT_KEY_ENV
        ));
    }
    Ok(s.to_string())
}

pub(crate) fn parse_secret(s: &str) -> Result<SecretKey, String> {
    Ok(SecretKey::from_string(s.to_string()))
}
