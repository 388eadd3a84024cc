//! Cryptographic building blocks the handshakes call: key exchange, signing, verification.

pub mod ffdhe;
pub mod kx;
pub mod sign;
pub mod verify;
