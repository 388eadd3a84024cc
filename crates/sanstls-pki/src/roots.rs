//! The default trust anchors: the Mozilla root program's TLS server roots, which is what
//! Node's `tls.rootCertificates` is (Node bundles Mozilla's certdata through its
//! `node_root_certs.h`).
//!
//! We take them from the `webpki-root-certs` crate, which packages the same Mozilla list as
//! whole DER certificates (not only subject and key, as `webpki-roots` does), so they pass
//! through the same parser and checks as any `ca` the caller gives. Its release cadence
//! follows Mozilla's; the set is whatever version Cargo.lock pins.

use std::sync::OnceLock;

/// The Mozilla root certificates, DER, copied out of `webpki-root-certs` on first use.
pub fn mozilla_roots() -> &'static [Vec<u8>] {
    static ROOTS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| c.as_ref().to_vec())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plausible_mozilla_set() {
        let roots = mozilla_roots();
        assert!(roots.len() > 100, "{} roots", roots.len());
        assert!(roots.iter().all(|r| r.first() == Some(&0x30)));
        // The same slice on every call: parsed once.
        assert!(core::ptr::eq(roots, mozilla_roots()));
    }
}
