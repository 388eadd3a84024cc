//! `sanstls verify [--ca FILE] [--untrusted FILE] [--crl FILE] [--host NAME]
//! [--at UNIX_SECONDS] [--purpose server|client] CERT`: RFC 5280 validation with Node's
//! error codes. Prints `OK` and exits 0, or `error: CODE: message` and exits 1.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

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
    /// A CRL (PEM or DER); revoked certificates fail with CERT_REVOKED.
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
}

pub(crate) fn run(a: VerifyArgs) -> Result<ExitCode, String> {
    let _ = &a;
    Err("`sanstls verify` is not implemented yet (issue 6)".into())
}
