//! Private keys, PKCS#12 and DH parameters from the fixtures of `vectors/pki/keys/gen.sh`
//! (made with OpenSSL 3.0): every form of a key must be the same key as its unencrypted
//! original (its public key equal to what `openssl pkey -pubout` wrote) and must sign.

use proptest::prelude::*;
use sanstls::enums::SignatureScheme;
use sanstls_pki::dh::{DhError, DhParams};
use sanstls_pki::keys::{load_keys, KeyAlgorithm, KeyError, KeyInput, PrivateKey};
use sanstls_pki::pem;
use sanstls_pki::pkcs12::{self, load_pfx, PfxInput, Pkcs12Error};

const PASS: &[u8] = b"test-only-pass";
const PASS2: &[u8] = b"second-test-pass";

fn fixture(name: &str) -> Vec<u8> {
    sanstls_test::fixtures::read(&format!("pki/keys/{name}"))
}

/// The certificate DER of a PEM fixture.
fn cert(name: &str) -> Vec<u8> {
    pem::certificates(&pem::parse(&fixture(name)).unwrap())
        .into_iter()
        .next()
        .unwrap()
}

/// Asserts `key` is the key whose OpenSSL public key is `<base>.pub.der`, and that the
/// engine signs with it (the signature verified by ring against that public key).
fn assert_same_key_and_signs(key: &PrivateKey, base: &str, algorithm: KeyAlgorithm) {
    assert_eq!(key.algorithm(), algorithm, "{base}");
    let spki = fixture(&format!("{base}.pub.der"));
    assert_eq!(
        key.spki_der(),
        spki.as_slice(),
        "{base}: public key differs"
    );
    let signer = key.signing_key().unwrap();
    let message = b"sanstls keys test message";
    if algorithm == KeyAlgorithm::EcP521 {
        // ring has no P-521: check with RustCrypto's p521, as the verifiers do.
        use p521::ecdsa::signature::Verifier;
        let signature = signer
            .sign(SignatureScheme::ECDSA_NISTP521_SHA512, message)
            .unwrap();
        let public = p521::ecdsa::VerifyingKey::from_sec1_bytes(signer.public_key()).unwrap();
        let signature = p521::ecdsa::Signature::from_der(&signature).unwrap();
        public
            .verify(message, &signature)
            .unwrap_or_else(|_| panic!("{base}: signature does not verify"));
        assert!(spki.ends_with(signer.public_key()), "{base}");
        return;
    }
    let (scheme, verify): (_, &dyn ring::signature::VerificationAlgorithm) = match algorithm {
        KeyAlgorithm::Rsa => (
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            &ring::signature::RSA_PSS_2048_8192_SHA256,
        ),
        KeyAlgorithm::EcP256 => (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &ring::signature::ECDSA_P256_SHA256_ASN1,
        ),
        KeyAlgorithm::EcP384 => (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &ring::signature::ECDSA_P384_SHA384_ASN1,
        ),
        KeyAlgorithm::Ed25519 => (SignatureScheme::ED25519, &ring::signature::ED25519),
        KeyAlgorithm::EcP521 => unreachable!("checked above"),
    };
    let signature = signer.sign(scheme, message).unwrap();
    ring::signature::UnparsedPublicKey::new(verify, signer.public_key())
        .verify(message, &signature)
        .unwrap_or_else(|_| panic!("{base}: signature does not verify"));
    // The BIT STRING of OpenSSL's SPKI ends with the key the engine signs with.
    assert!(spki.ends_with(signer.public_key()), "{base}");
}

#[test]
fn plain_pkcs8_pkcs1_and_sec1_forms() {
    let cases: &[(&str, &str, KeyAlgorithm)] = &[
        ("rsa.pk8.pem", "rsa", KeyAlgorithm::Rsa),
        ("rsa.pk1.pem", "rsa", KeyAlgorithm::Rsa),
        ("p256.pk8.pem", "p256", KeyAlgorithm::EcP256),
        ("p256.sec1.pem", "p256", KeyAlgorithm::EcP256),
        ("p256.sec1-params.pem", "p256", KeyAlgorithm::EcP256),
        ("p384.pk8.pem", "p384", KeyAlgorithm::EcP384),
        ("p384.sec1.pem", "p384", KeyAlgorithm::EcP384),
        ("p521.pk8.pem", "p521", KeyAlgorithm::EcP521),
        ("p521.sec1.pem", "p521", KeyAlgorithm::EcP521),
        ("ed25519.pk8.pem", "ed25519", KeyAlgorithm::Ed25519),
        // A certificate, junk and the CA around a PKCS#1 key: the key is found.
        ("bundle.pem", "rsa", KeyAlgorithm::Rsa),
    ];
    for (file, base, algorithm) in cases {
        let key =
            PrivateKey::from_pem(&fixture(file), None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_same_key_and_signs(&key, base, *algorithm);
    }
}

#[test]
fn der_forms() {
    for file in ["rsa.pk8.der", "rsa.pk1.der"] {
        let key = PrivateKey::from_der(&fixture(file), None).unwrap();
        assert_same_key_and_signs(&key, "rsa", KeyAlgorithm::Rsa);
    }
    let key = PrivateKey::from_der(&fixture("p384.enc-aes256.der"), Some(PASS)).unwrap();
    assert_same_key_and_signs(&key, "p384", KeyAlgorithm::EcP384);
    assert_eq!(
        PrivateKey::from_der(&fixture("p384.enc-aes256.der"), None).unwrap_err(),
        KeyError::MissingPassphrase {
            format: "encrypted PKCS#8".into()
        }
    );
    // PKCS#1 converted to PKCS#8 is byte for byte what `openssl pkey` writes.
    let converted = PrivateKey::from_der(&fixture("rsa.pk1.der"), None).unwrap();
    assert!(converted.pkcs8_der() == fixture("rsa.pk8.der").as_slice());
}

#[test]
fn encrypted_pkcs8_and_traditional_pem() {
    let cases: &[(&str, &str, KeyAlgorithm)] = &[
        ("rsa.enc-aes256.pem", "rsa", KeyAlgorithm::Rsa),
        ("p256.enc-aes128.pem", "p256", KeyAlgorithm::EcP256),
        ("ed25519.enc-des3.pem", "ed25519", KeyAlgorithm::Ed25519),
        ("rsa.enc-sha1.pem", "rsa", KeyAlgorithm::Rsa),
        ("p384.enc-sha512.pem", "p384", KeyAlgorithm::EcP384),
        ("p256.enc-scrypt.pem", "p256", KeyAlgorithm::EcP256),
        ("rsa.enc-pbe-sha1-3des.pem", "rsa", KeyAlgorithm::Rsa),
        ("rsa.trad-aes128.pem", "rsa", KeyAlgorithm::Rsa),
        ("rsa.trad-des3.pem", "rsa", KeyAlgorithm::Rsa),
        ("p256.trad-aes256.pem", "p256", KeyAlgorithm::EcP256),
        ("p384.trad-aes192.pem", "p384", KeyAlgorithm::EcP384),
    ];
    for (file, base, algorithm) in cases {
        let text = fixture(file);
        let key = PrivateKey::from_pem(&text, Some(PASS)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_same_key_and_signs(&key, base, *algorithm);

        let missing = PrivateKey::from_pem(&text, None).unwrap_err();
        assert!(
            matches!(missing, KeyError::MissingPassphrase { .. }),
            "{file}: {missing:?}"
        );
        // Many wrong passphrases: bad padding or (rarely) garbage that parses as padding,
        // both must be "wrong passphrase". (scrypt costs a second each in a debug build.)
        let tries = if file.contains("scrypt") { 2 } else { 40 };
        for i in 0..tries {
            let wrong = format!("wrong-{i}");
            let e = PrivateKey::from_pem(&text, Some(wrong.as_bytes())).unwrap_err();
            assert!(
                matches!(e, KeyError::WrongPassphrase { .. }),
                "{file} with {wrong}: {e:?}"
            );
        }
    }
}

#[test]
fn wrong_passphrase_names_the_format() {
    let e = PrivateKey::from_pem(&fixture("rsa.trad-des3.pem"), Some(b"nope")).unwrap_err();
    assert_eq!(
        e,
        KeyError::WrongPassphrase {
            format: "traditional PEM DES-EDE3-CBC".into()
        }
    );
    let e = PrivateKey::from_pem(&fixture("rsa.enc-aes256.pem"), Some(b"nope")).unwrap_err();
    assert!(e.to_string().contains("aes256-CBC"), "{e}");
}

#[test]
fn unsupported_encryption_is_named() {
    let e = PrivateKey::from_pem(&fixture("p256.enc-camellia.pem"), Some(PASS)).unwrap_err();
    assert_eq!(
        e,
        KeyError::UnsupportedEncryption {
            scheme: "PBES2 cipher 1.2.392.200011.61.1.1.1.4".into()
        }
    );
    let e = PrivateKey::from_pem(&fixture("p256.enc-camellia.pem"), None).unwrap_err();
    assert!(matches!(e, KeyError::MissingPassphrase { .. }), "{e:?}");
    // A DEK-Info cipher we do not know.
    let text = String::from_utf8(fixture("rsa.trad-aes128.pem"))
        .unwrap()
        .replace("AES-128-CBC", "CAMELLIA-128-CBC");
    let e = PrivateKey::from_pem(text.as_bytes(), Some(PASS)).unwrap_err();
    assert_eq!(
        e,
        KeyError::UnsupportedEncryption {
            scheme: "DEK-Info CAMELLIA-128-CBC".into()
        }
    );
}

#[test]
fn unsupported_algorithms_are_named() {
    let e = PrivateKey::from_pem(&fixture("dsa.pk8.pem"), None).unwrap_err();
    assert_eq!(
        e,
        KeyError::UnsupportedAlgorithm {
            oid: "1.2.840.10040.4.1 (id-dsa)".into()
        }
    );
    let e = PrivateKey::from_pem(&fixture("x25519.pk8.pem"), None).unwrap_err();
    assert!(
        matches!(&e, KeyError::UnsupportedAlgorithm { oid } if oid.starts_with("1.3.101.110")),
        "{e:?}"
    );
    let e = PrivateKey::from_pem(&fixture("rsa1024.pk8.pem"), None).unwrap_err();
    assert_eq!(
        e,
        KeyError::Rejected {
            algorithm: KeyAlgorithm::Rsa,
            reason: "1024-bit modulus (2048 to 8192 bits are supported)".into()
        }
    );
    let e = PrivateKey::from_pem(&fixture("k256.pk8.pem"), None).unwrap_err();
    assert!(
        matches!(&e, KeyError::UnsupportedCurve { curve } if curve.starts_with("1.3.132.0.10")),
        "{e:?}"
    );
}

#[test]
fn key_and_certificate_match() {
    let rsa = PrivateKey::from_pem(&fixture("rsa.pk1.pem"), None).unwrap();
    let p256 = PrivateKey::from_pem(&fixture("p256.sec1.pem"), None).unwrap();
    let ca_key = PrivateKey::from_pem(&fixture("ca.key.pem"), None).unwrap();
    rsa.matches_certificate(&cert("rsa.crt")).unwrap();
    p256.matches_certificate(&cert("p256.crt")).unwrap();
    ca_key.matches_certificate(&cert("ca.crt")).unwrap();
    assert_eq!(
        rsa.matches_certificate(&cert("p256.crt")),
        Err(KeyError::Mismatch {
            reason: "different algorithm"
        })
    );
    assert_eq!(
        p256.matches_certificate(&cert("ca.crt")),
        Err(KeyError::Mismatch {
            reason: "different public key"
        })
    );
    assert!(matches!(
        rsa.matches_certificate(b"not a certificate"),
        Err(KeyError::Certificate { .. })
    ));
}

#[test]
fn node_key_lists_with_per_key_passphrases() {
    let inputs = [
        KeyInput::new(fixture("rsa.pk8.pem")),
        KeyInput::with_passphrase(fixture("p256.enc-aes128.pem"), PASS),
        // No own passphrase: the default applies.
        KeyInput::new(fixture("p384.trad-aes192.pem")),
        KeyInput::new(fixture("ed25519.pk8.pem")),
    ];
    let keys = load_keys(&inputs, Some(PASS)).unwrap();
    let algorithms: Vec<_> = keys.iter().map(PrivateKey::algorithm).collect();
    assert_eq!(
        algorithms,
        [
            KeyAlgorithm::Rsa,
            KeyAlgorithm::EcP256,
            KeyAlgorithm::EcP384,
            KeyAlgorithm::Ed25519
        ]
    );
    // The entry's own passphrase wins over the default.
    let inputs = [
        KeyInput::new(fixture("rsa.pk8.pem")),
        KeyInput::with_passphrase(fixture("p256.enc-aes128.pem"), b"wrong"),
    ];
    let e = load_keys(&inputs, Some(PASS)).unwrap_err();
    assert_eq!(e.index, 1);
    assert!(matches!(e.error, KeyError::WrongPassphrase { .. }), "{e}");
    // No default and no own passphrase.
    let e = load_keys(&[KeyInput::new(fixture("rsa.trad-aes128.pem"))], None).unwrap_err();
    assert!(matches!(e.error, KeyError::MissingPassphrase { .. }), "{e}");
    // A file without a key.
    let e = load_keys(&[KeyInput::new(fixture("ca.crt"))], None).unwrap_err();
    assert_eq!(e.error, KeyError::NoKey);
}

#[test]
fn truncated_and_corrupted_keys_are_errors() {
    for file in [
        "rsa.pk8.pem",
        "p256.sec1.pem",
        "rsa.enc-aes256.pem",
        "rsa.trad-aes128.pem",
    ] {
        let text = fixture(file);
        let blocks = pem::parse(&text).unwrap();
        let block = pem::private_key(&blocks).unwrap();
        // Truncated DER inside a well-formed PEM block.
        for cut in [1, block.der.len() / 2, block.der.len() - 1] {
            let mut short = block.clone();
            short.der.truncate(cut);
            let text = if short.headers.is_empty() {
                pem::encode(&short.label, &short.der)
            } else {
                // Traditional PEM: keep the headers.
                let mut t = format!("-----BEGIN {}-----\n", short.label);
                for (n, v) in &short.headers {
                    t.push_str(&format!("{n}: {v}\n"));
                }
                t.push('\n');
                t.push_str(
                    &pem::encode(&short.label, &short.der)
                        .lines()
                        .skip(1)
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
                t
            };
            let e = PrivateKey::from_pem(text.as_bytes(), Some(PASS)).unwrap_err();
            assert!(
                matches!(
                    e,
                    KeyError::Malformed { .. } | KeyError::WrongPassphrase { .. }
                ),
                "{file} cut at {cut}: {e:?}"
            );
        }
        // A truncated PEM file.
        let e = PrivateKey::from_pem(&text[..text.len() / 2], Some(PASS)).unwrap_err();
        assert!(
            matches!(e, KeyError::Pem(pem::PemError::Unterminated { .. })),
            "{e:?}"
        );
    }
}

fn leaf_and_ca(p12: &pkcs12::Pkcs12, leaf: &str, base: &str, algorithm: KeyAlgorithm) {
    assert_eq!(p12.certificate, cert(leaf));
    assert_same_key_and_signs(&p12.key, base, algorithm);
    p12.key.matches_certificate(&p12.certificate).unwrap();
}

#[test]
fn pkcs12_modern_legacy_empty_passphrase_and_no_mac() {
    let modern = pkcs12::parse(&fixture("rsa.p12"), PASS).unwrap();
    leaf_and_ca(&modern, "rsa.crt", "rsa", KeyAlgorithm::Rsa);
    assert_eq!(modern.ca, vec![cert("ca.crt")]);

    let legacy = pkcs12::parse(&fixture("rsa.legacy.p12"), PASS).unwrap();
    leaf_and_ca(&legacy, "rsa.crt", "rsa", KeyAlgorithm::Rsa);
    assert_eq!(legacy.ca, vec![cert("ca.crt")]);

    let empty = pkcs12::parse(&fixture("p256.nopass.p12"), b"").unwrap();
    leaf_and_ca(&empty, "p256.crt", "p256", KeyAlgorithm::EcP256);
    assert_eq!(empty.ca, vec![cert("ca.crt")]);

    // Unencrypted bags: a keyBag and a plain certificate safe.
    let plain = pkcs12::parse(&fixture("p256.plainbags.p12"), PASS).unwrap();
    leaf_and_ca(&plain, "p256.crt", "p256", KeyAlgorithm::EcP256);
    assert!(plain.ca.is_empty());

    // Without a MAC, only with the empty passphrase (OpenSSL's PKCS12_parse, and Node).
    let nomac = pkcs12::parse(&fixture("p256.nomac-empty.p12"), b"").unwrap();
    leaf_and_ca(&nomac, "p256.crt", "p256", KeyAlgorithm::EcP256);
    assert_eq!(nomac.ca, vec![cert("ca.crt")]);
    assert_eq!(
        pkcs12::parse(&fixture("p256.nomac.p12"), PASS).unwrap_err(),
        Pkcs12Error::MacAbsent
    );
}

#[test]
fn pkcs12_errors() {
    for file in ["rsa.p12", "rsa.legacy.p12", "p256.p12"] {
        assert_eq!(
            pkcs12::parse(&fixture(file), b"wrong").unwrap_err(),
            Pkcs12Error::MacMismatch,
            "{file}"
        );
    }
    // Without a MAC, a wrong (empty) passphrase shows when the bags are decrypted.
    assert_eq!(
        pkcs12::parse(&fixture("p256.nomac.p12"), b"").unwrap_err(),
        Pkcs12Error::WrongPassphrase
    );
    // A flipped bit in the content (the middle of the file is bag ciphertext) or in the
    // MAC digest itself fails the MAC even with the right passphrase.
    let good = fixture("rsa.p12");
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 1;
    assert_eq!(
        pkcs12::parse(&bad, PASS).unwrap_err(),
        Pkcs12Error::MacMismatch
    );
    let mut bad = good.clone();
    bad[mac_digest_offset(&good)] ^= 0x80;
    assert_eq!(
        pkcs12::parse(&bad, PASS).unwrap_err(),
        Pkcs12Error::MacMismatch
    );
    // Truncations.
    for cut in [0, 1, 10, good.len() / 3, good.len() - 1] {
        assert!(
            matches!(
                pkcs12::parse(&good[..cut], PASS).unwrap_err(),
                Pkcs12Error::Malformed { .. }
            ),
            "cut at {cut}"
        );
    }
    assert_eq!(
        pkcs12::parse(&good, b"\xff\xfe").unwrap_err(),
        Pkcs12Error::PassphraseNotUtf8
    );
}

/// Where the SHA-256 MAC digest of a PFX starts. MacData ::= SEQUENCE { DigestInfo
/// SEQUENCE { AlgorithmIdentifier, OCTET STRING }, salt, iterations } comes last in the
/// file, so the digest is the 32 bytes after the last SHA-256 AlgorithmIdentifier and `04 20`.
fn mac_digest_offset(pfx: &[u8]) -> usize {
    let sha256_alg_and_octets = [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ];
    let at = pfx
        .windows(sha256_alg_and_octets.len())
        .rposition(|w| w == sha256_alg_and_octets)
        .unwrap();
    at + sha256_alg_and_octets.len()
}

#[test]
fn node_pfx_lists_with_per_file_passphrases() {
    let inputs = [
        PfxInput::new(fixture("rsa.p12")),
        PfxInput::with_passphrase(fixture("p256.p12"), PASS2),
        PfxInput::with_passphrase(fixture("p256.nopass.p12"), b""),
    ];
    let loaded = load_pfx(&inputs, Some(PASS)).unwrap();
    assert_eq!(loaded.len(), 3);
    assert_eq!(loaded[0].key.algorithm(), KeyAlgorithm::Rsa);
    assert_eq!(loaded[1].key.algorithm(), KeyAlgorithm::EcP256);
    assert_eq!(loaded[1].certificate, cert("p256.crt"));
    // The second file with the default passphrase: its MAC fails, at index 1.
    let inputs = [
        PfxInput::new(fixture("rsa.p12")),
        PfxInput::new(fixture("p256.p12")),
    ];
    let e = load_pfx(&inputs, Some(PASS)).unwrap_err();
    assert_eq!((e.index, e.error), (1, Pkcs12Error::MacMismatch));
    // No passphrase at all means the empty one.
    let loaded = load_pfx(&[PfxInput::new(fixture("p256.nopass.p12"))], None).unwrap();
    assert_eq!(loaded[0].certificate, cert("p256.crt"));
}

#[test]
fn dh_parameters_match_openssl() {
    let pem_params = DhParams::from_pem(&fixture("dh2048.pem")).unwrap();
    let der_params = DhParams::from_der(&fixture("dh2048.der")).unwrap();
    assert_eq!(pem_params, der_params);
    assert_eq!(pem_params.bits(), 2048);
    assert_eq!(pem_params.g, [2]);
    let group = pem_params.to_group().unwrap();
    assert_eq!(group.bits(), 2048);
    assert_eq!(group.p(), pem_params.p.as_slice());
    assert_eq!(
        DhParams::from_pem(&fixture("rsa.pk8.pem")),
        Err(DhError::NoParameters)
    );
    let der = fixture("dh2048.der");
    assert!(matches!(
        DhParams::from_der(&der[..der.len() - 1]),
        Err(DhError::Malformed { .. })
    ));
}

#[test]
fn dh_parameter_der_is_read_strictly() {
    let der = fixture("dh2048.der");
    let group = DhParams::from_der(&der).unwrap().to_group().unwrap();
    let malformed =
        |bytes: &[u8]| matches!(DhParams::from_der(bytes), Err(DhError::Malformed { .. }));
    // privateValueLength is read (and the engine ignores it: the exponent size is ours).
    let mut with_len = der.clone();
    with_len.extend_from_slice(&[0x02, 0x02, 0x01, 0x00]);
    with_len[3] += 4;
    let params = DhParams::from_der(&with_len).unwrap();
    assert_eq!(params.private_value_length, Some(256));
    assert_eq!(params.to_group().unwrap(), group);
    // Trailing data, after the sequence or inside it.
    assert!(malformed(&[der.as_slice(), &[0]].concat()));
    let mut inner = with_len.clone();
    inner.extend_from_slice(&[0x02, 0x01, 0x01]);
    inner[3] += 3;
    assert!(malformed(&inner));
    // Every truncation.
    for n in 0..der.len() {
        assert!(malformed(&der[..n]), "truncated to {n}");
    }
    // Without its 0x00 sign byte the prime is a negative INTEGER; with an extra one it is
    // not minimal DER.
    assert_eq!(
        der[..9],
        [0x30, 0x82, 0x01, 0x08, 0x02, 0x82, 0x01, 0x01, 0x00]
    );
    let negative = [
        &[0x30, 0x82, 0x01, 0x07, 0x02, 0x82, 0x01, 0x00][..],
        &der[9..],
    ]
    .concat();
    assert!(malformed(&negative));
    let padded = [
        &[0x30, 0x82, 0x01, 0x09, 0x02, 0x82, 0x01, 0x02, 0x00][..],
        &der[8..],
    ]
    .concat();
    assert!(malformed(&padded));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_loaders(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = PrivateKey::from_der(&bytes, Some(PASS));
        let _ = PrivateKey::from_pem(&bytes, Some(PASS));
        let _ = pkcs12::parse(&bytes, PASS);
        let _ = DhParams::from_der(&bytes);
        let _ = DhParams::from_pem(&bytes);
    }

    #[test]
    fn corrupted_fixtures_never_panic(
        file in prop::sample::select(vec![
            "rsa.pk8.der", "rsa.pk1.der", "p384.enc-aes256.der", "rsa.p12",
            "rsa.legacy.p12", "p256.nomac.p12", "dh2048.der",
        ]),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = fixture(file);
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        let len = cut.index(bytes.len() + 1);
        bytes.truncate(len);
        let _ = PrivateKey::from_der(&bytes, Some(PASS));
        let _ = pkcs12::parse(&bytes, PASS);
        let _ = DhParams::from_der(&bytes);
    }
}
