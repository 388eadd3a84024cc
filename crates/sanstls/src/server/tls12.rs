//! The TLS 1.2 server (RFC 5246 s7.3): choosing the suite by our preference, the server's
//! flight (ServerHello, Certificate, [CertificateStatus], ServerKeyExchange,
//! [CertificateRequest], ServerHelloDone), then one state per client message.

use crate::prelude::*;
use alloc::sync::Arc;

use super::hs::{choose_alpn, client_hello, server_name};
use super::resume12::Tls12Session;
use super::{CertifiedKey, ServerConfig};
use crate::codec::{Payload, PayloadU16, PayloadU8};
use crate::conn::{Context, Event, Message, Side, State};
use crate::crypto::ffdhe::{DhGroup, DhKeyExchange};
use crate::crypto::kx::KeyExchange;
use crate::crypto::sign::KeyAlgorithm;
use crate::enums::{
    CipherSuite, ClientCertificateType, Compression, ContentType, ECPointFormat, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::handshake::prf::Tls12MasterSecret;
use crate::handshake::transcript::HandshakeHash;
use crate::msgs::base::{DistinguishedName, Random, SessionId};
use crate::msgs::certificate::{CertificateDer, CertificatePayload, CertificateRequestPayload};
use crate::msgs::extensions::{ProtocolName, ServerExtension};
use crate::msgs::handshake::{
    CertificateStatus, DigitallySignedStruct, FinishedPayload, NewSessionTicketPayload,
    ServerHelloDonePayload,
};
use crate::msgs::hello::{ClientHelloPayload, ServerHelloPayload};
use crate::msgs::kx::{
    ClientKeyExchangePayload, DheServerParams, EcdheServerParams, KeyExchangeAlgorithm,
    PskServerKeyExchange, ServerKeyExchangeParams, ServerKeyExchangePayload,
};
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::session::secret_encoding;
use crate::suites::Tls12CipherSuite;
use crate::tls12::{self, Keys12, Traffic12, DOWNGRADE_TLS12};

/// What the TLS 1.2 server states carry.
struct Server12 {
    config: Arc<ServerConfig>,
    suite: &'static Tls12CipherSuite,
    transcript: HandshakeHash,
    client_random: [u8; 32],
    server_random: [u8; 32],
    ems: bool,
    /// Our ephemeral key, until the ClientKeyExchange completes it.
    kx: Option<Ephemeral>,
    /// The session id we gave (empty: not cached).
    session_id: SessionId,
    /// Whether we send a NewSessionTicket before our ChangeCipherSpec.
    issue_ticket: bool,
    /// In a renegotiation: the client's certificate from before, which it may not change.
    previous_peer: Option<Vec<u8>>,
}

/// The server's ephemeral key of either kind.
enum Ephemeral {
    Ecdhe(KeyExchange),
    Dhe(DhKeyExchange),
}

/// The key exchange [`choose`] settled on: an ECDHE curve, DHE parameters, or none (plain
/// PSK).
enum Kx {
    Ecdhe(NamedGroup),
    Dhe(DhGroup),
    None,
}

/// What [`choose`] settled on: the suite, the certificate and scheme that authenticate
/// us (none for a PSK suite), and the key exchange.
type Choice = (
    &'static Tls12CipherSuite,
    Option<(CertifiedKey, SignatureScheme)>,
    Kx,
);

/// Whether `group` is in RFC 7919's FFDHE range of the Supported Groups registry
/// (256..=511, s4: "even if unknown to the server").
fn in_ffdhe_range(group: NamedGroup) -> bool {
    (0x0100..=0x01ff).contains(&u16::from(group))
}

/// The DH parameters for a DHE suite, given our configured `dh` (RFC 7919 s4). A client
/// whose supported_groups lists no FFDHE group is not RFC 7919-aware: it gets `dh`. One
/// that lists some gets the first RFC 7919 group we accept that it lists, or `None` (no
/// DHE suite may be chosen). We accept the FFDHE groups of our configured `groups`, in that
/// order; when it has none, the RFC 7919 groups at least as large as `dh`, smallest first
/// (the configured parameters set the strength we want).
fn dhe_parameters(config: &ServerConfig, dh: &DhGroup, client: &[NamedGroup]) -> Option<DhGroup> {
    if !client.iter().any(|g| in_ffdhe_range(*g)) {
        return Some(dh.clone());
    }
    let configured: Vec<NamedGroup> = config
        .groups
        .iter()
        .copied()
        .filter(|g| crate::crypto::kx::is_ffdhe(*g))
        .collect();
    let ours = match configured.is_empty() {
        false => configured,
        true => [
            NamedGroup::FFDHE2048,
            NamedGroup::FFDHE3072,
            NamedGroup::FFDHE4096,
            NamedGroup::FFDHE6144,
            NamedGroup::FFDHE8192,
        ]
        .into_iter()
        .filter(|g| DhGroup::from_named(*g).is_some_and(|p| p.bits() >= dh.bits()))
        .collect(),
    };
    ours.into_iter()
        .find(|g| client.contains(g))
        .and_then(DhGroup::from_named)
}

/// Chooses a suite, certificate, scheme and key exchange by our preference
/// (RFC 5246 s7.4.1.2; Node's `honorCipherOrder`). An ECDHE suite needs a group both sides
/// support (RFC 8422 s5.1: a client without supported_groups takes any; P-256 is the safe
/// choice), so without one a DHE suite is chosen when both sides have one. A DHE suite
/// uses the RFC 7919 group the client asks for ([`dhe_parameters`]); when the client lists
/// FFDHE groups and none is ours, no DHE suite is chosen, and if nothing else fits the
/// answer is insufficient_security (RFC 7919 s4).
fn choose(config: &ServerConfig, ch: &ClientHelloPayload) -> Result<Choice, Error> {
    // RFC 5246 s7.4.1.4.1: without signature_algorithms the client accepts only SHA-1
    // signatures, which we do not make (a PSK suite needs none).
    let offered = ch.signature_algorithms();
    let offered_schemes =
        crate::crypto::sign::allowed_schemes(&config.signature_schemes, offered.unwrap_or(&[]));
    let client_groups = ch.named_groups().unwrap_or(&[NamedGroup::secp256r1]);
    // A TLS 1.3-only group (the hybrid KEMs) has no TLS 1.2 ECDHE form, and an RFC 7919
    // group names DHE parameters, not a curve.
    let group = config.groups.iter().copied().find(|g| {
        !crate::crypto::kx::tls13_only(*g)
            && !crate::crypto::kx::is_ffdhe(*g)
            && client_groups.contains(g)
    });
    let dhe = config
        .dh_params
        .as_ref()
        .map(|dh| dhe_parameters(config, dh, ch.named_groups().unwrap_or_default()));
    let (mut no_group, mut no_ffdhe) = (false, false);
    for suite in config.suites_in_order(&config.tls12_cipher_suites, &ch.cipher_suites, |s| s.suite)
    {
        // PSK suites only with external PSKs on (RFC 4279): no certificate needed.
        if suite.kx.is_psk() && config.external_psk_hash.is_none() {
            continue;
        }
        let kx = match (suite.kx, &dhe) {
            (KeyExchangeAlgorithm::Psk, _) => Kx::None,
            (KeyExchangeAlgorithm::Dhe | KeyExchangeAlgorithm::DhePsk, None) => continue,
            (KeyExchangeAlgorithm::Dhe | KeyExchangeAlgorithm::DhePsk, Some(None)) => {
                no_ffdhe = true;
                continue;
            }
            (KeyExchangeAlgorithm::Dhe | KeyExchangeAlgorithm::DhePsk, Some(Some(dh))) => {
                Kx::Dhe(dh.clone())
            }
            _ => match group {
                Some(g) => Kx::Ecdhe(g),
                None => {
                    no_group = true;
                    continue;
                }
            },
        };
        if suite.kx.is_psk() {
            return Ok((suite, None, kx));
        }
        let usable: Vec<SignatureScheme> = offered_schemes
            .iter()
            .copied()
            .filter(|s| suite.usable_with(*s))
            .collect();
        for cert in config.certificates.iter().filter(|c| curve_offered(c, ch)) {
            if let Some(scheme) = cert.key.choose_scheme(&usable, false) {
                return Ok((suite, Some((cert.clone(), scheme)), kx));
            }
        }
    }
    if offered.is_none() {
        return Err(PeerIncompatible::Sha1SignaturesOnly.into());
    }
    match (no_ffdhe, no_group) {
        (true, _) => Err(PeerIncompatible::NoFfdheGroupsInCommon.into()),
        (false, true) => Err(PeerIncompatible::NoKxGroupsInCommon.into()),
        (false, false) => Err(PeerIncompatible::NoCipherSuitesInCommon.into()),
    }
}

/// RFC 8422 s5.1: a client's supported_groups also bounds the curve of an ECDSA
/// certificate in TLS 1.2 (TLS 1.3 says so with its signature schemes instead). A client
/// without the extension takes any curve.
fn curve_offered(cert: &CertifiedKey, ch: &ClientHelloPayload) -> bool {
    let Some(groups) = ch.named_groups() else {
        return true;
    };
    match cert.key.algorithm() {
        KeyAlgorithm::EcdsaP256 => groups.contains(&NamedGroup::secp256r1),
        KeyAlgorithm::EcdsaP384 => groups.contains(&NamedGroup::secp384r1),
        KeyAlgorithm::EcdsaP521 => groups.contains(&NamedGroup::secp521r1),
        KeyAlgorithm::Rsa { .. } | KeyAlgorithm::Ed25519 => true,
    }
}

/// Answers a ClientHello with TLS 1.2.
pub(crate) fn start(
    cx: &mut Context<'_>,
    config: Arc<ServerConfig>,
    m: &Message,
) -> Result<Box<dyn State>, Error> {
    start_with(cx, config, m, None, None)
}

/// A client-initiated renegotiation, already checked by the traffic state: a full
/// handshake whose renegotiation_info answers with both verify_data (RFC 5746 s3.7).
pub(crate) fn renegotiate(
    cx: &mut Context<'_>,
    config: Arc<ServerConfig>,
    m: &Message,
    reneg_info: Vec<u8>,
) -> Result<Box<dyn State>, Error> {
    start_with(cx, config, m, None, Some(reneg_info))
}

/// Paused: waiting for the application's answer to `Event::ResumeSession`.
struct AwaitingSession {
    config: Arc<ServerConfig>,
    hello: Message,
}

impl State for AwaitingSession {
    fn handle(self: Box<Self>, _cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        Err(m.unexpected())
    }

    fn session_found(
        self: Box<Self>,
        cx: &mut Context<'_>,
        data: Option<Vec<u8>>,
    ) -> Result<Box<dyn State>, Error> {
        let lookup = super::resume12::Lookup::External(data);
        start_with(cx, self.config, &self.hello, Some(lookup), None)
    }
}

fn start_with(
    cx: &mut Context<'_>,
    config: Arc<ServerConfig>,
    m: &Message,
    lookup: Option<super::resume12::Lookup>,
    reneg_info: Option<Vec<u8>>,
) -> Result<Box<dyn State>, Error> {
    let ch = client_hello(m)?;
    if !ch.compression_methods.contains(&Compression::Null) {
        return Err(PeerMisbehaved::NoNullCompression.into());
    }
    // RFC 5746 s3.6: the extension or the SCSV says the client does secure renegotiation.
    // A renegotiation (checked by the traffic state) answers with both verify_data.
    let secure_reneg = match (&reneg_info, ch.renegotiation_info()) {
        (Some(_), _) => true,
        (None, Some([])) => true,
        (None, Some(_)) => return Err(PeerMisbehaved::NonEmptyInitialRenegotiationInfo.into()),
        (None, None) => ch
            .cipher_suites
            .contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
    };
    if reneg_info.is_none() {
        // Node's resumeSession: an id we do not hold may be in the application's store;
        // the handshake waits for its answer (which may come much later).
        if lookup.is_none() && super::resume12::needs_external_lookup(&config, ch) {
            cx.common
                .emit(Event::ResumeSession(ch.session_id.as_bytes().to_vec()));
            return Ok(Box::new(AwaitingSession {
                config,
                hello: m.clone(),
            }));
        }
        let lookup = lookup.unwrap_or(super::resume12::Lookup::Local);
        if let Some(state) = super::resume12::try_resume(cx, &config, ch, m, secure_reneg, lookup)?
        {
            return Ok(state);
        }
    }
    let (suite, certified, kx) = choose(&config, ch)?;
    let group = match &kx {
        Kx::Ecdhe(g) => Some(*g),
        Kx::Dhe(_) | Kx::None => None,
    };
    let psk = suite.kx.is_psk();
    cx.common.negotiated.peer_signature_schemes = crate::crypto::sign::allowed_schemes(
        &config.signature_schemes,
        ch.signature_algorithms().unwrap_or_default(),
    );
    let ems = ch.extended_master_secret_offered();
    let alpn = choose_alpn(&config, ch)?;
    let sni = server_name(ch)?;
    let staple = ch.status_request().is_some()
        && certified
            .as_ref()
            .is_some_and(|(c, _)| c.ocsp_response.is_some());
    // RFC 5077 s3.2: a client that sends session_ticket (even empty) may get a new ticket.
    let issue_ticket = ch.session_ticket().is_some() && config.ticketer.is_some();

    let n = &mut cx.common.negotiated;
    n.version = Some(ProtocolVersion::TLSv1_2);
    n.cipher_suite = Some(suite.suite);
    n.group = group;
    n.alpn = alpn.clone();
    n.server_name = sni.clone();
    n.client_random = ch.random.0;
    n.secure_renegotiation = secure_reneg;
    n.extended_master_secret = ems;
    cx.common.keylog = config.key_log;

    let mut random = [0u8; 32];
    config.random.fill(&mut random)?;
    // RFC 8446 s4.1.3: a server that can do TLS 1.3 marks a TLS 1.2 answer.
    if config.allows(ProtocolVersion::TLSv1_3) {
        random[24..].copy_from_slice(&DOWNGRADE_TLS12);
    }
    let mut exts = Vec::new();
    exts.extend(super::hs::answer_record_limits(
        cx.common, &config, ch, false,
    )?);
    if secure_reneg {
        let info = reneg_info.clone().unwrap_or_default();
        exts.push(ServerExtension::RenegotiationInfo(PayloadU8::new(info)));
    }
    if ems {
        exts.push(ServerExtension::ExtendedMasterSecretAck);
    }
    if ch.ec_point_formats().is_some() {
        exts.push(ServerExtension::EcPointFormats(vec![
            ECPointFormat::Uncompressed,
        ]));
    }
    if sni.is_some() {
        exts.push(ServerExtension::ServerNameAck);
    }
    if let Some(p) = &alpn {
        exts.push(ServerExtension::Alpn(ProtocolName(p.clone())));
    }
    if staple {
        exts.push(ServerExtension::StatusRequestAck);
    }
    if issue_ticket {
        exts.push(ServerExtension::SessionTicketAck);
    }
    // A session id makes the session resumable from a cache, ours or the application's
    // (RFC 5246 s7.4.1.3).
    let session_id = match config.has_session_cache() || config.external_sessions {
        true => {
            let mut id = [0u8; 32];
            config.random.fill(&mut id)?;
            SessionId::new(&id).unwrap_or_default()
        }
        false => SessionId::empty(),
    };
    let sh = ServerHelloPayload {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: Random(random),
        session_id,
        cipher_suite: suite.suite,
        compression_method: Compression::Null,
        extensions: Some(exts),
    };

    // A PSK suite asks for no client certificate (RFC 4279 s2).
    let client_auth = config.client_verifier.as_ref().filter(|_| !psk);
    let mut transcript = HandshakeHash::new();
    if client_auth.is_some() {
        // The client's CertificateVerify signs the messages themselves (s7.4.8).
        transcript.keep_full_transcript()?;
    }
    transcript.add_message(&m.encoded);
    transcript.start_hash(suite.hash)?;
    let mut send = |cx: &mut Context<'_>, p: HandshakePayload| -> Result<(), Error> {
        transcript.add_message(&cx.common.send_handshake(&HandshakeMessagePayload::new(p))?);
        Ok(())
    };
    send(cx, HandshakePayload::ServerHello(sh))?;
    if let Some((certified, _)) = &certified {
        let chain = certified
            .chain
            .iter()
            .map(|d| CertificateDer(d.clone()))
            .collect();
        send(cx, HandshakePayload::Certificate(CertificatePayload(chain)))?;
        cx.common.negotiated.local_certificates = certified.chain.clone();
    }
    if let (true, Some((certified, _))) = (staple, &certified) {
        let ocsp = certified.ocsp_response.clone().unwrap_or_default();
        cx.common.negotiated.ocsp_response = Some(ocsp.clone());
        send(
            cx,
            HandshakePayload::CertificateStatus(CertificateStatus::new(ocsp)),
        )?;
    }
    let (kx, params) = match kx {
        Kx::None => (None, None),
        Kx::Ecdhe(group) => {
            let kx = KeyExchange::start(group, config.random.as_ref())?;
            let params = ServerKeyExchangeParams::Ecdhe(EcdheServerParams {
                named_group: group,
                public: PayloadU8::new(kx.public_key().to_vec()),
            });
            (Some(Ephemeral::Ecdhe(kx)), Some(params))
        }
        Kx::Dhe(dh) => {
            let kx = DhKeyExchange::start(&dh, config.random.as_ref())?;
            let params = ServerKeyExchangeParams::Dhe(DheServerParams {
                p: PayloadU16::new(dh.p().to_vec()),
                g: PayloadU16::new(dh.g().to_vec()),
                ys: PayloadU16::new(kx.public_value().to_vec()),
            });
            cx.common.negotiated.group = dh.named();
            cx.common.negotiated.dh_bits = Some(dh.bits());
            (Some(Ephemeral::Dhe(kx)), Some(params))
        }
    };
    let ske = match (certified, params) {
        (Some((certified, scheme)), Some(params)) => {
            let mut signed = Vec::new();
            signed.extend_from_slice(&ch.random.0);
            signed.extend_from_slice(&random);
            signed.extend_from_slice(&params.to_bytes());
            let signature = certified.key.sign(scheme, &signed)?;
            let ske = ServerKeyExchangePayload {
                params,
                signature: DigitallySignedStruct::new(scheme, signature),
            };
            Some(ske.get_encoding())
        }
        // RFC 4279 s2: plain PSK sends a ServerKeyExchange only to carry a hint; the
        // (EC)DHE_PSK ones always do, unsigned (RFC 4279 s3, RFC 5489 s2).
        (None, None) if config.psk_identity_hint.is_none() => None,
        (None, params) => Some(
            PskServerKeyExchange {
                hint: PayloadU16::new(config.psk_identity_hint.clone().unwrap_or_default()),
                params,
            }
            .get_encoding(),
        ),
        (Some(_), None) => return Err(Error::ApiMisuse("a signed suite without parameters")),
    };
    if let Some(ske) = ske {
        send(cx, HandshakePayload::ServerKeyExchange(Payload::new(ske)))?;
    }
    if let Some(verifier) = client_auth {
        let req = CertificateRequestPayload {
            certificate_types: vec![
                ClientCertificateType::RSASign,
                ClientCertificateType::ECDSASign,
            ],
            signature_algorithms: verifier.supported_schemes(),
            authorities: verifier
                .root_hint_subjects()
                .into_iter()
                .map(DistinguishedName)
                .collect(),
        };
        send(cx, HandshakePayload::CertificateRequest(req))?;
    }
    send(
        cx,
        HandshakePayload::ServerHelloDone(ServerHelloDonePayload),
    )?;

    let s = Server12 {
        suite,
        transcript,
        client_random: ch.random.0,
        server_random: random,
        ems,
        kx,
        session_id,
        issue_ticket,
        config: config.clone(),
        previous_peer: match reneg_info {
            Some(_) => cx.common.negotiated.peer_certificates.first().cloned(),
            None => None,
        },
    };
    match client_auth.is_some() {
        true => Ok(Box::new(ExpectCertificate { s })),
        false => Ok(Box::new(ExpectKeyExchange {
            s,
            client_cert: false,
        })),
    }
}

/// Keeps the session for resumption: in the cache under its id, and in a ticket when the
/// client asked for one (sent now, before our ChangeCipherSpec: RFC 5077 s3.3).
fn save_session(
    cx: &mut Context<'_>,
    s: &mut Server12,
    master: &Tls12MasterSecret,
) -> Result<(), Error> {
    let lifetime = s.config.ticket_lifetime.as_secs().min(u64::from(u32::MAX)) as u32;
    let mut session = Tls12Session {
        suite: s.suite.suite,
        master: zeroize::Zeroizing::new(master.keylog_entry().1.to_vec()),
        ems: s.ems,
        binding: s
            .config
            .bind_session(&cx.common.negotiated, cx.now, lifetime),
    };
    let encoded = secret_encoding(&session);
    if !s.session_id.is_empty() {
        s.config.cache_session(s.session_id.as_bytes(), &encoded);
    }
    // Node's newSession: the application may keep the session in its own store.
    if s.config.external_sessions && !s.session_id.is_empty() {
        let id = s.session_id.as_bytes().to_vec();
        cx.common.emit(Event::NewSession {
            id,
            data: encoded.clone(),
        });
    }
    if let (true, Some(ticketer)) = (s.issue_ticket, &s.config.ticketer) {
        // RFC 5077 s3.3: having acknowledged session_ticket we send a NewSessionTicket; an
        // empty one when the client's chain is too long for a ticket to carry.
        let ticket = match session.binding.peer.for_ticket() {
            Some(peer) => {
                session.binding.peer = peer;
                ticketer.seal(&secret_encoding(&session), s.config.random.as_ref(), cx.now)?
            }
            None => Vec::new(),
        };
        let nst = HandshakePayload::NewSessionTicket(NewSessionTicketPayload {
            lifetime_hint: lifetime,
            ticket: PayloadU16::new(ticket),
        });
        s.transcript.add_message(
            &cx.common
                .send_handshake(&HandshakeMessagePayload::new(nst))?,
        );
    }
    Ok(())
}

/// Waiting for the client's Certificate (we asked).
struct ExpectCertificate {
    s: Server12,
}

impl State for ExpectCertificate {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::Certificate(CertificatePayload(chain)) = m.handshake_payload()?
        else {
            return Err(m.unexpected());
        };
        let verifier = self.s.config.requested_client_verifier()?;
        self.s.transcript.add_message(&m.encoded);
        let chain: Vec<Vec<u8>> = chain.iter().map(|c| c.0.clone()).collect();
        // A renegotiation may not change (or drop) the identity the client proved before.
        if let Some(previous) = &self.s.previous_peer {
            if chain.first() != Some(previous) {
                return Err(PeerMisbehaved::CertificateChangedInRenegotiation.into());
            }
        }
        let Some((end_entity, rest)) = chain.split_first() else {
            // RFC 5246 s7.4.6: with no certificate, a server that requires one answers
            // handshake_failure (TLS 1.2 has no certificate_required alert).
            if verifier.client_auth_mandatory() {
                return Err(PeerIncompatible::Tls12CertificateRequired.into());
            }
            return Ok(Box::new(ExpectKeyExchange {
                s: self.s,
                client_cert: false,
            }));
        };
        let intermediates: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
        let verdict = verifier.verify_client_cert(end_entity, &intermediates, cx.now);
        cx.common
            .peer_verdict(verdict, self.s.config.reject_unauthorized)?;
        cx.common.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectKeyExchange {
            s: self.s,
            client_cert: true,
        }))
    }
}

/// Waiting for ClientKeyExchange.
struct ExpectKeyExchange {
    s: Server12,
    client_cert: bool,
}

impl State for ExpectKeyExchange {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::ClientKeyExchange(body) = m.handshake_payload()? else {
            return Err(m.unexpected());
        };
        let ExpectKeyExchange { mut s, client_cert } = *self;
        let cke = ClientKeyExchangePayload::read_bytes_with(&body.0, s.suite.kx)?;
        let shared = match (s.kx.take(), &cke) {
            (
                Some(Ephemeral::Ecdhe(kx)),
                ClientKeyExchangePayload::Ecdhe(point)
                | ClientKeyExchangePayload::EcdhePsk(_, point),
            ) => Some(kx.complete(&point.0)?),
            (
                Some(Ephemeral::Dhe(kx)),
                ClientKeyExchangePayload::Dhe(y) | ClientKeyExchangePayload::DhePsk(_, y),
            ) => Some(kx.complete(&y.0)?),
            (None, ClientKeyExchangePayload::Psk(_)) => None,
            _ => return Err(m.unexpected()),
        };
        s.transcript.add_message(&m.encoded);
        // A PSK suite: the application knows the identity's key, or not (Node's
        // pskCallback); the handshake waits for `psk_found`.
        if let Some(identity) = cke.psk_identity() {
            cx.common.emit(Event::PskIdentity(identity.to_vec()));
            return Ok(Box::new(AwaitingPsk12 {
                s,
                identity: identity.to_vec(),
                shared: shared.map(|s| s.0),
            }));
        }
        let Some(shared) = shared else {
            return Err(m.unexpected());
        };
        let (master, keys) = derive_master(cx, &s, &shared.0)?;
        match client_cert {
            true => Ok(Box::new(ExpectCertificateVerify { s, master, keys })),
            false => Ok(Box::new(ExpectCcs { s, master, keys })),
        }
    }
}

/// The master secret from the premaster (RFC 5246 s8.1; RFC 7627 s4: with EMS, over the
/// session hash, which runs through the ClientKeyExchange) and the record keys.
fn derive_master(
    cx: &mut Context<'_>,
    s: &Server12,
    premaster: &[u8],
) -> Result<(Tls12MasterSecret, Keys12), Error> {
    let master = match s.ems {
        true => Tls12MasterSecret::new_extended(
            s.suite.hash,
            premaster,
            s.transcript.current_hash()?.as_ref(),
        ),
        false => {
            Tls12MasterSecret::new(s.suite.hash, premaster, &s.client_random, &s.server_random)
        }
    };
    let (label, secret) = master.keylog_entry();
    cx.common.log_secret(label, secret);
    let keys = Keys12::derive(s.suite, &master, &s.client_random, &s.server_random);
    Ok((master, keys))
}

/// Paused on `Event::PskIdentity` (a TLS 1.2 PSK suite): the application knows the key of
/// the identity in the ClientKeyExchange, or not.
struct AwaitingPsk12 {
    s: Server12,
    identity: Vec<u8>,
    /// The (EC)DHE shared secret of DHE_PSK / ECDHE_PSK (RFC 4279's other_secret).
    shared: Option<zeroize::Zeroizing<Vec<u8>>>,
}

impl State for AwaitingPsk12 {
    fn handle(self: Box<Self>, _cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        // Not reached: the rest of the client's flight stays buffered (`holds_input`).
        Err(m.unexpected())
    }

    fn holds_input(&self) -> bool {
        true
    }

    fn psk_found(
        self: Box<Self>,
        cx: &mut Context<'_>,
        key: Option<zeroize::Zeroizing<Vec<u8>>>,
    ) -> Result<Box<dyn State>, Error> {
        let AwaitingPsk12 {
            s,
            identity,
            shared,
        } = *self;
        // RFC 4279 s2: an unknown identity is unknown_psk_identity (OpenSSL's answer). A
        // wrong key under a known one shows in the client's Finished (decrypt_error).
        let Some(key) = key else {
            return Err(PeerIncompatible::UnknownPskIdentity.into());
        };
        let premaster = crate::msgs::kx::psk_premaster(shared.as_deref().map(|v| &v[..]), &key);
        let (master, keys) = derive_master(cx, &s, &premaster)?;
        // The client proved nothing yet: its Finished, which the master secret keys, will.
        crate::session::PeerAuth::external_psk(&identity).restore(&mut cx.common.negotiated);
        Ok(Box::new(ExpectCcs { s, master, keys }))
    }
}

/// Waiting for the client's CertificateVerify.
struct ExpectCertificateVerify {
    s: Server12,
    master: Tls12MasterSecret,
    keys: Keys12,
}

impl State for ExpectCertificateVerify {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::CertificateVerify(cv) = m.handshake_payload()? else {
            return Err(m.unexpected());
        };
        let verifier = self.s.config.requested_client_verifier()?;
        if !verifier.supported_schemes().contains(&cv.scheme) {
            return Err(PeerMisbehaved::SelectedUnofferedParameter("signature scheme").into());
        }
        let messages = self.s.transcript.full_transcript().ok_or(Error::ApiMisuse(
            "TLS 1.2 client authentication needs the transcript",
        ))?;
        let end_entity = cx.common.peer_end_entity()?;
        verifier.verify_tls12_signature(messages, end_entity, cv.scheme, &cv.signature.0)?;
        self.s.transcript.add_message(&m.encoded);
        Ok(Box::new(ExpectCcs {
            s: self.s,
            master: self.master,
            keys: self.keys,
        }))
    }
}

/// Waiting for the client's ChangeCipherSpec.
struct ExpectCcs {
    s: Server12,
    master: Tls12MasterSecret,
    keys: Keys12,
}

impl State for ExpectCcs {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        tls12::expect_ccs(&m)?;
        cx.common.set_opener(self.keys.opener(Side::Client)?)?;
        Ok(Box::new(ExpectFinished {
            s: self.s,
            master: self.master,
            keys: self.keys,
        }))
    }
}

/// Waiting for the client's Finished; then ours.
struct ExpectFinished {
    s: Server12,
    master: Tls12MasterSecret,
    keys: Keys12,
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let received = tls12::finished_data(&m)?;
        let ExpectFinished {
            mut s,
            master,
            keys,
        } = *self;
        master.verify_client_finished(s.transcript.current_hash()?.as_ref(), received)?;
        cx.common.negotiated.finished_received = received.to_vec();
        s.transcript.add_message(&m.encoded);
        save_session(cx, &mut s, &master)?;
        cx.common
            .send_records(ContentType::ChangeCipherSpec, &[1])?;
        cx.common.set_sealer(keys.sealer(Side::Server)?)?;
        let verify_data = master.server_finished_verify_data(s.transcript.current_hash()?.as_ref());
        cx.common.negotiated.finished_sent = verify_data.to_vec();
        let fin = HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(verify_data),
        });
        cx.common
            .send_handshake(&HandshakeMessagePayload::new(fin))?;
        cx.common.start_traffic()?;
        Ok(Box::new(Traffic12 {
            side: Side::Server,
            master,
            client_random: s.client_random,
            server_random: s.server_random,
            server_config: Some(s.config),
            client: None,
            hello_requested: false,
        }))
    }
}
