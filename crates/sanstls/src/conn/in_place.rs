//! Records sealed and opened in the caller's buffers: the zero-copy application-data path.
//!
//! `send` + `write_tls` and `read_tls` + `read_plaintext` copy application data once each
//! way: into the connection's record buffer, and out of the caller's. A caller that owns
//! its buffers (io_uring's registered buffers, a proxy's ring, a NIC's DMA area) can skip
//! both copies once the handshake is over:
//!
//! - [`Connection::seal_in_place`]: the caller writes the plaintext into its buffer at
//!   [`SealLayout::prefix`], and the record is sealed around it, in place.
//! - [`Connection::open_in_place`]: the caller reads records from the transport into its
//!   buffer, and each is authenticated and decrypted where it lies; the application data is
//!   returned as a range of that buffer.
//!
//! The connection still does everything else: handshake messages after the handshake
//! (tickets, KeyUpdate), alerts and close_notify arriving in place are handled as
//! `process` handles them, and what they make us send waits in `write_tls` (which must be
//! drained before the next `seal_in_place`, so records leave in sequence order).

use core::ops::Range;

use super::receive::Payload;
use super::Connection;
use crate::enums::ContentType;
use crate::error::Error;
use crate::record::deframer::read_header;
use crate::record::header::HEADER_LEN;
use crate::time::UnixTime;

/// Where [`Connection::seal_in_place`] wants the plaintext in a record buffer, for the
/// current keys and record size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealLayout {
    /// Bytes before the plaintext: the record header, and TLS 1.2 AES-GCM's explicit nonce.
    pub prefix: usize,
    /// The most bytes written after the plaintext: TLS 1.3's inner content type and
    /// padding, and the authentication tag.
    pub max_suffix: usize,
    /// The most plaintext one record carries (2^14, or the peer's record size limit).
    pub max_plaintext: usize,
}

impl SealLayout {
    /// A buffer length that always holds the record for `len` plaintext bytes.
    pub fn buffer_len(&self, len: usize) -> usize {
        self.prefix + len + self.max_suffix
    }

    /// Where the plaintext of `len` bytes goes in the buffer.
    pub fn plaintext(&self, len: usize) -> Range<usize> {
        self.prefix..self.prefix + len
    }
}

/// What [`Connection::open_in_place`] did with the start of the caller's buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// Bytes taken from the start of the buffer: one whole record, or 0 when the buffer
    /// does not hold a whole record yet (read more from the transport behind it).
    pub consumed: usize,
    /// Where the record's application data now lies, decrypted, in the buffer; empty when
    /// the record carried none (a handshake message, an alert, an empty record).
    pub plaintext: Range<usize>,
}

impl Opened {
    fn nothing() -> Self {
        Self {
            consumed: 0,
            plaintext: 0..0,
        }
    }
}

impl Connection {
    /// The buffer layout [`Self::seal_in_place`] needs, or `None` while it cannot be used
    /// (before the handshake completes, during a TLS 1.2 renegotiation).
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, payload: &[u8]) -> Result<(), sanstls::Error> {
    /// let layout = conn.seal_layout().expect("established");
    /// let mut buf = vec![0; layout.buffer_len(payload.len())];
    /// buf[layout.plaintext(payload.len())].copy_from_slice(payload); // or produce it there
    /// let n = conn.seal_in_place(&mut buf, payload.len())?;
    /// // send buf[..n]
    /// # Ok(()) }
    /// ```
    pub fn seal_layout(&self) -> Option<SealLayout> {
        let c = &self.common;
        if !c.traffic || c.renegotiating {
            return None;
        }
        let sealer = c.sealer.as_ref()?;
        Some(SealLayout {
            prefix: sealer.prefix_len(),
            max_suffix: sealer.max_suffix_len(),
            max_plaintext: c.fragmenter.max_fragment(),
        })
    }

    /// Seals one application-data record around plaintext the caller put in `record`: the
    /// `len` bytes at [`SealLayout::prefix`] (see [`Self::seal_layout`]). Returns the
    /// record's length: send `record[..n]`. No byte is copied and nothing is queued.
    ///
    /// Errors (`ApiMisuse`, nothing sealed, the connection unchanged): before the
    /// handshake completes or during a renegotiation (use `send`), after
    /// `send_close_notify`, while `write_tls` has bytes to give (they come first, so send
    /// them before), `len` over [`SealLayout::max_plaintext`], or `record` shorter than
    /// the sealed record. A failed connection returns its error.
    pub fn seal_in_place(&mut self, record: &mut [u8], len: usize) -> Result<usize, Error> {
        let c = &mut self.common;
        if let Some(e) = &c.error {
            return Err(e.clone());
        }
        if c.sent_close_notify {
            return Err(Error::ApiMisuse("seal_in_place after send_close_notify"));
        }
        if !c.traffic || c.renegotiating {
            return Err(Error::ApiMisuse(
                "seal_in_place while handshaking or renegotiating: use send",
            ));
        }
        if !c.outgoing.is_empty() || !c.pending_handshake.is_empty() || !c.early_out.is_empty() {
            return Err(Error::ApiMisuse(
                "seal_in_place while write_tls has bytes to send first",
            ));
        }
        if len > c.fragmenter.max_fragment() {
            return Err(Error::ApiMisuse(
                "seal_in_place: more plaintext than one record may carry",
            ));
        }
        if c.key_usage_limit {
            return Err(Error::KeyUsageLimit);
        }
        // Near the key's usage limit (RFC 8446 s5.5) a TLS 1.3 connection has a KeyUpdate
        // due (`wants_write`), which `write_tls` sends; within the margin this still seals,
        // at its end it waits for it. A TLS 1.2 connection closes.
        if c.records_left() <= 1 {
            if c.negotiated.version == Some(crate::enums::ProtocolVersion::TLSv1_3) {
                return Err(Error::ApiMisuse(
                    "seal_in_place: the key is at its usage limit; send write_tls's KeyUpdate first",
                ));
            }
            return self.renew_write_key().map(|()| 0);
        }
        let Some(sealer) = c.sealer.as_mut() else {
            return Err(Error::ApiMisuse("seal_in_place without keys"));
        };
        sealer.seal_in_place(ContentType::ApplicationData, record, len)
    }

    /// Authenticates and decrypts the record at the start of `buf` where it lies: `buf`
    /// holds bytes received from the transport, in order. Returns how many bytes the record
    /// took and where its application data is now, in `buf`; `consumed == 0` means `buf`
    /// does not hold a whole record yet. Call it again on `buf[consumed..]` for the next
    /// record.
    ///
    /// A record that is not application data (a session ticket, a KeyUpdate, an alert) is
    /// handled as [`Self::process`] handles it: look at [`Self::poll_event`] and
    /// [`Self::wants_write`] afterwards. No `PlaintextReady` event is emitted: the plaintext
    /// is returned. After the peer's close_notify nothing more is read (`consumed == 0`).
    ///
    /// Errors: `ApiMisuse` (the connection unchanged) before the handshake completes or
    /// during a renegotiation (use `read_tls`), or while bytes given to `read_tls` or
    /// plaintext not yet read are waiting (they come first). Anything wrong with the
    /// record fails the connection as `process` does: the alert is queued for
    /// `write_tls`, and the error is sticky. After a failure `buf`'s record bytes are
    /// unspecified.
    ///
    /// ```
    /// # fn f(conn: &mut sanstls::Connection, mut buf: Vec<u8>, now: sanstls::UnixTime)
    /// # -> Result<(), sanstls::Error> {
    /// let mut at = 0;
    /// loop {
    ///     let opened = conn.open_in_place(&mut buf[at..], now)?;
    ///     if opened.consumed == 0 {
    ///         break; // keep buf[at..] and read more behind it
    ///     }
    ///     let data = &buf[at..][opened.plaintext];
    ///     // use data
    ///     at += opened.consumed;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn open_in_place(&mut self, buf: &mut [u8], now: UnixTime) -> Result<Opened, Error> {
        let c = &self.common;
        if let Some(e) = &c.error {
            return Err(e.clone());
        }
        if c.received_close_notify {
            return Ok(Opened::nothing());
        }
        if !c.traffic || c.renegotiating {
            return Err(Error::ApiMisuse(
                "open_in_place while handshaking or renegotiating: use read_tls",
            ));
        }
        if !c.deframer.is_empty() || c.unread() > 0 {
            return Err(Error::ApiMisuse(
                "open_in_place while read_tls's bytes or unread plaintext are waiting",
            ));
        }
        self.open_record(buf, now).map_err(|e| {
            self.state = None;
            self.common.fail(e)
        })
    }

    fn open_record(&mut self, buf: &mut [u8], now: UnixTime) -> Result<Opened, Error> {
        let Some(head) = buf.get(..HEADER_LEN) else {
            return Ok(Opened::nothing());
        };
        let header = read_header(head, self.common.deframer.max_payload_len())?;
        let total = HEADER_LEN + usize::from(header.len);
        let Some(record) = buf.get_mut(..total) else {
            return Ok(Opened::nothing());
        };
        let opener = match &mut self.common.opener {
            Some(opener) if header.typ == ContentType::ApplicationData => opener,
            _ => {
                // Anything else (TLS 1.2's protected alerts and handshake records, TLS 1.3's
                // compatibility ChangeCipherSpec) is rare and small: it takes the usual
                // path through the deframer, which is empty, so it holds the whole record.
                if self.common.deframer.read(record) != total {
                    return Err(Error::ApiMisuse("record larger than the receive buffer"));
                }
                self.process_records(now)?;
                return Ok(Opened {
                    consumed: total,
                    plaintext: total..total,
                });
            }
        };
        let payload = record.get_mut(HEADER_LEN..).unwrap_or_default();
        let plain = opener.open_in_place(&header, payload)?;
        let typ = plain.typ;
        let start = HEADER_LEN + plain.offset;
        let range = start..start + plain.payload.len();
        let data = record.get(range.clone()).unwrap_or_default();
        let application_data = self.accept_plaintext(now, typ, Payload::Caller(data))?;
        if typ == ContentType::Handshake {
            // Deliver the handshake messages the record completed.
            self.process_records(now)?;
        }
        Ok(Opened {
            consumed: total,
            plaintext: if application_data {
                range
            } else {
                total..total
            },
        })
    }
}

impl Connection {
    /// Seals `payload` as one record of type `typ` under our current write keys and
    /// appends it to `out`, whatever the content: the fuzz target uses it to make records
    /// the peer can decrypt, so their plaintext is what gets fuzzed.
    pub(crate) fn seal_any_for_fuzzing(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        match self.common.sealer.as_mut() {
            Some(sealer) => sealer.seal(typ, payload, out),
            None => Err(Error::ApiMisuse("no keys")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::tests::{establish, read_buffered, start};
    use crate::enums::{AlertDescription, ProtocolVersion};
    use crate::{ClientConnection, Event, ServerConnection};

    const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

    /// An established pair, after checking that neither in-place call works before.
    fn pair(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
        let (mut c, mut s) = start(version);
        assert!(
            c.seal_layout().is_none(),
            "no in-place sealing while handshaking"
        );
        let mut buf = vec![0; 64];
        assert!(matches!(
            c.seal_in_place(&mut buf, 1),
            Err(Error::ApiMisuse(_))
        ));
        assert!(matches!(
            c.open_in_place(&mut buf, NOW),
            Err(Error::ApiMisuse(_))
        ));
        establish(&mut c, &mut s);
        assert_eq!(c.negotiated().version, Some(version));
        (c, s)
    }

    /// Seals `data` in place, one record per `chunk` bytes, into one wire buffer.
    fn seal_all(conn: &mut Connection, data: &[u8], chunk: usize) -> Vec<u8> {
        let layout = conn.seal_layout().unwrap();
        let mut wire = Vec::new();
        for piece in data.chunks(chunk) {
            let mut buf = vec![0xee; layout.buffer_len(piece.len())];
            buf[layout.plaintext(piece.len())].copy_from_slice(piece);
            let n = conn.seal_in_place(&mut buf, piece.len()).unwrap();
            assert!(n <= buf.len());
            wire.extend_from_slice(&buf[..n]);
        }
        wire
    }

    /// Opens everything in `wire` in place, offering it `step` bytes more at a time (as a
    /// transport would deliver it); returns the application data.
    fn open_all(conn: &mut Connection, wire: &mut [u8], step: usize) -> Vec<u8> {
        let (mut at, mut received, mut plain) = (0, 0usize, Vec::new());
        while at < wire.len() {
            received = received.saturating_add(step).min(wire.len()).max(at);
            let opened = conn.open_in_place(&mut wire[at..received], NOW).unwrap();
            if opened.consumed == 0 {
                assert!(received < wire.len(), "a whole record was not taken");
                continue;
            }
            plain.extend_from_slice(&wire[at..][opened.plaintext]);
            at += opened.consumed;
        }
        plain
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn in_place_records_are_read_by_the_buffered_path_and_back() {
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            let (mut c, mut s) = pair(version);
            // Client to server: sealed in place, read through read_tls.
            let data = sample(40_000);
            let layout = c.seal_layout().unwrap();
            assert_eq!(layout.max_plaintext, 16_384);
            let wire = seal_all(&mut c, &data, layout.max_plaintext);
            assert_eq!(
                wire.len(),
                3 * (layout.buffer_len(0)) + data.len(),
                "{version:?}"
            );
            assert_eq!(read_buffered(&mut s, &wire), data);
            // Server to client: sent through send, opened in place in uneven steps.
            s.send(&data).unwrap();
            let mut wire = Vec::new();
            s.write_tls(&mut wire);
            assert_eq!(open_all(&mut c, &mut wire, 1000), data, "{version:?}");
            assert!(
                c.poll_event().is_none(),
                "no PlaintextReady for in-place data"
            );
        }
    }

    #[test]
    fn key_updates_arrive_in_place_and_their_answer_goes_first() {
        let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
        s.key_update(true).unwrap();
        s.send(b"after the update").unwrap();
        let mut wire = Vec::new();
        s.write_tls(&mut wire);
        assert_eq!(open_all(&mut c, &mut wire, usize::MAX), b"after the update");
        assert_eq!(
            c.poll_event(),
            Some(Event::KeyUpdated {
                update_requested: true
            })
        );
        // Our KeyUpdate is queued: records sealed in place would overtake it.
        assert!(c.wants_write());
        let mut buf = vec![0; 64];
        assert!(matches!(
            c.seal_in_place(&mut buf, 3),
            Err(Error::ApiMisuse(_))
        ));
        let mut update = Vec::new();
        c.write_tls(&mut update);
        assert_eq!(s.read_tls(&update), update.len());
        s.process(NOW).unwrap();
        let wire = seal_all(&mut c, b"under new keys", 1024);
        assert_eq!(read_buffered(&mut s, &wire), b"under new keys");
    }

    #[test]
    fn close_notify_arrives_in_place() {
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            let (mut c, mut s) = pair(version);
            s.send(b"last words").unwrap();
            s.send_close_notify();
            let mut wire = Vec::new();
            s.write_tls(&mut wire);
            assert_eq!(open_all(&mut c, &mut wire, usize::MAX), b"last words");
            assert!(c.peer_closed(), "{version:?}");
            assert_eq!(c.poll_event(), Some(Event::PeerClosed));
            let mut more = seal_all(&mut s, b"", 1);
            assert!(more.is_empty());
            more.extend_from_slice(&[23, 3, 3, 0, 0]);
            let opened = c.open_in_place(&mut more, NOW).unwrap();
            assert_eq!(opened.consumed, 0, "nothing is read after close_notify");
        }
    }

    #[test]
    fn misuse_is_refused_and_changes_nothing() {
        let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
        let layout = c.seal_layout().unwrap();
        // Too much plaintext for a record, and a buffer too short for the record.
        let mut big = vec![0; layout.buffer_len(layout.max_plaintext + 1)];
        assert!(matches!(
            c.seal_in_place(&mut big, layout.max_plaintext + 1),
            Err(Error::ApiMisuse(_))
        ));
        let mut short = vec![0; layout.prefix + 10];
        assert!(matches!(
            c.seal_in_place(&mut short, 10),
            Err(Error::ApiMisuse(_))
        ));
        // Bytes given to read_tls come before anything opened in place.
        s.send(b"one").unwrap();
        let mut first = Vec::new();
        s.write_tls(&mut first);
        assert_eq!(c.read_tls(&first[..3]), 3);
        s.send(b"two").unwrap();
        let mut second = Vec::new();
        s.write_tls(&mut second);
        assert!(matches!(
            c.open_in_place(&mut second.clone(), NOW),
            Err(Error::ApiMisuse(_))
        ));
        assert_eq!(c.read_tls(&first[3..]), first.len() - 3);
        c.process(NOW).unwrap();
        // ... and so does plaintext not yet read.
        assert!(matches!(
            c.open_in_place(&mut second.clone(), NOW),
            Err(Error::ApiMisuse(_))
        ));
        let mut got = [0; 8];
        assert_eq!(c.read_plaintext(&mut got), 3);
        assert_eq!(open_all(&mut c, &mut second, 2), b"two");
        // None of that cost a record: both directions are still in sequence.
        let wire = seal_all(&mut c, b"fine", 16);
        assert_eq!(read_buffered(&mut s, &wire), b"fine");
    }

    #[test]
    fn a_tampered_record_fails_the_connection_with_bad_record_mac() {
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            let (mut c, mut s) = pair(version);
            let mut wire = seal_all(&mut s, b"secret", 64);
            let last = wire.len() - 1;
            wire[last] ^= 1;
            assert_eq!(c.open_in_place(&mut wire, NOW), Err(Error::DecryptError));
            assert!(c.wants_write(), "the alert is queued");
            let mut alert = Vec::new();
            c.write_tls(&mut alert);
            assert_eq!(s.read_tls(&alert), alert.len());
            assert_eq!(
                s.process(NOW),
                Err(Error::AlertReceived(AlertDescription::BadRecordMac))
            );
            // Sticky, in both directions.
            assert_eq!(c.open_in_place(&mut wire, NOW), Err(Error::DecryptError));
            assert_eq!(c.seal_in_place(&mut wire, 1), Err(Error::DecryptError));
            // An oversized header is refused before any decryption.
            let (mut c, _s) = pair(version);
            let mut huge = [23, 3, 3, 0xff, 0xff];
            assert!(c.open_in_place(&mut huge, NOW).is_err());
        }
    }
}
