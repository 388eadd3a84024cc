use super::*;
use crate::codec::Codec;
use crate::enums::ProtocolVersion;
use crate::record::deframer::Deframer;
use proptest::prelude::*;

const ALGS: [AeadAlgorithm; 3] = [
    AeadAlgorithm::Aes128Gcm,
    AeadAlgorithm::Aes256Gcm,
    AeadAlgorithm::ChaCha20Poly1305,
];

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn split(record: &[u8]) -> (RecordHeader, Vec<u8>) {
    let header = RecordHeader::read_bytes(&record[..HEADER_LEN]).unwrap();
    (header, record[HEADER_LEN..].to_vec())
}

/// Opens a whole record (header included) and returns (type, plaintext).
fn open(o: &mut RecordOpener, record: &[u8]) -> Result<(ContentType, Vec<u8>), Error> {
    let (header, mut payload) = split(record);
    let p = o.open_in_place(&header, &mut payload)?;
    Ok((p.typ, p.payload.to_vec()))
}

// RFC 8448 s3 traffic keys and IVs ("Simple 1-RTT Handshake").
const SERVER_HS_KEY: &str = "3fce516009c21727d0f2e4e86ee403bc";
const SERVER_HS_IV: &str = "5d313eb2671276ee13000b30";
const CLIENT_HS_KEY: &str = "dbfaa693d1762c5b666af5d950258d01";
const CLIENT_HS_IV: &str = "5bd3c71b836e0b76bb73265f";
const SERVER_AP_KEY: &str = "9f02283b6c9c07efc26bb9f2ac92e356";
const SERVER_AP_IV: &str = "cf782b88dd83549aadf1e984";
const CLIENT_AP_KEY: &str = "17422dda596ed5d9acd890e3c63f5051";
const CLIENT_AP_IV: &str = "5b78923dee08579033e523d9";

/// RFC 8448 s3: the server's first protected record (EncryptedExtensions..Finished).
const RFC8448_SERVER_HS_RECORD: &str = concat!(
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73",
    "f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b72",
    "9df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609",
    "aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb3",
    "60987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09",
    "ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea",
    "520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c",
    "84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531",
    "7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f2",
    "52107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7c",
    "ca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a376689",
    "36b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb",
    "5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b",
    "66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee",
    "340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c17",
    "19bfdabf0253fe5175be898e750edc53370d2b",
);
/// RFC 8448 s3: EncryptedExtensions || Certificate || CertificateVerify || Finished.
const RFC8448_SERVER_HS_PLAINTEXT: &str = concat!(
    "080000240022000a00140012001d00170018001901000101010201030104001c00024001000000000b0001b9",
    "000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a",
    "06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e",
    "310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4",
    "bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace",
    "6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480",
    "30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001",
    "a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d01010b050003",
    "81810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172",
    "f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3e",
    "b7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de100",
    "000f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc",
    "90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411",
    "ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53df",
    "acd42f74f3140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718",
);
/// RFC 8448 s3: Record_ClientFinished.
const RFC8448_CLIENT_FINISHED_RECORD: &str = concat!(
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46de",
    "b384bd1caeacab6867d726c40546",
);
/// RFC 8448 s3: Record_NewSessionTicket.
const RFC8448_SERVER_NST_RECORD: &str = concat!(
    "17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c7",
    "58db289a015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1",
    "b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc1",
    "81a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f6",
    "50db4d023e70e952ca49fe5137121c74bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779",
    "b37bf15985684f",
);
/// RFC 8448 s3: Record_Client_AppData.
const RFC8448_CLIENT_APPDATA_RECORD: &str = concat!(
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a",
    "20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4",
);
/// RFC 8448 s3: Record_Server_AppData.
const RFC8448_SERVER_APPDATA_RECORD: &str = concat!(
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb",
    "501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d",
);
/// RFC 8448 s3: Record_Client_CloseNotify.
const RFC8448_CLIENT_CLOSE_RECORD: &str = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";
/// RFC 8448 s3: Record_Server_CloseNotify.
const RFC8448_SERVER_CLOSE_RECORD: &str = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";

fn rfc8448(key: &str, iv: &str) -> (RecordSealer, RecordOpener) {
    let alg = AeadAlgorithm::Aes128Gcm;
    (
        RecordSealer::tls13(alg, &h(key), &h(iv)).unwrap(),
        RecordOpener::tls13(alg, &h(key), &h(iv)).unwrap(),
    )
}

#[test]
fn rfc8448_server_handshake_record() {
    let record = h(RFC8448_SERVER_HS_RECORD);
    let plain = h(RFC8448_SERVER_HS_PLAINTEXT);
    let (mut s, mut o) = rfc8448(SERVER_HS_KEY, SERVER_HS_IV);

    // Decrypt in place, through the deframer as the connection will.
    let mut d = Deframer::new();
    d.set_max_payload_len(crate::record::header::MAX_CIPHERTEXT_TLS13)
        .unwrap();
    assert_eq!(d.read(&record), record.len());
    let rec = d.pop_record().unwrap().unwrap();
    let p = o.open_in_place(&rec.header, rec.payload).unwrap();
    assert_eq!(p.typ, ContentType::Handshake);
    assert_eq!(&p.payload[..], &plain[..]);
    assert_eq!(o.seq(), 1);

    // Sealing the same plaintext at sequence 0 reproduces the record byte for byte.
    let mut out = vec![0xee];
    s.seal(ContentType::Handshake, &plain, &mut out).unwrap();
    assert_eq!(out[0], 0xee, "appends, keeps what was there");
    assert_eq!(&out[1..], &record[..]);
    assert_eq!(s.sealed_len(plain.len()), record.len());
    assert_eq!(s.seq(), 1);
}

#[test]
fn rfc8448_remaining_records() {
    let (_, mut client_hs) = rfc8448(CLIENT_HS_KEY, CLIENT_HS_IV);
    let (typ, fin) = open(&mut client_hs, &h(RFC8448_CLIENT_FINISHED_RECORD)).unwrap();
    assert_eq!(typ, ContentType::Handshake);
    assert_eq!(
        &fin[..4],
        &[0x14, 0, 0, 0x20],
        "client Finished, 32-byte verify_data"
    );
    assert_eq!(fin.len(), 36);

    let app_data: Vec<u8> = (0..50).collect();
    let (mut server_seal, mut server_ap) = rfc8448(SERVER_AP_KEY, SERVER_AP_IV);
    let (typ, nst) = open(&mut server_ap, &h(RFC8448_SERVER_NST_RECORD)).unwrap();
    assert_eq!(
        (typ, nst[0]),
        (ContentType::Handshake, 4),
        "NewSessionTicket"
    );
    assert_eq!(
        open(&mut server_ap, &h(RFC8448_SERVER_APPDATA_RECORD)).unwrap(),
        (ContentType::ApplicationData, app_data.clone())
    );
    assert_eq!(
        open(&mut server_ap, &h(RFC8448_SERVER_CLOSE_RECORD)).unwrap(),
        (ContentType::Alert, vec![1, 0])
    );
    assert_eq!(server_ap.seq(), 3);

    let (mut client_seal, mut client_ap) = rfc8448(CLIENT_AP_KEY, CLIENT_AP_IV);
    assert_eq!(
        open(&mut client_ap, &h(RFC8448_CLIENT_APPDATA_RECORD)).unwrap(),
        (ContentType::ApplicationData, app_data.clone())
    );
    assert_eq!(
        open(&mut client_ap, &h(RFC8448_CLIENT_CLOSE_RECORD)).unwrap(),
        (ContentType::Alert, vec![1, 0])
    );

    // Sealing reproduces the client's records at sequence 0 and 1.
    let mut out = Vec::new();
    client_seal
        .seal(ContentType::ApplicationData, &app_data, &mut out)
        .unwrap();
    client_seal
        .seal(ContentType::Alert, &[1, 0], &mut out)
        .unwrap();
    assert_eq!(
        out,
        [
            h(RFC8448_CLIENT_APPDATA_RECORD),
            h(RFC8448_CLIENT_CLOSE_RECORD)
        ]
        .concat()
    );
    // And the server's application data at sequence 1.
    server_seal.set_seq(1);
    out.clear();
    server_seal
        .seal(ContentType::ApplicationData, &app_data, &mut out)
        .unwrap();
    assert_eq!(out, h(RFC8448_SERVER_APPDATA_RECORD));
}

// Records computed independently (Python `cryptography` AESGCM / ChaCha20Poly1305,
// nonce and additional data built by hand from RFC 8446 s5.2-5.3, RFC 5288 s3 and
// RFC 7905 s2). Keys: 00..0f (16 bytes) or 20..3f (32 bytes); TLS 1.2 GCM salt
// a0a1a2a3; 12-byte IV f0..fb.
const K16: &str = "000102030405060708090a0b0c0d0e0f";
const K32: &str = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
const SALT: &str = "a0a1a2a3";
const IV12: &str = "f0f1f2f3f4f5f6f7f8f9fafb";
const TLS12_GCM128_SEQ0: &str = concat!(
    "170303002a0000000000000000e238a2f128a3143b1f950a125ff85be72fc513a155fb7dbb7ce3104ea5",
    "a5c11abe80"
);
const TLS12_GCM128_SEQ1: &str = concat!(
    "1603030028000000000000000152711cfe39d12205d23913428e51c13353eb4680e26d2e4f9c046fff65",
    "0b7698"
);
const TLS12_GCM256_SEQ0: &str = "150303001a0000000000000000d27f90f9763f7640bccbad35e38afa950eee";
const TLS12_CHACHA_SEQ0: &str =
    "1703030025c92c58dfae2bbfbd9c50d2674178abda6934c47ecf31064ca52bc15efc4e5036c266ff98a3";
const TLS12_CHACHA_SEQ1: &str = "170303001620d08c8b29f4d5798431043eac40224ecfce6c60b6d4";
const TLS13_CHACHA_SEQ1: &str = "170303001947b5efe026f21c0b3fee5dd8a60ff9b55b544a47916197e592";
const TLS13_AES256_SEQ0_PAD3: &str =
    "1703030020872dafa4147d6a9cd4ff254ba9cbf67595360037dd7d489f921c6e1cab7fbf05";

/// Seals `items` in order from sequence `first_seq` and checks the concatenated
/// records, then opens them back.
fn check_kat(
    seal: &mut RecordSealer,
    open_: &mut RecordOpener,
    first_seq: u64,
    items: &[(ContentType, &[u8], &str)],
) {
    seal.set_seq(first_seq);
    open_.set_seq(first_seq);
    for (typ, plain, record) in items {
        let mut out = Vec::new();
        seal.seal(*typ, plain, &mut out).unwrap();
        assert_eq!(hex::encode(&out), *record);
        assert_eq!(open(open_, &out).unwrap(), (*typ, plain.to_vec()));
    }
}

#[test]
fn tls12_gcm_known_answers() {
    let alg = AeadAlgorithm::Aes128Gcm;
    let mut s = RecordSealer::tls12(alg, &h(K16), &h(SALT)).unwrap();
    let mut o = RecordOpener::tls12(alg, &h(K16), &h(SALT)).unwrap();
    let fin = [&[0x14, 0, 0, 0x0c][..], &[0x55; 12]].concat();
    check_kat(
        &mut s,
        &mut o,
        0,
        &[
            (
                ContentType::ApplicationData,
                b"hello, TLS 1.2 GCM",
                TLS12_GCM128_SEQ0,
            ),
            (ContentType::Handshake, &fin, TLS12_GCM128_SEQ1),
        ],
    );
    let alg = AeadAlgorithm::Aes256Gcm;
    let mut s = RecordSealer::tls12(alg, &h(K32), &h(SALT)).unwrap();
    let mut o = RecordOpener::tls12(alg, &h(K32), &h(SALT)).unwrap();
    check_kat(
        &mut s,
        &mut o,
        0,
        &[(ContentType::Alert, &[1, 0], TLS12_GCM256_SEQ0)],
    );
}

#[test]
fn tls12_chacha_known_answers() {
    let alg = AeadAlgorithm::ChaCha20Poly1305;
    let mut s = RecordSealer::tls12(alg, &h(K32), &h(IV12)).unwrap();
    let mut o = RecordOpener::tls12(alg, &h(K32), &h(IV12)).unwrap();
    check_kat(
        &mut s,
        &mut o,
        0,
        &[
            (
                ContentType::ApplicationData,
                b"hello, TLS 1.2 ChaCha",
                TLS12_CHACHA_SEQ0,
            ),
            (ContentType::ApplicationData, b"second", TLS12_CHACHA_SEQ1),
        ],
    );
}

#[test]
fn tls13_chacha_and_aes256_known_answers() {
    let alg = AeadAlgorithm::ChaCha20Poly1305;
    let mut s = RecordSealer::tls13(alg, &h(K32), &h(IV12)).unwrap();
    let mut o = RecordOpener::tls13(alg, &h(K32), &h(IV12)).unwrap();
    check_kat(
        &mut s,
        &mut o,
        1,
        &[(
            ContentType::Handshake,
            b"\x14\x00\x00\x04abcd",
            TLS13_CHACHA_SEQ1,
        )],
    );
    let alg = AeadAlgorithm::Aes256Gcm;
    let mut s = RecordSealer::tls13(alg, &h(K32), &h(IV12)).unwrap();
    let mut o = RecordOpener::tls13(alg, &h(K32), &h(IV12)).unwrap();
    s.set_padding(PaddingPolicy::Multiple(16)).unwrap();
    check_kat(
        &mut s,
        &mut o,
        0,
        &[(
            ContentType::ApplicationData,
            b"hello world!",
            TLS13_AES256_SEQ0_PAD3,
        )],
    );
}

fn pair(protocol: RecordProtocol, alg: AeadAlgorithm) -> (RecordSealer, RecordOpener) {
    let key: Vec<u8> = (0..alg.key_len() as u8).collect();
    let iv_len = match protocol {
        RecordProtocol::Tls12 => alg.tls12_fixed_iv_len(),
        RecordProtocol::Tls13 => alg.iv_len(),
    };
    let iv: Vec<u8> = (100..100 + iv_len as u8).collect();
    match protocol {
        RecordProtocol::Tls12 => (
            RecordSealer::tls12(alg, &key, &iv).unwrap(),
            RecordOpener::tls12(alg, &key, &iv).unwrap(),
        ),
        RecordProtocol::Tls13 => (
            RecordSealer::tls13(alg, &key, &iv).unwrap(),
            RecordOpener::tls13(alg, &key, &iv).unwrap(),
        ),
    }
}

const PROTOCOLS: [RecordProtocol; 2] = [RecordProtocol::Tls12, RecordProtocol::Tls13];

#[test]
fn tls12_wire_layout() {
    for alg in ALGS {
        let (mut s, _) = pair(RecordProtocol::Tls12, alg);
        s.set_seq(0x0102_0304_0506_0708);
        let mut out = Vec::new();
        s.seal(ContentType::Handshake, &[9; 40], &mut out).unwrap();
        let explicit = alg.tls12_explicit_nonce_len();
        let body = explicit + 40 + 16;
        assert_eq!(out.len(), HEADER_LEN + body);
        assert_eq!(s.sealed_len(40), out.len());
        assert_eq!(&out[..5], &[22, 3, 3, 0, body as u8]);
        if explicit == 8 {
            assert_eq!(
                &out[5..13],
                &[1, 2, 3, 4, 5, 6, 7, 8],
                "explicit nonce = seq"
            );
        }
        assert_eq!(s.seq(), 0x0102_0304_0506_0709);
    }
}

#[test]
fn tls13_wire_layout_and_padding() {
    for alg in ALGS {
        let (mut s, mut o) = pair(RecordProtocol::Tls13, alg);
        let mut out = Vec::new();
        s.seal(ContentType::Handshake, &[9; 40], &mut out).unwrap();
        assert_eq!(&out[..5], &[23, 3, 3, 0, 40 + 1 + 16], "outer type is 23");
        s.set_padding(PaddingPolicy::Multiple(64)).unwrap();
        for len in [0usize, 1, 62, 63, 64, 65, 200, MAX_PLAINTEXT] {
            out.clear();
            s.seal(ContentType::ApplicationData, &vec![7; len], &mut out)
                .unwrap();
            let inner = out.len() - HEADER_LEN - 16;
            assert_eq!(s.sealed_len(len), out.len());
            if len == MAX_PLAINTEXT {
                assert_eq!(inner, MAX_PLAINTEXT + 1, "padding never exceeds 2^14+1");
            } else {
                assert_eq!(inner % 64, 0, "padded to a multiple of 64 ({len})");
                assert!(inner > len);
            }
            o.set_seq(s.seq() - 1);
            assert_eq!(
                open(&mut o, &out).unwrap(),
                (ContentType::ApplicationData, vec![7; len]),
                "padding stripped"
            );
        }
    }
    let (mut s, _) = pair(RecordProtocol::Tls12, AeadAlgorithm::Aes128Gcm);
    assert!(matches!(
        s.set_padding(PaddingPolicy::Multiple(16)),
        Err(Error::ApiMisuse(_))
    ));
}

#[test]
fn round_trips_and_sequence_numbers() {
    for protocol in PROTOCOLS {
        for alg in ALGS {
            let (mut s, mut o) = pair(protocol, alg);
            let mut out = Vec::new();
            let msgs: [(ContentType, &[u8]); 4] = [
                (ContentType::Handshake, b"first"),
                (ContentType::ApplicationData, b""),
                (ContentType::Alert, &[1, 0]),
                (ContentType::ApplicationData, &[0u8; MAX_PLAINTEXT]),
            ];
            for (typ, m) in msgs {
                s.seal(typ, m, &mut out).unwrap();
            }
            assert_eq!(s.seq(), 4);
            // Deframe and open in place.
            let mut d = Deframer::new();
            d.set_max_payload_len(crate::record::header::MAX_CIPHERTEXT_TLS12)
                .unwrap();
            let mut offered = &out[..];
            let mut got = Vec::new();
            while !offered.is_empty() {
                let n = d.read(offered);
                offered = &offered[n..];
                while let Some(rec) = d.pop_record().unwrap() {
                    let p = o.open_in_place(&rec.header, rec.payload).unwrap();
                    got.push((p.typ, p.payload.to_vec()));
                }
            }
            let want: Vec<_> = msgs.iter().map(|(t, m)| (*t, m.to_vec())).collect();
            assert_eq!(got, want, "{protocol:?} {alg:?}");
            assert_eq!(o.seq(), 4);

            // Records out of order (replay, reordering) fail: the nonce or AAD differs.
            let (mut s, mut o) = pair(protocol, alg);
            let mut r0 = Vec::new();
            let mut r1 = Vec::new();
            s.seal(ContentType::ApplicationData, b"zero", &mut r0)
                .unwrap();
            s.seal(ContentType::ApplicationData, b"one", &mut r1)
                .unwrap();
            assert_eq!(open(&mut o, &r1), Err(Error::DecryptError), "skipped seq");
            assert_eq!(o.seq(), 0, "failed open does not advance");
            open(&mut o, &r0).unwrap();
            assert_eq!(open(&mut o, &r0), Err(Error::DecryptError), "replay");
        }
    }
}

#[test]
fn every_tampered_byte_is_a_decrypt_error() {
    for protocol in PROTOCOLS {
        for alg in ALGS {
            let (mut s, _) = pair(protocol, alg);
            let mut rec = Vec::new();
            s.seal(ContentType::Handshake, b"tamper with me", &mut rec)
                .unwrap();
            for i in 0..rec.len() {
                for bit in [0x01u8, 0x80] {
                    let mut bad = rec.clone();
                    bad[i] ^= bit;
                    let (mut _s, mut o) = pair(protocol, alg);
                    let (header, mut payload) = split(&bad);
                    if usize::from(header.len) != payload.len() {
                        continue; // a changed length no longer frames this payload
                    }
                    let r = o.open_in_place(&header, &mut payload);
                    match (protocol, i) {
                        // TLS 1.3 refuses a changed outer type before decrypting.
                        (RecordProtocol::Tls13, 0) => assert_eq!(
                            r,
                            Err(InvalidMessage::InvalidContentType(header.typ).into())
                        ),
                        _ => {
                            assert_eq!(r, Err(Error::DecryptError), "{protocol:?} {alg:?} byte {i}")
                        }
                    }
                }
            }
            let (mut _s, mut o) = pair(protocol, alg);
            open(&mut o, &rec).unwrap();
        }
    }
}

#[test]
fn short_and_oversized_ciphertexts() {
    for protocol in PROTOCOLS {
        for alg in ALGS {
            let (_, mut o) = pair(protocol, alg);
            let min = match protocol {
                RecordProtocol::Tls12 => alg.tls12_explicit_nonce_len() + 16,
                RecordProtocol::Tls13 => 16,
            };
            for len in 0..min {
                let mut p = vec![0u8; len];
                let header = RecordHeader {
                    typ: ContentType::ApplicationData,
                    version: ProtocolVersion::TLSv1_2,
                    len: len as u16,
                };
                assert_eq!(o.open_in_place(&header, &mut p), Err(Error::DecryptError));
            }
            let max = match protocol {
                RecordProtocol::Tls12 => crate::record::header::MAX_CIPHERTEXT_TLS12,
                RecordProtocol::Tls13 => MAX_CIPHERTEXT_TLS13,
            };
            let mut p = vec![0u8; max + 1];
            let header = RecordHeader {
                typ: ContentType::ApplicationData,
                version: ProtocolVersion::TLSv1_2,
                len: (max + 1) as u16,
            };
            assert_eq!(
                o.open_in_place(&header, &mut p),
                Err(InvalidMessage::RecordTooLarge.into())
            );
            let header = RecordHeader { len: 3, ..header };
            assert!(matches!(
                o.open_in_place(&header, &mut [0; 4]),
                Err(Error::ApiMisuse(_))
            ));
        }
    }
}

/// Seals an arbitrary TLS 1.3 inner plaintext (content || type || zeros as given),
/// bypassing the sealer's own framing, to test what the opener makes of it.
fn seal_raw_tls13(inner: &[u8]) -> Vec<u8> {
    let key = [7u8; 16];
    let iv = [9u8; 12];
    let mut s = RecordSealer::tls13(AeadAlgorithm::Aes128Gcm, &key, &iv).unwrap();
    s.keys.expand().unwrap();
    let len = ((inner.len() + 16) as u16).to_be_bytes();
    let header = [23, 3, 3, len[0], len[1]];
    let mut out = header.to_vec();
    out.extend_from_slice(inner);
    let tag = s
        .keys
        .aead()
        .unwrap()
        .seal_in_place_separate_tag(s.keys.nonce(0), Aad::from(header), &mut out[5..])
        .unwrap();
    out.extend_from_slice(tag.as_ref());
    out
}

fn open_raw(record: &[u8]) -> Result<(ContentType, Vec<u8>), Error> {
    let mut o = RecordOpener::tls13(AeadAlgorithm::Aes128Gcm, &[7; 16], &[9; 12]).unwrap();
    open(&mut o, record)
}

#[test]
fn tls13_inner_plaintext_rules() {
    let no_type: Error = InvalidMessage::InvalidContentType(ContentType::Unknown(0)).into();
    assert_eq!(open_raw(&seal_raw_tls13(&[])), Err(no_type.clone()));
    assert_eq!(open_raw(&seal_raw_tls13(&[0; 100])), Err(no_type));
    assert_eq!(
        open_raw(&seal_raw_tls13(&[1, 2, 0x63, 0, 0])),
        Err(InvalidMessage::InvalidContentType(ContentType::Unknown(0x63)).into())
    );
    assert_eq!(
        open_raw(&seal_raw_tls13(&[1, 20])),
        Err(InvalidMessage::InvalidContentType(ContentType::ChangeCipherSpec).into()),
        "protected ChangeCipherSpec"
    );
    assert_eq!(
        open_raw(&seal_raw_tls13(&[0, 0, 23, 0, 0, 0])),
        Ok((ContentType::ApplicationData, vec![0, 0])),
        "zeros in content are content, zeros after the type are padding"
    );
    assert_eq!(
        open_raw(&seal_raw_tls13(&[23])),
        Ok((ContentType::ApplicationData, vec![]))
    );
    let mut max = vec![1u8; MAX_PLAINTEXT];
    max.push(22);
    max.extend_from_slice(&[0; 200]);
    assert_eq!(
        open_raw(&seal_raw_tls13(&max)),
        Err(InvalidMessage::RecordTooLarge.into()),
        "inner plaintext over 2^14+1"
    );
    max.truncate(MAX_PLAINTEXT + 1);
    assert_eq!(
        open_raw(&seal_raw_tls13(&max)).unwrap().1.len(),
        MAX_PLAINTEXT
    );
    assert_eq!(
        InvalidMessage::InvalidContentType(ContentType::Unknown(0)).alert(),
        crate::enums::AlertDescription::UnexpectedMessage
    );
}

#[test]
fn sequence_number_never_wraps() {
    for protocol in PROTOCOLS {
        for alg in ALGS {
            let (mut s, mut o) = pair(protocol, alg);
            s.set_seq(u64::MAX - 1);
            o.set_seq(u64::MAX - 1);
            let mut out = Vec::new();
            s.seal(ContentType::ApplicationData, b"last", &mut out)
                .unwrap();
            assert_eq!(s.seq(), u64::MAX);
            assert_eq!(
                open(&mut o, &out).unwrap(),
                (ContentType::ApplicationData, b"last".to_vec())
            );
            let mut more = vec![1, 2, 3];
            assert_eq!(
                s.seal(ContentType::ApplicationData, b"one more", &mut more),
                Err(Error::SequenceNumberExhausted)
            );
            assert_eq!(more, [1, 2, 3], "nothing appended on error");
            assert_eq!(s.seq(), u64::MAX, "stays exhausted");
            assert_eq!(open(&mut o, &out), Err(Error::SequenceNumberExhausted));
            assert_eq!(
                Error::SequenceNumberExhausted.alert(),
                Some(crate::enums::AlertDescription::InternalError)
            );
        }
    }
}

#[test]
fn misuse_is_refused() {
    for alg in ALGS {
        let key = vec![0; alg.key_len()];
        assert!(RecordSealer::tls13(alg, &key[1..], &[0; 12]).is_err());
        assert!(RecordOpener::tls13(alg, &key, &[0; 4]).is_err());
        assert!(RecordSealer::tls12(alg, &key, &[0; 11]).is_err());
        let iv12 = vec![0; alg.tls12_fixed_iv_len()];
        assert!(RecordOpener::tls12(alg, &key, &iv12).is_ok());
        let mut s = RecordSealer::tls13(alg, &key, &[0; 12]).unwrap();
        let mut out = Vec::new();
        assert!(matches!(
            s.seal(
                ContentType::ApplicationData,
                &[0; MAX_PLAINTEXT + 1],
                &mut out
            ),
            Err(Error::ApiMisuse(_))
        ));
        assert!(matches!(
            s.seal(ContentType::Heartbeat, &[0], &mut out),
            Err(Error::ApiMisuse(_))
        ));
        assert!(out.is_empty());
        assert_eq!(s.seq(), 0);
    }
    let s = RecordSealer::tls13(AeadAlgorithm::Aes128Gcm, &[0xab; 16], &[0xcd; 12]).unwrap();
    let dbg = format!("{s:?}");
    assert!(!dbg.contains("cd, ") && !dbg.contains("205"), "{dbg}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_ciphertext_never_panics(
        typ in any::<u8>(),
        payload in proptest::collection::vec(any::<u8>(), 0..100),
        tls13 in any::<bool>(),
        alg in 0usize..3,
    ) {
        let protocol = if tls13 { RecordProtocol::Tls13 } else { RecordProtocol::Tls12 };
        let (_, mut o) = pair(protocol, ALGS[alg]);
        let header = RecordHeader {
            typ: ContentType::from(typ),
            version: ProtocolVersion::TLSv1_2,
            len: payload.len() as u16,
        };
        let mut payload = payload;
        prop_assert!(o.open_in_place(&header, &mut payload).is_err());
    }

    #[test]
    fn seal_open_round_trip(
        data in proptest::collection::vec(any::<u8>(), 0..2000),
        tls13 in any::<bool>(),
        alg in 0usize..3,
        pad in 0u16..300,
    ) {
        let protocol = if tls13 { RecordProtocol::Tls13 } else { RecordProtocol::Tls12 };
        let (mut s, mut o) = pair(protocol, ALGS[alg]);
        if tls13 {
            s.set_padding(PaddingPolicy::Multiple(pad)).unwrap();
        }
        let mut out = Vec::new();
        s.seal(ContentType::ApplicationData, &data, &mut out).unwrap();
        prop_assert_eq!(out.len(), s.sealed_len(data.len()));
        prop_assert_eq!(open(&mut o, &out), Ok((ContentType::ApplicationData, data)));
    }
}

/// The wipe overwrites the expanded key itself: what seals after it is the all-zero key's
/// expansion, no longer the secret's.
#[test]
fn a_wiped_key_is_the_all_zero_keys_expansion() {
    for alg in [
        AeadAlgorithm::Aes128Gcm,
        AeadAlgorithm::Aes256Gcm,
        AeadAlgorithm::ChaCha20Poly1305,
    ] {
        let iv = [9u8; 12];
        let (secret, zeros) = (vec![0x5a; alg.key_len()], vec![0; alg.key_len()]);
        let at_1 = |key: &[u8]| {
            let mut s = RecordSealer::tls13(alg, key, &iv).unwrap();
            s.set_seq(1);
            sealed(&mut s)
        };
        let mut s = RecordSealer::tls13(alg, &secret, &iv).unwrap();
        sealed(&mut s); // record 0: the key is expanded
        s.keys.wipe();
        let after = sealed(&mut s); // record 1, under what the expanded key now holds
        assert_eq!(after, at_1(&zeros), "{alg:?}");
        assert_ne!(after, at_1(&secret), "{alg:?}");
    }
}

/// One sealed application-data record of a fixed plaintext.
fn sealed(s: &mut RecordSealer) -> Vec<u8> {
    let mut out = Vec::new();
    s.seal(ContentType::ApplicationData, b"wipe me", &mut out)
        .unwrap();
    out
}
