//! Node's `crypto.X509Certificate`: one certificate with Node's properties and checks.
//!
//! Where [`crate::cert::PeerCertificate`] is the plain object of `getPeerCertificate()`
//! (and `toLegacyObject()`), [`X509Certificate`] is the class `getX509Certificate()`,
//! `getPeerX509Certificate()` and `new crypto.X509Certificate(pem)` return. Its strings
//! differ from the legacy object's in two places, as Node's do: `subject`/`issuer` are
//! one line per RDN (OpenSSL's multi-line name printing), and `infoAccess` is one line per
//! access description.
//!
//! The checks are OpenSSL's, which Node calls directly:
//!
//! - [`X509Certificate::check_host`]: `X509_check_host` with Node's option flags (the
//!   `host` submodule holds the matching rules, with a table of what matches).
//! - [`X509Certificate::check_email`]: `X509_check_email` (the local part case-sensitive,
//!   the domain not).
//! - [`X509Certificate::check_ip`]: `X509_check_ip_asc`: byte equality with an
//!   `iPAddress` SAN; never the subject.
//! - [`X509Certificate::check_issued`]: `X509_check_issued` (names, key identifiers, key
//!   type, keyUsage; no signature).
//! - [`X509Certificate::check_private_key`]: OpenSSL's `X509_check_private_key`.
//! - [`X509Certificate::verify`]: `X509_verify`, the signature under a given public key.

mod host;

use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, SubjectAltName};
use x509_cert::time::Time;

use crate::cert::{self, CertError, Parsed, PeerCertificate};
use crate::keys::PrivateKey;
use crate::verify::signature::SignedData;

pub use host::CheckOptions;
pub use host::SubjectCheck;

/// A certificate with Node's `X509Certificate` properties and methods.
#[derive(Clone)]
pub struct X509Certificate {
    parsed: Parsed,
    issuer: Option<Box<X509Certificate>>,
}

impl fmt::Debug for X509Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X509Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("serial_number", &self.serial_number())
            .finish_non_exhaustive()
    }
}

impl PartialEq for X509Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw()
    }
}

impl Eq for X509Certificate {}

/// A certificate's public key, as far as Node's `x509.publicKey` `KeyObject` is
/// described by data: its type and its SubjectPublicKeyInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// `asymmetricKeyType`: `"rsa"`, `"rsa-pss"`, `"ec"`, `"ed25519"`, `"ed448"`,
    /// `"x25519"`, `"x448"`, `"dsa"`, `"dh"`; the dotted OID for any other.
    pub asymmetric_key_type: String,
    /// `export({ type: 'spki', format: 'der' })`: the SubjectPublicKeyInfo as it is in the
    /// certificate.
    pub spki_der: Vec<u8>,
}

/// `checkIP` was given a string that is not an IPv4 or IPv6 address (Node throws
/// `ERR_INVALID_ARG_VALUE` "Invalid IP").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidIp(pub String);

impl InvalidIp {
    /// Node's error code.
    pub fn code(&self) -> &'static str {
        "ERR_INVALID_ARG_VALUE"
    }
}

impl fmt::Display for InvalidIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid IP: {:?}", self.0)
    }
}

impl std::error::Error for InvalidIp {}

impl X509Certificate {
    /// `new X509Certificate(buffer)`: the first certificate of a PEM text, or DER.
    pub fn new(input: &[u8]) -> Result<Self, CertError> {
        let der = cert::parse_certificates(input)?
            .into_iter()
            .next()
            .ok_or(CertError::Empty)?;
        Self::from_der(&der)
    }

    /// One certificate from its DER.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        Ok(Self {
            parsed: Parsed::new(0, der)?,
            issuer: None,
        })
    }

    /// The leaf of a chain (leaf first, as a TLS peer sends it) with `issuerCertificate`
    /// links, as `getPeerX509Certificate()` builds them: each issuer is looked for among
    /// the certificates not used yet with [`Self::check_issued`]'s rule. A self-issued
    /// certificate has no `issuerCertificate` here (Node's would be itself; a Rust value
    /// cannot hold itself).
    pub fn from_chain<B: AsRef<[u8]>>(chain: &[B]) -> Result<Self, CertError> {
        if chain.len() > cert::MAX_CHAIN_LEN {
            return Err(CertError::TooMany);
        }
        let mut remaining = chain
            .iter()
            .enumerate()
            .map(|(i, der)| Parsed::new(i, der.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if remaining.is_empty() {
            return Err(CertError::Empty);
        }
        let mut path = vec![remaining.remove(0)];
        while let Some(i) = path.last().and_then(|current| {
            (!current.issued(current))
                .then(|| remaining.iter().position(|ca| ca.issued(current)))
                .flatten()
        }) {
            path.push(remaining.remove(i));
        }
        let mut issuer: Option<Box<X509Certificate>> = None;
        for parsed in path.into_iter().rev() {
            issuer = Some(Box::new(X509Certificate { parsed, issuer }));
        }
        issuer.map(|b| *b).ok_or(CertError::Empty)
    }

    fn tbs(&self) -> &x509_cert::TbsCertificate {
        self.parsed.cert.tbs_certificate()
    }

    fn legacy(&self) -> &PeerCertificate {
        &self.parsed.object
    }

    /// `subject`: the subject name, one `key=value` line per RDN.
    pub fn subject(&self) -> String {
        cert::multiline(self.tbs().subject())
    }

    /// `issuer`: the issuer name, likewise.
    pub fn issuer(&self) -> String {
        cert::multiline(self.tbs().issuer())
    }

    /// `subjectAltName`: the SANs joined with `", "` (as in the legacy object), None
    /// (`undefined`) without the extension.
    pub fn subject_alt_name(&self) -> Option<&str> {
        self.legacy().subjectaltname.as_deref()
    }

    /// `infoAccess`: one `method - location` line per access description, None without
    /// the extension.
    pub fn info_access(&self) -> Option<String> {
        let (_, aia) = self
            .tbs()
            .get_extension::<AuthorityInfoAccessSyntax>()
            .ok()??;
        Some(
            aia.0
                .iter()
                .map(cert::access_description_line)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    /// `validFrom`: notBefore as OpenSSL prints it (`Nov 27 03:55:43 2026 GMT`).
    pub fn valid_from(&self) -> &str {
        &self.legacy().valid_from
    }

    /// `validTo`: notAfter, likewise.
    pub fn valid_to(&self) -> &str {
        &self.legacy().valid_to
    }

    /// `validFromDate` (Node 22): notBefore as a time.
    pub fn valid_from_date(&self) -> SystemTime {
        system_time(&self.tbs().validity().not_before)
    }

    /// `validToDate` (Node 22): notAfter as a time.
    pub fn valid_to_date(&self) -> SystemTime {
        system_time(&self.tbs().validity().not_after)
    }

    /// `fingerprint`: SHA-1 of the DER, `AB:CD:...`.
    pub fn fingerprint(&self) -> &str {
        &self.legacy().fingerprint
    }

    /// `fingerprint256`: SHA-256, likewise.
    pub fn fingerprint256(&self) -> &str {
        &self.legacy().fingerprint256
    }

    /// `fingerprint512`: SHA-512, likewise.
    pub fn fingerprint512(&self) -> &str {
        &self.legacy().fingerprint512
    }

    /// `keyUsage`: despite its name, the *extended* key usage OIDs, dotted; None without
    /// the extension.
    pub fn key_usage(&self) -> Option<&[String]> {
        self.legacy().ext_key_usage.as_deref()
    }

    /// `serialNumber`: upper-case hex, as in the legacy object.
    pub fn serial_number(&self) -> &str {
        &self.legacy().serial_number
    }

    /// `ca`: OpenSSL's `X509_check_ca(cert) == 1`.
    pub fn ca(&self) -> bool {
        self.legacy().ca
    }

    /// `raw`: the DER.
    pub fn raw(&self) -> &[u8] {
        &self.legacy().raw
    }

    /// `publicKey`: the key's type and SubjectPublicKeyInfo.
    pub fn public_key(&self) -> PublicKey {
        let spki = self.tbs().subject_public_key_info();
        let oid = spki.algorithm.oid.to_string();
        let asymmetric_key_type = match oid.as_str() {
            "1.2.840.113549.1.1.1" => "rsa",
            "1.2.840.113549.1.1.10" => "rsa-pss",
            "1.2.840.10045.2.1" => "ec",
            "1.3.101.112" => "ed25519",
            "1.3.101.113" => "ed448",
            "1.3.101.110" => "x25519",
            "1.3.101.111" => "x448",
            "1.2.840.10040.4.1" => "dsa",
            "1.2.840.113549.1.3.1" => "dh",
            other => other,
        }
        .to_string();
        PublicKey {
            asymmetric_key_type,
            spki_der: spki.to_der().unwrap_or_default(),
        }
    }

    /// `issuerCertificate`: the issuer, for certificates built from a peer's chain
    /// ([`Self::from_chain`]); None otherwise (`undefined`).
    pub fn issuer_certificate(&self) -> Option<&X509Certificate> {
        self.issuer.as_deref()
    }

    /// `checkHost(name, options)`: the certificate's name that `name` matches (a DNS SAN,
    /// or the subject CN when the options allow), None when none does.
    pub fn check_host(&self, name: &str, options: &CheckOptions) -> Option<String> {
        let dns_names = self.san_strings(|g| match g {
            GeneralName::DnsName(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        });
        host::check(
            host::Kind::Host,
            name.as_bytes(),
            dns_names,
            || self.subject_values("2.5.4.3"),
            options,
        )
    }

    /// `checkEmail(email, options)`: `email` itself when it equals an rfc822Name SAN (or,
    /// as the options say, the subject's emailAddress), None otherwise.
    pub fn check_email(&self, email: &str, options: &CheckOptions) -> Option<String> {
        let emails = self.san_strings(|g| match g {
            GeneralName::Rfc822Name(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        });
        host::check(
            host::Kind::Email,
            email.as_bytes(),
            emails,
            || self.subject_values("1.2.840.113549.1.9.1"),
            options,
        )
        .map(|_| email.to_string())
    }

    /// `checkIP(ip)`: `ip` itself when an iPAddress SAN holds that address, None
    /// otherwise; an error when `ip` is not an address. (OpenSSL never checks the subject
    /// for addresses.) Addresses are read as Rust's `IpAddr` reads them, which refuses
    /// IPv4 forms with leading zeros that OpenSSL's parser takes.
    pub fn check_ip(&self, ip: &str) -> Result<Option<String>, InvalidIp> {
        let addr: std::net::IpAddr = ip.parse().map_err(|_| InvalidIp(ip.to_string()))?;
        let want = match addr {
            std::net::IpAddr::V4(a) => a.octets().to_vec(),
            std::net::IpAddr::V6(a) => a.octets().to_vec(),
        };
        let found = self
            .san_strings(|g| match g {
                GeneralName::IpAddress(o) => Some(o.as_bytes().to_vec()),
                _ => None,
            })
            .into_iter()
            .flatten()
            .any(|have| have == want);
        Ok(found.then(|| ip.to_string()))
    }

    /// `checkIssued(otherCert)`: whether `other` issued this certificate, by OpenSSL's
    /// `X509_check_issued` (our issuer name is its subject, key identifiers agree, its key
    /// type fits our signature algorithm, its keyUsage allows certificate signing). The
    /// signature is not checked: that is [`Self::verify`].
    pub fn check_issued(&self, other: &X509Certificate) -> bool {
        other.parsed.issued(&self.parsed)
    }

    /// `checkPrivateKey(privateKey)`: whether `key` is the private half of this
    /// certificate's public key.
    pub fn check_private_key(&self, key: &PrivateKey) -> bool {
        key.matches_certificate(self.raw()).is_ok()
    }

    /// `verify(publicKey)`: whether this certificate's signature was made by the key whose
    /// SubjectPublicKeyInfo (DER) is `spki_der`. Signature algorithms we do not support
    /// (SHA-1, secp256k1, ...) are `false`, as are keys that do not parse.
    pub fn verify(&self, spki_der: &[u8]) -> bool {
        let Ok(key) = spki::SubjectPublicKeyInfoOwned::from_der(spki_der) else {
            return false;
        };
        let Ok(signed) = SignedData::from_der(self.raw()) else {
            return false;
        };
        // The outer algorithm, which the signature does not cover, must be the signed one.
        let agree = self.parsed.cert.signature_algorithm() == self.tbs().signature();
        agree && signed.verified_by(&key)
    }

    /// `toLegacyObject()`: the plain object of `getPeerCertificate()`.
    pub fn to_legacy_object(&self) -> PeerCertificate {
        self.legacy().clone()
    }

    /// `toString()` / `toJSON()`: the PEM encoding.
    pub fn to_pem(&self) -> String {
        crate::pem::encode("CERTIFICATE", self.raw())
    }

    /// The SAN values `pick` keeps; `None` without the extension (an extension that does
    /// not parse counts as absent, as it did when the certificate was loaded: it would
    /// have failed then).
    fn san_strings(&self, pick: impl Fn(&GeneralName) -> Option<Vec<u8>>) -> Option<Vec<Vec<u8>>> {
        let (_, san) = self.tbs().get_extension::<SubjectAltName>().ok()??;
        Some(san.0.iter().filter_map(pick).collect())
    }

    /// The subject's values of attribute `oid`, as UTF-8 (OpenSSL's
    /// `ASN1_STRING_to_UTF8`); values that are not strings are skipped.
    fn subject_values(&self, oid: &str) -> Vec<Vec<u8>> {
        self.tbs()
            .subject()
            .iter()
            .filter(|atv| atv.oid.to_string() == oid)
            .filter_map(|atv| cert::string_value(&atv.value))
            .map(String::into_bytes)
            .collect()
    }
}

impl fmt::Display for X509Certificate {
    /// `toString()`: the PEM encoding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_pem())
    }
}

fn system_time(t: &Time) -> SystemTime {
    UNIX_EPOCH + t.to_unix_duration().min(Duration::from_secs(u64::MAX / 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/");

    fn load(name: &str) -> X509Certificate {
        X509Certificate::new(&std::fs::read(format!("{CERTS}{name}")).unwrap()).unwrap()
    }

    #[test]
    fn the_issuer_chain_follows_check_issued() {
        let chain: Vec<Vec<u8>> =
            cert::parse_certificates(&std::fs::read(format!("{CERTS}rsa-chain.pem")).unwrap())
                .unwrap();
        let leaf = X509Certificate::from_chain(&chain).unwrap();
        let inter = leaf.issuer_certificate().unwrap();
        assert!(leaf.check_issued(inter));
        let root = inter.issuer_certificate().unwrap();
        assert!(inter.check_issued(root));
        assert!(root.issuer_certificate().is_none());
        assert_eq!(root.subject(), load("root.pem").subject());
    }

    #[test]
    fn pem_round_trips() {
        let x = load("ec256.pem");
        let again = X509Certificate::new(x.to_string().as_bytes()).unwrap();
        assert_eq!(again, x);
        assert_eq!(X509Certificate::from_der(x.raw()).unwrap(), x);
        assert_eq!(x.clone(), x);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(X509Certificate::new(b"").is_err());
        assert!(X509Certificate::new(b"\x30\x03\x02\x01\x01").is_err());
        assert!(X509Certificate::from_chain::<Vec<u8>>(&[]).is_err());
    }

    #[test]
    fn dates_are_the_validity_period() {
        let x = load("rsa.pem");
        assert!(x.valid_from_date() < x.valid_to_date());
        let secs = x
            .valid_from_date()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        // Nov 27 03:55:43 2026 GMT.
        assert_eq!(secs, 1_795_751_743);
    }
}
