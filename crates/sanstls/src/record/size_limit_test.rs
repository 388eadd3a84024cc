use super::*;
use crate::codec::Codec;
use crate::enums::ContentType;
use crate::error::PeerMisbehaved;
use crate::record::fragmenter::Fragmenter;
use crate::record::header::{RecordHeader, HEADER_LEN};
use crate::record::protect::{AeadAlgorithm, PaddingPolicy, RecordOpener, RecordSealer};

fn limit(content: usize, inner: usize) -> PlaintextLimit {
    PlaintextLimit { content, inner }
}

#[test]
fn a_record_size_limit_counts_the_inner_type_byte_in_tls13_only() {
    let rsl = |v| PlaintextLimit::from_record_size_limit(RecordSizeLimit(v), true);
    assert_eq!(rsl(0x4001), PlaintextLimit::PROTOCOL);
    assert_eq!(rsl(64), limit(63, 64));
    assert_eq!(rsl(1000), limit(999, 1000));
    let rsl12 = |v| PlaintextLimit::from_record_size_limit(RecordSizeLimit(v), false);
    assert_eq!(rsl12(64), limit(64, 65));
    assert_eq!(rsl12(0x4000).content, MAX_PLAINTEXT);
}

#[test]
fn a_value_over_the_versions_maximum_is_that_maximum() {
    // RFC 8449 s4: a client offering TLS 1.3 announces 2^14 + 1 and may get TLS 1.2; a
    // server must not hold that against it.
    for v in [0x4001, 0x4002, u16::MAX] {
        let l = PlaintextLimit::from_record_size_limit(RecordSizeLimit(v), false);
        assert_eq!(l.content, MAX_PLAINTEXT, "{v:#x}");
        let l = PlaintextLimit::from_record_size_limit(RecordSizeLimit(v), true);
        assert_eq!(l, PlaintextLimit::PROTOCOL, "{v:#x}");
    }
}

#[test]
fn what_we_announce_and_what_we_may_configure() {
    assert_eq!(announced(16384, true), RecordSizeLimit(16385));
    assert_eq!(announced(16384, false), RecordSizeLimit(16384));
    assert_eq!(announced(64, true), RecordSizeLimit(65));
    for ok in [None, Some(64), Some(1000), Some(16384)] {
        assert_eq!(check_configured(ok), Ok(()), "{ok:?}");
    }
    for bad in [Some(0), Some(63), Some(16385), Some(u16::MAX)] {
        assert!(
            matches!(check_configured(bad), Err(Error::BadConfiguration(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn max_fragment_length_codes_and_limits() {
    use MaxFragmentLength as M;
    let lens: Vec<_> = [M::Pow2_9, M::Pow2_10, M::Pow2_11, M::Pow2_12, M::Unknown(5)]
        .into_iter()
        .map(max_fragment_len)
        .collect();
    assert_eq!(lens, [Some(512), Some(1024), Some(2048), Some(4096), None]);
    let l = RecordLimits::max_fragment_length(512);
    assert_eq!(l.send, limit(512, 513));
    // Padding a peer adds is not counted against max_fragment_length.
    assert_eq!(l.receive, limit(512, MAX_PLAINTEXT + 1));
}

#[test]
fn the_fragmenter_cuts_to_the_smaller_of_ours_and_the_peers() {
    let mut f = Fragmenter::new();
    f.set_peer_limit(63);
    assert_eq!(f.max_fragment(), 63, "below setMaxSendFragment's 512 floor");
    let lens: Vec<_> = f
        .fragment(ContentType::ApplicationData, &[0; 200])
        .map(|f| f.payload.len())
        .collect();
    assert_eq!(lens, [63, 63, 63, 11]);
    f.set_peer_limit(4000);
    f.set_max_fragment(1000).unwrap();
    assert_eq!(f.max_fragment(), 1000, "ours is smaller");
    f.set_peer_limit(700);
    assert_eq!(f.max_fragment(), 700, "the peer's is smaller");
    f.set_peer_limit(usize::MAX);
    assert_eq!(f.max_fragment(), 1000, "clamped to 2^14, ours wins");
}

fn keys(tls13: bool) -> (RecordSealer, RecordOpener) {
    let alg = AeadAlgorithm::Aes128Gcm;
    let (key, iv) = ([3u8; 16], [5u8; 12]);
    match tls13 {
        true => (
            RecordSealer::tls13(alg, &key, &iv).unwrap(),
            RecordOpener::tls13(alg, &key, &iv).unwrap(),
        ),
        false => (
            RecordSealer::tls12(alg, &key, &iv[..4]).unwrap(),
            RecordOpener::tls12(alg, &key, &iv[..4]).unwrap(),
        ),
    }
}

fn open(o: &mut RecordOpener, record: &mut [u8]) -> Result<usize, Error> {
    let header = RecordHeader::read_bytes(&record[..HEADER_LEN]).unwrap();
    o.open_in_place(&header, &mut record[HEADER_LEN..])
        .map(|p| p.payload.len())
}

#[test]
fn the_sealer_keeps_content_and_padding_within_the_peers_limit() {
    let (mut s, _) = keys(true);
    s.set_limit(limit(99, 100));
    let mut out = Vec::new();
    assert!(matches!(
        s.seal(ContentType::ApplicationData, &[1; 100], &mut out),
        Err(Error::ApiMisuse(_))
    ));
    assert!(out.is_empty() && s.seq() == 0, "nothing sealed");
    // Padding to a multiple of 64 would make 128 bytes of inner plaintext: it stops at
    // 100 (RFC 8449 s4 counts padding).
    s.set_padding(PaddingPolicy::Multiple(64)).unwrap();
    s.seal(ContentType::ApplicationData, &[1; 99], &mut out)
        .unwrap();
    assert_eq!(out.len(), HEADER_LEN + 100 + 16);
    out.clear();
    s.seal(ContentType::ApplicationData, &[1; 10], &mut out)
        .unwrap();
    assert_eq!(
        out.len(),
        HEADER_LEN + 64 + 16,
        "padding below the limit is kept"
    );
}

#[test]
fn the_opener_refuses_a_record_over_what_we_announced() {
    for tls13 in [true, false] {
        let (mut s, mut o) = keys(tls13);
        let ours = PlaintextLimit::from_record_size_limit(RecordSizeLimit(100), tls13);
        o.set_limit(ours);
        let mut out = Vec::new();
        s.seal(
            ContentType::ApplicationData,
            &vec![1; ours.content],
            &mut out,
        )
        .unwrap();
        assert_eq!(open(&mut o, &mut out), Ok(ours.content), "tls13 {tls13}");
        out.clear();
        s.seal(
            ContentType::ApplicationData,
            &vec![1; ours.content + 1],
            &mut out,
        )
        .unwrap();
        let e = open(&mut o, &mut out).unwrap_err();
        assert_eq!(e, PeerMisbehaved::RecordOverNegotiatedLimit.into());
        assert_eq!(
            e.alert(),
            Some(crate::enums::AlertDescription::RecordOverflow)
        );
    }
    // TLS 1.3: padding counts too.
    let (mut s, mut o) = keys(true);
    o.set_limit(PlaintextLimit::from_record_size_limit(
        RecordSizeLimit(100),
        true,
    ));
    s.set_padding(PaddingPolicy::Multiple(128)).unwrap();
    let mut out = Vec::new();
    s.seal(ContentType::ApplicationData, &[1; 10], &mut out)
        .unwrap();
    assert_eq!(
        open(&mut o, &mut out),
        Err(PeerMisbehaved::RecordOverNegotiatedLimit.into())
    );
}
