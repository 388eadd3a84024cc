//! The symmetric wire codec every TLS type implements.
//!
//! Decoding reads from a [`Reader`] over a borrowed slice and never panics: every
//! read is bounds-checked and a short buffer becomes [`InvalidMessage::MissingData`]
//! naming the field that was being read. Encoding appends to a `Vec<u8>`; length
//! prefixes are written by [`encode_prefixed`], which patches the length once the
//! body is written, so an encoder cannot disagree with its decoder about a length.
//!
//! Vector limits (`<1..2^16-1>` and friends in the RFCs' presentation language) are
//! declared once per element type through [`TlsListElement`], not checked ad hoc.

use crate::error::InvalidMessage;
use crate::prelude::*;

/// A cursor over a borrowed byte slice.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    offs: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, offs: 0 }
    }

    /// Returns everything not yet read and consumes it.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = &self.buf[self.offs..];
        self.offs = self.buf.len();
        rest
    }

    /// Takes exactly `len` bytes, or `None` if fewer are left (nothing is consumed then).
    pub fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if self.left() < len {
            return None;
        }
        let start = self.offs;
        self.offs += len;
        Some(&self.buf[start..self.offs])
    }

    /// Takes exactly `len` bytes, naming `context` in the error if they are missing.
    pub fn take_for(
        &mut self,
        len: usize,
        context: &'static str,
    ) -> Result<&'a [u8], InvalidMessage> {
        self.take(len).ok_or(InvalidMessage::MissingData(context))
    }

    /// A sub-reader over the next `len` bytes, which are consumed from `self`.
    pub fn sub(&mut self, len: usize, context: &'static str) -> Result<Reader<'a>, InvalidMessage> {
        self.take_for(len, context).map(Reader::new)
    }

    /// Fails with [`InvalidMessage::TrailingData`] if anything is left unread.
    pub fn expect_empty(&self, context: &'static str) -> Result<(), InvalidMessage> {
        match self.any_left() {
            true => Err(InvalidMessage::TrailingData(context)),
            false => Ok(()),
        }
    }

    /// Whether any bytes are left.
    pub fn any_left(&self) -> bool {
        self.offs < self.buf.len()
    }

    /// How many bytes are left.
    pub fn left(&self) -> usize {
        self.buf.len() - self.offs
    }

    /// How many bytes have been read.
    pub fn used(&self) -> usize {
        self.offs
    }
}

/// A type with a TLS wire encoding.
///
/// `read` must accept exactly what `encode` writes: `T::read(&mut Reader::new(&t.get_encoding()))`
/// returns a value equal to `t` with no bytes left over (property-tested for every type).
pub trait Codec: Sized {
    /// Appends the wire encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Reads one value, consuming exactly its encoding from `r`.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage>;

    /// The wire encoding as a fresh vector.
    fn get_encoding(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Reads one value that must span all of `bytes` (trailing data is an error).
    fn read_bytes(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.expect_empty(core::any::type_name::<Self>())?;
        Ok(v)
    }
}

impl Codec for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(r.take_for(1, "u8")?[0])
    }
}

impl Codec for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let b = r.take_for(2, "u16")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
}

/// A 24-bit unsigned integer, as used for handshake message and certificate lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct U24(pub u32);

impl U24 {
    /// The largest value a `U24` can hold.
    pub const MAX: u32 = 0x00ff_ffff;
}

impl Codec for U24 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_be_bytes()[1..]);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let b = r.take_for(3, "u24")?;
        Ok(Self(u32::from_be_bytes([0, b[0], b[1], b[2]])))
    }
}

impl Codec for u32 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let b = r.take_for(4, "u32")?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl Codec for u64 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let b = r.take_for(8, "u64")?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
}

/// How a vector's length is written, and which lengths are legal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListLength {
    /// `<0..2^8-1>`
    U8,
    /// `<1..2^8-1>`; an empty list is `InvalidEmptyList(context)`.
    NonEmptyU8 {
        /// Names the list in the error.
        context: &'static str,
    },
    /// `<0..2^16-1>`
    U16,
    /// `<1..2^16-1>`; an empty list is `InvalidEmptyList(context)`.
    NonEmptyU16 {
        /// Names the list in the error.
        context: &'static str,
    },
    /// `<0..max>` with a 24-bit length.
    U24 {
        /// The largest legal length in bytes (at most 2^24-1).
        max: usize,
        /// Names the list in the error.
        context: &'static str,
    },
    /// `<1..max>` with a 24-bit length.
    NonEmptyU24 {
        /// The largest legal length in bytes (at most 2^24-1).
        max: usize,
        /// Names the list in the error.
        context: &'static str,
    },
}

impl ListLength {
    fn prefix_len(self) -> usize {
        match self {
            Self::U8 | Self::NonEmptyU8 { .. } => 1,
            Self::U16 | Self::NonEmptyU16 { .. } => 2,
            Self::U24 { .. } | Self::NonEmptyU24 { .. } => 3,
        }
    }

    fn max(self) -> usize {
        match self {
            Self::U8 | Self::NonEmptyU8 { .. } => 0xff,
            Self::U16 | Self::NonEmptyU16 { .. } => 0xffff,
            Self::U24 { max, .. } | Self::NonEmptyU24 { max, .. } => max.min(U24::MAX as usize),
        }
    }

    fn non_empty_context(self) -> Option<&'static str> {
        match self {
            Self::NonEmptyU8 { context }
            | Self::NonEmptyU16 { context }
            | Self::NonEmptyU24 { context, .. } => Some(context),
            _ => None,
        }
    }

    fn context(self) -> &'static str {
        match self {
            Self::U8 => "u8-length vector",
            Self::U16 => "u16-length vector",
            Self::NonEmptyU8 { context }
            | Self::NonEmptyU16 { context }
            | Self::U24 { context, .. }
            | Self::NonEmptyU24 { context, .. } => context,
        }
    }

    /// Reads the length prefix and returns a reader over exactly that many bytes,
    /// enforcing the declared bounds.
    pub fn read_body<'a>(self, r: &mut Reader<'a>) -> Result<Reader<'a>, InvalidMessage> {
        let context = self.context();
        let len = match self.prefix_len() {
            1 => usize::from(u8::read(r).map_err(|_| InvalidMessage::MissingData(context))?),
            2 => usize::from(u16::read(r).map_err(|_| InvalidMessage::MissingData(context))?),
            _ => {
                U24::read(r)
                    .map_err(|_| InvalidMessage::MissingData(context))?
                    .0 as usize
            }
        };
        if len > self.max() {
            return Err(InvalidMessage::TooLarge(context));
        }
        if len == 0 {
            if let Some(ctx) = self.non_empty_context() {
                return Err(InvalidMessage::InvalidEmptyList(ctx));
            }
        }
        r.sub(len, context)
    }
}

/// Writes `body` behind a length prefix of the given size, patching the length afterwards.
///
/// Encoding is infallible: the caller is responsible for not building values larger than the
/// prefix can describe (the codec types never decode such values, and constructors that take
/// user input check sizes). An oversized body is truncated in the prefix only in release
/// builds' arithmetic, so we saturate the written length instead, which the peer rejects.
pub fn encode_prefixed(size: ListLength, out: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    let prefix = size.prefix_len();
    let at = out.len();
    out.extend_from_slice(&[0u8; 3][..prefix]);
    body(out);
    let len = out.len() - at - prefix;
    let len = len.min(match prefix {
        1 => 0xff,
        2 => 0xffff,
        _ => U24::MAX as usize,
    });
    let be = (len as u32).to_be_bytes();
    out[at..at + prefix].copy_from_slice(&be[4 - prefix..]);
}

/// An element type of a TLS vector, declaring the vector's length encoding.
pub trait TlsListElement {
    /// How `Vec<Self>` is length-prefixed and bounded.
    const LIST_LENGTH: ListLength;
    /// The encoded size of every element, for types that have one: a decoded vector is
    /// then allocated once, at its final length.
    const ENCODED_LEN: Option<usize> = None;
}

impl<T: Codec + TlsListElement> Codec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(T::LIST_LENGTH, out, |out| {
            for item in self {
                item.encode(out);
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let mut sub = T::LIST_LENGTH.read_body(r)?;
        // At most one element per encoded byte, so the capacity is bounded by the input.
        let mut items = match T::ENCODED_LEN {
            Some(len) => Vec::with_capacity(sub.left() / len.max(1)),
            None => Vec::new(),
        };
        while sub.any_left() {
            items.push(T::read(&mut sub)?);
        }
        Ok(items)
    }
}

/// Writes `name(hex)` for the `Debug` impls of opaque byte strings, so every such type
/// prints the same way.
pub(crate) fn fmt_hex(
    f: &mut core::fmt::Formatter<'_>,
    name: &str,
    bytes: &[u8],
) -> core::fmt::Result {
    write!(f, "{name}(")?;
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    write!(f, ")")
}

macro_rules! opaque_payload {
    ($(#[$m:meta])* $name:ident, $len:expr) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Default)]
        pub struct $name(pub Vec<u8>);

        impl $name {
            /// Wraps `bytes`.
            pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
                Self(bytes.into())
            }

            /// An empty payload.
            pub fn empty() -> Self {
                Self(Vec::new())
            }
        }

        impl Codec for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                encode_prefixed($len, out, |out| out.extend_from_slice(&self.0));
            }

            fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
                let mut body = $len.read_body(r)?;
                Ok(Self(body.rest().to_vec()))
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                fmt_hex(f, stringify!($name), &self.0)
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }
    };
}

opaque_payload!(
    /// `opaque data<0..2^8-1>`
    PayloadU8,
    ListLength::U8
);
opaque_payload!(
    /// `opaque data<0..2^16-1>`
    PayloadU16,
    ListLength::U16
);
opaque_payload!(
    /// `opaque data<0..2^24-1>`
    PayloadU24,
    ListLength::U24 { max: U24::MAX as usize, context: "u24-length opaque" }
);

/// Bytes that run to the end of the enclosing structure (no length prefix of their own).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Payload(pub Vec<u8>);

impl Payload {
    /// Wraps `bytes`.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
}

impl Codec for Payload {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self(r.rest().to_vec()))
    }
}

impl core::fmt::Debug for Payload {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt_hex(f, "Payload", &self.0)
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip_big_endian() {
        assert_eq!(0x0102u16.get_encoding(), [1, 2]);
        assert_eq!(U24(0x010203).get_encoding(), [1, 2, 3]);
        assert_eq!(0x01020304u32.get_encoding(), [1, 2, 3, 4]);
        assert_eq!(u64::read_bytes(&[0, 0, 0, 0, 0, 0, 1, 0]).unwrap(), 256);
        assert_eq!(
            U24::read_bytes(&[1, 2]),
            Err(InvalidMessage::MissingData("u24"))
        );
    }

    #[test]
    fn reader_is_bounded() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.take(4), None);
        assert_eq!(r.used(), 0, "a failed take consumes nothing");
        assert_eq!(r.take(2), Some(&[1, 2][..]));
        assert_eq!(r.expect_empty("x"), Err(InvalidMessage::TrailingData("x")));
        assert!(r.sub(2, "sub").is_err());
        assert_eq!(r.rest(), &[3]);
        assert!(r.expect_empty("x").is_ok());
    }

    #[test]
    fn prefixed_payloads_patch_their_length() {
        let p = PayloadU16::new(vec![9; 300]);
        let enc = p.get_encoding();
        assert_eq!(&enc[..2], &[0x01, 0x2c]);
        assert_eq!(PayloadU16::read_bytes(&enc).unwrap(), p);
        let p = PayloadU24::new(vec![7; 5]);
        assert_eq!(p.get_encoding(), [0, 0, 5, 7, 7, 7, 7, 7]);
    }

    #[test]
    fn payload_length_beyond_buffer_is_missing_data() {
        assert_eq!(
            PayloadU8::read_bytes(&[3, 1, 2]),
            Err(InvalidMessage::MissingData("u8-length vector"))
        );
        assert!(PayloadU8::read_bytes(&[1, 1, 2]).is_err(), "trailing byte");
    }

    #[test]
    fn non_empty_and_max_bounds_are_enforced() {
        let ne = ListLength::NonEmptyU16 { context: "things" };
        assert_eq!(
            ne.read_body(&mut Reader::new(&[0, 0])).err(),
            Some(InvalidMessage::InvalidEmptyList("things"))
        );
        let capped = ListLength::U24 {
            max: 4,
            context: "capped",
        };
        assert_eq!(
            capped
                .read_body(&mut Reader::new(&[0, 0, 5, 1, 2, 3, 4, 5]))
                .err(),
            Some(InvalidMessage::TooLarge("capped"))
        );
    }
}
