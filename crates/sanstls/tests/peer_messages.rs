//! Our codec and record layer against TLS implementations someone else wrote.
//!
//! Real clients (OpenSSL `s_client`, GnuTLS `gnutls-cli`, Node's `tls`, Python's `ssl`) connect
//! to a loopback listener of ours; real servers (OpenSSL `s_server`, `gnutls-serv`) answer a
//! ClientHello built with our codec. Every byte goes through [`Deframer`] and
//! [`HandshakeJoiner`], every handshake message is decoded with
//! [`HandshakeMessagePayload::read_version`], and each test asserts two things: the message
//! re-encodes to exactly the bytes received (our decoding is canonical and loses nothing),
//! and its content is what the peer was told to send (what we decoded is what was meant).
//!
//! The peers must be installed (`.ci/run` installs them): a missing peer fails the test, it
//! is never skipped. Each peer runs with short timeouts and is killed when its test ends.

use proptest::prelude::*;
use sanstls::enums::{
    AlertDescription, AlertLevel, CipherSuite, ClientCertificateType, Compression, ContentType,
    ECPointFormat, ExtensionType, HandshakeType, NamedGroup, PSKKeyExchangeMode, ProtocolVersion,
    SignatureScheme,
};
use sanstls::internal::codec::{Codec, Payload, PayloadU8};
use sanstls::internal::msgs::alert::AlertMessagePayload;
use sanstls::internal::msgs::base::{Random, SessionId};
use sanstls::internal::msgs::extensions::{
    CertificateStatusRequest, ClientExtension, KeyShareEntry, ServerNameList, SupportedVersions,
    TlsExtension,
};
use sanstls::internal::msgs::hello::{ClientHelloPayload, HELLO_RETRY_REQUEST_RANDOM};
use sanstls::internal::msgs::kx::{
    KeyExchangeAlgorithm, ServerKeyExchangeParams, ServerKeyExchangePayload,
};
use sanstls::internal::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use sanstls::internal::record::deframer::{Deframer, PlaintextChecker};
use sanstls::internal::record::fragmenter::{Fragment, Fragmenter};
use sanstls::internal::record::header::{MAX_CIPHERTEXT_TLS13, MAX_PLAINTEXT};
use sanstls::internal::record::joiner::HandshakeJoiner;
use sanstls_test::net::{free_port, listener, read_chunks, send};
use sanstls_test::openssl::{ffdhe2048_params, pem_to_der, self_signed};
use sanstls_test::peers::{accept, connect, log_path, spawn_logged, wait_for_log, Peer};
use sanstls_test::TempDir;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The server name every client is told to ask for.
const SNI: &str = "example.com";

/// The ALPN list every client is told to offer, in order.
const ALPN: [&str; 2] = ["h2", "http/1.1"];

// ---------------------------------------------------------------------------------------------
// Receiving: bytes → Deframer → PlaintextChecker → HandshakeJoiner → whole messages
// ---------------------------------------------------------------------------------------------

/// What arrived, in order: whole handshake messages (as the joiner hands them out) and the
/// other records.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Received {
    /// One whole handshake message, 4-byte header included (the joiner's `encoded`).
    Handshake(Vec<u8>),
    /// A ChangeCipherSpec record.
    ChangeCipherSpec,
    /// An alert record's two bytes.
    Alert(Vec<u8>),
    /// An ApplicationData record (encrypted: only its length is kept).
    ApplicationData(usize),
}

/// The receive path of the record layer, driven exactly as a connection drives it.
struct Inbound {
    deframer: Deframer,
    checker: PlaintextChecker,
    joiner: HandshakeJoiner,
    got: Vec<Received>,
    /// TLS 1.3: after the ServerHello the server's records are under handshake keys.
    keys_after_server_hello: bool,
}

impl Inbound {
    /// A receive path for plaintext records (no keys in force).
    fn new() -> Self {
        Self {
            deframer: Deframer::new(),
            checker: PlaintextChecker::new(),
            joiner: HandshakeJoiner::new(),
            got: Vec::new(),
            keys_after_server_hello: false,
        }
    }

    /// A receive path for a TLS 1.3 server: once the ServerHello is in, receiving keys
    /// change (RFC 8446 s7), so, as the connection will, it checks that no handshake bytes
    /// span the change (RFC 8446 s5.1) and raises the record limit to the TLS 1.3 ciphertext
    /// limit. (We derive no keys: encrypted records are only framed, never opened.)
    fn tls13() -> Self {
        Self {
            keys_after_server_hello: true,
            ..Self::new()
        }
    }

    /// Feeds bytes from the transport, honouring the deframer's back-pressure.
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let n = self.deframer.read(bytes);
            bytes = &bytes[n..];
            let popped = self.drain();
            assert!(
                n > 0 || popped > 0,
                "deframer neither took bytes nor produced a record"
            );
        }
    }

    /// Pops every complete record and message; returns how many records were popped.
    fn drain(&mut self) -> usize {
        let Self {
            deframer,
            checker,
            joiner,
            got,
            keys_after_server_hello,
        } = self;
        let mut records = 0;
        while let Some(rec) = deframer
            .pop_record()
            .unwrap_or_else(|e| panic!("peer's record stream refused by the deframer: {e:?}"))
        {
            records += 1;
            let typ = rec.header.typ;
            checker
                .check(typ, rec.payload)
                .unwrap_or_else(|e| panic!("peer's {typ:?} record refused: {e:?}"));
            joiner
                .check_interleave(typ)
                .unwrap_or_else(|e| panic!("peer interleaved a {typ:?} record: {e:?}"));
            match typ {
                ContentType::Handshake => {
                    joiner
                        .push(rec.payload)
                        .unwrap_or_else(|e| panic!("joiner refused the peer's record: {e:?}"));
                    let mut key_change = false;
                    while let Some(m) = joiner.pop() {
                        assert_eq!(m.encoded.get(4..), Some(m.body), "joiner body/encoded");
                        key_change |= m.typ == HandshakeType::ServerHello;
                        got.push(Received::Handshake(m.encoded.to_vec()));
                    }
                    if key_change && *keys_after_server_hello {
                        joiner.check_key_change().unwrap_or_else(|e| {
                            panic!("peer's ServerHello shares a record with later data: {e:?}")
                        });
                        deframer
                            .set_max_payload_len(MAX_CIPHERTEXT_TLS13)
                            .expect("TLS 1.3 ciphertext limit fits the default buffer");
                        *keys_after_server_hello = false;
                    }
                }
                ContentType::ChangeCipherSpec => got.push(Received::ChangeCipherSpec),
                ContentType::Alert => got.push(Received::Alert(rec.payload.to_vec())),
                ContentType::ApplicationData => {
                    got.push(Received::ApplicationData(rec.payload.len()))
                }
                other => panic!("checker let a {other:?} record through"),
            }
        }
        records
    }

    /// The whole handshake messages received so far.
    fn handshakes(&self) -> Vec<&[u8]> {
        self.got
            .iter()
            .filter_map(|r| match r {
                Received::Handshake(m) => Some(&m[..]),
                _ => None,
            })
            .collect()
    }

    /// Whether a handshake message of type `typ` has arrived.
    fn has_handshake(&self, typ: HandshakeType) -> bool {
        self.handshakes()
            .iter()
            .any(|m| m.first() == Some(&typ.to_int()))
    }
}

/// Reads from `s` into a fresh receive path until `done` holds; fails naming the peer and
/// what arrived if it never does.
fn receive(
    s: &mut TcpStream,
    peer: &Peer,
    mut inbound: Inbound,
    done: impl Fn(&Inbound) -> bool,
) -> Inbound {
    let finished = read_chunks(s, |bytes| {
        inbound.feed(bytes);
        done(&inbound)
    });
    assert!(
        finished,
        "{}: stream ended or timed out; received {:?}",
        peer.1, inbound.got
    );
    inbound
}

/// Decodes one handshake message as received and checks that re-encoding reproduces it
/// byte for byte.
fn decode(encoded: &[u8], version: ProtocolVersion) -> HandshakeMessagePayload {
    let msg = HandshakeMessagePayload::read_bytes_version(encoded, version).unwrap_or_else(|e| {
        panic!(
            "cannot decode handshake message {:?}: {e:?}\n{}",
            encoded.first(),
            hex::encode(encoded)
        )
    });
    assert_eq!(
        hex::encode(msg.get_encoding()),
        hex::encode(encoded),
        "{:?} does not re-encode byte-exactly",
        msg.typ
    );
    msg
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

/// A fatal alert as plaintext record(s), built with the codec and the fragmenter.
fn fatal_alert(description: AlertDescription) -> Vec<u8> {
    let alert = AlertMessagePayload {
        level: AlertLevel::Fatal,
        description,
    }
    .get_encoding();
    let mut out = Vec::new();
    for f in Fragmenter::new().fragment(ContentType::Alert, &alert) {
        f.encode_plain(ProtocolVersion::TLSv1_2, &mut out);
    }
    out
}

/// A ClientHello as plaintext Handshake record(s), record version 0x0301 as RFC 8446 s5.1
/// allows for an initial ClientHello (and as most clients send).
fn client_hello_records(ch: &ClientHelloPayload) -> Vec<u8> {
    let msg = HandshakeMessagePayload::new(HandshakePayload::ClientHello(ch.clone()));
    let bytes = msg.get_encoding();
    let mut out = Vec::new();
    for f in Fragmenter::new().fragment(ContentType::Handshake, &bytes) {
        f.encode_plain(ProtocolVersion::TLSv1_0, &mut out);
    }
    out
}

/// Ends a connection we refuse: a fatal handshake_failure alert, then our write side closes.
/// The peer must then report that very alert in its log (any of `alert_words`): our alert
/// record is well-formed in the eyes of an implementation we did not write.
fn refuse(mut s: TcpStream, peer: &Peer, log: &Path, alert_words: &[&str]) {
    send(&mut s, &fatal_alert(AlertDescription::HandshakeFailure));
    let _ = s.shutdown(std::net::Shutdown::Write);
    if let Err(text) = wait_for_log(log, alert_words) {
        panic!(
            "{}: did not report our handshake_failure alert ({alert_words:?}); its log:\n{text}",
            peer.1
        );
    }
}

/// How OpenSSL (s_client, s_server, Node and Python) reports a received handshake_failure.
const OPENSSL_ALERT: &[&str] = &["alert handshake failure"];

/// How gnutls-cli reports it.
const GNUTLS_CLI_ALERT: &[&str] = &["received alert [40]"];

/// How gnutls-serv reports it (it does not name the description).
const GNUTLS_SERV_ALERT: &[&str] = &["a tls fatal alert has been received"];

// ---------------------------------------------------------------------------------------------
// 1. ClientHellos from real clients
// ---------------------------------------------------------------------------------------------

/// Accepts `client`'s connection on `l`, reads its ClientHello through the record layer,
/// checks the byte-exact round trip and the SNI and ALPN we asked for, answers with a fatal
/// handshake_failure alert, and checks the client reported that alert and failed.
/// `alert_words` are what the client's log says for it (any of them, case-insensitive).
fn client_hello_from(
    l: &std::net::TcpListener,
    dir: &TempDir,
    tag: &str,
    mut client: Peer,
    alert_words: &[&str],
) -> (ClientHelloPayload, Vec<u8>) {
    let mut s = accept(l, &mut client);
    let inbound = receive(&mut s, &client, Inbound::new(), |i| {
        !i.handshakes().is_empty()
    });
    let encoded = inbound.handshakes()[0].to_vec();
    assert_eq!(
        inbound.handshakes().len(),
        1,
        "{}: only the ClientHello may come first",
        client.1
    );
    let msg = decode(&encoded, ProtocolVersion::TLSv1_2);
    assert_eq!(msg.typ, HandshakeType::ClientHello);
    let HandshakePayload::ClientHello(ch) = msg.payload else {
        panic!("{}: first message is {:?}", client.1, msg.typ)
    };

    assert_eq!(
        ch.sni_hostname()
            .map(|h| String::from_utf8_lossy(&h.0).into_owned()),
        Some(SNI.to_string()),
        "{}: SNI",
        client.1
    );
    let alpn: Vec<String> = ch
        .alpn_protocols()
        .unwrap_or_else(|| panic!("{}: no ALPN offered", client.1))
        .iter()
        .map(|p| String::from_utf8_lossy(&p.0).into_owned())
        .collect();
    assert_eq!(alpn, ALPN, "{}: ALPN list", client.1);
    assert_eq!(ch.compression_methods, vec![Compression::Null]);
    assert!(ch.named_groups().is_some_and(|g| !g.is_empty()));
    assert!(ch.signature_algorithms().is_some_and(|s| !s.is_empty()));

    refuse(s, &client, &log_path(dir, tag), alert_words);
    let status = client.wait_exit(Duration::from_secs(10));
    assert!(
        status.is_some_and(|st| !st.success()),
        "{}: expected a failed exit after our alert, got {status:?}",
        client.1
    );
    (ch, encoded)
}

/// Checks the parts of a TLS 1.3-capable client's hello common to every such client.
fn assert_tls13_offer(ch: &ClientHelloPayload, who: &str) {
    assert_eq!(
        ch.legacy_version,
        ProtocolVersion::TLSv1_2,
        "{who}: legacy_version"
    );
    let versions = ch
        .supported_versions()
        .unwrap_or_else(|| panic!("{who}: no supported_versions"));
    assert!(
        versions.contains(&ProtocolVersion::TLSv1_3),
        "{who}: {versions:?}"
    );
    assert!(
        versions.contains(&ProtocolVersion::TLSv1_2),
        "{who}: {versions:?}"
    );
    assert!(
        ch.cipher_suites
            .contains(&CipherSuite::TLS13_AES_128_GCM_SHA256),
        "{who}: {:?}",
        ch.cipher_suites
    );
    let shares = ch
        .key_shares()
        .unwrap_or_else(|| panic!("{who}: no key_share"));
    assert!(!shares.is_empty(), "{who}: empty key_share");
    let groups = ch.named_groups().unwrap_or_default();
    for share in shares {
        assert!(
            groups.contains(&share.group),
            "{who}: share for unoffered group"
        );
        let expected_len = match share.group {
            NamedGroup::X25519 => Some(32),
            NamedGroup::secp256r1 => Some(65),
            NamedGroup::secp384r1 => Some(97),
            NamedGroup::X448 => Some(56),
            _ => None,
        };
        if let Some(len) = expected_len {
            assert_eq!(
                share.key_exchange.len(),
                len,
                "{who}: {:?} share",
                share.group
            );
        }
    }
    assert!(
        ch.psk_modes()
            .is_some_and(|m| m.contains(&PSKKeyExchangeMode::PSK_DHE_KE)),
        "{who}: psk_key_exchange_modes"
    );
}

/// The `openssl s_client` arguments for a connection to `port` with our SNI and ALPN.
fn s_client_args(port: u16) -> Vec<String> {
    vec![
        "s_client".into(),
        "-connect".into(),
        format!("127.0.0.1:{port}"),
        "-servername".into(),
        SNI.into(),
        "-alpn".into(),
        ALPN.join(","),
    ]
}

/// Runs `openssl s_client` with `extra` arguments against a listener and returns its hello.
fn openssl_client_hello(tag: &str, extra: &[&str]) -> (ClientHelloPayload, Vec<u8>) {
    let dir = TempDir::new(tag);
    let (l, port) = listener();
    let mut args = s_client_args(port);
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let client = spawn_logged(&dir, tag, "openssl", &args);
    client_hello_from(&l, &dir, tag, client, OPENSSL_ALERT)
}

#[test]
fn openssl_client_hello_decodes_and_reencodes() {
    let (ch, _) = openssl_client_hello("ossl-ch13", &[]);
    let who = "openssl s_client";
    assert_tls13_offer(&ch, who);
    for suite in [
        CipherSuite::TLS13_AES_256_GCM_SHA384,
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
    ] {
        assert!(
            ch.cipher_suites.contains(&suite),
            "{who}: {suite:?} missing"
        );
    }
    // OpenSSL's middlebox compatibility mode: a 32-byte legacy_session_id (RFC 8446 D.4).
    assert_eq!(ch.session_id.as_bytes().len(), 32, "{who}: session id");
    assert!(ch.extended_master_secret_offered());
    assert!(ch.session_ticket().is_some_and(|t| t.is_empty()));
    assert_eq!(
        ch.ec_point_formats().map(|f| f.first().copied()),
        Some(Some(ECPointFormat::Uncompressed))
    );
    let shares = ch.key_shares().unwrap_or_default();
    assert!(
        shares.iter().any(|s| s.group == NamedGroup::X25519),
        "{who}: x25519 share"
    );
    let sigs = ch.signature_algorithms().unwrap_or_default();
    for scheme in [
        SignatureScheme::ECDSA_NISTP256_SHA256,
        SignatureScheme::RSA_PSS_RSAE_SHA256,
        SignatureScheme::ED25519,
    ] {
        assert!(sigs.contains(&scheme), "{who}: {scheme:?} missing");
    }
}

#[test]
fn openssl_tls12_client_hello_decodes_and_reencodes() {
    let (ch, _) = openssl_client_hello("ossl-ch12", &["-tls1_2"]);
    let who = "openssl s_client -tls1_2";
    assert_eq!(ch.legacy_version, ProtocolVersion::TLSv1_2);
    assert!(
        ch.supported_versions().is_none(),
        "{who}: supported_versions offered"
    );
    assert!(ch.key_shares().is_none(), "{who}: key_share offered");
    assert!(
        !ch.cipher_suites.iter().any(|s| matches!(
            s,
            CipherSuite::TLS13_AES_128_GCM_SHA256
                | CipherSuite::TLS13_AES_256_GCM_SHA384
                | CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
        )),
        "{who}: TLS 1.3 suites offered: {:?}",
        ch.cipher_suites
    );
    for suite in [
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    ] {
        assert!(
            ch.cipher_suites.contains(&suite),
            "{who}: {suite:?} missing"
        );
    }
    assert!(ch.extended_master_secret_offered());
    assert!(ch.encrypt_then_mac_offered());
    assert!(ch.session_ticket().is_some());
}

#[test]
fn gnutls_client_hello_decodes_and_reencodes() {
    let tag = "gnutls-ch";
    let dir = TempDir::new(tag);
    let (l, port) = listener();
    let port = port.to_string();
    let sni = format!("--sni-hostname={SNI}");
    let mut args = vec!["--insecure", "-p", &port, &sni];
    let alpn: Vec<String> = ALPN.iter().map(|a| format!("--alpn={a}")).collect();
    args.extend(alpn.iter().map(String::as_str));
    args.push("127.0.0.1");
    let client = spawn_logged(&dir, tag, "gnutls-cli", &args);
    let (ch, _) = client_hello_from(&l, &dir, tag, client, GNUTLS_CLI_ALERT);
    let who = "gnutls-cli";
    assert_tls13_offer(&ch, who);
    for suite in [
        CipherSuite::TLS13_AES_256_GCM_SHA384,
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ] {
        assert!(
            ch.cipher_suites.contains(&suite),
            "{who}: {suite:?} missing"
        );
    }
    assert!(ch.extended_master_secret_offered());
    assert_eq!(
        ch.session_id.as_bytes().len(),
        32,
        "{who}: compat session id"
    );
    // GnuTLS signals secure renegotiation with the extension, not the SCSV, asks for OCSP
    // stapling and announces a record_size_limit (RFC 8449) by default; it sends key shares
    // for both P-256 and x25519.
    assert_eq!(
        ch.renegotiation_info(),
        Some(&[][..]),
        "{who}: renegotiation_info"
    );
    assert_eq!(
        ch.status_request(),
        Some(&CertificateStatusRequest::ocsp()),
        "{who}: status_request"
    );
    assert!(ch.record_size_limit().is_some(), "{who}: record_size_limit");
    let shares: Vec<NamedGroup> = ch
        .key_shares()
        .unwrap_or_default()
        .iter()
        .map(|s| s.group)
        .collect();
    assert!(
        shares.contains(&NamedGroup::X25519) && shares.contains(&NamedGroup::secp256r1),
        "{who}: key shares {shares:?}"
    );
}

#[test]
fn node_client_hello_decodes_and_reencodes() {
    let tag = "node-ch";
    let dir = TempDir::new(tag);
    let (l, port) = listener();
    let script = format!(
        "const tls = require('tls');\
         const s = tls.connect({{host: '127.0.0.1', port: {port}, servername: '{SNI}',\
           ALPNProtocols: ['{}', '{}'], rejectUnauthorized: false}});\
         s.on('error', e => {{ console.error('error:', e.code, e.message); process.exit(3); }});\
         s.on('secureConnect', () => process.exit(0));\
         setTimeout(() => process.exit(4), 10000).unref();",
        ALPN[0], ALPN[1]
    );
    let client = spawn_logged(&dir, tag, "node", &["-e", &script]);
    let (ch, _) = client_hello_from(&l, &dir, tag, client, OPENSSL_ALERT);
    let who = "node tls.connect";
    assert_tls13_offer(&ch, who);
    assert!(ch
        .cipher_suites
        .contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
    assert!(ch.extended_master_secret_offered());
}

#[test]
fn python_client_hello_decodes_and_reencodes() {
    let tag = "python-ch";
    let dir = TempDir::new(tag);
    let (l, port) = listener();
    let script = format!(
        "import socket, ssl, sys\n\
         ctx = ssl.create_default_context()\n\
         ctx.check_hostname = False\n\
         ctx.verify_mode = ssl.CERT_NONE\n\
         ctx.set_alpn_protocols(['{}', '{}'])\n\
         sock = socket.create_connection(('127.0.0.1', {port}), timeout=10)\n\
         try:\n\
         \x20   ctx.wrap_socket(sock, server_hostname='{SNI}')\n\
         except ssl.SSLError as e:\n\
         \x20   print('ssl error:', e, file=sys.stderr)\n\
         \x20   sys.exit(3)\n",
        ALPN[0], ALPN[1]
    );
    let client = spawn_logged(&dir, tag, "python3", &["-c", &script]);
    let (ch, encoded) = client_hello_from(&l, &dir, tag, client, OPENSSL_ALERT);
    let who = "python ssl";
    assert_tls13_offer(&ch, who);
    assert!(ch
        .cipher_suites
        .contains(&CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384));
    assert!(ch.extended_master_secret_offered());
    // Python's default context sets OpenSSL's OP_ALL, whose TLSEXT_PADDING pads a hello
    // whose unpadded length would be 256..=511 bytes to exactly 512 (the F5 workaround, RFC
    // 7685), with a padding extension of zeros placed last. (Today's hello is padded.)
    match ch.find_extension(ExtensionType::Padding) {
        Some(ClientExtension::Padding(pad)) => {
            assert!(pad.0.iter().all(|b| *b == 0), "{who}: padding not zeros");
            assert_eq!(encoded.len(), 512, "{who}: padded hello length");
            assert_eq!(
                ch.extensions().last().map(|e| e.ext_type()),
                Some(ExtensionType::Padding),
                "{who}: padding is the last extension"
            );
        }
        Some(other) => panic!("{who}: padding decoded as {other:?}"),
        None => assert!(
            !(256..512).contains(&encoded.len()),
            "{who}: a {}-byte hello should have been padded",
            encoded.len()
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// 2. TLS 1.2 server flights from real servers
// ---------------------------------------------------------------------------------------------

/// The TLS 1.2 suites we offer.
const TLS12_SUITES: [CipherSuite; 8] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
];

/// The groups we offer: ECDHE ones, and ffdhe2048 for RFC 7919-aware DHE servers.
const GROUPS: [NamedGroup; 4] = [
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
    NamedGroup::FFDHE2048,
];

/// The signature schemes we offer.
const SIG_SCHEMES: [SignatureScheme; 8] = [
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// A client random that is recognisably ours.
fn our_random() -> Random {
    let mut r = [0u8; 32];
    for (i, b) in r.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    Random(r)
}

/// A TLS 1.2 ClientHello with the extensions a modern TLS 1.2 client sends.
fn tls12_client_hello() -> ClientHelloPayload {
    ClientHelloPayload {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: our_random(),
        session_id: SessionId::empty(),
        cipher_suites: TLS12_SUITES.to_vec(),
        compression_methods: vec![Compression::Null],
        extensions: Some(vec![
            ClientExtension::ServerName(ServerNameList::from_host_name(b"localhost")),
            ClientExtension::SupportedGroups(GROUPS.to_vec()),
            ClientExtension::EcPointFormats(vec![ECPointFormat::Uncompressed]),
            ClientExtension::SignatureAlgorithms(SIG_SCHEMES.to_vec()),
            ClientExtension::ExtendedMasterSecret,
            ClientExtension::RenegotiationInfo(PayloadU8::empty()),
            ClientExtension::SessionTicket(Payload::new(Vec::new())),
            ClientExtension::StatusRequest(CertificateStatusRequest::ocsp()),
        ]),
    }
}

/// A server peer listening on `port`, logging to `log`.
struct Server {
    peer: Peer,
    port: u16,
    log: PathBuf,
    /// How it reports our handshake_failure alert.
    alert_words: &'static [&'static str],
    /// DER of its certificate.
    cert_der: Vec<u8>,
}

impl Server {
    /// Connects, sends `ch` in plaintext record(s), and reads until `done`.
    fn exchange(
        &mut self,
        ch: &ClientHelloPayload,
        inbound: Inbound,
        done: impl Fn(&Inbound) -> bool,
    ) -> (TcpStream, Inbound) {
        let mut s = connect(self.port, &mut self.peer);
        send(&mut s, &client_hello_records(ch));
        let inbound = receive(&mut s, &self.peer, inbound, done);
        (s, inbound)
    }

    /// Ends the connection with our alert; the server must report it.
    fn refuse(&self, s: TcpStream) {
        refuse(s, &self.peer, &self.log, self.alert_words);
    }

    /// Ends a TLS 1.3 connection after the ServerHello. From then on the server expects our
    /// records under handshake keys (RFC 8446 s5), which we do not derive here, so it may
    /// refuse a plaintext alert as undecryptable (GnuTLS does: "Decryption has failed";
    /// OpenSSL accepts it); we send it as a courtesy and check nothing about it.
    fn abandon(&self, mut s: TcpStream) {
        send(&mut s, &fatal_alert(AlertDescription::HandshakeFailure));
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
}

/// Starts `openssl s_server` for one connection with a fresh `kind` certificate ("rsa" or
/// "ec") and `extra` options.
fn openssl_server(dir: &TempDir, tag: &str, kind: &str, extra: &[&str]) -> Server {
    let (cert, key) = self_signed(dir, kind);
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let (cert_s, key_s) = (cert.display().to_string(), key.display().to_string());
    let mut args = vec![
        "s_server", "-naccept", "1", "-accept", &accept, "-cert", &cert_s, "-key", &key_s,
    ];
    args.extend_from_slice(extra);
    Server {
        peer: spawn_logged(dir, tag, "openssl", &args),
        port,
        log: log_path(dir, tag),
        alert_words: OPENSSL_ALERT,
        cert_der: pem_to_der(&cert),
    }
}

/// Starts `gnutls-serv` with a fresh `kind` certificate and `priority`; it asks for a client
/// certificate only if `client_cert`.
fn gnutls_server(
    dir: &TempDir,
    tag: &str,
    kind: &str,
    priority: &str,
    client_cert: bool,
) -> Server {
    let (cert, key) = self_signed(dir, kind);
    let port = free_port();
    let port_s = port.to_string();
    let cert_arg = format!("--x509certfile={}", cert.display());
    let key_arg = format!("--x509keyfile={}", key.display());
    let prio = format!("--priority={priority}");
    let mut args = vec!["-p", &port_s, &cert_arg, &key_arg, &prio];
    if !client_cert {
        args.push("--disable-client-cert");
    }
    Server {
        peer: spawn_logged(dir, tag, "gnutls-serv", &args),
        port,
        log: log_path(dir, tag),
        alert_words: GNUTLS_SERV_ALERT,
        cert_der: pem_to_der(&cert),
    }
}

/// What a TLS 1.2 server flight must contain beyond the generic checks.
struct Tls12Expect {
    /// The key exchange the server was configured for.
    kx: KeyExchangeAlgorithm,
    /// Whether the server was told to ask for a client certificate.
    cert_request: bool,
    /// Signature schemes acceptable for the ServerKeyExchange (the certificate's key type).
    sig_schemes: &'static [SignatureScheme],
}

/// Sends our TLS 1.2 ClientHello to a server on `port`, reads its flight up to
/// ServerHelloDone, decodes and checks every message, then refuses with an alert.
fn tls12_flight(mut server: Server, expect: &Tls12Expect) {
    let who = server.peer.1.clone();
    let ch = tls12_client_hello();
    let (s, inbound) = server.exchange(&ch, Inbound::new(), |i| {
        i.has_handshake(HandshakeType::ServerHelloDone)
    });
    assert!(
        inbound
            .got
            .iter()
            .all(|r| matches!(r, Received::Handshake(_))),
        "{who}: only handshake messages before ServerHelloDone: {:?}",
        inbound.got
    );
    assert!(
        inbound.joiner.is_empty(),
        "{who}: data after ServerHelloDone"
    );

    let msgs: Vec<HandshakeMessagePayload> = inbound
        .handshakes()
        .iter()
        .map(|m| decode(m, ProtocolVersion::TLSv1_2))
        .collect();
    let types: Vec<HandshakeType> = msgs.iter().map(|m| m.typ).collect();
    let mut expected_types = vec![
        HandshakeType::ServerHello,
        HandshakeType::Certificate,
        HandshakeType::ServerKeyExchange,
    ];
    if expect.cert_request {
        expected_types.push(HandshakeType::CertificateRequest);
    }
    expected_types.push(HandshakeType::ServerHelloDone);
    assert_eq!(types, expected_types, "{who}: flight");

    let mut suite = None;
    for msg in &msgs {
        match &msg.payload {
            HandshakePayload::ServerHello(sh) => {
                assert_eq!(sh.legacy_version, ProtocolVersion::TLSv1_2, "{who}");
                assert!(
                    TLS12_SUITES.contains(&sh.cipher_suite),
                    "{who}: {:?}",
                    sh.cipher_suite
                );
                assert_eq!(sh.compression_method, Compression::Null);
                assert!(
                    sh.extended_master_secret_acked(),
                    "{who}: EMS not acknowledged"
                );
                assert_eq!(
                    sh.renegotiation_info(),
                    Some(&[][..]),
                    "{who}: renegotiation_info not acknowledged (empty on a first handshake)"
                );
                assert!(
                    sh.session_ticket_acked(),
                    "{who}: session_ticket not acknowledged"
                );
                assert!(
                    !sh.status_request_acked(),
                    "{who}: no OCSP response configured"
                );
                assert!(sh.supported_version().is_none(), "{who}: TLS 1.3 signalled");
                assert!(sh.key_share().is_none(), "{who}: key_share in TLS 1.2");
                assert_ne!(sh.random, HELLO_RETRY_REQUEST_RANDOM);
                suite = Some(sh.cipher_suite);
            }
            HandshakePayload::Certificate(chain) => {
                let first = chain
                    .0
                    .first()
                    .unwrap_or_else(|| panic!("{who}: empty chain"));
                assert_eq!(chain.0.len(), 1, "{who}: self-signed chain of one");
                assert!(first.0 == server.cert_der, "{who}: certificate is not ours");
            }
            HandshakePayload::ServerKeyExchange(raw) => {
                let ske = ServerKeyExchangePayload::read_bytes_with(&raw.0, expect.kx)
                    .unwrap_or_else(|e| panic!("{who}: ServerKeyExchange: {e:?}"));
                assert_eq!(ske.get_encoding(), raw.0, "{who}: SKE re-encoding");
                check_ske(&ske, expect, &who);
            }
            HandshakePayload::CertificateRequest(cr) => {
                // Both servers accept RSA and ECDSA client keys with the common schemes.
                for typ in [
                    ClientCertificateType::RSASign,
                    ClientCertificateType::ECDSASign,
                ] {
                    assert!(cr.certificate_types.contains(&typ), "{who}: {cr:?}");
                }
                for scheme in [
                    SignatureScheme::RSA_PSS_RSAE_SHA256,
                    SignatureScheme::RSA_PKCS1_SHA256,
                    SignatureScheme::ECDSA_NISTP256_SHA256,
                ] {
                    assert!(cr.signature_algorithms.contains(&scheme), "{who}: {cr:?}");
                }
            }
            HandshakePayload::ServerHelloDone(_) => {}
            other => panic!("{who}: unexpected {other:?}"),
        }
    }
    let suite = suite.expect("ServerHello was checked above");
    let dhe = matches!(
        suite,
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
            | CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
    );
    assert_eq!(
        dhe,
        expect.kx == KeyExchangeAlgorithm::Dhe,
        "{who}: {suite:?}"
    );
    let ecdhe_point_formats = msgs.iter().find_map(|m| match &m.payload {
        HandshakePayload::ServerHello(sh) => Some(sh.ec_point_formats().map(<[_]>::to_vec)),
        _ => None,
    });
    if !dhe {
        // RFC 8422 s5.2: a server selecting ECDHE that sends ec_point_formats must list
        // uncompressed (both our servers send it).
        assert!(
            ecdhe_point_formats
                .flatten()
                .is_some_and(|f| f.contains(&ECPointFormat::Uncompressed)),
            "{who}: ec_point_formats"
        );
    }
    server.refuse(s);
}

/// The RFC 7919 appendix A.1 ffdhe2048 prime, big-endian hex.
const FFDHE2048_P: [&str; 8] = [
    "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695",
    "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a",
    "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935",
    "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a",
    "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4",
    "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61",
    "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005",
    "c58ef1837d1683b2c6f34a26c1b2effa886b423861285c97ffffffffffffffff",
];

/// Semantic checks on a decoded ServerKeyExchange.
fn check_ske(ske: &ServerKeyExchangePayload, expect: &Tls12Expect, who: &str) {
    match &ske.params {
        ServerKeyExchangeParams::Ecdhe(p) => {
            assert!(
                GROUPS.contains(&p.named_group),
                "{who}: {:?}",
                p.named_group
            );
            let len = p.public.0.len();
            match p.named_group {
                NamedGroup::X25519 => assert_eq!(len, 32, "{who}: x25519 point"),
                NamedGroup::secp256r1 => {
                    assert_eq!(
                        (len, p.public.0[0]),
                        (65, 4),
                        "{who}: uncompressed P-256 point"
                    )
                }
                NamedGroup::secp384r1 => {
                    assert_eq!(
                        (len, p.public.0[0]),
                        (97, 4),
                        "{who}: uncompressed P-384 point"
                    )
                }
                other => panic!("{who}: ECDHE with {other:?}"),
            }
        }
        ServerKeyExchangeParams::Dhe(p) => {
            // OpenSSL was given the ffdhe2048 group; GnuTLS picks it from our supported_groups
            // (RFC 7919 s4): a 256-byte p, g = 2, 1 <= |Ys| <= |p|.
            assert_eq!(p.p.0.len(), 256, "{who}: p is not a 2048-bit prime");
            assert_eq!(
                hex::encode(&p.p.0),
                FFDHE2048_P.concat(),
                "{who}: p is not ffdhe2048"
            );
            assert_eq!(p.g.0, vec![2], "{who}: g");
            assert!(!p.ys.0.is_empty() && p.ys.0.len() <= 256, "{who}: Ys");
        }
    }
    assert!(
        expect.sig_schemes.contains(&ske.signature.scheme),
        "{who}: SKE signed with {:?}",
        ske.signature.scheme
    );
    assert!(
        SIG_SCHEMES.contains(&ske.signature.scheme),
        "{who}: scheme not offered"
    );
    assert!(
        !ske.signature.signature.0.is_empty(),
        "{who}: empty signature"
    );
}

const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

const ECDSA_P256_SCHEMES: &[SignatureScheme] = &[SignatureScheme::ECDSA_NISTP256_SHA256];

/// The schemes a server may sign its ServerKeyExchange with, for a `kind` certificate.
fn schemes_for(kind: &str) -> &'static [SignatureScheme] {
    match kind {
        "ec" => ECDSA_P256_SCHEMES,
        _ => RSA_SCHEMES,
    }
}

/// Starts `openssl s_server -tls1_2` with a fresh `kind` certificate and `extra` options,
/// and checks its flight.
fn openssl_tls12(tag: &str, kind: &str, extra: &[&str], kx: KeyExchangeAlgorithm, cr: bool) {
    let dir = TempDir::new(tag);
    let mut args = vec!["-tls1_2"];
    args.extend_from_slice(extra);
    let server = openssl_server(&dir, tag, kind, &args);
    let expect = Tls12Expect {
        kx,
        cert_request: cr,
        sig_schemes: schemes_for(kind),
    };
    tls12_flight(server, &expect);
}

#[test]
fn openssl_tls12_rsa_ecdhe_flight_decodes_and_reencodes() {
    openssl_tls12("ossl12-rsa", "rsa", &[], KeyExchangeAlgorithm::Ecdhe, false);
}

#[test]
fn openssl_tls12_ecdsa_flight_decodes_and_reencodes() {
    openssl_tls12("ossl12-ec", "ec", &[], KeyExchangeAlgorithm::Ecdhe, false);
}

#[test]
fn openssl_tls12_dhe_ffdhe2048_flight_decodes_and_reencodes() {
    let dir = TempDir::new("ossl12-dhparam");
    let params = ffdhe2048_params(&dir);
    let params = params.display().to_string();
    openssl_tls12(
        "ossl12-dhe",
        "rsa",
        &["-cipher", "DHE-RSA-AES128-GCM-SHA256", "-dhparam", &params],
        KeyExchangeAlgorithm::Dhe,
        false,
    );
}

#[test]
fn openssl_tls12_certificate_request_decodes_and_reencodes() {
    openssl_tls12(
        "ossl12-cr",
        "rsa",
        &["-Verify", "1"],
        KeyExchangeAlgorithm::Ecdhe,
        true,
    );
}

/// Starts `gnutls-serv` with a fresh `kind` certificate and a TLS 1.2 priority string, and
/// checks its flight.
fn gnutls_tls12(tag: &str, kind: &str, priority: &str, kx: KeyExchangeAlgorithm, cr: bool) {
    let dir = TempDir::new(tag);
    let server = gnutls_server(&dir, tag, kind, priority, cr);
    let expect = Tls12Expect {
        kx,
        cert_request: cr,
        sig_schemes: schemes_for(kind),
    };
    tls12_flight(server, &expect);
}

#[test]
fn gnutls_tls12_rsa_ecdhe_flight_decodes_and_reencodes() {
    gnutls_tls12(
        "gnutls12-rsa",
        "rsa",
        "NORMAL:-VERS-ALL:+VERS-TLS1.2",
        KeyExchangeAlgorithm::Ecdhe,
        false,
    );
}

#[test]
fn gnutls_tls12_ecdsa_certificate_request_flight_decodes_and_reencodes() {
    gnutls_tls12(
        "gnutls12-ec",
        "ec",
        "NORMAL:-VERS-ALL:+VERS-TLS1.2",
        KeyExchangeAlgorithm::Ecdhe,
        true,
    );
}

#[test]
fn gnutls_tls12_dhe_ffdhe2048_flight_decodes_and_reencodes() {
    gnutls_tls12(
        "gnutls12-dhe",
        "rsa",
        "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA",
        KeyExchangeAlgorithm::Dhe,
        false,
    );
}

// ---------------------------------------------------------------------------------------------
// 3. TLS 1.3 ServerHello and HelloRetryRequest from real servers
// ---------------------------------------------------------------------------------------------

/// The legacy_session_id we send in TLS 1.3 hellos (middlebox compatibility, RFC 8446 D.4).
const COMPAT_SESSION_ID: [u8; 32] = [0x5e; 32];

/// An arbitrary X25519 public value: any 32 bytes are one as far as the server is concerned.
fn x25519_share() -> KeyShareEntry {
    KeyShareEntry {
        group: NamedGroup::X25519,
        key_exchange: (0..32u8)
            .map(|i| i.wrapping_mul(7).wrapping_add(0x41))
            .collect(),
    }
}

/// A ClientHello offering TLS 1.3 and 1.2, groups x25519 and P-256, one x25519 key share.
fn tls13_client_hello() -> ClientHelloPayload {
    let mut suites = vec![
        CipherSuite::TLS13_AES_128_GCM_SHA256,
        CipherSuite::TLS13_AES_256_GCM_SHA384,
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    ];
    suites.extend_from_slice(&TLS12_SUITES);
    ClientHelloPayload {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: our_random(),
        session_id: SessionId::new(&COMPAT_SESSION_ID).expect("32 bytes"),
        cipher_suites: suites,
        compression_methods: vec![Compression::Null],
        extensions: Some(vec![
            ClientExtension::ServerName(ServerNameList::from_host_name(b"localhost")),
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::secp256r1]),
            ClientExtension::EcPointFormats(vec![ECPointFormat::Uncompressed]),
            ClientExtension::SignatureAlgorithms(SIG_SCHEMES.to_vec()),
            ClientExtension::ExtendedMasterSecret,
            ClientExtension::RenegotiationInfo(PayloadU8::empty()),
            ClientExtension::SupportedVersions(SupportedVersions(vec![
                ProtocolVersion::TLSv1_3,
                ProtocolVersion::TLSv1_2,
            ])),
            ClientExtension::PskKeyExchangeModes(vec![PSKKeyExchangeMode::PSK_DHE_KE]),
            ClientExtension::KeyShare(vec![x25519_share()]),
        ]),
    }
}

/// Sends our TLS 1.3 ClientHello to the server on `port`; reads the ServerHello, the compat
/// ChangeCipherSpec and at least one encrypted record, and checks them.
fn tls13_server_hello(mut server: Server) {
    let who = server.peer.1.clone();
    let ch = tls13_client_hello();
    let (s, inbound) = server.exchange(&ch, Inbound::tls13(), |i| {
        i.got
            .iter()
            .any(|r| matches!(r, Received::ApplicationData(_)))
    });
    let [Received::Handshake(sh_bytes), Received::ChangeCipherSpec, rest @ ..] = &inbound.got[..]
    else {
        panic!(
            "{who}: expected ServerHello, ChangeCipherSpec, ...: {:?}",
            inbound.got
        )
    };
    assert!(!rest.is_empty(), "{who}");
    for r in rest {
        let Received::ApplicationData(len) = r else {
            panic!(
                "{who}: after the CCS only encrypted records: {:?}",
                inbound.got
            )
        };
        // At least the 16-byte AEAD tag and the inner content type.
        assert!(*len > 17, "{who}: encrypted record of {len} bytes");
    }
    assert!(
        inbound.joiner.is_empty(),
        "{who}: partial message after ServerHello"
    );

    let msg = decode(sh_bytes, ProtocolVersion::TLSv1_3);
    let HandshakePayload::ServerHello(sh) = msg.payload else {
        panic!("{who}: not a ServerHello: {:?}", msg.payload)
    };
    assert_eq!(sh.legacy_version, ProtocolVersion::TLSv1_2, "{who}");
    assert_eq!(
        sh.supported_version(),
        Some(ProtocolVersion::TLSv1_3),
        "{who}"
    );
    assert_eq!(
        sh.session_id.as_bytes(),
        &COMPAT_SESSION_ID[..],
        "{who}: session id echo"
    );
    assert!(
        ch.cipher_suites[..3].contains(&sh.cipher_suite),
        "{who}: {:?} is not an offered TLS 1.3 suite",
        sh.cipher_suite
    );
    assert_eq!(sh.compression_method, Compression::Null);
    let share = sh
        .key_share()
        .unwrap_or_else(|| panic!("{who}: no key_share"));
    assert_eq!(share.group, NamedGroup::X25519, "{who}");
    assert_eq!(share.key_exchange.len(), 32, "{who}");
    assert_ne!(
        share.key_exchange,
        x25519_share().key_exchange,
        "{who}: our own share"
    );
    // TLS 1.3 ServerHello carries only supported_versions, key_share (and pre_shared_key).
    assert!(
        sh.extensions().iter().all(|e| matches!(
            e.ext_type(),
            ExtensionType::SupportedVersions | ExtensionType::KeyShare
        )),
        "{who}: {:?}",
        sh.extensions
    );
    server.abandon(s);
}

/// Sends our TLS 1.3 ClientHello (x25519 share only) to a server that only accepts P-256 and
/// checks the HelloRetryRequest.
fn hello_retry_request(mut server: Server) {
    let who = server.peer.1.clone();
    let ch = tls13_client_hello();
    let (s, inbound) = server.exchange(&ch, Inbound::new(), |i| !i.handshakes().is_empty());
    let Some(Received::Handshake(hrr_bytes)) = inbound.got.first() else {
        panic!(
            "{who}: expected a HelloRetryRequest first: {:?}",
            inbound.got
        )
    };
    // legacy_version(2) then the random: the RFC 8446 s4.1.3 constant.
    assert_eq!(
        hrr_bytes.get(6..38),
        Some(&HELLO_RETRY_REQUEST_RANDOM.0[..]),
        "{who}: HRR random"
    );
    let msg = decode(hrr_bytes, ProtocolVersion::TLSv1_3);
    assert_eq!(
        msg.typ,
        HandshakeType::ServerHello,
        "HRR travels as a ServerHello"
    );
    let HandshakePayload::HelloRetryRequest(hrr) = msg.payload else {
        panic!("{who}: not a HelloRetryRequest: {:?}", msg.payload)
    };
    assert_eq!(hrr.legacy_version, ProtocolVersion::TLSv1_2, "{who}");
    assert_eq!(
        hrr.supported_version(),
        Some(ProtocolVersion::TLSv1_3),
        "{who}"
    );
    assert_eq!(
        hrr.requested_key_share_group(),
        Some(NamedGroup::secp256r1),
        "{who}"
    );
    assert_eq!(
        hrr.session_id.as_bytes(),
        &COMPAT_SESSION_ID[..],
        "{who}: session id echo"
    );
    assert!(
        ch.cipher_suites[..3].contains(&hrr.cipher_suite),
        "{who}: {:?}",
        hrr.cipher_suite
    );
    // Anything after the HRR can only be the compat ChangeCipherSpec.
    assert!(
        inbound.got[1..]
            .iter()
            .all(|r| *r == Received::ChangeCipherSpec),
        "{who}: {:?}",
        inbound.got
    );
    server.refuse(s);
}

#[test]
fn openssl_tls13_server_hello_decodes_and_reencodes() {
    let tag = "ossl13-sh";
    let dir = TempDir::new(tag);
    tls13_server_hello(openssl_server(&dir, tag, "ec", &[]));
}

#[test]
fn gnutls_tls13_server_hello_decodes_and_reencodes() {
    let tag = "gnutls13-sh";
    let dir = TempDir::new(tag);
    tls13_server_hello(gnutls_server(&dir, tag, "ec", "NORMAL", false));
}

#[test]
fn openssl_hello_retry_request_decodes_and_reencodes() {
    let tag = "ossl13-hrr";
    let dir = TempDir::new(tag);
    hello_retry_request(openssl_server(&dir, tag, "ec", &["-groups", "P-256"]));
}

#[test]
fn gnutls_hello_retry_request_decodes_and_reencodes() {
    let tag = "gnutls13-hrr";
    let dir = TempDir::new(tag);
    let priority = "NORMAL:-GROUP-ALL:+GROUP-SECP256R1";
    hello_retry_request(gnutls_server(&dir, tag, "ec", priority, false));
}

// ---------------------------------------------------------------------------------------------
// 4. A real ClientHello through any split of the stream
// ---------------------------------------------------------------------------------------------

/// Decodes the single ClientHello in `stream` after feeding it in `chunks`.
fn client_hello_through(stream: &[u8], chunks: &[usize]) -> HandshakeMessagePayload {
    let mut inbound = Inbound::new();
    let mut rest = stream;
    let mut sizes = chunks.iter().copied().cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(1).clamp(1, rest.len());
        inbound.feed(&rest[..n]);
        rest = &rest[n..];
    }
    assert!(inbound.deframer.is_empty() && inbound.joiner.is_empty());
    let [Received::Handshake(encoded)] = &inbound.got[..] else {
        panic!("expected exactly one message: {:?}", inbound.got)
    };
    decode(encoded, ProtocolVersion::TLSv1_2)
}

/// The ClientHello re-cut into records of the given payload sizes (cycled): a peer may
/// fragment a handshake message across records anywhere (RFC 8446 s5.1).
fn refragment(message: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = message;
    let mut sizes = sizes.iter().copied().cycle();
    while !rest.is_empty() {
        let n = sizes
            .next()
            .unwrap_or(1)
            .clamp(1, rest.len().min(MAX_PLAINTEXT));
        Fragment {
            typ: ContentType::Handshake,
            payload: &rest[..n],
        }
        .encode_plain(ProtocolVersion::TLSv1_0, &mut out);
        rest = &rest[n..];
    }
    out
}

#[test]
fn openssl_client_hello_survives_any_split_of_the_stream() {
    // Capture a real ClientHello stream exactly as OpenSSL wrote it.
    let tag = "ossl-split";
    let dir = TempDir::new(tag);
    let (l, port) = listener();
    let args = s_client_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut client = spawn_logged(&dir, tag, "openssl", &args);
    let mut s = accept(&l, &mut client);
    let mut stream = Vec::new();
    let mut inbound = Inbound::new();
    let done = read_chunks(&mut s, |bytes| {
        stream.extend_from_slice(bytes);
        inbound.feed(bytes);
        !inbound.handshakes().is_empty()
    });
    assert!(
        done,
        "{}: no ClientHello; received {:?}",
        client.1, inbound.got
    );
    refuse(s, &client, &log_path(&dir, tag), OPENSSL_ALERT);
    let message = inbound.handshakes()[0].to_vec();
    let reference = decode(&message, ProtocolVersion::TLSv1_2);
    assert_eq!(reference.typ, HandshakeType::ClientHello);

    // One byte at a time, as delivered by the slowest transport.
    assert_eq!(client_hello_through(&stream, &[1]), reference);
    // Every single split point.
    for at in 1..stream.len() {
        assert_eq!(
            client_hello_through(&stream, &[at, stream.len()]),
            reference,
            "split at {at}"
        );
    }
    // The message cut into one-byte records, then fed one byte at a time.
    assert_eq!(
        client_hello_through(&refragment(&message, &[1]), &[1]),
        reference
    );

    // Random transport splits of the original stream and of the message re-cut into records
    // of random sizes.
    proptest!(ProptestConfig::with_cases(256), |(
        chunks in proptest::collection::vec(1usize..200, 1..16),
        records in proptest::collection::vec(1usize..300, 1..8),
    )| {
        prop_assert_eq!(&client_hello_through(&stream, &chunks), &reference);
        let recut = refragment(&message, &records);
        prop_assert_eq!(&client_hello_through(&recut, &chunks), &reference);
    });
}
