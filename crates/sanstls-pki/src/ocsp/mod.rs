//! OCSP responses (RFC 6960): what a server staples (Node's `OCSPResponse` event hands the
//! client the raw bytes) and what a responder answers. [`check_response`] parses a DER
//! `OCSPResponse`, checks that it speaks for a given certificate, that the issuer (or a
//! responder the issuer delegated to) signed it, and that it is current, and returns the
//! certificate's status.
//!
//! Node itself does not check OCSP responses; this is what an application listening to
//! `OCSPResponse` (or the CLI) calls to make sense of one.
//!
//! The RFC 6960 ASN.1 types are declared in a private submodule (`ocsp/asn1.rs`) with der
//! 0.8's derives, on the same x509-cert types as the rest of this crate: RustCrypto's
//! x509-ocsp is still on der 0.7.

use core::fmt;

use ring::digest;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::CrlReason;

use asn1::{BasicOcspResponse, OcspResponse, OcspResponseStatus, ResponderId};

mod asn1;

/// How far the clocks of the responder and ours may disagree, in seconds (OpenSSL's
/// `OCSP_check_validity` callers use 5 minutes too).
pub const CLOCK_SKEW_SECS: u64 = 300;

/// What an OCSP response says about a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked.
    Good,
    /// Revoked at `revoked_at` (Unix seconds), for `reason` (RFC 5280 CRLReason) if given.
    Revoked {
        /// When it was revoked, Unix seconds.
        revoked_at: u64,
        /// The CRLReason name (`keyCompromise`, ...), if the responder gave one.
        reason: Option<&'static str>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// A checked OCSP answer for one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspStatus {
    /// The certificate's status.
    pub status: CertStatus,
    /// `thisUpdate`, Unix seconds.
    pub this_update: u64,
    /// `nextUpdate`, Unix seconds, if the responder promised one.
    pub next_update: Option<u64>,
    /// `producedAt`, Unix seconds.
    pub produced_at: u64,
    /// Whether a delegated responder (not the issuer itself) signed it.
    pub delegated: bool,
}

/// Why an OCSP response could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OcspError {
    /// The response (or a certificate) does not parse; the string names the part.
    Malformed(&'static str),
    /// The responder answered with an error status instead of a response
    /// (`malformedRequest`, `internalError`, `tryLater`, `sigRequired`, `unauthorized`).
    NotSuccessful(&'static str),
    /// The response is not a basic OCSP response (RFC 6960 s4.2.1 requires support for only
    /// that type).
    UnsupportedResponseType,
    /// No SingleResponse in it is about this certificate (CertID mismatch).
    NoResponseForCertificate,
    /// The signer is neither the issuer nor a responder the issuer authorised (RFC 6960
    /// s4.2.2.2); the string says what was wrong.
    UnauthorizedResponder(&'static str),
    /// The signature does not verify.
    BadSignature,
    /// A signature or key algorithm we do not support (its OID).
    UnsupportedAlgorithm(String),
    /// `thisUpdate` is in the future.
    NotYetValid,
    /// `nextUpdate` has passed.
    Expired,
}

impl fmt::Display for OcspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "malformed OCSP response: {what}"),
            Self::NotSuccessful(status) => write!(f, "OCSP responder answered {status}"),
            Self::UnsupportedResponseType => write!(f, "not a basic OCSP response"),
            Self::NoResponseForCertificate => {
                write!(f, "the OCSP response does not cover this certificate")
            }
            Self::UnauthorizedResponder(why) => write!(f, "unauthorized OCSP responder: {why}"),
            Self::BadSignature => write!(f, "OCSP response signature does not verify"),
            Self::UnsupportedAlgorithm(oid) => write!(f, "unsupported algorithm {oid}"),
            Self::NotYetValid => write!(f, "OCSP response is not yet valid"),
            Self::Expired => write!(f, "OCSP response has expired"),
        }
    }
}

impl std::error::Error for OcspError {}

/// Checks `response` (DER `OCSPResponse`) for `cert`, issued by `issuer` (both DER), at `now`
/// (Unix seconds), and returns what it says. The signer must be the issuer, or a certificate
/// in the response that the issuer signed with the id-kp-OCSPSigning extended key usage and
/// that is valid at `now` (RFC 6960 s4.2.2.2).
pub fn check_response(
    response: &[u8],
    cert: &[u8],
    issuer: &[u8],
    now: u64,
) -> Result<OcspStatus, OcspError> {
    let basic = basic_response(response)?;
    let cert =
        x509_cert::Certificate::from_der(cert).map_err(|_| OcspError::Malformed("certificate"))?;
    let issuer = Issuer::new(issuer)?;
    if cert.tbs_certificate().issuer() != issuer.cert.tbs_certificate().subject() {
        return Err(OcspError::Malformed(
            "the certificate was not issued by the given issuer",
        ));
    }

    let tbs = &basic.tbs_response_data;
    let (signer, delegated) = find_signer(&basic, &issuer, now)?;
    let signed = tbs
        .to_der()
        .map_err(|_| OcspError::Malformed("tbsResponseData"))?;
    let algorithm = basic.signature_algorithm.oid;
    let parameters = basic
        .signature_algorithm
        .parameters
        .as_ref()
        .map(|p| p.to_der())
        .transpose()
        .map_err(|_| OcspError::Malformed("signatureAlgorithm parameters"))?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or(OcspError::Malformed("signature"))?;
    verify_signature(
        algorithm,
        parameters.as_deref(),
        &signer,
        &signed,
        signature,
    )?;

    let serial = cert.tbs_certificate().serial_number().as_bytes();
    let single = tbs
        .responses
        .iter()
        .find(|r| issuer.matches(&r.cert_id, serial))
        .ok_or(OcspError::NoResponseForCertificate)?;

    let this_update = single.this_update.to_unix_duration().as_secs();
    let next_update = single.next_update.map(|t| t.to_unix_duration().as_secs());
    if this_update > now.saturating_add(CLOCK_SKEW_SECS) {
        return Err(OcspError::NotYetValid);
    }
    if next_update.is_some_and(|n| n.saturating_add(CLOCK_SKEW_SECS) < now) {
        return Err(OcspError::Expired);
    }
    let status = match &single.cert_status {
        asn1::CertStatus::Good(_) => CertStatus::Good,
        asn1::CertStatus::Unknown(_) => CertStatus::Unknown,
        asn1::CertStatus::Revoked(info) => CertStatus::Revoked {
            revoked_at: info.revocation_time.to_unix_duration().as_secs(),
            reason: info.revocation_reason.map(reason_name),
        },
    };
    Ok(OcspStatus {
        status,
        this_update,
        next_update,
        produced_at: tbs.produced_at.to_unix_duration().as_secs(),
        delegated,
    })
}

/// The BasicOCSPResponse inside a successful OCSPResponse.
fn basic_response(response: &[u8]) -> Result<BasicOcspResponse, OcspError> {
    let outer =
        OcspResponse::from_der(response).map_err(|_| OcspError::Malformed("OCSPResponse"))?;
    let status = match outer.response_status {
        OcspResponseStatus::Successful => None,
        OcspResponseStatus::MalformedRequest => Some("malformedRequest"),
        OcspResponseStatus::InternalError => Some("internalError"),
        OcspResponseStatus::TryLater => Some("tryLater"),
        OcspResponseStatus::SigRequired => Some("sigRequired"),
        OcspResponseStatus::Unauthorized => Some("unauthorized"),
    };
    if let Some(status) = status {
        return Err(OcspError::NotSuccessful(status));
    }
    let bytes = outer.response_bytes.ok_or(OcspError::Malformed(
        "successful response without responseBytes",
    ))?;
    // id-pkix-ocsp-basic (RFC 6960 s4.2.1).
    if bytes.response_type.to_string() != "1.3.6.1.5.5.7.48.1.1" {
        return Err(OcspError::UnsupportedResponseType);
    }
    BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|_| OcspError::Malformed("BasicOCSPResponse"))
}

/// The issuer, with what a CertID and a ResponderID are computed from.
struct Issuer {
    cert: x509_cert::Certificate,
    /// DER of the issuer's subject Name.
    name: Vec<u8>,
    /// The issuer's public key (the SubjectPublicKeyInfo BIT STRING's contents).
    key: Vec<u8>,
}

impl Issuer {
    fn new(der: &[u8]) -> Result<Self, OcspError> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|_| OcspError::Malformed("issuer certificate"))?;
        let name = cert
            .tbs_certificate()
            .subject()
            .to_der()
            .map_err(|_| OcspError::Malformed("issuer name"))?;
        let key = public_key_bits(&cert)?.to_vec();
        Ok(Self { cert, name, key })
    }

    /// Whether `id` names the certificate with `serial` under this issuer (RFC 6960 s4.1.1:
    /// hashes of the issuer's name and key, with the CertID's hash algorithm).
    fn matches(&self, id: &asn1::CertId, serial: &[u8]) -> bool {
        let alg = match id.hash_algorithm.oid.to_string().as_str() {
            "1.3.14.3.2.26" => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            "2.16.840.1.101.3.4.2.1" => &digest::SHA256,
            "2.16.840.1.101.3.4.2.2" => &digest::SHA384,
            "2.16.840.1.101.3.4.2.3" => &digest::SHA512,
            _ => return false,
        };
        id.serial_number.as_bytes() == serial
            && digest::digest(alg, &self.name).as_ref() == id.issuer_name_hash.as_bytes()
            && digest::digest(alg, &self.key).as_ref() == id.issuer_key_hash.as_bytes()
    }

    /// Whether `responder` designates this issuer.
    fn is(&self, responder: &ResponderId) -> bool {
        match responder {
            ResponderId::ByName(name) => name == self.cert.tbs_certificate().subject(),
            ResponderId::ByKey(hash) => {
                digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &self.key).as_ref()
                    == hash.as_bytes()
            }
        }
    }
}

/// The key that signed the response: the issuer's, or a delegated responder's from the
/// response's certificates (returned with `true`).
fn find_signer(
    basic: &BasicOcspResponse,
    issuer: &Issuer,
    now: u64,
) -> Result<(spki::SubjectPublicKeyInfoOwned, bool), OcspError> {
    let responder = &basic.tbs_response_data.responder_id;
    if issuer.is(responder) {
        return Ok((
            issuer
                .cert
                .tbs_certificate()
                .subject_public_key_info()
                .clone(),
            false,
        ));
    }
    // A delegated responder: its certificate travels in the response.
    for cert in basic.certs.iter().flatten() {
        let names_it = match responder {
            ResponderId::ByName(name) => name == cert.tbs_certificate().subject(),
            ResponderId::ByKey(hash) => public_key_bits(cert).is_ok_and(|k| {
                digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, k).as_ref() == hash.as_bytes()
            }),
        };
        if names_it {
            check_delegation(cert, issuer, now)?;
            return Ok((
                cert.tbs_certificate().subject_public_key_info().clone(),
                true,
            ));
        }
    }
    Err(OcspError::UnauthorizedResponder(
        "the responder is neither the issuer nor a certificate in the response",
    ))
}

/// RFC 6960 s4.2.2.2: a delegated responder's certificate is issued (signed) by the CA
/// itself, carries id-kp-OCSPSigning, and is valid now.
fn check_delegation(
    responder: &x509_cert::Certificate,
    issuer: &Issuer,
    now: u64,
) -> Result<(), OcspError> {
    let tbs = responder.tbs_certificate();
    if tbs.issuer() != issuer.cert.tbs_certificate().subject() {
        return Err(OcspError::UnauthorizedResponder(
            "the responder's certificate is not issued by the certificate's issuer",
        ));
    }
    let signed = tbs
        .to_der()
        .map_err(|_| OcspError::Malformed("responder certificate"))?;
    let signature = responder
        .signature()
        .as_bytes()
        .ok_or(OcspError::Malformed("responder certificate signature"))?;
    let algorithm = responder.signature_algorithm();
    let parameters = algorithm
        .parameters
        .as_ref()
        .map(|p| p.to_der())
        .transpose()
        .map_err(|_| OcspError::Malformed("responder certificate signature algorithm"))?;
    let issuer_key = issuer.cert.tbs_certificate().subject_public_key_info();
    verify_signature(
        algorithm.oid,
        parameters.as_deref(),
        issuer_key,
        &signed,
        signature,
    )
    .map_err(|e| match e {
        OcspError::BadSignature => OcspError::UnauthorizedResponder(
            "the responder's certificate is not signed by the issuer",
        ),
        other => other,
    })?;
    let eku = tbs
        .get_extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
        .map_err(|_| OcspError::Malformed("responder extendedKeyUsage"))?;
    // id-kp-OCSPSigning.
    let ocsp_signing = eku.is_some_and(|(_, eku)| {
        eku.0
            .iter()
            .any(|oid| oid.to_string() == "1.3.6.1.5.5.7.3.9")
    });
    if !ocsp_signing {
        return Err(OcspError::UnauthorizedResponder(
            "the responder's certificate lacks id-kp-OCSPSigning",
        ));
    }
    let validity = tbs.validity();
    let not_before = validity.not_before.to_unix_duration().as_secs();
    let not_after = validity.not_after.to_unix_duration().as_secs();
    if now < not_before || now > not_after {
        return Err(OcspError::UnauthorizedResponder(
            "the responder's certificate is not valid now",
        ));
    }
    Ok(())
}

/// The contents of a certificate's subjectPublicKey BIT STRING.
fn public_key_bits(cert: &x509_cert::Certificate) -> Result<&[u8], OcspError> {
    cert.tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .as_bytes()
        .ok_or(OcspError::Malformed("subjectPublicKey"))
}

/// Verifies `signature` over `message` by `key` with the signature algorithm `algorithm`
/// (the same check as for certificates: `verify::signature`).
fn verify_signature(
    algorithm: const_oid::ObjectIdentifier,
    parameters: Option<&[u8]>,
    key: &spki::SubjectPublicKeyInfoOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), OcspError> {
    match crate::verify::signature::verify_with(algorithm, parameters, key, message, signature) {
        None => Err(OcspError::UnsupportedAlgorithm(algorithm.to_string())),
        Some(true) => Ok(()),
        Some(false) => Err(OcspError::BadSignature),
    }
}

/// The RFC 5280 name of a CRLReason.
fn reason_name(reason: CrlReason) -> &'static str {
    match reason {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../vectors/pki/ocsp/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn cert(name: &str) -> Vec<u8> {
        let pem = fixture(name);
        let blocks = crate::pem::parse(&pem).unwrap();
        crate::pem::certificates(&blocks).remove(0)
    }

    fn now() -> u64 {
        String::from_utf8(fixture("now.txt"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    fn check(response: &str) -> Result<OcspStatus, OcspError> {
        check_response(
            &fixture(response),
            &cert("leaf.pem"),
            &cert("ca.pem"),
            now(),
        )
    }

    #[test]
    fn good_revoked_and_unknown_from_openssl_ocsp() {
        for name in ["good-by-ca.der", "good-sha256.der", "good-by-key.der"] {
            let s = check(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.status, CertStatus::Good, "{name}");
            assert!(!s.delegated);
            // openssl ocsp -ndays 7.
            assert_eq!(s.next_update.map(|n| n - s.this_update), Some(7 * 86400));
        }
        match check("revoked.der").unwrap().status {
            CertStatus::Revoked { revoked_at, reason } => {
                assert_eq!(reason, Some("keyCompromise"));
                // The script revokes it one day before it runs.
                assert!(revoked_at < now() && now() - revoked_at <= 86400 + 60);
            }
            other => panic!("{other:?}"),
        }
        // The responder answered, but not about our certificate (only serial 9999 is in its
        // index): openssl then says "unknown" for the one asked.
        assert_eq!(check("unknown.der").unwrap().status, CertStatus::Unknown);
    }

    #[test]
    fn delegated_responder_is_accepted_and_a_stranger_is_not() {
        let s = check("good-by-responder.der").unwrap();
        assert!(s.delegated);
        assert_eq!(s.status, CertStatus::Good);
        assert!(matches!(
            check("good-by-stranger.der"),
            Err(OcspError::UnauthorizedResponder(_))
        ));
    }

    #[test]
    fn time_window_is_enforced_with_skew() {
        let s = check("good-by-ca.der").unwrap();
        let (leaf, ca, resp) = (cert("leaf.pem"), cert("ca.pem"), fixture("good-by-ca.der"));
        let at = |t| check_response(&resp, &leaf, &ca, t);
        assert_eq!(
            at(s.this_update - CLOCK_SKEW_SECS - 1),
            Err(OcspError::NotYetValid)
        );
        assert!(at(s.this_update - CLOCK_SKEW_SECS).is_ok());
        let next = s.next_update.unwrap();
        assert!(at(next + CLOCK_SKEW_SECS).is_ok());
        assert_eq!(at(next + CLOCK_SKEW_SECS + 1), Err(OcspError::Expired));
    }

    #[test]
    fn wrong_certificate_status_and_tampering() {
        // A response about the leaf does not cover the responder's own certificate.
        let r = check_response(
            &fixture("good-by-ca.der"),
            &cert("responder.pem"),
            &cert("ca.pem"),
            now(),
        );
        assert_eq!(r, Err(OcspError::NoResponseForCertificate));
        assert_eq!(
            check("internal-error.der"),
            Err(OcspError::NotSuccessful("internalError"))
        );
        // Any flipped byte inside the signed data breaks the signature (or the parse).
        let good = fixture("good-by-ca.der");
        let (leaf, ca) = (cert("leaf.pem"), cert("ca.pem"));
        for i in (40..good.len().min(200)).step_by(7) {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            let r = check_response(&bad, &leaf, &ca, now());
            assert!(r.is_err(), "byte {i} flipped still verifies: {r:?}");
        }
        for n in 0..good.len() {
            assert!(check_response(&good[..n], &leaf, &ca, now()).is_err());
        }
        // The issuer must be the certificate's issuer.
        let r = check_response(&good, &leaf, &cert("other.pem"), now());
        assert!(matches!(r, Err(OcspError::Malformed(_))), "{r:?}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_responses_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = check_response(&bytes, &cert("leaf.pem"), &cert("ca.pem"), now());
        }
    }
}
