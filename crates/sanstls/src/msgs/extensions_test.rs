use super::*;
use crate::msgs::strategies::*;
use proptest::prelude::*;

/// Wraps `body` as an extension of type `typ`.
fn ext_bytes(typ: u16, body: &[u8]) -> Vec<u8> {
    let mut out = typ.to_be_bytes().to_vec();
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// Reads a hello-style extension list: `<0..2^16-1>`, named "extensions" in errors.
fn read_list<E: TlsExtension>(r: &mut Reader<'_>) -> Result<Vec<E>, InvalidMessage> {
    read_extensions(r, ListLength::U16, None, "extensions")
}

/// Concatenates extensions behind a u16 list length.
fn framed(exts: &[Vec<u8>]) -> Vec<u8> {
    let body = exts.concat();
    let mut out = (body.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

fn client(typ: u16, body: &[u8]) -> Result<ClientExtension, InvalidMessage> {
    ClientExtension::read_bytes(&ext_bytes(typ, body))
}

fn server(typ: u16, body: &[u8]) -> Result<ServerExtension, InvalidMessage> {
    ServerExtension::read_bytes(&ext_bytes(typ, body))
}

fn retry(typ: u16, body: &[u8]) -> Result<HelloRetryExtension, InvalidMessage> {
    HelloRetryExtension::read_bytes(&ext_bytes(typ, body))
}

/// Decodes, checks the re-encoding is `bytes`, returns the value.
fn client_exact(typ: u16, body: &[u8]) -> ClientExtension {
    let ext = client(typ, body).unwrap();
    assert_eq!(ext.get_encoding(), ext_bytes(typ, body), "{ext:?}");
    assert_eq!(ext.ext_type().to_int(), typ);
    ext
}

fn server_exact(typ: u16, body: &[u8]) -> ServerExtension {
    let ext = server(typ, body).unwrap();
    assert_eq!(ext.get_encoding(), ext_bytes(typ, body), "{ext:?}");
    assert_eq!(ext.ext_type().to_int(), typ);
    ext
}

use InvalidMessage::*;

#[test]
fn server_name_forms() {
    // "server" as in RFC 8448.
    let ext = client_exact(0, &hex::decode("0009000006736572766572").unwrap());
    let ClientExtension::ServerName(list) = &ext else {
        panic!("{ext:?}")
    };
    assert_eq!(list.host_name().unwrap().0, b"server");
    assert_eq!(
        client(0, &[0, 0]),
        Err(InvalidEmptyList("server_name_list"))
    );
    assert_eq!(
        client(0, &[0, 3, 0, 0, 0]),
        Err(InvalidEmptyList("HostName"))
    );
    assert_eq!(client(0, &[]), Err(MissingData("server_name_list")));
    // Same name type twice.
    assert_eq!(
        client(0, &[0, 8, 0, 0, 1, b'a', 0, 0, 1, b'b']),
        Err(IllegalValue("server_name_list: a name type repeats"))
    );
    // An unknown name type is kept (RFC 6066: its data starts with a u16 length), even
    // next to a host name, and even empty.
    let ext = client_exact(0, &[0, 12, 0, 0, 1, b'a', 7, 0, 2, 9, 9, 8, 0, 0]);
    let ClientExtension::ServerName(list) = &ext else {
        panic!("{ext:?}")
    };
    assert_eq!(list.0.len(), 3);
    assert_eq!(list.host_name().unwrap().0, b"a");
    assert_eq!(
        client(0, &[0, 9, 7, 0, 1, b'a', 7, 0, 2, 9, 9]),
        Err(IllegalValue("server_name_list: a name type repeats"))
    );
    // Trailing data after the list, inside the extension body.
    assert_eq!(
        client(0, &[0, 4, 0, 0, 1, b'a', 0]),
        Err(TrailingData("ServerName"))
    );
    // The server's acknowledgement is empty.
    assert_eq!(server_exact(0, &[]), ServerExtension::ServerNameAck);
    assert_eq!(server(0, &[0]), Err(TrailingData("ServerName")));
    assert_eq!(
        ServerNameList::from_host_name(b"x").get_encoding(),
        [0, 4, 0, 0, 1, b'x']
    );
}

#[test]
fn max_fragment_length_values() {
    assert_eq!(
        client_exact(1, &[4]),
        ClientExtension::MaxFragmentLength(MaxFragmentLength::Pow2_12)
    );
    assert_eq!(client(1, &[0]), Err(IllegalValue("max_fragment_length")));
    assert_eq!(client(1, &[5]), Err(IllegalValue("max_fragment_length")));
    assert_eq!(client(1, &[]), Err(MissingData("MaxFragmentLength")));
    assert_eq!(client(1, &[1, 1]), Err(TrailingData("MaxFragmentLength")));
    assert_eq!(
        server_exact(1, &[2]),
        ServerExtension::MaxFragmentLength(MaxFragmentLength::Pow2_10)
    );
    assert_eq!(server(1, &[9]), Err(IllegalValue("max_fragment_length")));
}

#[test]
fn status_request_forms() {
    // As OpenSSL's `s_client -status` sends it.
    assert_eq!(
        client_exact(5, &[1, 0, 0, 0, 0]),
        ClientExtension::StatusRequest(CertificateStatusRequest::ocsp())
    );
    let ext = client_exact(5, &[1, 0, 7, 0, 2, 0xaa, 0xbb, 0, 1, 0xcc, 0, 2, 0x30, 0]);
    let ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp(req)) = ext else {
        panic!()
    };
    assert_eq!(
        req.responder_ids,
        [ResponderId(vec![0xaa, 0xbb]), ResponderId(vec![0xcc])]
    );
    assert_eq!(req.extensions.0, [0x30, 0]);
    assert_eq!(
        client(5, &[1, 0, 2, 0, 0, 0, 0]),
        Err(InvalidEmptyList("ResponderID"))
    );
    assert_eq!(client(5, &[1, 0, 0]), Err(MissingData("u16-length vector")));
    assert_eq!(
        client(5, &[1, 0, 0, 0, 0, 0]),
        Err(TrailingData("StatusRequest"))
    );
    // Unknown status types keep their request opaque.
    let ext = client_exact(5, &[2, 1, 2, 3]);
    assert!(matches!(
        ext,
        ClientExtension::StatusRequest(CertificateStatusRequest::Unknown { status_type, .. })
            if status_type == CertificateStatusType::Unknown(2)
    ));
    assert_eq!(server_exact(5, &[]), ServerExtension::StatusRequestAck);
    assert_eq!(server(5, &[1]), Err(TrailingData("StatusRequest")));
}

#[test]
fn groups_point_formats_and_signature_schemes() {
    assert_eq!(
        client_exact(10, &[0, 4, 0, 0x1d, 0x12, 0x34]),
        ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::Unknown(0x1234)])
    );
    assert_eq!(
        client(10, &[0, 0]),
        Err(InvalidEmptyList("named_group_list"))
    );
    assert_eq!(
        client(10, &[0, 3, 0, 0x1d, 0]),
        Err(MissingData("NamedGroup"))
    );
    assert_eq!(
        client(10, &[0, 2, 0, 0x1d, 0]),
        Err(TrailingData("SupportedGroups"))
    );
    assert_eq!(
        client(10, &[0, 4, 0, 0x1d]),
        Err(MissingData("named_group_list"))
    );
    assert_eq!(
        server_exact(10, &[0, 2, 0, 0x17]),
        ServerExtension::SupportedGroups(vec![NamedGroup::secp256r1])
    );
    client_exact(11, &[3, 0, 1, 2]);
    assert_eq!(
        client(11, &[0]),
        Err(InvalidEmptyList("ec_point_format_list"))
    );
    assert_eq!(
        server(11, &[0]),
        Err(InvalidEmptyList("ec_point_format_list"))
    );
    client_exact(13, &[0, 2, 8, 4]);
    client_exact(50, &[0, 2, 8, 4]);
    assert_eq!(
        client(13, &[0, 0]),
        Err(InvalidEmptyList("supported_signature_algorithms"))
    );
    assert_eq!(client(50, &[0, 1, 8]), Err(MissingData("SignatureScheme")));
}

#[test]
fn alpn() {
    let ext = client_exact(16, b"\x00\x0c\x02h2\x08http/1.1");
    assert_eq!(
        ext,
        ClientExtension::Alpn(vec![
            ProtocolName(b"h2".to_vec()),
            ProtocolName(b"http/1.1".to_vec())
        ])
    );
    assert_eq!(
        client(16, &[0, 0]),
        Err(InvalidEmptyList("protocol_name_list"))
    );
    assert_eq!(
        client(16, &[0, 1, 0]),
        Err(InvalidEmptyList("ProtocolName"))
    );
    assert_eq!(
        server_exact(16, b"\x00\x03\x02h2"),
        ServerExtension::Alpn(ProtocolName(b"h2".to_vec()))
    );
    assert_eq!(
        server(16, b"\x00\x06\x02h2\x02h3"),
        Err(IllegalValue(
            "ALPN: the server must select exactly one protocol"
        ))
    );
    assert_eq!(
        server(16, &[0, 0]),
        Err(InvalidEmptyList("protocol_name_list"))
    );
}

#[test]
fn signed_certificate_timestamp() {
    assert_eq!(
        client_exact(18, &[]),
        ClientExtension::SignedCertificateTimestampRequest
    );
    assert_eq!(client(18, &[0, 0]), Err(TrailingData("SCT")));
    assert_eq!(
        server_exact(18, &[0, 5, 0, 3, 1, 2, 3]),
        ServerExtension::SignedCertificateTimestamp(vec![Sct(vec![1, 2, 3])])
    );
    assert_eq!(server(18, &[0, 0]), Err(InvalidEmptyList("sct_list")));
    assert_eq!(
        server(18, &[0, 2, 0, 0]),
        Err(InvalidEmptyList("SerializedSCT"))
    );
    assert_eq!(server(18, &[]), Err(MissingData("sct_list")));
}

#[test]
fn padding_keeps_its_bytes() {
    assert_eq!(
        client_exact(21, &[0; 7]),
        ClientExtension::Padding(Padding::zeros(7))
    );
    assert_eq!(
        client_exact(21, &[]),
        ClientExtension::Padding(Padding::zeros(0))
    );
    // Nonzero padding is kept, not rejected (RFC 7685: the server must not check).
    let ext = client_exact(21, &[0, 1, 0]);
    assert_eq!(ext, ClientExtension::Padding(Padding(vec![0, 1, 0])));
}

#[test]
fn empty_extensions_must_be_empty() {
    for (typ, ext) in [
        (22, ClientExtension::EncryptThenMac),
        (23, ClientExtension::ExtendedMasterSecret),
        (42, ClientExtension::EarlyData),
        (49, ClientExtension::PostHandshakeAuth),
    ] {
        assert_eq!(client_exact(typ, &[]), ext);
        let ctx = ExtensionType::from(typ).as_str().unwrap();
        assert_eq!(client(typ, &[0]), Err(TrailingData(ctx)));
    }
    for (typ, ext) in [
        (22, ServerExtension::EncryptThenMacAck),
        (23, ServerExtension::ExtendedMasterSecretAck),
        (42, ServerExtension::EarlyData),
        (35, ServerExtension::SessionTicketAck),
    ] {
        assert_eq!(server_exact(typ, &[]), ext);
        let ctx = ExtensionType::from(typ).as_str().unwrap();
        assert_eq!(server(typ, &[0, 0]), Err(TrailingData(ctx)));
    }
}

#[test]
fn record_size_limit_bounds() {
    assert_eq!(
        client_exact(28, &[0x40, 0x01]),
        ClientExtension::RecordSizeLimit(RecordSizeLimit(0x4001))
    );
    assert_eq!(
        client_exact(28, &[0, 64]),
        ClientExtension::RecordSizeLimit(RecordSizeLimit(64))
    );
    assert_eq!(
        client(28, &[0, 63]),
        Err(IllegalValue("record_size_limit smaller than 64"))
    );
    assert_eq!(
        server(28, &[0, 0]),
        Err(IllegalValue("record_size_limit smaller than 64"))
    );
    assert_eq!(
        client(28, &[0, 63]).unwrap_err().alert(),
        crate::enums::AlertDescription::IllegalParameter
    );
    assert_eq!(client(28, &[1]), Err(MissingData("RecordSizeLimit")));
    assert_eq!(client(28, &[1, 0, 0]), Err(TrailingData("RecordSizeLimit")));
}

#[test]
fn session_ticket() {
    assert_eq!(
        client_exact(35, &[]),
        ClientExtension::SessionTicket(Payload(vec![]))
    );
    assert_eq!(
        client_exact(35, &[1, 2, 3]),
        ClientExtension::SessionTicket(Payload(vec![1, 2, 3]))
    );
}

/// `identities` then `binders` bodies for one identity and one binder.
fn psk_body(identity: &[u8], binder: &[u8]) -> Vec<u8> {
    let mut ids = (identity.len() as u16).to_be_bytes().to_vec();
    ids.extend_from_slice(identity);
    ids.extend_from_slice(&[0, 0, 0, 9]);
    let mut out = (ids.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&ids);
    out.extend_from_slice(&(binder.len() as u16 + 1).to_be_bytes());
    out.push(binder.len() as u8);
    out.extend_from_slice(binder);
    out
}

#[test]
fn pre_shared_key() {
    let ext = client_exact(41, &psk_body(b"ticket", &[7; 32]));
    let ClientExtension::PreSharedKey(psk) = &ext else {
        panic!()
    };
    assert_eq!(psk.identities[0].identity, b"ticket");
    assert_eq!(psk.identities[0].obfuscated_ticket_age, 9);
    assert_eq!(psk.binders, [PskBinderEntry(vec![7; 32])]);
    assert_eq!(psk.binders_encoded_len(), 2 + 1 + 32);
    assert_eq!(
        client(41, &psk_body(b"ticket", &[7; 31])),
        Err(TooShort("PskBinderEntry"))
    );
    assert_eq!(
        client(41, &psk_body(b"", &[7; 32])),
        Err(InvalidEmptyList("identity"))
    );
    assert_eq!(
        client(41, &[0, 0, 0, 0]),
        Err(InvalidEmptyList("identities"))
    );
    // An identity and no binders.
    let mut body = psk_body(b"t", &[7; 32]);
    body.truncate(2 + 7);
    body.extend_from_slice(&[0, 0]);
    assert_eq!(client(41, &body), Err(InvalidEmptyList("binders")));
    // Two binders for one identity.
    let mut body = psk_body(b"t", &[7; 32]);
    body.truncate(2 + 7);
    body.extend_from_slice(&[0, 66]);
    body.push(32);
    body.extend_from_slice(&[1; 32]);
    body.push(32);
    body.extend_from_slice(&[2; 32]);
    assert_eq!(
        client(41, &body),
        Err(IllegalValue(
            "pre_shared_key: identities and binders differ in number"
        ))
    );
    assert_eq!(server_exact(41, &[0, 1]), ServerExtension::PreSharedKey(1));
    assert_eq!(server(41, &[0]), Err(MissingData("selected_identity")));
    assert_eq!(server(41, &[0, 0, 0]), Err(TrailingData("PreSharedKey")));
}

#[test]
fn max_early_data_size() {
    let v = MaxEarlyDataSize(0x1234_5678);
    assert_eq!(v.get_encoding(), [0x12, 0x34, 0x56, 0x78]);
    assert_eq!(
        MaxEarlyDataSize::read_bytes(&[0x12, 0x34, 0x56, 0x78]),
        Ok(v)
    );
    assert_eq!(
        MaxEarlyDataSize::read_bytes(&[1, 2, 3]),
        Err(MissingData("max_early_data_size"))
    );
}

#[test]
fn supported_versions() {
    assert_eq!(
        client_exact(43, &[4, 3, 4, 3, 3]),
        ClientExtension::SupportedVersions(SupportedVersions(vec![
            ProtocolVersion::TLSv1_3,
            ProtocolVersion::TLSv1_2
        ]))
    );
    assert_eq!(
        client(43, &[0]),
        Err(InvalidEmptyList("supported_versions"))
    );
    assert_eq!(
        client(43, &[3, 3, 4, 3]),
        Err(MissingData("ProtocolVersion"))
    );
    assert_eq!(client(43, &[]), Err(MissingData("supported_versions")));
    assert_eq!(
        server_exact(43, &[3, 4]),
        ServerExtension::SupportedVersions(ProtocolVersion::TLSv1_3)
    );
    // The server's form is one version, not a list.
    assert_eq!(
        server(43, &[2, 3, 4]),
        Err(TrailingData("SupportedVersions"))
    );
    assert_eq!(
        retry(43, &[3, 4]),
        Ok(HelloRetryExtension::SupportedVersions(
            ProtocolVersion::TLSv1_3
        ))
    );
}

#[test]
fn cookie_modes_authorities_and_reneg() {
    assert_eq!(
        client_exact(44, &[0, 2, 1, 2]),
        ClientExtension::Cookie(Cookie(vec![1, 2]))
    );
    assert_eq!(client(44, &[0, 0]), Err(InvalidEmptyList("cookie")));
    assert_eq!(retry(44, &[0, 0]), Err(InvalidEmptyList("cookie")));
    assert_eq!(
        client_exact(45, &[1, 1]),
        ClientExtension::PskKeyExchangeModes(vec![PSKKeyExchangeMode::PSK_DHE_KE])
    );
    assert_eq!(client(45, &[0]), Err(InvalidEmptyList("ke_modes")));
    client_exact(47, &[0, 5, 0, 3, 0x30, 1, 0]);
    assert_eq!(
        client(47, &[0, 0]),
        Err(InvalidEmptyList("certificate_authorities"))
    );
    assert_eq!(
        client(47, &[0, 2, 0, 0]),
        Err(InvalidEmptyList("DistinguishedName"))
    );
    assert_eq!(
        client_exact(0xff01, &[0]),
        ClientExtension::RenegotiationInfo(PayloadU8(vec![]))
    );
    assert_eq!(
        server_exact(0xff01, &[2, 1, 2]),
        ServerExtension::RenegotiationInfo(PayloadU8(vec![1, 2]))
    );
    assert_eq!(client(0xff01, &[]), Err(MissingData("u8-length vector")));
    assert_eq!(
        client(0xff01, &[0, 0]),
        Err(TrailingData("RenegotiationInfo"))
    );
}

#[test]
fn key_share_forms() {
    // An empty client_shares is legal (the client asks the server to pick via HRR).
    assert_eq!(client_exact(51, &[0, 0]), ClientExtension::KeyShare(vec![]));
    let ext = client_exact(51, &[0, 10, 0, 0x1d, 0, 1, 9, 0, 0x17, 0, 1, 8]);
    assert_eq!(
        ext,
        ClientExtension::KeyShare(vec![
            KeyShareEntry {
                group: NamedGroup::X25519,
                key_exchange: vec![9]
            },
            KeyShareEntry {
                group: NamedGroup::secp256r1,
                key_exchange: vec![8]
            },
        ])
    );
    assert_eq!(
        client(51, &[0, 10, 0, 0x1d, 0, 1, 9, 0, 0x1d, 0, 1, 8]),
        Err(IllegalValue("key_share: a group is offered twice"))
    );
    assert_eq!(
        client(51, &[0, 4, 0, 0x1d, 0, 0]),
        Err(InvalidEmptyList("key_exchange"))
    );
    assert_eq!(
        server_exact(51, &[0, 0x1d, 0, 2, 1, 2]),
        ServerExtension::KeyShare(KeyShareEntry {
            group: NamedGroup::X25519,
            key_exchange: vec![1, 2]
        })
    );
    assert_eq!(
        server(51, &[0, 0x1d, 0, 0]),
        Err(InvalidEmptyList("key_exchange"))
    );
    assert_eq!(
        server(51, &[0, 0x1d, 0, 1, 1, 0]),
        Err(TrailingData("KeyShare"))
    );
    // HRR: only the selected group.
    assert_eq!(
        retry(51, &[0, 0x17]),
        Ok(HelloRetryExtension::KeyShare(NamedGroup::secp256r1))
    );
    assert_eq!(retry(51, &[0, 0x17, 0]), Err(TrailingData("KeyShare")));
    assert_eq!(retry(51, &[0]), Err(MissingData("NamedGroup")));
}

#[test]
fn unknown_extensions_are_kept_exactly() {
    for typ in [0x1234u16, 0xfe0d, 19, 48, 0xfafa] {
        let body = [0xde, 0xad, 0, 0xbe, 0xef];
        let ext = client_exact(typ, &body);
        assert_eq!(
            ext,
            ClientExtension::Unknown(UnknownExtension {
                typ: ExtensionType::from(typ),
                payload: Payload(body.to_vec())
            })
        );
        assert!(matches!(
            server_exact(typ, &body),
            ServerExtension::Unknown(_)
        ));
        assert!(matches!(
            client_exact(typ, &[]),
            ClientExtension::Unknown(_)
        ));
    }
    // A cookie is not a ServerHello extension: kept opaque there (the handshake rejects it).
    assert!(matches!(
        server_exact(44, &[0]),
        ServerExtension::Unknown(_)
    ));
    assert!(matches!(
        HelloRetryExtension::read_bytes(&ext_bytes(0, &[1])),
        Ok(HelloRetryExtension::Unknown(_))
    ));
}

#[test]
fn extension_framing() {
    // Body shorter than declared.
    assert_eq!(
        ClientExtension::read_bytes(&[0, 23, 0, 2, 0]),
        Err(MissingData("ExtendedMasterSecret"))
    );
    assert_eq!(
        ClientExtension::read_bytes(&[0, 23, 0]),
        Err(MissingData("extension_data length"))
    );
    assert_eq!(
        ClientExtension::read_bytes(&[0]),
        Err(MissingData("ExtensionType"))
    );
}

#[test]
fn extension_list_errors_name_the_list() {
    let read = |bytes: &[u8], list, max_len| {
        read_extensions::<ClientExtension>(&mut Reader::new(bytes), list, max_len, "L")
    };
    let u16_list = ListLength::U16;
    assert_eq!(read(&[0], u16_list, None), Err(MissingData("L")));
    assert_eq!(read(&[0, 9, 0, 23], u16_list, None), Err(MissingData("L")));
    // A type, then half an extension_data length.
    assert_eq!(
        read(&[0, 3, 0, 23, 0], u16_list, None),
        Err(MissingData("extension_data length"))
    );
    // Data running past the list: a named type names itself, an unnamed one the list.
    assert_eq!(
        read(&[0, 5, 0, 23, 0, 2, 0], u16_list, None),
        Err(MissingData("ExtendedMasterSecret"))
    );
    assert_eq!(
        read(&[0, 5, 0x12, 0x34, 0, 2, 0], u16_list, None),
        Err(MissingData("L"))
    );
    // A `NonEmpty*` length and a byte cap.
    let non_empty = ListLength::NonEmptyU16 { context: "NE" };
    assert_eq!(read(&[0, 0], non_empty, None), Err(InvalidEmptyList("NE")));
    let one_ext = framed(&[ext_bytes(23, &[])]);
    assert_eq!(read(&one_ext, u16_list, Some(3)), Err(TooLarge("L")));
    assert_eq!(
        read(&one_ext, non_empty, Some(4)),
        Ok(vec![ClientExtension::ExtendedMasterSecret])
    );
    // A duplicate is refused when its header is read, before its data is decoded.
    let dup = framed(&[ext_bytes(23, &[]), ext_bytes(23, &[0])]);
    assert_eq!(
        read(&dup, u16_list, None),
        Err(DuplicateExtension(ExtensionType::ExtendedMasterSecret))
    );
    let mut enc = Vec::new();
    encode_extensions(
        non_empty,
        &[ClientExtension::ExtendedMasterSecret],
        &mut enc,
    );
    assert_eq!(enc, one_ext);
}

#[test]
fn unknown_extension_policies() {
    // Hellos keep any type they do not model, named or not.
    for typ in [ExtensionType::Cookie, ExtensionType::Unknown(0x1a1a)] {
        let kept = UnknownExtension::read_any(typ, &mut Reader::new(&[1, 2]));
        assert_eq!(kept.typ, typ);
        assert_eq!(kept.payload, Payload(vec![1, 2]));
    }
    // The later messages keep unnamed types only.
    let mut body = Reader::new(&[1, 2]);
    assert_eq!(
        UnknownExtension::read_unnamed(ExtensionType::Unknown(0x1a1a), &mut body),
        Ok(UnknownExtension {
            typ: ExtensionType::Unknown(0x1a1a),
            payload: Payload(vec![1, 2])
        })
    );
    assert!(!body.any_left());
    assert_eq!(
        UnknownExtension::read_unnamed(ExtensionType::Cookie, &mut Reader::new(&[1, 2])),
        Err(UnexpectedExtension(ExtensionType::Cookie))
    );
}

#[test]
fn extension_lists_reject_duplicates() {
    let list = framed(&[
        ext_bytes(23, &[]),
        ext_bytes(0x1234, &[1]),
        ext_bytes(23, &[]),
    ]);
    assert_eq!(
        read_list::<ClientExtension>(&mut Reader::new(&list)),
        Err(DuplicateExtension(ExtensionType::ExtendedMasterSecret))
    );
    // Unknown types are duplicates too.
    let list = framed(&[ext_bytes(0x1234, &[]), ext_bytes(0x1234, &[2, 3])]);
    assert_eq!(
        read_list::<ServerExtension>(&mut Reader::new(&list)),
        Err(DuplicateExtension(ExtensionType::Unknown(0x1234)))
    );
    // Past the eight types at 256 and above kept inline: a duplicate within the inline
    // ones, within the set, and across both; a long list of distinct types is accepted.
    let high: Vec<u16> = (0..12).map(|i| 0x1000 + i).collect();
    for (first, again) in [(2, 5), (9, 11), (3, 11)] {
        let mut exts: Vec<Vec<u8>> = high.iter().map(|&t| ext_bytes(t, &[])).collect();
        exts.truncate(again + 1);
        exts[again] = ext_bytes(high[first], &[]);
        exts.insert(0, ext_bytes(23, &[]));
        assert_eq!(
            read_list::<ServerExtension>(&mut Reader::new(&framed(&exts))),
            Err(DuplicateExtension(ExtensionType::Unknown(high[first]))),
            "{first} then {again}"
        );
    }
    let distinct: Vec<Vec<u8>> = (200..300).map(|t| ext_bytes(t, &[])).collect();
    let read = read_list::<ServerExtension>(&mut Reader::new(&framed(&distinct)));
    assert_eq!(read.map(|l| l.len()), Ok(100));
    // The list length must match its contents.
    let mut list = vec![0, 5];
    list.extend_from_slice(&ext_bytes(23, &[]));
    assert_eq!(
        read_list::<ClientExtension>(&mut Reader::new(&list)),
        Err(MissingData("extensions"))
    );
    let mut list = vec![0, 5];
    list.extend_from_slice(&ext_bytes(23, &[0]));
    assert_eq!(
        read_list::<ClientExtension>(&mut Reader::new(&list)),
        Err(TrailingData("ExtendedMasterSecret"))
    );
    let mut r = Reader::new(&[0, 0]);
    assert_eq!(read_list::<ClientExtension>(&mut r), Ok(vec![]));
    assert!(!r.any_left());
    // The largest possible list of distinct empty extensions is fine.
    let mut list = Vec::new();
    for t in 0..16383u16 {
        list.extend_from_slice(&ext_bytes(t + 0x1000, &[]));
    }
    let mut framed = (list.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&list);
    let exts = read_list::<ClientExtension>(&mut Reader::new(&framed)).unwrap();
    assert_eq!(exts.len(), 16383);
}

/// Decoding arbitrary bytes never panics, and what decodes re-encodes to the input.
fn check_canonical<E: Codec + core::fmt::Debug>(bytes: &[u8]) {
    if let Ok(v) = E::read_bytes(bytes) {
        assert_eq!(v.get_encoding(), bytes, "{v:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn client_extension_round_trips(ext in client_extension()) {
        check_laws(&ext);
    }

    #[test]
    fn server_extension_round_trips(ext in server_extension()) {
        check_laws(&ext);
    }

    #[test]
    fn hello_retry_extension_round_trips(ext in hello_retry_extension()) {
        check_laws(&ext);
    }

    #[test]
    fn extension_lists_round_trip(exts in client_extensions()) {
        let mut enc = Vec::new();
        encode_extensions(ListLength::U16, &exts, &mut enc);
        let mut r = Reader::new(&enc);
        prop_assert_eq!(read_list::<ClientExtension>(&mut r).unwrap(), exts);
        prop_assert!(!r.any_left());
        for n in 0..enc.len() {
            let mut r = Reader::new(&enc[..n]);
            prop_assert!(read_list::<ClientExtension>(&mut r).is_err());
        }
    }

    #[test]
    fn payload_types_round_trip(
        names in server_name_list(),
        status in status_request(),
        psks in offered_psks(),
        share in key_share_entry(),
    ) {
        prop_assert_eq!(ServerNameList::read_bytes(&names.get_encoding()).unwrap(), names);
        let enc = status.get_encoding();
        prop_assert_eq!(CertificateStatusRequest::read_bytes(&enc).unwrap(), status);
        let enc = psks.get_encoding();
        prop_assert_eq!(enc.len() - psks.binders_encoded_len(),
            psks.identities.get_encoding().len());
        prop_assert_eq!(OfferedPsks::read_bytes(&enc).unwrap(), psks);
        prop_assert_eq!(KeyShareEntry::read_bytes(&share.get_encoding()).unwrap(), share);
    }

    #[test]
    fn arbitrary_typed_bodies_never_panic(typ in any::<u16>(), body in bytes(0, 64)) {
        let enc = ext_bytes(typ, &body);
        check_canonical::<ClientExtension>(&enc);
        check_canonical::<ServerExtension>(&enc);
        check_canonical::<HelloRetryExtension>(&enc);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in bytes(0, 200)) {
        check_canonical::<ClientExtension>(&bytes);
        check_canonical::<ServerExtension>(&bytes);
        check_canonical::<HelloRetryExtension>(&bytes);
        let _ = read_list::<ClientExtension>(&mut Reader::new(&bytes));
        let _ = read_list::<ServerExtension>(&mut Reader::new(&bytes));
    }

    // Modelled types with mutated bodies: whatever decodes is canonical.
    #[test]
    fn mutated_extensions_stay_canonical(
        ext in client_extension(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut enc = ext.get_encoding();
        let i = at.index(enc.len());
        enc[i] = byte;
        check_canonical::<ClientExtension>(&enc);
        check_canonical::<ServerExtension>(&enc);
    }
}
