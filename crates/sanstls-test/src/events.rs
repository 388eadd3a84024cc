//! What tests read out of a connection's events.

use sanstls::client::StoredSession;
use sanstls::Event;

/// The first session among `events` (`Event::NewSessionTicket`; in TLS 1.2 a session id
/// counts too), if any.
pub fn session(events: &[Event]) -> Option<StoredSession> {
    events.iter().find_map(|e| match e {
        Event::NewSessionTicket(s) => Some(s.clone()),
        _ => None,
    })
}

/// The 0-RTT data a server received (`Event::EarlyData`), joined in order.
pub fn early_data(events: &[Event]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::EarlyData(d) => Some(d.as_slice()),
            _ => None,
        })
        .flatten()
        .copied()
        .collect()
}
