//! An echo server on io_uring (completion-based I/O) driving the sans-IO engine, with
//! registered (fixed) buffers and application records opened and sealed in place. Shared
//! by the `io_uring_server` example and its test (`tests/examples.rs`). Linux only.
//!
//! Each connection owns two registered buffers of the arena: `R`, which the kernel reads
//! into (`ReadFixed`), and `W`, which it writes from (`WriteFixed`). After the handshake,
//! a record is decrypted where it lies in `R` (`open_in_place`), its plaintext copied
//! once into `W` behind the record header and sealed there (`seal_in_place`): no other
//! buffer of the engine's or ours is touched. The handshake, and whatever the engine must
//! send itself (alerts, KeyUpdate answers, close_notify), go through `read_tls` and
//! `write_tls`, whose bytes are copied into `W` ahead of the next sealed record, so
//! records leave in order. One operation is in flight per connection (read, then write
//! the echo, then read): a peer that does not read is not read from (back-pressure).
//!
//! Handshake timeouts: every handshaking connection's deadline (`poll_timeout()`, from the
//! configuration's `handshake_timeout`) is in one ordered set, and the loop waits for a
//! completion or until the earliest deadline, whichever comes first (`submit_with_args`
//! with a timeout: `IORING_ENTER_EXT_ARG`, Linux 5.11). Then `handle_timeout(now)` fails the
//! late handshakes (no alert, as in Node and OpenSSL); since the slot's buffers are the
//! kernel's while its operation is in flight, a late connection is closed at that
//! operation's completion: a pending read is cut short (`shutdown` of the socket's read
//! side completes it), a pending write is the flush of what was queued. Its slot and both
//! its registered buffers then serve the next connection. A connection that finished its
//! handshake has no deadline and is never timed out.
//!
//! `unsafe`: the crates of this workspace forbid it; the workspace denies it elsewhere,
//! and this example allows it at the three places io_uring needs it (registering the
//! buffers, pushing a submission, owning an accepted descriptor), each with its SAFETY
//! argument.

use std::collections::BTreeSet;
use std::io;
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;

use io_uring::{opcode, squeue, types, IoUring};
use sanstls::{Error, ServerConfig, ServerConnection, UnixTime};

/// Each buffer: two maximal records and their overhead.
const BUF: usize = 36 * 1024;
/// What `W` must have free before another record is sealed into it.
const RECORD_ROOM: usize = 16 * 1024 + 5 + 256;

/// Application records opened in place so far (the test checks the in-place path runs,
/// not only the buffered one that also echoes).
pub(crate) static OPENED_IN_PLACE: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

const ACCEPT: u64 = u64::MAX;
const READ: u64 = 1;
const WRITE: u64 = 2;

/// One client and where its I/O is.
struct Conn {
    sock: TcpStream,
    tls: ServerConnection,
    /// Bytes of `R` filled by reads and not yet consumed.
    rfill: usize,
    /// Bytes of `W` to write, and how many already went.
    wlen: usize,
    wsent: usize,
    /// Close once `W` is written.
    closing: bool,
    /// The handshake deadline this connection has in the timer set.
    deadline: Option<UnixTime>,
}

/// The handshake deadlines, earliest first, and their slots.
type Timers = BTreeSet<(UnixTime, usize)>;

/// What a connection does next.
enum Next {
    Read,
    Write,
    Close,
}

/// Serves `listener` forever with up to `max_conns` connections at once (more wait in the
/// listen backlog), each handshake bounded by `config.handshake_timeout`.
pub(crate) fn run(
    listener: std::net::TcpListener,
    config: Arc<ServerConfig>,
    max_conns: usize,
    now: fn() -> UnixTime,
) -> io::Result<()> {
    let mut ring = IoUring::new(1024)?;
    if !ring.params().is_feature_ext_arg() {
        return Err(io::Error::other(
            "waiting with a timeout (handshake deadlines) needs IORING_FEAT_EXT_ARG: Linux 5.11",
        ));
    }
    // The arena: R then W for each slot, one allocation that neither moves nor is freed
    // before the ring is (both live until this function returns, the ring dropped first).
    let mut arena = vec![0u8; 2 * BUF * max_conns];
    let iovecs: Vec<libc::iovec> = arena
        .chunks_mut(BUF)
        .map(|b| libc::iovec {
            iov_base: b.as_mut_ptr().cast(),
            iov_len: b.len(),
        })
        .collect();
    #[allow(unsafe_code)]
    // SAFETY: every iovec points into `arena`, which outlives the ring (declared before it
    // is dropped: see the end of this function) and is never reallocated; the kernel only
    // touches a buffer while an operation we submitted on it is in flight, and we do not
    // access that buffer until its completion.
    unsafe {
        ring.submitter().register_buffers(&iovecs)?;
    }
    let mut conns: Vec<Option<Conn>> = (0..max_conns).map(|_| None).collect();
    let lfd = types::Fd(listener.as_raw_fd());
    push_accept(&mut ring, lfd)?;
    let mut accept_waiting = false;
    let mut timers = Timers::new();
    loop {
        let earliest = timers
            .first()
            .map(|&(deadline, _)| deadline.saturating_since(now()));
        wait(&mut ring, earliest)?;
        let done: Vec<(u64, i32)> = ring
            .completion()
            .map(|c| (c.user_data(), c.result()))
            .collect();
        for (data, result) in done {
            if data == ACCEPT {
                if result >= 0 {
                    #[allow(unsafe_code)]
                    // SAFETY: a successful accept completion's result is a new descriptor
                    // that nothing else owns; the stream now closes it when dropped.
                    let sock = TcpStream::from(unsafe { OwnedFd::from_raw_fd(result) });
                    let _ = sock.set_nodelay(true);
                    match conns.iter().position(Option::is_none) {
                        Some(slot) => {
                            let tls = ServerConnection::new(config.clone(), now())
                                .map_err(io::Error::other)?;
                            conns[slot] = Some(Conn {
                                sock,
                                tls,
                                rfill: 0,
                                wlen: 0,
                                wsent: 0,
                                closing: false,
                                deadline: None,
                            });
                            // The ServerHello waits for the ClientHello: read first.
                            submit(&mut ring, &mut arena, &conns, slot, Next::Read)?;
                            rearm(&mut timers, &mut conns, slot);
                        }
                        None => drop(sock), // full: closed (connections wait in the backlog instead below)
                    }
                }
                // Keep one accept in flight while a slot is free.
                if conns.iter().any(Option::is_none) {
                    push_accept(&mut ring, lfd)?;
                } else {
                    accept_waiting = true;
                }
                continue;
            }
            let slot = (data >> 2) as usize;
            let op = data & 3;
            let next = {
                let Some(conn) = conns[slot].as_mut() else {
                    continue;
                };
                let (r, w) = buffers(&mut arena, slot);
                if result <= 0 && op == READ && conn.closing {
                    // A timed-out handshake's read, cut short by `expire`: what the engine
                    // still queues goes out (a timeout queues no alert), then it closes.
                    pump(conn, r, w, now())
                } else if result <= 0 {
                    Next::Close // error, or the peer closed its side
                } else if op == READ {
                    conn.rfill += result as usize;
                    pump(conn, r, w, now())
                } else {
                    conn.wsent += result as usize;
                    if conn.wsent < conn.wlen {
                        Next::Write
                    } else {
                        conn.wlen = 0;
                        conn.wsent = 0;
                        if conn.closing {
                            Next::Close
                        } else {
                            pump(conn, r, w, now())
                        }
                    }
                }
            };
            if let Next::Close = next {
                // The socket closes; the slot and its two buffers are free for the next.
                let closed = conns[slot].take();
                if let Some(deadline) = closed.and_then(|conn| conn.deadline) {
                    timers.remove(&(deadline, slot));
                }
                if accept_waiting {
                    accept_waiting = false;
                    push_accept(&mut ring, lfd)?;
                }
            } else {
                submit(&mut ring, &mut arena, &conns, slot, next)?;
                rearm(&mut timers, &mut conns, slot);
            }
        }
        expire(&mut conns, &mut timers, now());
    }
}

/// Submits what is queued and waits for a completion, or at most `timeout` (until the
/// earliest handshake deadline) when given.
fn wait(ring: &mut IoUring, timeout: Option<std::time::Duration>) -> io::Result<()> {
    let waited = match timeout {
        None => ring.submit_and_wait(1),
        Some(after) => {
            let ts = types::Timespec::from(after);
            let args = types::SubmitArgs::new().timespec(&ts);
            ring.submitter().submit_with_args(1, &args)
        }
    };
    match waited {
        // The deadline came first (ETIME), or a signal did (EINTR): `expire` and go on.
        Err(e) if e.raw_os_error() == Some(libc::ETIME) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

/// Keeps the timer set in step with a slot's handshake deadline (none once the handshake
/// is done or failed).
fn rearm(timers: &mut Timers, conns: &mut [Option<Conn>], slot: usize) {
    let Some(conn) = conns[slot].as_mut() else {
        return;
    };
    let deadline = conn.tls.poll_timeout();
    if deadline != conn.deadline {
        if let Some(old) = conn.deadline {
            timers.remove(&(old, slot));
        }
        if let Some(new) = deadline {
            timers.insert((new, slot));
        }
        conn.deadline = deadline;
    }
}

/// Fails the handshakes whose deadline passed. Each still has its one operation in flight,
/// on its buffers: it closes at that operation's completion. A read (the operation in
/// flight exactly when `W` is empty) is cut short by shutting the socket's read side, which
/// completes it; a write is cut short by shutting the write side (a client that never
/// reads could otherwise hold the write, and the slot, forever; a timeout sends no alert,
/// so nothing that matters is lost), after which `closing` closes.
fn expire(conns: &mut [Option<Conn>], timers: &mut Timers, now: UnixTime) {
    while let Some(&(deadline, slot)) = timers.first() {
        if deadline > now {
            break;
        }
        timers.pop_first();
        let Some(conn) = conns[slot].as_mut() else {
            continue;
        };
        conn.deadline = None;
        if conn.tls.handle_timeout(now) {
            conn.closing = true;
            let side = match conn.wlen {
                0 => Shutdown::Read,
                _ => Shutdown::Write,
            };
            let _ = conn.sock.shutdown(side);
        }
    }
}

/// A slot's `R` and `W`.
fn buffers(arena: &mut [u8], slot: usize) -> (&mut [u8], &mut [u8]) {
    arena[2 * slot * BUF..2 * (slot + 1) * BUF].split_at_mut(BUF)
}

/// Submits a slot's next read (into the free end of `R`) or write (the rest of `W`).
fn submit(
    ring: &mut IoUring,
    arena: &mut [u8],
    conns: &[Option<Conn>],
    slot: usize,
    next: Next,
) -> io::Result<()> {
    let Some(conn) = conns[slot].as_ref() else {
        return Ok(());
    };
    let fd = types::Fd(conn.sock.as_raw_fd());
    let (r, w) = buffers(arena, slot);
    let entry = match next {
        Next::Read => {
            let free = &mut r[conn.rfill..];
            opcode::ReadFixed::new(fd, free.as_mut_ptr(), free.len() as u32, (2 * slot) as u16)
                .build()
                .user_data(((slot as u64) << 2) | READ)
        }
        Next::Write => {
            let rest = &w[conn.wsent..conn.wlen];
            opcode::WriteFixed::new(fd, rest.as_ptr(), rest.len() as u32, (2 * slot + 1) as u16)
                .build()
                .user_data(((slot as u64) << 2) | WRITE)
        }
        Next::Close => return Ok(()),
    };
    push(ring, entry)
}

/// Queues an accept on the listener `lfd`.
fn push_accept(ring: &mut IoUring, lfd: types::Fd) -> io::Result<()> {
    let entry = opcode::Accept::new(lfd, std::ptr::null_mut(), std::ptr::null_mut()).build();
    push(ring, entry.user_data(ACCEPT))
}

/// Queues one submission.
fn push(ring: &mut IoUring, entry: squeue::Entry) -> io::Result<()> {
    if ring.submission().is_full() {
        ring.submit()?;
    }
    #[allow(unsafe_code)]
    // SAFETY: the buffers an entry names are the arena's (see `run`) and its descriptor
    // is a connection's socket or the listener, both kept open until the operation
    // completes: a slot is emptied (closing its socket) only on a completion (a timed-out
    // one too: `expire` only cuts its read short), and each connection has at most one
    // operation in flight.
    unsafe {
        ring.submission()
            .push(&entry)
            .map_err(|_| io::Error::other("submission queue full"))
    }
}

/// Runs the engine over what `R` holds and fills `W` with what goes out; says what next.
fn pump(conn: &mut Conn, r: &mut [u8], w: &mut [u8], now: UnixTime) -> Next {
    let mut rstart = 0;
    let mut stalled = false;
    loop {
        // The engine's own bytes first (handshake flights, alerts, KeyUpdate answers,
        // close_notify): they precede the next sealed record.
        if conn.tls.wants_write() {
            let mut out = Vec::new();
            conn.tls.write_tls(&mut out);
            let Some(dst) = w.get_mut(conn.wlen..conn.wlen + out.len()) else {
                return Next::Close; // cannot happen with BUF above two records
            };
            dst.copy_from_slice(&out);
            conn.wlen += out.len();
        }
        if conn.tls.error().is_some() {
            conn.closing = true;
            break;
        }
        if conn.tls.peer_closed() {
            if !conn.closing {
                conn.closing = true;
                conn.tls.send_close_notify();
                continue; // flush it
            }
            break;
        }
        if !conn.is_traffic() {
            if rstart == conn.rfill {
                break;
            }
        } else {
            // Plaintext the buffered path decrypted (what came with the client's Finished).
            if seal_plaintext(conn, w).is_err() {
                continue; // sticky: flushed and closed above
            }
            if rstart == conn.rfill || w.len() - conn.wlen < RECORD_ROOM {
                break;
            }
            match conn.tls.open_in_place(&mut r[rstart..conn.rfill], now) {
                Ok(opened) if opened.consumed == 0 => break, // read the rest of the record
                Ok(opened) => {
                    OPENED_IN_PLACE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let plain = opened.plaintext.start + rstart..opened.plaintext.end + rstart;
                    if seal_echo(conn, &r[plain], w).is_err() {
                        continue;
                    }
                    rstart += opened.consumed;
                    continue;
                }
                // Bytes `read_tls` holds, or unread plaintext, come first: the buffered
                // path below takes them.
                Err(Error::ApiMisuse(_)) => {}
                Err(_) => continue, // sticky: its alert is flushed above
            }
        }
        let taken = conn.tls.read_tls(&r[rstart..conn.rfill]);
        rstart += taken;
        let _ = conn.tls.process(now); // an error is sticky: handled at the top
        while conn.tls.poll_event().is_some() {}
        if taken == 0 {
            if stalled {
                break;
            }
            stalled = true;
        } else {
            stalled = false;
        }
    }
    r.copy_within(rstart..conn.rfill, 0);
    conn.rfill -= rstart;
    if conn.wlen > 0 {
        Next::Write
    } else if conn.closing || conn.rfill == r.len() {
        Next::Close
    } else {
        Next::Read
    }
}

impl Conn {
    fn is_traffic(&self) -> bool {
        !self.tls.is_handshaking() && self.tls.seal_layout().is_some()
    }
}

/// Seals `plain` into `W` as application records.
fn seal_echo(conn: &mut Conn, plain: &[u8], w: &mut [u8]) -> Result<(), Error> {
    let layout = conn
        .tls
        .seal_layout()
        .ok_or(Error::ApiMisuse("no layout"))?;
    for chunk in plain.chunks(layout.max_plaintext) {
        let record = &mut w[conn.wlen..];
        record[layout.plaintext(chunk.len())].copy_from_slice(chunk);
        conn.wlen += conn.tls.seal_in_place(record, chunk.len())?;
    }
    Ok(())
}

/// Seals the plaintext the engine holds (decrypted by `process`) into `W`.
fn seal_plaintext(conn: &mut Conn, w: &mut [u8]) -> Result<(), Error> {
    while let Some(layout) = conn.tls.seal_layout() {
        if w.len() - conn.wlen < layout.buffer_len(layout.max_plaintext) {
            return Ok(());
        }
        let record = &mut w[conn.wlen..];
        let n = conn
            .tls
            .read_plaintext(&mut record[layout.plaintext(layout.max_plaintext)]);
        if n == 0 {
            return Ok(());
        }
        conn.wlen += conn.tls.seal_in_place(record, n)?;
    }
    Ok(())
}
