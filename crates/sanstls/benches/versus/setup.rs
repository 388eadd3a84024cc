//! Certificates and configurations: the same suite, group, certificate and resumption
//! mechanism for both libraries in each scenario.

use std::sync::Arc;

use rustls::client::{Resumption, Tls12Resumption};
use rustls::crypto::ring as rring;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sanstls::crypto::sign::load_private_key;
use sanstls::enums::{NamedGroup, ProtocolVersion};
use sanstls::server::ticket::Ticketer;
use sanstls::server::{CertifiedKey, ServerConfig};
use sanstls::suites::{self, Tls12CipherSuite, Tls13CipherSuite};
use sanstls::ClientConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    Tls12,
    Tls13,
}

impl Version {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Tls12 => "TLS 1.2",
            Self::Tls13 => "TLS 1.3",
        }
    }

    fn ours(self) -> ProtocolVersion {
        match self {
            Self::Tls12 => ProtocolVersion::TLSv1_2,
            Self::Tls13 => ProtocolVersion::TLSv1_3,
        }
    }

    fn theirs(self) -> &'static rustls::SupportedProtocolVersion {
        match self {
            Self::Tls12 => &rustls::version::TLS12,
            Self::Tls13 => &rustls::version::TLS13,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aead {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
}

impl Aead {
    pub(crate) const ALL: [Aead; 3] = [Self::Aes128Gcm, Self::Aes256Gcm, Self::ChaCha20Poly1305];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Aes128Gcm => "AES-128-GCM",
            Self::Aes256Gcm => "AES-256-GCM",
            Self::ChaCha20Poly1305 => "ChaCha20-Poly1305",
        }
    }

    pub(crate) fn ring(self) -> &'static ring::aead::Algorithm {
        match self {
            Self::Aes128Gcm => &ring::aead::AES_128_GCM,
            Self::Aes256Gcm => &ring::aead::AES_256_GCM,
            Self::ChaCha20Poly1305 => &ring::aead::CHACHA20_POLY1305,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyType {
    Rsa,
    Ecdsa,
}

impl KeyType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA-2048",
            Self::Ecdsa => "ECDSA P-256",
        }
    }
}

/// How a handshake resumes, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resume {
    /// Full handshakes, nothing kept.
    No,
    /// TLS 1.2, the server's session-id cache.
    SessionId,
    /// TLS 1.2, an RFC 5077 ticket.
    Ticket12,
    /// TLS 1.3, a PSK ticket (PSK with (EC)DHE).
    Ticket13,
    /// TLS 1.3, a PSK ticket with 0-RTT: the client sends [`EARLY_DATA`] as early data,
    /// which the server accepts.
    EarlyData13,
}

/// What a 0-RTT scenario's client sends as early data (a small request).
pub(crate) const EARLY_DATA: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// A scenario's key exchange, and the rustls provider it is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kx {
    /// X25519 against rustls's ring provider: every row but the post-quantum ones.
    X25519,
    /// X25519 against rustls's aws-lc-rs provider: the baseline of the hybrid's cost.
    AwsLcX25519,
    /// X25519MLKEM768 against rustls's aws-lc-rs provider.
    AwsLcHybrid,
}

impl Kx {
    /// The scenario name's suffix (nothing for the ring rows, named as before).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::X25519 => "",
            Self::AwsLcX25519 => " X25519 (rustls aws-lc-rs)",
            Self::AwsLcHybrid => " X25519MLKEM768 (rustls aws-lc-rs)",
        }
    }

    fn ours(self) -> NamedGroup {
        match self {
            Self::X25519 | Self::AwsLcX25519 => NamedGroup::X25519,
            Self::AwsLcHybrid => NamedGroup::X25519MLKEM768,
        }
    }

    fn provider(self) -> rustls::crypto::CryptoProvider {
        use rustls::crypto::aws_lc_rs as aws;
        let (provider, group) = match self {
            Self::X25519 => (rring::default_provider(), rring::kx_group::X25519),
            Self::AwsLcX25519 => (aws::default_provider(), aws::kx_group::X25519),
            Self::AwsLcHybrid => (aws::default_provider(), aws::kx_group::X25519MLKEM768),
        };
        rustls::crypto::CryptoProvider {
            kx_groups: vec![group],
            ..provider
        }
    }
}

/// One scenario's choices.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Choice {
    pub(crate) version: Version,
    pub(crate) aead: Aead,
    pub(crate) key: KeyType,
    pub(crate) resume: Resume,
    pub(crate) kx: Kx,
}

/// A root and a "localhost" leaf per key type (`vectors/pki/bench`, made by
/// `cargo xtask pki-fixtures bench`).
pub(crate) struct Pki {
    rsa: Identity,
    ecdsa: Identity,
}

struct Identity {
    ca: Vec<u8>,
    leaf: Vec<u8>,
    key: Vec<u8>,
}

impl Pki {
    pub(crate) fn load() -> Self {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/pki/bench");
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .unwrap_or_else(|e| panic!("reading {}: {e}", dir.join(name).display()))
        };
        let identity = |kind: &str| Identity {
            ca: read(&format!("{kind}-ca.der")),
            leaf: read(&format!("{kind}.der")),
            key: read(&format!("{kind}.key.der")),
        };
        Self {
            rsa: identity("rsa"),
            ecdsa: identity("ecdsa"),
        }
    }

    fn identity(&self, key: KeyType) -> &Identity {
        match key {
            KeyType::Rsa => &self.rsa,
            KeyType::Ecdsa => &self.ecdsa,
        }
    }
}

fn our_tls13_suite(aead: Aead) -> &'static Tls13CipherSuite {
    match aead {
        Aead::Aes128Gcm => &suites::TLS13_AES_128_GCM_SHA256,
        Aead::Aes256Gcm => &suites::TLS13_AES_256_GCM_SHA384,
        Aead::ChaCha20Poly1305 => &suites::TLS13_CHACHA20_POLY1305_SHA256,
    }
}

fn our_tls12_suite(aead: Aead, key: KeyType) -> &'static Tls12CipherSuite {
    use suites::*;
    match (aead, key) {
        (Aead::Aes128Gcm, KeyType::Ecdsa) => &TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        (Aead::Aes256Gcm, KeyType::Ecdsa) => &TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        (Aead::ChaCha20Poly1305, KeyType::Ecdsa) => &TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        (Aead::Aes128Gcm, KeyType::Rsa) => &TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        (Aead::Aes256Gcm, KeyType::Rsa) => &TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        (Aead::ChaCha20Poly1305, KeyType::Rsa) => &TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    }
}

/// The suite of `c` as `provider` implements it (the ring and aws-lc-rs providers each have
/// their own).
fn their_suite(
    c: Choice,
    provider: &rustls::crypto::CryptoProvider,
) -> rustls::SupportedCipherSuite {
    let wanted = ring_suite(c).suite();
    *provider
        .cipher_suites
        .iter()
        .find(|s| s.suite() == wanted)
        .expect("the provider has the suite")
}

fn ring_suite(c: Choice) -> rustls::SupportedCipherSuite {
    use rring::cipher_suite::*;
    match (c.version, c.aead, c.key) {
        (Version::Tls13, Aead::Aes128Gcm, _) => TLS13_AES_128_GCM_SHA256,
        (Version::Tls13, Aead::Aes256Gcm, _) => TLS13_AES_256_GCM_SHA384,
        (Version::Tls13, Aead::ChaCha20Poly1305, _) => TLS13_CHACHA20_POLY1305_SHA256,
        (Version::Tls12, Aead::Aes128Gcm, KeyType::Ecdsa) => {
            TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        }
        (Version::Tls12, Aead::Aes256Gcm, KeyType::Ecdsa) => {
            TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        }
        (Version::Tls12, Aead::ChaCha20Poly1305, KeyType::Ecdsa) => {
            TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        (Version::Tls12, Aead::Aes128Gcm, KeyType::Rsa) => TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        (Version::Tls12, Aead::Aes256Gcm, KeyType::Rsa) => TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        (Version::Tls12, Aead::ChaCha20Poly1305, KeyType::Rsa) => {
            TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        }
    }
}

/// sanstls's client and server configurations for `c`.
pub(crate) fn ours(pki: &Pki, c: Choice) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let id = pki.identity(c.key);
    let verifier =
        sanstls_pki::tls::NodeServerVerifier::with_roots(vec![id.ca.clone()]).expect("root");
    let mut client = ClientConfig::new(Arc::new(verifier));
    client.min_version = c.version.ours();
    client.max_version = c.version.ours();
    client.cipher_suites = vec![our_tls13_suite(c.aead)];
    client.tls12_cipher_suites = vec![our_tls12_suite(c.aead, c.key)];
    client.groups = vec![c.kx.ours()];

    let key = load_private_key(&id.key).expect("key");
    let mut server =
        ServerConfig::new(vec![CertifiedKey::new(vec![id.leaf.clone()], key).unwrap()]);
    server.min_version = c.version.ours();
    server.max_version = c.version.ours();
    server.cipher_suites = client.cipher_suites.clone();
    server.tls12_cipher_suites = client.tls12_cipher_suites.clone();
    server.groups = vec![c.kx.ours()];
    // Tickets only where the scenario resumes with one (rustls's server sends none either).
    server.send_tickets = 0;
    if matches!(
        c.resume,
        Resume::Ticket12 | Resume::Ticket13 | Resume::EarlyData13
    ) {
        let ticketer = Ticketer::new(server.random.as_ref()).expect("ticketer");
        server.ticketer = Some(Arc::new(ticketer));
        server.send_tickets = 2;
    }
    if c.resume == Resume::EarlyData13 {
        client.enable_early_data = true;
        // A register big enough that a run's tickets (each used once, thousands a second)
        // never fill it within the freshness window: every handshake's early data is
        // accepted, as with rustls.
        use sanstls::server::early_data::{StrikeRegister, DEFAULT_WINDOW};
        let now = crate::endpoint::now();
        server.max_early_data_size = 16384;
        server.anti_replay = Some(Arc::new(StrikeRegister::new(1 << 20, DEFAULT_WINDOW, now)));
    }
    (Arc::new(client), Arc::new(server))
}

/// The handshake signature schemes rustls's client offers: only those both servers sign
/// with. rustls's server would otherwise sign with RSA-PSS-SHA512 where ours signs with
/// RSA-PSS-SHA256 (OpenSSL's and Node's first choice), and the two would not hash the same
/// way. (Certificate chains are verified with every algorithm, as before.) One list per
/// provider, made once.
fn same_signature_schemes(kx: Kx) -> rustls::crypto::WebPkiSupportedAlgorithms {
    type Mapping = Vec<(
        rustls::SignatureScheme,
        &'static [&'static dyn rustls::pki_types::SignatureVerificationAlgorithm],
    )>;
    static RING: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
    static AWS_LC: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
    let mut algorithms = kx.provider().signature_verification_algorithms;
    let all = algorithms.mapping;
    let only = || -> Mapping {
        use rustls::SignatureScheme as S;
        all.iter()
            .filter(|(scheme, _)| matches!(scheme, S::ECDSA_NISTP256_SHA256 | S::RSA_PSS_SHA256))
            .copied()
            .collect()
    };
    algorithms.mapping = match kx {
        Kx::X25519 => RING.get_or_init(only),
        Kx::AwsLcX25519 | Kx::AwsLcHybrid => AWS_LC.get_or_init(only),
    };
    algorithms
}

/// rustls's client and server configurations for `c`.
pub(crate) fn theirs(
    pki: &Pki,
    c: Choice,
) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    let id = pki.identity(c.key);
    let provider = c.kx.provider();
    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![their_suite(c, &provider)],
        signature_verification_algorithms: same_signature_schemes(c.kx),
        ..provider
    });
    let versions = [c.version.theirs()];

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(id.ca.clone()))
        .expect("root");
    let mut client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    client.resumption = match c.resume {
        Resume::No => Resumption::disabled(),
        Resume::SessionId => {
            Resumption::in_memory_sessions(256).tls12_resumption(Tls12Resumption::SessionIdOnly)
        }
        Resume::Ticket12 | Resume::Ticket13 | Resume::EarlyData13 => {
            Resumption::in_memory_sessions(256)
                .tls12_resumption(Tls12Resumption::SessionIdOrTickets)
        }
    };
    client.enable_early_data = c.resume == Resume::EarlyData13;

    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(id.leaf.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key.clone())),
        )
        .expect("certificate");
    server.send_tls13_tickets = 0;
    // rustls accepts 0-RTT with stateful resumption only (single-use session ids in its
    // server cache, no ticketer), so that is how it is measured; ours is stateless tickets
    // with the replay register.
    if c.resume == Resume::EarlyData13 {
        server.max_early_data_size = 16384;
        server.send_tls13_tickets = 2;
    }
    if matches!(c.resume, Resume::Ticket12 | Resume::Ticket13) {
        server.ticketer = match c.kx {
            Kx::X25519 => rring::Ticketer::new(),
            Kx::AwsLcX25519 | Kx::AwsLcHybrid => rustls::crypto::aws_lc_rs::Ticketer::new(),
        }
        .expect("ticketer");
        server.send_tls13_tickets = 2;
    }
    (Arc::new(client), Arc::new(server))
}
