//! # sanstls-pki: certificates and keys the way Node.js loads, shows and verifies them
//!
//! This crate will hold PEM/DER/PKCS#8/PKCS#12 loading, X.509 parsing into Node's
//! peer-certificate shape, RFC 5280 chain verification, CRLs, OCSP and
//! `checkServerIdentity` (issue 6). It is part of the workspace layout from the start
//! so the dependency set (`der`, `x509-cert`, `pkcs8`, `pkcs12`) is resolved and built
//! by CI from day one; it exports nothing yet.

#![forbid(unsafe_code)]
