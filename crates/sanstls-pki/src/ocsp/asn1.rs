//! The ASN.1 of OCSP responses (RFC 6960 s4.2.1 and the module of appendix B.1), declared
//! with der 0.8 derives on x509-cert 0.3's types.
//!
//! The RFC's module is `DEFINITIONS EXPLICIT TAGS`: a context tag is EXPLICIT unless the
//! definition says IMPLICIT (only CertStatus's alternatives do). Only the response side is
//! here: this crate checks responses and never builds requests.

use der::asn1::{BitString, GeneralizedTime, Null, ObjectIdentifier, OctetString};
use der::{Choice, Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::CrlReason;
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

/// ```text
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct OcspResponse {
    pub(super) response_status: OcspResponseStatus,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) response_bytes: Option<ResponseBytes>,
}

/// ```text
/// OCSPResponseStatus ::= ENUMERATED {
///     successful            (0),
///     malformedRequest      (1),
///     internalError         (2),
///     tryLater              (3),
///     -- (4) is not used
///     sigRequired           (5),
///     unauthorized          (6) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[repr(u8)]
pub(super) enum OcspResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

/// ```text
/// ResponseBytes ::= SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct ResponseBytes {
    pub(super) response_type: ObjectIdentifier,
    /// The DER of the response of `response_type` (a BasicOCSPResponse for id-pkix-ocsp-basic).
    pub(super) response: OctetString,
}

/// ```text
/// BasicOCSPResponse ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct BasicOcspResponse {
    pub(super) tbs_response_data: ResponseData,
    pub(super) signature_algorithm: AlgorithmIdentifierOwned,
    pub(super) signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) certs: Option<Vec<Certificate>>,
}

/// ```text
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct ResponseData {
    #[asn1(
        context_specific = "0",
        tag_mode = "EXPLICIT",
        default = "Default::default"
    )]
    pub(super) version: Version,
    pub(super) responder_id: ResponderId,
    pub(super) produced_at: GeneralizedTime,
    pub(super) responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) response_extensions: Option<Extensions>,
}

/// `Version ::= INTEGER { v1(0) }`: v1 is the only version, so another value does not
/// decode. DER leaves the DEFAULT out, and so does the encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enumerated)]
#[asn1(type = "INTEGER")]
#[repr(u8)]
pub(super) enum Version {
    #[default]
    V1 = 0,
}

/// ```text
/// ResponderID ::= CHOICE {
///    byName   [1] Name,
///    byKey    [2] KeyHash }
///
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
///                          -- (excluding the tag and length fields)
/// ```
///
/// Both tags are EXPLICIT (the module's default; Name is itself a CHOICE and could not be
/// tagged implicitly), hence constructed.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub(super) enum ResponderId {
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Name),
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

/// ```text
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct SingleResponse {
    pub(super) cert_id: CertId,
    pub(super) cert_status: CertStatus,
    pub(super) this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) single_extensions: Option<Extensions>,
}

/// ```text
/// CertID ::= SEQUENCE {
///    hashAlgorithm           AlgorithmIdentifier,
///    issuerNameHash          OCTET STRING, -- Hash of issuer's DN
///    issuerKeyHash           OCTET STRING, -- Hash of issuer's public key
///    serialNumber            CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct CertId {
    pub(super) hash_algorithm: AlgorithmIdentifierOwned,
    pub(super) issuer_name_hash: OctetString,
    pub(super) issuer_key_hash: OctetString,
    pub(super) serial_number: SerialNumber,
}

/// ```text
/// CertStatus ::= CHOICE {
///    good        [0]     IMPLICIT NULL,
///    revoked     [1]     IMPLICIT RevokedInfo,
///    unknown     [2]     IMPLICIT UnknownInfo }
///
/// UnknownInfo ::= NULL
/// ```
///
/// IMPLICIT: `good` and `unknown` are primitive (`80 00`, `82 00`), `revoked` is constructed
/// (the SEQUENCE's tag replaced by `A1`).
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub(super) enum CertStatus {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// ```text
/// RevokedInfo ::= SEQUENCE {
///    revocationTime              GeneralizedTime,
///    revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct RevokedInfo {
    pub(super) revocation_time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) revocation_reason: Option<CrlReason>,
}

#[cfg(test)]
mod tests {
    use der::{Decode as _, Encode as _};

    use super::*;

    /// Every DER OCSPResponse under vectors/pki/ocsp, with its file name.
    fn responses() -> Vec<(String, Vec<u8>)> {
        let dir = format!("{}/../../vectors/pki/ocsp", env!("CARGO_MANIFEST_DIR"));
        let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "der"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        all.sort();
        assert!(all.len() >= 8, "the OCSP fixtures are missing: {all:?}");
        all
    }

    /// The BasicOCSPResponse's DER inside a successful response.
    fn basic_der(response: &OcspResponse) -> &[u8] {
        response
            .response_bytes
            .as_ref()
            .unwrap()
            .response
            .as_bytes()
    }

    #[test]
    fn fixtures_decode_and_encode_back_to_the_same_bytes() {
        let mut basics = 0;
        for (name, der) in responses() {
            let response = OcspResponse::from_der(&der).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(response.to_der().unwrap(), der, "{name}");
            if response.response_status != OcspResponseStatus::Successful {
                assert_eq!(response.response_bytes, None, "{name}");
                continue;
            }
            let inner = basic_der(&response);
            let basic =
                BasicOcspResponse::from_der(inner).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(basic.to_der().unwrap(), inner, "{name}");
            // What the signature covers is the re-encoded tbsResponseData: it must be the
            // bytes that were signed, found as they are inside the response.
            let tbs = basic.tbs_response_data.to_der().unwrap();
            assert!(inner.windows(tbs.len()).any(|w| w == tbs), "{name}");
            for single in &basic.tbs_response_data.responses {
                let again = SingleResponse::from_der(&single.to_der().unwrap()).unwrap();
                assert_eq!(&again, single, "{name}");
            }
            basics += 1;
        }
        assert!(basics >= 7);
    }

    #[test]
    fn fixtures_have_the_fields_openssl_wrote() {
        let all = responses();
        let response = |file: &str| {
            let der = &all.iter().find(|(n, _)| n == file).unwrap().1;
            OcspResponse::from_der(der).unwrap()
        };
        let get = |file: &str| {
            let response = response(file);
            let basic = BasicOcspResponse::from_der(basic_der(&response)).unwrap();
            (response, basic)
        };

        assert_eq!(
            response("internal-error.der").response_status,
            OcspResponseStatus::InternalError
        );

        let (response, basic) = get("good-by-ca.der");
        assert_eq!(response.response_status, OcspResponseStatus::Successful);
        assert_eq!(
            response.response_bytes.unwrap().response_type.to_string(),
            "1.3.6.1.5.5.7.48.1.1"
        );
        let tbs = &basic.tbs_response_data;
        assert_eq!(tbs.version, Version::V1);
        assert!(matches!(tbs.responder_id, ResponderId::ByName(_)));
        // openssl ocsp sends the signer's certificate along (here the CA's own).
        assert_eq!(basic.certs.as_ref().map(Vec::len), Some(1));
        let single = &tbs.responses[0];
        assert_eq!(single.cert_status, CertStatus::Good(Null));
        assert!(single.next_update.is_some());

        let (_, basic) = get("good-by-key.der");
        match &basic.tbs_response_data.responder_id {
            ResponderId::ByKey(hash) => assert_eq!(hash.as_bytes().len(), 20),
            other => panic!("{other:?}"),
        }

        let (_, basic) = get("revoked.der");
        match &basic.tbs_response_data.responses[0].cert_status {
            CertStatus::Revoked(info) => {
                assert_eq!(info.revocation_reason, Some(CrlReason::KeyCompromise));
            }
            other => panic!("{other:?}"),
        }

        let (_, basic) = get("unknown.der");
        assert_eq!(
            basic.tbs_response_data.responses[0].cert_status,
            CertStatus::Unknown(Null)
        );

        let (_, basic) = get("good-by-responder.der");
        let certs = basic.certs.unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(
            certs[0].tbs_certificate().subject().to_string(),
            "CN=sanstls OCSP responder"
        );
    }

    #[test]
    fn extensions_round_trip() {
        // openssl ocsp -no_nonce made the fixtures, so none has extensions: add a nonce
        // (id-pkix-ocsp-nonce) to a fixture's ResponseData and its SingleResponse.
        let der = std::fs::read(format!(
            "{}/../../vectors/pki/ocsp/good-by-ca.der",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let response = OcspResponse::from_der(&der).unwrap();
        let mut basic = BasicOcspResponse::from_der(basic_der(&response)).unwrap();
        let nonce = x509_cert::ext::Extension {
            extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
            critical: false,
            extn_value: OctetString::new([0x04, 0x02, 0xab, 0xcd]).unwrap(),
        };
        let tbs = &mut basic.tbs_response_data;
        tbs.response_extensions = Some(vec![nonce.clone()]);
        tbs.responses[0].single_extensions = Some(vec![nonce.clone()]);
        let nonce_der = nonce.to_der().unwrap();

        let single = tbs.responses[0].to_der().unwrap();
        // singleExtensions: [1] EXPLICIT SEQUENCE OF Extension, last in the SingleResponse.
        let mut tail = vec![0xa1, nonce_der.len() as u8 + 2, 0x30, nonce_der.len() as u8];
        tail.extend_from_slice(&nonce_der);
        assert!(single.ends_with(&tail), "{single:02x?}");
        let tbs_der = tbs.to_der().unwrap();
        // responseExtensions: [1] EXPLICIT, last in the ResponseData.
        assert!(tbs_der.ends_with(&tail), "{tbs_der:02x?}");

        let encoded = basic.to_der().unwrap();
        let decoded = BasicOcspResponse::from_der(&encoded).unwrap();
        assert_eq!(decoded, basic);
        assert_eq!(decoded.to_der().unwrap(), encoded);
    }

    #[test]
    fn tags_follow_the_rfc() {
        // CertStatus: IMPLICIT, so NULL's tag becomes [0] / [2] primitive and RevokedInfo's
        // SEQUENCE becomes [1] constructed.
        assert_eq!(CertStatus::Good(Null).to_der().unwrap(), [0x80, 0x00]);
        assert_eq!(CertStatus::Unknown(Null).to_der().unwrap(), [0x82, 0x00]);
        let time = GeneralizedTime::from_unix_duration(core::time::Duration::from_secs(0)).unwrap();
        let revoked = CertStatus::Revoked(RevokedInfo {
            revocation_time: time,
            revocation_reason: Some(CrlReason::KeyCompromise),
        });
        let der = revoked.to_der().unwrap();
        assert_eq!(der[0], 0xa1);
        // revocationReason: [0] EXPLICIT around an ENUMERATED.
        assert!(der.ends_with(&[0xa0, 0x03, 0x0a, 0x01, 0x01]), "{der:02x?}");
        assert_eq!(CertStatus::from_der(&der).unwrap(), revoked);

        // ResponderID byKey: [2] EXPLICIT around the OCTET STRING.
        let by_key = ResponderId::ByKey(OctetString::new([7u8; 20]).unwrap());
        let der = by_key.to_der().unwrap();
        assert_eq!(der[..4], [0xa2, 0x16, 0x04, 0x14]);
        assert_eq!(ResponderId::from_der(&der).unwrap(), by_key);
        // Not IMPLICIT: a bare [2] primitive OCTET STRING is refused.
        let mut implicit = vec![0x82, 0x14];
        implicit.extend_from_slice(&[7u8; 20]);
        assert!(ResponderId::from_der(&implicit).is_err());
    }

    #[test]
    fn version_other_than_v1_and_unknown_status_are_refused() {
        // Status 4 is not used by RFC 6960.
        assert!(OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, 0x04]).is_err());
        assert!(OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, 0x06]).is_ok());
        assert_eq!(Version::from_der(&[0x02, 0x01, 0x00]).unwrap(), Version::V1);
        assert!(Version::from_der(&[0x02, 0x01, 0x01]).is_err());
        // An ENUMERATED is not the INTEGER Version.
        assert!(Version::from_der(&[0x0a, 0x01, 0x00]).is_err());
    }
}
