//! A certificate as Node's `tlsSocket.getPeerCertificate([detailed])` shows it.
//!
//! [`PeerCertificate`] holds the same fields as Node's object (built by `X509ToObject` in
//! Node's `crypto_common.cc` on OpenSSL 3), computed from the DER with x509-cert and ring:
//! `subject`, `issuer`, `subjectaltname`, `infoAccess`, `ca`, the RSA (`modulus`, `bits`,
//! `exponent`, `pubkey`) or EC (`bits`, `pubkey`, `asn1Curve`, `nistCurve`) key fields,
//! `valid_from`, `valid_to`, the three fingerprints, `ext_key_usage`, `serialNumber` and
//! `raw`. [`PeerCertificate::from_chain`] adds `issuerCertificate` links the way Node's
//! `getPeerCertificate(true)` builds them.
//!
//! # JSON
//!
//! `serde::Serialize` writes Node's field names in Node's order, leaving out the fields
//! Node leaves undefined. Two things JSON cannot hold the way Node's object does:
//!
//! - Buffers (`raw`, `pubkey`) are lower-case hex strings (Node's `JSON.stringify` would
//!   write `{"type":"Buffer","data":[...]}`).
//! - A self-issued last certificate in a detailed chain has Node's `issuerCertificate`
//!   pointing at itself; in Rust that is [`IssuerCertificate::SelfIssued`], and in JSON
//!   the string `"[Circular]"` (what cycle-safe stringifiers such as
//!   `json-stringify-safe` write for the same object).

mod names;

use core::fmt;

use base64ct::Encoding as _;
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage,
    KeyUsage, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::time::Time;
use x509_cert::Certificate;

pub(crate) use names::{multiline, string_value};
pub use names::{NameObject, NameValue};

/// The most certificates [`PeerCertificate::from_chain`] and [`parse_certificates`] take:
/// far more than any real chain, small enough that a hostile file cannot make us build
/// an unbounded object.
pub const MAX_CHAIN_LEN: usize = 100;

/// A certificate in the shape of Node's peer-certificate object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerCertificate {
    /// `subject`: the subject name as an object keyed by short names.
    pub subject: NameObject,
    /// `issuer`: the issuer name, likewise.
    pub issuer: NameObject,
    /// `subjectaltname`: the SANs as Node prints them (`DNS:a.example, IP Address:1.2.3.4`),
    /// None without the extension.
    pub subjectaltname: Option<String>,
    /// `infoAccess`: authorityInfoAccess as `{"OCSP - URI": [...], "CA Issuers - URI": [...]}`.
    pub info_access: Option<InfoAccess>,
    /// `ca`: OpenSSL's `X509_check_ca(cert) == 1`: basicConstraints says CA and keyUsage,
    /// if present, allows certificate signing.
    pub ca: bool,
    /// The public key fields Node shows for RSA and EC keys (none for other key types).
    pub key: PublicKeyInfo,
    /// `valid_from`: notBefore as OpenSSL prints it (`Nov  1 09:52:22 2009 GMT`).
    pub valid_from: String,
    /// `valid_to`: notAfter, likewise.
    pub valid_to: String,
    /// `fingerprint`: SHA-1 of the DER, colon-separated upper-case hex.
    pub fingerprint: String,
    /// `fingerprint256`: SHA-256 of the DER, likewise.
    pub fingerprint256: String,
    /// `fingerprint512`: SHA-512 of the DER, likewise.
    pub fingerprint512: String,
    /// `ext_key_usage`: the extendedKeyUsage OIDs as dotted strings, None without the extension.
    pub ext_key_usage: Option<Vec<String>>,
    /// `serialNumber`: upper-case hex in whole bytes without leading zero bytes (OpenSSL's
    /// `BN_bn2hex`), `-` first when negative.
    pub serial_number: String,
    /// `raw`: the certificate's DER.
    pub raw: Vec<u8>,
    /// `issuerCertificate` (detailed objects only).
    pub issuer_certificate: Option<IssuerCertificate>,
}

/// The key fields of a [`PeerCertificate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKeyInfo {
    /// An `rsaEncryption` key.
    Rsa {
        /// `modulus`: upper-case hex without leading zeros (OpenSSL's `BN_print`).
        modulus: String,
        /// `bits`: the modulus size in bits.
        bits: u32,
        /// `exponent`: `0x` and lower-case hex (`"0x10001"`).
        exponent: String,
        /// `pubkey`: the SubjectPublicKeyInfo DER (OpenSSL's `i2d_RSA_PUBKEY`).
        pubkey: Vec<u8>,
    },
    /// An `id-ecPublicKey` key on a named curve.
    Ec {
        /// `bits`: the size of the group order.
        bits: u32,
        /// `pubkey`: the EC point as in the certificate (Node gives the point, not the SPKI).
        pubkey: Vec<u8>,
        /// `asn1Curve`: OpenSSL's short name of the curve (`prime256v1`).
        asn1_curve: &'static str,
        /// `nistCurve`: the NIST name (`P-256`), None for curves without one.
        nist_curve: Option<&'static str>,
    },
    /// Any other key (Ed25519, RSA-PSS, ...): Node shows no key fields.
    Other,
}

/// `issuerCertificate` in a detailed object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssuerCertificate {
    /// The issuer found among the certificates given.
    Certificate(Box<PeerCertificate>),
    /// The certificate is self-issued: Node's object points at itself here.
    SelfIssued,
}

/// Node's `infoAccess`: access method and location type (`"OCSP - URI"`) to the locations
/// with that key, in order of first appearance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InfoAccess {
    /// `(key, locations)` pairs.
    pub entries: Vec<(String, Vec<String>)>,
}

impl InfoAccess {
    /// The locations under `key` (`"OCSP - URI"`, `"CA Issuers - URI"`).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }
}

impl serde::Serialize for InfoAccess {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Why a certificate could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// No certificate was given (or the input held none).
    Empty,
    /// More than [`MAX_CHAIN_LEN`] certificates.
    TooMany,
    /// A PEM `CERTIFICATE` block is not valid (missing end line, bad base64).
    Pem {
        /// The block's position in the input, from 0.
        index: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// A certificate's DER does not parse.
    Der {
        /// The certificate's position in the chain, from 0.
        index: usize,
        /// The part that failed (`"certificate"`, `"subjectAltName extension"`, ...).
        part: &'static str,
        /// The decoder's description.
        error: String,
    },
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no certificate found"),
            Self::TooMany => write!(f, "more than {MAX_CHAIN_LEN} certificates"),
            Self::Pem { index, reason } => write!(f, "PEM certificate #{index}: {reason}"),
            Self::Der { index, part, error } => {
                write!(f, "certificate #{index}: bad {part}: {error}")
            }
        }
    }
}

impl std::error::Error for CertError {}

impl PeerCertificate {
    /// The object for one certificate (no `issuerCertificate`), like
    /// `getPeerCertificate()` or `X509Certificate.toLegacyObject()`.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        Ok(Parsed::new(0, der)?.object)
    }

    /// The detailed object of `getPeerCertificate(true)` for a chain, leaf first: starting
    /// at the leaf, each certificate's issuer is looked for among the certificates not used
    /// yet (OpenSSL's `X509_check_issued`: subject/issuer names, authority key identifier,
    /// key type, keyUsage), as Node's `AddIssuerChainToObject` does; the search stops when
    /// none is found, and a last certificate that is self-issued gets
    /// [`IssuerCertificate::SelfIssued`]. Certificates that are never reached are ignored.
    pub fn from_chain<B: AsRef<[u8]>>(chain: &[B]) -> Result<Self, CertError> {
        if chain.is_empty() {
            return Err(CertError::Empty);
        }
        if chain.len() > MAX_CHAIN_LEN {
            return Err(CertError::TooMany);
        }
        let mut remaining = chain
            .iter()
            .enumerate()
            .map(|(i, der)| Parsed::new(i, der.as_ref()))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let leaf = remaining.next().ok_or(CertError::Empty)?;
        let mut remaining: Vec<Parsed> = remaining.collect();
        let mut path = vec![leaf];
        while let Some(i) = path
            .last()
            .and_then(|current| remaining.iter().position(|ca| ca.issued(current)))
        {
            path.push(remaining.remove(i));
        }
        let mut next: Option<IssuerCertificate> = path
            .last()
            .filter(|last| last.issued(last))
            .map(|_| IssuerCertificate::SelfIssued);
        for parsed in path.into_iter().rev() {
            let mut object = parsed.object;
            object.issuer_certificate = next;
            next = Some(IssuerCertificate::Certificate(Box::new(object)));
        }
        match next {
            Some(IssuerCertificate::Certificate(leaf)) => Ok(*leaf),
            _ => Err(CertError::Empty),
        }
    }

    /// The issuer's object in a detailed chain, None when absent or self-issued.
    pub fn issuer_object(&self) -> Option<&PeerCertificate> {
        match &self.issuer_certificate {
            Some(IssuerCertificate::Certificate(c)) => Some(c),
            _ => None,
        }
    }

    /// The subject's `CN` values (Node's `subject.CN`, one or several).
    pub fn common_names(&self) -> &[String] {
        self.subject.get("CN").map(NameValue::values).unwrap_or(&[])
    }
}

impl serde::Serialize for PeerCertificate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("subject", &self.subject)?;
        map.serialize_entry("issuer", &self.issuer)?;
        if let Some(san) = &self.subjectaltname {
            map.serialize_entry("subjectaltname", san)?;
        }
        if let Some(ia) = &self.info_access {
            map.serialize_entry("infoAccess", ia)?;
        }
        map.serialize_entry("ca", &self.ca)?;
        match &self.key {
            PublicKeyInfo::Rsa {
                modulus,
                bits,
                exponent,
                pubkey,
            } => {
                map.serialize_entry("modulus", modulus)?;
                map.serialize_entry("bits", bits)?;
                map.serialize_entry("exponent", exponent)?;
                map.serialize_entry("pubkey", &hex::encode(pubkey))?;
            }
            PublicKeyInfo::Ec {
                bits,
                pubkey,
                asn1_curve,
                nist_curve,
            } => {
                map.serialize_entry("bits", bits)?;
                map.serialize_entry("pubkey", &hex::encode(pubkey))?;
                map.serialize_entry("asn1Curve", asn1_curve)?;
                if let Some(nist) = nist_curve {
                    map.serialize_entry("nistCurve", nist)?;
                }
            }
            PublicKeyInfo::Other => {}
        }
        map.serialize_entry("valid_from", &self.valid_from)?;
        map.serialize_entry("valid_to", &self.valid_to)?;
        map.serialize_entry("fingerprint", &self.fingerprint)?;
        map.serialize_entry("fingerprint256", &self.fingerprint256)?;
        map.serialize_entry("fingerprint512", &self.fingerprint512)?;
        if let Some(eku) = &self.ext_key_usage {
            map.serialize_entry("ext_key_usage", eku)?;
        }
        map.serialize_entry("serialNumber", &self.serial_number)?;
        map.serialize_entry("raw", &hex::encode(&self.raw))?;
        match &self.issuer_certificate {
            Some(IssuerCertificate::Certificate(c)) => {
                map.serialize_entry("issuerCertificate", c)?
            }
            Some(IssuerCertificate::SelfIssued) => {
                map.serialize_entry("issuerCertificate", "[Circular]")?
            }
            None => {}
        }
        map.end()
    }
}

/// Certificates from a file's bytes: every PEM `CERTIFICATE` block (text between blocks is
/// ignored, as OpenSSL does), or, when there is no PEM block, the bytes as one DER
/// certificate. Returns the DER of each, in order.
pub fn parse_certificates(input: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(start) = find(rest, BEGIN) {
        let index = out.len();
        if index >= MAX_CHAIN_LEN {
            return Err(CertError::TooMany);
        }
        let body = rest.get(start + BEGIN.len()..).unwrap_or_default();
        let Some(end) = find(body, END) else {
            return Err(CertError::Pem {
                index,
                reason: "no -----END CERTIFICATE----- line",
            });
        };
        let text: Vec<u8> = body
            .get(..end)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let der = base64ct::Base64::decode_vec(&String::from_utf8_lossy(&text)).map_err(|_| {
            CertError::Pem {
                index,
                reason: "invalid base64",
            }
        })?;
        out.push(der);
        rest = body.get(end + END.len()..).unwrap_or_default();
    }
    if out.is_empty() {
        if input.first() == Some(&0x30) {
            out.push(input.to_vec());
        } else {
            return Err(CertError::Empty);
        }
    }
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A parsed certificate with what chain building needs besides Node's object.
#[derive(Clone)]
pub(crate) struct Parsed {
    pub(crate) cert: Certificate,
    pub(crate) object: PeerCertificate,
    key_usage: Option<KeyUsage>,
    skid: Option<Vec<u8>>,
    akid: Option<AuthorityKeyIdentifier>,
}

/// What Node's `checkServerIdentity` reads of a certificate (`subject.CN` and
/// `subjectaltname`), read without building the whole object: a TLS client checks the name
/// on every handshake, and fingerprints, key fields and the rest would be computed for
/// nothing.
pub(crate) struct IdentityNames {
    pub(crate) subject: NameObject,
    pub(crate) subjectaltname: Option<String>,
}

impl IdentityNames {
    /// The names of a decoded certificate, rendered exactly as [`PeerCertificate::from_der`]
    /// renders them.
    pub(crate) fn from_certificate(cert: &Certificate) -> Result<Self, der::Error> {
        let tbs = cert.tbs_certificate();
        let san = tbs.get_extension::<SubjectAltName>()?;
        Ok(Self {
            subject: NameObject::from_name(tbs.subject()),
            subjectaltname: san.map(|(_, san)| names::subject_alt_name_string(&san.0)),
        })
    }

    /// The subject's `CN` values.
    pub(crate) fn common_names(&self) -> &[String] {
        self.subject.get("CN").map(NameValue::values).unwrap_or(&[])
    }
}

impl Parsed {
    pub(crate) fn new(index: usize, der: &[u8]) -> Result<Self, CertError> {
        let bad = |part: &'static str| {
            move |e: der::Error| CertError::Der {
                index,
                part,
                error: e.to_string(),
            }
        };
        let cert = Certificate::from_der(der).map_err(bad("certificate"))?;
        let tbs = cert.tbs_certificate();

        let san = tbs
            .get_extension::<SubjectAltName>()
            .map_err(bad("subjectAltName extension"))?;
        let aia = tbs
            .get_extension::<AuthorityInfoAccessSyntax>()
            .map_err(bad("authorityInfoAccess extension"))?;
        let bc = tbs
            .get_extension::<BasicConstraints>()
            .map_err(bad("basicConstraints extension"))?;
        let key_usage = tbs
            .get_extension::<KeyUsage>()
            .map_err(bad("keyUsage extension"))?
            .map(|(_, ku)| ku);
        let eku = tbs
            .get_extension::<ExtendedKeyUsage>()
            .map_err(bad("extendedKeyUsage extension"))?;
        let skid = tbs
            .get_extension::<SubjectKeyIdentifier>()
            .map_err(bad("subjectKeyIdentifier extension"))?
            .map(|(_, id)| id.0.as_bytes().to_vec());
        let akid = tbs
            .get_extension::<AuthorityKeyIdentifier>()
            .map_err(bad("authorityKeyIdentifier extension"))?
            .map(|(_, id)| id);

        let ca = bc.is_some_and(|(_, bc)| bc.ca)
            && key_usage.as_ref().is_none_or(KeyUsage::key_cert_sign);
        let key = public_key_info(tbs.subject_public_key_info()).map_err(bad("public key"))?;
        let object = PeerCertificate {
            subject: NameObject::from_name(tbs.subject()),
            issuer: NameObject::from_name(tbs.issuer()),
            subjectaltname: san.map(|(_, san)| names::subject_alt_name_string(&san.0)),
            info_access: aia.map(|(_, aia)| info_access(&aia)),
            ca,
            key,
            valid_from: openssl_time(&tbs.validity().not_before),
            valid_to: openssl_time(&tbs.validity().not_after),
            fingerprint: fingerprint(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der),
            fingerprint256: fingerprint(&ring::digest::SHA256, der),
            fingerprint512: fingerprint(&ring::digest::SHA512, der),
            ext_key_usage: eku.map(|(_, eku)| eku.0.iter().map(|o| o.to_string()).collect()),
            serial_number: serial_hex(tbs.serial_number().as_bytes()),
            raw: der.to_vec(),
            issuer_certificate: None,
        };
        Ok(Self {
            cert,
            object,
            key_usage,
            skid,
            akid,
        })
    }

    /// OpenSSL's `X509_check_issued(self, subject) == X509_V_OK`: our subject is its
    /// issuer (compared as `X509_NAME_cmp` does, on canonical forms), its authority key
    /// identifier (if any) matches us, our key type fits its signature algorithm, and our
    /// keyUsage (if any) allows certificate signing. Signatures are not checked: Node does
    /// not check them here either.
    pub(crate) fn issued(&self, subject: &Parsed) -> bool {
        let me = self.cert.tbs_certificate();
        let them = subject.cert.tbs_certificate();
        if canonical_name(me.subject()) != canonical_name(them.issuer()) {
            return false;
        }
        if let Some(akid) = &subject.akid {
            if let (Some(want), Some(have)) = (&akid.key_identifier, &self.skid) {
                if want.as_bytes() != have.as_slice() {
                    return false;
                }
            }
            if let Some(serial) = &akid.authority_cert_serial_number {
                if serial.as_bytes() != me.serial_number().as_bytes() {
                    return false;
                }
            }
            if let Some(names) = &akid.authority_cert_issuer {
                let dir = names.iter().find_map(|n| match n {
                    GeneralName::DirectoryName(d) => Some(d),
                    _ => None,
                });
                if dir.is_some_and(|d| canonical_name(d) != canonical_name(me.issuer())) {
                    return false;
                }
            }
        }
        let key_alg = me.subject_public_key_info().algorithm.oid.to_string();
        let sig_alg = subject.cert.signature_algorithm().oid.to_string();
        if !key_fits_signature(&key_alg, &sig_alg) {
            return false;
        }
        self.key_usage.as_ref().is_none_or(KeyUsage::key_cert_sign)
    }
}

/// Whether a key of algorithm `key` can have made a signature of algorithm `sig`, as
/// OpenSSL's `check_sig_alg_match` decides.
fn key_fits_signature(key: &str, sig: &str) -> bool {
    const RSA: &str = "1.2.840.113549.1.1.1";
    const RSA_PSS: &str = "1.2.840.113549.1.1.10";
    const EC: &str = "1.2.840.10045.2.1";
    match sig {
        "1.2.840.113549.1.1.4"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.12"
        | "1.2.840.113549.1.1.13"
        | "1.2.840.113549.1.1.14" => key == RSA,
        RSA_PSS => key == RSA || key == RSA_PSS,
        "1.2.840.10045.4.1"
        | "1.2.840.10045.4.3.1"
        | "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.3"
        | "1.2.840.10045.4.3.4" => key == EC,
        "1.3.101.112" | "1.3.101.113" => key == sig,
        _ => false,
    }
}

/// A name in the form OpenSSL compares names (`x509_name_canon`): per RDN, the attribute
/// types with string values converted to UTF-8, ASCII-lower-cased, trimmed and with inner
/// whitespace runs collapsed; other values as their DER.
fn canonical_name(name: &x509_cert::name::Name) -> Vec<Vec<(String, Vec<u8>)>> {
    name.iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let value = match names::string_value(&atv.value) {
                        Some(s) => s
                            .to_ascii_lowercase()
                            .split_ascii_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .into_bytes(),
                        None => atv.value.to_der().unwrap_or_default(),
                    };
                    (atv.oid.to_string(), value)
                })
                .collect()
        })
        .collect()
}

/// The key fields Node shows for `spki`.
fn public_key_info(spki: &spki::SubjectPublicKeyInfoOwned) -> Result<PublicKeyInfo, der::Error> {
    let key_bytes = spki.subject_public_key.raw_bytes();
    match spki.algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => {
            let rsa = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(key_bytes)?;
            let n = rsa.modulus.as_bytes();
            let e = rsa.public_exponent.as_bytes();
            // OpenSSL's i2d_RSA_PUBKEY re-encodes the key with NULL parameters.
            let canonical = spki::SubjectPublicKeyInfoOwned {
                algorithm: spki::AlgorithmIdentifierOwned {
                    oid: spki.algorithm.oid,
                    parameters: Some(der::Any::null()),
                },
                subject_public_key: spki.subject_public_key.clone(),
            };
            Ok(PublicKeyInfo::Rsa {
                modulus: bn_print(n),
                bits: bit_length(n),
                exponent: format!("0x{:x}", bn_get_word(e)),
                pubkey: canonical.to_der()?,
            })
        }
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                .map(|oid| oid.to_string());
            let Some((asn1_curve, nist_curve, bits)) = curve.as_deref().and_then(named_curve)
            else {
                return Ok(PublicKeyInfo::Other);
            };
            Ok(PublicKeyInfo::Ec {
                bits,
                pubkey: key_bytes.to_vec(),
                asn1_curve,
                nist_curve,
            })
        }
        _ => Ok(PublicKeyInfo::Other),
    }
}

/// OpenSSL's short name, NIST name and order size of the named curves it knows.
fn named_curve(oid: &str) -> Option<(&'static str, Option<&'static str>, u32)> {
    Some(match oid {
        "1.2.840.10045.3.1.1" => ("prime192v1", Some("P-192"), 192),
        "1.3.132.0.33" => ("secp224r1", Some("P-224"), 224),
        "1.2.840.10045.3.1.7" => ("prime256v1", Some("P-256"), 256),
        "1.3.132.0.34" => ("secp384r1", Some("P-384"), 384),
        "1.3.132.0.35" => ("secp521r1", Some("P-521"), 521),
        "1.3.132.0.10" => ("secp256k1", None, 256),
        "1.3.36.3.3.2.8.1.1.7" => ("brainpoolP256r1", None, 256),
        "1.3.36.3.3.2.8.1.1.11" => ("brainpoolP384r1", None, 384),
        "1.3.36.3.3.2.8.1.1.13" => ("brainpoolP512r1", None, 512),
        _ => return None,
    })
}

/// Node's `infoAccess` from the extension: each access description printed as
/// `"<method> - <general name>"` and split at the first `:` into key and value (Node's
/// `translatePeerCertificate`), a quoted value unescaped as the JSON string it is.
fn info_access(aia: &AuthorityInfoAccessSyntax) -> InfoAccess {
    let mut out = InfoAccess::default();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for desc in &aia.0 {
        let line = access_description_line(desc);
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = if value.starts_with('"') {
            serde_json::from_str::<String>(value).unwrap_or_else(|_| value.to_string())
        } else {
            value.to_string()
        };
        match index.get(key).and_then(|&i| out.entries.get_mut(i)) {
            Some((_, values)) => values.push(value),
            None => {
                index.insert(key.to_string(), out.entries.len());
                out.entries.push((key.to_string(), vec![value]));
            }
        }
    }
    out
}

/// One access description as OpenSSL prints it (`"OCSP - URI:http://..."`): the method's
/// name, `" - "`, and the location as Node's `PrintGeneralName` writes general names.
pub(crate) fn access_description_line(desc: &x509_cert::ext::pkix::AccessDescription) -> String {
    let method = match desc.access_method.to_string().as_str() {
        "1.3.6.1.5.5.7.48.1" => "OCSP".to_string(),
        "1.3.6.1.5.5.7.48.2" => "CA Issuers".to_string(),
        "1.3.6.1.5.5.7.48.3" => "AD Time Stamping".to_string(),
        "1.3.6.1.5.5.7.48.5" => "CA Repository".to_string(),
        other => other.to_string(),
    };
    let mut line = format!("{method} - ").into_bytes();
    names::print_general_name(&mut line, &desc.access_location);
    String::from_utf8_lossy(&line).into_owned()
}

/// A time as OpenSSL's `ASN1_TIME_print`: `Mon DD HH:MM:SS YYYY GMT`, the day padded
/// with a space.
pub(crate) fn openssl_time(t: &Time) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let dt = t.to_date_time();
    let month = MONTHS
        .get(usize::from(dt.month()).wrapping_sub(1))
        .copied()
        .unwrap_or("???");
    format!(
        "{month} {:>2} {:02}:{:02}:{:02} {} GMT",
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds(),
        dt.year()
    )
}

/// Colon-separated upper-case hex of the digest of `der`.
fn fingerprint(alg: &'static ring::digest::Algorithm, der: &[u8]) -> String {
    colon_hex(ring::digest::digest(alg, der).as_ref())
}

/// `AB:CD:...`.
pub(crate) fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A DER INTEGER's content bytes as OpenSSL's `BN_bn2hex` prints the number: whole bytes,
/// leading zero bytes dropped, `0` for zero, `-` and the magnitude when negative.
fn serial_hex(bytes: &[u8]) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = if negative {
        twos_complement_magnitude(bytes)
    } else {
        bytes.to_vec()
    };
    let start = magnitude.iter().position(|&b| b != 0);
    let hex = match start {
        Some(i) => hex::encode_upper(magnitude.get(i..).unwrap_or_default()),
        None => "0".to_string(),
    };
    if negative {
        format!("-{hex}")
    } else {
        hex
    }
}

/// |x| for the two's-complement big-endian `bytes` of a negative x.
fn twos_complement_magnitude(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    out
}

/// An unsigned big-endian number as OpenSSL's `BN_print`: upper-case hex without leading
/// zero digits (`0` for zero).
fn bn_print(bytes: &[u8]) -> String {
    let hex = hex::encode_upper(bytes);
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The number of significant bits of an unsigned big-endian number.
fn bit_length(bytes: &[u8]) -> u32 {
    let Some(i) = bytes.iter().position(|&b| b != 0) else {
        return 0;
    };
    let rest = u32::try_from(bytes.len() - i - 1).unwrap_or(u32::MAX / 16);
    let top = bytes.get(i).copied().unwrap_or(0);
    rest.saturating_mul(8) + (8 - top.leading_zeros())
}

/// OpenSSL's `BN_get_word`: the number if it fits 64 bits, else all ones.
fn bn_get_word(bytes: &[u8]) -> u64 {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let significant = bytes.get(start..).unwrap_or_default();
    if significant.len() > 8 {
        return u64::MAX;
    }
    significant
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/");

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{CERTS}{name}")).expect("fixture")
    }

    fn chain(name: &str) -> PeerCertificate {
        let ders = parse_certificates(&read(name)).expect("pem");
        PeerCertificate::from_chain(&ders).expect("chain")
    }

    #[test]
    fn openssl_time_pads_the_day_with_a_space() {
        let t = Time::UtcTime(
            der::asn1::UtcTime::from_date_time(
                der::DateTime::new(2009, 11, 1, 9, 5, 2).expect("date"),
            )
            .expect("utc"),
        );
        assert_eq!(openssl_time(&t), "Nov  1 09:05:02 2009 GMT");
    }

    #[test]
    fn serial_numbers_print_as_bn_bn2hex() {
        assert_eq!(serial_hex(&[0x00, 0xff, 0x01]), "FF01");
        assert_eq!(serial_hex(&[0x01]), "01");
        assert_eq!(serial_hex(&[0x00]), "0");
        assert_eq!(serial_hex(&[0xff]), "-01");
        assert_eq!(serial_hex(&[0x80, 0x00]), "-8000");
    }

    #[test]
    fn big_numbers_print_as_bn_print() {
        assert_eq!(bn_print(&[0x00, 0x0a, 0xbc]), "ABC");
        assert_eq!(bit_length(&[0x00, 0x0a, 0xbc]), 12);
        assert_eq!(bit_length(&[0x80, 0, 0]), 24);
        assert_eq!(bn_get_word(&[0x01, 0x00, 0x01]), 0x10001);
        assert_eq!(bn_get_word(&[1; 9]), u64::MAX);
    }

    #[test]
    fn rich_subject_and_every_san_kind() {
        let c = PeerCertificate::from_der(&read("rsa.der")).expect("cert");
        assert_eq!(
            c.subject.get("OU"),
            Some(&NameValue::Many(vec!["Unit One".into(), "Unit Two".into()]))
        );
        assert_eq!(
            c.subject.get("CN"),
            Some(&NameValue::One("Ünïcødé Leaf".into()))
        );
        assert_eq!(c.subject.get("UID"), Some(&NameValue::One("uid-7".into())));
        assert_eq!(
            c.subject.get("1.2.3.4.5.6"),
            Some(&NameValue::One("custom value".into()))
        );
        let san = c.subjectaltname.as_deref().expect("san");
        assert!(san.starts_with("DNS:rsa.example.test, DNS:*.wild.example.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:1:0:0:ABCD, email:admin@example.test"), "{san}");
        assert!(
            san.ends_with(r#"DirName:"CN=Directory Name\u002cO=Dir Org\u002cC=NZ", othername:UPN:upn@example.test, othername:<unsupported>"#),
            "{san}"
        );
        let ia = c.info_access.as_ref().expect("aia");
        assert_eq!(
            ia.get("OCSP - URI"),
            Some(
                &[
                    "http://ocsp.example.test/".to_string(),
                    "http://ocsp2.example.test/".to_string()
                ][..]
            )
        );
        assert!(!c.ca);
        assert!(
            matches!(c.key, PublicKeyInfo::Rsa { bits: 2048, ref exponent, .. } if exponent == "0x10001")
        );
        assert_eq!(c.serial_number, "2001");
        assert!(c.issuer_certificate.is_none());
    }

    #[test]
    fn escaped_uri_and_ec_key() {
        let c = chain("ec384-chain.pem");
        assert_eq!(
            c.subjectaltname.as_deref(),
            Some(r#"DNS:*.ec384.example.test, URI:"http://uri.example.test/a\u002cb""#)
        );
        assert!(matches!(
            c.key,
            PublicKeyInfo::Ec { bits: 384, asn1_curve: "secp384r1", nist_curve: Some("P-384"), ref pubkey } if pubkey.first() == Some(&4)
        ));
    }

    #[test]
    fn chain_links_to_a_self_issued_root() {
        let leaf = chain("rsa-chain.pem");
        let inter = leaf.issuer_object().expect("intermediate");
        assert!(inter.ca);
        let root = inter.issuer_object().expect("root");
        assert_eq!(root.issuer_certificate, Some(IssuerCertificate::SelfIssued));
        let json = serde_json::to_value(&leaf).expect("json");
        assert_eq!(
            json["issuerCertificate"]["issuerCertificate"]["issuerCertificate"],
            "[Circular]"
        );
        assert_eq!(json["issuerCertificate"]["serialNumber"], "1002");
    }

    #[test]
    fn chain_order_in_the_file_does_not_matter_but_unrelated_certs_are_left_out() {
        let ders = parse_certificates(&read("ec256-chain.pem")).expect("pem");
        let shuffled = vec![
            ders[0].clone(),
            ders[2].clone(),
            read_der("selfsigned.pem"),
            ders[1].clone(),
        ];
        let leaf = PeerCertificate::from_chain(&shuffled).expect("chain");
        let root = leaf
            .issuer_object()
            .and_then(PeerCertificate::issuer_object)
            .expect("root");
        assert_eq!(root.serial_number, "01");
        // The leaf alone: no issuer found, not self-issued.
        let alone = PeerCertificate::from_chain(&ders[..1]).expect("leaf");
        assert_eq!(alone.issuer_certificate, None);
    }

    fn read_der(name: &str) -> Vec<u8> {
        parse_certificates(&read(name)).expect("pem").remove(0)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Any byte changed, any truncation: an error or an object, never a panic.
        #[test]
        fn corrupted_certificates_never_panic(
            pos in 0usize..1400, byte in proptest::prelude::any::<u8>(), cut in 0usize..1400
        ) {
            for mut der in [read("rsa.der"), read_der("ec384.pem")] {
                let at = pos % der.len();
                der[at] = byte;
                der.truncate(cut.max(at + 1));
                let _ = PeerCertificate::from_der(&der);
                let _ = PeerCertificate::from_chain(&[der.clone(), read_der("inter.pem")]);
            }
        }

        #[test]
        fn arbitrary_files_never_panic(input in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let mut with_pem = b"x-----BEGIN CERTIFICATE-----".to_vec();
            with_pem.extend_from_slice(&input);
            for bytes in [&input[..], &with_pem[..]] {
                if let Ok(ders) = parse_certificates(bytes) {
                    let _ = PeerCertificate::from_chain(&ders);
                }
            }
        }
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(parse_certificates(b"hello"), Err(CertError::Empty));
        assert!(matches!(
            parse_certificates(b"-----BEGIN CERTIFICATE-----\nAAAA\n"),
            Err(CertError::Pem { index: 0, .. })
        ));
        assert!(matches!(
            parse_certificates(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
            Err(CertError::Pem {
                index: 0,
                reason: "invalid base64"
            })
        ));
        let der = read("rsa.der");
        for len in [0, 1, 10, der.len() / 2, der.len() - 1] {
            let e = PeerCertificate::from_der(&der[..len]).expect_err("truncated");
            assert!(
                matches!(
                    e,
                    CertError::Der {
                        index: 0,
                        part: "certificate",
                        ..
                    }
                ),
                "{e}"
            );
        }
        assert_eq!(
            PeerCertificate::from_chain::<Vec<u8>>(&[]),
            Err(CertError::Empty)
        );
    }
}
