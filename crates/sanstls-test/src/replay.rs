//! Driving one of our connections through a recorded trace (RFC 8448's, or our own in
//! `vectors/hybrid/`): the other end is the trace, so the test feeds it the recorded
//! flights and compares what the connection writes with the recorded ones.

use sanstls::{Connection, Event, UnixTime};

use crate::rfc8448::Section;

/// The trace's clock: its `CurrentTimestamp`, in milliseconds since the Unix epoch.
pub fn timestamp(s: &Section) -> UnixTime {
    let millis = s
        .get_str("CurrentTimestamp")
        .unwrap_or_else(|| panic!("[{}] has no CurrentTimestamp", s.name));
    UnixTime::from_millis(millis.parse().expect("CurrentTimestamp is a number"))
}

/// Everything the connection has to send.
pub fn take_output(c: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    c.write_tls(&mut out);
    out
}

/// Feeds a recorded flight to the connection at `at`; it must take all of it without
/// an error.
pub fn feed(c: &mut Connection, bytes: &[u8], at: UnixTime) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = c.read_tls(rest);
        assert!(n > 0, "the connection refused input");
        rest = &rest[n..];
        c.process(at).unwrap();
    }
}

/// The connection's pending events.
pub fn events(c: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}
