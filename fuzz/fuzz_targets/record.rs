//! The plaintext read path: deframer (fed in arbitrary chunk sizes), handshake joiner and
//! message decoding. Must never panic or grow without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanstls::enums::{ContentType, ProtocolVersion};
use sanstls::msgs::message::HandshakeMessagePayload;
use sanstls::record::deframer::Deframer;
use sanstls::record::joiner::HandshakeJoiner;

fuzz_target!(|data: &[u8]| {
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
});
