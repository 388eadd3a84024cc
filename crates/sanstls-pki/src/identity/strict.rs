//! Host-name matching under [`crate::verify::Policy::Strict`]: RFC 6125 as the CA/Browser
//! Forum Baseline Requirements (BR) and browsers apply it, rather than Node's
//! `checkServerIdentity` ([`super`]).
//!
//! - Only the subjectAltName counts (RFC 6125 s6.4.4 lets a client fall back to the Common
//!   Name; BR s7.1.4.3 deprecates the CN and browsers no longer read it): a certificate
//!   without one names nothing.
//! - The reference name is an IP address only in its strict text form: IPv4 as four decimal
//!   octets without leading zeros, IPv6 as RFC 4291 s2.2 text (no zone, no brackets). An IP
//!   reference matches only iPAddress SANs, compared as bytes (RFC 6125 s1.7.2, RFC 5280
//!   s4.2.1.6); `::ffff:1.2.3.4` is an IPv6 address and does not match a 4-byte SAN.
//! - Anything else is a DNS name and must be a valid one (below), so the look-alikes that
//!   `inet_aton` and some resolvers read as addresses (`127.1`, `0x7f.0.0.1`, `010.0.0.1`)
//!   match nothing at all: they are neither addresses nor host names.
//! - A valid DNS name: ASCII letters, digits and hyphens (LDH, RFC 1123 s2.1), labels of 1
//!   to 63 bytes not starting or ending with a hyphen, at most 253 bytes, and a last label
//!   that is not all digits (RFC 3696 s2). One trailing dot of the reference is dropped;
//!   SAN entries may not have one. A U-label (non-ASCII) is no name: the reference must be
//!   given as A-labels (`xn--...`, RFC 5890), which compare as the ASCII they are. No
//!   underscores (BR s7.1.4.2.1 forbids them in dNSName since 2019).
//! - Names compare ASCII case-insensitively (RFC 6125 s6.4.1).
//! - A wildcard is only the whole leftmost label of a SAN (`*.example.com`, RFC 6125
//!   s6.4.3 and BR s3.2.2.6), stands for exactly one non-empty label, and is refused when
//!   the rest is a single label (`*.com`) or a public suffix of the Public Suffix List's
//!   ICANN section (`*.co.uk`): BR s3.2.2.6 and what browsers do. Suffixes of the list's
//!   private section (`*.github.io`) are accepted, as browsers accept them.
//!
//! | SAN               | reference         | Node | strict |
//! |-------------------|-------------------|------|--------|
//! | (none), CN `a.example` | `a.example`  | yes  | no (no CN fallback) |
//! | `*.example.com`   | `a.example.com`   | yes  | yes    |
//! | `*.example.com`   | `a.b.example.com` | no   | no (one label) |
//! | `f*.example.com`  | `foo.example.com` | yes  | no (partial wildcard) |
//! | `*.co.uk`         | `example.co.uk`   | yes  | no (public suffix) |
//! | `IP:127.0.0.1`    | `127.1`           | no   | no (not an address, not a DNS name) |
//! | `DNS:127.1`       | `127.1`           | no   | no (not a valid DNS name) |
//! | `DNS:0x7f.0.0.1`  | `0x7f.0.0.1`      | yes  | no (last label all digits) |
//! | `DNS:b\u{fc}cher.example` | `b\u{fc}cher.example` | — | no (U-label) |
//! | `DNS:a_b.example` | `a_b.example`     | yes  | no (underscore) |

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

/// The most bytes of a DNS name, without its trailing dot (RFC 1035 s2.3.4, less the
/// length octets).
const MAX_NAME: usize = 253;
/// The most bytes of one label (RFC 1035 s2.3.4).
const MAX_LABEL: usize = 63;

/// A name a client connected to, parsed under the strict rules.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReferenceName {
    /// An IP address in its strict text form.
    Ip(IpAddr),
    /// A valid DNS name of A-labels, lower-cased, without a trailing dot.
    Dns(String),
}

impl ReferenceName {
    /// Parses `name` as an IP address in its strict text form, else as a DNS name;
    /// `Err` when it is neither (the look-alikes `127.1`, `0x7f.0.0.1`, `010.0.0.1`, a
    /// U-label, an empty label...).
    pub fn parse(name: &str) -> Result<Self, StrictNameError> {
        if let Some(ip) = parse_ip(name) {
            return Ok(Self::Ip(ip));
        }
        let dns = name.strip_suffix('.').unwrap_or(name);
        if is_valid_dns_name(dns) {
            Ok(Self::Dns(dns.to_ascii_lowercase()))
        } else {
            Err(StrictNameError::InvalidReference(name.to_string()))
        }
    }

    /// Whether one subjectAltName entry names this reference.
    pub(crate) fn matches(&self, san: &GeneralName) -> bool {
        match (self, san) {
            (Self::Ip(ip), GeneralName::IpAddress(bytes)) => ip_bytes(ip) == bytes.as_bytes(),
            (Self::Dns(reference), GeneralName::DnsName(pattern)) => {
                dns_matches(reference, pattern.as_str())
            }
            _ => false,
        }
    }
}

/// Why a certificate does not name a reference under the strict rules.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StrictNameError {
    /// The reference is neither an IP address nor a valid DNS name.
    InvalidReference(String),
    /// The certificate has no subjectAltName extension (its CN is not read).
    NoSubjectAltName,
    /// No subjectAltName entry names the reference.
    NotInSubjectAltName(String),
    /// The certificate or its subjectAltName extension does not decode.
    Malformed(String),
}

impl StrictNameError {
    /// Node's code for a name the certificate is not valid for, which the TLS verifiers
    /// report for every variant.
    pub fn code(&self) -> &'static str {
        super::ERR_TLS_CERT_ALTNAME_INVALID
    }
}

impl fmt::Display for StrictNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidReference(name) => write!(
                f,
                "{name:?} is neither an IP address nor a valid DNS name (strict policy)"
            ),
            Self::NoSubjectAltName => f.write_str(
                "the certificate has no subjectAltName; its Common Name is not read (strict policy)",
            ),
            Self::NotInSubjectAltName(name) => write!(
                f,
                "{name} is not in the certificate's subjectAltName (strict policy)"
            ),
            Self::Malformed(e) => write!(f, "subjectAltName: {e}"),
        }
    }
}

impl std::error::Error for StrictNameError {}

/// Ok when the certificate `der` is valid for `reference` under the strict rules.
pub fn check_server_name(reference: &str, der: &[u8]) -> Result<(), StrictNameError> {
    let cert = Certificate::from_der(der).map_err(|e| StrictNameError::Malformed(e.to_string()))?;
    check_certificate(reference, &cert)
}

/// [`check_server_name`] on a decoded certificate.
pub(crate) fn check_certificate(
    reference: &str,
    cert: &Certificate,
) -> Result<(), StrictNameError> {
    let reference_name = ReferenceName::parse(reference)?;
    let san = cert
        .tbs_certificate()
        .get_extension::<SubjectAltName>()
        .map_err(|e| StrictNameError::Malformed(e.to_string()))?
        .ok_or(StrictNameError::NoSubjectAltName)?
        .1;
    if san.0.iter().any(|name| reference_name.matches(name)) {
        Ok(())
    } else {
        Err(StrictNameError::NotInSubjectAltName(reference.to_string()))
    }
}

/// An IPv4 address as four decimal octets without leading zeros, or an IPv6 address in
/// RFC 4291 s2.2 text; nothing else.
fn parse_ip(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        // std's parser takes exactly RFC 4291 s2.2 text (an embedded IPv4 part is held to
        // the rules below), no zone, no brackets.
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        let digits_only = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits_only || part.len() > 3 || (part.len() > 1 && part.starts_with('0')) {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

fn ip_bytes(ip: &IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

/// A valid DNS name of A-labels, without a trailing dot (see the module documentation).
fn is_valid_dns_name(name: &str) -> bool {
    if name.is_empty() || name.len() > MAX_NAME {
        return false;
    }
    let labels_ok = name.split('.').all(is_valid_label);
    let last_numeric = name
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    labels_ok && !last_numeric
}

fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whether the SAN dNSName `pattern` names `reference` (valid, lower-case, no trailing
/// dot).
fn dns_matches(reference: &str, pattern: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(base) => {
            if !is_valid_wildcard_base(base) {
                return false;
            }
            // The wildcard stands for exactly one label, which the reference has as valid.
            match reference.split_once('.') {
                Some((_, rest)) => rest.eq_ignore_ascii_case(base),
                None => false,
            }
        }
        None => is_valid_dns_name(pattern) && pattern.eq_ignore_ascii_case(reference),
    }
}

/// The part of a wildcard pattern after `*.`: a valid name of at least two labels that is
/// not a public suffix of the ICANN section of the Public Suffix List.
fn is_valid_wildcard_base(base: &str) -> bool {
    if !is_valid_dns_name(base) || !base.contains('.') {
        return false;
    }
    let lower = base.to_ascii_lowercase();
    match psl::suffix(lower.as_bytes()) {
        Some(suffix) => {
            let is_icann_suffix = suffix.is_known() && suffix.typ() == Some(psl::Type::Icann);
            !(is_icann_suffix && suffix.as_bytes().len() == lower.len())
        }
        None => true,
    }
}

#[cfg(test)]
#[path = "strict_test.rs"]
mod tests;
