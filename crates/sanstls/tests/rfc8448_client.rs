//! The TLS 1.3 client engine replaying RFC 8448 traces byte for byte.
//!
//! The client draws its hello random, session id and key shares from the trace's
//! `Client_RNG_Pool` (a `ReplayRandom`), runs at the trace's timestamp, and sends the trace's
//! extension list (NSS's, reproduced through the hidden `hello_hook`; the key share in it is
//! the one our engine derives from the same pool, which the test checks). Everything it
//! writes must then equal the trace: ClientHello(s), compatibility CCS, Finished,
//! application data, close_notify; and it must accept the server's recorded flight.
//!
//! The trace's server key is RSA-1024, below ring's minimum for RSA-PSS verification, so the
//! CertificateVerify step uses a test-only verifier that checks the exact content our client
//! asks it to verify (the trace's `Server_MessageToSign`) and signature, instead of doing
//! the RSA arithmetic. Nothing else is stubbed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use sanstls::client::{ClientConfig, ClientConnection, HelloHook, StoredSession};
use sanstls::crypto::verify::ServerCertVerifier;
use sanstls::enums::{CipherSuite, NamedGroup, SignatureScheme};
use sanstls::internal::msgs::extensions::ClientExtension;
use sanstls::internal::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use sanstls::rand::ReplayRandom;
use sanstls::suites::find_tls13_suite;
use sanstls::{Error, Event};
use sanstls_test::replay::{events, feed, take_output, timestamp as now};
use sanstls_test::rfc8448::{self, Section};

/// Test-only: accepts the trace's certificate, and for CertificateVerify checks that the
/// content and signature are exactly the trace's (RSA-1024 cannot be verified with ring).
#[derive(Debug)]
struct TraceVerifier {
    schemes: Vec<SignatureScheme>,
    /// The scheme of the trace's server CertificateVerify.
    scheme: SignatureScheme,
    message_to_sign: Vec<u8>,
    signature: Vec<u8>,
    certificate: Vec<u8>,
    seen: Mutex<Vec<&'static str>>,
}

impl ServerCertVerifier for TraceVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        _ocsp: &[u8],
        _now: sanstls::UnixTime,
    ) -> Result<(), Error> {
        assert_eq!(
            end_entity,
            self.certificate.as_slice(),
            "the trace's certificate"
        );
        assert!(intermediates.is_empty());
        assert_eq!(server_name, "server");
        self.seen.lock().unwrap().push("certificate");
        Ok(())
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        assert_eq!(cert, self.certificate.as_slice());
        assert_eq!(scheme, self.scheme);
        assert_eq!(
            hex::encode(message),
            hex::encode(&self.message_to_sign),
            "signed content"
        );
        if signature != self.signature.as_slice() {
            return Err(sanstls::error::PeerMisbehaved::BadSignature.into());
        }
        self.seen.lock().unwrap().push("certificate_verify");
        Ok(())
    }
}

/// The body of the single plaintext handshake message in a record.
fn hello_in_record(record: &[u8]) -> sanstls::internal::msgs::hello::ClientHelloPayload {
    let m = HandshakeMessagePayload::read_bytes_version(
        &record[5..],
        sanstls::enums::ProtocolVersion::TLSv1_3,
    )
    .unwrap();
    match m.payload {
        HandshakePayload::ClientHello(ch) => ch,
        other => panic!("not a ClientHello: {other:?}"),
    }
}

/// A client configured to reproduce the trace's ClientHello(s).
fn trace_client(s: &Section, compat: bool) -> (Arc<ClientConfig>, Arc<TraceVerifier>) {
    let mut hellos = vec![hello_in_record(&s.bytes("Record_ClientHello_1"))];
    if let Some(second) = s.get("Record_ClientHello_2") {
        hellos.push(hello_in_record(&second));
    }
    let first = &hellos[0];
    let schemes = first.signature_algorithms().unwrap().to_vec();
    let cert_msg = s.bytes("Message_Server_Certificate");
    // Certificate message: type(1) len(3) context<0>(1) list len(3) cert len(3) cert.
    let cert_len = u32::from_be_bytes([0, cert_msg[8], cert_msg[9], cert_msg[10]]) as usize;
    let certificate = cert_msg[11..11 + cert_len].to_vec();
    let cv = s.bytes("Message_Server_CertificateVerify");
    let scheme = SignatureScheme::from(u16::from_be_bytes([cv[4], cv[5]]));
    let verifier = Arc::new(TraceVerifier {
        schemes,
        scheme,
        message_to_sign: s.bytes("Server_MessageToSign"),
        signature: s.bytes("Server_MessageSignature"),
        certificate,
        seen: Mutex::new(Vec::new()),
    });
    let mut config = ClientConfig::new(verifier.clone());
    config.cipher_suites = first
        .cipher_suites
        .iter()
        .map(|&c| find_tls13_suite(c).unwrap())
        .collect();
    config.groups = first
        .named_groups()
        .unwrap()
        .iter()
        .copied()
        .filter(|g| {
            matches!(
                g,
                NamedGroup::X25519 | NamedGroup::secp256r1 | NamedGroup::secp384r1
            )
        })
        .collect();
    config.random = Arc::new(ReplayRandom::new(s.bytes("Client_RNG_Pool")));
    config.middlebox_compat = compat;
    // The traces are TLS 1.3-only clients.
    config.min_version = sanstls::enums::ProtocolVersion::TLSv1_3;
    let extension_lists: Vec<Vec<ClientExtension>> = hellos
        .iter()
        .map(|h| h.extensions.clone().unwrap())
        .collect();
    let calls = AtomicUsize::new(0);
    config.hello_hook = Some(HelloHook(Arc::new(
        move |exts: &mut Vec<ClientExtension>| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let theirs = &extension_lists[n.min(extension_lists.len() - 1)];
            // Our key share must be the one the trace's client derived from the same pool.
            let ours = exts
                .iter()
                .find(|e| matches!(e, ClientExtension::KeyShare(_)))
                .cloned();
            let their_share = theirs
                .iter()
                .find(|e| matches!(e, ClientExtension::KeyShare(_)))
                .cloned();
            assert_eq!(ours, their_share, "key share derived from the RNG pool");
            *exts = theirs.clone();
        },
    )));
    (Arc::new(config), verifier)
}

/// Runs a full (certificate-authenticated) handshake trace and returns the ticket the
/// server issued, if the trace has one.
fn replay_full_handshake(name: &str, compat: bool) -> Option<StoredSession> {
    let s = rfc8448::section(name);
    let at = now(&s);
    let (config, verifier) = trace_client(&s, compat);
    let mut client = ClientConnection::new(config, "server", at).unwrap();
    assert_eq!(
        hex::encode(take_output(&mut client)),
        hex::encode(s.bytes("Record_ClientHello_1"))
    );

    if let Some(hrr) = s.get("Record_HelloRetryRequest") {
        feed(&mut client, &hrr, at);
        assert_eq!(
            hex::encode(take_output(&mut client)),
            hex::encode(s.bytes("Record_ClientHello_2"))
        );
    }
    feed(&mut client, &s.bytes("Record_ServerHello"), at);
    feed(&mut client, &s.bytes("Record_ServerHandshakeMessages"), at);
    assert_eq!(
        hex::encode(take_output(&mut client)),
        hex::encode(s.bytes("Record_ClientFinished"))
    );
    assert_eq!(
        *verifier.seen.lock().unwrap(),
        ["certificate", "certificate_verify"]
    );
    assert!(events(&mut client).contains(&Event::HandshakeComplete));
    assert_eq!(
        client.negotiated().cipher_suite,
        Some(CipherSuite::TLS13_AES_128_GCM_SHA256)
    );

    let mut ticket = None;
    if let Some(record) = s.get("Record_NewSessionTicket") {
        feed(&mut client, &record, at);
        for e in events(&mut client) {
            if let Event::NewSessionTicket(t) = e {
                assert_eq!(t.tls_ticket(), Some(&s.bytes("SessionTicket")[..]));
                ticket = Some(t);
            }
        }
        assert!(ticket.is_some(), "NewSessionTicket event");
    }
    if let Some(data) = s.get("Client_AppData") {
        assert_eq!(client.send(&data).unwrap(), data.len());
        assert_eq!(
            hex::encode(take_output(&mut client)),
            hex::encode(s.bytes("Record_Client_AppData"))
        );
    }
    if let Some(record) = s.get("Record_Server_AppData") {
        feed(&mut client, &record, at);
        let mut buf = vec![0u8; 1024];
        let n = client.read_plaintext(&mut buf);
        assert_eq!(buf[..n], s.bytes("Server_AppData")[..]);
    }
    client.send_close_notify();
    assert_eq!(
        hex::encode(take_output(&mut client)),
        hex::encode(s.bytes("Record_Client_CloseNotify"))
    );
    feed(&mut client, &s.bytes("Record_Server_CloseNotify"), at);
    assert!(events(&mut client).contains(&Event::PeerClosed));
    ticket
}

#[test]
fn simple_1rtt_client_matches_the_trace() {
    let ticket = replay_full_handshake("Simple_1RTT_Handshake", false).expect("a ticket");
    // RFC 8448 s3: the resumption PSK for ticket nonce 00 00.
    assert_eq!(
        hex::encode(&*sanstls::internal::SessionParts::from(ticket).psk),
        "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3"
    );
}

#[test]
fn hello_retry_request_client_matches_the_trace() {
    replay_full_handshake("HelloRetryRequest_Handshake", false);
}

#[test]
fn middlebox_compatibility_client_matches_the_trace() {
    replay_full_handshake("Middlebox_Compatibility_Mode", true);
}

#[test]
fn a_tampered_server_flight_is_refused_with_the_right_alert() {
    let s = rfc8448::section("Simple_1RTT_Handshake");
    let at = now(&s);
    let (config, _) = trace_client(&s, false);
    let mut client = ClientConnection::new(config, "server", at).unwrap();
    take_output(&mut client);
    feed(&mut client, &s.bytes("Record_ServerHello"), at);
    let mut flight = s.bytes("Record_ServerHandshakeMessages");
    let last = flight.len() - 1;
    flight[last] ^= 1;
    assert_eq!(client.read_tls(&flight), flight.len());
    assert_eq!(client.process(at), Err(Error::DecryptError));
    // Sticky, and the alert (bad_record_mac, under the handshake key) is queued.
    assert_eq!(client.process(at), Err(Error::DecryptError));
    let out = take_output(&mut client);
    assert_eq!(out[0], 23, "the alert is protected");
    assert!(client.error().is_some());
}

/// Test-only signer for the client-auth trace's RSA-1024 client key (below ring's minimum):
/// checks the content it is asked to sign and returns the trace's signature.
#[derive(Debug)]
struct TraceSigner {
    message_to_sign: Vec<u8>,
    signature: Vec<u8>,
    /// The trace certificate's public key (the trace has no private key to derive it from).
    public: Vec<u8>,
}

impl sanstls::crypto::sign::SigningKey for TraceSigner {
    fn schemes(&self) -> &[SignatureScheme] {
        &[SignatureScheme::RSA_PSS_RSAE_SHA256]
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        assert_eq!(scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);
        assert_eq!(
            hex::encode(message),
            hex::encode(&self.message_to_sign),
            "client content"
        );
        Ok(self.signature.clone())
    }

    fn algorithm(&self) -> sanstls::crypto::sign::KeyAlgorithm {
        sanstls::crypto::sign::KeyAlgorithm::Rsa { bits: 1024 }
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }
}

#[test]
fn client_authentication_client_matches_the_trace() {
    let s = rfc8448::section("Client_Authentication_Handshake");
    let (config, _) = trace_client(&s, false);
    let mut config = (*config).clone();
    let pem = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/rfc8448/client_certificate.pem"
    );
    let out = std::process::Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in", pem])
        .output()
        .expect("openssl x509");
    assert!(out.status.success());
    let public = sanstls::crypto::sign::certificate_public_key(&out.stdout)
        .unwrap()
        .to_vec();
    let key = Arc::new(TraceSigner {
        message_to_sign: s.bytes("Client_MessageToSign"),
        signature: s.bytes("Client_MessageSignature"),
        public,
    });
    config.client_certificate =
        Some(sanstls::client::ClientCertificate::new(vec![out.stdout], key).unwrap());
    let at = now(&s);
    let mut client = ClientConnection::new(Arc::new(config), "server", at).unwrap();
    assert_eq!(
        hex::encode(take_output(&mut client)),
        hex::encode(s.bytes("Record_ClientHello_1"))
    );
    feed(&mut client, &s.bytes("Record_ServerHello"), at);
    feed(&mut client, &s.bytes("Record_ServerHandshakeMessages"), at);
    // Certificate, CertificateVerify and Finished, byte for byte.
    assert_eq!(
        hex::encode(take_output(&mut client)),
        hex::encode(s.bytes("Record_ClientFinished"))
    );
    client.send_close_notify();
    assert_eq!(
        hex::encode(take_output(&mut client)),
        hex::encode(s.bytes("Record_Client_CloseNotify"))
    );
}
