use super::*;
// RustCrypto's ML-KEM, an implementation independent of the engine's, checks its shares.
use crate::rand::{ReplayRandom, SystemRandom};
use ml_kem::{Decapsulate, KeyExport};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn x25519_rfc7748_section_6_1() {
    let alice = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    let bob_public = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    let kx = KeyExchange::start(NamedGroup::X25519, &ReplayRandom::new(h(alice))).unwrap();
    assert_eq!(
        hex::encode(kx.public_key()),
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    );
    let shared = kx.complete(&h(bob_public)).unwrap();
    assert_eq!(
        hex::encode(&*shared.0),
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
    );
}

#[test]
fn x25519_refuses_low_order_points_and_bad_lengths() {
    // Both key paths: ring's (OS generator) and the drawn-bytes one.
    let sources: [&dyn Fn() -> Box<dyn RandomSource>; 2] =
        [&|| Box::new(SystemRandom::new()), &|| {
            Box::new(ReplayRandom::new(vec![5u8; 32]))
        }];
    for source in sources {
        let kx = || KeyExchange::start(NamedGroup::X25519, source().as_ref()).unwrap();
        let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        assert_eq!(kx().complete(&[0u8; 32]).unwrap_err(), invalid);
        assert_eq!(kx().complete(&[1u8; 31]).unwrap_err(), invalid);
        assert_eq!(kx().complete(&[1u8; 33]).unwrap_err(), invalid);
    }
}

#[test]
fn nist_curves_agree_and_refuse_bad_points() {
    for (group, len) in [(NamedGroup::secp256r1, 65), (NamedGroup::secp384r1, 97)] {
        let a = KeyExchange::start(group, &SystemRandom::new()).unwrap();
        let b = KeyExchange::start(group, &SystemRandom::new()).unwrap();
        assert_eq!(a.public_key().len(), len);
        assert_eq!(a.public_key()[0], 4, "uncompressed");
        let a_pub = a.public_key().to_vec();
        let s1 = a.complete(b.public_key()).unwrap();
        let s2 = b.complete(&a_pub).unwrap();
        assert_eq!(*s1.0, *s2.0);
        // Off the curve: flip a coordinate bit.
        let mut off = a_pub.clone();
        off[len - 1] ^= 1;
        let c = KeyExchange::start(group, &SystemRandom::new()).unwrap();
        assert!(c.complete(&off).is_err());
        // Compressed form is refused in TLS 1.3.
        let c = KeyExchange::start(group, &SystemRandom::new()).unwrap();
        let compressed = [&[2u8][..], &a_pub[1..1 + (len - 1) / 2]].concat();
        assert!(c.complete(&compressed).is_err());
    }
}

#[test]
fn p256_rfc5903_section_8_1() {
    let i = "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433";
    let r_pub = "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63\
                 56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab";
    let kx = KeyExchange::start(NamedGroup::secp256r1, &ReplayRandom::new(h(i))).unwrap();
    assert_eq!(
        hex::encode(kx.public_key()),
        "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180\
         5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3"
    );
    let shared = kx.complete(&h(r_pub)).unwrap();
    assert_eq!(
        hex::encode(&*shared.0),
        "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"
    );
}

#[test]
fn keys_made_in_ring_and_from_drawn_bytes_agree() {
    // With the OS generator the key lives in ring; with any other source it is made
    // from the drawn bytes. Both ends of every pairing compute the same secret.
    for group in SUPPORTED_GROUPS {
        let in_ring = KeyExchange::start(*group, &SystemRandom::new()).unwrap();
        // ring has no P-521: its keys are always drawn.
        let p521 = *group == NamedGroup::secp521r1;
        assert_eq!(
            matches!(in_ring.secret, Secret::Ring(_)),
            !p521,
            "{group:?}"
        );
        let drawn = KeyExchange::start(*group, &ReplayRandom::new(vec![9u8; 66])).unwrap();
        assert!(!matches!(drawn.secret, Secret::Ring(_)), "{group:?}");
        assert_eq!(in_ring.public_key().len(), drawn.public_key().len());
        let ring_pub = in_ring.public_key().to_vec();
        let s1 = in_ring.complete(drawn.public_key()).unwrap();
        let s2 = drawn.complete(&ring_pub).unwrap();
        assert_eq!(*s1.0, *s2.0, "{group:?}");
    }
}

#[test]
fn generation_is_deterministic_in_the_pool() {
    let pool = vec![7u8; 66];
    for group in SUPPORTED_GROUPS {
        let a = KeyExchange::start(*group, &ReplayRandom::new(pool.clone())).unwrap();
        let b = KeyExchange::start(*group, &ReplayRandom::new(pool.clone())).unwrap();
        assert_eq!(a.public_key(), b.public_key());
    }
    assert_eq!(
        KeyExchange::start(NamedGroup::X25519, &ReplayRandom::new(vec![0; 31])).unwrap_err(),
        Error::GetRandomFailed
    );
}

/// A pool of `n` bytes counting from `start`.
fn pool(start: u8, n: usize) -> ReplayRandom {
    ReplayRandom::new(
        (0..n)
            .map(|i| start.wrapping_add(i as u8))
            .collect::<Vec<_>>(),
    )
}

fn hybrid_client(start: u8) -> KeyExchange {
    KeyExchange::start(NamedGroup::X25519MLKEM768, &pool(start, 96)).unwrap()
}

#[test]
fn x25519mlkem768_agrees_with_the_draft_layout() {
    let client = hybrid_client(1);
    let share = client.public_key().to_vec();
    assert_eq!(share.len(), 1184 + 32);
    // Client: seed d||z (64 bytes), then the X25519 scalar (32).
    let seed = ml_kem::Seed::try_from(&(1u8..65).collect::<Vec<_>>()[..]).unwrap();
    let dk = ml_kem::DecapsulationKey768::from_seed(seed);
    assert_eq!(&share[..1184], &dk.encapsulation_key().to_bytes()[..]);
    let client_x: [u8; 32] = (1u8..97).skip(64).collect::<Vec<_>>().try_into().unwrap();
    let client_x = x25519_dalek::StaticSecret::from(client_x);
    assert_eq!(
        &share[1184..],
        x25519_dalek::PublicKey::from(&client_x).as_bytes()
    );

    let (answer, server_secret) =
        KeyExchange::accept(NamedGroup::X25519MLKEM768, &share, &pool(200, 64)).unwrap();
    assert_eq!(answer.len(), 1088 + 32);
    let client_secret = client.complete(&answer).unwrap();
    assert_eq!(*client_secret.0, *server_secret.0);
    assert_eq!(client_secret.0.len(), 64);
    // ML-KEM's secret comes first, X25519's second (draft-ietf-tls-ecdhe-mlkem s4.3).
    let ct = ml_kem::Ciphertext::<ml_kem::MlKem768>::try_from(&answer[..1088]).unwrap();
    assert_eq!(&client_secret.0[..32], &dk.decapsulate(&ct)[..]);
    let server_x: [u8; 32] = answer[1088..].try_into().unwrap();
    let x = client_x.diffie_hellman(&x25519_dalek::PublicKey::from(server_x));
    assert_eq!(&client_secret.0[32..], x.as_bytes());
}

#[test]
fn x25519mlkem768_is_deterministic_in_the_pool() {
    let (a, b) = (hybrid_client(3), hybrid_client(3));
    assert_eq!(a.public_key(), b.public_key());
    assert_ne!(a.public_key(), hybrid_client(4).public_key());
    let accept =
        || KeyExchange::accept(NamedGroup::X25519MLKEM768, a.public_key(), &pool(9, 64)).unwrap();
    let ((s1, k1), (s2, k2)) = (accept(), accept());
    assert_eq!((s1, &*k1.0), (s2, &*k2.0));
    // A pool too short for the key or the encapsulation fails cleanly.
    for n in [0, 63, 95] {
        assert_eq!(
            KeyExchange::start(NamedGroup::X25519MLKEM768, &pool(0, n)).unwrap_err(),
            Error::GetRandomFailed
        );
    }
    for n in [0, 31, 63] {
        assert_eq!(
            KeyExchange::accept(NamedGroup::X25519MLKEM768, a.public_key(), &pool(0, n))
                .unwrap_err(),
            Error::GetRandomFailed
        );
    }
}

#[test]
fn x25519mlkem768_server_refuses_bad_client_shares() {
    use crate::enums::AlertDescription;
    let share = hybrid_client(5).public_key().to_vec();
    let accept =
        |s: &[u8]| KeyExchange::accept(NamedGroup::X25519MLKEM768, s, &pool(0, 64)).unwrap_err();
    let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
    // Wrong lengths (FIPS 203 s7.2 type check), including a bare X25519 value.
    for len in [0, 32, 1183, 1184, 1215] {
        assert_eq!(accept(&share[..len]), invalid, "{len}");
    }
    assert_eq!(accept(&[share.clone(), vec![0]].concat()), invalid);
    // Modulus check: the first 12-bit coefficient set to 4095 >= q = 3329.
    let mut over = share.clone();
    over[0] = 0xff;
    over[1] |= 0x0f;
    let err = accept(&over);
    assert_eq!(
        err,
        Error::PeerMisbehaved(PeerMisbehaved::MlKemEncapsulationKeyCheck)
    );
    assert_eq!(
        PeerMisbehaved::MlKemEncapsulationKeyCheck.alert(),
        AlertDescription::IllegalParameter
    );
    assert_eq!(
        PeerMisbehaved::InvalidKeyShare.alert(),
        AlertDescription::IllegalParameter
    );
    // q itself is out of range too; q - 1 is not.
    let mut at_q = share.clone();
    at_q[0] = (3329 & 0xff) as u8;
    at_q[1] = (at_q[1] & 0xf0) | (3329 >> 8) as u8;
    assert_eq!(
        accept(&at_q),
        Error::PeerMisbehaved(PeerMisbehaved::MlKemEncapsulationKeyCheck)
    );
    let mut below_q = at_q.clone();
    below_q[0] -= 1;
    assert!(KeyExchange::accept(NamedGroup::X25519MLKEM768, &below_q, &pool(0, 64)).is_ok());
    // A low-order X25519 value: the all-zero result is refused as for plain X25519.
    let mut low_order = share.clone();
    low_order[1184..].fill(0);
    assert_eq!(accept(&low_order), invalid);
}

#[test]
fn x25519mlkem768_client_refuses_bad_server_shares() {
    let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
    let client = hybrid_client(6);
    let (answer, _) = KeyExchange::accept(
        NamedGroup::X25519MLKEM768,
        client.public_key(),
        &pool(7, 64),
    )
    .unwrap();
    for len in [0, 32, 1087, 1088, 1119] {
        assert_eq!(
            hybrid_client(6).complete(&answer[..len]).unwrap_err(),
            invalid
        );
    }
    let longer = [answer.clone(), vec![0]].concat();
    assert_eq!(hybrid_client(6).complete(&longer).unwrap_err(), invalid);
    // A client share is not a server share.
    let share = client.public_key().to_vec();
    assert_eq!(hybrid_client(6).complete(&share).unwrap_err(), invalid);
    let mut low_order = answer.clone();
    low_order[1088..].fill(0);
    assert_eq!(hybrid_client(6).complete(&low_order).unwrap_err(), invalid);
    // A forged ciphertext is implicitly rejected: another secret, no error.
    let mut forged = answer.clone();
    forged[0] ^= 1;
    let (_, server_secret) = KeyExchange::accept(
        NamedGroup::X25519MLKEM768,
        client.public_key(),
        &pool(7, 64),
    )
    .unwrap();
    let secret = hybrid_client(6).complete(&forged).unwrap();
    assert_ne!(*secret.0, *server_secret.0);
    assert_eq!(*client.complete(&answer).unwrap().0, *server_secret.0);
}

#[test]
fn x25519mlkem768_with_an_x25519_share_uses_one_key() {
    let plain = hybrid_client(8);
    assert_eq!(plain.shares().len(), 1);
    assert!(!plain.offers(NamedGroup::X25519));
    let both = hybrid_client(8).with_ecdh_share();
    let shares = both.shares();
    assert_eq!(shares.len(), 2);
    assert_eq!(shares[0], (NamedGroup::X25519MLKEM768, plain.public_key()));
    assert_eq!(shares[1], (NamedGroup::X25519, &plain.public_key()[1184..]));
    assert!(both.offers(NamedGroup::X25519) && both.offers(NamedGroup::X25519MLKEM768));
    assert!(!both.offers(NamedGroup::secp256r1));
    // A server answering the X25519 share alone agrees with the hybrid key's X25519 half.
    let x_share = shares[1].1.to_vec();
    let (answer, server) =
        KeyExchange::accept(NamedGroup::X25519, &x_share, &pool(40, 32)).unwrap();
    let client = hybrid_client(8).with_ecdh_share();
    let secret = client.complete_for(NamedGroup::X25519, &answer).unwrap();
    assert_eq!(*secret.0, *server.0);
    // Without the X25519 share, or for a group not offered, the answer is refused.
    let unoffered = Error::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedParameter(
        "key_share group",
    ));
    let refused = hybrid_client(8).complete_for(NamedGroup::X25519, &answer);
    assert_eq!(refused.unwrap_err(), unoffered);
    let refused = hybrid_client(8)
        .with_ecdh_share()
        .complete_for(NamedGroup::secp256r1, &answer);
    assert_eq!(refused.unwrap_err(), unoffered);
    let low_order = hybrid_client(8)
        .with_ecdh_share()
        .complete_for(NamedGroup::X25519, &[0u8; 32]);
    assert_eq!(
        low_order.unwrap_err(),
        Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare)
    );
    // Not a hybrid key: nothing changes.
    let x = KeyExchange::start(NamedGroup::X25519, &pool(1, 32))
        .unwrap()
        .with_ecdh_share();
    assert_eq!(x.shares().len(), 1);
}

#[test]
fn only_tls13_has_the_hybrid_groups() {
    for group in HYBRID_GROUPS {
        assert!(tls13_only(*group), "{group:?}");
        assert!(!DEFAULT_GROUPS.contains(group) || *group == NamedGroup::X25519MLKEM768);
    }
    for group in SUPPORTED_GROUPS {
        assert!(!tls13_only(*group));
        assert_eq!(hybrid_ecdh_group(*group), None);
    }
    assert_eq!(
        hybrid_ecdh_group(NamedGroup::SecP384r1MLKEM1024),
        Some(NamedGroup::secp384r1)
    );
}

/// (group, ECDH length, ek length, ciphertext length, ECDH secret length) of each hybrid,
/// from draft-ietf-tls-ecdhe-mlkem s4.1-4.3 and FIPS 203 s8, written out rather than read
/// from the table under test.
const LAYOUTS: [(NamedGroup, usize, usize, usize, usize); 3] = [
    (NamedGroup::X25519MLKEM768, 32, 1184, 1088, 32),
    (NamedGroup::SecP256r1MLKEM768, 65, 1184, 1088, 32),
    (NamedGroup::SecP384r1MLKEM1024, 97, 1568, 1568, 48),
];

/// The ECDH public value a scalar drawn from `bytes` makes, for the NIST hybrids.
fn nist_public(group: NamedGroup, bytes: &[u8]) -> Vec<u8> {
    let (secret, public) = ecdh_key(group, &ReplayRandom::new(bytes.to_vec())).unwrap();
    drop(secret);
    public
}

#[test]
fn nist_hybrids_put_the_ecdh_part_first() {
    for (group, ecdh_len, ek_len, ct_len, dh_len) in &LAYOUTS[1..] {
        let ecdh_group = hybrid_ecdh_group(*group).unwrap();
        let scalar_len = ecdh_len / 2;
        let client = KeyExchange::start(*group, &pool(1, 64 + scalar_len)).unwrap();
        let share = client.public_key().to_vec();
        assert_eq!(share.len(), ecdh_len + ek_len, "{group:?}");
        // Drawn: the seed d||z (64 bytes), then the scalar; on the wire the point first.
        let drawn: Vec<u8> = (1u8..).take(64 + scalar_len).collect();
        assert_eq!(share[0], 4, "an uncompressed point");
        assert_eq!(
            &share[..*ecdh_len],
            &nist_public(ecdh_group, &drawn[64..])[..]
        );
        let seed = ml_kem::Seed::try_from(&drawn[..64]).unwrap();
        let ek = match group {
            NamedGroup::SecP256r1MLKEM768 => ml_kem::DecapsulationKey768::from_seed(seed)
                .encapsulation_key()
                .to_bytes()
                .to_vec(),
            _ => ml_kem::DecapsulationKey1024::from_seed(seed)
                .encapsulation_key()
                .to_bytes()
                .to_vec(),
        };
        assert_eq!(&share[*ecdh_len..], &ek[..]);

        // The server draws m (32 bytes), then its scalar.
        let (answer, server_secret) =
            KeyExchange::accept(*group, &share, &pool(200, 32 + scalar_len)).unwrap();
        assert_eq!(answer.len(), ecdh_len + ct_len);
        let server_drawn: Vec<u8> = (200u8..=255).chain(0..).take(32 + scalar_len).collect();
        assert_eq!(
            &answer[..*ecdh_len],
            &nist_public(ecdh_group, &server_drawn[32..])[..]
        );
        let client_secret = client.complete(&answer).unwrap();
        assert_eq!(*client_secret.0, *server_secret.0);
        assert_eq!(client_secret.0.len(), dh_len + 32);
        // The secret is the ECDH one || the ML-KEM one: the ECDH half alone agrees with
        // the first part.
        let (ours, _) = ecdh_key(ecdh_group, &ReplayRandom::new(drawn[64..].to_vec())).unwrap();
        let dh = ecdh_agree(ecdh_group, ours, &answer[..*ecdh_len]).unwrap();
        assert_eq!(&client_secret.0[..*dh_len], &dh[..]);
    }
}

#[test]
fn every_hybrid_agrees_and_replays_from_its_pool() {
    for (group, ..) in LAYOUTS {
        let start = || KeyExchange::start(group, &pool(3, 112)).unwrap();
        let (a, b) = (start(), start());
        assert_eq!(a.public_key(), b.public_key(), "{group:?}");
        let accept = || KeyExchange::accept(group, a.public_key(), &pool(9, 80)).unwrap();
        let ((s1, k1), (s2, k2)) = (accept(), accept());
        assert_eq!((&s1, &*k1.0), (&s2, &*k2.0));
        assert_eq!(*a.complete(&s1).unwrap().0, *k1.0);
        // With the OS generator too (the hybrid's ECDH half is never ring's).
        let c = KeyExchange::start(group, &SystemRandom::new()).unwrap();
        assert!(matches!(c.secret, Secret::Hybrid { .. }));
        let (answer, server) =
            KeyExchange::accept(group, c.public_key(), &SystemRandom::new()).unwrap();
        assert_eq!(*c.complete(&answer).unwrap().0, *server.0);
    }
}

#[test]
fn hybrid_pools_too_short_fail_cleanly() {
    // The client needs 64 + the scalar, the server 32 + the scalar.
    for (group, ecdh_len, ..) in LAYOUTS {
        let scalar = if ecdh_len == 97 { 48 } else { 32 };
        let share = KeyExchange::start(group, &pool(1, 64 + scalar))
            .unwrap()
            .public_key()
            .to_vec();
        for n in [0, 63, 64 + scalar - 1] {
            let err = KeyExchange::start(group, &pool(0, n)).unwrap_err();
            assert_eq!(err, Error::GetRandomFailed, "{group:?} {n}");
        }
        for n in [0, 31, 32 + scalar - 1] {
            let err = KeyExchange::accept(group, &share, &pool(0, n)).unwrap_err();
            assert_eq!(err, Error::GetRandomFailed, "{group:?} {n}");
        }
        assert!(KeyExchange::accept(group, &share, &pool(0, 32 + scalar)).is_ok());
    }
}

#[test]
fn hybrid_servers_refuse_bad_client_shares() {
    let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
    let modulus = Error::PeerMisbehaved(PeerMisbehaved::MlKemEncapsulationKeyCheck);
    for (group, ecdh_len, ek_len, ct_len, _) in LAYOUTS {
        let share = KeyExchange::start(group, &pool(5, 112))
            .unwrap()
            .public_key()
            .to_vec();
        let accept = |s: &[u8]| KeyExchange::accept(group, s, &pool(0, 80));
        // Every length but the exact one, including a bare ECDH value or ek and a server
        // share's length.
        let full = ecdh_len + ek_len;
        for len in [0, ecdh_len, ek_len, full - 1, ecdh_len + ct_len] {
            if len != full {
                assert_eq!(accept(&share[..len.min(full)]).unwrap_err(), invalid);
            }
        }
        let longer = [share.clone(), vec![0]].concat();
        assert_eq!(accept(&longer).unwrap_err(), invalid, "{group:?}");
        // The modulus check on the first 12-bit coefficient of the encapsulation key:
        // 4095 and q = 3329 are refused, q - 1 is not.
        let ek_at = if group == NamedGroup::X25519MLKEM768 {
            0
        } else {
            ecdh_len
        };
        let with_coefficient = |c: u16| {
            let mut s = share.clone();
            s[ek_at] = c as u8;
            s[ek_at + 1] = (s[ek_at + 1] & 0xf0) | (c >> 8) as u8;
            s
        };
        assert_eq!(accept(&with_coefficient(4095)).unwrap_err(), modulus);
        assert_eq!(accept(&with_coefficient(3329)).unwrap_err(), modulus);
        assert!(accept(&with_coefficient(3328)).is_ok(), "{group:?}");
        // An invalid ECDH value: all-zero X25519 (low order), a NIST point off the curve
        // or compressed.
        let ecdh_at = if group == NamedGroup::X25519MLKEM768 {
            ek_len
        } else {
            0
        };
        let mut bad_point = share.clone();
        if ecdh_len == 32 {
            bad_point[ecdh_at..].fill(0);
        } else {
            bad_point[ecdh_len - 1] ^= 1;
        }
        assert_eq!(accept(&bad_point).unwrap_err(), invalid, "{group:?}");
        if ecdh_len != 32 {
            let mut compressed = share.clone();
            compressed[0] = 2;
            assert_eq!(accept(&compressed).unwrap_err(), invalid);
        }
    }
    assert_eq!(
        PeerMisbehaved::MlKemEncapsulationKeyCheck.alert(),
        crate::enums::AlertDescription::IllegalParameter
    );
}

#[test]
fn hybrid_clients_refuse_bad_server_shares() {
    let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
    for (group, ecdh_len, ek_len, ct_len, _) in LAYOUTS {
        let client = || KeyExchange::start(group, &pool(6, 112)).unwrap();
        let share = client().public_key().to_vec();
        let (answer, server) = KeyExchange::accept(group, &share, &pool(7, 80)).unwrap();
        let full = ecdh_len + ct_len;
        for len in [0, ecdh_len, ct_len, full - 1] {
            if len != full {
                let err = client().complete(&answer[..len]).unwrap_err();
                assert_eq!(err, invalid, "{group:?} {len}");
            }
        }
        let longer = [answer.clone(), vec![0]].concat();
        assert_eq!(client().complete(&longer).unwrap_err(), invalid);
        // A client share is not a server share, where their lengths differ (ML-KEM-1024's
        // ek and ciphertext are both 1568 bytes).
        if ek_len != ct_len {
            assert_eq!(client().complete(&share).unwrap_err(), invalid);
        }
        let ecdh_at = if group == NamedGroup::X25519MLKEM768 {
            ct_len
        } else {
            0
        };
        let mut bad_point = answer.clone();
        if ecdh_len == 32 {
            bad_point[ecdh_at..].fill(0);
        } else {
            bad_point[ecdh_len - 1] ^= 1;
        }
        assert_eq!(client().complete(&bad_point).unwrap_err(), invalid);
        // A forged ciphertext is implicitly rejected: another secret, no error.
        let kem_at = if group == NamedGroup::X25519MLKEM768 {
            0
        } else {
            ecdh_len
        };
        let mut forged = answer.clone();
        forged[kem_at] ^= 1;
        assert_ne!(*client().complete(&forged).unwrap().0, *server.0);
        assert_eq!(*client().complete(&answer).unwrap().0, *server.0);
    }
}

#[test]
fn a_nist_hybrid_with_an_ecdh_share_uses_one_key() {
    let group = NamedGroup::SecP256r1MLKEM768;
    let plain = KeyExchange::start(group, &pool(8, 96)).unwrap();
    let both = KeyExchange::start(group, &pool(8, 96))
        .unwrap()
        .with_ecdh_share();
    let shares = both.shares();
    assert_eq!(shares.len(), 2);
    assert_eq!(shares[0], (group, plain.public_key()));
    assert_eq!(
        shares[1],
        (NamedGroup::secp256r1, &plain.public_key()[..65])
    );
    assert!(both.offers(NamedGroup::secp256r1) && !both.offers(NamedGroup::X25519));
    assert!(!plain.offers(NamedGroup::secp256r1));
    let (answer, server) =
        KeyExchange::accept(NamedGroup::secp256r1, shares[1].1, &pool(40, 32)).unwrap();
    let secret = both.complete_for(NamedGroup::secp256r1, &answer).unwrap();
    assert_eq!(*secret.0, *server.0);
    let refused = plain.complete_for(NamedGroup::secp256r1, &answer);
    assert_eq!(
        refused.unwrap_err(),
        Error::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedParameter(
            "key_share group"
        ))
    );
}

#[test]
fn p521_agrees_with_openssl_and_refuses_bad_points() {
    // `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521` twice, then
    // `openssl pkeyutl -derive`: A's scalar and public value, B's public value, and Z.
    let a = "018226da6a5f1f5ac8cf7a63bae64a9e61bacf71933b059baf08972adc8f2815b210\
             3bf710beee2f4b68205f0ed7b6f7be8e7887f213de0b2c17d4a9521c0643a448";
    let a_pub = "04007476f9ba3424e8a84932a2cbdfc1fe2374f68afccaf266ff3ab650d5dcad88b4\
                 da2e6961ef2451c1cd91285afa7bca85b252ae88848ff8ca39598dc25363924848\
                 01bb022202b0a428a4241461e97c8313b6b541f01505765335173c00553e5547b5\
                 7b4829b9999b7b395dd95eed2e355ad9271ff9d706a827185d8dde6a544b2cc769";
    let b_pub = "0400c601fbfb3491a6ec25ac8475fa3cddbb1023ac2e3feec92e6e0be9a3597f67be\
                 4bad401ba934def6173ff0602007d52dee3bc0519ab6d7bfc1b1bfbc59bf0fceda\
                 01a32c5b86f38e647a5a5a298940601ac2f84c11a2b738c8d51073cf99828e094c\
                 5698449014fd0afe9d91bd73a84c2db9447c909908c0128f50f29ecd99b9d7d3b0";
    let z = "019afe408c0560b609c9b0b037d7495762ee170e597d50a8ee5e4192f116da9d46d6\
             d8d913545c8efe1707575afca0f3b08b510908ab4817541e76ce7296ca14ee53";
    let start = |pool: Vec<u8>| {
        KeyExchange::start(NamedGroup::secp521r1, &ReplayRandom::new(pool)).unwrap()
    };
    let kx = start(h(a));
    assert_eq!(hex::encode(kx.public_key()), a_pub);
    assert_eq!(hex::encode(&*kx.complete(&h(b_pub)).unwrap().0), z);
    // A 66-byte draw keeps 521 bits: the top byte's high 7 bits are cleared.
    let mut high = h(a);
    high[0] |= 0xfe;
    assert_eq!(hex::encode(start(high).public_key()), a_pub);
    // A draw not below the order is redrawn: n itself, then A's scalar.
    let n = "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\
             fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409";
    assert_eq!(
        hex::encode(start([h(n), h(a)].concat()).public_key()),
        a_pub
    );
    assert_eq!(
        KeyExchange::start(NamedGroup::secp521r1, &ReplayRandom::new(h(n))).unwrap_err(),
        Error::GetRandomFailed
    );
    let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
    let b = h(b_pub);
    // Off the curve, compressed, truncated, padded, the point at infinity.
    let mut off = b.clone();
    off[132] ^= 1;
    let compressed = [&[2u8 | (b[132] & 1)][..], &b[1..67]].concat();
    for bad in [
        off,
        compressed,
        b[..132].to_vec(),
        [b.clone(), vec![0]].concat(),
        vec![0],
        vec![4; 133],
    ] {
        assert_eq!(start(h(a)).complete(&bad).unwrap_err(), invalid);
    }
}

#[test]
fn ffdhe_key_shares_are_padded_and_checked() {
    use crate::crypto::ffdhe::DhGroup;
    let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
    for (group, len) in [(NamedGroup::FFDHE2048, 256), (NamedGroup::FFDHE3072, 384)] {
        assert!(is_ffdhe(group) && !tls13_only(group));
        let client = KeyExchange::start(group, &pool(1, 64)).unwrap();
        assert_eq!(client.public_key().len(), len);
        let share = client.public_key().to_vec();
        let (answer, server) = KeyExchange::accept(group, &share, &pool(50, 64)).unwrap();
        assert_eq!(answer.len(), len);
        let secret = client.complete(&answer).unwrap();
        assert_eq!(*secret.0, *server.0);
        assert_eq!(secret.0.len(), len, "Z keeps its leading zeros");
        // 0, 1, p-1, p and anything not exactly as long as p are refused.
        let p = DhGroup::from_named(group).unwrap().p().to_vec();
        let mut p_minus_1 = p.clone();
        p_minus_1[len - 1] -= 1;
        let mut one = vec![0u8; len];
        one[len - 1] = 1;
        let stripped = answer[answer.iter().take_while(|b| **b == 0).count()..].to_vec();
        let short = if stripped.len() < len {
            stripped
        } else {
            answer[1..].to_vec()
        };
        for bad in [
            vec![0u8; len],
            one,
            p_minus_1,
            p,
            short,
            [vec![0], answer.clone()].concat(),
        ] {
            let c = KeyExchange::start(group, &pool(1, 64)).unwrap();
            assert_eq!(c.complete(&bad).unwrap_err(), invalid);
            assert_eq!(
                KeyExchange::accept(group, &bad, &pool(50, 64)).unwrap_err(),
                invalid
            );
        }
    }
    // Not in the defaults, nor in what `ecdhCurve: 'auto'` means.
    for group in DEFAULT_GROUPS.iter().chain(SUPPORTED_GROUPS) {
        assert!(!is_ffdhe(*group));
    }
}
