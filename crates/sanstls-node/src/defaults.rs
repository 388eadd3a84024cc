//! The process-wide defaults Node lets a program assign: `tls.DEFAULT_MIN_VERSION`,
//! `DEFAULT_MAX_VERSION`, `DEFAULT_ECDH_CURVE`, `CLIENT_RENEG_LIMIT` and
//! `CLIENT_RENEG_WINDOW` (`tls.DEFAULT_CIPHERS` is [`crate::ciphers::set_default_ciphers`]).
//!
//! As in Node, a context reads them when it is created (`createSecureContext` reads
//! `tls.DEFAULT_*` then), so changing one affects contexts made afterwards, never existing
//! ones. One difference: Node takes any value and fails at the next `createSecureContext`;
//! the setters here check the value first (with the error that call would give) and keep
//! the old one on error, so a bad default cannot break every later context.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::RwLock;

use crate::error::TlsError;

/// `tls.DEFAULT_MIN_VERSION`'s initial value.
pub const DEFAULT_MIN_VERSION: &str = "TLSv1.2";
/// `tls.DEFAULT_MAX_VERSION`'s initial value.
pub const DEFAULT_MAX_VERSION: &str = "TLSv1.3";
/// `tls.DEFAULT_ECDH_CURVE`'s initial value.
pub const DEFAULT_ECDH_CURVE: &str = "auto";
/// `tls.CLIENT_RENEG_LIMIT`'s initial value: the engine's default
/// `Limits::max_client_renegotiations`.
pub const CLIENT_RENEG_LIMIT: usize = 3;
/// `tls.CLIENT_RENEG_WINDOW`'s initial value, in seconds: the engine's default
/// `Limits::client_renegotiation_window`.
pub const CLIENT_RENEG_WINDOW: u64 = 600;

static MIN_VERSION: RwLock<Option<String>> = RwLock::new(None);
static MAX_VERSION: RwLock<Option<String>> = RwLock::new(None);
static ECDH_CURVE: RwLock<Option<String>> = RwLock::new(None);
static RENEG_LIMIT: AtomicU32 = AtomicU32::new(CLIENT_RENEG_LIMIT as u32);
static RENEG_WINDOW: AtomicU64 = AtomicU64::new(CLIENT_RENEG_WINDOW);

fn read(slot: &RwLock<Option<String>>, initial: &str) -> String {
    slot.read()
        .ok()
        .and_then(|v| v.clone())
        .unwrap_or_else(|| initial.to_string())
}

fn write(slot: &RwLock<Option<String>>, value: &str) {
    if let Ok(mut v) = slot.write() {
        *v = Some(value.to_string());
    }
}

/// `tls.DEFAULT_MIN_VERSION` now.
pub fn default_min_version() -> String {
    read(&MIN_VERSION, DEFAULT_MIN_VERSION)
}

/// `tls.DEFAULT_MIN_VERSION = v`: `TLSv1.2` or `TLSv1.3` (Node's error otherwise).
pub fn set_default_min_version(v: &str) -> Result<(), TlsError> {
    crate::context::version("minimum", v)?;
    write(&MIN_VERSION, v);
    Ok(())
}

/// `tls.DEFAULT_MAX_VERSION` now.
pub fn default_max_version() -> String {
    read(&MAX_VERSION, DEFAULT_MAX_VERSION)
}

/// `tls.DEFAULT_MAX_VERSION = v`: `TLSv1.2` or `TLSv1.3` (Node's error otherwise).
pub fn set_default_max_version(v: &str) -> Result<(), TlsError> {
    crate::context::version("maximum", v)?;
    write(&MAX_VERSION, v);
    Ok(())
}

/// `tls.DEFAULT_ECDH_CURVE` now.
pub fn default_ecdh_curve() -> String {
    read(&ECDH_CURVE, DEFAULT_ECDH_CURVE)
}

/// `tls.DEFAULT_ECDH_CURVE = curves`: `auto` or a list as `ecdhCurve` takes it (Node's
/// `ERR_CRYPTO_OPERATION_FAILED` otherwise).
pub fn set_default_ecdh_curve(curves: &str) -> Result<(), TlsError> {
    crate::groups::parse(curves)?;
    write(&ECDH_CURVE, curves);
    Ok(())
}

/// `tls.CLIENT_RENEG_LIMIT` now.
pub fn client_reneg_limit() -> u32 {
    RENEG_LIMIT.load(Ordering::Relaxed)
}

/// `tls.CLIENT_RENEG_LIMIT = n`: client-initiated renegotiations a server allows per
/// window (servers made from contexts created afterwards).
pub fn set_client_reneg_limit(n: u32) {
    RENEG_LIMIT.store(n, Ordering::Relaxed);
}

/// `tls.CLIENT_RENEG_WINDOW` now, in seconds.
pub fn client_reneg_window() -> u64 {
    RENEG_WINDOW.load(Ordering::Relaxed)
}

/// `tls.CLIENT_RENEG_WINDOW = seconds`.
pub fn set_client_reneg_window(seconds: u64) {
    RENEG_WINDOW.store(seconds, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_renegotiation_values_are_the_engines_defaults() {
        let limits = sanstls::Limits::default();
        assert_eq!(
            limits.max_client_renegotiations as usize,
            CLIENT_RENEG_LIMIT
        );
        assert_eq!(
            limits.client_renegotiation_window,
            core::time::Duration::from_secs(CLIENT_RENEG_WINDOW)
        );
    }

    #[test]
    fn bad_values_are_refused_and_leave_the_default() {
        let e = set_default_min_version("TLSv1.5").unwrap_err();
        assert_eq!(e.code, "ERR_TLS_INVALID_PROTOCOL_VERSION");
        assert_eq!(
            e.message,
            "\"TLSv1.5\" is not a valid minimum TLS protocol version"
        );
        let e = set_default_max_version("foo").unwrap_err();
        assert_eq!(
            e.message,
            "\"foo\" is not a valid maximum TLS protocol version"
        );
        let e = set_default_ecdh_curve("nope").unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("ERR_CRYPTO_OPERATION_FAILED", "Failed to set ECDH curve")
        );
        assert_eq!(default_ecdh_curve(), DEFAULT_ECDH_CURVE);
    }
}
