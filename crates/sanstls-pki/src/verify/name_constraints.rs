//! nameConstraints (RFC 5280 s4.2.1.10) for DNS names, email addresses and IP addresses,
//! matched the way OpenSSL 3.0 does (`NAME_CONSTRAINTS_check` and `_check_CN`).
//!
//! | constraint base   | matches                                  | does not match          |
//! |-------------------|------------------------------------------|-------------------------|
//! | DNS `example.com` | `example.com`, `a.b.example.com`         | `badexample.com`        |
//! | DNS `.example.com`| `a.example.com`                          | `example.com`           |
//! | email `a@x.org`   | `a@x.org`, `a@X.ORG`                      | `A@x.org`               |
//! | email `x.org`     | any mailbox at `x.org`                   | mailboxes at `y.x.org`  |
//! | email `.x.org`    | mailboxes at `y.x.org`                   | mailboxes at `x.org`    |
//! | IP `10.0.0.0/8`   | `10.1.2.3`                               | `11.0.0.1`, any IPv6    |
//!
//! | URI `.x.org`     | `https://www.x.org:8443/a`               | `https://x.org/`        |
//!
//! directoryName constraints apply to the subject (when not empty) and directoryName
//! subjectAltNames: a name is inside a subtree when the subtree's RDNs are its first RDNs
//! (compared in OpenSSL's canonical form, see the names module). otherName and the rarer
//! forms are not constrained here: a subtree of such a type neither permits nor excludes
//! anything (under `Policy::Strict` such a subtree refuses the chain instead: see the strict
//! module). A name of a type that has permitted
//! subtrees must match one of them; any name matching an excluded subtree fails. Permitted
//! is checked before excluded, name by name, as OpenSSL does.

use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

use super::error::ErrorCode;
use super::names::canonical;
use super::parsed::ParsedCert;

/// The most names times constraints one certificate is checked against one CA's
/// nameConstraints: OpenSSL's `NAME_CHECK_MAX` (2^20), so that a certificate with thousands of
/// names under a CA with thousands of constraints costs a refusal, not a million comparisons
/// per pair. Names are counted as OpenSSL counts them (subject attributes plus
/// subjectAltNames), so we refuse exactly the chains Node refuses, under both policies.
pub(crate) const NAME_CHECK_BUDGET: usize = 1 << 20;

/// One name of the certificate under test.
enum Name<'a> {
    Dns(&'a str),
    Email(&'a str),
    Ip(&'a [u8]),
    /// A canonical distinguished name.
    Dir(&'a [u8]),
    /// A URI (its host is what is constrained).
    Uri(&'a str),
}

/// Checks `cert`'s names against `nc`. `is_leaf` adds the subject commonName as a DNS name
/// when the certificate has no DNS subjectAltName and the CN looks like a host name (what
/// OpenSSL does for the end-entity certificate).
pub(crate) fn check(
    cert: &ParsedCert,
    is_leaf: bool,
    nc: &NameConstraints,
) -> Result<(), ErrorCode> {
    let permitted = nc.permitted_subtrees.as_deref().unwrap_or_default();
    let excluded = nc.excluded_subtrees.as_deref().unwrap_or_default();
    let name_count = cert
        .subject_attribute_count
        .saturating_add(cert.subject_alt_names.len());
    let constraint_count = permitted.len().saturating_add(excluded.len());
    if name_count.saturating_mul(constraint_count) > NAME_CHECK_BUDGET {
        return Err(ErrorCode::NameConstraintsBudget);
    }
    let mut names = Vec::new();
    for san in &cert.subject_alt_names {
        match san {
            GeneralName::DnsName(d) => names.push(Name::Dns(d.as_str())),
            GeneralName::Rfc822Name(e) => names.push(Name::Email(e.as_str())),
            GeneralName::IpAddress(ip) => names.push(Name::Ip(ip.as_bytes())),
            GeneralName::UniformResourceIdentifier(u) => names.push(Name::Uri(u.as_str())),
            _ => {}
        }
    }
    if !cert.subject_is_empty {
        names.push(Name::Dir(&cert.subject));
    }
    for d in &cert.alt_directory_names {
        names.push(Name::Dir(d));
    }
    for e in &cert.subject_emails {
        names.push(Name::Email(e));
    }
    let has_dns_san = cert
        .subject_alt_names
        .iter()
        .any(|n| matches!(n, GeneralName::DnsName(_)));
    if is_leaf && !has_dns_san {
        for cn in &cert.common_names {
            if looks_like_host_name(cn) {
                names.push(Name::Dns(cn));
            }
        }
    }
    for name in &names {
        let mut of_type = permitted.iter().filter_map(|s| matches(name, s)).peekable();
        if of_type.peek().is_some() && !of_type.any(|m| m) {
            return Err(ErrorCode::PermittedViolation);
        }
        if excluded.iter().any(|s| matches(name, s) == Some(true)) {
            return Err(ErrorCode::ExcludedViolation);
        }
    }
    Ok(())
}

/// `None` when the subtree is of another name type, else whether the name is inside it.
fn matches(name: &Name<'_>, subtree: &GeneralSubtree) -> Option<bool> {
    match (name, &subtree.base) {
        (Name::Dns(n), GeneralName::DnsName(base)) => Some(dns_matches(n, base.as_str())),
        (Name::Email(n), GeneralName::Rfc822Name(base)) => Some(email_matches(n, base.as_str())),
        (Name::Ip(ip), GeneralName::IpAddress(base)) => Some(ip_matches(ip, base.as_bytes())),
        (Name::Uri(uri), GeneralName::UniformResourceIdentifier(base)) => {
            Some(uri_matches(uri, base.as_str()))
        }
        (Name::Dir(dn), GeneralName::DirectoryName(base)) => {
            // A base we cannot encode matches nothing (so a permitted one fails closed).
            Some(canonical(base).is_ok_and(|b| dn.starts_with(&b)))
        }
        _ => None,
    }
}

fn dns_matches(name: &str, base: &str) -> bool {
    if base.is_empty() {
        return true;
    }
    let (name, base) = (name.as_bytes(), base.as_bytes());
    let Some(split) = name.len().checked_sub(base.len()) else {
        return false;
    };
    let (head, tail) = name.split_at(split);
    // A label boundary: either the constraint starts with '.', or the name has one there.
    if !head.is_empty() && base.first() != Some(&b'.') && head.last() != Some(&b'.') {
        return false;
    }
    tail.eq_ignore_ascii_case(base)
}

fn email_matches(name: &str, base: &str) -> bool {
    let Some((local, domain)) = name.rsplit_once('@') else {
        return false;
    };
    if let Some((base_local, base_domain)) = base.rsplit_once('@') {
        // A mailbox: the local part is case-sensitive, the domain is not.
        return local == base_local && domain.eq_ignore_ascii_case(base_domain);
    }
    if base.starts_with('.') {
        // Any host below the domain.
        return domain.len() > base.len()
            && domain
                .get(domain.len() - base.len()..)
                .is_some_and(|t| t.eq_ignore_ascii_case(base));
    }
    domain.eq_ignore_ascii_case(base)
}

/// OpenSSL's `nc_uri`: the host of `scheme://host[:port][/...]` equals the constraint, or
/// ends with it when it starts with '.'. A URI without a host matches nothing (OpenSSL
/// reports "unsupported name syntax" there; we report the subtree violation).
fn uri_matches(uri: &str, base: &str) -> bool {
    let Some((_, rest)) = uri.split_once("://") else {
        return false;
    };
    let end = rest
        .find(':')
        .or_else(|| rest.find('/'))
        .unwrap_or(rest.len());
    let Some(host) = rest.get(..end).filter(|h| !h.is_empty()) else {
        return false;
    };
    if base.starts_with('.') {
        return host.len() > base.len()
            && host
                .get(host.len() - base.len()..)
                .is_some_and(|t| t.eq_ignore_ascii_case(base));
    }
    host.eq_ignore_ascii_case(base)
}

fn ip_matches(ip: &[u8], base: &[u8]) -> bool {
    // The constraint is the address followed by the mask, each 4 (IPv4) or 16 (IPv6) bytes.
    if base.len() != ip.len() * 2 {
        return false;
    }
    let (addr, mask) = base.split_at(ip.len());
    ip.iter()
        .zip(addr)
        .zip(mask)
        .all(|((i, a), m)| i & m == a & m)
}

/// OpenSSL 3.0's `cn2dnsid` test (v3_ncons.c), character for character: letters, digits and
/// `_` anywhere (`_` is OpenSSL's deliberate deviation from DNS syntax, so `a_b.example.org`
/// is constrained); `-` and `.` not first or last; a `.` not next to another `.` or a `-`; and
/// at least one such `.` (a single label is not taken for a host name). Trailing NULs are
/// dropped first, as OpenSSL does; a CN with an embedded NUL is not a host name here, where
/// OpenSSL fails the chain (`X509_V_ERR_UNSUPPORTED_NAME_SYNTAX`).
fn looks_like_host_name(cn: &str) -> bool {
    let b = cn.trim_end_matches('\0').as_bytes();
    let mut dns = false;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_alphanumeric() || c == b'_' {
            continue;
        }
        let (prev, next) = match (i.checked_sub(1).and_then(|p| b.get(p)), b.get(i + 1)) {
            (Some(&p), Some(&n)) => (p, n),
            _ => return false,
        };
        if c == b'-' {
            continue;
        }
        if c == b'.' && next != b'.' && prev != b'-' && next != b'-' {
            dns = true;
            continue;
        }
        return false;
    }
    dns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_table() {
        assert!(dns_matches("example.com", "example.com"));
        assert!(dns_matches("a.b.example.com", "example.com"));
        assert!(dns_matches("WWW.Example.COM", "example.com"));
        assert!(!dns_matches("badexample.com", "example.com"));
        assert!(!dns_matches("com", "example.com"));
        assert!(dns_matches("a.example.com", ".example.com"));
        assert!(!dns_matches("example.com", ".example.com"));
        assert!(dns_matches("anything", ""));
    }

    #[test]
    fn email_table() {
        assert!(email_matches("a@x.org", "a@x.org"));
        assert!(email_matches("a@X.ORG", "a@x.org"));
        assert!(!email_matches("A@x.org", "a@x.org"));
        assert!(email_matches("b@x.org", "x.org"));
        assert!(!email_matches("b@y.x.org", "x.org"));
        assert!(email_matches("b@y.x.org", ".x.org"));
        assert!(!email_matches("b@x.org", ".x.org"));
        assert!(!email_matches("no-at-sign", "x.org"));
    }

    #[test]
    fn uri_table() {
        assert!(uri_matches("https://www.x.org/a", ".x.org"));
        assert!(uri_matches("https://WWW.X.ORG:8443/a", ".x.org"));
        assert!(!uri_matches("https://x.org/", ".x.org"));
        assert!(uri_matches("https://x.org/", "x.org"));
        assert!(!uri_matches("https://www.x.org/", "x.org"));
        assert!(!uri_matches("urn:isbn:123", "x.org"));
        assert!(!uri_matches("https:///path", "x.org"));
    }

    #[test]
    fn ip_table() {
        let ten = [10, 0, 0, 0, 255, 0, 0, 0];
        assert!(ip_matches(&[10, 1, 2, 3], &ten));
        assert!(!ip_matches(&[11, 0, 0, 1], &ten));
        assert!(!ip_matches(&[0u8; 16], &ten));
    }

    #[test]
    fn host_name_shapes() {
        assert!(looks_like_host_name("www.example.com"));
        assert!(!looks_like_host_name("localhost"));
        assert!(!looks_like_host_name("My Server"));
        assert!(!looks_like_host_name(".example.com"));
        // As OpenSSL's cn2dnsid: '_' is allowed; '-' and '.' only inside, never beside a '.'.
        assert!(looks_like_host_name("a_b.example.org"));
        assert!(looks_like_host_name("a-b.example.org\0"));
        assert!(!looks_like_host_name("-a.example.org"));
        assert!(!looks_like_host_name("a-.example.org"));
        assert!(!looks_like_host_name("a.-example.org"));
        assert!(!looks_like_host_name("a..example.org"));
        assert!(!looks_like_host_name("example.org."));
        assert!(!looks_like_host_name("a\0b.example.org"));
        assert!(!looks_like_host_name("\u{e9}t\u{e9}.example.org"));
    }
}
