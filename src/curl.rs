//! `sl-doctor curl`: the probe requests as commands to run by hand (checklist item
//! "works in curl"), and a Postman environment matching the official collection.
//!
//! The key is never written: the POSIX command reads it from `$NAME` and hands it to curl
//! on standard input (`--header @-`), so it is in neither the command line nor the process
//! list; PowerShell reads `$env:NAME`. URLs are single-quoted so `$top` and `$metadata`
//! survive the shell.

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
    /// `--cacert`.
    pub ca_cert: Option<&'a Path>,
    /// `--resolve`.
    pub resolve: &'a [(String, u16, std::net::IpAddr)],
    /// Which shells.
    pub shell: CurlShell,
}

/// Quotes for a POSIX shell: single quotes, `'` as `'\''`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Quotes for PowerShell: single quotes (no expansion), `'` as `''`.
pub fn ps_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
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

/// `sl-doctor curl`: the text for standard output (and the Postman file, when asked).
pub fn run(args: &CurlArgs, env: &[(OsString, OsString)]) -> Result<String, String> {
    if !is_var_name(&args.key_env) {
        return Err(format!(
            "--key-env '{}' is not a shell variable name (letters, digits and _, not starting with a digit)",
            args.key_env
        ));
    }
    // Only to redact a --url that may contain the key; never printed.
    let key = crate::config::env_secret(env, &args.key_env);
    let base = crate::config::base_url(args.base_url.as_deref(), env);
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
        let shown = redact(u.trim(), key.as_ref());
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
        key_env: &args.key_env,
        ca_cert: args.ca_cert.as_deref(),
        resolve: &args.resolve,
        shell: args.shell,
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
mod tests {
    use super::*;

    fn spec(shell: CurlShell) -> Spec<'static> {
        Spec {
            key_env: "SALESLAYER_API_KEY",
            ca_cert: None,
            resolve: &[],
            shell,
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("a'b$top"), r"'a'\''b$top'");
        assert_eq!(ps_quote("a'b$top"), "'a''b$top'");
        assert!(is_var_name("SALESLAYER_API_KEY") && is_var_name("_k1"));
        assert!(!is_var_name("1K") && !is_var_name("SL-KEY") && !is_var_name(""));
    }

    #[test]
    fn snapshot_of_both_probes_with_ca_and_resolve() {
        let reqs = [
            probe_request("https://api2.saleslayer.com", &probe::DAM).unwrap(),
            probe_request("https://api2.saleslayer.com/", &probe::CATALOG).unwrap(),
        ];
        let resolve = [(
            "api2.saleslayer.com".to_string(),
            443,
            "127.0.0.1".parse().unwrap(),
        )];
        let ca = std::path::PathBuf::from("certs/it's-ca.pem");
        let s = Spec {
            ca_cert: Some(&ca),
            resolve: &resolve,
            ..spec(CurlShell::All)
        };
        let text = render(&reqs, &s);
        assert!(text.contains("'https://api2.saleslayer.com/dam/image?$top=1'"));
        assert!(text.contains("'https://api2.saleslayer.com/catalog/rest/Catalog/$metadata'"));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn posix_only_has_no_powershell() {
        let reqs = [probe_request("https://api2.saleslayer.com", &probe::DAM).unwrap()];
        let text = render(&reqs, &spec(CurlShell::Posix));
        assert!(!text.contains("Invoke-RestMethod") && !text.contains("curl.exe"));
        assert!(text.contains("\"${SALESLAYER_API_KEY:?is not set}\""));
    }

    #[test]
    fn postman_environment_matches_the_collection() {
        let v: serde_json::Value =
            serde_json::from_str(&postman_environment("https://api2.saleslayer.com")).unwrap();
        assert_eq!(v["name"], POSTMAN_ENV_NAME);
        assert_eq!(v["_postman_variable_scope"], "environment");
        let vals = v["values"].as_array().unwrap();
        assert_eq!(vals[0]["key"], "baseUrl");
        assert_eq!(vals[0]["value"], "https://api2.saleslayer.com");
        assert_eq!(vals[1]["key"], "apiKey");
        assert_eq!(vals[1]["type"], "secret");
        assert_eq!(vals[1]["value"], "");
    }
}
