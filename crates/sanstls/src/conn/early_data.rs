//! TLS 1.3 0-RTT in the record layer (RFC 8446 s4.2.10): a server reading the early data
//! it accepted (delivered apart, as [`Event::EarlyData`], since it may be a replay), and a
//! client sending early data under the early key from its ClientHello until the server's
//! answer, holding its handshake key until its EndOfEarlyData, and handing back what the
//! server did not accept ([`Event::EarlyDataRejected`]). Early data a server declines is
//! skipped in `receive` (`EarlyDataSkip`).

use super::{Common, Connection, Event};
use crate::enums::ContentType;
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::handshake::EndOfEarlyDataPayload;
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload};
use crate::prelude::*;
use crate::record::protect::RecordSealer;

/// Server: early data we accepted, counted against the size we allowed.
pub(crate) struct EarlyDataIn {
    limit: usize,
    received: usize,
}

/// Client: the early data we offered.
pub(crate) struct EarlyDataOut {
    /// How many more bytes may go out as 0-RTT: 0 once the server answered.
    remaining: usize,
    /// What went out as 0-RTT, to hand back if the server does not accept it.
    sent: Vec<u8>,
    /// Our handshake write key, held while the early key seals (until EndOfEarlyData).
    handshake_sealer: Option<RecordSealer>,
}

impl Common {
    /// Server: reads 0-RTT data under the early key, up to `max` bytes.
    pub(crate) fn start_early_data(&mut self, max: u32) {
        self.early_in = Some(EarlyDataIn {
            limit: usize::try_from(max).unwrap_or(usize::MAX),
            received: 0,
        });
        self.early_data_accepted = true;
    }

    /// Server: the client's EndOfEarlyData ended the early data.
    pub(crate) fn end_early_data(&mut self) {
        self.early_in = None;
    }

    /// Server: whether application data is early data we accepted.
    pub(super) fn reading_early_data(&self) -> bool {
        self.early_in.is_some()
    }

    /// Client: the ClientHello offering early data is queued; `sealer` (the early traffic
    /// key) protects what `send` gives until the server answers, up to `limit` bytes.
    pub(crate) fn offer_early_data(
        &mut self,
        sealer: RecordSealer,
        limit: usize,
    ) -> Result<(), Error> {
        self.set_sealer(sealer)?;
        self.early_out_0rtt = Some(Box::new(EarlyDataOut {
            remaining: limit.min(self.buffer_limit),
            sent: Vec::new(),
            handshake_sealer: None,
        }));
        Ok(())
    }

    /// Client: sends what it can of `data` as 0-RTT data; returns how many bytes went.
    /// Nothing goes ahead of data already held for after the handshake.
    pub(super) fn send_early_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        let Some(early) = self.early_out_0rtt.as_mut() else {
            return Ok(0);
        };
        if !self.early_out.is_empty() {
            return Ok(0);
        }
        let n = early.remaining.min(data.len());
        early.remaining -= n;
        early.sent.extend_from_slice(&data[..n]);
        if n > 0 {
            self.send_records(ContentType::ApplicationData, &data[..n])?;
        }
        Ok(n)
    }

    /// Client: the server answered with a TLS 1.3 ServerHello. No more 0-RTT data goes out.
    /// When it accepted our PSK it may accept the early data too, which EncryptedExtensions
    /// says: `handshake` waits until then (the early key keeps sealing, for the
    /// EndOfEarlyData). Otherwise the early data is refused and `handshake` seals from now.
    pub(crate) fn early_data_server_hello(
        &mut self,
        psk_accepted: bool,
        handshake: RecordSealer,
    ) -> Result<(), Error> {
        match self.early_out_0rtt.as_mut() {
            Some(early) if psk_accepted => {
                early.remaining = 0;
                early.handshake_sealer = Some(handshake);
                Ok(())
            }
            _ => {
                self.early_data_refused();
                self.set_sealer(handshake)
            }
        }
    }

    /// Client: the server will not read our early data (a HelloRetryRequest, a TLS 1.2
    /// ServerHello, or no PSK): what follows goes out unprotected until a new key, and the
    /// data is handed back, with what waits behind it, so that nothing the application sent
    /// goes out out of order.
    pub(crate) fn early_data_refused(&mut self) {
        if let Some(early) = self.early_out_0rtt.take() {
            self.sealer = None;
            let mut data = early.sent;
            data.append(&mut self.early_out);
            self.emit(Event::EarlyDataRejected(data));
        }
    }

    /// Client: EncryptedExtensions says whether the server accepted our early data
    /// (`accepted`, checked by the handshake against the PSK and ALPN). Refused, our
    /// handshake key seals from now on.
    pub(crate) fn early_data_answer(&mut self, accepted: bool) -> Result<(), Error> {
        let Some(early) = self.early_out_0rtt.as_mut() else {
            return Ok(());
        };
        if accepted {
            self.early_data_accepted = true;
            let n = early.sent.len();
            early.sent = Vec::new();
            self.emit(Event::EarlyDataAccepted(n));
            return Ok(());
        }
        let sealer = early.handshake_sealer.take();
        self.early_data_refused();
        match sealer {
            Some(s) => self.set_sealer(s),
            None => Ok(()),
        }
    }

    /// Client, after the server's Finished: if the server accepted our early data, queues
    /// EndOfEarlyData under the early key (s4.5) and moves to our handshake key. Returns
    /// the message for the transcript.
    pub(crate) fn end_early_data_client(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let Some(early) = self.early_out_0rtt.take() else {
            return Ok(None);
        };
        let Some(sealer) = early.handshake_sealer else {
            return Ok(None);
        };
        let m =
            HandshakeMessagePayload::new(HandshakePayload::EndOfEarlyData(EndOfEarlyDataPayload));
        let encoded = self.send_handshake(&m)?;
        self.set_sealer(sealer)?;
        Ok(Some(encoded))
    }
}

/// Server: takes a record of early data, within the size we allowed.
pub(super) fn receive(early: &mut Option<EarlyDataIn>, payload: &[u8]) -> Result<Vec<u8>, Error> {
    let Some(e) = early.as_mut() else {
        return Err(PeerMisbehaved::ApplicationDataBeforeHandshake.into());
    };
    e.received = e.received.saturating_add(payload.len());
    if e.received > e.limit {
        return Err(PeerMisbehaved::TooMuchEarlyData.into());
    }
    Ok(payload.to_vec())
}

impl Connection {
    /// TLS 1.3 0-RTT: whether early data was accepted on this connection (a server that
    /// accepted it; a client whose early data the server accepted).
    pub fn early_data_accepted(&self) -> bool {
        self.common.early_data_accepted
    }
}
