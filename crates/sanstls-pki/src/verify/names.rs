//! Distinguished names compared the way OpenSSL compares them (`x509_name_canon`): string
//! values of any string type are turned into UTF-8, ASCII letters lowercased, leading and
//! trailing whitespace dropped and runs of whitespace collapsed to one space; other values
//! (and the RDN structure) must match exactly. So an issuer written as PrintableString
//! `Example  CA` matches a subject written as UTF8String `example ca`, as in Node.

use der::{Encode, Tag, Tagged};
use x509_cert::name::Name;

/// A comparable form of `name` (a byte string: equal forms mean equal names).
pub(crate) fn canonical(name: &Name) -> Result<Vec<u8>, der::Error> {
    let mut out = Vec::new();
    for rdn in name.iter_rdn() {
        out.push(b'{');
        for atv in rdn.iter() {
            push_field(&mut out, &atv.oid.to_der()?);
            match canonical_string(atv.value.tag(), atv.value.value()) {
                Some(s) => {
                    out.push(b's');
                    push_field(&mut out, s.as_bytes());
                }
                None => {
                    out.push(b'v');
                    push_field(&mut out, &atv.value.to_der()?);
                }
            }
        }
        out.push(b'}');
    }
    Ok(out)
}

/// Length-prefixed, so that concatenations are unambiguous.
fn push_field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The canonical text of a string value, or `None` for other types (and undecodable text,
/// which is then compared as raw DER).
fn canonical_string(tag: Tag, value: &[u8]) -> Option<String> {
    let text: String = match tag {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8(value.to_vec()).ok()?
        }
        // T61String: OpenSSL treats it as Latin-1.
        Tag::TeletexString => value.iter().map(|&b| char::from(b)).collect(),
        Tag::BmpString => {
            if !value.len().is_multiple_of(2) {
                return None;
            }
            let units = value
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()?
        }
        _ => return None,
    };
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_ascii_whitespace() || c == '\u{b}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use der::Decode;

    use super::*;

    /// `CN=<value>` with the value's tag.
    fn cn(tag: u8, value: &[u8]) -> Name {
        let mut atv = vec![0x06, 0x03, 0x55, 0x04, 0x03, tag, value.len() as u8];
        atv.extend_from_slice(value);
        let mut seq = vec![0x30, atv.len() as u8];
        seq.extend(atv);
        let mut set = vec![0x31, seq.len() as u8];
        set.extend(seq);
        let mut name = vec![0x30, set.len() as u8];
        name.extend(set);
        Name::from_der(&name).unwrap()
    }

    #[test]
    fn case_spacing_and_string_type_do_not_matter() {
        let a = canonical(&cn(0x13, b"Example  CA")).unwrap(); // PrintableString
        let b = canonical(&cn(0x0c, b" example ca ")).unwrap(); // UTF8String
        let c = canonical(&cn(0x1e, b"\0E\0X\0A\0M\0P\0L\0E\0 \0C\0A")).unwrap(); // BMPString
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_ne!(a, canonical(&cn(0x0c, b"Example CA2")).unwrap());
        assert_ne!(a, canonical(&cn(0x0c, b"ExampleCA")).unwrap());
    }
}
