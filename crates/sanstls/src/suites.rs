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

/// The TLS 1.2 key exchange of a suite (its `kx`).
pub use crate::msgs::kx::KeyExchangeAlgorithm;

/// How a TLS 1.2 suite authenticates the server's key exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthAlgorithm {
    /// RSA signatures (PKCS#1 or PSS) from an RSA certificate.
    Rsa,
    /// ECDSA signatures from an ECDSA certificate.
    Ecdsa,
    /// A pre-shared key (RFC 4279): no certificate, no signature.
    Psk,
}

/// A TLS 1.2 cipher suite (RFC 5246, 5288, 7905, 8422): key exchange, authentication,
/// AEAD and PRF hash.
#[derive(Debug, PartialEq, Eq)]
pub struct Tls12CipherSuite {
    /// The wire value.
    pub suite: CipherSuite,
    /// ECDHE or DHE.
    pub kx: crate::msgs::kx::KeyExchangeAlgorithm,
    /// How the server signs.
    pub auth: AuthAlgorithm,
    /// The record protection algorithm.
    pub aead: AeadAlgorithm,
    /// The PRF hash.
    pub hash: SuiteHash,
    /// OpenSSL's name.
    pub openssl_name: &'static str,
}

impl Tls12CipherSuite {
    /// Whether a signature scheme fits this suite's authentication.
    pub fn usable_with(&self, scheme: crate::enums::SignatureScheme) -> bool {
        use crate::enums::SignatureScheme as S;
        match self.auth {
            AuthAlgorithm::Rsa => matches!(
                scheme,
                S::RSA_PKCS1_SHA256
                    | S::RSA_PKCS1_SHA384
                    | S::RSA_PKCS1_SHA512
                    | S::RSA_PSS_RSAE_SHA256
                    | S::RSA_PSS_RSAE_SHA384
                    | S::RSA_PSS_RSAE_SHA512
            ),
            AuthAlgorithm::Ecdsa => {
                matches!(
                    scheme,
                    S::ECDSA_NISTP256_SHA256
                        | S::ECDSA_NISTP384_SHA384
                        | S::ECDSA_NISTP521_SHA512
                        | S::ED25519
                )
            }
            AuthAlgorithm::Psk => false,
        }
    }
}

macro_rules! tls12_suite {
    ($name:ident, $suite:ident, $kx:ident, $auth:ident, $aead:ident, $hash:ident, $openssl:expr) => {
        #[doc = $openssl]
        pub static $name: Tls12CipherSuite = Tls12CipherSuite {
            suite: CipherSuite::$suite,
            kx: crate::msgs::kx::KeyExchangeAlgorithm::$kx,
            auth: AuthAlgorithm::$auth,
            aead: AeadAlgorithm::$aead,
            hash: SuiteHash::$hash,
            openssl_name: $openssl,
        };
    };
}

tls12_suite!(
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    Ecdhe,
    Ecdsa,
    Aes256Gcm,
    Sha384,
    "ECDHE-ECDSA-AES256-GCM-SHA384"
);
tls12_suite!(
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    Ecdhe,
    Rsa,
    Aes256Gcm,
    Sha384,
    "ECDHE-RSA-AES256-GCM-SHA384"
);
tls12_suite!(
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    Ecdhe,
    Ecdsa,
    ChaCha20Poly1305,
    Sha256,
    "ECDHE-ECDSA-CHACHA20-POLY1305"
);
tls12_suite!(
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    Ecdhe,
    Rsa,
    ChaCha20Poly1305,
    Sha256,
    "ECDHE-RSA-CHACHA20-POLY1305"
);
tls12_suite!(
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    Ecdhe,
    Ecdsa,
    Aes128Gcm,
    Sha256,
    "ECDHE-ECDSA-AES128-GCM-SHA256"
);
tls12_suite!(
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    Ecdhe,
    Rsa,
    Aes128Gcm,
    Sha256,
    "ECDHE-RSA-AES128-GCM-SHA256"
);

tls12_suite!(
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    Dhe,
    Rsa,
    Aes256Gcm,
    Sha384,
    "DHE-RSA-AES256-GCM-SHA384"
);
tls12_suite!(
    TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    Dhe,
    Rsa,
    ChaCha20Poly1305,
    Sha256,
    "DHE-RSA-CHACHA20-POLY1305"
);
tls12_suite!(
    TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    Dhe,
    Rsa,
    Aes128Gcm,
    Sha256,
    "DHE-RSA-AES128-GCM-SHA256"
);

/// Every TLS 1.2 suite we implement, in OpenSSL's default preference order (ECDHE before
/// DHE; a server uses DHE only when it has DH parameters).
pub static ALL_TLS12_SUITES: &[&Tls12CipherSuite] = &[
    &TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    &TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    &TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    &TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    &TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    &TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    &TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    &TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    &TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
];

tls12_suite!(
    TLS_PSK_WITH_AES_256_GCM_SHA384,
    TLS_PSK_WITH_AES_256_GCM_SHA384,
    Psk,
    Psk,
    Aes256Gcm,
    Sha384,
    "PSK-AES256-GCM-SHA384"
);
tls12_suite!(
    TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
    TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
    Psk,
    Psk,
    ChaCha20Poly1305,
    Sha256,
    "PSK-CHACHA20-POLY1305"
);
tls12_suite!(
    TLS_PSK_WITH_AES_128_GCM_SHA256,
    TLS_PSK_WITH_AES_128_GCM_SHA256,
    Psk,
    Psk,
    Aes128Gcm,
    Sha256,
    "PSK-AES128-GCM-SHA256"
);
tls12_suite!(
    TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    EcdhePsk,
    Psk,
    ChaCha20Poly1305,
    Sha256,
    "ECDHE-PSK-CHACHA20-POLY1305"
);
tls12_suite!(
    TLS_DHE_PSK_WITH_AES_256_GCM_SHA384,
    TLS_DHE_PSK_WITH_AES_256_GCM_SHA384,
    DhePsk,
    Psk,
    Aes256Gcm,
    Sha384,
    "DHE-PSK-AES256-GCM-SHA384"
);
tls12_suite!(
    TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
    TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
    DhePsk,
    Psk,
    Aes128Gcm,
    Sha256,
    "DHE-PSK-AES128-GCM-SHA256"
);

/// The TLS 1.2 PSK suites (RFC 4279, 5487, 5489, 7905), in OpenSSL's preference order
/// (`openssl ciphers -V PSK`: forward-secret ones first). Not in [`ALL_TLS12_SUITES`]: as
/// Node's default cipher list excludes them (`!PSK`), a configuration uses them only when
/// asked (Node's `ciphers`), and only with external PSKs set up on that side
/// (`ClientConfig::psk`, `ServerConfig::external_psk_hash`).
pub static TLS12_PSK_SUITES: &[&Tls12CipherSuite] = &[
    &TLS_DHE_PSK_WITH_AES_256_GCM_SHA384,
    &TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    &TLS_PSK_WITH_AES_256_GCM_SHA384,
    &TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
    &TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
    &TLS_PSK_WITH_AES_128_GCM_SHA256,
];

/// The TLS 1.2 suite with this wire value, if we implement it (PSK suites included).
pub fn find_tls12_suite(suite: CipherSuite) -> Option<&'static Tls12CipherSuite> {
    ALL_TLS12_SUITES
        .iter()
        .chain(TLS12_PSK_SUITES)
        .copied()
        .find(|s| s.suite == suite)
}

/// OpenSSL's name and the IANA (standard) name of a suite we implement, and the protocol
/// version it belongs to (Node's `getCipher()` `name`, `standardName`, `version`).
pub fn suite_names(suite: CipherSuite) -> Option<(&'static str, &'static str, ProtocolVersion)> {
    if let Some(s) = find_tls13_suite(suite) {
        // For TLS 1.3 OpenSSL uses the standard names.
        return Some((s.openssl_name, s.openssl_name, ProtocolVersion::TLSv1_3));
    }
    let s = find_tls12_suite(suite)?;
    Some((s.openssl_name, suite.as_str()?, ProtocolVersion::TLSv1_2))
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

    #[test]
    fn names_for_node_and_openssl() {
        let (name, standard, version) =
            suite_names(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).unwrap();
        assert_eq!(name, "ECDHE-RSA-AES128-GCM-SHA256");
        assert_eq!(standard, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(version, ProtocolVersion::TLSv1_2);
        let (name, standard, _) = suite_names(CipherSuite::TLS13_AES_256_GCM_SHA384).unwrap();
        assert_eq!(
            (name, standard),
            ("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384")
        );
        assert_eq!(suite_names(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA), None);
    }

    #[test]
    fn tls12_suites_hash_follows_the_name() {
        for s in ALL_TLS12_SUITES.iter().chain(TLS12_PSK_SUITES) {
            let sha384 = s.openssl_name.ends_with("SHA384");
            assert_eq!(s.hash == SuiteHash::Sha384, sha384, "{}", s.openssl_name);
            assert_eq!(SuiteHash::for_cipher_suite(s.suite), Some(s.hash));
            assert_eq!(find_tls12_suite(s.suite), Some(*s));
            let name = s.suite.as_str().unwrap();
            assert_eq!(name.contains("ECDSA"), s.auth == AuthAlgorithm::Ecdsa);
            assert_eq!(name.contains("PSK"), s.auth == AuthAlgorithm::Psk);
            assert_eq!(name.contains("PSK"), s.kx.is_psk());
            let kx = match s.kx {
                crate::msgs::kx::KeyExchangeAlgorithm::EcdhePsk => "ECDHE-PSK-",
                crate::msgs::kx::KeyExchangeAlgorithm::DhePsk => "DHE-PSK-",
                crate::msgs::kx::KeyExchangeAlgorithm::Psk => "PSK-",
                _ => "",
            };
            assert!(s.openssl_name.starts_with(kx), "{}", s.openssl_name);
        }
    }
}
