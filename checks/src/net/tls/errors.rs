//! TLS errors in words: the class and one sentence for each handshake failure, the fix
//! for each class, and the TLS-inspection products recognised by the issuer of the
//! certificate they present.

use crate::model::untrusted::Untrusted;
use rustls::CertificateError;
use rustls::pki_types::UnixTime;

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

pub(super) fn format_ts(secs: i64) -> String {
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

/// The classes of TLS handshake failure: each check that meets one names it with its
/// own finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFailure {
    /// The certificate is not issued by a trusted CA.
    UnknownIssuer,
    /// The certificate is not valid for the host name.
    NameMismatch,
    /// The certificate has expired.
    Expired,
    /// The certificate is not valid yet.
    NotYetValid,
    /// The certificate has been revoked.
    Revoked,
    /// The certificate was rejected for another reason.
    InvalidCertificate,
    /// The server does not speak TLS.
    NotTls,
    /// The server sent an alert.
    Alert,
    /// No CA certificate could be loaded.
    NoCaCertificates,
    /// No TLS version or cipher suite in common.
    Incompatible,
    /// The server presented no certificate.
    NoCertificate,
    /// Anything else.
    Other,
}

/// The class of a TLS error and one sentence about it.
pub fn classify(err: &rustls::Error) -> (TlsFailure, String) {
    use rustls::Error as E;
    match err {
        E::InvalidCertificate(ce) => match ce {
            CertificateError::UnknownIssuer => (
                TlsFailure::UnknownIssuer,
                "The server's certificate is not issued by a certificate authority this machine trusts (unknown issuer)".into(),
            ),
            CertificateError::NotValidForName => (
                TlsFailure::NameMismatch,
                "The server's certificate is not valid for this host name".into(),
            ),
            CertificateError::NotValidForNameContext { expected, presented } => (
                TlsFailure::NameMismatch,
                format!(
                    "The server's certificate is not valid for {}; it is for: {}",
                    expected.to_str(),
                    if presented.is_empty() {
                        "(no names)".to_string()
                    } else {
                        presented
                            .iter()
                            .map(|n| presented_name(n).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ),
            CertificateError::Expired => (TlsFailure::Expired, "The server's certificate has expired".into()),
            CertificateError::ExpiredContext { time, not_after } => (
                TlsFailure::Expired,
                format!(
                    "The server's certificate expired on {} (now is {})",
                    format_unix(*not_after),
                    format_unix(*time)
                ),
            ),
            CertificateError::NotValidYet => (
                TlsFailure::NotYetValid,
                "The server's certificate is not valid yet (check this machine's clock)".into(),
            ),
            CertificateError::NotValidYetContext { time, not_before } => (
                TlsFailure::NotYetValid,
                format!(
                    "The server's certificate is only valid from {} (now is {}; check this machine's clock)",
                    format_unix(*not_before),
                    format_unix(*time)
                ),
            ),
            CertificateError::Revoked => (TlsFailure::Revoked, "The server's certificate has been revoked".into()),
            other => (
                TlsFailure::InvalidCertificate,
                format!("The server's certificate was rejected: {}", certificate_error_in_words(other)),
            ),
        },
        E::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => (
            TlsFailure::NotTls,
            "The server did not answer with TLS: this port speaks plain HTTP (or another protocol), not https".into(),
        ),
        // A well-formed TLS answer too large for any client (a certificate chain of a
        // megabyte): the server does speak TLS.
        E::InvalidMessage(
            rustls::InvalidMessage::HandshakePayloadTooLarge
            | rustls::InvalidMessage::CertificatePayloadTooLarge
            | rustls::InvalidMessage::MessageTooLarge,
        ) => (
            TlsFailure::Other,
            "The server speaks TLS, but sent a handshake message larger than TLS clients accept (over 64 KiB: an oversized certificate chain); its TLS set-up must send a normal chain".into(),
        ),
        E::InvalidMessage(m) => (
            TlsFailure::NotTls,
            format!("The server sent something that is not a valid TLS message ({}): this port may not speak TLS", Untrusted::new(&format!("{m:?}"))),
        ),
        E::AlertReceived(a) => (
            TlsFailure::Alert,
            format!("The server aborted the TLS handshake with the alert {a:?}"),
        ),
        E::General(m) if m.contains("No CA certificates") => (
            TlsFailure::NoCaCertificates,
            format!("No CA certificates could be loaded, so no server can be trusted: {m}"),
        ),
        E::PeerIncompatible(p) => (
            TlsFailure::Incompatible,
            format!("The server and sl-doctor have no TLS version or cipher suite in common ({p:?})"),
        ),
        E::NoCertificatesPresented => (
            TlsFailure::NoCertificate,
            "The server presented no certificate".into(),
        ),
        other => (TlsFailure::Other, format!("The TLS handshake failed: {}", Untrusted::new(&other.to_string()))),
    }
}

/// A certificate error rustls (or webpki under it) names only by its Rust name, in words.
/// curl with OpenSSL accepts some of these (a CA certificate used as the server's own),
/// which is why the same URL can work in curl and fail here.
fn certificate_error_in_words(e: &CertificateError) -> String {
    let name = format!("{e:?}");
    const WORDS: &[(&str, &str)] = &[
        (
            "CaUsedAsEndEntity",
            "the server presents a CA certificate as its own certificate; curl (OpenSSL) accepts that, rustls and most modern clients do not: the server should present a certificate issued by that CA",
        ),
        (
            "EndEntityUsedAsCa",
            "a server certificate is used as a CA in the chain",
        ),
        (
            "BadSignature",
            "a signature in the certificate chain does not verify",
        ),
        (
            "UnsupportedSignatureAlgorithm",
            "the certificate is signed with an algorithm that is not supported (e.g. SHA-1)",
        ),
        (
            "InvalidPurpose",
            "the certificate is not meant for TLS servers (extended key usage)",
        ),
        (
            "UnhandledCriticalExtension",
            "the certificate has a critical extension that cannot be processed",
        ),
        ("BadEncoding", "the certificate is malformed"),
        (
            "PathLenConstraintViolated",
            "the certificate chain is longer than a CA in it allows",
        ),
        (
            "NameConstraintViolation",
            "the certificate violates a name constraint of its CA",
        ),
    ];
    match WORDS.iter().find(|(n, _)| name.contains(n)) {
        Some((_, words)) => words.to_string(),
        None => Untrusted::new(&name).to_string(),
    }
}

/// rustls renders presented names as `DnsName("a.test")` / `IpAddress(..)`: keep the name
/// (the server's text: neutralised).
fn presented_name(n: &str) -> Untrusted {
    if let (Some(a), Some(b)) = (n.find('"'), n.rfind('"'))
        && b > a
    {
        return Untrusted::new(&n[a + 1..b]);
    }
    match (n.find('('), n.rfind(')')) {
        (Some(a), Some(b)) if b > a => Untrusted::new(&n[a + 1..b]),
        _ => Untrusted::new(n),
    }
}

impl TlsFailure {
    /// What to do about it.
    pub fn fix(self) -> String {
        use crate::saleslayer::{BASE_URL, HOST};
        use TlsFailure as F;
        match self {
            F::UnknownIssuer => {
                format!("If a company proxy or antivirus inspects TLS, get its root CA certificate (PEM) from your IT team and pass it with --ca-cert (and to your application's HTTP client or SSL_CERT_FILE). Otherwise make sure the base URL points to {HOST} and update the system CA store (e.g. `update-ca-certificates`, the ca-certificates package).")
            }
            F::NameMismatch => {
                format!("Use the host name the certificate is issued for: the API is {BASE_URL}. A different name often means a typo, an old host or a proxy/DNS override sending you to another server.")
            }
            F::Expired | F::NotYetValid => {
                "Check this machine's clock and time zone (NTP). If the clock is right, the server (or an intercepting proxy) presents an out-of-date certificate.".into()
            }
            F::Revoked | F::InvalidCertificate | F::NoCertificate => {
                format!("Make sure the base URL points to {HOST}; something else answered with an unusable certificate.")
            }
            F::NotTls => {
                format!("Use http:// for this port, or the https port of the server; for Sales Layer use {BASE_URL} (port 443).")
            }
            F::NoCaCertificates => {
                "Install the system CA bundle (e.g. the ca-certificates package) or unset/fix SSL_CERT_FILE and SSL_CERT_DIR so they point to an existing CA bundle; --ca-cert adds a bundle explicitly.".into()
            }
            F::Alert | F::Incompatible => {
                format!("Something between you and the API (or the server itself) refuses modern TLS; check proxies and firewalls, and that the base URL points to {HOST}.")
            }
            F::Other => {
                "Check the base URL and any proxy or firewall between this machine and the API.".into()
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_errors_rustls_names_only_in_rust_are_said_in_words() {
        let other = CertificateError::Other(rustls::OtherError(std::sync::Arc::new(
            std::io::Error::other("CaUsedAsEndEntity"),
        )));
        let (class, msg) = classify(&rustls::Error::InvalidCertificate(other));
        assert_eq!(class, TlsFailure::InvalidCertificate);
        assert!(
            msg.contains("presents a CA certificate as its own"),
            "{msg}"
        );
        assert!(!msg.contains("OtherError"), "{msg}");
    }
}
