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
mod tests {
    use super::*;
    use crate::codec::Payload;
    use crate::msgs::extensions::strategies::{
        bytes, check_laws, dedup_extensions, unnamed_extension,
    };
    use crate::msgs::test_vectors as tv;
    use proptest::prelude::*;

    #[test]
    fn rfc8448_server_certificates() {
        for (name, hexmsg, len) in [
            ("s3 rsa", tv::RFC8448_SERVER_CERTIFICATE, 0x1b0),
            (
                "s5 ecdsa",
                tv::RFC8448_CLIENT_AUTH_SERVER_CERTIFICATE,
                0x132,
            ),
            (
                "s5 client rsa",
                tv::RFC8448_CLIENT_AUTH_CLIENT_CERTIFICATE,
                0x1b6,
            ),
        ] {
            let msg = tv::hex(hexmsg);
            let body = tv::body(&msg);
            let c = CertificatePayloadTls13::read_bytes(body).unwrap();
            assert!(c.context.0.is_empty(), "{name}");
            assert_eq!(c.entries.len(), 1, "{name}");
            assert_eq!(c.entries[0].cert.0.len(), len, "{name}");
            assert!(c.entries[0].extensions.is_empty(), "{name}");
            assert_eq!(c.get_encoding(), body, "{name}");
        }
    }

    #[test]
    fn rfc8448_certificate_request() {
        let msg = tv::hex(tv::RFC8448_CERTIFICATE_REQUEST);
        let body = tv::body(&msg);
        let cr = CertificateRequestPayloadTls13::read_bytes(body).unwrap();
        assert!(cr.context.0.is_empty());
        let algs = cr.signature_algorithms().unwrap();
        assert_eq!(algs.len(), 15);
        assert_eq!(algs[0], SignatureScheme::ECDSA_NISTP256_SHA256);
        assert!(cr.signature_algorithms_cert().is_none());
        assert!(!cr.wants_ocsp());
        assert_eq!(cr.get_encoding(), body);
    }

    #[test]
    fn openssl_tls12_certificates() {
        for (name, hexmsg, count) in [
            ("server", tv::TLS12_SERVER_CERTIFICATE, 1),
            ("client", tv::TLS12_CLIENT_CERTIFICATE, 1),
        ] {
            let msg = tv::hex(hexmsg);
            let body = tv::body(&msg);
            let c = CertificatePayload::read_bytes(body).unwrap();
            assert_eq!(c.0.len(), count, "{name}");
            assert_eq!(c.0[0].0[0], 0x30, "{name}: DER SEQUENCE");
            assert_eq!(c.get_encoding(), body, "{name}");
        }
    }

    #[test]
    fn openssl_tls12_certificate_request() {
        let msg = tv::hex(tv::TLS12_CERTIFICATE_REQUEST);
        let body = tv::body(&msg);
        let cr = CertificateRequestPayload::read_bytes(body).unwrap();
        assert_eq!(
            cr.certificate_types,
            [
                ClientCertificateType::RSASign,
                ClientCertificateType::DSSSign,
                ClientCertificateType::ECDSASign
            ]
        );
        assert!(cr
            .signature_algorithms
            .contains(&SignatureScheme::RSA_PSS_RSAE_SHA256));
        // The server was given `-CAfile ccert.pem`, so it names that one issuer.
        assert_eq!(cr.authorities.len(), 1);
        assert_eq!(cr.get_encoding(), body);
    }

    #[test]
    fn tls12_certificate_rules() {
        // An empty chain is grammatical (a client without a certificate).
        assert_eq!(
            CertificatePayload::read_bytes(&[0, 0, 0]),
            Ok(CertificatePayload(vec![]))
        );
        // A zero-length certificate is not.
        assert_eq!(
            CertificatePayload::read_bytes(&[0, 0, 3, 0, 0, 0]),
            Err(InvalidMessage::InvalidEmptyList("ASN.1Cert"))
        );
        // u24 lengths larger than the data.
        assert_eq!(
            CertificatePayload::read_bytes(&[0, 0, 9, 0, 0, 1, 0x30]),
            Err(InvalidMessage::MissingData("certificate_list"))
        );
        assert_eq!(
            CertificatePayload::read_bytes(&[0, 0, 4, 0xff, 0xff, 0xff, 0x30]),
            Err(InvalidMessage::MissingData("ASN.1Cert"))
        );
        // Trailing data after the list.
        assert!(CertificatePayload::read_bytes(&[0, 0, 4, 0, 0, 1, 0x30, 0]).is_err());
    }

    fn entry_bytes(exts: &[u8]) -> Vec<u8> {
        // context<0>, list, entry{cert_data = [0x30], extensions = exts (with prefix)}
        let entry_len = 3 + 1 + exts.len();
        let mut v = vec![0];
        v.extend_from_slice(&U24(entry_len as u32).get_encoding());
        v.extend_from_slice(&[0, 0, 1, 0x30]);
        v.extend_from_slice(exts);
        v
    }

    #[test]
    fn tls13_certificate_entry_extensions() {
        // status_request with an OCSP response, then an SCT list of one SCT.
        let exts = [
            0, 18, // extensions length
            0, 5, 0, 5, 1, 0, 0, 1, 0xaa, // status_request: ocsp, 1-byte response
            0, 18, 0, 5, 0, 3, 0, 1, 0xbb, // SCT list
        ];
        let bytes = entry_bytes(&exts);
        let c = CertificatePayloadTls13::read_bytes(&bytes).unwrap();
        assert_eq!(c.entries[0].ocsp_response(), Some(&[0xaa][..]));
        assert_eq!(c.entries[0].scts().unwrap(), [Sct(vec![0xbb])]);
        assert_eq!(c.get_encoding(), bytes);

        // Duplicate status_request.
        let dup = [
            0, 18, 0, 5, 0, 5, 1, 0, 0, 1, 0xaa, 0, 5, 0, 5, 1, 0, 0, 1, 0xaa,
        ];
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&entry_bytes(&dup)),
            Err(InvalidMessage::DuplicateExtension(
                ExtensionType::StatusRequest
            ))
        );
        // Empty SCT list and empty SCT.
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 6, 0, 18, 0, 2, 0, 0])),
            Err(InvalidMessage::InvalidEmptyList("sct_list"))
        );
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 8, 0, 18, 0, 4, 0, 2, 0, 0])),
            Err(InvalidMessage::InvalidEmptyList("SerializedSCT"))
        );
        // Unknown status type.
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&entry_bytes(&[
                0, 9, 0, 5, 0, 5, 2, 0, 0, 1, 0xaa
            ])),
            Err(InvalidMessage::IllegalValue(
                "CertificateStatus.status_type"
            ))
        );
        // An unknown extension is kept; a named but misplaced one is refused.
        let unk = [0, 6, 0xfa, 0xfa, 0, 2, 1, 2];
        let c = CertificatePayloadTls13::read_bytes(&entry_bytes(&unk)).unwrap();
        assert_eq!(
            c.entries[0].extensions,
            [CertificateExtension::Unknown(UnknownExtension {
                typ: ExtensionType::Unknown(0xfafa),
                payload: Payload::new(vec![1, 2]),
            })]
        );
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 4, 0, 0x2b, 0, 0])),
            Err(InvalidMessage::UnexpectedExtension(
                ExtensionType::SupportedVersions
            ))
        );
        // Extension data longer than the extension list.
        assert!(
            CertificatePayloadTls13::read_bytes(&entry_bytes(&[0, 4, 0xfa, 0xfa, 0, 9])).is_err()
        );
    }

    #[test]
    fn tls13_certificate_u24_lengths_beyond_data() {
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&[0, 0xff, 0xff, 0xff]),
            Err(InvalidMessage::MissingData("certificate_list"))
        );
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&[0, 0, 0, 6, 0, 1, 0, 0x30, 0, 0]),
            Err(InvalidMessage::MissingData("ASN.1Cert"))
        );
        assert_eq!(
            CertificatePayloadTls13::read_bytes(&[0, 0, 0, 5, 0, 0, 0, 0, 0]),
            Err(InvalidMessage::InvalidEmptyList("ASN.1Cert"))
        );
        // An empty chain is grammatical.
        assert!(CertificatePayloadTls13::read_bytes(&[0, 0, 0, 0]).is_ok());
    }

    #[test]
    fn tls12_certificate_request_rules() {
        let good = CertificateRequestPayload {
            certificate_types: vec![ClientCertificateType::RSASign],
            signature_algorithms: vec![SignatureScheme::RSA_PKCS1_SHA256],
            authorities: vec![],
        };
        check_laws(&good);
        assert_eq!(good.get_encoding(), [1, 1, 0, 2, 4, 1, 0, 0]);
        assert_eq!(
            CertificateRequestPayload::read_bytes(&[0, 0, 2, 4, 1, 0, 0]),
            Err(InvalidMessage::InvalidEmptyList("certificate_types"))
        );
        assert_eq!(
            CertificateRequestPayload::read_bytes(&[1, 1, 0, 0, 0, 0]),
            Err(InvalidMessage::InvalidEmptyList(
                "supported_signature_algorithms"
            ))
        );
        // An odd-length signature algorithm list.
        assert!(CertificateRequestPayload::read_bytes(&[1, 1, 0, 3, 4, 1, 5, 0, 0]).is_err());
        // Empty DistinguishedName inside the list.
        assert_eq!(
            CertificateRequestPayload::read_bytes(&[1, 1, 0, 2, 4, 1, 0, 2, 0, 0]),
            Err(InvalidMessage::InvalidEmptyList("DistinguishedName"))
        );
        assert_eq!(
            CertificateRequestPayload::read_bytes(&[1, 1, 0, 2, 4, 1, 0]),
            Err(InvalidMessage::MissingData("certificate_authorities"))
        );
    }

    #[test]
    fn tls13_certificate_request_needs_signature_algorithms() {
        // Only signature_algorithms_cert: missing_extension.
        let bytes = [0, 0, 8, 0, 50, 0, 4, 0, 2, 8, 4];
        let err = CertificateRequestPayloadTls13::read_bytes(&bytes).unwrap_err();
        assert_eq!(
            err,
            InvalidMessage::MissingExtension(ExtensionType::SignatureAlgorithms)
        );
        assert_eq!(
            err.alert(),
            crate::enums::AlertDescription::MissingExtension
        );
        // No extensions at all: the list is <2..2^16-1>.
        assert_eq!(
            CertificateRequestPayloadTls13::read_bytes(&[0, 0, 0]),
            Err(InvalidMessage::InvalidEmptyList(
                "CertificateRequest.extensions"
            ))
        );
    }

    #[test]
    fn tls13_certificate_request_extensions() {
        let cr = CertificateRequestPayloadTls13 {
            context: PayloadU8(vec![1, 2, 3]),
            extensions: vec![
                CertReqExtension::SignatureAlgorithms(vec![SignatureScheme::ED25519]),
                CertReqExtension::SignatureAlgorithmsCert(vec![SignatureScheme::ED448]),
                CertReqExtension::AuthorityNames(vec![DistinguishedName(vec![0x30, 0])]),
                CertReqExtension::StatusRequest,
                CertReqExtension::SignedCertificateTimestamp,
                CertReqExtension::OidFilters(Payload::new(vec![0, 0])),
            ],
        };
        check_laws(&cr);
        assert!(cr.wants_ocsp() && cr.wants_scts());
        assert_eq!(cr.authorities().unwrap().len(), 1);

        let sigalgs = [0, 13, 0, 4, 0, 2, 8, 7];
        let with = |extra: &[u8]| {
            let mut v = vec![0];
            let len = (sigalgs.len() + extra.len()) as u16;
            v.extend_from_slice(&len.to_be_bytes());
            v.extend_from_slice(&sigalgs);
            v.extend_from_slice(extra);
            v
        };
        assert!(CertificateRequestPayloadTls13::read_bytes(&with(&[])).is_ok());
        assert_eq!(
            CertificateRequestPayloadTls13::read_bytes(&with(&sigalgs)),
            Err(InvalidMessage::DuplicateExtension(
                ExtensionType::SignatureAlgorithms
            ))
        );
        // status_request must be empty in a CertificateRequest.
        assert_eq!(
            CertificateRequestPayloadTls13::read_bytes(&with(&[0, 5, 0, 1, 0])),
            Err(InvalidMessage::TrailingData("StatusRequest"))
        );
        // certificate_authorities must not be empty.
        assert_eq!(
            CertificateRequestPayloadTls13::read_bytes(&with(&[0, 47, 0, 2, 0, 0])),
            Err(InvalidMessage::InvalidEmptyList("certificate_authorities"))
        );
        // An empty signature_algorithms list.
        assert_eq!(
            CertificateRequestPayloadTls13::read_bytes(&[0, 0, 6, 0, 13, 0, 2, 0, 0]),
            Err(InvalidMessage::InvalidEmptyList(
                "supported_signature_algorithms"
            ))
        );
        // key_share does not belong in a CertificateRequest.
        assert_eq!(
            CertificateRequestPayloadTls13::read_bytes(&with(&[0, 51, 0, 0])),
            Err(InvalidMessage::UnexpectedExtension(ExtensionType::KeyShare))
        );
        // compress_certificate (RFC 8879) belongs in a CertificateRequest: kept opaque.
        let cr =
            CertificateRequestPayloadTls13::read_bytes(&with(&[0, 27, 0, 3, 2, 0, 1])).unwrap();
        assert_eq!(
            cr.extensions[1],
            CertReqExtension::Unknown(UnknownExtension {
                typ: ExtensionType::CompressCertificate,
                payload: Payload::new(vec![2, 0, 1]),
            })
        );
        // GREASE-like unknown types are kept.
        let cr = CertificateRequestPayloadTls13::read_bytes(&with(&[0x0a, 0x0a, 0, 0])).unwrap();
        assert_eq!(cr.extensions.len(), 2);
    }

    fn arb_cert() -> impl Strategy<Value = CertificateDer> {
        bytes(1, 39).prop_map(CertificateDer)
    }

    fn arb_schemes() -> impl Strategy<Value = Vec<SignatureScheme>> {
        proptest::collection::vec(any::<u16>().prop_map(SignatureScheme::from), 1..6)
    }

    fn arb_names() -> impl Strategy<Value = Vec<DistinguishedName>> {
        proptest::collection::vec(bytes(1, 11).prop_map(DistinguishedName), 0..4)
    }

    fn arb_entry() -> impl Strategy<Value = CertificateEntry> {
        let ext = prop_oneof![
            bytes(1, 19)
                .prop_map(|b| CertificateExtension::CertificateStatus(CertificateStatus::new(b))),
            proptest::collection::vec(bytes(1, 9).prop_map(Sct), 1..3)
                .prop_map(CertificateExtension::SignedCertificateTimestamp),
            unnamed_extension().prop_map(CertificateExtension::Unknown),
        ];
        (arb_cert(), proptest::collection::vec(ext, 0..4)).prop_map(|(cert, exts)| {
            CertificateEntry {
                cert,
                extensions: dedup_extensions(exts),
            }
        })
    }

    fn arb_cr13() -> impl Strategy<Value = CertificateRequestPayloadTls13> {
        let ext = prop_oneof![
            arb_schemes().prop_map(CertReqExtension::SignatureAlgorithmsCert),
            arb_names()
                .prop_filter("non-empty", |n| !n.is_empty())
                .prop_map(CertReqExtension::AuthorityNames),
            Just(CertReqExtension::StatusRequest),
            Just(CertReqExtension::SignedCertificateTimestamp),
            bytes(0, 9).prop_map(|b| CertReqExtension::OidFilters(Payload::new(b))),
            unnamed_extension().prop_map(CertReqExtension::Unknown),
        ];
        (
            bytes(0, 9),
            arb_schemes(),
            proptest::collection::vec(ext, 0..5),
            any::<usize>(),
        )
            .prop_map(|(ctx, algs, mut exts, at)| {
                let at = at % (exts.len() + 1);
                exts.insert(at, CertReqExtension::SignatureAlgorithms(algs));
                CertificateRequestPayloadTls13 {
                    context: PayloadU8(ctx),
                    extensions: dedup_extensions(exts),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn parts_laws(cert in arb_cert(), sct in bytes(1, 29), entry in arb_entry()) {
            check_laws(&cert);
            check_laws(&Sct(sct));
            check_laws(&entry);
        }

        #[test]
        fn certificate12_laws(certs in proptest::collection::vec(arb_cert(), 0..4)) {
            check_laws(&CertificatePayload(certs));
        }

        #[test]
        fn certificate13_laws(ctx in bytes(0, 7), entries in proptest::collection::vec(arb_entry(), 0..4)) {
            check_laws(&CertificatePayloadTls13 { context: PayloadU8(ctx), entries });
        }

        #[test]
        fn certificate_request12_laws(
            types in proptest::collection::vec(any::<u8>().prop_map(ClientCertificateType::from), 1..5),
            algs in arb_schemes(),
            names in arb_names(),
        ) {
            check_laws(&CertificateRequestPayload {
                certificate_types: types,
                signature_algorithms: algs,
                authorities: names,
            });
        }

        #[test]
        fn certificate_request13_laws(v in arb_cr13()) {
            check_laws(&v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in bytes(0, 299)) {
            let _ = CertificatePayload::read_bytes(&data);
            let _ = CertificatePayloadTls13::read_bytes(&data);
            let _ = CertificateRequestPayload::read_bytes(&data);
            let _ = CertificateRequestPayloadTls13::read_bytes(&data);
        }

        #[test]
        fn mutated_messages_never_panic(v in arb_cr13(), e in arb_entry(), at: usize, byte: u8) {
            let mut enc = v.get_encoding();
            let i = at % enc.len();
            enc[i] = byte;
            if let Ok(d) = CertificateRequestPayloadTls13::read_bytes(&enc) {
                prop_assert_eq!(d.get_encoding(), enc);
            }
            let mut enc = CertificatePayloadTls13 { context: PayloadU8(vec![]), entries: vec![e] }
                .get_encoding();
            let i = at % enc.len();
            enc[i] = byte;
            if let Ok(d) = CertificatePayloadTls13::read_bytes(&enc) {
                prop_assert_eq!(d.get_encoding(), enc);
            }
        }
    }
}
