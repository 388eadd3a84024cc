//! TLS 1.2 client states after the ServerHello (RFC 5246 s7.3), one struct per step:
//! Certificate, [CertificateStatus], ServerKeyExchange, [CertificateRequest],
//! ServerHelloDone; then our flight ([Certificate], ClientKeyExchange, [CertificateVerify],
//! ChangeCipherSpec, Finished), the server's ChangeCipherSpec and Finished.

use super::hs::ClientHandshake;
use super::StoredSession;
use crate::codec::{Payload, PayloadU16, PayloadU8};
use crate::conn::{Context, Event, Message, Side, State};
use crate::crypto::ffdhe::{DhGroup, DhKeyExchange};
use crate::crypto::kx::{self, KeyExchange};
use crate::enums::{ContentType, SignatureScheme};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::handshake::prf::{Tls12MasterSecret, MASTER_SECRET_LEN};
use crate::msgs::base::Random;
use crate::msgs::certificate::{CertificateDer, CertificatePayload};
use crate::msgs::handshake::{DigitallySignedStruct, FinishedPayload};
use crate::msgs::kx::KeyExchangeAlgorithm;
use crate::msgs::kx::{
    ClientKeyExchangePayload, PskServerKeyExchange, ServerKeyExchangeParams,
    ServerKeyExchangePayload,
};
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::prelude::*;
use crate::session::PeerAuth;
use crate::suites::Tls12CipherSuite;
use crate::tls12::{self, Keys12, Traffic12};

/// What the TLS 1.2 client states carry.
pub(crate) struct Client12 {
    pub(crate) hs: ClientHandshake,
    pub(crate) suite: &'static Tls12CipherSuite,
    pub(crate) server_random: [u8; 32],
    /// The server acknowledged extended_master_secret (RFC 7627).
    pub(crate) ems: bool,
    /// The session id the server gave (empty: it will not cache the session).
    pub(crate) server_session_id: Vec<u8>,
    /// An RFC 5077 ticket the server sent (with its lifetime hint).
    pub(crate) new_ticket: Option<(Vec<u8>, u32)>,
    /// Whether this handshake already carried a NewSessionTicket.
    pub(crate) ticket_seen: bool,
    /// The ServerHello acknowledged session_ticket: only then may a NewSessionTicket come
    /// (RFC 5077 s3.2).
    pub(crate) ticket_expected: bool,
}

impl Client12 {
    /// The session to keep for resumption, if the server offered a way back (an id or a
    /// ticket).
    fn stored_session(
        &self,
        cx: &Context<'_>,
        master: &Tls12MasterSecret,
    ) -> Option<StoredSession> {
        let (ticket, hint) = self.new_ticket.clone().unwrap_or_default();
        if self.server_session_id.is_empty() && ticket.is_empty() {
            return None;
        }
        Some(StoredSession {
            cipher_suite: self.suite.suite,
            ticket,
            psk: zeroize::Zeroizing::new(master.keylog_entry().1.to_vec()),
            received_at: cx.now,
            // RFC 5077 s3.3: a zero hint means "unspecified"; Node's default session
            // timeout is 300 s.
            lifetime_secs: if hint == 0 { 300 } else { hint },
            age_add: 0,
            server_name: self.hs.server_name.clone(),
            alpn: cx.common.negotiated.alpn.clone(),
            max_early_data: None,
            session_id: self.server_session_id.clone(),
            extended_master_secret: self.ems,
            peer_certificates: cx.common.negotiated.peer_certificates.clone(),
            authorization_error: cx.common.negotiated.authorization_error.clone(),
            psk_identity: cx.common.negotiated.psk_identity.clone(),
        })
    }

    /// Takes a NewSessionTicket, which comes just before the server's ChangeCipherSpec
    /// (RFC 5077 s3.3), at most once; returns whether `m` was one.
    fn accept_ticket(&mut self, m: &Message) -> Result<bool, Error> {
        let Ok(HandshakePayload::NewSessionTicket(nst)) = m.handshake_payload() else {
            return Ok(false);
        };
        if self.ticket_seen || !self.ticket_expected {
            return Err(m.unexpected());
        }
        self.ticket_seen = true;
        self.new_ticket = Some((nst.ticket.0.clone(), nst.lifetime_hint));
        self.add(m);
        Ok(true)
    }

    fn add(&mut self, m: &Message) {
        self.hs.transcript.add_message(&m.encoded);
    }

    /// The traffic state after the handshake, which keeps what a renegotiation needs.
    fn into_traffic(self, master: Tls12MasterSecret) -> Box<dyn State> {
        Box::new(Traffic12 {
            side: Side::Client,
            master,
            client_random: self.hs.random.0,
            server_random: self.server_random,
            server_config: None,
            client: Some((self.hs.config, self.hs.server_name)),
            hello_requested: false,
        })
    }
}

/// Waiting for the server's Certificate.
pub(crate) struct ExpectCertificate {
    pub(crate) c: Client12,
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
        let chain: Vec<Vec<u8>> = chain.iter().map(|c| c.0.clone()).collect();
        if chain.is_empty() {
            return Err(PeerMisbehaved::EmptyServerCertificate.into());
        }
        // A renegotiation may not change who the server is: its end-entity certificate
        // stays the same (a renewed certificate needs a new connection).
        if let Some(r) = &self.c.hs.reneg {
            if chain[0] != r.peer_end_entity {
                return Err(PeerMisbehaved::CertificateChangedInRenegotiation.into());
            }
        }
        self.c.add(&m);
        cx.common.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectStatusOrKeyExchange { c: self.c }))
    }
}

/// Verifies the server's chain (once we know whether an OCSP response came with it).
fn verify_chain(c: &Client12, cx: &mut Context<'_>, ocsp: &[u8]) -> Result<(), Error> {
    let chain = &cx.common.negotiated.peer_certificates;
    let Some((end_entity, rest)) = chain.split_first() else {
        return Err(Error::ApiMisuse("no server certificate"));
    };
    let intermediates: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
    let verdict = c.hs.config.verifier.verify_server_cert(
        end_entity,
        &intermediates,
        &c.hs.server_name,
        ocsp,
        cx.now,
    );
    cx.common
        .peer_verdict(verdict, c.hs.config.reject_unauthorized)
}

/// Waiting for CertificateStatus (if we asked for OCSP) or ServerKeyExchange.
struct ExpectStatusOrKeyExchange {
    c: Client12,
}

impl State for ExpectStatusOrKeyExchange {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        match m.handshake_payload()? {
            HandshakePayload::CertificateStatus(status) => {
                // RFC 6066 s8: only after the server acknowledged our status_request; we only
                // ever send one when the configuration asks.
                if !self.c.hs.config.request_ocsp {
                    return Err(m.unexpected());
                }
                let response = status.ocsp_response.0.clone();
                verify_chain(&self.c, cx, &response)?;
                self.c.add(&m);
                cx.common.emit(Event::OcspResponse(response.clone()));
                cx.common.negotiated.ocsp_response = Some(response);
                Ok(Box::new(ExpectKeyExchange {
                    c: self.c,
                    verified: true,
                }))
            }
            HandshakePayload::ServerKeyExchange(_) => Box::new(ExpectKeyExchange {
                c: self.c,
                verified: false,
            })
            .handle(cx, m),
            _ => Err(m.unexpected()),
        }
    }
}

/// Waiting for ServerKeyExchange.
struct ExpectKeyExchange {
    c: Client12,
    verified: bool,
}

impl State for ExpectKeyExchange {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::ServerKeyExchange(body) = m.handshake_payload()? else {
            return Err(m.unexpected());
        };
        if !self.verified {
            verify_chain(&self.c, cx, &[])?;
        }
        let ske = ServerKeyExchangePayload::read_bytes_with(&body.0, self.c.suite.kx)?;
        // RFC 5246 s7.4.3: signed over client_random + server_random + params, with a
        // scheme we offered that fits the suite's key type.
        let scheme = ske.signature.scheme;
        let offered = self.c.hs.config.verifier.supported_schemes();
        if !offered.contains(&scheme) || !self.c.suite.usable_with(scheme) {
            return Err(PeerMisbehaved::SelectedUnofferedParameter("signature scheme").into());
        }
        let signed = ske.signed_message(&self.c.hs.random, &Random(self.c.server_random));
        let end_entity = cx.common.peer_end_entity()?;
        self.c.hs.config.verifier.verify_tls12_signature(
            &signed,
            end_entity,
            scheme,
            &ske.signature.signature.0,
        )?;
        let (our_public, premaster) = client_share(&self.c, cx, &ske.params)?;
        self.c.add(&m);
        Ok(Box::new(ExpectRequestOrDone {
            c: self.c,
            our_public,
            premaster,
            request: None,
            psk_identity: None,
        }))
    }
}

/// Our (EC)DHE share for the server's parameters, and the shared secret.
fn client_share(
    c: &Client12,
    cx: &mut Context<'_>,
    params: &ServerKeyExchangeParams,
) -> Result<(Vec<u8>, zeroize::Zeroizing<Vec<u8>>), Error> {
    let config = &c.hs.config;
    Ok(match params {
        ServerKeyExchangeParams::Ecdhe(params) => {
            // A TLS 1.3-only group (the hybrid KEMs) was not offered for TLS 1.2, nor an
            // RFC 7919 group as a curve (it names DHE parameters).
            let group = params.named_group;
            if !config.groups.contains(&group)
                || crate::crypto::kx::tls13_only(group)
                || crate::crypto::kx::is_ffdhe(group)
            {
                return Err(PeerMisbehaved::SelectedUnofferedParameter("named_curve").into());
            }
            let kx = KeyExchange::start(params.named_group, config.random.as_ref())?;
            let ours = kx.public_key().to_vec();
            cx.common.negotiated.group = Some(params.named_group);
            (ours, kx.complete(&params.public.0)?.0)
        }
        ServerKeyExchangeParams::Dhe(params) => {
            // Recorded before the size check, so a refusal can say how large the
            // server's group was (Node's ERR_TLS_DH_PARAM_SIZE names it).
            cx.common.negotiated.dh_bits = Some(crate::crypto::ffdhe::bit_len(&params.p.0));
            let group = DhGroup::from_peer(&params.p.0, &params.g.0, config.min_dh_size)?;
            // RFC 7919 s3: having listed FFDHE groups, we take only parameters we can
            // trust, the RFC 7919 groups (any of them: all are safe primes). We do not
            // test custom parameters for primality, so a client that does not list FFDHE
            // groups (the default, as Node's) keeps taking them within minDHSize.
            let listed_ffdhe = config.groups.iter().any(|g| kx::is_ffdhe(*g));
            if listed_ffdhe && group.named().is_none() {
                return Err(PeerIncompatible::UnknownDhGroup.into());
            }
            let kx = DhKeyExchange::start(&group, config.random.as_ref())?;
            let ours = kx.public_value().to_vec();
            cx.common.negotiated.group = group.named();
            cx.common.negotiated.dh_bits = Some(group.bits());
            (ours, kx.complete(&params.ys.0)?.0)
        }
    })
}

/// A PSK suite (RFC 4279, 5489): waiting for the ServerKeyExchange (its identity hint, and
/// for (EC)DHE_PSK the unsigned parameters) or, for plain PSK without a hint, straight
/// for ServerHelloDone. No Certificate comes: the PSK authenticates the server.
pub(crate) struct ExpectPskKeyExchange {
    pub(crate) c: Client12,
}

impl ExpectPskKeyExchange {
    /// Asks our PSK callback (Node's `pskCallback(hint)`) and builds the premaster secret
    /// (RFC 4279 s2) from the PSK and the (EC)DHE secret, if any.
    fn with_psk(
        c: Client12,
        cx: &mut Context<'_>,
        hint: Option<&[u8]>,
        share: Option<(Vec<u8>, zeroize::Zeroizing<Vec<u8>>)>,
    ) -> Result<ExpectRequestOrDone, Error> {
        let psk =
            c.hs.config
                .psk
                .as_ref()
                .and_then(|cb| (cb.0)(hint))
                .ok_or(PeerIncompatible::NoPskForServer)?;
        let (our_public, shared) = match share {
            Some((ours, shared)) => (ours, Some(shared)),
            None => (Vec::new(), None),
        };
        let premaster =
            crate::msgs::kx::psk_premaster(shared.as_deref().map(|v| &v[..]), psk.key());
        // The server proves it holds the PSK with its Finished, keyed by this premaster.
        PeerAuth::external_psk(psk.identity()).restore(&mut cx.common.negotiated);
        Ok(ExpectRequestOrDone {
            c,
            our_public,
            premaster,
            request: None,
            psk_identity: Some(psk.identity().to_vec()),
        })
    }
}

impl State for ExpectPskKeyExchange {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let kx = self.c.suite.kx;
        match m.handshake_payload()? {
            HandshakePayload::ServerKeyExchange(body) => {
                let ske = PskServerKeyExchange::read_bytes_with(&body.0, kx)?;
                let share = match &ske.params {
                    Some(params) => Some(client_share(&self.c, cx, params)?),
                    None => None,
                };
                self.c.add(&m);
                let hint = Some(ske.hint.0.as_slice()).filter(|h| !h.is_empty());
                Ok(Box::new(Self::with_psk(self.c, cx, hint, share)?))
            }
            // RFC 4279 s2: plain PSK may go without a ServerKeyExchange (no hint); the
            // others need their parameters.
            HandshakePayload::ServerHelloDone(_) if kx == KeyExchangeAlgorithm::Psk => {
                let next = Self::with_psk(self.c, cx, None, None)?;
                Box::new(next).handle(cx, m)
            }
            _ => Err(m.unexpected()),
        }
    }
}

/// Waiting for CertificateRequest or ServerHelloDone.
struct ExpectRequestOrDone {
    c: Client12,
    our_public: Vec<u8>,
    premaster: zeroize::Zeroizing<Vec<u8>>,
    /// The schemes of a CertificateRequest, once seen.
    request: Option<Vec<SignatureScheme>>,
    /// A PSK suite: the identity our ClientKeyExchange names.
    psk_identity: Option<Vec<u8>>,
}

impl ExpectRequestOrDone {
    /// ServerHelloDone: send our flight.
    fn send_flight(mut self, cx: &mut Context<'_>) -> Result<Box<dyn State>, Error> {
        let c = &mut self.c;
        let mut signer = None;
        if let Some(schemes) = &self.request {
            // RFC 5246 s7.4.6: a client without a suitable certificate sends an empty list.
            let schemes =
                crate::crypto::sign::allowed_schemes(&c.hs.config.signature_schemes, schemes);
            cx.common.negotiated.peer_signature_schemes = schemes.clone();
            let chosen = c.hs.config.client_certificate.as_ref().and_then(|cert| {
                cert.key
                    .choose_scheme(&schemes, false)
                    .map(|scheme| (cert.clone(), scheme))
            });
            let chain = match &chosen {
                Some((cert, _)) => cert
                    .chain
                    .iter()
                    .map(|d| CertificateDer(d.clone()))
                    .collect(),
                None => Vec::new(),
            };
            let m = HandshakeMessagePayload::new(HandshakePayload::Certificate(
                CertificatePayload(chain),
            ));
            c.hs.transcript.add_message(&cx.common.send_handshake(&m)?);
            cx.common.negotiated.local_certificates = chosen
                .as_ref()
                .map(|(cert, _)| cert.chain.clone())
                .unwrap_or_default();
            signer = chosen;
        }
        let public = self.our_public.clone();
        let id = || PayloadU16::new(self.psk_identity.clone().unwrap_or_default());
        let cke = match c.suite.kx {
            KeyExchangeAlgorithm::Dhe => ClientKeyExchangePayload::Dhe(PayloadU16::new(public)),
            KeyExchangeAlgorithm::Psk => ClientKeyExchangePayload::Psk(id()),
            KeyExchangeAlgorithm::EcdhePsk => {
                ClientKeyExchangePayload::EcdhePsk(id(), PayloadU8::new(public))
            }
            KeyExchangeAlgorithm::DhePsk => {
                ClientKeyExchangePayload::DhePsk(id(), PayloadU16::new(public))
            }
            _ => ClientKeyExchangePayload::Ecdhe(PayloadU8::new(public)),
        };
        let cke = HandshakePayload::ClientKeyExchange(Payload::new(cke.get_encoding()));
        c.hs.transcript.add_message(
            &cx.common
                .send_handshake(&HandshakeMessagePayload::new(cke))?,
        );
        // RFC 7627 s4: the session hash runs through the ClientKeyExchange.
        let cr = c.hs.random.0;
        let master = match c.ems {
            true => Tls12MasterSecret::new_extended(
                c.suite.hash,
                &self.premaster,
                c.hs.transcript.current_hash()?.as_ref(),
            ),
            false => Tls12MasterSecret::new(c.suite.hash, &self.premaster, &cr, &c.server_random),
        };
        if let Some((cert, scheme)) = signer {
            // RFC 5246 s7.4.8: the signature covers every handshake message so far.
            let messages = c.hs.transcript.full_transcript().ok_or(Error::ApiMisuse(
                "TLS 1.2 client authentication needs the transcript",
            ))?;
            let signature = cert.key.sign(scheme, messages)?;
            let cv =
                HandshakePayload::CertificateVerify(DigitallySignedStruct::new(scheme, signature));
            c.hs.transcript.add_message(
                &cx.common
                    .send_handshake(&HandshakeMessagePayload::new(cv))?,
            );
        }
        let (label, secret) = master.keylog_entry();
        cx.common.log_secret(label, secret);
        let keys = Keys12::derive(c.suite, &master, &cr, &c.server_random);
        cx.common
            .send_records(ContentType::ChangeCipherSpec, &[1])?;
        cx.common.set_sealer(keys.sealer(Side::Client)?)?;
        let verify_data =
            master.client_finished_verify_data(c.hs.transcript.current_hash()?.as_ref());
        let fin = HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(verify_data),
        });
        c.hs.transcript.add_message(
            &cx.common
                .send_handshake(&HandshakeMessagePayload::new(fin))?,
        );
        cx.common.negotiated.finished_sent = verify_data.to_vec();
        Ok(Box::new(ExpectTicketOrCcs {
            c: self.c,
            master,
            keys,
        }))
    }
}

impl State for ExpectRequestOrDone {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        match m.handshake_payload()? {
            // RFC 4279 s2: no CertificateRequest in a PSK handshake.
            HandshakePayload::CertificateRequest(req)
                if self.request.is_none() && self.psk_identity.is_none() =>
            {
                self.request = Some(req.signature_algorithms.clone());
                self.c.add(&m);
                Ok(self)
            }
            HandshakePayload::ServerHelloDone(_) => {
                self.c.add(&m);
                self.send_flight(cx)
            }
            _ => Err(m.unexpected()),
        }
    }
}

/// Waiting for the server's [NewSessionTicket] and ChangeCipherSpec.
struct ExpectTicketOrCcs {
    c: Client12,
    master: Tls12MasterSecret,
    keys: Keys12,
}

impl State for ExpectTicketOrCcs {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        if self.c.accept_ticket(&m)? {
            return Ok(self);
        }
        tls12::expect_ccs(&m)?;
        cx.common.set_opener(self.keys.opener(Side::Server)?)?;
        Ok(Box::new(ExpectFinished {
            c: self.c,
            master: self.master,
        }))
    }
}

/// Waiting for the server's Finished.
struct ExpectFinished {
    c: Client12,
    master: Tls12MasterSecret,
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let received = tls12::finished_data(&m)?;
        let hash = self.c.hs.transcript.current_hash()?;
        self.master
            .verify_server_finished(hash.as_ref(), received)?;
        cx.common.negotiated.finished_received = received.to_vec();
        cx.common.start_traffic()?;
        if let Some(session) = self.c.stored_session(cx, &self.master) {
            cx.common.emit(Event::NewSessionTicket(session));
        }
        Ok(self.c.into_traffic(self.master))
    }
}

/// Continues a resumed (abbreviated) TLS 1.2 handshake after the ServerHello: the server
/// sends [NewSessionTicket], ChangeCipherSpec and Finished first, then we do.
pub(crate) fn resume(
    cx: &mut Context<'_>,
    c: Client12,
    r: super::hs::Tls12SessionOffer,
) -> Result<Box<dyn State>, Error> {
    if c.suite.suite != r.suite.suite {
        return Err(PeerMisbehaved::ResumptionWithAnotherSuite.into());
    }
    // RFC 7627 s5.3: a session made with the extended master secret resumes only with it.
    if c.ems != r.session.extended_master_secret {
        return Err(PeerMisbehaved::ResumptionChangesExtendedMasterSecret.into());
    }
    let secret: [u8; MASTER_SECRET_LEN] = r
        .session
        .psk
        .as_slice()
        .try_into()
        .map_err(|_| Error::ApiMisuse("stored TLS 1.2 session without a master secret"))?;
    let master = Tls12MasterSecret::from_bytes(c.suite.hash, &secret);
    let (label, bytes) = master.keylog_entry();
    cx.common.log_secret(label, bytes);
    cx.common.negotiated.resumed = true;
    let keys = Keys12::derive(c.suite, &master, &c.hs.random.0, &c.server_random);
    let mut c = c;
    // Keep the id and ticket we resumed with unless the server renews them.
    c.new_ticket = Some((r.session.ticket.clone(), r.session.lifetime_secs));
    let auth = r.session.peer_auth();
    Ok(Box::new(ExpectResumedTicketOrCcs {
        c,
        master,
        keys,
        auth,
    }))
}

/// Resumed: waiting for the server's [NewSessionTicket] and ChangeCipherSpec.
struct ExpectResumedTicketOrCcs {
    c: Client12,
    master: Tls12MasterSecret,
    keys: Keys12,
    /// The session's server authentication, reported once the server's Finished proves
    /// it holds the session.
    auth: PeerAuth,
}

impl State for ExpectResumedTicketOrCcs {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        if self.c.accept_ticket(&m)? {
            return Ok(self);
        }
        tls12::expect_ccs(&m)?;
        cx.common.set_opener(self.keys.opener(Side::Server)?)?;
        Ok(Box::new(ExpectResumedFinished {
            c: self.c,
            master: self.master,
            keys: self.keys,
            auth: self.auth,
        }))
    }
}

/// Resumed: waiting for the server's Finished; then our CCS and Finished.
struct ExpectResumedFinished {
    c: Client12,
    master: Tls12MasterSecret,
    keys: Keys12,
    auth: PeerAuth,
}

impl State for ExpectResumedFinished {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let received = tls12::finished_data(&m)?;
        let hash = self.c.hs.transcript.current_hash()?;
        self.master
            .verify_server_finished(hash.as_ref(), received)?;
        cx.common.negotiated.finished_received = received.to_vec();
        core::mem::take(&mut self.auth).restore(&mut cx.common.negotiated);
        self.c.add(&m);
        cx.common
            .send_records(ContentType::ChangeCipherSpec, &[1])?;
        cx.common.set_sealer(self.keys.sealer(Side::Client)?)?;
        let verify_data = self
            .master
            .client_finished_verify_data(self.c.hs.transcript.current_hash()?.as_ref());
        cx.common.negotiated.finished_sent = verify_data.to_vec();
        let fin = HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(verify_data),
        });
        cx.common
            .send_handshake(&HandshakeMessagePayload::new(fin))?;
        cx.common.start_traffic()?;
        if let Some(session) = self.c.stored_session(cx, &self.master) {
            cx.common.emit(Event::NewSessionTicket(session));
        }
        Ok(self.c.into_traffic(self.master))
    }
}
