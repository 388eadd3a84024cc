//! Handshake message bodies other than the hellos (which live in [`super::hello`]).
//!
//! Each type here is the body of one handshake message, *without* the 4-byte
//! `msg_type || length` header: the envelope in [`super::message`] reads the header, takes a
//! sub-reader over exactly `length` bytes, and dispatches on the type. Bodies that cannot be
//! decoded without knowing what was negotiated (ServerKeyExchange, ClientKeyExchange) live in
//! [`super::kx`] and take a [`super::kx::KeyExchangeAlgorithm`]; Certificate and
//! CertificateRequest (one form per protocol version) live in [`super::certificate`].
//!
//! NewSessionTicket's extension list uses the framework in [`super::extensions`].

use crate::codec::{Codec, ListLength, Payload, PayloadU16, PayloadU24, PayloadU8, Reader, U24};
use crate::enums::{
    CertificateStatusType, ExtensionType, HandshakeType, KeyUpdateRequest, SignatureScheme,
};
use crate::error::InvalidMessage;
use crate::msgs::base::read_opaque;
use crate::msgs::extensions::{
    encode_extensions, read_extensions, MaxEarlyDataSize, TlsExtension, UnknownExtension,
};
use crate::prelude::*;

macro_rules! empty_payload {
    ($(#[$m:meta])* $name:ident, $context:expr) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
        pub struct $name;

        impl Codec for $name {
            fn encode(&self, _out: &mut Vec<u8>) {}

            /// Reads nothing; the body must be empty, so [`Codec::read_bytes`] (and the
            /// envelope's sub-reader check) reject any trailing byte.
            fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
                r.expect_empty($context)?;
                Ok(Self)
            }
        }
    };
}

empty_payload!(
    /// `struct {} HelloRequest;` (RFC 5246 s7.4.1.1): the TLS 1.2 server's request to
    /// renegotiate.
    HelloRequestPayload,
    "HelloRequest"
);

empty_payload!(
    /// `struct {} EndOfEarlyData;` (RFC 8446 s4.5).
    EndOfEarlyDataPayload,
    "EndOfEarlyData"
);

empty_payload!(
    /// `struct {} ServerHelloDone;` (RFC 5246 s7.4.5).
    ServerHelloDonePayload,
    "ServerHelloDone"
);

/// TLS 1.2 NewSessionTicket (RFC 5077 s3.3):
/// `struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;`
///
/// An empty ticket is legal: it tells the client the server will not resume with a ticket
/// after all (RFC 5077 s3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicketPayload {
    /// Seconds the client may keep the ticket; 0 means "unspecified".
    pub lifetime_hint: u32,
    /// The opaque ticket.
    pub ticket: PayloadU16,
}

impl Codec for NewSessionTicketPayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.lifetime_hint.encode(out);
        self.ticket.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let lifetime_hint = u32::read(r).map_err(|_| missing("ticket_lifetime_hint"))?;
        let ticket = PayloadU16::read(r).map_err(|e| in_field(e, "ticket"))?;
        Ok(Self {
            lifetime_hint,
            ticket,
        })
    }
}

/// TLS 1.3 NewSessionTicket (RFC 8446 s4.6.1).
///
/// ```text
/// struct {
///     uint32 ticket_lifetime;
///     uint32 ticket_age_add;
///     opaque ticket_nonce<0..255>;
///     opaque ticket<1..2^16-1>;
///     Extension extensions<0..2^16-2>;
/// } NewSessionTicket;
/// ```
///
/// The codec does not judge `ticket_lifetime` (RFC 8446 s4.6.1 caps it at 604800 seconds):
/// the session layer clamps or refuses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicketPayloadTls13 {
    /// `ticket_lifetime` in seconds.
    pub lifetime: u32,
    /// `ticket_age_add`, added to the ticket age the client reports.
    pub age_add: u32,
    /// `ticket_nonce`, input to the resumption PSK derivation.
    pub nonce: PayloadU8,
    /// The opaque ticket (never empty).
    pub ticket: PayloadU16,
    /// The ticket's extensions, in wire order.
    pub extensions: Vec<NewSessionTicketExtension>,
}

impl NewSessionTicketPayloadTls13 {
    /// `max_early_data_size` from the early_data extension, if the ticket allows 0-RTT.
    pub fn max_early_data_size(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| match e {
            NewSessionTicketExtension::EarlyData(n) => Some(*n),
            NewSessionTicketExtension::Unknown(_) => None,
        })
    }
}

impl Codec for NewSessionTicketPayloadTls13 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.lifetime.encode(out);
        self.age_add.encode(out);
        self.nonce.encode(out);
        self.ticket.encode(out);
        encode_extensions(ListLength::U16, &self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let lifetime = u32::read(r).map_err(|_| missing("ticket_lifetime"))?;
        let age_add = u32::read(r).map_err(|_| missing("ticket_age_add"))?;
        let nonce = PayloadU8::read(r).map_err(|e| in_field(e, "ticket_nonce"))?;
        let ticket = PayloadU16(read_opaque(
            r,
            ListLength::NonEmptyU16 { context: "ticket" },
        )?);
        let extensions = read_extensions(
            r,
            ListLength::U16,
            Some(0xfffe),
            "NewSessionTicket.extensions",
        )?;
        Ok(Self {
            lifetime,
            age_add,
            nonce,
            ticket,
            extensions,
        })
    }
}

/// An extension of a TLS 1.3 NewSessionTicket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewSessionTicketExtension {
    /// `early_data` with `uint32 max_early_data_size` (RFC 8446 s4.2.10).
    EarlyData(u32),
    /// Any unnamed extension type, kept as is.
    Unknown(UnknownExtension),
}

impl TlsExtension for NewSessionTicketExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::EarlyData(_) => ExtensionType::EarlyData,
            Self::Unknown(u) => u.typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::EarlyData(n) => MaxEarlyDataSize(*n).encode(out),
            Self::Unknown(u) => u.payload.encode(out),
        }
    }

    fn read_body(typ: ExtensionType, body: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match typ {
            ExtensionType::EarlyData => MaxEarlyDataSize::read(body).map(|v| Self::EarlyData(v.0)),
            _ => UnknownExtension::read_unnamed(typ, body).map(Self::Unknown),
        }
    }
}

/// `struct { opaque verify_data[verify_data_length]; } Finished;` (RFC 8446 s4.4.4,
/// RFC 5246 s7.4.9).
///
/// The codec reads the whole body as opaque bytes: the legal length depends on the
/// negotiated protocol (12 bytes in TLS 1.2, the hash length in TLS 1.3), so the handshake
/// checks it, comparing in constant time against the value it computed. A Finished of the
/// wrong length is a decrypt_error/decode_error decided there, not here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinishedPayload {
    /// `verify_data`, of whatever length arrived.
    pub verify_data: Payload,
}

impl Codec for FinishedPayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.verify_data.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            verify_data: Payload::read(r)?,
        })
    }
}

/// `digitally-signed` content (RFC 5246 s4.7 with s7.4.1.4.1) and TLS 1.3 CertificateVerify
/// (RFC 8446 s4.4.3): `struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; }`.
///
/// Used for the TLS 1.2 ServerKeyExchange signature and both versions' CertificateVerify.
/// Whether `scheme` was offered is the handshake's check, not the codec's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigitallySignedStruct {
    /// The signature algorithm (TLS 1.2's SignatureAndHashAlgorithm shares this space).
    pub scheme: SignatureScheme,
    /// The signature bytes.
    pub signature: PayloadU16,
}

impl DigitallySignedStruct {
    /// A signature made with `scheme`.
    pub fn new(scheme: SignatureScheme, signature: impl Into<Vec<u8>>) -> Self {
        Self {
            scheme,
            signature: PayloadU16(signature.into()),
        }
    }
}

impl Codec for DigitallySignedStruct {
    fn encode(&self, out: &mut Vec<u8>) {
        self.scheme.encode(out);
        self.signature.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let scheme = SignatureScheme::read(r)?;
        let signature =
            PayloadU16::read(r).map_err(|e| in_field(e, "DigitallySigned.signature"))?;
        Ok(Self { scheme, signature })
    }
}

/// The CertificateVerify body of both versions (RFC 8446 s4.4.3, RFC 5246 s7.4.8).
pub type CertificateVerifyPayload = DigitallySignedStruct;

/// `struct { CertificateStatusType status_type; select (status_type) { case ocsp:
/// OCSPResponse; } response; } CertificateStatus;` (RFC 6066 s8), with
/// `opaque OCSPResponse<1..2^24-1>`.
///
/// This is both the body of the TLS 1.2 CertificateStatus handshake message and the
/// `extension_data` of status_request in a TLS 1.3 CertificateEntry (RFC 8446 s4.4.2.1).
/// Only `ocsp(1)` is defined; any other status type is an [`InvalidMessage::IllegalValue`]
/// (a client only ever asks for OCSP, so anything else answers a question not asked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateStatus {
    /// The DER-encoded OCSPResponse (never empty).
    pub ocsp_response: PayloadU24,
}

impl CertificateStatus {
    /// An OCSP status carrying `response`.
    pub fn new(response: impl Into<Vec<u8>>) -> Self {
        Self {
            ocsp_response: PayloadU24(response.into()),
        }
    }
}

impl Codec for CertificateStatus {
    fn encode(&self, out: &mut Vec<u8>) {
        CertificateStatusType::OCSP.encode(out);
        self.ocsp_response.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match CertificateStatusType::read(r)? {
            CertificateStatusType::OCSP => {}
            _ => {
                return Err(InvalidMessage::IllegalValue(
                    "CertificateStatus.status_type",
                ))
            }
        }
        let response = read_opaque(
            r,
            ListLength::NonEmptyU24 {
                max: U24::MAX as usize,
                context: "OCSPResponse",
            },
        )?;
        Ok(Self {
            ocsp_response: PayloadU24(response),
        })
    }
}

/// `struct { KeyUpdateRequest request_update; } KeyUpdate;` (RFC 8446 s4.6.3).
///
/// "If an implementation receives any other value [than 0 or 1], it MUST terminate the
/// connection with an illegal_parameter alert": such a body decodes as
/// `IllegalValue("KeyUpdateRequest")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUpdatePayload {
    /// Whether the sender asks the receiver to update its sending key too.
    pub request: KeyUpdateRequest,
}

impl Codec for KeyUpdatePayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.request.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match KeyUpdateRequest::read(r)? {
            KeyUpdateRequest::Unknown(_) => Err(InvalidMessage::IllegalValue("KeyUpdateRequest")),
            request => Ok(Self { request }),
        }
    }
}

/// The synthetic `message_hash` handshake message (RFC 8446 s4.4.1) that replaces
/// ClientHello1 in the transcript after a HelloRetryRequest:
/// `message_hash(254) || uint24 Hash.length || Hash(ClientHello1)`.
///
/// Never sent on the wire; the transcript hashes these bytes (header included) instead of
/// the first ClientHello.
pub fn message_hash(hash: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + hash.len());
    HandshakeType::MessageHash.encode(&mut out);
    // Hash outputs are at most 64 bytes; the saturation only guards nonsense input.
    U24(hash.len().min(U24::MAX as usize) as u32).encode(&mut out);
    out.extend_from_slice(hash);
    out
}

fn missing(what: &'static str) -> InvalidMessage {
    InvalidMessage::MissingData(what)
}

/// Names `what` in a truncation error from a generic reader (whose own context is only
/// "u16-length vector" and the like).
pub(crate) fn in_field(e: InvalidMessage, what: &'static str) -> InvalidMessage {
    match e {
        InvalidMessage::MissingData(_) => InvalidMessage::MissingData(what),
        other => other,
    }
}

#[cfg(test)]
#[path = "handshake_test.rs"]
mod tests;
