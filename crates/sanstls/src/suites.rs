//! The cipher suites this engine implements, and what each one means.

use crate::enums::{CipherSuite, ProtocolVersion};
use crate::handshake::SuiteHash;
use crate::record::protect::AeadAlgorithm;

/// A TLS 1.3 cipher suite: an AEAD and the hash of the key schedule (RFC 8446 s9.1, B.4).
#[derive(Debug, PartialEq, Eq)]
pub struct Tls13CipherSuite {
    /// The wire value.
    pub suite: CipherSuite,
    /// The record protection algorithm.
    pub aead: AeadAlgorithm,
    /// The hash for HKDF and the transcript.
    pub hash: SuiteHash,
    /// OpenSSL's name (`TLS_AES_128_GCM_SHA256`; for TLS 1.3 it is the standard name).
    pub openssl_name: &'static str,
}

impl Tls13CipherSuite {
    /// ring's AEAD algorithm, for deriving traffic keys of the right length.
    pub fn ring_aead(&self) -> &'static ring::aead::Algorithm {
        match self.aead {
            AeadAlgorithm::Aes128Gcm => &ring::aead::AES_128_GCM,
            AeadAlgorithm::Aes256Gcm => &ring::aead::AES_256_GCM,
            AeadAlgorithm::ChaCha20Poly1305 => &ring::aead::CHACHA20_POLY1305,
        }
    }

    /// The protocol version this suite belongs to.
    pub fn version(&self) -> ProtocolVersion {
        ProtocolVersion::TLSv1_3
    }
}

/// TLS_AES_128_GCM_SHA256
pub static TLS13_AES_128_GCM_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
    aead: AeadAlgorithm::Aes128Gcm,
    hash: SuiteHash::Sha256,
    openssl_name: "TLS_AES_128_GCM_SHA256",
};

/// TLS_AES_256_GCM_SHA384
pub static TLS13_AES_256_GCM_SHA384: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_AES_256_GCM_SHA384,
    aead: AeadAlgorithm::Aes256Gcm,
    hash: SuiteHash::Sha384,
    openssl_name: "TLS_AES_256_GCM_SHA384",
};

/// TLS_CHACHA20_POLY1305_SHA256
pub static TLS13_CHACHA20_POLY1305_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    aead: AeadAlgorithm::ChaCha20Poly1305,
    hash: SuiteHash::Sha256,
    openssl_name: "TLS_CHACHA20_POLY1305_SHA256",
};

/// Every TLS 1.3 suite, in our default preference order (OpenSSL's: AES-256 first).
pub static ALL_TLS13_SUITES: &[&Tls13CipherSuite] = &[
    &TLS13_AES_256_GCM_SHA384,
    &TLS13_CHACHA20_POLY1305_SHA256,
    &TLS13_AES_128_GCM_SHA256,
];

/// The TLS 1.3 suite with this wire value, if we implement it.
pub fn find_tls13_suite(suite: CipherSuite) -> Option<&'static Tls13CipherSuite> {
    ALL_TLS13_SUITES.iter().copied().find(|s| s.suite == suite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_agree_with_the_key_schedule_hash_table() {
        for s in ALL_TLS13_SUITES {
            assert_eq!(SuiteHash::for_cipher_suite(s.suite), Some(s.hash), "{s:?}");
            assert_eq!(s.ring_aead().key_len(), s.aead.key_len());
            assert_eq!(find_tls13_suite(s.suite), Some(*s));
        }
        assert_eq!(
            find_tls13_suite(CipherSuite::TLS13_AES_128_CCM_SHA256),
            None
        );
    }
}
