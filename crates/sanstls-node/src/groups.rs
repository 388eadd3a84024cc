//! Key exchange groups by OpenSSL's names: `ecdhCurve` (`SSL_CTX_set1_groups_list` as
//! Node 24 hands it to OpenSSL 3.5) and the names `getEphemeralKeyInfo()` reports.
//!
//! Node 24's OpenSSL reads a groups list more loosely than Node 20's did, and sanstls
//! follows the newer reading (checked against Node 24 in `tests/node_options.rs`): names
//! are matched without regard to case; a name given twice counts once; `DEFAULT` stands
//! for the default list; a name may carry the prefixes `?` (skip it if unknown), `-`
//! (remove it from what is listed so far) and `*` (in OpenSSL, send a key share for it),
//! each at most once; `/` separates OpenSSL's preference tuples as `:` separates names.
//!
//! Two parts of that syntax only shape the order here: sanstls reads the tuples as one
//! flat preference list, and its client sends key shares by the engine's rule (the first
//! group, and X25519 next to X25519MLKEM768) whatever `*` marks. A list that names no group
//! sanstls implements is refused when the context is made, where Node fails the handshake.

use sanstls::enums::NamedGroup;

use crate::error::TlsError;
use crate::info::EphemeralKeyInfo;

/// Every group OpenSSL 3.5 takes by name in a TLS groups list, with its code point when
/// sanstls can have it; a group's first name is the one OpenSSL 3.5 prints for it. Names with `None` are accepted and skipped (`SSL_CTX_set_ciphersuites`
/// skips suites it lacks the same way), so a list Node takes is not refused for them.
const NAMES: &[(&str, Option<u16>)] = &[
    ("X25519", Some(0x001d)),
    ("secp256r1", Some(0x0017)),
    ("P-256", Some(0x0017)),
    ("prime256v1", Some(0x0017)),
    ("secp384r1", Some(0x0018)),
    ("P-384", Some(0x0018)),
    ("secp521r1", Some(0x0019)),
    ("P-521", Some(0x0019)),
    ("X448", Some(0x001e)),
    ("ffdhe2048", Some(0x0100)),
    ("ffdhe3072", Some(0x0101)),
    ("ffdhe4096", Some(0x0102)),
    ("ffdhe6144", Some(0x0103)),
    ("ffdhe8192", Some(0x0104)),
    ("SecP256r1MLKEM768", Some(0x11eb)),
    ("X25519MLKEM768", Some(0x11ec)),
    ("SecP384r1MLKEM1024", Some(0x11ed)),
    // The pure ML-KEM groups (draft-connolly-tls-mlkem-key-agreement): not offered by
    // sanstls, which keeps a classical half in every post-quantum exchange.
    ("MLKEM512", None),
    ("MLKEM768", None),
    ("MLKEM1024", None),
    ("brainpoolP256r1", None),
    ("brainpoolP384r1", None),
    ("brainpoolP512r1", None),
    ("brainpoolP256r1tls13", None),
    ("brainpoolP384r1tls13", None),
    ("brainpoolP512r1tls13", None),
    ("secp160k1", None),
    ("secp160r1", None),
    ("secp160r2", None),
    ("secp192k1", None),
    ("secp192r1", None),
    ("prime192v1", None),
    ("P-192", None),
    ("secp224k1", None),
    ("secp224r1", None),
    ("P-224", None),
    ("secp256k1", None),
    ("sect163k1", None),
    ("K-163", None),
    ("sect163r1", None),
    ("sect163r2", None),
    ("B-163", None),
    ("sect193r1", None),
    ("sect193r2", None),
    ("sect233k1", None),
    ("K-233", None),
    ("sect233r1", None),
    ("B-233", None),
    ("sect239k1", None),
    ("sect283k1", None),
    ("K-283", None),
    ("sect283r1", None),
    ("B-283", None),
    ("sect409k1", None),
    ("K-409", None),
    ("sect409r1", None),
    ("B-409", None),
    ("sect571k1", None),
    ("K-571", None),
    ("sect571r1", None),
    ("B-571", None),
];

/// What a name in a groups list is.
enum Known {
    /// A group the engine implements.
    Ours(NamedGroup),
    /// A group OpenSSL has and sanstls does not: skipped.
    TheirsOnly,
}

fn lookup(name: &str) -> Option<Known> {
    let (_, code) = NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
    Some(match code.map(NamedGroup::from) {
        Some(g) if sanstls::crypto::kx::implemented(g) => Known::Ours(g),
        _ => Known::TheirsOnly,
    })
}

/// Node's error for an `ecdhCurve` OpenSSL refuses (`SSL_CTX_set1_curves_list` failing).
pub(crate) fn bad_curve() -> TlsError {
    TlsError::new("ERR_CRYPTO_OPERATION_FAILED", "Failed to set ECDH curve")
}

/// The groups `ecdhCurve: 'auto'` (and `DEFAULT` in a list) stands for: the engine's
/// defaults, post-quantum hybrid first, as Node 24's OpenSSL offers by default.
pub fn default_groups() -> Vec<NamedGroup> {
    sanstls::crypto::kx::DEFAULT_GROUPS.to_vec()
}

/// Reads `ecdhCurve`: `auto` (or nothing) for the defaults, or a groups list in OpenSSL
/// 3.5's syntax (see the module documentation), into the groups in preference order.
pub fn parse(spec: &str) -> Result<Vec<NamedGroup>, TlsError> {
    if spec.is_empty() || spec == "auto" {
        return Ok(default_groups());
    }
    let mut out: Vec<NamedGroup> = Vec::new();
    for token in spec.split([':', '/']).map(str::trim) {
        let (mut optional, mut remove, mut share) = (false, false, false);
        let mut name = token;
        while let Some(c) = name.chars().next().filter(|c| matches!(c, '?' | '-' | '*')) {
            let flag = match c {
                '?' => &mut optional,
                '-' => &mut remove,
                _ => &mut share,
            };
            if *flag {
                return Err(bad_curve());
            }
            *flag = true;
            name = &name[1..];
        }
        if name.is_empty() {
            return Err(bad_curve());
        }
        let groups = if name.eq_ignore_ascii_case("DEFAULT") {
            default_groups()
        } else {
            match lookup(name) {
                Some(Known::Ours(g)) => vec![g],
                Some(Known::TheirsOnly) => vec![],
                None if optional => vec![],
                None => return Err(bad_curve()),
            }
        };
        for g in groups {
            match remove {
                true => out.retain(|x| *x != g),
                false if !out.contains(&g) => out.push(g),
                false => {}
            }
        }
    }
    match out.is_empty() {
        true => Err(bad_curve()),
        false => Ok(out),
    }
}

/// OpenSSL 3.5's name for a group (`X25519MLKEM768`, `secp256r1`, `ffdhe2048`), as
/// `openssl s_client` prints the negotiated one.
pub fn name(g: NamedGroup) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(_, code)| code.map(NamedGroup::from) == Some(g))
        .map(|(name, _)| *name)
}

/// How `getEphemeralKeyInfo()` describes a group in Node 24: an elliptic curve by its
/// type, OpenSSL's name and Node's size in bits (the RFC 7919 groups are described by
/// [`crate::info::ephemeral_key_info`], as DH with their prime's size); a KEM (the
/// post-quantum hybrids) as a `TLSGroup` with a name and no size, because OpenSSL keeps no
/// peer key for it.
pub fn describe(g: NamedGroup) -> Option<EphemeralKeyInfo> {
    let ecdh = |name, size| ("ECDH", Some(name), Some(size));
    let (kind, name, size) = match g {
        NamedGroup::X25519 => ecdh("X25519", 253),
        NamedGroup::X448 => ecdh("X448", 448),
        NamedGroup::secp256r1 => ecdh("prime256v1", 256),
        NamedGroup::secp384r1 => ecdh("secp384r1", 384),
        NamedGroup::secp521r1 => ecdh("secp521r1", 521),
        g => ("TLSGroup", Some(name(g)?), None),
    };
    Some(EphemeralKeyInfo { kind, name, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_follow_openssl_3_5() {
        let x = NamedGroup::X25519;
        let p256 = NamedGroup::secp256r1;
        assert_eq!(parse("x25519:P-256").unwrap(), [x, p256]);
        assert_eq!(parse("PRIME256V1:x25519:p-256").unwrap(), [p256, x]);
        assert_eq!(parse("X25519 / P-256").unwrap(), [x, p256]);
        assert_eq!(parse("?nope:X25519").unwrap(), [x]);
        assert_eq!(parse("?*X25519").unwrap(), [x]);
        assert_eq!(parse("DEFAULT:-X25519MLKEM768").unwrap()[0], x);
        assert_eq!(parse("P-256:default").unwrap()[0], p256);
        assert_eq!(parse("auto").unwrap(), default_groups());
        for bad in [
            "nope",
            "X25519:",
            "::",
            "**X25519",
            "-nope:X25519",
            "AUTO",
            "?",
            "X25519 P-256",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().code,
                "ERR_CRYPTO_OPERATION_FAILED",
                "{bad}"
            );
        }
        // Known to OpenSSL, lacking here: skipped, and a list of nothing else is refused.
        assert_eq!(parse("brainpoolP256r1:X25519").unwrap(), [x]);
        assert!(parse("brainpoolP256r1").is_err());
    }

    #[test]
    fn hybrids_are_described_as_node_24_does() {
        let info = |kind, name, size| Some(EphemeralKeyInfo { kind, name, size });
        let hybrid = describe(NamedGroup::X25519MLKEM768);
        assert_eq!(hybrid, info("TLSGroup", Some("X25519MLKEM768"), None));
        let x25519 = describe(NamedGroup::X25519);
        assert_eq!(x25519, info("ECDH", Some("X25519"), Some(253)));
        let p521 = describe(NamedGroup::secp521r1);
        assert_eq!(p521, info("ECDH", Some("secp521r1"), Some(521)));
    }
}
