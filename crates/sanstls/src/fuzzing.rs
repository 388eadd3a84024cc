//! The bodies of the fuzz targets in `fuzz/`, here so that the committed corpora and the
//! regression inputs in `vectors/fuzz-regressions/` replay as ordinary tests
//! (`tests/fuzz_corpus.rs`) without a nightly toolchain or cargo-fuzz. Not a public API.
//!
//! Every target is deterministic: fixed keys, a fresh replayed random pool per input, a
//! fixed clock, so an input always takes the same path.

use crate::prelude::*;
use alloc::sync::Arc;

use crate::client::{ClientConfig, ClientConnection};
use crate::conn::Connection;
use crate::crypto::sign::load_private_key;
use crate::crypto::verify::InsecureAcceptAnything;
use crate::enums::{ContentType, ProtocolVersion};
use crate::msgs::message::{HandshakeMessagePayload, MessagePayload};
use crate::rand::ReplayRandom;
use crate::record::deframer::Deframer;
use crate::record::joiner::HandshakeJoiner;
use crate::server::{CertifiedKey, ServerConfig, ServerConnection};
use crate::time::UnixTime;

/// The clock every target runs at.
pub const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

/// An Ed25519 key (PKCS#8 v1, seed of 7s) and its self-signed certificate for
/// `fuzz.example`, made once with `openssl req -x509`.
const KEY_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const CERT_HEX: &str = "308201313081e4a003020102020101300506032b657030173115301306035504030c0c66757a7a2e6578616d706c653020170d3236313132373033343832385a180f32313236313130333033343832385a30173115301306035504030c0c66757a7a2e6578616d706c65302a300506032b6570032100ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22ca3533051301d0603551d0e041604144c5ece4023a0341ee2acffcc4d17154a854f02e5301f0603551d230418301680144c5ece4023a0341ee2acffcc4d17154a854f02e5300f0603551d130101ff040530030101ff300506032b6570034100d73725bebf713f600e3a642fd6513c558e886113db00ff616a761669ae9b23328e1959cb4e0e30313e342c5c884756b44295e51a0e6526db9945ed5631c6ab0e";

fn random() -> Arc<ReplayRandom> {
    // Enough for every draw of one connection; fresh per input so inputs do not interact.
    Arc::new(ReplayRandom::new(vec![0x42; 4096]))
}

/// The server configuration of the `handshake` target (TLS 1.2 and 1.3, tickets off so
/// every input starts from the same state).
pub fn server_config() -> ServerConfig {
    let mut pkcs8 = KEY_PKCS8_PREFIX.to_vec();
    pkcs8.extend_from_slice(&[7u8; 32]);
    let cert = hex::decode(CERT_HEX).unwrap_or_default();
    let mut c = match load_private_key(&pkcs8) {
        Ok(key) => ServerConfig::new(CertifiedKey::new(vec![cert], key).into_iter().collect()),
        Err(_) => ServerConfig::new(Vec::new()),
    };
    c.random = random();
    c
}

/// The client configuration of the `client` target: any certificate is accepted (the
/// handshake signature is still checked), so a server flight recorded against this exact
/// ClientHello reaches the traffic state.
pub fn client_config(max_version: ProtocolVersion) -> ClientConfig {
    let mut c = ClientConfig::new(Arc::new(InsecureAcceptAnything));
    c.random = random();
    c.max_version = max_version;
    c
}

/// Feeds `input` to `conn` in reads of `chunk` bytes, processing after each, until it
/// is used up, refused or the connection fails.
fn feed(conn: &mut Connection, mut input: &[u8], chunk: usize) {
    let mut out = Vec::new();
    while !input.is_empty() {
        let n = conn.read_tls(&input[..chunk.min(input.len())]);
        input = &input[n..];
        let failed = conn.process(NOW).is_err();
        conn.write_tls(&mut out);
        out.clear();
        let mut plain = [0u8; 4096];
        while conn.read_plaintext(&mut plain) > 0 {}
        while conn.poll_event().is_some() {}
        if failed || n == 0 {
            break;
        }
    }
}

/// `handshake`: a server connection fed arbitrary client bytes; the first byte sets the
/// read size so record boundaries fall everywhere.
pub fn handshake(data: &[u8]) {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    let mut server = ServerConnection::new(Arc::new(server_config()), NOW)
        .expect("the default limits are valid");
    feed(&mut server, input, usize::from(split).max(1));
}

/// `client`: a client connection fed arbitrary server bytes. The first byte sets the read
/// size (bits 0-6) and the version offered (bit 7: TLS 1.2 only).
pub fn client(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let max = match selector & 0x80 {
        0 => ProtocolVersion::TLSv1_3,
        _ => ProtocolVersion::TLSv1_2,
    };
    let Ok(mut client) = ClientConnection::new(Arc::new(client_config(max)), "fuzz.example", NOW)
    else {
        return;
    };
    feed(&mut client, input, usize::from(selector & 0x7f).max(1));
}

/// The `client` target's client and the `handshake` target's server (both deterministic)
/// after up to four round trips, stopped early if either fails, with what each side sent,
/// in order.
struct Run {
    client: ClientConnection,
    server: ServerConnection,
    from_client: Vec<u8>,
    from_server: Vec<u8>,
}

fn run_handshake(max_version: ProtocolVersion) -> Option<Run> {
    let client =
        ClientConnection::new(Arc::new(client_config(max_version)), "fuzz.example", NOW).ok()?;
    let server = ServerConnection::new(Arc::new(server_config()), NOW)
        .expect("the default limits are valid");
    let mut run = Run {
        client,
        server,
        from_client: Vec::new(),
        from_server: Vec::new(),
    };
    let mut bytes = Vec::new();
    for _ in 0..4 {
        run.client.write_tls(&mut bytes);
        run.from_client.extend_from_slice(&bytes);
        run.server.read_tls(&bytes);
        bytes.clear();
        if run.server.process(NOW).is_err() {
            break;
        }
        run.server.write_tls(&mut bytes);
        run.from_server.extend_from_slice(&bytes);
        run.client.read_tls(&bytes);
        bytes.clear();
        if run.client.process(NOW).is_err() {
            break;
        }
    }
    Some(run)
}

/// What each side sent in [`run_handshake`]: the material of the seeds that start the
/// fuzzers from a complete handshake, Finished included.
fn record_handshake(max_version: ProtocolVersion) -> (Vec<u8>, Vec<u8>) {
    run_handshake(max_version)
        .map_or_else(Default::default, |run| (run.from_client, run.from_server))
}

/// A `client` seed: the selector byte (largest reads; bit 7 for TLS 1.2) and what our
/// server answers the target's ClientHello.
pub fn client_seed(max_version: ProtocolVersion) -> Vec<u8> {
    let selector = match max_version {
        ProtocolVersion::TLSv1_2 => 0x80 | 0x7f,
        _ => 0x7f,
    };
    let mut seed = vec![selector];
    seed.extend(record_handshake(max_version).1);
    seed
}

/// A `handshake` seed: the read-size byte and what the `client` target's client sends our
/// deterministic server.
pub fn handshake_seed(max_version: ProtocolVersion) -> Vec<u8> {
    let mut seed = vec![0xff];
    seed.extend(record_handshake(max_version).0);
    seed
}

/// `messages`: every content type's decoder; whatever decodes must re-encode to exactly
/// the input (the codec is canonical). The first byte picks the type and version.
pub fn messages(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let typ = match selector & 3 {
        0 => ContentType::Handshake,
        1 => ContentType::Alert,
        2 => ContentType::ChangeCipherSpec,
        _ => ContentType::ApplicationData,
    };
    let version = match selector & 4 {
        0 => ProtocolVersion::TLSv1_2,
        _ => ProtocolVersion::TLSv1_3,
    };
    if let Ok(m) = MessagePayload::read(typ, body, version) {
        let mut out = Vec::new();
        m.encode(&mut out);
        assert_eq!(out, body, "decode→encode must reproduce the input");
    }
}

/// `record`: the plaintext read path (deframer fed in arbitrary chunks, handshake joiner,
/// message decoding). Must never panic or grow without bound.
pub fn record(data: &[u8]) {
    let Some((&chunk, mut input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);
    let mut deframer = Deframer::new();
    let mut joiner = HandshakeJoiner::new();
    while !input.is_empty() {
        let n = deframer.read(&input[..chunk.min(input.len())]);
        input = &input[n..];
        loop {
            let record = match deframer.pop_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(_) => return,
            };
            if joiner.check_interleave(record.header.typ).is_err() {
                return;
            }
            if record.header.typ != ContentType::Handshake {
                continue;
            }
            if joiner.push(record.payload).is_err() {
                return;
            }
            while let Some(m) = joiner.pop() {
                let _ = HandshakeMessagePayload::read_bytes_version(
                    m.encoded,
                    ProtocolVersion::TLSv1_3,
                );
            }
        }
        if n == 0 && deframer.free_space() == 0 {
            return;
        }
    }
}

/// `in_place`: an established pair (the first byte's bit 0: TLS 1.2 or 1.3; its other
/// bits: how many bytes the transport delivers at a time) whose client opens in place what
/// the rest describes: chunks of `kind, length, bytes`, where kind 0 is raw bytes on the
/// wire and kinds 1-4 are records the server seals (so they decrypt) carrying the bytes as
/// application data, handshake, alert or ChangeCipherSpec content. Must never panic, loop
/// or lose its place.
pub fn in_place(data: &[u8]) {
    let Some((&selector, mut rest)) = data.split_first() else {
        return;
    };
    let version = match selector & 1 {
        0 => ProtocolVersion::TLSv1_2,
        _ => ProtocolVersion::TLSv1_3,
    };
    let step = usize::from(selector >> 1).max(1);
    let Some((mut client, mut server)) = established(version) else {
        return;
    };
    let mut wire = Vec::new();
    while let [kind, len, tail @ ..] = rest {
        let (bytes, next) = tail.split_at(usize::from(*len).min(tail.len()));
        rest = next;
        let typ = match kind % 5 {
            0 => {
                wire.extend_from_slice(bytes);
                continue;
            }
            1 => ContentType::ApplicationData,
            2 => ContentType::Handshake,
            3 => ContentType::Alert,
            _ => ContentType::ChangeCipherSpec,
        };
        if server.seal_any_for_fuzzing(typ, bytes, &mut wire).is_err() {
            return;
        }
    }
    // Offered `step` more bytes at a time; every call either takes a whole record or
    // waits for more, so this ends.
    let (mut at, mut received) = (0, 0);
    while at < wire.len() {
        received = (received + step).min(wire.len()).max(at);
        let Some(buf) = wire.get_mut(at..received) else {
            return;
        };
        match client.open_in_place(buf, NOW) {
            Ok(opened) if opened.consumed > 0 => {
                assert!(opened.consumed <= buf.len() && opened.plaintext.end <= opened.consumed);
                at += opened.consumed;
            }
            Ok(_) if received == wire.len() => return,
            Ok(_) => {}
            Err(_) => return,
        }
        while client.poll_event().is_some() {}
        let mut out = Vec::new();
        client.write_tls(&mut out);
    }
}

/// The `client` and `handshake` targets' client and server, through their handshake.
fn established(version: ProtocolVersion) -> Option<(ClientConnection, ServerConnection)> {
    let Run { client, server, .. } = run_handshake(version)?;
    let done = |c: &Connection| !c.is_handshaking() && c.error().is_none();
    (done(&client) && done(&server)).then_some((client, server))
}

/// Replays every file of `fuzz/corpus/<target>/` and `vectors/fuzz-regressions/<target>/`
/// under `root` (the repository) through `f`, panicking with the file's name if one
/// panics; returns how many inputs ran. The test side of every crate's fuzz targets.
/// std-only: it reads files and catches panics.
#[cfg(feature = "std")]
pub fn replay(root: &std::path::Path, target: &str, f: fn(&[u8])) -> usize {
    let mut count = 0;
    for dir in [
        root.join("fuzz/corpus").join(target),
        root.join("vectors/fuzz-regressions").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<std::path::PathBuf> =
            entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let outcome = std::panic::catch_unwind(|| f(&bytes));
            assert!(outcome.is_ok(), "{target}: {} panics", path.display());
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `in_place` target starts from a completed handshake in both versions (or it
    /// would fuzz nothing), and what its seeds seal arrives.
    #[test]
    fn the_in_place_target_reaches_traffic() {
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            let (mut client, mut server) = established(version).expect("handshake");
            let mut wire = Vec::new();
            server
                .seal_any_for_fuzzing(ContentType::ApplicationData, b"seed", &mut wire)
                .unwrap();
            let opened = client.open_in_place(&mut wire, NOW).unwrap();
            assert_eq!(&wire[opened.plaintext], b"seed");
        }
    }
}
