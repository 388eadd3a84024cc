use super::*;
use crate::codec::Codec;
use crate::enums::ProtocolVersion;
use crate::record::header::MAX_CIPHERTEXT_TLS13;
use proptest::prelude::*;

fn record(typ: ContentType, payload: &[u8]) -> Vec<u8> {
    let mut out = RecordHeader {
        typ,
        version: ProtocolVersion::TLSv1_2,
        len: payload.len() as u16,
    }
    .get_encoding();
    out.extend_from_slice(payload);
    out
}

/// Several records of every type and size, including a maximal plaintext one.
fn sample() -> (Vec<u8>, Vec<(ContentType, Vec<u8>)>) {
    let max: Vec<u8> = (0..MAX_PLAINTEXT).map(|i| (i % 251) as u8).collect();
    let records = vec![
        (ContentType::Handshake, (0..100u8).collect::<Vec<_>>()),
        (ContentType::ChangeCipherSpec, vec![1]),
        (ContentType::Alert, vec![1, 0]),
        (ContentType::ApplicationData, vec![]),
        (ContentType::ApplicationData, max),
        (ContentType::Handshake, vec![7]),
        (ContentType::ApplicationData, vec![0xaa; 300]),
    ];
    let stream = records.iter().flat_map(|(t, p)| record(*t, p)).collect();
    (stream, records)
}

/// Feeds `chunks` in order, popping after every read, and checks each popped record
/// against `expected` without allocating per record. Returns how many were popped.
fn feed<'c>(
    d: &mut Deframer,
    chunks: impl IntoIterator<Item = &'c [u8]>,
    expected: &[(ContentType, Vec<u8>)],
) -> usize {
    feed_via(d, chunks, expected, |_| false)
}

/// [`feed`], with the reads whose number `from_reader` picks made by `read_from` (the
/// chunk as a reader) instead of `read`.
fn feed_via<'c>(
    d: &mut Deframer,
    chunks: impl IntoIterator<Item = &'c [u8]>,
    expected: &[(ContentType, Vec<u8>)],
    from_reader: impl Fn(usize) -> bool,
) -> usize {
    let mut seen = 0;
    let mut reads = 0;
    for chunk in chunks {
        let mut rest = chunk;
        loop {
            reads += 1;
            let n = match from_reader(reads) {
                true => d.read_from(&mut { rest }).unwrap(),
                false => d.read(rest),
            };
            rest = &rest[n..];
            let mut popped = 0;
            while let Some(rec) = d.pop_record().unwrap() {
                let (typ, payload) = &expected[seen];
                assert_eq!(rec.header.typ, *typ, "record {seen}");
                assert_eq!(&rec.payload[..], &payload[..], "record {seen}");
                seen += 1;
                popped += 1;
            }
            if rest.is_empty() {
                break;
            }
            assert!(n > 0 || popped > 0, "deframer stuck with a full buffer");
        }
    }
    seen
}

#[test]
fn every_split_point_yields_the_same_records() {
    let (stream, expected) = sample();
    let mut d = Deframer::new();
    for at in 0..=stream.len() {
        let (a, b) = stream.split_at(at);
        assert_eq!(
            feed(&mut d, [a, b], &expected),
            expected.len(),
            "split {at}"
        );
        assert!(d.is_empty());
    }
    let mut d = Deframer::new();
    assert_eq!(feed(&mut d, stream.chunks(1), &expected), expected.len());
    let mut d = Deframer::new();
    assert_eq!(feed(&mut d, [&stream[..]], &expected), expected.len());
    assert!(d.is_empty());
}

#[test]
fn back_pressure_at_minimum_capacity() {
    let (stream, expected) = sample();
    let cap = HEADER_LEN + MAX_PLAINTEXT;
    let mut d = Deframer::with_capacity(cap).unwrap();
    assert_eq!(d.read(&stream), cap, "takes only what fits");
    assert_eq!(d.free_space(), 0);
    assert_eq!(d.read(&stream[cap..]), 0, "full buffer takes nothing");
    // Popping frees room; the remainder is then accepted and deframes correctly.
    let mut seen = 0;
    let mut offset = cap;
    loop {
        while let Some(rec) = d.pop_record().unwrap() {
            assert_eq!(rec.header.typ, expected[seen].0);
            assert_eq!(&rec.payload[..], &expected[seen].1[..]);
            seen += 1;
        }
        if offset == stream.len() {
            break;
        }
        let n = d.read(&stream[offset..]);
        assert!(n > 0);
        offset += n;
    }
    assert_eq!(seen, expected.len());
    assert!(d.is_empty());
    assert!(d.buf.capacity() <= cap + 64, "buffer stayed bounded");
}

#[test]
fn payload_is_mutable_in_place() {
    let mut d = Deframer::new();
    let mut stream = record(ContentType::ApplicationData, b"abc");
    stream.extend(record(ContentType::ApplicationData, b"def"));
    d.read(&stream);
    let rec = d.pop_record().unwrap().unwrap();
    rec.payload.copy_from_slice(b"xyz");
    let rec = d.pop_record().unwrap().unwrap();
    assert_eq!(
        rec.payload, b"def",
        "writing one payload leaves the next intact"
    );
}

#[test]
fn limits_follow_the_caller() {
    let big = record(ContentType::ApplicationData, &[0; MAX_PLAINTEXT + 1]);
    let mut d = Deframer::new();
    d.read(&big[..HEADER_LEN]);
    assert_eq!(
        d.pop_record().unwrap_err(),
        InvalidMessage::RecordTooLarge,
        "refused as soon as the header is in"
    );
    assert_eq!(d.pop_record().unwrap_err(), InvalidMessage::RecordTooLarge);
    assert_eq!(
        d.read(&big[HEADER_LEN..]),
        0,
        "sticky: nothing more is taken"
    );

    let mut d = Deframer::new();
    d.set_max_payload_len(MAX_CIPHERTEXT_TLS13).unwrap();
    d.read(&big);
    assert_eq!(
        d.pop_record().unwrap().unwrap().payload.len(),
        MAX_PLAINTEXT + 1
    );
    let over13 = record(ContentType::ApplicationData, &[0; MAX_CIPHERTEXT_TLS13 + 1]);
    d.read(&over13);
    assert_eq!(d.pop_record().unwrap_err(), InvalidMessage::RecordTooLarge);

    let mut d = Deframer::new();
    d.set_max_payload_len(MAX_CIPHERTEXT_TLS12).unwrap();
    let max12 = record(ContentType::ApplicationData, &[0; MAX_CIPHERTEXT_TLS12]);
    assert_eq!(d.read(&max12), max12.len());
    assert!(d.pop_record().unwrap().is_some());
    d.read(&[23, 3, 3, 0x48, 0x01]);
    assert_eq!(d.pop_record().unwrap_err(), InvalidMessage::RecordTooLarge);
}

#[test]
fn limit_configuration_is_checked() {
    let mut d = Deframer::with_capacity(HEADER_LEN + MAX_CIPHERTEXT_TLS13).unwrap();
    assert!(d.set_max_payload_len(MAX_CIPHERTEXT_TLS13).is_ok());
    assert!(matches!(
        d.set_max_payload_len(MAX_CIPHERTEXT_TLS12),
        Err(Error::ApiMisuse(_))
    ));
    assert!(matches!(
        d.set_max_payload_len(MAX_PLAINTEXT - 1),
        Err(Error::ApiMisuse(_))
    ));
    assert!(matches!(
        Deframer::with_capacity(HEADER_LEN + MAX_PLAINTEXT - 1),
        Err(Error::ApiMisuse(_))
    ));
    assert_eq!(d.max_payload_len(), MAX_CIPHERTEXT_TLS13);
}

#[test]
fn bad_headers_are_refused() {
    let cases: &[(&[u8], InvalidMessage)] = &[
        (
            &[0x18, 3, 3, 0, 1, 0],
            InvalidMessage::InvalidContentType(ContentType::Heartbeat),
        ),
        (
            &[0x63, 3, 3, 0, 1, 0],
            InvalidMessage::InvalidContentType(ContentType::Unknown(0x63)),
        ),
        (&[22, 2, 0, 0, 1, 0], InvalidMessage::UnknownProtocolVersion),
        (
            &[22, 0xfe, 0xfd, 0, 1, 0],
            InvalidMessage::UnknownProtocolVersion,
        ),
        (
            &[22, 3, 3, 0, 0],
            InvalidMessage::EmptyRecord(ContentType::Handshake),
        ),
        (
            &[21, 3, 3, 0, 0],
            InvalidMessage::EmptyRecord(ContentType::Alert),
        ),
        // An SSLv2-style ClientHello starts with a length byte, not a content type.
        (
            &[0x80, 0x2e, 0x01, 0x03, 0x01],
            InvalidMessage::InvalidContentType(ContentType::Unknown(0x80)),
        ),
    ];
    for (bytes, err) in cases {
        let mut d = Deframer::new();
        d.read(bytes);
        assert_eq!(d.pop_record().unwrap_err(), *err, "{bytes:?}");
    }
    // A valid record before the bad one is still delivered.
    let mut d = Deframer::new();
    let mut s = record(ContentType::Handshake, &[1, 2]);
    s.extend_from_slice(&[22, 4, 0, 0, 1, 0]);
    d.read(&s);
    assert_eq!(d.pop_record().unwrap().unwrap().payload, &[1, 2]);
    assert_eq!(
        d.pop_record().unwrap_err(),
        InvalidMessage::UnknownProtocolVersion
    );
    // Empty application data passes the deframer.
    let mut d = Deframer::new();
    d.read(&[23, 3, 3, 0, 0]);
    assert_eq!(d.pop_record().unwrap().unwrap().payload.len(), 0);
}

#[test]
fn plaintext_checks() {
    let mut c = PlaintextChecker::new();
    assert_eq!(c.check(ContentType::Alert, &[1, 0]), Ok(()));
    assert_eq!(
        c.check(ContentType::Alert, &[1]),
        Err(InvalidMessage::InvalidAlert)
    );
    assert_eq!(
        c.check(ContentType::Alert, &[1, 0, 1, 0]),
        Err(InvalidMessage::InvalidAlert)
    );
    assert_eq!(
        c.check(ContentType::Alert, &[]),
        Err(InvalidMessage::EmptyRecord(ContentType::Alert))
    );
    assert_eq!(c.check(ContentType::ChangeCipherSpec, &[1]), Ok(()));
    for bad in [&[][..], &[0], &[2], &[1, 1]] {
        assert_eq!(
            c.check(ContentType::ChangeCipherSpec, bad),
            Err(InvalidMessage::InvalidCcs)
        );
    }
    assert_eq!(
        c.check(ContentType::Handshake, &[]),
        Err(InvalidMessage::EmptyRecord(ContentType::Handshake))
    );
    assert_eq!(
        c.check(ContentType::Heartbeat, &[1]),
        Err(InvalidMessage::InvalidContentType(ContentType::Heartbeat))
    );
    let mut c = PlaintextChecker::new();
    for i in 1..=3 {
        c.check(ContentType::ApplicationData, &[]).unwrap();
        assert_eq!(c.consecutive_empty_app_data(), i);
    }
    c.check(ContentType::ApplicationData, &[0]).unwrap();
    assert_eq!(
        c.consecutive_empty_app_data(),
        0,
        "a non-empty record resets"
    );
    c.check(ContentType::ApplicationData, &[]).unwrap();
    c.check(ContentType::Handshake, &[0]).unwrap();
    assert_eq!(c.consecutive_empty_app_data(), 0);
}

fn arb_record() -> impl Strategy<Value = (ContentType, Vec<u8>)> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..600).prop_map(|p| (ContentType::Handshake, p)),
        proptest::collection::vec(any::<u8>(), 0..600)
            .prop_map(|p| (ContentType::ApplicationData, p)),
        Just((ContentType::Alert, vec![2, 40])),
        Just((ContentType::ChangeCipherSpec, vec![1])),
    ]
}

/// `stream` cut into chunks of the lengths in `cuts` (as far as it goes), and the rest.
fn cut<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = stream;
    for &c in cuts {
        let (a, b) = rest.split_at(c.min(rest.len()));
        chunks.push(a);
        rest = b;
    }
    chunks.push(rest);
    chunks
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_chunking_yields_the_records(
        records in proptest::collection::vec(arb_record(), 0..8),
        cuts in proptest::collection::vec(1usize..700, 0..20),
    ) {
        let stream: Vec<u8> = records.iter().flat_map(|(t, p)| record(*t, p)).collect();
        let chunks = cut(&stream, &cuts);
        let mut d = Deframer::new();
        prop_assert_eq!(feed(&mut d, chunks, &records), records.len());
        prop_assert!(d.is_empty());
    }

    #[test]
    fn any_chunking_through_read_and_read_from_yields_the_records(
        records in proptest::collection::vec(arb_record(), 0..8),
        cuts in proptest::collection::vec(1usize..700, 0..20),
        pattern in any::<u32>(),
    ) {
        let stream: Vec<u8> = records.iter().flat_map(|(t, p)| record(*t, p)).collect();
        let chunks = cut(&stream, &cuts);
        let mut d = Deframer::new();
        let seen = feed_via(&mut d, chunks, &records, |i| pattern >> (i % 32) & 1 == 1);
        prop_assert_eq!(seen, records.len());
        prop_assert!(d.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16),
    ) {
        let mut d = Deframer::with_capacity(HEADER_LEN + MAX_PLAINTEXT).unwrap();
        let mut c = PlaintextChecker::new();
        for chunk in &chunks {
            d.read(chunk);
            while let Ok(Some(rec)) = d.pop_record() {
                prop_assert!(rec.payload.len() <= MAX_PLAINTEXT);
                let _ = c.check(rec.header.typ, rec.payload);
            }
            prop_assert!(d.buffered_len() <= d.capacity());
        }
    }
}

/// A reader that notes the first byte of the space it is offered and has nothing to give.
struct Peek(Option<u8>);

impl std::io::Read for Peek {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0 = buf.first().copied();
        Err(std::io::ErrorKind::WouldBlock.into())
    }
}

#[test]
fn read_from_does_not_fill_the_buffer_again_before_each_read() {
    let mut d = Deframer::new();
    let stream = record(ContentType::ApplicationData, &[9; 40]);
    assert_eq!(d.read_from(&mut &stream[..]).unwrap(), stream.len());
    assert!(d.pop_record().unwrap().is_some());
    // The next read goes where the record was, as it was: a read that finds nothing (as
    // most do on a non-blocking socket) has not paid for zeroing the buffer first.
    let mut peek = Peek(None);
    let e = d.read_from(&mut peek).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    assert_eq!(peek.0, Some(stream[0]));
    assert!(d.is_empty());
    // And what it reads next is what counts, whatever the buffer held.
    let next = record(ContentType::Handshake, &[1, 2, 3]);
    assert_eq!(d.read_from(&mut &next[..]).unwrap(), next.len());
    let rec = d.pop_record().unwrap().unwrap();
    assert_eq!(
        (rec.header.typ, &rec.payload[..]),
        (ContentType::Handshake, &[1u8, 2, 3][..])
    );
    assert_eq!(d.bytes(0..next.len()), &next[..]);
    assert!(
        d.bytes(0..next.len() + 1).is_empty(),
        "nothing past what was read is lent out"
    );
}
