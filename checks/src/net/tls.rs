//! TLS pieces shared by `tls-connection` and the live probe.
//!
//! * [`client_config`] builds a rustls client configuration from [`NetOptions`] with the
//!   same trust as reqwest 0.13's rustls backend: the platform verifier
//!   (`rustls-platform-verifier`: the system store, `SSL_CERT_FILE`/`SSL_CERT_DIR`
//!   honoured), plus the `--ca-cert` PEM bundle, or no verification at all with
//!   `--insecure`. Crypto provider: aws-lc-rs (as reqwest). ALPN: h2, http/1.1.
//! * [`classify`] turns a `rustls::Error` into a stable finding code and a sentence;
//!   [`find_rustls_error`] digs it out of an error chain (reqwest double-wraps it in
//!   `io::Error`s whose `source()` skips the payload); [`fix_for`] gives the remedy.
//! * [`RecordingVerifier`] records the presented chain even when verification fails,
//!   so the certificate can be described ([`describe_cert`]) in the failure report.
//! * [`inspection_product`] recognises the issuer names of TLS-inspecting proxies.

use crate::model::context::NetOptions;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Why no TLS client configuration could be built. Each is a `fail` finding.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// `--ca-cert` cannot be read.
    #[error("The CA certificate file {path} cannot be read: {source}")]
    CaCertUnreadable {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `--ca-cert` holds no PEM certificate.
    #[error(
        "The CA certificate file {path} contains no PEM certificate (no -----BEGIN CERTIFICATE----- block)"
    )]
    CaCertEmpty {
        /// The file.
        path: PathBuf,
    },
    /// `--ca-cert` holds a certificate rustls rejects.
    #[error(
        "The CA certificate file {path} holds a certificate that cannot be used as a root: {reason}"
    )]
    CaCertInvalid {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The system store is empty (e.g. `SSL_CERT_FILE` points to a missing file).
    #[error("No CA certificates were loaded from the system: {0}")]
    NoSystemRoots(String),
    /// Anything else rustls refused.
    #[error("The TLS client could not be configured: {0}")]
    Other(String),
}

impl TlsSetupError {
    /// Stable finding code.
    pub fn code(&self) -> &'static str {
        match self {
            TlsSetupError::CaCertUnreadable { .. } => "ca-cert-unreadable",
            TlsSetupError::CaCertEmpty { .. } => "ca-cert-empty",
            TlsSetupError::CaCertInvalid { .. } => "ca-cert-invalid",
            TlsSetupError::NoSystemRoots(_) => "no-ca-certificates",
            TlsSetupError::Other(_) => "tls-setup",
        }
    }

    /// What to do.
    pub fn fix(&self) -> &'static str {
        match self {
            TlsSetupError::CaCertUnreadable { .. }
            | TlsSetupError::CaCertEmpty { .. }
            | TlsSetupError::CaCertInvalid { .. } => {
                "Pass --ca-cert a readable PEM file holding the CA certificate(s) (-----BEGIN CERTIFICATE----- blocks); convert a DER/.cer file with `openssl x509 -inform der -in ca.cer -out ca.pem`."
            }
            TlsSetupError::NoSystemRoots(_) => fix_for("no-ca-certificates"),
            TlsSetupError::Other(_) => {
                "Report this to the sl-doctor maintainers with the message above."
            }
        }
    }
}

/// The crypto provider (aws-lc-rs, as reqwest's default rustls backend).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads the certificates of a PEM bundle. An unreadable file or one with no
/// certificate is an error.
pub fn load_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let bytes = std::fs::read(path).map_err(|source| TlsSetupError::CaCertUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(TlsSetupError::CaCertEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

/// The certificate verifier for these options: platform roots (+ `--ca-cert`), or none
/// with `--insecure`.
///
/// Loading the system CA store takes tens of milliseconds of blocking work, and one run
/// needs the same verifier for the TLS check and every probe: it is built once per
/// process for each set of extra roots and shared (the verifier itself is immutable).
pub fn verifier(net: &NetOptions) -> Result<Arc<dyn ServerCertVerifier>, TlsSetupError> {
    type Cache = Vec<(
        Option<Vec<CertificateDer<'static>>>,
        Arc<dyn ServerCertVerifier>,
    )>;
    static CACHE: std::sync::Mutex<Cache> = std::sync::Mutex::new(Vec::new());
    let provider = provider();
    if net.insecure {
        return Ok(Arc::new(NoVerification(provider)));
    }
    // Keyed by the certificates themselves, not the path: a file may change between runs
    // of the same process (tests, the demo).
    let extra = net.ca_cert.as_deref().map(load_ca_file).transpose()?;
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, v)) = cache.iter().find(|(k, _)| *k == extra) {
        return Ok(v.clone());
    }
    let v = match &extra {
        Some(certs) => rustls_platform_verifier::Verifier::new_with_extra_roots(
            certs.iter().cloned(),
            provider,
        )
        .map_err(|e| match e {
            rustls::Error::General(m) if m.contains("No CA certificates") => {
                TlsSetupError::NoSystemRoots(m)
            }
            other => TlsSetupError::CaCertInvalid {
                path: net.ca_cert.clone().unwrap_or_default(),
                reason: other.to_string(),
            },
        })?,
        None => rustls_platform_verifier::Verifier::new(provider).map_err(|e| match e {
            rustls::Error::General(m) if m.contains("No CA certificates") => {
                TlsSetupError::NoSystemRoots(m)
            }
            other => TlsSetupError::Other(other.to_string()),
        })?,
    };
    let v: Arc<dyn ServerCertVerifier> = Arc::new(v);
    cache.push((extra, v.clone()));
    Ok(v)
}

/// A client configuration around a verifier: aws-lc-rs, TLS 1.2 and 1.3, ALPN h2 and
/// http/1.1, no client certificate.
pub fn config_with_verifier(v: Arc<dyn ServerCertVerifier>) -> rustls::ClientConfig {
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(v)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    cfg
}

/// The client configuration for these options (see the module docs).
pub fn client_config(net: &NetOptions) -> Result<rustls::ClientConfig, TlsSetupError> {
    Ok(config_with_verifier(verifier(net)?))
}

/// `--insecure`: accepts any certificate, still checks handshake signatures.
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Delegates to another verifier and keeps the chain the server presented, so it can be
/// described even when verification fails.
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl RecordingVerifier {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ServerCertVerifier>) -> Self {
        RecordingVerifier {
            inner,
            chain: Mutex::new(Vec::new()),
        }
    }

    /// The presented chain, leaf first (empty before the handshake got that far).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut c) = self.chain.lock() {
            *c = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|d| d.clone().into_owned())
                .collect();
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Finds the `rustls::Error` in an error chain, including reqwest's
/// `io::Error(Other) -> io::Error(InvalidData) -> rustls::Error` nesting, where
/// `source()` does not reach the payload.
pub fn find_rustls_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut cur: Option<&'a (dyn std::error::Error + 'static)> = Some(err);
    let mut hops = 0;
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        hops += 1;
        if hops > 16 {
            return None;
        }
        cur = match e.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => e.source(),
            },
            None => e.source(),
        };
    }
    None
}

/// A UTC date for messages: `2021-01-01 00:00:00 UTC`.
pub fn format_unix(t: UnixTime) -> String {
    format_ts(t.as_secs() as i64)
}

fn format_ts(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            d.year(),
            d.month() as u8,
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        ),
        Err(_) => format!("unix time {secs}"),
    }
}

/// Stable code and a one-sentence explanation of a TLS error.
///
/// Codes: `unknown-issuer`, `name-mismatch`, `expired`, `not-yet-valid`, `revoked`,
/// `invalid-certificate`, `not-tls`, `tls-alert`, `no-ca-certificates`,
/// `tls-incompatible`, `no-certificate`, `tls-error`.
pub fn classify(err: &rustls::Error) -> (&'static str, String) {
    use rustls::Error as E;
    match err {
        E::InvalidCertificate(ce) => match ce {
            CertificateError::UnknownIssuer => (
                "unknown-issuer",
                "The server's certificate is not issued by a certificate authority this machine trusts (unknown issuer)".into(),
            ),
            CertificateError::NotValidForName => (
                "name-mismatch",
                "The server's certificate is not valid for this host name".into(),
            ),
            CertificateError::NotValidForNameContext { expected, presented } => (
                "name-mismatch",
                format!(
                    "The server's certificate is not valid for {}; it is for: {}",
                    expected.to_str(),
                    if presented.is_empty() {
                        "(no names)".to_string()
                    } else {
                        presented
                            .iter()
                            .map(|n| presented_name(n))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ),
            CertificateError::Expired => ("expired", "The server's certificate has expired".into()),
            CertificateError::ExpiredContext { time, not_after } => (
                "expired",
                format!(
                    "The server's certificate expired on {} (now is {})",
                    format_unix(*not_after),
                    format_unix(*time)
                ),
            ),
            CertificateError::NotValidYet => (
                "not-yet-valid",
                "The server's certificate is not valid yet (check this machine's clock)".into(),
            ),
            CertificateError::NotValidYetContext { time, not_before } => (
                "not-yet-valid",
                format!(
                    "The server's certificate is only valid from {} (now is {}; check this machine's clock)",
                    format_unix(*not_before),
                    format_unix(*time)
                ),
            ),
            CertificateError::Revoked => ("revoked", "The server's certificate has been revoked".into()),
            other => (
                "invalid-certificate",
                format!("The server's certificate was rejected: {other:?}"),
            ),
        },
        E::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => (
            "not-tls",
            "The server did not answer with TLS: this port speaks plain HTTP (or another protocol), not https".into(),
        ),
        E::InvalidMessage(m) => (
            "not-tls",
            format!("The server sent something that is not a valid TLS message ({m:?}): this port may not speak TLS"),
        ),
        E::AlertReceived(a) => (
            "tls-alert",
            format!("The server aborted the TLS handshake with the alert {a:?}"),
        ),
        E::General(m) if m.contains("No CA certificates") => (
            "no-ca-certificates",
            format!("No CA certificates could be loaded, so no server can be trusted: {m}"),
        ),
        E::PeerIncompatible(p) => (
            "tls-incompatible",
            format!("The server and sl-doctor have no TLS version or cipher suite in common ({p:?})"),
        ),
        E::NoCertificatesPresented => (
            "no-certificate",
            "The server presented no certificate".into(),
        ),
        other => ("tls-error", format!("The TLS handshake failed: {other}")),
    }
}

/// rustls renders presented names as `DnsName("a.test")` / `IpAddress(..)`: keep the name.
fn presented_name(n: &str) -> String {
    if let (Some(a), Some(b)) = (n.find('"'), n.rfind('"'))
        && b > a
    {
        return n[a + 1..b].to_string();
    }
    match (n.find('('), n.rfind(')')) {
        (Some(a), Some(b)) if b > a => n[a + 1..b].to_string(),
        _ => n.to_string(),
    }
}

/// The remedy for a [`classify`] code.
pub fn fix_for(code: &str) -> &'static str {
    match code {
        "unknown-issuer" => {
            "If a company proxy or antivirus inspects TLS, get its root CA certificate (PEM) from your IT team and pass it with --ca-cert (and to your application's HTTP client or SSL_CERT_FILE). Otherwise make sure the base URL points to api2.saleslayer.com and update the system CA store (e.g. `update-ca-certificates`, the ca-certificates package)."
        }
        "name-mismatch" => {
            "Use the host name the certificate is issued for: the API is https://api2.saleslayer.com. A different name often means a typo, an old host or a proxy/DNS override sending you to another server."
        }
        "expired" | "not-yet-valid" => {
            "Check this machine's clock and time zone (NTP). If the clock is right, the server (or an intercepting proxy) presents an out-of-date certificate."
        }
        "revoked" | "invalid-certificate" | "no-certificate" => {
            "Make sure the base URL points to api2.saleslayer.com; something else answered with an unusable certificate."
        }
        "not-tls" => {
            "Use http:// for this port, or the https port of the server; for Sales Layer use https://api2.saleslayer.com (port 443)."
        }
        "no-ca-certificates" => {
            "Install the system CA bundle (e.g. the ca-certificates package) or unset/fix SSL_CERT_FILE and SSL_CERT_DIR so they point to an existing CA bundle; --ca-cert adds a bundle explicitly."
        }
        "tls-alert" | "tls-incompatible" => {
            "Something between you and the API (or the server itself) refuses modern TLS; check proxies and firewalls, and that the base URL points to api2.saleslayer.com."
        }
        _ => "Check the base URL and any proxy or firewall between this machine and the API.",
    }
}

/// Products whose TLS-inspection root CAs show up as the issuer of intercepted certificates.
const INSPECTION_PRODUCTS: &[(&str, &str)] = &[
    ("zscaler", "Zscaler"),
    ("netskope", "Netskope"),
    ("palo alto", "Palo Alto Networks"),
    ("paloalto", "Palo Alto Networks"),
    ("fortigate", "Fortinet FortiGate"),
    ("fortinet", "Fortinet"),
    ("blue coat", "Blue Coat / Symantec ProxySG"),
    ("bluecoat", "Blue Coat / Symantec ProxySG"),
    ("symantec", "Symantec"),
    ("umbrella", "Cisco Umbrella"),
    ("cisco", "Cisco"),
    ("sophos", "Sophos"),
    ("check point", "Check Point"),
    ("checkpoint", "Check Point"),
    ("mcafee", "McAfee / Skyhigh"),
    ("skyhigh", "Skyhigh Security"),
    ("forcepoint", "Forcepoint"),
    ("websense", "Forcepoint (Websense)"),
    ("mitmproxy", "mitmproxy"),
    ("charles proxy", "Charles Proxy"),
    ("charles", "Charles Proxy"),
    ("fiddler", "Fiddler"),
    ("do_not_trust", "Fiddler"),
    ("portswigger", "Burp Suite"),
    ("burp", "Burp Suite"),
    ("kaspersky", "Kaspersky"),
    ("eset", "ESET"),
    ("avast", "Avast"),
    ("avg ", "AVG"),
    ("bitdefender", "Bitdefender"),
    ("barracuda", "Barracuda"),
    ("cloudflare gateway", "Cloudflare Gateway"),
    ("watchguard", "WatchGuard"),
    ("sonicwall", "SonicWall"),
];

/// The TLS-inspection product an issuer name belongs to, when recognisable.
pub fn inspection_product(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    INSPECTION_PRODUCTS
        .iter()
        .find(|(needle, _)| n.contains(needle))
        .map(|(_, p)| *p)
}

/// What a certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// DNS and IP subject alternative names.
    pub names: Vec<String>,
    /// Start of validity (UTC).
    pub not_before: String,
    /// End of validity (UTC).
    pub not_after: String,
}

impl CertSummary {
    /// Whether subject and issuer are the same (self-signed or a root).
    pub fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }
}

/// Parses a DER certificate; `None` when it cannot be parsed.
pub fn describe_cert(der: &[u8]) -> Option<CertSummary> {
    let (_, c) = x509_parser::parse_x509_certificate(der).ok()?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = c.subject_alternative_name() {
        for g in &san.value.general_names {
            match g {
                x509_parser::extensions::GeneralName::DNSName(d) => names.push(d.to_string()),
                x509_parser::extensions::GeneralName::IPAddress(b) => match b.len() {
                    4 => names.push(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()),
                    16 => {
                        let a: [u8; 16] = (*b).try_into().ok()?;
                        names.push(std::net::Ipv6Addr::from(a).to_string())
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    Some(CertSummary {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        names,
        not_before: format_ts(c.validity().not_before.timestamp()),
        not_after: format_ts(c.validity().not_after.timestamp()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_errors() {
        let e = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert_eq!(classify(&e).0, "unknown-issuer");
        let e = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        assert!(classify(&e).1.contains("plain HTTP"));
        let e = rustls::Error::General("No CA certificates were loaded from the system".into());
        assert_eq!(classify(&e).0, "no-ca-certificates");
        let e = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_700_000_000)),
            not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_609_459_200)),
        });
        let (code, msg) = classify(&e);
        assert_eq!(code, "expired");
        assert!(msg.contains("2021-01-01 00:00:00 UTC"), "{msg}");
    }

    #[test]
    fn finds_double_wrapped_rustls_error() {
        let inner = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        let outer = std::io::Error::other(inner);
        assert_eq!(
            find_rustls_error(&outer).map(|e| classify(e).0),
            Some("unknown-issuer")
        );
        assert!(find_rustls_error(&std::io::Error::other("x")).is_none());
    }

    #[test]
    fn recognises_inspection_products() {
        assert_eq!(
            inspection_product("CN=Zscaler Root CA, O=Zscaler Inc."),
            Some("Zscaler")
        );
        assert_eq!(
            inspection_product("CN=mitmproxy, O=mitmproxy"),
            Some("mitmproxy")
        );
        assert_eq!(
            inspection_product("CN=ISRG Root X1, O=Internet Security Research Group"),
            None
        );
    }

    #[test]
    fn ca_file_errors_are_reported() {
        let dir = std::env::temp_dir().join(format!("sl-doctor-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let net = NetOptions {
            ca_cert: Some(missing),
            ..Default::default()
        };
        assert_eq!(verifier(&net).unwrap_err().code(), "ca-cert-unreadable");
        let junk = dir.join("junk.pem");
        std::fs::write(&junk, "hello").unwrap();
        let net = NetOptions {
            ca_cert: Some(junk),
            ..Default::default()
        };
        assert_eq!(verifier(&net).unwrap_err().code(), "ca-cert-empty");
    }
}
