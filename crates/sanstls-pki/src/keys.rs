//! (issue 6: keys; in progress)
