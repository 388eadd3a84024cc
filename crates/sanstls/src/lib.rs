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
//! The modules the handshakes are built on:
//! - [`codec`]: the symmetric wire codec (`Codec`, `Reader`, length-prefixed vectors);
//! - [`enums`]: the IANA wire enums, keeping unknown values;
//! - [`msgs`]: every TLS 1.2/1.3 handshake message and extension, alerts and CCS;
//! - [`record`]: the record layer: deframer, fragmenter and record protection;
//! - [`handshake`]: transcript hashing and key schedules;
//! - [`rand`]: the injected random source.
//!
//! What follows is `docs/engine.md`, included here so that its driving loop is compiled as a
//! doctest and cannot drift from the API.
//!
#![doc = include_str!("../../../docs/engine.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// True only in fuzzing builds (cargo-fuzz passes `--cfg fuzzing`): the Finished, PSK binder
/// and handshake signature checks are computed but not enforced, so the fuzzer's mutations
/// of the later handshake messages reach the states behind them (RFC-conformant builds,
/// tests included, never set it).
pub(crate) const FUZZING: bool = cfg!(fuzzing);

pub mod client;
pub mod codec;
pub mod conn;
pub mod crypto;
pub mod enums;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod handshake;
pub mod limits;
pub mod msgs;
pub mod rand;
pub mod record;
pub mod server;
pub(crate) mod session;
pub mod suites;
pub mod time;
pub(crate) mod tls12;
pub(crate) mod tls13;

pub use client::{ClientConfig, ClientConnection};
pub use conn::{Connection, Event, Opened, SealLayout};
pub use error::{Error, InvalidMessage};
pub use limits::Limits;
pub use server::{ServerConfig, ServerConnection};
pub use time::UnixTime;
