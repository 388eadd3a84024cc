//! # sanstls: a sans-IO TLS 1.2/1.3 engine
//!
//! The engine never touches a socket, a clock, a thread or global randomness: the caller
//! feeds it bytes and the current time, supplies a random source, and collects bytes and
//! events. See `docs/architecture.md` for the layers and the data flow.
//!
//! The entry points are [`ClientConnection`] and [`ServerConnection`], configured by
//! [`ClientConfig`] and [`ServerConfig`]; `examples/client.rs` runs the driving loop shown
//! below. Certificates are verified through the traits of [`crypto::verify`]; the
//! `sanstls-pki` crate implements them in full.
//!
//! The public modules: [`client`] and [`server`] (connections, configurations, sessions),
//! [`conn`] (what both sides share: events, the negotiated report, zero-copy records),
//! [`crypto`] (verifier traits, signing keys, key exchange), [`suites`], [`enums`] (the IANA
//! wire enums, keeping unknown values), [`error`], [`limits`], [`rand`] (the injected random
//! source) and [`time`]. The codec, the messages, the record layer and the key schedules
//! underneath are private (`docs/architecture.md` describes them), so they can change
//! without breaking a caller.
//!
//! What follows is `docs/engine.md`, included here so that its driving loop is compiled as a
//! doctest and cannot drift from the API.
//!
#![doc = include_str!("../../../docs/engine.md")]
#![forbid(unsafe_code)]
// Without the default `std` feature the engine is `no_std` + `alloc` (docs/engine.md, "no_std").
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

// `vec!` and `format!` come from alloc's macros without std (std's prelude has them otherwise).
#[cfg_attr(not(feature = "std"), macro_use)]
extern crate alloc;

/// What std's prelude gives and `no_std` does not: every module that allocates imports it, so
/// the same code builds with and without the `std` feature.
#[allow(unused_imports)]
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec::Vec;
}

/// True only in fuzzing builds (cargo-fuzz passes `--cfg fuzzing`): the Finished, PSK binder
/// and handshake signature checks are computed but not enforced, so the fuzzer's mutations
/// of the later handshake messages reach the states behind them (RFC-conformant builds,
/// tests included, never set it).
pub(crate) const FUZZING: bool = cfg!(fuzzing);

pub mod client;
mod codec;
pub mod conn;
pub mod crypto;
pub mod enums;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
pub mod limits;
mod msgs;
pub mod psk;
pub mod rand;
mod record;
pub mod server;
pub(crate) mod session;
pub mod suites;
pub mod time;
pub(crate) mod tls12;
pub(crate) mod tls13;

pub use client::{ClientConfig, ClientConnection};
pub use conn::{
    record_len, Connection, DirectionSecrets, Event, ExtractError, ExtractedSecrets, Opened,
    SealLayout, TrafficCipher,
};
pub use error::{Error, InvalidMessage};
pub use limits::Limits;
pub use server::{ServerConfig, ServerConnection};
pub use time::UnixTime;

/// The wire codecs, messages, record layer and key schedule, reachable for this crate's
/// integration tests (the hostile-peer suite builds and alters messages with them), benches
/// and fuzz targets. Not part of the API: no documentation, no stability promise.
#[doc(hidden)]
pub mod internal {
    /// The wire codec.
    pub mod codec {
        pub use crate::codec::*;
    }
    /// The handshake messages.
    pub mod msgs {
        pub use crate::msgs::*;
    }
    /// The record layer.
    pub mod record {
        pub use crate::record::*;
    }
    /// Key schedules and transcripts.
    pub mod handshake {
        pub use crate::handshake::*;
    }
    /// Every field of a client session, to forge or alter one.
    pub use crate::client::SessionParts;
}
