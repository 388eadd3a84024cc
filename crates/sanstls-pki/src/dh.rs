//! (issue 6: dh; in progress)
