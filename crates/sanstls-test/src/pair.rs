//! Two of our connections in memory: bytes moved from one to the other by [`transfer`], the
//! clock a fixed number ([`NOW`]), so a test steers both ends and nothing sleeps.

use sanstls::{Connection, Error, UnixTime};

/// The clock of in-memory tests: 2030-03-17, inside every fixture's validity.
pub const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

/// Which end wrote the bytes an alteration hook is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The first connection given to [`transfer`] (usually the client).
    Client,
    /// The second (usually the server).
    Server,
}

/// Moves the bytes `from` has to send into `to`, processing them at `now`; returns whether
/// anything moved, and records `to`'s first error in `err` (the rest of the flight is then
/// dropped, as a driver would after a fatal error). `to` reading nothing (its buffer full)
/// ends the move too.
pub fn pump(
    from: &mut Connection,
    to: &mut Connection,
    err: &mut Option<Error>,
    now: UnixTime,
) -> bool {
    pump_altered(from, to, err, now, |_| {})
}

/// [`pump`], with `alter` given the bytes before `to` reads them.
pub fn pump_altered(
    from: &mut Connection,
    to: &mut Connection,
    err: &mut Option<Error>,
    now: UnixTime,
    alter: impl FnOnce(&mut Vec<u8>),
) -> bool {
    let mut buf = Vec::new();
    from.write_tls(&mut buf);
    let moved = !buf.is_empty();
    if moved {
        alter(&mut buf);
    }
    let mut rest = &buf[..];
    while !rest.is_empty() {
        let n = to.read_tls(rest);
        rest = &rest[n..];
        if let Err(e) = to.process(now) {
            err.get_or_insert(e);
            break;
        }
        if n == 0 {
            break;
        }
    }
    moved
}

/// Moves bytes both ways at [`NOW`] until neither side has anything to say. Returns the
/// first error of each side: (client's, server's).
pub fn transfer(
    client: &mut Connection,
    server: &mut Connection,
) -> (Option<Error>, Option<Error>) {
    transfer_at(client, server, NOW)
}

/// [`transfer`] with the clock at `now`.
pub fn transfer_at(
    client: &mut Connection,
    server: &mut Connection,
    now: UnixTime,
) -> (Option<Error>, Option<Error>) {
    transfer_altered(client, server, now, |_, _| {})
}

/// [`transfer_at`], with `alter` given every flight (and which end wrote it) before the
/// other end reads it: to tamper with records in flight, drop or reorder them.
pub fn transfer_altered(
    client: &mut Connection,
    server: &mut Connection,
    now: UnixTime,
    mut alter: impl FnMut(Sender, &mut Vec<u8>),
) -> (Option<Error>, Option<Error>) {
    let (mut ce, mut se) = (None, None);
    for _ in 0..32 {
        let a = pump_altered(client, server, &mut se, now, |b| alter(Sender::Client, b));
        let b = pump_altered(server, client, &mut ce, now, |b| alter(Sender::Server, b));
        if !a && !b {
            break;
        }
    }
    (ce, se)
}
