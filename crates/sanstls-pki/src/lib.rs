//! # sanstls-pki: certificates and keys the way Node.js loads, shows and verifies them
//!
//! This crate will hold PEM/DER/PKCS#8/PKCS#12 loading, X.509 parsing into Node's
//! peer-certificate shape, RFC 5280 chain verification, CRLs, OCSP and
//! `checkServerIdentity` (issue 6). Today it has [`pem`], the PEM reader the `sanstls` CLI
//! loads `--cert`, `--key` and `--ca` files with.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod pem;
