//! See `sanstls_node::ciphers::fuzz_cipher_string` (the body lives there so that the corpus
//! replays as a plain `cargo test`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sanstls_node::ciphers::fuzz_cipher_string(data));
