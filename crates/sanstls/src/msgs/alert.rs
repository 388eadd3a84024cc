//! The alert protocol's message (RFC 8446 s6, RFC 5246 s7.2).

use crate::codec::{Codec, Reader};
use crate::enums::{AlertDescription, AlertLevel};
use crate::error::InvalidMessage;
use crate::prelude::*;

/// `struct { AlertLevel level; AlertDescription description; } Alert;`
///
/// Unknown levels and descriptions are kept (they re-encode exactly); what to do about them
/// is the connection's decision, not the codec's. RFC 8446 s6 makes every alert fatal except
/// close_notify and user_canceled whatever its level says, which the engine applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertMessagePayload {
    /// The alert level (ignored by TLS 1.3 receivers except for its value being reported).
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Codec for AlertMessagePayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.level.encode(out);
        self.description.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let b = r.take(2).ok_or(InvalidMessage::InvalidAlert)?;
        Ok(Self {
            level: AlertLevel::from(b[0]),
            description: AlertDescription::from(b[1]),
        })
    }

    /// An alert record body must be exactly two bytes (RFC 8446 s5.1 forbids fragmenting
    /// alerts, and RFC 8446 s6 defines no other content); anything else is `InvalidAlert`.
    fn read_bytes(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        match bytes.len() {
            2 => Self::read(&mut Reader::new(bytes)),
            _ => Err(InvalidMessage::InvalidAlert),
        }
    }
}

#[cfg(test)]
#[path = "alert_test.rs"]
mod tests;
