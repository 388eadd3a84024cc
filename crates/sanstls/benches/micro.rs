//! Criterion micro-benchmarks of the engine's hot paths:
//! `cargo bench -p sanstls --bench micro [-- FILTER]`.
//!
//! - `record/seal` and `record/open`: record protection of one full 16 KiB record, per
//!   AEAD, TLS 1.3 (sealing appends to a reused buffer; opening decrypts in place);
//! - `deframer`: taking one full record in and handing it out;
//! - `codec/client_hello`: decoding and re-encoding a real ClientHello;
//! - `connection`: a whole 16 KiB `send` + `write_tls`, and `read_tls` + `process` +
//!   `read_plaintext`, through an established TLS 1.3 pair;
//! - `kx`: each side's key exchange work in a TLS 1.3 handshake, per group, with the
//!   operating system's random source (the client's key generation and completion, the
//!   server's answer to a share).
//!
//! The side-by-side comparison with rustls is `cargo xtask bench` (benches/versus).

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sanstls::enums::{ContentType, ProtocolVersion};
use sanstls::fuzzing::{client_config, server_config};
use sanstls::internal::codec::Codec;
use sanstls::internal::msgs::message::HandshakeMessagePayload;
use sanstls::internal::record::deframer::Deframer;
use sanstls::internal::record::header::{RecordHeader, HEADER_LEN};
use sanstls::internal::record::protect::{AeadAlgorithm, RecordOpener, RecordSealer};
use sanstls::{ClientConnection, Connection, ServerConnection, UnixTime};

const RECORD: usize = 16 * 1024;
const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);
const ALGS: [(AeadAlgorithm, &str); 3] = [
    (AeadAlgorithm::Aes128Gcm, "aes128gcm"),
    (AeadAlgorithm::Aes256Gcm, "aes256gcm"),
    (AeadAlgorithm::ChaCha20Poly1305, "chacha20poly1305"),
];

fn keys(alg: AeadAlgorithm) -> (Vec<u8>, Vec<u8>) {
    (vec![7; alg.key_len()], vec![9; alg.iv_len()])
}

fn record_protection(c: &mut Criterion) {
    let mut g = c.benchmark_group("record");
    g.throughput(Throughput::Bytes(RECORD as u64));
    let data = vec![0x5a; RECORD];
    for (alg, name) in ALGS {
        let (key, iv) = keys(alg);
        let mut sealer = RecordSealer::tls13(alg, &key, &iv).unwrap();
        let mut out = Vec::with_capacity(2 * RECORD);
        g.bench_function(format!("seal/{name}"), |b| {
            b.iter(|| {
                out.clear();
                sealer
                    .seal(ContentType::ApplicationData, &data, &mut out)
                    .unwrap();
            })
        });

        // One record sealed at sequence 0, opened by a fresh opener each time (the setup,
        // key expansion and the copy of the record, is not timed).
        let mut sealed = Vec::new();
        RecordSealer::tls13(alg, &key, &iv)
            .unwrap()
            .seal(ContentType::ApplicationData, &data, &mut sealed)
            .unwrap();
        g.bench_function(format!("open/{name}"), |b| {
            b.iter_batched(
                || (RecordOpener::tls13(alg, &key, &iv).unwrap(), sealed.clone()),
                |(mut opener, mut record)| {
                    let header = RecordHeader::read_bytes(&record[..HEADER_LEN]).unwrap();
                    let payload = &mut record[HEADER_LEN..];
                    opener
                        .open_in_place(&header, payload)
                        .unwrap()
                        .payload
                        .len()
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn deframing(c: &mut Criterion) {
    let mut g = c.benchmark_group("deframer");
    g.throughput(Throughput::Bytes(RECORD as u64));
    let (key, iv) = keys(AeadAlgorithm::Aes128Gcm);
    let mut record = Vec::new();
    RecordSealer::tls13(AeadAlgorithm::Aes128Gcm, &key, &iv)
        .unwrap()
        .seal(ContentType::ApplicationData, &vec![1; RECORD], &mut record)
        .unwrap();
    let mut d = Deframer::new();
    d.set_max_payload_len(RECORD + 256).unwrap();
    g.bench_function("read_and_pop/16k", |b| {
        b.iter(|| {
            assert_eq!(d.read(&record), record.len());
            d.pop_record().unwrap().unwrap().payload.len()
        })
    });
    g.finish();
}

fn codec(c: &mut Criterion) {
    // A real ClientHello: what our client sends, without the record header.
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_3));
    let mut conn = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let mut wire = Vec::new();
    conn.write_tls(&mut wire);
    let hello = wire[5..].to_vec();
    let mut g = c.benchmark_group("codec");
    g.throughput(Throughput::Bytes(hello.len() as u64));
    g.bench_function("client_hello/decode", |b| {
        b.iter(|| {
            HandshakeMessagePayload::read_bytes_version(&hello, ProtocolVersion::TLSv1_2).unwrap()
        })
    });
    let decoded =
        HandshakeMessagePayload::read_bytes_version(&hello, ProtocolVersion::TLSv1_2).unwrap();
    assert_eq!(decoded.get_encoding(), hello, "the codec is symmetric");
    g.bench_function("client_hello/encode", |b| b.iter(|| decoded.get_encoding()));
    g.finish();
}

/// An established TLS 1.3 pair (the fuzz targets' fixed keys).
fn pair() -> (ClientConnection, ServerConnection) {
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_3));
    let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let mut s = ServerConnection::new(Arc::new(server_config()), NOW).unwrap();
    for _ in 0..8 {
        move_bytes(&mut c, &mut s);
        move_bytes(&mut s, &mut c);
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
    (c, s)
}

fn move_bytes(from: &mut Connection, to: &mut Connection) {
    let mut wire = Vec::new();
    from.write_tls(&mut wire);
    assert_eq!(to.read_tls(&wire), wire.len());
    to.process(NOW).unwrap();
}

fn connection(c: &mut Criterion) {
    let mut g = c.benchmark_group("connection");
    g.throughput(Throughput::Bytes(RECORD as u64));
    let data = vec![0x5a; RECORD];
    // The server end is kept alive but never reads: sending does not wait for it.
    let (mut client, _server) = pair();
    let mut wire = Vec::with_capacity(2 * RECORD);
    let mut plain = vec![0; RECORD];
    g.bench_function("send_write_tls/16k", |b| {
        b.iter(|| {
            wire.clear();
            client.send(&data).unwrap();
            client.write_tls(&mut wire)
        })
    });
    // Receiving: the same record bytes cannot be replayed (sequence numbers), so each
    // iteration receives what the client seals in the untimed setup.
    let (mut client, mut server2) = pair();
    g.bench_function("read_tls_process_read/16k", |b| {
        b.iter_batched(
            || {
                let mut w = Vec::with_capacity(2 * RECORD);
                client.send(&data).unwrap();
                client.write_tls(&mut w);
                w
            },
            |w| {
                assert_eq!(server2.read_tls(&w), w.len());
                server2.process(NOW).unwrap();
                assert_eq!(server2.read_plaintext(&mut plain), RECORD);
            },
            BatchSize::LargeInput,
        )
    });
    // The zero-copy path: the plaintext is already in the record buffer; each sealed
    // record is opened in place by the server, which leaves the plaintext where the next
    // record's goes.
    let (mut client, mut server3) = pair();
    let layout = client.seal_layout().unwrap();
    let mut buf = vec![0x5a; layout.buffer_len(RECORD)];
    g.bench_function("seal_in_place_open_in_place/16k", |b| {
        b.iter(|| {
            let n = client.seal_in_place(&mut buf, RECORD).unwrap();
            let opened = server3.open_in_place(&mut buf[..n], NOW).unwrap();
            assert_eq!(opened.plaintext.len(), RECORD);
        })
    });
    // A 1 KiB request and its echo, with the release an event loop may make when both
    // connections go quiet (`release_idle_memory`: buffers and expanded keys given back,
    // so each direction's next record expands its key again) and without.
    g.throughput(Throughput::Bytes(1024));
    for release in [false, true] {
        let (mut client, mut server) = pair();
        let request = [0x5a; 1024];
        let mut got = [0; 1024];
        let name = match release {
            false => "echo/1k",
            true => "echo_release_idle_memory/1k",
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                client.send(&request).unwrap();
                move_bytes(&mut client, &mut server);
                assert_eq!(server.read_plaintext(&mut got), 1024);
                server.send(&got).unwrap();
                move_bytes(&mut server, &mut client);
                assert_eq!(client.read_plaintext(&mut got), 1024);
                if release {
                    assert!(client.release_idle_memory() && server.release_idle_memory());
                }
            })
        });
    }
    g.finish();
}

fn key_exchange(c: &mut Criterion) {
    use sanstls::crypto::kx::KeyExchange;
    use sanstls::enums::NamedGroup;
    let rng = sanstls::rand::SystemRandom::new();
    let mut g = c.benchmark_group("kx");
    for (group, name) in [
        (NamedGroup::X25519, "x25519"),
        (NamedGroup::secp256r1, "p256"),
        (NamedGroup::X25519MLKEM768, "x25519mlkem768"),
    ] {
        g.bench_function(format!("client_start/{name}"), |b| {
            b.iter(|| KeyExchange::start(group, &rng).unwrap())
        });
        let share = KeyExchange::start(group, &rng)
            .unwrap()
            .public_key()
            .to_vec();
        g.bench_function(format!("server_accept/{name}"), |b| {
            b.iter(|| KeyExchange::accept(group, &share, &rng).unwrap())
        });
        g.bench_function(format!("client_complete/{name}"), |b| {
            b.iter_batched(
                || {
                    let kx = KeyExchange::start(group, &rng).unwrap();
                    let (answer, _) = KeyExchange::accept(group, kx.public_key(), &rng).unwrap();
                    (kx, answer)
                },
                |(kx, answer)| kx.complete(&answer).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    record_protection,
    deframing,
    codec,
    connection,
    key_exchange
);
criterion_main!(benches);
