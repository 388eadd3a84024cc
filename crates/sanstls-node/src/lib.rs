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

/// `tls.rootCertificates`: the Mozilla root set Node bundles (and `ca` defaults to), PEM.
pub fn root_certificates() -> Vec<String> {
    sanstls_pki::roots::mozilla_roots()
        .iter()
        .map(|der| sanstls_pki::pem::encode("CERTIFICATE", der))
        .collect()
}

/// Node's `tls.CLIENT_RENEG_LIMIT`.
pub const CLIENT_RENEG_LIMIT: usize = sanstls::CLIENT_RENEG_LIMIT;
/// Node's `tls.CLIENT_RENEG_WINDOW`, in seconds.
pub const CLIENT_RENEG_WINDOW: u64 = sanstls::CLIENT_RENEG_WINDOW_SECS;
pub use context::{DEFAULT_ECDH_CURVE, DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION};
