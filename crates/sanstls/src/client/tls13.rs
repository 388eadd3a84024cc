//! TLS 1.3 client states after the ServerHello (RFC 8446 s4.3-4.4, 4.6.1), one struct per
//! step: EncryptedExtensions, then CertificateRequest / Certificate / CertificateVerify
//! (skipped when a PSK was accepted), then the server Finished, after which we send our own
//! flight and enter the traffic state.

use super::hs::{ClientHandshake, PskSource};
use crate::codec::{Payload, PayloadU8};
use crate::conn::{Context, Event, Message, Side, State};
use crate::enums::ExtensionType;
use crate::error::{Error, PeerMisbehaved};
use crate::handshake::key_schedule::{KeyScheduleHandshake, KeyScheduleTraffic};
use crate::msgs::certificate::{CertificateDer, CertificateEntry, CertificatePayloadTls13};
use crate::msgs::extensions::{ServerExtension, TlsExtension};
use crate::msgs::handshake::{DigitallySignedStruct, FinishedPayload};
use crate::msgs::hello::EncryptedExtensions;
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::prelude::*;
use crate::record::size_limit::RecordLimits;
use crate::session::PeerAuth;
use crate::suites::Tls13CipherSuite;
use crate::tls13::{self, TicketSink, Traffic};

/// Waiting for EncryptedExtensions.
pub(crate) struct ExpectEncryptedExtensions {
    pub(crate) hs: ClientHandshake,
    pub(crate) suite: &'static Tls13CipherSuite,
    pub(crate) schedule: KeyScheduleHandshake,
    /// The PSK the server accepted (a resumption session or an external PSK), if any.
    pub(crate) psk: Option<PskSource>,
}

impl ExpectEncryptedExtensions {
    fn check(&self, cx: &mut Context<'_>, ee: &EncryptedExtensions) -> Result<(), Error> {
        // RFC 8446 s4.2: only answers to what we offered, and of those only the ones
        // EncryptedExtensions may carry.
        self.hs.check_answered(
            ee.extensions.iter().map(|e| e.ext_type()),
            &[
                ExtensionType::ServerName,
                ExtensionType::MaxFragmentLength,
                ExtensionType::SupportedGroups,
                ExtensionType::ALProtocolNegotiation,
                ExtensionType::RecordSizeLimit,
                ExtensionType::EarlyData,
            ],
        )?;
        // RFC 8449 s4: the server's limit arrives here, after our handshake write key is in
        // place, so it applies at once; ours binds the server only if it answered.
        let limits = match (ee.record_size_limit(), self.hs.record_size_limit) {
            (Some(theirs), Some(ours)) => RecordLimits::record_size_limit(theirs, ours, true),
            _ => RecordLimits::default(),
        };
        cx.common.set_record_limits(limits, true);
        for e in &ee.extensions {
            if let ServerExtension::Alpn(p) = e {
                // RFC 7301 s3.2: the server selects one of the protocols we offered.
                if !self.hs.config.alpn_protocols.contains(&p.0) {
                    return Err(PeerMisbehaved::SelectedUnofferedParameter("ALPN protocol").into());
                }
                cx.common.negotiated.alpn = Some(p.0.clone());
            }
        }
        Ok(())
    }
}

impl State for ExpectEncryptedExtensions {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::EncryptedExtensions(ee) = m.handshake_payload()? else {
            return Err(m.unexpected());
        };
        self.check(cx, ee)?;
        let resumed = match &self.psk {
            Some(super::hs::PskSource::Resumption(session)) => Some(session),
            _ => None,
        };
        super::early_data::answer(cx, ee.early_data_accepted(), resumed)?;
        self.hs.transcript.add_message(&m.encoded);
        let me = *self;
        match me.psk.is_some() {
            // RFC 8446 s2.2: a PSK handshake authenticates with the PSK, not a certificate.
            true => Ok(Box::new(ExpectFinished {
                state: me,
                cert_request: None,
            })),
            false => Ok(Box::new(ExpectCertificateOrRequest { state: me })),
        }
    }
}

/// The context and schemes of a CertificateRequest we must answer.
struct CertRequest {
    context: Vec<u8>,
    schemes: Vec<crate::enums::SignatureScheme>,
}

/// Waiting for CertificateRequest or Certificate.
struct ExpectCertificateOrRequest {
    state: ExpectEncryptedExtensions,
}

impl State for ExpectCertificateOrRequest {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        match m.handshake_payload()? {
            HandshakePayload::CertificateRequestTls13(req) => {
                // RFC 8446 s4.3.2: empty, but in post-handshake authentication.
                if !req.context.0.is_empty() {
                    return Err(PeerMisbehaved::WrongCertificateRequestContext.into());
                }
                self.state.hs.transcript.add_message(&m.encoded);
                let request = CertRequest {
                    context: req.context.0.clone(),
                    schemes: req.signature_algorithms().unwrap_or_default().to_vec(),
                };
                Ok(Box::new(ExpectCertificate {
                    state: self.state,
                    cert_request: Some(request),
                }))
            }
            HandshakePayload::CertificateTls13(_) => Box::new(ExpectCertificate {
                state: self.state,
                cert_request: None,
            })
            .handle(cx, m),
            _ => Err(m.unexpected()),
        }
    }
}

/// Waiting for the server's Certificate.
struct ExpectCertificate {
    state: ExpectEncryptedExtensions,
    cert_request: Option<CertRequest>,
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
        // RFC 8446 s4.4.2: the server's certificate_request_context is empty.
        if !cert.context.0.is_empty() {
            return Err(PeerMisbehaved::ServerCertificateWithContext.into());
        }
        let chain: Vec<Vec<u8>> = cert.certificates().map(|c| c.0.clone()).collect();
        let Some(end_entity) = chain.first() else {
            return Err(PeerMisbehaved::EmptyServerCertificate.into());
        };
        let ocsp = cert
            .entries
            .first()
            .and_then(|e| e.ocsp_response())
            .map(<[u8]>::to_vec);
        if ocsp.is_some() && !self.state.hs.config.request_ocsp {
            return Err(PeerMisbehaved::UnsolicitedExtension(
                crate::enums::ExtensionType::StatusRequest,
            )
            .into());
        }
        let intermediates: Vec<&[u8]> = chain[1..].iter().map(Vec::as_slice).collect();
        let config = &self.state.hs.config;
        let verdict = config.verifier.verify_server_cert(
            end_entity,
            &intermediates,
            &self.state.hs.server_name,
            ocsp.as_deref().unwrap_or(&[]),
            cx.now,
        );
        cx.common
            .peer_verdict(verdict, config.reject_unauthorized)?;
        self.state.hs.transcript.add_message(&m.encoded);
        if let Some(ocsp) = &ocsp {
            cx.common.emit(Event::OcspResponse(ocsp.clone()));
        }
        cx.common.negotiated.ocsp_response = ocsp;
        cx.common.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectCertificateVerify {
            state: self.state,
            cert_request: self.cert_request,
        }))
    }
}

/// Waiting for the server's CertificateVerify.
struct ExpectCertificateVerify {
    state: ExpectEncryptedExtensions,
    cert_request: Option<CertRequest>,
}

impl State for ExpectCertificateVerify {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        let verifier = self.state.hs.config.verifier.clone();
        tls13::check_certificate_verify(
            cx,
            &m,
            &mut self.state.hs.transcript,
            Side::Server,
            &verifier.supported_schemes(),
            |content, cert, scheme, sig| {
                verifier.verify_tls13_signature(content, cert, scheme, sig)
            },
        )?;
        Ok(Box::new(ExpectFinished {
            state: self.state,
            cert_request: self.cert_request,
        }))
    }
}

/// Waiting for the server's Finished; then we send our flight.
struct ExpectFinished {
    state: ExpectEncryptedExtensions,
    cert_request: Option<CertRequest>,
}

impl ExpectFinished {
    /// Sends Certificate (+ CertificateVerify) answering a CertificateRequest.
    fn send_client_certificate(
        hs: &mut ClientHandshake,
        cx: &mut Context<'_>,
        request: &CertRequest,
    ) -> Result<(), Error> {
        // RFC 8446 s4.4.2.4: a client without a suitable certificate sends an empty one.
        let schemes =
            crate::crypto::sign::allowed_schemes(&hs.config.signature_schemes, &request.schemes);
        cx.common.negotiated.peer_signature_schemes = schemes.clone();
        let chosen = hs.config.client_certificate.as_ref().and_then(|c| {
            c.key
                .choose_scheme(&schemes, true)
                .map(|scheme| (c, scheme))
        });
        let entries = match chosen {
            Some((c, _)) => c
                .chain
                .iter()
                .map(|der| CertificateEntry::new(CertificateDer(der.clone())))
                .collect(),
            None => Vec::new(),
        };
        let cert = HandshakeMessagePayload::new(HandshakePayload::CertificateTls13(
            CertificatePayloadTls13 {
                context: PayloadU8::new(request.context.clone()),
                entries,
            },
        ));
        let encoded = cx.common.send_handshake(&cert)?;
        hs.transcript.add_message(&encoded);
        cx.common.negotiated.local_certificates =
            chosen.map(|(c, _)| c.chain.clone()).unwrap_or_default();
        if let Some((c, scheme)) = chosen {
            let hash = hs.transcript.current_hash()?;
            let message = tls13::certificate_verify_message(Side::Client, hash.as_ref());
            let signature = c.key.sign(scheme, &message)?;
            let cv = HandshakeMessagePayload::new(HandshakePayload::CertificateVerify(
                DigitallySignedStruct::new(scheme, signature),
            ));
            let encoded = cx.common.send_handshake(&cv)?;
            hs.transcript.add_message(&encoded);
        }
        Ok(())
    }
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let HandshakePayload::Finished(fin) = m.handshake_payload()? else {
            return Err(m.unexpected());
        };
        let ExpectFinished {
            state,
            cert_request,
        } = *self;
        let ExpectEncryptedExtensions {
            mut hs,
            suite,
            schedule,
            psk,
        } = state;
        if fin.verify_data.0.len() != suite.hash.output_len() {
            return Err(PeerMisbehaved::WrongFinishedLength.into());
        }
        let hash = hs.transcript.current_hash()?;
        schedule.verify_server_finished(&hash, &fin.verify_data.0)?;
        cx.common.negotiated.finished_received = fin.verify_data.0.clone();
        hs.transcript.add_message(&m.encoded);
        let pending = schedule.into_traffic_pending(&hs.transcript.current_hash()?);
        for (label, secret) in pending.keylog_entries() {
            cx.common.log_secret(label, secret);
        }
        // The server may send application data right after its Finished.
        tls13::set_read_key(cx, suite, pending.server_application_traffic_secret())?;
        cx.common.accept_ccs = false;

        // s4.5: EndOfEarlyData, under the early key, when the server accepted early data.
        if let Some(encoded) = cx.common.end_early_data_client()? {
            hs.transcript.add_message(&encoded);
        }
        if let Some(request) = &cert_request {
            Self::send_client_certificate(&mut hs, cx, request)?;
        }
        let verify_data = pending.client_finished_verify_data(&hs.transcript.current_hash()?);
        cx.common.negotiated.finished_sent = verify_data.to_vec();
        let fin = HandshakeMessagePayload::new(HandshakePayload::Finished(FinishedPayload {
            verify_data: Payload::new(verify_data),
        }));
        let encoded = cx.common.send_handshake(&fin)?;
        hs.transcript.add_message(&encoded);
        let schedule = pending.into_traffic(&hs.transcript.current_hash()?);
        tls13::set_write_key(cx, suite, schedule.client_application_traffic_secret())?;
        // A resumption proves that the server holds the session's secret, so it is the
        // server that the session's handshake authenticated: report that authentication.
        // (ALPN is only what this handshake's EncryptedExtensions said.) An external PSK
        // proves the server holds that key: report its identity, and no certificate.
        match psk {
            Some(PskSource::Resumption(session)) => {
                session.peer_auth().restore(&mut cx.common.negotiated)
            }
            Some(PskSource::External(p)) => {
                PeerAuth::external_psk(p.identity()).restore(&mut cx.common.negotiated)
            }
            None => {}
        }
        cx.common.start_traffic()?;
        Ok(Box::new(Traffic {
            side: Side::Client,
            suite,
            schedule,
            tickets: ClientTickets {
                server_name: hs.server_name,
            },
        }))
    }
}

/// Turns the server's NewSessionTickets into stored sessions (RFC 8446 s4.6.1).
pub(crate) struct ClientTickets {
    server_name: String,
}

impl TicketSink for ClientTickets {
    fn new_ticket(
        &mut self,
        cx: &mut Context<'_>,
        schedule: &KeyScheduleTraffic,
        suite: &'static Tls13CipherSuite,
        m: &HandshakePayload,
    ) -> Result<(), Error> {
        let HandshakePayload::NewSessionTicketTls13(nst) = m else {
            return Err(PeerMisbehaved::UnexpectedMessage(
                crate::enums::ContentType::Handshake,
                crate::enums::HandshakeType::NewSessionTicket,
            )
            .into());
        };
        // RFC 8446 s4.6.1: lifetimes over seven days are illegal.
        if nst.lifetime > 604_800 {
            return Err(PeerMisbehaved::TicketLifetimeTooLong.into());
        }
        let psk = schedule.resumption_psk(&nst.nonce.0)?;
        let session = super::StoredSession {
            cipher_suite: suite.suite,
            ticket: nst.ticket.0.clone(),
            psk,
            received_at: cx.now,
            lifetime_secs: nst.lifetime,
            age_add: nst.age_add,
            server_name: self.server_name.clone(),
            alpn: cx.common.negotiated.alpn.clone(),
            max_early_data: nst.max_early_data_size(),
            session_id: Vec::new(),
            extended_master_secret: false,
            peer_certificates: cx.common.negotiated.peer_certificates.clone(),
            authorization_error: cx.common.negotiated.authorization_error.clone(),
            psk_identity: cx.common.negotiated.psk_identity.clone(),
        };
        // A zero lifetime means "do not cache" (s4.6.1).
        if nst.lifetime > 0 {
            cx.common.emit(Event::NewSessionTicket(session));
        }
        Ok(())
    }
}
