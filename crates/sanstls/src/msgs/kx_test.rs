use super::*;
use crate::enums::SignatureScheme;
use crate::msgs::strategies::{bytes, check_laws};
use crate::msgs::test_vectors as tv;
use proptest::prelude::*;

const ALL_KX: [KeyExchangeAlgorithm; 3] = [
    KeyExchangeAlgorithm::Ecdhe,
    KeyExchangeAlgorithm::Dhe,
    KeyExchangeAlgorithm::Rsa,
];

#[test]
fn openssl_ecdhe_server_key_exchange() {
    let msg = tv::hex(tv::TLS12_ECDHE_SERVER_KEY_EXCHANGE);
    let body = tv::body(&msg);
    let ske = ServerKeyExchangePayload::read_ecdhe(body).unwrap();
    let ServerKeyExchangeParams::Ecdhe(p) = &ske.params else {
        panic!("not ECDHE: {ske:?}")
    };
    assert_eq!(p.named_group, NamedGroup::X25519);
    assert_eq!(p.public.0.len(), 32);
    assert_eq!(ske.signature.scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);
    assert_eq!(ske.signature.signature.0.len(), 256);
    assert_eq!(ske.get_encoding(), body);
    // The params are the first 1 + 2 + 1 + 32 bytes of the body, exactly.
    assert_eq!(ske.params_bytes(), &body[..36]);
    let signed = ske.signed_message(&Random([1; 32]), &Random([2; 32]));
    assert_eq!(signed[..32], [1; 32]);
    assert_eq!(signed[32..64], [2; 32]);
    assert_eq!(signed[64..], body[..36]);
    // The same bytes are not a DHE body, and RSA has no ServerKeyExchange at all.
    assert!(ServerKeyExchangePayload::read_dhe(body).is_err());
    assert_eq!(
        ServerKeyExchangePayload::read_bytes_with(body, KeyExchangeAlgorithm::Rsa),
        Err(InvalidMessage::UnexpectedHandshakeType(
            HandshakeType::ServerKeyExchange
        ))
    );
}

#[test]
fn openssl_dhe_server_key_exchange() {
    let msg = tv::hex(tv::TLS12_DHE_SERVER_KEY_EXCHANGE);
    let body = tv::body(&msg);
    let ske = ServerKeyExchangePayload::read_dhe(body).unwrap();
    let ServerKeyExchangeParams::Dhe(p) = &ske.params else {
        panic!("not DHE: {ske:?}")
    };
    // ffdhe2048 (RFC 7919 appendix A.1): 256-byte prime starting and ending in ff.., g = 2.
    assert_eq!(p.p.0.len(), 256);
    assert_eq!(p.p.0[..8], [0xff; 8]);
    assert_eq!(p.g.0, [2]);
    assert_eq!(p.ys.0.len(), 256);
    assert_eq!(ske.params.algorithm(), KeyExchangeAlgorithm::Dhe);
    assert_eq!(ske.get_encoding(), body);
    assert_eq!(ske.params_bytes(), &body[..2 + 256 + 2 + 1 + 2 + 256]);
}

#[test]
fn openssl_client_key_exchanges() {
    for (kx, hexmsg, len) in [
        (
            KeyExchangeAlgorithm::Ecdhe,
            tv::TLS12_ECDHE_CLIENT_KEY_EXCHANGE,
            32,
        ),
        (
            KeyExchangeAlgorithm::Dhe,
            tv::TLS12_DHE_CLIENT_KEY_EXCHANGE,
            256,
        ),
        (
            KeyExchangeAlgorithm::Rsa,
            tv::TLS12_RSA_CLIENT_KEY_EXCHANGE,
            256,
        ),
    ] {
        let msg = tv::hex(hexmsg);
        let body = tv::body(&msg);
        let cke = ClientKeyExchangePayload::read_bytes_with(body, kx).unwrap();
        assert_eq!(cke.algorithm(), kx);
        assert_eq!(cke.value().len(), len, "{kx:?}");
        assert_eq!(cke.get_encoding(), body, "{kx:?}");
    }
}

#[test]
fn explicit_curves_are_refused() {
    for t in [1u8, 2] {
        let err =
            ServerKeyExchangePayload::read_ecdhe(&[t, 0, 0x17, 1, 4, 4, 1, 0, 0]).unwrap_err();
        assert_eq!(
            err,
            InvalidMessage::IllegalValue(
                "ECParameters.curve_type: explicit curves are not supported (RFC 8422 s5.4)"
            )
        );
        assert!(err.to_string().contains("explicit curves"));
    }
    assert_eq!(
        ServerKeyExchangePayload::read_ecdhe(&[4, 0, 0x17, 1, 4, 4, 1, 0, 0]),
        Err(InvalidMessage::IllegalValue("ECParameters.curve_type"))
    );
    assert!(ServerKeyExchangePayload::read_ecdhe(&[3, 0, 0x17, 1, 4, 4, 1, 0, 0]).is_ok());
}

#[test]
fn empty_values_are_refused() {
    assert_eq!(
        ServerKeyExchangePayload::read_ecdhe(&[3, 0, 0x1d, 0, 4, 1, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("ECPoint"))
    );
    assert_eq!(
        ServerKeyExchangePayload::read_dhe(&[0, 1, 7, 0, 0, 0, 1, 5, 4, 1, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("dh_g"))
    );
    assert_eq!(
        ServerKeyExchangePayload::read_dhe(&[0, 1, 7, 0, 1, 2, 0, 0, 4, 1, 0, 0]),
        Err(InvalidMessage::InvalidEmptyList("dh_Ys"))
    );
    assert_eq!(
        ClientKeyExchangePayload::read_bytes_with(&[0], KeyExchangeAlgorithm::Ecdhe),
        Err(InvalidMessage::InvalidEmptyList("ECPoint"))
    );
    assert_eq!(
        ClientKeyExchangePayload::read_bytes_with(&[0, 0], KeyExchangeAlgorithm::Dhe),
        Err(InvalidMessage::InvalidEmptyList("dh_Yc"))
    );
    // An empty RSA ciphertext is grammatical (and fails later, indistinguishably).
    assert_eq!(
        ClientKeyExchangePayload::read_bytes_with(&[0, 0], KeyExchangeAlgorithm::Rsa),
        Ok(ClientKeyExchangePayload::Rsa(PayloadU16(vec![])))
    );
}

#[test]
fn trailing_data_is_refused() {
    assert_eq!(
        ClientKeyExchangePayload::read_bytes_with(&[1, 4, 0], KeyExchangeAlgorithm::Ecdhe),
        Err(InvalidMessage::TrailingData("ClientKeyExchange"))
    );
    assert_eq!(
        ServerKeyExchangePayload::read_ecdhe(&[3, 0, 0x1d, 1, 4, 4, 1, 0, 0, 9]),
        Err(InvalidMessage::TrailingData("ServerKeyExchange"))
    );
    // A missing signature.
    assert!(ServerKeyExchangePayload::read_ecdhe(&[3, 0, 0x1d, 1, 4]).is_err());
}

fn arb_ske() -> impl Strategy<Value = ServerKeyExchangePayload> {
    let params = prop_oneof![
        (any::<u16>(), bytes(1, 69)).prop_map(|(g, pt)| {
            ServerKeyExchangeParams::Ecdhe(EcdheServerParams {
                named_group: g.into(),
                public: PayloadU8(pt),
            })
        }),
        (bytes(1, 39), bytes(1, 3), bytes(1, 39)).prop_map(|(p, g, ys)| {
            ServerKeyExchangeParams::Dhe(DheServerParams {
                p: PayloadU16(p),
                g: PayloadU16(g),
                ys: PayloadU16(ys),
            })
        }),
    ];
    (params, any::<u16>(), bytes(0, 79)).prop_map(|(params, s, sig)| ServerKeyExchangePayload {
        params,
        signature: DigitallySignedStruct::new(s.into(), sig),
    })
}

fn arb_cke() -> impl Strategy<Value = ClientKeyExchangePayload> {
    prop_oneof![
        bytes(1, 69).prop_map(|b| ClientKeyExchangePayload::Ecdhe(PayloadU8(b))),
        bytes(1, 69).prop_map(|b| ClientKeyExchangePayload::Dhe(PayloadU16(b))),
        bytes(0, 69).prop_map(|b| ClientKeyExchangePayload::Rsa(PayloadU16(b))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ske_laws(v in arb_ske()) {
        let kx = v.params.algorithm();
        let enc = v.get_encoding();
        let back = ServerKeyExchangePayload::read_bytes_with(&enc, kx).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(back.get_encoding(), enc.clone());
        prop_assert!(v.signed_message(&Random::default(), &Random::default())[64..]
            .iter().eq(enc[..v.params_bytes().len()].iter()));
        for n in 0..enc.len() {
            prop_assert!(ServerKeyExchangePayload::read_bytes_with(&enc[..n], kx).is_err());
        }
        match &v.params {
            ServerKeyExchangeParams::Ecdhe(p) => check_laws(p),
            ServerKeyExchangeParams::Dhe(p) => check_laws(p),
        }
    }

    #[test]
    fn cke_laws(v in arb_cke()) {
        let kx = v.algorithm();
        let enc = v.get_encoding();
        let back = ClientKeyExchangePayload::read_bytes_with(&enc, kx).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(back.get_encoding(), enc.clone());
        for n in 0..enc.len() {
            prop_assert!(ClientKeyExchangePayload::read_bytes_with(&enc[..n], kx).is_err());
        }
    }

    #[test]
    fn mutated_key_exchanges_never_panic(ske in arb_ske(), cke in arb_cke(), at: usize, byte: u8) {
        for (mut enc, is_ske) in [(ske.get_encoding(), true), (cke.get_encoding(), false)] {
            if enc.is_empty() {
                continue;
            }
            let i = at % enc.len();
            enc[i] = byte;
            for kx in ALL_KX {
                let again = match is_ske {
                    true => ServerKeyExchangePayload::read_bytes_with(&enc, kx)
                        .map(|v| v.get_encoding()),
                    false => ClientKeyExchangePayload::read_bytes_with(&enc, kx)
                        .map(|v| v.get_encoding()),
                };
                if let Ok(again) = again {
                    prop_assert_eq!(&again, &enc);
                }
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in bytes(0, 299)) {
        for kx in ALL_KX {
            if let Ok(v) = ServerKeyExchangePayload::read_bytes_with(&data, kx) {
                prop_assert_eq!(v.get_encoding(), data.clone());
            }
            if let Ok(v) = ClientKeyExchangePayload::read_bytes_with(&data, kx) {
                prop_assert_eq!(v.get_encoding(), data.clone());
            }
        }
    }
}

#[test]
fn psk_key_exchanges_round_trip_and_truncations_fail() {
    let id = PayloadU16::new(b"client1".to_vec());
    let ckes = [
        ClientKeyExchangePayload::Psk(id.clone()),
        ClientKeyExchangePayload::Psk(PayloadU16::new(Vec::new())),
        ClientKeyExchangePayload::EcdhePsk(id.clone(), PayloadU8::new(vec![4; 65])),
        ClientKeyExchangePayload::DhePsk(id.clone(), PayloadU16::new(vec![9; 256])),
    ];
    for cke in ckes {
        let enc = cke.get_encoding();
        let back = ClientKeyExchangePayload::read_bytes_with(&enc, cke.algorithm()).unwrap();
        assert_eq!(back, cke);
        assert_eq!(back.psk_identity(), cke.psk_identity());
        for cut in 0..enc.len() {
            assert!(
                ClientKeyExchangePayload::read_bytes_with(&enc[..cut], cke.algorithm()).is_err()
            );
        }
    }
    // RFC 4279 s2: 00 07 "client1" is the whole plain-PSK ClientKeyExchange.
    assert_eq!(
        ClientKeyExchangePayload::Psk(id).get_encoding(),
        b"\x00\x07client1"
    );
    let params = ServerKeyExchangeParams::Ecdhe(EcdheServerParams {
        named_group: NamedGroup::X25519,
        public: PayloadU8::new(vec![7; 32]),
    });
    for (kx, ske) in [
        (
            KeyExchangeAlgorithm::Psk,
            PskServerKeyExchange {
                hint: PayloadU16::new(b"hint".to_vec()),
                params: None,
            },
        ),
        (
            KeyExchangeAlgorithm::EcdhePsk,
            PskServerKeyExchange {
                hint: PayloadU16::new(Vec::new()),
                params: Some(params.clone()),
            },
        ),
    ] {
        let enc = ske.get_encoding();
        assert_eq!(
            PskServerKeyExchange::read_bytes_with(&enc, kx).unwrap(),
            ske
        );
        for cut in 0..enc.len() {
            assert!(PskServerKeyExchange::read_bytes_with(&enc[..cut], kx).is_err());
        }
        // A PSK ServerKeyExchange is never read as a signed one, nor the reverse.
        assert!(ServerKeyExchangePayload::read_bytes_with(&enc, kx).is_err());
    }
    assert!(
        PskServerKeyExchange::read_bytes_with(b"\x00\x00", KeyExchangeAlgorithm::Ecdhe).is_err()
    );
}

#[test]
fn psk_premaster_is_rfc_4279s() {
    // Plain PSK: len(psk) zeros, then the PSK, each with a 2-byte length.
    assert_eq!(
        psk_premaster(None, b"abc").as_slice(),
        b"\x00\x03\x00\x00\x00\x00\x03abc"
    );
    assert_eq!(
        psk_premaster(Some(b"zz"), b"abc").as_slice(),
        b"\x00\x02zz\x00\x03abc"
    );
}
