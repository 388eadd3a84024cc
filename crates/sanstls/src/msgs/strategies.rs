//! Test support shared by the `msgs` tests: the codec-law check, the extension-list helpers
//! and proptest strategies for the hello-phase types.

use alloc::collections::BTreeSet;

use super::extensions::*;
use crate::codec::{Codec, Payload, PayloadU16, PayloadU8};
use crate::enums::{
    CertificateStatusType, ECPointFormat, ExtensionType, MaxFragmentLength, NamedGroup,
    PSKKeyExchangeMode, ProtocolVersion, ServerNameType, SignatureScheme,
};
use crate::msgs::base::DistinguishedName;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Asserts the codec laws on one value: encode→decode is the identity, re-encoding the
/// decoded value reproduces the bytes, and every strict prefix fails to decode.
pub(crate) fn check_laws<T: Codec + PartialEq + core::fmt::Debug>(v: &T) {
    let enc = v.get_encoding();
    let back = T::read_bytes(&enc).unwrap_or_else(|e| panic!("{v:?} -> {e:?}"));
    assert_eq!(&back, v);
    assert_eq!(back.get_encoding(), enc);
    for n in 0..enc.len() {
        assert!(
            T::read_bytes(&enc[..n]).is_err(),
            "prefix {n} of {v:?} decoded"
        );
    }
}

/// Drops every extension whose type already appeared, as a valid list must.
pub(crate) fn dedup_extensions<E: TlsExtension>(exts: Vec<E>) -> Vec<E> {
    let mut seen = BTreeSet::new();
    exts.into_iter()
        .filter(|e| seen.insert(e.ext_type().to_int()))
        .collect()
}

/// Bytes with a length in `min..=max`.
pub(crate) fn bytes(min: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), min..=max)
}

/// A wire enum value: a named one or any value at all.
pub(crate) fn wire16<T>(all: &'static [T]) -> impl Strategy<Value = T>
where
    T: From<u16> + Clone + core::fmt::Debug + 'static,
{
    prop_oneof![select(all), any::<u16>().prop_map(T::from)]
}

/// As [`wire16`] for one-byte enums.
pub(crate) fn wire8<T>(all: &'static [T]) -> impl Strategy<Value = T>
where
    T: From<u8> + Clone + core::fmt::Debug + 'static,
{
    prop_oneof![select(all), any::<u8>().prop_map(T::from)]
}

pub(crate) fn server_name_list() -> impl Strategy<Value = ServerNameList> {
    let name = prop_oneof![
        bytes(1, 40).prop_map(|b| ServerName::HostName(HostName(b))),
        (1u8.., bytes(0, 20)).prop_map(|(t, b)| ServerName::Unknown {
            name_type: ServerNameType::from(t),
            data: PayloadU16(b),
        }),
    ];
    vec(name, 1..4).prop_map(|mut names| {
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.name_type()));
        ServerNameList(names)
    })
}

pub(crate) fn max_fragment_length() -> impl Strategy<Value = MaxFragmentLength> {
    select(MaxFragmentLength::ALL)
}

pub(crate) fn status_request() -> impl Strategy<Value = CertificateStatusRequest> {
    prop_oneof![
        (vec(bytes(1, 20).prop_map(ResponderId), 0..3), bytes(0, 20)).prop_map(
            |(responder_ids, ext)| CertificateStatusRequest::Ocsp(OcspStatusRequest {
                responder_ids,
                extensions: PayloadU16(ext),
            })
        ),
        (2u8.., bytes(0, 20)).prop_map(|(t, b)| CertificateStatusRequest::Unknown {
            status_type: CertificateStatusType::from(t),
            data: Payload(b),
        }),
    ]
}

pub(crate) fn groups() -> impl Strategy<Value = Vec<NamedGroup>> {
    vec(wire16(NamedGroup::ALL), 1..8)
}

pub(crate) fn point_formats() -> impl Strategy<Value = Vec<ECPointFormat>> {
    vec(wire8(ECPointFormat::ALL), 1..4)
}

pub(crate) fn schemes() -> impl Strategy<Value = Vec<SignatureScheme>> {
    vec(wire16(SignatureScheme::ALL), 1..10)
}

pub(crate) fn protocol_name() -> impl Strategy<Value = ProtocolName> {
    bytes(1, 12).prop_map(ProtocolName)
}

pub(crate) fn record_size_limit() -> impl Strategy<Value = RecordSizeLimit> {
    (RecordSizeLimit::MIN..).prop_map(RecordSizeLimit)
}

pub(crate) fn offered_psks() -> impl Strategy<Value = OfferedPsks> {
    vec(
        (bytes(1, 40), any::<u32>(), bytes(32, 48)).prop_map(|(identity, age, binder)| {
            (
                PskIdentity {
                    identity,
                    obfuscated_ticket_age: age,
                },
                PskBinderEntry(binder),
            )
        }),
        1..3,
    )
    .prop_map(|pairs| {
        let (identities, binders) = pairs.into_iter().unzip();
        OfferedPsks {
            identities,
            binders,
        }
    })
}

pub(crate) fn key_share_entry() -> impl Strategy<Value = KeyShareEntry> {
    (wire16(NamedGroup::ALL), bytes(1, 40)).prop_map(|(group, key_exchange)| KeyShareEntry {
        group,
        key_exchange,
    })
}

pub(crate) fn client_shares() -> impl Strategy<Value = Vec<KeyShareEntry>> {
    vec(key_share_entry(), 0..4).prop_map(|mut shares| {
        let mut seen = std::collections::HashSet::new();
        shares.retain(|s| seen.insert(s.group));
        shares
    })
}

/// Extension types a `ClientExtension` models (an `Unknown` must use another one).
pub(crate) const CLIENT_MODELLED: &[u16] = &[
    0, 1, 5, 10, 11, 13, 50, 16, 18, 21, 22, 23, 28, 35, 41, 42, 43, 44, 45, 47, 49, 51, 0xff01,
];
/// Extension types a `ServerExtension` models.
pub(crate) const SERVER_MODELLED: &[u16] = &[
    0, 1, 5, 10, 16, 18, 23, 22, 0xff01, 35, 11, 28, 42, 43, 51, 41,
];
/// Extension types a `HelloRetryExtension` models.
pub(crate) const HRR_MODELLED: &[u16] = &[51, 44, 43];

/// An `UnknownExtension` whose type `keep` accepts.
fn unknown_where(keep: impl Fn(u16) -> bool + 'static) -> impl Strategy<Value = UnknownExtension> {
    (
        any::<u16>().prop_filter("modelled type", move |t| keep(*t)),
        bytes(0, 30),
    )
        .prop_map(|(t, b)| UnknownExtension {
            typ: ExtensionType::from(t),
            payload: Payload(b),
        })
}

/// An `UnknownExtension` as a hello keeps it: any type the message does not model.
pub(crate) fn unknown(modelled: &'static [u16]) -> impl Strategy<Value = UnknownExtension> {
    unknown_where(move |t| !modelled.contains(&t))
}

/// An `UnknownExtension` as the later messages keep it: a type this build does not name
/// (named ones are refused there, see [`UnknownExtension::read_unnamed`]).
pub(crate) fn unnamed_extension() -> impl Strategy<Value = UnknownExtension> {
    unknown_where(|t| matches!(ExtensionType::from(t), ExtensionType::Unknown(_)))
}

pub(crate) fn client_extension() -> impl Strategy<Value = ClientExtension> {
    prop_oneof![
        server_name_list().prop_map(ClientExtension::ServerName),
        max_fragment_length().prop_map(ClientExtension::MaxFragmentLength),
        status_request().prop_map(ClientExtension::StatusRequest),
        groups().prop_map(ClientExtension::SupportedGroups),
        point_formats().prop_map(ClientExtension::EcPointFormats),
        schemes().prop_map(ClientExtension::SignatureAlgorithms),
        schemes().prop_map(ClientExtension::SignatureAlgorithmsCert),
        vec(protocol_name(), 1..4).prop_map(ClientExtension::Alpn),
        Just(ClientExtension::SignedCertificateTimestampRequest),
        bytes(0, 40).prop_map(|b| ClientExtension::Padding(Padding(b))),
        Just(ClientExtension::EncryptThenMac),
        Just(ClientExtension::ExtendedMasterSecret),
        record_size_limit().prop_map(ClientExtension::RecordSizeLimit),
        bytes(0, 40).prop_map(|b| ClientExtension::SessionTicket(Payload(b))),
        offered_psks().prop_map(ClientExtension::PreSharedKey),
        Just(ClientExtension::EarlyData),
        vec(wire16(ProtocolVersion::ALL), 1..5)
            .prop_map(|v| ClientExtension::SupportedVersions(SupportedVersions(v))),
        bytes(1, 40).prop_map(|b| ClientExtension::Cookie(Cookie(b))),
        vec(wire8(PSKKeyExchangeMode::ALL), 1..3).prop_map(ClientExtension::PskKeyExchangeModes),
        vec(bytes(1, 20).prop_map(DistinguishedName), 1..3)
            .prop_map(|n| ClientExtension::CertificateAuthorities(CertificateAuthorities(n))),
        Just(ClientExtension::PostHandshakeAuth),
        client_shares().prop_map(ClientExtension::KeyShare),
        bytes(0, 24).prop_map(|b| ClientExtension::RenegotiationInfo(PayloadU8(b))),
        unknown(CLIENT_MODELLED).prop_map(ClientExtension::Unknown),
    ]
}

/// A valid ClientHello extension list: distinct types, pre_shared_key (if any) last.
pub(crate) fn client_extensions() -> impl Strategy<Value = Vec<ClientExtension>> {
    vec(client_extension(), 0..10).prop_map(|exts| {
        let mut exts = dedup_extensions(exts);
        if let Some(i) = exts
            .iter()
            .position(|e| e.ext_type() == ExtensionType::PreSharedKey)
        {
            let psk = exts.remove(i);
            exts.push(psk);
        }
        exts
    })
}

pub(crate) fn server_extension() -> impl Strategy<Value = ServerExtension> {
    prop_oneof![
        Just(ServerExtension::ServerNameAck),
        max_fragment_length().prop_map(ServerExtension::MaxFragmentLength),
        Just(ServerExtension::StatusRequestAck),
        groups().prop_map(ServerExtension::SupportedGroups),
        protocol_name().prop_map(ServerExtension::Alpn),
        vec(bytes(1, 30).prop_map(Sct), 1..3).prop_map(ServerExtension::SignedCertificateTimestamp),
        Just(ServerExtension::ExtendedMasterSecretAck),
        Just(ServerExtension::EncryptThenMacAck),
        bytes(0, 24).prop_map(|b| ServerExtension::RenegotiationInfo(PayloadU8(b))),
        Just(ServerExtension::SessionTicketAck),
        point_formats().prop_map(ServerExtension::EcPointFormats),
        record_size_limit().prop_map(ServerExtension::RecordSizeLimit),
        Just(ServerExtension::EarlyData),
        wire16(ProtocolVersion::ALL).prop_map(ServerExtension::SupportedVersions),
        key_share_entry().prop_map(ServerExtension::KeyShare),
        any::<u16>().prop_map(ServerExtension::PreSharedKey),
        unknown(SERVER_MODELLED).prop_map(ServerExtension::Unknown),
    ]
}

/// A valid server extension list (distinct types).
pub(crate) fn server_extensions() -> impl Strategy<Value = Vec<ServerExtension>> {
    vec(server_extension(), 0..8).prop_map(dedup_extensions)
}

pub(crate) fn hello_retry_extension() -> impl Strategy<Value = HelloRetryExtension> {
    prop_oneof![
        wire16(NamedGroup::ALL).prop_map(HelloRetryExtension::KeyShare),
        bytes(1, 40).prop_map(|b| HelloRetryExtension::Cookie(Cookie(b))),
        wire16(ProtocolVersion::ALL).prop_map(HelloRetryExtension::SupportedVersions),
        unknown(HRR_MODELLED).prop_map(HelloRetryExtension::Unknown),
    ]
}

/// A valid HelloRetryRequest extension list: distinct types, supported_versions present.
pub(crate) fn hello_retry_extensions() -> impl Strategy<Value = Vec<HelloRetryExtension>> {
    (
        vec(hello_retry_extension(), 0..4),
        wire16(ProtocolVersion::ALL),
    )
        .prop_map(|(exts, version)| {
            let mut exts = dedup_extensions(exts);
            if !exts
                .iter()
                .any(|e| e.ext_type() == ExtensionType::SupportedVersions)
            {
                exts.insert(0, HelloRetryExtension::SupportedVersions(version));
            }
            exts
        })
}
