//! A server connection fed arbitrary client bytes, in several reads: whatever arrives, the
//! engine must answer with bytes or a typed error, never a panic, a hang or unbounded
//! memory.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use sanstls::crypto::sign::load_private_key;
use sanstls::rand::ReplayRandom;
use sanstls::server::{CertifiedKey, ServerConfig, ServerConnection};
use sanstls::UnixTime;

/// A fixed Ed25519 key (PKCS#8) and a matching self-signed certificate are not needed for
/// the parser paths the fuzzer reaches first; signing uses whatever key loads.
fn config() -> Arc<ServerConfig> {
    static CONFIG: OnceLock<Arc<ServerConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            // Ed25519 PKCS#8 v1 with a fixed seed.
            let mut pkcs8 = hex_bytes("302e020100300506032b657004220420");
            pkcs8.extend_from_slice(&[7u8; 32]);
            let key = load_private_key(&pkcs8).expect("fixed key");
            let mut c = ServerConfig::new(vec![CertifiedKey {
                chain: vec![vec![0x30, 0x00]],
                key,
                ocsp_response: None,
            }]);
            // Deterministic: the same input always takes the same path.
            c.random = Arc::new(ReplayRandom::new(vec![0x42; 4096]));
            Arc::new(c)
        })
        .clone()
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fuzz_target!(|data: &[u8]| {
    let now = UnixTime::from_secs(1_900_000_000);
    let mut server = ServerConnection::new(config(), now);
    // The first byte picks the read size, so record boundaries fall everywhere.
    let Some((&split, mut input)) = data.split_first() else { return };
    let chunk = usize::from(split).max(1);
    let mut out = Vec::new();
    while !input.is_empty() {
        let n = server.read_tls(&input[..chunk.min(input.len())]);
        input = &input[n..];
        let failed = server.process(now).is_err();
        server.write_tls(&mut out);
        if failed || n == 0 {
            break;
        }
    }
});
