//! The command line: the subcommands and their help (clap definitions only). Each
//! command's arguments are in `args`; turning them into a `Context` is `config.rs`.

use crate::args::{
    CaptureArgs, CheckArgs, CurlArgs, DemoArgs, FixArgs, MockArgs, ScanArgs, SupportArgs, ViewArgs,
};
use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Exit codes:
  0  nothing failed (warnings allowed; --strict turns warnings into failures)
  1  a key or configuration problem was found
  2  usage or input error (bad flag, unreadable file)
  3  inconclusive: nothing else failed, but the live probe could not reach a verdict
     (timeout, network unreachable, 5xx, 429); a host that does not exist or
     refuses the connection is a configuration problem (1)

Examples:
  sl-doctor                              diagnose the key in $SALESLAYER_API_KEY
  sl-doctor --offline                    only the checks that need no network
  sl-doctor --key-file ./secrets/sl.key  read the key from a file
  sl-doctor --loader docker              the .env as `docker run --env-file` delivers it
  sl-doctor --from docker-compose.yml    the key as a deployment file delivers it (compose,
                                         Kubernetes, systemd unit, Dockerfile, workflow)
  sl-doctor --format json > report.json  the report to attach to a support ticket
  sl-doctor --format junit > sl.xml      one JUnit test case per check, for CI test reports
  sl-doctor --quiet --strict             CI preflight: verdict and failures only, warnings fail
  sl-doctor --ignore plain-http          run everything but one check (or a checklist item)
  sl-doctor support --account 'ACME'     a share-safe bundle and a ready-to-send support email
  sl-doctor fix                          repair the key in .env or a key file (after a diff)
  sl-doctor curl                         the same request as a curl command ($VAR, never the key)
  sl-doctor explain hidden-characters    what a check does and how to fix it
  sl-doctor demo                         the whole pipeline against a local mock, no key needed

In GitHub Actions (GITHUB_ACTIONS=true) the human format also prints ::error/::warning
annotations, and a Markdown summary is appended to $GITHUB_STEP_SUMMARY.

The key is never printed (the one exception: `fix --emit` into a pipe): it is shown by length, by the position and Unicode name of
suspicious characters, and by a fingerprint (sha256: + 12 hex digits of SHA-256 of the
exact bytes), so support can tell keys apart without seeing them.";

/// A doctor for Sales Layer REST API keys: finds why requests with an X-API-KEY header
/// are rejected, in the order of the official troubleshooting checklist, and says what to do.
#[derive(Parser, Debug)]
#[command(name = "sl-doctor", version = env!("SL_DOCTOR_VERSION"), after_long_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
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
    /// Print the documentation of a check (or of a checklist item, or of `sl-doctor fix`).
    Explain {
        /// A check id (see `sl-doctor checks`), a checklist item id, or `fix`.
        #[arg(value_parser = crate::args::CheckIds { with_fix: true }, hide_possible_values = true)]
        id: String,
    },
    /// Print the JSON Schema of the --format json report.
    Schema,
    /// Show a saved JSON report (e.g. from a support ticket) as the user saw it: human,
    /// markdown, github, junit or json.
    View(ViewArgs),
    /// Serve a Sales-Layer-compatible API on 127.0.0.1 for your own tests (see docs/mock.md).
    Mock(MockArgs),
    /// Search files (and with --history the git history) for the configured key, in the
    /// encodings it leaks in; exit 1 when found.
    Scan(Box<ScanArgs>),
    /// Run the whole doctor against the embedded mock with a deliberately broken key
    /// (no network and no key needed).
    Demo(DemoArgs),
    /// Diagnose the requests your own application really sends: run it unchanged behind a
    /// local proxy (`capture -- COMMAND`), or point it at a local base URL (see docs/capture.md).
    Capture(CaptureArgs),
    /// Run the diagnosis, write a share-safe bundle for Sales Layer support and print a
    /// ready-to-send email (exit 0 when the bundle was written, whatever the verdict; 1
    /// with the fix instead when you can fix the cause yourself, unless --anyway).
    #[command(
        after_long_help = SUPPORT_HELP,
        mut_arg("output", |a| a
            .value_name("DIR")
            .help("Directory for the support bundle [default: ./sl-doctor-support]; created 0700, its files 0600; a symbolic link is refused unless --force")),
        mut_arg("format", |a| a.hide(true)),
    )]
    Support(Box<SupportArgs>),
    /// Repair the stored key where it lives (the key's .env line or the --key-file), after
    /// a redacted diff and a confirmation; live, only a repair the API accepted. The doctor
    /// runs again on the new file (see docs/fix.md).
    #[command(
        after_long_help = FIX_HELP,
        mut_arg("format", |a| a.hide(true)),
        mut_arg("output", |a| a.hide(true)),
        mut_arg("force", |a| a.hide(true)),
    )]
    Fix(Box<FixArgs>),
    /// Print the probe as a curl command (POSIX shell and PowerShell) that loads the key the
    /// way sl-doctor found it, never inlined; optionally write a Postman environment.
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
    /// Print the man page (roff) to standard output, e.g. `sl-doctor man > sl-doctor.1`.
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

const FIX_HELP: &str = "\
What it edits: the file the doctor read the key from. In a .env file only the key's line
changes (every other byte stays): it becomes NAME=value (`export ` kept) without quotes,
spaces around =, or an inline comment, the one form docker --env-file, compose, systemd's
EnvironmentFile and the dotenv libraries all read the same; a repaired key holding a space,
#, a quote, $ or a backslash is refused instead. A key file gets exactly the repaired key,
without a final newline. The file is replaced atomically (same directory, same mode and
owner) and only if it did not change since it was diagnosed.

Which repair: live (the default), only a repaired value that the API accepted, matched by
fingerprint; with --offline, only repairs that cannot be wrong (whitespace and line breaks,
invisible characters, one pair of quotes, a pasted label), marked \"not verified\".

The diff shows the line before and after with its quotes, spaces, comment, CR and the
value's edge characters made visible; the key only by length and fingerprint.

A key from the environment, --key or standard input has no file to edit: fix says where to
change it. --emit writes the repaired key to standard output for another program, and is
refused when standard output is a terminal: the one time sl-doctor outputs the key.

Exit codes:
  0  fixed, and the doctor passes live on the new file (or nothing needed changing)
  1  nothing fixable, refused (unsafe for .env), declined, or a dry run (no --yes off a
     terminal); also when the doctor still fails after the fix
  2  usage or input error (a symbolic link without --follow-symlinks, the file changed
     since it was diagnosed, --emit on a terminal)
  3  written but not verified (--offline, or the API could not be asked)

Examples:
  sl-doctor fix                            diagnose, show the change, ask, write, check again
  sl-doctor fix --yes --dotenv .env.prod   the same without asking
  sl-doctor fix --offline                  only the certain repairs, not verified
  sl-doctor fix --key-file sl.key          repair a key file
  sl-doctor fix --emit | gh secret set SALESLAYER_API_KEY";

const CURL_HELP: &str = "\
The key is read by the shell from the variable named by --key-env (default
SALESLAYER_API_KEY) and given to curl on standard input (-H @-), so it is neither in the
command nor in the process list. When sl-doctor finds the key in a key file (--key-file)
or a .env file, the commands first read it from there into that variable (only the key's
line of the .env, cut as --loader's reader delivers it: the dotenv libraries by default),
so they send what sl-doctor sends. A key with a line break cannot be sent by any HTTP
client; curl drops a header line's CR LF, so the script says what its answer then proves.
URLs are in single quotes so that $top and $metadata are not expanded by the shell.
An http:// base URL or --url is refused (exit 2): the key would travel in clear text;
--allow-http prints the commands anyway, with a warning.

Examples:
  sl-doctor curl                          the DAM and Catalog probes
  sl-doctor curl --api dam --shell posix | bash   run the DAM probe (needs SALESLAYER_API_KEY)
  sl-doctor curl --loader docker          the key loaded as `docker run --env-file` delivers it
  sl-doctor curl --url 'https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=1'
  sl-doctor curl --postman sl.postman_environment.json";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{parse_resolve, parse_secs};
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
