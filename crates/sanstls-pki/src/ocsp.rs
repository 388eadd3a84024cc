//! (issue 6: ocsp; in progress)
