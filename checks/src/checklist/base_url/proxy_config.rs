//! `proxy-config`: which proxy the API request goes through, and whether it is reachable.
//!
//! Lists the proxy variables that are set (names and `host:port` only, credentials
//! redacted), decides as curl does whether the base URL goes through a proxy (see
//! [`crate::net::proxy`]), and when it does, reports whether the proxy was reached.
//!
//! Reachability is read from the run's shared connection ([`crate::net::shared`]), the one
//! `tls-connection` and the probes use: a TCP connection of its own, closed before any
//! request, would leave an error line in the proxy's log on every run (squid:
//! `NONE_NONE/000 … error:transaction-end-before-headers`).

use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, Status};
use crate::net::endpoint::{ConnectError, Target, ms};
use crate::net::proxy::{self, Decision, Direct, Proxy, Route};

crate::check! {
    /// The `proxy-config` check.
    ProxyConfig: "proxy-config", BaseUrl, "The proxy settings send the API request where you expect, and the proxy is reachable",
    network,
    codes: &[
        IGNORED_PROXY_VARIABLE, PROXY_VARIABLES_DIFFER, PROXY_CREDENTIALS, LOOPBACK_THROUGH_PROXY,
        PLAIN_HTTP_THROUGH_PROXY, PROXY_SCHEME, PROXY_DNS_TIMEOUT, PROXY_UNRESOLVABLE,
        PROXY_TIMEOUT, PROXY_UNREACHABLE,
    ],
}

pub const IGNORED_PROXY_VARIABLE: Code = Code::warn(
    "ignored-proxy-variable",
    "A proxy setting is ignored: a mis-cased name (which Python reads, curl and Go do not), or not a usable proxy URL",
);
pub const PROXY_VARIABLES_DIFFER: Code = Code::warn(
    "proxy-variables-differ",
    "The lower- and upper-case names of a proxy variable hold different values: most clients use the lower-case one, Go the upper-case one",
);
pub const PROXY_CREDENTIALS: Code = Code::info(
    "proxy-credentials",
    "A proxy variable contains credentials (user:password@, not shown)",
);
pub const LOOPBACK_THROUGH_PROXY: Code = Code::warn(
    "loopback-through-proxy",
    "Requests to a loopback target go through the proxy: NO_PROXY does not exclude it",
);
pub const PLAIN_HTTP_THROUGH_PROXY: Code = Code::warn(
    "plain-http-through-proxy",
    "The base URL is http://, so the proxy sees the whole request, X-API-KEY included",
);
pub const PROXY_SCHEME: Code = Code::info(
    "proxy-scheme",
    "The proxy is not an http:// proxy (e.g. socks5://), which HTTP clients must support explicitly",
);
pub const PROXY_DNS_TIMEOUT: Code = Code::warn(
    "proxy-dns-timeout",
    "The proxy host did not resolve within the timeout (inconclusive)",
);
pub const PROXY_UNRESOLVABLE: Code =
    Code::fail("proxy-unresolvable", "The proxy host cannot be resolved");
pub const PROXY_TIMEOUT: Code = Code::fail(
    "proxy-timeout",
    "The proxy did not accept a TCP connection within the timeout",
);
pub const PROXY_UNREACHABLE: Code = Code::fail(
    "proxy-unreachable",
    "The proxy refused the TCP connection or cannot be reached",
);

/// The proxy settings in force: the variables (credentials redacted), the flags, the
/// ignored variables and the ones that carry credentials.
fn settings(cx: &Context, d: &Decision) -> Outcome {
    let mut o = Outcome::default();
    if d.vars.is_empty() {
        o = o.detail("environment: no proxy variable is set");
    }
    for v in &d.vars {
        o = o.detail(format!("{}={}", v.name, v.shown));
    }
    if let Some(p) = &cx.net.proxy {
        o = o.detail(format!("--proxy {}", proxy::redact_proxy_value(p).0));
    }
    if cx.net.no_proxy {
        o = o.detail("--no-proxy: proxies are turned off");
    }
    for (name, why) in &d.ignored {
        let fix = if name.starts_with('-')
            || *name == name.to_ascii_lowercase()
            || *name == name.to_ascii_uppercase()
        {
            "Set the proxy in https_proxy (or HTTPS_PROXY) as http://host:port, or unset the unused variable so your tools agree.".to_string()
        } else {
            let (lower, upper) = (name.to_ascii_lowercase(), name.to_ascii_uppercase());
            format!(
                "Rename {name} to {lower} and {upper} if every program should use this proxy, or unset it, so that Python programs and everything else take the same route."
            )
        };
        o = o.finding(
            Finding::new(IGNORED_PROXY_VARIABLE, format!("{name} is ignored: {why}")).with_fix(fix),
        );
    }
    for v in &d.differing {
        let (lower, upper) = (&v.used.name, &v.upper.name);
        o = o.finding(
            Finding::new(
                PROXY_VARIABLES_DIFFER,
                format!(
                    "{lower} ({}) and {upper} ({}) differ: sl-doctor uses {lower}, as curl, PHP, Python and Node do, but Go programs use {upper}",
                    v.used.shown, v.upper.shown
                ),
            )
            .with_fix(format!("Give {lower} and {upper} the same value, or unset one of them, so that every program on this machine takes the same route.")),
        );
    }
    for v in d.vars.iter().filter(|v| v.has_credentials) {
        o = o.finding(Finding::new(
            PROXY_CREDENTIALS,
            format!(
                "{} contains credentials (user:password@, not shown)",
                v.name
            ),
        ));
    }
    o
}

fn direct(mut o: Outcome, t: &Target, why: &Direct) -> Outcome {
    o.summary = match why {
        Direct::NoneConfigured => format!(
            "Direct connection to {} (no proxy configured for {}://)",
            t.authority(),
            t.scheme
        ),
        Direct::DisabledByFlag => format!("Direct connection to {} (--no-proxy)", t.authority()),
        Direct::Excluded(var) => format!(
            "Direct connection to {}: the host is excluded by {var}",
            t.authority()
        ),
    };
    o.detail("route: direct")
}

/// What going through this proxy means for this target: loopback not bypassed, the key
/// in clear over http, a scheme clients need support for.
fn route_findings(mut o: Outcome, t: &Target, p: &Proxy) -> Outcome {
    o = o.detail(format!(
        "route: through {} (from {})",
        p.display(),
        p.source.describe()
    ));
    if t.is_loopback() {
        o = o.finding(
            Finding::new(
                LOOPBACK_THROUGH_PROXY,
                format!(
                    "The target {} is on this machine, but requests to it go through the proxy {} (loopback is not bypassed automatically)",
                    t.authority(),
                    p.display()
                ),
            )
            .with_fix("Add localhost,127.0.0.1,::1 to NO_PROXY (and no_proxy), or run with --no-proxy."),
        );
    }
    if !t.is_https() {
        o = o.finding(
            Finding::new(
                PLAIN_HTTP_THROUGH_PROXY,
                format!(
                    "The base URL is http://, so the proxy {} receives the whole request in clear text, X-API-KEY included",
                    p.display()
                ),
            )
            .with_fix("Use https://api2.saleslayer.com: through a proxy, https requests are tunnelled (CONNECT) and the proxy never sees the key."),
        );
    }
    if !p.is_http() {
        o = o.finding(Finding::new(
            PROXY_SCHEME,
            format!(
                "The proxy uses {}://; HTTP clients need explicit support for it (reqwest: the `socks` feature for socks5://); sl-doctor tunnels http, https, socks5 and socks5h",
                p.scheme
            ),
        ));
    }
    o
}

fn fix_for(p: &Proxy) -> String {
    format!(
        "Check the proxy address in {} with your network administrator, or unset it (or use --no-proxy) if this machine connects directly.",
        p.source.describe()
    )
}

fn unresolvable(cx: &Context, mut o: Outcome, p: &Proxy, e: ConnectError) -> Outcome {
    if let ConnectError::ResolveTimeout = e {
        o.summary = format!("The proxy host {} did not resolve in time", p.host);
        o.status = Some(Status::Error);
        return o.finding(
            Finding::new(
                PROXY_DNS_TIMEOUT,
                format!(
                    "The proxy host {} could not be resolved within {} ms",
                    p.host,
                    cx.net.timeout.as_millis()
                ),
            )
            .with_fix(fix_for(p)),
        );
    }
    o.summary = format!("The proxy host {} cannot be resolved", p.host);
    let why = match e {
        ConnectError::Resolve(m) => m,
        _ => "no address".into(),
    };
    o.finding(
        Finding::new(
            PROXY_UNRESOLVABLE,
            format!(
                "The proxy host {} from {} cannot be resolved: {why}",
                p.host,
                p.source.describe()
            ),
        )
        .with_fix(fix_for(p)),
    )
}

fn unreachable(cx: &Context, mut o: Outcome, p: &Proxy, e: &ConnectError) -> Outcome {
    let (what, timeout) = match e {
        ConnectError::Refused(a) => (format!("refused the connection ({a})"), false),
        ConnectError::Timeout(a) => (
            format!(
                "did not accept a connection within {} ms{}",
                cx.net.timeout.as_millis(),
                a.map(|a| format!(" ({a})")).unwrap_or_default()
            ),
            true,
        ),
        ConnectError::Other(a, err) => (format!("cannot be reached ({a}): {err}"), false),
        ConnectError::Resolve(m) => (format!("cannot be resolved: {m}"), false),
        ConnectError::ResolveTimeout => ("did not resolve in time".into(), true),
    };
    o.summary = format!("The proxy {} is unreachable", p.display());
    o.finding(
        Finding::new(
            if timeout {
                PROXY_TIMEOUT
            } else {
                PROXY_UNREACHABLE
            },
            format!(
                "The proxy {} (from {}) {what}: every request through it fails",
                p.authority(),
                p.source.describe()
            ),
        )
        .with_fix(fix_for(p)),
    )
}

/// Whether the proxy was reached: the first hop of the run's shared connection.
async fn reachability(cx: &Context, mut o: Outcome, p: &Proxy) -> Outcome {
    let hop = match cx.conn.open(cx).await {
        Ok(opened) => opened.first_hop.clone(),
        Err(_) => None,
    };
    let through = format!(
        "Through proxy {} (from {})",
        p.display(),
        p.source.describe()
    );
    match hop {
        Some(Ok((took, remote))) => {
            o.summary = format!("{through}, reachable in {}", ms(took));
            o.detail(format!("proxy tcp: {} ({remote})", ms(took)))
        }
        Some(Err(e @ (ConnectError::Resolve(_) | ConnectError::ResolveTimeout))) => {
            unresolvable(cx, o, p, e)
        }
        Some(Err(e)) => unreachable(cx, o, p, &e),
        None => {
            o.summary = format!("{through} (not connected: see tls-connection)");
            o
        }
    }
}

impl ProxyConfig {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let t = Target::from_context(cx)?;
        let d = proxy::decide(&cx.net, &t);
        let o = settings(cx, &d);
        Ok(match &d.route {
            Route::Direct(why) => direct(o, &t, why),
            Route::Proxy(p) => {
                let o = route_findings(o, &t, p);
                reachability(cx, o, p).await
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::Status;
    use crate::testing_support::{assert_result, codes};
    use crate::testing_support::{cx_with_base_url, run};
    use std::time::Duration;

    fn cx(url: &str, env: &[(&str, &str)]) -> Context {
        let mut cx = cx_with_base_url(url);
        cx.net.timeout = Duration::from_millis(800);
        cx.net.proxy_env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        cx
    }

    fn closed_port() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    #[test]
    fn no_proxy_is_a_direct_connection() {
        let o = run(&ProxyConfig, &cx("https://api2.saleslayer.com", &[])).unwrap();
        assert_eq!(o.status(), Status::Pass);
        assert!(o.summary.starts_with("Direct connection"), "{}", o.summary);
    }

    #[test]
    fn excluded_by_no_proxy_and_credentials_never_shown() {
        let o = run(
            &ProxyConfig,
            &cx(
                "https://api2.saleslayer.com",
                &[
                    ("HTTPS_PROXY", "http://alice:hunter2@proxy.corp.test:3128"),
                    ("no_proxy", "localhost,.saleslayer.com"),
                    ("Http_Proxy", "http://x:1"),
                ],
            ),
        )
        .unwrap();
        let text = serde_json::to_string(&o).unwrap();
        assert!(
            !text.contains("alice") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(o.summary.contains("excluded by no_proxy"), "{}", o.summary);
        insta::assert_yaml_snapshot!(o);
    }

    #[test]
    fn reachable_proxy_loopback_and_plain_http_warnings() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let o = run(
            &ProxyConfig,
            &cx(
                "http://127.0.0.1:9",
                &[("HTTP_PROXY", &format!("http://u:p@127.0.0.1:{port}"))],
            ),
        )
        .unwrap();
        assert_eq!(o.status(), Status::Warn, "{o:?}");
        assert_eq!(
            codes(&o),
            [
                "proxy-credentials",
                "loopback-through-proxy",
                "plain-http-through-proxy"
            ]
        );
        assert!(o.summary.contains("reachable"), "{}", o.summary);
        assert!(!serde_json::to_string(&o).unwrap().contains("u:p"));
    }

    #[test]
    fn refused_proxy_fails_with_its_address() {
        let port = closed_port();
        let mut c = cx(
            "https://api2.saleslayer.com",
            &[("HTTPS_PROXY", "http://other:1")],
        );
        c.net.proxy = Some(format!("http://127.0.0.1:{port}"));
        let o = run(&ProxyConfig, &c).unwrap();
        assert_result(&o, Status::Fail, &["proxy-unreachable"]);
        assert!(o.findings[0].message.contains(&format!("127.0.0.1:{port}")));
        assert!(o.findings[0].message.contains("--proxy"));
    }
}
