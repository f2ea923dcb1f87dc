//! The evidence of `tls-connection`: the TCP connection and TLS handshake with the API
//! host, the certificate presented, and a proxy's refusal of the tunnel.

use super::Untrusted;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The TCP connection and TLS handshake with the API host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct TlsEvidence {
    /// `host:port` of the API.
    pub target: String,
    /// The proxy tunnelled through (`host:port`, credentials never shown), when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// The peer address connected to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// TCP connect time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_ms: Option<u64>,
    /// Proxy `CONNECT` time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_tunnel_ms: Option<u64>,
    /// TLS handshake time (to the end or to the failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake_ms: Option<u64>,
    /// Negotiated version, e.g. `TLS 1.3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Negotiated cipher suite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
    /// Negotiated ALPN protocol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
    /// The server's (leaf) certificate, when one was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateFacts>,
    /// Whether certificate verification was off (`--insecure`).
    pub insecure: bool,
    /// Where it stopped, when it did not complete (the finding code: `connect-timeout`,
    /// `proxy-auth-required`, `unknown-issuer`, `name-mismatch`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// The proxy's answer, when it refused the tunnel (`CONNECT` or SOCKS5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_refusal: Option<ProxyRefusal>,
}

/// A proxy's refusal to open the tunnel to the API host, as the proxy itself gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ProxyRefusal {
    /// The proxy (`host:port`, credentials never shown).
    pub proxy: String,
    /// The `host:port` the tunnel was asked for.
    pub target: String,
    /// What the refusal means, read from the proxy's own answer.
    pub reason: RefusalReason,
    /// The HTTP status of the answer to `CONNECT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The SOCKS5 reply code, or `255` when no authentication method was acceptable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socks_reply: Option<u8>,
    /// The proxy's own error code, e.g. squid's `ERR_ACCESS_DENIED` (its `X-Squid-Error`
    /// header or error page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_error: Option<Untrusted>,
    /// The error number the proxy reported with it (squid: `111` connection refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_errno: Option<i32>,
    /// The proxy's product, from its `Server` header (e.g. `squid/5.7`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<Untrusted>,
}

impl ProxyRefusal {
    /// Whether only whoever runs the proxy can change this (see
    /// [`RefusalReason::needs_network_team`]).
    pub fn needs_network_team(&self) -> bool {
        let (host, port) = self.target.rsplit_once(':').unwrap_or((&self.target, ""));
        self.reason
            .needs_network_team(host.trim_matches(['[', ']']), port.parse().unwrap_or(0))
    }
}

impl RefusalReason {
    /// Whether only whoever runs the proxy can change this, for a tunnel to `host:port`:
    /// its rules, or its route or DNS to the documented API host (`api2.saleslayer.com`,
    /// port 443). Credentials, a portal login and a base URL other than the API's are the
    /// user's to fix.
    pub fn needs_network_team(self, host: &str, port: u16) -> bool {
        let api = host.eq_ignore_ascii_case(crate::saleslayer::HOST);
        match self {
            RefusalReason::Denied | RefusalReason::Other => true,
            RefusalReason::UpstreamUnresolved => api,
            RefusalReason::UpstreamUnreachable => api && port == 443,
            RefusalReason::AuthRequired
            | RefusalReason::CredentialsRejected
            | RefusalReason::Page => false,
        }
    }
}

/// Why a proxy refused the tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalReason {
    /// It requires authentication, and the proxy URL has no credentials.
    AuthRequired,
    /// It rejected the credentials in the proxy URL.
    CredentialsRejected,
    /// Its rules (access control) deny the tunnel to this host and port.
    Denied,
    /// It cannot connect to the host (refused, unreachable, timed out).
    UpstreamUnreachable,
    /// It cannot resolve the host's name.
    UpstreamUnresolved,
    /// An HTML page with no proxy error code: a captive portal, login or block page.
    Page,
    /// Another refusal (the status or reply code says which).
    Other,
}

/// A certificate, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CertificateFacts {
    /// Subject distinguished name.
    pub subject: Untrusted,
    /// Issuer distinguished name.
    pub issuer: Untrusted,
    /// Subject alternative names.
    pub names: Vec<Untrusted>,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub not_after: String,
}
