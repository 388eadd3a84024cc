use super::*;
use proptest::prelude::*;

fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for p in parts {
        ctx.update(p);
    }
    ctx.finish().as_ref().to_vec()
}

#[test]
fn hash_unavailable_before_start() {
    let mut t = HandshakeHash::new();
    t.add_message(b"\x01\x00\x00\x00");
    assert!(matches!(t.current_hash(), Err(Error::ApiMisuse(_))));
    assert!(matches!(t.rollup_for_hrr(), Err(Error::ApiMisuse(_))));
    assert_eq!(t.algorithm(), None);
    // Buffered messages are readable before the algorithm is known.
    assert_eq!(t.full_transcript(), Some(&b"\x01\x00\x00\x00"[..]));
}

#[test]
fn buffered_then_running_equals_one_shot() {
    let mut t = HandshakeHash::new();
    t.add_message(b"client hello");
    t.start_hash(SuiteHash::Sha256).unwrap();
    assert_eq!(
        t.current_hash().unwrap().as_ref(),
        sha256(&[b"client hello"])
    );
    t.add_message(b"server hello");
    // Reading does not finish the context: the same value twice, and more can follow.
    let h1 = t.current_hash().unwrap();
    let h2 = t.current_hash().unwrap();
    assert_eq!(h1.as_ref(), h2.as_ref());
    assert_eq!(h1.as_ref(), sha256(&[b"client hello", b"server hello"]));
    // Without keeping, the buffer is gone.
    assert_eq!(t.full_transcript(), None);
}

#[test]
fn sha384_output() {
    let mut t = HandshakeHash::new();
    t.start_hash(SuiteHash::Sha384).unwrap();
    t.add_message(b"abc");
    let h = t.current_hash().unwrap();
    assert_eq!(h.as_ref().len(), 48);
    assert_eq!(h.as_ref(), digest::digest(&digest::SHA384, b"abc").as_ref());
}

#[test]
fn start_hash_is_idempotent_but_refuses_a_change() {
    let mut t = HandshakeHash::new();
    t.start_hash(SuiteHash::Sha256).unwrap();
    t.add_message(b"x");
    t.start_hash(SuiteHash::Sha256).unwrap();
    assert_eq!(t.current_hash().unwrap().as_ref(), sha256(&[b"x"]));
    assert!(matches!(
        t.start_hash(SuiteHash::Sha384),
        Err(Error::ApiMisuse(_))
    ));
    assert_eq!(t.algorithm(), Some(SuiteHash::Sha256));
}

#[test]
fn full_transcript_kept_on_request() {
    let mut t = HandshakeHash::new();
    t.keep_full_transcript().unwrap();
    t.add_message(b"one");
    t.start_hash(SuiteHash::Sha256).unwrap();
    t.add_message(b"two");
    assert_eq!(t.full_transcript(), Some(&b"onetwo"[..]));
    assert_eq!(t.current_hash().unwrap().as_ref(), sha256(&[b"onetwo"]));
    t.discard_full_transcript();
    assert_eq!(t.full_transcript(), None);
    t.add_message(b"three");
    assert_eq!(
        t.current_hash().unwrap().as_ref(),
        sha256(&[b"onetwothree"])
    );
    // Too late to ask again: the messages are gone.
    assert!(matches!(t.keep_full_transcript(), Err(Error::ApiMisuse(_))));
}

#[test]
fn hash_with_does_not_add() {
    let mut t = HandshakeHash::new();
    t.add_message(b"ch1");
    // Before the algorithm is known (a client computing a binder in ClientHello1).
    let h = t.hash_with(SuiteHash::Sha256, b"partial").unwrap();
    assert_eq!(h.as_ref(), sha256(&[b"ch1partial"]));
    t.start_hash(SuiteHash::Sha256).unwrap();
    let h = t.hash_with(SuiteHash::Sha256, b"partial").unwrap();
    assert_eq!(h.as_ref(), sha256(&[b"ch1partial"]));
    assert_eq!(t.current_hash().unwrap().as_ref(), sha256(&[b"ch1"]));
    assert!(matches!(
        t.hash_with(SuiteHash::Sha384, b""),
        Err(Error::ApiMisuse(_))
    ));
}

#[test]
fn hrr_rollup_replaces_client_hello1() {
    let ch1 = b"\x01\x00\x00\x03abc";
    let mut t = HandshakeHash::new();
    t.keep_full_transcript().unwrap();
    t.add_message(ch1);
    t.start_hash(SuiteHash::Sha256).unwrap();
    t.rollup_for_hrr().unwrap();
    t.add_message(b"hrr");
    let ch1_hash = sha256(&[ch1]);
    let mut synthetic = vec![254, 0, 0, 32];
    synthetic.extend_from_slice(&ch1_hash);
    assert_eq!(
        t.current_hash().unwrap().as_ref(),
        sha256(&[&synthetic, b"hrr"])
    );
    let mut full = synthetic.clone();
    full.extend_from_slice(b"hrr");
    assert_eq!(t.full_transcript(), Some(full.as_slice()));

    // A stateless server rebuilds the same transcript from the hash in its cookie.
    let mut s = HandshakeHash::from_client_hello1_hash(SuiteHash::Sha256, &ch1_hash).unwrap();
    s.add_message(b"hrr");
    assert_eq!(
        s.current_hash().unwrap().as_ref(),
        t.current_hash().unwrap().as_ref()
    );
}

#[test]
fn hrr_rollup_sha384_length_byte() {
    let mut t = HandshakeHash::new();
    t.add_message(b"ch1");
    t.start_hash(SuiteHash::Sha384).unwrap();
    t.rollup_for_hrr().unwrap();
    let mut expect = digest::Context::new(&digest::SHA384);
    expect.update(&[254, 0, 0, 48]);
    expect.update(digest::digest(&digest::SHA384, b"ch1").as_ref());
    assert_eq!(t.current_hash().unwrap().as_ref(), expect.finish().as_ref());
}

#[test]
fn cookie_hash_of_wrong_length_is_rejected() {
    for len in [0usize, 31, 33, 48] {
        let r = HandshakeHash::from_client_hello1_hash(SuiteHash::Sha256, &vec![0; len]);
        assert_eq!(
            r.unwrap_err(),
            Error::InvalidMessage(InvalidMessage::IllegalValue("ClientHello1 hash"))
        );
    }
    assert!(HandshakeHash::from_client_hello1_hash(SuiteHash::Sha384, &[0; 48]).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// However the messages are split around `start_hash`, and whether or not the
    /// transcript is kept, the hash is the hash of the concatenation.
    #[test]
    fn any_split_hashes_the_concatenation(
        msgs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8),
        split in 0usize..9,
        keep in any::<bool>(),
        sha384 in any::<bool>(),
    ) {
        let alg = if sha384 { SuiteHash::Sha384 } else { SuiteHash::Sha256 };
        let split = split.min(msgs.len());
        let mut t = HandshakeHash::new();
        if keep {
            t.keep_full_transcript().unwrap();
        }
        for m in &msgs[..split] {
            t.add_message(m);
        }
        t.start_hash(alg).unwrap();
        for m in &msgs[split..] {
            t.add_message(m);
        }
        let all: Vec<u8> = msgs.concat();
        let got = t.current_hash().unwrap();
        let want = alg.hash(&all);
        prop_assert_eq!(got.as_ref(), want.as_ref());
        prop_assert_eq!(t.full_transcript().is_some(), keep);
        if keep {
            prop_assert_eq!(t.full_transcript().unwrap(), all.as_slice());
        }
    }
}
