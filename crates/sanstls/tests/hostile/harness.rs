//! The suite's machinery: named cases and their runner, the fixtures, the victim (our
//! engine, client or server), and [`Wire`], the script's end of the connection: records to
//! and from the victim through the project's record layer, with the framing and protection
//! the script chooses, and the assertions every case ends with.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

use sanstls::client::{ClientConfig, ClientConnection};
use sanstls::crypto::sign::{load_private_key, SigningKey};
use sanstls::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use sanstls::internal::msgs::alert::AlertMessagePayload;
use sanstls::internal::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use sanstls::internal::record::deframer::Deframer;
use sanstls::internal::record::fragmenter::Fragment;
use sanstls::internal::record::header::{RecordHeader, MAX_CIPHERTEXT_TLS12, MAX_PLAINTEXT};
use sanstls::internal::record::joiner::HandshakeJoiner;
use sanstls::internal::record::protect::{RecordOpener, RecordSealer};
use sanstls::internal::record::size_limit::PlaintextLimit;
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::{Connection, Error, Event};

use sanstls::internal::codec::Codec;
use sanstls_test::fixtures;

/// The clock of every case.
pub use sanstls_test::pair::NOW;

/// The name every client connects to (the fixtures' certificates are for it).
pub const HOST: &str = "localhost";

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/// One named case.
pub struct Case {
    pub name: String,
    pub run: Box<dyn Fn()>,
}

/// A case named `name` running `f`.
pub fn case(name: impl Into<String>, f: impl Fn() + 'static) -> Case {
    Case {
        name: name.into(),
        run: Box::new(f),
    }
}

/// Runs every case of a group (those matching `$HOSTILE`, if set), each to its end, and
/// fails naming the cases that failed.
pub fn run(group: &str, cases: Vec<Case>) {
    let filter = std::env::var("HOSTILE").ok();
    let mut names = std::collections::HashSet::new();
    let mut failed = Vec::new();
    let mut ran = 0;
    for c in &cases {
        assert!(names.insert(c.name.clone()), "two cases named {:?}", c.name);
        if filter.as_deref().is_some_and(|f| !c.name.contains(f)) {
            continue;
        }
        ran += 1;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (c.run)()));
        if outcome.is_err() {
            failed.push(c.name.clone());
        }
    }
    eprintln!("{group}: {ran} of {} cases run", cases.len());
    assert!(failed.is_empty(), "{group}: failed cases: {failed:#?}");
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// The PKI of `vectors/pki/bench`: an ECDSA P-256 and an RSA-2048 leaf for `localhost`, each
/// signed by its own root.
pub struct Pki {
    pub ecdsa: Vec<u8>,
    pub ecdsa_ca: Vec<u8>,
    pub ecdsa_key: Arc<dyn SigningKey>,
    pub rsa: Vec<u8>,
    pub rsa_ca: Vec<u8>,
    pub rsa_key: Arc<dyn SigningKey>,
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let (ecdsa, rsa) = (fixtures::bench("ecdsa"), fixtures::bench("rsa"));
        Pki {
            ecdsa_key: load_private_key(&ecdsa.key).unwrap(),
            ecdsa: ecdsa.leaf,
            ecdsa_ca: ecdsa.ca,
            rsa_key: load_private_key(&rsa.key).unwrap(),
            rsa: rsa.leaf,
            rsa_ca: rsa.ca,
        }
    })
}

/// A client trusting both roots, with the engine's defaults.
pub fn client_config() -> ClientConfig {
    let p = pki();
    let roots = sanstls_pki::tls::NodeServerVerifier::with_roots(vec![
        p.ecdsa_ca.clone(),
        p.rsa_ca.clone(),
    ])
    .unwrap();
    let mut c = ClientConfig::new(Arc::new(roots));
    // The scripted servers speak the classical groups (the hybrid group has its own cases).
    c.groups = sanstls::crypto::kx::SUPPORTED_GROUPS.to_vec();
    c
}

/// A server with the ECDSA certificate and tickets, with the engine's defaults.
pub fn server_config() -> ServerConfig {
    let p = pki();
    let mut c = ServerConfig::new(vec![CertifiedKey::new(
        vec![p.ecdsa.clone()],
        p.ecdsa_key.clone(),
    )
    .unwrap()]);
    c.ticketer = Some(Arc::new(Ticketer::new(c.random.as_ref()).unwrap()));
    c
}

/// A client verifier trusting both roots (it also asks for a certificate when set).
pub fn client_verifier(mandatory: bool) -> Arc<dyn sanstls::crypto::verify::ClientCertVerifier> {
    let p = pki();
    let v = sanstls_pki::tls::NodeClientVerifier::with_roots(
        vec![p.ecdsa_ca.clone(), p.rsa_ca.clone()],
        mandatory,
    )
    .unwrap();
    Arc::new(v)
}

/// A new server with `config` receives `hello`, which the script sends (and the transcript
/// starts with); the server has processed it.
pub fn say_hello(
    config: ServerConfig,
    hello: &sanstls::internal::msgs::hello::ClientHelloPayload,
) -> (
    Wire,
    sanstls::internal::handshake::transcript::HandshakeHash,
) {
    let victim = ServerConnection::new(Arc::new(config), NOW).unwrap();
    let mut w = Wire::new(Victim::Server(victim));
    let encoded = w.handshake(HandshakePayload::ClientHello(hello.clone()));
    let mut transcript = sanstls::internal::handshake::transcript::HandshakeHash::new();
    transcript.add_message(&encoded);
    let _ = w.deliver();
    (w, transcript)
}

/// Random bytes from the OS (the script's randoms and ephemeral keys).
pub fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut out).unwrap();
    out
}

/// The encoding of a handshake message, header included.
pub fn encode(p: HandshakePayload) -> Vec<u8> {
    HandshakeMessagePayload::new(p).get_encoding()
}

// ---------------------------------------------------------------------------------------------
// The victim
// ---------------------------------------------------------------------------------------------

/// Our engine, the side under attack.
pub enum Victim {
    Client(ClientConnection),
    Server(ServerConnection),
}

impl Deref for Victim {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Self::Client(c) => c,
            Self::Server(s) => s,
        }
    }
}

impl DerefMut for Victim {
    fn deref_mut(&mut self) -> &mut Connection {
        match self {
            Self::Client(c) => c,
            Self::Server(s) => s,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The wire
// ---------------------------------------------------------------------------------------------

/// How the script cuts its queued handshake messages into records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// Each message in its own record(s), as soon as it is queued.
    PerMessage,
    /// Messages share records until the queue is flushed (by a key change, a record of
    /// another type, or delivery), as most stacks send a flight.
    Together,
    /// Like `Together`, cut into records of at most this many bytes.
    Split(usize),
}

/// What the victim sent, as the script reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Got {
    /// A whole handshake message, header included.
    Handshake(Vec<u8>),
    ChangeCipherSpec,
    Alert(AlertLevel, AlertDescription),
    ApplicationData(Vec<u8>),
}

/// The script's end of the connection.
pub struct Wire {
    pub victim: Victim,
    /// Protection of what the script sends (`None`: plaintext records).
    sealer: Option<RecordSealer>,
    /// The version field of the script's records.
    pub record_version: ProtocolVersion,
    pub framing: Framing,
    /// Handshake messages queued and not yet cut into records.
    pending: Vec<u8>,
    /// Records for the victim, not yet delivered.
    out: Vec<u8>,
    /// What the victim wrote, not yet read by the script.
    inbound: Vec<u8>,
    deframer: Deframer,
    /// Protection of what the victim sends, and whether it is TLS 1.3's (only
    /// application_data records are protected, CCS never is).
    opener: Option<(RecordOpener, bool)>,
    joiner: HandshakeJoiner,
    got: VecDeque<Got>,
    /// What the victim's last `process` returned.
    pub result: Result<(), Error>,
    /// Every event the victim emitted, in order.
    pub events: Vec<Event>,
    /// The application data the victim received (read out as it arrived).
    pub received: Vec<u8>,
    /// A negotiated record size limit the victim must keep to (RFC 8449, RFC 6066): every
    /// protected record it sends is checked against it as it is read, and with `true`
    /// every unprotected one too (max_fragment_length binds those as well).
    pub victim_limit: Option<(PlaintextLimit, bool)>,
}

impl Wire {
    pub fn new(victim: Victim) -> Self {
        let mut deframer = Deframer::new();
        deframer.set_max_payload_len(MAX_CIPHERTEXT_TLS12).unwrap();
        let mut w = Self {
            victim,
            sealer: None,
            record_version: ProtocolVersion::TLSv1_2,
            framing: Framing::PerMessage,
            pending: Vec::new(),
            out: Vec::new(),
            inbound: Vec::new(),
            deframer,
            opener: None,
            joiner: HandshakeJoiner::new(),
            got: VecDeque::new(),
            result: Ok(()),
            events: Vec::new(),
            received: Vec::new(),
            victim_limit: None,
        };
        w.collect();
        w
    }

    // ---- sending ----

    /// Queues a handshake message (its encoding); returns the encoding for the transcript.
    pub fn handshake(&mut self, p: HandshakePayload) -> Vec<u8> {
        let encoded = encode(p);
        self.raw_handshake(&encoded);
        encoded
    }

    /// Queues handshake bytes as they are (a message, part of one, several).
    pub fn raw_handshake(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        if self.framing == Framing::PerMessage {
            self.flush();
        }
    }

    /// Cuts the queued handshake bytes into records under the current protection.
    pub fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let size = match self.framing {
            Framing::Split(n) => n,
            _ => MAX_PLAINTEXT,
        };
        for chunk in pending.chunks(size) {
            self.emit(ContentType::Handshake, chunk);
        }
    }

    fn emit(&mut self, typ: ContentType, payload: &[u8]) {
        match &mut self.sealer {
            Some(s) => s.seal(typ, payload, &mut self.out).unwrap(),
            None => Fragment { typ, payload }.encode_plain(self.record_version, &mut self.out),
        }
    }

    /// One record of `typ` holding exactly `payload`, under the current protection, after
    /// anything queued.
    pub fn record(&mut self, typ: ContentType, payload: &[u8]) {
        self.flush();
        self.emit(typ, payload);
    }

    /// One unprotected record, whatever the keys: header fields as given.
    pub fn plain_record(&mut self, typ: ContentType, version: ProtocolVersion, payload: &[u8]) {
        self.flush();
        RecordHeader {
            typ,
            version,
            len: payload.len() as u16,
        }
        .encode(&mut self.out);
        self.out.extend_from_slice(payload);
    }

    /// Bytes on the wire as they are.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.flush();
        self.out.extend_from_slice(bytes);
    }

    /// An alert record.
    pub fn alert(&mut self, level: AlertLevel, description: AlertDescription) {
        let a = AlertMessagePayload { level, description }.get_encoding();
        self.record(ContentType::Alert, &a);
    }

    /// The TLS 1.3 middlebox-compatibility ChangeCipherSpec (always plaintext).
    pub fn compat_ccs(&mut self) {
        self.plain_record(
            ContentType::ChangeCipherSpec,
            ProtocolVersion::TLSv1_2,
            &[1],
        );
    }

    /// Protects what the script sends from now on (queued messages go out first).
    pub fn set_sealer(&mut self, sealer: Option<RecordSealer>) {
        self.flush();
        self.sealer = sealer;
    }

    /// The script's write sequence number (for cases that replay or skip records).
    pub fn sealer_mut(&mut self) -> Option<&mut RecordSealer> {
        self.sealer.as_mut()
    }

    /// Opens what the victim sends from now on (`tls13`: only application_data records).
    pub fn set_opener(&mut self, opener: Option<RecordOpener>, tls13: bool) {
        self.opener = opener.map(|o| (o, tls13));
    }

    /// The opener in force, taken out (to put back after records under another key).
    pub fn take_opener(&mut self) -> Option<RecordOpener> {
        self.opener.take().map(|(o, _)| o)
    }

    /// Takes the records built so far without delivering them (for cases that rearrange
    /// them).
    pub fn take_out(&mut self) -> Vec<u8> {
        self.flush();
        std::mem::take(&mut self.out)
    }

    /// Delivers everything queued to the victim, which processes it; returns what its
    /// last `process` returned (also kept in `result`).
    pub fn deliver(&mut self) -> Result<(), Error> {
        self.flush();
        let out = std::mem::take(&mut self.out);
        self.deliver_bytes(&out)
    }

    /// Delivers `bytes` in reads of at most `chunk` bytes.
    pub fn deliver_in_reads(&mut self, chunk: usize) -> Result<(), Error> {
        self.flush();
        let out = std::mem::take(&mut self.out);
        for piece in out.chunks(chunk.max(1)) {
            if self.deliver_bytes(piece).is_err() {
                break;
            }
        }
        self.result.clone()
    }

    fn deliver_bytes(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        let mut result = self.victim.process(NOW);
        let mut idle = 0;
        while !bytes.is_empty() && result.is_ok() {
            let n = self.victim.read_tls(bytes);
            bytes = &bytes[n..];
            result = self.victim.process(NOW);
            let read = self.read_plaintext();
            idle = if n == 0 && read == 0 { idle + 1 } else { 0 };
            assert!(idle < 3, "the victim takes no bytes and frees no room");
        }
        self.collect();
        self.result = result.clone();
        result
    }

    fn read_plaintext(&mut self) -> usize {
        let mut buf = [0u8; 4096];
        let mut total = 0;
        loop {
            let n = self.victim.read_plaintext(&mut buf);
            if n == 0 {
                return total;
            }
            total += n;
            self.received.extend_from_slice(&buf[..n]);
        }
    }

    /// Gathers the victim's events and what it wrote.
    pub fn collect(&mut self) {
        while let Some(e) = self.victim.poll_event() {
            self.events.push(e);
        }
        self.read_plaintext();
        let mut written = Vec::new();
        self.victim.write_tls(&mut written);
        self.inbound.extend_from_slice(&written);
    }

    // ---- receiving ----

    /// The next thing the victim sent, if any (decrypted with the opener in force).
    pub fn recv(&mut self) -> Option<Got> {
        loop {
            if let Some(g) = self.got.pop_front() {
                return Some(g);
            }
            if !self.inbound.is_empty() {
                let n = self.deframer.read(&self.inbound);
                self.inbound.drain(..n);
            }
            let record = self
                .deframer
                .pop_record()
                .unwrap_or_else(|e| panic!("the victim sent a malformed record: {e:?}"))?;
            let header = record.header;
            // TLS 1.3's inner plaintext: the record less the 16-byte tag all our suites use.
            let mut inner = None;
            let (typ, payload) = match &mut self.opener {
                Some((o, tls13)) if !*tls13 || header.typ == ContentType::ApplicationData => {
                    if *tls13 {
                        inner = Some(usize::from(header.len).saturating_sub(16));
                    }
                    let p = o
                        .open_in_place(&header, record.payload)
                        .unwrap_or_else(|e| panic!("cannot open the victim's record: {e:?}"));
                    (p.typ, p.payload.to_vec())
                }
                _ => (header.typ, record.payload.to_vec()),
            };
            let protected = self
                .opener
                .as_ref()
                .is_some_and(|(_, tls13)| !*tls13 || header.typ == ContentType::ApplicationData);
            if let Some((limit, plain_too)) = self.victim_limit {
                if protected || plain_too {
                    assert!(
                        payload.len() <= limit.content && inner.unwrap_or(0) <= limit.inner,
                        "the victim sent a {typ:?} record of {} bytes ({inner:?} inner) over \
                         {limit:?}",
                        payload.len()
                    );
                }
            }
            match typ {
                ContentType::Handshake => {
                    self.joiner.push(&payload).unwrap();
                    while let Some(m) = self.joiner.pop() {
                        self.got.push_back(Got::Handshake(m.encoded.to_vec()));
                    }
                }
                ContentType::ChangeCipherSpec => self.got.push_back(Got::ChangeCipherSpec),
                ContentType::Alert => {
                    let a = AlertMessagePayload::read_bytes(&payload).unwrap();
                    self.got.push_back(Got::Alert(a.level, a.description));
                }
                _ => self.got.push_back(Got::ApplicationData(payload)),
            }
        }
    }

    /// The next handshake message the victim sent (skipping compatibility CCS records),
    /// decoded as `version` decodes it, with its encoding.
    pub fn expect_handshake(&mut self, version: ProtocolVersion) -> (HandshakePayload, Vec<u8>) {
        loop {
            match self.recv() {
                Some(Got::Handshake(encoded)) => {
                    let m = HandshakeMessagePayload::read_bytes_version(&encoded, version)
                        .unwrap_or_else(|e| panic!("victim's message: {e:?}"));
                    return (m.payload, encoded);
                }
                Some(Got::ChangeCipherSpec) if version == ProtocolVersion::TLSv1_3 => {}
                other => panic!(
                    "expected a handshake message, got {other:?} (victim: {:?})",
                    self.result
                ),
            }
        }
    }

    /// The victim's TLS 1.2 ChangeCipherSpec.
    pub fn expect_ccs(&mut self) {
        match self.recv() {
            Some(Got::ChangeCipherSpec) => {}
            other => panic!("expected ChangeCipherSpec, got {other:?}"),
        }
    }

    /// Everything the victim sent that the script has not read.
    pub fn drain(&mut self) -> Vec<Got> {
        std::iter::from_fn(|| self.recv()).collect()
    }

    // ---- outcomes ----

    /// The victim refused what it received: `process` failed with an error whose alert is
    /// `alert`; that alert, fatal, is the last and only alert on the wire; and the
    /// connection is dead (see [`Self::assert_dead`]).
    pub fn refused(&mut self, alert: AlertDescription) {
        let e = self
            .result
            .clone()
            .expect_err("the victim accepted what it should refuse");
        assert_eq!(e.alert(), Some(alert), "the victim's error: {e:?} ({e})");
        let rest = self.drain();
        let alerts: Vec<&Got> = rest
            .iter()
            .filter(|g| matches!(g, Got::Alert(..)))
            .collect();
        let sent = Got::Alert(AlertLevel::Fatal, alert);
        assert_eq!(alerts, [&sent], "alerts on the wire: {rest:?}");
        assert_eq!(rest.last(), Some(&sent), "after the alert: {rest:?}");
        self.assert_dead(&e);
    }

    /// Delivers what the script sent; the victim refuses it in the handshake with `alert`
    /// ([`Self::refused_in_handshake`]).
    pub fn delivered_refused(&mut self, alert: AlertDescription) {
        let _ = self.deliver();
        self.refused_in_handshake(alert);
    }

    /// [`Self::refused`] during the handshake: the handshake never completed.
    pub fn refused_in_handshake(&mut self, alert: AlertDescription) {
        self.refused(alert);
        assert!(
            !self.events.contains(&Event::HandshakeComplete),
            "the handshake completed before the refusal"
        );
        assert!(self.received.is_empty(), "application data was accepted");
    }

    /// The victim failed with `e` and sent no alert (a received alert, a timeout).
    pub fn failed_quietly(&mut self, e: Error) {
        assert_eq!(self.result, Err(e.clone()));
        let rest = self.drain();
        assert!(
            !rest.iter().any(|g| matches!(g, Got::Alert(..))),
            "an alert was sent: {rest:?}"
        );
        self.assert_dead(&e);
    }

    /// Once failed, the victim accepts nothing, sends nothing, and reports the same error.
    pub fn assert_dead(&mut self, e: &Error) {
        let v = &mut self.victim;
        assert!(!v.is_handshaking(), "still handshaking after {e:?}");
        assert_eq!(v.error(), Some(e), "the sticky error");
        let junk = [23, 3, 3, 0, 3, 1, 2, 3, 22, 3, 3, 0, 4, 20, 0, 0, 0];
        assert_eq!(
            v.read_tls(&junk),
            junk.len(),
            "bytes after a failure are dropped"
        );
        assert_eq!(v.process(NOW), Err(e.clone()));
        assert_eq!(v.send(b"late").err(), Some(e.clone()));
        let mut late = Vec::new();
        assert_eq!(v.write_tls(&mut late), 0, "sent after failing: {late:?}");
        assert!(v.poll_event().is_none(), "an event after failing");
        let mut buf = [0u8; 16];
        assert_eq!(v.read_plaintext(&mut buf), 0, "plaintext after failing");
    }

    /// The victim accepted everything so far and the handshake is complete.
    pub fn completed(&mut self) {
        assert_eq!(self.result, Ok(()), "the victim refused");
        assert!(!self.victim.is_handshaking(), "still handshaking");
        assert!(self.events.contains(&Event::HandshakeComplete));
        assert!(self.victim.error().is_none());
    }

    /// The victim accepted everything so far and is still handshaking.
    pub fn waiting(&mut self) {
        assert_eq!(self.result, Ok(()), "the victim refused");
        assert!(self.victim.is_handshaking(), "no longer handshaking");
    }
}
