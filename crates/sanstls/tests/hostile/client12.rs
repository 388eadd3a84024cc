//! Cases: our TLS 1.2 client against a scripted server.

use crate::harness::*;
use crate::script12::Server12;

pub fn cases() -> Vec<Case> {
    vec![case("a correct server completes the handshake", || {
        Server12::handshake(client_config());
    })]
}
