//! Helpers the workspace's integration tests share, so that none is written twice.
//!
//! A dev-dependency of every crate in the workspace, never published. Each module holds one
//! kind of helper:
//!
//! - [`background`]: long-running programs (`sanstls server`, `openssl s_server`, Redis)
//!   started, waited for and read while they run, killed on drop;
//! - [`drive`]: the blocking loop that drives one connection over a `TcpStream` (on
//!   `sanstls_node::stream`), for the socket tests and `cargo xtask fleet`;
//! - [`events`]: what a test reads out of a connection's events (its session, 0-RTT data);
//! - [`net`]: loopback ports and sockets (a port a peer program can bind without racing
//!   other tests, reads bounded in time, a relay that measures the records each side sends);
//! - [`peers`]: other TLS implementations as child processes (OpenSSL, GnuTLS, Node.js,
//!   Python), with [`peers::require`] failing a test whose peer is not installed;
//! - [`tempdir`]: a temporary directory removed on drop;
//! - [`openssl`]: certificates, keys and parameters made by the `openssl` command at test
//!   time, for the tests whose peers need files no fixture has;
//! - [`fixtures`]: the committed files under `vectors/`;
//! - [`generated`]: a CA and leaf made in process with chosen names;
//! - [`pair`]: moving bytes between two in-memory [`sanstls::Connection`]s on a fixed clock;
//! - [`rfc8448`]: the parser (and writer) of the RFC 8448 example-handshake traces' format,
//!   which our own recorded traces share;
//! - [`replay`]: driving one connection through a recorded trace, flight by flight.
//!
//! Test code is an embedding of the engine, like the CLI: it may read the clock (for
//! timeouts and the peers' wall-clock validity checks), so `disallowed_methods` is off here.

#![allow(clippy::disallowed_methods)]

pub mod background;
pub mod drive;
pub mod events;
pub mod fixtures;
pub mod generated;
pub mod net;
pub mod openssl;
pub mod pair;
pub mod peers;
pub mod replay;
pub mod rfc8448;
pub mod tempdir;

pub use tempdir::TempDir;
