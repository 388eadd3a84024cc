//! Cipher strings evaluated by us and by `openssl ciphers` (OpenSSL 3, the library Node
//! uses): the same TLS 1.2 suites in the same order, once OpenSSL's list is limited to the
//! suites sanstls implements.

use std::process::Command;

use sanstls::suites::{ALL_TLS12_SUITES, TLS12_PSK_SUITES};
use sanstls_node::ciphers::{parse, CipherStringError};

/// OpenSSL's TLS 1.2 list for `rules`, restricted to our suites; `None` when OpenSSL
/// finds no cipher at all.
fn openssl(rules: &str) -> Option<Vec<String>> {
    let out = Command::new("openssl")
        .args(["ciphers", "-tls1_2", rules])
        .output()
        .expect("openssl (.ci/run installs it)");
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.trim()
            .split(':')
            .filter(|n| {
                ALL_TLS12_SUITES
                    .iter()
                    .chain(TLS12_PSK_SUITES)
                    .any(|s| s.openssl_name == *n)
            })
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn same_suites_in_the_same_order_as_openssl() {
    let cases = [
        "HIGH",
        "ALL",
        "DEFAULT",
        "DEFAULT:!ECDSA",
        "HIGH:!aNULL:!MD5",
        "ECDHE:-ECDSA:CHACHA20",
        "ECDHE+AESGCM:DHE+AESGCM",
        "ECDHE+AESGCM:+AES256",
        "kEECDH+aRSA:kEDH+aRSA:!aNULL",
        "CHACHA20:AES128:AES256",
        "AES256:AES128:@STRENGTH",
        "HIGH:+AES256:@STRENGTH",
        "ALL:+CHACHA20:@STRENGTH",
        "ALL:-AES128:AES128",
        "ALL:!AES128:AES128",
        "EECDH:EDH:+aECDSA",
        "aECDSA:aRSA:-DHE:DHE",
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:HIGH",
        "AESGCM+ECDSA:CHACHA20+ECDHE",
        "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384,DHE-RSA-AES128-GCM-SHA256",
        "HIGH:@SECLEVEL=2",
        "CHACHA20:DEFAULT",
        sanstls_node::DEFAULT_CIPHERS,
        // The PSK suites and keywords.
        "PSK",
        "aPSK:@STRENGTH",
        "kPSK:kECDHEPSK:kDHEPSK",
        "PSK+AESGCM:PSK+CHACHA20",
        "HIGH:!PSK",
        "HIGH:-kPSK:kPSK",
        "ECDHE:PSK:-ECDSA",
        "FIPS",
        "PSK-AES128-GCM-SHA256:ECDHE-PSK-CHACHA20-POLY1305:DHE-PSK-AES256-GCM-SHA384",
    ];
    for rules in cases {
        // Our parse takes Node's full string; OpenSSL's cipher list is its TLS 1.2 part.
        let tls12_part: Vec<&str> = rules
            .split(':')
            .filter(|p| !p.starts_with("TLS_"))
            .collect();
        let want = openssl(&tls12_part.join(":")).unwrap_or_default();
        let got: Vec<String> = match parse(rules) {
            Ok(s) => s.tls12.iter().map(|c| c.openssl_name.to_string()).collect(),
            Err(CipherStringError::NoCipherMatch(_)) => Vec::new(),
            Err(e) => panic!("{rules}: {e}"),
        };
        assert_eq!(got, want, "{rules}");
    }
}

#[test]
fn strings_that_match_nothing_fail_like_openssl() {
    for rules in ["RC4", "CAMELLIA:!HIGH", "kRSA", "kRSAPSK", "ECDHEPSK"] {
        let ours = parse(rules);
        let theirs = openssl(rules);
        // OpenSSL may still find ciphers we lack; then ours is the empty list's error.
        assert!(
            matches!(ours, Err(CipherStringError::NoCipherMatch(_))),
            "{rules}: {ours:?}"
        );
        assert!(
            theirs.as_ref().is_none_or(|v| v.is_empty()),
            "{rules}: {theirs:?}"
        );
    }
}
