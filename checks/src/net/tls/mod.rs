//! TLS pieces shared by `tls-connection` and the live probe.
//!
//! * [`client_config`] builds a rustls client configuration from [`NetOptions`] with the
//!   trust the platform's own clients use: on Linux and the BSDs the system CA bundle
//!   file (or the certificate directory when there is no bundle; `SSL_CERT_FILE`/
//!   `SSL_CERT_DIR` honoured), loaded once per process; elsewhere the platform verifier
//!   (`rustls-platform-verifier`); plus the `--ca-cert` PEM bundle, or no verification at
//!   all with `--insecure`. Crypto provider: ring (see [`provider`]). ALPN: h2, http/1.1.
//! * [`classify`] turns a `rustls::Error` into a stable finding code and a sentence;
//!   [`find_rustls_error`] digs it out of an error chain (reqwest double-wraps it in
//!   `io::Error`s whose `source()` skips the payload); [`TlsFailure::fix`] gives the fix.
//! * [`RecordingVerifier`] records the presented chain even when verification fails,
//!   so the certificate can be described ([`describe_cert`]) in the failure report.
//! * [`inspection_product`] recognises the issuer names of TLS-inspecting proxies.

use crate::context::NetOptions;
use crate::model::untrusted::Untrusted;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

mod errors;
use errors::format_ts;
pub use errors::{TlsFailure, classify, find_rustls_error, format_unix, inspection_product};

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
    /// What to do.
    pub fn fix(&self) -> String {
        match self {
            TlsSetupError::CaCertUnreadable { .. }
            | TlsSetupError::CaCertEmpty { .. }
            | TlsSetupError::CaCertInvalid { .. } => {
                "Pass --ca-cert a readable PEM file holding the CA certificate(s) (-----BEGIN CERTIFICATE----- blocks); convert a DER/.cer file with `openssl x509 -inform der -in ca.cer -out ca.pem`.".into()
            }
            TlsSetupError::NoSystemRoots(_) => TlsFailure::NoCaCertificates.fix(),
            TlsSetupError::Other(_) => {
                "Report this to the sl-doctor maintainers with the message above.".into()
            }
        }
    }
}

/// The crypto provider: ring, for every TLS client and server of the process.
///
/// Not aws-lc-rs (reqwest's default): aws-lc seeds its random generator from CPU jitter
/// entropy once per process, which cost about half the CPU of a whole live run (see
/// docs/performance.md). The first call also installs ring as the process default, which
/// reqwest clients built without a preconfigured TLS config (the mock's tests) need.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    static PROVIDER: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            // Err only when another provider was installed first; that one stays the default.
            let _ = rustls::crypto::ring::default_provider().install_default();
            Arc::new(rustls::crypto::ring::default_provider())
        })
        .clone()
}

/// Identifies one version of a file: size and modification time.
type FileStamp = (u64, Option<std::time::SystemTime>);

fn stamp(path: &Path) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()))
}

/// The `--ca-cert` files read so far in this process, with the version that was read.
type CaFiles = Vec<(PathBuf, FileStamp, Arc<[u8]>)>;
static CA_FILES: Mutex<CaFiles> = Mutex::new(Vec::new());

fn remember(path: &Path, st: FileStamp, bytes: Arc<[u8]>) {
    let mut files = CA_FILES.lock().unwrap_or_else(|p| p.into_inner());
    files.retain(|(p, _, _)| p != path);
    files.push((path.to_path_buf(), st, bytes));
}

/// Remembers the contents of a `--ca-cert` file that was just read (the command line
/// checks it before the checks run), so the TLS check and the probes do not read it again.
pub fn remember_ca_file(path: &Path, bytes: Vec<u8>) {
    if let Some(st) = stamp(path) {
        remember(path, st, bytes.into());
    }
}

/// The contents of a `--ca-cert` file, read once per process. A file rewritten since
/// (tests and the demo write several in one process) has another stamp and is read again.
fn ca_file_bytes(path: &Path) -> std::io::Result<Arc<[u8]>> {
    // Stamped before reading: a write in between only makes the next use read it again.
    let st = stamp(path);
    if let Some(st) = st {
        let files = CA_FILES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, b)) = files.iter().find(|(p, s, _)| p == path && *s == st) {
            return Ok(b.clone());
        }
    }
    let bytes: Arc<[u8]> = std::fs::read(path)?.into();
    if let Some(st) = st {
        remember(path, st, bytes.clone());
    }
    Ok(bytes)
}

/// Reads the certificates of a PEM bundle. An unreadable file or one with no
/// certificate is an error.
pub fn load_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let bytes = ca_file_bytes(path).map_err(|source| TlsSetupError::CaCertUnreadable {
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
/// Loading the system CA store is blocking work (a file read and ~150 roots parsed), and
/// one run needs the same verifier for the TLS check and every probe: the roots are
/// loaded once per process, the verifier built once for each set of extra roots and
/// shared (it is immutable).
pub fn verifier(net: &NetOptions) -> Result<Arc<dyn ServerCertVerifier>, TlsSetupError> {
    type Cache = Vec<(
        Option<Vec<CertificateDer<'static>>>,
        Arc<dyn ServerCertVerifier>,
    )>;
    static CACHE: std::sync::Mutex<Cache> = std::sync::Mutex::new(Vec::new());
    let provider = provider();
    if net.insecure {
        return Ok(Arc::new(RecordingVerifier::accepting_any(provider)));
    }
    // Keyed by the certificates themselves, not the path: a file may change between runs
    // of the same process (tests, the demo).
    let extra = net.ca_cert.as_deref().map(load_ca_file).transpose()?;
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, v)) = cache.iter().find(|(k, _)| *k == extra) {
        return Ok(v.clone());
    }
    let v = match &extra {
        Some(certs) => platform_verifier(certs, provider).map_err(|e| match e {
            rustls::Error::General(m) if m.contains("No CA certificates") => {
                TlsSetupError::NoSystemRoots(m)
            }
            other => TlsSetupError::CaCertInvalid {
                path: net.ca_cert.clone().unwrap_or_default(),
                reason: other.to_string(),
            },
        })?,
        None => platform_verifier(&[], provider).map_err(|e| match e {
            rustls::Error::General(m) if m.contains("No CA certificates") => {
                TlsSetupError::NoSystemRoots(m)
            }
            other => TlsSetupError::Other(other.to_string()),
        })?,
    };
    cache.push((extra, v.clone()));
    Ok(v)
}

/// Linux and the BSDs: the system roots plus `extra`, verified by rustls' WebPKI verifier
/// (what `rustls-platform-verifier` does there too, minus its reading of every file of
/// the certificate directory on top of the bundle).
#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn platform_verifier(
    extra: &[CertificateDer<'static>],
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, rustls::Error> {
    // As the platform verifier: with --ca-cert, a machine without system roots still works.
    let mut roots = system_roots()
        .map(|r| (*r).clone())
        .unwrap_or_else(|_| rustls::RootCertStore::empty());
    for c in extra {
        roots.add(c.clone())?;
    }
    if roots.is_empty() {
        return Err(rustls::Error::General(
            "No CA certificates were loaded from the system".into(),
        ));
    }
    let v = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?;
    Ok(v)
}

/// Where the system's CA certificates are, as OpenSSL (curl, Python, …) would look:
/// `SSL_CERT_FILE` and/or `SSL_CERT_DIR` when set (a file that does not exist then gives
/// no roots, as for those clients); otherwise the distribution's bundle file
/// (`/etc/ssl/certs/ca-certificates.crt` on Debian), or the certificate directory when
/// there is no bundle. The bundle and the directory hold the same certificates: reading
/// both (as rustls-native-certs does) parsed every root twice.
#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn system_ca_locations() -> (Option<PathBuf>, Vec<PathBuf>) {
    let var = |n: &str| std::env::var_os(n).filter(|v| !v.is_empty());
    match (var("SSL_CERT_FILE"), var("SSL_CERT_DIR")) {
        (None, None) => {
            let probe = openssl_probe::probe();
            match probe.cert_file {
                Some(f) => (Some(f), Vec::new()),
                None => (None, probe.cert_dir.into_iter().take(1).collect()),
            }
        }
        (f, d) => (
            f.map(PathBuf::from),
            d.map(|d| std::env::split_paths(&d).collect())
                .unwrap_or_default(),
        ),
    }
}

/// The system's CA certificates (DER), read from [`system_ca_locations`].
#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn system_ca_certs() -> Vec<CertificateDer<'static>> {
    let (file, dirs) = system_ca_locations();
    let mut certs = Vec::new();
    if file.is_some() || dirs.is_empty() {
        certs.extend(rustls_native_certs::load_certs_from_paths(file.as_deref(), None).certs);
    }
    for d in &dirs {
        certs.extend(rustls_native_certs::load_certs_from_paths(None, Some(d)).certs);
    }
    certs
}

/// The system's CA certificates as one PEM bundle, from where the TLS check trusts them
/// (see [`system_ca_locations`]), for a program that reads a bundle file (`capture --`
/// hands its child the system bundle plus the run's CA). `None` where the OS verifies
/// (macOS, Windows, Android) or when no certificate was found.
pub fn system_bundle_pem() -> Option<String> {
    #[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
    {
        use base64::Engine;
        let certs = system_ca_certs();
        let mut pem = String::new();
        for c in &certs {
            let b64 = base64::engine::general_purpose::STANDARD.encode(c.as_ref());
            pem.push_str("-----BEGIN CERTIFICATE-----\n");
            for line in b64.as_bytes().chunks(64) {
                pem.push_str(std::str::from_utf8(line).unwrap_or_default());
                pem.push('\n');
            }
            pem.push_str("-----END CERTIFICATE-----\n");
        }
        (!certs.is_empty()).then_some(pem)
    }
    #[cfg(not(all(unix, not(target_vendor = "apple"), not(target_os = "android"))))]
    {
        None
    }
}

/// The system roots, loaded once per process on first use (see [`system_ca_locations`]).
#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn system_roots() -> Result<Arc<rustls::RootCertStore>, String> {
    static ROOTS: OnceLock<Result<Arc<rustls::RootCertStore>, String>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            roots.add_parsable_certificates(system_ca_certs());
            if roots.is_empty() {
                Err("No CA certificates were loaded from the system".to_string())
            } else {
                Ok(Arc::new(roots))
            }
        })
        .clone()
}

/// macOS, Windows, Android: the OS verifies (keychain, CryptoAPI), as reqwest does.
#[cfg(not(all(unix, not(target_vendor = "apple"), not(target_os = "android"))))]
fn platform_verifier(
    extra: &[CertificateDer<'static>],
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, rustls::Error> {
    let v = if extra.is_empty() {
        rustls_platform_verifier::Verifier::new(provider)?
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra.iter().cloned(), provider)?
    };
    Ok(Arc::new(v))
}

/// A client configuration around a verifier: ring, TLS 1.2 and 1.3, ALPN h2 and
/// http/1.1, no client certificate.
pub fn config_with_verifier(v: Arc<dyn ServerCertVerifier>) -> rustls::ClientConfig {
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
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

/// What decides whether the server certificate is accepted.
#[derive(Debug)]
enum Decider {
    /// A real verifier (the platform's, or WebPKI with the system roots).
    Verifier(Arc<dyn ServerCertVerifier>),
    /// `--insecure`: any certificate is accepted; the handshake signatures are still
    /// checked, with this provider's algorithms.
    AnyCertificate(Arc<rustls::crypto::CryptoProvider>),
}

/// Records the chain the server presented, so it can be described even when
/// verification fails, and hands the decisions to a [`Decider`].
#[derive(Debug)]
pub struct RecordingVerifier {
    decider: Decider,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl RecordingVerifier {
    /// Delegates every decision to `inner`.
    pub fn new(inner: Arc<dyn ServerCertVerifier>) -> Self {
        Self::deciding(Decider::Verifier(inner))
    }

    /// `--insecure`: accepts any certificate, still checks handshake signatures.
    fn accepting_any(provider: Arc<rustls::crypto::CryptoProvider>) -> Self {
        Self::deciding(Decider::AnyCertificate(provider))
    }

    fn deciding(decider: Decider) -> Self {
        RecordingVerifier {
            decider,
            chain: Mutex::new(Vec::new()),
        }
    }

    /// The presented chain, leaf first (empty before the handshake got that far).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// A handshake-signature method of [`ServerCertVerifier`]: the TLS 1.2 and TLS 1.3 ones
/// take the same arguments and share their name with the `rustls::crypto` function that
/// checks them, so one definition serves both.
macro_rules! verify_signature {
    ($method:ident) => {
        fn $method(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            match &self.decider {
                Decider::Verifier(v) => v.$method(message, cert, dss),
                Decider::AnyCertificate(p) => {
                    let algorithms = &p.signature_verification_algorithms;
                    rustls::crypto::$method(message, cert, dss, algorithms)
                }
            }
        }
    };
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
        match &self.decider {
            Decider::Verifier(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            }
            Decider::AnyCertificate(_) => Ok(ServerCertVerified::assertion()),
        }
    }

    verify_signature!(verify_tls12_signature);
    verify_signature!(verify_tls13_signature);

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match &self.decider {
            Decider::Verifier(v) => v.supported_verify_schemes(),
            Decider::AnyCertificate(p) => p.signature_verification_algorithms.supported_schemes(),
        }
    }
}

/// What a certificate says about itself. The names are the server's text, written by
/// whoever made the certificate (no trusted CA is needed to present one): untrusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// Subject distinguished name.
    pub subject: Untrusted,
    /// Issuer distinguished name.
    pub issuer: Untrusted,
    /// DNS and IP subject alternative names.
    pub names: Vec<Untrusted>,
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
                x509_parser::extensions::GeneralName::DNSName(d) => names.push(Untrusted::new(d)),
                x509_parser::extensions::GeneralName::IPAddress(b) => match b.len() {
                    4 => names.push(Untrusted::new(
                        &std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
                    )),
                    16 => {
                        let a: [u8; 16] = (*b).try_into().ok()?;
                        names.push(Untrusted::new(&std::net::Ipv6Addr::from(a).to_string()))
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    Some(CertSummary {
        subject: Untrusted::new(&c.subject().to_string()),
        issuer: Untrusted::new(&c.issuer().to_string()),
        names,
        not_before: format_ts(c.validity().not_before.timestamp()),
        not_after: format_ts(c.validity().not_after.timestamp()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::CertificateError;

    #[test]
    fn classifies_common_errors() {
        let e = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert_eq!(classify(&e).0, TlsFailure::UnknownIssuer);
        let e = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        assert!(classify(&e).1.contains("plain HTTP"));
        let e = rustls::Error::General("No CA certificates were loaded from the system".into());
        assert_eq!(classify(&e).0, TlsFailure::NoCaCertificates);
        let e = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_700_000_000)),
            not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_609_459_200)),
        });
        let (class, msg) = classify(&e);
        assert_eq!(class, TlsFailure::Expired);
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
            Some(TlsFailure::UnknownIssuer)
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
    fn ca_file_is_read_once_until_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ca.pem");
        std::fs::write(&p, "first").unwrap();
        assert_eq!(&*ca_file_bytes(&p).unwrap(), b"first");
        // What the command line remembered is used without reading the file again.
        remember_ca_file(&p, b"remembered".to_vec());
        assert_eq!(&*ca_file_bytes(&p).unwrap(), b"remembered");
        // A rewritten file (another size) is read again.
        std::fs::write(&p, "second, longer").unwrap();
        assert_eq!(&*ca_file_bytes(&p).unwrap(), b"second, longer");
    }

    #[test]
    fn ca_file_errors_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let net = NetOptions {
            ca_cert: Some(missing),
            ..Default::default()
        };
        assert!(matches!(
            verifier(&net).unwrap_err(),
            TlsSetupError::CaCertUnreadable { .. }
        ));
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "hello").unwrap();
        let net = NetOptions {
            ca_cert: Some(junk),
            ..Default::default()
        };
        assert!(matches!(
            verifier(&net).unwrap_err(),
            TlsSetupError::CaCertEmpty { .. }
        ));
    }
}
