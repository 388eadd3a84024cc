//! The send path: application data and handshake messages into records, sealed under the
//! write key and queued for `write_tls`; the key-usage limit (a TLS 1.3 KeyUpdate, or a
//! clean TLS 1.2 close), close_notify and alerts.

use super::{Common, Connection, Context, TraceEvent, KEY_USAGE_MARGIN};
use crate::codec::Codec;
use crate::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::error::Error;
use crate::msgs::alert::AlertMessagePayload;
use crate::msgs::message::HandshakeMessagePayload;
use crate::prelude::*;
use crate::record::header::RecordHeader;
use crate::record::protect::RecordSealer;
use crate::time::UnixTime;

/// The largest empty buffer `write_tls` swaps for its own (two full TLS 1.2 records).
const SWAP_LIMIT: usize =
    2 * (crate::record::header::HEADER_LEN + crate::record::header::MAX_CIPHERTEXT_TLS12);

impl Common {
    /// Installs the key for writing. Handshake messages already queued go out under the
    /// previous key first.
    pub(crate) fn set_sealer(&mut self, mut sealer: RecordSealer) -> Result<(), Error> {
        self.flush_handshake()?;
        sealer.set_limit(self.record_limits.send);
        self.fragmenter
            .set_peer_limit(self.record_limits.send.content);
        self.sealer = Some(sealer);
        Ok(())
    }

    /// Cuts the queued handshake messages into records.
    pub(crate) fn flush_handshake(&mut self) -> Result<(), Error> {
        if self.pending_handshake.is_empty() {
            return Ok(());
        }
        let pending = core::mem::take(&mut self.pending_handshake);
        // Traced here, when the messages leave, not when queued: a failure drops a queued
        // flight unsent.
        self.trace_handshake(true, &pending);
        self.emit_records(ContentType::Handshake, &pending)
    }

    /// Sends `data` as records of type `typ`, protected if a write key is installed, after
    /// any queued handshake messages.
    pub(crate) fn send_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        self.flush_handshake()?;
        if typ == ContentType::ChangeCipherSpec {
            self.trace(TraceEvent::ChangeCipherSpec { sent: true });
        }
        self.emit_records(typ, data)
    }

    fn emit_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        for fragment in self.fragmenter.fragment(typ, data) {
            match &mut self.sealer {
                Some(sealer) => sealer.seal(fragment.typ, fragment.payload, &mut self.outgoing)?,
                None => fragment.encode_plain(self.plain_record_version, &mut self.outgoing),
            }
        }
        Ok(())
    }

    /// Queues a handshake message and returns its bytes for the transcript.
    pub(crate) fn send_handshake(&mut self, m: &HandshakeMessagePayload) -> Result<Vec<u8>, Error> {
        let encoded = m.get_encoding();
        self.pending_handshake.extend_from_slice(&encoded);
        Ok(encoded)
    }

    /// Sends a plaintext ChangeCipherSpec (TLS 1.3 middlebox compatibility, RFC 8446 D.4).
    pub(crate) fn send_compat_ccs(&mut self) -> Result<(), Error> {
        self.flush_handshake()?;
        self.trace(TraceEvent::ChangeCipherSpec { sent: true });
        let record = RecordHeader {
            typ: ContentType::ChangeCipherSpec,
            version: ProtocolVersion::TLSv1_2,
            len: 1,
        };
        record.encode(&mut self.outgoing);
        self.outgoing.push(1);
        Ok(())
    }

    /// Sends an alert (protected if keys are installed). Errors are ignored: an alert is
    /// a best effort on a connection that is going away.
    pub(crate) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        self.trace(TraceEvent::Alert {
            sent: true,
            level,
            description,
        });
        let alert = AlertMessagePayload { level, description }.get_encoding();
        let _ = self.send_records(ContentType::Alert, &alert);
    }

    /// How many more records the write key may seal before its usage limit.
    pub(crate) fn records_left(&self) -> u64 {
        self.sealer.as_ref().map_or(u64::MAX, |s| s.records_left())
    }

    /// Whether a TLS 1.3 established connection should send a KeyUpdate before sealing more.
    fn key_update_due(&self) -> bool {
        self.traffic
            && !self.renegotiating
            && self.error.is_none()
            && !self.sent_close_notify
            && self.negotiated.version == Some(ProtocolVersion::TLSv1_3)
            && self.records_left() <= KEY_USAGE_MARGIN
    }
}

impl Connection {
    /// Queues application data to send. Before the handshake completes, and during a TLS 1.2
    /// renegotiation, it is buffered (up to the buffer limit); returns how many bytes were
    /// accepted.
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.common.error {
            return Err(e.clone());
        }
        if self.common.received_close_notify && self.common.closes_both_ways() {
            return Err(Error::ClosedByPeer);
        }
        if self.common.key_usage_limit {
            return Err(Error::KeyUsageLimit);
        }
        if self.common.sent_close_notify {
            return Err(Error::ApiMisuse("send after send_close_notify"));
        }
        if self.common.traffic && !self.common.renegotiating {
            self.send_application_data(data)?;
            return Ok(data.len());
        }
        // TLS 1.3 0-RTT, when offered: as much as may go now goes as early data.
        let early = self.common.send_early_data(data)?;
        let data = &data[early..];
        let room = self
            .common
            .buffer_limit
            .saturating_sub(self.common.early_out.len());
        let n = data.len().min(room);
        self.common.early_out.extend_from_slice(&data[..n]);
        Ok(early + n)
    }

    /// Seals application data, keeping each key within its usage limit (RFC 8446 s5.5): in
    /// TLS 1.3 the data is split at a KeyUpdate we send by ourselves [`KEY_USAGE_MARGIN`]
    /// records before the limit; TLS 1.2 has no KeyUpdate, so there the connection closes
    /// (close_notify, then `Error::KeyUsageLimit`) before the limit.
    fn send_application_data(&mut self, mut data: &[u8]) -> Result<(), Error> {
        let fragment = self.common.fragmenter.max_fragment();
        while !data.is_empty() {
            let left = self.common.records_left();
            if left <= KEY_USAGE_MARGIN {
                self.renew_write_key()?;
                continue;
            }
            let records = usize::try_from(left - KEY_USAGE_MARGIN).unwrap_or(usize::MAX);
            let n = records.saturating_mul(fragment).min(data.len());
            self.common
                .send_records(ContentType::ApplicationData, &data[..n])?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Our write key is near its usage limit: a TLS 1.3 KeyUpdate replaces it; a TLS 1.2
    /// connection closes cleanly.
    pub(super) fn renew_write_key(&mut self) -> Result<(), Error> {
        let c = &mut self.common;
        if c.negotiated.version != Some(ProtocolVersion::TLSv1_3) {
            if !c.sent_close_notify {
                c.sent_close_notify = true;
                c.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
            }
            c.key_usage_limit = true;
            return Err(Error::KeyUsageLimit);
        }
        let Some(state) = self.state.as_mut() else {
            return Err(Error::ApiMisuse("no handshake state"));
        };
        let mut cx = Context {
            common: &mut self.common,
            now: UnixTime::default(),
        };
        state.send_key_update(&mut cx, false)
    }

    /// Sends close_notify: we will send nothing more. The peer's data may still arrive.
    pub fn send_close_notify(&mut self) {
        if !self.common.sent_close_notify && self.common.error.is_none() {
            self.common.sent_close_notify = true;
            self.common
                .send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
    }

    /// Sends a TLS 1.3 KeyUpdate; with `request_peer` the peer must update its keys too.
    pub fn key_update(&mut self, request_peer: bool) -> Result<(), Error> {
        let now = UnixTime::default();
        let Some(state) = self.state.as_mut() else {
            return Err(Error::ApiMisuse("key_update on a failed connection"));
        };
        let mut cx = Context {
            common: &mut self.common,
            now,
        };
        state.send_key_update(&mut cx, request_peer)
    }

    /// Appends the TLS bytes to send to `out`; returns how many were appended.
    pub fn write_tls(&mut self, out: &mut Vec<u8>) -> usize {
        self.prepare_write();
        // What `write_tls_to`'s writer already took goes first.
        if self.common.outgoing_at > 0 {
            self.common.outgoing.drain(..self.common.outgoing_at);
            self.common.outgoing_at = 0;
        }
        let n = self.common.outgoing.len();
        // Into an empty buffer, appending is handing over our buffer: swap instead of
        // copying (bulk sending then moves no byte twice), as long as the buffer we get in
        // exchange is no bigger than two full records, so a caller's large buffer never
        // stays with an idle connection. With nothing to send, nothing is exchanged (a
        // caller polling an idle connection keeps its own buffer).
        if n > 0 && out.is_empty() && out.capacity() <= SWAP_LIMIT {
            core::mem::swap(out, &mut self.common.outgoing);
        } else {
            out.append(&mut self.common.outgoing);
        }
        self.common.trim();
        n
    }

    /// Cuts queued handshake messages into records, and sends a KeyUpdate that is due:
    /// what `write_tls` and `write_tls_to` do before handing bytes out.
    pub(super) fn prepare_write(&mut self) {
        if let Err(e) = self.common.flush_handshake() {
            self.state = None;
            self.common.fail(e);
        }
        // Records sealed in place may have brought the key near its limit: a TLS 1.3
        // KeyUpdate goes out now (TLS 1.2 closes at the next seal).
        if self.common.key_update_due() {
            if let Err(e) = self.renew_write_key() {
                self.state = None;
                self.common.fail(e);
            }
        }
    }

    /// Whether `write_tls` has bytes to give.
    pub fn wants_write(&self) -> bool {
        !self.common.outgoing.is_empty()
            || !self.common.pending_handshake.is_empty()
            || self.common.key_update_due()
    }

    /// Test hook: sends one record of `typ` holding exactly `payload` (which may be empty or
    /// break the protocol) under the current keys, to play a hostile peer in tests. Not for
    /// production use: only with the `test-hooks` feature (and in this crate's unit tests).
    #[cfg(any(test, feature = "test-hooks"))]
    #[doc(hidden)]
    pub fn send_raw_record(&mut self, typ: ContentType, payload: &[u8]) -> Result<(), Error> {
        let c = &mut self.common;
        c.flush_handshake()?;
        let fragment = crate::record::fragmenter::Fragment { typ, payload };
        match &mut c.sealer {
            Some(sealer) => sealer.seal(fragment.typ, fragment.payload, &mut c.outgoing)?,
            None => fragment.encode_plain(c.plain_record_version, &mut c.outgoing),
        }
        Ok(())
    }

    /// Sets the largest plaintext fragment we send (Node's `setMaxSendFragment`, 512..16384).
    pub fn set_max_send_fragment(&mut self, size: usize) -> Result<(), Error> {
        self.common.fragmenter.set_max_fragment(size)
    }
}
