use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

fn arr32(s: &str) -> [u8; 32] {
    h(s).try_into().unwrap()
}

/// The TLS 1.2 PRF test vector posted to the IETF TLS list (msg03416) and used by many
/// libraries; `openssl kdf -kdfopt digest:SHA256 ... TLS1-PRF` gives the same bytes.
#[test]
fn prf_sha256_known_answer() {
    let mut out = [0u8; 100];
    prf(
        SuiteHash::Sha256,
        &h("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &h("a0ba9f936cda311827a6f796ffd5198c"),
        &mut out,
    );
    assert_eq!(
        out.as_slice(),
        h(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
           6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
           4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
           87347b66"
        )
    );
}

/// The companion P_SHA384 vector (148 bytes, as in BearSSL's tests), cross-checked
/// with `openssl kdf -keylen 148 -kdfopt digest:SHA384 ... TLS1-PRF`.
#[test]
fn prf_sha384_known_answer() {
    let mut out = [0u8; 148];
    prf(
        SuiteHash::Sha384,
        &h("b80b733d6ceefcdc71566ea48e5567df"),
        b"test label",
        &h("cd665cf6a8447dd6ff8b27555edb7465"),
        &mut out,
    );
    assert_eq!(
        out.as_slice(),
        h(
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd\
           e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd\
           8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425\
           9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6\
           91c8f3a26854308d5eaa3be85e0990703d73e56f"
        )
    );
}

// Inputs of the derived-secret vectors below, all generated with OpenSSL 3.0's
// TLS1-PRF (`openssl kdf -keylen N -kdfopt digest:D -kdfopt hexsecret:S
// -kdfopt hexseed:<label bytes || seed> TLS1-PRF`).
const PMS: &str = "0303101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d\
                   2e2f303132333435363738393a3b3c3d";
const CR: &str = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
const SR: &str = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
const MS256: &str = "5389d48ea8b79df2057b0ce5429a1664a7242825c52b5a05ca7c1348b83e618c\
                     347d4f6d02af1cdab70a347a2f1ebda5";
/// SHA-384("session"), standing in for the session hash.
const SESSION_HASH: &str = "b1e24729396710ce6a41d8ebcb1a55709bd807a101ba2743843b0d5f73e1b4da\
                            49e07126f16045a39676de257a1ed8a8";
const EMS384: &str = "1812109452fc689d130ff2dee0d51ac046aeb8929d419b822765a57345214f88\
                      3c1372ae9e7380fe1ed24eb65c1f3a5e";
/// SHA-384("handshake"), standing in for Hash(handshake_messages).
const HANDSHAKE_HASH: &str = "1b133408db39267987434253e9bdf86acb6e8a3573c69c7ce4493457684dce2a\
                              ad1fb3a5ca300c7cb12d2c0a3b9cd80c";

fn ms256() -> Tls12MasterSecret {
    Tls12MasterSecret::new(SuiteHash::Sha256, &h(PMS), &arr32(CR), &arr32(SR))
}

#[test]
fn master_secret_known_answer() {
    let ms = ms256();
    assert_eq!(ms.keylog_entry().1.as_slice(), h(MS256));
    assert_eq!(ms.keylog_entry().0.as_str(), "CLIENT_RANDOM");
    // Swapping the randoms changes it (client_random comes first).
    let swapped = Tls12MasterSecret::new(SuiteHash::Sha256, &h(PMS), &arr32(SR), &arr32(CR));
    assert_ne!(swapped.keylog_entry().1, ms.keylog_entry().1);
}

#[test]
fn extended_master_secret_known_answer() {
    let ems = Tls12MasterSecret::new_extended(SuiteHash::Sha384, &h(PMS), &h(SESSION_HASH));
    assert_eq!(ems.keylog_entry().1.as_slice(), h(EMS384));
    assert_eq!(ems.hash(), SuiteHash::Sha384);
}

#[test]
fn key_block_known_answer() {
    // key_expansion seeds server_random before client_random (RFC 5246 s6.3).
    let kb = ms256().key_block(&arr32(CR), &arr32(SR), 104);
    assert_eq!(
        kb.as_slice(),
        h(
            "0f5c07d71a938f1e0114bd1a6440d22f510abdecbd6a7584ce0269b805b22ef7\
           6768c4929da620ccb975cb9dba1b0400e4ed01b07a5456727146a85394742328\
           b9660a74591c02c3fec3944f006061adc84678950563482c1d9afb3b41e2c738\
           60a70a09cdb5d8cd"
        )
    );
    // A shorter block is a prefix: callers may ask for exactly what the suite needs.
    assert_eq!(
        ms256().key_block(&arr32(CR), &arr32(SR), 40).as_slice(),
        &kb[..40]
    );
}

#[test]
fn finished_known_answer_and_verification() {
    let ms = Tls12MasterSecret::from_bytes(SuiteHash::Sha384, &h(EMS384).try_into().unwrap());
    let hh = h(HANDSHAKE_HASH);
    let client = ms.client_finished_verify_data(&hh);
    let server = ms.server_finished_verify_data(&hh);
    assert_eq!(client.as_slice(), h("ce0130769f8611353746a260"));
    assert_eq!(server.as_slice(), h("f1f9b1ee3e99f57684ea4def"));
    ms.verify_client_finished(&hh, &client).unwrap();
    ms.verify_server_finished(&hh, &server).unwrap();
    // The labels are not interchangeable, and truncation or any flipped bit fails.
    assert_eq!(
        ms.verify_client_finished(&hh, &server),
        Err(Error::VerifyFailed("client Finished verify_data"))
    );
    assert_eq!(
        ms.verify_server_finished(&hh, &client),
        Err(Error::VerifyFailed("server Finished verify_data"))
    );
    assert!(ms.verify_client_finished(&hh, &client[..11]).is_err());
    assert!(ms.verify_client_finished(&hh, &[]).is_err());
    for i in 0..VERIFY_DATA_LEN {
        let mut bad = client;
        bad[i] ^= 0x01;
        assert!(ms.verify_client_finished(&hh, &bad).is_err());
    }
}

#[test]
fn exporter_known_answers() {
    let ms = ms256();
    let (cr, sr) = (arr32(CR), arr32(SR));
    let mut out = [0u8; 32];
    ms.export(b"EXPERIMENTAL x", &cr, &sr, None, &mut out)
        .unwrap();
    assert_eq!(
        out.as_slice(),
        h("05373ee06485a50062e9ff700984a0fc14e899daa534691f2c8c2eb2e05eb2a1")
    );
    // RFC 5705: an empty context is encoded (length 0) and differs from none.
    ms.export(b"EXPERIMENTAL x", &cr, &sr, Some(b""), &mut out)
        .unwrap();
    assert_eq!(
        out.as_slice(),
        h("69ec0bf76eecec94c1ca0093ecff739a71559af426d2d733ded1353aa81b7458")
    );
    ms.export(b"EXPERIMENTAL x", &cr, &sr, Some(b"abc"), &mut out)
        .unwrap();
    assert_eq!(
        out.as_slice(),
        h("01a5049343a4f1cda144f15c3ea34ce655a09a367eb421eb9310af79bc73ae4b")
    );
}

#[test]
fn exporter_refuses_reserved_labels_and_oversized_contexts() {
    let ms = ms256();
    let (cr, sr) = (arr32(CR), arr32(SR));
    let mut out = [0u8; 12];
    for label in RESERVED_EXPORTER_LABELS {
        assert!(matches!(
            ms.export(label, &cr, &sr, None, &mut out),
            Err(Error::ApiMisuse(_))
        ));
    }
    let big = vec![0u8; 65536];
    assert!(matches!(
        ms.export(b"EXPERIMENTAL x", &cr, &sr, Some(&big), &mut out),
        Err(Error::ApiMisuse(_))
    ));
    assert!(ms
        .export(b"EXPERIMENTAL x", &cr, &sr, Some(&big[..65535]), &mut out)
        .is_ok());
}

#[test]
fn debug_output_hides_the_secret() {
    let ms = ms256();
    let text = format!("{ms:?}");
    assert!(!text.contains("53") && !text.contains('['), "{text}");
}

#[test]
fn constant_time_equality() {
    assert!(ct_eq(b"", b""));
    assert!(ct_eq(b"abc", b"abc"));
    assert!(!ct_eq(b"abc", b"abd"));
    assert!(!ct_eq(b"abc", b"ab"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// PRF output of n bytes is the prefix of any longer output (P_hash is a stream),
    /// whatever the lengths, including ones that split an HMAC block.
    #[test]
    fn prf_output_is_a_stream(
        secret in proptest::collection::vec(any::<u8>(), 0..80),
        seed in proptest::collection::vec(any::<u8>(), 0..80),
        short in 0usize..100,
        extra in 0usize..100,
        sha384 in any::<bool>(),
    ) {
        let hash = if sha384 { SuiteHash::Sha384 } else { SuiteHash::Sha256 };
        let mut a = vec![0u8; short];
        let mut b = vec![0u8; short + extra];
        prf(hash, &secret, b"label", &seed, &mut a);
        prf(hash, &secret, b"label", &seed, &mut b);
        prop_assert_eq!(&a[..], &b[..short]);
    }

    /// Splitting the seed into parts is the same as concatenating it.
    #[test]
    fn seed_parts_concatenate(
        p1 in proptest::collection::vec(any::<u8>(), 0..40),
        p2 in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut a = [0u8; 40];
        let mut b = [0u8; 40];
        prf_parts(SuiteHash::Sha256, b"s", b"l", &[&p1, &p2], &mut a);
        prf(SuiteHash::Sha256, b"s", b"l", &[p1.as_slice(), p2.as_slice()].concat(), &mut b);
        prop_assert_eq!(a, b);
    }

    /// Received verify_data of any length or content never panics and verifies only
    /// when equal to the expected value.
    #[test]
    fn finished_verification_is_exact(received in proptest::collection::vec(any::<u8>(), 0..20)) {
        let ms = ms256();
        let expected = ms.server_finished_verify_data(b"hh");
        prop_assert_eq!(
            ms.verify_server_finished(b"hh", &received).is_ok(),
            received == expected
        );
    }
}
