//! The TLS 1.3 server (RFC 8446): what a TLS 1.3 ClientHello must hold, the parameters we
//! choose from it (cipher suite by our preference, Node's `honorCipherOrder` default; key
//! share; PSK resumption), a HelloRetryRequest when the client's key share does not suit
//! us, and our flight (ServerHello, EncryptedExtensions, [CertificateRequest], Certificate,
//! CertificateVerify, Finished). Then the client's Certificate and CertificateVerify when
//! we asked for them, and its Finished, after which we issue tickets and enter the traffic
//! state.

use crate::prelude::*;
use alloc::sync::Arc;

use super::hs::{choose_alpn, client_hello, process_client_hello, server_name};
use super::ticket::TicketState;
use super::{CertifiedKey, ServerConfig};
use crate::codec::{Codec, Payload, PayloadU16, PayloadU8};
use crate::conn::{Context, EarlyDataSkip, Message, Side, State};
use crate::crypto::kx::{self, KeyExchange};
use crate::enums::{
    Compression, ExtensionType, NamedGroup, PSKKeyExchangeMode, ProtocolVersion, SignatureScheme,
};
use crate::error::{Error, InvalidMessage, PeerIncompatible, PeerMisbehaved};
use crate::handshake::key_schedule::{
    KeyLogLabel, KeyScheduleEarly, KeyScheduleTraffic, KeyScheduleTrafficPending, PskKind,
};
use crate::handshake::transcript::HandshakeHash;
use crate::msgs::base::{DistinguishedName, Random};
use crate::msgs::certificate::{
    CertReqExtension, CertificateDer, CertificateEntry, CertificateExtension,
    CertificatePayloadTls13, CertificateRequestPayloadTls13,
};
use crate::msgs::extensions::{Cookie, HelloRetryExtension, KeyShareEntry, ServerExtension};
use crate::msgs::handshake::{
    CertificateStatus, DigitallySignedStruct, FinishedPayload, NewSessionTicketExtension,
    NewSessionTicketPayloadTls13,
};
use crate::msgs::hello::{
    ClientHelloPayload, EncryptedExtensions, HelloRetryRequest, ServerHelloPayload,
};
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::session::{secret_encoding, PeerAuth};
use crate::suites::Tls13CipherSuite;
use crate::tls13::{self, NoTickets, Traffic};
use zeroize::Zeroizing;

/// What a HelloRetryRequest fixed, to check the second ClientHello against.
pub(super) struct Retry {
    transcript: HandshakeHash,
    suite: &'static Tls13CipherSuite,
    group: NamedGroup,
    cookie: Vec<u8>,
    /// The first ClientHello, which the second must repeat (RFC 8446 s4.1.2).
    first: ClientHelloPayload,
    sent_ccs: bool,
}

/// What a PSK the server accepted came from.
enum PskKey {
    /// One of our tickets (a resumption).
    Ticket(TicketState),
    /// An external PSK the caller knew under `identity`.
    External {
        identity: Vec<u8>,
        key: Zeroizing<Vec<u8>>,
    },
}

struct AcceptedPsk {
    index: u16,
    key: PskKey,
}

impl AcceptedPsk {
    /// The early schedule the PSK starts.
    fn early(&self, hash: crate::psk::SuiteHash) -> KeyScheduleEarly {
        match &self.key {
            PskKey::Ticket(state) => {
                KeyScheduleEarly::with_psk(hash, &state.psk, PskKind::Resumption)
            }
            PskKey::External { key, .. } => {
                KeyScheduleEarly::with_psk(hash, key, PskKind::External)
            }
        }
    }
}

/// A TLS 1.3 ClientHello whose suite, key share, ALPN and server name are chosen, waiting
/// for the PSK decision (which may pause on the caller) before our flight.
struct Hello13 {
    config: Arc<ServerConfig>,
    m: Message,
    suite: &'static Tls13CipherSuite,
    share: KeyShareEntry,
    alpn: Option<Vec<u8>>,
    sni: Option<String>,
    /// After a HelloRetryRequest: the transcript up to the HelloRetryRequest (the second
    /// ClientHello's binders cover it and that hello truncated, RFC 8446 s4.2.11.2) and
    /// whether we sent the CCS.
    retried: Option<(HandshakeHash, bool)>,
}

/// A TLS 1.3 ClientHello (the version is chosen, and a second ClientHello was checked
/// against the first): chooses the parameters and sends our flight, or a HelloRetryRequest.
pub(super) fn start(
    cx: &mut Context<'_>,
    config: Arc<ServerConfig>,
    m: Message,
    retry: Option<Retry>,
) -> Result<Box<dyn State>, Error> {
    let ch = client_hello(&m)?;
    // s4.1.2, D.5: a TLS 1.3 ClientHello's legacy_version is 0x0303.
    if ch.legacy_version != ProtocolVersion::TLSv1_2 {
        return Err(PeerMisbehaved::ClientLegacyVersion.into());
    }
    // s4.1.2: legacy_compression_methods is exactly one null byte in TLS 1.3.
    if ch.compression_methods != [Compression::Null] {
        return Err(PeerMisbehaved::CompressionInTls13ClientHello.into());
    }
    check_tls13_extensions(ch)?;
    let suite = match &retry {
        Some(r) => r.suite,
        None => {
            let mut suites =
                config.suites_in_order(&config.cipher_suites, &ch.cipher_suites, |s| s.suite);
            // An external PSK can only be used under a suite of its hash, which must be
            // chosen before the caller is asked about the identity: prefer those suites
            // while a PSK is offered (a stable sort keeps the order among them).
            if let (Some(hash), Some(_)) = (config.external_psk_hash, ch.psk_offer()) {
                suites.sort_by_key(|s| s.hash != hash);
            }
            suites
                .into_iter()
                .next()
                .ok_or(PeerIncompatible::NoCipherSuitesInCommon)?
        }
    };
    let alpn = choose_alpn(&config, ch)?;
    let sni = server_name(ch)?;
    let share = ch.key_shares().unwrap_or_default();

    // The key share: the first of our groups the client sent a share for. A hybrid
    // post-quantum group the client lists but sent no share for still wins over the
    // classical groups after it in our order: we ask for its share with a
    // HelloRetryRequest, as the round trip buys protection against later quantum attacks.
    let supported = ch.named_groups().unwrap_or_default();
    let chosen = config
        .groups
        .iter()
        .find_map(|g| match share.iter().find(|s| s.group == *g) {
            Some(s) => Some(Ok(s)),
            None if kx::tls13_only(*g) && supported.contains(g) => Some(Err(*g)),
            None => None,
        });
    let chosen = match (chosen, &retry) {
        (Some(Err(group)), None) => return send_retry(cx, config, m, suite, group),
        (chosen, _) => chosen.and_then(Result::ok),
    };
    let share = match (chosen, &retry) {
        (Some(s), Some(r)) if s.group == r.group => s.clone(),
        (_, Some(_)) => return Err(PeerMisbehaved::SecondClientHelloWrongKeyShare.into()),
        (Some(s), None) => s.clone(),
        (None, None) => {
            let group = config
                .groups
                .iter()
                .copied()
                .find(|g| supported.contains(g))
                .ok_or(PeerIncompatible::NoKxGroupsInCommon)?;
            return send_retry(cx, config, m, suite, group);
        }
    };
    let retried = retry.map(|r| (r.transcript, r.sent_ccs));
    let share = share.clone();
    let hello = Hello13 {
        config,
        m,
        suite,
        share,
        alpn,
        sni,
        retried,
    };
    choose_psk(cx, hello, 0)
}

/// Walks the offered PSK identities from `from` (RFC 8446 s4.2.11) and goes on with the
/// first usable one, or without: a ticket of ours that opens, is fresh, of the suite's
/// hash and may resume here; else, with external PSKs on, the identity is the caller's to
/// judge (we pause with `Event::PskIdentity`). A bad binder is fatal (`decrypt_error`);
/// an unusable ticket or an unknown identity just moves on to the next.
fn choose_psk(cx: &mut Context<'_>, hello: Hello13, from: usize) -> Result<Box<dyn State>, Error> {
    let ch = client_hello(&hello.m)?;
    let config = &hello.config;
    let Some(offer) = ch.psk_offer() else {
        return finish_hello(cx, hello, None);
    };
    // We only do psk_dhe_ke (s4.2.9): forward secrecy for PSK handshakes too.
    if !ch
        .psk_modes()
        .is_some_and(|m| m.contains(&PSKKeyExchangeMode::PSK_DHE_KE))
    {
        return finish_hello(cx, hello, None);
    }
    let pairs = offer.identities.iter().zip(&offer.binders).enumerate();
    for (index, (identity, binder)) in pairs.skip(from) {
        let opened = config
            .ticketer
            .as_ref()
            .and_then(|t| t.open_at(&identity.identity, cx.now));
        let Some(plain) = opened else {
            if config.external_psk_hash.is_some() {
                cx.common
                    .emit(crate::conn::Event::PskIdentity(identity.identity.clone()));
                return Ok(Box::new(AwaitingPsk { hello, index }));
            }
            continue;
        };
        let Ok(state) = TicketState::read_bytes(&plain) else {
            continue;
        };
        let suite = hello.suite;
        let same_hash =
            crate::suites::find_tls13_suite(state.suite).is_some_and(|s| s.hash == suite.hash);
        if !same_hash || !config.may_resume(&state.binding, cx.now, hello.sni.as_deref()) {
            continue;
        }
        let accepted = AcceptedPsk {
            index: u16::try_from(index).map_err(|_| PeerMisbehaved::TooManyPskIdentities)?,
            key: PskKey::Ticket(state),
        };
        check_binder(&hello, &accepted, &binder.0)?;
        return finish_hello(cx, hello, Some(accepted));
    }
    finish_hello(cx, hello, None)
}

/// Verifies the binder of the PSK at `accepted.index` (RFC 8446 s4.2.11.2): over the
/// ClientHello truncated before its binders, after the HelloRetryRequest transcript if
/// there was one. A mismatch is `decrypt_error`.
fn check_binder(hello: &Hello13, accepted: &AcceptedPsk, binder: &[u8]) -> Result<(), Error> {
    let ch = client_hello(&hello.m)?;
    let hash = hello.suite.hash;
    let truncated = ch
        .encoding_for_binder_signing()
        .ok_or(PeerMisbehaved::PskNotLastExtension)?;
    let binder_hash = match &hello.retried {
        Some((t, _)) => t.hash_with(hash, &truncated)?,
        None => HandshakeHash::new().hash_with(hash, &truncated)?,
    };
    accepted.early(hash).verify_binder(&binder_hash, binder)
}

/// Paused on `Event::PskIdentity`: the caller knows the key of identity `index`, or not.
struct AwaitingPsk {
    hello: Hello13,
    index: usize,
}

impl State for AwaitingPsk {
    fn handle(self: Box<Self>, _cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        // RFC 8446 s4: nothing may follow the ClientHello before our answer.
        Err(m.unexpected())
    }

    fn psk_found(
        self: Box<Self>,
        cx: &mut Context<'_>,
        key: Option<Zeroizing<Vec<u8>>>,
    ) -> Result<Box<dyn State>, Error> {
        let AwaitingPsk { hello, index } = *self;
        // A key for a hash other than the suite's cannot be used here (OpenSSL then goes
        // on without it too).
        let usable = hello.config.external_psk_hash == Some(hello.suite.hash);
        let Some(key) = key.filter(|_| usable) else {
            return choose_psk(cx, hello, index + 1);
        };
        let ch = client_hello(&hello.m)?;
        let offer = ch.psk_offer().ok_or(Error::ApiMisuse("no PSK offer"))?;
        let (Some(identity), Some(binder)) =
            (offer.identities.get(index), offer.binders.get(index))
        else {
            return Err(Error::ApiMisuse("no PSK identity at this index"));
        };
        let accepted = AcceptedPsk {
            index: u16::try_from(index).map_err(|_| PeerMisbehaved::TooManyPskIdentities)?,
            key: PskKey::External {
                identity: identity.identity.clone(),
                key,
            },
        };
        check_binder(&hello, &accepted, &binder.0)?;
        finish_hello(cx, hello, Some(accepted))
    }
}

/// The PSK decision is made: sends our flight (ServerHello to Finished).
fn finish_hello(
    cx: &mut Context<'_>,
    hello: Hello13,
    psk: Option<AcceptedPsk>,
) -> Result<Box<dyn State>, Error> {
    let Hello13 {
        config,
        m,
        suite,
        share,
        alpn,
        sni,
        retried: mut transcript,
    } = hello;
    let ch = client_hello(&m)?;
    let (certified, scheme) = match &psk {
        Some(_) => (None, None),
        None => {
            let offered = ch
                .signature_algorithms()
                .ok_or(InvalidMessage::MissingExtension(
                    ExtensionType::SignatureAlgorithms,
                ))?;
            cx.common.negotiated.peer_signature_schemes =
                crate::crypto::sign::allowed_schemes(&config.signature_schemes, offered);
            let (c, s) = choose_certificate(&config, offered)?;
            (Some(c), Some(s))
        }
    };

    let (mut transcript, sent_ccs) = match transcript.take() {
        Some((mut t, sent_ccs)) => {
            t.add_message(&m.encoded);
            (t, sent_ccs)
        }
        None => {
            let mut t = HandshakeHash::new();
            t.add_message(&m.encoded);
            t.start_hash(suite.hash)?;
            (t, false)
        }
    };
    // RFC 8446 s4.2.10: 0-RTT only on the first PSK of a first ClientHello, when every
    // check passes; its key comes from the PSK's early secret and the ClientHello alone.
    // External PSKs carry no ticket allowing early data: no 0-RTT with them.
    let early_ticket = psk.as_ref().and_then(|p| match &p.key {
        PskKey::Ticket(state) => Some(super::early_data::EarlyTicket {
            index: p.index,
            state,
        }),
        PskKey::External { .. } => None,
    });
    let early_secret = match super::early_data::accept(
        &config,
        ch,
        early_ticket,
        suite.suite,
        alpn.as_deref(),
        cx.now,
    ) {
        true => match &psk {
            Some(p) => Some(
                p.early(suite.hash)
                    .client_early_traffic_secret(&transcript.current_hash()?),
            ),
            None => None,
        },
        false => None,
    };

    tls13::set_negotiated_tls13(cx);
    let n = &mut cx.common.negotiated;
    n.cipher_suite = Some(suite.suite);
    n.group = Some(share.group);
    n.alpn = alpn.clone();
    n.server_name = sni.clone();
    n.client_random = ch.random.0;
    n.resumed = false;
    // The binder proved the client holds the session: it is who the session's handshake
    // authenticated (or did not), and it sends no certificate now. With an external PSK,
    // it holds the key the caller gave for the identity: that is its authentication.
    match psk.as_ref().map(|p| &p.key) {
        Some(PskKey::Ticket(state)) => {
            n.resumed = true;
            state.binding.peer.clone().restore(n);
        }
        Some(PskKey::External { identity, .. }) => PeerAuth::external_psk(identity).restore(n),
        None => {}
    }

    // Before our first record: max_fragment_length binds the ServerHello already.
    let size_limit_answer = super::hs::answer_record_limits(cx.common, &config, ch, true)?;

    // ServerHello.
    let mut random = [0u8; 32];
    config.random.fill(&mut random)?;
    let (our_share, shared) =
        KeyExchange::accept(share.group, &share.key_exchange, config.random.as_ref())?;
    let mut exts = vec![
        ServerExtension::SupportedVersions(ProtocolVersion::TLSv1_3),
        ServerExtension::KeyShare(KeyShareEntry {
            group: share.group,
            key_exchange: our_share,
        }),
    ];
    if let Some(p) = &psk {
        exts.push(ServerExtension::PreSharedKey(p.index));
    }
    #[cfg(feature = "test-hooks")]
    if let Some(hook) = &config.extensions_hook {
        (hook.0)(super::HookPoint::ServerHello, &mut exts);
    }
    let sh = ServerHelloPayload {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: Random(random),
        session_id: ch.session_id,
        cipher_suite: suite.suite,
        compression_method: Compression::Null,
        extensions: Some(exts),
    };
    let encoded = cx.common.send_handshake(&HandshakeMessagePayload::new(
        HandshakePayload::ServerHello(sh),
    ))?;
    transcript.add_message(&encoded);
    // RFC 8446 D.4: a client in compatibility mode (non-empty session id) gets a CCS right
    // after our first handshake message.
    if !ch.session_id.is_empty() && !sent_ccs {
        cx.common.send_compat_ccs()?;
    }
    cx.common.accept_ccs = true;

    let early = match &psk {
        Some(p) => p.early(suite.hash),
        None => KeyScheduleEarly::new(suite.hash),
    };
    let mut schedule = early.into_handshake(Some(&shared.0), &transcript.current_hash()?);
    for (label, secret) in schedule.keylog_entries() {
        cx.common.log_secret(label, secret);
    }
    let (client_keys, server_keys) = schedule.handshake_keys(suite.ring_aead());
    tls13::install_write_keys(cx, suite, &server_keys)?;
    // Early data we accept is read under the early key until the client's EndOfEarlyData;
    // early data we declined is skipped (s4.2.10).
    match &early_secret {
        Some(secret) => {
            cx.common.log_secret(
                KeyLogLabel::ClientEarlyTrafficSecret,
                secret.expose_for_keylog(),
            );
            tls13::set_read_key(cx, suite, secret)?;
            cx.common.start_early_data(config.max_early_data_size);
        }
        None => tls13::install_read_keys(cx, suite, &client_keys)?,
    }
    cx.common.early_data = match ch.early_data_requested() && early_secret.is_none() {
        true => EarlyDataSkip::UntilDecrypts,
        false => EarlyDataSkip::None,
    };
    let ticket_max = psk.as_ref().and_then(|p| match &p.key {
        PskKey::Ticket(state) => Some(state.max_early_data),
        PskKey::External { .. } => None,
    });
    cx.common.limits.max_skipped_early_data = super::early_data::skip_limit(&config, ticket_max);

    // EncryptedExtensions.
    let mut ee = Vec::new();
    if sni.is_some() {
        ee.push(ServerExtension::ServerNameAck);
    }
    if let Some(p) = &alpn {
        ee.push(ServerExtension::Alpn(
            crate::msgs::extensions::ProtocolName(p.clone()),
        ));
    }
    // RFC 8449 s4: TLS 1.3 answers record_size_limit here, never in the ServerHello.
    ee.extend(size_limit_answer);
    if early_secret.is_some() {
        ee.push(ServerExtension::EarlyData);
    }
    #[cfg(feature = "test-hooks")]
    if let Some(hook) = &config.extensions_hook {
        (hook.0)(super::HookPoint::EncryptedExtensions, &mut ee);
    }
    let ee = HandshakePayload::EncryptedExtensions(EncryptedExtensions { extensions: ee });
    transcript.add_message(
        &cx.common
            .send_handshake(&HandshakeMessagePayload::new(ee))?,
    );

    let client_auth = psk.is_none() && config.client_verifier.is_some();
    if let (Some(certified), Some(scheme)) = (certified, scheme) {
        if let Some(verifier) = &config.client_verifier {
            let mut exts = vec![CertReqExtension::SignatureAlgorithms(
                verifier.supported_schemes(),
            )];
            let hints = verifier.root_hint_subjects();
            if !hints.is_empty() {
                exts.push(CertReqExtension::AuthorityNames(
                    hints.into_iter().map(DistinguishedName).collect(),
                ));
            }
            let req = HandshakePayload::CertificateRequestTls13(CertificateRequestPayloadTls13 {
                context: PayloadU8::empty(),
                extensions: exts,
            });
            transcript.add_message(
                &cx.common
                    .send_handshake(&HandshakeMessagePayload::new(req))?,
            );
        }
        let staple = ch.status_request().is_some();
        send_certificate(cx, &mut transcript, &certified, staple)?;
        let message =
            tls13::certificate_verify_message(Side::Server, transcript.current_hash()?.as_ref());
        let signature = certified.key.sign(scheme, &message)?;
        let cv = HandshakePayload::CertificateVerify(DigitallySignedStruct::new(scheme, signature));
        transcript.add_message(
            &cx.common
                .send_handshake(&HandshakeMessagePayload::new(cv))?,
        );
        if staple {
            cx.common.negotiated.ocsp_response = certified.ocsp_response.clone();
        }
    }

    let verify_data = schedule.server_finished_verify_data(&transcript.current_hash()?);
    cx.common.negotiated.finished_sent = verify_data.to_vec();
    let fin = HandshakePayload::Finished(FinishedPayload {
        verify_data: Payload::new(verify_data),
    });
    transcript.add_message(
        &cx.common
            .send_handshake(&HandshakeMessagePayload::new(fin))?,
    );
    let pending = schedule.into_traffic_pending(&transcript.current_hash()?);
    for (label, secret) in pending.keylog_entries() {
        cx.common.log_secret(label, secret);
    }
    tls13::set_write_key(cx, suite, pending.server_application_traffic_secret())?;

    let finished = ExpectFinished {
        config,
        suite,
        transcript,
        pending,
    };
    match (client_auth, early_secret) {
        // A PSK handshake: no client certificate (s4.3.2).
        (_, Some(_)) => Ok(Box::new(super::early_data::ExpectEndOfEarlyData {
            finished,
            suite,
            client_keys,
        })),
        (true, None) => Ok(Box::new(ExpectCertificate { finished })),
        (false, None) => Ok(Box::new(finished)),
    }
}

/// The first certificate whose key can sign with a scheme the client accepts.
fn choose_certificate(
    config: &ServerConfig,
    offered: &[SignatureScheme],
) -> Result<(CertifiedKey, SignatureScheme), Error> {
    let offered = crate::crypto::sign::allowed_schemes(&config.signature_schemes, offered);
    config
        .certificates
        .iter()
        .find_map(|c| c.key.choose_scheme(&offered, true).map(|s| (c.clone(), s)))
        .ok_or_else(|| PeerIncompatible::NoSignatureSchemesInCommon.into())
}

fn send_certificate(
    cx: &mut Context<'_>,
    transcript: &mut HandshakeHash,
    certified: &CertifiedKey,
    staple: bool,
) -> Result<(), Error> {
    let mut entries: Vec<CertificateEntry> = certified
        .chain
        .iter()
        .map(|der| CertificateEntry::new(CertificateDer(der.clone())))
        .collect();
    // RFC 8446 s4.4.2.1: the OCSP response travels in the leaf's entry.
    if let (true, Some(ocsp), Some(leaf)) = (staple, &certified.ocsp_response, entries.first_mut())
    {
        leaf.extensions
            .push(CertificateExtension::CertificateStatus(
                CertificateStatus::new(ocsp.clone()),
            ));
    }
    cx.common.negotiated.local_certificates = certified.chain.clone();
    let cert = HandshakePayload::CertificateTls13(CertificatePayloadTls13 {
        context: PayloadU8::empty(),
        entries,
    });
    transcript.add_message(
        &cx.common
            .send_handshake(&HandshakeMessagePayload::new(cert))?,
    );
    Ok(())
}

/// Sends a HelloRetryRequest asking for `group` (RFC 8446 s4.1.4) and waits for the second
/// ClientHello.
fn send_retry(
    cx: &mut Context<'_>,
    config: Arc<ServerConfig>,
    m: Message,
    suite: &'static Tls13CipherSuite,
    group: NamedGroup,
) -> Result<Box<dyn State>, Error> {
    let ch = client_hello(&m)?;
    let mut cookie = vec![0u8; 16];
    config.random.fill(&mut cookie)?;
    let hrr = HelloRetryRequest {
        legacy_version: ProtocolVersion::TLSv1_2,
        session_id: ch.session_id,
        cipher_suite: suite.suite,
        extensions: vec![
            HelloRetryExtension::KeyShare(group),
            HelloRetryExtension::SupportedVersions(ProtocolVersion::TLSv1_3),
            HelloRetryExtension::Cookie(Cookie(cookie.clone())),
        ],
    };
    let mut transcript = HandshakeHash::new();
    transcript.add_message(&m.encoded);
    transcript.start_hash(suite.hash)?;
    transcript.rollup_for_hrr()?;
    let encoded = cx.common.send_handshake(&HandshakeMessagePayload::new(
        HandshakePayload::HelloRetryRequest(hrr),
    ))?;
    transcript.add_message(&encoded);
    let sent_ccs = !ch.session_id.is_empty();
    if sent_ccs {
        cx.common.send_compat_ccs()?;
    }
    // Early data sent with the first ClientHello is skipped up to the second (s4.2.10).
    if ch.early_data_requested() {
        cx.common.early_data = EarlyDataSkip::UntilSecondHello;
        cx.common.limits.max_skipped_early_data = super::early_data::skip_limit(&config, None);
    }
    cx.common.accept_ccs = true;
    tls13::set_negotiated_tls13(cx);
    let retry = Retry {
        transcript,
        suite,
        group,
        cookie,
        first: ch.clone(),
        sent_ccs,
    };
    Ok(Box::new(ExpectSecondClientHello { config, retry }))
}

/// RFC 8446 s9.2 and s4.2.8-4.2.9: the extensions a TLS 1.3 ClientHello must carry
/// together, and the shape of its key shares.
fn check_tls13_extensions(ch: &ClientHelloPayload) -> Result<(), Error> {
    let missing = |t| Err(InvalidMessage::MissingExtension(t).into());
    let groups = ch.named_groups();
    let shares = ch.key_shares();
    match (groups, shares) {
        (Some(_), None) => return missing(ExtensionType::KeyShare),
        (None, Some(_)) => return missing(ExtensionType::SupportedGroups),
        _ => {}
    }
    if ch.psk_offer().is_some() {
        // s4.2.9: a PSK offer needs psk_key_exchange_modes.
        if ch.psk_modes().is_none() {
            return missing(ExtensionType::PSKKeyExchangeModes);
        }
    } else {
        // s9.2: without a PSK, signature_algorithms and supported_groups.
        if ch.signature_algorithms().is_none() {
            return missing(ExtensionType::SignatureAlgorithms);
        }
        if groups.is_none() {
            return missing(ExtensionType::SupportedGroups);
        }
    }
    // s4.2.8: one share per group, each of a group supported_groups lists.
    if let (Some(groups), Some(shares)) = (groups, shares) {
        for (i, share) in shares.iter().enumerate() {
            let repeated = shares[..i].iter().any(|s| s.group == share.group);
            if repeated || !groups.contains(&share.group) {
                return Err(PeerMisbehaved::InvalidKeyShare.into());
            }
        }
    }
    Ok(())
}

/// RFC 8446 s4.1.2: the second ClientHello repeats the first "without modification" except
/// that key_share holds one share of the group we asked for, the cookie is added, early_data
/// is removed, pre_shared_key may be updated (fresh ages and binders, identities only
/// dropped) and padding may change. Every other field and extension must be the same.
pub(super) fn check_second_hello(ch: &ClientHelloPayload, r: &Retry) -> Result<(), Error> {
    let changed = |what| Err(PeerMisbehaved::SecondClientHelloChanged(what).into());
    let first = &r.first;
    if ch.legacy_version != first.legacy_version {
        return changed("legacy_version");
    }
    if ch.random != first.random {
        return changed("random");
    }
    if ch.session_id != first.session_id {
        return changed("legacy_session_id");
    }
    if ch.cipher_suites != first.cipher_suites {
        return changed("cipher_suites");
    }
    if ch.compression_methods != first.compression_methods {
        return changed("legacy_compression_methods");
    }
    use crate::msgs::extensions::{ClientExtension as E, TlsExtension};
    let frozen = |e: &&E| {
        !matches!(
            e,
            E::KeyShare(_) | E::EarlyData | E::Cookie(_) | E::PreSharedKey(_) | E::Padding(_)
        )
    };
    let mut now = ch.extensions().iter().filter(frozen);
    let mut before = first.extensions().iter().filter(frozen);
    loop {
        match (now.next(), before.next()) {
            (None, None) => break,
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) if a.ext_type() == b.ext_type() => {
                return changed(extension_name(a.ext_type()))
            }
            _ => return changed("the list of extensions"),
        }
    }
    if ch.early_data_requested() {
        return Err(PeerMisbehaved::EarlyDataAfterHelloRetryRequest.into());
    }
    if ch.cookie().map(|c| c.0.as_slice()) != Some(r.cookie.as_slice()) {
        return Err(PeerMisbehaved::SecondClientHelloWithoutCookie.into());
    }
    match ch.key_shares() {
        Some([share]) if share.group == r.group => {}
        _ => return Err(PeerMisbehaved::SecondClientHelloWrongKeyShare.into()),
    }
    if let Some(offer) = ch.psk_offer() {
        let before = first.psk_offer().map_or(&[][..], |o| &o.identities[..]);
        let known = |id: &crate::msgs::extensions::PskIdentity| {
            before.iter().any(|b| b.identity == id.identity)
        };
        if !offer.identities.iter().all(known) {
            return changed("pre_shared_key identities");
        }
    }
    Ok(())
}

/// A name for the extension a second ClientHello changed.
fn extension_name(t: ExtensionType) -> &'static str {
    match t {
        ExtensionType::ServerName => "server_name",
        ExtensionType::ALProtocolNegotiation => "application_layer_protocol_negotiation",
        ExtensionType::SignatureAlgorithms => "signature_algorithms",
        ExtensionType::SupportedVersions => "supported_versions",
        ExtensionType::SupportedGroups => "supported_groups",
        ExtensionType::PSKKeyExchangeModes => "psk_key_exchange_modes",
        ExtensionType::StatusRequest => "status_request",
        _ => "an extension",
    }
}

/// After a HelloRetryRequest: waiting for the second ClientHello.
struct ExpectSecondClientHello {
    config: Arc<ServerConfig>,
    retry: Retry,
}

impl State for ExpectSecondClientHello {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        client_hello(&m)?;
        process_client_hello(cx, self.config, m, Some(self.retry))
    }
}

/// Waiting for the client's Finished (and, before it, what `ExpectCertificate` checked).
pub(crate) struct ExpectFinished {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) suite: &'static Tls13CipherSuite,
    pub(crate) transcript: HandshakeHash,
    pub(crate) pending: KeyScheduleTrafficPending,
}

impl State for ExpectFinished {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::Finished(fin) = m.handshake_payload()? else {
            return Err(m.unexpected());
        };
        if fin.verify_data.0.len() != self.suite.hash.output_len() {
            return Err(PeerMisbehaved::WrongFinishedLength.into());
        }
        self.pending
            .verify_client_finished(&self.transcript.current_hash()?, &fin.verify_data.0)?;
        cx.common.negotiated.finished_received = fin.verify_data.0.clone();
        self.transcript.add_message(&m.encoded);
        let ExpectFinished {
            config,
            suite,
            transcript,
            pending,
        } = *self;
        let schedule = pending.into_traffic(&transcript.current_hash()?);
        tls13::set_read_key(cx, suite, schedule.client_application_traffic_secret())?;
        cx.common.start_traffic()?;
        send_tickets(cx, &config, suite, &schedule)?;
        Ok(Box::new(Traffic {
            side: Side::Server,
            suite,
            schedule,
            tickets: NoTickets,
        }))
    }
}

/// Issues `config.send_tickets` NewSessionTickets (RFC 8446 s4.6.1).
fn send_tickets(
    cx: &mut Context<'_>,
    config: &ServerConfig,
    suite: &'static Tls13CipherSuite,
    schedule: &KeyScheduleTraffic,
) -> Result<(), Error> {
    let Some(ticketer) = &config.ticketer else {
        return Ok(());
    };
    // At most seven days (s4.6.1).
    let lifetime = config.ticket_lifetime.as_secs().min(604_800) as u32;
    let mut binding = config.bind_session(&cx.common.negotiated, cx.now, lifetime);
    // A client chain too long for a ticket: no ticket, rather than one that would resume
    // without saying who the client was.
    match binding.peer.for_ticket() {
        Some(peer) => binding.peer = peer,
        None => return Ok(()),
    }
    for i in 0..config.send_tickets {
        let nonce = (i as u64).to_be_bytes().to_vec();
        let mut age_add = [0u8; 4];
        config.random.fill(&mut age_add)?;
        let state = TicketState {
            suite: suite.suite,
            psk: schedule.resumption_psk(&nonce)?,
            age_add: u32::from_be_bytes(age_add),
            alpn: cx.common.negotiated.alpn.clone().unwrap_or_default(),
            binding: binding.clone(),
            max_early_data: config.ticket_early_data().unwrap_or(0),
        };
        let ticket = ticketer.seal(&secret_encoding(&state), config.random.as_ref(), cx.now)?;
        let nst = HandshakePayload::NewSessionTicketTls13(NewSessionTicketPayloadTls13 {
            lifetime,
            age_add: state.age_add,
            nonce: PayloadU8::new(nonce),
            ticket: PayloadU16::new(ticket),
            extensions: config
                .ticket_early_data()
                .map(NewSessionTicketExtension::EarlyData)
                .into_iter()
                .collect(),
        });
        cx.common
            .send_handshake(&HandshakeMessagePayload::new(nst))?;
    }
    Ok(())
}

/// Waiting for the client's Certificate (we sent a CertificateRequest).
pub(crate) struct ExpectCertificate {
    pub(crate) finished: ExpectFinished,
}

impl State for ExpectCertificate {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::CertificateTls13(cert) = m.handshake_payload()? else {
            return Err(m.unexpected());
        };
        // RFC 8446 s4.4.2: the context echoes our CertificateRequest's (empty).
        if !cert.context.0.is_empty() {
            return Err(PeerMisbehaved::WrongCertificateRequestContext.into());
        }
        let verifier = self.finished.config.requested_client_verifier()?;
        self.finished.transcript.add_message(&m.encoded);
        let chain: Vec<Vec<u8>> = cert.certificates().map(|c| c.0.clone()).collect();
        let Some(end_entity) = chain.first() else {
            // s4.4.2.4: an empty Certificate; refuse it if a certificate is required.
            if verifier.client_auth_mandatory() {
                return Err(PeerIncompatible::CertificateRequired.into());
            }
            return Ok(Box::new(self.finished));
        };
        let intermediates: Vec<&[u8]> = chain[1..].iter().map(Vec::as_slice).collect();
        let verdict = verifier.verify_client_cert(end_entity, &intermediates, cx.now);
        let reject = self.finished.config.reject_unauthorized;
        cx.common.peer_verdict(verdict, reject)?;
        cx.common.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectCertificateVerify {
            finished: self.finished,
        }))
    }
}

/// Waiting for the client's CertificateVerify.
struct ExpectCertificateVerify {
    finished: ExpectFinished,
}

impl State for ExpectCertificateVerify {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let verifier = self.finished.config.requested_client_verifier()?;
        tls13::check_certificate_verify(
            cx,
            &m,
            &mut self.finished.transcript,
            Side::Client,
            &verifier.supported_schemes(),
            |content, cert, scheme, sig| {
                verifier.verify_tls13_signature(content, cert, scheme, sig)
            },
        )?;
        Ok(Box::new(self.finished))
    }
}
