//! The alert protocol's message (RFC 8446 s6, RFC 5246 s7.2).

use crate::codec::{Codec, Reader};
use crate::enums::{AlertDescription, AlertLevel};
use crate::error::InvalidMessage;

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
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn close_notify_and_fatal_alerts_decode() {
        let a = AlertMessagePayload::read_bytes(&[1, 0]).unwrap();
        assert_eq!(a.level, AlertLevel::Warning);
        assert_eq!(a.description, AlertDescription::CloseNotify);
        let a = AlertMessagePayload::read_bytes(&[2, 40]).unwrap();
        assert_eq!(a.level, AlertLevel::Fatal);
        assert_eq!(a.description, AlertDescription::HandshakeFailure);
        assert_eq!(a.get_encoding(), [2, 40]);
    }

    #[test]
    fn unknown_values_round_trip() {
        let a = AlertMessagePayload::read_bytes(&[9, 250]).unwrap();
        assert_eq!(a.level, AlertLevel::Unknown(9));
        assert_eq!(a.description, AlertDescription::Unknown(250));
        assert_eq!(a.get_encoding(), [9, 250]);
    }

    #[test]
    fn wrong_lengths_are_invalid_alert() {
        for bad in [&[][..], &[2][..], &[2, 40, 0][..], &[1, 0, 1, 0][..]] {
            assert_eq!(
                AlertMessagePayload::read_bytes(bad),
                Err(InvalidMessage::InvalidAlert),
                "{bad:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn round_trips(level: u8, desc: u8) {
            let a = AlertMessagePayload { level: level.into(), description: desc.into() };
            let enc = a.get_encoding();
            prop_assert_eq!(&enc, &vec![level, desc]);
            prop_assert_eq!(AlertMessagePayload::read_bytes(&enc), Ok(a));
            prop_assert!(AlertMessagePayload::read_bytes(&enc[..1]).is_err());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..8)) {
            let res = AlertMessagePayload::read_bytes(&bytes);
            prop_assert_eq!(res.is_ok(), bytes.len() == 2);
        }
    }
}
