//! A certificate read once for path validation: the parts the checks use, decoded up front
//! so that a malformed extension is reported when the certificate is read, not half-way
//! through a check.

use const_oid::ObjectIdentifier;
use der::Decode;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::Certificate;

use super::names::canonical;
use super::signature::SignedData;

/// Extensions OpenSSL 3.0 understands (`X509_supported_extension`): a critical extension
/// outside this list fails with UNHANDLED_CRITICAL_EXTENSION, as it does there. (OpenSSL
/// does not list subjectKeyIdentifier or authorityKeyIdentifier, so neither do we.)
const HANDLED: &[ObjectIdentifier] = &[
    ObjectIdentifier::new_unwrap("2.16.840.1.113730.1.1"), // nsCertType
    ObjectIdentifier::new_unwrap("2.5.29.15"),             // keyUsage
    ObjectIdentifier::new_unwrap("2.5.29.17"),             // subjectAltName
    ObjectIdentifier::new_unwrap("2.5.29.19"),             // basicConstraints
    ObjectIdentifier::new_unwrap("2.5.29.32"),             // certificatePolicies
    ObjectIdentifier::new_unwrap("2.5.29.37"),             // extKeyUsage
    ObjectIdentifier::new_unwrap("2.5.29.36"),             // policyConstraints
    ObjectIdentifier::new_unwrap("2.5.29.33"),             // policyMappings
    ObjectIdentifier::new_unwrap("2.5.29.30"),             // nameConstraints
    ObjectIdentifier::new_unwrap("2.5.29.54"),             // inhibitAnyPolicy
];

const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// One certificate, parsed.
#[derive(Clone, Debug)]
pub(crate) struct ParsedCert {
    pub(crate) der: Vec<u8>,
    /// The decoded certificate, for what else a caller reads of it (the host-name check).
    pub(crate) cert: Certificate,
    pub(crate) signed: SignedData,
    /// Whether the outer signatureAlgorithm equals the signed tbsCertificate.signature (RFC
    /// 5280 s4.1.1.2: they MUST be equal; OpenSSL's X509_verify fails otherwise, and the
    /// outer one is not covered by the signature).
    pub(crate) algorithms_agree: bool,
    /// The subject Name, DER as received (for CertificateRequest's certificate_authorities).
    pub(crate) subject_der: Vec<u8>,
    /// subject and issuer Names in their canonical form (see the names module).
    pub(crate) subject: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
    pub(crate) spki: SubjectPublicKeyInfoOwned,
    /// The validity window in Unix seconds, both ends included.
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
    /// serialNumber content octets.
    pub(crate) serial: Vec<u8>,
    /// Version 1 certificates have no extensions; a v1 self-signed root is a CA.
    pub(crate) v1: bool,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    pub(crate) key_usage: Option<KeyUsage>,
    pub(crate) ext_key_usage: Option<ExtendedKeyUsage>,
    pub(crate) subject_alt_names: Vec<GeneralName>,
    pub(crate) name_constraints: Option<NameConstraints>,
    pub(crate) subject_key_id: Option<Vec<u8>>,
    pub(crate) authority_key_id: Option<Vec<u8>>,
    /// Whether there is an authorityKeyIdentifier at all (it may hold only an issuer name and
    /// serial), and whether it names the issuer that way.
    pub(crate) has_authority_key_id: bool,
    pub(crate) authority_key_id_names_issuer: bool,
    /// The first critical extension we do not handle.
    pub(crate) unhandled_critical: Option<ObjectIdentifier>,
    /// Subject commonName and emailAddress values that are text.
    pub(crate) common_names: Vec<String>,
    pub(crate) subject_emails: Vec<String>,
    /// Whether the subject has no attributes (then it is not checked against
    /// directoryName constraints).
    pub(crate) subject_is_empty: bool,
    /// How many attributes the subject has (OpenSSL counts them as names for its
    /// name-constraint budget).
    pub(crate) subject_attribute_count: usize,
    /// The directoryName subjectAltNames, canonical.
    pub(crate) alt_directory_names: Vec<Vec<u8>>,
}

impl ParsedCert {
    /// Reads a DER certificate; the error says which part is malformed.
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, String> {
        let signed = SignedData::from_der(der)?;
        let cert = Certificate::from_der(der).map_err(|e| format!("certificate: {e}"))?;
        let tbs = cert.tbs_certificate();
        let subject_der =
            der::Encode::to_der(tbs.subject()).map_err(|e| format!("subject: {e}"))?;
        let subject = canonical(tbs.subject()).map_err(|e| format!("subject: {e}"))?;
        let issuer = canonical(tbs.issuer()).map_err(|e| format!("issuer: {e}"))?;
        let validity = tbs.validity();
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();

        fn ext<'a, T>(tbs: &'a x509_cert::TbsCertificate, name: &str) -> Result<Option<T>, String>
        where
            T: der::Decode<'a, Error = der::Error> + const_oid::AssociatedOid,
        {
            tbs.get_extension::<T>()
                .map(|o| o.map(|(_, v)| v))
                .map_err(|e| format!("{name} extension: {e}"))
        }

        let mut unhandled_critical = None;
        for e in tbs.extensions().into_iter().flatten() {
            if e.critical && !HANDLED.contains(&e.extn_id) {
                unhandled_critical = Some(e.extn_id);
                break;
            }
        }
        let subject_alt_names = ext::<SubjectAltName>(tbs, "subjectAltName")?
            .map(|s| s.0)
            .unwrap_or_default();
        let alt_directory_names = subject_alt_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DirectoryName(d) => Some(canonical(d)),
                _ => None,
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("subjectAltName: {e}"))?;
        let mut common_names = Vec::new();
        let mut subject_emails = Vec::new();
        for atv in tbs.subject().iter() {
            let list = if atv.oid == COMMON_NAME {
                &mut common_names
            } else if atv.oid == EMAIL_ADDRESS {
                &mut subject_emails
            } else {
                continue;
            };
            if let Ok(s) = core::str::from_utf8(atv.value.value()) {
                list.push(s.to_owned());
            }
        }

        let aki = ext::<AuthorityKeyIdentifier>(tbs, "authorityKeyIdentifier")?;
        Ok(Self {
            der: der.to_vec(),
            subject_der,
            subject,
            issuer,
            spki: tbs.subject_public_key_info().clone(),
            not_before,
            not_after,
            serial: tbs.serial_number().as_bytes().to_vec(),
            v1: tbs.version() == x509_cert::certificate::Version::V1,
            basic_constraints: ext(tbs, "basicConstraints")?,
            key_usage: ext(tbs, "keyUsage")?,
            ext_key_usage: ext(tbs, "extendedKeyUsage")?,
            subject_alt_names,
            name_constraints: ext(tbs, "nameConstraints")?,
            subject_key_id: ext::<SubjectKeyIdentifier>(tbs, "subjectKeyIdentifier")?
                .map(|s| s.0.as_bytes().to_vec()),
            authority_key_id: aki
                .as_ref()
                .and_then(|a| a.key_identifier.as_ref())
                .map(|k| k.as_bytes().to_vec()),
            has_authority_key_id: aki.is_some(),
            authority_key_id_names_issuer: aki.as_ref().is_some_and(|a| {
                a.authority_cert_issuer.is_some() || a.authority_cert_serial_number.is_some()
            }),
            algorithms_agree: cert.signature_algorithm() == tbs.signature(),
            unhandled_critical,
            common_names,
            subject_emails,
            subject_is_empty: tbs.subject().is_empty(),
            subject_attribute_count: tbs.subject().iter().count(),
            alt_directory_names,
            signed,
            cert,
        })
    }

    /// Whether `issuer` may have issued this certificate, judged by names and key
    /// identifiers only (RFC 5280 s4.2.1.1: AKI and SKI are compared when both are present).
    /// Signatures are checked once a whole path is found.
    pub(crate) fn may_be_issued_by(&self, issuer: &ParsedCert) -> bool {
        if self.issuer != issuer.subject {
            return false;
        }
        match (&self.authority_key_id, &issuer.subject_key_id) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
    }

    /// Self-issued: subject and issuer are the same name (and the key identifiers agree).
    /// What ends a path: a certificate that may have signed itself.
    pub(crate) fn is_self_issued(&self) -> bool {
        self.may_be_issued_by(self)
    }

    /// Self-issued in RFC 5280's sense (s3.2): subject and issuer are the same name, whatever
    /// the key identifiers say. A CA's key-rollover certificate (old key signing the new one
    /// under the same name) is self-issued this way though its AKI is not its own SKI; such
    /// certificates do not count towards pathLenConstraint (s4.2.1.9) and are not checked
    /// against name constraints (s4.2.1.10). OpenSSL 3.0 agrees (the `rollover-*` cases of
    /// vectors/pki/strict pass `openssl verify`).
    pub(crate) fn is_self_issued_name(&self) -> bool {
        self.subject == self.issuer
    }

    /// Whether the extension `oid` is present and critical (`None` when absent).
    pub(crate) fn criticality(&self, oid: ObjectIdentifier) -> Option<bool> {
        self.cert
            .tbs_certificate()
            .extensions()
            .into_iter()
            .flatten()
            .find(|e| e.extn_id == oid)
            .map(|e| e.critical)
    }

    /// A CA as OpenSSL's `X509_check_ca` sees it for path validation: basicConstraints cA
    /// and, when keyUsage is present, keyCertSign; a version 1 self-signed certificate
    /// counts as a CA (old roots).
    pub(crate) fn is_ca(&self) -> bool {
        if self.key_usage.as_ref().is_some_and(|k| !k.key_cert_sign()) {
            return false;
        }
        match &self.basic_constraints {
            Some(bc) => bc.ca,
            None => self.v1 && self.is_self_issued(),
        }
    }
}
