use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

fn secret(s: &str) -> SecretBytes {
    SecretBytes::new(&h(s))
}

const SHA256: SuiteHash = SuiteHash::Sha256;

// RFC 8448 s3 "Simple 1-RTT Handshake" intermediate values.
const EARLY: &str = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
const DERIVED_EARLY: &str = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba";
const SHARED: &str = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
const HANDSHAKE: &str = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
const HELLO_HASH: &str = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
const C_HS: &str = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
const S_HS: &str = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const DERIVED_HS: &str = "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4";
const MASTER: &str = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";
const SERVER_FIN_HASH: &str = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
const C_AP: &str = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
const S_AP: &str = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
const EXP_MASTER: &str = "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50";
const CLIENT_FIN_HASH: &str = "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";
const RES_MASTER: &str = "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c";
const PSK: &str = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";

#[test]
fn rfc8448_simple_1rtt_secrets() {
    let early = KeyScheduleEarly::new(SHA256);
    assert_eq!(early.early_secret.as_bytes(), h(EARLY));
    let derived_early = derived(SHA256, &early.early_secret);
    assert_eq!(derived_early.as_bytes(), h(DERIVED_EARLY));
    let hs = hkdf_extract(SHA256, derived_early.as_bytes(), &h(SHARED));
    assert_eq!(hs.as_bytes(), h(HANDSHAKE));
    assert_eq!(
        derive_secret(SHA256, &hs, b"c hs traffic", &h(HELLO_HASH)).as_bytes(),
        h(C_HS)
    );
    assert_eq!(
        derive_secret(SHA256, &hs, b"s hs traffic", &h(HELLO_HASH)).as_bytes(),
        h(S_HS)
    );
    let derived_hs = derived(SHA256, &hs);
    assert_eq!(derived_hs.as_bytes(), h(DERIVED_HS));
    let master = hkdf_extract(SHA256, derived_hs.as_bytes(), &[0; 32]);
    assert_eq!(master.as_bytes(), h(MASTER));
    let ms = |label: &[u8], th: &str| {
        derive_secret(SHA256, &master, label, &h(th))
            .as_bytes()
            .to_vec()
    };
    assert_eq!(ms(b"c ap traffic", SERVER_FIN_HASH), h(C_AP));
    assert_eq!(ms(b"s ap traffic", SERVER_FIN_HASH), h(S_AP));
    assert_eq!(ms(b"exp master", SERVER_FIN_HASH), h(EXP_MASTER));
    assert_eq!(ms(b"res master", CLIENT_FIN_HASH), h(RES_MASTER));
}

#[test]
fn rfc8448_simple_1rtt_keys_and_finished() {
    let traffic = |s: &str| TrafficSecret {
        hash: SHA256,
        secret: secret(s),
    };
    let check = |s: &str, key: &str, iv: &str| {
        let keys = traffic(s).keys(&aead::AES_128_GCM);
        assert_eq!(keys.key(), h(key));
        assert_eq!(keys.iv().as_slice(), h(iv));
    };
    check(
        S_HS,
        "3fce516009c21727d0f2e4e86ee403bc",
        "5d313eb2671276ee13000b30",
    );
    check(
        C_HS,
        "dbfaa693d1762c5b666af5d950258d01",
        "5bd3c71b836e0b76bb73265f",
    );
    check(
        S_AP,
        "9f02283b6c9c07efc26bb9f2ac92e356",
        "cf782b88dd83549aadf1e984",
    );
    check(
        C_AP,
        "17422dda596ed5d9acd890e3c63f5051",
        "5b78923dee08579033e523d9",
    );

    // finished_key values of RFC 8448 s3 "calculate finished".
    let fk = |s: &str| {
        expand_secret(SHA256, &secret(s), b"finished", &[])
            .as_bytes()
            .to_vec()
    };
    assert_eq!(
        fk(S_HS),
        h("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8")
    );
    assert_eq!(
        fk(C_HS),
        h("b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4")
    );
    // Client Finished is over ClientHello...server Finished (no client auth).
    let client_fin = finished_mac(SHA256, &secret(C_HS), &h(SERVER_FIN_HASH));
    assert_eq!(
        client_fin,
        h("a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61")
    );
    verify_finished_mac(SHA256, &secret(C_HS), &h(SERVER_FIN_HASH), &client_fin, "x").unwrap();
    let mut bad = client_fin.clone();
    bad[0] ^= 1;
    assert_eq!(
        verify_finished_mac(SHA256, &secret(C_HS), &h(SERVER_FIN_HASH), &bad, "x"),
        Err(Error::VerifyFailed("x"))
    );
    // Truncated or empty MACs never verify.
    assert!(verify_finished_mac(
        SHA256,
        &secret(C_HS),
        &h(SERVER_FIN_HASH),
        &client_fin[..16],
        "x"
    )
    .is_err());
    assert!(verify_finished_mac(SHA256, &secret(C_HS), &h(SERVER_FIN_HASH), &[], "x").is_err());
}

#[test]
fn rfc8448_resumption_psk_and_binder() {
    // RFC 8448 s3 "generate resumption secret", ticket nonce 00 00.
    let traffic = KeyScheduleTraffic {
        hash: SHA256,
        client: TrafficSecret {
            hash: SHA256,
            secret: secret(C_AP),
        },
        server: TrafficSecret {
            hash: SHA256,
            secret: secret(S_AP),
        },
        exporter: ExporterSecret {
            hash: SHA256,
            secret: secret(EXP_MASTER),
        },
        resumption_master_secret: secret(RES_MASTER),
    };
    let psk = traffic.resumption_psk(&[0, 0]).unwrap();
    assert_eq!(*psk, h(PSK));
    assert_ne!(*traffic.resumption_psk(&[0, 1]).unwrap(), h(PSK));
    assert!(matches!(
        traffic.resumption_psk(&[0; 256]),
        Err(Error::ApiMisuse(_))
    ));
    assert!(traffic.resumption_psk(&[0; 255]).is_ok());

    // RFC 8448 s4: early secret from that PSK, binder key, binder finished key.
    let early = KeyScheduleEarly::with_psk(SHA256, &psk, PskKind::Resumption);
    assert_eq!(
        early.early_secret.as_bytes(),
        h("9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c")
    );
    let binder_key = early.binder_key().unwrap();
    assert_eq!(
        binder_key.as_bytes(),
        h("69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256")
    );
    assert_eq!(
        expand_secret(SHA256, &binder_key, b"finished", &[]).as_bytes(),
        h("5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa")
    );
    let binder = finished_mac(
        SHA256,
        &binder_key,
        &h("63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14"),
    );
    assert_eq!(
        binder,
        h("3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d")
    );
}

#[test]
fn binder_needs_a_psk() {
    let early = KeyScheduleEarly::new(SHA256);
    let th = SHA256.hash(b"hello");
    assert!(matches!(early.binder(&th), Err(Error::ApiMisuse(_))));
    assert!(matches!(
        early.verify_binder(&th, &[0; 32]),
        Err(Error::ApiMisuse(_))
    ));
    // External and resumption binder keys differ (RFC 8446 s7.1 labels).
    let res = KeyScheduleEarly::with_psk(SHA256, &[7; 32], PskKind::Resumption);
    let ext = KeyScheduleEarly::with_psk(SHA256, &[7; 32], PskKind::External);
    let b = res.binder(&th).unwrap();
    res.verify_binder(&th, &b).unwrap();
    assert_ne!(ext.binder(&th).unwrap(), b);
    assert_eq!(
        ext.verify_binder(&th, &b),
        Err(Error::VerifyFailed("PSK binder"))
    );
}

#[test]
fn key_update_known_answer() {
    // application_traffic_secret_1 from RFC 8448 s3's client_application_traffic_secret_0;
    // expected value from `openssl kdf ... -kdfopt mode:EXPAND_ONLY HKDF` with
    // info 00 20 11 "tls13 traffic upd" 00.
    let s0 = TrafficSecret {
        hash: SHA256,
        secret: secret(C_AP),
    };
    let s1 = s0.next();
    assert_eq!(
        s1.expose_for_keylog(),
        h("fcdfcc72725aaee48bf64e4fd8b749cdbdbab39d90da0b26e2245ca6ea167207")
    );
    assert_ne!(s1.next().expose_for_keylog(), s1.expose_for_keylog());

    let mut traffic = KeyScheduleTraffic {
        hash: SHA256,
        client: s0.clone(),
        server: TrafficSecret {
            hash: SHA256,
            secret: secret(S_AP),
        },
        exporter: ExporterSecret {
            hash: SHA256,
            secret: secret(EXP_MASTER),
        },
        resumption_master_secret: secret(RES_MASTER),
    };
    assert_eq!(
        traffic.update_client_secret().expose_for_keylog(),
        s1.expose_for_keylog()
    );
    // Updating one direction leaves the other alone.
    assert_eq!(
        traffic
            .server_application_traffic_secret()
            .expose_for_keylog(),
        h(S_AP)
    );
    traffic.update_server_secret();
    assert_ne!(
        traffic
            .server_application_traffic_secret()
            .expose_for_keylog(),
        h(S_AP)
    );
}

#[test]
fn exporter_known_answer() {
    // From RFC 8448 s3's exporter_master_secret; expected value computed with two
    // `openssl kdf ... HKDF` expansions (RFC 8446 s7.5).
    let exp = ExporterSecret {
        hash: SHA256,
        secret: secret(EXP_MASTER),
    };
    let mut out = [0u8; 20];
    exp.export(b"EXPERIMENTAL test", b"context", &mut out)
        .unwrap();
    assert_eq!(
        out.as_slice(),
        h("03f56b2f256193b559cc29ee3fa9076cb82ca431")
    );
    // Other label, other context, other length: other output.
    let mut other = [0u8; 20];
    exp.export(b"EXPERIMENTAL tesT", b"context", &mut other)
        .unwrap();
    assert_ne!(other, out);
    exp.export(b"EXPERIMENTAL test", b"", &mut other).unwrap();
    assert_ne!(other, out);
    let mut longer = [0u8; 21];
    exp.export(b"EXPERIMENTAL test", b"context", &mut longer)
        .unwrap();
    assert_ne!(&longer[..20], out.as_slice());
    // Limits.
    assert!(matches!(
        exp.export(&[b'a'; 250], b"", &mut out),
        Err(Error::ApiMisuse(_))
    ));
    assert!(exp.export(&[b'a'; 249], b"", &mut out).is_ok());
    let mut huge = vec![0u8; 255 * 32 + 1];
    assert!(matches!(
        exp.export(b"x", b"", &mut huge),
        Err(Error::ApiMisuse(_))
    ));
    assert!(exp.export(b"x", b"", &mut huge[..255 * 32]).is_ok());
}

#[test]
fn sha384_known_answers() {
    // Computed with `openssl kdf` (HKDF EXTRACT_ONLY / EXPAND_ONLY, SHA384): no-PSK
    // early secret, its "derived" salt, the handshake secret for IKM = 32 x 0x42, the
    // client handshake traffic secret for transcript hash SHA-384("hello"), and its
    // AES-256-GCM key and IV.
    let hash = SuiteHash::Sha384;
    let early = KeyScheduleEarly::new(hash);
    assert_eq!(
        early.early_secret.as_bytes(),
        h("7ee8206f5570023e6dc7519eb1073bc4e791ad37b5c382aa10ba18e2357e716971f9362f2c2fe2a76bfd78dfec4ea9b5")
    );
    assert_eq!(
        derived(hash, &early.early_secret).as_bytes(),
        h("1591dac5cbbf0330a4a84de9c753330e92d01f0a88214b4464972fd668049e93e52f2b16fad922fdc0584478428f282b")
    );
    let hs = early.into_handshake(Some(&[0x42; 32]), &hash.hash(b"hello"));
    let handshake_secret = SecretBytes::new(&h("d6dc3f5d0217df1301fb9479d8aadd88e542306d6cdcf197913593658a5f2c50f526964fbaf5e4587be563272eda583d"));
    assert_eq!(
        hs.master_salt.as_bytes(),
        derived(hash, &handshake_secret).as_bytes()
    );
    let chts = hs.client_handshake_traffic_secret();
    assert_eq!(
        chts.expose_for_keylog(),
        h("68838e2e294a01db5e2d44418551a5f59457a90c48693d8b5e8e44a66bf4360acc1976b277777c26ed47720cd00e56f5")
    );
    let keys = chts.keys(&aead::AES_256_GCM);
    assert_eq!(
        keys.key(),
        h("fdc156f76e097369f84f54b06fda8ad4f26fcc29d72595679e6a206788937e3a")
    );
    assert_eq!(keys.iv().as_slice(), h("8fabc68ed39b64c0b06d8478"));
    // ChaCha20-Poly1305 also takes 32 bytes: the same expansion.
    assert_eq!(chts.keys(&aead::CHACHA20_POLY1305).key(), keys.key());
    assert_eq!(chts.finished_verify_data(&hash.hash(b"x")).len(), 48);
}

#[test]
fn stages_chain_and_keylog() {
    let th = |s: &[u8]| SHA256.hash(s);
    let early = KeyScheduleEarly::with_psk(SHA256, b"psk", PskKind::External);
    let cets = early.client_early_traffic_secret(&th(b"ch"));
    let eems = early.early_exporter_master_secret(&th(b"ch"));
    assert_ne!(cets.expose_for_keylog(), eems.expose_for_keylog());
    // psk_ke without (EC)DHE: the IKM is zeros, which differs from a zero-length one.
    let a = KeyScheduleEarly::new(SHA256).into_handshake(None, &th(b"sh"));
    let b = KeyScheduleEarly::new(SHA256).into_handshake(Some(&[0; 32]), &th(b"sh"));
    let c = KeyScheduleEarly::new(SHA256).into_handshake(Some(&[1; 32]), &th(b"sh"));
    assert_eq!(a.keylog_entries(), b.keylog_entries());
    assert_ne!(a.keylog_entries(), c.keylog_entries());

    let hs = early.into_handshake(Some(&[9; 32]), &th(b"sh"));
    let sf = hs.server_finished_verify_data(&th(b"cv"));
    hs.verify_server_finished(&th(b"cv"), &sf).unwrap();
    assert!(hs.verify_server_finished(&th(b"cw"), &sf).is_err());
    let client_hs = hs.client_handshake_traffic_secret().clone();
    let pending = hs.into_traffic_pending(&th(b"sf"));
    let cf = pending.client_finished_verify_data(&th(b"ccv"));
    assert_eq!(cf, client_hs.finished_verify_data(&th(b"ccv")));
    pending.verify_client_finished(&th(b"ccv"), &cf).unwrap();
    assert_eq!(
        pending.verify_client_finished(&th(b"ccv"), &sf),
        Err(Error::VerifyFailed("client Finished verify_data"))
    );
    let labels: Vec<&str> = pending
        .keylog_entries()
        .iter()
        .map(|(l, _)| l.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET"
        ]
    );
    let c0 = pending
        .client_application_traffic_secret()
        .expose_for_keylog()
        .to_vec();
    let traffic = pending.into_traffic(&th(b"cf"));
    assert_eq!(
        traffic
            .client_application_traffic_secret()
            .expose_for_keylog(),
        c0
    );
    assert_eq!(traffic.hash(), SHA256);
}

#[test]
fn debug_output_hides_secrets() {
    let early = KeyScheduleEarly::new(SHA256);
    let secret_hex = hex::encode(early.early_secret.as_bytes());
    let hs = early.into_handshake(Some(&[1; 32]), &SHA256.hash(b""));
    let t = hs.client_handshake_traffic_secret();
    for text in [
        format!("{hs:?}"),
        format!("{t:?}"),
        format!("{:?}", t.keys(&aead::AES_128_GCM)),
        format!("{:?}", hs.master_salt),
    ] {
        assert!(!text.contains(&secret_hex[..8]), "{text}");
        assert!(
            !text.contains(&hex::encode(&t.expose_for_keylog()[..4])),
            "{text}"
        );
        assert!(!text.contains('['), "{text}");
    }
}

#[test]
fn suite_hash_mapping() {
    use CipherSuite as C;
    assert_eq!(
        SuiteHash::for_cipher_suite(C::TLS13_AES_128_GCM_SHA256),
        Some(SuiteHash::Sha256)
    );
    assert_eq!(
        SuiteHash::for_cipher_suite(C::TLS13_AES_256_GCM_SHA384),
        Some(SuiteHash::Sha384)
    );
    assert_eq!(
        SuiteHash::for_cipher_suite(C::TLS13_CHACHA20_POLY1305_SHA256),
        Some(SuiteHash::Sha256)
    );
    assert_eq!(
        SuiteHash::for_cipher_suite(C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
        Some(SuiteHash::Sha384)
    );
    assert_eq!(
        SuiteHash::for_cipher_suite(C::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA),
        Some(SuiteHash::Sha256)
    );
    assert_eq!(
        SuiteHash::for_cipher_suite(C::TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
        None
    );
    assert_eq!(SuiteHash::for_cipher_suite(C::Unknown(0x1306)), None);
    // Every named suite whose name ends in a hash is mapped to that hash.
    for &suite in C::ALL {
        let name = suite.as_str().unwrap();
        let expected = if name.ends_with("_SHA384") {
            Some(SuiteHash::Sha384)
        } else if name.ends_with("_SHA256") || name.ends_with("_SHA") {
            Some(SuiteHash::Sha256)
        } else {
            None
        };
        assert_eq!(SuiteHash::for_cipher_suite(suite), expected, "{name}");
    }
    for hash in [SuiteHash::Sha256, SuiteHash::Sha384] {
        assert_eq!(hash.empty_hash().len(), hash.output_len());
        assert_eq!(
            hash.hkdf_algorithm().hmac_algorithm(),
            hash.hmac_algorithm()
        );
        assert_eq!(
            hash.hmac_algorithm().digest_algorithm(),
            hash.digest_algorithm()
        );
    }
}

#[test]
fn handshake_keys_and_their_finished_keys_agree_with_the_separate_derivations() {
    for (hash, aead) in [
        (SuiteHash::Sha256, &aead::AES_128_GCM),
        (SuiteHash::Sha384, &aead::AES_256_GCM),
    ] {
        let th = hash.hash(b"transcript");
        let mut hs = KeyScheduleEarly::new(hash).into_handshake(Some(&[3; 32]), &th);
        let separate = hs.server_finished_verify_data(&th);
        let client_keys = hs.client_handshake_traffic_secret().keys(aead);
        let server_keys = hs.server_handshake_traffic_secret().keys(aead);
        let (c, s) = hs.handshake_keys(aead);
        assert_eq!((c.key(), c.iv()), (client_keys.key(), client_keys.iv()));
        assert_eq!((s.key(), s.iv()), (server_keys.key(), server_keys.iv()));
        // The Finished key taken with the record keys is the one RFC 8446 s4.4.4 names.
        let server_secret =
            SecretBytes::new(hs.server_handshake_traffic_secret().expose_for_keylog());
        assert_eq!(separate, finished_mac(hash, &server_secret, th.as_ref()));
        assert_eq!(hs.server_finished_verify_data(&th), separate);
        hs.verify_server_finished(&th, &separate).unwrap();
        let mut bad = separate.clone();
        bad[0] ^= 1;
        assert!(hs.verify_server_finished(&th, &bad).is_err());
        let client_secret =
            SecretBytes::new(hs.client_handshake_traffic_secret().expose_for_keylog());
        let pending = hs.into_traffic_pending(&th);
        let client_mac = pending.client_finished_verify_data(&th);
        assert_eq!(client_mac, finished_mac(hash, &client_secret, th.as_ref()));
        pending.verify_client_finished(&th, &client_mac).unwrap();
    }
}

#[test]
fn the_constant_values_are_what_they_stand_for() {
    for hash in [SuiteHash::Sha256, SuiteHash::Sha384] {
        assert_eq!(hash.empty_hash(), hash.hash(b"").as_ref());
        let zeros = [0u8; MAX_HASH_LEN];
        let zeros = &zeros[..hash.output_len()];
        let early = hkdf_extract(hash, zeros, zeros);
        let (early_constant, derived_constant) = hash.no_psk_early_and_derived();
        assert_eq!(early.as_bytes(), early_constant, "{hash:?}");
        assert_eq!(
            derived(hash, &early).as_bytes(),
            derived_constant,
            "{hash:?}"
        );
        // A schedule without a PSK and one keyed by a PSK of zeros (which goes the
        // computed way) reach the same handshake secrets.
        let th = hash.hash(b"hello");
        let a = KeyScheduleEarly::new(hash).into_handshake(Some(&[5; 32]), &th);
        let b = KeyScheduleEarly::with_psk(hash, zeros, PskKind::External)
            .into_handshake(Some(&[5; 32]), &th);
        assert_eq!(
            a.client_handshake_traffic_secret().expose_for_keylog(),
            b.client_handshake_traffic_secret().expose_for_keylog()
        );
    }
}

#[test]
fn expand_label_encoding_and_limits() {
    // RFC 8448 s3 prints the HkdfLabel for the server handshake key: 00 10 09
    // "tls13 key" 00; the key it expands to is checked above, and here the label
    // structure is checked against plain HKDF-Expand over that info.
    let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &h(S_HS));
    let info = h("0010 09 746c73313320 6b6579 00");
    let mut direct = [0u8; 16];
    prk.expand(&[&info], OutLen(16))
        .unwrap()
        .fill(&mut direct)
        .unwrap();
    let mut labelled = [0u8; 16];
    hkdf_expand_label(SHA256, &h(S_HS), b"key", &[], &mut labelled).unwrap();
    assert_eq!(direct, labelled);

    let mut out = [0u8; 32];
    assert!(hkdf_expand_label(SHA256, &[1; 32], &[b'a'; 249], &[0; 255], &mut out).is_ok());
    assert!(matches!(
        hkdf_expand_label(SHA256, &[1; 32], &[b'a'; 250], &[], &mut out),
        Err(Error::ApiMisuse(_))
    ));
    assert!(matches!(
        hkdf_expand_label(SHA256, &[1; 32], b"x", &[0; 256], &mut out),
        Err(Error::ApiMisuse(_))
    ));
    let mut big = vec![0u8; 255 * 48 + 1];
    assert!(
        hkdf_expand_label(SuiteHash::Sha384, &[1; 48], b"x", &[], &mut big[..255 * 48]).is_ok()
    );
    assert!(hkdf_expand_label(SuiteHash::Sha384, &[1; 48], b"x", &[], &mut big).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary labels, contexts and lengths never panic, and succeed exactly within
    /// the HkdfLabel limits.
    #[test]
    fn expand_label_never_panics(
        label_len in 0usize..300,
        context in proptest::collection::vec(any::<u8>(), 0..300),
        out_len in 0usize..600,
    ) {
        let label = vec![b'l'; label_len];
        let mut out = vec![0u8; out_len];
        let r = hkdf_expand_label(SHA256, &[3; 32], &label, &context, &mut out);
        prop_assert_eq!(r.is_ok(), label_len <= 249 && context.len() <= 255);
    }

    /// Only the exact verify_data verifies; any other byte string, of any length, is
    /// `VerifyFailed` and never a panic.
    #[test]
    fn finished_verifies_only_the_exact_mac(
        psk in proptest::collection::vec(any::<u8>(), 0..64),
        forged in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let early = KeyScheduleEarly::with_psk(SHA256, &psk, PskKind::External);
        let th = SHA256.hash(&psk);
        let good = early.binder(&th).unwrap();
        prop_assert!(early.verify_binder(&th, &good).is_ok());
        prop_assert_eq!(early.verify_binder(&th, &forged).is_ok(), forged == good);
    }
}
