//! Hello-phase extensions: typed payloads and one extension enum per message.
//!
//! Every extension on the wire is `ExtensionType extension_type; opaque extension_data<0..2^16-1>`
//! (RFC 8446 s4.2, RFC 5246 s7.4.1.4). We read the type, then decode the body through a
//! sub-reader that must be consumed exactly, so a body that is longer than its payload is a
//! `TrailingData` error naming the extension. Types we do not model (or that the message does
//! not define) are kept opaque, type and body, so a decode→encode round trip is byte-exact.
//!
//! The per-message enums are [`ClientExtension`] (ClientHello), [`ServerExtension`] (ServerHello
//! for TLS 1.2 and 1.3, and EncryptedExtensions) and [`HelloRetryExtension`]. TLS 1.2's and 1.3's
//! ServerHello extensions differ only in which are allowed: the decoder keeps whatever known
//! type appears with the body shape that type has in the message. Rejecting extensions the peer
//! may not send here (RFC 8446 s4.2: "an extension which it recognizes and which is not specified
//! for the message" is illegal_parameter; RFC 5246 s7.4.1.4 / RFC 8446 s4.2: a server extension
//! the client did not offer is unsupported_extension) is the handshake's job, because it needs
//! the negotiated version and what the client offered.
//!
//! Decode-time rules enforced here: duplicate extension types in one list
//! ([`InvalidMessage::DuplicateExtension`], RFC 8446 s4.2), each extension's own vector limits
//! and value rules (cited on each type). The rule that pre_shared_key comes last in a
//! ClientHello is checked by `ClientHelloPayload` (in `msgs::hello`), which owns the list.
//!
//! The extension framework itself ([`TlsExtension`], [`read_extensions`],
//! [`encode_extensions`], [`UnknownExtension`]) is generic: the other messages' extension lists
//! (NewSessionTicket in `msgs::handshake`, CertificateEntry and CertificateRequest in
//! `msgs::certificate`) use it too, each with its own list bounds and unknown-type policy.

use crate::prelude::*;
use alloc::collections::BTreeSet;

use crate::codec::{
    encode_prefixed, fmt_hex, Codec, ListLength, Payload, PayloadU16, PayloadU8, Reader,
    TlsListElement,
};
use crate::enums::{
    CertificateStatusType, ECPointFormat, ExtensionType, MaxFragmentLength, NamedGroup,
    PSKKeyExchangeMode, ProtocolVersion, ServerNameType, SignatureScheme,
};
use crate::error::InvalidMessage;
use crate::msgs::base::{read_opaque, DistinguishedName};

// ---------------------------------------------------------------------------------------------
// Generic extension framing
// ---------------------------------------------------------------------------------------------

/// An enum of the extensions one message can carry: knows each variant's type and how to
/// encode and decode its `extension_data`. Every extension-bearing message implements it
/// (the hellos here, NewSessionTicket in `msgs::handshake`, Certificate and
/// CertificateRequest in `msgs::certificate`), and all of them read and write their lists
/// through [`read_extensions`] and [`encode_extensions`].
pub trait TlsExtension: Sized {
    /// The extension's type code.
    fn ext_type(&self) -> ExtensionType;

    /// Appends the extension's `extension_data` (without the type and length).
    fn encode_body(&self, out: &mut Vec<u8>);

    /// Decodes `extension_data` for an extension of type `typ`. `body` holds exactly the
    /// extension's data; the caller checks it was consumed entirely.
    fn read_body(typ: ExtensionType, body: &mut Reader<'_>) -> Result<Self, InvalidMessage>;
}

/// Names an extension of a lone [`read_extension`] whose type this build does not name.
const UNKNOWN_EXTENSION: &str = "unknown extension";

/// Writes one extension: type, then `extension_data<0..2^16-1>`.
pub fn encode_extension<E: TlsExtension>(ext: &E, out: &mut Vec<u8>) {
    ext.ext_type().encode(out);
    encode_prefixed(ListLength::U16, out, |out| ext.encode_body(out));
}

/// Reads one extension outside a list; its body must be consumed exactly (`TrailingData`
/// naming the extension otherwise).
pub fn read_extension<E: TlsExtension>(r: &mut Reader<'_>) -> Result<E, InvalidMessage> {
    let (typ, mut body) = read_extension_header(r, UNKNOWN_EXTENSION)?;
    read_extension_body(typ, &mut body, UNKNOWN_EXTENSION)
}

/// Reads `extension_type` and the length of `extension_data`, and returns a reader over
/// exactly that data. Errors name the extension type, or `context` for a type this build
/// does not name.
fn read_extension_header<'a>(
    r: &mut Reader<'a>,
    context: &'static str,
) -> Result<(ExtensionType, Reader<'a>), InvalidMessage> {
    let typ = ExtensionType::read(r)?;
    let len = u16::read(r).map_err(|_| InvalidMessage::MissingData("extension_data length"))?;
    let body = r.sub(usize::from(len), typ.as_str().unwrap_or(context))?;
    Ok((typ, body))
}

/// Decodes `body` as the data of an extension of type `typ`, which must use all of it.
fn read_extension_body<E: TlsExtension>(
    typ: ExtensionType,
    body: &mut Reader<'_>,
    context: &'static str,
) -> Result<E, InvalidMessage> {
    let ext = E::read_body(typ, body)?;
    body.expect_empty(typ.as_str().unwrap_or(context))?;
    Ok(ext)
}

/// Writes `Extension extensions<..>` with the given length encoding (`ListLength::U16` for
/// every extension block TLS defines; a `NonEmpty*` length does not change the encoding).
pub fn encode_extensions<E: TlsExtension>(list: ListLength, exts: &[E], out: &mut Vec<u8>) {
    encode_prefixed(list, out, |out| {
        for e in exts {
            encode_extension(e, out);
        }
    });
}

/// Reads `Extension extensions<..>` (RFC 8446 s4.2, RFC 5246 s7.4.1.4) with the length
/// encoding `list` and, if `max_len` is given, at most that many bytes of list body (for
/// bounds such as NewSessionTicket's `<0..2^16-2>`, which no `ListLength` expresses).
///
/// `context` names the list: a list length beyond the data is `MissingData(context)`, a
/// list longer than `max_len` is `TooLarge(context)`, and errors inside an extension whose
/// type this build does not name use it too (named types are named in their errors).
///
/// Rejects a second extension of the same type with [`InvalidMessage::DuplicateExtension`]
/// (RFC 8446 s4.2: "There MUST NOT be more than one extension of the same type in a given
/// extension block"), as soon as its header is read and before its data is decoded. A list is
/// at most 2^16-1 bytes, so at most 16383 (empty) extensions: the set keeps the check
/// O(n log n) whatever the peer sends.
///
/// What happens to types a message does not model is the `TlsExtension` impl's choice: see
/// [`UnknownExtension::read_any`] (hellos) and [`UnknownExtension::read_unnamed`] (the
/// other messages).
pub fn read_extensions<E: TlsExtension>(
    r: &mut Reader<'_>,
    list: ListLength,
    max_len: Option<usize>,
    context: &'static str,
) -> Result<Vec<E>, InvalidMessage> {
    let mut sub = list.read_body(r).map_err(|e| match e {
        InvalidMessage::MissingData(_) => InvalidMessage::MissingData(context),
        other => other,
    })?;
    if max_len.is_some_and(|max| sub.left() > max) {
        return Err(InvalidMessage::TooLarge(context));
    }
    let mut seen = SeenTypes::default();
    // An extension takes four bytes at least; a hello rarely carries more than 16.
    let mut exts = Vec::with_capacity((sub.left() / 4).min(16));
    while sub.any_left() {
        let (typ, mut body) = read_extension_header(&mut sub, context)?;
        if !seen.insert(typ.to_int()) {
            return Err(InvalidMessage::DuplicateExtension(typ));
        }
        exts.push(read_extension_body(typ, &mut body, context)?);
    }
    Ok(exts)
}

/// The extension types one list has shown so far, checked without allocating for the lists
/// seen in practice: a bit per type below 256 (where most types are), the first
/// [`SeenTypes::INLINE`] others (renegotiation_info, GREASE, ECH and the like) inline, and
/// a set for any further ones (so a long hostile list stays linear-logarithmic).
#[derive(Default)]
struct SeenTypes {
    low: [u64; 4],
    high: [u16; SeenTypes::INLINE],
    high_len: usize,
    more: BTreeSet<u16>,
}

impl SeenTypes {
    const INLINE: usize = 8;

    /// Records `typ`; false when it was already there.
    fn insert(&mut self, typ: u16) -> bool {
        let t = usize::from(typ);
        if t < 256 {
            let (word, bit) = (t / 64, 1u64 << (t % 64));
            let fresh = self.low[word] & bit == 0;
            self.low[word] |= bit;
            return fresh;
        }
        if self.high[..self.high_len].contains(&typ) {
            return false;
        }
        if self.high_len < Self::INLINE {
            self.high[self.high_len] = typ;
            self.high_len += 1;
            return true;
        }
        self.more.insert(typ)
    }
}

/// An extension kept opaque: its type and the whole `extension_data`, byte-for-byte, so a
/// decode→encode round trip is exact.
///
/// Two policies decide which types may become an `UnknownExtension`, and each message's
/// [`TlsExtension`] impl picks one explicitly:
/// - the hello messages keep every type they do not model, even one this build names
///   ([`UnknownExtension::read_any`]): whether a recognised extension is allowed there depends
///   on the negotiated version and on what the client offered, so the handshake judges it;
/// - NewSessionTicket, CertificateRequest and CertificateEntry keep only types this build
///   does not name ([`UnknownExtension::read_unnamed`]); CertificateRequest also keeps
///   compress_certificate, which is specified for it but not implemented here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownExtension {
    /// The extension type.
    pub typ: ExtensionType,
    /// The body, exactly as received.
    pub payload: Payload,
}

impl UnknownExtension {
    /// The hello messages' policy: keeps the rest of `body` as the data of an extension of
    /// type `typ`, whatever the type.
    pub fn read_any(typ: ExtensionType, body: &mut Reader<'_>) -> Self {
        Self {
            typ,
            payload: Payload(body.rest().to_vec()),
        }
    }

    /// The policy of the messages after the hellos: keeps an extension whose type this build
    /// does not name, and refuses a named one with
    /// [`InvalidMessage::UnexpectedExtension`]. RFC 8446 s4.2 requires aborting when an
    /// extension "which it recognizes" appears in a message it is not specified for, while
    /// unrecognised types must be ignored (RFC 8446 s4.6.1 for NewSessionTicket, s4.3.2 for
    /// CertificateRequest, s4.4.2 for CertificateEntry).
    pub fn read_unnamed(typ: ExtensionType, body: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match typ {
            ExtensionType::Unknown(_) => Ok(Self::read_any(typ, body)),
            named => Err(InvalidMessage::UnexpectedExtension(named)),
        }
    }
}

/// Encodes `u16`-prefixed opaque bytes.
fn encode_opaque_u16(bytes: &[u8], out: &mut Vec<u8>) {
    encode_prefixed(ListLength::U16, out, |out| out.extend_from_slice(bytes));
}

// ---------------------------------------------------------------------------------------------
// server_name (RFC 6066 s3)
// ---------------------------------------------------------------------------------------------

/// `opaque HostName<1..2^16-1>` (RFC 6066 s3). Kept as bytes: whether it is a valid DNS name
/// (and not an IP literal, which the RFC forbids) is for the server's name lookup to decide.
#[derive(Clone, PartialEq, Eq)]
pub struct HostName(pub Vec<u8>);

impl Codec for HostName {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque_u16(&self.0, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_opaque(
            r,
            ListLength::NonEmptyU16 {
                context: "HostName",
            },
        )
        .map(Self)
    }
}

impl core::fmt::Debug for HostName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HostName({:?})", String::from_utf8_lossy(&self.0))
    }
}

/// One `ServerName` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerName {
    /// `host_name(0)`.
    HostName(HostName),
    /// Another name type. RFC 6066 s3 requires every future name type's data to begin with a
    /// 16-bit length, so we can skip (and keep) it without understanding it.
    Unknown {
        /// The name type (never `HostName` when decoded).
        name_type: ServerNameType,
        /// The length-prefixed data.
        data: PayloadU16,
    },
}

impl ServerName {
    /// The entry's name type.
    pub fn name_type(&self) -> ServerNameType {
        match self {
            Self::HostName(_) => ServerNameType::HostName,
            Self::Unknown { name_type, .. } => *name_type,
        }
    }
}

impl Codec for ServerName {
    fn encode(&self, out: &mut Vec<u8>) {
        self.name_type().encode(out);
        match self {
            Self::HostName(h) => h.encode(out),
            Self::Unknown { data, .. } => data.encode(out),
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match ServerNameType::read(r)? {
            ServerNameType::HostName => Ok(Self::HostName(HostName::read(r)?)),
            name_type => Ok(Self::Unknown {
                name_type,
                data: PayloadU16::read(r)?,
            }),
        }
    }
}

impl TlsListElement for ServerName {
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 {
        context: "server_name_list",
    };
}

/// The client's `ServerNameList server_name_list<1..2^16-1>` (RFC 6066 s3). "The
/// ServerNameList MUST NOT contain more than one name of the same name_type": a repeat is
/// `IllegalValue`. (The server's acknowledgement is the empty `ServerExtension::ServerNameAck`.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerNameList(pub Vec<ServerName>);

impl ServerNameList {
    /// A list holding one host name.
    pub fn from_host_name(name: &[u8]) -> Self {
        Self(vec![ServerName::HostName(HostName(name.to_vec()))])
    }

    /// The `host_name` entry, if any.
    pub fn host_name(&self) -> Option<&HostName> {
        self.0.iter().find_map(|n| match n {
            ServerName::HostName(h) => Some(h),
            ServerName::Unknown { .. } => None,
        })
    }
}

impl Codec for ServerNameList {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let names = Vec::<ServerName>::read(r)?;
        let mut seen = [false; 256];
        for n in &names {
            let t = usize::from(n.name_type().to_int());
            if core::mem::replace(&mut seen[t], true) {
                return Err(InvalidMessage::IllegalValue(
                    "server_name_list: a name type repeats",
                ));
            }
        }
        Ok(Self(names))
    }
}

// ---------------------------------------------------------------------------------------------
// max_fragment_length (RFC 6066 s4)
// ---------------------------------------------------------------------------------------------

/// Reads a `MaxFragmentLength`; a value outside 1..=4 is illegal_parameter (RFC 6066 s4:
/// "a value other than the allowed values ... MUST abort the handshake with an
/// illegal_parameter alert").
fn read_max_fragment_length(r: &mut Reader<'_>) -> Result<MaxFragmentLength, InvalidMessage> {
    match MaxFragmentLength::read(r)? {
        MaxFragmentLength::Unknown(_) => Err(InvalidMessage::IllegalValue("max_fragment_length")),
        v => Ok(v),
    }
}

// ---------------------------------------------------------------------------------------------
// status_request (RFC 6066 s8)
// ---------------------------------------------------------------------------------------------

/// `opaque ResponderID<1..2^16-1>`: a DER-encoded OCSP ResponderID, kept opaque.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponderId(pub Vec<u8>);

impl Codec for ResponderId {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque_u16(&self.0, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_opaque(
            r,
            ListLength::NonEmptyU16 {
                context: "ResponderID",
            },
        )
        .map(Self)
    }
}

impl TlsListElement for ResponderId {
    /// `ResponderID responder_id_list<0..2^16-1>`.
    const LIST_LENGTH: ListLength = ListLength::U16;
}

impl core::fmt::Debug for ResponderId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt_hex(f, "ResponderId", &self.0)
    }
}

/// `OCSPStatusRequest` (RFC 6066 s8).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OcspStatusRequest {
    /// `ResponderID responder_id_list<0..2^16-1>`.
    pub responder_ids: Vec<ResponderId>,
    /// `Extensions request_extensions` (DER OCSP extensions, `opaque<0..2^16-1>`).
    pub extensions: PayloadU16,
}

impl Codec for OcspStatusRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        self.responder_ids.encode(out);
        self.extensions.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            responder_ids: Vec::read(r)?,
            extensions: PayloadU16::read(r)?,
        })
    }
}

/// The client's `CertificateStatusRequest` (RFC 6066 s8). The server's acknowledgement in a
/// TLS 1.2 ServerHello is empty (`ServerExtension::StatusRequestAck`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateStatusRequest {
    /// `status_type` ocsp(1).
    Ocsp(OcspStatusRequest),
    /// Another status type; its request is the rest of the extension body, kept opaque.
    Unknown {
        /// The status type (never `OCSP` when decoded).
        status_type: CertificateStatusType,
        /// Everything after the type byte.
        data: Payload,
    },
}

impl CertificateStatusRequest {
    /// The usual request: OCSP, no responder ids, no extensions.
    pub fn ocsp() -> Self {
        Self::Ocsp(OcspStatusRequest::default())
    }
}

impl Codec for CertificateStatusRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Ocsp(req) => {
                CertificateStatusType::OCSP.encode(out);
                req.encode(out);
            }
            Self::Unknown { status_type, data } => {
                status_type.encode(out);
                data.encode(out);
            }
        }
    }

    /// Reads to the end of `r` for unknown types: call it on the extension body only.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match CertificateStatusType::read(r)? {
            CertificateStatusType::OCSP => Ok(Self::Ocsp(OcspStatusRequest::read(r)?)),
            status_type => Ok(Self::Unknown {
                status_type,
                data: Payload::read(r)?,
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ALPN (RFC 7301 s3.1)
// ---------------------------------------------------------------------------------------------

/// `opaque ProtocolName<1..2^8-1>`.
#[derive(Clone, PartialEq, Eq)]
pub struct ProtocolName(pub Vec<u8>);

impl Codec for ProtocolName {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(ListLength::U8, out, |out| out.extend_from_slice(&self.0));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_opaque(
            r,
            ListLength::NonEmptyU8 {
                context: "ProtocolName",
            },
        )
        .map(Self)
    }
}

impl TlsListElement for ProtocolName {
    /// `ProtocolName protocol_name_list<2..2^16-1>`.
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 {
        context: "protocol_name_list",
    };
}

impl core::fmt::Debug for ProtocolName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ProtocolName({:?})", String::from_utf8_lossy(&self.0))
    }
}

/// The server's ALPN body: a `ProtocolNameList` that "MUST contain exactly one ProtocolName"
/// (RFC 7301 s3.1). More than one is illegal_parameter.
fn read_single_protocol(r: &mut Reader<'_>) -> Result<ProtocolName, InvalidMessage> {
    let mut names = Vec::<ProtocolName>::read(r)?;
    match (names.pop(), names.is_empty()) {
        (Some(name), true) => Ok(name),
        _ => Err(InvalidMessage::IllegalValue(
            "ALPN: the server must select exactly one protocol",
        )),
    }
}

fn encode_single_protocol(name: &ProtocolName, out: &mut Vec<u8>) {
    encode_prefixed(ListLength::U16, out, |out| name.encode(out));
}

// ---------------------------------------------------------------------------------------------
// signed_certificate_timestamp (RFC 6962 s3.3.1)
// ---------------------------------------------------------------------------------------------

/// `opaque SerializedSCT<1..2^16-1>`, kept opaque.
#[derive(Clone, PartialEq, Eq)]
pub struct Sct(pub Vec<u8>);

impl Codec for Sct {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque_u16(&self.0, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_opaque(
            r,
            ListLength::NonEmptyU16 {
                context: "SerializedSCT",
            },
        )
        .map(Self)
    }
}

impl TlsListElement for Sct {
    /// `SerializedSCT sct_list<1..2^16-1>`.
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 {
        context: "sct_list",
    };
}

impl core::fmt::Debug for Sct {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt_hex(f, "Sct", &self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// padding (RFC 7685)
// ---------------------------------------------------------------------------------------------

/// The padding extension's body (RFC 7685 s3): zero bytes whose count is what matters.
///
/// Policy: RFC 7685 says the client MUST fill it with zeros but "the server MUST NOT check"
/// that, so we do not reject nonzero bytes either; we keep the body as received so the
/// ClientHello re-encodes byte-exactly (its bytes feed the transcript and PSK binders).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Padding(pub Vec<u8>);

impl Padding {
    /// `len` zero bytes, as a client sends them.
    pub fn zeros(len: usize) -> Self {
        Self(vec![0; len])
    }

    /// The padding's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the padding is empty (legal: a zero-length padding extension).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl core::fmt::Debug for Padding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0.iter().all(|b| *b == 0) {
            true => write!(f, "Padding({} zero bytes)", self.0.len()),
            false => fmt_hex(f, "Padding", &self.0),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// record_size_limit (RFC 8449 s4)
// ---------------------------------------------------------------------------------------------

/// `uint16 RecordSizeLimit` (RFC 8449 s4). "Endpoints MUST NOT send a value smaller than 64";
/// receiving one is illegal_parameter, enforced at decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSizeLimit(pub u16);

impl RecordSizeLimit {
    /// The smallest legal value.
    pub const MIN: u16 = 64;
}

impl Codec for RecordSizeLimit {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let v = u16::read(r).map_err(|_| InvalidMessage::MissingData("RecordSizeLimit"))?;
        match v < Self::MIN {
            true => Err(InvalidMessage::IllegalValue(
                "record_size_limit smaller than 64",
            )),
            false => Ok(Self(v)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// pre_shared_key (RFC 8446 s4.2.11)
// ---------------------------------------------------------------------------------------------

/// `PskIdentity`: `opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age`.
#[derive(Clone, PartialEq, Eq)]
pub struct PskIdentity {
    /// The ticket or external PSK identity.
    pub identity: Vec<u8>,
    /// The ticket age plus `ticket_age_add` mod 2^32 (0 for external PSKs).
    pub obfuscated_ticket_age: u32,
}

impl Codec for PskIdentity {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque_u16(&self.identity, out);
        self.obfuscated_ticket_age.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            identity: read_opaque(
                r,
                ListLength::NonEmptyU16 {
                    context: "identity",
                },
            )?,
            obfuscated_ticket_age: u32::read(r)
                .map_err(|_| InvalidMessage::MissingData("obfuscated_ticket_age"))?,
        })
    }
}

impl TlsListElement for PskIdentity {
    /// `PskIdentity identities<7..2^16-1>`: an entry is at least 7 bytes, so "non-empty" is
    /// the same bound.
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 {
        context: "identities",
    };
}

impl core::fmt::Debug for PskIdentity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PskIdentity")
            .field("identity_len", &self.identity.len())
            .field("obfuscated_ticket_age", &self.obfuscated_ticket_age)
            .finish()
    }
}

/// `opaque PskBinderEntry<32..255>`: an HMAC over the truncated ClientHello transcript.
#[derive(Clone, PartialEq, Eq)]
pub struct PskBinderEntry(pub Vec<u8>);

impl PskBinderEntry {
    /// The shortest legal binder (SHA-256 output).
    pub const MIN_LEN: usize = 32;
}

impl Codec for PskBinderEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(ListLength::U8, out, |out| out.extend_from_slice(&self.0));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let bytes = read_opaque(r, ListLength::U8)?;
        match bytes.len() < Self::MIN_LEN {
            true => Err(InvalidMessage::TooShort("PskBinderEntry")),
            false => Ok(Self(bytes)),
        }
    }
}

impl TlsListElement for PskBinderEntry {
    /// `PskBinderEntry binders<33..2^16-1>`: an entry is at least 33 bytes.
    const LIST_LENGTH: ListLength = ListLength::NonEmptyU16 { context: "binders" };
}

impl core::fmt::Debug for PskBinderEntry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt_hex(f, "PskBinderEntry", &self.0)
    }
}

/// The ClientHello's `OfferedPsks` (RFC 8446 s4.2.11). There must be one binder per identity;
/// a mismatch is illegal_parameter (the binder for some identity would be missing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferedPsks {
    /// `PskIdentity identities<7..2^16-1>`.
    pub identities: Vec<PskIdentity>,
    /// `PskBinderEntry binders<33..2^16-1>`, in the same order as `identities`.
    pub binders: Vec<PskBinderEntry>,
}

impl OfferedPsks {
    /// Bytes the `binders` vector takes on the wire, length prefix included: what
    /// the binder transcript leaves out (RFC 8446 s4.2.11.2).
    pub fn binders_encoded_len(&self) -> usize {
        2 + self.binders.iter().map(|b| 1 + b.0.len()).sum::<usize>()
    }
}

impl Codec for OfferedPsks {
    fn encode(&self, out: &mut Vec<u8>) {
        self.identities.encode(out);
        self.binders.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let identities = Vec::<PskIdentity>::read(r)?;
        let binders = Vec::<PskBinderEntry>::read(r)?;
        if identities.len() != binders.len() {
            return Err(InvalidMessage::IllegalValue(
                "pre_shared_key: identities and binders differ in number",
            ));
        }
        Ok(Self {
            identities,
            binders,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// early_data (RFC 8446 s4.2.10)
// ---------------------------------------------------------------------------------------------

/// `uint32 max_early_data_size`: the early_data body in NewSessionTicket (RFC 8446 s4.2.10).
/// The ClientHello and EncryptedExtensions forms are empty. `NewSessionTicketExtension` in
/// `msgs::handshake` reads and writes its early_data body with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxEarlyDataSize(pub u32);

impl Codec for MaxEarlyDataSize {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        u32::read(r)
            .map(Self)
            .map_err(|_| InvalidMessage::MissingData("max_early_data_size"))
    }
}

// ---------------------------------------------------------------------------------------------
// supported_versions (RFC 8446 s4.2.1)
// ---------------------------------------------------------------------------------------------

/// The ClientHello's `ProtocolVersion versions<2..254>`: a u8 length, non-empty, even (an
/// odd length leaves half a version, which is `MissingData`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportedVersions(pub Vec<ProtocolVersion>);

impl Codec for SupportedVersions {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(ListLength::U8, out, |out| {
            for v in &self.0 {
                v.encode(out);
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let mut body = ListLength::NonEmptyU8 {
            context: "supported_versions",
        }
        .read_body(r)?;
        let mut versions = Vec::with_capacity(body.left() / 2);
        while body.any_left() {
            versions.push(ProtocolVersion::read(&mut body)?);
        }
        Ok(Self(versions))
    }
}

// ---------------------------------------------------------------------------------------------
// cookie (RFC 8446 s4.2.2) and certificate_authorities (RFC 8446 s4.2.4)
// ---------------------------------------------------------------------------------------------

/// `opaque cookie<1..2^16-1>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Cookie(pub Vec<u8>);

impl Codec for Cookie {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque_u16(&self.0, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_opaque(r, ListLength::NonEmptyU16 { context: "cookie" }).map(Self)
    }
}

impl core::fmt::Debug for Cookie {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt_hex(f, "Cookie", &self.0)
    }
}

/// `DistinguishedName authorities<3..2^16-1>` (RFC 8446 s4.2.4): non-empty, each name
/// non-empty. (TLS 1.2's CertificateRequest list, which may be empty, is not this type.)
/// Also usable in TLS 1.3 CertificateRequest extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateAuthorities(pub Vec<DistinguishedName>);

impl Codec for CertificateAuthorities {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let mut body = ListLength::NonEmptyU16 {
            context: "certificate_authorities",
        }
        .read_body(r)?;
        let mut names = Vec::new();
        while body.any_left() {
            names.push(DistinguishedName::read(&mut body)?);
        }
        Ok(Self(names))
    }
}

// ---------------------------------------------------------------------------------------------
// key_share (RFC 8446 s4.2.8)
// ---------------------------------------------------------------------------------------------

/// `KeyShareEntry`: `NamedGroup group; opaque key_exchange<1..2^16-1>`.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyShareEntry {
    /// The group the key belongs to.
    pub group: NamedGroup,
    /// The public key in the group's encoding.
    pub key_exchange: Vec<u8>,
}

impl Codec for KeyShareEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        self.group.encode(out);
        encode_opaque_u16(&self.key_exchange, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            group: NamedGroup::read(r)?,
            key_exchange: read_opaque(
                r,
                ListLength::NonEmptyU16 {
                    context: "key_exchange",
                },
            )?,
        })
    }
}

impl TlsListElement for KeyShareEntry {
    /// `KeyShareEntry client_shares<0..2^16-1>` (may be empty: the client then asks for
    /// an HRR).
    const LIST_LENGTH: ListLength = ListLength::U16;
}

impl core::fmt::Debug for KeyShareEntry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyShareEntry")
            .field("group", &self.group)
            .field("key_exchange_len", &self.key_exchange.len())
            .finish()
    }
}

/// Reads the ClientHello's `client_shares`. "Clients MUST NOT offer multiple KeyShareEntry
/// values for the same group" (RFC 8446 s4.2.8); servers "MAY check for violations of these
/// rules and abort the handshake with an illegal_parameter alert": we do.
fn read_client_shares(r: &mut Reader<'_>) -> Result<Vec<KeyShareEntry>, InvalidMessage> {
    let shares = Vec::<KeyShareEntry>::read(r)?;
    let mut groups: Vec<u16> = shares.iter().map(|s| s.group.to_int()).collect();
    groups.sort_unstable();
    match groups.windows(2).any(|w| w[0] == w[1]) {
        true => Err(InvalidMessage::IllegalValue(
            "key_share: a group is offered twice",
        )),
        false => Ok(shares),
    }
}

// ---------------------------------------------------------------------------------------------
// ClientHello extensions
// ---------------------------------------------------------------------------------------------

/// An extension in a ClientHello (TLS 1.2 and 1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientExtension {
    /// server_name (RFC 6066 s3).
    ServerName(ServerNameList),
    /// max_fragment_length (RFC 6066 s4).
    MaxFragmentLength(MaxFragmentLength),
    /// status_request (RFC 6066 s8).
    StatusRequest(CertificateStatusRequest),
    /// supported_groups (RFC 8446 s4.2.7, RFC 8422 s5.1.1): `named_group_list<2..2^16-1>`.
    SupportedGroups(Vec<NamedGroup>),
    /// ec_point_formats (RFC 8422 s5.1.2).
    EcPointFormats(Vec<ECPointFormat>),
    /// signature_algorithms (RFC 8446 s4.2.3, RFC 5246 s7.4.1.4.1).
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// signature_algorithms_cert (RFC 8446 s4.2.3).
    SignatureAlgorithmsCert(Vec<SignatureScheme>),
    /// application_layer_protocol_negotiation (RFC 7301 s3.1).
    Alpn(Vec<ProtocolName>),
    /// signed_certificate_timestamp request (RFC 6962 s3.3.1): empty.
    SignedCertificateTimestampRequest,
    /// padding (RFC 7685).
    Padding(Padding),
    /// encrypt_then_mac (RFC 7366): empty.
    EncryptThenMac,
    /// extended_master_secret (RFC 7627): empty.
    ExtendedMasterSecret,
    /// record_size_limit (RFC 8449).
    RecordSizeLimit(RecordSizeLimit),
    /// session_ticket (RFC 5077 s3.2): the ticket itself is the body (no inner length), may
    /// be empty to ask for a new ticket.
    SessionTicket(Payload),
    /// pre_shared_key (RFC 8446 s4.2.11); must be the last extension.
    PreSharedKey(OfferedPsks),
    /// early_data (RFC 8446 s4.2.10): empty.
    EarlyData,
    /// supported_versions (RFC 8446 s4.2.1).
    SupportedVersions(SupportedVersions),
    /// cookie (RFC 8446 s4.2.2), echoed from a HelloRetryRequest.
    Cookie(Cookie),
    /// psk_key_exchange_modes (RFC 8446 s4.2.9): `ke_modes<1..255>`.
    PskKeyExchangeModes(Vec<PSKKeyExchangeMode>),
    /// certificate_authorities (RFC 8446 s4.2.4).
    CertificateAuthorities(CertificateAuthorities),
    /// post_handshake_auth (RFC 8446 s4.2.6): empty.
    PostHandshakeAuth,
    /// key_share (RFC 8446 s4.2.8): `client_shares<0..2^16-1>`, groups distinct.
    KeyShare(Vec<KeyShareEntry>),
    /// renegotiation_info (RFC 5746 s3.2): `renegotiated_connection<0..255>`.
    RenegotiationInfo(PayloadU8),
    /// Anything else, kept opaque.
    Unknown(UnknownExtension),
}

impl TlsExtension for ClientExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::ServerName(_) => ExtensionType::ServerName,
            Self::MaxFragmentLength(_) => ExtensionType::MaxFragmentLength,
            Self::StatusRequest(_) => ExtensionType::StatusRequest,
            Self::SupportedGroups(_) => ExtensionType::SupportedGroups,
            Self::EcPointFormats(_) => ExtensionType::ECPointFormats,
            Self::SignatureAlgorithms(_) => ExtensionType::SignatureAlgorithms,
            Self::SignatureAlgorithmsCert(_) => ExtensionType::SignatureAlgorithmsCert,
            Self::Alpn(_) => ExtensionType::ALProtocolNegotiation,
            Self::SignedCertificateTimestampRequest => ExtensionType::SCT,
            Self::Padding(_) => ExtensionType::Padding,
            Self::EncryptThenMac => ExtensionType::EncryptThenMac,
            Self::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            Self::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            Self::SessionTicket(_) => ExtensionType::SessionTicket,
            Self::PreSharedKey(_) => ExtensionType::PreSharedKey,
            Self::EarlyData => ExtensionType::EarlyData,
            Self::SupportedVersions(_) => ExtensionType::SupportedVersions,
            Self::Cookie(_) => ExtensionType::Cookie,
            Self::PskKeyExchangeModes(_) => ExtensionType::PSKKeyExchangeModes,
            Self::CertificateAuthorities(_) => ExtensionType::CertificateAuthorities,
            Self::PostHandshakeAuth => ExtensionType::PostHandshakeAuth,
            Self::KeyShare(_) => ExtensionType::KeyShare,
            Self::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            Self::Unknown(u) => u.typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::ServerName(v) => v.encode(out),
            Self::MaxFragmentLength(v) => v.encode(out),
            Self::StatusRequest(v) => v.encode(out),
            Self::SupportedGroups(v) => v.encode(out),
            Self::EcPointFormats(v) => v.encode(out),
            Self::SignatureAlgorithms(v) | Self::SignatureAlgorithmsCert(v) => v.encode(out),
            Self::Alpn(v) => v.encode(out),
            Self::SignedCertificateTimestampRequest
            | Self::EncryptThenMac
            | Self::ExtendedMasterSecret
            | Self::EarlyData
            | Self::PostHandshakeAuth => {}
            Self::Padding(v) => out.extend_from_slice(&v.0),
            Self::RecordSizeLimit(v) => v.encode(out),
            Self::SessionTicket(v) => v.encode(out),
            Self::PreSharedKey(v) => v.encode(out),
            Self::SupportedVersions(v) => v.encode(out),
            Self::Cookie(v) => v.encode(out),
            Self::PskKeyExchangeModes(v) => v.encode(out),
            Self::CertificateAuthorities(v) => v.encode(out),
            Self::KeyShare(v) => v.encode(out),
            Self::RenegotiationInfo(v) => v.encode(out),
            Self::Unknown(u) => u.payload.encode(out),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::ServerName => Self::ServerName(ServerNameList::read(r)?),
            ExtensionType::MaxFragmentLength => {
                Self::MaxFragmentLength(read_max_fragment_length(r)?)
            }
            ExtensionType::StatusRequest => Self::StatusRequest(CertificateStatusRequest::read(r)?),
            ExtensionType::SupportedGroups => Self::SupportedGroups(Vec::read(r)?),
            ExtensionType::ECPointFormats => Self::EcPointFormats(Vec::read(r)?),
            ExtensionType::SignatureAlgorithms => Self::SignatureAlgorithms(Vec::read(r)?),
            ExtensionType::SignatureAlgorithmsCert => Self::SignatureAlgorithmsCert(Vec::read(r)?),
            ExtensionType::ALProtocolNegotiation => Self::Alpn(Vec::read(r)?),
            ExtensionType::SCT => Self::SignedCertificateTimestampRequest,
            ExtensionType::Padding => Self::Padding(Padding(r.rest().to_vec())),
            ExtensionType::EncryptThenMac => Self::EncryptThenMac,
            ExtensionType::ExtendedMasterSecret => Self::ExtendedMasterSecret,
            ExtensionType::RecordSizeLimit => Self::RecordSizeLimit(RecordSizeLimit::read(r)?),
            ExtensionType::SessionTicket => Self::SessionTicket(Payload::read(r)?),
            ExtensionType::PreSharedKey => Self::PreSharedKey(OfferedPsks::read(r)?),
            ExtensionType::EarlyData => Self::EarlyData,
            ExtensionType::SupportedVersions => {
                Self::SupportedVersions(SupportedVersions::read(r)?)
            }
            ExtensionType::Cookie => Self::Cookie(Cookie::read(r)?),
            ExtensionType::PSKKeyExchangeModes => Self::PskKeyExchangeModes(Vec::read(r)?),
            ExtensionType::CertificateAuthorities => {
                Self::CertificateAuthorities(CertificateAuthorities::read(r)?)
            }
            ExtensionType::PostHandshakeAuth => Self::PostHandshakeAuth,
            ExtensionType::KeyShare => Self::KeyShare(read_client_shares(r)?),
            ExtensionType::RenegotiationInfo => Self::RenegotiationInfo(PayloadU8::read(r)?),
            _ => Self::Unknown(UnknownExtension::read_any(typ, r)),
        })
    }
}

impl Codec for ClientExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_extension(self, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_extension(r)
    }
}

// ---------------------------------------------------------------------------------------------
// ServerHello / EncryptedExtensions extensions
// ---------------------------------------------------------------------------------------------

/// An extension in a ServerHello (TLS 1.2 or 1.3) or in EncryptedExtensions.
///
/// Which of these may appear where is not checked here (see the module docs): for example
/// key_share is legal only in a TLS 1.3 ServerHello, ALPN only in a TLS 1.2 ServerHello or
/// in EncryptedExtensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerExtension {
    /// server_name acknowledgement: empty (RFC 6066 s3).
    ServerNameAck,
    /// max_fragment_length echo (RFC 6066 s4).
    MaxFragmentLength(MaxFragmentLength),
    /// status_request acknowledgement in a TLS 1.2 ServerHello: empty (RFC 6066 s8).
    StatusRequestAck,
    /// supported_groups in EncryptedExtensions (RFC 8446 s4.2.7).
    SupportedGroups(Vec<NamedGroup>),
    /// The selected ALPN protocol: a list of exactly one name (RFC 7301 s3.1).
    Alpn(ProtocolName),
    /// signed_certificate_timestamp in a TLS 1.2 ServerHello (RFC 6962 s3.3.1).
    SignedCertificateTimestamp(Vec<Sct>),
    /// extended_master_secret acknowledgement: empty (RFC 7627 s5.1).
    ExtendedMasterSecretAck,
    /// encrypt_then_mac acknowledgement: empty (RFC 7366 s2).
    EncryptThenMacAck,
    /// renegotiation_info (RFC 5746 s3.2): `renegotiated_connection<0..255>`.
    RenegotiationInfo(PayloadU8),
    /// session_ticket acknowledgement in a TLS 1.2 ServerHello: empty (RFC 5077 s3.2).
    SessionTicketAck,
    /// ec_point_formats (RFC 8422 s5.2).
    EcPointFormats(Vec<ECPointFormat>),
    /// record_size_limit (RFC 8449).
    RecordSizeLimit(RecordSizeLimit),
    /// early_data acceptance in EncryptedExtensions: empty (RFC 8446 s4.2.10).
    EarlyData,
    /// The selected version in a TLS 1.3 ServerHello (RFC 8446 s4.2.1).
    SupportedVersions(ProtocolVersion),
    /// The server's share in a TLS 1.3 ServerHello (RFC 8446 s4.2.8).
    KeyShare(KeyShareEntry),
    /// `uint16 selected_identity` in a TLS 1.3 ServerHello (RFC 8446 s4.2.11).
    PreSharedKey(u16),
    /// Anything else, kept opaque.
    Unknown(UnknownExtension),
}

impl TlsExtension for ServerExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::ServerNameAck => ExtensionType::ServerName,
            Self::MaxFragmentLength(_) => ExtensionType::MaxFragmentLength,
            Self::StatusRequestAck => ExtensionType::StatusRequest,
            Self::SupportedGroups(_) => ExtensionType::SupportedGroups,
            Self::Alpn(_) => ExtensionType::ALProtocolNegotiation,
            Self::SignedCertificateTimestamp(_) => ExtensionType::SCT,
            Self::ExtendedMasterSecretAck => ExtensionType::ExtendedMasterSecret,
            Self::EncryptThenMacAck => ExtensionType::EncryptThenMac,
            Self::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            Self::SessionTicketAck => ExtensionType::SessionTicket,
            Self::EcPointFormats(_) => ExtensionType::ECPointFormats,
            Self::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            Self::EarlyData => ExtensionType::EarlyData,
            Self::SupportedVersions(_) => ExtensionType::SupportedVersions,
            Self::KeyShare(_) => ExtensionType::KeyShare,
            Self::PreSharedKey(_) => ExtensionType::PreSharedKey,
            Self::Unknown(u) => u.typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::ServerNameAck
            | Self::StatusRequestAck
            | Self::ExtendedMasterSecretAck
            | Self::EncryptThenMacAck
            | Self::SessionTicketAck
            | Self::EarlyData => {}
            Self::MaxFragmentLength(v) => v.encode(out),
            Self::SupportedGroups(v) => v.encode(out),
            Self::Alpn(v) => encode_single_protocol(v, out),
            Self::SignedCertificateTimestamp(v) => v.encode(out),
            Self::RenegotiationInfo(v) => v.encode(out),
            Self::EcPointFormats(v) => v.encode(out),
            Self::RecordSizeLimit(v) => v.encode(out),
            Self::SupportedVersions(v) => v.encode(out),
            Self::KeyShare(v) => v.encode(out),
            Self::PreSharedKey(v) => v.encode(out),
            Self::Unknown(u) => u.payload.encode(out),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::ServerName => Self::ServerNameAck,
            ExtensionType::MaxFragmentLength => {
                Self::MaxFragmentLength(read_max_fragment_length(r)?)
            }
            ExtensionType::StatusRequest => Self::StatusRequestAck,
            ExtensionType::SupportedGroups => Self::SupportedGroups(Vec::read(r)?),
            ExtensionType::ALProtocolNegotiation => Self::Alpn(read_single_protocol(r)?),
            ExtensionType::SCT => Self::SignedCertificateTimestamp(Vec::read(r)?),
            ExtensionType::ExtendedMasterSecret => Self::ExtendedMasterSecretAck,
            ExtensionType::EncryptThenMac => Self::EncryptThenMacAck,
            ExtensionType::RenegotiationInfo => Self::RenegotiationInfo(PayloadU8::read(r)?),
            ExtensionType::SessionTicket => Self::SessionTicketAck,
            ExtensionType::ECPointFormats => Self::EcPointFormats(Vec::read(r)?),
            ExtensionType::RecordSizeLimit => Self::RecordSizeLimit(RecordSizeLimit::read(r)?),
            ExtensionType::EarlyData => Self::EarlyData,
            ExtensionType::SupportedVersions => Self::SupportedVersions(ProtocolVersion::read(r)?),
            ExtensionType::KeyShare => Self::KeyShare(KeyShareEntry::read(r)?),
            ExtensionType::PreSharedKey => Self::PreSharedKey(
                u16::read(r).map_err(|_| InvalidMessage::MissingData("selected_identity"))?,
            ),
            _ => Self::Unknown(UnknownExtension::read_any(typ, r)),
        })
    }
}

impl Codec for ServerExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_extension(self, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_extension(r)
    }
}

// ---------------------------------------------------------------------------------------------
// HelloRetryRequest extensions
// ---------------------------------------------------------------------------------------------

/// An extension in a HelloRetryRequest (RFC 8446 s4.1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelloRetryExtension {
    /// key_share: `NamedGroup selected_group` (RFC 8446 s4.2.8).
    KeyShare(NamedGroup),
    /// cookie (RFC 8446 s4.2.2).
    Cookie(Cookie),
    /// supported_versions: the selected version.
    SupportedVersions(ProtocolVersion),
    /// Anything else, kept opaque.
    Unknown(UnknownExtension),
}

impl TlsExtension for HelloRetryExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::KeyShare(_) => ExtensionType::KeyShare,
            Self::Cookie(_) => ExtensionType::Cookie,
            Self::SupportedVersions(_) => ExtensionType::SupportedVersions,
            Self::Unknown(u) => u.typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::KeyShare(v) => v.encode(out),
            Self::Cookie(v) => v.encode(out),
            Self::SupportedVersions(v) => v.encode(out),
            Self::Unknown(u) => u.payload.encode(out),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::KeyShare => Self::KeyShare(NamedGroup::read(r)?),
            ExtensionType::Cookie => Self::Cookie(Cookie::read(r)?),
            ExtensionType::SupportedVersions => Self::SupportedVersions(ProtocolVersion::read(r)?),
            _ => Self::Unknown(UnknownExtension::read_any(typ, r)),
        })
    }
}

impl Codec for HelloRetryExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_extension(self, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        read_extension(r)
    }
}

#[cfg(test)]
#[path = "extensions_test.rs"]
mod tests;
