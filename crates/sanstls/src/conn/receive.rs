//! The receive path: TLS bytes into records, opened under the read key, then handshake
//! messages to the handshake state, alerts handled, and application data kept for
//! `read_plaintext` (where it was decrypted when it can be); early data a server declined is
//! skipped.

use super::{Common, Connection, Context, Event, Message, Side};
use crate::codec::Codec;
use crate::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::error::{Error, InvalidMessage, PeerIncompatible, PeerMisbehaved};
use crate::limits::Limit;
use crate::msgs::alert::AlertMessagePayload;
use crate::msgs::message::{HandshakeMessagePayload, HandshakePayload, MessagePayload};
use crate::prelude::*;
use crate::record::deframer::check_ccs_payload;
use crate::record::header::{MAX_CIPHERTEXT_TLS12, MAX_CIPHERTEXT_TLS13, MAX_PLAINTEXT};
use crate::record::protect::RecordOpener;
use crate::time::UnixTime;

/// How a server that declined a client's 0-RTT skips the early data (RFC 8446 s4.2.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EarlyDataSkip {
    /// Nothing to skip.
    None,
    /// After a HelloRetryRequest: every application_data record before the second
    /// ClientHello is early data.
    UntilSecondHello,
    /// After our ServerHello: records that fail to decrypt under the client's handshake
    /// key are early data, until the first one that decrypts.
    UntilDecrypts,
}

/// Counts `len` more bytes of skipped early data against the limit.
fn skip_early_data(
    skipped: &mut usize,
    len: usize,
    limits: &crate::limits::Limits,
) -> Result<(), Error> {
    *skipped = skipped.saturating_add(len);
    match *skipped > limits.max_skipped_early_data {
        true => Err(Error::LimitExceeded(Limit::SkippedEarlyData)),
        false => Ok(()),
    }
}

/// Where a decrypted record's plaintext is.
pub(super) enum Payload<'a> {
    /// In the deframer's buffer, where it was decrypted.
    Deframer(core::ops::Range<usize>),
    /// In the caller's buffer (`open_in_place`).
    Caller(&'a [u8]),
}

impl Common {
    /// Installs the key for reading. A handshake message must not span a key change
    /// (RFC 8446 s5.1).
    pub(crate) fn set_opener(&mut self, mut opener: RecordOpener) -> Result<(), Error> {
        self.joiner.check_key_change()?;
        // Protected records may carry up to 256 (TLS 1.3, RFC 8446 s5.2) or 2048 (TLS 1.2,
        // RFC 5246 s6.2.3) bytes of expansion.
        let max = match self.negotiated.version {
            Some(ProtocolVersion::TLSv1_2) => MAX_CIPHERTEXT_TLS12,
            _ => MAX_CIPHERTEXT_TLS13,
        };
        self.deframer.set_max_payload_len(max)?;
        opener.set_limit(self.record_limits.receive);
        self.opener = Some(opener);
        Ok(())
    }

    /// Unread plaintext bytes, wherever they are.
    pub(super) fn unread(&self) -> usize {
        let retained = self.retained.as_ref().map_or(0, |r| r.len());
        self.received.len() - self.received_at + retained
    }

    /// Moves retained plaintext out of the deframer's buffer into `received` (behind what
    /// is there): before the deframer may move or overwrite it, and before a newer record
    /// is queued behind it.
    pub(super) fn keep_retained(&mut self) {
        if let Some(range) = self.retained.take() {
            if self.received_at > 0 {
                self.received.drain(..self.received_at);
                self.received_at = 0;
            }
            self.received.extend_from_slice(self.deframer.bytes(range));
        }
    }

    /// The version to decode handshake bodies with.
    fn decode_version(&self) -> ProtocolVersion {
        self.negotiated.version.unwrap_or(ProtocolVersion::TLSv1_2)
    }
}

impl Connection {
    /// Offers bytes received from the transport. Returns how many were taken. It takes
    /// fewer than offered only for back-pressure, and then [`Self::process`] or reading
    /// plaintext makes room: the deframer holds at most one record until `process` handles
    /// it, and while the unread plaintext reaches `max_buffered_plaintext` it takes nothing
    /// ([`Self::wants_read`] is false) until the caller reads some. Bytes that can never
    /// matter are taken and dropped, so a loop that offers them again cannot spin: anything
    /// after the peer's close_notify (RFC 8446 s6.1, RFC 5246 s7.2.1), and anything once
    /// the connection has failed (`process` returns the error).
    pub fn read_tls(&mut self, bytes: &[u8]) -> usize {
        if self.common.error.is_some() || self.common.received_close_notify {
            return bytes.len();
        }
        // Stop taking records while the caller has not read the plaintext we hold.
        if !self.wants_read() || bytes.is_empty() {
            return 0;
        }
        self.common.keep_retained();
        self.common.deframer.read(bytes)
    }

    /// Whether [`Self::read_tls`] takes bytes now: false while the unread plaintext fills
    /// the buffer (read it first), and while a server paused on its ClientHello has its
    /// receive buffer full of what followed it (until `ServerConnection::accept`). After
    /// close_notify or a failure it is true: such bytes are taken and dropped.
    pub fn wants_read(&self) -> bool {
        let c = &self.common;
        if c.error.is_some() || c.received_close_notify {
            return true;
        }
        // A server paused on its ClientHello (or on a TLS 1.2 PSK identity) holds what
        // follows until the caller answers.
        let holding = self
            .state
            .as_ref()
            .is_some_and(|s| s.awaits_config() || s.holds_input());
        if holding && c.deframer.free_space() == 0 {
            return false;
        }
        c.unread() < c.buffer_limit
    }

    /// Whether a server waits for `accept` (records behind the ClientHello wait too).
    pub(super) fn paused_for_config(&self) -> bool {
        self.state.as_ref().is_some_and(|s| s.awaits_config())
    }

    /// Processes every whole record received so far. On a fatal error the right alert is
    /// queued for `write_tls`, the error is returned, and it is returned again by every
    /// later call (errors are sticky).
    pub fn process(&mut self, now: UnixTime) -> Result<(), Error> {
        if let Some(e) = &self.common.error {
            return Err(e.clone());
        }
        if let Some(deadline) = self.common.handshake_deadline {
            if now >= deadline && !self.common.traffic {
                return Err(self.common.fail(Error::HandshakeTimeout));
            }
        }
        match self.process_records(now) {
            Ok(()) => {
                self.common.trim();
                Ok(())
            }
            Err(e) => {
                self.state = None;
                Err(self.common.fail(e))
            }
        }
    }

    pub(super) fn process_records(&mut self, now: UnixTime) -> Result<(), Error> {
        loop {
            // A state waiting for the caller mid-flight leaves the rest buffered.
            if self.state.as_ref().is_some_and(|s| s.holds_input()) {
                return Ok(());
            }
            // Whole handshake messages already joined go first, in order.
            if let Some(m) = self.common.joiner.pop() {
                // After the handshake (and outside a renegotiation's own messages), each
                // message counts against the post-handshake rate.
                if self.common.traffic && !self.common.renegotiating {
                    let l = &self.common.limits;
                    let (window, max) = (l.post_handshake_window, l.max_post_handshake_messages);
                    if !self.common.post_handshake.admit(now, window, max) {
                        return Err(Error::LimitExceeded(Limit::PostHandshakeMessages));
                    }
                }
                let encoded = m.encoded.to_vec();
                self.common.trace_handshake(false, &encoded);
                let version = self.common.decode_version();
                let payload = HandshakeMessagePayload::read_bytes_version(&encoded, version)?;
                // RFC 5246 s7.4.1.1: a client that is already negotiating ignores a
                // HelloRequest (e.g. one that crossed our own renegotiation on the wire).
                let hello_request = matches!(payload.payload, HandshakePayload::HelloRequest(_));
                if hello_request
                    && self.common.side == Side::Client
                    && version == ProtocolVersion::TLSv1_2
                    && (self.common.renegotiating || !self.common.traffic)
                {
                    continue;
                }
                let msg = Message {
                    payload: MessagePayload::Handshake(payload),
                    encoded,
                };
                self.deliver(now, msg)?;
                continue;
            }
            if self.common.received_close_notify || self.paused_for_config() {
                // Paused on a ClientHello, records behind it (0-RTT data, a compatibility
                // ChangeCipherSpec) wait for the configuration `accept` brings.
                return Ok(());
            }
            let Some(record) = self.common.deframer.pop_record()? else {
                return Ok(());
            };
            let header = record.header;
            let tls12 = self.common.negotiated.version == Some(ProtocolVersion::TLSv1_2);
            // In TLS 1.3 ChangeCipherSpec is never protected (RFC 8446 s5) and only the
            // middlebox-compatibility no-op. In TLS 1.2 it is a message of its own (handled
            // below, after decryption: renegotiation sends it under the current keys).
            if header.typ == ContentType::ChangeCipherSpec && !tls12 {
                // RFC 8446 s5.1: not between the records of one handshake message.
                self.common
                    .joiner
                    .check_interleave(ContentType::ChangeCipherSpec)?;
                check_ccs_payload(record.payload)?;
                self.common
                    .trace(super::TraceEvent::ChangeCipherSpec { sent: false });
                if !self.common.accept_ccs {
                    return Err(PeerMisbehaved::ChangeCipherSpecInTls13.into());
                }
                self.common.accept_ccs = false;
                continue;
            }
            // Decrypted in place; from here on the plaintext is addressed by its position
            // in the deframer's buffer (so it can be left there, see `retained`).
            let offset = record.offset;
            let early_data = &mut self.common.early_data;
            let early_data_skipped = &mut self.common.early_data_skipped;
            let limits = &self.common.limits;
            let early =
                header.typ == ContentType::ApplicationData && *early_data != EarlyDataSkip::None;
            let (typ, range) = match &mut self.common.opener {
                Some(opener) => match opener.open_in_place(&header, record.payload) {
                    Ok(p) => {
                        if early {
                            *early_data = EarlyDataSkip::None;
                        }
                        let start = offset + p.offset;
                        (p.typ, start..start + p.payload.len())
                    }
                    // RFC 8446 s4.2.10: early data we declined does not decrypt under the
                    // handshake key; it is skipped, within a limit.
                    Err(Error::DecryptError)
                        if early && *early_data == EarlyDataSkip::UntilDecrypts =>
                    {
                        skip_early_data(early_data_skipped, record.payload.len(), limits)?;
                        continue;
                    }
                    Err(e) => return Err(e),
                },
                None if early => {
                    skip_early_data(early_data_skipped, record.payload.len(), limits)?;
                    continue;
                }
                None => (header.typ, offset..offset + record.payload.len()),
            };
            if self.accept_plaintext(now, typ, Payload::Deframer(range.clone()))? {
                // An older record still in the deframer's buffer goes first.
                self.common.keep_retained();
                let c = &mut self.common;
                if c.received_at == c.received.len() {
                    // Nothing else unread: leave it where it was decrypted.
                    c.received.clear();
                    c.received_at = 0;
                    c.retained = Some(range);
                } else {
                    // Drop what the caller has read before appending, so the buffer holds
                    // at most the unread bytes plus one record.
                    if c.received_at > 0 {
                        c.received.drain(..c.received_at);
                        c.received_at = 0;
                    }
                    c.received.extend_from_slice(c.deframer.bytes(range));
                }
                self.common.emit(Event::PlaintextReady);
            }
        }
    }

    /// Checks a decrypted record's plaintext (wherever it is) and handles it, unless it is
    /// application data: returns whether it is non-empty application data, which the
    /// caller delivers (queued for `read_plaintext`, or in place).
    pub(super) fn accept_plaintext(
        &mut self,
        now: UnixTime,
        typ: ContentType,
        at: Payload<'_>,
    ) -> Result<bool, Error> {
        let tls12 = self.common.negotiated.version == Some(ProtocolVersion::TLSv1_2);
        let c = &mut self.common;
        let payload = match at {
            Payload::Deframer(range) => c.deframer.bytes(range),
            Payload::Caller(bytes) => bytes,
        };
        if payload.len() > MAX_PLAINTEXT {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        c.checker.check(typ, payload)?;
        if c.checker.consecutive_empty_app_data() > c.limits.max_empty_records {
            return Err(Error::LimitExceeded(Limit::EmptyRecords));
        }
        if crate::record::deframer::progress(typ, payload) {
            c.warning_alerts = 0;
        }
        c.joiner.check_interleave(typ)?;
        match typ {
            ContentType::Handshake => c.joiner.push(payload)?,
            ContentType::ChangeCipherSpec if tls12 => {
                check_ccs_payload(payload)?;
                c.trace(super::TraceEvent::ChangeCipherSpec { sent: false });
                // RFC 5246 s7.1: no handshake message may straddle the key change.
                c.joiner.check_key_change()?;
                let payload =
                    MessagePayload::ChangeCipherSpec(crate::msgs::ccs::ChangeCipherSpecPayload);
                self.deliver(
                    now,
                    Message {
                        payload,
                        encoded: Vec::new(),
                    },
                )?;
            }
            ContentType::Alert => {
                let alert = AlertMessagePayload::read_bytes(payload)?;
                self.handle_alert(alert)?;
            }
            ContentType::ApplicationData => {
                if !c.traffic && c.reading_early_data() {
                    let data = super::early_data::receive(&mut c.early_in, payload)?;
                    if !data.is_empty() {
                        c.emit(Event::EarlyData(data));
                    }
                    return Ok(false);
                }
                if !c.traffic {
                    return Err(PeerMisbehaved::ApplicationDataBeforeHandshake.into());
                }
                return Ok(!payload.is_empty());
            }
            other => return Err(InvalidMessage::InvalidContentType(other).into()),
        }
        Ok(false)
    }

    fn deliver(&mut self, now: UnixTime, msg: Message) -> Result<(), Error> {
        let Some(state) = self.state.take() else {
            return Err(Error::ApiMisuse("no handshake state"));
        };
        let mut cx = Context {
            common: &mut self.common,
            now,
        };
        let next = state.handle(&mut cx, msg)?;
        self.state = Some(next);
        Ok(())
    }

    fn handle_alert(&mut self, alert: AlertMessagePayload) -> Result<(), Error> {
        self.common.trace(super::TraceEvent::Alert {
            sent: false,
            level: alert.level,
            description: alert.description,
        });
        if alert.description == AlertDescription::CloseNotify {
            let c = &mut self.common;
            c.received_close_notify = true;
            // RFC 5246 s7.2.1: in TLS 1.2 close_notify closes the connection both ways: we
            // answer with ours and send nothing else (what `send` held is dropped; records
            // already sealed go first, or the peer could not open our close_notify).
            if c.closes_both_ways() {
                c.early_out.clear();
                if !c.sent_close_notify {
                    c.sent_close_notify = true;
                    c.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
                }
            }
            c.emit(Event::PeerClosed);
            return Ok(());
        }
        // RFC 8446 s6: in TLS 1.3 every alert but close_notify and user_canceled is fatal,
        // whatever level it claims.
        let tls13 = self.common.negotiated.version == Some(ProtocolVersion::TLSv1_3);
        // Our renegotiation declined: the handshake cannot go on, and (as OpenSSL and so
        // Node do) the connection ends with handshake_failure.
        if alert.description == AlertDescription::NoRenegotiation
            && self.common.renegotiating
            && self.common.side == Side::Client
        {
            return Err(PeerIncompatible::RenegotiationDeclined.into());
        }
        if alert.level == AlertLevel::Warning
            && (!tls13 || alert.description == AlertDescription::UserCanceled)
        {
            self.common.warning_alerts = self.common.warning_alerts.saturating_add(1);
            if self.common.warning_alerts > self.common.limits.max_warning_alerts {
                return Err(Error::LimitExceeded(Limit::WarningAlerts));
            }
            self.common.emit(Event::WarningAlert(alert.description));
            return Ok(());
        }
        // No alert is sent back for a received fatal alert.
        let e = Error::AlertReceived(alert.description);
        self.common.error = Some(e.clone());
        self.state = None;
        Err(e)
    }

    /// Copies received application data into `buf`; returns how many bytes.
    pub fn read_plaintext(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        while n < buf.len() {
            let chunk = self.peek_plaintext();
            let k = chunk.len().min(buf.len() - n);
            if k == 0 {
                break;
            }
            buf[n..n + k].copy_from_slice(&chunk[..k]);
            self.consume_plaintext(k);
            n += k;
        }
        n
    }

    /// The next received application data, without copying it (`BufRead::fill_buf`'s
    /// contract): empty when none is waiting, and possibly only part of what is (call again
    /// after [`Self::consume_plaintext`]). The bytes are usually still where they were
    /// decrypted, in the connection's receive buffer.
    pub fn peek_plaintext(&self) -> &[u8] {
        let c = &self.common;
        match (&c.received[c.received_at..], &c.retained) {
            ([], Some(range)) => c.deframer.bytes(range.clone()),
            (queued, _) => queued,
        }
    }

    /// Marks `n` bytes of [`Self::peek_plaintext`] as read (at most what it returned).
    pub fn consume_plaintext(&mut self, n: usize) {
        let c = &mut self.common;
        let queued = c.received.len() - c.received_at;
        if queued > 0 {
            c.received_at += n.min(queued);
            return;
        }
        // The queue is empty, so what was peeked is the record left in the deframer's
        // buffer, which is always the newest.
        if let Some(range) = &mut c.retained {
            range.start += n.min(range.end - range.start);
            if range.start == range.end {
                c.retained = None;
            }
        }
    }
}
