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

pub use load::KeyLoad;

use crate::args::{ApiChoice, CurlArgs, CurlShell};
use sl_doctor_checks::analysis::urls::redact;
use sl_doctor_checks::net::probe::{self, ApiProbe};
use std::ffi::OsString;
use std::fmt::Write;
use std::path::Path;

/// The Postman environment name of the official template.
pub const POSTMAN_ENV_NAME: &str = "Sales Layer API - Template";

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
}

/// Quotes for a POSIX shell: single quotes, `'` as `'\''`. A `##[` (which GitHub's runner
/// reads as a workflow command anywhere in a log line) is split into two adjacent quoted
/// strings, `'#''#['`: the same word to the shell.
pub fn sh_quote(s: &str) -> String {
    let parts: Vec<String> = split_legacy_command(s)
        .iter()
        .map(|p| format!("'{}'", p.replace('\'', r"'\''")))
        .collect();
    parts.concat()
}

/// `s` cut between the two `#` of every `##[`, so that no part holds one.
fn split_legacy_command(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(sl_doctor_checks::model::untrusted::LEGACY_COMMAND) {
        parts.push(&rest[..=i]);
        rest = &rest[i + 1..];
    }
    parts.push(rest);
    parts
}

/// The characters PowerShell takes as a single quote: `'` and the typographic quotes
/// U+2018, U+2019, U+201A and U+201B all open and close a single-quoted string.
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// Quotes for PowerShell: single quotes (no expansion), every PowerShell single-quote
/// character doubled inside. A `##[` splits the string into a parenthesised concatenation
/// (`('a#'+'#[b')`), the same value as an argument or in an expression.
pub fn ps_quote(s: &str) -> String {
    let parts: Vec<String> = split_legacy_command(s)
        .iter()
        .map(|p| ps_quote_part(p))
        .collect();
    if parts.len() == 1 {
        parts.concat()
    } else {
        format!("({})", parts.join("+"))
    }
}

fn ps_quote_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        out.push(c);
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Whether `name` can be used as `$name` in both shells.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn curl_options(spec: &Spec, quote: fn(&str) -> String) -> String {
    let mut o = String::from("--silent --show-error --fail-with-body --include --max-time 30");
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
    o
}

/// The commands for `requests`, with a header explaining how the key is passed.
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
    spec.load.write_prelude(&mut out, spec);
    for c in spec.caveats {
        let _ = writeln!(out, "# {c}");
    }
    for r in requests {
        let _ = writeln!(out, "\n# {}: GET {}", r.label, r.url);
        if let Some(note) = &r.note {
            let _ = writeln!(out, "# {note}");
        }
        if matches!(spec.shell, CurlShell::All | CurlShell::Posix) {
            if spec.shell == CurlShell::All {
                let _ = writeln!(
                    out,
                    "# POSIX shell (bash, zsh): the key reaches curl on standard input, not its command line"
                );
            }
            let _ = writeln!(
                out,
                "printf 'X-API-KEY: %s\\n' \"${{{var}:?is not set}}\" \\\n  | curl {} \\\n      --header @- --header 'Accept: application/json' \\\n      {}",
                curl_options(spec, sh_quote),
                sh_quote(&r.url)
            );
        }
        if matches!(spec.shell, CurlShell::All | CurlShell::Powershell) {
            let _ = writeln!(out, "# PowerShell");
            if spec.ca_cert.is_some() {
                let _ = writeln!(
                    out,
                    "# (Invoke-RestMethod trusts the Windows certificate store: import the CA there, or use curl.exe below)"
                );
            }
            let _ = writeln!(
                out,
                "Invoke-RestMethod -Method Get -Uri {} -Headers @{{ 'X-API-KEY' = $env:{var}; 'Accept' = 'application/json' }}",
                ps_quote(&r.url)
            );
            let _ = writeln!(out, "# PowerShell with curl.exe");
            let _ = writeln!(
                out,
                "\"X-API-KEY: $env:{var}\" | curl.exe {} --header '@-' --header 'Accept: application/json' {}",
                curl_options(spec, ps_quote),
                ps_quote(&r.url)
            );
        }
    }
    out
}

/// A Postman environment with the official collection's variable names: `baseUrl` (the
/// origin of the base URL) and `apiKey` as an empty `secret`.
pub fn postman_environment(base_origin: &str) -> String {
    let env = serde_json::json!({
        "name": POSTMAN_ENV_NAME,
        "values": [
            { "key": "baseUrl", "value": base_origin, "type": "default", "enabled": true },
            { "key": "apiKey", "value": "", "type": "secret", "enabled": true }
        ],
        "_postman_variable_scope": "environment",
        "_postman_exported_using": format!("sl-doctor/{}", env!("CARGO_PKG_VERSION")),
    });
    let mut s = serde_json::to_string_pretty(&env).expect("JSON values serialise");
    s.push('\n');
    s
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
    };
    let mut out = render(&requests, &spec);
    if let Some(path) = &args.postman {
        let parsed = url::Url::parse(base.trim()).map_err(|e| format!("--base-url: {e}"))?;
        let origin = parsed.origin().ascii_serialization();
        let env_file = postman_environment(&origin);
        crate::files::write_private(path, env_file.as_bytes(), crate::files::Links::Refuse)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let _ = writeln!(
            out,
            "\n# Postman environment \"{POSTMAN_ENV_NAME}\" written to {}: baseUrl = {origin},\n\
             # apiKey = an empty secret (paste the key into its Current value in Postman; it is not in the file).",
            path.display()
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
