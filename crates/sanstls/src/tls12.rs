//! TLS 1.2 pieces both sides share (RFC 5246): record keys from the key block, Finished,
//! the downgrade sentinel, and the traffic state after the handshake.

use crate::conn::{Context, Message, Side, State};
use crate::enums::{AlertDescription, AlertLevel};
use crate::error::{Error, PeerMisbehaved};
use crate::handshake::prf::Tls12MasterSecret;
use crate::msgs::message::HandshakePayload;
use crate::record::protect::{RecordOpener, RecordSealer};
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

/// The state after a TLS 1.2 handshake: application data flows; renegotiation arrives
/// with issue 5 (until then both sides decline it with a no_renegotiation warning).
pub(crate) struct Traffic12 {
    pub(crate) side: Side,
    pub(crate) master: Tls12MasterSecret,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    /// Server side: the configuration a client-initiated renegotiation runs with.
    pub(crate) server_config: Option<std::sync::Arc<crate::server::ServerConfig>>,
}

/// Node's `CLIENT_RENEG_LIMIT`: client-initiated renegotiations allowed per window.
pub const CLIENT_RENEG_LIMIT: usize = 3;
/// Node's `CLIENT_RENEG_WINDOW`, in seconds.
pub const CLIENT_RENEG_WINDOW_SECS: u64 = 600;

impl State for Traffic12 {
    fn handle(self: Box<Self>, cx: &mut Context<'_>, m: Message) -> Result<Box<dyn State>, Error> {
        let side = self.side;
        match (side, m.handshake_payload()?) {
            // RFC 5246 s7.4.1.1: a client may ignore a HelloRequest; RFC 5746 s4.2 suggests
            // telling the server with a no_renegotiation warning.
            (Side::Server, HandshakePayload::ClientHello(ch)) if self.server_config.is_some() => {
                self.renegotiate(cx, ch.clone(), m)
            }
            // A server without a configuration to renegotiate with declines the same way
            // (RFC 5246 s7.4.1.2, RFC 5746 s4.4).
            (Side::Client, HandshakePayload::HelloRequest(_))
            | (Side::Server, HandshakePayload::ClientHello(_)) => {
                cx.common
                    .send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
                Ok(self)
            }
            _ => Err(m.unexpected()),
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
    /// A client-initiated renegotiation (RFC 5746): the new ClientHello must carry our
    /// peer's last verify_data, Node's limit of CLIENT_RENEG_LIMIT per window applies, and
    /// the new handshake runs under the current keys while application data keeps flowing.
    fn renegotiate(
        self: Box<Self>,
        cx: &mut Context<'_>,
        ch: crate::msgs::hello::ClientHelloPayload,
        m: Message,
    ) -> Result<Box<dyn State>, Error> {
        use crate::error::PeerIncompatible;
        let config = self
            .server_config
            .clone()
            .ok_or(Error::ApiMisuse("no server config"))?;
        if cx.common.renegotiation_disabled {
            cx.common
                .send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
            return Ok(self);
        }
        // RFC 5746 s3.7: renegotiation_info must hold client_verify_data, and the SCSV
        // must not appear.
        let client_vd = cx.common.negotiated.finished_received.clone();
        let scsv = ch
            .cipher_suites
            .contains(&crate::enums::CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        if ch.renegotiation_info() != Some(client_vd.as_slice()) || scsv {
            return Err(PeerIncompatible::Other("renegotiation without RFC 5746 binding").into());
        }
        let window = core::time::Duration::from_secs(CLIENT_RENEG_WINDOW_SECS);
        let now = cx.now;
        let history = &mut cx.common.renegotiations;
        history.retain(|t| now.saturating_since(*t) < window);
        if history.len() >= CLIENT_RENEG_LIMIT {
            return Err(PeerIncompatible::Other("client renegotiated too often").into());
        }
        history.push(now);
        let server_vd = cx.common.negotiated.finished_sent.clone();
        let reneg = [client_vd, server_vd].concat();
        crate::server::tls12::renegotiate(cx, config, &m, reneg)
    }
}

/// The 12-byte verify_data of a Finished, checked for length (RFC 5246 s7.4.9).
pub(crate) fn finished_data(m: &Message) -> Result<&[u8], Error> {
    match m.handshake_payload()? {
        HandshakePayload::Finished(f) if f.verify_data.0.len() == 12 => Ok(&f.verify_data.0),
        HandshakePayload::Finished(_) => {
            Err(PeerMisbehaved::Other("TLS 1.2 Finished is not 12 bytes").into())
        }
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
