//! PEM: the textual wrapping of DER that certificate and key files use (RFC 7468).
//!
//! A file is read as a sequence of blocks
//!
//! ```text
//! -----BEGIN LABEL-----
//! base64 lines
//! -----END LABEL-----
//! ```
//!
//! with anything between blocks ignored: OpenSSL writes "Bag Attributes" and text dumps there
//! and Node accepts such files, so we do too (RFC 7468 s2 calls this explanatory text).
//! Inside a block we are strict: the END label must match the BEGIN label, the base64 must be
//! canonical (padding included). RFC 1421 headers (`Proc-Type: 4,ENCRYPTED` and `DEK-Info`,
//! the traditional OpenSSL encrypted-key format) are kept in [`PemBlock::headers`] when they
//! come before the base64; [`crate::keys`] decrypts such keys.

use core::fmt;

use base64ct::{Base64, Encoding};

#[path = "pem_key.rs"]
mod key;
pub use key::{certified_key_from_pem, PemKeyError};

/// One `-----BEGIN LABEL-----` ... `-----END LABEL-----` block, decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label: `CERTIFICATE`, `PRIVATE KEY`, `RSA PRIVATE KEY`, ...
    pub label: String,
    /// The decoded contents (normally DER).
    pub der: Vec<u8>,
    /// RFC 1421 headers (`name: value`) between the BEGIN line and the base64, in order;
    /// empty for RFC 7468 blocks. Only traditional encrypted keys have them.
    pub headers: Vec<(String, String)>,
}

impl PemBlock {
    /// The value of header `name` (compared ignoring ASCII case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Key material is not printed: only its size.
        write!(f, "PemBlock({:?}, {} bytes)", self.label, self.der.len())
    }
}

/// Why a PEM file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PemError {
    /// A BEGIN line without its END line.
    Unterminated {
        /// The label of the open block.
        label: String,
    },
    /// The END label differs from the BEGIN label (RFC 7468 s2).
    MismatchedEnd {
        /// The BEGIN label.
        begin: String,
        /// The END label.
        end: String,
    },
    /// A `name: value` header line after the base64 began, or a header that is not
    /// printable ASCII (RFC 1421 headers come first, then a blank line, then the body).
    Headers {
        /// The label of the block.
        label: String,
    },
    /// The base64 body is not valid (or not canonical) base64.
    Base64 {
        /// The label of the block.
        label: String,
    },
    /// A BEGIN/END line whose label is not printable ASCII.
    BadLabel,
}

impl fmt::Display for PemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unterminated { label } => write!(f, "PEM block {label} has no END line"),
            Self::MismatchedEnd { begin, end } => {
                write!(f, "PEM block BEGIN {begin} ends with END {end}")
            }
            Self::Headers { label } => write!(
                f,
                "PEM block {label}: misplaced or malformed header line (headers must precede the base64)"
            ),
            Self::Base64 { label } => write!(f, "PEM block {label}: invalid base64"),
            Self::BadLabel => write!(f, "PEM BEGIN/END line with an invalid label"),
        }
    }
}

impl std::error::Error for PemError {}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// The labels of private keys we pick, in any order: PKCS#8, encrypted PKCS#8, PKCS#1 (RSA)
/// and SEC1 (EC).
pub const PRIVATE_KEY_LABELS: &[&str] = &[
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
];

/// The label of `line` if it is `<prefix>LABEL-----` (surrounding whitespace allowed).
fn label_of(line: &[u8], prefix: &[u8]) -> Option<Result<String, PemError>> {
    let line = line.trim_ascii();
    let rest = line.strip_prefix(prefix)?;
    let label = rest.strip_suffix(DASHES)?;
    // RFC 7468 s3: labels are printable ASCII without '-' at the ends; be lenient on the
    // inside but refuse control characters and non-ASCII, so the String is meaningful.
    if label.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        Some(Ok(String::from_utf8_lossy(label).into_owned()))
    } else {
        Some(Err(PemError::BadLabel))
    }
}

/// Every PEM block in `text`, in order. Text outside blocks is ignored; a malformed block is
/// an error (so a truncated key file is reported, not silently skipped).
pub fn parse(text: &[u8]) -> Result<Vec<PemBlock>, PemError> {
    let mut blocks = Vec::new();
    let mut lines = text.split(|&b| b == b'\n');
    while let Some(line) = lines.next() {
        let Some(label) = label_of(line, BEGIN) else {
            continue;
        };
        let label = label?;
        let mut body = String::new();
        let mut headers: Vec<(String, String)> = Vec::new();
        // Headers end at the first blank line (or the first base64 line).
        let mut in_headers = true;
        let mut ended = false;
        for line in lines.by_ref() {
            if let Some(end) = label_of(line, END) {
                let end = end?;
                if end != label {
                    return Err(PemError::MismatchedEnd { begin: label, end });
                }
                ended = true;
                break;
            }
            let raw = line;
            let line = line.trim_ascii();
            if line.is_empty() {
                in_headers = false;
                continue;
            }
            if body.is_empty() && in_headers {
                if let Some(colon) = line.iter().position(|&b| b == b':') {
                    let (name, value) = line.split_at(colon);
                    let value = value.get(1..).unwrap_or_default();
                    headers.push((header_text(name, &label)?, header_text(value, &label)?));
                    continue;
                }
                // RFC 1421 s4.4: a line starting with whitespace continues the header.
                if raw.first().is_some_and(u8::is_ascii_whitespace) {
                    if let Some((_, value)) = headers.last_mut() {
                        value.push_str(&header_text(line, &label)?);
                        continue;
                    }
                }
                in_headers = false;
            } else if line.contains(&b':') {
                return Err(PemError::Headers { label });
            }
            for &b in line {
                if !b.is_ascii_whitespace() {
                    body.push(char::from(b));
                }
            }
        }
        if !ended {
            return Err(PemError::Unterminated { label });
        }
        let der = Base64::decode_vec(&body).map_err(|_| PemError::Base64 {
            label: label.clone(),
        })?;
        blocks.push(PemBlock {
            label,
            der,
            headers,
        });
    }
    Ok(blocks)
}

/// A header name or value as text: printable ASCII, surrounding whitespace removed.
fn header_text(bytes: &[u8], label: &str) -> Result<String, PemError> {
    let bytes = bytes.trim_ascii();
    if bytes.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        Ok(String::from_utf8_lossy(bytes).into_owned())
    } else {
        Err(PemError::Headers {
            label: label.to_string(),
        })
    }
}

/// The DER of every `CERTIFICATE` block, in file order (a chain file lists the leaf first).
pub fn certificates(blocks: &[PemBlock]) -> Vec<Vec<u8>> {
    blocks
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| b.der.clone())
        .collect()
}

/// The first private key block (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
pub fn private_key(blocks: &[PemBlock]) -> Option<&PemBlock> {
    blocks
        .iter()
        .find(|b| PRIVATE_KEY_LABELS.contains(&b.label.as_str()))
}

/// Encodes `der` as one PEM block with 64-character lines (RFC 7468 s2).
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_with_junk_between_and_crlf() {
        let text = b"Bag Attributes\r\n    localKeyID: 01\r\n-----BEGIN CERTIFICATE-----\r\nAQID\r\nBA==\r\n-----END CERTIFICATE-----\r\nsubject=CN = x\n-----BEGIN EC PRIVATE KEY-----\nBQYH\n-----END EC PRIVATE KEY-----\ntrailing";
        let blocks = parse(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].der, [1, 2, 3, 4]);
        assert_eq!(certificates(&blocks), vec![vec![1, 2, 3, 4]]);
        let key = private_key(&blocks).unwrap();
        assert_eq!(key.label, "EC PRIVATE KEY");
        assert_eq!(key.der, [5, 6, 7]);
    }

    #[test]
    fn round_trip_through_encode() {
        let der: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let text = encode("PRIVATE KEY", &der);
        assert!(text.lines().all(|l| l.len() <= 64));
        let blocks = parse(text.as_bytes()).unwrap();
        assert_eq!(
            blocks,
            vec![PemBlock {
                label: "PRIVATE KEY".into(),
                der,
                headers: vec![]
            }]
        );
        assert!(private_key(&blocks).is_some());
        assert!(certificates(&blocks).is_empty());
    }

    #[test]
    fn rfc1421_headers_are_kept() {
        let text = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,\n  00FF\n\nAQID\n-----END RSA PRIVATE KEY-----\n";
        let blocks = parse(text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].der, [1, 2, 3]);
        assert_eq!(blocks[0].header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(blocks[0].header("DEK-Info"), Some("AES-128-CBC,00FF"));
        assert_eq!(blocks[0].header("Other"), None);
        assert!(private_key(&blocks).is_some());
    }

    #[test]
    fn no_blocks_is_empty_not_an_error() {
        assert_eq!(parse(b"just text\n").unwrap(), vec![]);
        assert_eq!(parse(b"").unwrap(), vec![]);
    }

    #[test]
    fn malformed_blocks_are_errors() {
        assert_eq!(
            parse(b"-----BEGIN CERTIFICATE-----\nAQID\n"),
            Err(PemError::Unterminated {
                label: "CERTIFICATE".into()
            })
        );
        assert_eq!(
            parse(b"-----BEGIN CERTIFICATE-----\nAQID\n-----END X509 CRL-----\n"),
            Err(PemError::MismatchedEnd {
                begin: "CERTIFICATE".into(),
                end: "X509 CRL".into()
            })
        );
        // A header after the base64 began.
        assert_eq!(
            parse(b"-----BEGIN RSA PRIVATE KEY-----\nAQID\nProc-Type: 4,ENCRYPTED\n-----END RSA PRIVATE KEY-----\n"),
            Err(PemError::Headers {
                label: "RSA PRIVATE KEY".into()
            })
        );
        // Not base64, and non-canonical padding.
        for body in ["A*ID", "AQI", "AQJ="] {
            let text = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
            assert_eq!(
                parse(text.as_bytes()),
                Err(PemError::Base64 {
                    label: "CERTIFICATE".into()
                }),
                "{body}"
            );
        }
        assert_eq!(
            parse(b"-----BEGIN \xffX-----\n-----END \xffX-----\n"),
            Err(PemError::BadLabel)
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic sweep: every prefix of a valid file, and every single-byte
        // corruption of it (tests/keys.rs runs proptest over the key loaders on top).
        let text = encode("CERTIFICATE", &[9u8; 100]);
        let bytes = text.as_bytes();
        for n in 0..bytes.len() {
            let _ = parse(&bytes[..n]);
            let mut b = bytes.to_vec();
            b[n] ^= 0x41;
            let _ = parse(&b);
        }
    }
}
