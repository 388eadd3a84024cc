//! Certificate revocation lists (RFC 5280 s5): Node's `crl` option.
//!
//! A [`Crl`] is parsed once with x509-cert's CRL types; the verifier
//! ([`crate::verify::Verifier::with_crls`]) picks the CRL whose issuer is the certificate's
//! issuer and checks, in OpenSSL's order, the issuer's keyUsage (cRLSign), the
//! thisUpdate/nextUpdate window, the signature (with the issuer's key from the verified path)
//! and finally the list of revoked serial numbers. CRL extensions (delta CRLs, issuing
//! distribution points) are not interpreted; a critical one other than those OpenSSL
//! knows (issuingDistributionPoint, authorityKeyIdentifier, deltaCRLIndicator) makes the CRL
//! unusable, as in OpenSSL (`UNHANDLED_CRITICAL_CRL_EXTENSION`). Under the strict policy the
//! crlNumber must be present and non-critical (RFC 5280 s5.2.3).

use core::fmt;

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::crl::CertificateList;

use crate::pem::{self, PemError};
use crate::verify::signature::SignedData;

/// A parsed CRL.
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    pub(crate) signed: SignedData,
    /// Whether the outer signatureAlgorithm equals tbsCertList.signature (RFC 5280
    /// s5.1.1.2); a CRL where they differ fails its signature check.
    pub(crate) algorithms_agree: bool,
    /// The issuer Name, canonical (compared with certificates' issuers).
    pub(crate) issuer: Vec<u8>,
    this_update: u64,
    next_update: Option<u64>,
    /// serialNumber content octets of every revoked certificate.
    revoked: Vec<Vec<u8>>,
    /// The crlNumber extension: `None` when absent, else whether it is critical.
    pub(crate) number_critical: Option<bool>,
    /// Whether a critical extension is one OpenSSL's `crl_cb` does not accept as critical
    /// (all but issuingDistributionPoint, authorityKeyIdentifier and deltaCRLIndicator).
    pub(crate) unhandled_critical: bool,
}

const CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
/// The extensions OpenSSL's CRL callback lets be critical.
const CRITICAL_OK: [ObjectIdentifier; 3] = [
    ObjectIdentifier::new_unwrap("2.5.29.28"), // issuingDistributionPoint
    ObjectIdentifier::new_unwrap("2.5.29.35"), // authorityKeyIdentifier
    ObjectIdentifier::new_unwrap("2.5.29.27"), // deltaCRLIndicator
];

/// Why a CRL file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrlError {
    /// The PEM text is malformed.
    Pem(PemError),
    /// A PEM file without any `X509 CRL` block.
    NoCrl,
    /// The CRL at `index` (in the file) is not a valid DER CRL.
    Malformed {
        /// Which CRL of the file (0 for the first).
        index: usize,
        /// What was wrong.
        detail: String,
    },
}

impl fmt::Display for CrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "CRL file: {e}"),
            Self::NoCrl => f.write_str("CRL file: no -----BEGIN X509 CRL----- block"),
            Self::Malformed { index, detail } => write!(f, "CRL #{index}: {detail}"),
        }
    }
}

impl std::error::Error for CrlError {}

impl Crl {
    /// Reads one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, CrlError> {
        Self::from_der_at(der, 0)
    }

    fn from_der_at(der: &[u8], index: usize) -> Result<Self, CrlError> {
        let malformed = |detail: String| CrlError::Malformed { index, detail };
        let signed = SignedData::from_der(der).map_err(malformed)?;
        let list = <CertificateList>::from_der(der).map_err(|e| malformed(format!("CRL: {e}")))?;
        let tbs = &list.tbs_cert_list;
        let issuer = crate::verify::names::canonical(&tbs.issuer)
            .map_err(|e| malformed(format!("issuer: {e}")))?;
        let extensions = tbs.crl_extensions.as_deref().unwrap_or_default();
        Ok(Self {
            number_critical: extensions
                .iter()
                .find(|e| e.extn_id == CRL_NUMBER)
                .map(|e| e.critical),
            unhandled_critical: extensions
                .iter()
                .any(|e| e.critical && !CRITICAL_OK.contains(&e.extn_id)),
            der: der.to_vec(),
            algorithms_agree: list.signature_algorithm == tbs.signature,
            signed,
            issuer,
            this_update: tbs.this_update.to_unix_duration().as_secs(),
            next_update: tbs.next_update.map(|t| t.to_unix_duration().as_secs()),
            revoked: tbs
                .revoked_certificates
                .iter()
                .flatten()
                .map(|r| r.serial_number.as_bytes().to_vec())
                .collect(),
        })
    }

    /// Reads a CRL file as Node's `crl` option takes it: PEM with one or more
    /// `X509 CRL` blocks, or a single DER CRL.
    pub fn parse_file(bytes: &[u8]) -> Result<Vec<Self>, CrlError> {
        if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            return Ok(vec![Self::from_der(bytes)?]);
        }
        let blocks = pem::parse(bytes).map_err(CrlError::Pem)?;
        let crls = blocks
            .iter()
            .filter(|b| b.label == "X509 CRL")
            .enumerate()
            .map(|(i, b)| Self::from_der_at(&b.der, i))
            .collect::<Result<Vec<_>, _>>()?;
        if crls.is_empty() {
            return Err(CrlError::NoCrl);
        }
        Ok(crls)
    }

    /// The CRL, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// thisUpdate, Unix seconds.
    pub fn this_update(&self) -> u64 {
        self.this_update
    }

    /// nextUpdate, Unix seconds, if present.
    pub fn next_update(&self) -> Option<u64> {
        self.next_update
    }

    /// Whether a certificate with this serial number (DER INTEGER content octets, as
    /// `x509_cert`'s `SerialNumber::as_bytes`) is listed.
    pub fn is_revoked(&self, serial: &[u8]) -> bool {
        self.revoked.iter().any(|s| s == serial)
    }

    /// Whether the CRL is current at `now`: OpenSSL's `check_crl_time` order, not yet valid
    /// before expired. A CRL without nextUpdate does not expire.
    pub(crate) fn time_error(&self, now: u64) -> Option<crate::verify::ErrorCode> {
        use crate::verify::ErrorCode;
        if now < self.this_update {
            return Some(ErrorCode::CrlNotYetValid);
        }
        match self.next_update {
            Some(next) if next < now => Some(ErrorCode::CrlHasExpired),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/chains/");

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}{name}")).unwrap()
    }

    #[test]
    fn pem_and_der_agree() {
        let pem = Crl::parse_file(&read("crl-revokes-leaf.pem")).unwrap();
        let der = Crl::parse_file(&read("crl-revokes-leaf.der")).unwrap();
        assert_eq!(pem.len(), 1);
        assert_eq!(pem[0].der(), der[0].der());
        assert_eq!(pem[0].this_update(), 1_577_836_800); // 2020-01-01
        assert_eq!(pem[0].next_update(), Some(2_208_988_800)); // 2040-01-01
        assert_eq!(pem[0].revoked.len(), 1);
    }

    #[test]
    fn windows() {
        use crate::verify::ErrorCode;
        // crl-expired.pem: 2020-01-01 ..= 2021-01-01, both ends included.
        let crl = &Crl::parse_file(&read("crl-expired.pem")).unwrap()[0];
        assert_eq!(
            crl.time_error(1_780_272_000),
            Some(ErrorCode::CrlHasExpired)
        );
        assert_eq!(crl.time_error(1_577_836_800), None);
        assert_eq!(
            crl.time_error(1_577_836_799),
            Some(ErrorCode::CrlNotYetValid)
        );
        assert_eq!(crl.time_error(1_609_459_200), None);
        assert_eq!(
            crl.time_error(1_609_459_201),
            Some(ErrorCode::CrlHasExpired)
        );
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert!(matches!(
            Crl::parse_file(b"\x30\x03\x02\x01\x00"),
            Err(CrlError::Malformed { index: 0, .. })
        ));
        assert!(matches!(
            Crl::parse_file(b"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"),
            Err(CrlError::NoCrl)
        ));
        let der = read("crl-empty.pem");
        let blocks = pem::parse(&der).unwrap();
        for n in 0..blocks[0].der.len() {
            assert!(
                Crl::from_der(&blocks[0].der[..n]).is_err(),
                "truncated at {n}"
            );
        }
    }
}
