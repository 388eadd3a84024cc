use super::*;
use proptest::prelude::*;

fn msg(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![typ];
    U24(body.len() as u32).encode(&mut out);
    out.extend_from_slice(body);
    out
}

fn sample() -> (Vec<u8>, Vec<Vec<u8>>) {
    let msgs = vec![
        msg(11, &(0..=255u8).cycle().take(300).collect::<Vec<_>>()),
        msg(14, &[]),
        msg(20, &[0x5a; 12]),
        msg(99, &[1, 2, 3]),
    ];
    (msgs.concat(), msgs)
}

/// Pushes each non-empty chunk, popping after each, and returns the encoded messages.
fn run<'c>(j: &mut HandshakeJoiner, chunks: impl IntoIterator<Item = &'c [u8]>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for c in chunks.into_iter().filter(|c| !c.is_empty()) {
        j.push(c).unwrap();
        while let Some(m) = j.pop() {
            assert_eq!(m.encoded.len(), HANDSHAKE_HEADER_LEN + m.body.len());
            assert_eq!(m.typ, HandshakeType::from(m.encoded[0]));
            out.push(m.encoded.to_vec());
        }
    }
    out
}

#[test]
fn several_messages_in_one_record() {
    let (stream, msgs) = sample();
    let mut j = HandshakeJoiner::new();
    j.push(&stream).unwrap();
    let m = j.pop().unwrap();
    assert_eq!(m.typ, HandshakeType::Certificate);
    assert_eq!(m.body.len(), 300);
    let m = j.pop().unwrap();
    assert_eq!(m.typ, HandshakeType::ServerHelloDone);
    assert!(m.body.is_empty());
    assert_eq!(m.encoded, &msgs[1][..]);
    assert_eq!(j.pop().unwrap().typ, HandshakeType::Finished);
    assert_eq!(j.pop().unwrap().typ, HandshakeType::Unknown(99));
    assert!(j.pop().is_none());
    assert!(j.is_empty());
}

#[test]
fn every_two_and_three_way_split_joins() {
    let (stream, msgs) = sample();
    let mut j = HandshakeJoiner::new();
    for a in 0..=stream.len() {
        for b in (a..=stream.len()).step_by(7) {
            let chunks = [&stream[..a], &stream[a..b], &stream[b..]];
            assert_eq!(run(&mut j, chunks), msgs, "split at {a},{b}");
            assert!(j.is_empty() && !j.has_partial());
        }
    }
    assert_eq!(run(&mut j, stream.chunks(1)), msgs);
}

#[test]
fn partial_state_is_reported() {
    let m = msg(20, &[1, 2, 3, 4]);
    let j = HandshakeJoiner::new();
    assert!(!j.has_partial());
    for cut in 1..m.len() {
        let mut j = HandshakeJoiner::new();
        j.push(&m[..cut]).unwrap();
        assert!(j.pop().is_none());
        assert!(j.has_partial() && !j.is_empty());
        assert_eq!(
            j.check_interleave(ContentType::ApplicationData),
            Err(InvalidMessage::InterleavedHandshake)
        );
        assert_eq!(
            j.check_interleave(ContentType::Alert),
            Err(InvalidMessage::InterleavedHandshake)
        );
        assert_eq!(
            j.check_interleave(ContentType::ChangeCipherSpec),
            Err(InvalidMessage::InterleavedHandshake)
        );
        assert_eq!(j.check_interleave(ContentType::Handshake), Ok(()));
        assert_eq!(
            j.check_key_change(),
            Err(InvalidMessage::HandshakeSpansKeyChange)
        );
        j.push(&m[cut..]).unwrap();
        assert!(!j.has_partial());
        assert_eq!(j.check_interleave(ContentType::ApplicationData), Ok(()));
        assert_eq!(j.pop().unwrap().body, &[1, 2, 3, 4]);
        assert_eq!(j.check_key_change(), Ok(()));
    }
}

#[test]
fn key_change_refuses_complete_but_unpopped_messages() {
    // E.g. a ServerHello and EncryptedExtensions in one plaintext record: after the
    // ServerHello the keys change, and the rest must not be accepted.
    let mut j = HandshakeJoiner::new();
    j.push(&[msg(2, &[0; 10]), msg(8, &[0, 0])].concat())
        .unwrap();
    assert_eq!(j.pop().unwrap().typ, HandshakeType::ServerHello);
    assert!(!j.has_partial());
    assert_eq!(
        j.check_key_change(),
        Err(InvalidMessage::HandshakeSpansKeyChange)
    );
    assert_eq!(
        InvalidMessage::HandshakeSpansKeyChange.alert(),
        crate::enums::AlertDescription::UnexpectedMessage
    );
    j.pop().unwrap();
    assert_eq!(j.check_key_change(), Ok(()));
}

#[test]
fn max_size_is_enforced_from_the_header() {
    let mut j = HandshakeJoiner::new();
    j.set_max_message_len(1000).unwrap();
    j.push(&msg(11, &[0; 1000])).unwrap();
    assert_eq!(j.pop().unwrap().body.len(), 1000);

    // Declared 1001: refused from the header alone, body never sent.
    assert_eq!(
        j.push(&[11, 0, 0x03, 0xe9]),
        Err(InvalidMessage::HandshakeMessageTooLarge)
    );
    assert_eq!(
        j.push(&[0]),
        Err(InvalidMessage::HandshakeMessageTooLarge),
        "sticky"
    );
    assert!(j.pop().is_none());

    // The header split across records, and a second message in the same record.
    let mut j = HandshakeJoiner::new();
    j.set_max_message_len(1000).unwrap();
    j.push(&[11, 0]).unwrap();
    assert_eq!(
        j.push(&[0x03, 0xe9]),
        Err(InvalidMessage::HandshakeMessageTooLarge)
    );
    let mut j = HandshakeJoiner::new();
    j.set_max_message_len(1000).unwrap();
    assert_eq!(
        j.push(&[msg(20, &[1]), vec![11, 0xff, 0xff, 0xff]].concat()),
        Err(InvalidMessage::HandshakeMessageTooLarge)
    );

    // The default: OpenSSL's ClientHello bound.
    let header = |len: usize| {
        let l = (len as u32).to_be_bytes();
        [11, l[1], l[2], l[3]]
    };
    let mut j = HandshakeJoiner::new();
    assert_eq!(j.max_message_len(), DEFAULT_MAX_HANDSHAKE_LEN);
    assert_eq!(
        j.push(&header(DEFAULT_MAX_HANDSHAKE_LEN + 1)),
        Err(InvalidMessage::HandshakeMessageTooLarge)
    );
    let mut j = HandshakeJoiner::new();
    j.push(&header(DEFAULT_MAX_HANDSHAKE_LEN)).unwrap();
    let mut left = DEFAULT_MAX_HANDSHAKE_LEN;
    while left > 16384 {
        j.push(&[0; 16384]).unwrap();
        assert!(j.pop().is_none());
        left -= 16384;
    }
    j.push(&vec![0; left]).unwrap();
    assert_eq!(j.pop().unwrap().body.len(), DEFAULT_MAX_HANDSHAKE_LEN);
}

#[test]
fn large_message_is_delivered_and_memory_released() {
    let big = msg(11, &vec![3; DEFAULT_MAX_HANDSHAKE_LEN]);
    let mut j = HandshakeJoiner::new();
    let got = run(&mut j, big.chunks(16384));
    assert_eq!(got, vec![big.clone()]);
    j.push(&msg(20, &[1])).unwrap();
    assert!(j.buf.capacity() <= IDLE_RETAIN, "large buffer released");
    assert_eq!(j.pop().unwrap().body, &[1]);
}

#[test]
fn misuse_is_reported() {
    let mut j = HandshakeJoiner::new();
    assert_eq!(
        j.push(&[]),
        Err(InvalidMessage::EmptyRecord(ContentType::Handshake))
    );
    let mut j = HandshakeJoiner::new();
    j.push(&[20]).unwrap();
    assert!(matches!(
        j.set_max_message_len(10),
        Err(Error::ApiMisuse(_))
    ));
    let mut j = HandshakeJoiner::new();
    assert!(matches!(
        j.set_max_message_len(1 << 24),
        Err(Error::ApiMisuse(_))
    ));
    // Pushing without popping is bounded.
    j.set_max_message_len(10).unwrap();
    let mut refused = false;
    for _ in 0..10_000 {
        if j.push(&msg(20, &[0; 10])).is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused);
    assert!(j.buffered_len() <= HANDSHAKE_HEADER_LEN + 10 + MAX_CIPHERTEXT_TLS12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_chunking_yields_the_messages(
        bodies in proptest::collection::vec((any::<u8>(), proptest::collection::vec(any::<u8>(), 0..300)), 0..6),
        cuts in proptest::collection::vec(1usize..400, 0..12),
    ) {
        let msgs: Vec<Vec<u8>> = bodies.iter().map(|(t, b)| msg(*t, b)).collect();
        let stream = msgs.concat();
        let mut chunks = Vec::new();
        let mut rest = &stream[..];
        for c in cuts {
            let (a, b) = rest.split_at(c.min(rest.len()));
            chunks.push(a);
            rest = b;
        }
        chunks.push(rest);
        let mut j = HandshakeJoiner::new();
        prop_assert_eq!(run(&mut j, chunks), msgs);
        prop_assert!(j.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16),
        max in 0usize..100,
    ) {
        let mut j = HandshakeJoiner::new();
        j.set_max_message_len(max).unwrap();
        for c in &chunks {
            let _ = j.push(c);
            while let Some(m) = j.pop() {
                prop_assert!(m.body.len() <= max);
            }
            let _ = j.check_interleave(ContentType::Alert);
            let _ = j.check_key_change();
            prop_assert!(j.buffered_len() <= HANDSHAKE_HEADER_LEN + max + MAX_CIPHERTEXT_TLS12);
        }
    }
}
