//! The record layer: framing, fragmentation and protection of records.

pub mod deframer;
pub mod fragmenter;
pub mod header;
pub mod protect;
