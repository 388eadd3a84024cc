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
    /// The peer sent a well-formed message that breaks a protocol rule.
    PeerMisbehaved(PeerMisbehaved),
    /// The peer and we share no way to talk (suites, groups, versions, ALPN...).
    PeerIncompatible(PeerIncompatible),
    /// The peer's certificate was refused.
    InvalidCertificate(CertificateError),
    /// The peer sent a fatal alert (or a warning alert other than close_notify in TLS 1.3).
    AlertReceived(AlertDescription),
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
    /// The injected random source failed.
    GetRandomFailed,
    /// The handshake did not complete before its deadline.
    HandshakeTimeout,
    /// Our own configuration cannot work (e.g. a key that does not match its certificate).
    BadConfiguration(&'static str),
    /// The peer exceeded one of the connection's [`crate::Limits`].
    LimitExceeded(crate::limits::Limit),
}

/// A protocol rule the peer broke, one variant per check.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerMisbehaved {
    /// A handshake message arrived that the current state does not expect.
    UnexpectedMessage(ContentType, HandshakeType),
    /// A key share is not a valid public value for its group (or yields an all-zero
    /// X25519 secret, RFC 8446 s7.4.2).
    InvalidKeyShare,
    /// The CertificateVerify (or ServerKeyExchange) signature does not verify.
    BadSignature,
    /// The peer chose a parameter we did not offer; the string names it.
    SelectedUnofferedParameter(&'static str),
    /// The peer sent an extension we did not offer, or one not allowed in that message.
    UnsolicitedExtension(ExtensionType),
    /// Any other rule; the string names it (and the RFC section where it comes from).
    Other(&'static str),
}

/// Why the peer and we cannot agree.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerIncompatible {
    /// No protocol version in common.
    NoVersionInCommon,
    /// No cipher suite in common.
    NoCipherSuitesInCommon,
    /// No key exchange group in common.
    NoKxGroupsInCommon,
    /// No signature scheme we can use with our key.
    NoSignatureSchemesInCommon,
    /// The client offered ALPN protocols and none is ours (RFC 7301 s3.2).
    NoApplicationProtocolInCommon,
    /// The server requires a client certificate and the client sent none.
    CertificateRequired,
    /// The server's finite-field DH group is smaller than our minimum (Node's `minDHSize`).
    DhGroupTooSmall,
    /// Any other reason; the string says which.
    Other(&'static str),
}

/// Why a certificate was refused (the most specific reason wins).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateError {
    /// The certificate does not parse.
    BadEncoding,
    /// It has expired.
    Expired,
    /// It is not valid yet.
    NotValidYet,
    /// No chain to a trusted anchor.
    UnknownIssuer,
    /// A signature in the chain does not verify.
    BadSignature,
    /// It does not name the host we connected to.
    NotValidForName,
    /// It was revoked.
    Revoked,
    /// A signature algorithm we do not support.
    UnsupportedSignatureAlgorithm,
    /// The application's own check refused it; the string says why.
    ApplicationVerificationFailure(String),
    /// A full verifier (sanstls-pki's) refused it with an OpenSSL/Node verification code
    /// (`CERT_HAS_EXPIRED`, `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, ...: Node's
    /// `authorizationError`) and OpenSSL's text for it.
    Rejected {
        /// The code, as Node reports it.
        code: &'static str,
        /// What was wrong, and where in the chain.
        message: String,
    },
}

impl CertificateError {
    /// The OpenSSL/Node code for this refusal (Node's `authorizationError`).
    pub fn code(&self) -> &str {
        match self {
            Self::BadEncoding => "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
            Self::Expired => "CERT_HAS_EXPIRED",
            Self::NotValidYet => "CERT_NOT_YET_VALID",
            Self::UnknownIssuer => "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            Self::BadSignature => "CERT_SIGNATURE_FAILURE",
            Self::NotValidForName => "ERR_TLS_CERT_ALTNAME_INVALID",
            Self::Revoked => "CERT_REVOKED",
            Self::UnsupportedSignatureAlgorithm => "CERT_SIGNATURE_FAILURE",
            Self::ApplicationVerificationFailure(_) => "APPLICATION_VERIFICATION_FAILURE",
            Self::Rejected { code, .. } => code,
        }
    }
}

/// The alert OpenSSL sends for a verification code (its `ssl_x509err2alert` table), so a
/// peer sees the same alert from us as from an OpenSSL-based stack such as Node.
fn verification_alert(code: &str) -> AlertDescription {
    use AlertDescription as A;
    match code {
        "CERT_HAS_EXPIRED" | "CERT_NOT_YET_VALID" | "CRL_HAS_EXPIRED" | "CRL_NOT_YET_VALID" => {
            A::CertificateExpired
        }
        "CERT_REVOKED" => A::CertificateRevoked,
        "UNABLE_TO_GET_ISSUER_CERT"
        | "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
        | "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
        | "DEPTH_ZERO_SELF_SIGNED_CERT"
        | "SELF_SIGNED_CERT_IN_CHAIN"
        | "CERT_CHAIN_TOO_LONG"
        | "PATH_LENGTH_EXCEEDED"
        | "INVALID_CA" => A::UnknownCA,
        "CERT_SIGNATURE_FAILURE" | "CRL_SIGNATURE_FAILURE" => A::DecryptError,
        "INVALID_PURPOSE" | "CERT_UNTRUSTED" | "CERT_REJECTED" => A::UnsupportedCertificate,
        "UNABLE_TO_GET_CRL" => A::UnknownCA,
        _ => A::BadCertificate,
    }
}

impl Error {
    /// The alert to send the peer for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Self::InvalidMessage(m) => m.alert(),
            Self::PeerMisbehaved(p) => match p {
                PeerMisbehaved::UnexpectedMessage(..) => A::UnexpectedMessage,
                PeerMisbehaved::InvalidKeyShare
                | PeerMisbehaved::SelectedUnofferedParameter(_)
                | PeerMisbehaved::Other(_) => A::IllegalParameter,
                PeerMisbehaved::BadSignature => A::DecryptError,
                PeerMisbehaved::UnsolicitedExtension(_) => A::UnsupportedExtension,
            },
            Self::PeerIncompatible(p) => match p {
                PeerIncompatible::NoVersionInCommon => A::ProtocolVersion,
                PeerIncompatible::NoApplicationProtocolInCommon => A::NoApplicationProtocol,
                PeerIncompatible::CertificateRequired => A::CertificateRequired,
                // RFC 7919 s4: a group too weak for the client.
                PeerIncompatible::DhGroupTooSmall => A::InsufficientSecurity,
                PeerIncompatible::NoCipherSuitesInCommon
                | PeerIncompatible::NoKxGroupsInCommon
                | PeerIncompatible::NoSignatureSchemesInCommon
                | PeerIncompatible::Other(_) => A::HandshakeFailure,
            },
            Self::InvalidCertificate(c) => match c {
                CertificateError::BadEncoding => A::DecodeError,
                CertificateError::Expired | CertificateError::NotValidYet => A::CertificateExpired,
                CertificateError::UnknownIssuer => A::UnknownCA,
                CertificateError::Revoked => A::CertificateRevoked,
                CertificateError::UnsupportedSignatureAlgorithm => A::UnsupportedCertificate,
                CertificateError::BadSignature
                | CertificateError::NotValidForName
                | CertificateError::ApplicationVerificationFailure(_) => A::BadCertificate,
                CertificateError::Rejected { code, .. } => verification_alert(code),
            },
            // The peer already ended the connection; answering an alert with one is pointless.
            Self::AlertReceived(_) => return None,
            Self::DecryptError => A::BadRecordMac,
            Self::SequenceNumberExhausted
            | Self::EncryptError
            | Self::GetRandomFailed
            | Self::BadConfiguration(_) => A::InternalError,
            Self::ApiMisuse(_) => return None,
            Self::VerifyFailed(_) => A::DecryptError,
            // RFC 8446 has no alert for a timeout; close the connection quietly.
            Self::HandshakeTimeout => return None,
            // OpenSSL answers floods of warnings or empty records the same way.
            Self::LimitExceeded(_) => A::UnexpectedMessage,
        })
    }
}

impl From<InvalidMessage> for Error {
    fn from(e: InvalidMessage) -> Self {
        Self::InvalidMessage(e)
    }
}

impl From<PeerMisbehaved> for Error {
    fn from(e: PeerMisbehaved) -> Self {
        Self::PeerMisbehaved(e)
    }
}

impl From<PeerIncompatible> for Error {
    fn from(e: PeerIncompatible) -> Self {
        Self::PeerIncompatible(e)
    }
}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        Self::InvalidCertificate(e)
    }
}

impl From<crate::rand::GetRandomFailed> for Error {
    fn from(_: crate::rand::GetRandomFailed) -> Self {
        Self::GetRandomFailed
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMessage(m) => write!(f, "invalid message: {m}"),
            Self::PeerMisbehaved(p) => write!(f, "peer misbehaved: {p:?}"),
            Self::PeerIncompatible(p) => write!(f, "peer is incompatible: {p:?}"),
            Self::InvalidCertificate(CertificateError::Rejected { code, message }) => {
                write!(f, "invalid peer certificate: {code}: {message}")
            }
            Self::InvalidCertificate(c) => write!(f, "invalid peer certificate: {c:?}"),
            Self::AlertReceived(a) => write!(f, "received fatal alert: {a:?}"),
            Self::DecryptError => write!(f, "record authentication failed (bad_record_mac)"),
            Self::SequenceNumberExhausted => write!(f, "record sequence number exhausted"),
            Self::EncryptError => write!(f, "record encryption failed"),
            Self::ApiMisuse(what) => write!(f, "API misuse: {what}"),
            Self::VerifyFailed(what) => write!(f, "{what} did not verify"),
            Self::GetRandomFailed => write!(f, "the random source failed"),
            Self::HandshakeTimeout => write!(f, "the handshake timed out"),
            Self::LimitExceeded(limit) => write!(f, "the peer sent {limit}"),
            Self::BadConfiguration(what) => write!(f, "bad configuration: {what}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_codes_map_to_openssls_alerts() {
        let alert = |code| {
            Error::InvalidCertificate(CertificateError::Rejected {
                code,
                message: String::new(),
            })
            .alert()
        };
        use AlertDescription as A;
        assert_eq!(alert("CERT_HAS_EXPIRED"), Some(A::CertificateExpired));
        assert_eq!(alert("CERT_REVOKED"), Some(A::CertificateRevoked));
        assert_eq!(alert("DEPTH_ZERO_SELF_SIGNED_CERT"), Some(A::UnknownCA));
        assert_eq!(alert("CERT_SIGNATURE_FAILURE"), Some(A::DecryptError));
        assert_eq!(alert("INVALID_PURPOSE"), Some(A::UnsupportedCertificate));
        assert_eq!(
            alert("UNHANDLED_CRITICAL_EXTENSION"),
            Some(A::BadCertificate)
        );
        let e = CertificateError::Rejected {
            code: "CERT_HAS_EXPIRED",
            message: "certificate has expired".into(),
        };
        assert_eq!(e.code(), "CERT_HAS_EXPIRED");
        assert_eq!(
            Error::InvalidCertificate(e).to_string(),
            "invalid peer certificate: CERT_HAS_EXPIRED: certificate has expired"
        );
    }
}
