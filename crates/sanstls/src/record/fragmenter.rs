//! Cutting outgoing data into record-sized fragments (RFC 8446 s5.1, RFC 5246 s6.2.1).
//!
//! A write of one content type is split into fragments of at most `max_fragment` bytes,
//! 2^14 by default. The limit can be lowered to between 512 and 16384 bytes, as Node's
//! `tlsSocket.setMaxSendFragment()` allows (smaller records cut latency to the first
//! decrypted byte). Fragments borrow from the caller's data: nothing is copied or
//! allocated until the caller writes each one into a record, plain or protected.
//!
//! No empty fragment is ever produced: RFC 8446 s5.1 forbids empty Handshake and Alert
//! records, and an empty ApplicationData write simply produces nothing.

use crate::codec::Codec;
use crate::enums::{ContentType, ProtocolVersion};
use crate::error::Error;
use crate::record::header::{RecordHeader, MAX_PLAINTEXT};

/// The smallest settable fragment size (Node's `setMaxSendFragment` minimum).
pub const MIN_FRAGMENT_LEN: usize = 512;

/// Splits outgoing data into fragments of at most [`Fragmenter::max_fragment`] bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragmenter {
    max_fragment: usize,
}

impl Default for Fragmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Fragmenter {
    /// A fragmenter producing fragments of up to [`MAX_PLAINTEXT`] (2^14) bytes.
    pub fn new() -> Self {
        Self {
            max_fragment: MAX_PLAINTEXT,
        }
    }

    /// Sets the largest fragment; `len` must be in `512..=16384`, otherwise
    /// `Error::ApiMisuse` and the previous value stays.
    pub fn set_max_fragment(&mut self, len: usize) -> Result<(), Error> {
        if !(MIN_FRAGMENT_LEN..=MAX_PLAINTEXT).contains(&len) {
            return Err(Error::ApiMisuse("max fragment length must be 512..=16384"));
        }
        self.max_fragment = len;
        Ok(())
    }

    /// The largest fragment produced.
    pub fn max_fragment(&self) -> usize {
        self.max_fragment
    }

    /// The fragments of `data`, all of type `typ`, in order. Empty `data` yields none.
    pub fn fragment<'a>(&self, typ: ContentType, data: &'a [u8]) -> Fragments<'a> {
        Fragments {
            typ,
            chunks: data.chunks(self.max_fragment),
        }
    }
}

/// The iterator returned by [`Fragmenter::fragment`].
#[derive(Clone, Debug)]
pub struct Fragments<'a> {
    typ: ContentType,
    chunks: core::slice::Chunks<'a, u8>,
}

impl<'a> Iterator for Fragments<'a> {
    type Item = Fragment<'a>;

    fn next(&mut self) -> Option<Fragment<'a>> {
        self.chunks.next().map(|payload| Fragment {
            typ: self.typ,
            payload,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for Fragments<'_> {}

/// One fragment: the content of one outgoing record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// The content type of the record.
    pub typ: ContentType,
    /// The content, `1..=max_fragment` bytes.
    pub payload: &'a [u8],
}

impl Fragment<'_> {
    /// Appends this fragment as an unprotected record (before keys are in force) with
    /// record version `version` (RFC 8446 s5.1: 0x0301 is allowed for an initial
    /// ClientHello, 0x0303 otherwise).
    pub fn encode_plain(&self, version: ProtocolVersion, out: &mut Vec<u8>) {
        RecordHeader {
            typ: self.typ,
            version,
            // A fragment is at most MAX_PLAINTEXT bytes, which fits in a u16.
            len: self.payload.len() as u16,
        }
        .encode(out);
        out.extend_from_slice(self.payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::deframer::Deframer;
    use proptest::prelude::*;

    #[test]
    fn splits_at_the_limit() {
        let f = Fragmenter::new();
        let data = vec![7u8; 2 * MAX_PLAINTEXT + 1];
        let frags: Vec<_> = f.fragment(ContentType::ApplicationData, &data).collect();
        let lens: Vec<_> = frags.iter().map(|f| f.payload.len()).collect();
        assert_eq!(lens, [MAX_PLAINTEXT, MAX_PLAINTEXT, 1]);
        assert!(frags.iter().all(|f| f.typ == ContentType::ApplicationData));
        assert_eq!(f.fragment(ContentType::Handshake, &data).len(), 3);

        let exact = vec![1u8; MAX_PLAINTEXT];
        assert_eq!(f.fragment(ContentType::Handshake, &exact).count(), 1);
    }

    #[test]
    fn empty_writes_produce_nothing() {
        let f = Fragmenter::new();
        for t in [
            ContentType::ApplicationData,
            ContentType::Handshake,
            ContentType::Alert,
        ] {
            assert_eq!(f.fragment(t, &[]).count(), 0);
        }
    }

    #[test]
    fn max_fragment_bounds() {
        let mut f = Fragmenter::new();
        assert_eq!(f.max_fragment(), 16384);
        for bad in [0, 1, 511, 16385, usize::MAX] {
            assert!(matches!(f.set_max_fragment(bad), Err(Error::ApiMisuse(_))));
            assert_eq!(f.max_fragment(), 16384, "unchanged after an error");
        }
        for good in [512, 1000, 16384] {
            f.set_max_fragment(good).unwrap();
            assert_eq!(f.max_fragment(), good);
        }
        f.set_max_fragment(512).unwrap();
        let lens: Vec<_> = f
            .fragment(ContentType::ApplicationData, &[0; 1300])
            .map(|f| f.payload.len())
            .collect();
        assert_eq!(lens, [512, 512, 276]);
    }

    #[test]
    fn plain_records_deframe_back() {
        let mut f = Fragmenter::new();
        f.set_max_fragment(600).unwrap();
        let data: Vec<u8> = (0..2000u32).map(|i| i as u8).collect();
        let mut wire = Vec::new();
        for frag in f.fragment(ContentType::Handshake, &data) {
            frag.encode_plain(ProtocolVersion::TLSv1_2, &mut wire);
        }
        assert_eq!(&wire[..5], &[22, 3, 3, 0x02, 0x58]);
        let mut d = Deframer::new();
        assert_eq!(d.read(&wire), wire.len());
        let mut back = Vec::new();
        while let Some(rec) = d.pop_record().unwrap() {
            assert_eq!(rec.header.typ, ContentType::Handshake);
            back.extend_from_slice(rec.payload);
        }
        assert_eq!(back, data);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn fragments_reassemble_and_respect_the_limit(
            len in 0usize..40_000,
            max in MIN_FRAGMENT_LEN..=MAX_PLAINTEXT,
        ) {
            let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            let mut f = Fragmenter::new();
            f.set_max_fragment(max).unwrap();
            let frags: Vec<_> = f.fragment(ContentType::ApplicationData, &data).collect();
            prop_assert_eq!(frags.len(), len.div_ceil(max));
            prop_assert!(frags.iter().all(|f| !f.payload.is_empty() && f.payload.len() <= max));
            let joined: Vec<u8> = frags.iter().flat_map(|f| f.payload.iter().copied()).collect();
            prop_assert_eq!(joined, data);
        }
    }
}
