//! The handshake transcript hash (RFC 8446 s4.4.1, RFC 5246 s7.4.9).
//!
//! Both protocol versions learn the hash function only from the ServerHello's cipher
//! suite, after the ClientHello has already been sent or received. So a
//! [`HandshakeHash`] first buffers the messages, and [`HandshakeHash::start_hash`]
//! replays the buffer into a running ring digest context, after which messages are hashed
//! as they come and the buffer is dropped. Reading the hash never finishes the running
//! context: it finishes a clone.
//!
//! The full transcript can be kept on request ([`HandshakeHash::keep_full_transcript`]):
//! a TLS 1.2 client CertificateVerify signs the raw `handshake_messages` with the hash of
//! the signature scheme, which may differ from the PRF hash (RFC 5246 s7.4.8), so a
//! client that may be asked for a certificate keeps them until it knows.

use crate::prelude::*;
use core::fmt;

use ring::digest;

use super::key_schedule::SuiteHash;
use crate::enums::HandshakeType;
use crate::error::{Error, InvalidMessage};

/// The running hash over the handshake messages (each with its 4-byte header).
#[derive(Clone)]
pub struct HandshakeHash {
    /// The algorithm and its running context, once the suite is known.
    running: Option<(SuiteHash, digest::Context)>,
    /// Every message so far while no algorithm is chosen, and afterwards too when the full
    /// transcript is kept; empty otherwise.
    buffer: Vec<u8>,
    keep_full: bool,
}

impl Default for HandshakeHash {
    fn default() -> Self {
        Self::new()
    }
}

impl HandshakeHash {
    /// An empty transcript that buffers until [`start_hash`](Self::start_hash).
    pub fn new() -> Self {
        Self {
            running: None,
            buffer: Vec::new(),
            keep_full: false,
        }
    }

    /// The transcript of a server that sent a HelloRetryRequest without keeping state
    /// (RFC 8446 s4.4.1): it starts from the `message_hash` stand-in for ClientHello1,
    /// given the hash the server put in its cookie. Fails with
    /// [`InvalidMessage::IllegalValue`] if `client_hello1_hash` is not exactly one
    /// `alg` output long, since it comes back from the peer.
    pub fn from_client_hello1_hash(
        alg: SuiteHash,
        client_hello1_hash: &[u8],
    ) -> Result<Self, Error> {
        if client_hello1_hash.len() != alg.output_len() {
            return Err(InvalidMessage::IllegalValue("ClientHello1 hash").into());
        }
        let mut t = Self::new();
        t.start_hash(alg)?;
        t.add_message(&message_hash(client_hello1_hash));
        Ok(t)
    }

    /// Keeps the full transcript from now on, readable through
    /// [`full_transcript`](Self::full_transcript). Must be asked before
    /// [`start_hash`](Self::start_hash) (the earlier messages are gone after it); fails
    /// with [`Error::ApiMisuse`] otherwise.
    pub fn keep_full_transcript(&mut self) -> Result<(), Error> {
        if self.running.is_some() && !self.keep_full {
            return Err(Error::ApiMisuse(
                "the full transcript must be kept before the hash algorithm is chosen",
            ));
        }
        self.keep_full = true;
        Ok(())
    }

    /// Stops keeping the full transcript (e.g. the server did not ask for a client
    /// certificate) and frees it.
    pub fn discard_full_transcript(&mut self) {
        self.keep_full = false;
        if self.running.is_some() {
            self.buffer = Vec::new();
        }
    }

    /// All messages added so far, if they are still held: always before
    /// [`start_hash`](Self::start_hash), afterwards only when kept.
    pub fn full_transcript(&self) -> Option<&[u8]> {
        (self.running.is_none() || self.keep_full).then_some(self.buffer.as_slice())
    }

    /// The hash algorithm, once chosen.
    pub fn algorithm(&self) -> Option<SuiteHash> {
        self.running.as_ref().map(|(alg, _)| *alg)
    }

    /// Chooses the hash algorithm (from the negotiated cipher suite) and hashes what was
    /// buffered. Calling it again with the same algorithm does nothing; with another one
    /// it fails with [`Error::ApiMisuse`] (the state machine must reject a suite change,
    /// e.g. between HelloRetryRequest and ServerHello, before getting here).
    pub fn start_hash(&mut self, alg: SuiteHash) -> Result<(), Error> {
        match &self.running {
            Some((current, _)) if *current == alg => Ok(()),
            Some(_) => Err(Error::ApiMisuse("transcript hash algorithm changed")),
            None => {
                let mut ctx = digest::Context::new(alg.digest_algorithm());
                ctx.update(&self.buffer);
                self.running = Some((alg, ctx));
                if !self.keep_full {
                    self.buffer = Vec::new();
                }
                Ok(())
            }
        }
    }

    /// Adds one encoded handshake message, header included (RFC 8446 s4.4.1: the
    /// transcript is the concatenation of the messages as sent, each with its type and
    /// length).
    pub fn add_message(&mut self, encoded: &[u8]) {
        if let Some((_, ctx)) = &mut self.running {
            ctx.update(encoded);
            if !self.keep_full {
                return;
            }
        }
        self.buffer.extend_from_slice(encoded);
    }

    /// `Transcript-Hash` of everything added so far. The running context is not
    /// finished, so more messages can follow. Fails with [`Error::ApiMisuse`] before
    /// [`start_hash`](Self::start_hash).
    pub fn current_hash(&self) -> Result<digest::Digest, Error> {
        match &self.running {
            Some((_, ctx)) => Ok(ctx.clone().finish()),
            None => Err(Error::ApiMisuse(
                "transcript hash read before its algorithm is chosen",
            )),
        }
    }

    /// The hash of the transcript followed by `extra`, which is not added: the PSK binder
    /// hashes the transcript plus the ClientHello truncated before its binders
    /// (RFC 8446 s4.2.11.2), possibly before the suite is negotiated, so `alg` is given
    /// (it is the PSK's hash). Fails with [`Error::ApiMisuse`] if a different algorithm
    /// is already running.
    pub fn hash_with(&self, alg: SuiteHash, extra: &[u8]) -> Result<digest::Digest, Error> {
        let mut ctx = match &self.running {
            Some((current, ctx)) if *current == alg => ctx.clone(),
            Some(_) => return Err(Error::ApiMisuse("transcript hash algorithm differs")),
            None => {
                let mut ctx = digest::Context::new(alg.digest_algorithm());
                ctx.update(&self.buffer);
                ctx
            }
        };
        ctx.update(extra);
        Ok(ctx.finish())
    }

    /// The HelloRetryRequest rewrite (RFC 8446 s4.4.1): replaces ClientHello1, which must
    /// be all the transcript holds, by
    /// `message_hash(254) || 00 00 Hash.length || Hash(ClientHello1)`. Call it after
    /// [`start_hash`](Self::start_hash) with the HelloRetryRequest's suite and before
    /// adding the HelloRetryRequest itself. Fails with [`Error::ApiMisuse`] before
    /// `start_hash`. A kept full transcript is rewritten the same way.
    pub fn rollup_for_hrr(&mut self) -> Result<(), Error> {
        let (alg, ch1_hash) = match &self.running {
            Some((alg, ctx)) => (*alg, ctx.clone().finish()),
            None => {
                return Err(Error::ApiMisuse(
                    "HelloRetryRequest rewrite before start_hash",
                ))
            }
        };
        let synthetic = message_hash(ch1_hash.as_ref());
        let mut ctx = digest::Context::new(alg.digest_algorithm());
        ctx.update(&synthetic);
        self.running = Some((alg, ctx));
        if self.keep_full {
            self.buffer = synthetic;
        }
        Ok(())
    }
}

/// The synthetic `message_hash` handshake message standing for ClientHello1
/// (RFC 8446 s4.4.1). `hash` is at most 64 bytes, so its length fits the low byte.
fn message_hash(hash: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(4 + hash.len());
    m.extend_from_slice(&[HandshakeType::MessageHash.to_int(), 0, 0, hash.len() as u8]);
    m.extend_from_slice(hash);
    m
}

impl fmt::Debug for HandshakeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeHash")
            .field("algorithm", &self.algorithm())
            .field("buffered", &self.buffer.len())
            .field("keep_full", &self.keep_full)
            .finish()
    }
}

#[cfg(test)]
#[path = "transcript_test.rs"]
mod tests;
