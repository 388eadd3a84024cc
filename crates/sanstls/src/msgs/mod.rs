//! Typed TLS messages: one file per message family.

pub mod alert;
pub mod base;
pub mod ccs;
pub mod certificate;
pub mod extensions;
pub mod handshake;
pub mod hello;
pub mod kx;
pub mod message;
#[cfg(test)]
pub(crate) mod strategies;
#[cfg(test)]
mod test_vectors;
