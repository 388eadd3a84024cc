//! The small objects Node's getters return: `getCipher()`, `getProtocol()`,
//! `getEphemeralKeyInfo()`.

use sanstls::conn::Negotiated;
use sanstls::enums::{CipherSuite, ProtocolVersion};

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

/// `getEphemeralKeyInfo()`: `{ type: 'ECDH', name: 'X25519', size: 253 }`,
/// `{ type: 'DH', size: 2048 }`, or for a post-quantum hybrid (Node 24)
/// `{ type: 'TLSGroup', name: 'X25519MLKEM768' }`.
/// It serializes as Node's object (`type`, and no `name` or `size` where Node has none).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EphemeralKeyInfo {
    /// `ECDH`, `DH` or `TLSGroup`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The group's OpenSSL name (not for `DH`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
    /// The size in bits Node reports (not for `TLSGroup`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
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
            size: Some(u32::try_from(bits).unwrap_or(u32::MAX)),
        });
    }
    crate::groups::describe(n.group?)
}
