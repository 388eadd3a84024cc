//! The example servers' command line (`--port PORT --cert FILE --key FILE`, as in the
//! sanstls-node examples), the PEM certificate and key, and the wall clock.

#![allow(dead_code)]

use std::sync::Arc;

use sanstls::server::CertifiedKey;
use sanstls::UnixTime;

/// The value after `--name`, the last one if repeated.
pub(crate) fn arg(name: &str) -> Option<String> {
    let all: Vec<String> = std::env::args().collect();
    all.windows(2)
        .filter(|w| w[0] == name)
        .map(|w| w[1].clone())
        .next_back()
}

/// `--port P` (default 8443; 0 picks a free port, printed at start).
pub(crate) fn port() -> Result<u16, String> {
    arg("--port")
        .unwrap_or_else(|| "8443".into())
        .parse()
        .map_err(|_| "--port expects a number".into())
}

/// `--timeout SECONDS`: how long a handshake may take (default 10).
pub(crate) fn handshake_timeout() -> Result<std::time::Duration, String> {
    let seconds: u64 = arg("--timeout")
        .unwrap_or_else(|| "10".into())
        .parse()
        .map_err(|_| "--timeout expects seconds")?;
    Ok(std::time::Duration::from_secs(seconds))
}

/// The `--cert FILE --key FILE` pair (PEM: the chain leaf first, and its unencrypted key), or without them a self-signed certificate for localhost and
/// 127.0.0.1 generated at start, as `sanstls server` does.
pub(crate) fn certified_key() -> Result<CertifiedKey, String> {
    match (arg("--cert"), arg("--key")) {
        (Some(cert), Some(key)) => load_pem(&cert, &key),
        (None, None) => {
            let (cert, key) = sanstls_test::generated::self_signed_localhost();
            println!("generated a self-signed ECDSA P-256 certificate for localhost, 127.0.0.1");
            let key = sanstls::crypto::sign::load_private_key(&key).map_err(|e| e.to_string())?;
            CertifiedKey::new(vec![cert], key).map_err(|e| e.to_string())
        }
        _ => Err("give both --cert FILE and --key FILE, or neither".into()),
    }
}

/// A PEM certificate chain and its PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1),
/// checked to be a pair, in one call of the pki crate's light `pem` loader.
pub(crate) fn load_pem(cert: &str, key: &str) -> Result<CertifiedKey, String> {
    let cert_pem = std::fs::read(cert).map_err(|e| format!("{cert}: {e}"))?;
    let key_pem = std::fs::read(key).map_err(|e| format!("{key}: {e}"))?;
    sanstls_pki::pem::certified_key_from_pem(&cert_pem, &key_pem)
        .map_err(|e| format!("{cert} and {key}: {e}"))
}

/// The wall clock, as the engine takes it. An application reads the clock; the engine
/// does not.
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> UnixTime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UnixTime::from_millis(d.as_millis() as u64)
}

/// A server configuration for `key`, shared by every connection.
pub(crate) fn config(key: CertifiedKey) -> Arc<sanstls::ServerConfig> {
    Arc::new(sanstls::ServerConfig::new(vec![key]))
}
