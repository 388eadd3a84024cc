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

use crate::prelude::*;
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
#[path = "in_place_test.rs"]
mod tests;
