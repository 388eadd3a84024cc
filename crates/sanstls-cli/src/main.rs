//! The `sanstls` command.
fn main() {}
