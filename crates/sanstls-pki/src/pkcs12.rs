//! (issue 6: pkcs12; in progress)
