//! Ephemeral key exchange from injected randomness (interface; implementation pending).

use zeroize::Zeroizing;

use crate::enums::NamedGroup;
use crate::error::Error;
use crate::rand::RandomSource;

/// The groups we implement, in preference order.
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
];

/// A shared secret, zeroized on drop.
#[derive(Debug)]
pub struct SharedSecret(pub Zeroizing<Vec<u8>>);

/// One side of an ephemeral key exchange.
#[derive(Debug)]
pub struct KeyExchange {
    group: NamedGroup,
    public: Vec<u8>,
}

impl KeyExchange {
    /// Generates a key pair for `group` from `rng`.
    pub fn start(_group: NamedGroup, _rng: &dyn RandomSource) -> Result<Self, Error> {
        Err(Error::ApiMisuse("key exchange not implemented yet"))
    }

    /// The group.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// Our public value as it goes into key_share.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Completes the exchange with the peer's public value.
    pub fn complete(self, _peer_public: &[u8]) -> Result<SharedSecret, Error> {
        Err(Error::ApiMisuse("key exchange not implemented yet"))
    }
}
