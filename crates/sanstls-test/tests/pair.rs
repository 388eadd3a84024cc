//! The in-memory pair over the bench fixtures: a clean handshake, and the alteration hook
//! reaching the other end.

use std::sync::Arc;

use sanstls::client::{ClientConfig, ClientConnection};
use sanstls::crypto::sign::load_private_key;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::Error;
use sanstls_test::fixtures;
use sanstls_test::pair::{transfer, transfer_altered, Sender, NOW};

fn connections() -> (ClientConnection, ServerConnection) {
    let pki = fixtures::bench("ecdsa");
    let verifier = sanstls_pki::tls::NodeServerVerifier::with_roots(vec![pki.ca]).unwrap();
    let key = load_private_key(&pki.key).unwrap();
    let server = ServerConfig::new(vec![CertifiedKey::new(vec![pki.leaf], key).unwrap()]);
    let client = ClientConfig::new(Arc::new(verifier));
    (
        ClientConnection::new(Arc::new(client), "localhost", NOW).unwrap(),
        ServerConnection::new(Arc::new(server), NOW).unwrap(),
    )
}

#[test]
fn transfer_completes_a_handshake() {
    let (mut c, mut s) = connections();
    assert_eq!(transfer(&mut c, &mut s), (None, None));
    assert!(!c.is_handshaking() && !s.is_handshaking());
}

#[test]
fn an_altered_server_flight_fails_the_client() {
    let (mut c, mut s) = connections();
    let (ce, _) = transfer_altered(&mut c, &mut s, NOW, |from, bytes| {
        if from == Sender::Server {
            let last = bytes.len() - 1;
            bytes[last] ^= 0x40;
        }
    });
    assert_eq!(ce, Some(Error::DecryptError));
}
