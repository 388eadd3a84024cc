//! The rules [`super::Policy::Strict`] adds to path validation: RFC 5280's MUSTs and the CA/Browser
//! Forum Baseline Requirements that OpenSSL (so Node) does not enforce. Each rule has its own
//! error code; docs/verification.md lists them with their sources and fixtures
//! (vectors/pki/strict).
//!
//! Which certificates a rule reads:
//! - the end entity and the intermediates (the untrusted part of the path): every rule;
//! - trust anchors: only the rules that decide what an anchor lets through (its
//!   extendedKeyUsage, the form of its nameConstraints) and, for a self-signed root, the form
//!   of its authorityKeyIdentifier. An anchor is otherwise trusted as configured, as
//!   rustls-webpki does (it reads an anchor's subject, key and name constraints only): a
//!   strict verifier over the Mozilla set must not refuse an old root for its serial number.

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

use super::error::ErrorCode;
use super::parsed::ParsedCert;
use super::{Link, Purpose};

const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const POLICY_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.36");
const INHIBIT_ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.54");

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P192: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.1");
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

/// The smallest RSA modulus the Baseline Requirements (s6.1.5) allow.
const MIN_RSA_BITS: usize = 2048;
/// RFC 5280 s4.1.2.2: serial numbers are at most 20 octets.
const MAX_SERIAL_OCTETS: usize = 20;

/// Every strict failure of `path` (end entity first) with its depth, certificate by
/// certificate from the end entity up, each certificate's in the order of this function.
pub(super) fn errors(path: &[Link<'_>], purpose: Purpose) -> Vec<(ErrorCode, usize)> {
    let mut out = Vec::new();
    for (i, link) in path.iter().enumerate() {
        let cert = link.cert;
        let end_entity = i == 0;
        let mut fail = |code| out.push((code, i));
        if !link.trusted {
            untrusted_errors(cert, end_entity, &mut fail);
        }
        if end_entity {
            // A leaf must name the purpose itself: no EKU means "any" to OpenSSL, and the
            // Baseline Requirements (s7.1.2.7.10) require serverAuth or clientAuth. An EKU
            // without the purpose (anyExtendedKeyUsage alone included) is already
            // INVALID_PURPOSE under both policies.
            if cert.ext_key_usage.is_none() {
                fail(ErrorCode::StrictEkuMissing);
            }
        } else if cert
            .ext_key_usage
            .as_ref()
            .is_some_and(|eku| !eku.0.contains(&purpose.eku()))
        {
            // A CA's EKU constrains what it may issue for, trusted or not (OpenSSL checks
            // untrusted CAs only, and reports INVALID_PURPOSE first for them).
            fail(ErrorCode::StrictCaEku);
        }
        if link.trusted && cert.is_self_issued() && cert.authority_key_id_names_issuer {
            // Baseline Requirements s7.1.2.1.3: a root's AKI, if any, is a keyIdentifier.
            fail(ErrorCode::StrictRootAkiNotKeyId);
        }
        if let Some(nc) = &cert.name_constraints {
            if let Some(code) = name_constraints_form(nc) {
                fail(code);
            }
        }
    }
    out
}

/// The rules for a certificate of the untrusted part of the path.
fn untrusted_errors(cert: &ParsedCert, end_entity: bool, fail: &mut impl FnMut(ErrorCode)) {
    if cert.v1 {
        fail(ErrorCode::StrictVersion1);
    }
    if !serial_ok(&cert.serial) {
        fail(ErrorCode::StrictSerialNumber);
    }
    if weak_key(cert) {
        fail(ErrorCode::StrictWeakKey);
    }
    if end_entity {
        let ca = cert.basic_constraints.as_ref().is_some_and(|bc| bc.ca)
            || cert.key_usage.as_ref().is_some_and(|k| k.key_cert_sign());
        if ca {
            fail(ErrorCode::StrictEndEntityIsCa);
        }
    } else {
        // A missing basicConstraints is INVALID_CA under both policies already.
        if cert.criticality(BASIC_CONSTRAINTS) == Some(false) {
            fail(ErrorCode::StrictBasicConstraintsNotCritical);
        }
        if cert.subject_key_id.is_none() {
            fail(ErrorCode::StrictSkiMissing);
        }
    }
    // RFC 5280 s4.2.1.1: the AKI MAY be omitted only from self-signed certificates: same name
    // and signed with its own key. A key-rollover certificate (same name, signed by the old
    // key) is not excused. The signature is checked only for a same-name certificate without
    // an AKI, which path building takes for a self-signed top anyway (the
    // `rollover-without-aki` case of vectors/pki/strict).
    let self_signed = || cert.is_self_issued_name() && cert.signed.verified_by(&cert.spki);
    if !cert.has_authority_key_id && !self_signed() {
        fail(ErrorCode::StrictAkiMissing);
    }
    let san_critical = cert.criticality(SUBJECT_ALT_NAME);
    if cert.subject_is_empty {
        if san_critical != Some(true) {
            fail(ErrorCode::StrictEmptySubjectSanNotCritical);
        }
    } else if san_critical == Some(true) {
        fail(ErrorCode::StrictSanCriticalWithSubject);
    }
    let bad_dns = cert.subject_alt_names.iter().any(|n| match n {
        GeneralName::DnsName(d) => !dns_name_ok(d.as_str(), end_entity),
        _ => false,
    });
    if bad_dns {
        fail(ErrorCode::StrictInvalidDnsName);
    }
    // RFC 5280 s4.2.1.11 and s4.2.1.14: conforming CAs MUST mark both critical.
    if cert.criticality(POLICY_CONSTRAINTS) == Some(false) {
        fail(ErrorCode::StrictPolicyConstraintsNotCritical);
    }
    if cert.criticality(INHIBIT_ANY_POLICY) == Some(false) {
        fail(ErrorCode::StrictInhibitAnyPolicyNotCritical);
    }
}

/// RFC 5280 s4.1.2.2: a positive integer of at most 20 octets. The DER content octets of a
/// 20-octet value with its top bit set carry one leading zero more, which does not count.
fn serial_ok(content: &[u8]) -> bool {
    let negative = content.first().is_some_and(|b| b & 0x80 != 0);
    let value = match content {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    !negative && value.iter().any(|&b| b != 0) && value.len() <= MAX_SERIAL_OCTETS
}

/// Baseline Requirements s6.1.5: RSA of at least 2048 bits with a modulus a whole number of
/// bytes long, ECDSA on P-256, P-384 or P-521 (we refuse P-192, the weak curve OpenSSL still
/// accepts), no DSA. An RSA key we cannot read counts as weak.
fn weak_key(cert: &ParsedCert) -> bool {
    let alg = &cert.spki.algorithm;
    if alg.oid == RSA_ENCRYPTION || alg.oid == RSA_PSS {
        let Some(bytes) = cert.spki.subject_public_key.as_bytes() else {
            return true;
        };
        let Ok(key) = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(bytes) else {
            return true;
        };
        let bits = modulus_bits(key.modulus.as_bytes());
        return bits < MIN_RSA_BITS || !bits.is_multiple_of(8);
    }
    if alg.oid == EC_PUBLIC_KEY {
        let curve = alg
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        return curve == Some(P192);
    }
    alg.oid == DSA
}

/// The bit length of a big-endian unsigned integer (leading zero octets allowed).
fn modulus_bits(bytes: &[u8]) -> usize {
    let bytes = match bytes.iter().position(|&b| b != 0) {
        Some(start) => &bytes[start..],
        None => return 0,
    };
    let top = bytes.first().map_or(0, |&b| 8 - b.leading_zeros() as usize);
    (bytes.len() - 1) * 8 + top
}

/// RFC 5280 s4.2.1.6 wants dNSNames in the "preferred name syntax" of RFC 1034 s3.5 (letters,
/// digits, hyphens; labels of 1 to 63 octets not starting or ending with a hyphen), total
/// length at most 253, no leading or trailing dot. An end entity may have a wildcard as its
/// whole leftmost label (Baseline Requirements s7.1.2.7.12), above at least two labels.
fn dns_name_ok(name: &str, wildcard_allowed: bool) -> bool {
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let mut labels = name.split('.').peekable();
    if wildcard_allowed && labels.peek() == Some(&"*") {
        labels.next();
        if name.split('.').count() < 3 {
            return false;
        }
    }
    labels.all(|label| {
        let b = label.as_bytes();
        (1..=63).contains(&b.len())
            && b.first() != Some(&b'-')
            && b.last() != Some(&b'-')
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    })
}

/// Why `nc` cannot be honoured strictly, if it cannot: RFC 5280 s4.2.1.10 says a CA MUST NOT
/// issue an empty nameConstraints, minimum MUST be zero and maximum MUST be absent; and an
/// application that does not process a name form MUST reject the certificate rather than
/// ignore the constraint. We check DNS names, email addresses, IP addresses, URIs and
/// directory names (see the name_constraints module); the rest are unsupported.
fn name_constraints_form(nc: &NameConstraints) -> Option<ErrorCode> {
    let permitted = nc.permitted_subtrees.as_deref().unwrap_or_default();
    let excluded = nc.excluded_subtrees.as_deref().unwrap_or_default();
    if permitted.is_empty() && excluded.is_empty() {
        return Some(ErrorCode::StrictNameConstraintMalformed);
    }
    for subtree in permitted.iter().chain(excluded) {
        if subtree.minimum != 0 || subtree.maximum.is_some() {
            return Some(ErrorCode::StrictNameConstraintMalformed);
        }
        match &subtree.base {
            GeneralName::IpAddress(ip) => {
                if !ip_subtree_ok(ip.as_bytes()) {
                    return Some(ErrorCode::StrictNameConstraintMalformed);
                }
            }
            GeneralName::DnsName(_)
            | GeneralName::Rfc822Name(_)
            | GeneralName::UniformResourceIdentifier(_)
            | GeneralName::DirectoryName(_) => {}
            _ => return Some(ErrorCode::StrictNameConstraintUnsupported),
        }
    }
    None
}

/// An iPAddress subtree is an IPv4 or IPv6 address followed by a mask of the same length
/// (RFC 5280 s4.2.1.10), and the mask is a prefix: ones then zeros.
fn ip_subtree_ok(base: &[u8]) -> bool {
    if base.len() != 8 && base.len() != 32 {
        return false;
    }
    let mask = &base[base.len() / 2..];
    // The mask (32 or 128 bits) moved to the top of a u128: ones, then only zeros.
    let top = mask.iter().fold(0u128, |acc, &b| acc << 8 | u128::from(b)) << (128 - mask.len() * 8);
    let ones = top.leading_ones();
    ones == 128 || top << ones == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_table() {
        assert!(serial_ok(&[1]));
        assert!(serial_ok(&[0, 0x80]));
        assert!(serial_ok(&[0x7f; 20]));
        let mut twenty_high = vec![0];
        twenty_high.extend([0xff; 20]);
        assert!(serial_ok(&twenty_high));
        assert!(!serial_ok(&[0]));
        assert!(!serial_ok(&[]));
        assert!(!serial_ok(&[0xff]));
        assert!(!serial_ok(&[0x7f; 21]));
    }

    #[test]
    fn dns_name_table() {
        for ok in [
            "www.example.com",
            "a-b.example",
            "xn--bcher-kva.example",
            "1.example",
        ] {
            assert!(dns_name_ok(ok, false), "{ok}");
        }
        assert!(dns_name_ok("*.example.com", true));
        for bad in [
            "bad_name.example.com",
            "a..example.com",
            ".example.com",
            "example.com.",
            "-a.example",
            "a-.example",
            "",
            "*.example.com",
            "a b.example",
        ] {
            assert!(!dns_name_ok(bad, false), "{bad}");
        }
        assert!(!dns_name_ok("*.com", true));
        assert!(!dns_name_ok("www.*.example.com", true));
        assert!(!dns_name_ok(&format!("{}.example", "a".repeat(64)), false));
    }

    #[test]
    fn ip_subtree_table() {
        assert!(ip_subtree_ok(&[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(ip_subtree_ok(&[10, 1, 2, 3, 255, 255, 255, 255]));
        assert!(ip_subtree_ok(&[0, 0, 0, 0, 0, 0, 0, 0]));
        assert!(!ip_subtree_ok(&[10, 0, 0, 0, 255, 0, 255, 0]));
        assert!(!ip_subtree_ok(&[10, 0, 0, 0, 255]));
        let mut v6 = [0u8; 32];
        v6[16..20].fill(0xff);
        assert!(ip_subtree_ok(&v6));
    }

    #[test]
    fn modulus_bit_lengths() {
        assert_eq!(modulus_bits(&[0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0, 0x01, 0]), 9);
        assert_eq!(modulus_bits(&[]), 0);
    }
}
