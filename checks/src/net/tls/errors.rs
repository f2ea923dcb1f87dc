//! TLS errors in words: the stable finding code and one sentence for each handshake
//! failure, the fix for each code, and the TLS-inspection products recognised by the
//! issuer of the certificate they present.

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
                            .map(|n| presented_name(n).to_string())
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
                format!("The server's certificate was rejected: {}", certificate_error_in_words(other)),
            ),
        },
        E::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => (
            "not-tls",
            "The server did not answer with TLS: this port speaks plain HTTP (or another protocol), not https".into(),
        ),
        E::InvalidMessage(m) => (
            "not-tls",
            format!("The server sent something that is not a valid TLS message ({}): this port may not speak TLS", Untrusted::new(&format!("{m:?}"))),
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
        other => ("tls-error", format!("The TLS handshake failed: {}", Untrusted::new(&other.to_string()))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_errors_rustls_names_only_in_rust_are_said_in_words() {
        let other = CertificateError::Other(rustls::OtherError(std::sync::Arc::new(
            std::io::Error::other("CaUsedAsEndEntity"),
        )));
        let (code, msg) = classify(&rustls::Error::InvalidCertificate(other));
        assert_eq!(code, "invalid-certificate");
        assert!(
            msg.contains("presents a CA certificate as its own"),
            "{msg}"
        );
        assert!(!msg.contains("OtherError"), "{msg}");
    }
}
