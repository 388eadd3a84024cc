//! Errors: what went wrong, where, and which alert tells the peer.
//!
//! Decode failures are [`InvalidMessage`], each variant carrying a static string that
//! names the field or structure being read. [`Error`] is the engine-level error; the
//! mapping from an error to the alert sent is decided in one place,
//! [`Error::alert`], never at the site of the failure.

use crate::prelude::*;
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
            | Self::InvalidAlert
            | Self::EmptyRecord(_)
            | Self::HandshakeMessageTooLarge
            | Self::TooShort(_) => AlertDescription::DecodeError,
            Self::RecordTooLarge => AlertDescription::RecordOverflow,
            Self::IllegalValue(_) => AlertDescription::IllegalParameter,
            // RFC 8446 s4.2: a recognised extension in a message it is not specified for.
            Self::UnexpectedExtension(_) => AlertDescription::IllegalParameter,
            // RFC 8446 s5: any change_cipher_spec value but 1 is unexpected_message.
            Self::UnexpectedHandshakeType(_)
            | Self::InvalidCcs
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

impl core::error::Error for InvalidMessage {}

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
    /// TLS 1.2: the peer sent close_notify, which closes the connection in both directions
    /// (RFC 5246 s7.2.1): we answered with ours and send nothing more. (TLS 1.3 closes one
    /// direction at a time: there `send` still works.)
    ClosedByPeer,
    /// TLS 1.2: our write key protected as many records as its algorithm safely allows
    /// (RFC 8446 s5.5's limits; TLS 1.2 has no KeyUpdate), so the connection sent
    /// close_notify and sends nothing more: open a new one. (TLS 1.3 updates its key by
    /// itself instead.)
    KeyUsageLimit,
}

/// A protocol rule the peer broke, one variant per check. Each variant's alert is the one
/// its RFC names ([`PeerMisbehaved::alert`]); where the RFC names none, the choice is the
/// one OpenSSL and BoringSSL make, and the doc comment says so.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerMisbehaved {
    /// A handshake message arrived that the current state does not expect
    /// (`unexpected_message`, RFC 8446 s5, RFC 5246 s7.4).
    UnexpectedMessage(ContentType, HandshakeType),
    /// A plaintext ChangeCipherSpec where TLS 1.3 allows none: before the first ClientHello,
    /// a second one, or after the handshake (`unexpected_message`, RFC 8446 s5).
    ChangeCipherSpecInTls13,
    /// Application data before the handshake completed (`unexpected_message`,
    /// RFC 8446 s5.1, RFC 5246 s7.4).
    ApplicationDataBeforeHandshake,
    /// A key share is not a valid public value for its group (or yields an all-zero
    /// X25519 secret, RFC 8446 s7.4.2) (`illegal_parameter`).
    InvalidKeyShare,
    /// A hybrid client share (X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024) whose
    /// ML-KEM encapsulation key fails FIPS 203 s7.2's modulus check (a coefficient not
    /// below q) (`illegal_parameter`, draft-ietf-tls-ecdhe-mlkem s4.1).
    MlKemEncapsulationKeyCheck,
    /// The CertificateVerify (or ServerKeyExchange) signature does not verify
    /// (`decrypt_error`, RFC 8446 s4.4.3).
    BadSignature,
    /// The peer chose a parameter we did not offer; the string names it
    /// (`illegal_parameter`, RFC 8446 s4.1.3, 4.2.8, 4.2.11).
    SelectedUnofferedParameter(&'static str),
    /// The peer sent an extension we did not offer, or one not allowed in that message
    /// (`unsupported_extension`, RFC 8446 s4.2, RFC 5246 s7.4.1.4).
    UnsolicitedExtension(ExtensionType),
    /// A Finished whose verify_data is not the length of the hash (TLS 1.3) or 12 bytes
    /// (TLS 1.2): a malformed message (`decode_error`).
    WrongFinishedLength,
    /// Finite-field DH parameters that are not a usable group (`illegal_parameter`).
    InvalidDhParameters,

    /// A TLS 1.3 ClientHello whose legacy_compression_methods is not the single null
    /// method (`illegal_parameter`, RFC 8446 s4.1.2).
    CompressionInTls13ClientHello,
    /// A TLS 1.2 ClientHello without the null compression method, which every client must
    /// offer (RFC 5246 s7.4.1.2) (`illegal_parameter`).
    NoNullCompression,
    /// A ClientHello offering TLS 1.3 whose legacy_version is not 0x0303 (RFC 8446 s4.1.2,
    /// D.5) (`protocol_version`).
    ClientLegacyVersion,
    /// TLS_FALLBACK_SCSV from a client offering less than our highest version
    /// (`inappropriate_fallback`, RFC 7507 s3).
    InappropriateFallback,
    /// The ClientHello after a HelloRetryRequest changed a field RFC 8446 s4.1.2 freezes;
    /// the string names it (`illegal_parameter`).
    SecondClientHelloChanged(&'static str),
    /// The ClientHello after a HelloRetryRequest does not hold exactly one share, of the
    /// group we asked for (`illegal_parameter`, RFC 8446 s4.2.8).
    SecondClientHelloWrongKeyShare,
    /// The ClientHello after a HelloRetryRequest does not echo our cookie
    /// (`illegal_parameter`, RFC 8446 s4.2.2).
    SecondClientHelloWithoutCookie,
    /// The ClientHello after a HelloRetryRequest offers early data (`illegal_parameter`,
    /// RFC 8446 s4.2.10).
    EarlyDataAfterHelloRetryRequest,
    /// pre_shared_key is not the last extension of the ClientHello (`illegal_parameter`,
    /// RFC 8446 s4.2.11).
    PskNotLastExtension,
    /// A server_name that is not a DNS host name (RFC 6066 s3: ASCII, no trailing dot, at
    /// most 255 bytes). `unrecognized_name`, as OpenSSL answers names it cannot use.
    InvalidServerName,
    /// An initial ClientHello with a non-empty renegotiation_info (`handshake_failure`,
    /// RFC 5746 s3.6).
    NonEmptyInitialRenegotiationInfo,
    /// A renegotiating ClientHello without the client's verify_data in
    /// renegotiation_info, or with the SCSV (`handshake_failure`, RFC 5746 s3.7).
    RenegotiationWithoutBinding,
    /// A renegotiation that drops the extended master secret an earlier handshake of the
    /// connection used (`handshake_failure`, RFC 7627 s5.2-5.3).
    RenegotiationDropsExtendedMasterSecret,
    /// The client renegotiated more than `Limits::max_client_renegotiations` times in
    /// `Limits::client_renegotiation_window` (Node's session attack guard;
    /// `handshake_failure`).
    TooManyRenegotiations,
    /// A renegotiation changed (or dropped) the peer's certificate: who the peer is may
    /// not change within a connection (`illegal_parameter`).
    CertificateChangedInRenegotiation,
    /// A client Certificate whose certificate_request_context is not our CertificateRequest's,
    /// or a handshake CertificateRequest with a non-empty one (`illegal_parameter`,
    /// RFC 8446 s4.3.2, s4.4.2).
    WrongCertificateRequestContext,

    /// A TLS 1.3 ServerHello or HelloRetryRequest whose legacy_version is not 0x0303
    /// (`protocol_version`, RFC 8446 s4.1.3, D.5).
    ServerLegacyVersion,
    /// A ServerHello or HelloRetryRequest whose legacy_session_id_echo is not what we sent
    /// (`illegal_parameter`, RFC 8446 s4.1.3).
    SessionIdEchoMismatch,
    /// A TLS 1.3 ServerHello without key_share when we offered only psk_dhe_ke
    /// (`missing_extension`, RFC 8446 s4.2.8-4.2.9).
    MissingKeyShare,
    /// A TLS 1.2 ServerHello carrying RFC 8446's downgrade sentinel while we offered TLS 1.3
    /// (`illegal_parameter`, RFC 8446 s4.1.3).
    DowngradeSentinel,
    /// A TLS 1.2 ServerHello after a HelloRetryRequest chose TLS 1.3
    /// (`illegal_parameter`, RFC 8446 s4.2.1).
    Tls12AfterHelloRetryRequest,
    /// A second HelloRetryRequest (`unexpected_message`, RFC 8446 s4.1.4).
    SecondHelloRetryRequest,
    /// A HelloRetryRequest that would not change the ClientHello (`illegal_parameter`,
    /// RFC 8446 s4.1.4).
    HelloRetryRequestChangesNothing,
    /// A HelloRetryRequest asking for the group of the share we already sent
    /// (`illegal_parameter`, RFC 8446 s4.2.8).
    HelloRetryRequestForOfferedGroup,
    /// The ServerHello's cipher suite differs from the HelloRetryRequest's
    /// (`illegal_parameter`, RFC 8446 s4.1.4).
    ServerHelloSuiteDiffersFromRetry,
    /// A ServerHello's renegotiation_info is not what RFC 5746 s3.4/s3.5 requires (empty on
    /// an initial handshake, both verify_data on a renegotiation), or is missing from a
    /// renegotiation (`handshake_failure`).
    WrongRenegotiationInfo,
    /// A TLS 1.2 server resumed our session under another cipher suite
    /// (`illegal_parameter`, RFC 5246 s7.4.1.3).
    ResumptionWithAnotherSuite,
    /// A TLS 1.2 server resumed a session with the extended master secret set differently
    /// from when it was made (`handshake_failure`, RFC 7627 s5.3).
    ResumptionChangesExtendedMasterSecret,
    /// The server sent a Certificate with no certificate (`decode_error`,
    /// RFC 8446 s4.4.2.4; a server must authenticate in TLS 1.2 too).
    EmptyServerCertificate,
    /// A server Certificate with a non-empty certificate_request_context
    /// (`illegal_parameter`, RFC 8446 s4.4.2).
    ServerCertificateWithContext,
    /// A NewSessionTicket with a lifetime over seven days (`illegal_parameter`,
    /// RFC 8446 s4.6.1).
    TicketLifetimeTooLong,
    /// More PSK identities than a ServerHello can select (`illegal_parameter`).
    TooManyPskIdentities,
    /// A protected record whose plaintext is larger than the record_size_limit we
    /// announced (RFC 8449 s4), or than the max_fragment_length we agreed (RFC 6066 s4)
    /// (`record_overflow`).
    RecordOverNegotiatedLimit,
    /// More 0-RTT data than the max_early_data_size we allowed (`unexpected_message`,
    /// RFC 8446 s4.2.10).
    TooMuchEarlyData,
    /// A handshake message other than EndOfEarlyData under the early traffic key, after we
    /// accepted early data (`unexpected_message`, RFC 8446 s4.5).
    MissingEndOfEarlyData,
    /// A server accepted our early data without accepting the first PSK we offered
    /// (`illegal_parameter`, RFC 8446 s4.2.10).
    EarlyDataAcceptedWithoutPsk,
    /// A server accepted our early data under another ALPN protocol than the session's
    /// (`illegal_parameter`, RFC 8446 s4.2.10).
    EarlyDataAlpnChanged,
    /// A server accepted our early data under another cipher suite than the session's
    /// (`illegal_parameter`, RFC 8446 s4.2.10).
    EarlyDataSuiteChanged,
    /// The ServerHello selected a PSK identity index past the ones we offered
    /// (`illegal_parameter`, RFC 8446 s4.2.11).
    SelectedUnofferedPsk,
    /// The ServerHello selected one of our PSKs under a suite whose hash is not the PSK's
    /// (`illegal_parameter`, RFC 8446 s4.2.11).
    PskHashMismatch,
}

impl PeerMisbehaved {
    /// The alert that reports this to the peer.
    pub fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            Self::UnexpectedMessage(..)
            | Self::ChangeCipherSpecInTls13
            | Self::ApplicationDataBeforeHandshake
            | Self::SecondHelloRetryRequest
            | Self::TooMuchEarlyData
            | Self::MissingEndOfEarlyData => A::UnexpectedMessage,
            Self::BadSignature => A::DecryptError,
            Self::UnsolicitedExtension(_) => A::UnsupportedExtension,
            Self::WrongFinishedLength | Self::EmptyServerCertificate => A::DecodeError,
            Self::ClientLegacyVersion | Self::ServerLegacyVersion => A::ProtocolVersion,
            Self::InappropriateFallback => A::InappropriateFallback,
            Self::InvalidServerName => A::UnrecognisedName,
            Self::MissingKeyShare => A::MissingExtension,
            Self::RecordOverNegotiatedLimit => A::RecordOverflow,
            Self::NonEmptyInitialRenegotiationInfo
            | Self::RenegotiationWithoutBinding
            | Self::RenegotiationDropsExtendedMasterSecret
            | Self::TooManyRenegotiations
            | Self::WrongRenegotiationInfo
            | Self::ResumptionChangesExtendedMasterSecret => A::HandshakeFailure,
            Self::InvalidKeyShare
            | Self::MlKemEncapsulationKeyCheck
            | Self::SelectedUnofferedParameter(_)
            | Self::InvalidDhParameters
            | Self::CompressionInTls13ClientHello
            | Self::NoNullCompression
            | Self::SecondClientHelloChanged(_)
            | Self::SecondClientHelloWrongKeyShare
            | Self::SecondClientHelloWithoutCookie
            | Self::EarlyDataAfterHelloRetryRequest
            | Self::PskNotLastExtension
            | Self::CertificateChangedInRenegotiation
            | Self::WrongCertificateRequestContext
            | Self::SessionIdEchoMismatch
            | Self::DowngradeSentinel
            | Self::Tls12AfterHelloRetryRequest
            | Self::HelloRetryRequestChangesNothing
            | Self::HelloRetryRequestForOfferedGroup
            | Self::ServerHelloSuiteDiffersFromRetry
            | Self::ResumptionWithAnotherSuite
            | Self::ServerCertificateWithContext
            | Self::TicketLifetimeTooLong
            | Self::TooManyPskIdentities
            | Self::EarlyDataAcceptedWithoutPsk
            | Self::EarlyDataAlpnChanged
            | Self::EarlyDataSuiteChanged
            | Self::SelectedUnofferedPsk
            | Self::PskHashMismatch => A::IllegalParameter,
        }
    }
}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedMessage(ContentType::Handshake, t) => {
                write!(f, "unexpected handshake message {t:?}")
            }
            Self::UnexpectedMessage(c, _) => write!(f, "unexpected {c:?} record"),
            Self::ChangeCipherSpecInTls13 => {
                f.write_str("ChangeCipherSpec where TLS 1.3 allows none")
            }
            Self::ApplicationDataBeforeHandshake => {
                f.write_str("application data before the handshake completed")
            }
            Self::InvalidKeyShare => f.write_str("invalid key share"),
            Self::MlKemEncapsulationKeyCheck => {
                f.write_str("ML-KEM encapsulation key fails the FIPS 203 modulus check")
            }
            Self::BadSignature => f.write_str("handshake signature does not verify"),
            Self::SelectedUnofferedParameter(what) => write!(f, "chose a {what} we did not offer"),
            Self::UnsolicitedExtension(t) => write!(f, "sent extension {t:?} we did not offer"),
            Self::WrongFinishedLength => f.write_str("Finished of the wrong length"),
            Self::InvalidDhParameters => f.write_str("invalid DH parameters"),
            Self::CompressionInTls13ClientHello => {
                f.write_str("TLS 1.3 ClientHello offers compression")
            }
            Self::NoNullCompression => f.write_str("ClientHello without null compression"),
            Self::ClientLegacyVersion => {
                f.write_str("TLS 1.3 ClientHello whose legacy_version is not 0x0303")
            }
            Self::InappropriateFallback => {
                f.write_str("TLS_FALLBACK_SCSV from a client below our highest version")
            }
            Self::SecondClientHelloChanged(what) => {
                write!(f, "second ClientHello changed {what}")
            }
            Self::SecondClientHelloWrongKeyShare => {
                f.write_str("second ClientHello without exactly the requested key share")
            }
            Self::SecondClientHelloWithoutCookie => {
                f.write_str("second ClientHello without our cookie")
            }
            Self::EarlyDataAfterHelloRetryRequest => {
                f.write_str("early data offered after a HelloRetryRequest")
            }
            Self::PskNotLastExtension => f.write_str("pre_shared_key is not the last extension"),
            Self::InvalidServerName => f.write_str("server_name is not a DNS host name"),
            Self::RecordOverNegotiatedLimit => {
                f.write_str("record larger than the negotiated record size limit")
            }
            Self::NonEmptyInitialRenegotiationInfo => {
                f.write_str("non-empty renegotiation_info in an initial handshake")
            }
            Self::RenegotiationWithoutBinding => {
                f.write_str("renegotiation without the RFC 5746 binding")
            }
            Self::RenegotiationDropsExtendedMasterSecret => {
                f.write_str("renegotiation drops the extended master secret")
            }
            Self::TooManyRenegotiations => f.write_str("client renegotiated too often"),
            Self::CertificateChangedInRenegotiation => {
                f.write_str("the peer's certificate changed in a renegotiation")
            }
            Self::WrongCertificateRequestContext => {
                f.write_str("client Certificate with a wrong request context")
            }
            Self::ServerLegacyVersion => f.write_str("ServerHello legacy_version is not 0x0303"),
            Self::SessionIdEchoMismatch => {
                f.write_str("ServerHello does not echo our legacy_session_id")
            }
            Self::MissingKeyShare => f.write_str("TLS 1.3 ServerHello without key_share"),
            Self::DowngradeSentinel => {
                f.write_str("TLS 1.2 ServerHello with the TLS 1.3 downgrade sentinel")
            }
            Self::Tls12AfterHelloRetryRequest => {
                f.write_str("TLS 1.2 ServerHello after a HelloRetryRequest")
            }
            Self::SecondHelloRetryRequest => f.write_str("second HelloRetryRequest"),
            Self::HelloRetryRequestChangesNothing => {
                f.write_str("HelloRetryRequest that changes nothing")
            }
            Self::HelloRetryRequestForOfferedGroup => {
                f.write_str("HelloRetryRequest asks for the key share we sent")
            }
            Self::ServerHelloSuiteDiffersFromRetry => {
                f.write_str("ServerHello cipher suite differs from the HelloRetryRequest's")
            }
            Self::WrongRenegotiationInfo => f.write_str("wrong renegotiation_info"),
            Self::ResumptionWithAnotherSuite => {
                f.write_str("session resumed under another cipher suite")
            }
            Self::ResumptionChangesExtendedMasterSecret => {
                f.write_str("resumption changes the extended master secret")
            }
            Self::EmptyServerCertificate => f.write_str("server sent an empty Certificate"),
            Self::ServerCertificateWithContext => {
                f.write_str("server Certificate with a request context")
            }
            Self::TicketLifetimeTooLong => f.write_str("ticket lifetime over seven days"),
            Self::TooManyPskIdentities => f.write_str("too many PSK identities"),
            Self::TooMuchEarlyData => f.write_str("more early data than max_early_data_size"),
            Self::MissingEndOfEarlyData => {
                f.write_str("a handshake message under the early key other than EndOfEarlyData")
            }
            Self::EarlyDataAcceptedWithoutPsk => {
                f.write_str("early data accepted without the first PSK")
            }
            Self::EarlyDataAlpnChanged => {
                f.write_str("early data accepted under another ALPN protocol than the session's")
            }
            Self::EarlyDataSuiteChanged => {
                f.write_str("early data accepted under another cipher suite than the session's")
            }
            Self::SelectedUnofferedPsk => f.write_str("selected a PSK identity we did not offer"),
            Self::PskHashMismatch => {
                f.write_str("selected a PSK under a cipher suite of another hash")
            }
        }
    }
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
    /// The server requires a client certificate and the client sent none (TLS 1.3:
    /// `certificate_required`, RFC 8446 s4.4.2.4).
    CertificateRequired,
    /// The same in TLS 1.2, which has no such alert (`handshake_failure`, RFC 5246 s7.4.6).
    Tls12CertificateRequired,
    /// We asked to renegotiate and the server declined with no_renegotiation: the
    /// handshake cannot go on (`handshake_failure`, as OpenSSL ends it).
    RenegotiationDeclined,
    /// The server's finite-field DH group is smaller than our minimum (Node's `minDHSize`).
    DhGroupTooSmall,
    /// TLS 1.2 server: the client lists FFDHE groups, none of them ours, so no DHE suite
    /// may be chosen, and no other suite fits (`insufficient_security`, RFC 7919 s4).
    NoFfdheGroupsInCommon,
    /// TLS 1.2 client: we listed FFDHE groups and the server's DH parameters are not an
    /// RFC 7919 group, which we cannot validate (`insufficient_security`, RFC 7919 s3).
    UnknownDhGroup,
    /// A TLS 1.2 client without signature_algorithms accepts only SHA-1 signatures
    /// (RFC 5246 s7.4.1.4.1), which we do not make (`handshake_failure`).
    Sha1SignaturesOnly,
    /// TLS 1.2 server: the application knows no PSK for the identity in the client's
    /// ClientKeyExchange (`unknown_psk_identity`, RFC 4279 s2, as OpenSSL answers).
    UnknownPskIdentity,
    /// TLS 1.2 client: the server chose a PSK suite and our PSK callback gave no PSK
    /// (`handshake_failure`, as OpenSSL ends it).
    NoPskForServer,
}

impl fmt::Display for PeerIncompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoVersionInCommon => "no protocol version in common",
            Self::NoCipherSuitesInCommon => "no cipher suite in common",
            Self::NoKxGroupsInCommon => "no key exchange group in common",
            Self::NoSignatureSchemesInCommon => "no signature scheme in common",
            Self::NoApplicationProtocolInCommon => "no ALPN protocol in common",
            Self::CertificateRequired | Self::Tls12CertificateRequired => {
                "a client certificate is required and none was sent"
            }
            Self::RenegotiationDeclined => "the server declined to renegotiate",
            Self::DhGroupTooSmall => "the server's DH group is smaller than minDHSize",
            Self::NoFfdheGroupsInCommon => {
                "the client's FFDHE groups are not ours and no other suite fits"
            }
            Self::UnknownDhGroup => "the server's DH parameters are not an RFC 7919 group",
            Self::Sha1SignaturesOnly => {
                "the client accepts only SHA-1 signatures (no signature_algorithms)"
            }
            Self::UnknownPskIdentity => "no PSK for the client's PSK identity",
            Self::NoPskForServer => "the server chose a PSK suite and we have no PSK for it",
        })
    }
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
        code: alloc::borrow::Cow<'static, str>,
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
        // sanstls-pki's code for a certificate that does not parse: OpenSSL refuses it when
        // reading the Certificate message, with decode_error.
        "ERR_SANSTLS_MALFORMED_CERTIFICATE" => A::DecodeError,
        _ => A::BadCertificate,
    }
}

impl Error {
    /// The alert to send the peer for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Self::InvalidMessage(m) => m.alert(),
            Self::PeerMisbehaved(p) => p.alert(),
            Self::PeerIncompatible(p) => match p {
                PeerIncompatible::NoVersionInCommon => A::ProtocolVersion,
                PeerIncompatible::NoApplicationProtocolInCommon => A::NoApplicationProtocol,
                PeerIncompatible::CertificateRequired => A::CertificateRequired,
                // RFC 7919 s4: a group too weak for the client.
                PeerIncompatible::DhGroupTooSmall
                | PeerIncompatible::NoFfdheGroupsInCommon
                | PeerIncompatible::UnknownDhGroup => A::InsufficientSecurity,
                PeerIncompatible::NoCipherSuitesInCommon
                | PeerIncompatible::NoKxGroupsInCommon
                | PeerIncompatible::NoSignatureSchemesInCommon
                | PeerIncompatible::Tls12CertificateRequired
                | PeerIncompatible::RenegotiationDeclined
                | PeerIncompatible::Sha1SignaturesOnly
                | PeerIncompatible::NoPskForServer => A::HandshakeFailure,
                PeerIncompatible::UnknownPskIdentity => A::UnknownPSKIdentity,
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
            Self::ApiMisuse(_) | Self::ClosedByPeer | Self::KeyUsageLimit => return None,
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
            Self::PeerMisbehaved(p) => write!(f, "peer misbehaved: {p}"),
            Self::PeerIncompatible(p) => write!(f, "peer is incompatible: {p}"),
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
            Self::KeyUsageLimit => write!(
                f,
                "the TLS 1.2 write key reached its usage limit: the connection is closed"
            ),
            Self::ClosedByPeer => write!(
                f,
                "the peer closed the connection (TLS 1.2 close_notify closes both directions)"
            ),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_codes_map_to_openssls_alerts() {
        let alert = |code: &'static str| {
            Error::InvalidCertificate(CertificateError::Rejected {
                code: code.into(),
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
            code: "CERT_HAS_EXPIRED".into(),
            message: "certificate has expired".into(),
        };
        assert_eq!(e.code(), "CERT_HAS_EXPIRED");
        assert_eq!(
            Error::InvalidCertificate(e).to_string(),
            "invalid peer certificate: CERT_HAS_EXPIRED: certificate has expired"
        );
    }
}
