use super::*;
use crate::rand::{ReplayRandom, SystemRandom};
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn named_groups() -> Vec<DhGroup> {
    vec![
        DhGroup::ffdhe2048(),
        DhGroup::ffdhe3072(),
        DhGroup::ffdhe4096(),
        DhGroup::ffdhe6144(),
        DhGroup::ffdhe8192(),
    ]
}

/// `openssl dhparam -outform DER 1024` (OpenSSL 3.0.19), g = 2.
const DH1024_DER: &str = "308187028181008e77ad0ab48b549781f51de85f69bc1c0fe202fec93668fe8697\
    c95c272546d6cfb89a34b57cc458904916cee8ffdd0cc8fce961f713d9d84520985764fbde61ca64e75616d0\
    2aa7a033478c61c306d77378320e7a5695ec6fd977cce5441dcde9c53fdb76e4bdaf38387fac13f0e7ffdaf6\
    fe787da2e7b4e17350229096d157020102";

fn dh1024() -> DhGroup {
    // SEQUENCE, INTEGER p (128 bytes after a sign byte), INTEGER g = 2.
    let der = h(DH1024_DER);
    DhGroup::new(&der[7..135], &der[137..]).unwrap()
}

/// The PKCS#3 DER of a group, as OpenSSL writes it (reading DER is sanstls-pki's; this
/// writer only lets the tests compare with OpenSSL's bytes).
fn to_der(group: &DhGroup) -> Vec<u8> {
    fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let len = value.len();
        let mut out = vec![tag];
        match len {
            0..=0x7f => out.push(len as u8),
            0x80..=0xff => out.extend([0x81, len as u8]),
            _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
        out.extend_from_slice(value);
        out
    }
    fn integer(unsigned: &[u8]) -> Vec<u8> {
        match unsigned.first() {
            Some(b) if b & 0x80 != 0 => tlv(0x02, &[&[0][..], unsigned].concat()),
            _ => tlv(0x02, unsigned),
        }
    }
    tlv(0x30, &[integer(group.p()), integer(group.g())].concat())
}

#[test]
fn named_primes_are_openssls() {
    // SHA-256 of `openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdheN` converted
    // to DER (`openssl pkeyparam -outform DER`), OpenSSL 3.0.19: an independent copy of
    // RFC 7919 Appendix A.
    let expected = [
        (
            "ca697111b7a89a23ac7ce82ce56d0fa260cbff835dc82bb6f440e8bf395d3155",
            268,
        ),
        (
            "e6c929eaf5be4558cbe49edc31017c7f646723bdc006270bed368afde14acb14",
            396,
        ),
        (
            "44ad643c91937401c3c127397891d05cc9620740f6cb3325c14ce7842ec48285",
            524,
        ),
        (
            "49e6a0c5ab60cfe32b2a2236ad7b73eef751e3151fcc953adc5cde28d841d5e3",
            780,
        ),
        (
            "2dbc0a12db45482d4c44e7119e05afeda66a56f0f42c2813099373001e601c0f",
            1036,
        ),
    ];
    for (group, (digest, len)) in named_groups().iter().zip(expected) {
        let der = to_der(group);
        assert_eq!(der.len(), len);
        let got = ring::digest::digest(&ring::digest::SHA256, &der);
        assert_eq!(hex::encode(got.as_ref()), digest, "{:?}", group.named);
        // RFC 7919 Appendix A's shape: the top and bottom 64 bits are all ones.
        assert_eq!(group.p()[..8], [0xff; 8]);
        assert_eq!(group.p()[group.p().len() - 8..], [0xff; 8]);
        assert_eq!(group.g(), [2]);
        // And the same numbers given as custom parameters are recognised as the group.
        let custom = DhGroup::new(group.p(), group.g()).unwrap();
        assert_eq!(&custom, group);
        assert_eq!(custom.matching_named(), group.named);
        assert_eq!(
            DhGroup::from_named(group.named.unwrap()).as_ref(),
            Some(group)
        );
    }
    let bits: Vec<usize> = named_groups().iter().map(DhGroup::bits).collect();
    assert_eq!(bits, [2048, 3072, 4096, 6144, 8192]);
    assert_eq!(DhGroup::from_named(NamedGroup::X25519), None);
    assert_eq!(DhGroup::from_named(NamedGroup::Unknown(0x01ff)), None);
}

#[test]
fn custom_equal_to_named_is_named() {
    let p = DhGroup::ffdhe3072().p().to_vec();
    let with_zero = [&[0u8][..], &p].concat();
    let g = DhGroup::new(&with_zero, &[0, 2]).unwrap();
    assert_eq!(g, DhGroup::ffdhe3072());
    assert_eq!(g.matching_named(), Some(NamedGroup::FFDHE3072));
    // Same prime, other generator: custom.
    let g5 = DhGroup::new(&p, &[5]).unwrap();
    assert_eq!(g5.matching_named(), None);
    assert_eq!(g5.exponent_bits(), 3071);
    assert_eq!(DhGroup::ffdhe3072().exponent_bits(), 275);
    assert_eq!(dh1024().matching_named(), None);
    assert_eq!(dh1024().exponent_bits(), 1023);
}

#[test]
fn custom_parameters_are_checked() {
    let p = dh1024().p().to_vec();
    assert_eq!(p.len(), 128);
    let small = Error::BadConfiguration("DH parameters smaller than 1024 bits");
    // 1023 bits (an odd number: primality is not our check).
    let mut p1023 = p.clone();
    p1023[0] = 0x7f;
    assert_eq!(DhGroup::new(&p1023, &[2]).unwrap_err(), small);
    assert_eq!(DhGroup::new(&p[1..], &[2]).unwrap_err(), small);
    assert_eq!(DhGroup::new(&[], &[2]).unwrap_err(), small);
    assert_eq!(DhGroup::new(&[0; 200], &[2]).unwrap_err(), small);
    assert!(
        DhGroup::new(&vec![0xff; 1251], &[2]).is_err(),
        "over 10000 bits"
    );
    let mut even = p.clone();
    even[127] &= !1;
    assert!(DhGroup::new(&even, &[2]).is_err());
    // g must be in 2..=p-2.
    let p_minus_1 = minus_one_odd(&p);
    let mut p_minus_2 = p_minus_1.clone();
    p_minus_2[127] -= 1;
    for bad in [
        &[][..],
        &[0],
        &[1],
        &[0, 1],
        &p_minus_1,
        &p,
        &[p.as_slice(), &[0]].concat(),
    ] {
        assert!(DhGroup::new(&p, bad).is_err(), "{}", hex::encode(bad));
    }
    assert!(DhGroup::new(&p, &[2]).is_ok());
    assert!(DhGroup::new(&p, &p_minus_2).is_ok());
}

#[test]
fn the_test_writer_reproduces_openssls_der() {
    assert_eq!(to_der(&dh1024()), h(DH1024_DER));
}

#[test]
fn both_sides_agree() {
    // Debug build: about 0.5 s in all, most of it ffdhe8192.
    let mut groups = named_groups();
    groups.push(dh1024());
    for group in &groups {
        let a = DhKeyExchange::start(group, &SystemRandom::new()).unwrap();
        let b = DhKeyExchange::start(group, &SystemRandom::new()).unwrap();
        assert_eq!(a.public_value().len(), group.p().len());
        assert_ne!(a.public_value(), b.public_value());
        let a_pub = a.public_value().to_vec();
        let s1 = a.complete_padded(b.public_value()).unwrap();
        let s2 = b.complete_padded(&a_pub).unwrap();
        assert_eq!(*s1.0, *s2.0, "{:?}", group.named);
        assert_eq!(s1.0.len(), group.p().len());
    }
}

#[test]
fn ffdhe2048_known_answer() {
    // Computed with Python: x = int(pool, 16) & (2^225 - 1), A = pow(2, x, p),
    // Z = pow(B, x, p), and B's own exponent from its pool the same way.
    let pool_a: Vec<u8> = (1..30).collect();
    let pool_b: Vec<u8> = (0xa0..0xa0 + 29).collect();
    let a_pub = "777ab6dd87953ac95e985824f8afd6b12a1a19008c5fe0aa3e923951b6d9fc874d07d14f33d7ea5e\
        927282ca9c31b882d36c565aae887ffc2c1a375bac8b5a0cf6ac15ad68643b4b9f4f890b7739ceb11e7960f3\
        7e6257aa7b133cf06f409c0580dfa555e81372f620908b2e520209333d3e8bfbc501de4977e46f5399652cb8\
        ab7c61355b199b315455813967cbd4fd7f236d484a450c661acae8fcdb9a917f67ef34bb9858161d322e4745\
        fe03a8a5611f1cc2bd7bfa1e112119a883413837ba71611f6d058126996b3be6d20d81b5bb76b2ffccaf18fc\
        0ccec99947e4c8990629b6504103cdc965adf2c92a5b165009be2c623ad43a9d84b639d402654d26";
    let b_pub = "442f3d75dc7323d6d83c277509d8e82a2792f8df6eb84744de1eb65a59041a357b0dd378f700a82d\
        448222fa37b4b5bc520bc4f1b2542c53347597f74805dc55de7f0a1c91122bb3e856c1c115f254af6330c59f\
        6604a80c8759c3042fa5f0721254482792ce060355b2a365a9276e1bf6b779ebc207940eee1f9f747ee34620\
        ca35f336419fbf153374332ab48a6d18c1d45325d0f15a38b95f132598519dae71557caeec31438f151a89f7\
        0da4c8e3eb0c80ab8bdb2a98e843442e8784fe244691edafaedb0cbaa0d3f2fd8a0659e8dada56fe7894fb94\
        a889aa6ced9bcef7336f608b88bcbdc96f330e771549d0a2ad69d2aa0a747d9c8649145f9947d5ca";
    let z = "e777922e07735b41987ae6a7abc53d707c02f0ebbc06354c0b22f95531dcefa02210e44004c5e0f19\
        4841d35d1d4860855daaa1079a92d9e784193453158517d44ba70a29bfbfb6d6ec63aa354e6e9ad7b47f8084\
        e0cd135775068b8558fad0307ecc9e4cd0fdeedd102548ced847a90ba423027a029f40f4005b39fdfd4bedda\
        68bd69db21b4be7854cdafd767a386782198f21201f7d506e68924e621df235db3df7d45702c6ed70ff9ee38\
        fe3a9f9836c6e840b9f95736c67d589140c0b150ddcfe14b32e9b169a1e1dc3c8c2ef069914fe6b6e6e25d43\
        aa63fc8fb36d1b3e09a31d5b66a08bad3cae84d4c91f8bcf6b7e338d9ae713d41233b143685e9d8";
    let group = DhGroup::ffdhe2048();
    let rng = ReplayRandom::new(pool_a);
    let a = DhKeyExchange::start(&group, &rng).unwrap();
    assert_eq!(rng.remaining(), 0, "225 bits take 29 bytes");
    assert_eq!(hex::encode(a.public_value()), a_pub);
    assert_eq!(hex::encode(&*a.complete(&h(b_pub)).unwrap().0), z);
    let b = DhKeyExchange::start(&group, &ReplayRandom::new(pool_b)).unwrap();
    assert_eq!(hex::encode(b.public_value()), b_pub);
    assert_eq!(hex::encode(&*b.complete_padded(&h(a_pub)).unwrap().0), z);
}

#[test]
fn leading_zero_of_z_is_stripped_for_tls12_only() {
    // Found with Python: with these pools Z (padded) starts with one zero byte.
    let z = "00e39731342e638c715618d82153705fbcd5751d2443cc21c503c7de519105e0f2f45e85e770e08198f\
        e6412e02701fe1d1b4600a4e7a1b3e5b1b13f929d8f9ed6c0a8c2b7cedb480fe47222c271a7ec358ac8c872c\
        4763aa5432599e8e8249b5d7285caa284fd35ba605400a013b399bc4c6f5f56485133f1e72ad1954a909b";
    let group = dh1024();
    let pool_a = vec![0x11; 128];
    let mut pool_b = vec![0x22; 128];
    pool_b[127] = 49;
    let a = || DhKeyExchange::start(&group, &ReplayRandom::new(pool_a.clone())).unwrap();
    let b = DhKeyExchange::start(&group, &ReplayRandom::new(pool_b)).unwrap();
    let b_pub = b.public_value().to_vec();
    assert_eq!(hex::encode(&*a().complete_padded(&b_pub).unwrap().0), z);
    let stripped = a().complete(&b_pub).unwrap();
    assert_eq!(hex::encode(&*stripped.0), z[2..]);
    assert_eq!(*b.complete(a().public_value()).unwrap().0, *stripped.0);
}

#[test]
fn bad_peer_values_are_refused() {
    let group = dh1024();
    let p = group.p().to_vec();
    let p_minus_1 = minus_one_odd(&p);
    let mut p_plus_1 = p.clone();
    p_plus_1[127] += 1; // p is odd: no carry
    let one = [&[0u8; 127][..], &[1]].concat();
    let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
    let kx = || DhKeyExchange::start(&group, &SystemRandom::new()).unwrap();
    for bad in [
        vec![],
        vec![0],
        vec![1],
        vec![0; 128],
        one.clone(),
        p_minus_1.clone(),
        p.clone(),
        p_plus_1,
        vec![0xff; 128],
        [&[0u8][..], &one].concat(),
        [&[0u8][..], &[2]].concat().repeat(65), // 130 bytes
    ] {
        assert_eq!(
            kx().complete(&bad).unwrap_err(),
            invalid,
            "{}",
            hex::encode(&bad)
        );
        assert_eq!(kx().complete_padded(&bad).unwrap_err(), invalid);
    }
    // 2 and p-2 are in range; TLS 1.2 accepts a stripped value, TLS 1.3 wants p's length.
    assert!(kx().complete(&[2]).is_ok());
    let mut p_minus_2 = p_minus_1.clone();
    p_minus_2[127] -= 1;
    assert!(kx().complete(&p_minus_2).is_ok());
    assert!(kx().complete_padded(&p_minus_2).is_ok());
    assert_eq!(kx().complete_padded(&[2]).unwrap_err(), invalid);
    // One byte too long, even with a leading zero.
    let long = [&[0u8][..], &p_minus_2].concat();
    assert_eq!(kx().complete(&long).unwrap_err(), invalid);
}

#[test]
fn exponent_draws_and_random_failure() {
    let group = dh1024();
    // x = 0 and x = 1 are redrawn.
    // x = 0, then x = 1 (the top bit is masked off), then the real draw.
    let mut pool = vec![0u8; 128];
    pool.push(0x80);
    pool.extend_from_slice(&[0; 126]);
    pool.push(1);
    pool.extend_from_slice(&[0x11; 128]);
    let rng = ReplayRandom::new(pool);
    let kx = DhKeyExchange::start(&group, &rng).unwrap();
    assert_eq!(rng.remaining(), 0);
    let direct = DhKeyExchange::start(&group, &ReplayRandom::new(vec![0x11; 128])).unwrap();
    assert_eq!(kx.public_value(), direct.public_value());
    // The top bit beyond 1023 is masked off.
    let masked = DhKeyExchange::start(&group, &ReplayRandom::new(vec![0x91; 128])).unwrap();
    let unmasked = DhKeyExchange::start(
        &group,
        &ReplayRandom::new([&[0x11][..], &[0x91; 127]].concat()),
    )
    .unwrap();
    assert_eq!(masked.public_value(), unmasked.public_value());
    assert_eq!(
        DhKeyExchange::start(&group, &ReplayRandom::new(vec![7; 127])).unwrap_err(),
        Error::GetRandomFailed
    );
    assert_eq!(
        DhKeyExchange::start(&group, &ReplayRandom::new(vec![0; 128 * 8])).unwrap_err(),
        Error::GetRandomFailed
    );
}

#[test]
fn min_size_check_maps_to_insufficient_security() {
    assert!(check_min_size(1024, MIN_DH_BITS).is_ok());
    assert!(check_min_size(2048, 2048).is_ok());
    let err = check_min_size(1024, 2048).unwrap_err();
    assert_eq!(
        err,
        Error::PeerIncompatible(PeerIncompatible::DhGroupTooSmall)
    );
    assert_eq!(
        err.alert(),
        Some(crate::enums::AlertDescription::InsufficientSecurity)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_params_never_panic(
        p in proptest::collection::vec(any::<u8>(), 0..200),
        g in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        if let Ok(group) = DhGroup::new(&p, &g) {
            prop_assert!(group.bits() >= MIN_DH_BITS);
            prop_assert_eq!(DhGroup::new(group.p(), group.g()).unwrap(), group);
        }
    }

    #[test]
    fn less_than_is_numeric(a in any::<u64>(), b in any::<u64>(), pad in 0usize..3) {
        let a_bytes = [vec![0; pad], a.to_be_bytes().to_vec()].concat();
        prop_assert_eq!(less_than(&a_bytes, &b.to_be_bytes()), a < b);
    }
}
