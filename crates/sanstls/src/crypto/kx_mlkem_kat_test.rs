//! Known answers for ML-KEM (FIPS 203), the KEM half of the hybrid groups, run through the
//! functions the key exchange itself calls ([`MlKem::generate`], [`MlKem::encapsulate`],
//! [`DecapsulationKey::decapsulate`]) with their randomness injected as in a handshake.
//!
//! The vectors are accumulated ones (`vectors/mlkem/accumulated.txt`, whose README gives
//! their sources): every input comes from one SHAKE-128 stream and every output goes into
//! another, whose digest is published. Thousands of random cases so reach the edge values
//! of the arithmetic without thousands of stored vectors.

use shake::{ExtendableOutput, Shake128, Update, XofReader};

use super::*;
use crate::rand::ReplayRandom;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/mlkem/accumulated.txt"
);

/// The file's (parameter set, number of tests, digest) lines. Anything else but comments
/// and blank lines fails, so a line we misread cannot silently check less.
fn published() -> Vec<(MlKem, usize, String)> {
    let text = std::fs::read_to_string(PATH).expect("vectors/mlkem/accumulated.txt");
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [set, count, digest] = fields[..] else {
            panic!("malformed line {line:?}");
        };
        let kem = match set {
            "ML-KEM-768" => MlKem::Kem768,
            "ML-KEM-1024" => MlKem::Kem1024,
            _ => panic!("unknown parameter set {set:?}"),
        };
        assert_eq!(digest.len(), 64, "{line:?}");
        out.push((kem, count.parse().unwrap(), digest.to_string()));
    }
    out
}

/// The accumulated test, `n` rounds. Each round draws from the input stream d||z (64
/// bytes), m (32) and a random ciphertext, and absorbs into the output: ek, the
/// ciphertext and key of Encaps(ek, m) (Decaps must give the same key back), and the key
/// Decaps gives for the random ciphertext (implicit rejection). The digest is the first
/// 32 bytes of the output stream.
fn accumulated(kem: MlKem, n: usize) -> String {
    let mut input = Shake128::default().finalize_xof();
    let mut output = Shake128::default();
    let (mut seed, mut m) = ([0u8; 64], [0u8; 32]);
    let mut random_ct = vec![0u8; kem.ct_len()];
    for round in 0..n {
        input.read(&mut seed);
        let (dk, ek) = kem.generate(&ReplayRandom::new(seed.to_vec())).unwrap();
        assert_eq!(ek.len(), kem.ek_len());
        output.update(&ek);
        input.read(&mut m);
        let (ct, k) = kem
            .encapsulate(&ek, &ReplayRandom::new(m.to_vec()))
            .unwrap();
        assert_eq!(ct.len(), kem.ct_len());
        output.update(&ct);
        output.update(&k);
        assert_eq!(*dk.decapsulate(&ct).unwrap(), *k, "round {round}");
        input.read(&mut random_ct);
        output.update(&dk.decapsulate(&random_ct).unwrap());
    }
    let mut digest = [0u8; 32];
    output.finalize_xof().read(&mut digest);
    hex::encode(digest)
}

#[test]
fn the_input_stream_is_shake128_of_nothing() {
    // The start of SHAKE-128("") (FIPS 202), which CCTV's README also quotes.
    let mut start = [0u8; 16];
    Shake128::default().finalize_xof().read(&mut start);
    assert_eq!(hex::encode(start), "7f9c2ba4e88f827d616045507605853e");
}

/// Runs every published digest for `counts` tests; returns which parameter sets ran.
fn check(counts: impl Fn(usize) -> bool) -> Vec<MlKem> {
    let mut ran = Vec::new();
    for (kem, n, expected) in published().into_iter().filter(|(_, n, _)| counts(*n)) {
        assert_eq!(accumulated(kem, n), expected, "{kem:?}, {n} tests");
        ran.push(kem);
    }
    ran
}

#[test]
fn accumulated_known_answers_of_100_tests() {
    // Only ML-KEM-768 has a published 100-test digest (Go's, for `go test -short`).
    assert_eq!(check(|n| n <= 100), [MlKem::Kem768]);
}

#[test]
#[ignore = "20,000 unoptimised rounds take about six minutes; run with --ignored (or --release)"]
fn accumulated_known_answers_of_10000_tests() {
    assert_eq!(check(|n| n > 100), [MlKem::Kem768, MlKem::Kem1024]);
}
