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
