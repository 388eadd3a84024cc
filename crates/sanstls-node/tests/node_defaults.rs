//! Process-wide state: Node's assignable `tls.DEFAULT_*` / `CLIENT_RENEG_*` values and a
//! secure context shared by many connects. In their own test process, and one at a time
//! (each test holds `SERIAL`), since they change or count what every context sees.

// Tests spawn processes and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::process::Child;
use std::sync::Mutex;

use common::{first_line, node, Pki};
use sanstls::enums::ProtocolVersion;
use sanstls_node::{
    connect, create_secure_context, ConnectOptions, SecureContext, SecureContextOptions,
};
use sanstls_pki::keys::KeyInput;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn script(name: &str) -> String {
    let path = format!("{}/tests/node/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Node's server (`tests/node/options_server.js`) with `p` and the options `json`.
fn node_server(p: &Pki, json: &str) -> (Child, u16) {
    let mut child = node(
        &script("options_server.js"),
        &[&p.key_path(), &p.cert_path(), json],
    );
    let port = first_line(&mut child).parse().expect("node server port");
    (child, port)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// What a facade client with `context` negotiates with the server on `port`: the
/// protocol and suite, or the error code.
fn negotiate(port: u16, context: SecureContextOptions) -> String {
    match connect(&ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        reject_unauthorized: false,
        context,
        ..Default::default()
    }) {
        Ok(s) => format!(
            "{} {}",
            s.get_protocol().unwrap_or_default(),
            s.get_cipher().map(|c| c.name).unwrap_or_default()
        ),
        Err(e) => e.code,
    }
}

/// Follows Node's `test-tls-connect-secure-context.js`: `tls.connect({ secureContext })`
/// uses the context as made. Made once with a passphrase-protected client key, it serves
/// several connects without the key being loaded (decrypted) again, and the options the
/// context replaces are ignored, as in Node.
#[test]
fn a_secure_context_made_once_serves_many_connects() {
    let _g = serial();
    let server = Pki::new("shared-server", "localhost");
    let client = Pki::new("shared-client", "client");
    let encrypted = client.dir.path("enc-key.pem");
    sanstls_test::openssl::run_openssl(
        std::process::Command::new("openssl")
            .args(["pkey", "-aes256", "-passout", "pass:secret", "-in"])
            .arg(client.key_path())
            .arg("-out")
            .arg(&encrypted),
    );
    let json = format!(
        "{{\"requestCert\":true,\"rejectUnauthorized\":true,\"ca\":\"@{}\"}}",
        client.cert_path()
    );
    let (child, port) = node_server(&server, &json);

    let before = sanstls_node::context::keys_loaded();
    let shared = create_secure_context(&SecureContextOptions {
        key: vec![KeyInput::with_passphrase(
            std::fs::read(&encrypted).unwrap(),
            b"secret",
        )],
        cert: vec![client.cert_pem.clone()],
        ca: Some(vec![server.cert_pem.clone()]),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(sanstls_node::context::keys_loaded(), before + 1);
    for _ in 0..3 {
        let options = ConnectOptions {
            host: "127.0.0.1".into(),
            servername: Some("localhost".into()),
            port,
            secure_context: Some(shared.clone()),
            // Ignored: the shared context says what to trust and present.
            context: SecureContextOptions {
                ca: Some(vec![client.cert_pem.clone()]),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut s = connect(&options).unwrap();
        assert!(s.authorized(), "{:?}", s.authorization_error());
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut s, &mut answer).unwrap();
        assert_eq!(answer, "ok");
        assert!(SecureContext::ptr_eq(
            options.secure_context.as_ref().unwrap(),
            &shared
        ));
    }
    assert_eq!(sanstls_node::context::keys_loaded(), before + 1);
    stop(child);
}

/// Follows Node's `test-tls-cli-max-version-1.2.js` and `test-tls-cli-min-version-1.3.js`
/// (which set the defaults from the command line; a program may assign them too):
/// contexts made after the change use it, earlier ones keep theirs; Node's server then
/// negotiates accordingly.
#[test]
fn version_defaults_are_read_when_a_context_is_made() {
    let _g = serial();
    let p = Pki::new("defaults-versions", "localhost");
    let (child, port) = node_server(&p, "{}");
    let before = create_secure_context(&SecureContextOptions::default()).unwrap();

    sanstls_node::set_default_max_version("TLSv1.2").unwrap();
    assert_eq!(sanstls_node::default_max_version(), "TLSv1.2");
    let after = create_secure_context(&SecureContextOptions::default()).unwrap();
    assert_eq!(after.server_config().max_version, ProtocolVersion::TLSv1_2);
    assert_eq!(before.server_config().max_version, ProtocolVersion::TLSv1_3);
    assert!(negotiate(port, SecureContextOptions::default()).starts_with("TLSv1.2 "));
    // An option still overrides the default.
    let explicit = SecureContextOptions {
        max_version: Some("TLSv1.3".into()),
        ..Default::default()
    };
    assert!(negotiate(port, explicit).starts_with("TLSv1.3 "));
    sanstls_node::set_default_max_version(sanstls_node::DEFAULT_MAX_VERSION).unwrap();

    sanstls_node::set_default_min_version("TLSv1.3").unwrap();
    let only13 = SecureContextOptions {
        max_version: Some("TLSv1.2".into()),
        ..Default::default()
    };
    // min (default) above max (option): Node's error for an empty range here.
    assert_eq!(
        create_secure_context(&only13).unwrap_err().code,
        "ERR_TLS_INVALID_PROTOCOL_VERSION"
    );
    assert!(negotiate(port, SecureContextOptions::default()).starts_with("TLSv1.3 "));
    sanstls_node::set_default_min_version(sanstls_node::DEFAULT_MIN_VERSION).unwrap();

    // A refused value leaves the default as it was.
    assert!(sanstls_node::set_default_min_version("TLSv1.4").is_err());
    assert_eq!(sanstls_node::default_min_version(), "TLSv1.2");
    stop(child);
}

/// Follows the last case of Node's `test-tls-honorcipherorder.js`: assigning
/// `tls.DEFAULT_CIPHERS` changes what a client offers when it names no ciphers (and
/// `tls.DEFAULT_ECDH_CURVE` what it offers for key exchange).
#[test]
fn cipher_and_curve_defaults_are_read_when_a_context_is_made() {
    let _g = serial();
    let p = Pki::with_key("defaults-ciphers", "rsa", "localhost");
    let (child, port) = node_server(&p, "{}");
    // Node's server prefers AES-128 (its default list's order); a client offering only
    // AES-256 gets it.
    sanstls_node::ciphers::set_default_ciphers("ECDHE-RSA-AES256-GCM-SHA384").unwrap();
    let tls12 = || SecureContextOptions {
        max_version: Some("TLSv1.2".into()),
        ..Default::default()
    };
    assert_eq!(
        negotiate(port, tls12()),
        "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"
    );
    sanstls_node::ciphers::set_default_ciphers(sanstls_node::DEFAULT_CIPHERS).unwrap();
    assert_eq!(
        negotiate(port, tls12()),
        "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
    );

    sanstls_node::set_default_ecdh_curve("secp384r1").unwrap();
    let c = create_secure_context(&SecureContextOptions::default()).unwrap();
    assert_eq!(
        c.client_config().groups,
        [sanstls::enums::NamedGroup::secp384r1]
    );
    // That default, then P-521 and an RFC 7919 group as a TLS 1.3 key share, with Node's
    // server (OpenSSL 3.0's default groups have all three): Node's names and sizes.
    for (curve, kind, name, size) in [
        ("secp384r1", "ECDH", Some("secp384r1"), 384),
        ("P-521", "ECDH", Some("secp521r1"), 521),
        ("ffdhe2048", "DH", None, 2048),
    ] {
        sanstls_node::set_default_ecdh_curve(curve).unwrap();
        let s = connect(&ConnectOptions {
            host: "127.0.0.1".into(),
            port,
            reject_unauthorized: false,
            ..Default::default()
        })
        .unwrap();
        let info = s.get_ephemeral_key_info().unwrap();
        assert_eq!(
            (info.kind, info.name, info.size),
            (kind, name, Some(size)),
            "{curve}"
        );
    }
    sanstls_node::set_default_ecdh_curve(sanstls_node::DEFAULT_ECDH_CURVE).unwrap();
    let e = sanstls_node::set_default_ecdh_curve("nope").unwrap_err();
    assert_eq!(e.message, "Failed to set ECDH curve");
    stop(child);
}

/// Follows Node's `test-tls-client-renegotiation-limit.js` (which lowers
/// `tls.CLIENT_RENEG_LIMIT` and `CLIENT_RENEG_WINDOW`): servers made from contexts created
/// afterwards allow that many client renegotiations per window; earlier ones keep the
/// values they were made with.
#[test]
fn renegotiation_limits_are_read_when_a_context_is_made() {
    let _g = serial();
    let before = create_secure_context(&SecureContextOptions::default()).unwrap();
    sanstls_node::set_client_reneg_limit(1);
    sanstls_node::set_client_reneg_window(5);
    let after = create_secure_context(&SecureContextOptions::default()).unwrap();
    sanstls_node::set_client_reneg_limit(sanstls_node::CLIENT_RENEG_LIMIT as u32);
    sanstls_node::set_client_reneg_window(sanstls_node::CLIENT_RENEG_WINDOW);
    let limits = after.server_config().limits;
    assert_eq!(limits.max_client_renegotiations, 1);
    assert_eq!(
        limits.client_renegotiation_window,
        std::time::Duration::from_secs(5)
    );
    let limits = before.server_config().limits;
    assert_eq!(limits.max_client_renegotiations, 3);
    assert_eq!(
        limits.client_renegotiation_window,
        std::time::Duration::from_secs(600)
    );
}
