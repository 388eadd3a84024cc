//! `createSecureContext` options (`honorCipherOrder`, `dhparam`, `ecdhCurve`,
//! `secureOptions`, versions, several keys and certificates, `minDHSize`) against Node 20:
//! the same server options in Node and in the facade, the same client (`openssl s_client`
//! or Node's `tls.connect`), the same outcome. Each test names the Node test it follows.
//! The tests that change process-wide defaults are in `node_defaults.rs`, their own process.

// Tests spawn processes and wait on the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::Write;
use std::process::Child;

use common::{first_line, node, Pki};
use sanstls_node::{
    connect, create_secure_context, create_server, ConnectOptions, SecureContextOptions,
    ServerOptions,
};
use sanstls_pki::keys::KeyInput;
use sanstls_test::openssl::run_openssl;
use sanstls_test::peers::s_client;
use serde_json::Value;

/// A script of `tests/node/`.
fn script(name: &str) -> String {
    let path = format!("{}/tests/node/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pair(p: &Pki) -> SecureContextOptions {
    SecureContextOptions {
        key: vec![KeyInput::new(p.key_pem.clone())],
        cert: vec![p.cert_pem.clone()],
        ..Default::default()
    }
}

/// The facade's server with `context`, answering "ok"; and its port.
fn facade_server(context: SecureContextOptions) -> (sanstls_node::Server, u16) {
    let mut server = create_server(
        ServerOptions {
            context,
            ..Default::default()
        },
        |mut s| {
            let _ = s.write_all(b"ok");
            let _ = s.end();
        },
    )
    .unwrap();
    let port = server.listen(0, "127.0.0.1").unwrap().port();
    (server, port)
}

/// Node's server with `p`'s key and certificate and the options `json`; and its port.
fn node_server(p: &Pki, json: &str) -> (Child, u16) {
    let mut child = node(
        &script("options_server.js"),
        &[&p.key_path(), &p.cert_path(), json],
    );
    let line = first_line(&mut child);
    let port = line
        .parse()
        .unwrap_or_else(|e| panic!("node server: {e}: {line:?}"));
    (child, port)
}

/// The lines of `openssl s_client` output that say what was negotiated.
fn negotiated(port: u16, args: &[&str]) -> Vec<String> {
    let out = s_client(&format!("127.0.0.1:{port}"), args, b"");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("Cipher is") || l.contains("Server Temp Key"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// `negotiated` against Node's server and the facade's, both given the same options.
fn both(p: &Pki, node_json: &str, ours: SecureContextOptions, args: &[&str]) -> [Vec<String>; 2] {
    let (mut child, node_port) = node_server(p, node_json);
    let theirs = negotiated(node_port, args);
    let _ = child.kill();
    let _ = child.wait();
    let (_server, port) = facade_server(ours);
    [theirs, negotiated(port, args)]
}

/// `tls.createSecureContext` in Node for each case of `cases` (JSON option objects, "@"
/// before a file name), as "ok" or {code, message}.
fn node_contexts(cases: &Value) -> Vec<Value> {
    let mut child = node(&script("create_context.js"), &[&cases.to_string()]);
    let line = first_line(&mut child);
    let _ = child.wait();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// The facade's answer in `node_contexts`' form.
fn ours(o: &SecureContextOptions) -> Value {
    match create_secure_context(o) {
        Ok(_) => Value::from("ok"),
        Err(e) => serde_json::json!({"code": e.code, "message": e.message}),
    }
}

const TWO_SUITES: &str = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256";

/// Follows Node's `test-tls-honorcipherorder.js`: a server's order wins by default and with
/// `honorCipherOrder: true`; with `false` the client's does, unless `secureOptions` has
/// `SSL_OP_CIPHER_SERVER_PREFERENCE`. Checked in TLS 1.2 and 1.3 with `s_client` offering
/// AES-128 first.
#[test]
fn honor_cipher_order_chooses_like_node() {
    let p = Pki::with_key("honor", "rsa", "localhost");
    let client12 = [
        "-tls1_2",
        "-cipher",
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
    ];
    let client13 = [
        "-tls1_3",
        "-ciphersuites",
        "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384",
    ];
    let server_pref = sanstls_node::constants::SSL_OP_CIPHER_SERVER_PREFERENCE;
    for (json, honor, options, client_wins) in [
        ("", None, 0, false),
        (",\"honorCipherOrder\":true", Some(true), 0, false),
        (",\"honorCipherOrder\":false", Some(false), 0, true),
        (
            &format!(",\"honorCipherOrder\":false,\"secureOptions\":{server_pref}"),
            Some(false),
            server_pref,
            false,
        ),
    ] {
        let node_json = format!("{{\"ciphers\":\"{TWO_SUITES}\"{json}}}");
        let ours = SecureContextOptions {
            ciphers: Some(TWO_SUITES.into()),
            honor_cipher_order: honor,
            secure_options: options,
            ..pair(&p)
        };
        let [theirs, mine] = both(&p, &node_json, ours.clone(), &client12);
        assert_eq!(theirs, mine, "{node_json}");
        let expect = match client_wins {
            true => "ECDHE-RSA-AES128-GCM-SHA256",
            false => "ECDHE-RSA-AES256-GCM-SHA384",
        };
        assert!(mine.iter().any(|l| l.ends_with(expect)), "{mine:?}");
        // TLS 1.3: the default suites, AES-256 first on the server.
        let [theirs, mine] = both(&p, &node_json, ours, &client13);
        assert_eq!(theirs, mine, "{node_json}");
    }
}

/// Follows Node's `test-tls-dhe.js`: DHE suites need `dhparam`; `'auto'` (Node 20) picks a
/// group as large as the RSA key's strength calls for (2048 bits for RSA-2048, 3072 for
/// RSA-3072), which `s_client` reports as the server's temporary key, as from Node.
#[test]
fn dhparam_auto_sizes_the_group_like_node() {
    let dhe = ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"];
    let p = Pki::with_key("dhe-auto", "rsa", "localhost");
    let auto = SecureContextOptions {
        dhparam: Some(b"auto".to_vec()),
        ..pair(&p)
    };
    let [theirs, mine] = both(&p, "{\"dhparam\":\"auto\"}", auto, &dhe);
    assert_eq!(theirs, mine);
    assert!(
        mine.contains(&"Server Temp Key: DH, 2048 bits".to_string()),
        "{mine:?}"
    );
    // Without dhparam no DHE suite is chosen, in Node and here.
    let [theirs, mine] = both(&p, "{}", pair(&p), &dhe);
    assert_eq!(theirs, mine);
    assert!(mine.iter().any(|l| l.contains("(NONE)")), "{mine:?}");

    // A 3072-bit RSA key: Node's openssl makes it, not the shared helper.
    let dir = sanstls_test::TempDir::new("dhe-auto-3072");
    let (key, cert) = (dir.path("k.pem"), dir.path("c.pem"));
    run_openssl(
        std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=localhost",
            ])
            .args(["-newkey", "rsa:3072", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert),
    );
    let ctx = create_secure_context(&SecureContextOptions {
        key: vec![KeyInput::new(std::fs::read(&key).unwrap())],
        cert: vec![std::fs::read(&cert).unwrap()],
        dhparam: Some(b"auto".to_vec()),
        ..Default::default()
    })
    .unwrap();
    let group = ctx.server_config().dh_params.unwrap();
    assert_eq!(group.bits(), 3072);
}

/// Follows the 512-bit case of Node's `test-tls-dhe.js`: parameters under 1024 bits are
/// refused when the context is made, with Node's code and message.
#[test]
fn small_dhparam_is_refused_like_node() {
    let dir = sanstls_test::TempDir::new("dh512");
    let file = dir.path("dh512.pem");
    run_openssl(
        std::process::Command::new("openssl")
            .args(["dhparam", "-out"])
            .arg(&file)
            .arg("512"),
    );
    let cases = serde_json::json!([{"dhparam": format!("@{}", file.display())}]);
    let theirs = node_contexts(&cases);
    let mine = ours(&SecureContextOptions {
        dhparam: Some(std::fs::read(&file).unwrap()),
        ..Default::default()
    });
    assert_eq!(theirs, [mine]);
}

/// Follows Node's `test-tls-ecdh-multiple.js` (and the unknown-curve check of
/// `test-tls-ecdh.js`'s neighbours): `ecdhCurve` takes OpenSSL's names, lists with spaces,
/// and refuses an unknown, repeated or empty name with Node's error. Names OpenSSL knows
/// for groups sanstls lacks are skipped here (Node would use them), so they are compared
/// only inside lists that keep a group we have.
#[test]
fn ecdh_curve_names_and_errors_match_node() {
    let names = [
        "auto",
        "X25519",
        "x25519",
        "P-256",
        "prime256v1",
        "secp256r1",
        "P-384",
        "secp384r1",
        "X25519:P-256:P-384",
        " X25519 : prime256v1",
        "secp256k1:prime256v1:secp521r1",
        "X448:x25519",
        "nope",
        "X25519:nope",
        "p-256",
        "SECP256R1",
        "auto:X25519",
        "X25519:",
        "X25519::P-256",
        "X25519:X25519",
        "prime256v1:P-256",
        "",
    ];
    let cases: Vec<Value> = names
        .iter()
        .map(|n| serde_json::json!({ "ecdhCurve": n }))
        .collect();
    let theirs = node_contexts(&Value::from(cases));
    for (name, theirs) in names.iter().zip(theirs) {
        let mine = ours(&SecureContextOptions {
            ecdh_curve: Some(name.to_string()),
            ..Default::default()
        });
        assert_eq!(theirs, mine, "ecdhCurve {name:?}");
    }
    // Only groups sanstls lacks: Node takes it, sanstls cannot serve it (documented).
    let e = create_secure_context(&SecureContextOptions {
        ecdh_curve: Some("X448".into()),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.code, "ERR_CRYPTO_OPERATION_FAILED");
}

/// Follows Node's `test-tls-ecdh-multiple.js` and `test-tls-ecdh-auto.js`: with several
/// curves (or `auto`) the server uses the one the client offers; a client offering none
/// of the server's fails, in Node and here.
#[test]
fn ecdh_curves_are_negotiated_like_node() {
    // RSA: in TLS 1.2 OpenSSL also holds an ECDSA certificate's curve to the client's
    // list, which is not what this test is about.
    let p = Pki::with_key("ecdh-multi", "rsa", "localhost");
    let list = "secp256k1:prime256v1:secp384r1";
    let ours = SecureContextOptions {
        ecdh_curve: Some(list.into()),
        ..pair(&p)
    };
    let json = format!("{{\"ecdhCurve\":\"{list}\"}}");
    for args in [
        &["-tls1_3", "-curves", "prime256v1"][..],
        &["-tls1_2", "-curves", "secp384r1"],
        &["-tls1_3", "-curves", "X25519"],
    ] {
        let [theirs, mine] = both(&p, &json, ours.clone(), args);
        assert_eq!(theirs, mine, "{args:?}");
    }
    let auto = SecureContextOptions {
        ecdh_curve: Some("auto".into()),
        ..pair(&p)
    };
    for curve in ["X25519", "prime256v1", "secp384r1"] {
        let [theirs, mine] = both(
            &p,
            "{\"ecdhCurve\":\"auto\"}",
            auto.clone(),
            &["-tls1_2", "-curves", curve],
        );
        assert_eq!(theirs, mine, "{curve}");
        assert!(
            mine.iter().any(|l| l.contains("Server Temp Key")),
            "{mine:?}"
        );
    }
}

/// `crypto.constants`' `SSL_OP_*` values are Node's, and every one of them (and
/// `SSL_OP_ALL`, and bits no constant names) is accepted by `createSecureContext`, as Node
/// accepts them.
#[test]
fn secure_options_take_every_bit_node_takes() {
    let mut child = node(&script("ssl_op_constants.js"), &[]);
    let line = first_line(&mut child);
    let _ = child.wait();
    let theirs: serde_json::Map<String, Value> = serde_json::from_str(&line).unwrap();
    let mine: serde_json::Map<String, Value> = sanstls_node::constants::SSL_OPTIONS
        .iter()
        .map(|(n, v)| (n.to_string(), Value::from(*v)))
        .collect();
    assert_eq!(theirs, mine);
    let mut values: Vec<u64> = sanstls_node::constants::SSL_OPTIONS
        .iter()
        .map(|(_, v)| *v)
        .collect();
    // NO_ANTI_REPLAY, which Node does not name; and everything but the version bits.
    values.push(0x0100_0000);
    values.push(
        u64::from(u32::MAX)
            & !(sanstls_node::constants::SSL_OP_NO_TLSv1_2
                | sanstls_node::constants::SSL_OP_NO_TLSv1_3),
    );
    let cases: Vec<Value> = values
        .iter()
        .map(|v| serde_json::json!({ "secureOptions": v }))
        .collect();
    let theirs = node_contexts(&Value::from(cases));
    for (v, theirs) in values.iter().zip(theirs) {
        let mine = ours(&SecureContextOptions {
            secure_options: *v,
            ..Default::default()
        });
        assert_eq!(theirs, mine, "secureOptions {v:#x}");
    }
}

/// Follows Node's `test-tls-min-max-version.js`: `minVersion`/`maxVersion` and the
/// `SSL_OP_NO_TLSv1_2/3` bits on a client give the protocol (or the error) Node's client
/// gets from the same Node server.
#[test]
fn client_versions_agree_with_node() {
    let p = Pki::new("versions", "localhost");
    let (mut server, port) = node_server(&p, "{\"minVersion\":\"TLSv1.2\"}");
    let no12 = sanstls_node::constants::SSL_OP_NO_TLSv1_2;
    let no13 = sanstls_node::constants::SSL_OP_NO_TLSv1_3;
    for (json, min, max, bits) in [
        ("{}", None, None, 0),
        ("{\"maxVersion\":\"TLSv1.2\"}", None, Some("TLSv1.2"), 0),
        ("{\"minVersion\":\"TLSv1.3\"}", Some("TLSv1.3"), None, 0),
        (&format!("{{\"secureOptions\":{no13}}}"), None, None, no13),
        (&format!("{{\"secureOptions\":{no12}}}"), None, None, no12),
    ] {
        let mut child = node(&script("version_client.js"), &[&port.to_string(), json]);
        let theirs: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
        let _ = child.wait();
        let mine = connect(&ConnectOptions {
            host: "127.0.0.1".into(),
            port,
            reject_unauthorized: false,
            context: SecureContextOptions {
                min_version: min.map(Into::into),
                max_version: max.map(Into::into),
                secure_options: bits,
                ..Default::default()
            },
            ..Default::default()
        })
        .map(|s| s.get_protocol().unwrap_or_default().to_string())
        .unwrap_or_else(|e| e.code);
        assert_eq!(theirs, Value::from(mine), "{json}");
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// The negotiated suite of a facade client offering only `cipher` (TLS 1.2).
fn cipher_with(port: u16, cipher: &str) -> String {
    let s = connect(&ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        reject_unauthorized: false,
        context: SecureContextOptions {
            ciphers: Some(cipher.into()),
            max_version: Some("TLSv1.2".into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    s.get_cipher().unwrap().name.to_string()
}

/// Follows Node's `test-tls-multi-key.js`: an RSA and an EC key with their certificates,
/// given in different orders, serve both an ECDSA-only and an RSA-only client.
#[test]
fn several_keys_pair_with_their_certificates_in_any_order() {
    let rsa = Pki::with_key("multi-rsa", "rsa", "localhost");
    let ec = Pki::new("multi-ec", "localhost");
    let (_server, port) = facade_server(SecureContextOptions {
        key: vec![
            KeyInput::new(rsa.key_pem.clone()),
            KeyInput::new(ec.key_pem.clone()),
        ],
        cert: vec![ec.cert_pem.clone(), rsa.cert_pem.clone()],
        ..Default::default()
    });
    for suite in [
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ] {
        assert_eq!(cipher_with(port, suite), suite);
    }
}

/// Follows Node's `test-tls-key-mismatch.js` and the pairing rules `test-tls-multi-key.js`
/// relies on: which combinations of keys and certificates Node accepts, and its error for
/// the others, case by case.
#[test]
fn key_and_certificate_pairing_matches_node() {
    let rsa = Pki::with_key("pair-rsa", "rsa", "localhost");
    let rsa2 = Pki::with_key("pair-rsa2", "rsa", "other");
    let ec = Pki::new("pair-ec", "localhost");
    let k = |p: &Pki| format!("@{}", p.key_path());
    let c = |p: &Pki| format!("@{}", p.cert_path());
    let cases: [(Vec<&Pki>, Vec<&Pki>); 8] = [
        (vec![&rsa, &ec], vec![&ec, &rsa]),
        (vec![&rsa2], vec![&rsa]),
        (vec![&rsa, &ec], vec![&rsa2]),
        (vec![&rsa, &rsa2], vec![&rsa2, &rsa]),
        (vec![&rsa2, &rsa], vec![&rsa2, &rsa]),
        (vec![&rsa, &ec], vec![&rsa]),
        (vec![&rsa], vec![&rsa, &ec]),
        (vec![&ec], vec![]),
    ];
    let json: Vec<Value> = cases
        .iter()
        .map(|(keys, certs)| {
            serde_json::json!({
                "key": keys.iter().map(|p| k(p)).collect::<Vec<_>>(),
                "cert": certs.iter().map(|p| c(p)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let theirs = node_contexts(&Value::from(json));
    for ((keys, certs), theirs) in cases.iter().zip(theirs) {
        let mine = ours(&SecureContextOptions {
            key: keys
                .iter()
                .map(|p| KeyInput::new(p.key_pem.clone()))
                .collect(),
            cert: certs.iter().map(|p| p.cert_pem.clone()).collect(),
            ..Default::default()
        });
        // Node's message is OpenSSL's error string; the code is what programs check.
        let code = |v: &Value| v.get("code").cloned().unwrap_or(v.clone());
        assert_eq!(
            code(&theirs),
            code(&mine),
            "{} keys, {} certs",
            keys.len(),
            certs.len()
        );
    }
}

/// Follows Node's `test-tls-multi-pfx.js`: two PKCS#12 files (RSA and EC, each with its
/// passphrase) serve both kinds of client.
#[test]
fn several_pfx_files_serve_both_key_types() {
    let rsa = Pki::with_key("pfx-rsa", "rsa", "localhost");
    let ec = Pki::new("pfx-ec", "localhost");
    let pfx = |p: &Pki| {
        let out = p.dir.path("id.pfx");
        run_openssl(
            std::process::Command::new("openssl")
                .args(["pkcs12", "-export", "-passout", "pass:sample", "-inkey"])
                .arg(p.key_path())
                .arg("-in")
                .arg(p.cert_path())
                .arg("-out")
                .arg(&out),
        );
        sanstls_pki::pkcs12::PfxInput::with_passphrase(std::fs::read(out).unwrap(), b"sample")
    };
    let (_server, port) = facade_server(SecureContextOptions {
        pfx: vec![pfx(&rsa), pfx(&ec)],
        ..Default::default()
    });
    for suite in [
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ] {
        assert_eq!(cipher_with(port, suite), suite);
    }
}

/// Follows Node's `test-tls-client-mindhsize.js`: a server's DH group below the client's
/// `minDHSize` ends the connection with `ERR_TLS_DH_PARAM_SIZE` and Node's message (which
/// says "less than 2048" whatever `minDHSize` is); at or above it the DHE suite is used. Node's client and ours, same server.
#[test]
fn min_dh_size_refusal_is_nodes_error() {
    let p = Pki::with_key("mindh", "rsa", "localhost");
    let dir = sanstls_test::TempDir::new("mindh-params");
    let params = sanstls_test::openssl::ffdhe2048_params(&dir);
    let (_server, port) = facade_server(SecureContextOptions {
        dhparam: Some(std::fs::read(params).unwrap()),
        ..pair(&p)
    });
    for min in [2048usize, 3072] {
        let mut child = node(
            &script("dh_client.js"),
            &[&port.to_string(), &min.to_string()],
        );
        let theirs: Value = serde_json::from_str(&first_line(&mut child)).unwrap();
        let _ = child.wait();
        let mine = match connect(&ConnectOptions {
            host: "127.0.0.1".into(),
            port,
            reject_unauthorized: false,
            min_dh_size: min,
            context: SecureContextOptions {
                max_version: Some("TLSv1.2".into()),
                ciphers: Some("DHE-RSA-AES128-GCM-SHA256".into()),
                ..Default::default()
            },
            ..Default::default()
        }) {
            Ok(s) => serde_json::json!({
                "cipher": s.get_cipher().unwrap().name,
                "dh": s.get_ephemeral_key_info().unwrap().size,
            }),
            Err(e) => serde_json::json!({"code": e.code, "message": e.message}),
        };
        assert_eq!(theirs, mine, "minDHSize {min}");
    }
}

/// `SSL_OP_NO_RENEGOTIATION` and `SSL_OP_NO_TICKET` are read into the context, for both
/// sides (the server applies them per connection).
#[test]
fn renegotiation_and_ticket_bits_reach_the_context() {
    use sanstls_node::constants::{SSL_OP_NO_RENEGOTIATION, SSL_OP_NO_TICKET};
    let ctx = create_secure_context(&SecureContextOptions {
        secure_options: SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET,
        ..Default::default()
    })
    .unwrap();
    assert!(ctx.no_renegotiation() && ctx.tickets_disabled());
    assert!(ctx.server_config().ticketer.is_none());
    let plain = create_secure_context(&SecureContextOptions::default()).unwrap();
    assert!(!plain.no_renegotiation() && plain.honor_cipher_order());
    // Clones share what was loaded; two contexts do not.
    assert!(sanstls_node::SecureContext::ptr_eq(&ctx, &ctx.clone()));
    assert!(!sanstls_node::SecureContext::ptr_eq(&ctx, &plain));
}
