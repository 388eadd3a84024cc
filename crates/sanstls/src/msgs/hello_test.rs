use super::*;
use crate::codec::Payload;
use crate::enums::AlertDescription;
use crate::msgs::extensions::{Padding, SupportedVersions, UnknownExtension};
use crate::msgs::strategies::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use InvalidMessage::*;

// RFC 8448 example handshakes, from vectors/rfc8448/transcripts.vec (Botan's
// collection; see its README): `Record_*` values are whole records (5-byte record header,
// 4-byte handshake header, body), `Message_*` values are handshake messages (4-byte header).
// Sections: simple 1-RTT (s3), resumed 0-RTT (s4), HelloRetryRequest (s5), client
// authentication (s6), middlebox compatibility (RFC 8446 D.4), external PSK and raw public
// keys (Botan's own additions).
const SIMPLE_CH1: &str = concat!(
    "16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef628302",
    "4dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a0014",
    "0012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4",
    "bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e04",
    "0305030603020308040805080604010501060102010402050206020202002d00020101001c000240",
    "01",
);
const SIMPLE_SH: &str = concat!(
    "160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3",
    "e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833d",
    "f1dd69b1b04e751f0f002b00020304",
);
const SIMPLE_EE: &str =
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";
const RESUMED_CH1: &str = concat!(
    "1603010200010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876",
    "487d95000006130113031302010001cd0000000b0009000006736572766572ff01000100000a0014",
    "0012001d00170018001901000101010201030104003300260024001d0020e4ffb68ac05f8d96c99d",
    "a26698346c6be16482badddafe051a66b4f18d668f0b002a0000002b0003020304000d0020001e04",
    "0305030603020308040805080604010501060102010402050206020202002d00020101001c000240",
    "01001500570000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000002900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494",
    "dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283f8",
    "2a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6",
    "a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5ae",
    "a617646fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6",
    "aacb0021203add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d",
);
const RESUMED_SH: &str = concat!(
    "16030300600200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea5122495f5",
    "59ea2d00130100003400290002000000330024001d0020121761ee42c333e1b9e77b60dd57c2053c",
    "d94512ab47f115e86eff50942cea31002b00020304",
);
const RESUMED_EE: &str =
    "080000240022000a00140012001d00170018001901000101010201030104001c00024001002a0000";
const HRR_CH1: &str = concat!(
    "16030100b4010000b00303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346",
    "677b6f000006130113031302010000810000000b0009000006736572766572ff01000100000a0008",
    "0006001d00170018003300260024001d0020e8e8e3f3b93a25ed97a14a7dcacb8a272c6288e585c6",
    "484d05262fcad062ad1f002b0003020304000d0020001e0403050306030203080408050806040105",
    "01060102010402050206020202002d00020101001c00024001",
);
const HRR_HRR: &str = concat!(
    "16030300b0020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8",
    "a8339c001301000084003300020017002c0074007271dcd04bb88bc3189119398a00000000eefafc",
    "76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc654b1b5b40318d10d137ab",
    "cbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c034",
    "2267e8ca0caf571fb2b7cff0f934b0002b00020304",
);
const HRR_CH2: &str = concat!(
    "1603030200010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346",
    "677b6f000006130113031302010001cd0000000b0009000006736572766572ff01000100000a0008",
    "0006001d001700180033004700450017004104a6da7392ec591e17abfd535964b99894d13befb221",
    "b3def2ebe3830eac8f0151812677c4d6d2237e85cf01d6910cfb83954e76ba7352830534159897e8",
    "065780002b0003020304000d0020001e040305030603020308040805080604010501060102010402",
    "050206020202002c0074007271dcd04bb88bc3189119398a00000000eefafc76c146b823b096f8aa",
    "cad365dd0030953f4edf625636e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f02",
    "5f7dfa5d6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2",
    "b7cff0f934b0002d00020101001c00024001001500af000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000",
);
const HRR_SH: &str = concat!(
    "160303007b020000770303bb341d847fd789c47c387172dc0c9bf147fccacb5043d86ca4c598d3ff",
    "571b9800130100004f003300450017004104583e054b7a66672ae020ad9d2686fcc85b5ad41a134a",
    "0f03ee72b893052bd85b4c8de6776f5b04ac07d83540eab3e3d9c547bc6528c4317d294686093a6c",
    "ad7d002b00020304",
);
const HRR_EE: &str = "080000180016000a0008000600170018001d001c0002400100000000";
const CLIENT_AUTH_CH1: &str = concat!(
    "16030100c0010000bc03036a472236328b83af40386d3a3e1f1ce624fa4ed89ab865a4ff0f4144ce",
    "3ae2330000061301130313020100008d0000000b0009000006736572766572ff01000100000a0014",
    "0012001d00170018001901000101010201030104003300260024001d0020089cc2671f738d9a671e",
    "5b2e464981d05b76e361aa22aea91f1d49ca10a7a362002b0003020304000d0020001e0403050306",
    "03020308040805080604010501060102010402050206020202002d00020101001c00024001",
);
const CLIENT_AUTH_SH: &str = concat!(
    "160303005a0200005603033b50fdf1c3d572e40e68953e7fff4e2758459c59afa0582c0ea0328742",
    "55fe6e00130100002e00330024001d00206c2e50e865919a6b5a12dfaf918f92b442567b0f89bc54",
    "478c6921366658f062002b00020304",
);
const CLIENT_AUTH_EE: &str =
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";
const MIDDLEBOX_CH1: &str = concat!(
    "16030100e0010000dc03034e640a3f2c2738f09c9418bd78edccd7559d0531199276d4d92a0e9ee9",
    "d77d0920a80c165581a8e0d06c0018d54d3a06dd32cfd4051eb026fad3fd0ba99269e6ef00061301",
    "130313020100008d0000000b0009000006736572766572ff01000100000a00140012001d00170018",
    "001901000101010201030104003300260024001d00208e7292cf3056dbb0d25fcbe55c107dc9bbf8",
    "3dd9708f39203ba341249a7d9b63002b0003020304000d0020001e04030503060302030804080508",
    "0604010501060102010402050206020202002d00020101001c00024001",
);
const MIDDLEBOX_SH: &str = concat!(
    "160303007a020000760303e5dd5948c435f7a38f0f0130708dc322d9df09abd4838117c183a7bb6d",
    "994f2c20a80c165581a8e0d06c0018d54d3a06dd32cfd4051eb026fad3fd0ba99269e6ef13010000",
    "2e00330024001d00203e30f0f4ba551afd62768341175f5265e4daf0c8841617aa4fafdd2142320c",
    "22002b00020304",
);
const MIDDLEBOX_EE: &str =
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";
const EXTERNAL_PSK_CH1: &str = concat!(
    "16030100d9010000d50303d471835b8cb3e597d84a8580223cf974f0013c9d13c0f6a45f85a057a5",
    "c92830000006130113031302010000a60000000b0009000006736572766572000a00080006001d00",
    "170018003300260024001d0020f08c356379c689d2a34133f84e2ea1131faf8732cb51d8acd72a70",
    "6bf15afc10002b0003020304000d00140012080508040806050106010401050306030403002d0002",
    "0101001c0002400100290032000d0007726663383434380000000000212081bdd19444ede3426e03",
    "e0076f0a7fbce583e4906053b2ddaee431dc508e6691",
);
const EXTERNAL_PSK_SH: &str = concat!(
    "16030300600200005c03039c3ed8d46a080afef60af384c99ee901110e83f69b47bc80c3356b4cd3",
    "9e4ac2001301000034002b0002030400330024001d0020056bd891b6cc74712b2377cabfb1274153",
    "fe47c6d03167d47a85170b97c39315002900020000",
);
const EXTERNAL_PSK_EE: &str = "080000180016000a00080006001d00170018001c0002400100000000";
const RAW_PUBLIC_KEY_CH1: &str = concat!(
    "16030100bb010000b70303e9b55a837df0e9aabae5d4163ecebf3a7b77507611ff501735e00839f8",
    "de60e2000006130113031302010000880000000b0009000006736572766572000a00080006001d00",
    "170018003300260024001d00209ff859b45c433f8807d73dfd0a3d4461a9f79cbea5dd5d28469529",
    "0cbe787c3b002b0003020304000d0020001e04030503060302030804080508060401050106010201",
    "0402050206020202002d00020101001c00024001001300020102001400020102",
);
const RAW_PUBLIC_KEY_SH: &str = concat!(
    "160303005a020000560303e54182275289a717e972296a3220f7b8c8ff94d95c387aec3095723ca1",
    "c848cf00130100002e00330024001d0020ad897d804242753185a13d194fd75bd62864675bb22c36",
    "d06c72bc1e434ef707002b00020304",
);
const RAW_PUBLIC_KEY_EE: &str =
    "08000022002000130001020014000102000a00080006001d00170018001c0002400100000000";

// A ClientHello as OpenSSL 3.0.19 sends it, captured on 2026-11-27 with a Python listener
// on 127.0.0.1 recording the first record of
// `openssl s_client -connect 127.0.0.1:PORT -servername example.com -alpn h2,http/1.1`.
const OPENSSL_CH: &str = concat!(
    "160301014a010001460303db7946e9df78aec97f982429104ea6533ee88bb2513e651a71ca72b871",
    "c60b4e202334f710acc7e0a05e88d2ba5effe5748e3a52163c6651cc470466ea9f908a6a003e1302",
    "13031301c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039",
    "c009c0130033009d009c003d003c0035002f00ff010000bf00000010000e00000b6578616d706c65",
    "2e636f6d000b000403000102000a00160014001d0017001e00190018010001010102010301040023",
    "00000010000e000c02683208687474702f312e310016000000170000000d002a0028040305030603",
    "080708080809080a080b080408050806040105010601030303010302040205020602002b00090803",
    "04030303020301002d00020101003300260024001d00203c8bfc45cd1327bcb9b9151613655d7294",
    "71335bb1a23be58f22aec7a0c14861",
);

// The same, with `-tls1_2 -status -servername example.com` (TLS 1.2 only, OCSP stapling
// requested).
const OPENSSL_TLS12_CH: &str = concat!(
    "16030100d4010000d003034607ffcc9eca64b607e063640d9069865b74e043a3ba7ab1cbe5178487",
    "fbbad8000038c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac014",
    "0039c009c0130033009d009c003d003c0035002f00ff0100006f00000010000e00000b6578616d70",
    "6c652e636f6d000b000403000102000a000c000a001d0017001e0019001800230000000500050100",
    "0000000016000000170000000d002a0028040305030603080708080809080a080b08040805080604",
    "0105010601030303010302040205020602",
);

/// Splits a record (5-byte record header, type 22) into the handshake message (with its
/// 4-byte header), checking both lengths.
fn record_message(hex_str: &str) -> Vec<u8> {
    let rec = hex::decode(hex_str).unwrap();
    assert_eq!(rec[0], 22, "handshake record");
    assert_eq!(
        usize::from(u16::from_be_bytes([rec[3], rec[4]])),
        rec.len() - 5
    );
    rec[5..].to_vec()
}

/// Splits a handshake message into (type, body), checking the u24 length.
fn split_message(msg: &[u8]) -> (u8, Vec<u8>) {
    let len = u32::from_be_bytes([0, msg[1], msg[2], msg[3]]) as usize;
    assert_eq!(len, msg.len() - 4);
    (msg[0], msg[4..].to_vec())
}

/// Decodes a ClientHello record and checks the re-encoding is byte-exact.
fn client_hello(record: &str) -> ClientHelloPayload {
    let msg = record_message(record);
    let (typ, body) = split_message(&msg);
    assert_eq!(typ, 1);
    let ch = ClientHelloPayload::read_bytes(&body).unwrap();
    assert_eq!(ch.get_encoding(), body);
    let mut with_header = Vec::new();
    ch.encode_with_header(&mut with_header);
    assert_eq!(with_header, msg);
    ch
}

fn server_hello_or_retry(record: &str) -> ServerHelloOrRetry {
    let (typ, body) = split_message(&record_message(record));
    assert_eq!(typ, 2);
    let sh = ServerHelloOrRetry::read_bytes(&body).unwrap();
    assert_eq!(sh.get_encoding(), body);
    sh
}

fn server_hello(record: &str) -> ServerHelloPayload {
    match server_hello_or_retry(record) {
        ServerHelloOrRetry::ServerHello(sh) => sh,
        other => panic!("{other:?}"),
    }
}

fn encrypted_extensions(message: &str) -> EncryptedExtensions {
    let (typ, body) = split_message(&hex::decode(message).unwrap());
    assert_eq!(typ, 8);
    let ee = EncryptedExtensions::read_bytes(&body).unwrap();
    assert_eq!(ee.get_encoding(), body);
    ee
}

const ALL_CLIENT_HELLOS: &[&str] = &[
    SIMPLE_CH1,
    RESUMED_CH1,
    HRR_CH1,
    HRR_CH2,
    CLIENT_AUTH_CH1,
    MIDDLEBOX_CH1,
    EXTERNAL_PSK_CH1,
    RAW_PUBLIC_KEY_CH1,
];

#[test]
fn rfc8448_client_hellos_round_trip() {
    for record in ALL_CLIENT_HELLOS {
        let ch = client_hello(record);
        assert_eq!(ch.legacy_version, ProtocolVersion::TLSv1_2);
        assert_eq!(ch.sni_hostname().unwrap().0, b"server");
        assert_eq!(
            ch.supported_versions(),
            Some(&[ProtocolVersion::TLSv1_3][..])
        );
        assert_eq!(ch.psk_modes(), Some(&[PSKKeyExchangeMode::PSK_DHE_KE][..]));
        assert_eq!(ch.record_size_limit(), Some(RecordSizeLimit(0x4001)));
        assert_eq!(
            ch.cipher_suites,
            [
                CipherSuite::TLS13_AES_128_GCM_SHA256,
                CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS13_AES_256_GCM_SHA384
            ]
        );
        assert_eq!(ch.compression_methods, [Compression::Null]);
        assert_eq!(ch.key_shares().unwrap().len(), 1);
    }
}

#[test]
fn rfc8448_simple_client_hello_fields() {
    let ch = client_hello(SIMPLE_CH1);
    assert!(ch.session_id.is_empty());
    assert_eq!(ch.renegotiation_info(), Some(&[][..]));
    assert_eq!(ch.session_ticket(), Some(&[][..]));
    assert_eq!(ch.named_groups().unwrap().len(), 9);
    assert_eq!(ch.signature_algorithms().unwrap().len(), 15);
    let share = &ch.key_shares().unwrap()[0];
    assert_eq!(share.group, NamedGroup::X25519);
    assert_eq!(share.key_exchange[..4], [0x99, 0x38, 0x1d, 0xe5]);
    assert!(ch.psk_offer().is_none());
    assert!(!ch.early_data_requested());
    assert_eq!(ch.encoding_for_binder_signing(), None);
}

#[test]
fn rfc8448_resumed_client_hello_and_binder_transcript() {
    let ch = client_hello(RESUMED_CH1);
    assert!(ch.early_data_requested());
    assert_eq!(
        ch.extensions().last().unwrap().ext_type(),
        ExtensionType::PreSharedKey
    );
    let psk = ch.psk_offer().unwrap();
    assert_eq!(psk.identities.len(), 1);
    assert_eq!(psk.identities[0].identity.len(), 0xb2);
    assert_eq!(psk.identities[0].obfuscated_ticket_age, 0xfad6_aacb);
    assert_eq!(ch.psk_binders().unwrap()[0].0.len(), 32);
    assert!(matches!(
        ch.find_extension(ExtensionType::Padding),
        Some(ClientExtension::Padding(p)) if *p == Padding::zeros(0x57)
    ));
    // RFC 8448 s4: the binder is computed over the ClientHello up to the identities,
    // header included: everything but the last 2 + 1 + 32 bytes of the message.
    let msg = record_message(RESUMED_CH1);
    let prefix = ch.encoding_for_binder_signing().unwrap();
    assert_eq!(prefix, msg[..msg.len() - 35]);
    assert_eq!(prefix[..4], [1, 0, 1, 0xfc], "full length in the header");
}

#[test]
fn rfc8448_external_psk_client_hello() {
    let ch = client_hello(EXTERNAL_PSK_CH1);
    let psk = ch.psk_offer().unwrap();
    assert_eq!(psk.identities[0].identity, b"rfc8448");
    assert_eq!(psk.identities[0].obfuscated_ticket_age, 0);
    let msg = record_message(EXTERNAL_PSK_CH1);
    assert_eq!(
        ch.encoding_for_binder_signing().unwrap(),
        msg[..msg.len() - 35]
    );
}

/// HKDF-Expand-Label for one SHA-256 block (RFC 8446 s7.1), with ring's HMAC.
fn expand_label(secret: &[u8], label: &str, context: &[u8]) -> Vec<u8> {
    let full = format!("tls13 {label}");
    let mut info = vec![0, 32, full.len() as u8];
    info.extend_from_slice(full.as_bytes());
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    info.push(1);
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    ring::hmac::sign(&key, &info).as_ref().to_vec()
}

/// End to end: the binder in the external-PSK ClientHello is the HMAC over exactly the
/// bytes `encoding_for_binder_signing` returns (RFC 8446 s4.2.11.2, s7.1), with the
/// vector's `PskSecret`.
#[test]
fn rfc8448_external_psk_binder_verifies() {
    let psk =
        hex::decode("0160f2f1276a5c249f76f885aa06afeffb1efc680f81d198955b6206613d9d2e").unwrap();
    let salt = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[0; 32]);
    let early_secret = ring::hmac::sign(&salt, &psk);
    let empty_hash = ring::digest::digest(&ring::digest::SHA256, b"");
    let binder_key = expand_label(early_secret.as_ref(), "ext binder", empty_hash.as_ref());
    let finished_key = expand_label(&binder_key, "finished", b"");
    let ch = client_hello(EXTERNAL_PSK_CH1);
    let transcript = ring::digest::digest(
        &ring::digest::SHA256,
        &ch.encoding_for_binder_signing().unwrap(),
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &finished_key);
    let binder = ring::hmac::sign(&key, transcript.as_ref());
    assert_eq!(ch.psk_binders().unwrap()[0].0, binder.as_ref());
}

#[test]
fn rfc8448_hello_retry_request_flow() {
    let ch1 = client_hello(HRR_CH1);
    assert_eq!(
        ch1.named_groups(),
        Some(
            &[
                NamedGroup::X25519,
                NamedGroup::secp256r1,
                NamedGroup::secp384r1
            ][..]
        )
    );
    let ServerHelloOrRetry::HelloRetryRequest(hrr) = server_hello_or_retry(HRR_HRR) else {
        panic!("not an HRR")
    };
    assert_eq!(hrr.legacy_version, ProtocolVersion::TLSv1_2);
    assert_eq!(hrr.cipher_suite, CipherSuite::TLS13_AES_128_GCM_SHA256);
    assert_eq!(hrr.requested_key_share_group(), Some(NamedGroup::secp256r1));
    assert_eq!(hrr.supported_version(), Some(ProtocolVersion::TLSv1_3));
    let cookie = hrr.cookie().unwrap();
    assert_eq!(cookie.0.len(), 0x72);
    let (_, body) = split_message(&record_message(HRR_HRR));
    assert_eq!(HelloRetryRequest::read_bytes(&body).unwrap(), hrr);
    assert_eq!(
        ServerHelloPayload::read_bytes(&body),
        Err(IllegalValue(
            "ServerHello random is the HelloRetryRequest value"
        ))
    );

    let ch2 = client_hello(HRR_CH2);
    assert_eq!(ch2.cookie(), Some(cookie));
    assert_eq!(ch2.random, ch1.random);
    let shares = ch2.key_shares().unwrap();
    assert_eq!(shares[0].group, NamedGroup::secp256r1);
    assert_eq!(shares[0].key_exchange.len(), 65);
    assert!(matches!(
        ch2.find_extension(ExtensionType::Padding),
        Some(ClientExtension::Padding(p)) if p.len() == 0xaf
    ));
    let sh = server_hello(HRR_SH);
    assert_eq!(sh.key_share().unwrap().group, NamedGroup::secp256r1);
}

#[test]
fn rfc8448_server_hellos() {
    for (record, psk) in [
        (SIMPLE_SH, None),
        (RESUMED_SH, Some(0)),
        (HRR_SH, None),
        (CLIENT_AUTH_SH, None),
        (MIDDLEBOX_SH, None),
        (EXTERNAL_PSK_SH, Some(0)),
        (RAW_PUBLIC_KEY_SH, None),
    ] {
        let sh = server_hello(record);
        assert_eq!(sh.legacy_version, ProtocolVersion::TLSv1_2);
        assert_eq!(sh.cipher_suite, CipherSuite::TLS13_AES_128_GCM_SHA256);
        assert_eq!(sh.compression_method, Compression::Null);
        assert_eq!(sh.supported_version(), Some(ProtocolVersion::TLSv1_3));
        assert!(sh.key_share().is_some());
        assert_eq!(sh.selected_psk_identity(), psk);
        assert_ne!(sh.random, HELLO_RETRY_REQUEST_RANDOM);
    }
    let sh = server_hello(SIMPLE_SH);
    assert_eq!(sh.key_share().unwrap().group, NamedGroup::X25519);
    assert_eq!(sh.key_share().unwrap().key_exchange[..2], [0xc9, 0x82]);
    // Middlebox compatibility mode echoes the client's 32-byte session id.
    let sh = server_hello(MIDDLEBOX_SH);
    assert_eq!(sh.session_id, client_hello(MIDDLEBOX_CH1).session_id);
    assert_eq!(sh.session_id.as_bytes().len(), 32);
}

#[test]
fn rfc8448_encrypted_extensions() {
    for message in [SIMPLE_EE, CLIENT_AUTH_EE, MIDDLEBOX_EE] {
        let ee = encrypted_extensions(message);
        assert!(ee.server_name_acked());
        assert_eq!(ee.record_size_limit(), Some(RecordSizeLimit(0x4001)));
        assert_eq!(ee.supported_groups().unwrap().len(), 9);
        assert!(!ee.early_data_accepted());
    }
    let ee = encrypted_extensions(RESUMED_EE);
    assert!(ee.early_data_accepted());
    assert!(!ee.server_name_acked());
    for message in [HRR_EE, EXTERNAL_PSK_EE] {
        let ee = encrypted_extensions(message);
        assert_eq!(ee.supported_groups().unwrap().len(), 3);
        assert!(ee.alpn_protocol().is_none());
    }
    // Raw public keys: client_certificate_type (19) and server_certificate_type (20) are
    // not modelled and are kept opaque.
    let ee = encrypted_extensions(RAW_PUBLIC_KEY_EE);
    assert_eq!(
        ee.extensions[0],
        ServerExtension::Unknown(UnknownExtension {
            typ: ExtensionType::ClientCertificateType,
            payload: Payload(vec![2]),
        })
    );
    let ch = client_hello(RAW_PUBLIC_KEY_CH1);
    assert!(matches!(
        ch.find_extension(ExtensionType::ServerCertificateType),
        Some(ClientExtension::Unknown(u)) if u.payload.0 == [1, 2]
    ));
}

#[test]
fn openssl_client_hellos() {
    let ch = client_hello(OPENSSL_CH);
    assert_eq!(ch.sni_hostname().unwrap().0, b"example.com");
    assert_eq!(
        ch.alpn_protocols().unwrap(),
        [
            ProtocolName(b"h2".to_vec()),
            ProtocolName(b"http/1.1".to_vec())
        ]
    );
    assert_eq!(ch.session_id.as_bytes().len(), 32);
    assert!(ch.extended_master_secret_offered());
    assert!(ch.encrypt_then_mac_offered());
    assert_eq!(ch.session_ticket(), Some(&[][..]));
    assert_eq!(
        ch.supported_versions().unwrap(),
        [
            ProtocolVersion::TLSv1_3,
            ProtocolVersion::TLSv1_2,
            ProtocolVersion::TLSv1_1,
            ProtocolVersion::TLSv1_0
        ]
    );
    assert_eq!(ch.key_shares().unwrap()[0].group, NamedGroup::X25519);
    assert!(ch
        .cipher_suites
        .contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));

    let ch = client_hello(OPENSSL_TLS12_CH);
    assert!(ch.supported_versions().is_none());
    assert_eq!(ch.status_request(), Some(&CertificateStatusRequest::ocsp()));
    assert_eq!(
        ch.ec_point_formats().unwrap(),
        [
            ECPointFormat::Uncompressed,
            ECPointFormat::ANSIX962CompressedPrime,
            ECPointFormat::ANSIX962CompressedChar2
        ]
    );
}

/// A minimal TLS 1.2 ClientHello body without extensions.
fn bare_client_hello() -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend_from_slice(&[7; 32]);
    b.extend_from_slice(&[0, 0, 2, 0, 0x2f, 1, 0]);
    b
}

#[test]
fn client_hello_extensions_absent_or_empty() {
    let bare = bare_client_hello();
    let ch = ClientHelloPayload::read_bytes(&bare).unwrap();
    assert_eq!(ch.extensions, None);
    assert_eq!(ch.get_encoding(), bare);
    assert!(ch.extensions().is_empty());
    assert_eq!(
        ch.cipher_suites,
        [CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA]
    );

    let mut empty = bare.clone();
    empty.extend_from_slice(&[0, 0]);
    let ch = ClientHelloPayload::read_bytes(&empty).unwrap();
    assert_eq!(ch.extensions, Some(vec![]));
    assert_eq!(ch.get_encoding(), empty);

    let mut one = bare.clone();
    one.extend_from_slice(&[0]);
    assert_eq!(
        ClientHelloPayload::read_bytes(&one),
        Err(MissingData("ClientHello.extensions"))
    );
    let mut trailing = empty.clone();
    trailing.push(0);
    assert_eq!(
        ClientHelloPayload::read_bytes(&trailing),
        Err(TrailingData("ClientHello"))
    );
}

#[test]
fn client_hello_vector_rules() {
    let bare = bare_client_hello();
    // bare: version 0..2, random 2..34, session id 34, suites 35..39, compression 39..41.
    let mut no_suites = bare[..35].to_vec();
    no_suites.extend_from_slice(&[0, 0, 1, 0]);
    assert_eq!(
        ClientHelloPayload::read_bytes(&no_suites),
        Err(InvalidEmptyList("cipher_suites"))
    );
    let mut odd = bare[..35].to_vec();
    odd.extend_from_slice(&[0, 3, 0, 0x2f, 0, 1, 0]);
    assert_eq!(
        ClientHelloPayload::read_bytes(&odd),
        Err(MissingData("CipherSuite"))
    );
    let mut no_compression = bare[..39].to_vec();
    no_compression.push(0);
    assert_eq!(
        ClientHelloPayload::read_bytes(&no_compression),
        Err(InvalidEmptyList("compression_methods"))
    );
    let mut long_id = bare[..34].to_vec();
    long_id.push(33);
    long_id.extend_from_slice(&[0; 33]);
    long_id.extend_from_slice(&bare[35..]);
    assert_eq!(
        ClientHelloPayload::read_bytes(&long_id),
        Err(TooLarge("SessionId"))
    );
}

fn psk_extension() -> ClientExtension {
    ClientExtension::PreSharedKey(OfferedPsks {
        identities: vec![crate::msgs::extensions::PskIdentity {
            identity: b"id".to_vec(),
            obfuscated_ticket_age: 5,
        }],
        binders: vec![PskBinderEntry(vec![0; 32])],
    })
}

fn hello_with(extensions: Vec<ClientExtension>) -> ClientHelloPayload {
    let mut ch = ClientHelloPayload::read_bytes(&bare_client_hello()).unwrap();
    ch.extensions = Some(extensions);
    ch
}

#[test]
fn pre_shared_key_must_be_last() {
    let bad = hello_with(vec![psk_extension(), ClientExtension::EarlyData]);
    let err = IllegalValue("pre_shared_key is not the last ClientHello extension");
    assert_eq!(bad.check_psk_placement(), Err(err));
    assert_eq!(
        ClientHelloPayload::read_bytes(&bad.get_encoding()),
        Err(err)
    );
    assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    assert_eq!(bad.encoding_for_binder_signing(), None);
    let good = hello_with(vec![ClientExtension::EarlyData, psk_extension()]);
    assert_eq!(good.check_psk_placement(), Ok(()));
    assert_eq!(
        ClientHelloPayload::read_bytes(&good.get_encoding()).unwrap(),
        good
    );
}

#[test]
fn duplicate_client_hello_extensions() {
    let ch = hello_with(vec![
        ClientExtension::EarlyData,
        ClientExtension::EncryptThenMac,
        ClientExtension::EarlyData,
    ]);
    assert_eq!(
        ClientHelloPayload::read_bytes(&ch.get_encoding()),
        Err(DuplicateExtension(ExtensionType::EarlyData))
    );
}

#[test]
fn set_psk_binders() {
    let mut ch = hello_with(vec![ClientExtension::EarlyData, psk_extension()]);
    let prefix = ch.encoding_for_binder_signing().unwrap();
    ch.set_psk_binders(vec![PskBinderEntry(vec![0xab; 32])])
        .unwrap();
    assert_eq!(ch.encoding_for_binder_signing().unwrap(), prefix);
    let mut full = Vec::new();
    ch.encode_with_header(&mut full);
    let mut expected = prefix.clone();
    expected.extend_from_slice(&[0, 33, 32]);
    expected.extend_from_slice(&[0xab; 32]);
    assert_eq!(full, expected);

    assert_eq!(
        ch.set_psk_binders(vec![]),
        Err(Error::ApiMisuse(
            "set_psk_binders: one binder per identity is needed"
        ))
    );
    assert_eq!(
        ch.set_psk_binders(vec![PskBinderEntry(vec![0; 31])]),
        Err(Error::ApiMisuse(
            "set_psk_binders: a binder must be 32..=255 bytes"
        ))
    );
    let mut no_psk = hello_with(vec![]);
    assert!(no_psk
        .set_psk_binders(vec![PskBinderEntry(vec![0; 32])])
        .is_err());
}

#[test]
fn hello_retry_request_random_is_sha256_of_its_name() {
    let d = ring::digest::digest(&ring::digest::SHA256, b"HelloRetryRequest");
    assert_eq!(d.as_ref(), HELLO_RETRY_REQUEST_RANDOM.0);
}

/// An HRR body with the given compression byte and extension list bytes.
fn hrr_body(compression: u8, extensions: &[u8]) -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend_from_slice(&HELLO_RETRY_REQUEST_RANDOM.0);
    b.extend_from_slice(&[0, 0x13, 0x01, compression]);
    b.extend_from_slice(extensions);
    b
}

#[test]
fn hello_retry_request_rules() {
    let versions = [0, 6, 0, 43, 0, 2, 3, 4];
    let hrr = HelloRetryRequest::read_bytes(&hrr_body(0, &versions)).unwrap();
    assert_eq!(hrr.supported_version(), Some(ProtocolVersion::TLSv1_3));
    assert_eq!(hrr.get_encoding(), hrr_body(0, &versions));
    assert_eq!(
        HelloRetryRequest::read_bytes(&hrr_body(1, &versions)),
        Err(IllegalValue("HelloRetryRequest legacy_compression_method"))
    );
    let missing_ext = MissingExtension(ExtensionType::SupportedVersions);
    let missing = Err(missing_ext);
    assert_eq!(HelloRetryRequest::read_bytes(&hrr_body(0, &[])), missing);
    assert_eq!(
        HelloRetryRequest::read_bytes(&hrr_body(0, &[0, 0])),
        missing
    );
    assert_eq!(
        HelloRetryRequest::read_bytes(&hrr_body(0, &[0, 6, 0, 51, 0, 2, 0, 0x17])),
        missing
    );
    assert_eq!(missing_ext.alert(), AlertDescription::MissingExtension);
    // A normal ServerHello is not an HRR.
    let (_, body) = split_message(&record_message(SIMPLE_SH));
    assert!(HelloRetryRequest::read_bytes(&body).is_err());
}

#[test]
fn tls12_server_hello() {
    let mut b = vec![3, 3];
    b.extend_from_slice(&[9; 32]);
    b.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
    let sh = ServerHelloPayload::read_bytes(&b).unwrap();
    assert_eq!(sh.extensions, None);
    assert_eq!(sh.get_encoding(), b);

    let exts: Vec<u8> = [
        &[0xff, 0x01, 0, 1, 0][..],
        &[0, 23, 0, 0],
        &[0, 22, 0, 0],
        &[0, 11, 0, 2, 1, 0],
        &[0, 35, 0, 0],
        &[0, 5, 0, 0],
        &[0, 16, 0, 5, 0, 3, 2, b'h', b'2'],
    ]
    .concat();
    b.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    b.extend_from_slice(&exts);
    let sh = ServerHelloPayload::read_bytes(&b).unwrap();
    assert_eq!(sh.get_encoding(), b);
    assert_eq!(sh.renegotiation_info(), Some(&[][..]));
    assert!(sh.extended_master_secret_acked());
    assert!(sh.encrypt_then_mac_acked());
    assert!(sh.session_ticket_acked());
    assert!(sh.status_request_acked());
    assert_eq!(
        sh.ec_point_formats(),
        Some(&[ECPointFormat::Uncompressed][..])
    );
    assert_eq!(sh.alpn_protocol(), Some(&ProtocolName(b"h2".to_vec())));
    assert_eq!(sh.supported_version(), None);
}

// ------------------------------------------------------------------ property tests

fn client_hello_payload() -> impl Strategy<Value = ClientHelloPayload> {
    (
        wire16(ProtocolVersion::ALL),
        any::<[u8; 32]>(),
        bytes(0, 32),
        vec(wire16(CipherSuite::ALL), 1..10),
        vec(wire8(Compression::ALL), 1..3),
        option::of(client_extensions()),
    )
        .prop_map(|(v, random, sid, suites, comp, exts)| ClientHelloPayload {
            legacy_version: v,
            random: Random(random),
            session_id: SessionId::new(&sid).unwrap(),
            cipher_suites: suites,
            compression_methods: comp,
            extensions: exts,
        })
}

fn server_hello_payload() -> impl Strategy<Value = ServerHelloPayload> {
    (
        wire16(ProtocolVersion::ALL),
        any::<[u8; 32]>().prop_filter("HRR random", |r| *r != HELLO_RETRY_REQUEST_RANDOM.0),
        bytes(0, 32),
        wire16(CipherSuite::ALL),
        wire8(Compression::ALL),
        option::of(server_extensions()),
    )
        .prop_map(|(v, random, sid, suite, comp, exts)| ServerHelloPayload {
            legacy_version: v,
            random: Random(random),
            session_id: SessionId::new(&sid).unwrap(),
            cipher_suite: suite,
            compression_method: comp,
            extensions: exts,
        })
}

fn hello_retry_request() -> impl Strategy<Value = HelloRetryRequest> {
    (
        wire16(ProtocolVersion::ALL),
        bytes(0, 32),
        wire16(CipherSuite::ALL),
        hello_retry_extensions(),
    )
        .prop_map(|(v, sid, suite, exts)| HelloRetryRequest {
            legacy_version: v,
            session_id: SessionId::new(&sid).unwrap(),
            cipher_suite: suite,
            extensions: exts,
        })
}

/// The length of a hello's encoding without its extensions block.
fn fixed_part_len(enc_len: usize, exts: Option<Vec<u8>>) -> usize {
    enc_len - exts.map_or(0, |e| e.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn client_hello_round_trips(ch in client_hello_payload()) {
        let enc = ch.get_encoding();
        let back = ClientHelloPayload::read_bytes(&enc).unwrap();
        prop_assert_eq!(&back, &ch);
        prop_assert_eq!(back.get_encoding(), enc.clone());
        // Every truncation fails, except cutting exactly the extensions block off, which
        // is a valid hello without extensions.
        let exts = ch.extensions.as_ref().map(|e| {
            let mut out = Vec::new();
            encode_hello_extensions(e, &mut out);
            out
        });
        let boundary = fixed_part_len(enc.len(), exts);
        for n in 0..enc.len() {
            match ClientHelloPayload::read_bytes(&enc[..n]) {
                Ok(short) => {
                    prop_assert_eq!(n, boundary);
                    prop_assert_eq!(short.extensions, None);
                }
                Err(_) => prop_assert_ne!(n, boundary),
            }
        }
    }

    #[test]
    fn server_hello_round_trips(sh in server_hello_payload()) {
        let enc = sh.get_encoding();
        let back = ServerHelloOrRetry::read_bytes(&enc).unwrap();
        prop_assert_eq!(&back, &ServerHelloOrRetry::ServerHello(sh.clone()));
        prop_assert_eq!(back.get_encoding(), enc.clone());
        prop_assert_eq!(ServerHelloPayload::read_bytes(&enc).unwrap(), sh.clone());
        let exts = sh.extensions.as_ref().map(|e| {
            let mut out = Vec::new();
            encode_hello_extensions(e, &mut out);
            out
        });
        let boundary = fixed_part_len(enc.len(), exts);
        for n in 0..enc.len() {
            match ServerHelloOrRetry::read_bytes(&enc[..n]) {
                Ok(ServerHelloOrRetry::ServerHello(short)) => {
                    prop_assert_eq!(n, boundary);
                    prop_assert_eq!(short.extensions, None);
                }
                Ok(other) => prop_assert!(false, "{:?}", other),
                Err(_) => prop_assert_ne!(n, boundary),
            }
        }
    }

    #[test]
    fn hello_retry_request_round_trips(hrr in hello_retry_request()) {
        let enc = hrr.get_encoding();
        let back = ServerHelloOrRetry::read_bytes(&enc).unwrap();
        prop_assert_eq!(&back, &ServerHelloOrRetry::HelloRetryRequest(hrr.clone()));
        prop_assert_eq!(back.get_encoding(), enc.clone());
        for n in 0..enc.len() {
            prop_assert!(ServerHelloOrRetry::read_bytes(&enc[..n]).is_err());
        }
    }

    #[test]
    fn encrypted_extensions_round_trip(exts in server_extensions()) {
        let ee = EncryptedExtensions { extensions: exts };
        let enc = ee.get_encoding();
        let back = EncryptedExtensions::read_bytes(&enc).unwrap();
        prop_assert_eq!(&back, &ee);
        prop_assert_eq!(back.get_encoding(), enc.clone());
        for n in 0..enc.len() {
            prop_assert!(EncryptedExtensions::read_bytes(&enc[..n]).is_err());
        }
    }

    #[test]
    fn binder_transcript_excludes_exactly_the_binders(
        ch in client_hello_payload(),
        psks in offered_psks(),
        fill in any::<u8>(),
    ) {
        let mut ch = ch;
        let mut exts = ch.extensions.take().unwrap_or_default();
        exts.retain(|e| e.ext_type() != ExtensionType::PreSharedKey);
        exts.push(ClientExtension::PreSharedKey(psks.clone()));
        ch.extensions = Some(exts);
        let prefix = ch.encoding_for_binder_signing().unwrap();
        let mut full = Vec::new();
        ch.encode_with_header(&mut full);
        let mut binders = Vec::new();
        psks.binders.encode(&mut binders);
        prop_assert_eq!([prefix.clone(), binders].concat(), full);
        // The binder values do not matter, only their lengths.
        let same_len = psks.binders.iter().map(|b| PskBinderEntry(vec![fill; b.0.len()]));
        ch.set_psk_binders(same_len.collect()).unwrap();
        prop_assert_eq!(ch.encoding_for_binder_signing().unwrap(), prefix);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in bytes(0, 300)) {
        let decoded = [
            ClientHelloPayload::read_bytes(&bytes).map(|v| v.get_encoding()),
            ServerHelloOrRetry::read_bytes(&bytes).map(|v| v.get_encoding()),
            EncryptedExtensions::read_bytes(&bytes).map(|v| v.get_encoding()),
        ];
        for enc in decoded.into_iter().flatten() {
            prop_assert_eq!(enc, bytes.clone());
        }
    }

    #[test]
    fn mutated_hellos_stay_canonical(
        ch in client_hello_payload(),
        sh in server_hello_payload(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
    ) {
        for mut enc in [ch.get_encoding(), sh.get_encoding()] {
            let i = at.index(enc.len());
            enc[i] = byte;
            if let Ok(v) = ClientHelloPayload::read_bytes(&enc) {
                prop_assert_eq!(v.get_encoding(), enc.clone());
            }
            if let Ok(v) = ServerHelloOrRetry::read_bytes(&enc) {
                prop_assert_eq!(v.get_encoding(), enc.clone());
            }
        }
    }

    #[test]
    fn rfc8448_mutations_stay_canonical(
        which in 0..ALL_CLIENT_HELLOS.len(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let (_, mut body) = split_message(&record_message(ALL_CLIENT_HELLOS[which]));
        let i = at.index(body.len());
        body[i] = byte;
        if let Ok(v) = ClientHelloPayload::read_bytes(&body) {
            prop_assert_eq!(v.get_encoding(), body);
        }
    }
}

#[test]
fn supported_versions_getter_reads_the_list() {
    let ch = hello_with(vec![ClientExtension::SupportedVersions(SupportedVersions(
        vec![ProtocolVersion::TLSv1_3],
    ))]);
    assert_eq!(
        ch.supported_versions(),
        Some(&[ProtocolVersion::TLSv1_3][..])
    );
    assert!(ch.has_extension(ExtensionType::SupportedVersions));
    assert!(!ch.has_extension(ExtensionType::Cookie));
}
