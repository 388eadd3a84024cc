//! The CA lists: Node's `tls.getCACertificates(type)`, `tls.setDefaultCACertificates(certs)`,
//! the system trust store (`--use-system-ca`) and `NODE_EXTRA_CA_CERTS`.
//!
//! A context without `ca` trusts the *default* list; a context with `ca` trusts only its
//! `ca` (Node 20 checked: the extra certificates are not added to a given `ca` either).
//! The default list is, unless [`set_default_ca_certificates`] replaced it:
//!
//! 1. the bundled Mozilla roots ([`crate::root_certificates`]);
//! 2. the system store's certificates, when [`set_use_system_ca`] is on (`--use-system-ca`);
//! 3. the certificates of the file `NODE_EXTRA_CA_CERTS` names, read once per process, on
//!    first use. A file that cannot be read or parsed gives Node's warning on stderr
//!    (`Warning: Ignoring extra certs from ...`) and no extra certificates; the
//!    certificates parsed before a bad one are kept, as OpenSSL's loader keeps them.
//!
//! The system store is read with `rustls-native-certs` (on Linux: `SSL_CERT_FILE` /
//! `SSL_CERT_DIR`, else the distribution's bundle such as /etc/ssl/certs/ca-certificates.crt,
//! found as OpenSSL finds it; the platform stores on macOS and Windows). Certificates it
//! returns that our parser refuses are left out, as Node skips them.
//!
//! Node's `setDefaultCACertificates` affects one thread (a worker has its own); there are no
//! Node workers here, so it is process-wide.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use sanstls_pki::verify::Verifier;

use crate::error::TlsError;

/// Node's `type` argument of `getCACertificates`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaType {
    /// `'default'`: what clients without `ca` trust.
    #[default]
    Default,
    /// `'system'`: the system store, whether `--use-system-ca` is on or not.
    System,
    /// `'bundled'`: the Mozilla roots (`tls.rootCertificates`).
    Bundled,
    /// `'extra'`: the certificates from `NODE_EXTRA_CA_CERTS` (none when it is unset).
    Extra,
}

impl core::str::FromStr for CaType {
    type Err = TlsError;

    /// Node's strings; anything else is `ERR_INVALID_ARG_VALUE`, as Node throws.
    fn from_str(s: &str) -> Result<Self, TlsError> {
        Ok(match s {
            "default" => Self::Default,
            "system" => Self::System,
            "bundled" => Self::Bundled,
            "extra" => Self::Extra,
            other => {
                return Err(TlsError::new(
                    "ERR_INVALID_ARG_VALUE",
                    format!("The argument 'type' is invalid. Received '{other}'"),
                ))
            }
        })
    }
}

/// `tls.getCACertificates(type)`: the certificates of that list, PEM, in order (bundled,
/// then system, then extra for the default list); duplicates across sources are kept, as
/// Node keeps them.
pub fn get_ca_certificates(kind: CaType) -> Vec<String> {
    let ders = match kind {
        CaType::Default => return default_pem(),
        CaType::System => system_certificates().to_vec(),
        CaType::Bundled => sanstls_pki::roots::mozilla_roots().to_vec(),
        CaType::Extra => extra_certificates().to_vec(),
    };
    ders.iter().map(|d| pem(d)).collect()
}

/// `tls.setDefaultCACertificates(certs)`: replaces the default list with `certs` (each a
/// PEM text holding one or more certificates, or a DER certificate), duplicates removed.
/// Contexts created afterwards without `ca` trust exactly these. If any entry does not
/// parse, nothing changes and the error names it (`ERR_INVALID_ARG_VALUE`).
pub fn set_default_ca_certificates<B: AsRef<[u8]>>(certs: &[B]) -> Result<(), TlsError> {
    let mut ders: Vec<Vec<u8>> = Vec::new();
    for (i, c) in certs.iter().enumerate() {
        let parsed = sanstls_pki::cert::parse_certificates(c.as_ref())
            .and_then(|ds| {
                ds.iter().try_for_each(|d| {
                    sanstls_pki::cert::PeerCertificate::from_der(d).map(|_| ())
                })?;
                Ok(ds)
            })
            .map_err(|e| {
                TlsError::new(
                    "ERR_INVALID_ARG_VALUE",
                    format!("The argument 'certs[{i}]' is not a valid certificate: {e}"),
                )
            })?;
        for d in parsed {
            if !ders.contains(&d) {
                ders.push(d);
            }
        }
    }
    // Checked up front so a bad list fails here, not when a context is made.
    Verifier::new(ders.clone())
        .map_err(|e| TlsError::new("ERR_INVALID_ARG_VALUE", e.to_string()))?;
    let mut slot = DEFAULT_OVERRIDE.write().unwrap_or_else(|p| p.into_inner());
    *slot = Some(Arc::new(ders));
    Ok(())
}

/// Node's `--use-system-ca`: the default list includes the system store. Off by default, as
/// in Node.
pub fn set_use_system_ca(on: bool) {
    let mut slot = USE_SYSTEM_CA.write().unwrap_or_else(|p| p.into_inner());
    *slot = on;
}

/// The verifier a context without `ca` uses: the default list. While that is the
/// plain Mozilla set (no extra, no system, no replacement), the shared, parsed-once Mozilla
/// verifier.
pub fn default_verifier() -> Verifier {
    match default_ders() {
        None => Verifier::mozilla(),
        // Every certificate was parsed when it entered a list; one that the verifier still
        // refuses is left out rather than failing every context.
        Some(ders) => Verifier::new(ders.to_vec()).unwrap_or_else(|_| {
            Verifier::new(
                ders.iter()
                    .filter(|d| Verifier::new(vec![d.to_vec()]).is_ok())
                    .cloned()
                    .collect(),
            )
            .unwrap_or_else(|_| Verifier::mozilla())
        }),
    }
}

static DEFAULT_OVERRIDE: RwLock<Option<Arc<Vec<Vec<u8>>>>> = RwLock::new(None);
static USE_SYSTEM_CA: RwLock<bool> = RwLock::new(false);

/// The default list as DER when it is not the plain Mozilla set.
fn default_ders() -> Option<Arc<Vec<Vec<u8>>>> {
    if let Some(list) = DEFAULT_OVERRIDE
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
    {
        return Some(list);
    }
    let system = *USE_SYSTEM_CA.read().unwrap_or_else(|p| p.into_inner());
    let extra = extra_certificates();
    if !system && extra.is_empty() {
        return None;
    }
    let mut all = sanstls_pki::roots::mozilla_roots().to_vec();
    if system {
        all.extend(system_certificates().iter().cloned());
    }
    all.extend(extra.iter().cloned());
    Some(Arc::new(all))
}

fn default_pem() -> Vec<String> {
    match default_ders() {
        Some(ders) => ders.iter().map(|d| pem(d)).collect(),
        None => crate::root_certificates(),
    }
}

fn pem(der: &[u8]) -> String {
    sanstls_pki::pem::encode("CERTIFICATE", der)
}

/// The system store's certificates (DER), read once.
fn system_certificates() -> &'static [Vec<u8>] {
    static SYSTEM: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SYSTEM.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        found
            .certs
            .iter()
            .map(|c| c.as_ref().to_vec())
            .filter(|d| sanstls_pki::cert::PeerCertificate::from_der(d).is_ok())
            .collect()
    })
}

/// Where the `NODE_EXTRA_CA_CERTS` warning goes (stderr unless a test replaced it).
type Warnings = Mutex<Option<Box<dyn Write + Send>>>;
static WARNINGS: Warnings = Mutex::new(None);

/// Sends the warnings of this module (a bad `NODE_EXTRA_CA_CERTS`) to `w` instead of
/// stderr; `None` restores stderr.
pub fn set_warning_writer(w: Option<Box<dyn Write + Send>>) {
    *WARNINGS.lock().unwrap_or_else(|p| p.into_inner()) = w;
}

fn warn(line: &str) {
    let mut slot = WARNINGS.lock().unwrap_or_else(|p| p.into_inner());
    match slot.as_mut() {
        Some(w) => {
            let _ = writeln!(w, "{line}");
        }
        None => eprintln!("{line}"),
    }
}

/// The `NODE_EXTRA_CA_CERTS` certificates (DER): the variable is read, and its file
/// loaded, once per process (Node reads it at startup; changing the variable later has no
/// effect there either).
pub(crate) fn extra_certificates() -> &'static [Vec<u8>] {
    static EXTRA: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    EXTRA.get_or_init(|| match std::env::var_os("NODE_EXTRA_CA_CERTS") {
        Some(path) if !path.is_empty() => {
            let (certs, warning) = load_extra_ca_file(std::path::Path::new(&path));
            if let Some(w) = warning {
                warn(&w);
            }
            certs
        }
        _ => Vec::new(),
    })
}

/// Loads an extra-CA file as Node does: every PEM certificate in order; on the first
/// failure, the certificates before it and Node's warning line.
pub fn load_extra_ca_file(path: &std::path::Path) -> (Vec<Vec<u8>>, Option<String>) {
    let warning = |reason: &str| {
        Some(format!(
            "Warning: Ignoring extra certs from `{}`, load failed: {reason}",
            path.display()
        ))
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // OpenSSL's text for ENOENT, which Node prints.
            return (
                Vec::new(),
                warning("error:80000002:system library::No such file or directory"),
            );
        }
        Err(e) => return (Vec::new(), warning(&e.to_string())),
    };
    let blocks = match sanstls_pki::pem::parse(&bytes) {
        Ok(b) => b,
        Err(e) => return (Vec::new(), warning(&e.to_string())),
    };
    let mut certs = Vec::new();
    for der in sanstls_pki::pem::certificates(&blocks) {
        if let Err(e) = sanstls_pki::cert::PeerCertificate::from_der(&der) {
            return (certs, warning(&e.to_string()));
        }
        certs.push(der);
    }
    if certs.is_empty() {
        return (Vec::new(), warning("no certificate found"));
    }
    (certs, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/");

    #[test]
    fn the_type_strings_are_nodes() {
        assert_eq!("default".parse::<CaType>().unwrap(), CaType::Default);
        assert_eq!("system".parse::<CaType>().unwrap(), CaType::System);
        assert_eq!("bundled".parse::<CaType>().unwrap(), CaType::Bundled);
        assert_eq!("extra".parse::<CaType>().unwrap(), CaType::Extra);
        let e = "defulat".parse::<CaType>().unwrap_err();
        assert_eq!(e.code, "ERR_INVALID_ARG_VALUE");
    }

    #[test]
    fn bundled_is_root_certificates() {
        assert_eq!(
            get_ca_certificates(CaType::Bundled),
            crate::root_certificates()
        );
    }

    #[test]
    fn an_extra_file_keeps_what_parsed_before_a_failure() {
        let path = std::path::PathBuf::from(format!("{CERTS}rsa-chain.pem"));
        let (certs, warning) = load_extra_ca_file(&path);
        assert_eq!((certs.len(), warning), (3, None));
        let (certs, warning) = load_extra_ca_file(std::path::Path::new("/nonexistent/x.pem"));
        assert!(certs.is_empty());
        assert_eq!(
            warning.as_deref(),
            Some("Warning: Ignoring extra certs from `/nonexistent/x.pem`, load failed: error:80000002:system library::No such file or directory")
        );
        let (certs, warning) =
            load_extra_ca_file(&std::path::PathBuf::from(format!("{CERTS}rsa.key")));
        assert!(certs.is_empty() && warning.is_some());
    }
}
