//! The transcript hash and the TLS 1.3 key schedule against the RFC 8448 traces.
//!
//! The traces (vectors/rfc8448/transcripts.vec) hold the bytes on the wire. Here the
//! transcript is driven by those bytes, and every secret the schedule derives is checked
//! either against the value RFC 8448 prints or, better, by using it: the derived keys
//! must decrypt the trace's encrypted records and the Finished and binder MACs must equal
//! the ones in the trace.
//!
//! Every byte goes through the engine's own read path: records are cut by the
//! `Deframer`, opened in place by a `RecordOpener` (which owns the sequence number),
//! handshake messages are joined by the `HandshakeJoiner`, and every handshake message of
//! every trace, plaintext or decrypted, is decoded with the codec and must re-encode to
//! exactly the same bytes.
//!
//! The (EC)DHE shared secrets are constants computed with `openssl pkeyutl -derive`
//! (the 1-RTT one is the value RFC 8448 s3 prints); `shared_secrets_follow_from_the_rng_pools`
//! recomputes each one from the private key in the trace's RNG pool and the server's key
//! share, so they are tied to the trace itself.

use ring::aead;
use ring::digest::Digest;
use sanstls::enums::{ContentType, NamedGroup, ProtocolVersion};
use sanstls::internal::codec::{Codec, Reader};
use sanstls::internal::handshake::key_schedule::{
    KeyLogLabel, KeyScheduleEarly, KeyScheduleHandshake, KeyScheduleTraffic, PskKind, TrafficKeys,
    TrafficSecret,
};
use sanstls::internal::handshake::transcript::HandshakeHash;
use sanstls::internal::handshake::SuiteHash;
use sanstls::internal::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use sanstls::internal::record::deframer::Deframer;
use sanstls::internal::record::header::{RecordHeader, MAX_CIPHERTEXT_TLS13};
use sanstls::internal::record::joiner::HandshakeJoiner;
use sanstls::internal::record::protect::{AeadAlgorithm, RecordOpener};
use sanstls::Error;
use sanstls_test::rfc8448::{self, Section};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// X25519(client private key, server share) of RFC 8448 s3 ("IKM" of "extract secret
/// handshake"); recomputed with openssl from the keys in the trace.
const SIMPLE_SHARED: &str = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
/// X25519 shared secret of the resumed 0-RTT handshake (RFC 8448 s4).
const RESUMED_SHARED: &str = "f44194756ff9ec9d25180635d66ea6824c6ab3bf179977be37f723570e7ccb2e";
/// secp256r1 ECDH shared secret (x coordinate) of the HelloRetryRequest handshake
/// (RFC 8448 s5): client private key = the last 32 bytes of its RNG pool.
const HRR_SHARED: &str = "c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4";

/// Cuts a byte string into whole records with the engine's deframer (header included).
fn records(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut deframer = Deframer::new();
    // Protected records may be up to 2^14+256 bytes.
    deframer.set_max_payload_len(MAX_CIPHERTEXT_TLS13).unwrap();
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = deframer.read(rest);
        assert!(n > 0, "deframer made no progress");
        rest = &rest[n..];
        while let Some(r) = deframer.pop_record().expect("trace record refused") {
            let mut record = r.header.to_bytes().to_vec();
            record.extend_from_slice(r.payload);
            out.push(record);
        }
    }
    assert!(deframer.is_empty(), "truncated record");
    out
}

/// The fragment of a single plaintext handshake record.
fn plaintext_handshake(record: &[u8]) -> Vec<u8> {
    let recs = records(record);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0][0], 22, "not a handshake record");
    // Decoded and re-encoded like every other message.
    handshake_messages(&recs[0][5..]);
    recs[0][5..].to_vec()
}

/// Splits handshake bytes into messages (4-byte header included) with the engine's
/// joiner, and checks that the codec decodes each one and re-encodes it byte for byte.
fn handshake_messages(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut joiner = HandshakeJoiner::new();
    joiner.push(bytes).expect("joiner refused trace bytes");
    let mut out = Vec::new();
    while let Some(m) = joiner.pop() {
        out.push(m.encoded.to_vec());
    }
    assert!(joiner.is_empty(), "truncated handshake message");
    for m in &out {
        assert_reencodes(m);
    }
    out
}

/// Decodes one handshake message as TLS 1.3 and checks the re-encoding is exact.
fn assert_reencodes(message: &[u8]) -> HandshakeMessagePayload {
    let decoded = HandshakeMessagePayload::read_bytes_version(message, ProtocolVersion::TLSv1_3)
        .unwrap_or_else(|e| {
            panic!(
                "trace message does not decode: {e}: {}",
                hex::encode(message)
            )
        });
    assert!(
        !matches!(decoded.payload, HandshakePayload::Unknown(_)),
        "unexpected handshake type {:?}",
        decoded.typ
    );
    assert_eq!(
        decoded.get_encoding(),
        message,
        "{:?} re-encodes differently",
        decoded.typ
    );
    decoded
}

/// An opener for one direction's traffic secret (the traces all use TLS_AES_128_GCM_SHA256).
fn opener(secret: &TrafficSecret) -> RecordOpener {
    let keys = aes128_keys(secret);
    RecordOpener::tls13(AeadAlgorithm::Aes128Gcm, keys.key(), keys.iv()).unwrap()
}

/// Opens the next TLS 1.3 record of `record`'s direction in place with the engine's
/// record protection (RFC 8446 s5.2), checking it is record number `seq` under this key.
/// Panics if authentication fails, which means the keys derived were wrong.
fn open(o: &mut RecordOpener, seq: u64, record: &[u8]) -> (u8, Vec<u8>) {
    assert_eq!(o.seq(), seq, "records must be opened in order");
    let recs = records(record);
    assert_eq!(recs.len(), 1);
    let mut r = Reader::new(&recs[0]);
    let header = RecordHeader::read(&mut r).unwrap();
    let mut payload = r.rest().to_vec();
    let plain = o
        .open_in_place(&header, &mut payload)
        .expect("record does not decrypt under the derived keys");
    if plain.typ == ContentType::Handshake {
        handshake_messages(plain.payload);
    }
    (plain.typ.to_int(), plain.payload.to_vec())
}

fn aes128_keys(secret: &TrafficSecret) -> TrafficKeys {
    secret.keys(&aead::AES_128_GCM)
}

fn hash(t: &HandshakeHash) -> Digest {
    t.current_hash().unwrap()
}

/// The content a CertificateVerify signs (RFC 8446 s4.4.3): 64 spaces, the context
/// string, a zero byte, then the transcript hash through the Certificate.
fn cert_verify_content(context: &str, transcript_hash: &Digest) -> Vec<u8> {
    [
        &[0x20; 64][..],
        context.as_bytes(),
        &[0],
        transcript_hash.as_ref(),
    ]
    .concat()
}

/// Adds `msgs` to the transcript; just before a CertificateVerify, checks that the signed
/// content the trace records (`<side>_MessageToSign`) embeds the transcript hash.
fn add_checking_cert_verify(t: &mut HandshakeHash, s: &Section, msgs: &[Vec<u8>], client: bool) {
    let (key, context) = if client {
        ("Client_MessageToSign", "TLS 1.3, client CertificateVerify")
    } else {
        ("Server_MessageToSign", "TLS 1.3, server CertificateVerify")
    };
    for m in msgs {
        if m[0] == 15 {
            assert_eq!(
                cert_verify_content(context, &hash(t)),
                s.bytes(key),
                "[{}] {key}",
                s.name
            );
        }
        t.add_message(m);
    }
}

/// The body of a Finished message, checking its header.
fn finished_body(msg: &[u8]) -> &[u8] {
    assert_eq!(msg[..4], [20, 0, 0, 32], "not a 32-byte Finished");
    &msg[4..]
}

/// What the 1-RTT trace leaves for resumption.
struct Resumption {
    traffic: KeyScheduleTraffic,
    ticket_nonce: Vec<u8>,
    ticket: Vec<u8>,
}

/// RFC 8448 s3, driven from the trace bytes. Checks every secret the RFC prints and uses
/// every key on the trace's records.
fn simple_1rtt(s: &Section) -> Resumption {
    let ch = plaintext_handshake(&s.bytes("Record_ClientHello_1")).to_vec();
    let sh = s.bytes("Message_ServerHello");
    assert_eq!(
        plaintext_handshake(&s.bytes("Record_ServerHello")),
        sh.as_slice()
    );
    // ServerHello.cipher_suite sits after type(1) len(3) version(2) random(32) and the
    // empty session id (1): TLS_AES_128_GCM_SHA256.
    assert_eq!(sh[38..41], [0, 0x13, 0x01]);
    let suite_hash = SuiteHash::for_cipher_suite(0x1301.into()).unwrap();
    assert_eq!(suite_hash, SuiteHash::Sha256);

    let mut t = HandshakeHash::new();
    t.add_message(&ch);
    t.start_hash(suite_hash).unwrap();
    t.add_message(&sh);
    assert_eq!(
        hash(&t).as_ref(),
        h("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8")
    );

    let hs = KeyScheduleEarly::new(suite_hash).into_handshake(Some(&h(SIMPLE_SHARED)), &hash(&t));
    let [(l0, chts), (l1, shts)] = hs.keylog_entries();
    assert_eq!(
        (l0, l1),
        (
            KeyLogLabel::ClientHandshakeTrafficSecret,
            KeyLogLabel::ServerHandshakeTrafficSecret
        )
    );
    assert_eq!(
        chts,
        h("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
    );
    assert_eq!(
        shts,
        h("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
    );

    let server_hs_keys = aes128_keys(hs.server_handshake_traffic_secret());
    assert_eq!(server_hs_keys.key(), h("3fce516009c21727d0f2e4e86ee403bc"));
    assert_eq!(
        server_hs_keys.iv(),
        h("5d313eb2671276ee13000b30").as_slice()
    );
    let client_hs_keys = aes128_keys(hs.client_handshake_traffic_secret());
    assert_eq!(client_hs_keys.key(), h("dbfaa693d1762c5b666af5d950258d01"));
    assert_eq!(
        client_hs_keys.iv(),
        h("5bd3c71b836e0b76bb73265f").as_slice()
    );
    let mut client_hs = opener(hs.client_handshake_traffic_secret());

    // The server's encrypted flight decrypts to EncryptedExtensions...Finished.
    let flight = s.bytes("Record_ServerHandshakeMessages");
    let (ct, plain) = open(
        &mut opener(hs.server_handshake_traffic_secret()),
        0,
        &flight,
    );
    assert_eq!(ct, 22);
    let expected: Vec<u8> = [
        s.bytes("Message_EncryptedExtensions"),
        s.bytes("Message_Server_Certificate"),
        s.bytes("Message_Server_CertificateVerify"),
        s.bytes("Message_Server_Finished"),
    ]
    .concat();
    assert_eq!(plain, expected);
    let msgs = handshake_messages(&plain);
    assert_eq!(msgs.len(), 4);
    add_checking_cert_verify(&mut t, s, &msgs[..3], false);

    // Server Finished over ClientHello...CertificateVerify.
    let server_finished = finished_body(&msgs[3]);
    assert_eq!(hs.server_finished_verify_data(&hash(&t)), server_finished);
    hs.verify_server_finished(&hash(&t), server_finished)
        .unwrap();
    let mut bad = server_finished.to_vec();
    bad[31] ^= 1;
    assert_eq!(
        hs.verify_server_finished(&hash(&t), &bad),
        Err(Error::VerifyFailed("server Finished verify_data"))
    );
    assert!(hs
        .verify_server_finished(&hash(&t), &server_finished[..31])
        .is_err());
    t.add_message(&msgs[3]);
    assert_eq!(
        hash(&t).as_ref(),
        h("9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13")
    );

    let pending = hs.into_traffic_pending(&hash(&t));
    let [(a, cats), (b, sats), (c, ems)] = pending.keylog_entries();
    assert_eq!(
        (a, b, c),
        (
            KeyLogLabel::ClientTrafficSecret0,
            KeyLogLabel::ServerTrafficSecret0,
            KeyLogLabel::ExporterSecret
        )
    );
    assert_eq!(
        cats,
        h("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5")
    );
    assert_eq!(
        sats,
        h("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")
    );
    assert_eq!(
        ems,
        h("fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50")
    );

    // The client Finished decrypts under the client handshake keys and verifies.
    let (ct, client_finished) = open(&mut client_hs, 0, &s.bytes("Record_ClientFinished"));
    assert_eq!(ct, 22);
    assert_eq!(
        pending.client_finished_verify_data(&hash(&t)),
        finished_body(&client_finished)
    );
    assert_eq!(
        finished_body(&client_finished),
        h("a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61")
    );
    pending
        .verify_client_finished(&hash(&t), finished_body(&client_finished))
        .unwrap();
    assert_eq!(
        pending.verify_client_finished(&hash(&t), &bad),
        Err(Error::VerifyFailed("client Finished verify_data"))
    );
    t.add_message(&client_finished);
    assert_eq!(
        hash(&t).as_ref(),
        h("209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d")
    );

    let traffic = pending.into_traffic(&hash(&t));
    let client_app = aes128_keys(traffic.client_application_traffic_secret());
    assert_eq!(client_app.key(), h("17422dda596ed5d9acd890e3c63f5051"));
    assert_eq!(client_app.iv(), h("5b78923dee08579033e523d9").as_slice());
    let server_app = aes128_keys(traffic.server_application_traffic_secret());
    assert_eq!(server_app.key(), h("9f02283b6c9c07efc26bb9f2ac92e356"));
    assert_eq!(server_app.iv(), h("cf782b88dd83549aadf1e984").as_slice());
    let mut client_app = opener(traffic.client_application_traffic_secret());
    let mut server_app = opener(traffic.server_application_traffic_secret());

    // Server: NewSessionTicket (seq 0), application data (1), close_notify (2).
    let (ct, nst) = open(&mut server_app, 0, &s.bytes("Record_NewSessionTicket"));
    assert_eq!(ct, 22);
    let (ct, data) = open(&mut server_app, 1, &s.bytes("Record_Server_AppData"));
    assert_eq!((ct, data), (23, s.bytes("Server_AppData")));
    let (ct, alert) = open(&mut server_app, 2, &s.bytes("Record_Server_CloseNotify"));
    assert_eq!((ct, alert), (21, vec![1, 0]));
    // Client: application data (0), close_notify (1).
    let (ct, data) = open(&mut client_app, 0, &s.bytes("Record_Client_AppData"));
    assert_eq!((ct, data), (23, s.bytes("Client_AppData")));
    let (ct, alert) = open(&mut client_app, 1, &s.bytes("Record_Client_CloseNotify"));
    assert_eq!((ct, alert), (21, vec![1, 0]));

    // NewSessionTicket: type, len(3), lifetime(4), age_add(4), nonce<0..255>, ticket<1..2^16-1>.
    assert_eq!(nst[0], 4);
    let nonce_len = nst[12] as usize;
    let ticket_nonce = nst[13..13 + nonce_len].to_vec();
    let at = 13 + nonce_len;
    let ticket_len = u16::from_be_bytes([nst[at], nst[at + 1]]) as usize;
    let ticket = nst[at + 2..at + 2 + ticket_len].to_vec();
    assert_eq!(ticket, s.bytes("SessionTicket"));
    Resumption {
        traffic,
        ticket_nonce,
        ticket,
    }
}

#[test]
fn vector_file_parses() {
    let sections = rfc8448::sections();
    let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Simple_1RTT_Handshake",
            "Resumed_0RTT_Handshake",
            "HelloRetryRequest_Handshake",
            "Client_Authentication_Handshake",
            "Middlebox_Compatibility_Mode",
            "Externally_Provided_PSK_with_Ephemeral_Key",
            "RawPublicKey_With_Client_Authentication",
        ]
    );
    for s in &sections {
        assert!(s.get("Record_ClientHello_1").is_some(), "[{}]", s.name);
        assert!(s.get("Message_Server_Finished").is_some(), "[{}]", s.name);
    }
    // The parser is strict about what it does not understand.
    assert!(rfc8448::parse("A = 00\n").is_err());
    assert!(rfc8448::parse("[S]\nA = 00\nA = 01\n").is_err());
    assert!(rfc8448::parse("[S]\n[S]\n").is_err());
    assert!(rfc8448::parse("[S]\njunk\n").is_err());
    assert!(rfc8448::parse("[S\n").is_err());
    let parsed = rfc8448::parse("# c\n\n[S]\nA =  0aFF \nB = 01 02\n").unwrap();
    assert_eq!(parsed[0].get("A"), Some(vec![0x0a, 0xff]));
    assert_eq!(parsed[0].get("B"), Some(vec![1, 2]));
    assert_eq!(parsed[0].get("C"), None);
}

#[test]
fn simple_1rtt_handshake() {
    let s = rfc8448::section("Simple_1RTT_Handshake");
    let r = simple_1rtt(&s);
    // RFC 8448 s3 "generate resumption secret": the PSK for ticket nonce 00 00.
    assert_eq!(r.ticket_nonce, [0, 0]);
    assert_eq!(
        *r.traffic.resumption_psk(&r.ticket_nonce).unwrap(),
        h("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3")
    );
}

#[test]
fn resumed_0rtt_handshake() {
    let first = simple_1rtt(&rfc8448::section("Simple_1RTT_Handshake"));
    let psk = first.traffic.resumption_psk(&first.ticket_nonce).unwrap();
    let s = rfc8448::section("Resumed_0RTT_Handshake");
    assert_eq!(s.bytes("SessionTicket"), first.ticket);

    let ch = plaintext_handshake(&s.bytes("Record_ClientHello_1")).to_vec();
    // pre_shared_key is the last extension; its binders list is the last 35 bytes:
    // binders length (2) = 33, binder length (1) = 32, binder (32).
    let (truncated, binders) = ch.split_at(ch.len() - 35);
    assert_eq!(binders[..3], [0x00, 0x21, 0x20]);
    let binder = &binders[3..];

    let early = KeyScheduleEarly::with_psk(SuiteHash::Sha256, &psk, PskKind::Resumption);
    let mut t = HandshakeHash::new();
    let binder_hash = t.hash_with(SuiteHash::Sha256, truncated).unwrap();
    assert_eq!(
        binder_hash.as_ref(),
        h("63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14")
    );
    assert_eq!(early.binder(&binder_hash).unwrap(), binder);
    early.verify_binder(&binder_hash, binder).unwrap();
    let mut bad = binder.to_vec();
    bad[0] ^= 0x80;
    assert_eq!(
        early.verify_binder(&binder_hash, &bad),
        Err(Error::VerifyFailed("PSK binder"))
    );
    // The same PSK as an external one has another binder key, so the binder fails.
    let as_external = KeyScheduleEarly::with_psk(SuiteHash::Sha256, &psk, PskKind::External);
    assert!(as_external.verify_binder(&binder_hash, binder).is_err());

    // 0-RTT data under client_early_traffic_secret = Derive-Secret(., "c e traffic", CH).
    t.add_message(&ch);
    t.start_hash(SuiteHash::Sha256).unwrap();
    let mut early_data = opener(&early.client_early_traffic_secret(&hash(&t)));
    let (ct, data) = open(&mut early_data, 0, &s.bytes("Record_Client_EarlyAppData"));
    assert_eq!((ct, data), (23, s.bytes("Client_EarlyAppData")));

    let sh = s.bytes("Message_ServerHello");
    t.add_message(&sh);
    let hs: KeyScheduleHandshake = early.into_handshake(Some(&h(RESUMED_SHARED)), &hash(&t));
    let (ct, plain) = open(
        &mut opener(hs.server_handshake_traffic_secret()),
        0,
        &s.bytes("Record_ServerHandshakeMessages"),
    );
    assert_eq!(ct, 22);
    let msgs = handshake_messages(&plain);
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0], s.bytes("Message_EncryptedExtensions"));

    // Trace quirk (see vectors/rfc8448/README.md): Botan's server flight omits the empty
    // server_name acknowledgement that RFC 8448 s4's EncryptedExtensions carries, and its
    // Finished is computed over that shorter transcript, while `Message_Server_Finished`
    // and the client's Finished are the RFC's, computed over the RFC's EncryptedExtensions.
    // Both transcripts are checked.
    let mut botan = t.clone();
    botan.add_message(&msgs[0]);
    hs.verify_server_finished(&hash(&botan), finished_body(&msgs[1]))
        .unwrap();
    let server_finished = s.bytes("Message_Server_Finished");
    assert_ne!(msgs[1], server_finished);
    let rfc_ee = h(
        "080000280026000a00140012001d00170018001901000101010201030104\
                    001c0002400100000000002a0000",
    );
    t.add_message(&rfc_ee);
    assert_eq!(
        hs.server_finished_verify_data(&hash(&t)),
        finished_body(&server_finished)
    );
    t.add_message(&server_finished);
    let mut client_hs = opener(hs.client_handshake_traffic_secret());
    let pending = hs.into_traffic_pending(&hash(&t));

    // The client's flight is two records: EndOfEarlyData under the early keys (seq 1),
    // then Finished under the client handshake keys (seq 0).
    let flight = s.bytes("Record_ClientFinished");
    let recs = records(&flight);
    assert_eq!(recs.len(), 2);
    let (ct, eoed) = open(&mut early_data, 1, &recs[0]);
    assert_eq!((ct, eoed.as_slice()), (22, &[5u8, 0, 0, 0][..]));
    t.add_message(&eoed);
    let (ct, fin) = open(&mut client_hs, 0, &recs[1]);
    assert_eq!(ct, 22);
    assert_eq!(
        pending.client_finished_verify_data(&hash(&t)),
        finished_body(&fin)
    );
    pending
        .verify_client_finished(&hash(&t), finished_body(&fin))
        .unwrap();
    t.add_message(&fin);

    let traffic = pending.into_traffic(&hash(&t));
    let (ct, data) = open(
        &mut opener(traffic.client_application_traffic_secret()),
        0,
        &s.bytes("Record_Client_AppData"),
    );
    assert_eq!((ct, data), (23, s.bytes("Client_AppData")));
    let (ct, data) = open(
        &mut opener(traffic.server_application_traffic_secret()),
        0,
        &s.bytes("Record_Server_AppData"),
    );
    assert_eq!((ct, data), (23, s.bytes("Server_AppData")));
}

#[test]
fn hello_retry_request_handshake() {
    let s = rfc8448::section("HelloRetryRequest_Handshake");
    let ch1 = plaintext_handshake(&s.bytes("Record_ClientHello_1")).to_vec();
    let hrr = plaintext_handshake(&s.bytes("Record_HelloRetryRequest")).to_vec();
    let ch2 = plaintext_handshake(&s.bytes("Record_ClientHello_2")).to_vec();
    let sh = s.bytes("Message_ServerHello");

    let mut t = HandshakeHash::new();
    t.add_message(&ch1);
    // The HelloRetryRequest names the suite: start hashing, then replace ClientHello1.
    t.start_hash(SuiteHash::Sha256).unwrap();
    t.rollup_for_hrr().unwrap();
    for m in [&hrr, &ch2, &sh] {
        t.add_message(m);
    }
    let hs =
        KeyScheduleEarly::new(SuiteHash::Sha256).into_handshake(Some(&h(HRR_SHARED)), &hash(&t));
    let (ct, plain) = open(
        &mut opener(hs.server_handshake_traffic_secret()),
        0,
        &s.bytes("Record_ServerHandshakeMessages"),
    );
    assert_eq!(ct, 22);
    let msgs = handshake_messages(&plain);
    let (fin, before) = msgs.split_last().unwrap();
    add_checking_cert_verify(&mut t, &s, before, false);
    assert_eq!(*fin, s.bytes("Message_Server_Finished"));
    hs.verify_server_finished(&hash(&t), finished_body(fin))
        .unwrap();

    // Without the rewrite the transcript (and so the Finished) differs.
    let mut plain_t = HandshakeHash::new();
    plain_t.start_hash(SuiteHash::Sha256).unwrap();
    for m in [&ch1[..], &hrr, &ch2, &sh]
        .into_iter()
        .chain(before.iter().map(Vec::as_slice))
    {
        plain_t.add_message(m);
    }
    assert!(hs
        .verify_server_finished(&hash(&plain_t), finished_body(fin))
        .is_err());
}

/// The (EC)DHE shared secrets of the other sections (X25519, computed with openssl from
/// the client key in the RNG pool and the server's key share).
const CLIENT_AUTH_SHARED: &str = "7dc114f6475dfa7977be736ef7cbebc48c70329e8e9a74b4d7033c43f9597d4f";
const COMPAT_SHARED: &str = "eef790559077db5bb63b6684e4169f051e8fb34ce59bafce2f9c8ee68cc4eb79";
const EXTERNAL_PSK_SHARED: &str =
    "e2f5bed6e082d738a243efcda6c1105169d1c73eb5c068c3bd9e4c48cdf95f1e";
const RAW_PUBLIC_KEY_SHARED: &str =
    "eedefeb0805617e93aa39f475e2cfa72f70ac35c4ab4e45a41ebccec78b90c20";

/// Decrypts every protected record of `flight` in order from sequence number 0, skipping
/// middlebox-compatibility ChangeCipherSpec records, and returns the handshake bytes.
fn open_handshake_flight(o: &mut RecordOpener, flight: &[u8]) -> Vec<u8> {
    let mut seq = 0;
    let mut out = Vec::new();
    for record in records(flight) {
        if record[0] == 20 {
            assert_eq!(&record[5..], [1], "ChangeCipherSpec body");
            continue;
        }
        let (ct, plain) = open(o, seq, &record);
        assert_eq!(ct, 22);
        out.extend_from_slice(&plain);
        seq += 1;
    }
    out
}

/// A full (non-resumed) handshake from its trace section: ClientHello, ServerHello, the
/// server's encrypted flight with its Finished, the client's flight (client certificate
/// and CertificateVerify when asked) with its Finished, then the application keys on the
/// close_notify records.
fn full_handshake(s: &Section, early: KeyScheduleEarly, shared: &str) {
    let ch = plaintext_handshake(&records(&s.bytes("Record_ClientHello_1"))[0]);
    let sh = s.bytes("Message_ServerHello");
    assert_eq!(
        plaintext_handshake(&records(&s.bytes("Record_ServerHello"))[0]),
        sh.as_slice()
    );
    let mut t = HandshakeHash::new();
    t.add_message(&ch);
    t.start_hash(SuiteHash::Sha256).unwrap();
    t.add_message(&sh);
    let hs = early.into_handshake(Some(&h(shared)), &hash(&t));

    let mut server_hs = opener(hs.server_handshake_traffic_secret());
    let server_flight =
        open_handshake_flight(&mut server_hs, &s.bytes("Record_ServerHandshakeMessages"));
    let msgs = handshake_messages(&server_flight);
    let (fin, before) = msgs.split_last().unwrap();
    assert_eq!(before[0], s.bytes("Message_EncryptedExtensions"));
    for key in [
        "Message_CertificateRequest",
        "Message_Server_Certificate",
        "Message_Server_CertificateVerify",
    ] {
        if let Some(m) = s.get(key) {
            assert!(before.contains(&m), "[{}] {key}", s.name);
        }
    }
    add_checking_cert_verify(&mut t, s, before, false);
    assert_eq!(*fin, s.bytes("Message_Server_Finished"));
    hs.verify_server_finished(&hash(&t), finished_body(fin))
        .unwrap();
    t.add_message(fin);

    let mut client_hs = opener(hs.client_handshake_traffic_secret());
    let pending = hs.into_traffic_pending(&hash(&t));
    let client_flight = open_handshake_flight(&mut client_hs, &s.bytes("Record_ClientFinished"));
    let msgs = handshake_messages(&client_flight);
    let (fin, before) = msgs.split_last().unwrap();
    let asked_for_certificate = s.get("Message_CertificateRequest").is_some();
    // Certificate + CertificateVerify exactly when the server asked.
    assert_eq!(before.len(), if asked_for_certificate { 2 } else { 0 });
    add_checking_cert_verify(&mut t, s, before, true);
    assert_eq!(
        pending.client_finished_verify_data(&hash(&t)),
        finished_body(fin)
    );
    pending
        .verify_client_finished(&hash(&t), finished_body(fin))
        .unwrap();
    t.add_message(fin);

    let traffic = pending.into_traffic(&hash(&t));
    let mut client_app = opener(traffic.client_application_traffic_secret());
    let mut server_app = opener(traffic.server_application_traffic_secret());
    let mut client_seq = 0;
    let mut server_seq = 0;
    if let Some(record) = s.get("Record_Client_AppData") {
        let (ct, data) = open(&mut client_app, 0, &record);
        assert_eq!((ct, data), (23, s.bytes("Client_AppData")));
        client_seq += 1;
    }
    if let Some(record) = s.get("Record_Server_AppData") {
        let (ct, data) = open(&mut server_app, 0, &record);
        assert_eq!((ct, data), (23, s.bytes("Server_AppData")));
        server_seq += 1;
    }
    let (ct, alert) = open(
        &mut client_app,
        client_seq,
        &s.bytes("Record_Client_CloseNotify"),
    );
    assert_eq!((ct, alert), (21, vec![1, 0]));
    let (ct, alert) = open(
        &mut server_app,
        server_seq,
        &s.bytes("Record_Server_CloseNotify"),
    );
    assert_eq!((ct, alert), (21, vec![1, 0]));
}

#[test]
fn client_authentication_handshake() {
    let s = rfc8448::section("Client_Authentication_Handshake");
    full_handshake(
        &s,
        KeyScheduleEarly::new(SuiteHash::Sha256),
        CLIENT_AUTH_SHARED,
    );
}

#[test]
fn middlebox_compatibility_mode() {
    let s = rfc8448::section("Middlebox_Compatibility_Mode");
    full_handshake(&s, KeyScheduleEarly::new(SuiteHash::Sha256), COMPAT_SHARED);
}

#[test]
fn raw_public_key_with_client_authentication() {
    let s = rfc8448::section("RawPublicKey_With_Client_Authentication");
    full_handshake(
        &s,
        KeyScheduleEarly::new(SuiteHash::Sha256),
        RAW_PUBLIC_KEY_SHARED,
    );
}

#[test]
fn externally_provided_psk_with_ephemeral_key() {
    let s = rfc8448::section("Externally_Provided_PSK_with_Ephemeral_Key");
    assert_eq!(s.get_str("PskPRF"), Some("SHA-256"));
    let psk = s.bytes("PskSecret");
    let ch = plaintext_handshake(&s.bytes("Record_ClientHello_1")).to_vec();
    let (truncated, binders) = ch.split_at(ch.len() - 35);
    assert_eq!(binders[..3], [0x00, 0x21, 0x20]);
    let early = KeyScheduleEarly::with_psk(SuiteHash::Sha256, &psk, PskKind::External);
    let binder_hash = HandshakeHash::new()
        .hash_with(SuiteHash::Sha256, truncated)
        .unwrap();
    early.verify_binder(&binder_hash, &binders[3..]).unwrap();
    // Taken for a resumption PSK, the binder does not verify ("res binder" label).
    let as_resumption = KeyScheduleEarly::with_psk(SuiteHash::Sha256, &psk, PskKind::Resumption);
    assert!(as_resumption
        .verify_binder(&binder_hash, &binders[3..])
        .is_err());
    full_handshake(&s, early, EXTERNAL_PSK_SHARED);
}

/// The shared secrets above follow from the traces: X25519 (or P-256 for the
/// HelloRetryRequest trace) of the client's private key, drawn from its RNG pool right after
/// the 32-byte hello random and the legacy_session_id (non-empty in middlebox compatibility
/// mode) — for the HRR trace, the pool's last 32 bytes: its second key share — and the key
/// share in the trace's ServerHello, both hellos decoded with our codec.
#[test]
fn shared_secrets_follow_from_the_rng_pools() {
    let cases = [
        ("Simple_1RTT_Handshake", SIMPLE_SHARED),
        ("Resumed_0RTT_Handshake", RESUMED_SHARED),
        ("HelloRetryRequest_Handshake", HRR_SHARED),
        ("Client_Authentication_Handshake", CLIENT_AUTH_SHARED),
        ("Middlebox_Compatibility_Mode", COMPAT_SHARED),
        (
            "Externally_Provided_PSK_with_Ephemeral_Key",
            EXTERNAL_PSK_SHARED,
        ),
        (
            "RawPublicKey_With_Client_Authentication",
            RAW_PUBLIC_KEY_SHARED,
        ),
    ];
    for (name, expected) in cases {
        let s = rfc8448::section(name);
        let pool = s.bytes("Client_RNG_Pool");
        let ch = assert_reencodes(&plaintext_handshake(&s.bytes("Record_ClientHello_1")));
        let HandshakePayload::ClientHello(ch) = ch.payload else {
            panic!("[{name}] Record_ClientHello_1 is not a ClientHello");
        };
        let key_at = 32 + ch.session_id.as_bytes().len();
        assert_eq!(
            pool[32..key_at],
            *ch.session_id.as_bytes(),
            "[{name}] session id"
        );
        let sh = assert_reencodes(&s.bytes("Message_ServerHello"));
        let HandshakePayload::ServerHello(sh) = sh.payload else {
            panic!("[{name}] Message_ServerHello is not a ServerHello");
        };
        let share = sh.key_share().expect("ServerHello key_share");
        let shared = match share.group {
            NamedGroup::X25519 => {
                let private: [u8; 32] = pool[key_at..key_at + 32].try_into().unwrap();
                let public: [u8; 32] = share.key_exchange.as_slice().try_into().unwrap();
                x25519_dalek::StaticSecret::from(private)
                    .diffie_hellman(&x25519_dalek::PublicKey::from(public))
                    .as_bytes()
                    .to_vec()
            }
            NamedGroup::secp256r1 => {
                let private = p256::SecretKey::from_slice(&pool[pool.len() - 32..]).unwrap();
                let public = p256::PublicKey::from_sec1_bytes(&share.key_exchange).unwrap();
                p256::ecdh::diffie_hellman(private.to_nonzero_scalar(), public.as_affine())
                    .raw_secret_bytes()
                    .to_vec()
            }
            other => panic!("[{name}] unexpected group {other:?}"),
        };
        assert_eq!(hex::encode(shared), expected, "[{name}]");
    }
}
