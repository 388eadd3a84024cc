//! Session tickets: the server's resumption state, sealed into an opaque ticket.
//!
//! A ticket is `key_name (16) || nonce (12) || AES-256-GCM(state) || tag (16)`, with the key
//! name as additional data. Only the server can open it; a wrong key name, a truncated or
//! tampered ticket simply fails to open and the handshake falls back to a full one.
//!
//! Keys come in Node's 48-byte `ticketKeys` layout, set by the application
//! ([`Ticketer::set_ticket_keys`]) or, for a ticketer that makes its own, replaced on the
//! caller's clock ([`Ticketer::with_rotation`]): one key never seals for the life of a
//! process, and the previous one keeps opening tickets for one ticket lifetime, so a
//! rotation loses no session.

use crate::prelude::*;
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
///
/// Without std a ticketer's keys are fixed for its lifetime: replacing them through `&self`
/// (rotation, [`Self::set_ticket_keys`]) needs a lock, which only std has here. Rotate by
/// building a new configuration with a new ticketer.
pub struct Ticketer {
    keys: KeyCell,
    grace: core::time::Duration,
    /// Replace the key this often, from the sealing call's random source (Go's crypto/tls
    /// does the same); `None` for keys the application manages.
    rotation: Option<core::time::Duration>,
}

/// The keys, behind a lock with std (rotation and `set_ticket_keys` replace them).
#[cfg(feature = "std")]
type KeyCell = std::sync::RwLock<Keys>;

/// Without std nothing replaces the keys, so no lock is needed: `read` hands them out as
/// `RwLock::read` would (never failing), and the code that reads them is the same.
#[cfg(not(feature = "std"))]
struct KeyCell(Keys);

#[cfg(not(feature = "std"))]
impl KeyCell {
    fn new(keys: Keys) -> Self {
        Self(keys)
    }

    fn read(&self) -> Result<&Keys, core::convert::Infallible> {
        Ok(&self.0)
    }
}

// Without std, `since` and `managed` are only ever set (rotation is std-only).
#[cfg_attr(not(feature = "std"), allow(dead_code))]
struct Keys {
    current: TicketKey,
    /// The key before, and until when it still opens tickets.
    previous: Option<(TicketKey, UnixTime)>,
    /// When `current` started sealing (set at the first seal of a rotating ticketer).
    since: Option<UnixTime>,
    /// The application set the keys (`set_ticket_keys`): it rotates them from now on.
    managed: bool,
}

impl core::fmt::Debug for Ticketer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ticketer")
            .field("grace", &self.grace)
            .field("rotation", &self.rotation)
            .finish_non_exhaustive()
    }
}

/// How often [`Ticketer::with_rotation`] replaces the key by default: 12 hours.
pub const DEFAULT_ROTATION: core::time::Duration = core::time::Duration::from_secs(12 * 3600);

impl Ticketer {
    /// A ticketer with fresh random keys (never rotated unless [`Self::with_rotation`]).
    pub fn new(rng: &dyn RandomSource) -> Result<Self, Error> {
        let mut keys = Zeroizing::new([0u8; TICKET_KEYS_LEN]);
        rng.fill(&mut keys[..])?;
        Self::from_ticket_keys(&keys)
    }

    /// A ticketer with a given key name and 32-byte key.
    pub fn from_key(name: [u8; NAME_LEN], key: &[u8; 32]) -> Result<Self, Error> {
        Ok(Self {
            keys: KeyCell::new(Keys {
                current: TicketKey::new(name, key)?,
                previous: None,
                since: None,
                managed: false,
            }),
            grace: core::time::Duration::from_secs(300),
            rotation: None,
        })
    }

    /// A ticketer from Node's 48-byte `ticketKeys`.
    pub fn from_ticket_keys(keys: &[u8; TICKET_KEYS_LEN]) -> Result<Self, Error> {
        let (name, key) = split_keys(keys);
        Self::from_key(name, &key)
    }

    /// Replaces the sealing key every `period` (on the clock the handshakes run on), with
    /// fresh bytes from the sealing handshake's random source; the previous key keeps
    /// opening tickets for the grace period. For a server that makes its own keys (no
    /// `ticketKeys`); [`DEFAULT_ROTATION`] is 12 hours.
    ///
    /// Needs the `std` feature (replacing keys through `&self` takes an `RwLock`).
    #[cfg(feature = "std")]
    pub fn with_rotation(mut self, period: core::time::Duration) -> Self {
        self.rotation = Some(period);
        self
    }

    /// Node's `getTicketKeys()`: the current 48 bytes.
    pub fn ticket_keys(&self) -> Zeroizing<[u8; TICKET_KEYS_LEN]> {
        let mut out = Zeroizing::new([0u8; TICKET_KEYS_LEN]);
        // Irrefutable without std, where reading the keys takes no lock.
        #[allow(irrefutable_let_patterns)]
        if let Ok(keys) = self.keys.read() {
            out[..NAME_LEN].copy_from_slice(&keys.current.name);
            out[NAME_LEN..].copy_from_slice(&keys.current.raw[..]);
        }
        out
    }

    /// Node's `setTicketKeys()`: new keys seal from now on; the previous ones keep opening
    /// tickets until `now` + the grace period (the session timeout is a good choice). From
    /// then on the application rotates the keys: a rotating ticketer stops rotating.
    ///
    /// Needs the `std` feature (replacing keys through `&self` takes an `RwLock`).
    #[cfg(feature = "std")]
    pub fn set_ticket_keys(
        &self,
        keys: &[u8; TICKET_KEYS_LEN],
        now: UnixTime,
    ) -> Result<(), Error> {
        let (name, raw) = split_keys(keys);
        let new = TicketKey::new(name, &raw)?;
        let mut guard = self.keys.write().map_err(|_| poisoned())?;
        self.install(&mut guard, new, now);
        guard.managed = true;
        Ok(())
    }

    #[cfg(feature = "std")]
    fn install(&self, keys: &mut Keys, new: TicketKey, now: UnixTime) {
        let old = core::mem::replace(&mut keys.current, new);
        keys.previous = Some((old, now.saturating_add(self.grace)));
        keys.since = Some(now);
    }

    /// How long retired keys still open tickets (default 300 s, Node's session timeout;
    /// give it the ticket lifetime).
    pub fn with_grace(mut self, grace: core::time::Duration) -> Self {
        self.grace = grace;
        self
    }

    /// For a rotating ticketer: replaces the key when its period is over at `now`.
    #[cfg(feature = "std")]
    fn rotate_if_due(&self, rng: &dyn RandomSource, now: UnixTime) -> Result<(), Error> {
        let Some(period) = self.rotation else {
            return Ok(());
        };
        let due = |k: &Keys| {
            !k.managed
                && k.since
                    .is_none_or(|since| now >= since.saturating_add(period))
        };
        if !due(&*self.keys.read().map_err(|_| poisoned())?) {
            return Ok(());
        }
        let mut keys = self.keys.write().map_err(|_| poisoned())?;
        match keys.since {
            // The first seal starts the first period.
            None => keys.since = Some(now),
            Some(_) if due(&keys) => {
                let mut bytes = Zeroizing::new([0u8; TICKET_KEYS_LEN]);
                rng.fill(&mut bytes[..])?;
                let (name, raw) = split_keys(&bytes);
                let new = TicketKey::new(name, &raw)?;
                self.install(&mut keys, new, now);
            }
            // Another thread rotated meanwhile.
            Some(_) => {}
        }
        Ok(())
    }

    /// Without std nothing rotates (see [`Ticketer`]).
    #[cfg(not(feature = "std"))]
    fn rotate_if_due(&self, _rng: &dyn RandomSource, _now: UnixTime) -> Result<(), Error> {
        Ok(())
    }

    /// Seals `plain` into a ticket with the current key at `now` (a rotating ticketer first
    /// replaces a key whose period is over, with bytes from `rng`).
    pub fn seal(
        &self,
        plain: &[u8],
        rng: &dyn RandomSource,
        now: UnixTime,
    ) -> Result<Vec<u8>, Error> {
        self.rotate_if_due(rng, now)?;
        let keys = self.keys.read().map_err(|_| poisoned())?;
        let key = &keys.current;
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        let mut out = Vec::with_capacity(NAME_LEN + NONCE_LEN + plain.len() + 16);
        out.extend_from_slice(&key.name);
        out.extend_from_slice(&nonce);
        let body_at = out.len();
        out.extend_from_slice(plain);
        let tag = key
            .key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&key.name),
                &mut out[body_at..],
            )
            .map_err(|_| Error::EncryptError)?;
        out.extend_from_slice(tag.as_ref());
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
        let key = match (&keys.previous, now) {
            _ if name == keys.current.name => &keys.current,
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

/// The error of a ticketer whose lock a panicking thread left poisoned.
fn poisoned() -> Error {
    Error::ApiMisuse("ticket keys poisoned")
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
    /// The max_early_data_size the ticket was issued with (0: no 0-RTT on it).
    pub(crate) max_early_data: u32,
}

/// The first byte of a TLS 1.3 ticket's contents (TLS 1.2 sessions start with 0x12).
const TLS13_STATE: u8 = 0x13;

impl Codec for TicketState {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(TLS13_STATE);
        self.suite.encode(out);
        // The secret goes straight into `out`, which the caller wipes.
        let psk = &self.psk[..self.psk.len().min(255)];
        out.push(psk.len() as u8);
        out.extend_from_slice(psk);
        self.age_add.encode(out);
        PayloadU8::new(self.alpn.clone()).encode(out);
        self.binding.encode(out);
        self.max_early_data.encode(out);
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
            max_early_data: u32::read(r)?,
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
        let ticket = t.seal(b"state", &rng, UnixTime::from_secs(1)).unwrap();
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
        let old_ticket = a.seal(b"state", &rng, UnixTime::from_secs(1)).unwrap();
        assert_eq!(&**b.open(&old_ticket).unwrap(), b"state");
        // Rotation: new tickets use the new key; old ones open until the grace deadline.
        let now = UnixTime::from_secs(1000);
        a.set_ticket_keys(&[9u8; TICKET_KEYS_LEN], now).unwrap();
        assert_eq!(*a.ticket_keys(), [9u8; TICKET_KEYS_LEN]);
        let new_ticket = a.seal(b"new", &rng, now).unwrap();
        assert_eq!(&**a.open_at(&new_ticket, now).unwrap(), b"new");
        assert_eq!(&**a.open_at(&old_ticket, now).unwrap(), b"state");
        let later = now.saturating_add(core::time::Duration::from_secs(301));
        assert!(a.open_at(&old_ticket, later).is_none(), "grace period over");
        assert!(b.open(&new_ticket).is_none(), "b never learned the new key");
    }

    #[test]
    fn a_rotating_ticketer_replaces_its_key_each_period_and_keeps_the_last_one_a_lifetime() {
        let rng = SystemRandom::new();
        let hour = core::time::Duration::from_secs(3600);
        let lifetime = core::time::Duration::from_secs(300);
        let t = Ticketer::new(&rng)
            .unwrap()
            .with_rotation(12 * hour)
            .with_grace(lifetime);
        let start = UnixTime::from_secs(1_900_000_000);
        let first_keys = *t.ticket_keys();
        let first = t.seal(b"one", &rng, start).unwrap();
        // Within the period: the same key.
        let later = start.saturating_add(11 * hour);
        let second = t.seal(b"two", &rng, later).unwrap();
        assert_eq!(*t.ticket_keys(), first_keys);
        assert_eq!(first[..NAME_LEN], second[..NAME_LEN]);
        // Past it: a new key seals, and the old one opens for one ticket lifetime only.
        let rotated_at = start.saturating_add(12 * hour);
        let third = t.seal(b"three", &rng, rotated_at).unwrap();
        assert_ne!(*t.ticket_keys(), first_keys);
        assert_ne!(first[..NAME_LEN], third[..NAME_LEN]);
        assert_eq!(&**t.open_at(&second, rotated_at).unwrap(), b"two");
        assert_eq!(&**t.open_at(&third, rotated_at).unwrap(), b"three");
        let after_grace = rotated_at.saturating_add(lifetime);
        assert!(t.open_at(&second, after_grace).is_none());
        assert_eq!(&**t.open_at(&third, after_grace).unwrap(), b"three");
        // A ticketer whose keys the application manages never rotates by itself.
        let fixed = Ticketer::from_ticket_keys(&[5; TICKET_KEYS_LEN]).unwrap();
        fixed
            .seal(b"x", &rng, start.saturating_add(1000 * hour))
            .unwrap();
        assert_eq!(*fixed.ticket_keys(), [5; TICKET_KEYS_LEN]);
        // Nor does one whose keys the application set.
        t.set_ticket_keys(&[6; TICKET_KEYS_LEN], rotated_at)
            .unwrap();
        t.seal(b"x", &rng, rotated_at.saturating_add(100 * hour))
            .unwrap();
        assert_eq!(*t.ticket_keys(), [6; TICKET_KEYS_LEN]);
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
                    psk_identity: Some(b"client1".to_vec()),
                },
            },
            max_early_data: 16384,
        };
        let enc = crate::session::secret_encoding(&s);
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
