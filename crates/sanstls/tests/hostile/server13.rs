//! Cases: a scripted TLS 1.3 client against our server.

use crate::harness::*;
use crate::script13::Client13;

pub fn cases() -> Vec<Case> {
    vec![case("a correct client completes the handshake", || {
        Client13::handshake(server_config());
    })]
}
