//! The record layer: framing, fragmentation and protection of records.
//!
//! Incoming: bytes → [`deframer::Deframer`] (records, payload borrowed in place) →
//! [`protect::RecordOpener`] (decrypts in place) → [`deframer::PlaintextChecker`] →
//! [`joiner::HandshakeJoiner`] for Handshake records. Outgoing: [`fragmenter::Fragmenter`]
//! → [`protect::RecordSealer`] (or plain records before keys). See `docs/record-layer.md`.

pub mod deframer;
pub mod fragmenter;
pub mod header;
pub mod joiner;
pub mod protect;
pub mod size_limit;
