//! (issue 6: identity; in progress)
