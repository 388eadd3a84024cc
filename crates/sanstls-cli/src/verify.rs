//! `sanstls verify [--ca FILE] [--untrusted FILE] [--crl FILE]... [--host NAME]
//! [--at UNIX_SECONDS] [--purpose server|client] [--node-error] [--strict] CERT`: RFC 5280
//! validation with Node's error codes (`sanstls_pki::verify`), under Node's policy or, with
//! `--strict`, the strict web-PKI one (`Policy::Strict`, `sanstls_pki::identity::strict`).
//!
//! Exit status: 0 and `OK` on stdout when the chain verifies; 1 and
//! `error: CODE: message` on stdout when it does not; 2 and `sanstls: ...` on stderr when an
//! input cannot be used (unreadable or malformed file).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sanstls_pki::crl::Crl;
use sanstls_pki::pem;
use sanstls_pki::verify::{ErrorCode, ErrorReport, Policy, Verifier};

/// What the certificate is checked for (extendedKeyUsage / keyUsage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Purpose {
    /// TLS server authentication.
    Server,
    /// TLS client authentication.
    Client,
}

/// `sanstls verify` arguments.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The certificate to verify (PEM or DER); further certificates in the file are
    /// untrusted intermediates.
    #[arg(value_name = "CERT")]
    cert: PathBuf,
    /// Trust anchors (PEM). Default: the Mozilla root set Node trusts.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Untrusted intermediates (PEM).
    #[arg(long, value_name = "FILE")]
    untrusted: Option<PathBuf>,
    /// A CRL file (PEM or DER); repeatable. With any, every certificate of the chain needs
    /// a current CRL from its issuer (Node's `crl` option); revoked ones fail with
    /// CERT_REVOKED.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Also check the certificate against this host name or IP (Node's checkServerIdentity).
    #[arg(long, value_name = "NAME")]
    host: Option<String>,
    /// Verify as of this time (seconds since the Unix epoch) instead of now.
    #[arg(long, value_name = "UNIX_SECONDS")]
    at: Option<u64>,
    /// The purpose to check.
    #[arg(long, value_enum, default_value = "server")]
    purpose: Purpose,
    /// Report the error Node reports (OpenSSL's last, named as Node names it: UNSPECIFIED
    /// for the codes Node has no name for) instead of the first, as `openssl verify` does.
    #[arg(long)]
    node_error: bool,
    /// Apply the strict web-PKI policy instead of Node's: the strict path-validation rules
    /// and, with --host, RFC 6125 name matching (subjectAltName only, no Common Name, IP
    /// addresses only in strict text form, no wildcard over a public suffix).
    #[arg(long)]
    strict: bool,
}

/// Runs `sanstls verify`; see the module documentation for the exit statuses.
pub(crate) fn run(a: VerifyArgs) -> Result<ExitCode, String> {
    match verify(&a) {
        Ok(Ok(())) => {
            println!("OK");
            Ok(ExitCode::SUCCESS)
        }
        Ok(Err(Refusal::Chain(e))) => {
            let code = if a.node_error {
                e.kind().node_code()
            } else {
                e.code()
            };
            println!("error: {code}: {e}");
            Ok(ExitCode::FAILURE)
        }
        Ok(Err(Refusal::Identity(e))) => {
            println!("error: {}: {e}", e.code());
            Ok(ExitCode::FAILURE)
        }
        Ok(Err(Refusal::StrictIdentity(e))) => {
            println!("error: {}: {e}", e.code());
            Ok(ExitCode::FAILURE)
        }
        Err(usage) => {
            eprintln!("sanstls: {usage}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Why a certificate was refused: its chain, or (with `--host`) its names.
enum Refusal {
    Chain(sanstls_pki::verify::VerifyError),
    Identity(sanstls_pki::identity::IdentityError),
    StrictIdentity(sanstls_pki::identity::strict::StrictNameError),
}

/// `Err` for unusable input, `Ok(Err)` for a certificate that does not verify.
fn verify(a: &VerifyArgs) -> Result<Result<(), Refusal>, String> {
    let mut certs = certificates(&a.cert, "CERT")?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", a.cert.display()));
    }
    let leaf = certs.remove(0);
    if let Some(u) = &a.untrusted {
        certs.extend(certificates(u, "--untrusted")?);
    }
    let verifier = match &a.ca {
        Some(ca) => {
            let anchors = certificates(ca, "--ca")?;
            if anchors.is_empty() {
                return Err(format!("--ca {}: no certificate", ca.display()));
            }
            Verifier::new(anchors).map_err(|e| format!("--ca {}: {e}", ca.display()))?
        }
        None => Verifier::mozilla(),
    };
    let mut crls = Vec::new();
    for path in &a.crl {
        let bytes = read(path, "--crl")?;
        crls.extend(Crl::parse_file(&bytes).map_err(|e| format!("--crl {}: {e}", path.display()))?);
    }
    let report = if a.node_error {
        ErrorReport::Last
    } else {
        ErrorReport::First
    };
    let policy = if a.strict {
        Policy::Strict
    } else {
        Policy::Node
    };
    let verifier = verifier
        .with_crls(crls)
        .with_error_report(report)
        .with_policy(policy);
    let now = a.at.unwrap_or_else(|| crate::common::now().as_secs());
    let purpose = match a.purpose {
        Purpose::Server => sanstls_pki::verify::Purpose::ServerAuth,
        Purpose::Client => sanstls_pki::verify::Purpose::ClientAuth,
    };
    let intermediates: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    match verifier.verify(&leaf, &intermediates, now, purpose) {
        Ok(_) => {}
        // A malformed certificate in CERT or --untrusted is an input error, not a verdict.
        Err(e) if e.kind() == ErrorCode::Malformed => {
            return Err(format!("{}: {e}", a.cert.display()))
        }
        Err(e) => return Ok(Err(Refusal::Chain(e))),
    }
    // Node checks the name once the chain is trusted (checkServerIdentity).
    if let (Some(host), true) = (&a.host, a.strict) {
        use sanstls_pki::identity::strict::{check_server_name, StrictNameError};
        return match check_server_name(host, &leaf) {
            Ok(()) => Ok(Ok(())),
            Err(StrictNameError::Malformed(e)) => Err(format!("{}: {e}", a.cert.display())),
            Err(e) => Ok(Err(Refusal::StrictIdentity(e))),
        };
    }
    if let Some(host) = &a.host {
        let cert = sanstls_pki::cert::PeerCertificate::from_der(&leaf)
            .map_err(|e| format!("{}: {e}", a.cert.display()))?;
        if let Err(e) = sanstls_pki::identity::check_server_identity(host, &cert) {
            return Ok(Err(Refusal::Identity(e)));
        }
    }
    Ok(Ok(()))
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))
}

/// The certificates of a PEM file (its `CERTIFICATE` blocks in order), or of a DER file
/// holding one certificate.
fn certificates(path: &Path, what: &str) -> Result<Vec<Vec<u8>>, String> {
    let bytes = read(path, what)?;
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Ok(vec![bytes]);
    }
    let blocks = pem::parse(&bytes).map_err(|e| format!("{what} {}: {e}", path.display()))?;
    Ok(pem::certificates(&blocks))
}
