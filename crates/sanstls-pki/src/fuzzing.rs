//! The bodies of the `x509` and `keys` fuzz targets in `fuzz/`, here so the committed
//! corpora replay as plain tests (`tests/fuzz_corpus.rs`). Not a public API. Whatever the
//! bytes, nothing may panic, loop or allocate without bound.

/// `x509`: certificate and CRL parsing, the certificate object (and its JSON), Node's
/// `X509Certificate`, a chain, Node's and the strict identity checks against a host taken
/// from the input, and path validation under both policies.
pub fn x509(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    if let Ok(certs) = crate::cert::parse_certificates(input) {
        if let Ok(detailed) = crate::cert::PeerCertificate::from_chain(&certs) {
            let _ = serde_json::to_string(&detailed);
        }
        let host = match selector % 3 {
            0 => "localhost",
            1 => "127.0.0.1",
            _ => "a.b.example.com",
        };
        for der in certs.iter().take(4) {
            if let Ok(c) = crate::cert::PeerCertificate::from_der(der) {
                let _ = crate::identity::check_server_identity(host, &c);
            }
            // Node's X509Certificate and the strict name rules read the same bytes.
            if let Ok(x) = crate::x509::X509Certificate::from_der(der) {
                let _ = x.check_host(host, &crate::x509::CheckOptions::default());
                let _ = x.to_legacy_object();
            }
            let _ = crate::identity::strict::check_server_name(host, der);
        }
        if let Some((leaf, rest)) = certs.split_first() {
            let anchors = rest.to_vec();
            if let Ok(v) = crate::verify::Verifier::new(anchors) {
                let intermediates: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
                // The strict policy's rules run after Node's: both see the chain.
                let policy = match selector & 4 {
                    0 => crate::verify::Policy::Node,
                    _ => crate::verify::Policy::Strict,
                };
                let _ = v.with_policy(policy).verify(
                    leaf,
                    &intermediates,
                    1_800_000_000,
                    crate::verify::Purpose::ServerAuth,
                );
            }
        }
    }
    let _ = crate::crl::Crl::parse_file(input);
}

/// `keys`: private keys in every format, PKCS#12, DH parameters and PEM, with or without
/// a passphrase (the first byte says which).
pub fn keys(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let pass: Option<&[u8]> = match selector & 1 {
        0 => None,
        _ => Some(b"test-only-pass"),
    };
    let _ = crate::pem::parse(input);
    let _ = crate::keys::load_one(input, pass);
    let _ = crate::pkcs12::parse(input, pass.unwrap_or_default());
    let _ = crate::dh::DhParams::from_pem(input);
    let _ = crate::dh::DhParams::from_der(input);
}
