//! `sanstls server --pfx / --key --passphrase` with the fixtures of `vectors/pki/keys`,
//! against `openssl s_client` verifying the chain against the fixture CA.

mod common;

use common::{run, sanstls, sanstls_server, text};

const PASS: &str = "test-only-pass";

fn fixture(name: &str) -> String {
    format!(
        "{}/../../vectors/pki/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `openssl s_client -connect ADDR` trusting the fixture CA, with ARGS; returns stdout.
fn s_client_verified(addr: &str, args: &[&str]) -> String {
    let ca = fixture("ca.crt");
    let verified = [
        "-servername",
        "localhost",
        "-verify_return_error",
        "-CAfile",
        &ca,
        "-ign_eof",
    ];
    let out = sanstls_test::peers::s_client(
        addr,
        &[&verified[..], args].concat(),
        b"GET / HTTP/1.0\r\n\r\n",
    );
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "s_client failed\nstdout: {stdout}\nstderr: {}",
        text(&out.stderr)
    );
    assert!(stdout.contains("Verify return code: 0 (ok)"), "{stdout}");
    stdout
}

/// The server's stderr when it refuses to start with ARGS.
fn refused(args: &[&str]) -> String {
    let out = run(sanstls().args(["server", "--port", "0"]).args(args), b"");
    assert!(!out.status.success(), "server started with {args:?}");
    text(&out.stderr)
}

#[test]
fn pfx_with_passphrase_serves_its_chain() {
    let pfx = fixture("rsa.p12");
    let server = sanstls_server(&["--pfx", &pfx, "--passphrase", PASS]);
    let out = s_client_verified(&server.addr(), &["-tls1_3", "-showcerts"]);
    assert!(out.contains("Server public key is 2048 bit"), "{out}");
    // The leaf and the CA from the PFX are both sent.
    assert!(out.contains("1 s:CN = sanstls keys test CA"), "{out}");
}

#[test]
fn legacy_pfx_and_an_encrypted_key_pair_together() {
    let pfx = fixture("rsa.legacy.p12");
    let cert = fixture("p256.crt");
    let key = fixture("p256.enc-aes128.pem");
    let server = sanstls_server(&[
        "--cert",
        &cert,
        "--key",
        &key,
        "--pfx",
        &pfx,
        "--passphrase",
        PASS,
    ]);
    // The client picks the certificate by the signature algorithms it offers.
    let ec = s_client_verified(&server.addr(), &["-tls1_3", "-sigalgs", "ECDSA+SHA256"]);
    assert!(ec.contains("Peer signature type: ECDSA"), "{ec}");
    let rsa = s_client_verified(&server.addr(), &["-tls1_2", "-sigalgs", "RSA-PSS+SHA256"]);
    assert!(rsa.contains("Peer signature type: RSA-PSS"), "{rsa}");
}

#[test]
fn traditional_encrypted_key() {
    let cert = fixture("rsa.crt");
    let key = fixture("rsa.trad-aes128.pem");
    let server = sanstls_server(&["--cert", &cert, "--key", &key, "--passphrase", PASS]);
    let out = s_client_verified(&server.addr(), &["-tls1_3"]);
    assert!(out.contains("Server public key is 2048 bit"), "{out}");
}

#[test]
fn key_and_pfx_errors_are_reported() {
    let pfx = fixture("rsa.p12");
    let err = refused(&["--pfx", &pfx, "--passphrase", "wrong"]);
    assert!(err.contains("MAC verify failure"), "{err}");
    let err = refused(&["--pfx", &pfx]);
    assert!(err.contains("MAC verify failure"), "{err}");

    let cert = fixture("rsa.crt");
    let key = fixture("rsa.enc-aes256.pem");
    let err = refused(&["--cert", &cert, "--key", &key]);
    assert!(err.contains("no passphrase was given"), "{err}");
    let err = refused(&["--cert", &cert, "--key", &key, "--passphrase", "wrong"]);
    assert!(err.contains("wrong passphrase"), "{err}");

    let other = fixture("p256.pk8.pem");
    let err = refused(&["--cert", &cert, "--key", &other]);
    assert!(err.contains("does not match the certificate"), "{err}");

    let dsa = fixture("dsa.pk8.pem");
    let err = refused(&["--cert", &cert, "--key", &dsa]);
    assert!(
        err.contains("unsupported key algorithm 1.2.840.10040.4.1"),
        "{err}"
    );
}
