//! TLS 1.2 pieces both sides share (RFC 5246): record keys from the key block, Finished,
//! the downgrade sentinel, and the traffic state after the handshake.

use crate::prelude::*;
use alloc::sync::Arc;

use crate::client::ClientConfig;
use crate::conn::{Context, Event, Message, Side, State};
use crate::enums::{AlertDescription, AlertLevel};
use crate::error::{Error, PeerMisbehaved};
use crate::handshake::prf::ct_eq;
use crate::handshake::prf::Tls12MasterSecret;
use crate::msgs::message::HandshakeMessagePayload;
use crate::msgs::message::HandshakePayload;
use crate::record::protect::{RecordOpener, RecordSealer};
use crate::server::ServerConfig;
use crate::suites::Tls12CipherSuite;

/// RFC 8446 s4.1.3: the last eight bytes of a TLS 1.2 ServerHello.random from a server
/// that supports TLS 1.3 ("DOWNGRD" + 01).
pub(crate) const DOWNGRADE_TLS12: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];

/// The record keys of both directions, from the key block (RFC 5246 s6.3; AEAD suites
/// have no MAC keys: client key, server key, client IV, server IV).
pub(crate) struct Keys12 {
    client: (Vec<u8>, Vec<u8>),
    server: (Vec<u8>, Vec<u8>),
    suite: &'static Tls12CipherSuite,
}

impl Keys12 {
    pub(crate) fn derive(
        suite: &'static Tls12CipherSuite,
        master: &Tls12MasterSecret,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Self {
        let (k, iv) = (suite.aead.key_len(), suite.aead.tls12_fixed_iv_len());
        let block = master.key_block(client_random, server_random, 2 * k + 2 * iv);
        let (ck, rest) = block.split_at(k);
        let (sk, rest) = rest.split_at(k);
        let (civ, siv) = rest.split_at(iv);
        Self {
            client: (ck.to_vec(), civ.to_vec()),
            server: (sk.to_vec(), siv.to_vec()),
            suite,
        }
    }

    fn side(&self, side: Side) -> &(Vec<u8>, Vec<u8>) {
        match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }

    /// The sealer for what `side` writes.
    pub(crate) fn sealer(&self, side: Side) -> Result<RecordSealer, Error> {
        let (key, iv) = self.side(side);
        RecordSealer::tls12(self.suite.aead, key, iv)
    }

    /// The opener for what `side` writes (the peer of `side` reads with it).
    pub(crate) fn opener(&self, side: Side) -> Result<RecordOpener, Error> {
        let (key, iv) = self.side(side);
        RecordOpener::tls12(self.suite.aead, key, iv)
    }
}

impl Drop for Keys12 {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.client.0.zeroize();
        self.server.0.zeroize();
        self.client.1.zeroize();
        self.server.1.zeroize();
    }
}

/// The state after a TLS 1.2 handshake: application data flows, and either side may
/// start a renegotiation (RFC 5746) from here.
pub(crate) struct Traffic12 {
    pub(crate) side: Side,
    pub(crate) master: Tls12MasterSecret,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    /// Server side: the configuration a renegotiation runs with.
    pub(crate) server_config: Option<Arc<ServerConfig>>,
    /// Client side: the configuration and server name a renegotiation runs with.
    pub(crate) client: Option<(Arc<ClientConfig>, String)>,
    /// Server side: we sent a HelloRequest, so the next ClientHello answers it and does not
    /// count against the client's renegotiation limit.
    pub(crate) hello_requested: bool,
}

impl State for Traffic12 {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        match (self.side, m.handshake_payload()?) {
            (Side::Server, HandshakePayload::ClientHello(ch)) => {
                let ch = ch.clone();
                self.client_renegotiates(cx, ch, m)
            }
            (Side::Client, HandshakePayload::HelloRequest(_)) => self.hello_request(cx),
            _ => Err(m.unexpected()),
        }
    }

    fn renegotiate(
        &mut self,
        cx: &mut Context<'_>,
        server_config: Option<Arc<ServerConfig>>,
    ) -> Result<Option<Box<dyn State>>, Error> {
        if !cx.common.negotiated.secure_renegotiation {
            return Err(Error::ApiMisuse(
                "renegotiate: the peer does not support secure renegotiation (RFC 5746)",
            ));
        }
        if cx.common.negotiated.psk_identity.is_some() {
            return Err(Error::ApiMisuse(
                "renegotiate: a connection a PSK authenticated does not renegotiate",
            ));
        }
        match self.side {
            Side::Client => {
                let (config, name) = self
                    .client
                    .as_ref()
                    .ok_or(Error::ApiMisuse("renegotiate: no client configuration"))?;
                crate::client::hs::start_renegotiation(cx.common, config, name, cx.now).map(Some)
            }
            // RFC 5246 s7.4.1.1: the server asks with a HelloRequest (outside the
            // transcript); the client answers with a ClientHello, or declines.
            Side::Server => {
                if let Some(config) = server_config {
                    self.server_config = Some(config);
                }
                cx.common.send_handshake(&HandshakeMessagePayload::new(
                    HandshakePayload::HelloRequest(crate::msgs::handshake::HelloRequestPayload),
                ))?;
                cx.common.flush_handshake()?;
                self.hello_requested = true;
                Ok(None)
            }
        }
    }

    fn send_key_update(&mut self, _cx: &mut Context<'_>, _request_peer: bool) -> Result<(), Error> {
        Err(Error::ApiMisuse("KeyUpdate does not exist in TLS 1.2"))
    }

    fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        self.master.export(
            label,
            &self.client_random,
            &self.server_random,
            context,
            out,
        )
    }
}

impl Traffic12 {
    /// The server asked us to renegotiate. RFC 5246 s7.4.1.1 lets a client decline, and
    /// RFC 5746 s4.2 says how: a no_renegotiation warning. We decline when renegotiation is
    /// disabled, the server lacks RFC 5746, or a PSK authenticated the connection.
    fn hello_request(self: Box<Self>, cx: &mut Context<'_>) -> Result<Box<dyn State>, Error> {
        let Some((config, name)) = &self.client else {
            return Err(Error::ApiMisuse("no client configuration"));
        };
        if cx.common.renegotiation_disabled
            || !cx.common.negotiated.secure_renegotiation
            || cx.common.negotiated.psk_identity.is_some()
        {
            cx.common
                .send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
            return Ok(self);
        }
        crate::client::hs::start_renegotiation(cx.common, config, name, cx.now)
    }

    /// A ClientHello on an established connection (RFC 5746): it must carry the client's
    /// last verify_data. Unless it answers our HelloRequest, the limit of
    /// `Limits::max_client_renegotiations` per window applies. The new handshake runs under the current keys
    /// while application data keeps flowing.
    fn client_renegotiates(
        self: Box<Self>,
        cx: &mut Context<'_>,
        ch: crate::msgs::hello::ClientHelloPayload,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        // A server without a configuration to renegotiate with, or whose application
        // disabled renegotiation, declines (RFC 5246 s7.4.1.2, RFC 5746 s4.4). So does a
        // connection a PSK authenticated: a renegotiation could change, or drop, who the
        // client proved to be (a certificate's renegotiation keeps the certificate; a PSK
        // has nothing to compare before the new handshake is done).
        if cx.common.negotiated.psk_identity.is_some() {
            cx.common
                .send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
            return Ok(self);
        }
        let config = match &self.server_config {
            Some(c) if !cx.common.renegotiation_disabled || self.hello_requested => c.clone(),
            Some(_) => {
                cx.common
                    .send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
                cx.common.emit(Event::RenegotiationRefused);
                return Ok(self);
            }
            None => {
                cx.common
                    .send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
                return Ok(self);
            }
        };
        // RFC 5746 s3.7: renegotiation_info must hold client_verify_data, and the SCSV
        // must not appear.
        let client_vd = cx.common.negotiated.finished_received.clone();
        let scsv = ch
            .cipher_suites
            .contains(&crate::enums::CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        let bound = ch
            .renegotiation_info()
            .is_some_and(|ri| ct_eq(ri, &client_vd));
        if !cx.common.negotiated.secure_renegotiation || !bound || scsv {
            return Err(PeerMisbehaved::RenegotiationWithoutBinding.into());
        }
        // RFC 7627 s5.2-5.3: a connection that has the extended master secret keeps it.
        if cx.common.negotiated.extended_master_secret && !ch.extended_master_secret_offered() {
            return Err(PeerMisbehaved::RenegotiationDropsExtendedMasterSecret.into());
        }
        if !self.hello_requested {
            let window = cx.common.limits.client_renegotiation_window;
            let allowed = cx.common.limits.max_client_renegotiations as usize;
            let now = cx.now;
            let history = &mut cx.common.renegotiations;
            history.retain(|t| now.saturating_since(*t) < window);
            if history.len() >= allowed {
                return Err(PeerMisbehaved::TooManyRenegotiations.into());
            }
            history.push(now);
        }
        let server_vd = cx.common.negotiated.finished_sent.clone();
        let reneg = [client_vd, server_vd].concat();
        cx.common.renegotiating = true;
        crate::server::tls12::renegotiate(cx, config, &m, reneg)
    }
}

/// The 12-byte verify_data of a Finished, checked for length (RFC 5246 s7.4.9).
pub(crate) fn finished_data(m: &Message) -> Result<&[u8], Error> {
    match m.handshake_payload()? {
        HandshakePayload::Finished(f) if f.verify_data.0.len() == 12 => Ok(&f.verify_data.0),
        HandshakePayload::Finished(_) => Err(PeerMisbehaved::WrongFinishedLength.into()),
        _ => Err(m.unexpected()),
    }
}

/// Whether `m` is the ChangeCipherSpec message.
pub(crate) fn expect_ccs(m: &Message) -> Result<(), Error> {
    match m.payload {
        crate::msgs::message::MessagePayload::ChangeCipherSpec(_) => Ok(()),
        _ => Err(m.unexpected()),
    }
}
