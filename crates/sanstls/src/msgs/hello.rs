//! The hello phase: ClientHello, ServerHello, HelloRetryRequest and EncryptedExtensions.
//!
//! These types are message *bodies*: the 4-byte handshake header (type + u24 length) is
//! framed by the handshake layer, which hands `read` a reader over exactly the body. Because
//! ClientHello and ServerHello end with an optional extensions block (RFC 5246 s7.4.1.2:
//! "the presence of extensions can be detected by determining whether there are bytes following
//! the compression_methods"), their `read` consumes the reader to its end, so it must be given
//! exactly the body.
//!
//! Decoding is canonical (every accepted input has exactly one encoding), so re-encoding a
//! decoded message reproduces the received bytes: the transcript and the PSK binder
//! computation can work from the typed value.

use crate::codec::{encode_prefixed, Codec, ListLength, Reader, U24};
use crate::enums::{
    CipherSuite, Compression, ECPointFormat, ExtensionType, HandshakeType, MaxFragmentLength,
    NamedGroup, PSKKeyExchangeMode, ProtocolVersion, SignatureScheme,
};
use crate::error::{Error, InvalidMessage};
use crate::msgs::base::{Random, SessionId};
use crate::msgs::extensions::{
    encode_extensions, read_extensions, CertificateAuthorities, CertificateStatusRequest,
    ClientExtension, Cookie, HelloRetryExtension, HostName, KeyShareEntry, OfferedPsks,
    ProtocolName, PskBinderEntry, RecordSizeLimit, Sct, ServerExtension, TlsExtension,
};
use crate::prelude::*;

/// The ServerHello random that marks a HelloRetryRequest: SHA-256("HelloRetryRequest")
/// (RFC 8446 s4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: Random = Random([
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/// Reads a hello's `Extension extensions<0..2^16-1>`, named `context` in errors.
fn read_hello_extensions<E: TlsExtension>(
    r: &mut Reader<'_>,
    context: &'static str,
) -> Result<Vec<E>, InvalidMessage> {
    read_extensions(r, ListLength::U16, None, context)
}

/// Writes a hello's `Extension extensions<0..2^16-1>`.
fn encode_hello_extensions<E: TlsExtension>(exts: &[E], out: &mut Vec<u8>) {
    encode_extensions(ListLength::U16, exts, out);
}

/// Reads an optional trailing extensions block: absent if the body ends here.
fn read_optional_extensions<E: TlsExtension>(
    r: &mut Reader<'_>,
    context: &'static str,
) -> Result<Option<Vec<E>>, InvalidMessage> {
    match r.any_left() {
        true => read_hello_extensions(r, context).map(Some),
        false => Ok(None),
    }
}

/// Finds the extension of type `typ` in an optional list.
fn find<E: TlsExtension>(exts: &Option<Vec<E>>, typ: ExtensionType) -> Option<&E> {
    exts.as_deref()
        .unwrap_or(&[])
        .iter()
        .find(|e| e.ext_type() == typ)
}

// ---------------------------------------------------------------------------------------------
// ClientHello (RFC 8446 s4.1.2, RFC 5246 s7.4.1.2)
// ---------------------------------------------------------------------------------------------

/// A ClientHello body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHelloPayload {
    /// `legacy_version` (TLS 1.3 clients send 0x0303 and list versions in supported_versions).
    pub legacy_version: ProtocolVersion,
    /// The client random.
    pub random: Random,
    /// `legacy_session_id<0..32>`.
    pub session_id: SessionId,
    /// `CipherSuite cipher_suites<2..2^16-2>`: non-empty, even length.
    pub cipher_suites: Vec<CipherSuite>,
    /// `legacy_compression_methods<1..2^8-1>`.
    pub compression_methods: Vec<Compression>,
    /// The extensions block. `None` when the hello ends after the compression methods (old
    /// TLS 1.2 clients), distinct from `Some(vec![])` (an empty block `00 00`), so that
    /// re-encoding is byte-exact.
    pub extensions: Option<Vec<ClientExtension>>,
}

impl Codec for ClientHelloPayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.legacy_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        self.cipher_suites.encode(out);
        self.compression_methods.encode(out);
        if let Some(exts) = &self.extensions {
            encode_hello_extensions(exts, out);
        }
    }

    /// Reads to the end of `r`: pass a reader over exactly the message body.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let ch = Self {
            legacy_version: ProtocolVersion::read(r)?,
            random: Random::read(r)?,
            session_id: SessionId::read(r)?,
            cipher_suites: Vec::read(r)?,
            compression_methods: Vec::read(r)?,
            extensions: read_optional_extensions(r, "ClientHello.extensions")?,
        };
        r.expect_empty("ClientHello")?;
        ch.check_psk_placement()?;
        Ok(ch)
    }
}

impl ClientHelloPayload {
    /// The extensions, empty if the block is absent.
    pub fn extensions(&self) -> &[ClientExtension] {
        self.extensions.as_deref().unwrap_or(&[])
    }

    /// The extension of type `typ`, if present.
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&ClientExtension> {
        find(&self.extensions, typ)
    }

    /// Whether an extension of type `typ` is present.
    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.find_extension(typ).is_some()
    }

    /// RFC 8446 s4.2.11: "The pre_shared_key extension MUST be the last extension in the
    /// ClientHello ... Servers MUST check that it is the last extension and otherwise fail the
    /// handshake with an illegal_parameter alert." Called by `read`; also usable on a
    /// hello being built.
    pub fn check_psk_placement(&self) -> Result<(), InvalidMessage> {
        let exts = self.extensions();
        let last = exts.len().saturating_sub(1);
        match exts
            .iter()
            .position(|e| e.ext_type() == ExtensionType::PreSharedKey)
        {
            Some(i) if i != last => Err(InvalidMessage::IllegalValue(
                "pre_shared_key is not the last ClientHello extension",
            )),
            _ => Ok(()),
        }
    }

    /// The `host_name` of server_name, if offered.
    pub fn sni_hostname(&self) -> Option<&HostName> {
        match self.find_extension(ExtensionType::ServerName)? {
            ClientExtension::ServerName(list) => list.host_name(),
            _ => None,
        }
    }

    /// The offered max_fragment_length.
    pub fn max_fragment_length(&self) -> Option<MaxFragmentLength> {
        match self.find_extension(ExtensionType::MaxFragmentLength)? {
            ClientExtension::MaxFragmentLength(v) => Some(*v),
            _ => None,
        }
    }

    /// The status_request, if any.
    pub fn status_request(&self) -> Option<&CertificateStatusRequest> {
        match self.find_extension(ExtensionType::StatusRequest)? {
            ClientExtension::StatusRequest(v) => Some(v),
            _ => None,
        }
    }

    /// supported_groups.
    pub fn named_groups(&self) -> Option<&[NamedGroup]> {
        match self.find_extension(ExtensionType::SupportedGroups)? {
            ClientExtension::SupportedGroups(v) => Some(v),
            _ => None,
        }
    }

    /// ec_point_formats.
    pub fn ec_point_formats(&self) -> Option<&[ECPointFormat]> {
        match self.find_extension(ExtensionType::ECPointFormats)? {
            ClientExtension::EcPointFormats(v) => Some(v),
            _ => None,
        }
    }

    /// signature_algorithms.
    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        match self.find_extension(ExtensionType::SignatureAlgorithms)? {
            ClientExtension::SignatureAlgorithms(v) => Some(v),
            _ => None,
        }
    }

    /// signature_algorithms_cert.
    pub fn signature_algorithms_cert(&self) -> Option<&[SignatureScheme]> {
        match self.find_extension(ExtensionType::SignatureAlgorithmsCert)? {
            ClientExtension::SignatureAlgorithmsCert(v) => Some(v),
            _ => None,
        }
    }

    /// The offered ALPN protocols.
    pub fn alpn_protocols(&self) -> Option<&[ProtocolName]> {
        match self.find_extension(ExtensionType::ALProtocolNegotiation)? {
            ClientExtension::Alpn(v) => Some(v),
            _ => None,
        }
    }

    /// Whether signed_certificate_timestamp was requested.
    pub fn sct_requested(&self) -> bool {
        self.has_extension(ExtensionType::SCT)
    }

    /// Whether encrypt_then_mac was offered.
    pub fn encrypt_then_mac_offered(&self) -> bool {
        self.has_extension(ExtensionType::EncryptThenMac)
    }

    /// Whether extended_master_secret was offered.
    pub fn extended_master_secret_offered(&self) -> bool {
        self.has_extension(ExtensionType::ExtendedMasterSecret)
    }

    /// record_size_limit.
    pub fn record_size_limit(&self) -> Option<RecordSizeLimit> {
        match self.find_extension(ExtensionType::RecordSizeLimit)? {
            ClientExtension::RecordSizeLimit(v) => Some(*v),
            _ => None,
        }
    }

    /// The session_ticket body (possibly empty: "send me a ticket").
    pub fn session_ticket(&self) -> Option<&[u8]> {
        match self.find_extension(ExtensionType::SessionTicket)? {
            ClientExtension::SessionTicket(v) => Some(&v.0),
            _ => None,
        }
    }

    /// The offered PSKs (pre_shared_key).
    pub fn psk_offer(&self) -> Option<&OfferedPsks> {
        match self.find_extension(ExtensionType::PreSharedKey)? {
            ClientExtension::PreSharedKey(v) => Some(v),
            _ => None,
        }
    }

    /// The offered PSKs, mutably (to fill in binders).
    pub fn psk_offer_mut(&mut self) -> Option<&mut OfferedPsks> {
        self.extensions
            .as_deref_mut()
            .unwrap_or(&mut [])
            .iter_mut()
            .find_map(|e| match e {
                ClientExtension::PreSharedKey(v) => Some(v),
                _ => None,
            })
    }

    /// The PSK binders, if pre_shared_key is present.
    pub fn psk_binders(&self) -> Option<&[PskBinderEntry]> {
        self.psk_offer().map(|p| &p.binders[..])
    }

    /// Whether early_data was requested.
    pub fn early_data_requested(&self) -> bool {
        self.has_extension(ExtensionType::EarlyData)
    }

    /// supported_versions.
    pub fn supported_versions(&self) -> Option<&[ProtocolVersion]> {
        match self.find_extension(ExtensionType::SupportedVersions)? {
            ClientExtension::SupportedVersions(v) => Some(&v.0),
            _ => None,
        }
    }

    /// The cookie echoed from a HelloRetryRequest.
    pub fn cookie(&self) -> Option<&Cookie> {
        match self.find_extension(ExtensionType::Cookie)? {
            ClientExtension::Cookie(v) => Some(v),
            _ => None,
        }
    }

    /// psk_key_exchange_modes.
    pub fn psk_modes(&self) -> Option<&[PSKKeyExchangeMode]> {
        match self.find_extension(ExtensionType::PSKKeyExchangeModes)? {
            ClientExtension::PskKeyExchangeModes(v) => Some(v),
            _ => None,
        }
    }

    /// certificate_authorities.
    pub fn certificate_authorities(&self) -> Option<&CertificateAuthorities> {
        match self.find_extension(ExtensionType::CertificateAuthorities)? {
            ClientExtension::CertificateAuthorities(v) => Some(v),
            _ => None,
        }
    }

    /// Whether post_handshake_auth was offered.
    pub fn post_handshake_auth_offered(&self) -> bool {
        self.has_extension(ExtensionType::PostHandshakeAuth)
    }

    /// The offered key shares.
    pub fn key_shares(&self) -> Option<&[KeyShareEntry]> {
        match self.find_extension(ExtensionType::KeyShare)? {
            ClientExtension::KeyShare(v) => Some(v),
            _ => None,
        }
    }

    /// renegotiation_info's `renegotiated_connection`.
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match self.find_extension(ExtensionType::RenegotiationInfo)? {
            ClientExtension::RenegotiationInfo(v) => Some(&v.0),
            _ => None,
        }
    }

    /// The full handshake message: header (type 1, u24 length) then this body.
    pub fn encode_with_header(&self, out: &mut Vec<u8>) {
        HandshakeType::ClientHello.encode(out);
        encode_prefixed(
            ListLength::U24 {
                max: U24::MAX as usize,
                context: "ClientHello",
            },
            out,
            |out| self.encode(out),
        );
    }

    /// The bytes the PSK binders are computed over (RFC 8446 s4.2.11.2): the ClientHello
    /// *with its 4-byte handshake header* (type 1 and the u24 length of the whole message,
    /// binders included), truncated just before the `binders` vector (its length prefix
    /// excluded), so it ends with the last `PskIdentity`.
    ///
    /// The binder transcript is `Transcript-Hash(earlier messages || these bytes)`; after a
    /// HelloRetryRequest the caller prepends the `message_hash` of ClientHello1 and the HRR.
    /// The binder values currently in `self` do not affect the result, only their lengths, so a
    /// client fills in placeholders of the right length, calls this, then
    /// [`Self::set_psk_binders`]. A server calls it on the decoded hello: decoding is canonical,
    /// so the bytes equal the received ones.
    ///
    /// `None` if pre_shared_key is absent or not the last extension.
    pub fn encoding_for_binder_signing(&self) -> Option<Vec<u8>> {
        let psk = match self.extensions().last()? {
            ClientExtension::PreSharedKey(psk) => psk,
            _ => return None,
        };
        let mut out = Vec::new();
        self.encode_with_header(&mut out);
        let keep = out.len().checked_sub(psk.binders_encoded_len())?;
        out.truncate(keep);
        Some(out)
    }

    /// Replaces the PSK binders. The count must equal the number of identities and each binder
    /// must be 32..=255 bytes, and the lengths should equal those the binder transcript was
    /// computed with (they are part of the hashed length field).
    pub fn set_psk_binders(&mut self, binders: Vec<PskBinderEntry>) -> Result<(), Error> {
        let psk = self.psk_offer_mut().ok_or(Error::ApiMisuse(
            "set_psk_binders: no pre_shared_key extension",
        ))?;
        if binders.len() != psk.identities.len() {
            return Err(Error::ApiMisuse(
                "set_psk_binders: one binder per identity is needed",
            ));
        }
        if binders
            .iter()
            .any(|b| b.0.len() < PskBinderEntry::MIN_LEN || b.0.len() > 255)
        {
            return Err(Error::ApiMisuse(
                "set_psk_binders: a binder must be 32..=255 bytes",
            ));
        }
        psk.binders = binders;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// ServerHello (RFC 8446 s4.1.3, RFC 5246 s7.4.1.3)
// ---------------------------------------------------------------------------------------------

/// A ServerHello body (TLS 1.2 or 1.3) that is not a HelloRetryRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHelloPayload {
    /// `legacy_version` (0x0303 in TLS 1.3; the real version is in supported_versions).
    pub legacy_version: ProtocolVersion,
    /// The server random (never [`HELLO_RETRY_REQUEST_RANDOM`]).
    pub random: Random,
    /// `legacy_session_id_echo` (TLS 1.3) or the session id (TLS 1.2).
    pub session_id: SessionId,
    /// The selected suite.
    pub cipher_suite: CipherSuite,
    /// The selected compression method (must be null; checked by the handshake).
    pub compression_method: Compression,
    /// The extensions block; `None` when absent (TLS 1.2), distinct from an empty block.
    pub extensions: Option<Vec<ServerExtension>>,
}

impl ServerHelloPayload {
    /// Reads what follows `legacy_version` and `random`, to the end of `r`.
    fn read_rest(
        legacy_version: ProtocolVersion,
        random: Random,
        r: &mut Reader<'_>,
    ) -> Result<Self, InvalidMessage> {
        let sh = Self {
            legacy_version,
            random,
            session_id: SessionId::read(r)?,
            cipher_suite: CipherSuite::read(r)?,
            compression_method: Compression::read(r)?,
            extensions: read_optional_extensions(r, "ServerHello.extensions")?,
        };
        r.expect_empty("ServerHello")?;
        Ok(sh)
    }

    /// The extensions, empty if the block is absent.
    pub fn extensions(&self) -> &[ServerExtension] {
        self.extensions.as_deref().unwrap_or(&[])
    }

    /// The extension of type `typ`, if present.
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&ServerExtension> {
        find(&self.extensions, typ)
    }

    /// Whether an extension of type `typ` is present.
    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.find_extension(typ).is_some()
    }

    /// The selected version from supported_versions (TLS 1.3).
    pub fn supported_version(&self) -> Option<ProtocolVersion> {
        match self.find_extension(ExtensionType::SupportedVersions)? {
            ServerExtension::SupportedVersions(v) => Some(*v),
            _ => None,
        }
    }

    /// The server's key share (TLS 1.3).
    pub fn key_share(&self) -> Option<&KeyShareEntry> {
        match self.find_extension(ExtensionType::KeyShare)? {
            ServerExtension::KeyShare(v) => Some(v),
            _ => None,
        }
    }

    /// The index of the selected PSK identity (TLS 1.3).
    pub fn selected_psk_identity(&self) -> Option<u16> {
        match self.find_extension(ExtensionType::PreSharedKey)? {
            ServerExtension::PreSharedKey(v) => Some(*v),
            _ => None,
        }
    }

    /// The selected ALPN protocol (TLS 1.2).
    pub fn alpn_protocol(&self) -> Option<&ProtocolName> {
        match self.find_extension(ExtensionType::ALProtocolNegotiation)? {
            ServerExtension::Alpn(v) => Some(v),
            _ => None,
        }
    }

    /// Whether extended_master_secret was acknowledged (TLS 1.2).
    pub fn extended_master_secret_acked(&self) -> bool {
        self.has_extension(ExtensionType::ExtendedMasterSecret)
    }

    /// Whether encrypt_then_mac was acknowledged (TLS 1.2).
    pub fn encrypt_then_mac_acked(&self) -> bool {
        self.has_extension(ExtensionType::EncryptThenMac)
    }

    /// Whether the server will send a NewSessionTicket (TLS 1.2 session_ticket ack).
    pub fn session_ticket_acked(&self) -> bool {
        self.has_extension(ExtensionType::SessionTicket)
    }

    /// Whether the server will staple an OCSP response (TLS 1.2 status_request ack).
    pub fn status_request_acked(&self) -> bool {
        self.has_extension(ExtensionType::StatusRequest)
    }

    /// renegotiation_info's `renegotiated_connection` (TLS 1.2).
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match self.find_extension(ExtensionType::RenegotiationInfo)? {
            ServerExtension::RenegotiationInfo(v) => Some(&v.0),
            _ => None,
        }
    }

    /// ec_point_formats (TLS 1.2).
    pub fn ec_point_formats(&self) -> Option<&[ECPointFormat]> {
        match self.find_extension(ExtensionType::ECPointFormats)? {
            ServerExtension::EcPointFormats(v) => Some(v),
            _ => None,
        }
    }

    /// The SCT list (TLS 1.2).
    pub fn sct_list(&self) -> Option<&[Sct]> {
        match self.find_extension(ExtensionType::SCT)? {
            ServerExtension::SignedCertificateTimestamp(v) => Some(v),
            _ => None,
        }
    }

    /// max_fragment_length echo (TLS 1.2).
    pub fn max_fragment_length(&self) -> Option<MaxFragmentLength> {
        match self.find_extension(ExtensionType::MaxFragmentLength)? {
            ServerExtension::MaxFragmentLength(v) => Some(*v),
            _ => None,
        }
    }

    /// record_size_limit (TLS 1.2).
    pub fn record_size_limit(&self) -> Option<RecordSizeLimit> {
        match self.find_extension(ExtensionType::RecordSizeLimit)? {
            ServerExtension::RecordSizeLimit(v) => Some(*v),
            _ => None,
        }
    }
}

impl Codec for ServerHelloPayload {
    fn encode(&self, out: &mut Vec<u8>) {
        self.legacy_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        self.cipher_suite.encode(out);
        self.compression_method.encode(out);
        if let Some(exts) = &self.extensions {
            encode_hello_extensions(exts, out);
        }
    }

    /// Reads to the end of `r`. A HelloRetryRequest (by its random) is refused here: use
    /// [`ServerHelloOrRetry::read`] on a received ServerHello.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match ServerHelloOrRetry::read(r)? {
            ServerHelloOrRetry::ServerHello(sh) => Ok(sh),
            ServerHelloOrRetry::HelloRetryRequest(_) => Err(InvalidMessage::IllegalValue(
                "ServerHello random is the HelloRetryRequest value",
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HelloRetryRequest (RFC 8446 s4.1.4)
// ---------------------------------------------------------------------------------------------

/// A HelloRetryRequest: a ServerHello (handshake type 2) whose random is
/// [`HELLO_RETRY_REQUEST_RANDOM`]. `legacy_compression_method` must be 0 (checked at decode,
/// illegal_parameter as RFC 8446 s4.1.3 asks) and is not stored; supported_versions is
/// mandatory (missing_extension otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloRetryRequest {
    /// `legacy_version` (0x0303).
    pub legacy_version: ProtocolVersion,
    /// `legacy_session_id_echo`.
    pub session_id: SessionId,
    /// The selected suite.
    pub cipher_suite: CipherSuite,
    /// The extensions, including supported_versions.
    pub extensions: Vec<HelloRetryExtension>,
}

impl HelloRetryRequest {
    /// Reads what follows `legacy_version` and the (HRR) random, to the end of `r`.
    fn read_rest(
        legacy_version: ProtocolVersion,
        r: &mut Reader<'_>,
    ) -> Result<Self, InvalidMessage> {
        let session_id = SessionId::read(r)?;
        let cipher_suite = CipherSuite::read(r)?;
        if Compression::read(r)? != Compression::Null {
            return Err(InvalidMessage::IllegalValue(
                "HelloRetryRequest legacy_compression_method",
            ));
        }
        let extensions = match r.any_left() {
            true => read_hello_extensions(r, "HelloRetryRequest.extensions")?,
            false => Vec::new(),
        };
        r.expect_empty("HelloRetryRequest")?;
        let hrr = Self {
            legacy_version,
            session_id,
            cipher_suite,
            extensions,
        };
        if hrr.supported_version().is_none() {
            return Err(InvalidMessage::MissingExtension(
                ExtensionType::SupportedVersions,
            ));
        }
        Ok(hrr)
    }

    /// The extension of type `typ`, if present.
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&HelloRetryExtension> {
        self.extensions.iter().find(|e| e.ext_type() == typ)
    }

    /// The group the server asks the client to send a share for.
    pub fn requested_key_share_group(&self) -> Option<NamedGroup> {
        match self.find_extension(ExtensionType::KeyShare)? {
            HelloRetryExtension::KeyShare(g) => Some(*g),
            _ => None,
        }
    }

    /// The cookie the client must echo.
    pub fn cookie(&self) -> Option<&Cookie> {
        match self.find_extension(ExtensionType::Cookie)? {
            HelloRetryExtension::Cookie(c) => Some(c),
            _ => None,
        }
    }

    /// The selected version.
    pub fn supported_version(&self) -> Option<ProtocolVersion> {
        match self.find_extension(ExtensionType::SupportedVersions)? {
            HelloRetryExtension::SupportedVersions(v) => Some(*v),
            _ => None,
        }
    }
}

impl Codec for HelloRetryRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        self.legacy_version.encode(out);
        HELLO_RETRY_REQUEST_RANDOM.encode(out);
        self.session_id.encode(out);
        self.cipher_suite.encode(out);
        Compression::Null.encode(out);
        encode_hello_extensions(&self.extensions, out);
    }

    /// Reads to the end of `r`; a ServerHello that is not an HRR is refused.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match ServerHelloOrRetry::read(r)? {
            ServerHelloOrRetry::HelloRetryRequest(hrr) => Ok(hrr),
            ServerHelloOrRetry::ServerHello(_) => Err(InvalidMessage::IllegalValue(
                "HelloRetryRequest random is not the HelloRetryRequest value",
            )),
        }
    }
}

/// A received ServerHello body: a real ServerHello or a HelloRetryRequest, told apart by the
/// random (RFC 8446 s4.1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerHelloOrRetry {
    /// A ServerHello.
    ServerHello(ServerHelloPayload),
    /// A HelloRetryRequest.
    HelloRetryRequest(HelloRetryRequest),
}

impl Codec for ServerHelloOrRetry {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::ServerHello(sh) => sh.encode(out),
            Self::HelloRetryRequest(hrr) => hrr.encode(out),
        }
    }

    /// Reads to the end of `r`: pass a reader over exactly the message body.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let legacy_version = ProtocolVersion::read(r)?;
        let random = Random::read(r)?;
        match random == HELLO_RETRY_REQUEST_RANDOM {
            true => HelloRetryRequest::read_rest(legacy_version, r).map(Self::HelloRetryRequest),
            false => {
                ServerHelloPayload::read_rest(legacy_version, random, r).map(Self::ServerHello)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// EncryptedExtensions (RFC 8446 s4.3.1)
// ---------------------------------------------------------------------------------------------

/// EncryptedExtensions: `Extension extensions<0..2^16-1>`. Which extensions may appear
/// (not key_share, supported_versions, pre_shared_key...) is checked by the handshake.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EncryptedExtensions {
    /// The extensions.
    pub extensions: Vec<ServerExtension>,
}

impl EncryptedExtensions {
    /// The extension of type `typ`, if present.
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&ServerExtension> {
        self.extensions.iter().find(|e| e.ext_type() == typ)
    }

    /// Whether an extension of type `typ` is present.
    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.find_extension(typ).is_some()
    }

    /// The selected ALPN protocol.
    pub fn alpn_protocol(&self) -> Option<&ProtocolName> {
        match self.find_extension(ExtensionType::ALProtocolNegotiation)? {
            ServerExtension::Alpn(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the server accepted early data.
    pub fn early_data_accepted(&self) -> bool {
        self.has_extension(ExtensionType::EarlyData)
    }

    /// Whether the server acknowledged server_name.
    pub fn server_name_acked(&self) -> bool {
        self.has_extension(ExtensionType::ServerName)
    }

    /// The server's supported_groups (a hint for later connections).
    pub fn supported_groups(&self) -> Option<&[NamedGroup]> {
        match self.find_extension(ExtensionType::SupportedGroups)? {
            ServerExtension::SupportedGroups(v) => Some(v),
            _ => None,
        }
    }

    /// record_size_limit.
    pub fn record_size_limit(&self) -> Option<RecordSizeLimit> {
        match self.find_extension(ExtensionType::RecordSizeLimit)? {
            ServerExtension::RecordSizeLimit(v) => Some(*v),
            _ => None,
        }
    }

    /// max_fragment_length echo.
    pub fn max_fragment_length(&self) -> Option<MaxFragmentLength> {
        match self.find_extension(ExtensionType::MaxFragmentLength)? {
            ServerExtension::MaxFragmentLength(v) => Some(*v),
            _ => None,
        }
    }
}

impl Codec for EncryptedExtensions {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_hello_extensions(&self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            extensions: read_hello_extensions(r, "EncryptedExtensions.extensions")?,
        })
    }
}

#[cfg(test)]
#[path = "hello_test.rs"]
mod tests;
