use super::*;
use proptest::prelude::*;

#[test]
fn only_the_single_byte_one_is_accepted() {
    assert_eq!(
        ChangeCipherSpecPayload::read_bytes(&[1]),
        Ok(ChangeCipherSpecPayload)
    );
    assert_eq!(ChangeCipherSpecPayload.get_encoding(), [1]);
    for bad in [&[][..], &[0][..], &[2][..], &[1, 1][..], &[1, 0][..]] {
        assert_eq!(
            ChangeCipherSpecPayload::read_bytes(bad),
            Err(InvalidMessage::InvalidCcs),
            "{bad:?}"
        );
    }
}

#[test]
fn read_consumes_one_byte() {
    let mut r = Reader::new(&[1, 7]);
    assert_eq!(
        ChangeCipherSpecPayload::read(&mut r),
        Ok(ChangeCipherSpecPayload)
    );
    assert_eq!(r.left(), 1);
    assert_eq!(
        ChangeCipherSpecPayload::read(&mut Reader::new(&[])),
        Err(InvalidMessage::InvalidCcs)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4)) {
        let ok = ChangeCipherSpecPayload::read_bytes(&bytes).is_ok();
        prop_assert_eq!(ok, bytes == [1]);
    }
}
