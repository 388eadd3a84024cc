//! (issue 6: roots; in progress)
