//! Session tickets: the server's resumption state, sealed into an opaque ticket.
//!
//! A ticket is `key_name (16) || nonce (12) || AES-256-GCM(state) || tag (16)`, with the key
//! name as additional data. Only the server can open it; a wrong key name, a truncated or
//! tampered ticket simply fails to open and the handshake falls back to a full one.
//! (Issue 5 brings Node's 48-byte `ticketKeys` format and key rotation on this structure.)

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::codec::{Codec, PayloadU16, PayloadU8, Reader};
use crate::enums::CipherSuite;
use crate::error::{Error, InvalidMessage};
use crate::rand::RandomSource;
use crate::time::UnixTime;

const NAME_LEN: usize = 16;
const NONCE_LEN: usize = 12;

/// Seals and opens tickets with one server key.
pub struct Ticketer {
    name: [u8; NAME_LEN],
    key: LessSafeKey,
}

impl core::fmt::Debug for Ticketer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Ticketer(name {:02x?})", &self.name[..4])
    }
}

impl Ticketer {
    /// A ticketer with a fresh random key and name.
    pub fn new(rng: &dyn RandomSource) -> Result<Self, Error> {
        let mut name = [0u8; NAME_LEN];
        let mut key = Zeroizing::new([0u8; 32]);
        rng.fill(&mut name)?;
        rng.fill(&mut key[..])?;
        Self::from_key(name, &key)
    }

    /// A ticketer with a given key name and 32-byte AES-256-GCM key (shared between server
    /// processes so they resume each other's sessions).
    pub fn from_key(name: [u8; NAME_LEN], key: &[u8; 32]) -> Result<Self, Error> {
        let key = UnboundKey::new(&aead::AES_256_GCM, key)
            .map_err(|_| Error::BadConfiguration("ticket key"))?;
        Ok(Self {
            name,
            key: LessSafeKey::new(key),
        })
    }

    /// Seals `plain` into a ticket.
    pub fn seal(&self, plain: &[u8], rng: &dyn RandomSource) -> Result<Vec<u8>, Error> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        let mut out = Vec::with_capacity(NAME_LEN + NONCE_LEN + plain.len() + 16);
        out.extend_from_slice(&self.name);
        out.extend_from_slice(&nonce);
        let mut body = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&self.name),
                &mut body,
            )
            .map_err(|_| Error::EncryptError)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a ticket sealed by this key, or `None`.
    pub fn open(&self, ticket: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (name, rest) = ticket.split_at_checked(NAME_LEN)?;
        if name != self.name {
            return None;
        }
        let (nonce, sealed) = rest.split_at_checked(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = Zeroizing::new(sealed.to_vec());
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(&self.name), &mut body)
            .ok()?;
        let len = plain.len();
        body.truncate(len);
        Some(body)
    }
}

/// What a ticket remembers (RFC 8446 s4.6.1: enough to derive the PSK and check the age).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TicketState {
    pub(crate) suite: CipherSuite,
    pub(crate) psk: Zeroizing<Vec<u8>>,
    pub(crate) age_add: u32,
    pub(crate) issued_at: UnixTime,
    pub(crate) lifetime_secs: u32,
    pub(crate) server_name: Vec<u8>,
    pub(crate) alpn: Vec<u8>,
}

impl Codec for TicketState {
    fn encode(&self, out: &mut Vec<u8>) {
        self.suite.encode(out);
        PayloadU8::new(self.psk.to_vec()).encode(out);
        self.age_add.encode(out);
        self.issued_at.as_millis().encode(out);
        self.lifetime_secs.encode(out);
        PayloadU16::new(self.server_name.clone()).encode(out);
        PayloadU8::new(self.alpn.clone()).encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            suite: CipherSuite::read(r)?,
            psk: Zeroizing::new(PayloadU8::read(r)?.0),
            age_add: u32::read(r)?,
            issued_at: UnixTime::from_millis(u64::read(r)?),
            lifetime_secs: u32::read(r)?,
            server_name: PayloadU16::read(r)?.0,
            alpn: PayloadU8::read(r)?.0,
        })
    }
}

impl core::fmt::Debug for TicketState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TicketState({:?})", self.suite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::SystemRandom;

    #[test]
    fn seal_open_and_refuse_tampering() {
        let rng = SystemRandom::new();
        let t = Ticketer::new(&rng).unwrap();
        let ticket = t.seal(b"state", &rng).unwrap();
        assert_eq!(&**t.open(&ticket).unwrap(), b"state");
        for i in 0..ticket.len() {
            let mut bad = ticket.clone();
            bad[i] ^= 1;
            assert!(t.open(&bad).is_none(), "byte {i}");
        }
        assert!(t.open(&ticket[..ticket.len() - 1]).is_none());
        assert!(t.open(&[]).is_none());
        let other = Ticketer::new(&rng).unwrap();
        assert!(other.open(&ticket).is_none());
    }

    #[test]
    fn state_round_trips() {
        let s = TicketState {
            suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
            psk: Zeroizing::new(vec![1; 32]),
            age_add: 7,
            issued_at: UnixTime::from_secs(100),
            lifetime_secs: 300,
            server_name: b"example.com".to_vec(),
            alpn: b"h2".to_vec(),
        };
        assert_eq!(TicketState::read_bytes(&s.get_encoding()).unwrap(), s);
        let enc = s.get_encoding();
        for cut in 0..enc.len() {
            assert!(TicketState::read_bytes(&enc[..cut]).is_err());
        }
    }
}
