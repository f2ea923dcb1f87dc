//! The name-resolution engine behind `dns-resolution`: what DNS and the system resolver
//! say about the API host, as facts.
//!
//! hickory queries the name servers of `/etc/resolv.conf` directly (A and AAAA
//! separately, hosts file off, so the answer is DNS's own); `tokio::net::lookup_host`
//! (getaddrinfo: `/etc/hosts`, nsswitch, DNS) gives what most HTTP clients use. The hosts
//! file is read for a line naming the host. If resolv.conf cannot be read, that is a fact
//! too: sl-doctor never falls back to a public DNS server.

use crate::context::NetOptions;
use crate::model::evidence::{DnsAnswer, DnsEvidence, DnsResult, Untrusted};
use crate::net::endpoint::{self, Target};
use hickory_resolver::config::{ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RData;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where the system's view comes from (replaceable in tests).
pub enum SystemLookup {
    /// `tokio::net::lookup_host`.
    Real,
    /// A fixed answer.
    #[cfg(test)]
    Fixed(Result<Vec<IpAddr>, String>),
}

/// The resolver configuration, hosts file and system lookup a lookup uses.
pub struct DnsEnv {
    /// `read_system_conf()`'s result, or why it failed.
    pub conf: Result<(ResolverConfig, ResolverOpts), String>,
    /// The hosts file to look the host up in.
    pub hosts_path: PathBuf,
    /// The system resolver.
    pub system: SystemLookup,
}

impl DnsEnv {
    /// This machine's: `/etc/resolv.conf`, `/etc/hosts`, getaddrinfo.
    pub fn real() -> DnsEnv {
        DnsEnv {
            conf: hickory_resolver::system_conf::read_system_conf().map_err(|e| e.to_string()),
            hosts_path: PathBuf::from("/etc/hosts"),
            system: SystemLookup::Real,
        }
    }
}

/// One direct DNS query's result.
#[derive(Debug, Clone)]
pub enum Answer {
    /// At least one address.
    Addrs(Vec<IpAddr>),
    /// The name exists, with no record of this type.
    NoData,
    /// The name does not exist.
    NxDomain,
    /// The server failed to answer.
    ServFail,
    /// No answer in time.
    Timeout,
    /// Another error (its text).
    Other(String),
}

impl Answer {
    fn from(
        r: Result<Result<hickory_resolver::lookup::Lookup, NetError>, tokio::time::error::Elapsed>,
    ) -> Answer {
        match r {
            Err(_) => Answer::Timeout,
            Ok(Ok(l)) => {
                let v: Vec<IpAddr> = l
                    .answers()
                    .iter()
                    .filter_map(|rec| match &rec.data {
                        RData::A(a) => Some(IpAddr::V4(a.0)),
                        RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                        _ => None,
                    })
                    .collect();
                if v.is_empty() {
                    Answer::NoData
                } else {
                    Answer::Addrs(v)
                }
            }
            Ok(Err(e)) => Answer::from_error(&e),
        }
    }

    fn from_error(e: &NetError) -> Answer {
        if e.is_nx_domain() {
            Answer::NxDomain
        } else if let NetError::Dns(DnsError::NoRecordsFound(nr)) = e {
            if nr.response_code == ResponseCode::ServFail {
                Answer::ServFail
            } else {
                Answer::NoData
            }
        } else if matches!(
            e,
            NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail))
        ) {
            Answer::ServFail
        } else if matches!(e, NetError::Timeout) {
            Answer::Timeout
        } else {
            Answer::Other(e.to_string())
        }
    }

    /// The answer in words, for a detail line (`kind` is `A` or `AAAA`).
    pub fn show(&self, kind: &str, timeout: Duration) -> String {
        match self {
            Answer::Addrs(v) => join(v),
            Answer::NoData => format!("none (no {kind} record)"),
            Answer::NxDomain => "NXDOMAIN (the name does not exist)".into(),
            Answer::ServFail => "SERVFAIL (the DNS server failed to answer)".into(),
            Answer::Timeout => format!("no answer within {} ms", timeout.as_millis()),
            Answer::Other(e) => format!("error: {e}"),
        }
    }

    /// The addresses, when there are any.
    pub fn addrs(&self) -> &[IpAddr] {
        match self {
            Answer::Addrs(v) => v,
            _ => &[],
        }
    }

    fn evidence(&self) -> DnsAnswer {
        let (result, error) = match self {
            Answer::Addrs(_) => (DnsResult::Addresses, None),
            Answer::NoData => (DnsResult::NoData, None),
            Answer::NxDomain => (DnsResult::NxDomain, None),
            Answer::ServFail => (DnsResult::ServFail, None),
            Answer::Timeout => (DnsResult::Timeout, None),
            Answer::Other(e) => (DnsResult::Error, Some(Untrusted::new(e))),
        };
        DnsAnswer {
            result,
            addresses: strs(self.addrs()),
            error,
        }
    }
}

/// Addresses as `a, b, c`.
pub fn join(v: &[IpAddr]) -> String {
    v.iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn strs(v: &[IpAddr]) -> Vec<String> {
    v.iter().map(IpAddr::to_string).collect()
}

/// What the lookups of a host name found.
#[derive(Debug, Clone)]
pub struct DnsFacts {
    /// The host, without a final dot.
    pub host: String,
    /// The direct A and AAAA queries, or why none was made (the resolver configuration
    /// cannot be used).
    pub queried: Result<(Answer, Answer), String>,
    /// The system resolver's addresses, or its error.
    pub system: Result<Vec<IpAddr>, String>,
    /// The addresses the hosts file gives the host.
    pub hosts: Vec<IpAddr>,
    /// The hosts file read.
    pub hosts_path: PathBuf,
    /// The configured name servers (`ip` or `ip:port`).
    pub nameservers: Vec<String>,
    /// Wall time of the lookups.
    pub took: Duration,
    /// The timeout each lookup had.
    pub timeout: Duration,
}

impl DnsFacts {
    /// Every address the direct queries gave (A, then AAAA).
    pub fn dns_addrs(&self) -> Vec<IpAddr> {
        match &self.queried {
            Ok((a, aaaa)) => a.addrs().iter().chain(aaaa.addrs()).copied().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The facts as report evidence.
    pub fn evidence(&self) -> DnsEvidence {
        let mut ev = with_system(DnsEvidence::new(&self.host), &self.system, self.took);
        if let Ok((a, aaaa)) = &self.queried {
            ev.a = a.evidence();
            ev.aaaa = aaaa.evidence();
        }
        ev.nameservers = self.nameservers.clone();
        ev.hosts_file = strs(&self.hosts);
        ev
    }
}

/// What name resolution found for the target.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// The host is an IP address: nothing to resolve.
    IpLiteral(IpAddr),
    /// `--resolve` pins the host to this address: no lookup.
    Override(IpAddr),
    /// A loopback name: only the system resolver was asked.
    Loopback {
        /// The host.
        host: String,
        /// Its addresses, or the error.
        system: Result<Vec<IpAddr>, String>,
        /// Wall time.
        took: Duration,
    },
    /// Any other name: DNS and the system resolver were asked.
    Name(DnsFacts),
}

impl Lookup {
    /// The lookup as report evidence.
    pub fn evidence(&self, t: &Target) -> DnsEvidence {
        match self {
            Lookup::IpLiteral(ip) => DnsEvidence::new(&ip.to_string()),
            Lookup::Override(ip) => DnsEvidence {
                override_address: Some(ip.to_string()),
                ..DnsEvidence::new(&t.host)
            },
            Lookup::Loopback { host, system, took } => {
                with_system(DnsEvidence::new(host), system, *took)
            }
            Lookup::Name(f) => f.evidence(),
        }
    }
}

/// The system lookup's part of the evidence.
fn with_system(
    mut ev: DnsEvidence,
    sys: &Result<Vec<IpAddr>, String>,
    took: Duration,
) -> DnsEvidence {
    match sys {
        Ok(v) => ev.system = strs(v),
        Err(e) => ev.system_error = Some(Untrusted::new(e)),
    }
    ev.took_ms = Some(took.as_millis() as u64);
    ev
}

/// The addresses the hosts file at `path` gives `host`.
fn hosts_entries(path: &std::path::Path, host: &str) -> Vec<IpAddr> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let host = host.trim_end_matches('.');
    text.lines()
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("");
            let mut parts = l.split_whitespace();
            let ip: IpAddr = parts.next()?.parse().ok()?;
            parts.any(|n| n.eq_ignore_ascii_case(host)).then_some(ip)
        })
        .collect()
}

async fn system_lookup(
    sys: &SystemLookup,
    host: &str,
    port: u16,
    limit: Duration,
) -> Result<Vec<IpAddr>, String> {
    match sys {
        SystemLookup::Real => {
            match tokio::time::timeout(limit, tokio::net::lookup_host((host.to_string(), port)))
                .await
            {
                Err(_) => Err(format!("no answer within {} ms", limit.as_millis())),
                Ok(Err(e)) => Err(e.to_string()),
                Ok(Ok(it)) => {
                    let mut v: Vec<IpAddr> = Vec::new();
                    for a in it {
                        if !v.contains(&a.ip()) {
                            v.push(a.ip());
                        }
                    }
                    Ok(v)
                }
            }
        }
        #[cfg(test)]
        SystemLookup::Fixed(r) => r.clone(),
    }
}

/// getaddrinfo's "does not exist" messages (EAI_NONAME / EAI_NODATA), as opposed to
/// temporary failures (EAI_AGAIN).
pub fn system_says_not_found(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("not known") || m.contains("no address associated") || m.contains("no such host")
}

/// The name servers of a resolver configuration, `ip` or `ip:port` when not 53.
fn nameservers(cfg: &ResolverConfig) -> Vec<String> {
    cfg.name_servers()
        .iter()
        .map(|n| {
            let port = n.connections.first().map_or(53, |c| c.port);
            if port == 53 {
                n.ip.to_string()
            } else {
                std::net::SocketAddr::new(n.ip, port).to_string()
            }
        })
        .collect()
}

/// A resolver over `cfg` that asks DNS only (no hosts file, no cache), within `timeout`.
fn resolver(
    cfg: ResolverConfig,
    mut opts: ResolverOpts,
    timeout: Duration,
) -> Result<hickory_resolver::TokioResolver, String> {
    opts.use_hosts_file = ResolveHosts::Never;
    opts.timeout = opts.timeout.min(timeout);
    opts.cache_size = 0;
    hickory_resolver::TokioResolver::builder_with_config(
        cfg,
        hickory_resolver::net::runtime::TokioRuntimeProvider::default(),
    )
    .with_options(opts)
    .build()
    .map_err(|e| format!("the resolver could not be set up: {e}"))
}

/// Looks the target's host up: nothing for an IP literal or a `--resolve` override, the
/// system resolver for a loopback name, else DNS directly and the system resolver
/// concurrently, each bounded by `--timeout`.
pub async fn lookup(net: &NetOptions, t: &Target, env: DnsEnv) -> Lookup {
    if let Some(ip) = t.ip {
        return Lookup::IpLiteral(ip);
    }
    if let Some(ip) = endpoint::resolve_override(net, &t.host, t.port) {
        return Lookup::Override(ip);
    }
    let timeout = net.timeout;
    let host = t.host.trim_end_matches('.').to_string();
    let start = Instant::now();
    if endpoint::is_loopback_host(&host) {
        let system = system_lookup(&env.system, &host, t.port, timeout).await;
        let took = start.elapsed();
        return Lookup::Loopback { host, system, took };
    }
    let hosts = hosts_entries(&env.hosts_path, &host);
    let (ns, built) = match env.conf {
        Err(e) => (Vec::new(), Err(e)),
        Ok((cfg, opts)) => (nameservers(&cfg), resolver(cfg, opts, timeout)),
    };
    let (queried, system) = match built {
        Err(e) => (
            Err(e),
            system_lookup(&env.system, &host, t.port, timeout).await,
        ),
        Ok(r) => {
            let fqdn = format!("{host}.");
            let (ra, raaaa, sys) = tokio::join!(
                tokio::time::timeout(timeout, r.ipv4_lookup(fqdn.as_str())),
                tokio::time::timeout(timeout, r.ipv6_lookup(fqdn.as_str())),
                system_lookup(&env.system, &host, t.port, timeout),
            );
            (Ok((Answer::from(ra), Answer::from(raaaa))), sys)
        }
    };
    Lookup::Name(DnsFacts {
        host,
        queried,
        system,
        hosts,
        hosts_path: env.hosts_path,
        nameservers: ns,
        took: start.elapsed(),
        timeout,
    })
}
