//! Cases: TODO.

use crate::harness::*;

pub fn cases() -> Vec<Case> {
    vec![]
}
