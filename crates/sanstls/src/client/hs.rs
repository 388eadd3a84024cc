//! The client's hello phase: building the ClientHello (and its retry after a
//! HelloRetryRequest) and reading the ServerHello.
//!
//! Random bytes are drawn from the configuration's source in a fixed order (hello random,
//! legacy_session_id when in compatibility mode, then the key share), so a handshake is
//! reproducible from a recorded pool.

use crate::prelude::*;
use alloc::sync::Arc;

use super::tls13::ExpectEncryptedExtensions;
use super::{ClientConfig, StoredSession};
use crate::codec::PayloadU8;
use crate::conn::{Common, Context, Message, State};
use crate::crypto::kx::KeyExchange;
use crate::enums::ECPointFormat;
use crate::enums::{
    CipherSuite, Compression, ExtensionType, NamedGroup, PSKKeyExchangeMode, ProtocolVersion,
};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::handshake::key_schedule::{KeyScheduleEarly, PskKind, SuiteHash};
use crate::handshake::prf::ct_eq;
use crate::handshake::transcript::HandshakeHash;
use crate::msgs::base::{Random, SessionId};
use crate::msgs::extensions::{
    CertificateStatusRequest, ClientExtension, Cookie, KeyShareEntry, OfferedPsks, ProtocolName,
    PskBinderEntry, PskIdentity, RecordSizeLimit, ServerNameList, SupportedVersions, TlsExtension,
};
use crate::msgs::hello::{ClientHelloPayload, HelloRetryRequest, ServerHelloPayload};
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload, MessagePayload};
use crate::psk::ExternalPsk;
use crate::record::size_limit::{self, RecordLimits};
use crate::suites::{find_tls12_suite, find_tls13_suite, Tls13CipherSuite};
use crate::time::UnixTime;
use crate::tls13;

/// Where an offered PSK comes from.
pub(crate) enum PskSource {
    /// A resumption ticket (`"res binder"`).
    Resumption(StoredSession),
    /// An external PSK from `ClientConfig::psk` (`"ext binder"`).
    External(ExternalPsk),
}

/// A PSK offer: a resumption session or an external PSK, and the early key schedule it
/// starts.
pub(crate) struct PskOffer {
    pub(crate) source: PskSource,
    /// The hash the PSK is for: only a suite with this hash can use it.
    pub(crate) hash: SuiteHash,
    /// Keyed once: it makes the binder of each ClientHello and, if the server accepts the
    /// PSK, starts the handshake's schedule.
    pub(crate) early: KeyScheduleEarly,
}

impl PskOffer {
    /// The identity as sent (RFC 8446 s4.2.11): the ticket with its obfuscated age, or the
    /// external identity with age 0 ("For identities established externally, an
    /// obfuscated_ticket_age of 0 SHOULD be used").
    fn identity(&self, now: UnixTime) -> PskIdentity {
        match &self.source {
            PskSource::Resumption(s) => PskIdentity {
                identity: s.ticket.clone(),
                obfuscated_ticket_age: s.obfuscated_age(now),
            },
            PskSource::External(p) => PskIdentity {
                identity: p.identity().to_vec(),
                obfuscated_ticket_age: 0,
            },
        }
    }
}

/// Everything the client states carry from the hello phase.
pub(crate) struct ClientHandshake {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: String,
    pub(crate) random: Random,
    pub(crate) session_id: SessionId,
    pub(crate) transcript: HandshakeHash,
    /// Whether we already sent the compatibility CCS (RFC 8446 D.4).
    pub(crate) sent_ccs: bool,
    /// The RFC 5077 ticket we offer for TLS 1.2 (empty: we only ask for one).
    pub(crate) tls12_ticket: Vec<u8>,
    /// Set when this handshake renegotiates an established TLS 1.2 connection.
    pub(crate) reneg: Option<Renegotiation>,
    /// The extensions of the ClientHello we sent: the server may answer only these
    /// (RFC 8446 s4.2, RFC 5246 s7.4.1.4), the cookie of a HelloRetryRequest excepted.
    pub(crate) offered: Vec<ExtensionType>,
    /// The record_size_limit our ClientHello announced, if it did: what the server must
    /// keep to if it answers (RFC 8449 s4).
    pub(crate) record_size_limit: Option<RecordSizeLimit>,
}

impl ClientHandshake {
    /// Checks the extensions of a server message: each must answer one we offered
    /// (`unsupported_extension` otherwise) and be one `allowed` in this message
    /// (`illegal_parameter` otherwise, RFC 8446 s4.2).
    pub(crate) fn check_answered(
        &self,
        got: impl IntoIterator<Item = ExtensionType>,
        allowed: &[ExtensionType],
    ) -> Result<(), Error> {
        for t in got {
            if !self.offered.contains(&t) && t != ExtensionType::Cookie {
                return Err(PeerMisbehaved::UnsolicitedExtension(t).into());
            }
            if !allowed.contains(&t) {
                return Err(crate::error::InvalidMessage::UnexpectedExtension(t).into());
            }
        }
        Ok(())
    }
}

/// What a TLS 1.2 renegotiation carries over from the handshake before it.
pub(crate) struct Renegotiation {
    /// Our last Finished verify_data, sent in renegotiation_info (RFC 5746 s3.5).
    pub(crate) client_verify_data: Vec<u8>,
    /// The server's last Finished verify_data, which it must echo after ours.
    pub(crate) server_verify_data: Vec<u8>,
    /// The server's certificate so far: a renegotiation may not change who the server is.
    pub(crate) peer_end_entity: Vec<u8>,
}

/// Starts a renegotiation of an established TLS 1.2 connection (RFC 5746): a full
/// handshake, TLS 1.2 only, without resumption, sent under the current keys.
pub(crate) fn start_renegotiation(
    common: &mut Common,
    config: &Arc<ClientConfig>,
    server_name: &str,
    now: UnixTime,
) -> Result<Box<dyn State>, Error> {
    if !common.negotiated.secure_renegotiation {
        return Err(Error::ApiMisuse(
            "renegotiate: the server does not support secure renegotiation (RFC 5746)",
        ));
    }
    let reneg = Renegotiation {
        client_verify_data: common.negotiated.finished_sent.clone(),
        server_verify_data: common.negotiated.finished_received.clone(),
        peer_end_entity: common.peer_end_entity()?.to_vec(),
    };
    let mut config = ClientConfig::clone(config);
    config.min_version = ProtocolVersion::TLSv1_2;
    config.max_version = ProtocolVersion::TLSv1_2;
    config.middlebox_compat = false;
    let mut random = [0u8; 32];
    config.random.fill(&mut random)?;
    common.negotiated.client_random = random;
    let mut hs = ClientHandshake {
        config: Arc::new(config),
        server_name: server_name.to_string(),
        random: Random(random),
        session_id: SessionId::empty(),
        transcript: HandshakeHash::new(),
        sent_ccs: false,
        tls12_ticket: Vec::new(),
        reneg: Some(reneg),
        offered: Vec::new(),
        record_size_limit: None,
    };
    if hs.config.client_certificate.is_some() {
        hs.transcript.keep_full_transcript()?;
    }
    // TLS 1.2 only: no key share (the ECDHE key is made for the ServerKeyExchange).
    let hello = build_client_hello(&hs, None, None, &[], now)?;
    send_client_hello(common, &mut hs, hello, &[], None)?;
    common.flush_handshake()?;
    common.renegotiating = true;
    Ok(Box::new(ExpectServerHello {
        hs,
        key_share: None,
        psks: Vec::new(),
        resume12: None,
        retried: None,
    }))
}

/// Sends the ClientHello and returns the state that expects the ServerHello.
pub(crate) fn start_handshake(
    common: &mut Common,
    config: Arc<ClientConfig>,
    server_name: &str,
    session: Option<StoredSession>,
    now: UnixTime,
) -> Result<Box<dyn State>, Error> {
    if offered_suites(&config).is_empty() {
        return Err(Error::BadConfiguration(
            "no cipher suites for the configured versions",
        ));
    }
    let Some(&group) = config.groups.first() else {
        return Err(Error::BadConfiguration("no key exchange groups configured"));
    };
    size_limit::check_configured(config.record_size_limit)?;
    let mut random = [0u8; 32];
    config.random.fill(&mut random)?;
    let mut session_id = match config.middlebox_compat {
        true => {
            let mut id = [0u8; 32];
            config.random.fill(&mut id)?;
            SessionId::new(&id).unwrap_or_default()
        }
        false => SessionId::empty(),
    };
    // A key share only goes with TLS 1.3; a TLS 1.2 handshake makes its ECDHE key when the
    // ServerKeyExchange names the group, so a TLS 1.2-only hello skips the key generation.
    let key_share = match config.allows(ProtocolVersion::TLSv1_3) {
        // With a hybrid group first, its ECDH half also goes out as a share of that ECDH
        // group when we list it too (X25519 beside X25519MLKEM768, by default), so a server
        // without post-quantum support needs no HelloRetryRequest.
        true => {
            let kx = KeyExchange::start(group, config.random.as_ref())?;
            let ecdh = crate::crypto::kx::hybrid_ecdh_group(group);
            Some(match ecdh.is_some_and(|g| config.groups.contains(&g)) {
                true => kx.with_ecdh_share(),
                false => kx,
            })
        }
        false => None,
    };
    // A session is offered only for the name it was made with, under a suite we still
    // allow, and while it is fresh. One whose certificate the verifier refused (made with
    // `reject_unauthorized` off) is not offered where refusals are fatal: resuming it would
    // skip the verification this configuration requires.
    let session = session.filter(|s| {
        s.is_valid_at(now)
            && s.server_name == server_name
            && (s.authorization_error.is_none() || !config.reject_unauthorized)
    });
    let resumption = session.clone().and_then(|session| {
        let suite = find_tls13_suite(session.cipher_suite)?;
        let allowed = config.cipher_suites.iter().any(|s| s.suite == suite.suite);
        (allowed && config.allows(ProtocolVersion::TLSv1_3)).then(|| {
            let early = KeyScheduleEarly::with_psk(suite.hash, &session.psk, PskKind::Resumption);
            PskOffer {
                source: PskSource::Resumption(session),
                hash: suite.hash,
                early,
            }
        })
    });
    // An external PSK goes after the ticket, as OpenSSL orders them, and only when a TLS
    // 1.3 suite we offer has its hash. The callback is asked without a hint: in TLS 1.3 the
    // PSK is chosen before the server says anything (Node passes `null`).
    let external = match (&config.psk, config.allows(ProtocolVersion::TLSv1_3)) {
        (Some(cb), true) => (cb.0)(None).filter(|p| {
            let hash = p.hash();
            config.cipher_suites.iter().any(|s| s.hash == hash)
        }),
        _ => None,
    };
    let external = external.map(|p| PskOffer {
        hash: p.hash(),
        early: KeyScheduleEarly::with_psk(p.hash(), p.key(), PskKind::External),
        source: PskSource::External(p),
    });
    let psks: Vec<PskOffer> = resumption.into_iter().chain(external).collect();
    let resume12 = session.and_then(|session| {
        let suite = find_tls12_suite(session.cipher_suite)?;
        let allowed = config.tls12_cipher_suites.contains(&suite);
        (allowed && config.allows(ProtocolVersion::TLSv1_2))
            .then_some(Tls12SessionOffer { session, suite })
    });
    // RFC 5246 s7.4.1.2 / RFC 5077 s3.4: offer the session's id, or with only a ticket a
    // fresh one, which the server echoes to say it resumed.
    if let Some(r) = &resume12 {
        if !r.session.session_id.is_empty() {
            session_id = SessionId::new(&r.session.session_id).unwrap_or_default();
        } else if session_id.is_empty() {
            let mut id = [0u8; 32];
            config.random.fill(&mut id)?;
            session_id = SessionId::new(&id).unwrap_or_default();
        }
    }
    let tls12_ticket = resume12
        .as_ref()
        .map(|r| r.session.ticket.clone())
        .unwrap_or_default();
    common.negotiated.client_random = random;
    common.negotiated.server_name = Some(server_name.to_string());
    // RFC 8446 s5.1: the first ClientHello may go out with record version 0x0301.
    common.plain_record_version = ProtocolVersion::TLSv1_0;

    let mut hs = ClientHandshake {
        config,
        server_name: server_name.to_string(),
        random: Random(random),
        session_id,
        transcript: HandshakeHash::new(),
        sent_ccs: false,
        tls12_ticket,
        reneg: None,
        offered: Vec::new(),
        record_size_limit: None,
    };
    // A TLS 1.2 CertificateVerify signs the handshake messages themselves (RFC 5246
    // s7.4.8), so keep them while that can happen.
    if hs.config.client_certificate.is_some() && hs.config.allows(ProtocolVersion::TLSv1_2) {
        hs.transcript.keep_full_transcript()?;
    }
    let early_data = super::early_data::allowance(&hs, psks.first());
    let hello = build_client_hello(&hs, key_share.as_ref(), None, &psks, now)?;
    send_client_hello(common, &mut hs, hello, &psks, None)?;
    common.flush_handshake()?;
    common.plain_record_version = ProtocolVersion::TLSv1_2;
    if let (Some(max), Some(offer)) = (early_data, psks.first()) {
        super::early_data::start(common, &mut hs, offer, max)?;
    }
    // RFC 8446 D.4: a compatibility-mode server sends a CCS right after its first handshake
    // message, which may be a HelloRetryRequest.
    common.accept_ccs = true;
    Ok(Box::new(ExpectServerHello {
        hs,
        key_share,
        psks,
        resume12,
        retried: None,
    }))
}

/// A TLS 1.2 session offered for resumption.
pub(crate) struct Tls12SessionOffer {
    pub(crate) session: StoredSession,
    pub(crate) suite: &'static crate::suites::Tls12CipherSuite,
}

/// Whether `name` is a DNS name we may send in server_name (RFC 6066 s3: not an IP literal).
fn sni_name(name: &str) -> Option<&str> {
    let is_ip = name.parse::<core::net::IpAddr>().is_ok();
    (!is_ip && !name.is_empty()).then_some(name)
}

fn build_client_hello(
    hs: &ClientHandshake,
    key_share: Option<&KeyExchange>,
    cookie: Option<&Cookie>,
    psks: &[PskOffer],
    now: UnixTime,
) -> Result<ClientHelloPayload, Error> {
    let config = &hs.config;
    let mut exts = Vec::new();
    if config.enable_sni {
        if let Some(name) = sni_name(&hs.server_name) {
            exts.push(ClientExtension::ServerName(ServerNameList::from_host_name(
                name.as_bytes(),
            )));
        }
    }
    let (tls13, tls12) = (
        config.allows(ProtocolVersion::TLSv1_3),
        config.allows(ProtocolVersion::TLSv1_2),
    );
    if tls13 {
        let mut versions = vec![ProtocolVersion::TLSv1_3];
        if tls12 {
            versions.push(ProtocolVersion::TLSv1_2);
        }
        exts.push(ClientExtension::SupportedVersions(SupportedVersions(
            versions,
        )));
    }
    // A TLS 1.2-only hello lists no TLS 1.3-only group.
    let groups = config.groups.iter().copied();
    let groups = groups.filter(|g| tls13 || !crate::crypto::kx::tls13_only(*g));
    exts.push(ClientExtension::SupportedGroups(groups.collect()));
    exts.push(ClientExtension::SignatureAlgorithms(
        config.verifier.supported_schemes(),
    ));
    if let Some(key_share) = key_share.filter(|_| tls13) {
        let shares = key_share.shares().into_iter();
        exts.push(ClientExtension::KeyShare(
            shares
                .map(|(group, public)| KeyShareEntry {
                    group,
                    key_exchange: public.to_vec(),
                })
                .collect(),
        ));
    }
    if tls13 {
        let mut modes = vec![PSKKeyExchangeMode::PSK_DHE_KE];
        if config.psk_ke {
            modes.push(PSKKeyExchangeMode::PSK_KE);
        }
        exts.push(ClientExtension::PskKeyExchangeModes(modes));
    }
    if tls12 {
        // RFC 8422 s5.1.2, RFC 7627 s5.1, RFC 5746 s3.4.
        exts.push(ClientExtension::EcPointFormats(vec![
            ECPointFormat::Uncompressed,
        ]));
        exts.push(ClientExtension::ExtendedMasterSecret);
        let info = match &hs.reneg {
            Some(r) => PayloadU8::new(r.client_verify_data.clone()),
            None => PayloadU8::empty(),
        };
        exts.push(ClientExtension::RenegotiationInfo(info));
        exts.push(ClientExtension::SessionTicket(crate::codec::Payload::new(
            hs.tls12_ticket.clone(),
        )));
    }
    if !config.alpn_protocols.is_empty() {
        let names = config
            .alpn_protocols
            .iter()
            .map(|p| ProtocolName(p.clone()))
            .collect();
        exts.push(ClientExtension::Alpn(names));
    }
    if config.request_ocsp {
        exts.push(ClientExtension::StatusRequest(
            CertificateStatusRequest::ocsp(),
        ));
    }
    // RFC 8449 s4: clients SHOULD announce it even with no need to limit, so that the
    // server may announce its own; offering TLS 1.3 counts its inner type byte.
    if let Some(limit) = config.record_size_limit {
        exts.push(ClientExtension::RecordSizeLimit(size_limit::announced(
            limit, tls13,
        )));
    }
    if let Some(cookie) = cookie {
        exts.push(ClientExtension::Cookie(cookie.clone()));
    }
    #[cfg(feature = "test-hooks")]
    if let Some(hook) = &config.hello_hook {
        (hook.0)(&mut exts);
    }
    if super::early_data::allowance(hs, psks.first()).is_some() {
        exts.push(ClientExtension::EarlyData);
    }
    // RFC 8446 s4.2.11: pre_shared_key is the last extension; binders are filled in after
    // the rest of the hello is fixed.
    if !psks.is_empty() {
        exts.push(ClientExtension::PreSharedKey(OfferedPsks {
            identities: psks.iter().map(|p| p.identity(now)).collect(),
            binders: psks
                .iter()
                .map(|p| PskBinderEntry(vec![0; p.hash.output_len()]))
                .collect(),
        }));
    }
    Ok(ClientHelloPayload {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: hs.random,
        session_id: hs.session_id,
        cipher_suites: offered_suites(config),
        compression_methods: vec![Compression::Null],
        extensions: Some(exts),
    })
}

/// The suites we offer: TLS 1.3's then TLS 1.2's, as the version range allows.
fn offered_suites(config: &ClientConfig) -> Vec<CipherSuite> {
    let mut suites = Vec::new();
    if config.allows(ProtocolVersion::TLSv1_3) {
        suites.extend(config.cipher_suites.iter().map(|s| s.suite));
    }
    if config.allows(ProtocolVersion::TLSv1_2) {
        suites.extend(tls12_suites(config).map(|s| s.suite));
    }
    suites
}

/// The TLS 1.2 suites we offer: the configuration's, its PSK ones only when we have a PSK
/// callback (RFC 4279).
fn tls12_suites(
    config: &ClientConfig,
) -> impl Iterator<Item = &'static crate::suites::Tls12CipherSuite> + '_ {
    config
        .tls12_cipher_suites
        .iter()
        .copied()
        .filter(|s| !s.kx.is_psk() || config.psk.is_some())
}

/// Computes the PSK binder (if any), sends the hello, and adds it to the transcript.
/// `hrr_transcript` is the transcript after a HelloRetryRequest (message_hash + HRR), which
/// the binder of the second hello covers (RFC 8446 s4.2.11.2).
fn send_client_hello(
    common: &mut Common,
    hs: &mut ClientHandshake,
    mut hello: ClientHelloPayload,
    psks: &[PskOffer],
    hrr_transcript: Option<&HandshakeHash>,
) -> Result<(), Error> {
    if !psks.is_empty() {
        let truncated = hello.encoding_for_binder_signing().ok_or(Error::ApiMisuse(
            "pre_shared_key must be the last extension",
        ))?;
        // Each binder covers the same truncated hello, hashed with its own PSK's hash.
        let mut binders = Vec::with_capacity(psks.len());
        for offer in psks {
            let binder_hash = match hrr_transcript {
                Some(t) => t.hash_with(offer.hash, &truncated)?,
                None => HandshakeHash::new().hash_with(offer.hash, &truncated)?,
            };
            binders.push(PskBinderEntry(offer.early.binder(&binder_hash)?));
        }
        hello.set_psk_binders(binders)?;
    }
    hs.offered = hello.extensions().iter().map(|e| e.ext_type()).collect();
    // Read back from the hello as sent, which a test hook may have rewritten.
    hs.record_size_limit = hello.record_size_limit();
    let m = HandshakeMessagePayload::new(HandshakePayload::ClientHello(hello));
    let encoded = common.send_handshake(&m)?;
    hs.transcript.add_message(&encoded);
    Ok(())
}

/// Waiting for ServerHello (or a HelloRetryRequest).
pub(crate) struct ExpectServerHello {
    hs: ClientHandshake,
    /// The TLS 1.3 key share we sent (none when only TLS 1.2 is offered).
    key_share: Option<KeyExchange>,
    /// The PSKs we offered, in the order of their identities.
    psks: Vec<PskOffer>,
    resume12: Option<Tls12SessionOffer>,
    /// After a HelloRetryRequest: the suite it chose, which the ServerHello must repeat.
    retried: Option<CipherSuite>,
}

impl ExpectServerHello {
    fn offered_suite(&self, suite: CipherSuite) -> Result<&'static Tls13CipherSuite, Error> {
        self.hs
            .config
            .cipher_suites
            .iter()
            .copied()
            .find(|s| s.suite == suite)
            .ok_or_else(|| PeerMisbehaved::SelectedUnofferedParameter("cipher_suite").into())
    }

    fn handle_server_hello(
        mut self,
        cx: &mut Context<'_>,
        sh: &ServerHelloPayload,
        encoded: &[u8],
    ) -> Result<Box<dyn State>, Error> {
        // A TLS 1.2-only client never offers supported_versions (RFC 5246 s7.4.1.4).
        if sh.supported_version().is_some()
            && !self.hs.offered.contains(&ExtensionType::SupportedVersions)
        {
            return Err(
                PeerMisbehaved::UnsolicitedExtension(ExtensionType::SupportedVersions).into(),
            );
        }
        // RFC 8446 s4.1.3: TLS 1.3 is chosen through supported_versions; without it the
        // server picked legacy_version.
        match sh.supported_version() {
            Some(ProtocolVersion::TLSv1_3) if self.hs.config.allows(ProtocolVersion::TLSv1_3) => {}
            Some(_) => {
                return Err(PeerMisbehaved::SelectedUnofferedParameter("supported_versions").into())
            }
            None if sh.legacy_version == ProtocolVersion::TLSv1_2
                && self.hs.config.allows(ProtocolVersion::TLSv1_2) =>
            {
                return self.handle_tls12_server_hello(cx, sh, encoded);
            }
            None => return Err(PeerIncompatible::NoVersionInCommon.into()),
        }
        if sh.legacy_version != ProtocolVersion::TLSv1_2 {
            return Err(PeerMisbehaved::ServerLegacyVersion.into());
        }
        if sh.session_id != self.hs.session_id {
            return Err(PeerMisbehaved::SessionIdEchoMismatch.into());
        }
        if sh.compression_method != Compression::Null {
            return Err(PeerMisbehaved::SelectedUnofferedParameter("compression_method").into());
        }
        self.hs.check_answered(
            sh.extensions().iter().map(|e| e.ext_type()),
            &[
                ExtensionType::SupportedVersions,
                ExtensionType::KeyShare,
                ExtensionType::PreSharedKey,
            ],
        )?;
        let suite = self.offered_suite(sh.cipher_suite)?;
        // s4.1.4: the ServerHello keeps the suite the HelloRetryRequest chose.
        if self.retried.is_some_and(|s| s != suite.suite) {
            return Err(PeerMisbehaved::ServerHelloSuiteDiffersFromRetry.into());
        }
        // A PSK the server accepted must be the one we offered, under a suite with its hash.
        let psk = match sh.selected_psk_identity() {
            None => None,
            Some(i) => {
                let i = usize::from(i);
                match (i < self.psks.len()).then(|| self.psks.swap_remove(i)) {
                    Some(offer) if offer.hash == suite.hash => Some(offer),
                    Some(_) => return Err(PeerMisbehaved::PskHashMismatch.into()),
                    None => return Err(PeerMisbehaved::SelectedUnofferedPsk.into()),
                }
            }
        };
        // TLS 1.3 was offered (the version check above), so a share was sent.
        let Some(key_share) = self.key_share.take() else {
            return Err(PeerMisbehaved::SelectedUnofferedParameter("key_share").into());
        };
        // No key_share: only a PSK handshake in psk_ke mode, which we offer only with
        // `ClientConfig::psk_ke` (RFC 8446 s4.2.9: then no (EC)DHE, no forward secrecy).
        let share = match sh.key_share() {
            Some(share) if key_share.offers(share.group) => Some(share),
            Some(_) => {
                return Err(PeerMisbehaved::SelectedUnofferedParameter("key_share group").into())
            }
            None if psk.is_some() && self.hs.config.psk_ke => None,
            None => return Err(PeerMisbehaved::MissingKeyShare.into()),
        };

        tls13::set_negotiated_tls13(cx);
        let n = &mut cx.common.negotiated;
        n.cipher_suite = Some(suite.suite);
        n.group = share.map(|s| s.group);
        n.resumed = matches!(
            psk,
            Some(PskOffer {
                source: PskSource::Resumption(_),
                ..
            })
        );

        self.hs.transcript.start_hash(suite.hash)?;
        self.hs.transcript.add_message(encoded);
        let shared = match share {
            Some(share) => Some(key_share.complete_for(share.group, &share.key_exchange)?),
            None => None,
        };
        let (early, psk) = match psk {
            Some(offer) => (offer.early, Some(offer.source)),
            None => (KeyScheduleEarly::new(suite.hash), None),
        };
        let mut schedule = early.into_handshake(
            shared.as_ref().map(|s| &s.0[..]),
            &self.hs.transcript.current_hash()?,
        );
        for (label, secret) in schedule.keylog_entries() {
            cx.common.log_secret(label, secret);
        }
        let (client_keys, server_keys) = schedule.handshake_keys(suite.ring_aead());
        tls13::install_read_keys(cx, suite, &server_keys)?;
        // RFC 8446 D.4: in compatibility mode a CCS precedes our first protected record.
        if self.hs.config.middlebox_compat && !self.hs.sent_ccs {
            cx.common.send_compat_ccs()?;
            self.hs.sent_ccs = true;
        }
        // With early data in flight, the early key may have to seal our EndOfEarlyData
        // first: the record layer holds our handshake key until the server says.
        // Early data only ever goes with the resumption ticket (`early_data::allowance`).
        let sealer = tls13::sealer_for(suite, &client_keys)?;
        let ticket_taken = matches!(psk, Some(PskSource::Resumption(_)));
        cx.common.early_data_server_hello(ticket_taken, sealer)?;
        cx.common.accept_ccs = true;
        Ok(Box::new(ExpectEncryptedExtensions {
            hs: self.hs,
            suite,
            schedule,
            psk,
        }))
    }

    /// A TLS 1.2 ServerHello (RFC 5246 s7.4.1.3).
    fn handle_tls12_server_hello(
        mut self,
        cx: &mut Context<'_>,
        sh: &ServerHelloPayload,
        encoded: &[u8],
    ) -> Result<Box<dyn State>, Error> {
        // RFC 8446 s4.1.3: a TLS 1.3 server that was pushed down to TLS 1.2 says so in its
        // random; a client that offered TLS 1.3 must then abort.
        if self.hs.config.allows(ProtocolVersion::TLSv1_3)
            && sh.random.0[24..] == crate::tls12::DOWNGRADE_TLS12
        {
            return Err(PeerMisbehaved::DowngradeSentinel.into());
        }
        if self.retried.is_some() {
            return Err(PeerMisbehaved::Tls12AfterHelloRetryRequest.into());
        }
        // TLS 1.2 has no early data: it is handed back, and what follows is unprotected.
        cx.common.early_data_refused();
        let suite = tls12_suites(&self.hs.config)
            .find(|s| s.suite == sh.cipher_suite)
            .ok_or(PeerMisbehaved::SelectedUnofferedParameter("cipher_suite"))?;
        if sh.compression_method != Compression::Null {
            return Err(PeerMisbehaved::SelectedUnofferedParameter("compression_method").into());
        }
        use crate::msgs::extensions::ServerExtension as S;
        // RFC 5246 s7.4.1.4: an extension we did not offer is unsupported_extension; of the
        // ones we offer, these may come back in a TLS 1.2 ServerHello.
        self.hs.check_answered(
            sh.extensions().iter().map(|e| e.ext_type()),
            &[
                ExtensionType::ServerName,
                ExtensionType::StatusRequest,
                ExtensionType::ECPointFormats,
                ExtensionType::ALProtocolNegotiation,
                ExtensionType::SCT,
                ExtensionType::ExtendedMasterSecret,
                ExtensionType::SessionTicket,
                ExtensionType::RenegotiationInfo,
                ExtensionType::RecordSizeLimit,
            ],
        )?;
        // RFC 8449 s4: negotiated when both sent it; it binds the records of the keys this
        // handshake makes, from the ChangeCipherSpecs on.
        let limits = match (sh.record_size_limit(), self.hs.record_size_limit) {
            (Some(theirs), Some(ours)) => RecordLimits::record_size_limit(theirs, ours, false),
            _ => RecordLimits::default(),
        };
        cx.common.set_record_limits(limits, false);
        // RFC 5746 s3.4/s3.5: the server's renegotiation_info is empty on an initial
        // handshake and holds both verify_data on a renegotiation, where it is mandatory.
        let expected_ri = match &self.hs.reneg {
            Some(r) => [r.client_verify_data.as_slice(), &r.server_verify_data].concat(),
            None => Vec::new(),
        };
        let mut secure_reneg = false;
        for e in sh.extensions() {
            match e {
                S::Alpn(p) if self.hs.config.alpn_protocols.contains(&p.0) => {
                    cx.common.negotiated.alpn = Some(p.0.clone());
                }
                // RFC 7301 s3.2: the server selects one of the protocols we offered.
                S::Alpn(_) => {
                    return Err(PeerMisbehaved::SelectedUnofferedParameter("ALPN protocol").into())
                }
                S::RenegotiationInfo(ri) if ct_eq(&ri.0, &expected_ri) => {
                    secure_reneg = true;
                }
                S::RenegotiationInfo(_) => {
                    return Err(PeerMisbehaved::WrongRenegotiationInfo.into())
                }
                // Offered (checked above) and with nothing more to check here.
                _ => {}
            }
        }
        if self.hs.reneg.is_some() && !secure_reneg {
            return Err(PeerMisbehaved::WrongRenegotiationInfo.into());
        }
        // RFC 7627 s5.2-5.3: a connection that has the extended master secret keeps it.
        let ems = sh.extended_master_secret_acked();
        if self.hs.reneg.is_some() && cx.common.negotiated.extended_master_secret && !ems {
            return Err(PeerMisbehaved::RenegotiationDropsExtendedMasterSecret.into());
        }
        let n = &mut cx.common.negotiated;
        n.extended_master_secret = ems;
        n.version = Some(ProtocolVersion::TLSv1_2);
        n.cipher_suite = Some(suite.suite);
        n.secure_renegotiation = secure_reneg;
        cx.common.accept_ccs = false;
        self.hs.transcript.start_hash(suite.hash)?;
        self.hs.transcript.add_message(encoded);
        // RFC 5246 s7.4.1.3: the server echoing our non-empty session id resumes it.
        let resumed = self
            .resume12
            .take()
            .filter(|_| !sh.session_id.is_empty() && sh.session_id == self.hs.session_id);
        let c = super::tls12::Client12 {
            ems,
            hs: self.hs,
            suite,
            server_random: sh.random.0,
            server_session_id: sh.session_id.as_bytes().to_vec(),
            new_ticket: None,
            ticket_seen: false,
            ticket_expected: sh.session_ticket_acked(),
        };
        match resumed {
            Some(r) => super::tls12::resume(cx, c, r),
            None if suite.kx.is_psk() => Ok(Box::new(super::tls12::ExpectPskKeyExchange { c })),
            None => Ok(Box::new(super::tls12::ExpectCertificate { c })),
        }
    }

    fn handle_retry(
        mut self,
        cx: &mut Context<'_>,
        hrr: &HelloRetryRequest,
        encoded: &[u8],
    ) -> Result<Box<dyn State>, Error> {
        // RFC 8446 s4.1.4: at most one HelloRetryRequest per connection.
        if self.retried.is_some() {
            return Err(PeerMisbehaved::SecondHelloRetryRequest.into());
        }
        if hrr.supported_version() != Some(ProtocolVersion::TLSv1_3) {
            return Err(PeerMisbehaved::SelectedUnofferedParameter("supported_versions").into());
        }
        if hrr.legacy_version != ProtocolVersion::TLSv1_2 {
            return Err(PeerMisbehaved::ServerLegacyVersion.into());
        }
        self.hs.check_answered(
            hrr.extensions.iter().map(|e| e.ext_type()),
            &[
                ExtensionType::SupportedVersions,
                ExtensionType::KeyShare,
                ExtensionType::Cookie,
            ],
        )?;
        if hrr.session_id != self.hs.session_id {
            return Err(PeerMisbehaved::SessionIdEchoMismatch.into());
        }
        let suite = self.offered_suite(hrr.cipher_suite)?;
        let cookie = hrr.cookie().cloned();
        let group = hrr.requested_key_share_group();
        let Some(offered) = self.key_share.take() else {
            return Err(PeerMisbehaved::SelectedUnofferedParameter("key_share").into());
        };
        // An HRR must change something (s4.1.4), and a group it asks for must be one we
        // support but did not already send a share for.
        let group: NamedGroup = match group {
            Some(g) if offered.offers(g) => {
                return Err(PeerMisbehaved::HelloRetryRequestForOfferedGroup.into())
            }
            Some(g) if self.hs.config.groups.contains(&g) => g,
            Some(_) => {
                return Err(PeerMisbehaved::SelectedUnofferedParameter("selected_group").into())
            }
            None if cookie.is_none() => {
                return Err(PeerMisbehaved::HelloRetryRequestChangesNothing.into())
            }
            None => offered.group(),
        };
        self.retried = Some(suite.suite);
        // No early data after a HelloRetryRequest (s4.2.10): what went is handed back, and
        // the second ClientHello goes out unprotected.
        cx.common.early_data_refused();
        cx.common.negotiated.cipher_suite = Some(suite.suite);
        tls13::set_negotiated_tls13(cx);
        // Transcript: message_hash(ClientHello1) || HelloRetryRequest (RFC 8446 s4.4.1).
        self.hs.transcript.start_hash(suite.hash)?;
        self.hs.transcript.rollup_for_hrr()?;
        self.hs.transcript.add_message(encoded);
        // A PSK survives only if its hash matches the suite now fixed.
        let psks: Vec<PskOffer> = core::mem::take(&mut self.psks)
            .into_iter()
            .filter(|p| p.hash == suite.hash)
            .collect();
        let key_share = match group == offered.group() {
            true => offered,
            false => KeyExchange::start(group, self.hs.config.random.as_ref())?,
        };
        if self.hs.config.middlebox_compat && !self.hs.sent_ccs {
            cx.common.send_compat_ccs()?;
            self.hs.sent_ccs = true;
        }
        let hello = build_client_hello(&self.hs, Some(&key_share), cookie.as_ref(), &psks, cx.now)?;
        let transcript = self.hs.transcript.clone();
        send_client_hello(cx.common, &mut self.hs, hello, &psks, Some(&transcript))?;
        Ok(Box::new(ExpectServerHello {
            hs: self.hs,
            key_share: Some(key_share),
            psks,
            resume12: None,
            retried: self.retried,
        }))
    }
}

impl State for ExpectServerHello {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let MessagePayload::Handshake(h) = &m.payload else {
            return Err(m.unexpected());
        };
        match &h.payload {
            HandshakePayload::ServerHello(sh) => self.handle_server_hello(cx, sh, &m.encoded),
            HandshakePayload::HelloRetryRequest(hrr) => self.handle_retry(cx, hrr, &m.encoded),
            _ => Err(m.unexpected()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::ReplayRandom;

    /// How many random bytes a ClientHello draws with this version range.
    fn random_drawn(max_version: ProtocolVersion) -> usize {
        let rng = Arc::new(ReplayRandom::new(vec![7; 1024]));
        let mut config = ClientConfig::new(Arc::new(crate::crypto::verify::InsecureAcceptAnything));
        config.max_version = max_version;
        config.random = rng.clone();
        crate::ClientConnection::new(Arc::new(config), "example.com", UnixTime::from_secs(0))
            .unwrap();
        1024 - rng.remaining()
    }

    #[test]
    fn a_tls12_only_hello_makes_no_key_share() {
        // client random + compatibility session id; for TLS 1.3 only, the default
        // X25519MLKEM768 share's ML-KEM seed (d || z) and the one X25519 key both shares use.
        assert_eq!(random_drawn(ProtocolVersion::TLSv1_2), 64);
        assert_eq!(random_drawn(ProtocolVersion::TLSv1_3), 64 + 64 + 32);
    }
}
