use super::*;
use crate::record::deframer::Deframer;
use proptest::prelude::*;

#[test]
fn splits_at_the_limit() {
    let f = Fragmenter::new();
    let data = vec![7u8; 2 * MAX_PLAINTEXT + 1];
    let frags: Vec<_> = f.fragment(ContentType::ApplicationData, &data).collect();
    let lens: Vec<_> = frags.iter().map(|f| f.payload.len()).collect();
    assert_eq!(lens, [MAX_PLAINTEXT, MAX_PLAINTEXT, 1]);
    assert!(frags.iter().all(|f| f.typ == ContentType::ApplicationData));
    assert_eq!(f.fragment(ContentType::Handshake, &data).len(), 3);

    let exact = vec![1u8; MAX_PLAINTEXT];
    assert_eq!(f.fragment(ContentType::Handshake, &exact).count(), 1);
}

#[test]
fn empty_writes_produce_nothing() {
    let f = Fragmenter::new();
    for t in [
        ContentType::ApplicationData,
        ContentType::Handshake,
        ContentType::Alert,
    ] {
        assert_eq!(f.fragment(t, &[]).count(), 0);
    }
}

#[test]
fn max_fragment_bounds() {
    let mut f = Fragmenter::new();
    assert_eq!(f.max_fragment(), 16384);
    for bad in [0, 1, 511, 16385, usize::MAX] {
        assert!(matches!(f.set_max_fragment(bad), Err(Error::ApiMisuse(_))));
        assert_eq!(f.max_fragment(), 16384, "unchanged after an error");
    }
    for good in [512, 1000, 16384] {
        f.set_max_fragment(good).unwrap();
        assert_eq!(f.max_fragment(), good);
    }
    f.set_max_fragment(512).unwrap();
    let lens: Vec<_> = f
        .fragment(ContentType::ApplicationData, &[0; 1300])
        .map(|f| f.payload.len())
        .collect();
    assert_eq!(lens, [512, 512, 276]);
}

#[test]
fn plain_records_deframe_back() {
    let mut f = Fragmenter::new();
    f.set_max_fragment(600).unwrap();
    let data: Vec<u8> = (0..2000u32).map(|i| i as u8).collect();
    let mut wire = Vec::new();
    for frag in f.fragment(ContentType::Handshake, &data) {
        frag.encode_plain(ProtocolVersion::TLSv1_2, &mut wire);
    }
    assert_eq!(&wire[..5], &[22, 3, 3, 0x02, 0x58]);
    let mut d = Deframer::new();
    assert_eq!(d.read(&wire), wire.len());
    let mut back = Vec::new();
    while let Some(rec) = d.pop_record().unwrap() {
        assert_eq!(rec.header.typ, ContentType::Handshake);
        back.extend_from_slice(rec.payload);
    }
    assert_eq!(back, data);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fragments_reassemble_and_respect_the_limit(
        len in 0usize..40_000,
        max in MIN_FRAGMENT_LEN..=MAX_PLAINTEXT,
    ) {
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let mut f = Fragmenter::new();
        f.set_max_fragment(max).unwrap();
        let frags: Vec<_> = f.fragment(ContentType::ApplicationData, &data).collect();
        prop_assert_eq!(frags.len(), len.div_ceil(max));
        prop_assert!(frags.iter().all(|f| !f.payload.is_empty() && f.payload.len() <= max));
        let joined: Vec<u8> = frags.iter().flat_map(|f| f.payload.iter().copied()).collect();
        prop_assert_eq!(joined, data);
    }
}
