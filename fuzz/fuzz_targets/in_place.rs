//! See `sanstls::fuzzing::in_place` (the body lives there so that the corpus replays as a
//! plain `cargo test`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sanstls::fuzzing::in_place(data));
