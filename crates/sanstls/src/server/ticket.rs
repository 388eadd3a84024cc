//! Session tickets: the server's resumption state, sealed into an opaque ticket.
//!
//! A ticket is `key_name (16) || nonce (12) || AES-256-GCM(state) || tag (16)`, with the key
//! name as additional data. Only the server can open it; a wrong key name, a truncated or
//! tampered ticket simply fails to open and the handshake falls back to a full one.
//! (Issue 5 brings Node's 48-byte `ticketKeys` format and key rotation on this structure.)

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::codec::{Codec, PayloadU8, Reader};
use crate::enums::CipherSuite;
use crate::error::{Error, InvalidMessage};
use crate::rand::RandomSource;
use crate::session::SessionBinding;
use crate::time::UnixTime;

const NAME_LEN: usize = 16;
const NONCE_LEN: usize = 12;

/// The size of Node's `ticketKeys` (`getTicketKeys()` / `setTicketKeys()`): a 16-byte key
/// name, then 32 bytes of key material (Node's 16-byte HMAC key and 16-byte AES key).
pub const TICKET_KEYS_LEN: usize = 48;

/// One sealing key: its public name and the AEAD key.
struct TicketKey {
    name: [u8; NAME_LEN],
    raw: Zeroizing<[u8; 32]>,
    key: LessSafeKey,
}

impl TicketKey {
    fn new(name: [u8; NAME_LEN], raw: &[u8; 32]) -> Result<Self, Error> {
        let key = UnboundKey::new(&aead::AES_256_GCM, raw)
            .map_err(|_| Error::BadConfiguration("ticket key"))?;
        Ok(Self {
            name,
            raw: Zeroizing::new(*raw),
            key: LessSafeKey::new(key),
        })
    }
}

/// Seals and opens tickets: the current key seals; after a rotation the previous key still
/// opens tickets for a grace period, so a rotation loses no sessions.
///
/// Keys use Node's 48-byte `ticketKeys` layout, so two server processes given the same
/// bytes resume each other's sessions. The 32 key bytes after the name are one AES-256-GCM
/// key here (Node splits them into an HMAC-SHA256 and an AES-128-CBC key): ticket contents
/// are private to an implementation, so only the key format is shared with Node.
pub struct Ticketer {
    keys: std::sync::RwLock<(TicketKey, Option<(TicketKey, UnixTime)>)>,
    grace: core::time::Duration,
}

impl core::fmt::Debug for Ticketer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Ticketer")
    }
}

impl Ticketer {
    /// A ticketer with fresh random keys.
    pub fn new(rng: &dyn RandomSource) -> Result<Self, Error> {
        let mut keys = Zeroizing::new([0u8; TICKET_KEYS_LEN]);
        rng.fill(&mut keys[..])?;
        Self::from_ticket_keys(&keys)
    }

    /// A ticketer with a given key name and 32-byte key.
    pub fn from_key(name: [u8; NAME_LEN], key: &[u8; 32]) -> Result<Self, Error> {
        Ok(Self {
            keys: std::sync::RwLock::new((TicketKey::new(name, key)?, None)),
            grace: core::time::Duration::from_secs(300),
        })
    }

    /// A ticketer from Node's 48-byte `ticketKeys`.
    pub fn from_ticket_keys(keys: &[u8; TICKET_KEYS_LEN]) -> Result<Self, Error> {
        let (name, key) = split_keys(keys);
        Self::from_key(name, &key)
    }

    /// Node's `getTicketKeys()`: the current 48 bytes.
    pub fn ticket_keys(&self) -> Zeroizing<[u8; TICKET_KEYS_LEN]> {
        let mut out = Zeroizing::new([0u8; TICKET_KEYS_LEN]);
        if let Ok(keys) = self.keys.read() {
            out[..NAME_LEN].copy_from_slice(&keys.0.name);
            out[NAME_LEN..].copy_from_slice(&keys.0.raw[..]);
        }
        out
    }

    /// Node's `setTicketKeys()`: new keys seal from now on; the previous ones keep opening
    /// tickets until `now` + the grace period (the session timeout is a good choice).
    pub fn set_ticket_keys(
        &self,
        keys: &[u8; TICKET_KEYS_LEN],
        now: UnixTime,
    ) -> Result<(), Error> {
        let (name, raw) = split_keys(keys);
        let new = TicketKey::new(name, &raw)?;
        let mut guard = self
            .keys
            .write()
            .map_err(|_| Error::ApiMisuse("ticket keys poisoned"))?;
        let old = core::mem::replace(&mut guard.0, new);
        guard.1 = Some((old, now.saturating_add(self.grace)));
        Ok(())
    }

    /// How long retired keys still open tickets (default 300 s, Node's session timeout).
    pub fn with_grace(mut self, grace: core::time::Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Seals `plain` into a ticket with the current key.
    pub fn seal(&self, plain: &[u8], rng: &dyn RandomSource) -> Result<Vec<u8>, Error> {
        let keys = self
            .keys
            .read()
            .map_err(|_| Error::ApiMisuse("ticket keys poisoned"))?;
        let key = &keys.0;
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        let mut out = Vec::with_capacity(NAME_LEN + NONCE_LEN + plain.len() + 16);
        out.extend_from_slice(&key.name);
        out.extend_from_slice(&nonce);
        let mut body = plain.to_vec();
        key.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&key.name),
                &mut body,
            )
            .map_err(|_| Error::EncryptError)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a ticket sealed by the current key, or by the previous one before `now` passes
    /// its grace deadline; `None` otherwise.
    pub fn open_at(&self, ticket: &[u8], now: UnixTime) -> Option<Zeroizing<Vec<u8>>> {
        self.open_with(ticket, Some(now))
    }

    /// Opens a ticket sealed by the current key (retired keys need [`Self::open_at`]).
    pub fn open(&self, ticket: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.open_with(ticket, None)
    }

    fn open_with(&self, ticket: &[u8], now: Option<UnixTime>) -> Option<Zeroizing<Vec<u8>>> {
        let keys = self.keys.read().ok()?;
        let (name, rest) = ticket.split_at_checked(NAME_LEN)?;
        let key = match (&keys.1, now) {
            _ if name == keys.0.name => &keys.0,
            (Some((old, until)), Some(now)) if name == old.name && now < *until => old,
            _ => return None,
        };
        let (nonce, sealed) = rest.split_at_checked(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = Zeroizing::new(sealed.to_vec());
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(&key.name), &mut body)
            .ok()?;
        let len = plain.len();
        body.truncate(len);
        Some(body)
    }
}

fn split_keys(keys: &[u8; TICKET_KEYS_LEN]) -> ([u8; NAME_LEN], Zeroizing<[u8; 32]>) {
    let mut name = [0u8; NAME_LEN];
    name.copy_from_slice(&keys[..NAME_LEN]);
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&keys[NAME_LEN..]);
    (name, key)
}

/// What a ticket remembers (RFC 8446 s4.6.1: enough to derive the PSK and check the age,
/// and who the client proved to be, which the resumed connection reports).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TicketState {
    pub(crate) suite: CipherSuite,
    pub(crate) psk: Zeroizing<Vec<u8>>,
    pub(crate) age_add: u32,
    pub(crate) alpn: Vec<u8>,
    pub(crate) binding: SessionBinding,
}

/// The first byte of a TLS 1.3 ticket's contents (TLS 1.2 sessions start with 0x12).
const TLS13_STATE: u8 = 0x13;

impl Codec for TicketState {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(TLS13_STATE);
        self.suite.encode(out);
        // The secret goes straight into `out`, which the caller wipes.
        out.push(self.psk.len().min(255) as u8);
        out.extend_from_slice(&self.psk[..self.psk.len().min(255)]);
        self.age_add.encode(out);
        PayloadU8::new(self.alpn.clone()).encode(out);
        self.binding.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        if u8::read(r)? != TLS13_STATE {
            return Err(InvalidMessage::IllegalValue("TLS 1.3 ticket state version"));
        }
        Ok(Self {
            suite: CipherSuite::read(r)?,
            psk: Zeroizing::new(PayloadU8::read(r)?.0),
            age_add: u32::read(r)?,
            alpn: PayloadU8::read(r)?.0,
            binding: SessionBinding::read(r)?,
        })
    }
}

impl TicketState {
    /// The encoding, in a buffer wiped when dropped (it holds the PSK).
    pub(crate) fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        self.encode(&mut out);
        out
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
    fn node_keys_round_trip_and_rotation_keeps_old_tickets_for_the_grace_period() {
        let rng = SystemRandom::new();
        let keys = [7u8; TICKET_KEYS_LEN];
        let a = Ticketer::from_ticket_keys(&keys).unwrap();
        assert_eq!(*a.ticket_keys(), keys);
        // Another process with the same keys opens our tickets.
        let b = Ticketer::from_ticket_keys(&keys).unwrap();
        let old_ticket = a.seal(b"state", &rng).unwrap();
        assert_eq!(&**b.open(&old_ticket).unwrap(), b"state");
        // Rotation: new tickets use the new key; old ones open until the grace deadline.
        let now = UnixTime::from_secs(1000);
        a.set_ticket_keys(&[9u8; TICKET_KEYS_LEN], now).unwrap();
        assert_eq!(*a.ticket_keys(), [9u8; TICKET_KEYS_LEN]);
        let new_ticket = a.seal(b"new", &rng).unwrap();
        assert_eq!(&**a.open_at(&new_ticket, now).unwrap(), b"new");
        assert_eq!(&**a.open_at(&old_ticket, now).unwrap(), b"state");
        let later = now.saturating_add(core::time::Duration::from_secs(301));
        assert!(a.open_at(&old_ticket, later).is_none(), "grace period over");
        assert!(b.open(&new_ticket).is_none(), "b never learned the new key");
    }

    #[test]
    fn state_round_trips() {
        let s = TicketState {
            suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
            psk: Zeroizing::new(vec![1; 32]),
            age_add: 7,
            alpn: b"h2".to_vec(),
            binding: SessionBinding {
                issued_at: UnixTime::from_secs(100),
                lifetime_secs: 300,
                server_name: b"example.com".to_vec(),
                context: b"app".to_vec(),
                peer: crate::session::PeerAuth {
                    chain: vec![vec![0x30, 0]],
                    error: None,
                },
            },
        };
        let enc = s.to_secret_bytes();
        assert_eq!(TicketState::read_bytes(&enc).unwrap(), s);
        for cut in 0..enc.len() {
            assert!(TicketState::read_bytes(&enc[..cut]).is_err());
        }
        // A TLS 1.2 session's contents are not mistaken for a TLS 1.3 ticket's.
        let mut other = enc.to_vec();
        other[0] = 0x12;
        assert!(TicketState::read_bytes(&other).is_err());
    }
}
