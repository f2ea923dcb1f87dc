//! The run's own certificate authority and the leaf it signs for the API host.
//!
//! Generated at every start. The CA is name-constrained to the API host, valid for two
//! days, and its private key lives only in memory: it signs the one leaf and is dropped
//! before the command starts, so it is never written anywhere and cannot sign anything
//! else. Nothing is added to any trust store: the command trusts the CA through the CA
//! bundle files of the run's temporary directory (see `environ`).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType,
};
use std::net::IpAddr;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The run's CA (public part) and a TLS acceptor serving the leaf for the API host.
pub(super) struct RunCerts {
    /// The CA certificate the command is made to trust (PEM).
    pub ca_pem: String,
    /// Terminates TLS for the API host with the leaf.
    pub acceptor: tokio_rustls::TlsAcceptor,
}

/// The certificate validity: the run, plus room for clocks that disagree.
fn validity(p: &mut CertificateParams) {
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::hours(1);
    p.not_after = now + time::Duration::days(2);
}

/// A CA constrained to `host` and a leaf for `host`, signed by it.
pub(super) fn generate(host: &str) -> Result<RunCerts, String> {
    let e = |e: rcgen::Error| e.to_string();
    let ip: Option<IpAddr> = host.parse().ok();
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("sl-doctor capture CA for {host} (this run only)"),
    );
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![match ip {
            Some(ip) => GeneralSubtree::IpAddress(rcgen::CidrSubnet::from_addr_prefix(
                ip,
                if ip.is_ipv4() { 32 } else { 128 },
            )),
            None => GeneralSubtree::DnsName(host.to_string()),
        }],
        excluded_subtrees: Vec::new(),
    });
    validity(&mut ca);
    let ca_cert = ca.self_signed(&ca_key).map_err(e)?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = KeyPair::generate().map_err(e)?;
    let mut leaf = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    leaf.subject_alt_names = vec![match ip {
        Some(ip) => SanType::IpAddress(ip),
        None => SanType::DnsName(host.try_into().map_err(e)?),
    }];
    leaf.distinguished_name.push(DnType::CommonName, host);
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut leaf);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(e)?;
    // The CA's key goes with `issuer`, here: only the leaf's key outlives this function.
    drop(issuer);

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let chain = vec![CertificateDer::from(leaf_cert.der().to_vec())];
    Ok(RunCerts {
        ca_pem: ca_cert.pem(),
        acceptor: crate::capture::http1_acceptor(chain, key)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::ServerName;
    use tokio_rustls::rustls::pki_types::pem::PemObject;

    /// A client that trusts only the run's CA completes a handshake with the leaf.
    async fn handshake(host: &str) -> Result<(), String> {
        let c = generate(host)?;
        let ca = CertificateDer::from_pem_slice(c.ca_pem.as_bytes()).map_err(|e| e.to_string())?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca).map_err(|e| e.to_string())?;
        let cfg =
            rustls::ClientConfig::builder_with_provider(sl_doctor_checks::net::tls::provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let (client, server) = tokio::io::duplex(1 << 16);
        let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
        let (a, b) = tokio::join!(connector.connect(name, client), c.acceptor.accept(server));
        a.map_err(|e| e.to_string())?;
        b.map_err(|e| e.to_string())?;
        Ok(())
    }

    #[tokio::test]
    async fn a_client_trusting_the_run_ca_accepts_the_leaf() {
        for host in ["api2.saleslayer.com", "127.0.0.1", "::1"] {
            handshake(host)
                .await
                .unwrap_or_else(|e| panic!("{host}: {e}"));
        }
    }

    #[test]
    fn the_ca_is_named_for_the_host_and_short_lived() {
        let c = generate("api2.saleslayer.com").unwrap_or_else(|e| panic!("{e}"));
        let der =
            CertificateDer::from_pem_slice(c.ca_pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let s = sl_doctor_checks::net::tls::describe_cert(&der).expect("a certificate");
        let text = format!("{s:?}");
        assert!(
            text.contains("sl-doctor capture CA for api2.saleslayer.com"),
            "{text}"
        );
    }
}
