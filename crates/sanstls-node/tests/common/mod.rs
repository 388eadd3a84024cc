//! Helpers the facade's integration tests share: the certificates, `node` and its output
//! come from `sanstls_test`; only what is the facade's own stays here.

#![allow(dead_code, unreachable_pub, unused_imports)]

/// A self-signed P-256 certificate for a name (CN and DNS SAN), made by openssl, in a
/// temporary directory removed on drop.
pub use sanstls_test::openssl::SelfSigned as Pki;
pub use sanstls_test::peers::{first_line, node};

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A client of 127.0.0.1:`port` for `localhost` trusting `p`'s certificate.
pub fn trusting(port: u16, p: &Pki) -> sanstls_node::ConnectOptions {
    sanstls_node::ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        servername: Some("localhost".into()),
        context: sanstls_node::SecureContextOptions {
            ca: Some(vec![p.cert_pem.clone()]),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The context options of `p`'s key and certificate (Node's `{ key, cert }`).
pub fn context(p: &Pki) -> sanstls_node::SecureContextOptions {
    sanstls_node::SecureContextOptions {
        key: vec![sanstls_pki::keys::KeyInput::new(p.key_pem.clone())],
        cert: vec![p.cert_pem.clone()],
        ..Default::default()
    }
}
