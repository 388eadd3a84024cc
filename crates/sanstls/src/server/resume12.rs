//! TLS 1.2 session resumption on the server (RFC 5246 s7.3 abbreviated handshake): session
//! ids looked up in a bounded in-memory cache, and RFC 5077 session tickets sealed with the
//! configuration's [`Ticketer`](super::ticket::Ticketer).
//!
//! A session resumes only when it is fresh, its suite is one the client offers and we still
//! allow, and it used the extended master secret exactly when the new ClientHello offers it
//! (RFC 7627 s5.3); otherwise the handshake is a full one.

use crate::prelude::*;
use alloc::sync::Arc;
// The session-id cache is shared through `&self`, so it needs a lock: std-only. Without std,
// TLS 1.2 session ids still work through `external_sessions` (the application's store).
#[cfg(feature = "std")]
use std::collections::{HashMap, VecDeque};
#[cfg(feature = "std")]
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::hs::{choose_alpn, server_name};
use super::ServerConfig;
use crate::codec::{Codec, Payload, PayloadU8, Reader};
use crate::conn::{Context, Message, Side, State};
use crate::enums::{CipherSuite, Compression, ContentType, ECPointFormat, ProtocolVersion};
use crate::error::{Error, InvalidMessage, PeerMisbehaved};
use crate::handshake::prf::{Tls12MasterSecret, MASTER_SECRET_LEN};
use crate::handshake::transcript::HandshakeHash;
use crate::msgs::base::Random;
use crate::msgs::extensions::{ProtocolName, ServerExtension};
use crate::msgs::handshake::FinishedPayload;
use crate::msgs::hello::{ClientHelloPayload, ServerHelloPayload};
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::session::{PeerAuth, SessionBinding};
use crate::suites::{find_tls12_suite, Tls12CipherSuite};
use crate::tls12::{self, Keys12, Traffic12, DOWNGRADE_TLS12};

/// What a TLS 1.2 session remembers: the master secret and what it was made with, and who
/// the client proved to be (reported again on resumption).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Tls12Session {
    pub(crate) suite: CipherSuite,
    pub(crate) master: Zeroizing<Vec<u8>>,
    pub(crate) ems: bool,
    pub(crate) binding: SessionBinding,
}

/// The first byte of a TLS 1.2 session's encoding (TLS 1.3 ticket contents start with 0x13).
const TLS12_STATE: u8 = 0x12;

impl Codec for Tls12Session {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(TLS12_STATE);
        self.suite.encode(out);
        // The secret goes straight into `out`, which the caller wipes.
        out.push(self.master.len().min(255) as u8);
        out.extend_from_slice(&self.master[..self.master.len().min(255)]);
        u8::from(self.ems).encode(out);
        self.binding.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        if u8::read(r)? != TLS12_STATE {
            return Err(InvalidMessage::IllegalValue("TLS 1.2 session version"));
        }
        Ok(Self {
            suite: CipherSuite::read(r)?,
            master: Zeroizing::new(PayloadU8::read(r)?.0),
            ems: match u8::read(r)? {
                0 => false,
                1 => true,
                _ => return Err(InvalidMessage::IllegalValue("TLS 1.2 session EMS flag")),
            },
            binding: SessionBinding::read(r)?,
        })
    }
}

impl core::fmt::Debug for Tls12Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Tls12Session({:?})", self.suite)
    }
}

/// A bounded server-side session cache (session id → session), oldest entries evicted
/// first, bounded both in entries and in bytes (a session carries the client's certificate
/// chain, so entries differ in size). Shared by every connection of a configuration.
/// Entries hold master secrets and are wiped when evicted or dropped.
///
/// Needs the `std` feature (the table is behind a `Mutex`).
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct SessionCache {
    inner: Mutex<CacheInner>,
    capacity: usize,
    max_bytes: usize,
}

#[cfg(feature = "std")]
#[derive(Debug, Default)]
struct CacheInner {
    sessions: HashMap<Vec<u8>, Zeroizing<Vec<u8>>>,
    /// Ids in insertion order, for eviction.
    order: VecDeque<Vec<u8>>,
    /// Bytes held: ids and sessions.
    bytes: usize,
}

#[cfg(feature = "std")]
impl CacheInner {
    fn remove(&mut self, id: &[u8]) {
        if let Some(old) = self.sessions.remove(id) {
            self.bytes -= id.len() + old.len();
        }
    }
}

/// The default byte bound of [`SessionCache::new`]: 32 MiB.
pub const DEFAULT_CACHE_BYTES: usize = 32 << 20;

#[cfg(feature = "std")]
impl SessionCache {
    /// A cache holding at most `capacity` sessions and [`DEFAULT_CACHE_BYTES`].
    pub fn new(capacity: usize) -> Arc<Self> {
        Self::with_limits(capacity, DEFAULT_CACHE_BYTES)
    }

    /// A cache holding at most `capacity` sessions and `max_bytes` of session data.
    pub fn with_limits(capacity: usize, max_bytes: usize) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(CacheInner::default()),
            capacity,
            max_bytes,
        })
    }

    pub(crate) fn put(&self, id: &[u8], session: Zeroizing<Vec<u8>>) {
        let Ok(mut c) = self.inner.lock() else { return };
        let size = id.len() + session.len();
        if self.capacity == 0 || size > self.max_bytes {
            return;
        }
        // Ids are random, so replacing one is rare: the linear scan is fine.
        if c.sessions.contains_key(id) {
            c.remove(id);
            c.order.retain(|i| i != id);
        }
        while c.sessions.len() >= self.capacity || c.bytes + size > self.max_bytes {
            let Some(old) = c.order.pop_front() else {
                break;
            };
            c.remove(&old);
        }
        c.bytes += size;
        c.sessions.insert(id.to_vec(), session);
        c.order.push_back(id.to_vec());
    }

    pub(crate) fn get(&self, id: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.inner.lock().ok()?.sessions.get(id).cloned()
    }

    /// How many sessions are cached.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|c| c.sessions.len()).unwrap_or(0)
    }

    /// Bytes of session data held (ids included).
    pub fn bytes(&self) -> usize {
        self.inner.lock().map(|c| c.bytes).unwrap_or(0)
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The session the client offers (a ticket, else a cached id), if it is usable.
/// Where the offered session comes from.
pub(crate) enum Lookup {
    /// A ticket, or our own cache.
    Local,
    /// The application's answer to `Event::ResumeSession` (Node's `resumeSession`).
    External(Option<Vec<u8>>),
}

/// Whether the server should ask the application for this session id: external sessions
/// are on, the client offers an id without a ticket, and our own cache does not have it.
pub(crate) fn needs_external_lookup(config: &ServerConfig, ch: &ClientHelloPayload) -> bool {
    let ticket = ch.session_ticket().is_some_and(|t| !t.is_empty());
    let cached = config.cached_session(ch.session_id.as_bytes()).is_some();
    config.external_sessions && !ch.session_id.is_empty() && !ticket && !cached
}

fn find_session(
    cx: &Context<'_>,
    config: &ServerConfig,
    ch: &ClientHelloPayload,
    lookup: Lookup,
) -> Result<Option<(Tls12Session, &'static Tls12CipherSuite)>, Error> {
    // RFC 5077 s3.4: the client signals resumption with a session id next to its ticket,
    // which we echo; without one we could not tell it that we resumed.
    if ch.session_id.is_empty() {
        return Ok(None);
    }
    let ticket = ch.session_ticket().filter(|t| !t.is_empty());
    let plain = match (lookup, ticket, &config.ticketer) {
        (Lookup::External(Some(data)), ..) => Zeroizing::new(data),
        (Lookup::Local, Some(t), Some(ticketer)) => match ticketer.open_at(t, cx.now) {
            Some(plain) => plain,
            None => return Ok(None),
        },
        (Lookup::Local, None, _) => match config.cached_session(ch.session_id.as_bytes()) {
            Some(plain) => plain,
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    let Ok(session) = Tls12Session::read_bytes(&plain) else {
        return Ok(None);
    };
    let Some(suite) = find_tls12_suite(session.suite) else {
        return Ok(None);
    };
    let usable = session.master.len() == MASTER_SECRET_LEN
        && ch.cipher_suites.contains(&suite.suite)
        && config.tls12_cipher_suites.contains(&suite)
        && config.may_resume(&session.binding, cx.now, server_name(ch)?.as_deref());
    if !usable {
        return Ok(None);
    }
    // RFC 7627 s5.3: a session made with the extended master secret offered without it
    // is an abort; one made without it, offered with it, is a full handshake.
    match (session.ems, ch.extended_master_secret_offered()) {
        (true, false) => Err(PeerMisbehaved::ResumptionChangesExtendedMasterSecret.into()),
        (false, true) => Ok(None),
        _ => Ok(Some((session, suite))),
    }
}

/// Starts an abbreviated handshake if the client offers a session we can resume.
pub(crate) fn try_resume(
    cx: &mut Context<'_>,
    config: &Arc<ServerConfig>,
    ch: &ClientHelloPayload,
    m: &Message,
    secure_reneg: bool,
    lookup: Lookup,
) -> Result<Option<Box<dyn State>>, Error> {
    let Some((session, suite)) = find_session(cx, config, ch, lookup)? else {
        return Ok(None);
    };
    let alpn = choose_alpn(config, ch)?;
    let mut secret = [0u8; MASTER_SECRET_LEN];
    secret.copy_from_slice(&session.master);
    let master = Tls12MasterSecret::from_bytes(suite.hash, &secret);
    zeroize::Zeroize::zeroize(&mut secret);

    let mut random = [0u8; 32];
    config.random.fill(&mut random)?;
    if config.allows(ProtocolVersion::TLSv1_3) {
        random[24..].copy_from_slice(&DOWNGRADE_TLS12);
    }
    let mut exts = Vec::new();
    // RFC 8449 s4: a resumption negotiates the limit afresh.
    exts.extend(super::hs::answer_record_limits(
        cx.common, config, ch, false,
    )?);
    if secure_reneg {
        exts.push(ServerExtension::RenegotiationInfo(PayloadU8::empty()));
    }
    if session.ems {
        exts.push(ServerExtension::ExtendedMasterSecretAck);
    }
    if ch.ec_point_formats().is_some() {
        exts.push(ServerExtension::EcPointFormats(vec![
            ECPointFormat::Uncompressed,
        ]));
    }
    if let Some(p) = &alpn {
        exts.push(ServerExtension::Alpn(ProtocolName(p.clone())));
    }
    let sh = ServerHelloPayload {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: Random(random),
        session_id: ch.session_id,
        cipher_suite: suite.suite,
        compression_method: Compression::Null,
        extensions: Some(exts),
    };
    let n = &mut cx.common.negotiated;
    n.version = Some(ProtocolVersion::TLSv1_2);
    n.cipher_suite = Some(suite.suite);
    n.alpn = alpn;
    n.server_name = server_name(ch)?;
    n.client_random = ch.random.0;
    n.secure_renegotiation = secure_reneg;
    n.extended_master_secret = session.ems;
    n.resumed = true;
    cx.common.keylog = config.key_log;
    let (label, secret) = master.keylog_entry();
    cx.common.log_secret(label, secret);

    let mut transcript = HandshakeHash::new();
    transcript.add_message(&m.encoded);
    transcript.start_hash(suite.hash)?;
    let sh = HandshakeMessagePayload::new(HandshakePayload::ServerHello(sh));
    transcript.add_message(&cx.common.send_handshake(&sh)?);
    // RFC 5246 s7.3: in an abbreviated handshake the server changes keys first.
    let keys = Keys12::derive(suite, &master, &ch.random.0, &random);
    cx.common
        .send_records(ContentType::ChangeCipherSpec, &[1])?;
    cx.common.set_sealer(keys.sealer(Side::Server)?)?;
    let verify_data = master.server_finished_verify_data(transcript.current_hash()?.as_ref());
    cx.common.negotiated.finished_sent = verify_data.to_vec();
    let fin = HandshakePayload::Finished(FinishedPayload {
        verify_data: Payload::new(verify_data),
    });
    transcript.add_message(
        &cx.common
            .send_handshake(&HandshakeMessagePayload::new(fin))?,
    );
    Ok(Some(Box::new(ExpectCcs {
        resumed: AbbreviatedHandshake {
            config: config.clone(),
            master,
            transcript,
            client_random: ch.random.0,
            server_random: random,
            peer: session.binding.peer,
        },
        keys,
    })))
}

/// What the states of the abbreviated handshake carry.
struct AbbreviatedHandshake {
    config: Arc<ServerConfig>,
    master: Tls12MasterSecret,
    transcript: HandshakeHash,
    client_random: [u8; 32],
    server_random: [u8; 32],
    /// Who the client proved to be when the session was made: reported once its Finished
    /// proves it holds the session.
    peer: PeerAuth,
}

/// Waiting for the client's ChangeCipherSpec after our abbreviated flight.
struct ExpectCcs {
    resumed: AbbreviatedHandshake,
    keys: Keys12,
}

impl State for ExpectCcs {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        tls12::expect_ccs(&m)?;
        cx.common.set_opener(self.keys.opener(Side::Client)?)?;
        Ok(Box::new(ExpectFinished {
            resumed: self.resumed,
        }))
    }
}

/// Waiting for the client's Finished of the abbreviated handshake.
struct ExpectFinished {
    resumed: AbbreviatedHandshake,
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let received = tls12::finished_data(&m)?;
        let r = self.resumed;
        r.master
            .verify_client_finished(r.transcript.current_hash()?.as_ref(), received)?;
        cx.common.negotiated.finished_received = received.to_vec();
        r.peer.restore(&mut cx.common.negotiated);
        cx.common.start_traffic()?;
        Ok(Box::new(Traffic12 {
            side: Side::Server,
            master: r.master,
            client_random: r.client_random,
            server_random: r.server_random,
            server_config: Some(r.config),
            client: None,
            hello_requested: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::UnixTime;

    #[test]
    fn cache_is_bounded_and_evicts_oldest_first() {
        let z = |b: u8| Zeroizing::new(vec![b]);
        let cache = SessionCache::new(2);
        cache.put(b"a", z(1));
        cache.put(b"b", z(2));
        cache.put(b"c", z(3));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(b"a"), None, "oldest evicted");
        assert_eq!(cache.get(b"c"), Some(z(3)));
        // Replacing an entry does not grow the cache.
        cache.put(b"c", z(4));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(b"c"), Some(z(4)));
        assert_eq!(cache.bytes(), 4);
        assert!(SessionCache::new(0).is_empty());
    }

    #[test]
    fn cache_is_bounded_in_bytes() {
        let cache = SessionCache::with_limits(100, 1000);
        for i in 0..10u8 {
            cache.put(&[i], Zeroizing::new(vec![i; 299]));
            assert!(cache.bytes() <= 1000);
        }
        // Three sessions of 300 bytes fit in 1000; the newest are kept.
        assert_eq!(cache.len(), 3);
        assert!(cache.get(&[9]).is_some() && cache.get(&[6]).is_none());
        // A session larger than the whole cache is not kept, and evicts nothing.
        cache.put(b"big", Zeroizing::new(vec![0; 2000]));
        assert_eq!((cache.len(), cache.get(b"big")), (3, None));
    }

    #[test]
    fn session_state_round_trips_and_truncations_fail() {
        let s = Tls12Session {
            suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            master: Zeroizing::new(vec![7; 48]),
            ems: true,
            binding: SessionBinding {
                issued_at: UnixTime::from_secs(5),
                lifetime_secs: 300,
                server_name: b"example.com".to_vec(),
                context: b"app".to_vec(),
                peer: PeerAuth::default(),
            },
        };
        let enc = crate::session::secret_encoding(&s);
        assert_eq!(Tls12Session::read_bytes(&enc).unwrap(), s);
        for cut in 0..enc.len() {
            assert!(Tls12Session::read_bytes(&enc[..cut]).is_err());
        }
        // A TLS 1.3 ticket's contents are not mistaken for a TLS 1.2 session.
        let mut other = enc.to_vec();
        other[0] = 0x13;
        assert!(Tls12Session::read_bytes(&other).is_err());
    }
}
