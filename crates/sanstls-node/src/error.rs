//! Errors with Node's `code` strings: what a Node program sees in `err.code` for the same
//! failure (OpenSSL's reason as `ERR_SSL_*`, a verification code such as
//! `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_*`, or a system code such as `ECONNRESET`).

use core::fmt;
use std::io;

use sanstls::enums::AlertDescription;
use sanstls::error::{PeerIncompatible, PeerMisbehaved};
use sanstls::{Error, InvalidMessage};

/// An error of the facade: Node's `code` and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsError {
    /// Node's `err.code`.
    pub code: String,
    /// Node's `err.message` (or as close as the engine can say).
    pub message: String,
}

impl TlsError {
    /// An error with this code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The error Node reports for an engine error.
    pub fn from_engine(e: &Error) -> Self {
        match e {
            Error::PeerMisbehaved(PeerMisbehaved::TooManyRenegotiations) => {
                Self::new(engine_code(e), "TLS session renegotiation attack detected")
            }
            _ => Self::new(engine_code(e), e.to_string()),
        }
    }

    /// The error Node reports for a transport error (`ECONNRESET`, `EPIPE`...). An
    /// `io::Error` made from a `TlsError` (what a socket's `Read`/`Write` return) gives
    /// that error back, Node's code included.
    pub fn from_io(e: &io::Error) -> Self {
        if let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<Self>()) {
            return tls.clone();
        }
        Self::new(io_code(e), e.to_string())
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for TlsError {}

impl From<crate::stream::StreamError> for TlsError {
    fn from(e: crate::stream::StreamError) -> Self {
        match e {
            crate::stream::StreamError::Tls(e) => Self::from_engine(&e),
            crate::stream::StreamError::Io(e) => Self::from_io(&e),
        }
    }
}

impl From<Error> for TlsError {
    fn from(e: Error) -> Self {
        Self::from_engine(&e)
    }
}

impl From<io::Error> for TlsError {
    fn from(e: io::Error) -> Self {
        Self::from_io(&e)
    }
}

impl From<TlsError> for io::Error {
    fn from(e: TlsError) -> Self {
        let kind = match e.code.as_str() {
            "ECONNRESET" => io::ErrorKind::ConnectionReset,
            "EPIPE" => io::ErrorKind::BrokenPipe,
            "ETIMEDOUT" | "ERR_TLS_HANDSHAKE_TIMEOUT" => io::ErrorKind::TimedOut,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, e)
    }
}

/// Node's code for an engine error.
fn engine_code(e: &Error) -> String {
    match e {
        Error::InvalidCertificate(c) => c.code().to_string(),
        Error::AlertReceived(a) => alert_code(*a),
        Error::HandshakeTimeout => "ERR_TLS_HANDSHAKE_TIMEOUT".into(),
        Error::DecryptError => "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC".into(),
        Error::VerifyFailed(_) => "ERR_SSL_DIGEST_CHECK_FAILED".into(),
        Error::InvalidMessage(InvalidMessage::UnknownProtocolVersion) => {
            "ERR_SSL_WRONG_VERSION_NUMBER".into()
        }
        Error::InvalidMessage(InvalidMessage::RecordTooLarge) => {
            "ERR_SSL_PACKET_LENGTH_TOO_LONG".into()
        }
        Error::InvalidMessage(InvalidMessage::HandshakeMessageTooLarge) => {
            "ERR_SSL_EXCESSIVE_MESSAGE_SIZE".into()
        }
        Error::InvalidMessage(_) => "ERR_SSL_DECODE_ERROR".into(),
        Error::PeerMisbehaved(PeerMisbehaved::BadSignature) => "ERR_SSL_BAD_SIGNATURE".into(),
        // Node's own guard (its `onhandshakestart`) reports the renegotiation flood on the
        // server's socket as a session attack.
        Error::PeerMisbehaved(PeerMisbehaved::TooManyRenegotiations) => {
            "ERR_TLS_SESSION_ATTACK".into()
        }
        // Otherwise by the alert the check sends, with OpenSSL's reason for it.
        Error::PeerMisbehaved(p) => {
            use sanstls::enums::AlertDescription as A;
            match p.alert() {
                A::UnexpectedMessage => "ERR_SSL_UNEXPECTED_MESSAGE",
                A::DecodeError => "ERR_SSL_DECODE_ERROR",
                A::HandshakeFailure => "ERR_SSL_HANDSHAKE_FAILURE",
                A::ProtocolVersion => "ERR_SSL_UNSUPPORTED_PROTOCOL",
                A::InappropriateFallback => "ERR_SSL_INAPPROPRIATE_FALLBACK",
                A::UnsupportedExtension => "ERR_SSL_UNSOLICITED_EXTENSION",
                A::MissingExtension => "ERR_SSL_MISSING_EXTENSION",
                A::UnrecognisedName => "ERR_SSL_BAD_EXTENSION",
                _ => "ERR_SSL_ILLEGAL_PARAMETER",
            }
            .into()
        }
        Error::ClosedByPeer => "ERR_STREAM_WRITE_AFTER_END".into(),
        Error::PeerIncompatible(p) => match p {
            PeerIncompatible::NoVersionInCommon => "ERR_SSL_UNSUPPORTED_PROTOCOL",
            PeerIncompatible::NoCipherSuitesInCommon => "ERR_SSL_NO_SHARED_CIPHER",
            PeerIncompatible::NoApplicationProtocolInCommon => "ERR_SSL_NO_APPLICATION_PROTOCOL",
            PeerIncompatible::CertificateRequired => "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE",
            PeerIncompatible::DhGroupTooSmall => "ERR_SSL_DH_KEY_TOO_SMALL",
            // Our renegotiation answered with no_renegotiation: OpenSSL's reason, which
            // Node's client reports in the same case.
            PeerIncompatible::RenegotiationDeclined => "ERR_SSL_NO_RENEGOTIATION",
            _ => "ERR_SSL_HANDSHAKE_FAILURE",
        }
        .into(),
        Error::LimitExceeded(_) => "ERR_SSL_TOO_MANY_WARN_ALERTS".into(),
        Error::BadConfiguration(_) => "ERR_TLS_INVALID_CONTEXT".into(),
        Error::ApiMisuse(_) => "ERR_TLS_INVALID_STATE".into(),
        _ => "ERR_SSL_INTERNAL_ERROR".into(),
    }
}

/// OpenSSL's reason for a received alert, as Node spells it (`sslv3 alert handshake
/// failure` becomes `ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE`).
fn alert_code(a: AlertDescription) -> String {
    use AlertDescription as A;
    let reason = match a {
        A::CloseNotify => "SSLV3_ALERT_CLOSE_NOTIFY",
        A::UnexpectedMessage => "SSLV3_ALERT_UNEXPECTED_MESSAGE",
        A::BadRecordMac => "SSLV3_ALERT_BAD_RECORD_MAC",
        A::DecryptionFailed => "TLSV1_ALERT_DECRYPTION_FAILED",
        A::RecordOverflow => "TLSV1_ALERT_RECORD_OVERFLOW",
        A::DecompressionFailure => "SSLV3_ALERT_DECOMPRESSION_FAILURE",
        A::HandshakeFailure => "SSLV3_ALERT_HANDSHAKE_FAILURE",
        A::NoCertificate => "SSLV3_ALERT_NO_CERTIFICATE",
        A::BadCertificate => "SSLV3_ALERT_BAD_CERTIFICATE",
        A::UnsupportedCertificate => "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        A::CertificateRevoked => "SSLV3_ALERT_CERTIFICATE_REVOKED",
        A::CertificateExpired => "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        A::CertificateUnknown => "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        A::IllegalParameter => "SSLV3_ALERT_ILLEGAL_PARAMETER",
        A::UnknownCA => "TLSV1_ALERT_UNKNOWN_CA",
        A::AccessDenied => "TLSV1_ALERT_ACCESS_DENIED",
        A::DecodeError => "TLSV1_ALERT_DECODE_ERROR",
        A::DecryptError => "TLSV1_ALERT_DECRYPT_ERROR",
        A::ExportRestriction => "TLSV1_ALERT_EXPORT_RESTRICTION",
        A::ProtocolVersion => "TLSV1_ALERT_PROTOCOL_VERSION",
        A::InsufficientSecurity => "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        A::InternalError => "TLSV1_ALERT_INTERNAL_ERROR",
        A::InappropriateFallback => "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
        A::UserCanceled => "TLSV1_ALERT_USER_CANCELLED",
        A::NoRenegotiation => "TLSV1_ALERT_NO_RENEGOTIATION",
        A::MissingExtension => "TLSV13_ALERT_MISSING_EXTENSION",
        A::UnsupportedExtension => "TLSV1_UNSUPPORTED_EXTENSION",
        A::CertificateUnobtainable => "TLSV1_CERTIFICATE_UNOBTAINABLE",
        A::UnrecognisedName => "TLSV1_UNRECOGNIZED_NAME",
        A::BadCertificateStatusResponse => "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE",
        A::BadCertificateHashValue => "TLSV1_BAD_CERTIFICATE_HASH_VALUE",
        A::UnknownPSKIdentity => "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
        A::CertificateRequired => "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        A::NoApplicationProtocol => "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
        _ => return format!("ERR_SSL_ALERT_NUMBER_{}", u8::from(a)),
    };
    format!("ERR_SSL_{reason}")
}

/// The errno name Node puts in `code` for a transport error.
fn io_code(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::ConnectionReset => "ECONNRESET",
        io::ErrorKind::ConnectionRefused => "ECONNREFUSED",
        io::ErrorKind::ConnectionAborted => "ECONNABORTED",
        io::ErrorKind::BrokenPipe => "EPIPE",
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "ETIMEDOUT",
        io::ErrorKind::AddrInUse => "EADDRINUSE",
        io::ErrorKind::AddrNotAvailable => "EADDRNOTAVAIL",
        io::ErrorKind::NotFound => "ENOENT",
        io::ErrorKind::PermissionDenied => "EACCES",
        io::ErrorKind::UnexpectedEof => "ECONNRESET",
        _ => "EIO",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_node() {
        let e = TlsError::from_engine(&Error::AlertReceived(AlertDescription::UnknownCA));
        assert_eq!(e.code, "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA");
        let e = TlsError::from_engine(&Error::AlertReceived(AlertDescription::HandshakeFailure));
        assert_eq!(e.code, "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE");
        let e = TlsError::from_engine(&Error::HandshakeTimeout);
        assert_eq!(e.code, "ERR_TLS_HANDSHAKE_TIMEOUT");
        let e = TlsError::from_engine(&Error::InvalidMessage(
            InvalidMessage::UnknownProtocolVersion,
        ));
        assert_eq!(e.code, "ERR_SSL_WRONG_VERSION_NUMBER");
        let e = TlsError::from_io(&io::Error::from(io::ErrorKind::ConnectionReset));
        assert_eq!(e.code, "ECONNRESET");
        let back: io::Error = e.into();
        assert_eq!(back.kind(), io::ErrorKind::ConnectionReset);
    }

    /// Node's `onhandshakestart` guard: more than `CLIENT_RENEG_LIMIT` renegotiations in
    /// the window is `ERR_TLS_SESSION_ATTACK`, with Node's message.
    #[test]
    fn a_renegotiation_flood_is_a_session_attack() {
        let e = TlsError::from_engine(&PeerMisbehaved::TooManyRenegotiations.into());
        assert_eq!(e.code, "ERR_TLS_SESSION_ATTACK");
        assert_eq!(e.message, "TLS session renegotiation attack detected");
    }

    /// A client whose renegotiation the server declined: OpenSSL's `no renegotiation`, as
    /// Node's client reports it against a server that refuses (see tests/node_server.rs).
    #[test]
    fn a_declined_renegotiation_is_no_renegotiation() {
        let e = TlsError::from_engine(&PeerIncompatible::RenegotiationDeclined.into());
        assert_eq!(e.code, "ERR_SSL_NO_RENEGOTIATION");
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;

    #[test]
    fn an_io_error_made_from_a_tls_error_gives_its_code_back() {
        let e = TlsError::from_engine(&Error::AlertReceived(AlertDescription::UnknownCA));
        let io: io::Error = e.clone().into();
        assert_eq!(TlsError::from_io(&io), e);
        // Also through the socket's `?` into a TlsError.
        let back: TlsError = io.into();
        assert_eq!(back.code, "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA");
    }
}
