//! What `server` and `client` share: the clock, option parsing for versions, suites and
//! ALPN, PEM loading, fingerprints and key logging.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Mutex};

use sanstls::conn::KeyLogLine;
use sanstls::enums::{NamedGroup, ProtocolVersion};
use sanstls::server::CertifiedKey;
use sanstls::suites::{Tls12CipherSuite, Tls13CipherSuite, ALL_TLS13_SUITES};
use sanstls::time::UnixTime;
use sanstls::Error;
use sanstls_pki::dh::DhParams;
use sanstls_pki::keys::{self, PrivateKey};
use sanstls_pki::{pem, pkcs12};
use zeroize::Zeroizing;

/// The wall clock, the one place the CLI reads it (the engine never does).
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> UnixTime {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UnixTime::from_millis(u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX))
}

/// `--min-version` / `--max-version` values, spelled like Node and OpenSSL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum TlsVersion {
    /// TLS 1.2.
    #[value(name = "TLSv1.2")]
    Tls12,
    /// TLS 1.3.
    #[value(name = "TLSv1.3")]
    Tls13,
}

/// The version range `--min-version` / `--max-version` ask for (defaults: Node's,
/// TLSv1.2 to TLSv1.3).
pub(crate) fn check_versions(
    min: Option<TlsVersion>,
    max: Option<TlsVersion>,
) -> Result<(ProtocolVersion, ProtocolVersion), String> {
    let min = min.unwrap_or(TlsVersion::Tls12);
    let max = max.unwrap_or(TlsVersion::Tls13);
    if min > max {
        return Err("--min-version is above --max-version".into());
    }
    let v = |t| match t {
        TlsVersion::Tls12 => ProtocolVersion::TLSv1_2,
        TlsVersion::Tls13 => ProtocolVersion::TLSv1_3,
    };
    Ok((v(min), v(max)))
}

/// Node's and OpenSSL's name for a protocol version (`TLSv1.3`).
pub(crate) fn version_name(v: Option<ProtocolVersion>) -> &'static str {
    v.and_then(sanstls_node::info::protocol_name)
        .unwrap_or("unknown")
}

/// Parses `--groups` as Node 24's `ecdhCurve` (`sanstls_node::groups`).
pub(crate) fn parse_groups(s: &str) -> Result<Vec<NamedGroup>, String> {
    sanstls_node::groups::parse(s).map_err(|_| format!("--groups: no group sanstls has in {s:?}"))
}

/// The suites `--ciphers` names, per protocol version.
#[derive(Debug)]
pub(crate) struct Ciphers {
    /// TLS 1.3 suites; empty when the list named none (the defaults then stay, as in Node).
    pub(crate) tls13: Vec<&'static Tls13CipherSuite>,
    /// TLS 1.2 suites; empty when the list named none (TLS 1.2 then has no suite, as in
    /// Node when the `ciphers` string holds only TLS 1.3 names).
    pub(crate) tls12: Vec<&'static Tls12CipherSuite>,
}

/// Parses `--ciphers` as Node's `ciphers` option: an OpenSSL cipher string
/// (`HIGH:!aNULL`, `ECDHE+AESGCM:-DHE`, names of both versions in one list; see
/// `sanstls_node::ciphers`). As in Node 20, a list without TLS 1.3 names keeps TLS 1.3's
/// default suites.
pub(crate) fn parse_ciphers(s: &str) -> Result<Ciphers, String> {
    let selection = sanstls_node::ciphers::parse(s).map_err(|e| format!("--ciphers: {e}"))?;
    let tls13 = match selection.tls13.is_empty() {
        true => ALL_TLS13_SUITES.to_vec(),
        false => selection.tls13,
    };
    Ok(Ciphers {
        tls13,
        tls12: selection.tls12,
    })
}

/// `--psk HEX --psk-identity ID`: a TLS 1.3 external PSK for SHA-256 suites (OpenSSL's
/// default for `-psk`). The key is wiped on drop.
pub(crate) fn parse_psk(
    key_hex: &str,
    identity: &str,
) -> Result<sanstls::psk::ExternalPsk, String> {
    let key = Zeroizing::new(hex::decode(key_hex).map_err(|_| "--psk: not hex".to_string())?);
    sanstls::psk::ExternalPsk::new(
        identity.as_bytes().to_vec(),
        &key,
        sanstls::psk::SuiteHash::Sha256,
    )
    .map_err(|e| format!("--psk: {e}"))
}

/// Parses `--alpn h2,http/1.1`.
pub(crate) fn parse_alpn(s: &str) -> Result<Vec<Vec<u8>>, String> {
    let protocols: Vec<Vec<u8>> = s
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.as_bytes().to_vec())
        .collect();
    if protocols.is_empty() || protocols.iter().any(|p| p.len() > 255) {
        return Err(format!("--alpn: invalid protocol list {s:?}"));
    }
    Ok(protocols)
}

/// Node's `authorizationError` code for a certificate error.
pub(crate) fn authorization_code(e: &Error) -> String {
    match e {
        Error::InvalidCertificate(c) => c.code().to_string(),
        other => other.to_string(),
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))
}

fn read_pem(path: &Path, what: &str) -> Result<Vec<pem::PemBlock>, String> {
    let text = read_file(path, what)?;
    pem::parse(&text).map_err(|e| format!("{what} {}: {e}", path.display()))
}

/// Reads PEM DH parameters (`DH PARAMETERS`, as `openssl dhparam` writes them).
pub(crate) fn load_dhparam(path: &Path) -> Result<sanstls::crypto::ffdhe::DhGroup, String> {
    let text = read_file(path, "--dhparam")?;
    DhParams::from_pem(&text)
        .and_then(|p| p.to_group())
        .map_err(|e| format!("--dhparam {}: {e}", path.display()))
}

/// Reads a PEM certificate chain (leaf first); at least one certificate.
pub(crate) fn load_chain(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let chain = pem::certificates(&read_pem(path, "--cert")?);
    if chain.is_empty() {
        return Err(format!("--cert {}: no CERTIFICATE block", path.display()));
    }
    Ok(chain)
}

/// Reads every certificate of a PEM file of trusted roots (`--ca`).
pub(crate) fn load_roots(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let roots = pem::certificates(&read_pem(path, "--ca")?);
    if roots.is_empty() {
        return Err(format!("--ca {}: no CERTIFICATE block", path.display()));
    }
    Ok(roots)
}

/// Reads a private key (PEM, first key, or DER; decrypted with `passphrase` if encrypted).
fn read_key(path: &Path, passphrase: Option<&[u8]>) -> Result<PrivateKey, String> {
    let bytes = Zeroizing::new(read_file(path, "--key")?);
    keys::load_one(&bytes, passphrase).map_err(|e| format!("--key {}: {e}", path.display()))
}

/// Reads a `--cert`/`--key` pair (without an OCSP response) and checks the key is the leaf's, as Node does ("key
/// values mismatch").
pub(crate) fn load_cert_and_key(
    cert: &Path,
    key: &Path,
    passphrase: Option<&[u8]>,
) -> Result<CertifiedKey, String> {
    let chain = load_chain(cert)?;
    let private = read_key(key, passphrase)?;
    if let Some(leaf) = chain.first() {
        private
            .matches_certificate(leaf)
            .map_err(|e| format!("--key {} and --cert {}: {e}", key.display(), cert.display()))?;
    }
    let signing = private
        .signing_key()
        .map_err(|e| format!("--key {}: {e}", key.display()))?;
    CertifiedKey::new(chain, signing).map_err(|e| format!("--key {}: {e}", key.display()))
}

/// Reads a PKCS#12 file (`--pfx`): the leaf and the other certificates as a chain, and
/// the key (without an OCSP response). No passphrase means the empty one, as in Node.
pub(crate) fn load_pfx(path: &Path, passphrase: Option<&[u8]>) -> Result<CertifiedKey, String> {
    let der = read_file(path, "--pfx")?;
    let p12 = pkcs12::parse(&der, passphrase.unwrap_or_default())
        .map_err(|e| format!("--pfx {}: {e}", path.display()))?;
    let key = p12
        .key
        .signing_key()
        .map_err(|e| format!("--pfx {}: {e}", path.display()))?;
    let mut chain = vec![p12.certificate];
    chain.extend(p12.ca);
    CertifiedKey::new(chain, key).map_err(|e| format!("--pfx {}: {e}", path.display()))
}

/// Reads a DER file (`--ocsp-response`).
pub(crate) fn load_der(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    read_file(path, what)
}

/// SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` and Node's `fingerprint256`
/// print it: uppercase hex pairs joined by colons.
pub(crate) fn fingerprint256(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// An SSLKEYLOGFILE opened for appending, shared between connections.
#[derive(Clone, Debug)]
pub(crate) struct KeyLog(Arc<Mutex<File>>);

impl KeyLog {
    /// Opens (appends to) the key-log file; a new one is created readable by its owner only
    /// (mode 0600), since it holds every session's traffic secrets.
    pub(crate) fn open(path: &Path) -> Result<Self, String> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .map_err(|e| format!("--keylog {}: {e}", path.display()))?;
        Ok(Self(Arc::new(Mutex::new(file))))
    }

    pub(crate) fn write(&self, line: &KeyLogLine) {
        if let Ok(mut f) = self.0.lock() {
            // One write per line so concurrent connections do not interleave.
            let _ = f.write_all(format!("{}\n", line.to_line()).as_bytes());
        }
    }
}

/// Why a connection ended badly.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The TLS engine failed (the alert, if any, has been sent).
    Tls(Error),
    /// The socket failed or timed out.
    Io(io::Error),
    /// The peer closed the TCP connection without close_notify.
    Eof,
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Tls(e) => write!(f, "{e}"),
            Self::Io(e) if is_timeout(e) => write!(f, "timed out waiting for the peer"),
            Self::Io(e) => write!(f, "socket: {e}"),
            Self::Eof => write!(f, "the peer closed the connection"),
        }
    }
}

pub(crate) use sanstls_node::stream::is_timeout;

impl From<sanstls_node::stream::StreamError> for Failure {
    fn from(e: sanstls_node::stream::StreamError) -> Self {
        match e {
            sanstls_node::stream::StreamError::Tls(e) => Self::Tls(e),
            sanstls_node::stream::StreamError::Io(e) => Self::Io(e),
        }
    }
}

/// The blocking driver both commands use: sanstls-node's, which also enforces the handshake
/// deadline while it reads.
pub(crate) type Pump = sanstls_node::stream::Stream<TcpStream>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ciphers_parse_openssl_names_in_order() {
        let c = parse_ciphers(
            "TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256",
        )
        .unwrap();
        let names: Vec<_> = c.tls13.iter().map(|c| c.openssl_name).collect();
        assert_eq!(
            names,
            ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]
        );
        let names: Vec<_> = c.tls12.iter().map(|c| c.openssl_name).collect();
        assert_eq!(names, ["ECDHE-RSA-AES128-GCM-SHA256"]);
        // Only TLS 1.2 names: TLS 1.3 keeps its defaults.
        let c = parse_ciphers("ECDHE-ECDSA-AES256-GCM-SHA384").unwrap();
        assert_eq!(c.tls13.len(), ALL_TLS13_SUITES.len());
        assert!(parse_ciphers("RC4-MD5")
            .unwrap_err()
            .contains("no cipher match"));
        // OpenSSL's language: aliases, exclusions, intersections.
        let c = parse_ciphers("ECDHE+AESGCM:!ECDSA").unwrap();
        let names: Vec<_> = c.tls12.iter().map(|c| c.openssl_name).collect();
        assert_eq!(
            names,
            ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"]
        );
        assert!(parse_ciphers("").is_err());
    }

    #[test]
    fn version_ranges() {
        use ProtocolVersion as V;
        assert_eq!(check_versions(None, None), Ok((V::TLSv1_2, V::TLSv1_3)));
        assert_eq!(
            check_versions(Some(TlsVersion::Tls13), None),
            Ok((V::TLSv1_3, V::TLSv1_3))
        );
        assert_eq!(
            check_versions(None, Some(TlsVersion::Tls12)),
            Ok((V::TLSv1_2, V::TLSv1_2))
        );
        assert!(check_versions(Some(TlsVersion::Tls13), Some(TlsVersion::Tls12)).is_err());
    }

    #[test]
    fn alpn_lists() {
        assert_eq!(
            parse_alpn("h2, http/1.1").unwrap(),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert!(parse_alpn(",").is_err());
    }

    #[test]
    fn fingerprint_is_uppercase_colon_hex() {
        // SHA-256 of the empty string.
        assert!(fingerprint256(b"").starts_with("E3:B0:C4:42:98:FC:1C:14:"));
        assert_eq!(fingerprint256(b"").len(), 32 * 3 - 1);
    }
}

/// A peer-supplied string (a server name, an ALPN protocol) as it may appear in one log line:
/// printable ASCII but the backslash as itself, every other byte (spaces, control
/// characters, `\\`) as `\xNN`, so a peer cannot forge fields or lines.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            0x21..=0x7e if b != b'\\' => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn peer_strings_cannot_forge_log_fields() {
        assert_eq!(super::escape(b"example.com"), "example.com");
        assert_eq!(
            super::escape(b"h2 authorized=true\nx\\"),
            "h2\\x20authorized=true\\x0ax\\x5c"
        );
        assert_eq!(super::escape(&[0xff, 0]), "\\xff\\x00");
    }
}
