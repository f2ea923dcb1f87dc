//! The command line: the subcommands and their help (clap definitions only). Each
//! command's arguments are in `args`; turning them into a `Context` is `config.rs`.

use crate::args::{
    CaptureArgs, CheckArgs, CurlArgs, DemoArgs, FingerprintArgs, FixArgs, MockArgs, ScanArgs,
    SupportArgs, ViewArgs,
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

The key is never printed (the one exception: `fix --emit` into a pipe). It is shown by
length, by the position and Unicode name of suspicious characters, and by a fingerprint
(sha256: + 12 hex digits of SHA-256 of the exact bytes), so support can tell keys apart
without seeing them.";

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
    /// Print the documentation of a check, a checklist item, a cause of the diagnosis, a
    /// finding code or `fix`; without a topic, the list of them all.
    Explain {
        /// A check id (see `sl-doctor checks`), a checklist item id, a cause id (e.g.
        /// key-rejected), a finding code (e.g. dotenv-quotes), or `fix`.
        #[arg(value_name = "TOPIC", value_parser = crate::args::Offered::ExplainTopics, hide_possible_values = true)]
        id: Option<String>,
    },
    /// Print the JSON Schema of the --format json report; `schema scan`: of the scan
    /// report.
    Schema {
        /// Whose report: `check` (the default) or `scan`.
        #[arg(value_enum, value_name = "REPORT", default_value = "check")]
        of: crate::args::SchemaOf,
    },
    /// Show a saved JSON report (e.g. from a support ticket) as the user saw it, under a
    /// banner saying when, by which version and on which OS it was made: human, markdown,
    /// github, junit or json. A support bundle's directory or bundle.json opens its report.
    #[command(after_long_help = VIEW_HELP)]
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
    /// Print the probes as curl commands for this platform's shell (POSIX or PowerShell)
    /// that load the key the way sl-doctor found it, never inlined; optionally write a
    /// Postman environment and collection.
    #[command(after_long_help = CURL_HELP)]
    Curl(CurlArgs),
    /// Print the fingerprint and length of the key (from the same sources as check, or
    /// typed at a prompt that does not show it) and, given a fingerprint such as the one
    /// support names, whether it is that key (exit 0 match, 1 no match).
    #[command(after_long_help = FINGERPRINT_HELP)]
    Fingerprint(Box<FingerprintArgs>),
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

const VIEW_HELP: &str = "\
The report is checked before anything is shown: its schema_version (1), every field's
type, every id and fingerprint. A report that breaks one is refused, naming the file, the
field (e.g. checklist[0].checks[0].duration_ms), its line and column where they can be
found, what the file holds there and what sl-doctor writes there; nothing is shown.

Exit codes:
  0  the report was shown (whatever its verdict: the verdict is the user's run's)
  2  the file cannot be read, or is not a schema_version 1 report

Examples:
  sl-doctor view report.json                  as the user saw it
  sl-doctor view -v --format markdown report.json
  sl-doctor view ./sl-doctor-support          a support bundle's report";

const FINGERPRINT_HELP: &str = "\
A fingerprint is sha256: and the first 12 hex digits of SHA-256 over the key's exact
bytes: it tells keys apart without showing them (support names a key this way). When
the value has something around or in it (quotes, whitespace, invisible characters), the
fingerprint once cleaned is printed too, and a given fingerprint matches either.

Exit codes:
  0  the fingerprint was printed; or the key in use matches FINGERPRINT (as stored or
     once cleaned)
  1  the key in use does not match FINGERPRINT (another source may hold it: it is named)
  2  usage or input error: no key found, FINGERPRINT is not sha256: and 8 to 64 hex
     digits, an unreadable file

Examples:
  sl-doctor fingerprint                          the key in $SALESLAYER_API_KEY (or ./.env)
  sl-doctor fingerprint --key-file ./sl.key sha256:1a2b3c4d5e6f
  sl-doctor fingerprint --key-stdin              type or paste the key (not shown)";

const SUPPORT_HELP: &str = "\
The diagnosis runs first. When every failing cause is one you can fix yourself, support
prints the whole fix (with `sl-doctor fix` where it repairs the value) and drafts no
email (exit 1; --anyway drafts it). Otherwise the email opens with what Sales Layer is
asked to do (enable an API for the key, check or reissue the key, by fingerprint), with
the proof, then the fields below, the requests for their logs, and the attachments.
When the base URL's host is not Sales Layer's (the sl-doctor mock, a proxy, a misspelt
host), Sales Layer has no record of the requests: the draft is addressed to whoever runs
that host, and standard error says how to ask Sales Layer (the API's base URL first).

The bundle (--output DIR, default ./sl-doctor-support) holds, each thing once:
  report.json   the JSON report: diagnosis, tool version, OS, target, the probes' request
                ids and timings (the key only as length and sha256 fingerprint)
  bundle.json   what the report does not hold: the names of the proxy variables set
  email.txt     the email printed on standard output
It leaves out the key (even partly), every environment value (only proxy variable NAMES)
and your home directory (shown as ~). `sl-doctor view DIR` shows the report.

Missing email fields are asked for on a terminal, once the email is due; never when
standard input is not a terminal or CI is set: they are left as <placeholders> instead.

Example:
  sl-doctor support --account 'ACME Corp' --environment production --apis both \\
      --use-case 'Nightly product sync to our webshop' --contact 'Ana Dev <ana@acme.example>'";

const FIX_HELP: &str = "\
What it edits: the file the doctor read the key from. In a .env file only the key's line
changes (every other byte stays): it becomes NAME=value (`export ` kept, unless --loader
names docker, kubectl or systemd, which set nothing from such a line) without quotes,
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
  0  fixed, and the doctor passes live on the new file; or nothing to fix (the value and
     its line need no change) and the doctor passes; --emit: a repaired key was written
  1  nothing fixable, refused (unsafe for .env), declined, or a dry run (no --yes off a
     terminal); also when the doctor still fails (after the fix, or with nothing to fix);
     --emit: nothing was emitted (the key needs no repair or cannot be repaired)
  2  usage or input error (a symbolic link without --follow-symlinks, the file changed
     since it was diagnosed, --emit on a terminal)
  3  not verified: written (or emitted) with --offline; or the API could not be asked

Examples:
  sl-doctor fix                            diagnose, show the change, ask, write, check again
  sl-doctor fix --yes --dotenv .env.prod   the same without asking
  sl-doctor fix --offline                  only the certain repairs, not verified
  sl-doctor fix --key-file sl.key          repair a key file
  set -o pipefail; sl-doctor fix --emit | gh secret set SALESLAYER_API_KEY
                                           pipe the repaired key (pipefail: a pipe's exit
                                           code is otherwise the last program's)";

const CURL_HELP: &str = "\
The key is read by the shell from the variable named by --key-env (default
SALESLAYER_API_KEY) and given to curl on standard input (-H @-), so it is neither in the
command nor in the process list. When sl-doctor finds the key in a key file (--key-file)
or a .env file, the commands first read it from there into that variable (only the key's
line of the .env, cut as --loader's reader delivers it: the dotenv libraries by default),
so they send what sl-doctor sends. A key with a line break cannot be sent by any HTTP
client; curl drops a header line's CR LF, so the script says what its answer then proves.
URLs are in single quotes so that $top and $metadata are not expanded by the shell.
The commands are for the shell of the platform sl-doctor runs on (POSIX on Linux and
macOS, PowerShell on Windows): the output can be pasted whole, or piped into that shell;
--shell all prints both, each block labelled. curl prints each answer's status line,
headers and body, and a line break after the body.
An http:// base URL or --url is refused (exit 2): the key would travel in clear text;
--allow-http prints the commands anyway, with a warning.

--postman writes a Postman environment (baseUrl, and apiKey as an empty secret) and
--postman-collection a Postman collection (v2.1) with the probes on {{baseUrl}} with
X-API-KEY: {{apiKey}}, each testing for a 200: import both into Postman, put the key
into apiKey, and run; or `newman run COLLECTION -e ENVIRONMENT`.

Examples:
  sl-doctor curl                          the DAM and Catalog probes
  sl-doctor curl --api dam | bash         run the DAM probe (needs SALESLAYER_API_KEY)
  sl-doctor curl --shell powershell       the same for PowerShell
  sl-doctor curl --loader docker          the key loaded as `docker run --env-file` delivers it
  sl-doctor curl --url 'https://api2.saleslayer.com/catalog/rest/Catalog/Products?$top=1'
  sl-doctor curl --postman sl.postman_environment.json --postman-collection sl.postman_collection.json";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{parse_resolve, parse_secs};
    use clap::CommandFactory;

    /// Footers are printed as written (clap does not reflow them): no line of prose runs
    /// past the examples' width, so none breaks mid-sentence on a terminal of 100 columns.
    /// A command to copy is one line, whatever its length.
    #[test]
    fn help_footers_keep_their_lines_short() {
        let cli = Cli::command();
        for cmd in std::iter::once(&cli).chain(cli.get_subcommands()) {
            let footer = cmd.get_after_long_help().map(|h| h.to_string());
            let prose = footer.iter().flat_map(|f| f.lines());
            for line in prose.filter(|l| !l.trim_start().starts_with("sl-doctor ")) {
                assert!(
                    line.chars().count() <= 100,
                    "{}: {} columns: {line}",
                    cmd.get_name(),
                    line.chars().count()
                );
            }
        }
    }

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
