//! # sanstls-node: the Node.js `tls` module in Rust
//!
//! The Node-semantics facade (`SecureContext`, `Server`, `TlsSocket`, `connect`, events)
//! over any transport is being built (issue 7). Today it has [`TlsSocket`] (a TLS
//! connection over any `Read + Write`, client or server side, with Node's getters and
//! events), [`TlsError`] (Node's error codes), [`ciphers`] (Node's `ciphers` strings in
//! OpenSSL's format, `DEFAULT_CIPHERS`, `getCiphers()`) and [`info`] (the objects of
//! `getCipher()` and `getEphemeralKeyInfo()`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ciphers;
pub mod connect;
pub mod context;
pub mod error;
pub mod info;
pub mod server;
pub mod socket;

pub use ciphers::{get_ciphers, DEFAULT_CIPHERS};
pub use connect::{connect, connect_over, ConnectOptions};
pub use context::{create_secure_context, SecureContext, SecureContextOptions};
pub use error::TlsError;
pub use server::{create_server, Server, ServerOptions};
pub use socket::TlsSocket;
