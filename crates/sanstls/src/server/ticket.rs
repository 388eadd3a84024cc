//! Session tickets: sealing the server's resumption state into an opaque ticket.

/// Seals and opens tickets with a server key (placeholder; implemented with the server).
#[derive(Debug)]
pub struct Ticketer {}
