//! `sanstls x509 FILE [--json]`: a certificate (or chain) as Node's
//! `getPeerCertificate(detailed)` shows it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sanstls_pki::cert::{parse_certificates, IssuerCertificate, NameObject, PeerCertificate};

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
    let bytes = std::fs::read(&a.file).map_err(|e| format!("{}: {e}", a.file.display()))?;
    let ders = parse_certificates(&bytes).map_err(|e| format!("{}: {e}", a.file.display()))?;
    // One certificate: getPeerCertificate()'s object; several: the detailed chain.
    let cert = match ders.as_slice() {
        [one] => PeerCertificate::from_der(one),
        chain => PeerCertificate::from_chain(chain),
    }
    .map_err(|e| format!("{}: {e}", a.file.display()))?;
    if a.json {
        let json = serde_json::to_string_pretty(&cert).map_err(|e| e.to_string())?;
        println!("{json}");
    } else {
        print!("{}", summary(&cert));
    }
    Ok(ExitCode::SUCCESS)
}

/// The text summary: one block per certificate of the chain, leaf first.
fn summary(leaf: &PeerCertificate) -> String {
    let mut out = String::new();
    let mut next = Some(leaf);
    let mut index = 0;
    while let Some(cert) = next {
        if index > 0 {
            out.push('\n');
        }
        let role = match (index, &cert.issuer_certificate) {
            (_, Some(IssuerCertificate::SelfIssued)) => "self-issued",
            (0, _) => "leaf",
            _ => "issuer",
        };
        out.push_str(&format!("certificate {index} ({role})\n"));
        out.push_str(&format!("  subject: {}\n", name_line(&cert.subject)));
        out.push_str(&format!("  issuer: {}\n", name_line(&cert.issuer)));
        if let Some(san) = &cert.subjectaltname {
            out.push_str(&format!("  subjectaltname: {san}\n"));
        }
        out.push_str(&format!("  valid_from: {}\n", cert.valid_from));
        out.push_str(&format!("  valid_to: {}\n", cert.valid_to));
        out.push_str(&format!("  fingerprint256: {}\n", cert.fingerprint256));
        out.push_str(&format!("  serialNumber: {}\n", cert.serial_number));
        out.push_str(&format!("  ca: {}\n", cert.ca));
        next = cert.issuer_object();
        index += 1;
    }
    out
}

/// `C=US, O=Org, OU=One, OU=Two, CN=name`: each value of the name object, in its order.
fn name_line(name: &NameObject) -> String {
    name.entries
        .iter()
        .flat_map(|(k, v)| v.values().iter().map(move |v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(", ")
}
