//! # sanstls-node: the Node.js `tls` module in Rust
//!
//! This crate will hold the Node-semantics facade (`SecureContext`, `Server`,
//! `TlsSocket`, `connect`, events) over any transport (issue 7). It exports nothing yet.

#![forbid(unsafe_code)]
