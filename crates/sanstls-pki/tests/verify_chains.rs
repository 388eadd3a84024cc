//! The chain cases of vectors/pki/chains (cases.txt) through our verifier, rustls-webpki and
//! `openssl verify`.
//!
//! - `our_results_match_cases_txt`: every case gives the expected code and depth.
//! - `webpki_agrees_on_accept_and_reject`: rustls-webpki accepts the good chains and rejects
//!   the bad ones (its error kinds differ; cases it cannot judge are listed with reasons).
//! - `openssl_verify_agrees`: `openssl verify` at the same instant reports the same first
//!   error and depth (the ground truth for the order of checks). It runs the installed
//!   `openssl` command and fails if it is missing.

use std::process::Command;

use sanstls_pki::crl::Crl;
use sanstls_pki::pem;
use sanstls_pki::verify::{ErrorCode, Purpose, Verifier};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/chains/");

struct Case {
    name: String,
    cert: String,
    untrusted: Vec<String>,
    ca: Vec<String>,
    crls: Vec<String>,
    purpose: Purpose,
    code: String,
    depth: Option<usize>,
}

use sanstls_test::fixtures::list;

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(format!("{DIR}cases.txt")).unwrap();
    let cases: Vec<Case> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 8, "bad line {l:?}");
            Case {
                name: f[0].into(),
                cert: f[1].into(),
                untrusted: list(f[2]),
                ca: list(f[3]),
                crls: list(f[4]),
                purpose: match f[5] {
                    "server" => Purpose::ServerAuth,
                    "client" => Purpose::ClientAuth,
                    p => panic!("purpose {p}"),
                },
                code: f[6].into(),
                depth: f[7].parse().ok(),
            }
        })
        .collect();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    cases
}

fn now() -> u64 {
    sanstls_test::fixtures::chains_now()
}

fn ders(file: &str) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(format!("{DIR}{file}")).unwrap();
    pem::parse(&bytes)
        .unwrap()
        .into_iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| b.der)
        .collect()
}

fn all(files: &[String]) -> Vec<Vec<u8>> {
    files.iter().flat_map(|f| ders(f)).collect()
}

/// Our result: "OK" or the code, and the depth.
fn ours(case: &Case) -> (String, Option<usize>) {
    let crls = case
        .crls
        .iter()
        .flat_map(|f| Crl::parse_file(&std::fs::read(format!("{DIR}{f}")).unwrap()).unwrap())
        .collect();
    let verifier = Verifier::new(all(&case.ca)).unwrap().with_crls(crls);
    let leaf = ders(&case.cert).remove(0);
    let inter = all(&case.untrusted);
    let inter: Vec<&[u8]> = inter.iter().map(Vec::as_slice).collect();
    match verifier.verify(&leaf, &inter, now(), case.purpose) {
        Ok(chain) => {
            assert_eq!(chain.certificates()[0], leaf);
            ("OK".into(), None)
        }
        Err(e) => (e.code().into(), Some(e.depth())),
    }
}

#[test]
fn our_results_match_cases_txt() {
    let mut wrong = Vec::new();
    for case in cases() {
        let got = ours(&case);
        if got != (case.code.clone(), case.depth) {
            wrong.push(format!(
                "{}: expected {} at {:?}, got {} at {:?}",
                case.name, case.code, case.depth, got.0, got.1
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_error_code_of_the_issue_has_a_case() {
    let codes: Vec<String> = cases().into_iter().map(|c| c.code).collect();
    for code in [
        "OK",
        "CERT_HAS_EXPIRED",
        "CERT_NOT_YET_VALID",
        "DEPTH_ZERO_SELF_SIGNED_CERT",
        "SELF_SIGNED_CERT_IN_CHAIN",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        "UNABLE_TO_GET_ISSUER_CERT",
        "CERT_SIGNATURE_FAILURE",
        "CERT_REVOKED",
        "INVALID_CA",
        "PATH_LENGTH_EXCEEDED",
        "INVALID_PURPOSE",
        "UNABLE_TO_GET_CRL",
        "CRL_HAS_EXPIRED",
        "CRL_SIGNATURE_FAILURE",
        "PERMITTED_VIOLATION",
        "EXCLUDED_VIOLATION",
        "UNHANDLED_CRITICAL_EXTENSION",
        "CERT_CHAIN_TOO_LONG",
        "CRL_NOT_YET_VALID",
        "KEYUSAGE_NO_CRL_SIGN",
    ] {
        assert!(codes.iter().any(|c| c == code), "no case for {code}");
    }
}

/// Cases rustls-webpki cannot judge like OpenSSL, with the reason.
const WEBPKI_SKIPS: &[(&str, &str)] = &[
    ("crl-ok", "CRLs are not given to webpki"),
    ("crl-revoked", "CRLs are not given to webpki"),
    ("crl-revoked-der", "CRLs are not given to webpki"),
    ("crl-missing", "CRLs are not given to webpki"),
    ("crl-expired", "CRLs are not given to webpki"),
    ("crl-bad-signature", "CRLs are not given to webpki"),
    (
        "nc-cn-permitted",
        "webpki never treats the subject CN as a DNS name",
    ),
    (
        "nc-ok",
        "webpki rejects every rfc822Name and URI under such constraints (unsupported forms)",
    ),
    (
        "nc-dn-ok",
        "webpki rejects every name under directoryName constraints (unsupported form)",
    ),
    (
        "intermediate-anchor",
        "webpki accepts any trust anchor, self-signed or not (OpenSSL's partial chain)",
    ),
    ("crl-not-yet-valid", "CRLs are not given to webpki"),
    ("crl-current-wins", "CRLs are not given to webpki"),
    (
        "crl-missing-for-intermediate",
        "CRLs are not given to webpki",
    ),
    ("crl-issuer-without-crlsign", "CRLs are not given to webpki"),
    (
        "no-keycertsign",
        "webpki does not check the issuer's keyUsage for keyCertSign",
    ),
];

#[test]
fn webpki_agrees_on_accept_and_reject() {
    use rustls_pki_types::{CertificateDer, UnixTime};
    let mut wrong = Vec::new();
    for case in cases() {
        if WEBPKI_SKIPS.iter().any(|(n, _)| *n == case.name) {
            continue;
        }
        let anchors_der = all(&case.ca);
        let anchors: Vec<_> = anchors_der
            .iter()
            .map(|d| {
                webpki::anchor_from_trusted_cert(&CertificateDer::from(d.as_slice()))
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let leaf = CertificateDer::from(ders(&case.cert).remove(0));
        let inter: Vec<CertificateDer<'_>> = all(&case.untrusted)
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        let usage = match case.purpose {
            Purpose::ServerAuth => webpki::KeyUsage::server_auth(),
            Purpose::ClientAuth => webpki::KeyUsage::client_auth(),
        };
        let result = webpki::EndEntityCert::try_from(&leaf).and_then(|ee| {
            ee.verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                &inter,
                UnixTime::since_unix_epoch(std::time::Duration::from_secs(now())),
                usage,
                None,
                None,
            )
            .map(|_| ())
        });
        let accepted = result.is_ok();
        let ours_ok = ours(&case).0 == "OK";
        if accepted != (case.code == "OK") || ours_ok != accepted {
            wrong.push(format!(
                "{}: expected {}, webpki {:?}, ours {}",
                case.name,
                case.code,
                result,
                if ours_ok { "accepts" } else { "rejects" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Where `openssl verify` and we differ on purpose: (case, what openssl says, why).
const OPENSSL_DIVERGENCES: &[(&str, &str, &str)] = &[(
    "rsa-cross-signed",
    "error 20 at 1",
    "OpenSSL builds one path (through the cross-signed intermediate listed first) and does \
     not backtrack; we try the other issuer and reach the trusted root",
)];

/// OpenSSL's numeric code for a Node code name.
fn openssl_number(code: &str) -> u32 {
    use ErrorCode as E;
    [
        E::UnableToGetIssuerCert,
        E::UnableToGetCrl,
        E::CertSignatureFailure,
        E::CrlSignatureFailure,
        E::CertNotYetValid,
        E::CertHasExpired,
        E::CrlNotYetValid,
        E::CrlHasExpired,
        E::DepthZeroSelfSignedCert,
        E::SelfSignedCertInChain,
        E::UnableToGetIssuerCertLocally,
        E::UnableToVerifyLeafSignature,
        E::CertChainTooLong,
        E::CertRevoked,
        E::InvalidCa,
        E::PathLengthExceeded,
        E::InvalidPurpose,
        E::KeyUsageNoCrlSign,
        E::UnhandledCriticalExtension,
        E::PermittedViolation,
        E::ExcludedViolation,
    ]
    .iter()
    .find(|e| e.code() == code)
    .and_then(|e| e.openssl_number())
    .unwrap_or_else(|| panic!("no OpenSSL number for {code}"))
}

#[test]
fn openssl_verify_agrees() {
    let tmp = std::env::temp_dir().join(format!("sanstls-verify-chains-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut wrong = Vec::new();
    for case in cases() {
        let mut cmd = Command::new("openssl");
        cmd.current_dir(DIR).arg("verify");
        cmd.args(["-attime", &now().to_string(), "-verify_depth", "8"]);
        cmd.args([
            "-purpose",
            match case.purpose {
                Purpose::ServerAuth => "sslserver",
                Purpose::ClientAuth => "sslclient",
            },
        ]);
        let concat = |files: &[String], name: &str| {
            let path = tmp.join(format!("{}-{name}.pem", case.name));
            let text: String = files
                .iter()
                .map(|f| std::fs::read_to_string(format!("{DIR}{f}")).unwrap())
                .collect();
            std::fs::write(&path, text).unwrap();
            path
        };
        if !case.ca.is_empty() {
            cmd.arg("-CAfile").arg(concat(&case.ca, "ca"));
        }
        if !case.untrusted.is_empty() {
            cmd.arg("-untrusted")
                .arg(concat(&case.untrusted, "untrusted"));
        }
        if !case.crls.is_empty() {
            // Node's `crl` option checks the whole chain, as our default scope does.
            cmd.arg("-crl_check_all");
            for f in &case.crls {
                // openssl verify reads PEM CRLs only: convert DER ones.
                let crl = Crl::parse_file(&std::fs::read(format!("{DIR}{f}")).unwrap()).unwrap();
                let path = tmp.join(format!("{}-{f}.pem", case.name));
                let b64 = base64_lines(crl[0].der());
                std::fs::write(
                    &path,
                    format!("-----BEGIN X509 CRL-----\n{b64}-----END X509 CRL-----\n"),
                )
                .unwrap();
                cmd.arg("-CRLfile").arg(path);
            }
        }
        cmd.arg(&case.cert);
        let out = cmd
            .output()
            .expect("the `openssl` command must be installed to run this test");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // "error N at D depth lookup: TEXT": the first is where verification stops (openssl
        // verify goes on past some errors to list more).
        let first = text.lines().find_map(|l| {
            let rest = l.strip_prefix("error ")?;
            let (n, rest) = rest.split_once(" at ")?;
            let (d, _) = rest.split_once(" depth lookup: ")?;
            Some(format!("error {n} at {d}"))
        });
        let expected = case
            .depth
            .map(|d| format!("error {} at {d}", openssl_number(&case.code)));
        let openssl_says = first.clone().unwrap_or_else(|| "OK".into());
        if let Some((_, diverges, _)) = OPENSSL_DIVERGENCES.iter().find(|(n, ..)| *n == case.name) {
            if openssl_says != *diverges {
                wrong.push(format!(
                    "{}: known divergence changed: openssl now says {openssl_says}",
                    case.name
                ));
            }
            continue;
        }
        if first != expected || (expected.is_none() && !out.status.success()) {
            wrong.push(format!(
                "{}: cases.txt says {} {:?}, openssl says {openssl_says}\n{text}",
                case.name, case.code, case.depth
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn base64_lines(der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let b64 = Base64::encode_string(der);
    let mut out = String::new();
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out
}

#[test]
fn every_openssl_number_is_distinct() {
    // A wrong table would make openssl_verify_agrees compare the wrong codes.
    let mut seen = std::collections::HashSet::new();
    for code in ["CERT_HAS_EXPIRED", "INVALID_CA", "CERT_REVOKED"] {
        assert!(seen.insert(openssl_number(code)));
    }
    assert_eq!(openssl_number("CERT_HAS_EXPIRED"), 10);
}

/// ECDSA P-521 certificates (ring has none; checked with RustCrypto's p521): the bench
/// P-521 leaf, signed by its P-521 root with ecdsa-with-SHA512, verifies; one bit changed
/// in its signature, or in what it signs, is CERT_SIGNATURE_FAILURE at depth 0; and the
/// P-521 root does not verify the P-256 bench leaf.
#[test]
fn p521_signatures_with_sha512_verify_and_tampering_fails() {
    let p521 = sanstls_test::fixtures::bench("p521");
    // The bench certificates are valid for 100 years from when they were made (2026).
    let now = 1_900_000_000;
    let verifier = Verifier::new(vec![p521.ca.clone()]).unwrap();
    let chain = verifier
        .verify(&p521.leaf, &[], now, Purpose::ServerAuth)
        .unwrap();
    assert_eq!(chain.certificates().len(), 2);
    // The signature is the last field: flip a bit in its last byte (the S integer).
    let mut bad_signature = p521.leaf.clone();
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 1;
    // The serial number is in the signed part: INTEGER 2, right after the version
    // ([0] { INTEGER 2 }, which is v3).
    let mut bad_tbs = p521.leaf.clone();
    let serial = [0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x02];
    let at = bad_tbs.windows(8).position(|w| w == serial).unwrap();
    bad_tbs[at + 7] = 3;
    for bad in [bad_signature, bad_tbs] {
        let e = verifier
            .verify(&bad, &[], now, Purpose::ServerAuth)
            .unwrap_err();
        assert_eq!((e.code(), e.depth()), ("CERT_SIGNATURE_FAILURE", 0));
    }
    let other = sanstls_test::fixtures::bench("ecdsa");
    let e = verifier
        .verify(&other.leaf, &[], now, Purpose::ServerAuth)
        .unwrap_err();
    assert_ne!(e.code(), "OK");
}
