//! The TLS 1.2 PRF (RFC 5246 s5) and the secrets derived with it: the master secret
//! (standard, and extended per RFC 7627), the key block, Finished `verify_data` and the
//! RFC 5705 exporter.
//!
//! ```text
//! P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//!                        HMAC_hash(secret, A(2) + seed) + ...
//! A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
//! PRF(secret, label, seed) = P_<hash>(secret, label + seed)
//! ```

use crate::prelude::*;
use core::fmt;

use ring::hmac;
use zeroize::Zeroizing;

use super::key_schedule::{KeyLogLabel, SuiteHash};
use crate::error::Error;

/// `PRF(secret, label, seed)` filling `out` (RFC 5246 s5), with `P_SHA256` or
/// `P_SHA384` per `hash`. Any output length is allowed.
pub fn prf(hash: SuiteHash, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    prf_parts(hash, secret, label, &[seed], out);
}

/// [`prf`] with the seed given as consecutive parts, to avoid concatenating randoms.
fn prf_parts(hash: SuiteHash, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let key = hmac::Key::new(hash.hmac_algorithm(), secret);
    let sign_seed = |first: Option<&[u8]>| {
        let mut ctx = hmac::Context::with_key(&key);
        if let Some(first) = first {
            ctx.update(first);
        }
        ctx.update(label);
        for part in seed {
            ctx.update(part);
        }
        ctx.sign()
    };
    // A(1) = HMAC(secret, A(0)) with A(0) = label + seed.
    let mut a = sign_seed(None);
    for chunk in out.chunks_mut(hash.output_len()) {
        let block = sign_seed(Some(a.as_ref()));
        chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        a = hmac::sign(&key, a.as_ref());
    }
}

/// Length of a TLS 1.2 master secret.
pub const MASTER_SECRET_LEN: usize = 48;

/// Length of a TLS 1.2 Finished `verify_data` for every suite this engine implements
/// (RFC 5246 s7.4.9: 12 unless the suite says otherwise).
pub const VERIFY_DATA_LEN: usize = 12;

/// Labels the RFC 5705 exporter must not be given: they would export the handshake's own
/// secrets or Finished values (RFC 5705 s4 reserves them).
const RESERVED_EXPORTER_LABELS: [&[u8]; 5] = [
    b"client finished",
    b"server finished",
    b"master secret",
    b"key expansion",
    b"extended master secret",
];

/// A TLS 1.2 master secret and the PRF hash it is used with; wiped on drop.
#[derive(Clone)]
pub struct Tls12MasterSecret {
    hash: SuiteHash,
    secret: Zeroizing<[u8; MASTER_SECRET_LEN]>,
}

impl Tls12MasterSecret {
    /// `master_secret = PRF(pre_master_secret, "master secret", ClientHello.random +
    /// ServerHello.random)[0..47]` (RFC 5246 s8.1).
    pub fn new(
        hash: SuiteHash,
        pre_master_secret: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Self {
        let mut secret = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
        prf_parts(
            hash,
            pre_master_secret,
            b"master secret",
            &[client_random, server_random],
            &mut secret[..],
        );
        Self { hash, secret }
    }

    /// The extended master secret (RFC 7627 s4): `PRF(pre_master_secret,
    /// "extended master secret", session_hash)[0..47]`, where `session_hash` is the
    /// transcript hash through the ClientKeyExchange.
    pub fn new_extended(hash: SuiteHash, pre_master_secret: &[u8], session_hash: &[u8]) -> Self {
        let mut secret = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
        prf(
            hash,
            pre_master_secret,
            b"extended master secret",
            session_hash,
            &mut secret[..],
        );
        Self { hash, secret }
    }

    /// A master secret restored from a session cache or ticket.
    pub fn from_bytes(hash: SuiteHash, secret: &[u8; MASTER_SECRET_LEN]) -> Self {
        Self {
            hash,
            secret: Zeroizing::new(*secret),
        }
    }

    /// The PRF hash.
    pub fn hash(&self) -> SuiteHash {
        self.hash
    }

    /// `key_block = PRF(master_secret, "key expansion", server_random + client_random)`
    /// (RFC 5246 s6.3; note the randoms are swapped relative to the master secret). The
    /// caller slices it into MAC keys, encryption keys and IVs.
    pub fn key_block(
        &self,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        len: usize,
    ) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(vec![0u8; len]);
        prf_parts(
            self.hash,
            &self.secret[..],
            b"key expansion",
            &[server_random, client_random],
            &mut out,
        );
        out
    }

    fn verify_data(&self, label: &[u8], handshake_hash: &[u8]) -> [u8; VERIFY_DATA_LEN] {
        let mut out = [0u8; VERIFY_DATA_LEN];
        prf(self.hash, &self.secret[..], label, handshake_hash, &mut out);
        out
    }

    /// The client Finished `verify_data = PRF(master_secret, "client finished",
    /// Hash(handshake_messages))[0..11]` (RFC 5246 s7.4.9).
    pub fn client_finished_verify_data(&self, handshake_hash: &[u8]) -> [u8; VERIFY_DATA_LEN] {
        self.verify_data(b"client finished", handshake_hash)
    }

    /// The server Finished `verify_data` (label `"server finished"`).
    pub fn server_finished_verify_data(&self, handshake_hash: &[u8]) -> [u8; VERIFY_DATA_LEN] {
        self.verify_data(b"server finished", handshake_hash)
    }

    /// Checks the peer's client Finished in constant time; a mismatch is
    /// [`Error::VerifyFailed`] (`decrypt_error`, RFC 5246 s7.4.9).
    pub fn verify_client_finished(
        &self,
        handshake_hash: &[u8],
        received: &[u8],
    ) -> Result<(), Error> {
        let expected = self.client_finished_verify_data(handshake_hash);
        (ct_eq(&expected, received) || crate::FUZZING)
            .then_some(())
            .ok_or(Error::VerifyFailed("client Finished verify_data"))
    }

    /// Checks the peer's server Finished in constant time.
    pub fn verify_server_finished(
        &self,
        handshake_hash: &[u8],
        received: &[u8],
    ) -> Result<(), Error> {
        let expected = self.server_finished_verify_data(handshake_hash);
        (ct_eq(&expected, received) || crate::FUZZING)
            .then_some(())
            .ok_or(Error::VerifyFailed("server Finished verify_data"))
    }

    /// Keying material per RFC 5705 s4: `PRF(master_secret, label, client_random +
    /// server_random [+ context_value_length + context_value])`. Unlike TLS 1.3, an
    /// absent context (`None`) and an empty one differ. Fails with
    /// [`Error::ApiMisuse`] for a context of 2^16 bytes or more, or a label the TLS 1.2
    /// handshake itself uses.
    pub fn export(
        &self,
        label: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        if RESERVED_EXPORTER_LABELS.contains(&label) {
            return Err(Error::ApiMisuse("exporter label reserved by TLS 1.2"));
        }
        match context {
            None => prf_parts(
                self.hash,
                &self.secret[..],
                label,
                &[client_random, server_random],
                out,
            ),
            Some(context) => {
                let len = u16::try_from(context.len())
                    .map_err(|_| Error::ApiMisuse("exporter context of 2^16 bytes or more"))?;
                prf_parts(
                    self.hash,
                    &self.secret[..],
                    label,
                    &[client_random, server_random, &len.to_be_bytes(), context],
                    out,
                );
            }
        }
        Ok(())
    }

    /// The key log line's label and the raw secret, for SSLKEYLOGFILE-style logging only
    /// (`CLIENT_RANDOM <client random> <master secret>`).
    pub fn keylog_entry(&self) -> (KeyLogLabel, &[u8; MASTER_SECRET_LEN]) {
        (KeyLogLabel::ClientRandom, &self.secret)
    }
}

impl fmt::Debug for Tls12MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls12MasterSecret")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Equality whose running time depends only on the lengths, not on where the inputs
/// differ (the lengths are public: verify_data is always 12 bytes).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
#[path = "prf_test.rs"]
mod tests;
