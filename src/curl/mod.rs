//! `sl-doctor curl`: the probe requests as commands to run by hand (checklist item
//! "works in curl"), and a Postman environment matching the official collection.
//!
//! The key is never written: the POSIX command reads it from `$NAME` and hands it to curl
//! on standard input (`--header @-`), so it is in neither the command line nor the process
//! list; PowerShell reads `$env:NAME`. URLs are single-quoted so `$top` and `$metadata`
//! survive the shell.
//!
//! The commands load the key the way the doctor found it (`load.rs`), so they reproduce
//! the doctor's request: from the key file, from the `.env` line, or from the variable.
//! An `http://` base URL or `--url` is refused unless `--allow-http` (the key would
//! travel in clear), and then the output says so at the top.

mod load;
mod postman;
mod proxy;

pub use load::KeyLoad;
pub use proxy::CurlProxy;

use crate::args::{ApiChoice, CurlArgs, CurlShell};
use sl_doctor_checks::analysis::urls::redact;
use sl_doctor_checks::net::probe::{self, ApiProbe};
use sl_doctor_checks::saleslayer::KEY_HEADER;
use sl_doctor_checks::shell::{ps_quote, sh_quote};
use std::ffi::OsString;
use std::fmt::Write;
use std::path::Path;

/// One request to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// What it is, e.g. `DAM probe`.
    pub label: String,
    /// The URL, safe to show.
    pub url: String,
    /// A note printed above it, when any.
    pub note: Option<String>,
}

/// What goes into every command.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    /// The variable holding the key.
    pub key_env: &'a str,
    /// How the commands get the key into that variable.
    pub load: &'a KeyLoad,
    /// `--cacert`.
    pub ca_cert: Option<&'a Path>,
    /// `--resolve`.
    pub resolve: &'a [(String, u16, std::net::IpAddr)],
    /// Which shells.
    pub shell: CurlShell,
    /// The commands use plain http (`--allow-http`): the key travels in clear.
    pub http: bool,
    /// What the script must say about the key it loads (`load::caveats`).
    pub caveats: &'a [String],
    /// `--proxy` / `--no-proxy`.
    pub proxy: &'a CurlProxy,
}

/// Whether `name` can be used as `$name` in both shells.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn curl_options(spec: &Spec, quote: fn(&str) -> String) -> String {
    // `--write-out '\n'`: a body that does not end with a line break would run into the
    // next command's output (curl interprets the `\n`, in both shells).
    let mut o = String::from(
        "--silent --show-error --fail-with-body --include --max-time 30 --write-out '\\n'",
    );
    if let Some(ca) = spec.ca_cert {
        let _ = write!(o, " --cacert {}", quote(&ca.display().to_string()));
    }
    for (host, port, addr) in spec.resolve {
        let addr = match addr {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            a => a.to_string(),
        };
        let _ = write!(o, " --resolve {}", quote(&format!("{host}:{port}:{addr}")));
    }
    o.push_str(&spec.proxy.options(spec.shell, quote));
    o
}

/// The commands for `requests`, with a header explaining how the key is passed: one
/// script for the shell of `spec`, or with `--shell all` one per shell, each under a
/// label and each pasteable (or pipeable into its shell) as a whole.
pub fn render(requests: &[Request], spec: &Spec) -> String {
    let var = spec.key_env;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# sl-doctor curl: the requests sl-doctor makes, to run yourself.\n\
         # The key is read from ${var} and never written here. URLs are in single quotes so\n\
         # the shell does not expand $top or $metadata."
    );
    if spec.http {
        let _ = writeln!(
            out,
            "# WARNING: these URLs use http://, so the key travels in clear text: anyone on the\n\
             # network path can read it (printed because of --allow-http). Use https://."
        );
    }
    match spec.shell {
        CurlShell::All => {
            for shell in [CurlShell::Posix, CurlShell::Powershell] {
                let _ = writeln!(out, "\n{}", shell_label(shell, true));
                script(
                    &mut out,
                    requests,
                    &Spec {
                        shell,
                        ..spec.clone()
                    },
                );
            }
        }
        shell => {
            let _ = writeln!(out, "{}", shell_label(shell, false));
            script(&mut out, requests, spec);
        }
    }
    out
}

/// What a block is for, and how to run it whole.
fn shell_label(shell: CurlShell, both: bool) -> &'static str {
    match (shell, both) {
        (CurlShell::Posix, false) => {
            "# For a POSIX shell (bash, zsh, sh): paste it whole, or pipe it into bash.\n\
             # For PowerShell: sl-doctor curl --shell powershell"
        }
        (CurlShell::Powershell, false) => {
            "# For PowerShell: paste it whole into a PowerShell window.\n\
             # For a POSIX shell (bash, zsh): sl-doctor curl --shell posix"
        }
        (CurlShell::Posix, true) => {
            "# ===== POSIX shell (bash, zsh, sh): paste this block whole, down to the PowerShell one ====="
        }
        _ => "# ===== PowerShell: paste this block whole, down to the end =====",
    }
}

/// One shell's script: how the key is loaded, then each request.
fn script(out: &mut String, requests: &[Request], spec: &Spec) {
    let var = spec.key_env;
    spec.load.write_prelude(out, spec);
    if let Some(p) = spec.proxy.prelude(spec.shell) {
        let _ = writeln!(out, "{p}");
    }
    for c in spec.caveats {
        let _ = writeln!(out, "# {}", load::prose(c));
    }
    for r in requests {
        let _ = writeln!(out, "\n# {}: GET {}", r.label, r.url);
        if let Some(note) = &r.note {
            let _ = writeln!(out, "# {note}");
        }
        // An unset variable stops before curl: `${VAR:?}` on the left of a pipe fails
        // only there, and curl would send the request without the key (a 401 that reads
        // as a rejection).
        if spec.shell == CurlShell::Posix {
            let _ = writeln!(
                out,
                "# the key reaches curl on standard input, not its command line\n\
                 if [ -n \"${{{var}:-}}\" ]; then\n  \
                 printf '{KEY_HEADER}: %s\\n' \"${var}\" \\\n    | curl {} \\\n        --header @- --header 'Accept: application/json' \\\n        {}\n\
                 else\n  echo '{var} is not set: the request was not sent (set it first, see above)' >&2\n  false\nfi",
                curl_options(spec, sh_quote),
                sh_quote(&r.url)
            );
        } else {
            // curl.exe (in Windows since 10) shows the status line and the request ids as
            // the POSIX command does; Invoke-RestMethod is the fallback, commented out so
            // that pasting the block sends each request once.
            let _ = writeln!(
                out,
                "if ($env:{var}) {{ \"{KEY_HEADER}: $env:{var}\" | curl.exe {} --header '@-' --header 'Accept: application/json' {} }} else {{ Write-Error '{var} is not set: the request was not sent (set it first, see above)' }}",
                curl_options(spec, ps_quote),
                ps_quote(&r.url)
            );
            let _ = writeln!(
                out,
                "# without curl.exe{}:\n# Invoke-RestMethod -Method Get -Uri {} -Headers @{{ '{KEY_HEADER}' = $env:{var}; 'Accept' = 'application/json' }}",
                if spec.ca_cert.is_some() {
                    " (Invoke-RestMethod trusts the Windows certificate store: import the CA there)"
                } else {
                    ""
                },
                ps_quote(&r.url)
            );
        }
    }
}

fn probe_request(base: &str, spec: &ApiProbe) -> Result<Request, String> {
    let url = probe::probe_url(base, spec).map_err(|e| format!("--base-url: {e}"))?;
    Ok(Request {
        label: format!("{} probe", spec.name),
        url: url.to_string(),
        note: None,
    })
}

/// Refuses an http:// URL unless `--allow-http`: the commands would send the key in
/// clear. `what` names the flag. Returns whether the URL is http.
fn check_http(url: &str, what: &str, allow: bool) -> Result<bool, String> {
    let http = url
        .trim()
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("http://"));
    if http && !allow {
        return Err(format!(
            "{what} is http://: the printed commands would send the key in clear text, readable by anyone on the network path. Use https:// (the API only serves https), or add --allow-http for a test server you control"
        ));
    }
    Ok(http)
}

/// `sl-doctor curl`: the text for standard output (and the Postman file, when asked).
pub fn run(args: &CurlArgs, env: &[(OsString, OsString)]) -> Result<String, String> {
    let key_env = &args.keys.key_env;
    sl_doctor_checks::input::misplaced::check_name("--key-env", key_env, env)
        .map_err(|e| e.to_string())?;
    if !is_var_name(key_env) {
        return Err(format!(
            "--key-env '{key_env}' is not a shell variable name (letters, digits and _, not starting with a digit)"
        ));
    }
    let proxy = CurlProxy::from_flags(args.proxy.as_deref(), args.no_proxy)?;
    let base = crate::config::base_url(args.base_url.as_deref(), env);
    let mut http = check_http(&base, "the base URL", args.allow_http)?;
    if let Some(u) = &args.url {
        http |= check_http(u, "--url", args.allow_http)?;
    }
    // Where the doctor finds the key decides how the commands load it; the value is
    // only used to redact a --url that may contain it, and never printed.
    let state = crate::config::collect_keys(&args.keys, env).map_err(|e| e.to_string())?;
    let load = KeyLoad::of(&state);
    let caveats = load::caveats(&state);
    let key = state.key();
    let mut requests = Vec::new();
    if matches!(args.api, ApiChoice::Dam | ApiChoice::All) {
        requests.push(probe_request(&base, &probe::DAM)?);
    }
    if matches!(args.api, ApiChoice::Catalog | ApiChoice::All) {
        requests.push(probe_request(&base, &probe::CATALOG)?);
    }
    if let Some(u) = &args.url {
        let parsed = url::Url::parse(u.trim())
            .map_err(|e| format!("--url is not a URL ({e}); quote it in single quotes"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("--url is not an http(s) URL".into());
        }
        let shown = redact(u.trim(), key);
        let note = (shown != u.trim()).then(|| {
            "user info, query values and the fragment are shown as [redacted] (they may hold secrets): put back the ones that are not".to_string()
        });
        requests.push(Request {
            label: "your URL (--url)".into(),
            url: shown,
            note,
        });
    }
    let spec = Spec {
        key_env,
        load: &load,
        ca_cert: args.ca_cert.as_deref(),
        resolve: &args.resolve,
        shell: args.shell,
        http,
        caveats: &caveats,
        proxy: &proxy,
    };
    let mut out = render(&requests, &spec);
    postman::write_files(args, &base, &mut out)?;
    // Every command quotes its words so that they hold no control character and no `##[`
    // (`shell`), and the comments neutralise the names they quote: this pass changes
    // nothing then, and guards a CI log all the same.
    Ok(crate::render::human::safe_lines(&out))
}

#[cfg(test)]
mod tests;
