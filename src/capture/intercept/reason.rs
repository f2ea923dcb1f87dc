//! What the run says beyond each request: why no request reached the API host (the
//! likely reason, and how to make the runtime comply), other Sales Layer hosts, a
//! command ended at `--timeout`, the key on the command line.

use super::proxy::{ApiHost, Tunnels, authority};
use crate::capture::codes::{NO_REQUEST, NOTHING_PROXIED, OTHER_SALESLAYER_HOST, PROXY_BYPASSED};
use crate::capture::diagnose::Configured;
use sl_doctor_checks::model::report::{Finding, Severity};
use std::ffi::OsStr;
use std::path::Path;

/// The runtimes whose proxy behaviour was measured (docs/capture.md has the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Runtime {
    Node,
    Python,
    Php,
    Go,
    Java,
    Curl,
}

impl Runtime {
    pub(super) fn name(self) -> &'static str {
        match self {
            Runtime::Node => "node",
            Runtime::Python => "python",
            Runtime::Php => "php",
            Runtime::Go => "go",
            Runtime::Java => "java",
            Runtime::Curl => "curl",
        }
    }

    /// Whether some of its common clients refuse a header value with a line break.
    fn refuses_line_breaks(self) -> bool {
        matches!(self, Runtime::Python | Runtime::Go)
    }

    /// Which of its clients ignore the proxy variables, and how to make them comply.
    fn proxy_hint(self) -> &'static str {
        match self {
            Runtime::Node => {
                "Node 20 and 22's built-in fetch ignores proxy variables: capture's preload routes it through the proxy when the application can load the `undici` package (npm install undici), and Node 24 and later honour them (capture sets NODE_USE_ENV_PROXY=1); axios honours HTTPS_PROXY; Node 20/22's `https` module needs a proxy agent in the code"
            }
            Runtime::Python => {
                "requests, httpx and urllib honour HTTPS_PROXY; aiohttp only when the code opens its session with trust_env=True, which capture cannot set from outside"
            }
            Runtime::Php => {
                "PHP's curl extension (and Guzzle's curl handler) honours HTTPS_PROXY; PHP streams (file_get_contents on https://, Guzzle's stream handler) ignore it: use the curl handler, or a stream context with a proxy"
            }
            Runtime::Java => {
                "Java ignores proxy variables (it reads -Dhttps.proxyHost and a trust store of its own, not the environment)"
            }
            Runtime::Go => {
                "Go's net/http honours HTTPS_PROXY, unless the code gives its Transport a Proxy function of its own"
            }
            Runtime::Curl => "curl honours HTTPS_PROXY, unless --noproxy or --proxy is given",
        }
    }
}

/// The runtime of a program name: `python3.11` → Python, `npx` → Node….
fn by_name(name: &str) -> Option<Runtime> {
    let n = name.trim_end_matches(".exe").to_ascii_lowercase();
    let base = n.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "node" | "nodejs" | "npm" | "npx" | "yarn" | "pnpm" => Runtime::Node,
        "python" | "pip" | "pytest" | "poetry" | "pipenv" | "uv" => Runtime::Python,
        "php" | "composer" => Runtime::Php,
        "go" => Runtime::Go,
        "java" | "mvn" | "gradle" | "gradlew" => Runtime::Java,
        "curl" => Runtime::Curl,
        _ => return None,
    })
}

/// The interpreter a `#!` line names (`#!/usr/bin/env -S node --x` → `node`).
fn shebang(first_line: &str) -> Option<&str> {
    let rest = first_line.strip_prefix("#!")?;
    let mut words = rest.split_whitespace();
    let prog = words.next()?;
    let name = Path::new(prog).file_name()?.to_str()?;
    if name == "env" {
        return words.find(|w| !w.starts_with('-'));
    }
    Some(name)
}

/// The runtime of a command: from the program's name, else from its `#!` line (the
/// program found on `path_var` when it has no slash).
pub(super) fn detect(program: &OsStr, path_var: Option<&OsStr>) -> Option<Runtime> {
    let p = Path::new(program);
    if let Some(r) = p.file_name().and_then(OsStr::to_str).and_then(by_name) {
        return Some(r);
    }
    let file = if p.components().count() > 1 {
        Some(p.to_path_buf())
    } else {
        path_var.and_then(|v| {
            std::env::split_paths(v)
                .map(|d| d.join(p))
                .find(|f| f.is_file())
        })
    }?;
    if !file.is_file() {
        return None;
    }
    let mut head = [0u8; 256];
    let n = std::io::Read::read(&mut std::fs::File::open(file).ok()?, &mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    shebang(text.lines().next()?).and_then(by_name)
}

/// Whether `host` looks like a Sales Layer host.
fn sales_layer_like(host: &str) -> bool {
    host.replace(['-', '_'], "").contains("saleslayer")
}

/// Facts about the run, for its findings.
pub(super) struct Run<'a> {
    /// The host whose requests are diagnosed.
    pub api: &'a ApiHost,
    /// The program, as shown.
    pub program: &'a str,
    /// How it ended, in words ("exited with status 1").
    pub ended: &'a str,
    /// Its runtime, when known.
    pub runtime: Option<Runtime>,
    /// Other hosts reached.
    pub tunnels: &'a Tunnels,
    /// The key compared with, when one is configured.
    pub configured: Option<&'a Configured>,
    /// The user's `NO_PROXY`/`no_proxy` entry that names the API host, if any.
    pub bypass: Option<String>,
}

/// The NO_PROXY entry that makes clients skip the proxy for `host`.
pub(super) fn bypass_entry(no_proxy: &str, host: &str) -> Option<String> {
    no_proxy
        .split(',')
        .map(str::trim)
        .find(|e| {
            let e = e.trim_start_matches("*.").trim_start_matches('.');
            let e = e.split(':').next().unwrap_or(e).to_ascii_lowercase();
            !e.is_empty() && (e == "*" || host == e || host.ends_with(&format!(".{e}")))
        })
        .map(str::to_string)
}

/// Why no request reached the API host: the likeliest reason first.
pub(super) fn no_api_request(r: &Run) -> Finding {
    let api = &r.api.host;
    let nothing = format!(
        "No request reached {api} while `{}` ran ({})",
        r.program, r.ended
    );
    let may_refuse = r.runtime.is_none_or(Runtime::refuses_line_breaks);
    if let Some(f) = r
        .configured
        .filter(|_| may_refuse)
        .and_then(|c| crate::capture::refused::line_break_refusal(c, &nothing))
    {
        return f;
    }
    if let Some(entry) = &r.bypass {
        return Finding::new(
            PROXY_BYPASSED,
            format!("{nothing}: NO_PROXY holds `{entry}`, so clients connect to {api} directly, around the proxy"),
        )
        .with_fix(format!("Run capture with NO_PROXY unset or without `{entry}` (e.g. `env -u NO_PROXY -u no_proxy sl-doctor capture -- …`)."));
    }
    let others: Vec<String> = r
        .tunnels
        .hosts
        .keys()
        .map(|(h, p)| authority(h, *p))
        .collect();
    if others.is_empty() {
        let hint = r.runtime.map_or(
            "its HTTP client may ignore proxy variables (Node 20/22's fetch, Java, aiohttp, PHP streams)",
            Runtime::proxy_hint,
        );
        return Finding::new(
            NOTHING_PROXIED,
            format!("{nothing}, and nothing else went through the proxy either: either the command sent no request, or {hint}"),
        )
        .with_fix("Make sure the command reaches the code that calls the Sales Layer API (see its own output above); if its client ignores HTTPS_PROXY, run `sl-doctor capture` without a command and point the application's base URL at it.");
    }
    Finding::new(
        NO_REQUEST,
        format!(
            "{nothing}; it reached {} through the proxy (tunnelled, not decrypted): it honours the proxy but did not call the API",
            crate::render::human::count(others.len(), "other host", "other hosts")
        ),
    )
    .with_fix("Run the code path that calls the Sales Layer API (a sync, an import) under capture; if another process calls it (a worker, a queue consumer), run that one.")
}

/// A warning (or, when nothing reached the API host, the failure) for connections to a
/// Sales Layer host other than the API host.
pub(super) fn other_sales_layer_host(r: &Run, reached_api: bool) -> Option<Finding> {
    let hosts: Vec<String> = r
        .tunnels
        .hosts
        .keys()
        .filter(|(h, _)| sales_layer_like(h))
        .map(|(h, p)| authority(h, *p))
        .collect();
    let first = hosts.first()?;
    let api = &r.api.host;
    let f = if reached_api {
        Finding::with_severity(
            OTHER_SALESLAYER_HOST,
            Severity::Warn,
            format!(
                "The command also connected to {} (tunnelled, not decrypted), not only to {api}",
                hosts.join(", ")
            ),
        )
    } else {
        Finding::new(
            OTHER_SALESLAYER_HOST,
            format!(
                "No request reached {api}: the command connected to {} instead (tunnelled, not decrypted), so its base URL names another host",
                hosts.join(", ")
            ),
        )
    };
    let host = first.split(':').next().unwrap_or(first);
    Some(f.with_fix(format!("The REST API is https://{api}: use it as the base URL. To see what is sent to {host}, run capture with --base-url https://{host}.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_from_names_and_shebangs() {
        let names = [
            ("python3.11", Some(Runtime::Python)),
            ("node", Some(Runtime::Node)),
            ("npx", Some(Runtime::Node)),
            ("php8.2", Some(Runtime::Php)),
            ("go", Some(Runtime::Go)),
            ("curl", Some(Runtime::Curl)),
            ("sh", None),
            ("client", None),
        ];
        for (n, want) in names {
            assert_eq!(by_name(n), want, "{n}");
        }
        let lines = [
            ("#!/usr/bin/env node", Some("node")),
            ("#!/usr/bin/env -S node --no-warnings", Some("node")),
            ("#!/usr/bin/python3 -u", Some("python3")),
            ("#! /bin/sh", Some("sh")),
            ("plain text", None),
        ];
        for (l, want) in lines {
            assert_eq!(shebang(l), want, "{l}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("sync"),
            "#!/usr/bin/env python3\nprint(1)\n",
        )
        .unwrap();
        assert_eq!(
            detect(OsStr::new("sync"), Some(dir.path().as_os_str())),
            Some(Runtime::Python)
        );
        assert_eq!(detect(OsStr::new("sync"), None), None);
    }

    #[test]
    fn the_likeliest_reason_nothing_reached_the_api_host() {
        use crate::capture::codes::HEADER_REFUSED_BY_CLIENT;
        use sl_doctor_checks::model::code::Code;
        use sl_doctor_checks::model::secret::SecretKey;
        use sl_doctor_checks::testing_support::TEST_CANARY;
        let api = ApiHost::from_base_url("https://api2.saleslayer.com").unwrap();
        let broken = Configured {
            name: "SALESLAYER_API_KEY".into(),
            key: SecretKey::from_string(format!("{TEST_CANARY}\n")),
        };
        let tunnels = |hosts: &[&str]| Tunnels {
            hosts: hosts
                .iter()
                .map(|h| (((*h).to_string(), 443), Default::default()))
                .collect(),
            more: 0,
        };
        let (none, pypi, legacy) = (
            tunnels(&[]),
            tunnels(&["pypi.org"]),
            tunnels(&["api.saleslayer.com"]),
        );
        /// (runtime, key, NO_PROXY entry, other hosts) → the finding's code.
        type Row<'a> = (
            Option<Runtime>,
            Option<&'a Configured>,
            Option<&'a str>,
            &'a Tunnels,
            Code,
        );
        #[rustfmt::skip]
        let table: Vec<Row> = vec![
            (None, Some(&broken), None, &none, HEADER_REFUSED_BY_CLIENT),
            (Some(Runtime::Go), Some(&broken), None, &pypi, HEADER_REFUSED_BY_CLIENT),
            // Node trims the line break: not the reason there.
            (Some(Runtime::Node), Some(&broken), None, &none, NOTHING_PROXIED),
            (None, None, Some(".saleslayer.com"), &none, PROXY_BYPASSED),
            (None, None, None, &pypi, NO_REQUEST),
            (Some(Runtime::Java), None, None, &none, NOTHING_PROXIED),
        ];
        for (runtime, configured, bypass, tunnels, want) in table {
            let r = Run {
                api: &api,
                program: "app",
                ended: "exited with status 0",
                runtime,
                tunnels,
                configured,
                bypass: bypass.map(str::to_string),
            };
            let f = no_api_request(&r);
            assert!(f.is(want), "{runtime:?} {bypass:?}: {}", f.message);
            assert!(
                f.message
                    .starts_with("No request reached api2.saleslayer.com while `app` ran")
            );
        }
        let r = Run {
            api: &api,
            program: "app",
            ended: "exited with status 0",
            runtime: None,
            tunnels: &legacy,
            configured: None,
            bypass: None,
        };
        let f = other_sales_layer_host(&r, false).expect("a finding");
        assert_eq!(f.severity, sl_doctor_checks::model::report::Severity::Fail);
        assert!(
            f.fix
                .unwrap()
                .contains("--base-url https://api.saleslayer.com")
        );
        let warn = other_sales_layer_host(&r, true).expect("a finding");
        assert_eq!(
            warn.severity,
            sl_doctor_checks::model::report::Severity::Warn
        );
        assert!(
            other_sales_layer_host(
                &Run {
                    tunnels: &pypi,
                    ..r
                },
                false
            )
            .is_none()
        );
    }

    #[test]
    fn no_proxy_entries_that_bypass_the_api_host() {
        let host = "api2.saleslayer.com";
        let table = [
            ("localhost,127.0.0.1", None),
            ("localhost, .saleslayer.com", Some(".saleslayer.com")),
            ("*.saleslayer.com", Some("*.saleslayer.com")),
            ("api2.saleslayer.com:443", Some("api2.saleslayer.com:443")),
            ("*", Some("*")),
            ("layer.com", None),
        ];
        for (v, want) in table {
            assert_eq!(bypass_entry(v, host).as_deref(), want, "{v}");
        }
    }
}
