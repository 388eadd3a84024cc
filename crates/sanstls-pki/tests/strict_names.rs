//! The strict host-name check (`sanstls_pki::identity::strict`) against rustls-webpki's
//! (`EndEntityCert::verify_is_valid_for_subject_name`), on the certificates of
//! vectors/pki/certs and vectors/pki/chains and on certificates generated here with chosen
//! subjectAltNames, for reference names drawn from each certificate's names plus look-alikes.
//! Every disagreement must be one of [`KNOWN`], with its reason; an unexpected one, or a
//! known one that no longer happens, fails (as the x509-limbo harness of rustls-webpki does).

use std::collections::BTreeSet;
use std::net::IpAddr;

use rcgen::{CertificateParams, DnType, KeyPair, SanType};
use rustls_pki_types::{CertificateDer, ServerName};
use sanstls_pki::identity::strict::check_server_name;
use sanstls_test::fixtures;

/// (SAN entries of a generated certificate, or the fixture file, reference, ours, webpki's).
type Disagreement = (String, String, bool, bool);

fn webpki_accepts(der: &[u8], reference: &str) -> bool {
    let der = CertificateDer::from(der.to_vec());
    let Ok(ee) = webpki::EndEntityCert::try_from(&der) else {
        return false;
    };
    let Ok(name) = ServerName::try_from(reference) else {
        return false;
    };
    ee.verify_is_valid_for_subject_name(&name).is_ok()
}

/// The reference names tried on a certificate whose SAN holds `dns` and `ips` and whose
/// subject CN is `cn`: each name, its wildcard expansions, case and trailing-dot variants,
/// and the look-alikes.
fn references(dns: &[String], ips: &[IpAddr], cn: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in dns.iter().chain(cn) {
        out.insert(name.clone());
        out.insert(name.to_ascii_uppercase());
        out.insert(format!("{name}."));
        if let Some(base) = name.strip_prefix('*') {
            out.insert(format!("a{base}"));
            out.insert(format!("a.b{base}"));
            out.insert(base.trim_start_matches('.').to_string());
        }
        if let Some((_, rest)) = name.split_once('.') {
            out.insert(format!("x.{rest}"));
        }
    }
    for ip in ips {
        out.insert(ip.to_string());
        if let IpAddr::V4(v4) = ip {
            let [a, b, c, d] = v4.octets();
            out.insert(format!("::ffff:{a}.{b}.{c}.{d}"));
            out.insert(format!("0{a}.{b}.{c}.{d}"));
            out.insert(format!("0x{a:x}.{b}.{c}.{d}"));
            out.insert(u32::from(*v4).to_string());
            if b == 0 && c == 0 {
                out.insert(format!("{a}.{d}"));
            }
        }
    }
    for look_alike in [
        "127.1",
        "0x7f.0.0.1",
        "010.0.0.1",
        "127.0.0.1.",
        "[::1]",
        "localhost",
        "b\u{fc}cher.example",
        "xn--bcher-kva.example",
        "a.xn--bcher-kva.example",
    ] {
        out.insert(look_alike.to_string());
    }
    out
}

/// Compares both checks on `der` for every reference; returns the disagreements.
fn compare(label: &str, der: &[u8]) -> Vec<Disagreement> {
    let cert = sanstls_pki::cert::PeerCertificate::from_der(der).expect("fixture parses");
    let (dns, ips) = sans(der);
    let cn: Vec<String> = cert.common_names().to_vec();
    references(&dns, &ips, &cn)
        .into_iter()
        .filter_map(|reference| {
            let ours = check_server_name(&reference, der).is_ok();
            let theirs = webpki_accepts(der, &reference);
            (ours != theirs).then(|| (label.to_string(), reference, ours, theirs))
        })
        .collect()
}

/// The dNSName and iPAddress entries of a certificate's SAN.
fn sans(der: &[u8]) -> (Vec<String>, Vec<IpAddr>) {
    use der::Decode;
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;
    let cert = x509_cert::Certificate::from_der(der).unwrap();
    let Some((_, san)) = cert
        .tbs_certificate()
        .get_extension::<SubjectAltName>()
        .unwrap()
    else {
        return (Vec::new(), Vec::new());
    };
    let (mut dns, mut ips) = (Vec::new(), Vec::new());
    for name in san.0 {
        match name {
            GeneralName::DnsName(s) => dns.push(s.to_string()),
            GeneralName::IpAddress(b) => match b.as_bytes().len() {
                4 => ips.push(IpAddr::from(<[u8; 4]>::try_from(b.as_bytes()).unwrap())),
                16 => ips.push(IpAddr::from(<[u8; 16]>::try_from(b.as_bytes()).unwrap())),
                _ => {}
            },
            _ => {}
        }
    }
    (dns, ips)
}

/// A self-signed certificate with these SAN entries (`DNS:` / `IP:`; none: no SAN
/// extension) and subject CN `cn`.
fn generated(entries: &[&str], cn: &str) -> Vec<u8> {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.subject_alt_names = entries
        .iter()
        .map(|e| match e.strip_prefix("IP:") {
            Some(ip) => SanType::IpAddress(ip.parse().unwrap()),
            None => SanType::DnsName(e.strip_prefix("DNS:").unwrap().try_into().unwrap()),
        })
        .collect();
    let key = KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().der().to_vec()
}

/// The SAN sets of the generated certificates.
const GENERATED: &[&[&str]] = &[
    &[],
    &["DNS:example.com"],
    &["DNS:Example.COM"],
    &["DNS:example.com."],
    &["DNS:*.example.com"],
    &["DNS:f*.example.com"],
    &["DNS:*o.example.com"],
    &["DNS:a.*.example.com"],
    &["DNS:*.com"],
    &["DNS:*.co.uk"],
    &["DNS:*.example.co.uk"],
    &["DNS:*.github.io"],
    &["DNS:*.corp.internal"],
    &["DNS:a_b.example.com"],
    &["DNS:-a.example.com"],
    &["DNS:example.123"],
    &["DNS:xn--bcher-kva.example"],
    &["DNS:*.xn--bcher-kva.example"],
    &["DNS:127.0.0.1"],
    &["DNS:127.1"],
    &["DNS:0x7f.0.0.1"],
    &["DNS:010.0.0.1"],
    &["IP:127.0.0.1"],
    &["IP:10.0.0.1", "IP:8.0.0.1"],
    &["IP:::1"],
    &["IP:::ffff:127.0.0.1"],
    &["IP:2001:db8::1", "DNS:v6.example"],
];

/// The disagreements we expect, as (certificate, reference), each with why. Everything
/// here is a deliberate choice of the strict policy (docs/verification.md).
const KNOWN: &[(&str, &str, &str)] = &[
    // A wildcard over a public suffix: rustls-webpki does not read the Public Suffix List
    // (it only refuses a wildcard over a single label, `*.com`); BR s3.2.2.6 and browsers
    // refuse `*.co.uk`, and so do we.
    (PSL, "a.co.uk", PSL_WHY),
    (PSL, "x.co.uk", PSL_WHY),
    // Underscores: rustls-webpki (rustls-pki-types' DnsName) accepts them in names for
    // compatibility; BR s7.1.4.2.1 has forbidden them in dNSName since 2019, and the
    // strict policy refuses them on both sides.
    (UNDERSCORE, "a_b.example.com", UNDERSCORE_WHY),
    (UNDERSCORE, "A_B.EXAMPLE.COM", UNDERSCORE_WHY),
    (UNDERSCORE, "a_b.example.com.", UNDERSCORE_WHY),
    // Not a name-matching difference: rustls-webpki refuses to parse a certificate with an
    // unknown critical extension at all (`EndEntityCert::try_from`), so it matches no
    // name. Refusing that certificate is path validation's job (RFC 5280 s4.2; our chain
    // check reports UNHANDLED_CRITICAL_EXTENSION), which the TLS verifiers run before the
    // name check.
    (CRITICAL, "www.example.com", CRITICAL_WHY),
    (CRITICAL, "WWW.EXAMPLE.COM", CRITICAL_WHY),
    (CRITICAL, "www.example.com.", CRITICAL_WHY),
];
const PSL: &str = "[\"DNS:*.co.uk\"]";
const PSL_WHY: &str = "wildcard over a public suffix";
const UNDERSCORE: &str = "[\"DNS:a_b.example.com\"]";
const UNDERSCORE_WHY: &str = "underscore in a DNS name";
const CRITICAL: &str = "pki/chains/critical-ext.pem";
const CRITICAL_WHY: &str = "webpki does not parse the certificate";

#[test]
fn strict_names_agree_with_webpki_but_for_the_known_divergences() {
    let mut found = Vec::new();
    for entries in GENERATED {
        let cn = "cn.example.com";
        found.extend(compare(&format!("{entries:?}"), &generated(entries, cn)));
    }
    for dir in ["pki/certs", "pki/chains"] {
        let path = fixtures::path(dir);
        let mut files: Vec<_> = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pem"))
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let Ok(mut certs) = sanstls_pki::cert::parse_certificates(&bytes) else {
                continue;
            };
            if certs.is_empty() {
                continue;
            }
            let leaf = certs.remove(0);
            let name = format!("{dir}/{}", file.file_name().unwrap().to_string_lossy());
            found.extend(compare(&name, &leaf));
        }
    }
    let mut unexpected = Vec::new();
    for d in &found {
        if !KNOWN.iter().any(|(c, r, _)| *c == d.0 && *r == d.1) {
            unexpected.push(d);
        }
    }
    for d in &unexpected {
        println!("{:?}, {:?}: ours {}, webpki {}", d.0, d.1, d.2, d.3);
    }
    let stale: Vec<_> = KNOWN
        .iter()
        .filter(|(c, r, _)| !found.iter().any(|d| d.0 == *c && d.1 == *r))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected disagreements, stale: {stale:?}",
        unexpected.len()
    );
}
