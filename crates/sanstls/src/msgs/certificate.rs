//! Certificate and CertificateRequest bodies, one form per protocol version.
//!
//! TLS 1.2 (RFC 5246 s7.4.2, s7.4.4) and TLS 1.3 (RFC 8446 s4.4.2, s4.3.2) share message
//! types but not grammars, so each has its own type; the envelope picks one by the
//! negotiated version.

use crate::codec::{encode_prefixed, Codec, ListLength, PayloadU8, Reader, TlsListElement, U24};
use crate::enums::{ClientCertificateType, ExtensionType, SignatureScheme};
use crate::error::InvalidMessage;
use crate::msgs::base::{read_opaque, DistinguishedName};
use crate::msgs::extensions::{
    encode_extensions, read_extensions, CertificateAuthorities, Sct, TlsExtension, UnknownExtension,
};
use crate::msgs::handshake::{in_field, CertificateStatus};
use crate::prelude::*;

/// `opaque ASN.1Cert<1..2^24-1>` (RFC 5246 s7.4.2), and a TLS 1.3 entry's `cert_data`
/// (RFC 8446 s4.4.2): a DER certificate, or a SubjectPublicKeyInfo when raw public keys
/// (RFC 7250) were negotiated. Kept opaque; the pki crate parses it.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateDer(pub Vec<u8>);

const ASN1_CERT: ListLength = ListLength::NonEmptyU24 {
    max: U24::MAX as usize,
    context: "ASN.1Cert",
};

impl Codec for CertificateDer {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(ASN1_CERT, out, |out| out.extend_from_slice(&self.0));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_opaque(r, ASN1_CERT).map(Self)
    }
}

impl TlsListElement for CertificateDer {
    /// `ASN.1Cert certificate_list<0..2^24-1>`: empty when a TLS 1.2 client has no
    /// certificate to send (RFC 5246 s7.4.6).
    const LIST_LENGTH: ListLength = ListLength::U24 {
        max: U24::MAX as usize,
        context: "certificate_list",
    };
}

impl core::fmt::Debug for CertificateDer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CertificateDer({} bytes)", self.0.len())
    }
}

impl AsRef<[u8]> for CertificateDer {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// TLS 1.2 Certificate (RFC 5246 s7.4.2): `ASN.1Cert certificate_list<0..2^24-1>`, the
/// sender's certificate first. Emptiness is legal on the wire; a server's empty chain is
/// refused by the handshake, not here.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CertificatePayload(pub Vec<CertificateDer>);

impl Codec for CertificatePayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Vec::read(r).map(Self)
    }
}

/// TLS 1.3 Certificate (RFC 8446 s4.4.2):
/// `struct { opaque certificate_request_context<0..2^8-1>;
///           CertificateEntry certificate_list<0..2^24-1>; } Certificate;`
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CertificatePayloadTls13 {
    /// Empty in the server's Certificate; echoes the CertificateRequest's context in the
    /// client's (the handshake checks that).
    pub context: PayloadU8,
    /// The chain, end-entity first.
    pub entries: Vec<CertificateEntry>,
}

impl CertificatePayloadTls13 {
    /// The certificates alone, in order.
    pub fn certificates(&self) -> impl Iterator<Item = &CertificateDer> {
        self.entries.iter().map(|e| &e.cert)
    }
}

impl Codec for CertificatePayloadTls13 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.context.encode(out);
        self.entries.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let context = PayloadU8::read(r).map_err(|e| in_field(e, "certificate_request_context"))?;
        let entries = Vec::read(r)?;
        Ok(Self { context, entries })
    }
}

/// `struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; }
/// CertificateEntry;` (RFC 8446 s4.4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateEntry {
    /// The certificate (or raw public key).
    pub cert: CertificateDer,
    /// Per-certificate extensions, in wire order.
    pub extensions: Vec<CertificateExtension>,
}

impl CertificateEntry {
    /// An entry without extensions.
    pub fn new(cert: CertificateDer) -> Self {
        Self {
            cert,
            extensions: Vec::new(),
        }
    }

    /// The stapled OCSP response, if any (RFC 8446 s4.4.2.1).
    pub fn ocsp_response(&self) -> Option<&[u8]> {
        self.extensions.iter().find_map(|e| match e {
            CertificateExtension::CertificateStatus(s) => Some(s.ocsp_response.0.as_slice()),
            _ => None,
        })
    }

    /// The SignedCertificateTimestamps, if any (RFC 6962 s3.3).
    pub fn scts(&self) -> Option<&[Sct]> {
        self.extensions.iter().find_map(|e| match e {
            CertificateExtension::SignedCertificateTimestamp(l) => Some(l.as_slice()),
            _ => None,
        })
    }
}

impl Codec for CertificateEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        self.cert.encode(out);
        encode_extensions(ListLength::U16, &self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let cert = CertificateDer::read(r)?;
        let extensions = read_extensions(r, ListLength::U16, None, "CertificateEntry.extensions")?;
        Ok(Self { cert, extensions })
    }
}

impl TlsListElement for CertificateEntry {
    /// `CertificateEntry certificate_list<0..2^24-1>`: empty when a client has no
    /// certificate to send (RFC 8446 s4.4.2).
    const LIST_LENGTH: ListLength = ListLength::U24 {
        max: U24::MAX as usize,
        context: "certificate_list",
    };
}

/// An extension of a TLS 1.3 CertificateEntry (RFC 8446 s4.4.2: "Valid extensions for
/// server certificates at present include the OCSP Status extension and the
/// SignedCertificateTimestamp extension"). Whether the peer was asked for them is the
/// handshake's check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateExtension {
    /// status_request carrying a CertificateStatus (RFC 8446 s4.4.2.1).
    CertificateStatus(CertificateStatus),
    /// signed_certificate_timestamp carrying a SignedCertificateTimestampList (RFC 6962).
    SignedCertificateTimestamp(Vec<Sct>),
    /// Any unnamed extension type, kept as is.
    Unknown(UnknownExtension),
}

impl TlsExtension for CertificateExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::CertificateStatus(_) => ExtensionType::StatusRequest,
            Self::SignedCertificateTimestamp(_) => ExtensionType::SCT,
            Self::Unknown(u) => u.typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::CertificateStatus(s) => s.encode(out),
            Self::SignedCertificateTimestamp(l) => l.encode(out),
            Self::Unknown(u) => u.payload.encode(out),
        }
    }

    fn read_body(typ: ExtensionType, body: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match typ {
            ExtensionType::StatusRequest => {
                CertificateStatus::read(body).map(Self::CertificateStatus)
            }
            ExtensionType::SCT => Vec::read(body).map(Self::SignedCertificateTimestamp),
            _ => UnknownExtension::read_unnamed(typ, body).map(Self::Unknown),
        }
    }
}

/// TLS 1.2 CertificateRequest (RFC 5246 s7.4.4):
///
/// ```text
/// struct {
///     ClientCertificateType certificate_types<1..2^8-1>;
///     SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
///     DistinguishedName certificate_authorities<0..2^16-1>;
/// } CertificateRequest;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequestPayload {
    /// Acceptable client certificate types (never empty).
    pub certificate_types: Vec<ClientCertificateType>,
    /// Acceptable signature algorithms (never empty).
    pub signature_algorithms: Vec<SignatureScheme>,
    /// Acceptable issuers; empty means "any".
    pub authorities: Vec<DistinguishedName>,
}

impl Codec for CertificateRequestPayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.certificate_types.encode(out);
        self.signature_algorithms.encode(out);
        self.authorities.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let certificate_types = Vec::read(r)?;
        let signature_algorithms = Vec::read(r)?;
        let mut cas = ListLength::U16
            .read_body(r)
            .map_err(|e| in_field(e, "certificate_authorities"))?;
        let mut authorities = Vec::new();
        while cas.any_left() {
            authorities.push(DistinguishedName::read(&mut cas)?);
        }
        Ok(Self {
            certificate_types,
            signature_algorithms,
            authorities,
        })
    }
}

/// TLS 1.3 CertificateRequest (RFC 8446 s4.3.2):
/// `struct { opaque certificate_request_context<0..2^8-1>;
///           Extension extensions<2..2^16-1>; } CertificateRequest;`
///
/// "The signature_algorithms extension MUST be specified": its absence decodes as
/// [`InvalidMessage::MissingExtension`] (missing_extension alert).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequestPayloadTls13 {
    /// Echoed in the client's Certificate; non-empty for post-handshake requests.
    pub context: PayloadU8,
    /// The request's extensions, in wire order (always including signature_algorithms
    /// when decoded).
    pub extensions: Vec<CertReqExtension>,
}

impl CertificateRequestPayloadTls13 {
    /// The signature_algorithms list (present in every decoded request).
    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        self.extensions.iter().find_map(|e| match e {
            CertReqExtension::SignatureAlgorithms(l) => Some(l.as_slice()),
            _ => None,
        })
    }

    /// signature_algorithms_cert (RFC 8446 s4.2.3), if sent.
    pub fn signature_algorithms_cert(&self) -> Option<&[SignatureScheme]> {
        self.extensions.iter().find_map(|e| match e {
            CertReqExtension::SignatureAlgorithmsCert(l) => Some(l.as_slice()),
            _ => None,
        })
    }

    /// certificate_authorities (RFC 8446 s4.2.4), if sent.
    pub fn authorities(&self) -> Option<&[DistinguishedName]> {
        self.extensions.iter().find_map(|e| match e {
            CertReqExtension::AuthorityNames(l) => Some(l.as_slice()),
            _ => None,
        })
    }

    /// Whether the server asked for a stapled OCSP response (RFC 8446 s4.4.2.1).
    pub fn wants_ocsp(&self) -> bool {
        self.extensions
            .iter()
            .any(|e| matches!(e, CertReqExtension::StatusRequest))
    }

    /// Whether the server asked for SCTs (RFC 8446 s4.4.2.1).
    pub fn wants_scts(&self) -> bool {
        self.extensions
            .iter()
            .any(|e| matches!(e, CertReqExtension::SignedCertificateTimestamp))
    }
}

impl Codec for CertificateRequestPayloadTls13 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.context.encode(out);
        encode_extensions(ListLength::U16, &self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let context = PayloadU8::read(r).map_err(|e| in_field(e, "certificate_request_context"))?;
        let extensions: Vec<CertReqExtension> = read_extensions(
            r,
            ListLength::NonEmptyU16 {
                context: "CertificateRequest.extensions",
            },
            None,
            "CertificateRequest.extensions",
        )?;
        if !extensions
            .iter()
            .any(|e| matches!(e, CertReqExtension::SignatureAlgorithms(_)))
        {
            return Err(InvalidMessage::MissingExtension(
                ExtensionType::SignatureAlgorithms,
            ));
        }
        Ok(Self {
            context,
            extensions,
        })
    }
}

/// An extension of a TLS 1.3 CertificateRequest (the "CR" column of RFC 8446 s4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertReqExtension {
    /// signature_algorithms (RFC 8446 s4.2.3): `SignatureScheme list<2..2^16-2>`.
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// signature_algorithms_cert (RFC 8446 s4.2.3), same grammar.
    SignatureAlgorithmsCert(Vec<SignatureScheme>),
    /// certificate_authorities (RFC 8446 s4.2.4): `DistinguishedName authorities<3..2^16-1>`.
    AuthorityNames(Vec<DistinguishedName>),
    /// status_request with empty data: the server wants a stapled OCSP response
    /// (RFC 8446 s4.4.2.1).
    StatusRequest,
    /// signed_certificate_timestamp with empty data: the server wants SCTs.
    SignedCertificateTimestamp,
    /// oid_filters (RFC 8446 s4.2.5), kept opaque: this engine does not apply the filters.
    OidFilters(crate::codec::Payload),
    /// An extension this message does not interpret, kept as is: any unnamed type, and
    /// compress_certificate (RFC 8879), which is legal here but not implemented.
    Unknown(UnknownExtension),
}

impl TlsExtension for CertReqExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::SignatureAlgorithms(_) => ExtensionType::SignatureAlgorithms,
            Self::SignatureAlgorithmsCert(_) => ExtensionType::SignatureAlgorithmsCert,
            Self::AuthorityNames(_) => ExtensionType::CertificateAuthorities,
            Self::StatusRequest => ExtensionType::StatusRequest,
            Self::SignedCertificateTimestamp => ExtensionType::SCT,
            Self::OidFilters(_) => ExtensionType::OIDFilters,
            Self::Unknown(u) => u.typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::SignatureAlgorithms(l) | Self::SignatureAlgorithmsCert(l) => l.encode(out),
            Self::AuthorityNames(names) => names.encode(out),
            Self::StatusRequest | Self::SignedCertificateTimestamp => {}
            Self::OidFilters(p) => p.encode(out),
            Self::Unknown(u) => u.payload.encode(out),
        }
    }

    fn read_body(typ: ExtensionType, body: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::SignatureAlgorithms => Self::SignatureAlgorithms(Vec::read(body)?),
            ExtensionType::SignatureAlgorithmsCert => {
                Self::SignatureAlgorithmsCert(Vec::read(body)?)
            }
            // The same `authorities<3..2^16-1>` as in a ClientHello (RFC 8446 s4.2.4).
            ExtensionType::CertificateAuthorities => {
                Self::AuthorityNames(CertificateAuthorities::read(body)?.0)
            }
            // Empty bodies: the caller rejects any data as trailing.
            ExtensionType::StatusRequest => Self::StatusRequest,
            ExtensionType::SCT => Self::SignedCertificateTimestamp,
            ExtensionType::OIDFilters => Self::OidFilters(crate::codec::Payload::read(body)?),
            // compress_certificate is specified for CertificateRequest too (RFC 8879 s3);
            // this engine does not compress, so it is kept uninterpreted.
            ExtensionType::CompressCertificate => {
                Self::Unknown(UnknownExtension::read_any(typ, body))
            }
            _ => Self::Unknown(UnknownExtension::read_unnamed(typ, body)?),
        })
    }
}

#[cfg(test)]
#[path = "certificate_test.rs"]
mod tests;
