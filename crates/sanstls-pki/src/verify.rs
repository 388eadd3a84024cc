//! (issue 6: verify; in progress)
