use std::net::IpAddr;

use der::asn1::{Ia5String, OctetString};
use x509_cert::ext::pkix::name::GeneralName;

use proptest::prelude::*;

use super::{check_server_name, ReferenceName};

/// A SAN entry written as `DNS:name` or `IP:address`.
fn san(entry: &str) -> GeneralName {
    if let Some(dns) = entry.strip_prefix("DNS:") {
        GeneralName::DnsName(Ia5String::new(dns).unwrap())
    } else if let Some(ip) = entry.strip_prefix("IP:") {
        let bytes = match ip.parse::<IpAddr>().unwrap() {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        GeneralName::IpAddress(OctetString::new(bytes).unwrap())
    } else {
        panic!("bad SAN entry {entry}")
    }
}

fn matches(sans: &[&str], reference: &str) -> bool {
    match ReferenceName::parse(reference) {
        Ok(r) => sans.iter().any(|s| r.matches(&san(s))),
        Err(_) => false,
    }
}

/// (SAN set, reference, expected under the strict rules).
const TABLE: &[(&[&str], &str, bool)] = &[
    // Exact DNS names, case and one trailing dot of the reference.
    (&["DNS:example.com"], "example.com", true),
    (&["DNS:Example.COM"], "eXample.com", true),
    (&["DNS:example.com"], "example.com.", true),
    (&["DNS:example.com"], "example.com..", false),
    (&["DNS:example.com."], "example.com", false),
    (&["DNS:example.com"], "www.example.com", false),
    (&["DNS:www.example.com"], "example.com", false),
    (&["DNS:a.example", "DNS:b.example"], "b.example", true),
    // Invalid DNS names on either side.
    (&["DNS:a_b.example"], "a_b.example", false),
    (&["DNS:-a.example"], "-a.example", false),
    (&["DNS:a-.example"], "a-.example", false),
    (&["DNS:a..example"], "a..example", false),
    (&["DNS:.example"], ".example", false),
    (&["DNS:a b.example"], "a b.example", false),
    (&["DNS:example.123"], "example.123", false),
    (&["DNS:123.example"], "123.example", true),
    (&["DNS:localhost"], "localhost", true),
    // U-labels are no names; A-labels compare as ASCII.
    (&["DNS:xn--bcher-kva.example"], "b\u{fc}cher.example", false),
    (
        &["DNS:xn--bcher-kva.example"],
        "XN--BCHER-KVA.example",
        true,
    ),
    (&["DNS:*.example"], "b\u{fc}cher.example", false),
    // Wildcards: the whole leftmost label, exactly one label, never over a public suffix.
    (&["DNS:*.example.com"], "a.example.com", true),
    (&["DNS:*.example.com"], "xn--bcher-kva.example.com", true),
    (&["DNS:*.Example.com"], "A.example.COM", true),
    (&["DNS:*.example.com"], "example.com", false),
    (&["DNS:*.example.com"], ".example.com", false),
    (&["DNS:*.example.com"], "a.b.example.com", false),
    (&["DNS:f*.example.com"], "foo.example.com", false),
    (&["DNS:*o.example.com"], "foo.example.com", false),
    (&["DNS:a.*.example.com"], "a.b.example.com", false),
    (&["DNS:*.*.example.com"], "a.b.example.com", false),
    (&["DNS:**.example.com"], "a.example.com", false),
    (&["DNS:*"], "example", false),
    (&["DNS:*.com"], "example.com", false),
    (&["DNS:*.co.uk"], "example.co.uk", false),
    (&["DNS:*.CO.UK"], "example.co.uk", false),
    (&["DNS:*.example.co.uk"], "a.example.co.uk", true),
    // `*.ck` is a wildcard rule of the list: every `x.ck` is a public suffix.
    (&["DNS:*.anything.ck"], "a.anything.ck", false),
    // The list's private section does not stop a wildcard, as in browsers.
    (&["DNS:*.github.io"], "a.github.io", true),
    // A TLD the list does not know is not a public suffix of two labels.
    (&["DNS:*.corp.internal"], "a.corp.internal", true),
    (&["DNS:*.internal"], "a.internal", false),
    // A wildcard reference is not a name.
    (&["DNS:*.example.com"], "*.example.com", false),
    // IP addresses: only iPAddress SANs, compared as addresses.
    (&["IP:127.0.0.1"], "127.0.0.1", true),
    (&["DNS:127.0.0.1"], "127.0.0.1", false),
    (&["IP:127.0.0.1"], "127.0.0.2", false),
    (&["IP:::1"], "::1", true),
    (&["IP:::1"], "0:0:0:0:0:0:0:1", true),
    (&["IP:2001:db8::1"], "2001:DB8:0::1", true),
    (&["IP:1.2.3.4"], "::ffff:1.2.3.4", false),
    (&["IP:::ffff:1.2.3.4"], "::ffff:1.2.3.4", true),
    (&["IP:::1"], "[::1]", false),
    (&["IP:fe80::1"], "fe80::1%eth0", false),
    (&["IP:::ffff:127.0.0.1"], "::ffff:127.0.0.01", false),
    (&["IP:::ffff:127.0.0.1"], "::ffff:127.1", false),
    (&["IP:::1"], "::00001", false),
    (&["IP:1:2:3:4:5:6:7:8"], "1:2:3:4:5:6:7:8:9", false),
    (&["IP:1:2:3:4:5:6:7:8"], "1:2:3:4:5:6:7:8", true),
    // Look-alikes of 127.0.0.1 are neither addresses nor DNS names.
    (&["IP:127.0.0.1"], "127.1", false),
    (&["DNS:127.1"], "127.1", false),
    (&["IP:127.0.0.1"], "0x7f.0.0.1", false),
    (&["DNS:0x7f.0.0.1"], "0x7f.0.0.1", false),
    (&["IP:127.0.0.1"], "0x7f000001", false),
    (&["IP:127.0.0.1"], "2130706433", false),
    (&["IP:8.0.0.1"], "010.0.0.1", false),
    (&["IP:10.0.0.1"], "010.0.0.1", false),
    (&["DNS:010.0.0.1"], "010.0.0.1", false),
    (&["IP:127.0.0.1"], "127.0.0.1.", false),
    (&["IP:127.0.0.1"], "127.000.000.001", false),
    (&["IP:1.2.3.4"], "1.2.3.4.5", false),
    (&["IP:1.2.3.4"], "256.2.3.4", false),
    (&["IP:1.2.3.4"], " 1.2.3.4", false),
    // An address is never matched against DNS names, a name never against addresses.
    (&["IP:1.2.3.4"], "example.com", false),
];

#[test]
fn table() {
    for (sans, reference, expected) in TABLE {
        assert_eq!(
            matches(sans, reference),
            *expected,
            "SAN {sans:?}, reference {reference:?}"
        );
    }
}

#[test]
fn reference_look_alikes_do_not_parse() {
    for name in [
        "127.1",
        "0x7f.0.0.1",
        "010.0.0.1",
        "0177.0.0.1",
        "1.2.3",
        "",
        ".",
        "a..b",
        "b\u{fc}cher.example",
        "a_b.example",
    ] {
        assert!(ReferenceName::parse(name).is_err(), "{name:?}");
    }
    assert_eq!(
        ReferenceName::parse("Example.COM.").unwrap(),
        ReferenceName::Dns("example.com".into())
    );
    let long_label = "a".repeat(64);
    assert!(ReferenceName::parse(&format!("{long_label}.example")).is_err());
    let long_name = ["a".repeat(63).as_str(); 4].join(".");
    assert_eq!(long_name.len(), 255);
    assert!(ReferenceName::parse(&long_name).is_err());
}

proptest! {
    /// Any reference name, and any bytes as a certificate, give an answer, never a panic.
    #[test]
    fn never_panics(reference in ".{0,80}", der in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = ReferenceName::parse(&reference);
        let _ = check_server_name(&reference, &der);
    }

    /// Wildcard patterns over any LDH-ish name give an answer, never a panic.
    #[test]
    fn wildcards_never_panic(base in "[a-z0-9.*-]{0,40}", reference in "[a-zA-Z0-9.*_-]{0,40}") {
        let pattern = format!("DNS:*.{base}");
        let _ = matches(&[pattern.as_str()], &reference);
    }
}
