//! Cases: a scripted TLS 1.2 client against our server.

use crate::harness::*;
use crate::script12::Client12;

pub fn cases() -> Vec<Case> {
    vec![case("a correct client completes the handshake", || {
        Client12::handshake(server_config());
    })]
}
