//! # sanstls-node: the Node.js `tls` module in Rust
//!
//! The Node-semantics facade (`SecureContext`, `Server`, `TlsSocket`, `connect`, events)
//! over any `Read + Write` transport (docs/node-api.md maps every item of Node's
//! documentation to its Rust name and says what is not done yet):
//!
//! - [`create_secure_context`] / [`SecureContextOptions`]: keys, certificates, trust,
//!   ciphers and versions, with Node's defaults and option checks.
//! - [`create_server`] / [`Server`]: a threaded TCP server with `addContext`,
//!   `SNICallback`, `newSession`/`resumeSession`, `OCSPRequest`, `tlsClientError`.
//! - [`connect`] / [`connect_over`]: clients over TCP, Unix sockets or any duplex.
//! - [`TlsSocket`]: one connection, itself `Read + Write`, with Node's getters and events;
//!   [`TlsSocketOptions`] for Node's `new TLSSocket(socket, options)`; [`TlsSocketApi`]: the
//!   getters written once for every socket; [`split`]: a reader and a writer for two threads.
//! - `async_tokio` (feature `tokio`): the same on tokio, with the server's hooks awaited.
//! - [`answer`]: Node's callback argument for the server's hooks, answerable later.
//! - [`stream::Stream`]: the blocking driver under `TlsSocket`, for a bare engine connection
//!   over any transport (it honours the handshake deadline).
//! - [`X509Certificate`]: Node's `crypto.X509Certificate`, also what
//!   `TlsSocket::get_peer_x509_certificate` returns; [`trust`]: `getCACertificates`,
//!   `setDefaultCACertificates`, the system store and `NODE_EXTRA_CA_CERTS`; [`trace`]:
//!   `enableTrace`.
//! - [`TlsError`]: Node's error codes; [`ciphers`]: OpenSSL cipher strings; [`info`]: the
//!   objects of `getCipher()` and `getEphemeralKeyInfo()`.
//! - [`defaults`]: the process-wide `tls.DEFAULT_*` and `CLIENT_RENEG_*` values, settable
//!   as in Node; [`constants`]: `crypto.constants`' `SSL_OP_*` bits for `secureOptions`.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use sanstls_node::{connect, ConnectOptions};
//!
//! let mut socket = connect(&ConnectOptions {
//!     host: "example.com".into(),
//!     port: 443,
//!     ..Default::default()
//! })?;
//! socket.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//! let mut page = String::new();
//! socket.read_to_string(&mut page)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod answer;
#[cfg(feature = "tokio")]
pub mod async_tokio;
pub mod ciphers;
pub mod connect;
pub mod constants;
pub mod context;
pub mod defaults;
pub mod error;
pub mod groups;
pub mod info;
pub mod secure_pair;
pub mod server;
pub mod sigalgs;
pub mod socket;
pub mod socket_api;
pub mod socket_options;
pub mod split;
pub mod stream;
pub mod trace;
pub mod trust;
pub mod x509;

pub use ciphers::{get_ciphers, DEFAULT_CIPHERS};
pub use connect::{connect, connect_over, ConnectOptions};
pub use context::{create_secure_context, SecureContext, SecureContextOptions};
pub use error::TlsError;
/// Node's `tls.checkServerIdentity(hostname, cert)`, the check `connect` uses by default.
pub use sanstls_pki::identity::check_server_identity;
/// What the options take from sanstls-pki, so that one dependency is enough.
pub use sanstls_pki::{cert::PeerCertificate, keys::KeyInput, pkcs12::PfxInput};
pub use secure_pair::{create_secure_pair, SecurePair};
pub use server::{create_server, Server, ServerOptions};
pub use socket::TlsSocket;
pub use socket_api::{TlsSocketApi, TlsState};
pub use socket_options::TlsSocketOptions;
pub use trust::{get_ca_certificates, set_default_ca_certificates, CaType};
pub use x509::X509Certificate;

/// `tls.rootCertificates`: the Mozilla root set Node bundles (and `ca` defaults to), PEM.
pub fn root_certificates() -> Vec<String> {
    sanstls_pki::roots::mozilla_roots()
        .iter()
        .map(|der| sanstls_pki::pem::encode("CERTIFICATE", der))
        .collect()
}

// `tls.CLIENT_RENEG_LIMIT`, `CLIENT_RENEG_WINDOW`, `DEFAULT_ECDH_CURVE`,
// `DEFAULT_MIN_VERSION`, `DEFAULT_MAX_VERSION`: these constants are the initial values;
// `defaults` holds the current ones and their setters (Node lets a program assign them).
pub use defaults::{
    client_reneg_limit, client_reneg_window, default_ecdh_curve, default_max_version,
    default_min_version, set_client_reneg_limit, set_client_reneg_window, set_default_ecdh_curve,
    set_default_max_version, set_default_min_version, CLIENT_RENEG_LIMIT, CLIENT_RENEG_WINDOW,
    DEFAULT_ECDH_CURVE, DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION,
};
