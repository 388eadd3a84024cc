//! # sanstls-node: the Node.js `tls` module in Rust
//!
//! The Node-semantics facade (`SecureContext`, `Server`, `TlsSocket`, `connect`, events)
//! over any transport is being built (issue 7). Today it has [`ciphers`]: Node's `ciphers`
//! strings in OpenSSL's format, `DEFAULT_CIPHERS` and `getCiphers()`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ciphers;

pub use ciphers::{get_ciphers, DEFAULT_CIPHERS};
