//! The server's hello phase, shared by both versions: reading the ClientHello (pausing on it
//! until the caller picks the configuration, Node's `SNICallback`), choosing the version, and
//! the choices that do not depend on it (the server name, ALPN). The handshake then goes on
//! in `tls13` or `tls12`.

use crate::prelude::*;
use alloc::sync::Arc;

use super::tls13::{check_second_hello, Retry};
use super::{ClientHelloInfo, ServerConfig};
use crate::conn::{Common, Context, EarlyDataSkip, Event, Message, State};
use crate::enums::{CipherSuite, ProtocolVersion};
use crate::error::{Error, InvalidMessage, PeerIncompatible, PeerMisbehaved};
use crate::msgs::extensions::ServerExtension;
use crate::msgs::hello::ClientHelloPayload;
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload, MessagePayload};
use crate::record::size_limit::{self, RecordLimits};

/// The first server state. With `None`, the handshake pauses on the ClientHello with
/// `Event::ClientHello` until `ServerConnection::accept` supplies a configuration.
pub(crate) fn expect_client_hello(config: Option<Arc<ServerConfig>>) -> Box<dyn State> {
    Box::new(ExpectClientHello { config })
}

pub(super) fn client_hello(m: &Message) -> Result<&ClientHelloPayload, Error> {
    match &m.payload {
        MessagePayload::Handshake(HandshakeMessagePayload {
            payload: HandshakePayload::ClientHello(ch),
            ..
        }) => Ok(ch),
        _ => Err(m.unexpected()),
    }
}

struct ExpectClientHello {
    config: Option<Arc<ServerConfig>>,
}

impl State for ExpectClientHello {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let ch = client_hello(&m)?;
        match self.config {
            Some(config) => process_client_hello(cx, config, m, None),
            None => {
                let info = ClientHelloInfo {
                    server_name: server_name(ch)?,
                    alpn_protocols: ch
                        .alpn_protocols()
                        .map(|p| p.iter().map(|n| n.0.clone()).collect())
                        .unwrap_or_default(),
                    cipher_suites: ch.cipher_suites.clone(),
                    signature_schemes: ch.signature_algorithms().unwrap_or_default().to_vec(),
                    ocsp_requested: ch.status_request().is_some(),
                };
                // Known from now on, also to a caller whose answer ends the handshake
                // (Node's tlsClientError socket has its servername).
                cx.common.negotiated.server_name = info.server_name.clone();
                cx.common.emit(Event::ClientHello(info));
                Ok(Box::new(AwaitingConfig { hello: m }))
            }
        }
    }
}

/// Paused: the caller chooses the configuration for this ClientHello.
struct AwaitingConfig {
    hello: Message,
}

impl State for AwaitingConfig {
    fn handle(self: Box<Self>, _cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        // RFC 8446 s4: nothing may follow the ClientHello before our answer.
        Err(m.unexpected())
    }

    fn awaits_config(&self) -> bool {
        true
    }

    fn accept(
        self: Box<Self>,
        cx: &mut Context<'_>,
        config: Arc<ServerConfig>,
    ) -> Result<Box<dyn State>, Error> {
        cx.common.handshake_deadline = cx
            .common
            .handshake_deadline
            .map(|d| d.min(cx.now.saturating_add(config.handshake_timeout)));
        process_client_hello(cx, config, self.hello, None)
    }
}

/// The server_name the client asked for, if it sent a DNS host name, validated before
/// anything keeps it (RFC 6066 s3): at most 255 bytes, no trailing dot, labels of 1 to 63
/// letters, digits, hyphens (and underscores, which real internal names use). An IP
/// literal, which RFC 6066 forbids but some old clients send, is ignored as if absent.
/// Anything else is refused with `unrecognized_name`, as OpenSSL does.
pub(super) fn server_name(ch: &ClientHelloPayload) -> Result<Option<String>, Error> {
    let Some(h) = ch.sni_hostname() else {
        return Ok(None);
    };
    let Ok(name) = core::str::from_utf8(&h.0) else {
        return Err(PeerMisbehaved::InvalidServerName.into());
    };
    if name.parse::<core::net::IpAddr>().is_ok() {
        return Ok(None);
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match name.len() <= 255 && name.split('.').all(label_ok) {
        true => Ok(Some(name.to_string())),
        false => Err(PeerMisbehaved::InvalidServerName.into()),
    }
}

/// A ClientHello (or, after a HelloRetryRequest, the second one) with its configuration:
/// chooses the version and hands the handshake to it.
pub(super) fn process_client_hello(
    cx: &mut Context<'_>,
    config: Arc<ServerConfig>,
    m: Message,
    retry: Option<Retry>,
) -> Result<Box<dyn State>, Error> {
    let ch = client_hello(&m)?;
    cx.common.keylog = config.key_log;
    cx.common.trace |= config.trace;
    if let Some(r) = &retry {
        cx.common.early_data = EarlyDataSkip::None;
        check_second_hello(ch, r)?;
    }
    // RFC 8446 s4.2.1: TLS 1.3 is offered through supported_versions only; TLS 1.2 through
    // it or a legacy_version of at least 0x0303 (RFC 8446 D.2). A ClientHello with
    // legacy_version 0x0304 or above and no supported_versions is a TLS 1.2 one.
    let offers = |v: ProtocolVersion| match ch.supported_versions() {
        Some(versions) => versions.contains(&v),
        None => v == ProtocolVersion::TLSv1_2 && u16::from(ch.legacy_version) >= 0x0303,
    };
    check_fallback(&config, ch, &offers)?;
    if !(offers(ProtocolVersion::TLSv1_3) && config.allows(ProtocolVersion::TLSv1_3)) {
        let tls12 = offers(ProtocolVersion::TLSv1_2) && config.allows(ProtocolVersion::TLSv1_2);
        if retry.is_none() && tls12 {
            return super::tls12::start(cx, config, &m);
        }
        return Err(PeerIncompatible::NoVersionInCommon.into());
    }
    super::tls13::start(cx, config, m, retry)
}

/// RFC 7301 s3.2: our most preferred protocol the client also offers; none in common while
/// both sides use ALPN is `no_application_protocol`.
pub(super) fn choose_alpn(
    config: &ServerConfig,
    ch: &ClientHelloPayload,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(offered) = ch.alpn_protocols() else {
        return Ok(None);
    };
    if config.alpn_protocols.is_empty() {
        return Ok(None);
    }
    config
        .alpn_protocols
        .iter()
        .find(|ours| offered.iter().any(|p| &p.0 == *ours))
        .cloned()
        .map(Some)
        .ok_or_else(|| PeerIncompatible::NoApplicationProtocolInCommon.into())
}

/// How we answer the client's record_size_limit (RFC 8449) or max_fragment_length
/// (RFC 6066 s4), and the limits the answer sets: the extension for our ServerHello (TLS
/// 1.2) or EncryptedExtensions (TLS 1.3), if any. The limits are recorded on `common`.
pub(super) fn answer_record_limits(
    common: &mut Common,
    config: &ServerConfig,
    ch: &ClientHelloPayload,
    tls13: bool,
) -> Result<Option<ServerExtension>, Error> {
    size_limit::check_configured(config.record_size_limit)?;
    // RFC 8449 s5: a server that supports record_size_limit ignores max_fragment_length
    // when both are offered.
    if let (Some(theirs), Some(ours)) = (ch.record_size_limit(), config.record_size_limit) {
        let ours = size_limit::announced(ours, tls13);
        common.set_record_limits(RecordLimits::record_size_limit(theirs, ours, tls13), false);
        return Ok(Some(ServerExtension::RecordSizeLimit(ours)));
    }
    if let Some(code) = ch.max_fragment_length() {
        // The codec refuses codes outside 1..=4 (illegal_parameter, RFC 6066 s4); this
        // only keeps a new code from slipping through unchecked.
        let len = size_limit::max_fragment_len(code)
            .ok_or(InvalidMessage::IllegalValue("max_fragment_length"))?;
        // RFC 6066 s4: from the ServerHello on, both sides send no larger record, handshake
        // records included.
        common.set_record_limits(RecordLimits::max_fragment_length(len), true);
        return Ok(Some(ServerExtension::MaxFragmentLength(code)));
    }
    common.set_record_limits(RecordLimits::default(), false);
    Ok(None)
}

/// RFC 7507 s3: a client that says it fell back (TLS_FALLBACK_SCSV) while offering less than
/// our highest version is answered with `inappropriate_fallback`.
fn check_fallback(
    config: &ServerConfig,
    ch: &ClientHelloPayload,
    offers: &dyn Fn(ProtocolVersion) -> bool,
) -> Result<(), Error> {
    if !ch.cipher_suites.contains(&CipherSuite::TLS_FALLBACK_SCSV) {
        return Ok(());
    }
    let ours = [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]
        .into_iter()
        .find(|v| config.allows(*v));
    match ours {
        Some(v) if !offers(v) => Err(PeerMisbehaved::InappropriateFallback.into()),
        _ => Ok(()),
    }
}
