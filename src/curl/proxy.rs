//! `sl-doctor curl --proxy URL` / `--no-proxy`: the printed commands take the route the
//! doctor took. The proxy's credentials are never written into the script: the command
//! reads them from a variable the user sets first (`--proxy-user "$SL_DOCTOR_PROXY_USER"`).

use crate::args::CurlShell;
use std::fmt::Write;

/// The variable the printed commands read the proxy's `user:password` from.
pub const PROXY_USER_VAR: &str = "SL_DOCTOR_PROXY_USER";

/// The route the printed commands take.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CurlProxy {
    /// curl's own reading of the environment (`https_proxy`…), as without the flags.
    #[default]
    Environment,
    /// `--no-proxy`: `--noproxy '*'`.
    Direct,
    /// `--proxy URL`: `scheme://host:port` (no credentials), and whether it had some.
    Url { shown: String, credentials: bool },
}

impl CurlProxy {
    /// From the command line; an unusable `--proxy` is a usage error (credentials hidden).
    pub fn from_flags(proxy: Option<&str>, no_proxy: bool) -> Result<CurlProxy, String> {
        if no_proxy {
            return Ok(CurlProxy::Direct);
        }
        let Some(raw) = proxy else {
            return Ok(CurlProxy::Environment);
        };
        sl_doctor_checks::net::proxy::check_flag(raw)?;
        let raw = raw.trim();
        let with_scheme = if raw.contains("://") {
            raw.to_string()
        } else {
            format!("http://{raw}")
        };
        let u = url::Url::parse(&with_scheme).map_err(|_| {
            let shown = sl_doctor_checks::net::proxy::redact_proxy_value(raw).0;
            format!("--proxy {shown}: not a usable proxy URL")
        })?;
        let host = u.host_str().unwrap_or_default();
        let shown = match u.port() {
            Some(p) => format!("{}://{host}:{p}", u.scheme()),
            None => format!("{}://{host}", u.scheme()),
        };
        Ok(CurlProxy::Url {
            shown,
            credentials: !u.username().is_empty() || u.password().is_some(),
        })
    }

    /// The curl options (`quote` is the shell's quoting).
    pub fn options(&self, shell: CurlShell, quote: fn(&str) -> String) -> String {
        match self {
            CurlProxy::Environment => String::new(),
            CurlProxy::Direct => format!(" --noproxy {}", quote("*")),
            CurlProxy::Url { shown, credentials } => {
                let mut o = format!(" --proxy {}", quote(shown));
                if *credentials {
                    let _ = match shell {
                        CurlShell::Powershell => {
                            write!(o, " --proxy-user $env:{PROXY_USER_VAR}")
                        }
                        _ => write!(o, " --proxy-user \"${PROXY_USER_VAR}\""),
                    };
                }
                o
            }
        }
    }

    /// What the script says at its top about the route, when anything.
    pub fn prelude(&self, shell: CurlShell) -> Option<String> {
        match self {
            CurlProxy::Environment => None,
            CurlProxy::Direct => {
                Some("# --no-proxy: the commands connect directly (--noproxy '*').".into())
            }
            CurlProxy::Url { shown, credentials } => {
                let mut s = format!("# --proxy: the commands go through {shown}.");
                if *credentials {
                    let set = match shell {
                        CurlShell::Powershell => {
                            format!("$env:{PROXY_USER_VAR} = Read-Host -MaskInput")
                        }
                        _ => format!("read -rs {PROXY_USER_VAR}"),
                    };
                    let _ = write!(
                        s,
                        "\n# The proxy's user:password is not written here: set {PROXY_USER_VAR} to it first ({set}, then type user:password and Enter)."
                    );
                }
                Some(s)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::shell::sh_quote;

    #[test]
    fn flags_become_curl_options_without_credentials() {
        // (--proxy, --no-proxy, POSIX options)
        let cases: [(Option<&str>, bool, &str); 5] = [
            (None, false, ""),
            (None, true, " --noproxy '*'"),
            (
                Some("http://127.0.0.1:3128"),
                false,
                " --proxy http://127.0.0.1:3128",
            ),
            (
                Some("proxy.corp.example:8080"),
                false,
                " --proxy http://proxy.corp.example:8080",
            ),
            (
                Some("socks5h://alice:s3cr3t@127.0.0.1:1080"),
                false,
                " --proxy socks5h://127.0.0.1:1080 --proxy-user \"$SL_DOCTOR_PROXY_USER\"",
            ),
        ];
        for (proxy, no, want) in cases {
            let p = CurlProxy::from_flags(proxy, no).unwrap();
            assert_eq!(p.options(CurlShell::Posix, sh_quote), want, "{proxy:?}");
            let prelude = p.prelude(CurlShell::Posix).unwrap_or_default();
            assert!(
                !prelude.contains("s3cr3t") && !prelude.contains("alice"),
                "{prelude}"
            );
        }
        let e = CurlProxy::from_flags(Some("ftp://alice:s3cr3t@h:21"), false).unwrap_err();
        assert!(
            e.contains("not a usable proxy URL") && !e.contains("s3cr3t"),
            "{e}"
        );
    }
}
