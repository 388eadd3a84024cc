//! Handing an established connection's record protection to someone else: Linux kernel
//! TLS (kTLS), a NIC, another process. Dangerous by name: whoever holds the exported keys
//! can read and forge the connection's records, and the connection object is gone, so
//! nothing checks sequence numbers, key usage limits, KeyUpdates or alerts any more.

use crate::prelude::*;
use core::fmt;

use zeroize::Zeroize;

use super::Connection;
use crate::enums::ProtocolVersion;
use crate::error::Error;
use crate::record::protect::{AeadAlgorithm, TrafficKeys, NONCE_LEN};

/// An AEAD key and IV, by algorithm. Wiped when dropped; `Debug` prints only the
/// algorithm.
///
/// Each record's nonce is `iv XOR (0^4 || seq)` (RFC 8446 s5.3, RFC 7905 s2) in every
/// case: for TLS 1.2 AES-GCM, `iv` is the 4-byte salt followed by 8 zero bytes, so the
/// nonce is `salt || seq` and the explicit nonce each record carries is its sequence
/// number (RFC 5288 s3), which is what this engine sends.
#[non_exhaustive]
pub enum TrafficCipher {
    /// AES-128-GCM.
    Aes128Gcm {
        /// The key.
        key: [u8; 16],
        /// The IV (see the type's documentation).
        iv: [u8; NONCE_LEN],
    },
    /// AES-256-GCM.
    Aes256Gcm {
        /// The key.
        key: [u8; 32],
        /// The IV (see the type's documentation).
        iv: [u8; NONCE_LEN],
    },
    /// ChaCha20-Poly1305.
    Chacha20Poly1305 {
        /// The key.
        key: [u8; 32],
        /// The IV (see the type's documentation).
        iv: [u8; NONCE_LEN],
    },
}

impl TrafficCipher {
    fn from_keys(k: &TrafficKeys<'_>) -> Self {
        fn copy<const N: usize>(key: &[u8]) -> [u8; N] {
            let mut out = [0u8; N];
            for (o, k) in out.iter_mut().zip(key) {
                *o = *k;
            }
            out
        }
        match k.alg {
            AeadAlgorithm::Aes128Gcm => Self::Aes128Gcm {
                key: copy(k.key),
                iv: k.iv,
            },
            AeadAlgorithm::Aes256Gcm => Self::Aes256Gcm {
                key: copy(k.key),
                iv: k.iv,
            },
            AeadAlgorithm::ChaCha20Poly1305 => Self::Chacha20Poly1305 {
                key: copy(k.key),
                iv: k.iv,
            },
        }
    }

    /// The key's bytes.
    pub fn key(&self) -> &[u8] {
        match self {
            Self::Aes128Gcm { key, .. } => key,
            Self::Aes256Gcm { key, .. } | Self::Chacha20Poly1305 { key, .. } => key,
        }
    }

    /// The 12-byte IV (see the type's documentation).
    pub fn iv(&self) -> &[u8; NONCE_LEN] {
        match self {
            Self::Aes128Gcm { iv, .. }
            | Self::Aes256Gcm { iv, .. }
            | Self::Chacha20Poly1305 { iv, .. } => iv,
        }
    }
}

impl Drop for TrafficCipher {
    fn drop(&mut self) {
        match self {
            Self::Aes128Gcm { key, iv } => {
                key.zeroize();
                iv.zeroize();
            }
            Self::Aes256Gcm { key, iv } | Self::Chacha20Poly1305 { key, iv } => {
                key.zeroize();
                iv.zeroize();
            }
        }
    }
}

impl fmt::Debug for TrafficCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Aes128Gcm { .. } => "Aes128Gcm",
            Self::Aes256Gcm { .. } => "Aes256Gcm",
            Self::Chacha20Poly1305 { .. } => "Chacha20Poly1305",
        };
        write!(f, "{name} {{ .. }}")
    }
}

/// One direction's record protection: the next record's sequence number and the cipher.
#[derive(Debug)]
#[non_exhaustive]
pub struct DirectionSecrets {
    /// The sequence number of the next record in this direction (the kernel's `rec_seq`).
    pub seq: u64,
    /// The algorithm, key and IV.
    pub cipher: TrafficCipher,
}

/// What [`Connection::dangerous_extract_secrets`] hands over.
#[non_exhaustive]
pub struct ExtractedSecrets {
    /// TLS 1.2 or TLS 1.3 (record layouts differ).
    pub version: ProtocolVersion,
    /// Our sending direction.
    pub tx: DirectionSecrets,
    /// Our receiving direction.
    pub rx: DirectionSecrets,
    /// Bytes received from the transport that no record consumed yet, starting at a record
    /// boundary: the first is record `rx.seq`. Usually the start of a record whose rest is
    /// still in the socket; whoever takes over must open these records before the ones
    /// that follow (see docs/engine.md, *kTLS*).
    pub received_tls: Vec<u8>,
    /// Application data already decrypted and not yet read; it comes before
    /// `received_tls`'s records. Wiped when dropped.
    pub plaintext: Vec<u8>,
}

impl Drop for ExtractedSecrets {
    fn drop(&mut self) {
        self.plaintext.zeroize();
        self.received_tls.zeroize();
    }
}

impl fmt::Debug for ExtractedSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractedSecrets")
            .field("version", &self.version)
            .field("tx", &self.tx)
            .field("rx", &self.rx)
            .field("received_tls", &self.received_tls.len())
            .field("plaintext", &self.plaintext.len())
            .finish()
    }
}

/// Why [`Connection::dangerous_extract_secrets`] refused (the connection is dropped all
/// the same: check [`Connection::can_extract_secrets`] first to keep it).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtractError {
    /// The connection had failed with this error.
    Failed(Error),
    /// The handshake has not completed.
    Handshaking,
    /// A TLS 1.2 renegotiation is under way (keys are about to change).
    Renegotiating,
    /// Bytes wait for `write_tls` (or `send` holds data, or a KeyUpdate is due): write
    /// them first, or the records would leave out of sequence.
    PendingWrite,
    /// Part of a post-handshake handshake message (a ticket, a KeyUpdate) has been
    /// received; the rest would reach whoever takes over without its start.
    PartialHandshakeMessage,
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(e) => write!(f, "the connection failed: {e}"),
            Self::Handshaking => f.write_str("the handshake is not complete"),
            Self::Renegotiating => f.write_str("a renegotiation is under way"),
            Self::PendingWrite => f.write_str("write_tls has bytes to send first"),
            Self::PartialHandshakeMessage => {
                f.write_str("part of a handshake message has been received")
            }
        }
    }
}

impl core::error::Error for ExtractError {}

impl Connection {
    /// Whether [`Self::dangerous_extract_secrets`] would succeed now (it consumes the
    /// connection even when it refuses; this does not).
    pub fn can_extract_secrets(&self) -> Result<(), ExtractError> {
        let c = &self.common;
        if let Some(e) = &c.error {
            return Err(ExtractError::Failed(e.clone()));
        }
        if !c.traffic {
            return Err(ExtractError::Handshaking);
        }
        if c.renegotiating {
            return Err(ExtractError::Renegotiating);
        }
        if self.wants_write() || !c.early_out.is_empty() {
            return Err(ExtractError::PendingWrite);
        }
        if !c.joiner.is_empty() {
            return Err(ExtractError::PartialHandshakeMessage);
        }
        if c.sealer.is_none() || c.opener.is_none() {
            return Err(ExtractError::Handshaking);
        }
        Ok(())
    }

    /// **Dangerous**: ends this connection and hands out its traffic keys, IVs and
    /// sequence numbers both ways, with the bytes it had received but not processed and
    /// the plaintext not yet read, so another record layer (Linux kTLS: see
    /// docs/engine.md) carries on from exactly here. TLS 1.2 and 1.3, AES-GCM and
    /// ChaCha20-Poly1305. Whoever holds the result can read and forge this connection's
    /// records; from here on nothing the engine did (KeyUpdates, key usage limits,
    /// alerts, tickets) happens unless the new owner does it.
    ///
    /// Refused ([`ExtractError`]) while handshaking or renegotiating, with bytes waiting
    /// for `write_tls`, with part of a handshake message received, and on a failed
    /// connection. [`Self::can_extract_secrets`] checks first without consuming.
    ///
    /// ```
    /// # fn f(conn: sanstls::Connection) -> Result<(), sanstls::ExtractError> {
    /// conn.can_extract_secrets()?; // keep the connection if not
    /// let secrets = conn.dangerous_extract_secrets()?;
    /// let (tx_seq, tx_key) = (secrets.tx.seq, secrets.tx.cipher.key());
    /// // setsockopt(TCP_ULP, "tls"), then TLS_TX / TLS_RX from these
    /// # let _ = (tx_seq, tx_key); Ok(()) }
    /// ```
    pub fn dangerous_extract_secrets(mut self) -> Result<ExtractedSecrets, ExtractError> {
        self.can_extract_secrets()?;
        let c = &mut self.common;
        let (Some(sealer), Some(opener), Some(version)) =
            (&c.sealer, &c.opener, c.negotiated.version)
        else {
            return Err(ExtractError::Handshaking);
        };
        let tx = sealer.export();
        let rx = opener.export();
        let tx = DirectionSecrets {
            seq: tx.seq,
            cipher: TrafficCipher::from_keys(&tx),
        };
        let rx = DirectionSecrets {
            seq: rx.seq,
            cipher: TrafficCipher::from_keys(&rx),
        };
        let mut plaintext = Vec::with_capacity(c.unread());
        loop {
            let chunk = self.peek_plaintext();
            if chunk.is_empty() {
                break;
            }
            plaintext.extend_from_slice(chunk);
            let n = chunk.len();
            self.consume_plaintext(n);
        }
        let received_tls = match self.common.received_close_notify {
            true => Vec::new(),
            false => self.common.deframer.take_buffered(),
        };
        Ok(ExtractedSecrets {
            version,
            tx,
            rx,
            received_tls,
            plaintext,
        })
    }
}

#[cfg(test)]
#[path = "extract_test.rs"]
mod tests;
