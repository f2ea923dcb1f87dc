//! Small network helpers shared by the live checks: the parsed target, `--resolve`
//! overrides and bounded TCP connects.
//!
//! Everything here is bounded by a deadline; nothing waits forever.

use crate::context::{Context, NetOptions};
use crate::model::check::Skipped;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Skips a network check when the base URL's host holds the key or looks like one (a key
/// pasted as the base URL): resolving or connecting to it would send the key to a DNS server or a
/// stranger's host, and there is no API there to ask.
pub fn no_key_in_host(cx: &Context) -> Result<(), Skipped> {
    if crate::analysis::urls::base_host_holds_key(cx) {
        return Err(Skipped(
            "the base URL's host is the key, holds a piece of it or looks like a key (see key-in-url): nothing is sent to it, not even a DNS query".into(),
        ));
    }
    Ok(())
}

/// The base URL, parsed, as the network checks see it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The parsed URL.
    pub url: url::Url,
    /// `http` or `https`.
    pub scheme: String,
    /// The host as written (without brackets for IPv6).
    pub host: String,
    /// The host when it is an IP literal.
    pub ip: Option<IpAddr>,
    /// Explicit or default port.
    pub port: u16,
}

impl Target {
    /// Parses the context's base URL (trimmed). A URL that cannot be parsed, or whose
    /// scheme is not http/https, skips the network checks: the `url-*` checks report it.
    /// So does a host that holds the key: a DNS query or a connection would send it.
    pub fn from_context(cx: &Context) -> Result<Target, Skipped> {
        no_key_in_host(cx)?;
        Target::parse(&cx.target.base_url)
    }

    /// Parses one URL string (see [`Target::from_context`]).
    pub fn parse(raw: &str) -> Result<Target, Skipped> {
        let url = url::Url::parse(raw.trim()).map_err(|e| {
            Skipped(format!(
                "the base URL cannot be parsed ({e}); see url-format"
            ))
        })?;
        let scheme = url.scheme().to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(Skipped(format!(
                "the base URL's scheme is {scheme}:, not http or https; see url-scheme"
            )));
        }
        let (host, ip) = match url.host() {
            Some(url::Host::Domain(d)) => (d.to_string(), None),
            Some(url::Host::Ipv4(a)) => (a.to_string(), Some(IpAddr::V4(a))),
            Some(url::Host::Ipv6(a)) => (a.to_string(), Some(IpAddr::V6(a))),
            None => {
                return Err(Skipped("the base URL has no host; see url-format".into()));
            }
        };
        let port = url
            .port_or_known_default()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        Ok(Target {
            url,
            scheme,
            host,
            ip,
            port,
        })
    }

    /// Whether the scheme is https.
    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }

    /// `host:port`, with brackets around an IPv6 literal.
    pub fn authority(&self) -> String {
        host_port(&self.host, self.port)
    }

    /// Whether the host is a loopback name or address.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.host)
    }
}

/// `host:port`, with brackets around an IPv6 literal.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `localhost`, `*.localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") {
        return true;
    }
    h.trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// The `--resolve host:port:addr` override for this host and port, like curl's.
pub fn resolve_override(net: &NetOptions, host: &str, port: u16) -> Option<IpAddr> {
    net.resolve
        .iter()
        .find(|(h, p, _)| *p == port && h.eq_ignore_ascii_case(host.trim_end_matches('.')))
        .map(|(_, _, ip)| *ip)
}

/// How a host's addresses were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrOrigin {
    /// The host is an IP literal.
    Literal,
    /// A `--resolve` override.
    Override,
    /// The system resolver (getaddrinfo: /etc/hosts, nsswitch, DNS).
    System,
}

/// Why addresses or a connection could not be obtained.
#[derive(Debug, Clone)]
pub enum ConnectError {
    /// The system resolver gave an error or no address.
    Resolve(String),
    /// The deadline passed while resolving.
    ResolveTimeout,
    /// Every address refused the connection.
    Refused(SocketAddr),
    /// The deadline passed while connecting.
    Timeout(Option<SocketAddr>),
    /// Another OS error (unreachable network, …), in words.
    Other(SocketAddr, String),
}

/// Addresses of `host:port`: IP literal, `--resolve` override, or the system resolver
/// (bounded by `deadline`).
pub async fn addresses(
    net: &NetOptions,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<(Vec<SocketAddr>, AddrOrigin), ConnectError> {
    if let Ok(ip) = host
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
    {
        return Ok((vec![SocketAddr::new(ip, port)], AddrOrigin::Literal));
    }
    if let Some(ip) = resolve_override(net, host, port) {
        return Ok((vec![SocketAddr::new(ip, port)], AddrOrigin::Override));
    }
    match tokio::time::timeout(
        remaining(deadline),
        tokio::net::lookup_host((host.to_string(), port)),
    )
    .await
    {
        Err(_) => Err(ConnectError::ResolveTimeout),
        Ok(Err(e)) => Err(ConnectError::Resolve(e.to_string())),
        Ok(Ok(it)) => {
            let v: Vec<SocketAddr> = it.collect();
            if v.is_empty() {
                Err(ConnectError::Resolve("no address returned".into()))
            } else {
                Ok((v, AddrOrigin::System))
            }
        }
    }
}

/// Time left until `deadline` (zero when passed).
pub fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Connects to the first address that accepts, in order, before `deadline`.
pub async fn connect_any(
    addrs: &[SocketAddr],
    deadline: Instant,
) -> Result<tokio::net::TcpStream, ConnectError> {
    let mut last: Option<ConnectError> = None;
    for addr in addrs {
        let left = remaining(deadline);
        if left.is_zero() {
            return Err(ConnectError::Timeout(Some(*addr)));
        }
        match tokio::time::timeout(left, tokio::net::TcpStream::connect(addr)).await {
            Err(_) => return Err(ConnectError::Timeout(Some(*addr))),
            Ok(Ok(s)) => return Ok(s),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = Some(ConnectError::Refused(*addr));
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                last = Some(ConnectError::Timeout(Some(*addr)));
            }
            Ok(Err(e)) => last = Some(ConnectError::Other(*addr, e.to_string())),
        }
    }
    Err(last.unwrap_or(ConnectError::Resolve("no address to connect to".into())))
}

/// Milliseconds, rounded, for `tcp: N ms` style details.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{} ms", ms.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        let t = Target::parse(" https://api2.saleslayer.com/dam ").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.ip),
            ("api2.saleslayer.com", 443, None)
        );
        let t = Target::parse("http://[::1]:8080").unwrap();
        assert_eq!(t.authority(), "[::1]:8080");
        assert!(t.is_loopback());
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("not a url").is_err());
    }

    #[test]
    fn resolve_override_matches_host_and_port() {
        let net = NetOptions {
            resolve: vec![(
                "API2.saleslayer.com".into(),
                443,
                "127.0.0.1".parse().unwrap(),
            )],
            ..Default::default()
        };
        assert!(resolve_override(&net, "api2.saleslayer.com", 443).is_some());
        assert!(resolve_override(&net, "api2.saleslayer.com", 80).is_none());
    }
}
