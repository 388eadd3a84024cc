//! A recorded X25519MLKEM768 TLS 1.3 handshake between our own client and server
//! (`vectors/hybrid/x25519mlkem768.vec`), replayed byte for byte from each side.
//!
//! Both ends draw everything from fixed pools (`ReplayRandom`): randoms, session id, the
//! ML-KEM seed d||z and X25519 scalar of the client, the encapsulation message m and
//! X25519 scalar of the server. The clock is fixed and the server signs with Ed25519
//! (deterministic), so a handshake is a pure function of the two pools: the client with
//! its recorded pool must write the recorded ClientHello, accept the recorded server
//! flight and write the recorded Finished; the server with its pool must answer the
//! recorded ClientHello with the recorded flight.
//!
//! `SANSTLS_REGENERATE=1 cargo test -p sanstls --test hybrid_trace` rewrites the file
//! (after a deliberate change to what the engine sends); without it,
//! `the_recorded_trace_is_what_the_engine_makes` fails when the file and the engine
//! disagree.

use std::sync::Arc;

use sanstls::client::{ClientConfig, ClientConnection};
use sanstls::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use sanstls::rand::ReplayRandom;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::Event;
use sanstls_pki::pem;
use sanstls_test::fixtures;
use sanstls_test::pair::NOW;
use sanstls_test::replay::{events, feed, take_output, timestamp};
use sanstls_test::rfc8448::{self, Section};

const FILE: &str = "hybrid/x25519mlkem768.vec";
const SECTION: &str = "X25519MLKEM768_Handshake";
/// The name in the fixture certificate (`vectors/pki/certs/ed25519.pem`).
const SERVER_NAME: &str = "ed25519.example.test";

/// The client's configuration, everything that shapes its ClientHello pinned here rather
/// than taken from the engine's defaults (which may change without this trace changing).
fn client_config(random: Arc<ReplayRandom>) -> ClientConfig {
    let root = pem::certificates(&pem::parse(&fixtures::read("pki/certs/root.pem")).unwrap());
    let verifier = sanstls_pki::tls::NodeServerVerifier::with_roots(root).unwrap();
    let mut c = ClientConfig::new(Arc::new(verifier));
    c.groups = vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519];
    c.cipher_suites = sanstls::suites::ALL_TLS13_SUITES.to_vec();
    c.min_version = ProtocolVersion::TLSv1_3;
    c.random = random;
    c
}

/// The server's, pinned the same way: the Ed25519 fixture (leaf and intermediate), no
/// tickets (a ticket would draw from the pool after the handshake).
fn server_config(random: Arc<ReplayRandom>) -> ServerConfig {
    let chain =
        pem::certificates(&pem::parse(&fixtures::read("pki/certs/ed25519-chain.pem")).unwrap());
    let key_pem = pem::parse(&fixtures::read("pki/certs/ed25519.key")).unwrap();
    let key = pem::private_key(&key_pem).expect("a PKCS#8 key");
    let key = sanstls::crypto::sign::load_private_key(&key.der).unwrap();
    let chain: Vec<_> = chain.into_iter().take(2).collect();
    let mut c = ServerConfig::new(vec![CertifiedKey::new(chain, key).unwrap()]);
    c.groups = vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519];
    c.cipher_suites = sanstls::suites::ALL_TLS13_SUITES.to_vec();
    c.min_version = ProtocolVersion::TLSv1_3;
    c.ticketer = None;
    c.random = random;
    c
}

/// A pool of `len` bytes made from `label` (SHA-256 in counter mode: fixed, and unlike a
/// counting pattern, no two draws alike).
fn pool_bytes(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut counter = 0u32;
    while out.len() < len {
        let block = [label.as_bytes(), &counter.to_be_bytes()].concat();
        out.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, &block).as_ref());
        counter += 1;
    }
    out.truncate(len);
    out
}

/// A live handshake from the generated pools; the section it makes, with the pools cut to
/// what each side drew.
fn record() -> Section {
    let (client_pool, server_pool) = (pool_bytes("client", 4096), pool_bytes("server", 4096));
    let client_random = Arc::new(ReplayRandom::new(client_pool.clone()));
    let server_random = Arc::new(ReplayRandom::new(server_pool.clone()));
    let mut client = ClientConnection::new(
        Arc::new(client_config(client_random.clone())),
        SERVER_NAME,
        NOW,
    )
    .unwrap();
    let mut server =
        ServerConnection::new(Arc::new(server_config(server_random.clone())), NOW).unwrap();
    let hello = take_output(&mut client);
    feed(&mut server, &hello, NOW);
    let flight = take_output(&mut server);
    feed(&mut client, &flight, NOW);
    let finished = take_output(&mut client);
    feed(&mut server, &finished, NOW);
    assert!(events(&mut client).contains(&Event::HandshakeComplete));
    assert!(events(&mut server).contains(&Event::HandshakeComplete));
    assert_eq!(client.negotiated().group, Some(NamedGroup::X25519MLKEM768));
    assert!(take_output(&mut server).is_empty(), "no tickets");

    let mut s = Section::new(SECTION);
    s.push("CurrentTimestamp", (NOW.as_secs() * 1000).to_string());
    s.push("ServerName", SERVER_NAME);
    let drawn = |pool: &[u8], left: usize| hex::encode(&pool[..pool.len() - left]);
    s.push(
        "Client_RNG_Pool",
        drawn(&client_pool, client_random.remaining()),
    );
    s.push(
        "Server_RNG_Pool",
        drawn(&server_pool, server_random.remaining()),
    );
    s.push("Record_ClientHello_1", hex::encode(hello));
    s.push("Record_ServerFlight", hex::encode(flight));
    s.push("Record_ClientFinished", hex::encode(finished));
    s
}

const COMMENT: &str = "\
An X25519MLKEM768 TLS 1.3 handshake between sanstls's own client and server, recorded by
crates/sanstls/tests/hybrid_trace.rs (see vectors/hybrid/README.md). Regenerate with
SANSTLS_REGENERATE=1 cargo test -p sanstls --test hybrid_trace
Client_RNG_Pool and Server_RNG_Pool are exactly the bytes each side drew, in order.
Record_ServerFlight is everything the server wrote after the ClientHello (ServerHello, the
compatibility ChangeCipherSpec and the encrypted flight up to its Finished);
Record_ClientFinished everything the client wrote after it (ChangeCipherSpec, Finished).";

fn trace() -> Section {
    let path = fixtures::arg(FILE);
    let mut sections = rfc8448::read(&path);
    assert_eq!(sections.len(), 1);
    let s = sections.remove(0);
    assert_eq!(s.name, SECTION);
    s
}

#[test]
fn the_recorded_trace_is_what_the_engine_makes() {
    let made = record();
    if std::env::var_os("SANSTLS_REGENERATE").is_some_and(|v| v == "1") {
        let text = rfc8448::render(COMMENT, std::slice::from_ref(&made));
        std::fs::write(fixtures::path(FILE), text).unwrap();
    }
    let recorded = trace();
    let keys: Vec<&str> = recorded.keys().collect();
    assert_eq!(keys, made.keys().collect::<Vec<_>>());
    for key in keys {
        assert_eq!(recorded.get_str(key), made.get_str(key), "{key}");
    }
}

#[test]
fn the_client_replays_the_trace() {
    let s = trace();
    let at = timestamp(&s);
    let pool = Arc::new(ReplayRandom::new(s.bytes("Client_RNG_Pool")));
    let config = Arc::new(client_config(pool.clone()));
    let mut client = ClientConnection::new(config, s.get_str("ServerName").unwrap(), at).unwrap();
    let hello = take_output(&mut client);
    assert_eq!(
        hex::encode(&hello),
        hex::encode(s.bytes("Record_ClientHello_1"))
    );
    // Its two shares: the hybrid (1216 bytes) and X25519 (32), from one X25519 key.
    let at_hybrid = hello.windows(4).position(|w| w == [0x11, 0xec, 0x04, 0xc0]);
    let x25519 = &hello[at_hybrid.expect("a hybrid share") + 4 + 1184..][..32];
    let plain = [&[0x00, 0x1d, 0x00, 0x20][..], x25519].concat();
    assert!(hello.windows(36).any(|w| w == plain));
    feed(&mut client, &s.bytes("Record_ServerFlight"), at);
    assert_eq!(
        hex::encode(take_output(&mut client)),
        hex::encode(s.bytes("Record_ClientFinished"))
    );
    assert!(events(&mut client).contains(&Event::HandshakeComplete));
    let n = client.negotiated();
    assert_eq!(n.group, Some(NamedGroup::X25519MLKEM768));
    assert_eq!(n.cipher_suite, Some(CipherSuite::TLS13_AES_256_GCM_SHA384));
    assert_eq!(
        pool.remaining(),
        0,
        "the recorded pool is exactly what it draws"
    );
}

#[test]
fn the_server_replays_the_trace() {
    let s = trace();
    let at = timestamp(&s);
    let pool = Arc::new(ReplayRandom::new(s.bytes("Server_RNG_Pool")));
    let mut server = ServerConnection::new(Arc::new(server_config(pool.clone())), at).unwrap();
    feed(&mut server, &s.bytes("Record_ClientHello_1"), at);
    assert_eq!(
        hex::encode(take_output(&mut server)),
        hex::encode(s.bytes("Record_ServerFlight"))
    );
    feed(&mut server, &s.bytes("Record_ClientFinished"), at);
    assert!(events(&mut server).contains(&Event::HandshakeComplete));
    assert_eq!(server.negotiated().group, Some(NamedGroup::X25519MLKEM768));
    assert_eq!(
        pool.remaining(),
        0,
        "the recorded pool is exactly what it draws"
    );
}

#[test]
fn a_changed_server_pool_byte_changes_the_flight() {
    // The replay is exact because the flight depends on every drawn byte: one changed
    // byte of the encapsulation message m (after the 32-byte random) changes the server's
    // ciphertext, and so its whole flight.
    let s = trace();
    let at = timestamp(&s);
    let mut bytes = s.bytes("Server_RNG_Pool");
    bytes[40] ^= 1;
    let pool = Arc::new(ReplayRandom::new(bytes));
    let mut server = ServerConnection::new(Arc::new(server_config(pool)), at).unwrap();
    feed(&mut server, &s.bytes("Record_ClientHello_1"), at);
    let flight = take_output(&mut server);
    let recorded = s.bytes("Record_ServerFlight");
    assert_eq!(flight.len(), recorded.len());
    assert_ne!(flight, recorded);
}
