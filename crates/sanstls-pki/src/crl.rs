//! (issue 6: crl; in progress)
