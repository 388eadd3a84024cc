//! `sanstls verify` on the committed chains of vectors/pki/chains (made by its gen.sh with
//! openssl; the expected results are checked against `openssl verify` by
//! crates/sanstls-pki/tests/verify_chains.rs).

mod common;

use common::{run, sanstls, text, TempDir};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/chains/");

fn fixture(name: &str) -> String {
    format!("{DIR}{name}")
}

fn now() -> String {
    sanstls_test::fixtures::chains_now().to_string()
}

/// Runs `sanstls verify ARGS`: (status code, stdout, stderr).
fn verify(args: &[&str]) -> (i32, String, String) {
    let out = run(sanstls().arg("verify").args(args), b"");
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// `--ca rsa-root.pem --untrusted rsa-int.pem --at NOW` and `extra`, then CERT.
fn verify_rsa(extra: &[&str], cert: &str) -> (i32, String, String) {
    let (ca, int, now, cert) = (
        fixture("rsa-root.pem"),
        fixture("rsa-int.pem"),
        now(),
        fixture(cert),
    );
    let mut args = vec!["--ca", &ca, "--untrusted", &int, "--at", &now];
    args.extend_from_slice(extra);
    args.push(&cert);
    verify(&args)
}

#[test]
fn a_good_chain_prints_ok() {
    assert_eq!(
        verify_rsa(&[], "rsa-leaf.pem"),
        (0, "OK\n".into(), String::new())
    );
}

#[test]
fn intermediates_may_follow_the_certificate_in_its_file() {
    let dir = TempDir::new("cli");
    let chain = [fixture("rsa-leaf.pem"), fixture("rsa-int.pem")]
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect::<String>();
    std::fs::write(dir.path("chain.pem"), chain).unwrap();
    let (ca, now) = (fixture("rsa-root.pem"), now());
    let (code, out, _) = verify(&["--ca", &ca, "--at", &now, &dir.arg("chain.pem")]);
    assert_eq!((code, out.as_str()), (0, "OK\n"));
    // Without the intermediate, its issuer is missing.
    let (code, out, _) = verify(&["--ca", &ca, "--at", &now, &fixture("rsa-leaf.pem")]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate\n"
        )
    );
}

#[test]
fn failures_print_node_code_and_openssl_text() {
    assert_eq!(
        verify_rsa(&[], "expired.pem").1,
        "error: CERT_HAS_EXPIRED: certificate has expired\n"
    );
    assert_eq!(
        verify_rsa(&[], "not-yet-valid.pem").1,
        "error: CERT_NOT_YET_VALID: certificate is not yet valid\n"
    );
    assert_eq!(
        verify_rsa(&[], "client-only.pem"),
        (
            1,
            "error: INVALID_PURPOSE: unsuitable certificate purpose\n".into(),
            String::new()
        )
    );
}

#[test]
fn node_error_reports_what_node_reports() {
    let (ca, now) = (fixture("rsa-root.pem"), now());
    let lone = ["--ca", &ca, "--at", &now];
    let leaf = fixture("rsa-leaf.pem");
    assert_eq!(
        verify(&[&lone[..], &[&leaf]].concat()).1,
        "error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate\n"
    );
    assert_eq!(
        verify(&[&lone[..], &["--node-error", &leaf]].concat()).1,
        "error: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate\n"
    );
    // A name constraint violation has no Node name.
    let (nc_int, nc_leaf) = (fixture("nc-dn-int.pem"), fixture("nc-dn-permitted.pem"));
    let args = ["--ca", &ca, "--untrusted", &nc_int, "--at", &now];
    assert_eq!(
        verify(&[&args[..], &["--node-error", &nc_leaf]].concat()).1,
        "error: UNSPECIFIED: permitted subtree violation\n"
    );
    assert_eq!(
        verify(&[&args[..], &[&nc_leaf]].concat()).1,
        "error: PERMITTED_VIOLATION: permitted subtree violation\n"
    );
}

#[test]
fn purpose_client() {
    assert_eq!(verify_rsa(&["--purpose", "client"], "rsa-client.pem").0, 0);
    assert_eq!(
        verify_rsa(&["--purpose", "client"], "rsa-leaf.pem").1,
        "error: INVALID_PURPOSE: unsuitable certificate purpose\n"
    );
}

#[test]
fn crls_in_pem_and_der() {
    let (empty, revokes_der, root_crl) = (
        fixture("crl-empty.pem"),
        fixture("crl-revokes-leaf.der"),
        fixture("crl-root.pem"),
    );
    assert_eq!(
        verify_rsa(&["--crl", &empty, "--crl", &root_crl], "rsa-leaf.pem").1,
        "OK\n"
    );
    assert_eq!(
        verify_rsa(&["--crl", &root_crl, "--crl", &revokes_der], "rsa-leaf.pem").1,
        "error: CERT_REVOKED: certificate revoked\n"
    );
    // Like Node, every certificate of the chain needs its issuer's CRL: the root's CRL
    // alone leaves the end entity without one...
    assert_eq!(
        verify_rsa(&["--crl", &root_crl], "rsa-leaf.pem").1,
        "error: UNABLE_TO_GET_CRL: unable to get certificate CRL\n"
    );
    // ...and the intermediate's alone leaves the intermediate without one.
    assert_eq!(
        verify_rsa(&["--crl", &empty], "rsa-leaf.pem").1,
        "error: UNABLE_TO_GET_CRL: unable to get certificate CRL\n"
    );
}

#[test]
fn without_at_the_clock_is_read() {
    // expired.pem ended in 2021: expired on any day this test runs.
    let (ca, int) = (fixture("rsa-root.pem"), fixture("rsa-int.pem"));
    let (code, out, _) = verify(&["--ca", &ca, "--untrusted", &int, &fixture("expired.pem")]);
    assert_eq!(
        (code, out.as_str()),
        (1, "error: CERT_HAS_EXPIRED: certificate has expired\n")
    );
}

#[test]
fn without_ca_the_mozilla_roots_are_used() {
    // Our test root is not a Mozilla root.
    let (int, now) = (fixture("rsa-int.pem"), now());
    let (code, out, _) = verify(&["--untrusted", &int, "--at", &now, &fixture("rsa-leaf.pem")]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate\n"
        )
    );
}

#[test]
fn host_is_checked_like_node_once_the_chain_verifies() {
    assert_eq!(
        verify_rsa(&["--host", "WWW.example.com."], "rsa-leaf.pem"),
        (0, "OK\n".into(), String::new())
    );
    let (code, out, _) = verify_rsa(&["--host", "mail.example.com"], "rsa-leaf.pem");
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "error: ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's \
         altnames: Host: mail.example.com. is not in the cert's altnames: DNS:www.example.com\n"
    );
    // The chain comes first: an expired certificate is reported as such, whatever the name.
    let (code, out, _) = verify_rsa(&["--host", "mail.example.com"], "expired.pem");
    assert_eq!(code, 1);
    assert!(out.starts_with("error: CERT_HAS_EXPIRED"), "{out}");
}

#[test]
fn unusable_input_exits_2() {
    let (code, out, err) = verify(&["/nonexistent/cert.pem"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("sanstls: CERT /nonexistent/cert.pem: "),
        "{err}"
    );

    let dir = TempDir::new("cli");
    std::fs::write(
        dir.path("junk.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let (code, _, err) = verify(&[&dir.arg("junk.pem")]);
    assert_eq!(code, 2);
    assert!(err.contains("could not be parsed"), "{err}");
}

/// The instant the generated chains below are checked at (2026-09-21), inside their
/// validity (2026-01-01 to 2028-01-01).
const GENERATED_AT: &str = "1790000000";

/// Writes a CA (ca.pem) and a server certificate it issued (leaf.pem, with serverAuth and
/// an authority key identifier, so only its names differ from what any policy wants),
/// subject CN `cn`, subjectAltName `sans` (none when empty); returns their paths.
fn generated_chain(dir: &TempDir, cn: &str, sans: Vec<rcgen::SanType>) -> (String, String) {
    let c = sanstls_test::generated::ca_and_leaf(cn, sans);
    std::fs::write(dir.path("ca.pem"), c.ca_pem).unwrap();
    std::fs::write(dir.path("leaf.pem"), c.leaf_pem).unwrap();
    (dir.arg("ca.pem"), dir.arg("leaf.pem"))
}

/// `--ca CA --at GENERATED_AT --host HOST [--strict] LEAF`.
fn verify_host(ca: &str, leaf: &str, host: &str, strict: bool) -> (i32, String, String) {
    let mut args = vec!["--ca", ca, "--at", GENERATED_AT, "--host", host];
    if strict {
        args.push("--strict");
    }
    args.push(leaf);
    verify(&args)
}

#[test]
fn strict_reads_no_common_name() {
    let dir = TempDir::new("cli");
    let (ca, leaf) = generated_chain(&dir, "cn-only.example.com", Vec::new());
    // Node falls back to the CN when there is no subjectAltName.
    assert_eq!(
        verify_host(&ca, &leaf, "cn-only.example.com", false),
        (0, "OK\n".into(), String::new())
    );
    // The chain alone passes under the strict policy too...
    let (code, out, _) = verify(&["--ca", &ca, "--at", GENERATED_AT, "--strict", &leaf]);
    assert_eq!((code, out.as_str()), (0, "OK\n"));
    // ...but the name does not: the CN is not read.
    let (code, out, _) = verify_host(&ca, &leaf, "cn-only.example.com", true);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "error: ERR_TLS_CERT_ALTNAME_INVALID: the certificate has no subjectAltName; its \
         Common Name is not read (strict policy)\n"
    );
}

#[test]
fn strict_takes_no_ip_look_alike() {
    let dir = TempDir::new("cli");
    let loopback = rcgen::SanType::IpAddress([127, 0, 0, 1].into());
    let (ca, leaf) = generated_chain(&dir, "127.1", vec![loopback]);
    for strict in [false, true] {
        assert_eq!(
            verify_host(&ca, &leaf, "127.0.0.1", strict),
            (0, "OK\n".into(), String::new())
        );
    }
    for look_alike in ["127.1", "0x7f.0.0.1", "0177.0.0.1"] {
        let (code, out, _) = verify_host(&ca, &leaf, look_alike, true);
        assert_eq!(code, 1, "{look_alike}");
        assert_eq!(
            out,
            format!(
                "error: ERR_TLS_CERT_ALTNAME_INVALID: \"{look_alike}\" is neither an IP \
                 address nor a valid DNS name (strict policy)\n"
            )
        );
    }
    // Node takes `127.1` for a host name (it is not `net.isIP`) and, the certificate having
    // no DNS names, compares it with the CN, which says `127.1`.
    assert_eq!(
        verify_host(&ca, &leaf, "127.1", false),
        (0, "OK\n".into(), String::new())
    );
}
