//! Bulk transfer: MB/s of application data through an established pair, 16 KiB writes.
//!
//! Sending is timed from `send` to the TLS bytes in the caller's buffer; receiving from the
//! TLS bytes offered to the connection to the plaintext in the caller's buffer.

use std::time::{Duration, Instant};

use crate::endpoint::{ours_new, theirs_new, Endpoint};
use crate::handshake::{complete, Split};
use crate::in_place;
use crate::setup::{self, Aead, Choice, KeyType, Kx, Pki, Resume, Version};
use crate::{Better, Budget, Lib, Row, Samples};

pub(crate) const WRITE: usize = 16 * 1024;

/// A connected pair, client and server.
pub(crate) struct Pair<C, S> {
    pub(crate) client: C,
    pub(crate) server: S,
}

/// Takes a new pair through its handshake (each side offers one suite only, see setup.rs,
/// so a completed handshake used it).
pub(crate) fn connected<C: Endpoint, S: Endpoint>((mut client, mut server): (C, S)) -> Pair<C, S> {
    let (mut wire, mut scratch) = (Vec::new(), vec![0; WRITE]);
    let mut t = Split::default();
    complete(&mut client, &mut server, &mut wire, &mut scratch, &mut t);
    Pair { client, server }
}

/// Client-to-server MB/s: (sending, receiving). Each 16 KiB write is sealed by the client
/// (timed as sending) and then opened by the server (timed as receiving).
fn measure<C: Endpoint, S: Endpoint>(pair: &mut Pair<C, S>, bytes: usize) -> (f64, f64) {
    let data = vec![0x5a; WRITE];
    let mut scratch = vec![0; WRITE];
    let writes = bytes / WRITE;
    let mut wire = Vec::with_capacity(2 * WRITE);
    let (mut send, mut recv) = (Duration::ZERO, Duration::ZERO);
    let mut received = 0;
    for _ in 0..writes {
        wire.clear();
        let t0 = Instant::now();
        pair.client.send(&data);
        pair.client.write_tls(&mut wire);
        let t1 = Instant::now();
        received += pair.server.read_tls(&wire, &mut scratch);
        recv += t1.elapsed();
        send += t1 - t0;
    }
    assert_eq!(received, writes * WRITE, "not all the data arrived");
    rates(writes, send, recv)
}

/// MB/s (sending, receiving) for `writes` writes of 16 KiB in the times given.
pub(crate) fn rates(writes: usize, send: Duration, recv: Duration) -> (f64, f64) {
    let mb = (writes * WRITE) as f64 / 1e6;
    (mb / send.as_secs_f64(), mb / recv.as_secs_f64())
}

/// ring sealing 16 KiB buffers in place, nothing else: the most any TLS stack on ring can
/// reach with this AEAD.
fn ceiling(aead: Aead, bytes: usize) -> f64 {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey};
    let key = vec![7; aead.ring().key_len()];
    let key = LessSafeKey::new(UnboundKey::new(aead.ring(), &key).expect("key"));
    let mut buf = vec![0x5a; WRITE];
    let writes = bytes / WRITE;
    let t0 = Instant::now();
    for i in 0..writes {
        let mut nonce = [0; 12];
        nonce[4..].copy_from_slice(&(i as u64).to_be_bytes());
        let tag = key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from([0; 5]),
                &mut buf,
            )
            .expect("seal");
        let _ = std::hint::black_box(tag);
    }
    (writes * WRITE) as f64 / 1e6 / t0.elapsed().as_secs_f64()
}

pub(crate) fn run(pki: &Pki, budget: Budget, wanted: &dyn Fn(&str) -> bool) -> Vec<Row> {
    let mut rows = Vec::new();
    for aead in Aead::ALL {
        // The ceiling is measured in every repeat, next to the transfers, so the fraction
        // of it each transfer reaches compares runs made under the same conditions.
        let mut ceil = Samples::default();
        let ceiling_name = format!("ceiling {} (ring seal, 16 KiB)", aead.name());
        let mut bulk_rows = Vec::new();
        for version in [Version::Tls12, Version::Tls13] {
            let base = format!("bulk {} {}", version.name(), aead.name());
            let directions = ["send", "recv", "send in place", "recv in place"];
            if !directions.iter().any(|d| wanted(&format!("{base} {d}"))) {
                continue;
            }
            eprintln!(
                "{base}: {} MiB x {} repeats",
                budget.bulk_bytes >> 20,
                budget.repeats
            );
            let choice = Choice {
                version,
                aead,
                key: KeyType::Ecdsa,
                resume: Resume::No,
                kx: Kx::X25519,
            };
            let (client, server) = setup::ours(pki, choice);
            let mut ours = connected(ours_new(&client, &server, None));
            let (client, server) = setup::theirs(pki, choice);
            let mut theirs = connected(theirs_new(&client, &server));
            // Per flavour (buffered, in place) and direction (send, recv): each library's
            // samples, and sanstls's fraction of the ceiling.
            let mut samples: [[(Samples, Samples, Samples); 2]; 2] = Default::default();
            for repeat in 0..budget.repeats {
                let c = ceiling(aead, budget.bulk_bytes);
                ceil.push(c);
                for lib in Lib::order(repeat) {
                    let bytes = budget.bulk_bytes;
                    let rates = match lib {
                        Lib::Sanstls => [
                            measure(&mut ours, bytes),
                            in_place::ours(pki, choice, bytes),
                        ],
                        Lib::Rustls => [
                            measure(&mut theirs, bytes),
                            in_place::theirs(pki, choice, bytes),
                        ],
                    };
                    for (flavour, (send, recv)) in rates.into_iter().enumerate() {
                        for (direction, rate) in [send, recv].into_iter().enumerate() {
                            let (ours, theirs, of_ceiling) = &mut samples[flavour][direction];
                            match lib {
                                Lib::Sanstls => {
                                    ours.push(rate);
                                    of_ceiling.push(rate / c);
                                }
                                Lib::Rustls => theirs.push(rate),
                            }
                        }
                    }
                }
            }
            for (flavour, by_direction) in ["", " in place"].into_iter().zip(samples) {
                for (direction, (ours, theirs, of_ceiling)) in
                    ["send", "recv"].into_iter().zip(by_direction)
                {
                    bulk_rows.push(Row {
                        scenario: format!("{base} {direction}{flavour}"),
                        sanstls: ours,
                        rustls: Some(theirs),
                        unit: "MB/s",
                        better: Better::Higher,
                        of_ceiling: Some(of_ceiling),
                    });
                }
            }
        }
        if wanted(&ceiling_name) {
            if ceil.is_empty() {
                for _ in 0..budget.repeats {
                    ceil.push(ceiling(aead, budget.bulk_bytes));
                }
            }
            rows.push(Row {
                scenario: ceiling_name,
                sanstls: ceil,
                rustls: None,
                unit: "MB/s",
                better: Better::Higher,
                of_ceiling: None,
            });
        }
        rows.extend(bulk_rows);
    }
    rows
}
