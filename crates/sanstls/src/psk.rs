//! External pre-shared keys (TLS 1.3, RFC 8446 s2.2 and s4.2.11; and the TLS 1.2 PSK
//! suites of RFC 4279, `crate::suites::TLS12_PSK_SUITES`): keys both ends were given out of
//! band, named by an identity. Node's `pskCallback` / OpenSSL's PSK callbacks.
//!
//! The client offers one through [`ClientConfig::psk`](crate::client::ClientConfig::psk), a
//! callback asked once per handshake. The server asks the caller about each offered identity
//! that is not one of its own tickets: the handshake pauses with
//! [`Event::PskIdentity`](crate::Event::PskIdentity) until
//! [`ServerConnection::psk_found`](crate::ServerConnection::psk_found) answers, when
//! [`ServerConfig::external_psk_hash`](crate::ServerConfig::external_psk_hash) is set.
//!
//! A connection authenticated by an external PSK reports its identity in
//! [`Negotiated::psk_identity`](crate::conn::Negotiated::psk_identity) and has no peer
//! certificate; the tickets it issues carry the identity, so a resumption reports the same.

use crate::prelude::*;
use alloc::sync::Arc;

use zeroize::Zeroizing;

use crate::error::Error;
pub use crate::handshake::key_schedule::SuiteHash;

/// One external PSK: the identity that names it, the key, and the hash it is for (RFC 8446
/// s4.2.11: "the Hash algorithm ... MUST be set when the PSK is established"; OpenSSL and
/// Node use SHA-256). The key is wiped on drop and never printed by `Debug`.
#[derive(Clone)]
pub struct ExternalPsk {
    identity: Vec<u8>,
    key: Zeroizing<Vec<u8>>,
    hash: SuiteHash,
}

impl ExternalPsk {
    /// A PSK named `identity`, for `hash`. Refused (`Error::BadConfiguration`) when the
    /// identity is empty or longer than 2^16-1 bytes (RFC 8446 s4.2.11's
    /// `identity<1..2^16-1>`) or the key is empty or longer than 2^16-1 bytes.
    pub fn new(identity: Vec<u8>, key: &[u8], hash: SuiteHash) -> Result<Self, Error> {
        if identity.is_empty() || identity.len() > 0xffff {
            return Err(Error::BadConfiguration(
                "a PSK identity is 1 to 65535 bytes",
            ));
        }
        if key.is_empty() || key.len() > 0xffff {
            return Err(Error::BadConfiguration(
                "a PSK is 1 to 65535 bytes (RFC 4279 s2's psk<0..2^16-1>)",
            ));
        }
        Ok(Self {
            identity,
            key: Zeroizing::new(key.to_vec()),
            hash,
        })
    }

    /// The identity the PSK is offered under.
    pub fn identity(&self) -> &[u8] {
        &self.identity
    }

    /// The hash the PSK is for: only a TLS 1.3 suite with this hash can use it.
    pub fn hash(&self) -> SuiteHash {
        self.hash
    }

    /// The key itself: a secret, to hand only to `ServerConnection::psk_found`.
    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

impl core::fmt::Debug for ExternalPsk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExternalPsk")
            .field("identity", &hex::encode(&self.identity))
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// The signature of a [`ClientPsk`] callback: given the server's identity hint (TLS 1.2
/// only, `None` when it sent none; always `None` in TLS 1.3, where the PSK is chosen
/// before the server speaks), the PSK to offer, or `None` to offer none. (In TLS 1.2 the
/// PSK's hash does not matter: the suite's PRF is used.)
pub type ClientPskFn = dyn Fn(Option<&[u8]>) -> Option<ExternalPsk> + Send + Sync;

/// The client's PSK callback (Node's client `pskCallback(hint)`), asked when a handshake
/// needs a PSK.
#[derive(Clone)]
pub struct ClientPsk(pub Arc<ClientPskFn>);

impl ClientPsk {
    /// Always offers `psk`.
    pub fn fixed(psk: ExternalPsk) -> Self {
        Self(Arc::new(move |_| Some(psk.clone())))
    }
}

impl core::fmt::Debug for ClientPsk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ClientPsk")
    }
}
