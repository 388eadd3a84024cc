//! Why a chain did not verify: OpenSSL's `X509_V_ERR_*` reasons under the names Node gives
//! them (`err.code`), with OpenSSL 3.0's texts (`err.message`).

use core::fmt;

/// One reason for rejecting a certificate chain.
///
/// Each value is an OpenSSL `X509_V_ERR_*` code (but [`ErrorCode::Malformed`],
/// [`ErrorCode::NameConstraintsBudget`] and the `Strict*` codes of [`super::Policy::Strict`],
/// whose codes start `ERR_SANSTLS_`); [`ErrorCode::code`] is the string Node puts
/// in `err.code` and [`ErrorCode::message`] the text OpenSSL 3.0's
/// `X509_verify_cert_error_string` gives (which Node uses as `err.message`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The top of the chain is a trusted certificate that is not self-signed, and its issuer
    /// is not available (OpenSSL needs a self-signed anchor unless partial chains are allowed).
    UnableToGetIssuerCert,
    /// CRL checking is on and no CRL from the certificate's issuer was given.
    UnableToGetCrl,
    /// A certificate's signature does not verify with its issuer's key (or uses an algorithm
    /// we do not support).
    CertSignatureFailure,
    /// A CRL's signature does not verify with its issuer's key.
    CrlSignatureFailure,
    /// The verification time is before a certificate's notBefore.
    CertNotYetValid,
    /// The verification time is after a certificate's notAfter.
    CertHasExpired,
    /// The verification time is before a CRL's thisUpdate.
    CrlNotYetValid,
    /// The verification time is after a CRL's nextUpdate.
    CrlHasExpired,
    /// The end-entity certificate is self-signed and not trusted.
    DepthZeroSelfSignedCert,
    /// The chain ends in a self-signed certificate that is not trusted.
    SelfSignedCertInChain,
    /// The issuer of the top of the chain is neither given nor trusted.
    UnableToGetIssuerCertLocally,
    /// Node's classic "unable to verify the first certificate": a lone certificate whose
    /// issuer is missing, as Node reports it. OpenSSL finds it after
    /// [`Self::UnableToGetIssuerCertLocally`] (which `openssl verify` stops at), so it is
    /// reported with [`crate::verify::ErrorReport::Last`] only.
    UnableToVerifyLeafSignature,
    /// No path to a trust anchor within the depth limit.
    CertChainTooLong,
    /// A CRL lists the certificate's serial number.
    CertRevoked,
    /// An issuing certificate is not a CA: no basicConstraints cA, or a keyUsage without
    /// keyCertSign.
    InvalidCa,
    /// An issuing CA's pathLenConstraint allows fewer CAs below it than the chain has.
    PathLengthExceeded,
    /// The certificate's extendedKeyUsage or keyUsage does not allow the purpose.
    InvalidPurpose,
    /// A CRL issuer's keyUsage lacks cRLSign.
    KeyUsageNoCrlSign,
    /// An issuer's keyUsage lacks keyCertSign. Reported after [`Self::InvalidCa`] for the
    /// same certificate, so only with [`crate::verify::ErrorReport::Last`].
    KeyUsageNoCertSign,
    /// A certificate has a critical extension we do not understand.
    UnhandledCriticalExtension,
    /// A CRL has a critical extension we do not understand (a critical crlNumber included,
    /// as OpenSSL has it).
    UnhandledCriticalCrlExtension,
    /// A name is outside every permitted subtree of an issuing CA's nameConstraints.
    PermittedViolation,
    /// A name is inside an excluded subtree of an issuing CA's nameConstraints.
    ExcludedViolation,
    /// A certificate, CRL or trust anchor could not be parsed (not an OpenSSL verify error:
    /// OpenSSL refuses such input before verification).
    Malformed,
    /// A certificate has more names times a CA's name constraints than the budget (2^20, OpenSSL's
    /// `NAME_CHECK_MAX`): refused under both policies rather than checked slowly. OpenSSL refuses the
    /// same chains with its unspecified error, which is what Node names it ([`Self::node_code`]).
    NameConstraintsBudget,
    /// Strict: the end-entity certificate has no extendedKeyUsage extension (the Baseline
    /// Requirements s7.1.2.7.10 require one naming the purpose).
    StrictEkuMissing,
    /// Strict: a CA of the path, trust anchor included, has an extendedKeyUsage without the
    /// purpose (a CA's EKU constrains its subtree).
    StrictCaEku,
    /// Strict: an intermediate CA's basicConstraints is not critical (RFC 5280 s4.2.1.9).
    StrictBasicConstraintsNotCritical,
    /// Strict: the end-entity certificate asserts cA=true or keyUsage keyCertSign.
    StrictEndEntityIsCa,
    /// Strict: a certificate that is not self-issued has no authorityKeyIdentifier (RFC 5280
    /// s4.2.1.1).
    StrictAkiMissing,
    /// Strict: an intermediate CA has no subjectKeyIdentifier (RFC 5280 s4.2.1.2).
    StrictSkiMissing,
    /// Strict: a self-signed trust anchor's authorityKeyIdentifier holds an issuer name and
    /// serial (Baseline Requirements s7.1.2.1.3: keyIdentifier only).
    StrictRootAkiNotKeyId,
    /// Strict: an RSA key under 2048 bits or whose modulus is not a whole number of bytes, a
    /// P-192 key, a DSA key (Baseline Requirements s6.1.5, s6.1.6), or an RSA key we cannot read.
    StrictWeakKey,
    /// Strict: a version 1 certificate (no extensions, so no basicConstraints to say what it is).
    StrictVersion1,
    /// Strict: a serial number that is zero, negative or longer than 20 octets (RFC 5280
    /// s4.1.2.2).
    StrictSerialNumber,
    /// Strict: subjectAltName is critical though the subject is not empty (RFC 5280 s4.2.1.6:
    /// SHOULD NOT).
    StrictSanCriticalWithSubject,
    /// Strict: the subject is empty and subjectAltName is absent or not critical (RFC 5280
    /// s4.2.1.6: MUST be critical).
    StrictEmptySubjectSanNotCritical,
    /// Strict: a dNSName subjectAltName is not a preferred-syntax host name (RFC 5280 s4.2.1.6,
    /// RFC 1034 s3.5): underscore, empty label, leading or trailing dot, label over 63 octets.
    StrictInvalidDnsName,
    /// Strict: a CA's nameConstraints holds a name form we do not check (otherName, x400Address,
    /// ediPartyName, registeredID): we cannot honour it, so we refuse (RFC 5280 s4.2.1.10).
    StrictNameConstraintUnsupported,
    /// Strict: a CA's nameConstraints is malformed: no subtree at all, a subtree with a minimum
    /// other than 0 or a maximum, or an iPAddress base that is not an address and mask.
    StrictNameConstraintMalformed,
    /// Strict: policyConstraints is present and not critical (RFC 5280 s4.2.1.11: MUST be critical).
    StrictPolicyConstraintsNotCritical,
    /// Strict: inhibitAnyPolicy is present and not critical (RFC 5280 s4.2.1.14: MUST be critical).
    StrictInhibitAnyPolicyNotCritical,
    /// Strict: a CRL used for revocation has no crlNumber extension (RFC 5280 s5.2.3: MUST
    /// be included).
    StrictCrlNumberMissing,
    /// Strict: a CRL used for revocation has a critical crlNumber (RFC 5280 s5.2.3: MUST be
    /// non-critical). OpenSSL already refuses the CRL for it
    /// ([`Self::UnhandledCriticalCrlExtension`]), which is reported first.
    StrictCrlNumberCritical,
}

impl ErrorCode {
    /// Node's `err.code`: `"CERT_HAS_EXPIRED"`, `"DEPTH_ZERO_SELF_SIGNED_CERT"`, ...
    pub fn code(self) -> &'static str {
        match self {
            Self::UnableToGetIssuerCert => "UNABLE_TO_GET_ISSUER_CERT",
            Self::UnableToGetCrl => "UNABLE_TO_GET_CRL",
            Self::CertSignatureFailure => "CERT_SIGNATURE_FAILURE",
            Self::CrlSignatureFailure => "CRL_SIGNATURE_FAILURE",
            Self::CertNotYetValid => "CERT_NOT_YET_VALID",
            Self::CertHasExpired => "CERT_HAS_EXPIRED",
            Self::CrlNotYetValid => "CRL_NOT_YET_VALID",
            Self::CrlHasExpired => "CRL_HAS_EXPIRED",
            Self::DepthZeroSelfSignedCert => "DEPTH_ZERO_SELF_SIGNED_CERT",
            Self::SelfSignedCertInChain => "SELF_SIGNED_CERT_IN_CHAIN",
            Self::UnableToGetIssuerCertLocally => "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            Self::UnableToVerifyLeafSignature => "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            Self::CertChainTooLong => "CERT_CHAIN_TOO_LONG",
            Self::CertRevoked => "CERT_REVOKED",
            Self::InvalidCa => "INVALID_CA",
            Self::PathLengthExceeded => "PATH_LENGTH_EXCEEDED",
            Self::InvalidPurpose => "INVALID_PURPOSE",
            Self::KeyUsageNoCrlSign => "KEYUSAGE_NO_CRL_SIGN",
            Self::KeyUsageNoCertSign => "KEYUSAGE_NO_CERTSIGN",
            Self::UnhandledCriticalExtension => "UNHANDLED_CRITICAL_EXTENSION",
            Self::PermittedViolation => "PERMITTED_VIOLATION",
            Self::ExcludedViolation => "EXCLUDED_VIOLATION",
            Self::Malformed => "ERR_SANSTLS_MALFORMED_CERTIFICATE",
            Self::NameConstraintsBudget => "ERR_SANSTLS_NAME_CONSTRAINTS_BUDGET",
            Self::UnhandledCriticalCrlExtension => "UNHANDLED_CRITICAL_CRL_EXTENSION",
            Self::StrictCrlNumberMissing => "ERR_SANSTLS_STRICT_CRL_NUMBER_MISSING",
            Self::StrictCrlNumberCritical => "ERR_SANSTLS_STRICT_CRL_NUMBER_CRITICAL",
            Self::StrictEkuMissing => "ERR_SANSTLS_STRICT_EKU_MISSING",
            Self::StrictCaEku => "ERR_SANSTLS_STRICT_CA_EKU",
            Self::StrictBasicConstraintsNotCritical => {
                "ERR_SANSTLS_STRICT_BASIC_CONSTRAINTS_NOT_CRITICAL"
            }
            Self::StrictEndEntityIsCa => "ERR_SANSTLS_STRICT_END_ENTITY_IS_CA",
            Self::StrictAkiMissing => "ERR_SANSTLS_STRICT_AKI_MISSING",
            Self::StrictSkiMissing => "ERR_SANSTLS_STRICT_SKI_MISSING",
            Self::StrictRootAkiNotKeyId => "ERR_SANSTLS_STRICT_ROOT_AKI_NOT_KEY_ID",
            Self::StrictWeakKey => "ERR_SANSTLS_STRICT_WEAK_KEY",
            Self::StrictVersion1 => "ERR_SANSTLS_STRICT_VERSION_1",
            Self::StrictSerialNumber => "ERR_SANSTLS_STRICT_SERIAL_NUMBER",
            Self::StrictSanCriticalWithSubject => "ERR_SANSTLS_STRICT_SAN_CRITICAL_WITH_SUBJECT",
            Self::StrictEmptySubjectSanNotCritical => {
                "ERR_SANSTLS_STRICT_EMPTY_SUBJECT_SAN_NOT_CRITICAL"
            }
            Self::StrictInvalidDnsName => "ERR_SANSTLS_STRICT_INVALID_DNS_NAME",
            Self::StrictNameConstraintUnsupported => {
                "ERR_SANSTLS_STRICT_NAME_CONSTRAINT_UNSUPPORTED"
            }
            Self::StrictNameConstraintMalformed => "ERR_SANSTLS_STRICT_NAME_CONSTRAINT_MALFORMED",
            Self::StrictPolicyConstraintsNotCritical => {
                "ERR_SANSTLS_STRICT_POLICY_CONSTRAINTS_NOT_CRITICAL"
            }
            Self::StrictInhibitAnyPolicyNotCritical => {
                "ERR_SANSTLS_STRICT_INHIBIT_ANY_POLICY_NOT_CRITICAL"
            }
        }
    }

    /// What Node 20 puts in `err.code` for this error: [`Self::code`], or `"UNSPECIFIED"`
    /// for the OpenSSL codes Node has no name for (its message is still OpenSSL's text).
    pub fn node_code(self) -> &'static str {
        match self {
            Self::KeyUsageNoCrlSign
            | Self::KeyUsageNoCertSign
            | Self::UnhandledCriticalExtension
            | Self::UnhandledCriticalCrlExtension
            | Self::PermittedViolation
            | Self::ExcludedViolation
            | Self::NameConstraintsBudget => "UNSPECIFIED",
            other => other.code(),
        }
    }

    /// OpenSSL 3.0's text for the code (Node's `err.message`).
    pub fn message(self) -> &'static str {
        match self {
            Self::UnableToGetIssuerCert => "unable to get issuer certificate",
            Self::UnableToGetCrl => "unable to get certificate CRL",
            Self::CertSignatureFailure => "certificate signature failure",
            Self::CrlSignatureFailure => "CRL signature failure",
            Self::CertNotYetValid => "certificate is not yet valid",
            Self::CertHasExpired => "certificate has expired",
            Self::CrlNotYetValid => "CRL is not yet valid",
            Self::CrlHasExpired => "CRL has expired",
            Self::DepthZeroSelfSignedCert => "self-signed certificate",
            Self::SelfSignedCertInChain => "self-signed certificate in certificate chain",
            Self::UnableToGetIssuerCertLocally => "unable to get local issuer certificate",
            Self::UnableToVerifyLeafSignature => "unable to verify the first certificate",
            Self::CertChainTooLong => "certificate chain too long",
            Self::CertRevoked => "certificate revoked",
            Self::InvalidCa => "invalid CA certificate",
            Self::PathLengthExceeded => "path length constraint exceeded",
            Self::InvalidPurpose => "unsuitable certificate purpose",
            Self::KeyUsageNoCrlSign => "key usage does not include CRL signing",
            Self::KeyUsageNoCertSign => "key usage does not include certificate signing",
            Self::UnhandledCriticalExtension => "unhandled critical extension",
            Self::PermittedViolation => "permitted subtree violation",
            Self::ExcludedViolation => "excluded subtree violation",
            Self::Malformed => "certificate could not be parsed",
            Self::NameConstraintsBudget => {
                "name constraints check exceeds the budget of names times constraints"
            }
            Self::UnhandledCriticalCrlExtension => "unhandled critical CRL extension",
            Self::StrictCrlNumberMissing => "CRL has no CRL number",
            Self::StrictCrlNumberCritical => "CRL number is critical",
            Self::StrictEkuMissing => "end-entity certificate has no extended key usage",
            Self::StrictCaEku => "CA extended key usage does not allow the purpose",
            Self::StrictBasicConstraintsNotCritical => "CA basic constraints are not critical",
            Self::StrictEndEntityIsCa => "end-entity certificate is a CA",
            Self::StrictAkiMissing => "certificate has no authority key identifier",
            Self::StrictSkiMissing => "CA certificate has no subject key identifier",
            Self::StrictRootAkiNotKeyId => {
                "root authority key identifier holds more than a key identifier"
            }
            Self::StrictWeakKey => "certificate public key is too weak",
            Self::StrictVersion1 => "certificate is version 1",
            Self::StrictSerialNumber => {
                "certificate serial number is zero, negative or longer than 20 octets"
            }
            Self::StrictSanCriticalWithSubject => {
                "critical subject alternative name with a non-empty subject"
            }
            Self::StrictEmptySubjectSanNotCritical => {
                "empty subject without a critical subject alternative name"
            }
            Self::StrictInvalidDnsName => "subject alternative name holds an invalid DNS name",
            Self::StrictNameConstraintUnsupported => "name constraint of an unsupported name form",
            Self::StrictNameConstraintMalformed => "malformed name constraint",
            Self::StrictPolicyConstraintsNotCritical => "policy constraints are not critical",
            Self::StrictInhibitAnyPolicyNotCritical => "inhibit any policy is not critical",
        }
    }

    /// OpenSSL's numeric `X509_V_ERR_*` value (what `openssl verify` prints as `error N`);
    /// `None` for [`Self::Malformed`] and the strict rules (`Strict*`), which OpenSSL does not
    /// check.
    pub fn openssl_number(self) -> Option<u32> {
        Some(match self {
            Self::UnableToGetIssuerCert => 2,
            Self::UnableToGetCrl => 3,
            Self::CertSignatureFailure => 7,
            Self::CrlSignatureFailure => 8,
            Self::CertNotYetValid => 9,
            Self::CertHasExpired => 10,
            Self::CrlNotYetValid => 11,
            Self::CrlHasExpired => 12,
            Self::DepthZeroSelfSignedCert => 18,
            Self::SelfSignedCertInChain => 19,
            Self::UnableToGetIssuerCertLocally => 20,
            Self::UnableToVerifyLeafSignature => 21,
            Self::CertChainTooLong => 22,
            Self::CertRevoked => 23,
            Self::PathLengthExceeded => 25,
            Self::InvalidPurpose => 26,
            Self::UnhandledCriticalExtension => 34,
            Self::UnhandledCriticalCrlExtension => 36,
            Self::KeyUsageNoCrlSign => 35,
            Self::KeyUsageNoCertSign => 32,
            Self::PermittedViolation => 47,
            Self::ExcludedViolation => 48,
            Self::InvalidCa => 79,
            // X509_V_ERR_UNSPECIFIED: what OpenSSL's NAME_CONSTRAINTS_check returns over its
            // NAME_CHECK_MAX.
            Self::NameConstraintsBudget => 1,
            // Strict rules are ours: OpenSSL has no such check.
            Self::Malformed
            | Self::StrictEkuMissing
            | Self::StrictCaEku
            | Self::StrictBasicConstraintsNotCritical
            | Self::StrictEndEntityIsCa
            | Self::StrictAkiMissing
            | Self::StrictSkiMissing
            | Self::StrictRootAkiNotKeyId
            | Self::StrictWeakKey
            | Self::StrictVersion1
            | Self::StrictSerialNumber
            | Self::StrictSanCriticalWithSubject
            | Self::StrictEmptySubjectSanNotCritical
            | Self::StrictInvalidDnsName
            | Self::StrictNameConstraintUnsupported
            | Self::StrictNameConstraintMalformed
            | Self::StrictPolicyConstraintsNotCritical
            | Self::StrictInhibitAnyPolicyNotCritical
            | Self::StrictCrlNumberMissing
            | Self::StrictCrlNumberCritical => return None,
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A failed verification: the reason, and the certificate it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    code: ErrorCode,
    depth: usize,
    certificate: Option<Vec<u8>>,
    detail: Option<String>,
}

impl VerifyError {
    pub(crate) fn new(code: ErrorCode, depth: usize, certificate: Option<&[u8]>) -> Self {
        Self {
            code,
            depth,
            certificate: certificate.map(<[u8]>::to_vec),
            detail: None,
        }
    }

    /// A parse failure of the input at `depth` (see [`ErrorCode::Malformed`]).
    pub(crate) fn malformed(depth: usize, detail: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Malformed,
            depth,
            certificate: None,
            detail: Some(detail.into()),
        }
    }

    /// The reason.
    pub fn kind(&self) -> ErrorCode {
        self.code
    }

    /// Node's `err.code` (see [`ErrorCode::code`]).
    pub fn code(&self) -> &'static str {
        self.code.code()
    }

    /// OpenSSL's text for the reason (Node's `err.message`).
    pub fn message(&self) -> &'static str {
        self.code.message()
    }

    /// The position in the chain of the certificate the error is about (0 is the
    /// end-entity certificate), as OpenSSL's `X509_STORE_CTX_get_error_depth`. For a
    /// [`ErrorCode::Malformed`] input: its index in the list it came from.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The certificate the error is about (DER), when there is one.
    pub fn certificate(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }

    /// What exactly was malformed, for [`ErrorCode::Malformed`].
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_nodes_and_messages_are_openssls() {
        assert_eq!(ErrorCode::CertHasExpired.code(), "CERT_HAS_EXPIRED");
        assert_eq!(
            ErrorCode::DepthZeroSelfSignedCert.message(),
            "self-signed certificate"
        );
        let e = VerifyError::new(ErrorCode::UnableToGetIssuerCertLocally, 1, None);
        assert_eq!(e.to_string(), "unable to get local issuer certificate");
        assert_eq!(e.depth(), 1);
        let m = VerifyError::malformed(2, "truncated");
        assert_eq!(m.to_string(), "certificate could not be parsed: truncated");
    }
}
