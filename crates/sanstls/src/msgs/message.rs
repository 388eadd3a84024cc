//! The envelopes: a handshake message (type, u24 length, body) and a plaintext record's
//! content decoded by its content type.
//!
//! Some bodies cannot be decoded without knowing what was negotiated:
//! - NewSessionTicket, Certificate and CertificateRequest have different TLS 1.2 and 1.3
//!   forms, so [`HandshakeMessagePayload::read_version`] takes the negotiated version;
//! - TLS 1.2 ServerKeyExchange and ClientKeyExchange depend on the key exchange of the
//!   cipher suite, so they are kept as raw bytes here and decoded by the handshake with
//!   [`ServerKeyExchangePayload::read_bytes_with`](super::kx::ServerKeyExchangePayload::read_bytes_with)
//!   and its ClientKeyExchange twin once the suite is known.
//!
//! ServerHello and HelloRetryRequest share a type number and are told apart by the random
//! (RFC 8446 s4.1.3); that needs no context.

use super::alert::AlertMessagePayload;
use super::ccs::ChangeCipherSpecPayload;
use super::certificate::{
    CertificatePayload, CertificatePayloadTls13, CertificateRequestPayload,
    CertificateRequestPayloadTls13,
};
use super::handshake::{
    CertificateStatus, CertificateVerifyPayload, EndOfEarlyDataPayload, FinishedPayload,
    HelloRequestPayload, KeyUpdatePayload, NewSessionTicketPayload, NewSessionTicketPayloadTls13,
    ServerHelloDonePayload,
};
use super::hello::{
    ClientHelloPayload, EncryptedExtensions, HelloRetryRequest, ServerHelloOrRetry,
    ServerHelloPayload,
};
use crate::codec::{encode_prefixed, Codec, ListLength, Payload, Reader, U24};
use crate::enums::{ContentType, HandshakeType, ProtocolVersion};
use crate::error::InvalidMessage;
use crate::prelude::*;

/// The body of one handshake message, decoded by type.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakePayload {
    /// HelloRequest (TLS 1.2).
    HelloRequest(HelloRequestPayload),
    /// ClientHello.
    ClientHello(ClientHelloPayload),
    /// ServerHello.
    ServerHello(ServerHelloPayload),
    /// HelloRetryRequest (a ServerHello with the special random).
    HelloRetryRequest(HelloRetryRequest),
    /// NewSessionTicket, TLS 1.2 (RFC 5077) form.
    NewSessionTicket(NewSessionTicketPayload),
    /// NewSessionTicket, TLS 1.3 form.
    NewSessionTicketTls13(NewSessionTicketPayloadTls13),
    /// EndOfEarlyData (TLS 1.3).
    EndOfEarlyData(EndOfEarlyDataPayload),
    /// EncryptedExtensions (TLS 1.3).
    EncryptedExtensions(EncryptedExtensions),
    /// Certificate, TLS 1.2 form.
    Certificate(CertificatePayload),
    /// Certificate, TLS 1.3 form.
    CertificateTls13(CertificatePayloadTls13),
    /// ServerKeyExchange (TLS 1.2), kept raw until the key exchange is known.
    ServerKeyExchange(Payload),
    /// CertificateRequest, TLS 1.2 form.
    CertificateRequest(CertificateRequestPayload),
    /// CertificateRequest, TLS 1.3 form.
    CertificateRequestTls13(CertificateRequestPayloadTls13),
    /// ServerHelloDone (TLS 1.2).
    ServerHelloDone(ServerHelloDonePayload),
    /// CertificateVerify.
    CertificateVerify(CertificateVerifyPayload),
    /// ClientKeyExchange (TLS 1.2), kept raw until the key exchange is known.
    ClientKeyExchange(Payload),
    /// Finished (length checked by the handshake, which knows the hash).
    Finished(FinishedPayload),
    /// CertificateStatus (RFC 6066, TLS 1.2).
    CertificateStatus(CertificateStatus),
    /// KeyUpdate (TLS 1.3).
    KeyUpdate(KeyUpdatePayload),
    /// The synthetic message_hash of RFC 8446 s4.4.1 (only ever seen in transcripts).
    MessageHash(Payload),
    /// A handshake type this engine does not implement, kept byte-exact; the handshake
    /// refuses it with unexpected_message.
    Unknown(Payload),
}

/// One handshake message: its type and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeMessagePayload {
    /// The type written in the header (for `Unknown` bodies this is the only record of it).
    pub typ: HandshakeType,
    /// The decoded body.
    pub payload: HandshakePayload,
}

impl HandshakeMessagePayload {
    /// Wraps a body, deriving the header type from it.
    pub fn new(payload: HandshakePayload) -> Self {
        let typ = match &payload {
            HandshakePayload::HelloRequest(_) => HandshakeType::HelloRequest,
            HandshakePayload::ClientHello(_) => HandshakeType::ClientHello,
            // RFC 8446 s4.1.4: HelloRetryRequest travels as a ServerHello.
            HandshakePayload::ServerHello(_) | HandshakePayload::HelloRetryRequest(_) => {
                HandshakeType::ServerHello
            }
            HandshakePayload::NewSessionTicket(_) | HandshakePayload::NewSessionTicketTls13(_) => {
                HandshakeType::NewSessionTicket
            }
            HandshakePayload::EndOfEarlyData(_) => HandshakeType::EndOfEarlyData,
            HandshakePayload::EncryptedExtensions(_) => HandshakeType::EncryptedExtensions,
            HandshakePayload::Certificate(_) | HandshakePayload::CertificateTls13(_) => {
                HandshakeType::Certificate
            }
            HandshakePayload::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
            HandshakePayload::CertificateRequest(_)
            | HandshakePayload::CertificateRequestTls13(_) => HandshakeType::CertificateRequest,
            HandshakePayload::ServerHelloDone(_) => HandshakeType::ServerHelloDone,
            HandshakePayload::CertificateVerify(_) => HandshakeType::CertificateVerify,
            HandshakePayload::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
            HandshakePayload::Finished(_) => HandshakeType::Finished,
            HandshakePayload::CertificateStatus(_) => HandshakeType::CertificateStatus,
            HandshakePayload::KeyUpdate(_) => HandshakeType::KeyUpdate,
            HandshakePayload::MessageHash(_) => HandshakeType::MessageHash,
            HandshakePayload::Unknown(_) => HandshakeType::Unknown(255),
        };
        Self { typ, payload }
    }

    /// Reads one message (header and body) for a connection that negotiated `version`.
    ///
    /// Before the version is known (ClientHello, ServerHello) any value works: those
    /// messages have one form. The body must be consumed exactly.
    pub fn read_version(
        r: &mut Reader<'_>,
        version: ProtocolVersion,
    ) -> Result<Self, InvalidMessage> {
        let typ = HandshakeType::read(r)?;
        let len = U24::read(r).map_err(|_| InvalidMessage::MissingData("handshake length"))?;
        let mut body = r.sub(len.0 as usize, "handshake message body")?;
        let payload = Self::read_body(typ, &mut body, version)?;
        body.expect_empty("handshake message body")?;
        Ok(Self { typ, payload })
    }

    /// Reads one message that spans all of `bytes`.
    pub fn read_bytes_version(
        bytes: &[u8],
        version: ProtocolVersion,
    ) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let m = Self::read_version(&mut r, version)?;
        r.expect_empty("handshake message")?;
        Ok(m)
    }

    fn read_body(
        typ: HandshakeType,
        r: &mut Reader<'_>,
        version: ProtocolVersion,
    ) -> Result<HandshakePayload, InvalidMessage> {
        let tls13 = version == ProtocolVersion::TLSv1_3;
        Ok(match typ {
            HandshakeType::HelloRequest => {
                HandshakePayload::HelloRequest(HelloRequestPayload::read(r)?)
            }
            HandshakeType::ClientHello => {
                HandshakePayload::ClientHello(ClientHelloPayload::read(r)?)
            }
            HandshakeType::ServerHello => match ServerHelloOrRetry::read(r)? {
                ServerHelloOrRetry::ServerHello(sh) => HandshakePayload::ServerHello(sh),
                ServerHelloOrRetry::HelloRetryRequest(hrr) => {
                    HandshakePayload::HelloRetryRequest(hrr)
                }
            },
            HandshakeType::NewSessionTicket if tls13 => {
                HandshakePayload::NewSessionTicketTls13(NewSessionTicketPayloadTls13::read(r)?)
            }
            HandshakeType::NewSessionTicket => {
                HandshakePayload::NewSessionTicket(NewSessionTicketPayload::read(r)?)
            }
            HandshakeType::EndOfEarlyData => {
                HandshakePayload::EndOfEarlyData(EndOfEarlyDataPayload::read(r)?)
            }
            HandshakeType::EncryptedExtensions => {
                HandshakePayload::EncryptedExtensions(EncryptedExtensions::read(r)?)
            }
            HandshakeType::Certificate if tls13 => {
                HandshakePayload::CertificateTls13(CertificatePayloadTls13::read(r)?)
            }
            HandshakeType::Certificate => {
                HandshakePayload::Certificate(CertificatePayload::read(r)?)
            }
            HandshakeType::ServerKeyExchange => {
                HandshakePayload::ServerKeyExchange(Payload::read(r)?)
            }
            HandshakeType::CertificateRequest if tls13 => {
                HandshakePayload::CertificateRequestTls13(CertificateRequestPayloadTls13::read(r)?)
            }
            HandshakeType::CertificateRequest => {
                HandshakePayload::CertificateRequest(CertificateRequestPayload::read(r)?)
            }
            HandshakeType::ServerHelloDone => {
                HandshakePayload::ServerHelloDone(ServerHelloDonePayload::read(r)?)
            }
            HandshakeType::CertificateVerify => {
                HandshakePayload::CertificateVerify(CertificateVerifyPayload::read(r)?)
            }
            HandshakeType::ClientKeyExchange => {
                HandshakePayload::ClientKeyExchange(Payload::read(r)?)
            }
            HandshakeType::Finished => HandshakePayload::Finished(FinishedPayload::read(r)?),
            HandshakeType::CertificateStatus => {
                HandshakePayload::CertificateStatus(CertificateStatus::read(r)?)
            }
            HandshakeType::KeyUpdate => HandshakePayload::KeyUpdate(KeyUpdatePayload::read(r)?),
            HandshakeType::MessageHash => HandshakePayload::MessageHash(Payload::read(r)?),
            _ => HandshakePayload::Unknown(Payload::read(r)?),
        })
    }

    /// The body's encoding (without the 4-byte header).
    fn encode_body(&self, out: &mut Vec<u8>) {
        match &self.payload {
            HandshakePayload::HelloRequest(p) => p.encode(out),
            HandshakePayload::ClientHello(p) => p.encode(out),
            HandshakePayload::ServerHello(p) => p.encode(out),
            HandshakePayload::HelloRetryRequest(p) => p.encode(out),
            HandshakePayload::NewSessionTicket(p) => p.encode(out),
            HandshakePayload::NewSessionTicketTls13(p) => p.encode(out),
            HandshakePayload::EndOfEarlyData(p) => p.encode(out),
            HandshakePayload::EncryptedExtensions(p) => p.encode(out),
            HandshakePayload::Certificate(p) => p.encode(out),
            HandshakePayload::CertificateTls13(p) => p.encode(out),
            HandshakePayload::CertificateRequest(p) => p.encode(out),
            HandshakePayload::CertificateRequestTls13(p) => p.encode(out),
            HandshakePayload::ServerHelloDone(p) => p.encode(out),
            HandshakePayload::CertificateVerify(p) => p.encode(out),
            HandshakePayload::Finished(p) => p.encode(out),
            HandshakePayload::CertificateStatus(p) => p.encode(out),
            HandshakePayload::KeyUpdate(p) => p.encode(out),
            HandshakePayload::ServerKeyExchange(p)
            | HandshakePayload::ClientKeyExchange(p)
            | HandshakePayload::MessageHash(p)
            | HandshakePayload::Unknown(p) => p.encode(out),
        }
    }

    /// Appends the message with its header (what goes into a record and the transcript).
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.typ.encode(out);
        let max = U24::MAX as usize;
        encode_prefixed(
            ListLength::U24 {
                max,
                context: "handshake message",
            },
            out,
            |out| self.encode_body(out),
        );
    }

    /// The message with its header as a fresh vector.
    pub fn get_encoding(&self) -> Vec<u8> {
        // Most handshake messages take a few hundred bytes: start there rather than grow
        // through every power of two.
        let mut out = Vec::with_capacity(512);
        self.encode(&mut out);
        out
    }
}

/// The decoded content of one plaintext record (or of a TLS 1.3 inner plaintext).
///
/// A handshake record may carry several messages or a fragment of one; this type holds
/// one whole message, as produced by the joiner.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessagePayload {
    /// An alert.
    Alert(AlertMessagePayload),
    /// One whole handshake message.
    Handshake(HandshakeMessagePayload),
    /// ChangeCipherSpec.
    ChangeCipherSpec(ChangeCipherSpecPayload),
    /// Application data (opaque).
    ApplicationData(Payload),
}

impl MessagePayload {
    /// Decodes `bytes` as content of type `typ` for a connection that negotiated `version`.
    pub fn read(
        typ: ContentType,
        bytes: &[u8],
        version: ProtocolVersion,
    ) -> Result<Self, InvalidMessage> {
        match typ {
            ContentType::Alert => AlertMessagePayload::read_bytes(bytes).map(Self::Alert),
            ContentType::Handshake => {
                HandshakeMessagePayload::read_bytes_version(bytes, version).map(Self::Handshake)
            }
            ContentType::ChangeCipherSpec => {
                ChangeCipherSpecPayload::read_bytes(bytes).map(Self::ChangeCipherSpec)
            }
            ContentType::ApplicationData => Ok(Self::ApplicationData(Payload::new(bytes))),
            other => Err(InvalidMessage::InvalidContentType(other)),
        }
    }

    /// The content type this payload travels under.
    pub fn content_type(&self) -> ContentType {
        match self {
            Self::Alert(_) => ContentType::Alert,
            Self::Handshake(_) => ContentType::Handshake,
            Self::ChangeCipherSpec(_) => ContentType::ChangeCipherSpec,
            Self::ApplicationData(_) => ContentType::ApplicationData,
        }
    }

    /// Appends the encoding (the record's plaintext fragment).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Alert(a) => a.encode(out),
            Self::Handshake(h) => h.encode(out),
            Self::ChangeCipherSpec(c) => c.encode(out),
            Self::ApplicationData(p) => p.encode(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TLS13: ProtocolVersion = ProtocolVersion::TLSv1_3;
    const TLS12: ProtocolVersion = ProtocolVersion::TLSv1_2;

    #[test]
    fn version_selects_the_body_form() {
        // TLS 1.2 NewSessionTicket: lifetime hint 300, ticket "abc".
        let nst12 = [4, 0, 0, 9, 0, 0, 1, 44, 0, 3, b'a', b'b', b'c'];
        let m = HandshakeMessagePayload::read_bytes_version(&nst12, TLS12).unwrap();
        assert!(matches!(m.payload, HandshakePayload::NewSessionTicket(_)));
        assert_eq!(m.get_encoding(), nst12);
        // The same bytes are not a valid TLS 1.3 NewSessionTicket.
        assert!(HandshakeMessagePayload::read_bytes_version(&nst12, TLS13).is_err());
    }

    #[test]
    fn header_length_must_match_body() {
        // ServerHelloDone with a declared length of 1 and one byte of body.
        assert!(HandshakeMessagePayload::read_bytes_version(&[14, 0, 0, 1, 0], TLS12).is_err());
        assert_eq!(
            HandshakeMessagePayload::read_bytes_version(&[14, 0, 0, 2, 0], TLS12),
            Err(InvalidMessage::MissingData("handshake message body"))
        );
        assert_eq!(
            HandshakeMessagePayload::read_bytes_version(&[14, 0, 0, 0, 0], TLS12),
            Err(InvalidMessage::TrailingData("handshake message"))
        );
    }

    #[test]
    fn unknown_types_round_trip_and_kx_bodies_stay_raw() {
        let unknown = [99, 0, 0, 2, 1, 2];
        let m = HandshakeMessagePayload::read_bytes_version(&unknown, TLS12).unwrap();
        assert_eq!(m.typ, HandshakeType::Unknown(99));
        assert_eq!(m.get_encoding(), unknown);
        let cke = [16, 0, 0, 3, 2, 0xaa, 0xbb];
        let m = HandshakeMessagePayload::read_bytes_version(&cke, TLS12).unwrap();
        assert_eq!(
            m.payload,
            HandshakePayload::ClientKeyExchange(Payload::new(&cke[4..]))
        );
        assert_eq!(m.get_encoding(), cke);
    }

    #[test]
    fn new_derives_the_header_type() {
        let m =
            HandshakeMessagePayload::new(HandshakePayload::ServerHelloDone(ServerHelloDonePayload));
        assert_eq!(m.get_encoding(), [14, 0, 0, 0]);
    }

    #[test]
    fn record_content_is_decoded_by_type() {
        assert_eq!(
            MessagePayload::read(ContentType::ChangeCipherSpec, &[1], TLS12)
                .unwrap()
                .content_type(),
            ContentType::ChangeCipherSpec
        );
        assert_eq!(
            MessagePayload::read(ContentType::ChangeCipherSpec, &[2], TLS12),
            Err(InvalidMessage::InvalidCcs)
        );
        assert_eq!(
            MessagePayload::read(ContentType::Alert, &[2, 40, 0], TLS12),
            Err(InvalidMessage::InvalidAlert)
        );
        assert_eq!(
            MessagePayload::read(ContentType::Heartbeat, &[1], TLS12),
            Err(InvalidMessage::InvalidContentType(ContentType::Heartbeat))
        );
        let mut out = Vec::new();
        MessagePayload::read(ContentType::Alert, &[2, 40], TLS12)
            .unwrap()
            .encode(&mut out);
        assert_eq!(out, [2, 40]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// A well-framed handshake message of any type with an arbitrary body: the header
        /// is right, so decoding gets as far as the body codecs.
        fn framed() -> impl Strategy<Value = Vec<u8>> {
            (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..300)).prop_map(|(t, body)| {
                let mut m = vec![t];
                m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
                m.extend_from_slice(&body);
                m
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]

            /// Whatever decodes re-encodes to the same bytes, in both versions' readings,
            /// and nothing panics.
            #[test]
            fn decode_then_encode_reproduces_bytes(bytes in framed()) {
                for version in [TLS12, TLS13] {
                    if let Ok(m) = HandshakeMessagePayload::read_bytes_version(&bytes, version) {
                        prop_assert_eq!(m.get_encoding(), bytes.clone());
                        for cut in 0..bytes.len() {
                            prop_assert!(
                                HandshakeMessagePayload::read_bytes_version(&bytes[..cut], version)
                                    .is_err()
                            );
                        }
                    }
                }
            }

            #[test]
            fn arbitrary_record_content_never_panics(
                typ in any::<u8>(),
                bytes in proptest::collection::vec(any::<u8>(), 0..64),
            ) {
                let _ = MessagePayload::read(ContentType::from(typ), &bytes, TLS13);
            }
        }
    }
}
