//! The small objects Node's getters return: `getCipher()`, `getProtocol()`,
//! `getEphemeralKeyInfo()`.

use sanstls::conn::Negotiated;
use sanstls::enums::{CipherSuite, NamedGroup, ProtocolVersion};

/// `getCipher()`: `{ name, standardName, version }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherInfo {
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`).
    pub name: &'static str,
    /// The IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub standard_name: &'static str,
    /// The lowest version the suite works with (`TLSv1.2`, `TLSv1.3`), as Node says.
    pub version: &'static str,
}

/// `getEphemeralKeyInfo()`: `{ type: 'ECDH', name: 'X25519', size: 253 }` or
/// `{ type: 'DH', size: 2048 }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EphemeralKeyInfo {
    /// `ECDH` or `DH`.
    pub kind: &'static str,
    /// The curve's OpenSSL name (ECDH only).
    pub name: Option<&'static str>,
    /// The size in bits Node reports.
    pub size: u32,
}

/// Node's name for a protocol version.
pub fn protocol_name(v: ProtocolVersion) -> Option<&'static str> {
    match v {
        ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
        ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
        ProtocolVersion::TLSv1_1 => Some("TLSv1.1"),
        ProtocolVersion::TLSv1_0 => Some("TLSv1"),
        _ => None,
    }
}

/// `getCipher()` for a negotiated suite.
pub fn cipher_info(suite: CipherSuite) -> Option<CipherInfo> {
    let (name, standard_name, version) = sanstls::suites::suite_names(suite)?;
    Some(CipherInfo {
        name,
        standard_name,
        version: protocol_name(version)?,
    })
}

/// OpenSSL's name and Node's size for a key exchange group.
pub fn group_info(g: NamedGroup) -> Option<(&'static str, u32)> {
    match g {
        NamedGroup::X25519 => Some(("X25519", 253)),
        NamedGroup::secp256r1 => Some(("prime256v1", 256)),
        NamedGroup::secp384r1 => Some(("secp384r1", 384)),
        NamedGroup::secp521r1 => Some(("secp521r1", 521)),
        _ => None,
    }
}

/// `getEphemeralKeyInfo()` from what was negotiated.
pub fn ephemeral_key_info(n: &Negotiated) -> Option<EphemeralKeyInfo> {
    // TLS 1.2 DHE records the prime's size; a TLS 1.3 ffdhe key share is DH too.
    let ffdhe = n
        .group
        .and_then(sanstls::crypto::ffdhe::DhGroup::from_named)
        .map(|g| g.bits());
    if let Some(bits) = n.dh_bits.or(ffdhe) {
        return Some(EphemeralKeyInfo {
            kind: "DH",
            name: None,
            size: u32::try_from(bits).unwrap_or(u32::MAX),
        });
    }
    let (name, size) = group_info(n.group?)?;
    Some(EphemeralKeyInfo {
        kind: "ECDH",
        name: Some(name),
        size,
    })
}
