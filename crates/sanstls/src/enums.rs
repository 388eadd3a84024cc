//! Wire enums (IANA TLS registries) that survive unknown values.
//!
//! Each enum has an `Unknown(n)` arm, so a decode→encode round trip is exact whatever the
//! peer sent. Conversion from the integer always maps a registered value to its named arm,
//! so two values compare equal exactly when their wire encodings do.

use crate::codec::{Codec, ListLength, Reader, TlsListElement};
use crate::error::InvalidMessage;
use crate::prelude::*;

macro_rules! wire_enum {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident: $repr:ty {
            $( $(#[$vm:meta])* $variant:ident = $value:expr ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[non_exhaustive]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, missing_docs)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vm])* $variant, )*
            /// A value this build does not name; kept so it re-encodes exactly.
            Unknown($repr),
        }

        impl $name {
            /// Every named value, in registry order (used by tests and property generators).
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The wire value.
            pub fn to_int(self) -> $repr {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(v) => v,
                }
            }

            /// The registry name, if this value has one.
            pub fn as_str(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some(stringify!($variant)), )*
                    $name::Unknown(_) => None,
                }
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                match v {
                    $( x if x == $value => $name::$variant, )*
                    x => $name::Unknown(x),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> $repr {
                v.to_int()
            }
        }

        impl Codec for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                self.to_int().encode(out);
            }

            fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
                <$repr>::read(r)
                    .map(Self::from)
                    .map_err(|_| InvalidMessage::MissingData(stringify!($name)))
            }
        }
    };
}

wire_enum! {
    /// Record content types (RFC 8446 s5.1).
    pub enum ContentType: u8 {
        ChangeCipherSpec = 20,
        Alert = 21,
        Handshake = 22,
        ApplicationData = 23,
        Heartbeat = 24,
    }
}

wire_enum! {
    /// Protocol versions as they appear on the wire.
    pub enum ProtocolVersion: u16 {
        SSLv2 = 0x0200,
        SSLv3 = 0x0300,
        TLSv1_0 = 0x0301,
        TLSv1_1 = 0x0302,
        TLSv1_2 = 0x0303,
        TLSv1_3 = 0x0304,
        DTLSv1_0 = 0xfeff,
        DTLSv1_2 = 0xfefd,
        DTLSv1_3 = 0xfefc,
    }
}

wire_enum! {
    /// Handshake message types (RFC 8446 s4, RFC 5246 s7.4, RFC 6066 s8).
    pub enum HandshakeType: u8 {
        HelloRequest = 0,
        ClientHello = 1,
        ServerHello = 2,
        HelloVerifyRequest = 3,
        NewSessionTicket = 4,
        EndOfEarlyData = 5,
        HelloRetryRequest = 6,
        EncryptedExtensions = 8,
        Certificate = 11,
        ServerKeyExchange = 12,
        CertificateRequest = 13,
        ServerHelloDone = 14,
        CertificateVerify = 15,
        ClientKeyExchange = 16,
        Finished = 20,
        CertificateURL = 21,
        CertificateStatus = 22,
        KeyUpdate = 24,
        CompressedCertificate = 25,
        MessageHash = 254,
    }
}

wire_enum! {
    /// Alert levels (RFC 5246 s7.2).
    pub enum AlertLevel: u8 {
        Warning = 1,
        Fatal = 2,
    }
}

wire_enum! {
    /// Alert descriptions (RFC 8446 s6, RFC 5246 s7.2, RFC 7301, RFC 8449).
    pub enum AlertDescription: u8 {
        CloseNotify = 0,
        UnexpectedMessage = 10,
        BadRecordMac = 20,
        DecryptionFailed = 21,
        RecordOverflow = 22,
        DecompressionFailure = 30,
        HandshakeFailure = 40,
        NoCertificate = 41,
        BadCertificate = 42,
        UnsupportedCertificate = 43,
        CertificateRevoked = 44,
        CertificateExpired = 45,
        CertificateUnknown = 46,
        IllegalParameter = 47,
        UnknownCA = 48,
        AccessDenied = 49,
        DecodeError = 50,
        DecryptError = 51,
        ExportRestriction = 60,
        ProtocolVersion = 70,
        InsufficientSecurity = 71,
        InternalError = 80,
        InappropriateFallback = 86,
        UserCanceled = 90,
        NoRenegotiation = 100,
        MissingExtension = 109,
        UnsupportedExtension = 110,
        CertificateUnobtainable = 111,
        UnrecognisedName = 112,
        BadCertificateStatusResponse = 113,
        BadCertificateHashValue = 114,
        UnknownPSKIdentity = 115,
        CertificateRequired = 116,
        NoApplicationProtocol = 120,
    }
}

wire_enum! {
    /// Cipher suites this engine implements, plus the signalling values it must recognise.
    /// Everything else is `Unknown` and still round-trips.
    pub enum CipherSuite: u16 {
        TLS_NULL_WITH_NULL_NULL = 0x0000,
        TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f,
        TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035,
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c,
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d,
        TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e,
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f,
        TLS_PSK_WITH_AES_128_GCM_SHA256 = 0x00a8,
        TLS_PSK_WITH_AES_256_GCM_SHA384 = 0x00a9,
        TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 = 0x00aa,
        TLS_DHE_PSK_WITH_AES_256_GCM_SHA384 = 0x00ab,
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
        TLS13_AES_128_GCM_SHA256 = 0x1301,
        TLS13_AES_256_GCM_SHA384 = 0x1302,
        TLS13_CHACHA20_POLY1305_SHA256 = 0x1303,
        TLS13_AES_128_CCM_SHA256 = 0x1304,
        TLS13_AES_128_CCM_8_SHA256 = 0x1305,
        TLS_FALLBACK_SCSV = 0x5600,
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009,
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xc00a,
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013,
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xc014,
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
        TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xccaa,
        TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccab,
        TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccac,
    }
}

wire_enum! {
    /// Named groups (RFC 8446 s4.2.7, RFC 7919, RFC 8422).
    pub enum NamedGroup: u16 {
        secp256r1 = 0x0017,
        secp384r1 = 0x0018,
        secp521r1 = 0x0019,
        X25519 = 0x001d,
        X448 = 0x001e,
        FFDHE2048 = 0x0100,
        FFDHE3072 = 0x0101,
        FFDHE4096 = 0x0102,
        FFDHE6144 = 0x0103,
        FFDHE8192 = 0x0104,
        SecP256r1MLKEM768 = 0x11eb,
        X25519MLKEM768 = 0x11ec,
        SecP384r1MLKEM1024 = 0x11ed,
    }
}

wire_enum! {
    /// Signature schemes (RFC 8446 s4.2.3); TLS 1.2's (hash, signature) pairs share the space.
    pub enum SignatureScheme: u16 {
        RSA_PKCS1_SHA1 = 0x0201,
        ECDSA_SHA1_Legacy = 0x0203,
        RSA_PKCS1_SHA256 = 0x0401,
        ECDSA_NISTP256_SHA256 = 0x0403,
        RSA_PKCS1_SHA384 = 0x0501,
        ECDSA_NISTP384_SHA384 = 0x0503,
        RSA_PKCS1_SHA512 = 0x0601,
        ECDSA_NISTP521_SHA512 = 0x0603,
        RSA_PSS_RSAE_SHA256 = 0x0804,
        RSA_PSS_RSAE_SHA384 = 0x0805,
        RSA_PSS_RSAE_SHA512 = 0x0806,
        ED25519 = 0x0807,
        ED448 = 0x0808,
        RSA_PSS_PSS_SHA256 = 0x0809,
        RSA_PSS_PSS_SHA384 = 0x080a,
        RSA_PSS_PSS_SHA512 = 0x080b,
    }
}

wire_enum! {
    /// Extension types (IANA "TLS ExtensionType Values").
    pub enum ExtensionType: u16 {
        ServerName = 0,
        MaxFragmentLength = 1,
        ClientCertificateUrl = 2,
        TrustedCAKeys = 3,
        TruncatedHMAC = 4,
        StatusRequest = 5,
        UserMapping = 6,
        ClientAuthz = 7,
        ServerAuthz = 8,
        CertificateType = 9,
        SupportedGroups = 10,
        ECPointFormats = 11,
        SRP = 12,
        SignatureAlgorithms = 13,
        UseSRTP = 14,
        Heartbeat = 15,
        ALProtocolNegotiation = 16,
        StatusRequestV2 = 17,
        SCT = 18,
        ClientCertificateType = 19,
        ServerCertificateType = 20,
        Padding = 21,
        EncryptThenMac = 22,
        ExtendedMasterSecret = 23,
        CompressCertificate = 27,
        RecordSizeLimit = 28,
        SessionTicket = 35,
        PreSharedKey = 41,
        EarlyData = 42,
        SupportedVersions = 43,
        Cookie = 44,
        PSKKeyExchangeModes = 45,
        CertificateAuthorities = 47,
        OIDFilters = 48,
        PostHandshakeAuth = 49,
        SignatureAlgorithmsCert = 50,
        KeyShare = 51,
        TransportParameters = 57,
        NextProtocolNegotiation = 13172,
        EncryptedClientHello = 0xfe0d,
        RenegotiationInfo = 0xff01,
    }
}

wire_enum! {
    /// EC point formats (RFC 8422 s5.1.2).
    pub enum ECPointFormat: u8 {
        Uncompressed = 0,
        ANSIX962CompressedPrime = 1,
        ANSIX962CompressedChar2 = 2,
    }
}

wire_enum! {
    /// ServerKeyExchange curve types (RFC 8422 s5.4).
    pub enum ECCurveType: u8 {
        ExplicitPrime = 1,
        ExplicitChar2 = 2,
        NamedCurve = 3,
    }
}

wire_enum! {
    /// PSK key exchange modes (RFC 8446 s4.2.9).
    pub enum PSKKeyExchangeMode: u8 {
        PSK_KE = 0,
        PSK_DHE_KE = 1,
    }
}

wire_enum! {
    /// server_name name types (RFC 6066 s3).
    pub enum ServerNameType: u8 {
        HostName = 0,
    }
}

wire_enum! {
    /// status_request types (RFC 6066 s8).
    pub enum CertificateStatusType: u8 {
        OCSP = 1,
    }
}

wire_enum! {
    /// KeyUpdate request field (RFC 8446 s4.6.3).
    pub enum KeyUpdateRequest: u8 {
        UpdateNotRequested = 0,
        UpdateRequested = 1,
    }
}

wire_enum! {
    /// max_fragment_length values (RFC 6066 s4).
    pub enum MaxFragmentLength: u8 {
        Pow2_9 = 1,
        Pow2_10 = 2,
        Pow2_11 = 3,
        Pow2_12 = 4,
    }
}

wire_enum! {
    /// Compression methods (RFC 5246 s7.4.1.2); only `Null` is ever negotiated.
    pub enum Compression: u8 {
        Null = 0,
        Deflate = 1,
    }
}

wire_enum! {
    /// TLS 1.2 CertificateRequest certificate types (RFC 5246 s7.4.4, RFC 8422).
    pub enum ClientCertificateType: u8 {
        RSASign = 1,
        DSSSign = 2,
        RSAFixedDH = 3,
        DSSFixedDH = 4,
        ECDSASign = 64,
        RSAFixedECDH = 65,
        ECDSAFixedECDH = 66,
    }
}

wire_enum! {
    /// TLS 1.2 hash algorithm half of a SignatureAndHashAlgorithm (RFC 5246 s7.4.1.4.1).
    pub enum HashAlgorithm: u8 {
        NONE = 0,
        MD5 = 1,
        SHA1 = 2,
        SHA224 = 3,
        SHA256 = 4,
        SHA384 = 5,
        SHA512 = 6,
    }
}

impl TlsListElement for CipherSuite {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 {
        context: "cipher_suites",
    };
    const ENCODED_LEN: Option<usize> = Some(2);
}

impl TlsListElement for Compression {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU8 {
        context: "compression_methods",
    };
    const ENCODED_LEN: Option<usize> = Some(1);
}

impl TlsListElement for NamedGroup {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 {
        context: "named_group_list",
    };
    const ENCODED_LEN: Option<usize> = Some(2);
}

impl TlsListElement for SignatureScheme {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 {
        context: "supported_signature_algorithms",
    };
    const ENCODED_LEN: Option<usize> = Some(2);
}

impl TlsListElement for ECPointFormat {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU8 {
        context: "ec_point_format_list",
    };
    const ENCODED_LEN: Option<usize> = Some(1);
}

impl TlsListElement for PSKKeyExchangeMode {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU8 {
        context: "ke_modes",
    };
    const ENCODED_LEN: Option<usize> = Some(1);
}

impl TlsListElement for ClientCertificateType {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU8 {
        context: "certificate_types",
    };
    const ENCODED_LEN: Option<usize> = Some(1);
}

impl TlsListElement for ExtensionType {
    const LIST_LENGTH: ListLength = ListLength::U8;
    const ENCODED_LEN: Option<usize> = Some(2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values_round_trip() {
        for v in 0..=u16::MAX {
            let s = CipherSuite::from(v);
            assert_eq!(s.to_int(), v);
            assert_eq!(CipherSuite::read_bytes(&s.get_encoding()).unwrap(), s);
        }
        for v in 0..=u8::MAX {
            assert_eq!(AlertDescription::from(v).to_int(), v);
        }
        assert_eq!(ContentType::from(22), ContentType::Handshake);
        assert_eq!(ContentType::from(99), ContentType::Unknown(99));
        assert_eq!(NamedGroup::X25519.as_str(), Some("X25519"));
    }

    #[test]
    fn named_values_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for s in SignatureScheme::ALL {
            assert!(seen.insert(s.to_int()), "{s:?} repeats a value");
        }
    }

    #[test]
    fn truncated_enum_names_its_type() {
        assert_eq!(
            ProtocolVersion::read_bytes(&[3]),
            Err(InvalidMessage::MissingData("ProtocolVersion"))
        );
    }
}
