//! TLS 1.3 pieces both sides share: installing traffic keys, the CertificateVerify
//! content, and the traffic state (KeyUpdate, tickets, exporters) after the handshake.

use crate::conn::{Context, Event, Message, Side, State};
use crate::enums::{KeyUpdateRequest, ProtocolVersion};
use crate::error::{Error, PeerMisbehaved};
use crate::handshake::key_schedule::{KeyScheduleTraffic, TrafficKeys, TrafficSecret};
use crate::msgs::handshake::KeyUpdatePayload;
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::prelude::*;
use crate::record::protect::{RecordOpener, RecordSealer};
use crate::suites::Tls13CipherSuite;

/// The record opener for `secret` under `suite`.
pub(crate) fn opener(
    suite: &Tls13CipherSuite,
    secret: &TrafficSecret,
) -> Result<RecordOpener, Error> {
    opener_for(suite, &secret.keys(suite.ring_aead()))
}

/// The record sealer for `secret` under `suite`.
pub(crate) fn sealer(
    suite: &Tls13CipherSuite,
    secret: &TrafficSecret,
) -> Result<RecordSealer, Error> {
    sealer_for(suite, &secret.keys(suite.ring_aead()))
}

fn opener_for(suite: &Tls13CipherSuite, keys: &TrafficKeys) -> Result<RecordOpener, Error> {
    RecordOpener::tls13(suite.aead, keys.key(), keys.iv())
}

pub(crate) fn sealer_for(
    suite: &Tls13CipherSuite,
    keys: &TrafficKeys,
) -> Result<RecordSealer, Error> {
    RecordSealer::tls13(suite.aead, keys.key(), keys.iv())
}

/// Installs `secret` as the read key.
pub(crate) fn set_read_key(
    cx: &mut Context<'_>,
    suite: &Tls13CipherSuite,
    secret: &TrafficSecret,
) -> Result<(), Error> {
    install_read_keys(cx, suite, &secret.keys(suite.ring_aead()))
}

/// Installs `secret` as the write key.
pub(crate) fn set_write_key(
    cx: &mut Context<'_>,
    suite: &Tls13CipherSuite,
    secret: &TrafficSecret,
) -> Result<(), Error> {
    install_write_keys(cx, suite, &secret.keys(suite.ring_aead()))
}

/// Installs `keys` (a traffic secret's, e.g. from
/// [`KeyScheduleHandshake::handshake_keys`]) as the read key.
///
/// [`KeyScheduleHandshake::handshake_keys`]: crate::handshake::key_schedule::KeyScheduleHandshake::handshake_keys
pub(crate) fn install_read_keys(
    cx: &mut Context<'_>,
    suite: &Tls13CipherSuite,
    keys: &TrafficKeys,
) -> Result<(), Error> {
    cx.common.set_opener(opener_for(suite, keys)?)
}

/// Installs `keys` as the write key.
pub(crate) fn install_write_keys(
    cx: &mut Context<'_>,
    suite: &Tls13CipherSuite,
    keys: &TrafficKeys,
) -> Result<(), Error> {
    cx.common.set_sealer(sealer_for(suite, keys)?)
}

/// The content a CertificateVerify signs (RFC 8446 s4.4.3): 64 spaces, the context string
/// for the signer's side, a zero byte, then the transcript hash through the Certificate.
pub(crate) fn certificate_verify_message(signer: Side, transcript_hash: &[u8]) -> Vec<u8> {
    let context: &[u8] = match signer {
        Side::Server => b"TLS 1.3, server CertificateVerify",
        Side::Client => b"TLS 1.3, client CertificateVerify",
    };
    let mut m = Vec::with_capacity(64 + context.len() + 1 + transcript_hash.len());
    m.extend_from_slice(&[0x20; 64]);
    m.extend_from_slice(context);
    m.push(0);
    m.extend_from_slice(transcript_hash);
    m
}

/// Checks a peer's CertificateVerify (RFC 8446 s4.4.3) against the transcript so far and
/// the peer's end-entity certificate: the scheme must be one we offered, and `verify`
/// (the configured verifier's signature check) must accept the signature over the content
/// for the peer's side. Adds the message to the transcript.
pub(crate) fn check_certificate_verify(
    cx: &Context<'_>,
    m: &Message,
    transcript: &mut crate::handshake::transcript::HandshakeHash,
    signer: Side,
    offered: &[crate::enums::SignatureScheme],
    verify: impl FnOnce(&[u8], &[u8], crate::enums::SignatureScheme, &[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    let HandshakePayload::CertificateVerify(cv) = m.handshake_payload()? else {
        return Err(m.unexpected());
    };
    // RFC 8446 s4.4.3: RSA signatures are RSASSA-PSS in TLS 1.3, whatever was offered for
    // TLS 1.2 in the same list; ECDSA ones name their curve (checked with the key).
    let pkcs1 = matches!(
        cv.scheme,
        crate::enums::SignatureScheme::RSA_PKCS1_SHA1
            | crate::enums::SignatureScheme::RSA_PKCS1_SHA256
            | crate::enums::SignatureScheme::RSA_PKCS1_SHA384
            | crate::enums::SignatureScheme::RSA_PKCS1_SHA512
    );
    if !offered.contains(&cv.scheme) || pkcs1 {
        return Err(PeerMisbehaved::SelectedUnofferedParameter("signature scheme").into());
    }
    let content = certificate_verify_message(signer, transcript.current_hash()?.as_ref());
    let end_entity = cx.common.peer_end_entity()?;
    verify(&content, end_entity, cv.scheme, &cv.signature.0)?;
    transcript.add_message(&m.encoded);
    Ok(())
}

/// What the traffic state does with a post-handshake NewSessionTicket.
pub(crate) trait TicketSink: Send + Sync + 'static {
    /// Handles a ticket received in the traffic state (the client keeps it; a server
    /// receiving one is a protocol error).
    fn new_ticket(
        &mut self,
        cx: &mut Context<'_>,
        schedule: &KeyScheduleTraffic,
        suite: &'static Tls13CipherSuite,
        m: &HandshakePayload,
    ) -> Result<(), Error>;
}

/// The state after the handshake: application data flows; KeyUpdate and (client side)
/// NewSessionTicket may arrive; keys can be updated and exported.
pub(crate) struct Traffic<T: TicketSink> {
    pub(crate) side: Side,
    pub(crate) suite: &'static Tls13CipherSuite,
    pub(crate) schedule: KeyScheduleTraffic,
    pub(crate) tickets: T,
}

impl<T: TicketSink> Traffic<T> {
    fn our_secret_update(&mut self) -> &TrafficSecret {
        match self.side {
            Side::Client => self.schedule.update_client_secret(),
            Side::Server => self.schedule.update_server_secret(),
        }
    }

    fn peer_secret_update(&mut self) -> &TrafficSecret {
        match self.side {
            Side::Client => self.schedule.update_server_secret(),
            Side::Server => self.schedule.update_client_secret(),
        }
    }

    fn send_update(
        &mut self,
        cx: &mut Context<'_>,
        request: KeyUpdateRequest,
    ) -> Result<(), Error> {
        let m =
            HandshakeMessagePayload::new(HandshakePayload::KeyUpdate(KeyUpdatePayload { request }));
        // The KeyUpdate goes out under the old key; everything after under the new one.
        cx.common.send_handshake(&m)?;
        let suite = self.suite;
        let next = sealer(suite, self.our_secret_update())?;
        cx.common.set_sealer(next)
    }
}

impl<T: TicketSink> State for Traffic<T> {
    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        match m.handshake_payload()? {
            HandshakePayload::KeyUpdate(ku) => {
                let suite = self.suite;
                let next = opener(suite, self.peer_secret_update())?;
                cx.common.set_opener(next)?;
                let update_requested = ku.request == KeyUpdateRequest::UpdateRequested;
                // RFC 8446 s4.6.3: answer update_requested with update_not_requested.
                if update_requested {
                    self.send_update(cx, KeyUpdateRequest::UpdateNotRequested)?;
                }
                cx.common.emit(Event::KeyUpdated { update_requested });
                Ok(self)
            }
            p @ HandshakePayload::NewSessionTicketTls13(_) => {
                let suite = self.suite;
                self.tickets.new_ticket(cx, &self.schedule, suite, p)?;
                Ok(self)
            }
            _ => Err(m.unexpected()),
        }
    }

    fn send_key_update(&mut self, cx: &mut Context<'_>, request_peer: bool) -> Result<(), Error> {
        let request = match request_peer {
            true => KeyUpdateRequest::UpdateRequested,
            false => KeyUpdateRequest::UpdateNotRequested,
        };
        self.send_update(cx, request)
    }

    fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        // RFC 8446 s7.5: an absent context is the same as an empty one in TLS 1.3.
        self.schedule
            .export_keying_material(label, context.unwrap_or(&[]), out)
    }
}

/// A server never accepts tickets.
pub(crate) struct NoTickets;

impl TicketSink for NoTickets {
    fn new_ticket(
        &mut self,
        _cx: &mut Context<'_>,
        _schedule: &KeyScheduleTraffic,
        _suite: &'static Tls13CipherSuite,
        _m: &HandshakePayload,
    ) -> Result<(), Error> {
        Err(PeerMisbehaved::UnexpectedMessage(
            crate::enums::ContentType::Handshake,
            crate::enums::HandshakeType::NewSessionTicket,
        )
        .into())
    }
}

/// Records that TLS 1.3 was negotiated (decoding and alert rules depend on it).
pub(crate) fn set_negotiated_tls13(cx: &mut Context<'_>) {
    cx.common.negotiated.version = Some(ProtocolVersion::TLSv1_3);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_verify_content_layout() {
        let m = certificate_verify_message(Side::Server, &[0xaa; 32]);
        assert_eq!(&m[..64], &[0x20; 64][..]);
        assert_eq!(&m[64..97], b"TLS 1.3, server CertificateVerify");
        assert_eq!(m[97], 0);
        assert_eq!(&m[98..], &[0xaa; 32][..]);
        let c = certificate_verify_message(Side::Client, &[1; 48]);
        assert_eq!(&c[64..97], b"TLS 1.3, client CertificateVerify");
        assert_eq!(c.len(), 64 + 33 + 1 + 48);
    }
}
