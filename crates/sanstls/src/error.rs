//! Errors: what went wrong, where, and which alert tells the peer.
//!
//! Decode failures are [`InvalidMessage`], each variant carrying a static string that
//! names the field or structure being read. [`Error`] is the engine-level error; the
//! mapping from an error to the alert sent is decided in one place,
//! [`Error::alert`], never at the site of the failure.

use core::fmt;

use crate::enums::{AlertDescription, ContentType, ExtensionType, HandshakeType};

/// A message (or record) that could not be decoded.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidMessage {
    /// The input ended while this field was being read.
    MissingData(&'static str),
    /// Bytes were left over after this structure.
    TrailingData(&'static str),
    /// This list must not be empty.
    InvalidEmptyList(&'static str),
    /// This length exceeds the limit declared for the field.
    TooLarge(&'static str),
    /// A field held a value the RFC forbids here.
    IllegalValue(&'static str),
    /// The same extension appeared twice in one message.
    DuplicateExtension(ExtensionType),
    /// An extension that is not allowed in this message (or not in this position).
    UnexpectedExtension(ExtensionType),
    /// A handshake message of an unknown or context-inappropriate type.
    UnexpectedHandshakeType(HandshakeType),
    /// A record whose content type is not one TLS defines.
    InvalidContentType(ContentType),
    /// A record header whose version field is not TLS.
    UnknownProtocolVersion,
    /// A record longer than the protocol allows.
    RecordTooLarge,
    /// A handshake message longer than the configured maximum.
    HandshakeMessageTooLarge,
    /// A zero-length record of a content type that must not be empty.
    EmptyRecord(ContentType),
    /// A ChangeCipherSpec record whose body is not the single byte 1.
    InvalidCcs,
    /// An alert record that is not exactly two bytes.
    InvalidAlert,
    /// Handshake data interleaved with another content type in a way the RFC forbids.
    InterleavedHandshake,
    /// A mandatory extension is absent (e.g. signature_algorithms in a TLS 1.3
    /// CertificateRequest, RFC 8446 s4.3.2).
    MissingExtension(ExtensionType),
    /// Handshake data still buffered when the keys changed (RFC 8446 s5.1).
    HandshakeSpansKeyChange,
    /// This field is shorter than the minimum its declaration allows (for example a
    /// `PskBinderEntry<32..255>` of 31 bytes).
    TooShort(&'static str),
}

impl InvalidMessage {
    /// The alert that reports this failure to the peer.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::MissingData(_)
            | Self::TrailingData(_)
            | Self::InvalidEmptyList(_)
            | Self::TooLarge(_)
            | Self::DuplicateExtension(_)
            | Self::InvalidCcs
            | Self::InvalidAlert
            | Self::EmptyRecord(_)
            | Self::HandshakeMessageTooLarge
            | Self::TooShort(_) => AlertDescription::DecodeError,
            Self::RecordTooLarge => AlertDescription::RecordOverflow,
            Self::IllegalValue(_) => AlertDescription::IllegalParameter,
            // RFC 8446 s4.2: a recognised extension in a message it is not specified for.
            Self::UnexpectedExtension(_) => AlertDescription::IllegalParameter,
            Self::UnexpectedHandshakeType(_)
            | Self::InvalidContentType(_)
            | Self::InterleavedHandshake
            | Self::HandshakeSpansKeyChange => AlertDescription::UnexpectedMessage,
            Self::UnknownProtocolVersion => AlertDescription::ProtocolVersion,
            Self::MissingExtension(_) => AlertDescription::MissingExtension,
        }
    }
}

impl fmt::Display for InvalidMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingData(what) => write!(f, "message truncated while reading {what}"),
            Self::TrailingData(what) => write!(f, "unexpected trailing data after {what}"),
            Self::InvalidEmptyList(what) => write!(f, "{what} must not be empty"),
            Self::TooLarge(what) => write!(f, "{what} is longer than allowed"),
            Self::IllegalValue(what) => write!(f, "illegal value in {what}"),
            Self::DuplicateExtension(t) => write!(f, "duplicate extension {t:?}"),
            Self::UnexpectedExtension(t) => write!(f, "extension {t:?} not allowed here"),
            Self::UnexpectedHandshakeType(t) => write!(f, "unexpected handshake message {t:?}"),
            Self::InvalidContentType(t) => write!(f, "invalid record content type {t:?}"),
            Self::UnknownProtocolVersion => write!(f, "record version is not TLS"),
            Self::RecordTooLarge => write!(f, "record exceeds the maximum length"),
            Self::HandshakeMessageTooLarge => {
                write!(f, "handshake message exceeds the maximum size")
            }
            Self::EmptyRecord(t) => write!(f, "empty {t:?} record"),
            Self::InvalidCcs => write!(f, "ChangeCipherSpec body is not the single byte 1"),
            Self::InvalidAlert => write!(f, "alert record is not two bytes"),
            Self::InterleavedHandshake => {
                write!(f, "handshake message interleaved with another content type")
            }
            Self::MissingExtension(t) => write!(f, "mandatory extension {t:?} is missing"),
            Self::HandshakeSpansKeyChange => {
                write!(f, "handshake message spans a key change")
            }
            Self::TooShort(what) => write!(f, "{what} is shorter than allowed"),
        }
    }
}

impl std::error::Error for InvalidMessage {}

/// An engine-level error. Sticky: once a connection reports one, it reports it forever.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The peer sent something that does not decode.
    InvalidMessage(InvalidMessage),
    /// A protected record failed authentication (wrong key, tampering, or truncation).
    DecryptError,
    /// A record arrived after 2^64-1 records were read or written under one key.
    SequenceNumberExhausted,
    /// Encryption failed (a bug or a misuse, never a peer's doing).
    EncryptError,
    /// The caller misused the API; the string says how.
    ApiMisuse(&'static str),
    /// A MAC the peer sent (Finished verify_data, PSK binder) did not verify; the string
    /// names it. RFC 8446 s4.4.4 and RFC 5246 s7.4.9 answer this with `decrypt_error`.
    VerifyFailed(&'static str),
}

impl Error {
    /// The alert to send the peer for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Self::InvalidMessage(m) => Some(m.alert()),
            Self::DecryptError => Some(AlertDescription::BadRecordMac),
            Self::SequenceNumberExhausted | Self::EncryptError => {
                Some(AlertDescription::InternalError)
            }
            Self::ApiMisuse(_) => None,
            Self::VerifyFailed(_) => Some(AlertDescription::DecryptError),
        }
    }
}

impl From<InvalidMessage> for Error {
    fn from(e: InvalidMessage) -> Self {
        Self::InvalidMessage(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMessage(m) => write!(f, "invalid message: {m}"),
            Self::DecryptError => write!(f, "record authentication failed (bad_record_mac)"),
            Self::SequenceNumberExhausted => write!(f, "record sequence number exhausted"),
            Self::EncryptError => write!(f, "record encryption failed"),
            Self::ApiMisuse(what) => write!(f, "API misuse: {what}"),
            Self::VerifyFailed(what) => write!(f, "{what} did not verify"),
        }
    }
}

impl std::error::Error for Error {}
