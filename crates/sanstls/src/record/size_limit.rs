//! Negotiated record size limits: RFC 8449 record_size_limit and RFC 6066
//! max_fragment_length.
//!
//! Both cap the plaintext of the records one side sends the other. They differ in what they
//! count and when they start:
//!
//! - record_size_limit counts the whole TLS 1.3 TLSInnerPlaintext (content, type byte and
//!   padding), and TLS 1.2's content (RFC 8449 s4). It binds protected records only:
//!   "unprotected messages are not subject to this limit" (s4).
//! - max_fragment_length counts the content (RFC 6066 s4), and binds every record from the
//!   hello that agreed it: "the client and server MUST immediately begin fragmenting
//!   messages (including handshake messages)".
//!
//! A [`PlaintextLimit`] says both numbers for one direction; the connection gives the
//! sending one to the fragmenter and sealer, the receiving one to the opener, each time a
//! key is installed (RFC 8449 s4: "records are subject to the limits that were set in the
//! handshake that produces the keys that are used to protect those records", which a TLS
//! 1.2 renegotiation makes matter).

use crate::enums::MaxFragmentLength;
use crate::error::Error;
use crate::msgs::extensions::RecordSizeLimit;
use crate::record::header::MAX_PLAINTEXT;

/// The least content a record may be limited to: RFC 8449 s4's floor of 64 less TLS 1.3's
/// type byte. Both sides of every stack fragment down to it, so nothing smaller is needed.
const MIN_CONTENT: usize = RecordSizeLimit::MIN as usize - 1;

/// How much plaintext one protected record may carry in one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaintextLimit {
    /// The most content bytes (what the fragmenter cuts to).
    pub content: usize,
    /// TLS 1.3: the most TLSInnerPlaintext bytes (content, type, padding). Unused by TLS 1.2.
    pub inner: usize,
}

impl Default for PlaintextLimit {
    fn default() -> Self {
        Self::PROTOCOL
    }
}

impl PlaintextLimit {
    /// The protocols' own limit: 2^14 bytes of content (RFC 8446 s5.1, RFC 5246 s6.2.1)
    /// and 2^14 + 1 of TLSInnerPlaintext (RFC 8446 s5.4).
    pub const PROTOCOL: Self = Self {
        content: MAX_PLAINTEXT,
        inner: MAX_PLAINTEXT + 1,
    };

    /// The limit a record_size_limit value sets under the negotiated version (RFC 8449 s4).
    ///
    /// A value above the version's maximum (2^14 + 1 for TLS 1.3, 2^14 for TLS 1.2) is taken
    /// as that maximum: "a server MUST NOT enforce this restriction" (a client offering both
    /// versions announces 2^14 + 1 and may end up with TLS 1.2), and a client only MAY
    /// refuse it, which would buy nothing. Values below 64 never get here: the codec
    /// refuses them (illegal_parameter, s4).
    pub fn from_record_size_limit(value: RecordSizeLimit, tls13: bool) -> Self {
        let v = usize::from(value.0).max(MIN_CONTENT + 1);
        match tls13 {
            true => {
                let inner = v.min(MAX_PLAINTEXT + 1);
                Self {
                    content: inner - 1,
                    inner,
                }
            }
            false => {
                let content = v.min(MAX_PLAINTEXT);
                Self {
                    content,
                    inner: content + 1,
                }
            }
        }
    }

    /// What we send under a max_fragment_length of `len` bytes (RFC 6066 s4): content of
    /// at most `len`, and no TLS 1.3 padding beyond it either, as the RFC predates padding
    /// and a peer may count it.
    pub fn max_fragment_send(len: usize) -> Self {
        Self {
            content: len,
            inner: len + 1,
        }
    }

    /// What we accept under a max_fragment_length of `len` bytes: the content is checked;
    /// TLS 1.3 padding is not (RFC 6066 predates it, and OpenSSL counts the content only).
    pub fn max_fragment_receive(len: usize) -> Self {
        Self {
            content: len,
            inner: MAX_PLAINTEXT + 1,
        }
    }
}

/// The record_size_limit value that announces `content` bytes per record (a configured
/// value, already checked by [`check_configured`]): one more in TLS 1.3 for the inner type
/// byte (RFC 8449 s4), which a client offering TLS 1.3 announces before it knows the
/// version.
pub fn announced(content: u16, tls13: bool) -> RecordSizeLimit {
    RecordSizeLimit(content.saturating_add(u16::from(tls13)))
}

/// Checks a configured `record_size_limit`: 64 to 2^14 bytes of content. The RFC's floor is
/// 64 on the wire (s4), 63 bytes of TLS 1.3 content; we keep 64 for both versions so one
/// number means the same content size in either.
pub fn check_configured(limit: Option<u16>) -> Result<(), Error> {
    match limit {
        Some(v) if !(RecordSizeLimit::MIN..=MAX_PLAINTEXT as u16).contains(&v) => Err(
            Error::BadConfiguration("record_size_limit must be 64..=16384"),
        ),
        _ => Ok(()),
    }
}

/// The bytes a max_fragment_length code stands for (RFC 6066 s4: 2^9 to 2^12); `None` for
/// a code outside 1..=4, which the codec already refuses.
pub fn max_fragment_len(m: MaxFragmentLength) -> Option<usize> {
    match m {
        MaxFragmentLength::Pow2_9 => Some(1 << 9),
        MaxFragmentLength::Pow2_10 => Some(1 << 10),
        MaxFragmentLength::Pow2_11 => Some(1 << 11),
        MaxFragmentLength::Pow2_12 => Some(1 << 12),
        MaxFragmentLength::Unknown(_) => None,
    }
}

/// The limits one handshake agreed, for each direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordLimits {
    /// What the peer accepts: the records we send.
    pub send: PlaintextLimit,
    /// What we announced: the records we accept.
    pub receive: PlaintextLimit,
}

impl RecordLimits {
    /// Both directions after record_size_limit was negotiated (both sides sent it):
    /// `peer` is the value the peer announced, `ours` the one we did (RFC 8449 s4).
    pub fn record_size_limit(peer: RecordSizeLimit, ours: RecordSizeLimit, tls13: bool) -> Self {
        Self {
            send: PlaintextLimit::from_record_size_limit(peer, tls13),
            receive: PlaintextLimit::from_record_size_limit(ours, tls13),
        }
    }

    /// Both directions after max_fragment_length was negotiated (RFC 6066 s4).
    pub fn max_fragment_length(len: usize) -> Self {
        Self {
            send: PlaintextLimit::max_fragment_send(len),
            receive: PlaintextLimit::max_fragment_receive(len),
        }
    }
}

#[cfg(test)]
#[path = "size_limit_test.rs"]
mod tests;
