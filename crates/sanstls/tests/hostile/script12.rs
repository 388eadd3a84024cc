//! Scripted TLS 1.2 peers (RFC 5246 with RFC 7627's extended master secret and RFC 5746's
//! renegotiation_info): a server that our client talks to, and a client that talks to our
//! server, ECDHE over X25519 with AES-128-GCM by default. As in `script13`, the defaults
//! make a correct handshake and every message can be changed before it goes out.

use std::sync::Arc;

use sanstls::client::{ClientConfig, ClientConnection};
use sanstls::crypto::kx::KeyExchange;
use sanstls::crypto::sign::SigningKey;
use sanstls::enums::{
    CipherSuite, Compression, ContentType, ECPointFormat, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use sanstls::internal::codec::{Payload, PayloadU16, PayloadU8};
use sanstls::internal::handshake::prf::Tls12MasterSecret;
use sanstls::internal::handshake::transcript::HandshakeHash;
use sanstls::internal::msgs::base::{Random, SessionId};
use sanstls::internal::msgs::certificate::{CertificateDer, CertificatePayload};
use sanstls::internal::msgs::extensions::{ClientExtension, ServerExtension, ServerNameList};
use sanstls::internal::msgs::handshake::{
    DigitallySignedStruct, FinishedPayload, ServerHelloDonePayload,
};
use sanstls::internal::msgs::hello::{ClientHelloPayload, ServerHelloPayload};
use sanstls::internal::msgs::kx::{
    ClientKeyExchangePayload, EcdheServerParams, KeyExchangeAlgorithm, ServerKeyExchangeParams,
    ServerKeyExchangePayload,
};
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::internal::record::protect::{RecordOpener, RecordSealer};
use sanstls::server::ServerConfig;
use sanstls::suites::{
    find_tls12_suite, Tls12CipherSuite, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
};

use crate::harness::{pki, random, Victim, Wire, HOST, NOW};

const V12: ProtocolVersion = ProtocolVersion::TLSv1_2;

fn rng() -> sanstls::rand::SystemRandom {
    sanstls::rand::SystemRandom::new()
}

/// The record keys of both directions from the key block (AEAD suites: client key, server
/// key, client IV, server IV; RFC 5246 s6.3).
pub struct Keys12 {
    pub client: RecordSealer,
    pub server: RecordSealer,
    pub client_open: RecordOpener,
    pub server_open: RecordOpener,
}

pub fn keys(
    suite: &Tls12CipherSuite,
    master: &Tls12MasterSecret,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Keys12 {
    let (k, iv) = (suite.aead.key_len(), suite.aead.tls12_fixed_iv_len());
    let block = master.key_block(client_random, server_random, 2 * k + 2 * iv);
    let (ck, rest) = block.split_at(k);
    let (sk, rest) = rest.split_at(k);
    let (civ, siv) = rest.split_at(iv);
    Keys12 {
        client: RecordSealer::tls12(suite.aead, ck, civ).unwrap(),
        server: RecordSealer::tls12(suite.aead, sk, siv).unwrap(),
        client_open: RecordOpener::tls12(suite.aead, ck, civ).unwrap(),
        server_open: RecordOpener::tls12(suite.aead, sk, siv).unwrap(),
    }
}

/// The master secret: RFC 7627's extended one from the session hash when there is one,
/// else RFC 5246's from the randoms.
fn master_secret(
    suite: &Tls12CipherSuite,
    premaster: &[u8],
    session_hash: Option<ring::digest::Digest>,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Tls12MasterSecret {
    match session_hash {
        Some(hash) => Tls12MasterSecret::new_extended(suite.hash, premaster, hash.as_ref()),
        None => Tls12MasterSecret::new(suite.hash, premaster, client_random, server_random),
    }
}

/// A TLS 1.2 Certificate message carrying `chain`.
pub fn certificate(chain: &[Vec<u8>]) -> HandshakePayload {
    HandshakePayload::Certificate(CertificatePayload(
        chain.iter().map(|c| CertificateDer(c.clone())).collect(),
    ))
}

// ---------------------------------------------------------------------------------------------
// A scripted server; the victim is our client
// ---------------------------------------------------------------------------------------------

pub struct Server12 {
    pub w: Wire,
    pub ch: ClientHelloPayload,
    pub suite: &'static Tls12CipherSuite,
    pub transcript: HandshakeHash,
    pub server_random: [u8; 32],
    /// Our ECDHE key (X25519).
    pub kx: Option<KeyExchange>,
    pub ems: bool,
    pub master: Option<Tls12MasterSecret>,
    /// Our write key, installed with our ChangeCipherSpec.
    sealer: Option<RecordSealer>,
    pub chain: Vec<Vec<u8>>,
    pub key: Arc<dyn SigningKey>,
    /// The verify_data of the last Finished each side sent (RFC 5746 renegotiation).
    pub client_vd: Vec<u8>,
    pub server_vd: Vec<u8>,
}

impl Server12 {
    /// Our client, with `config` (TLS 1.2 only unless the case says otherwise), has sent
    /// its ClientHello; the script has read it.
    pub fn start(mut config: ClientConfig) -> Self {
        config.max_version = V12;
        Self::start_any(config)
    }

    /// The same without changing the configuration's versions.
    pub fn start_any(config: ClientConfig) -> Self {
        let victim = ClientConnection::new(Arc::new(config), HOST, NOW).unwrap();
        Self::with_victim(victim)
    }

    /// The same with a client that already exists.
    pub fn with_victim(victim: ClientConnection) -> Self {
        let mut w = Wire::new(Victim::Client(victim));
        let (p, encoded) = w.expect_handshake(V12);
        let HandshakePayload::ClientHello(ch) = p else {
            panic!("not a ClientHello: {p:?}");
        };
        let mut transcript = HandshakeHash::new();
        transcript.add_message(&encoded);
        let p = pki();
        Self {
            w,
            ch,
            suite: &TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            transcript,
            server_random: random(),
            kx: Some(KeyExchange::start(NamedGroup::X25519, &rng()).unwrap()),
            ems: false,
            master: None,
            sealer: None,
            chain: vec![p.ecdsa.clone()],
            key: p.ecdsa_key.clone(),
            client_vd: Vec::new(),
            server_vd: Vec::new(),
        }
    }

    /// A correct ServerHello: our suite, a fresh session id, the extensions the client's
    /// hello calls for.
    pub fn hello(&self) -> ServerHelloPayload {
        let mut exts = vec![ServerExtension::RenegotiationInfo(PayloadU8::empty())];
        if self.ch.extended_master_secret_offered() {
            exts.push(ServerExtension::ExtendedMasterSecretAck);
        }
        if self.ch.ec_point_formats().is_some() {
            exts.push(ServerExtension::EcPointFormats(vec![
                ECPointFormat::Uncompressed,
            ]));
        }
        ServerHelloPayload {
            legacy_version: V12,
            random: Random(self.server_random),
            session_id: SessionId::new(&random::<32>()).unwrap(),
            cipher_suite: self.suite.suite,
            compression_method: Compression::Null,
            extensions: Some(exts),
        }
    }

    /// Sends `sh`, taking its suite, random and EMS acknowledgement for the rest.
    pub fn send_hello(&mut self, sh: ServerHelloPayload) {
        if let Some(s) = find_tls12_suite(sh.cipher_suite) {
            self.suite = s;
        }
        self.server_random = sh.random.0;
        self.ems = sh.extended_master_secret_acked();
        let encoded = self.w.handshake(HandshakePayload::ServerHello(sh));
        self.transcript.start_hash(self.suite.hash).unwrap();
        self.transcript.add_message(&encoded);
    }

    /// Queues a handshake message and adds it to the transcript.
    pub fn send(&mut self, p: HandshakePayload) -> Vec<u8> {
        let encoded = self.w.handshake(p);
        self.transcript.add_message(&encoded);
        encoded
    }

    pub fn certificate(&self) -> HandshakePayload {
        certificate(&self.chain)
    }

    /// ECDHE parameters for our X25519 key.
    pub fn params(&self) -> ServerKeyExchangeParams {
        let kx = self.kx.as_ref().expect("our ECDHE key");
        ServerKeyExchangeParams::Ecdhe(EcdheServerParams {
            named_group: kx.group(),
            public: PayloadU8::new(kx.public_key().to_vec()),
        })
    }

    /// The scheme the default ServerKeyExchange signs with.
    pub fn scheme(&self) -> SignatureScheme {
        let offered = self.ch.signature_algorithms().unwrap_or_default();
        let usable: Vec<SignatureScheme> = offered
            .iter()
            .copied()
            .filter(|s| self.suite.usable_with(*s))
            .collect();
        self.key.choose_scheme(&usable, false).expect("a scheme")
    }

    /// A ServerKeyExchange with `params`, signed correctly with `scheme`.
    pub fn key_exchange_with(
        &self,
        params: ServerKeyExchangeParams,
        scheme: SignatureScheme,
    ) -> HandshakePayload {
        let mut signed = Vec::new();
        signed.extend_from_slice(&self.ch.random.0);
        signed.extend_from_slice(&self.server_random);
        signed.extend_from_slice(&params.to_bytes());
        let signature = self.key.sign(scheme, &signed).unwrap();
        let ske = ServerKeyExchangePayload {
            params,
            signature: DigitallySignedStruct::new(scheme, signature),
        };
        HandshakePayload::ServerKeyExchange(Payload::new(ske.get_encoding()))
    }

    pub fn key_exchange(&self) -> HandshakePayload {
        self.key_exchange_with(self.params(), self.scheme())
    }

    pub fn done(&self) -> HandshakePayload {
        HandshakePayload::ServerHelloDone(ServerHelloDonePayload)
    }

    /// ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, all correct.
    pub fn send_flight(&mut self) {
        let sh = self.hello();
        self.send_hello(sh);
        let cert = self.certificate();
        self.send(cert);
        let ske = self.key_exchange();
        self.send(ske);
        let done = self.done();
        self.send(done);
    }

    /// Delivers, then reads the client's ClientKeyExchange, ChangeCipherSpec and Finished
    /// (checked), deriving the keys on the way.
    pub fn read_client_flight(&mut self) {
        assert_eq!(self.w.deliver(), Ok(()), "the client refused the flight");
        let (p, encoded) = self.w.expect_handshake(V12);
        let HandshakePayload::ClientKeyExchange(body) = p else {
            panic!("expected ClientKeyExchange, got {p:?}");
        };
        let Ok(ClientKeyExchangePayload::Ecdhe(point)) =
            ClientKeyExchangePayload::read_bytes_with(&body.0, KeyExchangeAlgorithm::Ecdhe)
        else {
            panic!("not an ECDHE ClientKeyExchange");
        };
        self.transcript.add_message(&encoded);
        let premaster = self.kx.take().unwrap().complete(&point.0).unwrap();
        let master = master_secret(
            self.suite,
            &premaster.0,
            self.ems.then(|| self.transcript.current_hash().unwrap()),
            &self.ch.random.0,
            &self.server_random,
        );
        let Keys12 {
            server,
            client_open,
            ..
        } = keys(self.suite, &master, &self.ch.random.0, &self.server_random);
        self.w.expect_ccs();
        self.w.set_opener(Some(client_open), false);
        let (p, encoded) = self.w.expect_handshake(V12);
        let HandshakePayload::Finished(fin) = p else {
            panic!("expected Finished, got {p:?}");
        };
        let hash = self.transcript.current_hash().unwrap();
        master
            .verify_client_finished(hash.as_ref(), &fin.verify_data.0)
            .unwrap();
        self.transcript.add_message(&encoded);
        self.client_vd = fin.verify_data.0.clone();
        self.sealer = Some(server);
        self.master = Some(master);
    }

    /// Our ChangeCipherSpec; our write key protects what follows.
    pub fn send_ccs(&mut self) {
        self.w.record(ContentType::ChangeCipherSpec, &[1]);
        self.install_sealer();
    }

    /// Our write key protects what follows (the ChangeCipherSpec is the case's to send).
    pub fn install_sealer(&mut self) {
        let sealer = self.sealer.take().expect("keys");
        self.w.set_sealer(Some(sealer));
    }

    /// A correct server Finished over the transcript so far.
    pub fn server_finished(&self) -> HandshakePayload {
        let hash = self.transcript.current_hash().unwrap();
        let vd = self
            .master
            .as_ref()
            .expect("a master secret")
            .server_finished_verify_data(hash.as_ref());
        HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(vd),
        })
    }

    /// Our ChangeCipherSpec and a correct Finished (the transcript as it stands).
    pub fn send_finish(&mut self) {
        self.send_ccs();
        let fin = self.server_finished();
        if let HandshakePayload::Finished(f) = &fin {
            self.server_vd = f.verify_data.0.clone();
        }
        self.send(fin);
    }

    /// On an established connection: a HelloRequest, delivered; reads the client's
    /// renegotiating ClientHello (under the current keys) and starts a new handshake from it.
    pub fn renegotiate(&mut self) {
        self.w.handshake(HandshakePayload::HelloRequest(
            sanstls::internal::msgs::handshake::HelloRequestPayload,
        ));
        assert_eq!(self.w.deliver(), Ok(()));
        let (p, encoded) = self.w.expect_handshake(V12);
        let HandshakePayload::ClientHello(ch) = p else {
            panic!("expected a renegotiating ClientHello, got {p:?}");
        };
        assert_eq!(
            ch.renegotiation_info(),
            Some(&self.client_vd[..]),
            "RFC 5746 s3.5: the client's verify_data"
        );
        self.ch = ch;
        self.transcript = HandshakeHash::new();
        self.transcript.add_message(&encoded);
        self.server_random = random();
        self.kx = Some(KeyExchange::start(NamedGroup::X25519, &rng()).unwrap());
    }

    /// The renegotiation_info a renegotiating ServerHello carries (RFC 5746 s3.7).
    pub fn reneg_info(&self) -> ServerExtension {
        let both = [self.client_vd.clone(), self.server_vd.clone()].concat();
        ServerExtension::RenegotiationInfo(PayloadU8::new(both))
    }

    /// A whole correct handshake: our client is established.
    pub fn handshake(config: ClientConfig) -> Self {
        let mut s = Self::start(config);
        s.send_flight();
        s.read_client_flight();
        s.send_finish();
        assert_eq!(s.w.deliver(), Ok(()));
        s.w.completed();
        s
    }
}

// ---------------------------------------------------------------------------------------------
// A scripted client; the victim is our server
// ---------------------------------------------------------------------------------------------

pub struct Client12 {
    pub w: Wire,
    pub hello: ClientHelloPayload,
    pub suite: &'static Tls12CipherSuite,
    pub transcript: HandshakeHash,
    pub server_random: [u8; 32],
    /// The server's ECDHE parameters.
    pub server_params: Option<EcdheServerParams>,
    pub ems: bool,
    pub master: Option<Tls12MasterSecret>,
    /// Our write key (installed with our ChangeCipherSpec) and the server's.
    keys: Option<(RecordSealer, RecordOpener)>,
    server_open: Option<RecordOpener>,
    /// The server's flight, as read.
    pub flight: Vec<HandshakePayload>,
    /// The verify_data of the last Finished each side sent (RFC 5746 renegotiation).
    pub client_vd: Vec<u8>,
    pub server_vd: Vec<u8>,
}

/// A correct TLS 1.2-only ClientHello for `localhost`.
pub fn client_hello() -> ClientHelloPayload {
    ClientHelloPayload {
        legacy_version: V12,
        random: Random(random()),
        session_id: SessionId::empty(),
        cipher_suites: vec![
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ],
        compression_methods: vec![Compression::Null],
        extensions: Some(vec![
            ClientExtension::ServerName(ServerNameList::from_host_name(HOST.as_bytes())),
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::secp256r1]),
            ClientExtension::EcPointFormats(vec![ECPointFormat::Uncompressed]),
            ClientExtension::SignatureAlgorithms(vec![
                SignatureScheme::ECDSA_NISTP256_SHA256,
                SignatureScheme::RSA_PSS_RSAE_SHA256,
                SignatureScheme::RSA_PKCS1_SHA256,
            ]),
            ClientExtension::ExtendedMasterSecret,
            ClientExtension::RenegotiationInfo(PayloadU8::empty()),
        ]),
    }
}

impl Client12 {
    /// Sends a ClientHello (a correct one, changed by `edit`) to our server with `config`,
    /// which processes it.
    pub fn start(config: ServerConfig, edit: impl FnOnce(&mut ClientHelloPayload)) -> Self {
        let mut hello = client_hello();
        edit(&mut hello);
        let (w, transcript) = crate::harness::say_hello(config, &hello);
        Self {
            w,
            hello,
            suite: &TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            transcript,
            server_random: [0; 32],
            server_params: None,
            ems: false,
            master: None,
            keys: None,
            server_open: None,
            flight: Vec::new(),
            client_vd: Vec::new(),
            server_vd: Vec::new(),
        }
    }

    /// Reads the server's flight to ServerHelloDone.
    pub fn read_server_flight(&mut self) {
        loop {
            let (p, encoded) = self.w.expect_handshake(V12);
            match &p {
                HandshakePayload::ServerHello(sh) => {
                    self.suite = find_tls12_suite(sh.cipher_suite).expect("a TLS 1.2 suite");
                    self.server_random = sh.random.0;
                    self.ems = sh.extended_master_secret_acked();
                    self.transcript.start_hash(self.suite.hash).unwrap();
                }
                // A PSK suite's ServerKeyExchange is read by the case.
                HandshakePayload::ServerKeyExchange(_) if self.suite.kx.is_psk() => {}
                HandshakePayload::ServerKeyExchange(body) => {
                    let ske =
                        ServerKeyExchangePayload::read_bytes_with(&body.0, self.suite.kx).unwrap();
                    if let ServerKeyExchangeParams::Ecdhe(params) = ske.params {
                        self.server_params = Some(params);
                    }
                }
                _ => {}
            }
            self.transcript.add_message(&encoded);
            let done = matches!(p, HandshakePayload::ServerHelloDone(_));
            self.flight.push(p);
            if done {
                return;
            }
        }
    }

    /// A correct ClientKeyExchange for the server's group, and the keys it leads to.
    pub fn send_key_exchange(&mut self) {
        let params = self.server_params.clone().expect("ECDHE parameters");
        let kx = KeyExchange::start(params.named_group, &rng()).unwrap();
        let cke = ClientKeyExchangePayload::Ecdhe(PayloadU8::new(kx.public_key().to_vec()));
        self.send(HandshakePayload::ClientKeyExchange(Payload::new(
            cke.get_encoding(),
        )));
        let premaster = kx.complete(&params.public.0).unwrap();
        let master = master_secret(
            self.suite,
            &premaster.0,
            self.ems.then(|| self.transcript.current_hash().unwrap()),
            &self.hello.random.0,
            &self.server_random,
        );
        let Keys12 {
            client,
            server_open,
            ..
        } = keys(
            self.suite,
            &master,
            &self.hello.random.0,
            &self.server_random,
        );
        self.keys = Some((client, server_open));
        self.master = Some(master);
    }

    /// A plain-PSK ClientKeyExchange naming `identity` (RFC 4279 s2), and the keys `key`
    /// leads to.
    pub fn send_psk_key_exchange(&mut self, identity: &[u8], key: &[u8]) {
        let cke = ClientKeyExchangePayload::Psk(PayloadU16::new(identity.to_vec()));
        self.send(HandshakePayload::ClientKeyExchange(Payload::new(
            cke.get_encoding(),
        )));
        let premaster = sanstls::internal::msgs::kx::psk_premaster(None, key);
        let master = master_secret(
            self.suite,
            &premaster,
            self.ems.then(|| self.transcript.current_hash().unwrap()),
            &self.hello.random.0,
            &self.server_random,
        );
        let Keys12 {
            client,
            server_open,
            ..
        } = keys(
            self.suite,
            &master,
            &self.hello.random.0,
            &self.server_random,
        );
        self.keys = Some((client, server_open));
        self.master = Some(master);
    }

    /// Queues a handshake message and adds it to the transcript.
    pub fn send(&mut self, p: HandshakePayload) -> Vec<u8> {
        let encoded = self.w.handshake(p);
        self.transcript.add_message(&encoded);
        encoded
    }

    /// A correct client Finished over the transcript so far.
    pub fn finished(&self) -> HandshakePayload {
        let hash = self.transcript.current_hash().unwrap();
        let vd = self
            .master
            .as_ref()
            .expect("a master secret")
            .client_finished_verify_data(hash.as_ref());
        HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(vd),
        })
    }

    /// Keeps the handshake messages themselves (a TLS 1.2 CertificateVerify signs them).
    pub fn keep_transcript(&mut self) {
        self.transcript.keep_full_transcript().unwrap();
    }

    /// Every handshake message so far (after [`Self::keep_transcript`]).
    pub fn transcript_bytes(&self) -> Vec<u8> {
        self.transcript.full_transcript().unwrap().to_vec()
    }

    /// Our ChangeCipherSpec; our write key protects what follows.
    pub fn send_ccs(&mut self) {
        self.w.record(ContentType::ChangeCipherSpec, &[1]);
        let (sealer, opener) = self.keys.take().expect("keys");
        self.w.set_sealer(Some(sealer));
        self.server_open = Some(opener);
    }

    /// Our ChangeCipherSpec, then `p` under our key.
    pub fn send_ccs_then(&mut self, p: HandshakePayload) {
        self.send_ccs();
        self.send(p);
    }

    /// Our ChangeCipherSpec, then a record of `typ` under our key.
    pub fn send_ccs_then_raw(&mut self, typ: ContentType, payload: &[u8]) {
        self.send_ccs();
        self.w.record(typ, payload);
    }

    /// On an established connection: a renegotiating ClientHello (a correct one carrying
    /// our verify_data, changed by `edit`) under the current keys, and a fresh handshake
    /// state from it: the rest of the renegotiation uses the same steps as the first
    /// handshake.
    pub fn renegotiate(&mut self, edit: impl FnOnce(&mut ClientHelloPayload)) {
        let mut hello = client_hello();
        for e in hello.extensions.iter_mut().flatten() {
            if let ClientExtension::RenegotiationInfo(ri) = e {
                *ri = PayloadU8::new(self.client_vd.clone());
            }
        }
        edit(&mut hello);
        let encoded = self
            .w
            .handshake(HandshakePayload::ClientHello(hello.clone()));
        self.transcript = HandshakeHash::new();
        self.transcript.add_message(&encoded);
        self.hello = hello;
        self.flight.clear();
        self.server_params = None;
        let _ = self.w.deliver();
    }

    /// Our ChangeCipherSpec (the sealer switches to our key) and a correct Finished.
    pub fn send_ccs_and_finished(&mut self) {
        self.send_ccs();
        let fin = self.finished();
        if let HandshakePayload::Finished(f) = &fin {
            self.client_vd = f.verify_data.0.clone();
        }
        self.send(fin);
    }

    /// Delivers our Finished, then reads the server's [NewSessionTicket], CCS and Finished.
    pub fn read_server_finish(&mut self) {
        assert_eq!(self.w.deliver(), Ok(()), "the server refused our Finished");
        let mut got = self.w.recv();
        if let Some(crate::harness::Got::Handshake(encoded)) = &got {
            self.transcript.add_message(encoded);
            got = self.w.recv();
        }
        assert_eq!(got, Some(crate::harness::Got::ChangeCipherSpec));
        let opener = self.server_open.take().expect("keys");
        self.w.set_opener(Some(opener), false);
        let (p, _) = self.w.expect_handshake(V12);
        let HandshakePayload::Finished(fin) = p else {
            panic!("expected Finished, got {p:?}");
        };
        let hash = self.transcript.current_hash().unwrap();
        self.master
            .as_ref()
            .unwrap()
            .verify_server_finished(hash.as_ref(), &fin.verify_data.0)
            .unwrap();
        self.server_vd = fin.verify_data.0.clone();
    }

    /// A whole correct handshake: our server is established.
    pub fn handshake(config: ServerConfig) -> Self {
        let mut c = Self::start(config, |_| {});
        c.read_server_flight();
        c.send_key_exchange();
        c.send_ccs_and_finished();
        c.read_server_finish();
        c.w.completed();
        c
    }
}
