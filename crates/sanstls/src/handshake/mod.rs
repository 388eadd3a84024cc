//! Handshake cryptography shared by both sides: transcript hash and key schedules.
//!
//! - [`transcript`]: the running handshake hash, including the HelloRetryRequest rewrite;
//! - [`key_schedule`]: the TLS 1.3 key schedule (RFC 8446 s7) as one struct per stage;
//! - [`prf`]: the TLS 1.2 PRF and what is derived from it (RFC 5246 s5, RFC 7627, RFC 5705).

pub mod key_schedule;
pub mod prf;
pub mod transcript;

pub use key_schedule::SuiteHash;
