//! Scripted TLS 1.3 peers: a server that our client talks to, and a client that talks to
//! our server. Each builds its messages with the codec, keeps its own transcript and key
//! schedule, and lets the case change anything before it is sent; the defaults make a
//! correct handshake (the `*_handshake` constructors run one to the end).

use std::sync::Arc;

use sanstls::client::{ClientConfig, ClientConnection, StoredSession};
use sanstls::crypto::kx::KeyExchange;
use sanstls::crypto::sign::SigningKey;
use sanstls::enums::{
    Compression, NamedGroup, PSKKeyExchangeMode, ProtocolVersion, SignatureScheme,
};
use sanstls::internal::codec::{Payload, PayloadU16, PayloadU8};
use sanstls::internal::handshake::key_schedule::{
    KeyScheduleEarly, KeyScheduleHandshake, KeyScheduleTraffic, KeyScheduleTrafficPending, PskKind,
    TrafficSecret,
};
use sanstls::internal::handshake::transcript::HandshakeHash;
use sanstls::internal::msgs::base::{Random, SessionId};
use sanstls::internal::msgs::certificate::{
    CertificateDer, CertificateEntry, CertificatePayloadTls13,
};
use sanstls::internal::msgs::extensions::{
    ClientExtension, HelloRetryExtension, KeyShareEntry, ServerExtension, ServerNameList,
    SupportedVersions,
};
use sanstls::internal::msgs::handshake::{
    DigitallySignedStruct, FinishedPayload, NewSessionTicketExtension, NewSessionTicketPayloadTls13,
};
use sanstls::internal::msgs::hello::{
    ClientHelloPayload, EncryptedExtensions, HelloRetryRequest, ServerHelloPayload,
};
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::internal::record::protect::{RecordOpener, RecordSealer};
use sanstls::server::ServerConfig;
use sanstls::suites::{find_tls13_suite, Tls13CipherSuite, TLS13_AES_128_GCM_SHA256};

use crate::harness::{pki, random, Victim, Wire, HOST, NOW};

const V13: ProtocolVersion = ProtocolVersion::TLSv1_3;

fn rng() -> sanstls::rand::SystemRandom {
    sanstls::rand::SystemRandom::new()
}

fn sealer(suite: &Tls13CipherSuite, secret: &TrafficSecret) -> RecordSealer {
    let k = secret.keys(suite.ring_aead());
    RecordSealer::tls13(suite.aead, k.key(), k.iv()).unwrap()
}

fn opener(suite: &Tls13CipherSuite, secret: &TrafficSecret) -> RecordOpener {
    let k = secret.keys(suite.ring_aead());
    RecordOpener::tls13(suite.aead, k.key(), k.iv()).unwrap()
}

/// What a CertificateVerify signs (RFC 8446 s4.4.3), written out here rather than taken
/// from the engine, so a mistake there cannot hide in both.
pub fn certificate_verify_content(server: bool, transcript_hash: &[u8]) -> Vec<u8> {
    let mut m = vec![0x20; 64];
    m.extend_from_slice(match server {
        true => b"TLS 1.3, server CertificateVerify",
        false => b"TLS 1.3, client CertificateVerify",
    });
    m.push(0);
    m.extend_from_slice(transcript_hash);
    m
}

/// A TLS 1.3 Certificate message carrying `chain`.
pub fn certificate(context: &[u8], chain: &[Vec<u8>]) -> HandshakePayload {
    HandshakePayload::CertificateTls13(CertificatePayloadTls13 {
        context: PayloadU8::new(context.to_vec()),
        entries: chain
            .iter()
            .map(|c| CertificateEntry::new(CertificateDer(c.clone())))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// A scripted server; the victim is our client
// ---------------------------------------------------------------------------------------------

pub struct Server13 {
    pub w: Wire,
    /// The client's (latest) ClientHello.
    pub ch: ClientHelloPayload,
    pub suite: &'static Tls13CipherSuite,
    pub transcript: HandshakeHash,
    /// Our share, for the group of the client's first share.
    kx: Option<KeyExchange>,
    schedule: Option<KeyScheduleHandshake>,
    pending: Option<KeyScheduleTrafficPending>,
    pub traffic: Option<KeyScheduleTraffic>,
    /// The chain and key the server presents (ECDSA by default).
    pub chain: Vec<Vec<u8>>,
    pub key: Arc<dyn SigningKey>,
    /// Send the compatibility CCS after the ServerHello when the client is in that mode.
    pub compat: bool,
    /// A PSK to key the schedule with (a resumption the case scripts, or an external PSK
    /// with `psk_kind` External).
    pub psk: Option<Vec<u8>>,
    pub psk_kind: PskKind,
}

impl Server13 {
    /// Our client, with `config`, has sent its ClientHello; the script has read it.
    pub fn start(config: ClientConfig) -> Self {
        let victim = ClientConnection::new(Arc::new(config), HOST, NOW).unwrap();
        Self::with_victim(victim)
    }

    /// The same with a client that already exists (resuming, say).
    pub fn with_victim(victim: ClientConnection) -> Self {
        let mut w = Wire::new(Victim::Client(victim));
        let (p, encoded) = w.expect_handshake(V13);
        let HandshakePayload::ClientHello(ch) = p else {
            panic!("not a ClientHello: {p:?}");
        };
        let mut transcript = HandshakeHash::new();
        transcript.add_message(&encoded);
        let p = pki();
        let mut s = Self {
            w,
            ch,
            suite: &TLS13_AES_128_GCM_SHA256,
            transcript,
            kx: None,
            schedule: None,
            pending: None,
            traffic: None,
            chain: vec![p.ecdsa.clone()],
            key: p.ecdsa_key.clone(),
            compat: true,
            psk: None,
            psk_kind: PskKind::Resumption,
        };
        s.choose_from_hello();
        s
    }

    /// Picks the suite and our share from the current ClientHello.
    fn choose_from_hello(&mut self) {
        if let Some(s) = self
            .ch
            .cipher_suites
            .iter()
            .find_map(|c| find_tls13_suite(*c))
        {
            self.suite = s;
        }
        let group = self
            .ch
            .key_shares()
            .and_then(|s| s.first())
            .map_or(NamedGroup::X25519, |s| s.group);
        self.kx = Some(KeyExchange::start(group, &rng()).unwrap());
    }

    /// The share the script sends (for the client's first group).
    pub fn our_share(&self) -> KeyShareEntry {
        let kx = self.kx.as_ref().expect("a key share");
        KeyShareEntry {
            group: kx.group(),
            key_exchange: kx.public_key().to_vec(),
        }
    }

    /// A correct ServerHello for the ClientHello.
    pub fn hello(&self) -> ServerHelloPayload {
        ServerHelloPayload {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: Random(random()),
            session_id: self.ch.session_id,
            cipher_suite: self.suite.suite,
            compression_method: Compression::Null,
            extensions: Some(vec![
                ServerExtension::SupportedVersions(V13),
                ServerExtension::KeyShare(self.our_share()),
            ]),
        }
    }

    /// Sends `sh` (plaintext), then, as far as the hello allows, moves to the handshake keys
    /// both ways (with the compatibility CCS in between when the client is in that mode).
    pub fn send_hello(&mut self, sh: ServerHelloPayload) {
        if let Some(s) = find_tls13_suite(sh.cipher_suite) {
            self.suite = s;
        }
        let encoded = self.w.handshake(HandshakePayload::ServerHello(sh.clone()));
        self.transcript.start_hash(self.suite.hash).unwrap();
        self.transcript.add_message(&encoded);
        let kx = self.kx.take();
        let shared = match (kx, sh.key_share(), self.ch.key_shares()) {
            (Some(kx), Some(ours), Some(theirs)) if ours.group == kx.group() => theirs
                .iter()
                .find(|s| s.group == ours.group)
                .and_then(|s| kx.complete(&s.key_exchange).ok()),
            _ => None,
        };
        let early = match &self.psk {
            Some(psk) => KeyScheduleEarly::with_psk(self.suite.hash, psk, self.psk_kind),
            None => KeyScheduleEarly::new(self.suite.hash),
        };
        let mut schedule = early.into_handshake(
            shared.as_ref().map(|s| &s.0[..]),
            &self.transcript.current_hash().unwrap(),
        );
        let (client, server) = schedule.handshake_keys(self.suite.ring_aead());
        if self.compat && !self.ch.session_id.is_empty() {
            self.w.compat_ccs();
        }
        let s = RecordSealer::tls13(self.suite.aead, server.key(), server.iv()).unwrap();
        self.w.set_sealer(Some(s));
        let o = RecordOpener::tls13(self.suite.aead, client.key(), client.iv()).unwrap();
        self.w.set_opener(Some(o), true);
        self.schedule = Some(schedule);
    }

    /// Queues a handshake message under the current keys and adds it to the transcript.
    pub fn send(&mut self, p: HandshakePayload) -> Vec<u8> {
        let encoded = self.w.handshake(p);
        self.transcript.add_message(&encoded);
        encoded
    }

    /// Empty EncryptedExtensions.
    pub fn ee(&self) -> HandshakePayload {
        HandshakePayload::EncryptedExtensions(EncryptedExtensions {
            extensions: Vec::new(),
        })
    }

    /// EncryptedExtensions with `extensions`.
    pub fn ee_with(&self, extensions: Vec<ServerExtension>) -> HandshakePayload {
        HandshakePayload::EncryptedExtensions(EncryptedExtensions { extensions })
    }

    /// Our Certificate.
    pub fn certificate(&self) -> HandshakePayload {
        certificate(&[], &self.chain)
    }

    /// The scheme the default CertificateVerify uses.
    pub fn scheme(&self) -> SignatureScheme {
        let offered = self.ch.signature_algorithms().unwrap_or_default();
        self.key.choose_scheme(offered, true).expect("a scheme")
    }

    /// A correct CertificateVerify over the transcript so far, with `scheme`.
    pub fn certificate_verify_with(&self, scheme: SignatureScheme) -> HandshakePayload {
        let hash = self.transcript.current_hash().unwrap();
        let content = certificate_verify_content(true, hash.as_ref());
        let signature = self.key.sign(scheme, &content).unwrap();
        HandshakePayload::CertificateVerify(DigitallySignedStruct::new(scheme, signature))
    }

    /// A correct CertificateVerify over the transcript so far.
    pub fn certificate_verify(&self) -> HandshakePayload {
        self.certificate_verify_with(self.scheme())
    }

    /// A correct server Finished over the transcript so far.
    pub fn finished(&self) -> HandshakePayload {
        let hash = self.transcript.current_hash().unwrap();
        let vd = self
            .schedule
            .as_ref()
            .expect("handshake keys")
            .server_finished_verify_data(&hash);
        HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(vd),
        })
    }

    /// After our Finished: our application key seals from now on (the client still writes
    /// under its handshake key until its Finished).
    pub fn after_finished(&mut self) {
        let hash = self.transcript.current_hash().unwrap();
        let pending = self.schedule.take().unwrap().into_traffic_pending(&hash);
        self.w.set_sealer(Some(sealer(
            self.suite,
            pending.server_application_traffic_secret(),
        )));
        self.pending = Some(pending);
    }

    /// EncryptedExtensions, Certificate, CertificateVerify and Finished, all correct.
    pub fn send_flight(&mut self) {
        let ee = self.ee();
        self.send_flight_with(ee);
    }

    /// [`Self::send_flight`] with `ee` as the EncryptedExtensions.
    pub fn send_flight_with(&mut self, ee: HandshakePayload) {
        self.send(ee);
        let cert = self.certificate();
        self.send(cert);
        let cv = self.certificate_verify();
        self.send(cv);
        let fin = self.finished();
        self.send(fin);
        self.after_finished();
    }

    /// Delivers, then reads the client's Finished (checking it) and moves the opener to the
    /// client's application key.
    pub fn read_client_finished(&mut self) {
        let result = self.w.deliver();
        assert_eq!(result, Ok(()), "the client refused the flight");
        let (p, encoded) = self.w.expect_handshake(V13);
        let HandshakePayload::Finished(fin) = p else {
            panic!("expected the client's Finished, got {p:?}");
        };
        let pending = self.pending.take().expect("after our Finished");
        let hash = self.transcript.current_hash().unwrap();
        pending
            .verify_client_finished(&hash, &fin.verify_data.0)
            .unwrap();
        self.transcript.add_message(&encoded);
        let traffic = pending.into_traffic(&self.transcript.current_hash().unwrap());
        self.w.set_opener(
            Some(opener(
                self.suite,
                traffic.client_application_traffic_secret(),
            )),
            true,
        );
        self.traffic = Some(traffic);
    }

    /// A whole correct handshake: our client is established.
    pub fn handshake(config: ClientConfig) -> Self {
        let mut s = Self::start(config);
        let sh = s.hello();
        s.send_hello(sh);
        s.send_flight();
        s.read_client_finished();
        s.w.completed();
        s
    }

    /// After a whole correct handshake with our client of `config`, a NewSessionTicket:
    /// see [`Self::issue_ticket`].
    pub fn ticketed(
        config: ClientConfig,
        nonce: &[u8],
        ticket: &[u8],
        extensions: Vec<NewSessionTicketExtension>,
    ) -> (StoredSession, Vec<u8>) {
        Self::handshake(config).issue_ticket(nonce, ticket, extensions)
    }

    /// Sends our established client a NewSessionTicket (nonce `nonce`, ticket `ticket`,
    /// with `extensions`): the session the client keeps from it, and the resumption PSK
    /// the script derives for it.
    pub fn issue_ticket(
        &mut self,
        nonce: &[u8],
        ticket: &[u8],
        extensions: Vec<NewSessionTicketExtension>,
    ) -> (StoredSession, Vec<u8>) {
        let psk = self
            .traffic
            .as_ref()
            .expect("the traffic secrets of the handshake")
            .resumption_psk(nonce)
            .expect("a resumption PSK")
            .to_vec();
        self.w.handshake(HandshakePayload::NewSessionTicketTls13(
            NewSessionTicketPayloadTls13 {
                lifetime: 3600,
                age_add: 0,
                nonce: PayloadU8::new(nonce.to_vec()),
                ticket: PayloadU16::new(ticket.to_vec()),
                extensions,
            },
        ));
        self.w.deliver().unwrap();
        let session = sanstls_test::events::session(&self.w.events).expect("a session");
        (session, psk)
    }

    /// Sends a HelloRetryRequest built by `edit` from a correct one asking for `group`,
    /// delivers it, and (when the client answers) reads its second ClientHello.
    pub fn retry(&mut self, group: NamedGroup, edit: impl FnOnce(&mut HelloRetryRequest)) {
        let mut hrr = HelloRetryRequest {
            legacy_version: ProtocolVersion::TLSv1_2,
            session_id: self.ch.session_id,
            cipher_suite: self.suite.suite,
            extensions: vec![
                HelloRetryExtension::KeyShare(group),
                HelloRetryExtension::SupportedVersions(V13),
            ],
        };
        edit(&mut hrr);
        if let Some(s) = find_tls13_suite(hrr.cipher_suite) {
            self.suite = s;
        }
        self.transcript.start_hash(self.suite.hash).unwrap();
        self.transcript.rollup_for_hrr().unwrap();
        let encoded = self.w.handshake(HandshakePayload::HelloRetryRequest(hrr));
        self.transcript.add_message(&encoded);
        if self.compat && !self.ch.session_id.is_empty() {
            self.w.compat_ccs();
        }
        if self.w.deliver().is_ok() {
            let (p, encoded) = self.w.expect_handshake(V13);
            let HandshakePayload::ClientHello(ch) = p else {
                panic!("expected the second ClientHello, got {p:?}");
            };
            self.transcript.add_message(&encoded);
            self.ch = ch;
            self.choose_from_hello();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A scripted client; the victim is our server
// ---------------------------------------------------------------------------------------------

pub struct Client13 {
    pub w: Wire,
    /// The ClientHello as sent.
    pub hello: ClientHelloPayload,
    kx: Option<KeyExchange>,
    pub suite: &'static Tls13CipherSuite,
    pub transcript: HandshakeHash,
    schedule: Option<KeyScheduleHandshake>,
    pending: Option<KeyScheduleTrafficPending>,
    pub traffic: Option<KeyScheduleTraffic>,
    /// What the server's flight said (EncryptedExtensions to Finished).
    pub flight: Vec<HandshakePayload>,
    /// An external PSK to key the schedule with, if the server accepts one.
    pub psk: Option<Vec<u8>>,
}

/// A correct TLS 1.3-only ClientHello for `localhost` with `share` (compatibility mode).
pub fn client_hello(share: KeyShareEntry) -> ClientHelloPayload {
    ClientHelloPayload {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: Random(random()),
        session_id: SessionId::new(&random::<32>()).unwrap(),
        cipher_suites: vec![
            sanstls::enums::CipherSuite::TLS13_AES_128_GCM_SHA256,
            sanstls::enums::CipherSuite::TLS13_AES_256_GCM_SHA384,
            sanstls::enums::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        ],
        compression_methods: vec![Compression::Null],
        extensions: Some(vec![
            ClientExtension::ServerName(ServerNameList::from_host_name(HOST.as_bytes())),
            ClientExtension::SupportedVersions(SupportedVersions(vec![V13])),
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::secp256r1]),
            ClientExtension::SignatureAlgorithms(vec![
                SignatureScheme::ECDSA_NISTP256_SHA256,
                SignatureScheme::RSA_PSS_RSAE_SHA256,
                SignatureScheme::ED25519,
            ]),
            ClientExtension::KeyShare(vec![share]),
            ClientExtension::PskKeyExchangeModes(vec![PSKKeyExchangeMode::PSK_DHE_KE]),
        ]),
    }
}

/// The extensions of a ClientHello, to edit in a case.
pub fn exts(ch: &mut ClientHelloPayload) -> &mut Vec<ClientExtension> {
    ch.extensions.get_or_insert_with(Vec::new)
}

impl Client13 {
    /// Sends a ClientHello (a correct one, changed by `edit`) to our server with `config`,
    /// which processes it.
    pub fn start(config: ServerConfig, edit: impl FnOnce(&mut ClientHelloPayload)) -> Self {
        let kx = KeyExchange::start(NamedGroup::X25519, &rng()).unwrap();
        let mut hello = client_hello(KeyShareEntry {
            group: kx.group(),
            key_exchange: kx.public_key().to_vec(),
        });
        edit(&mut hello);
        let (w, transcript) = crate::harness::say_hello(config, &hello);
        Self {
            w,
            hello,
            kx: Some(kx),
            suite: &TLS13_AES_128_GCM_SHA256,
            transcript,
            schedule: None,
            pending: None,
            traffic: None,
            flight: Vec::new(),
            psk: None,
        }
    }

    /// Replaces the script's ephemeral key (its second ClientHello's share).
    pub fn set_share(&mut self, kx: KeyExchange) {
        self.kx = Some(kx);
    }

    /// Reads the server's ServerHello and moves to the handshake keys both ways.
    pub fn read_server_hello(&mut self) -> ServerHelloPayload {
        let (p, encoded) = self.w.expect_handshake(V13);
        let HandshakePayload::ServerHello(sh) = p else {
            panic!("expected ServerHello, got {p:?}");
        };
        self.suite = find_tls13_suite(sh.cipher_suite).expect("a TLS 1.3 suite");
        self.transcript.start_hash(self.suite.hash).unwrap();
        self.transcript.add_message(&encoded);
        let share = sh.key_share().expect("the server's share");
        let shared = self
            .kx
            .take()
            .unwrap()
            .complete(&share.key_exchange)
            .unwrap();
        let early = match (&self.psk, sh.selected_psk_identity()) {
            (Some(psk), Some(_)) => {
                KeyScheduleEarly::with_psk(self.suite.hash, psk, PskKind::External)
            }
            _ => KeyScheduleEarly::new(self.suite.hash),
        };
        let mut schedule =
            early.into_handshake(Some(&shared.0), &self.transcript.current_hash().unwrap());
        let (client, server) = schedule.handshake_keys(self.suite.ring_aead());
        let o = RecordOpener::tls13(self.suite.aead, server.key(), server.iv()).unwrap();
        self.w.set_opener(Some(o), true);
        let s = RecordSealer::tls13(self.suite.aead, client.key(), client.iv()).unwrap();
        self.w.set_sealer(Some(s));
        self.schedule = Some(schedule);
        sh
    }

    /// Reads the server's flight to its Finished (checked), and moves the opener to the
    /// server's application key.
    pub fn read_server_flight(&mut self) {
        read_flight_to_finished(
            &mut self.w,
            &mut self.transcript,
            self.schedule.as_ref().unwrap(),
            &mut self.flight,
        );
        let hash = self.transcript.current_hash().unwrap();
        let pending = self.schedule.take().unwrap().into_traffic_pending(&hash);
        self.w.set_opener(
            Some(opener(
                self.suite,
                pending.server_application_traffic_secret(),
            )),
            true,
        );
        self.pending = Some(pending);
    }

    /// Queues a handshake message under the current keys and adds it to the transcript.
    pub fn send(&mut self, p: HandshakePayload) -> Vec<u8> {
        let encoded = self.w.handshake(p);
        self.transcript.add_message(&encoded);
        encoded
    }

    /// A correct client Finished over the transcript so far.
    pub fn finished(&self) -> HandshakePayload {
        let hash = self.transcript.current_hash().unwrap();
        let vd = self
            .pending
            .as_ref()
            .expect("after the server's Finished")
            .client_finished_verify_data(&hash);
        HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(vd),
        })
    }

    /// After our Finished: our application key seals.
    pub fn after_finished(&mut self) {
        let hash = self.transcript.current_hash().unwrap();
        let traffic = self.pending.take().unwrap().into_traffic(&hash);
        self.w.set_sealer(Some(sealer(
            self.suite,
            traffic.client_application_traffic_secret(),
        )));
        self.traffic = Some(traffic);
    }

    /// Sends a correct Finished and delivers it.
    pub fn send_finished(&mut self) -> Result<(), sanstls::Error> {
        let fin = self.finished();
        self.send(fin);
        self.after_finished();
        self.w.deliver()
    }

    /// A whole correct handshake: our server is established.
    pub fn handshake(config: ServerConfig) -> Self {
        let mut c = Self::start(config, |_| {});
        c.read_server_hello();
        c.read_server_flight();
        assert_eq!(c.send_finished(), Ok(()));
        c.w.completed();
        c
    }
}

/// Reads the server's encrypted flight up to its Finished, which must verify under
/// `schedule`: every message goes into `transcript` and `flight`, in order.
pub fn read_flight_to_finished(
    w: &mut Wire,
    transcript: &mut HandshakeHash,
    schedule: &KeyScheduleHandshake,
    flight: &mut Vec<HandshakePayload>,
) {
    loop {
        let (p, encoded) = w.expect_handshake(V13);
        let last = match &p {
            HandshakePayload::Finished(fin) => {
                let hash = transcript.current_hash().unwrap();
                schedule
                    .verify_server_finished(&hash, &fin.verify_data.0)
                    .unwrap();
                true
            }
            _ => false,
        };
        transcript.add_message(&encoded);
        flight.push(p);
        if last {
            return;
        }
    }
}
