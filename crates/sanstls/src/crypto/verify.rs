//! Verifying the peer: handshake signatures, and the small built-in certificate verifiers.
//!
//! The verifier traits are what the handshakes call. The full RFC 5280 verifier (CRLs,
//! OCSP, EKU, keyUsage, path length, name constraints, Node's error codes) is in the
//! `sanstls-pki` crate, behind the same traits (`sanstls_pki::tls`). The built-in
//! [`SimpleRootsVerifier`] builds a chain to a configured root and checks every signature,
//! validity period and CA flag, and the host name (RFC 6125), but no EKU, keyUsage, path
//! length or name constraints: prefer the pki crate's verifiers.

use core::fmt::Debug;

use der::Decode;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_cert::ext::pkix::BasicConstraints;

use crate::enums::SignatureScheme;
use crate::error::{CertificateError, Error, PeerMisbehaved};
use crate::time::UnixTime;

/// The OIDs the verifiers look at.
mod oid {
    use der::asn1::ObjectIdentifier as Oid;
    pub(super) const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub(super) const EC: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub(super) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    pub(super) const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub(super) const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub(super) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub(super) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub(super) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub(super) const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub(super) const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
}

/// What the handshakes and verifiers need from a certificate, borrowed from its DER (a
/// handshake parses the peer's chain, so nothing is copied out of it).
#[derive(Debug, Clone)]
pub struct ParsedCertificate<'a> {
    /// The SPKI algorithm OID (its `Display` is the dotted form).
    pub key_algorithm: der::asn1::ObjectIdentifier,
    /// The EC curve OID for EC keys.
    pub curve: Option<der::asn1::ObjectIdentifier>,
    /// The public key bits (RSAPublicKey DER, EC point, or Ed25519 key).
    pub public_key: &'a [u8],
    /// notBefore / notAfter in Unix seconds.
    pub not_before: u64,
    /// notAfter in Unix seconds.
    pub not_after: u64,
    /// subjectAltName dNSName entries.
    pub dns_names: Vec<&'a str>,
    /// subjectAltName iPAddress entries (4 or 16 bytes).
    pub ip_addresses: Vec<&'a [u8]>,
    /// The subject's common names.
    pub common_names: Vec<&'a str>,
    /// DER of the subject name.
    pub subject: &'a [u8],
    /// DER of the issuer name.
    pub issuer: &'a [u8],
    /// basicConstraints cA.
    pub is_ca: bool,
    /// The signed bytes (tbsCertificate DER).
    pub tbs: &'a [u8],
    /// The signature algorithm OID.
    pub signature_algorithm: der::asn1::ObjectIdentifier,
    /// The signature bits.
    pub signature: &'a [u8],
}

impl<'a> ParsedCertificate<'a> {
    /// Parses a DER certificate.
    pub fn parse(der_bytes: &'a [u8]) -> Result<Self, Error> {
        // The fields are read in place and only those used are decoded (every handshake
        // parses the peer's chain, so this is on the hot path); what is decoded is checked
        // as strictly as x509-cert would.
        let bad = |_| Error::InvalidCertificate(CertificateError::BadEncoding);
        let raw = RawCertificate::read(der_bytes)?;
        let key = PublicKeyRef::of_spki(&raw.spki);
        let validity = x509_cert::time::Validity::from_der(raw.validity).map_err(bad)?;
        let mut dns_names = Vec::new();
        let mut ip_addresses = Vec::new();
        let mut is_ca = false;
        raw.for_each_extension(|id, value| {
            if id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME.as_bytes() {
                san_names(value, &mut dns_names, &mut ip_addresses)?;
            } else if id == const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS.as_bytes() {
                is_ca = BasicConstraints::from_der(value)?.ca;
            }
            Ok(())
        })
        .map_err(bad)?;
        let common_names = common_names(raw.subject).map_err(bad)?;
        Ok(Self {
            key_algorithm: key.algorithm,
            curve: key.curve,
            public_key: key.key,
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
            dns_names,
            ip_addresses,
            common_names,
            // As received: the signature covers these exact bytes.
            subject: raw.subject,
            issuer: raw.issuer,
            is_ca,
            tbs: raw.tbs,
            signature_algorithm: raw.signature_algorithm,
            signature: raw.signature,
        })
    }
}

/// The dNSName and iPAddress entries of a SubjectAltName extension value (RFC 5280
/// s4.2.1.6), read in place; the other kinds of name are skipped.
fn san_names<'a>(
    value: &'a [u8],
    dns: &mut Vec<&'a str>,
    ips: &mut Vec<&'a [u8]>,
) -> der::Result<()> {
    use der::asn1::AnyRef;
    use der::{Reader, SliceReader, Tag, TagNumber, Tagged};
    let names = AnyRef::from_der(value)?;
    if names.tag() != Tag::Sequence {
        return Err(names.tag().unexpected_error(Some(Tag::Sequence)));
    }
    let implicit = |number| Tag::ContextSpecific {
        constructed: false,
        number,
    };
    let mut r = SliceReader::new(names.value())?;
    while !r.is_finished() {
        let name = AnyRef::decode(&mut r)?;
        if name.tag() == implicit(TagNumber::N2) {
            // dNSName: an IA5String, so ASCII.
            match core::str::from_utf8(name.value()) {
                Ok(d) if d.is_ascii() => dns.push(d),
                _ => return Err(Tag::Ia5String.value_error()),
            }
        } else if name.tag() == implicit(TagNumber::N7) {
            ips.push(name.value());
        }
    }
    Ok(())
}

/// The commonName values of a Name (RFC 5280 s4.1.2.4), read in place: UTF8String and
/// PrintableString ones, as the identity check uses them.
fn common_names(name: &[u8]) -> der::Result<Vec<&str>> {
    use der::asn1::AnyRef;
    use der::{Reader, SliceReader, Tag, Tagged};
    let mut out = Vec::new();
    let rdns = AnyRef::from_der(name)?;
    if rdns.tag() != Tag::Sequence {
        return Err(rdns.tag().unexpected_error(Some(Tag::Sequence)));
    }
    let mut r = SliceReader::new(rdns.value())?;
    while !r.is_finished() {
        let rdn = AnyRef::decode(&mut r)?;
        if rdn.tag() != Tag::Set {
            return Err(rdn.tag().unexpected_error(Some(Tag::Set)));
        }
        let mut atvs = SliceReader::new(rdn.value())?;
        while !atvs.is_finished() {
            let atv = AnyRef::decode(&mut atvs)?;
            let mut a = SliceReader::new(atv.value())?;
            // The attribute type, compared encoded (as the extension ids are).
            let oid = AnyRef::decode(&mut a)?;
            if oid.tag() != Tag::ObjectIdentifier {
                return Err(oid.tag().unexpected_error(Some(Tag::ObjectIdentifier)));
            }
            let value = AnyRef::decode(&mut a)?;
            if oid.value() != const_oid::db::rfc4519::CN.as_bytes() {
                continue;
            }
            let text = core::str::from_utf8(value.value());
            match (value.tag(), text) {
                (Tag::Utf8String, Ok(t)) => out.push(t),
                (Tag::PrintableString, Ok(t)) if t.is_ascii() => out.push(t),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// A certificate's subject public key, read in place.
struct PublicKeyRef<'a> {
    /// The SPKI algorithm.
    algorithm: der::asn1::ObjectIdentifier,
    /// The EC curve, for EC keys.
    curve: Option<der::asn1::ObjectIdentifier>,
    /// The public key bits.
    key: &'a [u8],
}

impl<'a> PublicKeyRef<'a> {
    /// The key of a certificate, reading it only as far as its SubjectPublicKeyInfo (a
    /// handshake signature needs nothing else, and the certificate was parsed whole when its
    /// chain was checked).
    fn of_certificate(cert_der: &'a [u8]) -> Result<Self, Error> {
        use der::{Decode, SliceReader};
        let bad = |_| Error::InvalidCertificate(CertificateError::BadEncoding);
        let (_, tbs_body, _) = RawCertificate::split(cert_der).map_err(bad)?;
        let mut r = SliceReader::new(tbs_body).map_err(bad)?;
        RawCertificate::names_and_validity(&mut r, tbs_body).map_err(bad)?;
        let spki = x509_cert::spki::SubjectPublicKeyInfoRef::decode(&mut r).map_err(bad)?;
        Ok(Self::of_spki(&spki))
    }

    fn of_spki(spki: &x509_cert::spki::SubjectPublicKeyInfoRef<'a>) -> Self {
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
        Self {
            algorithm: spki.algorithm.oid,
            curve,
            key: spki.subject_public_key.raw_bytes(),
        }
    }
}

/// The parts of a certificate, found in place (RFC 5280 s4.1).
struct RawCertificate<'a> {
    /// The whole TBSCertificate (what the issuer signed).
    tbs: &'a [u8],
    /// The issuer and subject Names, DER.
    issuer: &'a [u8],
    subject: &'a [u8],
    /// The Validity SEQUENCE, DER.
    validity: &'a [u8],
    spki: x509_cert::spki::SubjectPublicKeyInfoRef<'a>,
    /// The contents of the `[3]` extensions field: a DER SEQUENCE OF Extension.
    extensions: Option<&'a [u8]>,
    signature_algorithm: der::asn1::ObjectIdentifier,
    /// The signature bits.
    signature: &'a [u8],
}

/// The next element `r` (reading `all`) holds, as its complete encoding (header included).
fn element<'b>(r: &mut der::SliceReader<'b>, all: &'b [u8]) -> der::Result<&'b [u8]> {
    use der::{Decode, Reader};
    let start = usize::try_from(r.position())?;
    der::asn1::AnyRef::decode(r)?;
    let end = usize::try_from(r.position())?;
    all.get(start..end)
        .ok_or_else(|| der::ErrorKind::Failed.into())
}

/// A context-specific constructed tag, `[n]` in RFC 5280's ASN.1.
fn context_tag(number: der::TagNumber) -> der::Tag {
    der::Tag::ContextSpecific {
        constructed: true,
        number,
    }
}

impl<'a> RawCertificate<'a> {
    /// Walks Certificate → TBSCertificate → its fields, decoding only tags and lengths.
    fn read(cert_der: &'a [u8]) -> Result<Self, Error> {
        use der::asn1::{AnyRef, BitStringRef};
        use der::{Reader, SliceReader, TagNumber, Tagged};
        use x509_cert::spki::AlgorithmIdentifierRef;
        let bad = |_| Error::InvalidCertificate(CertificateError::BadEncoding);
        let (tbs, tbs_body, mut outer) = Self::split(cert_der).map_err(bad)?;
        let signature_algorithm = AlgorithmIdentifierRef::decode(&mut outer).map_err(bad)?.oid;
        let signature = BitStringRef::decode(&mut outer).map_err(bad)?.raw_bytes();
        if !outer.is_finished() {
            return Err(CertificateError::BadEncoding.into());
        }
        let mut r = SliceReader::new(tbs_body).map_err(bad)?;
        let (issuer, validity, subject) =
            Self::names_and_validity(&mut r, tbs_body).map_err(bad)?;
        let spki = x509_cert::spki::SubjectPublicKeyInfoRef::decode(&mut r).map_err(bad)?;
        // issuerUniqueID [1] and subjectUniqueID [2] are skipped; extensions are [3].
        let mut extensions = None;
        while !r.is_finished() {
            let field = AnyRef::decode(&mut r).map_err(bad)?;
            if field.tag() == context_tag(TagNumber::N3) {
                extensions = Some(field.value());
            }
        }
        Ok(Self {
            tbs,
            issuer,
            subject,
            validity,
            spki,
            extensions,
            signature_algorithm,
            signature,
        })
    }

    /// Certificate → (the whole TBSCertificate element, its contents, a reader left on
    /// the signatureAlgorithm that follows it).
    fn split(cert_der: &'a [u8]) -> der::Result<(&'a [u8], &'a [u8], der::SliceReader<'a>)> {
        use der::asn1::AnyRef;
        use der::{Decode, SliceReader};
        let body = AnyRef::from_der(cert_der)?.value();
        let mut outer = SliceReader::new(body)?;
        let tbs = element(&mut outer, body)?;
        let tbs_body = AnyRef::from_der(tbs)?.value();
        Ok((tbs, tbs_body, outer))
    }

    /// Reads the TBSCertificate's fields before the SubjectPublicKeyInfo (`r` reads
    /// `tbs_body`): skips version, serialNumber and signature, and returns the issuer,
    /// validity and subject elements, encoded.
    fn names_and_validity(
        r: &mut der::SliceReader<'a>,
        tbs_body: &'a [u8],
    ) -> der::Result<(&'a [u8], &'a [u8], &'a [u8])> {
        use der::asn1::AnyRef;
        use der::{Decode, Reader, TagNumber};
        if r.peek_tag()? == context_tag(TagNumber::N0) {
            AnyRef::decode(r)?;
        }
        // serialNumber, signature, then the parts kept.
        AnyRef::decode(r)?;
        AnyRef::decode(r)?;
        let issuer = element(r, tbs_body)?;
        let validity = element(r, tbs_body)?;
        let subject = element(r, tbs_body)?;
        Ok((issuer, validity, subject))
    }

    /// Calls `f` with each extension's (extnID contents, extnValue contents), the
    /// `critical` flag skipped. The extnID is left encoded: the callers compare it with the
    /// encodings of the OIDs they look for (DER encodes an OID one way only), so no OID is
    /// decoded for an extension nobody reads.
    fn for_each_extension(
        &self,
        mut f: impl FnMut(&'a [u8], &'a [u8]) -> der::Result<()>,
    ) -> der::Result<()> {
        use der::asn1::{AnyRef, OctetStringRef};
        use der::{Reader, SliceReader, Tag, Tagged};
        let Some(list) = self.extensions else {
            return Ok(());
        };
        let mut r = SliceReader::new(AnyRef::from_der(list)?.value())?;
        while !r.is_finished() {
            let ext = AnyRef::decode(&mut r)?;
            let mut x = SliceReader::new(ext.value())?;
            let id = AnyRef::decode(&mut x)?;
            if id.tag() != Tag::ObjectIdentifier {
                return Err(id.tag().unexpected_error(Some(Tag::ObjectIdentifier)));
            }
            if x.peek_tag()? == Tag::Boolean {
                bool::decode(&mut x)?;
            }
            let value = OctetStringRef::decode(&mut x)?.as_bytes();
            f(id.value(), x.finish(value)?)?;
        }
        Ok(())
    }
}

/// The ring algorithm for a handshake signature scheme, checking that the key type and
/// (for TLS 1.3) the curve fit it.
fn scheme_algorithm(
    scheme: SignatureScheme,
    key: &PublicKeyRef<'_>,
    tls13: bool,
) -> Result<&'static dyn VerificationAlgorithm, Error> {
    use SignatureScheme as S;
    let mismatch = || Error::from(PeerMisbehaved::BadSignature);
    let curve = key.curve;
    let alg: &'static dyn VerificationAlgorithm = match scheme {
        S::RSA_PSS_RSAE_SHA256 => &signature::RSA_PSS_2048_8192_SHA256,
        S::RSA_PSS_RSAE_SHA384 => &signature::RSA_PSS_2048_8192_SHA384,
        S::RSA_PSS_RSAE_SHA512 => &signature::RSA_PSS_2048_8192_SHA512,
        S::RSA_PKCS1_SHA256 if !tls13 => &signature::RSA_PKCS1_2048_8192_SHA256,
        S::RSA_PKCS1_SHA384 if !tls13 => &signature::RSA_PKCS1_2048_8192_SHA384,
        S::RSA_PKCS1_SHA512 if !tls13 => &signature::RSA_PKCS1_2048_8192_SHA512,
        S::ECDSA_NISTP256_SHA256 if curve == Some(oid::P256) => &signature::ECDSA_P256_SHA256_ASN1,
        S::ECDSA_NISTP384_SHA384 if curve == Some(oid::P384) => &signature::ECDSA_P384_SHA384_ASN1,
        // TLS 1.2 lets the hash and curve vary independently.
        S::ECDSA_NISTP256_SHA256 if !tls13 && curve == Some(oid::P384) => {
            &signature::ECDSA_P384_SHA256_ASN1
        }
        S::ECDSA_NISTP384_SHA384 if !tls13 && curve == Some(oid::P256) => {
            &signature::ECDSA_P256_SHA384_ASN1
        }
        S::ED25519 => &signature::ED25519,
        S::RSA_PKCS1_SHA256 | S::RSA_PKCS1_SHA384 | S::RSA_PKCS1_SHA512 => return Err(mismatch()),
        S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 => return Err(mismatch()),
        _ => return Err(CertificateError::UnsupportedSignatureAlgorithm.into()),
    };
    let key_ok = match scheme {
        S::ED25519 => key.algorithm == oid::ED25519,
        S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 => key.algorithm == oid::EC,
        _ => key.algorithm == oid::RSA,
    };
    match key_ok {
        true => Ok(alg),
        false => Err(mismatch()),
    }
}

/// Verifies a handshake signature (CertificateVerify, ServerKeyExchange) made by the key in
/// `cert_der` with `scheme`.
pub fn verify_signature(
    scheme: SignatureScheme,
    cert_der: &[u8],
    message: &[u8],
    signature: &[u8],
    tls13: bool,
) -> Result<(), Error> {
    // Only the key is needed: read it in place rather than decoding the whole certificate
    // (the chain check already did, once).
    let key = PublicKeyRef::of_certificate(cert_der)?;
    let alg = scheme_algorithm(scheme, &key, tls13)?;
    let verdict = UnparsedPublicKey::new(alg, key.key).verify(message, signature);
    match crate::FUZZING {
        true => Ok(()),
        false => verdict.map_err(|_| PeerMisbehaved::BadSignature.into()),
    }
}

/// The schemes the built-in verifiers accept, in preference order.
pub const DEFAULT_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// Decides whether to trust a server's certificate chain.
pub trait ServerCertVerifier: Send + Sync + Debug {
    /// Verifies the chain for `server_name` at `now`.
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<(), Error>;

    /// The signature schemes we accept in CertificateVerify (sent in signature_algorithms).
    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        DEFAULT_SCHEMES.to_vec()
    }

    /// Verifies a TLS 1.3 CertificateVerify signature.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_signature(scheme, cert, message, signature, true)
    }
}

/// Decides whether to trust a client's certificate chain.
pub trait ClientCertVerifier: Send + Sync + Debug {
    /// Verifies the chain at `now`.
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: UnixTime,
    ) -> Result<(), Error>;

    /// DER subjects to list in CertificateRequest's certificate_authorities.
    fn root_hint_subjects(&self) -> Vec<Vec<u8>>;

    /// Whether a client without a certificate is refused (Node: `rejectUnauthorized`).
    fn client_auth_mandatory(&self) -> bool;

    /// The signature schemes we accept in CertificateVerify.
    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        DEFAULT_SCHEMES.to_vec()
    }

    /// Verifies a TLS 1.3 CertificateVerify signature.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &[u8],
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_signature(scheme, cert, message, signature, true)
    }
}

/// Trusts any certificate (Node's `rejectUnauthorized: false`); the handshake signature is
/// still checked against the certificate the peer sent.
#[derive(Debug, Default)]
pub struct InsecureAcceptAnything;

impl ServerCertVerifier for InsecureAcceptAnything {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        _intermediates: &[&[u8]],
        _server_name: &str,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<(), Error> {
        ParsedCertificate::parse(end_entity).map(|_| ())
    }
}

/// Trusts chains that lead to one of `roots` (DER certificates).
#[derive(Debug, Clone)]
pub struct SimpleRootsVerifier {
    roots: Vec<TrustAnchor>,
    /// For client certificates: refuse clients that send none.
    pub mandatory: bool,
}

/// A root, with what chain building needs from it decoded once.
#[derive(Debug, Clone)]
struct TrustAnchor {
    der: Vec<u8>,
    subject: Vec<u8>,
    key: IssuerKey<Vec<u8>>,
    not_before: u64,
    not_after: u64,
}

/// The key a certificate's signature is checked with.
#[derive(Debug, Clone)]
struct IssuerKey<K> {
    key: K,
    curve: Option<der::asn1::ObjectIdentifier>,
}

impl TrustAnchor {
    fn new(der: Vec<u8>) -> Result<Self, Error> {
        let cert = ParsedCertificate::parse(&der)?;
        let subject = cert.subject.to_vec();
        let key = IssuerKey {
            key: cert.public_key.to_vec(),
            curve: cert.curve,
        };
        let (not_before, not_after) = (cert.not_before, cert.not_after);
        Ok(Self {
            der,
            subject,
            key,
            not_before,
            not_after,
        })
    }
}

/// The longest chain we follow.
const MAX_DEPTH: usize = 8;

impl SimpleRootsVerifier {
    /// A verifier trusting `roots`.
    pub fn new(roots: Vec<Vec<u8>>) -> Result<Self, Error> {
        let roots = roots
            .into_iter()
            .map(TrustAnchor::new)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            roots,
            mandatory: true,
        })
    }

    /// Verifies the chain (not the name) at `now`; returns the parsed end-entity
    /// certificate.
    pub fn verify_chain<'a>(
        &self,
        end_entity: &'a [u8],
        intermediates: &[&[u8]],
        now: u64,
    ) -> Result<ParsedCertificate<'a>, Error> {
        let leaf = ParsedCertificate::parse(end_entity)?;
        check_validity(leaf.not_before, leaf.not_after, now)?;
        // A pinned certificate (often self-signed) is trusted as it is.
        if self.roots.iter().any(|r| r.der == end_entity) {
            return Ok(leaf);
        }
        let pool: Vec<ParsedCertificate<'_>> = intermediates
            .iter()
            .filter_map(|c| ParsedCertificate::parse(c).ok())
            .collect();
        let mut current = &leaf;
        for _ in 0..MAX_DEPTH {
            if let Some(root) = self.roots.iter().find(|r| r.subject == current.issuer) {
                check_signed_by(current, &root.key)?;
                check_validity(root.not_before, root.not_after, now)?;
                return Ok(leaf);
            }
            let Some(next) = pool.iter().find(|c| c.subject == current.issuer && c.is_ca) else {
                return Err(CertificateError::UnknownIssuer.into());
            };
            let key = IssuerKey {
                key: next.public_key,
                curve: next.curve,
            };
            check_signed_by(current, &key)?;
            check_validity(next.not_before, next.not_after, now)?;
            current = next;
        }
        Err(CertificateError::UnknownIssuer.into())
    }
}

fn check_validity(not_before: u64, not_after: u64, now: u64) -> Result<(), Error> {
    if now < not_before {
        return Err(CertificateError::NotValidYet.into());
    }
    if now > not_after {
        return Err(CertificateError::Expired.into());
    }
    Ok(())
}

/// Verifies `cert`'s signature with its issuer's key.
fn check_signed_by<K: AsRef<[u8]>>(
    cert: &ParsedCertificate<'_>,
    issuer: &IssuerKey<K>,
) -> Result<(), Error> {
    let alg: &'static dyn VerificationAlgorithm = match cert.signature_algorithm {
        oid::SHA256_WITH_RSA => &signature::RSA_PKCS1_2048_8192_SHA256,
        oid::SHA384_WITH_RSA => &signature::RSA_PKCS1_2048_8192_SHA384,
        oid::SHA512_WITH_RSA => &signature::RSA_PKCS1_2048_8192_SHA512,
        oid::ECDSA_WITH_SHA256 => match issuer.curve {
            Some(oid::P384) => &signature::ECDSA_P384_SHA256_ASN1,
            _ => &signature::ECDSA_P256_SHA256_ASN1,
        },
        oid::ECDSA_WITH_SHA384 => match issuer.curve {
            Some(oid::P256) => &signature::ECDSA_P256_SHA384_ASN1,
            _ => &signature::ECDSA_P384_SHA384_ASN1,
        },
        oid::ED25519 => &signature::ED25519,
        _ => return Err(CertificateError::UnsupportedSignatureAlgorithm.into()),
    };
    UnparsedPublicKey::new(alg, issuer.key.as_ref())
        .verify(cert.tbs, cert.signature)
        .map_err(|_| CertificateError::BadSignature.into())
}

/// RFC 6125 s6.4: does a certificate name (possibly `*.example.com`) match `host`?
/// Case-insensitive; a wildcard only as the entire left-most label, matching exactly one
/// label, never for IP addresses.
pub fn dns_name_matches(pattern: &str, host: &str) -> bool {
    // ASCII case folding by comparison, not by lower-casing copies.
    let pattern = pattern.trim_end_matches('.');
    let host = host.trim_end_matches('.');
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(rest) => match host.split_once('.') {
            // The wildcard label must stand for a non-empty label, and the rest must have
            // at least two labels (no `*.com`).
            Some((first, host_rest)) => {
                !first.is_empty() && rest.contains('.') && host_rest.eq_ignore_ascii_case(rest)
            }
            None => false,
        },
        None => !pattern.contains('*') && pattern.eq_ignore_ascii_case(host),
    }
}

/// Checks `host` (a DNS name or an IP address) against the certificate's names: the SAN
/// when present, else the subject CN (Node's behaviour for certificates without SAN).
pub fn check_name(cert: &ParsedCertificate<'_>, host: &str) -> Result<(), Error> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        let bytes = match ip {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        return match cert.ip_addresses.contains(&&bytes[..]) {
            true => Ok(()),
            false => Err(CertificateError::NotValidForName.into()),
        };
    }
    let matched = match cert.dns_names.is_empty() && cert.ip_addresses.is_empty() {
        true => cert
            .common_names
            .iter()
            .any(|cn| dns_name_matches(cn, host)),
        false => cert.dns_names.iter().any(|d| dns_name_matches(d, host)),
    };
    match matched {
        true => Ok(()),
        false => Err(CertificateError::NotValidForName.into()),
    }
}

impl ServerCertVerifier for SimpleRootsVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &str,
        _ocsp: &[u8],
        now: UnixTime,
    ) -> Result<(), Error> {
        let leaf = self.verify_chain(end_entity, intermediates, now.as_secs())?;
        check_name(&leaf, server_name)
    }
}

impl ClientCertVerifier for SimpleRootsVerifier {
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: UnixTime,
    ) -> Result<(), Error> {
        self.verify_chain(end_entity, intermediates, now.as_secs())
            .map(|_| ())
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.roots.iter().map(|r| r.subject.clone()).collect()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;

    #[test]
    fn the_in_place_key_reader_agrees_with_the_full_parse() {
        let certs: [&[u8]; 5] = [
            include_bytes!("../../../../vectors/pki/bench/rsa.der"),
            include_bytes!("../../../../vectors/pki/bench/rsa-ca.der"),
            include_bytes!("../../../../vectors/pki/bench/ecdsa.der"),
            include_bytes!("../../../../vectors/pki/bench/ecdsa-ca.der"),
            include_bytes!("../../../../vectors/pki/certs/rsa.der"),
        ];
        for der in certs {
            let full = ParsedCertificate::parse(der).unwrap();
            let key = PublicKeyRef::of_certificate(der).unwrap();
            assert_eq!(key.algorithm, full.key_algorithm);
            assert_eq!(key.curve, full.curve);
            assert_eq!(key.key, full.public_key);
            // The bytes taken in place are the DER x509-cert would re-encode.
            use der::Encode;
            use x509_cert::Certificate;
            let tbs = Certificate::from_der(der).unwrap().tbs_certificate;
            assert_eq!(full.tbs, tbs.to_der().unwrap());
            assert_eq!(full.subject, tbs.subject.to_der().unwrap());
            assert_eq!(full.issuer, tbs.issuer.to_der().unwrap());
            let cert = Certificate::from_der(der).unwrap();
            // The key, both readers sharing `of_spki`, against x509-cert's decoding.
            let spki = &tbs.subject_public_key_info;
            assert_eq!(full.key_algorithm, spki.algorithm.oid);
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
            assert_eq!(full.curve, curve);
            assert_eq!(full.public_key, spki.subject_public_key.raw_bytes());
            assert_eq!(full.signature, cert.signature.raw_bytes());
            assert_eq!(full.signature_algorithm, cert.signature_algorithm.oid);
            let v = &tbs.validity;
            assert_eq!(full.not_before, v.not_before.to_unix_duration().as_secs());
            assert_eq!(full.not_after, v.not_after.to_unix_duration().as_secs());
            let mut dns = Vec::new();
            let mut ips = Vec::new();
            let mut ca = false;
            for ext in tbs.extensions.iter().flatten() {
                if ext.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME {
                    let san = SubjectAltName::from_der(ext.extn_value.as_bytes()).unwrap();
                    for name in san.0 {
                        match name {
                            GeneralName::DnsName(d) => dns.push(d.to_string()),
                            GeneralName::IpAddress(ip) => ips.push(ip.as_bytes().to_vec()),
                            _ => {}
                        }
                    }
                } else if ext.extn_id == const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS {
                    ca = BasicConstraints::from_der(ext.extn_value.as_bytes())
                        .unwrap()
                        .ca;
                }
            }
            assert_eq!(full.dns_names, dns);
            assert_eq!(full.ip_addresses, ips);
            assert_eq!(full.is_ca, ca);
            let mut cns = Vec::new();
            for rdn in tbs.subject.0.iter() {
                for atv in rdn.0.iter() {
                    if atv.oid == const_oid::db::rfc4519::CN {
                        cns.push(atv.value.decode_as::<String>().unwrap());
                    }
                }
            }
            assert!(!cns.is_empty());
            assert_eq!(full.common_names, cns);
            // Every truncation of the certificate is refused by the full parse too.
            for n in (0..der.len()).step_by(7) {
                assert!(ParsedCertificate::parse(&der[..n]).is_err(), "{n}");
            }
            // Every truncation is an encoding error, never a panic or a wrong key.
            for n in 0..der.len() {
                assert!(PublicKeyRef::of_certificate(&der[..n]).is_err(), "{n}");
            }
        }
    }

    #[test]
    fn wildcard_table() {
        let yes = [
            ("example.com", "example.com"),
            ("EXAMPLE.com", "example.COM"),
            ("*.example.com", "www.example.com"),
            ("*.Example.COM", "WWW.example.com"),
            ("example.com.", "example.com"),
        ];
        let no = [
            ("*.example.com", "example.com"),
            ("*.example.com", "a.b.example.com"),
            ("*.com", "example.com"),
            ("w*.example.com", "www.example.com"),
            ("www.*.com", "www.example.com"),
            ("example.com", "www.example.com"),
            ("", "example.com"),
        ];
        for (p, h) in yes {
            assert!(dns_name_matches(p, h), "{p} should match {h}");
        }
        for (p, h) in no {
            assert!(!dns_name_matches(p, h), "{p} must not match {h}");
        }
    }
}
