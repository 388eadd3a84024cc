//! Node's `tls.checkServerIdentity(hostname, cert)` on a [`PeerCertificate`].
//!
//! This follows Node's `lib/tls.js` step by step, including its error texts, rather than
//! RFC 6125 in the abstract, so that code ported from Node accepts and rejects the same
//! names:
//!
//! - One trailing dot of the host is dropped (`unfqdn`); host and names compare with only
//!   `A`-`Z` lower-cased.
//! - An IP host (Node's `net.isIP`: dotted-quad IPv4 without leading zeros, or IPv6 with
//!   an optional `%zone`) matches only `IP Address:` SANs, both sides canonicalised (so
//!   `::ffff:1.2.3.4` matches `IP Address:0:0:0:0:0:FFFF:102:304`); never DNS names or CN.
//! - Otherwise the `DNS:` SANs are tried; only when there are none, the subject CN(s).
//! - A name matches label by label with the same number of labels. Only the first label
//!   may hold a wildcard, only one, never in a punycode (`xn--`) label, and not in a name
//!   of two labels or fewer (`*.com`). Node lets the wildcard stand for part of the
//!   label (`f*.example.com` matches `foo.example.com`) and for an empty first label;
//!   so do we. Names with empty labels or characters outside `!`..`DEL` never match.
//!
//! | host              | name              | match |
//! |-------------------|-------------------|-------|
//! | `a.example.com`   | `*.example.com`   | yes   |
//! | `a.b.example.com` | `*.example.com`   | no (label count) |
//! | `example.com`     | `*.com`           | no (two labels) |
//! | `foo.example.com` | `f*.example.com`  | yes (as Node) |
//! | `xn--a.x.example` | `xn--*.x.example` | no (punycode label is literal) |
//! | `A.Example.COM.`  | `a.example.com`   | yes |
//! | `1.2.3.4`         | `DNS:1.2.3.4`     | no (IPs only match IP SANs) |

pub mod strict;

use core::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::cert::{IdentityNames, PeerCertificate};

/// Node's error code for a host that does not match the certificate.
pub const ERR_TLS_CERT_ALTNAME_INVALID: &str = "ERR_TLS_CERT_ALTNAME_INVALID";
/// Node's error code for a `subjectaltname` string whose quoted parts do not parse.
pub const ERR_TLS_CERT_ALTNAME_FORMAT: &str = "ERR_TLS_CERT_ALTNAME_FORMAT";

/// Why `checkServerIdentity` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// `ERR_TLS_CERT_ALTNAME_INVALID`: the host is not one the certificate names.
    AltNameInvalid {
        /// Node's `reason`, e.g. `Host: foo.example. is not in the cert's altnames: DNS:a.example`.
        reason: String,
        /// Node's `host`: the host without its trailing dot.
        host: String,
        /// Node's `cert`.
        cert: Box<PeerCertificate>,
    },
    /// `ERR_TLS_CERT_ALTNAME_FORMAT`: a quoted name in `subjectaltname` is not a valid JSON
    /// string (Node throws this rather than returning it).
    AltNameFormat,
}

impl IdentityError {
    /// Node's `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AltNameInvalid { .. } => ERR_TLS_CERT_ALTNAME_INVALID,
            Self::AltNameFormat => ERR_TLS_CERT_ALTNAME_FORMAT,
        }
    }

    /// Node's `reason`, for `ERR_TLS_CERT_ALTNAME_INVALID`.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::AltNameInvalid { reason, .. } => Some(reason),
            Self::AltNameFormat => None,
        }
    }
}

impl fmt::Display for IdentityError {
    /// Node's `message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AltNameInvalid { reason, .. } => {
                write!(
                    f,
                    "Hostname/IP does not match certificate's altnames: {reason}"
                )
            }
            Self::AltNameFormat => f.write_str("Invalid subject alternative name string"),
        }
    }
}

impl std::error::Error for IdentityError {}

/// `tls.checkServerIdentity(hostname, cert)`: Ok when `cert` is issued to `hostname`.
pub fn check_server_identity(hostname: &str, cert: &PeerCertificate) -> Result<(), IdentityError> {
    check_names(
        hostname,
        cert.subjectaltname.as_deref(),
        cert.common_names(),
    )
    .map_err(|e| e.with_cert(|| cert.clone()))
}

/// [`check_server_identity`] on names already read from `der` (a TLS client reads only
/// them on every handshake); the whole certificate object is built only for the error
/// (Node's `err.cert`).
pub(crate) fn check_identity_names(
    hostname: &str,
    names: &IdentityNames,
    der: &[u8],
) -> Result<(), CheckFailure> {
    check_names(
        hostname,
        names.subjectaltname.as_deref(),
        names.common_names(),
    )
    .map_err(|e| match PeerCertificate::from_der(der) {
        Ok(cert) => CheckFailure::Identity(e.with_cert(|| cert)),
        Err(e) => CheckFailure::Certificate(e),
    })
}

/// Why [`check_identity_names`] refused.
#[derive(Debug)]
pub(crate) enum CheckFailure {
    /// The certificate does not parse.
    Certificate(crate::cert::CertError),
    /// The host is not one it names.
    Identity(IdentityError),
}

/// A refusal before the certificate object is attached.
enum NamesError {
    Invalid { reason: String, host: String },
    Format,
}

impl NamesError {
    fn with_cert(self, cert: impl FnOnce() -> PeerCertificate) -> IdentityError {
        match self {
            Self::Invalid { reason, host } => IdentityError::AltNameInvalid {
                reason,
                host,
                cert: Box::new(cert()),
            },
            Self::Format => IdentityError::AltNameFormat,
        }
    }
}

/// Node's `checkServerIdentity` on a certificate's `subjectaltname` and `subject.CN`.
fn check_names(
    hostname: &str,
    subjectaltname: Option<&str>,
    cns: &[String],
) -> Result<(), NamesError> {
    let mut dns_names = Vec::new();
    let mut ips = Vec::new();
    let alt_names = subjectaltname.filter(|s| !s.is_empty());
    if let Some(alt) = alt_names {
        let split = if alt.contains('"') {
            split_escaped_alt_names(alt).ok_or(NamesError::Format)?
        } else {
            alt.split(", ").map(str::to_string).collect()
        };
        for name in split {
            if let Some(dns) = name.strip_prefix("DNS:") {
                dns_names.push(dns.to_string());
            } else if let Some(ip) = name.strip_prefix("IP Address:") {
                ips.push(canonicalize_ip(ip));
            }
        }
    }

    let hostname = unfqdn(hostname);
    let (valid, reason) = if is_ip(hostname) {
        let canonical = canonicalize_ip(hostname);
        let valid = canonical.is_some() && ips.contains(&canonical);
        let list: Vec<&str> = ips.iter().map(|ip| ip.as_deref().unwrap_or("")).collect();
        (
            valid,
            format!(
                "IP: {hostname} is not in the cert's list: {}",
                list.join(", ")
            ),
        )
    } else if !dns_names.is_empty() || cns.first().is_some_and(|cn| !cn.is_empty()) {
        let host_parts = split_host(hostname);
        if !dns_names.is_empty() {
            let valid = dns_names.iter().any(|n| check(&host_parts, n, true));
            (
                valid,
                format!(
                    "Host: {hostname}. is not in the cert's altnames: {}",
                    alt_names.unwrap_or("")
                ),
            )
        } else {
            let valid = cns.iter().any(|cn| check(&host_parts, cn, true));
            // `${cn}` of an array joins it with commas.
            (
                valid,
                format!("Host: {hostname}. is not cert's CN: {}", cns.join(",")),
            )
        }
    } else {
        (false, "Cert does not contain a DNS name".to_string())
    };
    match valid {
        true => Ok(()),
        false => Err(NamesError::Invalid {
            reason,
            host: hostname.to_string(),
        }),
    }
}

/// Node's `unfqdn`: one trailing dot removed.
fn unfqdn(host: &str) -> &str {
    host.strip_suffix('.').unwrap_or(host)
}

/// Node's `splitHost`: without the trailing dot, `A`-`Z` lower-cased, split at dots.
fn split_host(host: &str) -> Vec<String> {
    unfqdn(host)
        .split('.')
        .map(|p| p.chars().map(|c| c.to_ascii_lowercase()).collect())
        .collect()
}

/// Node's `check(hostParts, pattern, wildcards)`.
fn check(host_parts: &[String], pattern: &str, wildcards: bool) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let pattern_parts = split_host(pattern);
    if host_parts.len() != pattern_parts.len() {
        return false;
    }
    if pattern_parts.iter().any(String::is_empty) {
        return false;
    }
    // Control characters, blanks and anything outside ASCII never match.
    let is_bad = |s: &String| s.chars().any(|c| !('\u{21}'..='\u{7f}').contains(&c));
    if pattern_parts.iter().any(is_bad) {
        return false;
    }
    // Every label but the first must be equal.
    if host_parts.iter().skip(1).ne(pattern_parts.iter().skip(1)) {
        return false;
    }
    let (Some(host_sub), Some(pattern_sub)) = (host_parts.first(), pattern_parts.first()) else {
        return false;
    };
    let pieces: Vec<&str> = pattern_sub.split('*').collect();
    if pieces.len() == 1 || pattern_sub.contains("xn--") {
        return host_sub == pattern_sub;
    }
    if !wildcards || pieces.len() > 2 || pattern_parts.len() <= 2 {
        return false;
    }
    let [prefix, suffix] = pieces.as_slice() else {
        return false;
    };
    // Node compares lengths in UTF-16 code units.
    let utf16_len = |s: &str| s.encode_utf16().count();
    if utf16_len(prefix) + utf16_len(suffix) > utf16_len(host_sub) {
        return false;
    }
    host_sub.starts_with(prefix) && host_sub.ends_with(suffix)
}

/// Node's `splitEscapedAltNames`: `", "`-separated names where a `"` starts a JSON string
/// literal (which may hold commas); None when a literal does not parse.
fn split_escaped_alt_names(alt: &str) -> Option<Vec<String>> {
    let mut result = Vec::new();
    let mut current = String::new();
    let mut rest = alt;
    while !rest.is_empty() {
        let next_sep = rest.find(',');
        let next_quote = rest.find('"').filter(|&q| next_sep.is_none_or(|s| q < s));
        if let Some(q) = next_quote {
            current.push_str(rest.get(..q)?);
            let literal_len = json_string_literal_len(rest.get(q..)?)?;
            let literal = rest.get(q..q + literal_len)?;
            current.push_str(&serde_json::from_str::<String>(literal).ok()?);
            rest = rest.get(q + literal_len..)?;
        } else if let Some(s) = next_sep {
            current.push_str(rest.get(..s)?);
            result.push(core::mem::take(&mut current));
            // Node skips the separator and the character after it (the space).
            rest = rest.get(s + 1..).map(skip_one_char).unwrap_or("");
        } else {
            current.push_str(rest);
            rest = "";
        }
    }
    result.push(current);
    Some(result)
}

fn skip_one_char(s: &str) -> &str {
    let mut chars = s.chars();
    chars.next();
    chars.as_str()
}

/// The length of the JSON string literal at the start of `s` (Node's `jsonStringPattern`:
/// no raw control characters, only JSON's escapes), None if there is none.
fn json_string_literal_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *bytes.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = bytes.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

/// Node's `net.isIP(host) != 0`.
fn is_ip(host: &str) -> bool {
    is_ipv4(host) || is_ipv6(host)
}

/// Dotted quad, each part 0-255 without leading zeros.
fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|v| v <= 255)
        })
}

/// IPv6 text, optionally with a `%zone` of `[0-9a-zA-Z-.:]`.
fn is_ipv6(s: &str) -> bool {
    let (addr, zone) = match s.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (s, None),
    };
    if let Some(zone) = zone {
        let ok = !zone.is_empty()
            && zone
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'));
        if !ok {
            return false;
        }
    }
    // Node's pattern has no room for an IPv4 tail with leading zeros; std agrees.
    addr.parse::<Ipv6Addr>().is_ok()
}

/// Node's `canonicalizeIP` (libuv `inet_pton` then `inet_ntop`): None when not an address.
fn canonicalize_ip(s: &str) -> Option<String> {
    if let Ok(v4) = s.parse::<Ipv4Addr>() {
        return is_ipv4(s).then(|| v4.to_string());
    }
    // libuv drops a zone before parsing.
    let addr = s.split_once('%').map_or(s, |(a, _)| a);
    let v6 = addr.parse::<Ipv6Addr>().ok()?;
    Some(inet_ntop6(&v6))
}

/// libuv's `inet_ntop6`: the longest (first) run of two or more zero groups as `::`,
/// lower-case hex, and a dotted IPv4 tail for IPv4-compatible and -mapped addresses.
fn inet_ntop6(addr: &Ipv6Addr) -> String {
    let words = addr.segments();
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let (mut cur_base, mut cur_len) = (None::<usize>, 0usize);
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            if cur_base.is_none() {
                cur_base = Some(i);
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if let Some(base) = cur_base.take() {
            if best_base.is_none() || cur_len > best_len {
                best_base = Some(base);
                best_len = cur_len;
            }
        }
    }
    if let Some(base) = cur_base {
        if best_base.is_none() || cur_len > best_len {
            best_base = Some(base);
            best_len = cur_len;
        }
    }
    if best_len < 2 {
        best_base = None;
    }
    let in_best = |i: usize| best_base.is_some_and(|b| i >= b && i < b + best_len);
    let mut out = String::new();
    for (i, &w) in words.iter().enumerate() {
        if in_best(i) {
            if best_base == Some(i) {
                out.push(':');
            }
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6
            && best_base == Some(0)
            && (best_len == 6
                || (best_len == 7 && words[7] != 0x0001)
                || (best_len == 5 && words[5] == 0xffff))
        {
            let o = addr.octets();
            out.push_str(&format!("{}.{}.{}.{}", o[12], o[13], o[14], o[15]));
            return out;
        }
        out.push_str(&format!("{w:x}"));
    }
    if best_base.is_some_and(|b| b + best_len == words.len()) {
        out.push(':');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{NameObject, NameValue};

    /// The names-only path reads what the whole object holds, and decides the same, for
    /// every certificate in the fixtures (odd names, escapes, IP SANs, no SAN, v1).
    #[test]
    fn the_names_only_check_agrees_with_the_whole_object() {
        use der::Decode;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "pem") {
                continue;
            }
            let text = std::fs::read(&path).expect("read");
            for block in crate::pem::parse(&text).expect("pem") {
                if block.label != "CERTIFICATE" {
                    continue;
                }
                let whole = PeerCertificate::from_der(&block.der).expect("cert");
                let decoded = x509_cert::Certificate::from_der(&block.der).expect("cert");
                let names = IdentityNames::from_certificate(&decoded).expect("names");
                assert_eq!(names.subjectaltname, whole.subjectaltname, "{path:?}");
                assert_eq!(names.common_names(), whole.common_names(), "{path:?}");
                for host in [
                    "localhost",
                    "127.0.0.1",
                    "::1",
                    "a.example.test",
                    "www.example.com",
                    "odd.example.test",
                ] {
                    let light = check_identity_names(host, &names, &block.der);
                    let full = check_server_identity(host, &whole);
                    match (light, full) {
                        (Ok(()), Ok(())) => {}
                        (Err(CheckFailure::Identity(a)), Err(b)) => {
                            assert_eq!(a.to_string(), b.to_string(), "{path:?} {host}")
                        }
                        (a, b) => panic!("{path:?} {host}: {a:?} vs {b:?}"),
                    }
                }
                checked += 1;
            }
        }
        assert!(checked >= 20, "{checked}");
    }

    fn cert(cn: &[&str], san: Option<&str>) -> PeerCertificate {
        let der = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/pki/certs/rsa.der"
        ))
        .expect("fixture");
        let mut c = PeerCertificate::from_der(&der).expect("cert");
        c.subject = NameObject::default();
        match cn {
            [] => {}
            [one] => c
                .subject
                .entries
                .push(("CN".into(), NameValue::One(one.to_string()))),
            many => c.subject.entries.push((
                "CN".into(),
                NameValue::Many(many.iter().map(|s| s.to_string()).collect()),
            )),
        }
        c.subjectaltname = san.map(str::to_string);
        c
    }

    fn outcome(host: &str, c: &PeerCertificate) -> Result<(), String> {
        check_server_identity(host, c).map_err(|e| match e.reason() {
            Some(r) => r.to_string(),
            None => e.code().to_string(),
        })
    }

    #[test]
    fn dns_names_and_wildcards() {
        let san = "DNS:a.example.com, DNS:*.w.example.com, DNS:f*.p.example.com, DNS:*.com, DNS:xn--*.x.example";
        let c = cert(&["cn.example.com"], Some(san));
        let miss = |h: &str| Err(format!("Host: {h}. is not in the cert's altnames: {san}"));
        let table: &[(&str, Result<(), String>)] = &[
            ("a.example.com", Ok(())),
            ("A.EXAMPLE.com.", Ok(())),
            ("b.w.example.com", Ok(())),
            ("b.c.w.example.com", miss("b.c.w.example.com")),
            ("w.example.com", miss("w.example.com")),
            ("foo.p.example.com", Ok(())),
            ("bar.p.example.com", miss("bar.p.example.com")),
            ("example.com", miss("example.com")),
            ("xn--a.x.example", miss("xn--a.x.example")),
            // CN is ignored once there are DNS SANs.
            ("cn.example.com", miss("cn.example.com")),
            // Node drops one dot for the message and another one when splitting.
            ("a.example.com..", Ok(())),
            ("a.example.com...", miss("a.example.com..")),
        ];
        for (host, want) in table {
            assert_eq!(&outcome(host, &c), want, "{host}");
        }
    }

    #[test]
    fn ip_hosts_match_only_ip_sans() {
        let san = "DNS:1.2.3.4, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:102:304";
        let c = cert(&["127.0.0.2"], Some(san));
        let list = "127.0.0.1, ::1, ::ffff:1.2.3.4";
        assert_eq!(outcome("127.0.0.1", &c), Ok(()));
        assert_eq!(outcome("::1", &c), Ok(()));
        assert_eq!(outcome("0:0::1", &c), Ok(()));
        assert_eq!(outcome("::ffff:1.2.3.4", &c), Ok(()));
        assert_eq!(
            outcome("1.2.3.4", &c),
            Err(format!("IP: 1.2.3.4 is not in the cert's list: {list}"))
        );
        assert_eq!(
            outcome("127.0.0.2", &c),
            Err(format!("IP: 127.0.0.2 is not in the cert's list: {list}"))
        );
        // Not an IP for Node (leading zero): a host name, compared with DNS SANs.
        assert_eq!(
            outcome("127.0.0.01", &c),
            Err(format!(
                "Host: 127.0.0.01. is not in the cert's altnames: {san}"
            ))
        );
    }

    #[test]
    fn common_name_only_without_dns_sans() {
        let c = cert(&["*.example.com"], Some("IP Address:10.0.0.1"));
        assert_eq!(outcome("a.example.com", &c), Ok(()));
        assert_eq!(
            outcome("example.com", &c),
            Err("Host: example.com. is not cert's CN: *.example.com".into())
        );
        let two = cert(&["x.example", "y.example"], None);
        assert_eq!(outcome("y.example", &two), Ok(()));
        assert_eq!(
            outcome("z.example", &two),
            Err("Host: z.example. is not cert's CN: x.example,y.example".into())
        );
        // CN never matches an IP host.
        let ip_cn = cert(&["10.0.0.1"], None);
        assert_eq!(
            outcome("10.0.0.1", &ip_cn),
            Err("IP: 10.0.0.1 is not in the cert's list: ".into())
        );
        let none = cert(&[], Some("email:a@b.example"));
        assert_eq!(
            outcome("a.example", &none),
            Err("Cert does not contain a DNS name".into())
        );
    }

    #[test]
    fn escaped_alt_names() {
        let c = cert(
            &[],
            Some(r#"URI:"http://u.example/a\u002cb", DNS:"a\u002c.example", DNS:b.example"#),
        );
        assert_eq!(outcome("b.example", &c), Ok(()));
        let bad = cert(&[], Some(r#"DNS:"unterminated"#));
        assert_eq!(
            outcome("b.example", &bad),
            Err(ERR_TLS_CERT_ALTNAME_FORMAT.into())
        );
        assert_eq!(
            split_escaped_alt_names(r#"DNS:a, URI:"x\u002cy", DNS:b"#),
            Some(vec!["DNS:a".into(), "URI:x,y".into(), "DNS:b".into()])
        );
    }

    #[test]
    fn ip_text_as_node_and_libuv_read_it() {
        for ok in [
            "1.2.3.4",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1%eth0",
            "::ffff:1.2.3.4",
        ] {
            assert!(is_ip(ok), "{ok}");
        }
        for bad in [
            "1.2.3",
            "01.2.3.4",
            "256.1.1.1",
            "1.2.3.4.5",
            "fe80::1%",
            "::1%a b",
            "x",
        ] {
            assert!(!is_ip(bad), "{bad}");
        }
        let canon = |s: &str| canonicalize_ip(s).unwrap_or_default();
        assert_eq!(canon("0:0:0:0:0:0:0:1"), "::1");
        assert_eq!(canon("2001:DB8:0:0:1:0:0:ABCD"), "2001:db8::1:0:0:abcd");
        assert_eq!(canon("0:0:0:0:0:0:102:304"), "::1.2.3.4");
        assert_eq!(canon("1:0:0:0:0:0:0:0"), "1::");
        assert_eq!(canon("FE80:0:0:0:0:0:0:1"), "fe80::1");
        assert_eq!(canonicalize_ip("<invalid length=5>"), None);
    }

    proptest::proptest! {
        /// Whatever the host and the subjectaltname string, an answer and never a panic.
        #[test]
        fn arbitrary_hosts_and_alt_names_never_panic(
            host in "[a-z0-9.:*%\"\\, \u{e9}-]{0,30}",
            san in "(DNS:|IP Address:|URI:|\"|, |[a-z0-9.:*\\\"u, \u{e9}-]){0,20}",
            cn in "[a-z0-9.*\u{e9}]{0,12}",
        ) {
            let c = cert(&[cn.as_str()], Some(san.as_str()));
            let _ = check_server_identity(&host, &c);
            let _ = split_escaped_alt_names(&san);
            let _ = canonicalize_ip(&host);
        }
    }

    #[test]
    fn error_carries_node_fields() {
        let c = cert(&["x"], None);
        let e = check_server_identity("Y.example.", &c).expect_err("mismatch");
        assert_eq!(e.code(), "ERR_TLS_CERT_ALTNAME_INVALID");
        assert_eq!(
            e.to_string(),
            "Hostname/IP does not match certificate's altnames: Host: Y.example. is not cert's CN: x"
        );
        match e {
            IdentityError::AltNameInvalid { host, cert, .. } => {
                assert_eq!(host, "Y.example");
                assert_eq!(*cert, c);
            }
            IdentityError::AltNameFormat => panic!("wrong variant"),
        }
    }
}
