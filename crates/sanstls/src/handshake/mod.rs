//! Handshake cryptography shared by both sides: transcript hash and key schedules.

pub mod key_schedule;
pub mod prf;
pub mod transcript;
