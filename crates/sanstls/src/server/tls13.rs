//! TLS 1.3 server states after our first flight (RFC 8446 s4.4): the client's Certificate
//! and CertificateVerify when we asked for them, then its Finished, after which we issue
//! tickets and enter the traffic state.

use std::sync::Arc;

use super::ticket::TicketState;
use super::ServerConfig;
use crate::codec::{PayloadU16, PayloadU8};
use crate::conn::{Context, Message, Side, State};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::handshake::key_schedule::{KeyScheduleTraffic, KeyScheduleTrafficPending};
use crate::handshake::transcript::HandshakeHash;
use crate::msgs::handshake::NewSessionTicketPayloadTls13;
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::session::secret_encoding;
use crate::suites::Tls13CipherSuite;
use crate::tls13::{self, NoTickets, Traffic};

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
        };
        let ticket = ticketer.seal(&secret_encoding(&state), config.random.as_ref(), cx.now)?;
        let nst = HandshakePayload::NewSessionTicketTls13(NewSessionTicketPayloadTls13 {
            lifetime,
            age_add: state.age_add,
            nonce: PayloadU8::new(nonce),
            ticket: PayloadU16::new(ticket),
            extensions: Vec::new(),
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
