//! Names as Node prints them: distinguished names as objects keyed by OpenSSL's short
//! names, and general names (subjectAltName, authorityInfoAccess) as Node's
//! `crypto_common.cc` strings, with its JSON-style escaping of unsafe values.

use std::collections::HashMap;

use der::asn1::ObjectIdentifier;
use der::{Any, Tag, Tagged};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

/// One value of a name attribute, or several when the attribute repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameValue {
    /// The attribute appears once.
    One(String),
    /// The attribute appears more than once (Node makes an array), in certificate order.
    Many(Vec<String>),
}

impl NameValue {
    /// The values, one or several.
    pub fn values(&self) -> &[String] {
        match self {
            Self::One(v) => core::slice::from_ref(v),
            Self::Many(v) => v,
        }
    }
}

impl serde::Serialize for NameValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::One(v) => s.serialize_str(v),
            Self::Many(v) => v.serialize(s),
        }
    }
}

/// A distinguished name as Node's `subject`/`issuer` object: attributes keyed by
/// OpenSSL's short name (`CN`, `O`, `OU`, `C`, `ST`, `L`, `emailAddress`, `DC`, `UID`,
/// ...; unknown types by their dotted OID), in order of first appearance. Multi-valued
/// RDNs are flattened, as Node does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameObject {
    /// `(key, value)` pairs in order of first appearance.
    pub entries: Vec<(String, NameValue)>,
}

impl NameObject {
    /// The value under `key` (`"CN"`, `"O"`, ...), if present.
    pub fn get(&self, key: &str) -> Option<&NameValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Adds `value` under `key`; `index` maps keys to their position in `entries`, so a
    /// name with many distinct attribute types stays linear.
    fn push(&mut self, index: &mut HashMap<String, usize>, key: String, value: String) {
        let slot = index
            .get(&key)
            .and_then(|&i| self.entries.get_mut(i))
            .map(|(_, v)| v);
        match slot {
            Some(NameValue::Many(values)) => values.push(value),
            Some(slot @ NameValue::One(_)) => {
                let first = match core::mem::replace(slot, NameValue::Many(Vec::new())) {
                    NameValue::One(first) => first,
                    NameValue::Many(_) => String::new(),
                };
                *slot = NameValue::Many(vec![first, value]);
            }
            None => {
                index.insert(key.clone(), self.entries.len());
                self.entries.push((key, NameValue::One(value)));
            }
        }
    }

    /// Node's object for `name`. Values that are not strings (OpenSSL's
    /// `ASN1_STRING_to_UTF8` fails on them, and Node then drops the whole name) are left out.
    pub(crate) fn from_name(name: &Name) -> Self {
        let mut out = Self::default();
        let mut index = HashMap::new();
        for atv in name.iter() {
            if let Some(value) = string_value(&atv.value) {
                out.push(&mut index, attribute_short_name(&atv.oid), value);
            }
        }
        out
    }
}

impl serde::Serialize for NameObject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// OpenSSL's short name (`OBJ_nid2sn`) for the attribute types it knows, else the dotted
/// OID, as Node's `GetX509NameObject` prints keys.
pub(crate) fn attribute_short_name(oid: &ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    let short = match dotted.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.13" => "description",
        "2.5.4.15" => "businessCategory",
        "2.5.4.16" => "postalAddress",
        "2.5.4.17" => "postalCode",
        "2.5.4.18" => "postOfficeBox",
        "2.5.4.19" => "physicalDeliveryOfficeName",
        "2.5.4.20" => "telephoneNumber",
        "2.5.4.41" => "name",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.45" => "x500UniqueIdentifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.54" => "dmdName",
        "2.5.4.65" => "pseudonym",
        "2.5.4.72" => "role",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "1.2.840.113549.1.9.2" => "unstructuredName",
        "1.2.840.113549.1.9.8" => "unstructuredAddress",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.3" => "mail",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => return dotted,
    };
    short.to_string()
}

/// A name attribute value as UTF-8, the way OpenSSL's `ASN1_STRING_to_UTF8` converts it:
/// one-byte string types are Latin-1, BMPString is UCS-2; None for types that are not
/// strings. (UniversalString values never get here: der rejects their tag.) Invalid code points become U+FFFD (V8 does the same when
/// Node builds the JavaScript string).
pub(crate) fn string_value(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String => Some(String::from_utf8_lossy(bytes).into_owned()),
        Tag::NumericString
        | Tag::PrintableString
        | Tag::TeletexString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::UtcTime
        | Tag::GeneralizedTime => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            Some(
                bytes
                    .chunks_exact(2)
                    .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
                    .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Whether Node may print `name` as is (`IsSafeAltName` in `crypto_common.cc`): no
/// quotes, backslashes, commas or apostrophes (they would make the list ambiguous), no
/// control characters, and in non-UTF-8 strings nothing outside printable ASCII.
fn is_safe_alt_name(name: &[u8], utf8: bool) -> bool {
    name.iter().all(|&c| match c {
        b'"' | b'\\' | b',' | b'\'' => false,
        _ if utf8 => c >= b' ' && c != 0x7f,
        _ => (b' '..=b'~').contains(&c),
    })
}

/// Node's `PrintAltName`: a safe name as is, an unsafe one as a JSON string literal
/// (`"` opens it before the optional prefix; commas, control characters and, outside
/// UTF-8, non-ASCII bytes become `\uXXXX`).
fn print_alt_name(out: &mut Vec<u8>, name: &[u8], utf8: bool, prefix: Option<&str>) {
    if is_safe_alt_name(name, utf8) {
        if let Some(p) = prefix {
            out.extend_from_slice(p.as_bytes());
            out.push(b':');
        }
        out.extend_from_slice(name);
        return;
    }
    out.push(b'"');
    if let Some(p) = prefix {
        out.extend_from_slice(p.as_bytes());
        out.push(b':');
    }
    for &c in name {
        if c == b'"' || c == b'\\' {
            out.push(b'\\');
            out.push(c);
        } else if (c >= b' ' && c != b',' && c <= b'~') || (utf8 && c & 0x80 != 0) {
            out.push(c);
        } else {
            out.extend_from_slice(format!("\\u{c:04x}").as_bytes());
        }
    }
    out.push(b'"');
}

/// The other-name types OpenSSL 3 prints, with whether their value is a UTF8String
/// (else an IA5String).
fn other_name_prefix(oid: &ObjectIdentifier) -> Option<(&'static str, bool)> {
    Some(match oid.to_string().as_str() {
        "1.3.6.1.5.5.7.8.9" => ("SmtpUTF8Mailbox", true),
        "1.3.6.1.5.5.7.8.5" => ("XmppAddr", true),
        "1.3.6.1.5.5.7.8.7" => ("SRVName", false),
        "1.3.6.1.4.1.311.20.2.3" => ("UPN", true),
        "1.3.6.1.5.5.7.8.8" => ("NAIRealm", true),
        _ => return None,
    })
}

/// One general name as Node's `PrintGeneralName` writes it (`DNS:`, `email:`, `URI:`,
/// `DirName:`, `IP Address:`, `Registered ID:`, `othername:`, `EdiPartyName:`).
pub(crate) fn print_general_name(out: &mut Vec<u8>, name: &GeneralName) {
    match name {
        GeneralName::DnsName(s) => {
            out.extend_from_slice(b"DNS:");
            print_alt_name(out, s.as_bytes(), false, None);
        }
        GeneralName::Rfc822Name(s) => {
            out.extend_from_slice(b"email:");
            print_alt_name(out, s.as_bytes(), false, None);
        }
        GeneralName::UniformResourceIdentifier(s) => {
            out.extend_from_slice(b"URI:");
            print_alt_name(out, s.as_bytes(), false, None);
        }
        GeneralName::DirectoryName(n) => {
            out.extend_from_slice(b"DirName:");
            print_alt_name(out, rfc2253(n).as_bytes(), true, None);
        }
        GeneralName::IpAddress(ip) => {
            out.extend_from_slice(b"IP Address:");
            let b = ip.as_bytes();
            match b.len() {
                4 => {
                    out.extend_from_slice(format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]).as_bytes())
                }
                16 => {
                    let groups: Vec<String> = b
                        .chunks_exact(2)
                        .map(|p| format!("{:X}", u16::from_be_bytes([p[0], p[1]])))
                        .collect();
                    out.extend_from_slice(groups.join(":").as_bytes());
                }
                n => out.extend_from_slice(format!("<invalid length={n}>").as_bytes()),
            }
        }
        GeneralName::RegisteredId(oid) => {
            out.extend_from_slice(format!("Registered ID:{oid}").as_bytes());
        }
        GeneralName::OtherName(other) => {
            let tag = other.value.tag();
            match other_name_prefix(&other.type_id) {
                Some((prefix, true)) if tag == Tag::Utf8String => {
                    out.extend_from_slice(b"othername:");
                    print_alt_name(out, other.value.value(), true, Some(prefix));
                }
                Some((prefix, false)) if tag == Tag::Ia5String => {
                    out.extend_from_slice(b"othername:");
                    print_alt_name(out, other.value.value(), false, Some(prefix));
                }
                _ => out.extend_from_slice(b"othername:<unsupported>"),
            }
        }
        GeneralName::EdiPartyName(_) => out.extend_from_slice(b"EdiPartyName:<unsupported>"),
    }
}

/// Node's `subjectaltname` string: the general names joined with `", "`.
pub(crate) fn subject_alt_name_string(names: &[GeneralName]) -> String {
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if i != 0 {
            out.extend_from_slice(b", ");
        }
        print_general_name(&mut out, name);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A distinguished name the way OpenSSL's `X509_NAME_print_ex` prints it with Node's
/// flags (`XN_FLAG_RFC2253` without escaping of control characters or non-ASCII bytes):
/// last RDN first, RDNs separated by `,`, multi-valued RDNs by `+`, short names, RFC 2253
/// escapes, and unknown attribute types or non-string values as `#` and the DER in hex.
pub(crate) fn rfc2253(name: &Name) -> String {
    use der::Encode;
    let mut out = String::new();
    for (i, rdn) in name
        .iter_rdn()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .enumerate()
    {
        if i != 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j != 0 {
                out.push('+');
            }
            let key = attribute_short_name(&atv.oid);
            let known = key != atv.oid.to_string();
            out.push_str(&key);
            out.push('=');
            match string_value(&atv.value).filter(|_| known) {
                Some(v) => escape_2253(&mut out, &v),
                None => {
                    out.push('#');
                    let der = atv.value.to_der().unwrap_or_default();
                    out.push_str(&hex::encode_upper(der));
                }
            }
        }
    }
    out
}

/// RFC 2253 escaping as OpenSSL's `do_esc_char` applies it.
fn escape_2253(out: &mut String, v: &str) {
    let n = v.chars().count();
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i + 1 == n && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A distinguished name the way Node's `X509Certificate` `subject`/`issuer` print it:
/// OpenSSL's `X509_NAME_print_ex` with `XN_FLAG_SEP_MULTILINE | XN_FLAG_FN_SN` and RFC 2253
/// plus control-character escapes (Node's `kX509NameFlagsMultiline`). RDNs in certificate
/// order, one per line, multi-valued RDNs joined with `" + "`, short names (the dotted OID
/// for unknown types), values as UTF-8 (non-ASCII characters are not escaped).
pub(crate) fn multiline(name: &Name) -> String {
    let mut out = String::new();
    for (i, rdn) in name.iter_rdn().enumerate() {
        if i != 0 {
            out.push('\n');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j != 0 {
                out.push_str(" + ");
            }
            out.push_str(&attribute_short_name(&atv.oid));
            out.push('=');
            // Without a dump flag, OpenSSL prints a value that is not a string as its
            // content bytes, one byte a character.
            let value = string_value(&atv.value)
                .unwrap_or_else(|| atv.value.value().iter().map(|&b| char::from(b)).collect());
            let mut escaped = String::new();
            escape_2253(&mut escaped, &value);
            for c in escaped.chars() {
                if c < ' ' || c == '\u{7f}' {
                    out.push_str(&format!("\\{:02X}", u32::from(c)));
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}
