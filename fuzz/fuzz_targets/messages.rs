//! Every handshake message and record content type: decoding arbitrary bytes must never
//! panic, and whatever decodes must re-encode to exactly the input (the codec is canonical).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanstls::enums::{ContentType, ProtocolVersion};
use sanstls::msgs::message::MessagePayload;

fuzz_target!(|data: &[u8]| {
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
});
