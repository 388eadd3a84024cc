//! Cryptographic building blocks the handshakes call: key exchange, signing, verification.
//!
//! (Interface placeholder on main; the implementations land from the `crypto` branch.)

pub mod ffdhe;
pub mod kx;
pub mod sign;
pub mod verify;
