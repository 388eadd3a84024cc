use super::*;

fn vector(name: &str) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/keys/");
    std::fs::read(format!("{dir}{name}")).unwrap()
}

#[test]
fn each_unencrypted_key_format_loads_with_its_certificate() {
    for (cert, key) in [
        ("p256.crt", "p256.pk8.pem"),
        ("p256.crt", "p256.sec1.pem"),
        ("p256.crt", "p256.sec1-params.pem"),
        ("rsa.crt", "rsa.pk8.pem"),
        ("rsa.crt", "rsa.pk1.pem"),
    ] {
        let certified = certified_key_from_pem(&vector(cert), &vector(key))
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(certified.chain.len(), 1, "{key}");
        assert_eq!(
            certified.chain[0],
            crate::pem::parse(&vector(cert)).unwrap()[0].der
        );
    }
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused() {
    let e = certified_key_from_pem(&vector("p256.crt"), &vector("rsa.pk8.pem")).unwrap_err();
    assert!(
        matches!(e, PemKeyError::Refused(sanstls::Error::BadConfiguration(_))),
        "{e:?}"
    );
    let e = certified_key_from_pem(&vector("rsa.crt"), &vector("p256.sec1.pem")).unwrap_err();
    assert!(matches!(e, PemKeyError::Refused(_)), "{e:?}");
}

#[test]
fn what_it_cannot_use_is_a_typed_error() {
    let cert = vector("p256.crt");
    let key = vector("p256.pk8.pem");
    assert_eq!(
        certified_key_from_pem(&key, &key).unwrap_err(),
        PemKeyError::NoCertificate
    );
    assert_eq!(
        certified_key_from_pem(&cert, &cert).unwrap_err(),
        PemKeyError::NoKey
    );
    for encrypted in ["p256.enc-aes128.pem", "p256.trad-aes256.pem"] {
        assert_eq!(
            certified_key_from_pem(&cert, &vector(encrypted)).unwrap_err(),
            PemKeyError::EncryptedKey,
            "{encrypted}"
        );
    }
    let mut truncated = key.clone();
    truncated.truncate(key.len() - 30);
    assert!(matches!(
        certified_key_from_pem(&cert, &truncated).unwrap_err(),
        PemKeyError::Pem(_)
    ));
    // A SEC1 key without its curve, and one cut short.
    let sec1 = crate::pem::parse(&vector("p256.sec1.pem"))
        .unwrap()
        .remove(0)
        .der;
    let no_curve = [&sec1[..2 + 3 + 34], &sec1[2 + 3 + 34 + 12..]].concat();
    let mut no_curve = no_curve;
    no_curve[1] = (no_curve.len() - 2) as u8;
    assert_eq!(sec1_to_pkcs8(&no_curve, None), None);
    assert!(sec1_to_pkcs8(&no_curve, Some(&sec1[2 + 3 + 34 + 2..2 + 3 + 34 + 12])).is_some());
    for cut in 0..sec1.len() {
        assert_eq!(sec1_to_pkcs8(&sec1[..cut], None), None, "{cut}");
    }
    // The error never prints key bytes (it holds none).
    let shown = format!("{:?}", PemKeyError::EncryptedKey);
    assert!(!shown.is_empty());
}
