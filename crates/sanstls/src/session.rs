//! What every form of a session remembers about who the peer proved to be.
//!
//! A resumed handshake proves only that the peer holds the session's secret, so whatever
//! the original handshake established about the peer's identity must travel with the
//! session: the peer's certificate chain and the verifier's verdict on it. Every session
//! form carries a [`PeerAuth`]: the client's [`StoredSession`](crate::client::StoredSession),
//! the server's TLS 1.3 ticket state, and its TLS 1.2 session state (in the built-in cache,
//! in RFC 5077 tickets and in the external store's `data`). Resumption then reports exactly
//! what the full handshake reported, as OpenSSL (and so Node) does.
//!
//! A session made by a handshake that an external PSK authenticated (TLS 1.3, RFC 8446
//! s2.2) carries that PSK's identity instead of a chain, so that resuming it reports PSK
//! authentication and never a certificate.
//!
//! The encoding is `u24 chain length || (u24 cert length || cert)* || verdict || u16 PSK
//! identity length || identity`, where the verdict is a tag byte (0: authorized or no
//! certificate) and, for refusals that carry text, the text; an empty identity means no
//! external PSK (RFC 8446 s4.2.11 identities are never empty).

use crate::prelude::*;
use alloc::borrow::Cow;

use crate::codec::{encode_prefixed, Codec, ListLength, PayloadU16, PayloadU8, Reader, U24};
use crate::conn::Negotiated;
use crate::error::{CertificateError, InvalidMessage};
use crate::time::UnixTime;

/// The largest chain a ticket carries whole. A ticket is at most 2^16-1 bytes (RFC 8446
/// s4.6.1, RFC 5077 s3.3); a longer chain keeps only its end-entity certificate, which is
/// what `getPeerCertificate()` needs, and a session whose leaf alone is longer gets no
/// ticket at all.
pub(crate) const MAX_TICKET_CHAIN: usize = 32 * 1024;

/// The peer's certificate chain (leaf first; empty when it sent none) and the verifier's
/// verdict on it, or the identity of the external PSK that authenticated it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PeerAuth {
    pub(crate) chain: Vec<Vec<u8>>,
    pub(crate) error: Option<CertificateError>,
    pub(crate) psk_identity: Option<Vec<u8>>,
}

impl PeerAuth {
    /// What the handshake so far established.
    pub(crate) fn of(n: &Negotiated) -> Self {
        Self {
            chain: n.peer_certificates.clone(),
            error: n.authorization_error.clone(),
            psk_identity: n.psk_identity.clone(),
        }
    }

    /// Authentication by the external PSK named `identity`: no chain, no verdict.
    pub(crate) fn external_psk(identity: &[u8]) -> Self {
        Self {
            chain: Vec::new(),
            error: None,
            psk_identity: Some(identity.to_vec()),
        }
    }

    /// Reports this authentication as the connection's own (on resumption, or when an
    /// external PSK was accepted).
    pub(crate) fn restore(self, n: &mut Negotiated) {
        n.peer_certificates = self.chain;
        n.authorization_error = self.error;
        n.psk_identity = self.psk_identity;
    }

    /// The same authentication, trimmed to fit a ticket: the whole chain when it is at most
    /// [`MAX_TICKET_CHAIN`] bytes, else the end-entity certificate alone; `None` when even
    /// that is too long (the session then gets no ticket).
    pub(crate) fn for_ticket(&self) -> Option<Self> {
        let total: usize = self.chain.iter().map(Vec::len).sum();
        if total <= MAX_TICKET_CHAIN {
            return Some(self.clone());
        }
        let leaf = self.chain.first()?;
        (leaf.len() <= MAX_TICKET_CHAIN).then(|| Self {
            chain: vec![leaf.clone()],
            error: self.error.clone(),
            psk_identity: self.psk_identity.clone(),
        })
    }
}

/// The encoding of a session's state, in a buffer wiped when dropped (it holds a secret).
pub(crate) fn secret_encoding(state: &impl Codec) -> zeroize::Zeroizing<Vec<u8>> {
    let mut out = zeroize::Zeroizing::new(Vec::new());
    state.encode(&mut out);
    out
}

/// What ties a server-side session (a TLS 1.3 ticket, a TLS 1.2 session) to the place it
/// was made: its age, the server name and session context it was made under, and who the
/// client proved to be. `ServerConfig::may_resume` decides from it whether a new handshake
/// may resume the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SessionBinding {
    pub(crate) issued_at: UnixTime,
    pub(crate) lifetime_secs: u32,
    /// The server_name of the handshake that made it (empty: none).
    pub(crate) server_name: Vec<u8>,
    /// The server's effective session context (`ServerConfig::session_context`).
    pub(crate) context: Vec<u8>,
    pub(crate) peer: PeerAuth,
}

impl Codec for SessionBinding {
    fn encode(&self, out: &mut Vec<u8>) {
        self.issued_at.as_millis().encode(out);
        self.lifetime_secs.encode(out);
        PayloadU16::new(self.server_name.clone()).encode(out);
        PayloadU8::new(self.context.clone()).encode(out);
        self.peer.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            issued_at: UnixTime::from_millis(u64::read(r)?),
            lifetime_secs: u32::read(r)?,
            server_name: PayloadU16::read(r)?.0,
            context: PayloadU8::read(r)?.0,
            peer: PeerAuth::read(r)?,
        })
    }
}

const CHAIN: ListLength = ListLength::U24 {
    max: U24::MAX as usize,
    context: "session peer chain",
};
const CERT: ListLength = ListLength::NonEmptyU24 {
    max: U24::MAX as usize,
    context: "session peer certificate",
};

impl Codec for PeerAuth {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(CHAIN, out, |out| {
            for cert in &self.chain {
                encode_prefixed(CERT, out, |out| out.extend_from_slice(cert));
            }
        });
        encode_verdict(self.error.as_ref(), out);
        let identity = self.psk_identity.as_deref().unwrap_or_default();
        encode_prefixed(TEXT, out, |out| out.extend_from_slice(identity));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let mut sub = CHAIN.read_body(r)?;
        let mut chain = Vec::new();
        while sub.any_left() {
            chain.push(CERT.read_body(&mut sub)?.rest().to_vec());
        }
        let error = read_verdict(r)?;
        let identity = TEXT.read_body(r)?.rest().to_vec();
        let psk_identity = (!identity.is_empty()).then_some(identity);
        Ok(Self {
            chain,
            error,
            psk_identity,
        })
    }
}

const TEXT: ListLength = ListLength::U16;

fn encode_text(text: &str, out: &mut Vec<u8>) {
    // Texts are ours or the verifier's; one longer than a u16 length is cut, never
    // written with a wrong length.
    let mut end = text.len().min(0xffff);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    encode_prefixed(TEXT, out, |out| {
        out.extend_from_slice(&text.as_bytes()[..end])
    });
}

fn read_text(r: &mut Reader<'_>) -> Result<String, InvalidMessage> {
    String::from_utf8(TEXT.read_body(r)?.rest().to_vec())
        .map_err(|_| InvalidMessage::IllegalValue("session verdict text"))
}

/// The verdict as a tag and, where the refusal has them, its texts.
fn encode_verdict(error: Option<&CertificateError>, out: &mut Vec<u8>) {
    use CertificateError as C;
    let tag: u8 = match error {
        None => 0,
        Some(C::BadEncoding) => 1,
        Some(C::Expired) => 2,
        Some(C::NotValidYet) => 3,
        Some(C::UnknownIssuer) => 4,
        Some(C::BadSignature) => 5,
        Some(C::NotValidForName) => 6,
        Some(C::Revoked) => 7,
        Some(C::UnsupportedSignatureAlgorithm) => 8,
        Some(C::ApplicationVerificationFailure(_)) => 9,
        Some(C::Rejected { .. }) => 10,
    };
    out.push(tag);
    match error {
        Some(C::ApplicationVerificationFailure(why)) => encode_text(why, out),
        Some(C::Rejected { code, message }) => {
            encode_text(code, out);
            encode_text(message, out);
        }
        _ => {}
    }
}

fn read_verdict(r: &mut Reader<'_>) -> Result<Option<CertificateError>, InvalidMessage> {
    use CertificateError as C;
    Ok(Some(match u8::read(r)? {
        0 => return Ok(None),
        1 => C::BadEncoding,
        2 => C::Expired,
        3 => C::NotValidYet,
        4 => C::UnknownIssuer,
        5 => C::BadSignature,
        6 => C::NotValidForName,
        7 => C::Revoked,
        8 => C::UnsupportedSignatureAlgorithm,
        9 => C::ApplicationVerificationFailure(read_text(r)?),
        10 => C::Rejected {
            code: Cow::Owned(read_text(r)?),
            message: read_text(r)?,
        },
        _ => return Err(InvalidMessage::IllegalValue("session verdict")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_verdicts() -> Vec<Option<CertificateError>> {
        use CertificateError as C;
        vec![
            None,
            Some(C::BadEncoding),
            Some(C::Expired),
            Some(C::NotValidYet),
            Some(C::UnknownIssuer),
            Some(C::BadSignature),
            Some(C::NotValidForName),
            Some(C::Revoked),
            Some(C::UnsupportedSignatureAlgorithm),
            Some(C::ApplicationVerificationFailure("pinned key".into())),
            Some(C::Rejected {
                code: "DEPTH_ZERO_SELF_SIGNED_CERT".into(),
                message: "self-signed certificate".into(),
            }),
        ]
    }

    #[test]
    fn every_verdict_and_chain_round_trips_and_truncations_fail() {
        for error in all_verdicts() {
            for chain in [
                vec![],
                vec![vec![1; 300]],
                vec![vec![2; 3], vec![3; 70_000]],
            ] {
                for psk_identity in [None, Some(b"client1".to_vec())] {
                    let auth = PeerAuth {
                        chain: chain.clone(),
                        error: error.clone(),
                        psk_identity,
                    };
                    let enc = auth.get_encoding();
                    assert_eq!(PeerAuth::read_bytes(&enc).unwrap(), auth);
                    for cut in 0..enc.len() {
                        assert!(PeerAuth::read_bytes(&enc[..cut]).is_err(), "{cut}");
                    }
                }
            }
        }
        // An unknown verdict tag and an empty certificate are refused.
        assert!(PeerAuth::read_bytes(&[0, 0, 0, 11, 0, 0]).is_err());
        assert!(PeerAuth::read_bytes(&[0, 0, 3, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn tickets_keep_the_leaf_of_a_chain_too_long_for_them() {
        let small = PeerAuth {
            chain: vec![vec![1; 1000], vec![2; 1000]],
            ..PeerAuth::default()
        };
        assert_eq!(small.for_ticket(), Some(small.clone()));
        let long = PeerAuth {
            chain: vec![vec![1; 1000], vec![2; MAX_TICKET_CHAIN]],
            psk_identity: Some(b"id".to_vec()),
            ..PeerAuth::default()
        };
        let trimmed = long.for_ticket().unwrap();
        assert_eq!(trimmed.chain, vec![vec![1; 1000]]);
        assert_eq!(trimmed.psk_identity, long.psk_identity);
        let huge_leaf = PeerAuth {
            chain: vec![vec![1; MAX_TICKET_CHAIN + 1]],
            ..PeerAuth::default()
        };
        assert_eq!(huge_leaf.for_ticket(), None);
    }
}
