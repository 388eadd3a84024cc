//! The TLS 1.3 server engine replaying RFC 8448 traces byte for byte.
//!
//! The server draws its random and key share from the trace's `Server_RNG_Pool`, and its
//! ServerHello and EncryptedExtensions carry the trace's extension lists (reproduced through
//! the hidden `extensions_hook`; the key share in them must be the one our engine derives
//! from the pool). What it writes must then equal the trace: ServerHello, compatibility CCS,
//! and the whole encrypted flight up to and including its Finished; every traffic secret
//! (from `Event::KeyLog`) must equal RFC 8448's.
//!
//! The trace's keys are RSA-1024, which ring neither signs nor verifies with, so two steps
//! use test doubles: the server's signer checks that it is asked to sign exactly the
//! trace's `Server_MessageToSign` and returns the trace's signature (RSA-PSS is randomised,
//! so no implementation could reproduce it anyway), and the client-certificate verifier
//! checks the exact content and signature of the client's CertificateVerify.

use std::sync::Arc;

use sanstls::crypto::sign::{KeyAlgorithm, SigningKey};
use sanstls::crypto::verify::ClientCertVerifier;
use sanstls::enums::SignatureScheme;
use sanstls::internal::handshake::key_schedule::KeyLogLabel;
use sanstls::internal::msgs::certificate::CertificatePayloadTls13;
use sanstls::internal::msgs::extensions::ServerExtension;
use sanstls::internal::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use sanstls::rand::ReplayRandom;
use sanstls::server::{CertifiedKey, ExtensionsHook, HookPoint, ServerConfig, ServerConnection};
use sanstls::suites::{
    TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
};
use sanstls::{Error, Event};
use sanstls_test::replay::{feed, take_output as output, timestamp as at};
use sanstls_test::rfc8448::{self, Section};

fn decode(bytes: &[u8]) -> HandshakePayload {
    HandshakeMessagePayload::read_bytes_version(bytes, sanstls::enums::ProtocolVersion::TLSv1_3)
        .unwrap()
        .payload
}

/// Test-only signer: the trace's RSA-1024 key is below ring's minimum, and RSA-PSS and
/// ECDSA signatures are randomised, so it hands back the trace's own signature after
/// checking the content it is asked to sign.
#[derive(Debug)]
struct TraceSigner {
    scheme: [SignatureScheme; 1],
    message_to_sign: Vec<u8>,
    signature: Vec<u8>,
    /// The trace certificate's public key (the trace has no private key to derive it from).
    public: Vec<u8>,
}

impl SigningKey for TraceSigner {
    fn schemes(&self) -> &[SignatureScheme] {
        &self.scheme
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        assert_eq!(scheme, self.scheme[0]);
        assert_eq!(
            hex::encode(message),
            hex::encode(&self.message_to_sign),
            "content signed"
        );
        Ok(self.signature.clone())
    }

    fn algorithm(&self) -> KeyAlgorithm {
        // The traces sign with RSA-PSS or, in the client-authentication one, ECDSA P-256.
        match self.scheme[0] {
            SignatureScheme::ECDSA_NISTP256_SHA256 => KeyAlgorithm::EcdsaP256,
            _ => KeyAlgorithm::Rsa { bits: 1024 },
        }
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }
}

/// Test-only client-certificate verifier for the client-auth trace (RSA-1024 client key).
#[derive(Debug)]
struct TraceClientVerifier {
    schemes: Vec<SignatureScheme>,
    message_to_sign: Vec<u8>,
    signature: Vec<u8>,
}

impl ClientCertVerifier for TraceClientVerifier {
    fn verify_client_cert(
        &self,
        _ee: &[u8],
        intermediates: &[&[u8]],
        _now: sanstls::UnixTime,
    ) -> Result<(), Error> {
        assert!(intermediates.is_empty());
        Ok(())
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        _cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        assert_eq!(scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);
        assert_eq!(hex::encode(message), hex::encode(&self.message_to_sign));
        assert_eq!(signature, self.signature.as_slice());
        Ok(())
    }
}

fn extensions_of(h: HandshakePayload) -> Vec<ServerExtension> {
    match h {
        HandshakePayload::ServerHello(sh) => sh.extensions.unwrap(),
        HandshakePayload::EncryptedExtensions(ee) => ee.extensions,
        other => panic!("unexpected {other:?}"),
    }
}

fn trace_server(s: &Section) -> ServerConfig {
    let HandshakePayload::CertificateTls13(CertificatePayloadTls13 { entries, .. }) =
        decode(&s.bytes("Message_Server_Certificate"))
    else {
        panic!("certificate");
    };
    let HandshakePayload::CertificateVerify(cv) =
        decode(&s.bytes("Message_Server_CertificateVerify"))
    else {
        panic!("CertificateVerify");
    };
    let leaf = entries[0].cert.0.clone();
    let signer = TraceSigner {
        scheme: [cv.scheme],
        message_to_sign: s.bytes("Server_MessageToSign"),
        signature: s.bytes("Server_MessageSignature"),
        public: sanstls::crypto::sign::certificate_public_key(&leaf)
            .unwrap()
            .to_vec(),
    };
    let mut c = ServerConfig::new(vec![
        CertifiedKey::new(vec![leaf], Arc::new(signer)).unwrap()
    ]);
    c.cipher_suites = vec![
        &TLS13_AES_128_GCM_SHA256,
        &TLS13_CHACHA20_POLY1305_SHA256,
        &TLS13_AES_256_GCM_SHA384,
    ];
    c.random = Arc::new(ReplayRandom::new(s.bytes("Server_RNG_Pool")));
    c.key_log = true;
    let sh = extensions_of(decode(&s.bytes("Message_ServerHello")));
    let ee = extensions_of(decode(&s.bytes("Message_EncryptedExtensions")));
    c.extensions_hook = Some(ExtensionsHook(Arc::new(
        move |point, exts: &mut Vec<ServerExtension>| match point {
            HookPoint::ServerHello => {
                let share = |l: &[ServerExtension]| {
                    l.iter()
                        .find(|e| matches!(e, ServerExtension::KeyShare(_)))
                        .cloned()
                };
                assert_eq!(
                    share(exts),
                    share(&sh),
                    "key share derived from the RNG pool"
                );
                *exts = sh.clone();
            }
            HookPoint::EncryptedExtensions => *exts = ee.clone(),
        },
    )));
    c
}

/// Replays a full-handshake trace from the server side; returns the key-log lines.
fn replay(name: &str, config: ServerConfig) -> Vec<(KeyLogLabel, Vec<u8>)> {
    let s = rfc8448::section(name);
    let now = at(&s);
    let mut server = ServerConnection::new(Arc::new(config), now).unwrap();
    feed(&mut server, &s.bytes("Record_ClientHello_1"), now);
    let expected = [
        s.bytes("Record_ServerHello"),
        s.bytes("Record_ServerHandshakeMessages"),
    ]
    .concat();
    assert_eq!(
        hex::encode(output(&mut server)),
        hex::encode(expected),
        "[{name}] server flight"
    );
    feed(&mut server, &s.bytes("Record_ClientFinished"), now);
    let events: Vec<Event> = std::iter::from_fn(|| server.poll_event()).collect();
    assert!(
        events.contains(&Event::HandshakeComplete),
        "[{name}] {events:?}"
    );
    if let Some(record) = s.get("Record_Client_AppData") {
        feed(&mut server, &record, now);
        let mut buf = vec![0u8; 1024];
        let n = server.read_plaintext(&mut buf);
        assert_eq!(buf[..n], s.bytes("Client_AppData")[..]);
    }
    feed(&mut server, &s.bytes("Record_Client_CloseNotify"), now);
    assert!(server.peer_closed());
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::KeyLog(l) => {
                assert_eq!(l.client_random[..], s.bytes("Record_ClientHello_1")[11..43]);
                Some((l.label, l.secret))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn simple_1rtt_server_matches_the_trace() {
    let s = rfc8448::section("Simple_1RTT_Handshake");
    let secrets = replay("Simple_1RTT_Handshake", trace_server(&s));
    let h = |x: &str| hex::decode(x).unwrap();
    // RFC 8448 s3.
    assert_eq!(
        secrets,
        vec![
            (
                KeyLogLabel::ClientHandshakeTrafficSecret,
                h("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
            ),
            (
                KeyLogLabel::ServerHandshakeTrafficSecret,
                h("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
            ),
            (
                KeyLogLabel::ClientTrafficSecret0,
                h("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5")
            ),
            (
                KeyLogLabel::ServerTrafficSecret0,
                h("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")
            ),
            (
                KeyLogLabel::ExporterSecret,
                h("fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50")
            ),
        ]
    );
}

#[test]
fn middlebox_compatibility_server_matches_the_trace() {
    let s = rfc8448::section("Middlebox_Compatibility_Mode");
    assert_eq!(
        replay("Middlebox_Compatibility_Mode", trace_server(&s)).len(),
        5
    );
}

#[test]
fn client_authentication_server_matches_the_trace() {
    let s = rfc8448::section("Client_Authentication_Handshake");
    let HandshakePayload::CertificateRequestTls13(req) =
        decode(&s.bytes("Message_CertificateRequest"))
    else {
        panic!("CertificateRequest");
    };
    let mut config = trace_server(&s);
    config.client_verifier = Some(Arc::new(TraceClientVerifier {
        schemes: req.signature_algorithms().unwrap().to_vec(),
        message_to_sign: s.bytes("Client_MessageToSign"),
        signature: s.bytes("Client_MessageSignature"),
    }));
    assert_eq!(replay("Client_Authentication_Handshake", config).len(), 5);
}
