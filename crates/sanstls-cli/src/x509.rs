//! `sanstls x509 FILE [--json]`: a certificate (or chain) as Node's
//! `getPeerCertificate(detailed)` shows it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// `sanstls x509` arguments.
#[derive(Debug, Args)]
pub(crate) struct X509Args {
    /// A PEM or DER file with one certificate, or a chain (leaf first).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Print the JSON object (Node's field names) instead of a text summary.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(a: X509Args) -> Result<ExitCode, String> {
    let _ = (&a.file, a.json);
    Err("`sanstls x509` is not implemented yet (issue 6)".into())
}
