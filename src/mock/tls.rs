//! A throwaway certificate authority and a leaf for the mock's HTTPS listener.
//!
//! Generated at every start; the CA private key only lives in memory and is dropped
//! once the leaf is signed, so the CA cannot sign anything else.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use std::net::IpAddr;

/// PEM texts for one mock run.
pub struct MockCerts {
    /// The CA certificate a client must trust (public).
    pub ca_pem: String,
    /// The leaf certificate served by the mock.
    pub leaf_pem: String,
    /// The leaf's private key.
    pub leaf_key_pem: String,
}

/// A CA plus a leaf for `localhost`, `127.0.0.1`, `::1` and `extra_ip` (the bind
/// address, when it is a specific non-loopback one).
pub fn generate(extra_ip: Option<IpAddr>) -> anyhow::Result<MockCerts> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "sl-doctor mock CA (throwaway)");
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate()?;
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    leaf_params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::from([
            0u16, 0, 0, 0, 0, 0, 0, 1,
        ])));
    if let Some(ip) = extra_ip.filter(|ip| !ip.is_loopback() && !ip.is_unspecified()) {
        leaf_params.subject_alt_names.push(SanType::IpAddress(ip));
    }
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf = leaf_params.signed_by(&leaf_key, &issuer)?;

    Ok(MockCerts {
        ca_pem: ca.pem(),
        leaf_pem: leaf.pem(),
        leaf_key_pem: leaf_key.serialize_pem(),
    })
}
