//! `dns-resolution`: the API host resolves, and DNS and the system resolver agree.
//!
//! The lookups are [`crate::net::dns`]'s (DNS queried directly, the system resolver, the
//! hosts file); this check words what they found. A difference between DNS and the
//! system resolver, and in particular an `/etc/hosts` line for the host, is reported.
//! NXDOMAIN fails (the host does not exist); timeout and SERVFAIL are inconclusive. If
//! resolv.conf cannot be read, that is reported; sl-doctor never falls back to a public
//! DNS server.
//!
//! Name resolution follows the route: behind a proxy that resolves the host itself (HTTP
//! `CONNECT`, `https://` and `socks5h://` proxies), this machine's answer is never used for
//! the API requests, so a local failure is information (`proxy-resolves`), and
//! `tls-connection` and the probes go through the proxy to find out whether the proxy
//! resolves and reaches the host. A `socks5://` proxy is sent an address resolved here,
//! so a local failure stays a failure.

use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::evidence::Evidence;
use crate::model::report::{Finding, Severity, Status};
use crate::net::dns::{self, Answer, DnsEnv, DnsFacts, Lookup, join};
use crate::net::endpoint::{Target, ms};
use crate::net::proxy::{self, Proxy, Route};
use std::net::IpAddr;
use std::time::Duration;

crate::check! {
    /// The `dns-resolution` check.
    DnsResolution: "dns-resolution", BaseUrl, "The API host resolves in DNS, and DNS agrees with the system resolver",
    network,
    codes: &[
        RESOLVE_OVERRIDE, SYSTEM_LOOKUP_FAILED, RESOLV_CONF_UNREADABLE, NO_ADDRESS,
        NXDOMAIN_DOCUMENTED_HOST, NXDOMAIN, NO_NAMESERVERS, HOSTS_OVERRIDE, HOSTS_ENTRY,
        SYSTEM_DIFFERS, ONLY_LOCAL_NAME, SERVFAIL, DNS_TIMEOUT, DNS_ERROR, PROXY_RESOLVES,
    ],
}

pub const RESOLVE_OVERRIDE: Code = Code::info(
    "resolve-override",
    "The `--resolve` option pins the host to an address, which your application does not know about",
);
pub const SYSTEM_LOOKUP_FAILED: Code = Code::new(
    "system-lookup-failed",
    &[Severity::Fail, Severity::Warn],
    "The system resolver cannot resolve the host: fails when DNS knows it or it is loopback, else inconclusive",
);
pub const RESOLV_CONF_UNREADABLE: Code = Code::warn(
    "resolv-conf-unreadable",
    "The DNS configuration (/etc/resolv.conf) cannot be used: only the system resolver was asked",
);
pub const NO_ADDRESS: Code = Code::fail("no-address", "The host has no A or AAAA address");
pub const NXDOMAIN_DOCUMENTED_HOST: Code = Code::warn(
    "nxdomain-documented-host",
    "NXDOMAIN for api2.saleslayer.com itself: this machine has no working internet DNS (inconclusive)",
);
pub const NXDOMAIN: Code = Code::fail(
    "nxdomain",
    "The host does not exist in DNS (NXDOMAIN): most likely a typo",
);
pub const NO_NAMESERVERS: Code =
    Code::warn("no-nameservers", "/etc/resolv.conf lists no name server");
pub const HOSTS_OVERRIDE: Code = Code::warn(
    "hosts-override",
    "The hosts file pins the host to addresses that DNS does not give",
);
pub const HOSTS_ENTRY: Code = Code::info(
    "hosts-entry",
    "The hosts file has a line for the host, so DNS changes for it do not reach this machine",
);
pub const SYSTEM_DIFFERS: Code = Code::info(
    "system-differs",
    "The system resolver answers other addresses than DNS (load balancing, split DNS, a local cache)",
);
pub const ONLY_LOCAL_NAME: Code = Code::warn(
    "only-local-name",
    "Only the system resolver knows the host (e.g. from the hosts file); DNS has no address for it",
);
pub const SERVFAIL: Code = Code::warn(
    "servfail",
    "The DNS server answered SERVFAIL (inconclusive)",
);
pub const DNS_TIMEOUT: Code = Code::warn(
    "dns-timeout",
    "The DNS servers did not answer within the timeout (inconclusive)",
);
pub const DNS_ERROR: Code = Code::warn(
    "dns-error",
    "The DNS lookup failed for another reason (inconclusive)",
);
pub const PROXY_RESOLVES: Code = Code::info(
    "proxy-resolves",
    "The host does not resolve here (or resolves oddly), but the proxy resolves it (HTTP CONNECT, https:// or socks5h:// proxy): this machine's answer is not used",
);

pub(crate) async fn run_with(cx: &Context, env: DnsEnv) -> Result<Outcome, Skipped> {
    let t = Target::from_context(cx)?;
    let found = dns::lookup(&cx.net, &t, env).await;
    let o = match &found {
        Lookup::IpLiteral(ip) => {
            Outcome::pass(format!("No DNS needed: the host is the IP address {ip}"))
        }
        Lookup::Override(ip) => overridden(&t, *ip),
        Lookup::Loopback { host, system, took } => loopback(host, system, *took),
        Lookup::Name(f) => match &f.queried {
            Ok((a, aaaa)) => verdict(f, a, aaaa),
            Err(why) => system_only(f, why),
        },
    };
    let o = match proxy::decide(&cx.net, &t).route {
        Route::Proxy(p) if matches!(found, Lookup::Name(_)) => routed(o, &t, &p),
        Route::Proxy(_) | Route::Direct(_) => o,
    };
    Ok(o.with_evidence(Evidence::Dns(found.evidence(&t))))
}

/// The lookup of a host the API requests reach through a proxy: when the proxy resolves
/// the name, this machine's problem with it is information; with `socks5://` it is not.
fn routed(o: Outcome, t: &Target, p: &Proxy) -> Outcome {
    let (proxy, source) = (p.display(), p.source.describe());
    if !p.resolves_target() {
        return o.detail(format!(
            "route: through {proxy} (from {source}), which is sent an address resolved here (socks5h:// would let the proxy resolve {})",
            t.host
        ));
    }
    let how = if p.is_socks5() {
        "socks5h"
    } else {
        "CONNECT host:port"
    };
    let o = o.detail(format!(
        "route: through {proxy} (from {source}), which resolves {} itself ({how})",
        t.host
    ));
    if o.status() == Status::Pass {
        return o;
    }
    let here = o
        .findings
        .iter()
        .find(|f| f.severity != Severity::Info)
        .map_or(o.summary.clone(), |f| f.message.clone());
    Outcome {
        summary: format!(
            "The proxy {} resolves {}; this machine's lookup is not used ({})",
            p.authority(),
            t.host,
            crate::model::prose::lowercase_first(o.summary.trim_end_matches('.'))
        ),
        status: None,
        findings: Vec::new(),
        ..o
    }
    .finding(Finding::new(
        PROXY_RESOLVES,
        format!(
            "Requests to {} go through the proxy {proxy} (from {source}), which resolves the name itself: this machine's answer does not affect them ({}); tls-connection shows whether the proxy reaches the host",
            t.authority(),
            here.trim_end_matches('.')
        ),
    ))
}

/// `--resolve` pins the host: no lookup.
fn overridden(t: &Target, ip: IpAddr) -> Outcome {
    Outcome::pass(format!(
        "{} is resolved by --resolve to {ip} (no DNS lookup)",
        t.authority()
    ))
    .detail(format!("--resolve: {}:{}:{ip}", t.host, t.port))
    .finding(Finding::new(
        RESOLVE_OVERRIDE,
        format!(
            "--resolve pins {} to {ip}; your application does not know about this override",
            t.authority()
        ),
    ))
}

/// A loopback name: the system resolver must know it.
fn loopback(host: &str, sys: &Result<Vec<IpAddr>, String>, took: Duration) -> Outcome {
    match sys {
        Ok(v) if !v.is_empty() => Outcome::pass(format!(
            "{host} is the local machine ({}), no DNS needed",
            join(v)
        ))
        .detail(format!("system: {}", join(v)))
        .detail(format!("took: {}", ms(took))),
        Ok(_) | Err(_) => Outcome::from_findings(
            format!("{host} does not resolve on this machine"),
            vec![
                Finding::new(
                    SYSTEM_LOOKUP_FAILED,
                    format!(
                        "The system resolver cannot resolve {host}: {}",
                        sys.as_ref()
                            .err()
                            .cloned()
                            .unwrap_or_else(|| "no address".into())
                    ),
                )
                .with_fix("Add `127.0.0.1 localhost` and `::1 localhost` to /etc/hosts."),
            ],
        ),
    }
}

fn system_line(sys: &Result<Vec<IpAddr>, String>) -> String {
    format!(
        "system: {}",
        sys.as_ref()
            .map_or_else(|e| format!("error: {e}"), |v| join(v))
    )
}

/// No direct DNS query was possible (`why`): the system resolver only.
fn system_only(f: &DnsFacts, why: &str) -> Outcome {
    let host = f.host.as_str();
    let o = Outcome::default()
        .detail("A: not queried (no usable resolver configuration)")
        .detail("AAAA: not queried (no usable resolver configuration)")
        .detail(system_line(&f.system))
        .detail(if f.nameservers.is_empty() {
            "nameservers: unknown".to_string()
        } else {
            format!("nameservers: {}", f.nameservers.join(", "))
        })
        .detail(format!("took: {}", ms(f.took)))
        .finding(
            Finding::new(
                RESOLV_CONF_UNREADABLE,
                format!("The DNS configuration (/etc/resolv.conf) cannot be used: {why}; DNS servers were not queried directly, and sl-doctor does not fall back to a public DNS server"),
            )
            .with_fix("Check /etc/resolv.conf (it must exist, be readable and list at least one `nameserver`); in containers it is usually provided by the runtime."),
        );
    match &f.system {
        Ok(v) if !v.is_empty() => Outcome {
            summary: format!("{host} resolves to {} (system resolver only)", join(v)),
            ..o
        },
        Ok(_) => Outcome {
            summary: format!("{host} has no address"),
            ..o
        }
        .finding(Finding::new(
            NO_ADDRESS,
            format!("The system resolver returned no address for {host}"),
        )),
        Err(e) if dns::system_says_not_found(e) => {
            nx_outcome(o, host, &format!("the system resolver says: {e}"))
        }
        Err(e) => no_verdict(
            o,
            format!("{host} could not be resolved: {e}"),
            Finding::with_severity(
                SYSTEM_LOOKUP_FAILED,
                Severity::Warn,
                format!("The system resolver could not resolve {host}: {e}"),
            ),
        ),
    }
}

/// "The name does not exist": a typo for any other host; for the documented host it says
/// something about this machine's DNS (offline, filtered, split-horizon), not about the
/// key or the URL, so it is inconclusive and CI can tell it from a key problem (exit 3).
/// An outcome without a verdict: the check ran, but DNS itself failed.
fn no_verdict(mut o: Outcome, summary: String, f: Finding) -> Outcome {
    o.summary = summary;
    o.status = Some(crate::model::report::Status::Error);
    o.finding(f)
}

fn nx_outcome(mut o: Outcome, host: &str, why: &str) -> Outcome {
    if host.eq_ignore_ascii_case(crate::analysis::urls::CANONICAL_HOST) {
        return no_verdict(
            o,
            format!("This machine's DNS says {host} does not exist (NXDOMAIN)"),
            Finding::new(
                NXDOMAIN_DOCUMENTED_HOST,
                format!("NXDOMAIN for {host}, the documented API host ({why}): this machine has no working internet DNS (offline, a sandbox, a DNS filter or a split-horizon company resolver)"),
            )
            .with_fix("Run sl-doctor where your application runs, or ask your network team why the resolver does not know api2.saleslayer.com; --resolve HOST:443:ADDR bypasses DNS for a test."),
        );
    }
    o.summary = format!("{host} does not exist (NXDOMAIN)");
    o.finding(
        Finding::new(
            NXDOMAIN,
            format!("The host {host} does not exist in DNS (NXDOMAIN; {why}): most likely a typo in the base URL"),
        )
        .with_fix("Use https://api2.saleslayer.com (check the spelling of the host in SALESLAYER_BASE_URL / --base-url)."),
    )
}

/// The lookups' details: each answer, the name servers, the time, the hosts file line.
fn queried_details(f: &DnsFacts, a: &Answer, aaaa: &Answer) -> Outcome {
    let mut o = Outcome::default()
        .detail(format!("A: {}", a.show("A", f.timeout)))
        .detail(format!("AAAA: {}", aaaa.show("AAAA", f.timeout)))
        .detail(system_line(&f.system))
        .detail(format!(
            "nameservers: {}",
            if f.nameservers.is_empty() {
                "none configured".to_string()
            } else {
                f.nameservers.join(", ")
            }
        ))
        .detail(format!("took: {}", ms(f.took)));
    if !f.hosts.is_empty() {
        o = o.detail(format!(
            "{}: {} -> {}",
            f.hosts_path.display(),
            f.host,
            join(&f.hosts)
        ));
    }
    if f.nameservers.is_empty() {
        o = o.finding(
            Finding::new(NO_NAMESERVERS, "/etc/resolv.conf lists no name server")
                .with_fix("Add a `nameserver` line to /etc/resolv.conf (or fix the network/container DNS settings)."),
        );
    }
    o
}

/// A hosts file line for the host: an override when DNS answers other addresses.
fn hosts_finding(f: &DnsFacts, dns: &[IpAddr]) -> Option<Finding> {
    if f.hosts.is_empty() {
        return None;
    }
    let (host, path) = (&f.host, f.hosts_path.display());
    let differs = !dns.is_empty() && f.hosts.iter().any(|h| !dns.contains(h));
    Some(if differs {
        Finding::new(
            HOSTS_OVERRIDE,
            format!(
                "{path} pins {host} to {}, but DNS answers {}: every program on this machine connects to the {path} address",
                join(&f.hosts),
                join(dns),
            ),
        )
        .with_fix(format!(
            "Remove or correct the {host} line in {path} unless you route the API through that address on purpose."
        ))
    } else {
        Finding::new(
            HOSTS_ENTRY,
            format!(
                "{path} has a line for {host} ({}); DNS changes for the host will not reach this machine",
                join(&f.hosts)
            ),
        )
    })
}

/// The findings of the direct queries and the system lookup together.
fn verdict(f: &DnsFacts, a: &Answer, aaaa: &Answer) -> Outcome {
    let mut o = queried_details(f, a, aaaa);
    let dns = f.dns_addrs();
    if let Some(h) = hosts_finding(f, &dns) {
        o = o.finding(h);
    }
    if dns.is_empty() {
        unresolved(o, f, a, aaaa)
    } else {
        resolved(o, f, a, aaaa, &dns)
    }
}

/// DNS gave addresses: does the system resolver agree?
fn resolved(mut o: Outcome, f: &DnsFacts, a: &Answer, aaaa: &Answer, dns: &[IpAddr]) -> Outcome {
    let host = &f.host;
    o.summary = format!(
        "{host} resolves to {} ({} A, {} AAAA) in {}",
        join(dns),
        a.addrs().len(),
        aaaa.addrs().len(),
        ms(f.took)
    );
    match &f.system {
        Ok(v) if v.is_empty() => o,
        Ok(v) if f.hosts.is_empty() && !v.iter().any(|x| dns.contains(x)) => o.finding(Finding::new(
            SYSTEM_DIFFERS,
            format!(
                "The system resolver answers {} while DNS answers {}: DNS load balancing, or another resolver (nsswitch, VPN split DNS, a local cache) answers for the system",
                join(v),
                join(dns)
            ),
        )),
        Ok(_) => o,
        Err(e) => o.finding(
            Finding::new(
                SYSTEM_LOOKUP_FAILED,
                format!("DNS knows {host}, but the system resolver (getaddrinfo, used by most HTTP clients) cannot resolve it: {e}"),
            )
            .with_fix("Check /etc/nsswitch.conf and /etc/hosts, and any local DNS cache (systemd-resolved, nscd, dnsmasq)."),
        ),
    }
}

/// DNS gave no address: only the system resolver knows it, or why DNS failed.
fn unresolved(mut o: Outcome, f: &DnsFacts, a: &Answer, aaaa: &Answer) -> Outcome {
    let (host, timeout) = (f.host.as_str(), f.timeout);
    if let Ok(v) = f.system.as_ref()
        && !v.is_empty()
    {
        o.summary = format!(
            "{host} resolves only through the system resolver ({})",
            join(v)
        );
        return o.finding(
            Finding::new(
                ONLY_LOCAL_NAME,
                format!(
                    "DNS has no address for {host} (A: {}, AAAA: {}), but the system resolver answers {}{}",
                    a.show("A", timeout),
                    aaaa.show("AAAA", timeout),
                    join(v),
                    if f.hosts.is_empty() { String::new() } else { format!(" from {}", f.hosts_path.display()) }
                ),
            )
            .with_fix("This works only on this machine: check the host name in the base URL."),
        );
    }
    let either = |is: fn(&Answer) -> bool| is(a) || is(aaaa);
    if either(|x| matches!(x, Answer::NxDomain)) {
        return nx_outcome(o, host, "the DNS server says so");
    }
    if either(|x| matches!(x, Answer::ServFail)) {
        return no_verdict(
            o,
            format!("The DNS server failed to resolve {host} (SERVFAIL)"),
            Finding::new(
                SERVFAIL,
                format!("The DNS server answered SERVFAIL for {host}: it could not reach the domain's name servers or DNSSEC validation failed"),
            )
            .with_fix("Try again later; if it persists, ask your network administrator about the DNS server in /etc/resolv.conf."),
        );
    }
    if either(|x| matches!(x, Answer::Timeout)) {
        return no_verdict(
            o,
            format!("No DNS answer for {host} within {} ms", timeout.as_millis()),
            Finding::new(
                DNS_TIMEOUT,
                format!(
                    "The DNS server(s) ({}) did not answer within {} ms",
                    if f.nameservers.is_empty() { "none configured".to_string() } else { f.nameservers.join(", ") },
                    timeout.as_millis()
                ),
            )
            .with_fix("Check the network connection and the name servers in /etc/resolv.conf (a firewall may block DNS on port 53); raise --timeout on slow links."),
        );
    }
    if matches!(a, Answer::NoData) && matches!(aaaa, Answer::NoData) {
        o.summary = format!("{host} has no address record");
        return o.finding(
            Finding::new(
                NO_ADDRESS,
                format!("{host} exists in DNS but has no A or AAAA record"),
            )
            .with_fix("Use https://api2.saleslayer.com as the base URL."),
        );
    }
    let err = match (a, aaaa) {
        (Answer::Other(e), _) | (_, Answer::Other(e)) => e.clone(),
        _ => "no answer".into(),
    };
    no_verdict(
        o,
        format!("DNS lookup of {host} failed: {err}"),
        Finding::new(DNS_ERROR, format!("The DNS lookup of {host} failed: {err}"))
            .with_fix("Check the network connection and /etc/resolv.conf."),
    )
}

impl DnsResolution {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        run_with(cx, DnsEnv::real()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::evidence::DnsResult;
    use crate::model::report::Status;
    use crate::net::dns::SystemLookup;
    use crate::testing_support::cx_with_base_url;
    use crate::testing_support::{assert_result, codes, has_detail};
    use hickory_resolver::config::{ConnectionConfig, NameServerConfig};
    use hickory_resolver::config::{ResolverConfig, ResolverOpts};
    use std::time::Instant;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A fake DNS server on loopback UDP: `rcode` for every query, with `a` as the
    /// answer to A queries when `rcode` is 0. `silent` never answers.
    async fn fake_dns(rcode: u8, a: Option<[u8; 4]>, silent: bool) -> u16 {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let port = sock.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            loop {
                let Ok((n, from)) = sock.recv_from(&mut buf).await else {
                    return;
                };
                if silent || n < 12 {
                    continue;
                }
                let q = &buf[..n];
                // Question ends after the name's zero byte + 4 bytes.
                let mut i = 12;
                while i < n && q[i] != 0 {
                    i += q[i] as usize + 1;
                }
                let qend = (i + 5).min(n);
                let qtype = u16::from_be_bytes([q[i + 1], q[i + 2]]);
                let answer = rcode == 0 && qtype == 1 && a.is_some();
                let mut r = Vec::new();
                r.extend_from_slice(&q[0..2]);
                r.push(0x80 | (q[2] & 0x01)); // QR, RD copied
                r.push(0x80 | rcode); // RA, RCODE
                r.extend_from_slice(&[0, 1, 0, u8::from(answer), 0, 0, 0, 0]);
                r.extend_from_slice(&q[12..qend]);
                if answer {
                    r.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
                    r.extend_from_slice(&a.unwrap());
                }
                let _ = sock.send_to(&r, from).await;
            }
        });
        port
    }

    fn conf(port: u16) -> Result<(ResolverConfig, ResolverOpts), String> {
        let mut c = ConnectionConfig::udp();
        c.port = port;
        let ns = NameServerConfig::new("127.0.0.1".parse().unwrap(), true, vec![c]);
        let mut opts = ResolverOpts::default();
        opts.attempts = 1;
        Ok((ResolverConfig::from_parts(None, vec![], vec![ns]), opts))
    }

    fn env(port: u16, system: Result<Vec<IpAddr>, String>, hosts: &str) -> DnsEnv {
        let path = crate::testing_support::scratch_dir().join(format!("hosts-{port}"));
        std::fs::write(&path, hosts).unwrap();
        DnsEnv {
            conf: conf(port),
            hosts_path: path,
            system: SystemLookup::Fixed(system),
        }
    }

    fn cx(url: &str) -> Context {
        let mut cx = cx_with_base_url(url);
        cx.net.timeout = Duration::from_millis(800);
        cx
    }

    fn regex_escape(s: &str) -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '/' || c == '_' {
                    c.to_string()
                } else {
                    format!("\\{c}")
                }
            })
            .collect()
    }

    #[test]
    fn hosts_file_override_is_named() {
        rt().block_on(async {
            let port = fake_dns(0, Some([192, 0, 2, 10]), false).await;
            let e = env(
                port,
                Ok(vec!["127.0.0.1".parse().unwrap()]),
                "127.0.0.1 localhost\n127.0.0.1 api.example.test # pinned\n",
            );
            let path = e.hosts_path.clone();
            let o = run_with(&cx("https://api.example.test"), e).await.unwrap();
            assert_eq!(o.status(), Status::Warn);
            assert_eq!(codes(&o), ["hosts-override"]);
            let Some(Evidence::Dns(ev)) = &o.evidence else {
                panic!("dns-resolution has DNS evidence: {o:?}");
            };
            assert_eq!(ev.a.result, DnsResult::Addresses);
            assert_eq!(ev.a.addresses, ["192.0.2.10"]);
            assert_eq!(ev.system, ["127.0.0.1"]);
            assert_eq!(ev.hosts_file, ["127.0.0.1"]);
            let port_s = port.to_string();
            let path_re = regex_escape(path.to_str().unwrap());
            insta::with_settings!({filters => vec![
                (path_re.as_str(), "/etc/hosts"),
                (r"\d+(\.\d+)? ms", "[N] ms"),
                (port_s.as_str(), "[PORT]"),
            ]}, {
                insta::assert_yaml_snapshot!(o);
            });
        });
    }

    #[test]
    fn nxdomain_fails_and_servfail_and_timeout_are_inconclusive() {
        // (the DNS server's rcode, 0 for a server that never answers; base URL; status, code)
        let cases = [
            (3, "https://api.exmaple.test", Status::Fail, "nxdomain"),
            // The documented host cannot be a typo: NXDOMAIN there is this machine's DNS.
            (
                3,
                "https://api2.saleslayer.com",
                Status::Error,
                "nxdomain-documented-host",
            ),
            (2, "https://x.test", Status::Error, "servfail"),
            (0, "https://x.test", Status::Error, "dns-timeout"),
        ];
        rt().block_on(async {
            for (rcode, url, status, code) in cases {
                let silent = rcode == 0;
                let server = fake_dns(rcode, None, silent).await;
                // What the system resolver says about the same failure.
                let system = match rcode {
                    3 => "Name or service not known",
                    _ => "Temporary failure",
                };
                let t = Instant::now();
                let o = run_with(&cx(url), env(server, Err(system.into()), ""))
                    .await
                    .unwrap();
                if silent {
                    assert!(t.elapsed() < Duration::from_secs(3));
                }
                assert_result(&o, status, &[code]);
                if code == "nxdomain" {
                    assert!(has_detail(&o, "A: NXDOMAIN"), "{:?}", o.details);
                }
            }
        });
    }

    #[test]
    fn missing_aaaa_is_no_record_not_an_error() {
        rt().block_on(async {
            let port = fake_dns(0, Some([192, 0, 2, 7]), false).await;
            let o = run_with(
                &cx("https://api.example.test"),
                env(port, Ok(vec!["192.0.2.7".parse().unwrap()]), ""),
            )
            .await
            .unwrap();
            assert_eq!(o.status(), Status::Pass, "{o:?}");
            assert!(o.details.contains(&"A: 192.0.2.7".to_string()));
            assert!(
                o.details
                    .contains(&"AAAA: none (no AAAA record)".to_string()),
                "{:?}",
                o.details
            );
        });
    }

    #[test]
    fn unreadable_resolv_conf_is_reported() {
        rt().block_on(async {
            let mut e = env(1, Ok(vec!["192.0.2.7".parse().unwrap()]), "");
            e.conf = Err("No such file or directory".into());
            let o = run_with(&cx("https://api.example.test"), e).await.unwrap();
            assert_result(&o, Status::Warn, &["resolv-conf-unreadable"]);
        });
    }

    #[test]
    fn ip_literal_resolve_override_and_localhost() {
        let o = crate::testing_support::run(&DnsResolution, &cx("https://127.0.0.1:8443")).unwrap();
        assert!(o.summary.contains("No DNS needed"));
        let mut c = cx("https://api2.saleslayer.com");
        c.net.resolve = vec![(
            crate::saleslayer::HOST.to_string(),
            443,
            "127.0.0.1".parse().unwrap(),
        )];
        let o = crate::testing_support::run(&DnsResolution, &c).unwrap();
        assert_result(&o, Status::Pass, &["resolve-override"]);
        assert!(o.summary.contains("resolved by --resolve to 127.0.0.1"));
        let o = crate::testing_support::run(&DnsResolution, &cx("https://localhost:8443")).unwrap();
        assert_eq!(o.status(), Status::Pass, "{o:?}");
        assert!(
            o.details
                .iter()
                .any(|d| d.starts_with("system: ") && d.contains("127.0.0.1"))
        );
    }

    #[test]
    fn invalid_tld_with_the_real_resolver() {
        // RFC 2606 `.invalid` never exists. Robust when the sandbox has no DNS at all.
        let o = crate::testing_support::run(
            &DnsResolution,
            &cx("https://no-such-host.sl-doctor.invalid"),
        )
        .unwrap();
        let c = codes(&o);
        assert!(
            matches!(o.status(), Status::Fail | Status::Error)
                && c.iter().any(|c| [
                    "nxdomain",
                    "dns-timeout",
                    "servfail",
                    "dns-error",
                    "resolv-conf-unreadable",
                    "system-lookup-failed"
                ]
                .contains(c)),
            "{o:?}"
        );
    }
}
