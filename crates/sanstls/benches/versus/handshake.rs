//! Handshakes per second, with the client's and the server's CPU time counted apart (as
//! rustls's own bench does): each side's time is the time spent inside its library calls,
//! creating the connection included, while the two run in lockstep in one thread. The
//! libraries take turns every [`CHUNK`] handshakes within a repeat.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use sanstls::client::StoredSession;
use sanstls::{ClientConnection, Event, ServerConnection};

use crate::endpoint::{now, ours_new, theirs_new, Endpoint, Ours, Theirs};
use crate::setup::{self, Aead, Choice, KeyType, Kx, Pki, Resume, Version};
use crate::{Better, Budget, Lib, Row, Samples};

/// Time spent on each side.
#[derive(Default)]
pub(crate) struct Split {
    pub(crate) client: Duration,
    pub(crate) server: Duration,
}

/// Moves bytes between the two until neither has anything to send; every call is timed
/// to its side.
pub(crate) fn complete<C: Endpoint, S: Endpoint>(
    c: &mut C,
    s: &mut S,
    wire: &mut Vec<u8>,
    scratch: &mut [u8],
    t: &mut Split,
) {
    loop {
        let mut moved = false;
        wire.clear();
        let t0 = Instant::now();
        c.write_tls(wire);
        t.client += t0.elapsed();
        if !wire.is_empty() {
            moved = true;
            let t0 = Instant::now();
            s.read_tls(wire, scratch);
            t.server += t0.elapsed();
        }
        wire.clear();
        let t0 = Instant::now();
        s.write_tls(wire);
        t.server += t0.elapsed();
        if !wire.is_empty() {
            moved = true;
            let t0 = Instant::now();
            c.read_tls(wire, scratch);
            t.client += t0.elapsed();
        }
        if !moved {
            assert!(
                !c.is_handshaking() && !s.is_handshaking(),
                "handshake stalled"
            );
            return;
        }
    }
}

/// One sanstls handshake; returns the session the client was given, if any.
fn ours_once(
    client: &Arc<sanstls::ClientConfig>,
    server: &Arc<sanstls::ServerConfig>,
    session: Option<StoredSession>,
    t: &mut Split,
    wire: &mut Vec<u8>,
    scratch: &mut [u8],
) -> Option<StoredSession> {
    let now = now();
    let t0 = Instant::now();
    let mut c =
        ClientConnection::resume(client.clone(), "localhost", session, now).expect("client");
    // 0-RTT: what is sent before the server answers goes as early data.
    if client.enable_early_data {
        c.send(setup::EARLY_DATA).expect("early data");
    }
    let mut c = Ours { conn: c, now };
    t.client += t0.elapsed();
    let t0 = Instant::now();
    let mut s = Ours {
        conn: ServerConnection::new(server.clone(), now).unwrap(),
        now,
    };
    t.server += t0.elapsed();
    complete(&mut c, &mut s, wire, scratch, t);
    let t0 = Instant::now();
    let mut kept = None;
    while let Some(e) = c.conn.poll_event() {
        if let Event::NewSessionTicket(session) = e {
            kept.get_or_insert(session);
        }
    }
    t.client += t0.elapsed();
    kept
}

/// Runs sanstls handshakes for one scenario, keeping the session to resume.
struct OursRunner {
    client: Arc<sanstls::ClientConfig>,
    server: Arc<sanstls::ServerConfig>,
    session: Option<StoredSession>,
    resuming: bool,
    wire: Vec<u8>,
    scratch: Vec<u8>,
}

impl OursRunner {
    fn new(pki: &Pki, choice: Choice) -> Self {
        let (client, server) = setup::ours(pki, choice);
        let mut r = Self {
            client,
            server,
            session: None,
            resuming: choice.resume != Resume::No,
            wire: Vec::new(),
            scratch: vec![0; 16384],
        };
        // A resumed scenario starts from one full handshake, not counted.
        if r.resuming {
            r.run(1, &mut Split::default());
        }
        r
    }

    fn run(&mut self, n: usize, t: &mut Split) {
        for _ in 0..n {
            let offered = self.session.clone();
            let got = ours_once(
                &self.client,
                &self.server,
                offered,
                t,
                &mut self.wire,
                &mut self.scratch,
            );
            // TLS 1.3 tickets are fresh after each handshake; a TLS 1.2 session is kept.
            if self.resuming && got.is_some() {
                self.session = got;
            }
        }
    }
}

/// A rustls client for `name`, writing [`setup::EARLY_DATA`] as early data when its
/// configuration enables it and it holds a ticket that allows it.
fn theirs_client(
    config: &Arc<rustls::ClientConfig>,
    name: &ServerName<'static>,
) -> rustls::ClientConnection {
    let mut c = rustls::ClientConnection::new(config.clone(), name.clone()).expect("client");
    if config.enable_early_data {
        if let Some(mut early) = c.early_data() {
            use std::io::Write;
            early.write_all(setup::EARLY_DATA).expect("early data");
        }
    }
    c
}

/// Runs rustls handshakes for one scenario (its client keeps sessions in its own cache).
struct TheirsRunner {
    client: Arc<rustls::ClientConfig>,
    server: Arc<rustls::ServerConfig>,
    name: ServerName<'static>,
    wire: Vec<u8>,
    scratch: Vec<u8>,
}

impl TheirsRunner {
    fn new(pki: &Pki, choice: Choice) -> Self {
        let (client, server) = setup::theirs(pki, choice);
        let mut r = Self {
            client,
            server,
            name: ServerName::try_from("localhost").expect("name"),
            wire: Vec::new(),
            scratch: vec![0; 16384],
        };
        if choice.resume != Resume::No {
            r.run(1, &mut Split::default());
        }
        r
    }

    fn run(&mut self, n: usize, t: &mut Split) {
        for _ in 0..n {
            let t0 = Instant::now();
            let c = theirs_client(&self.client, &self.name);
            t.client += t0.elapsed();
            let t0 = Instant::now();
            let s = rustls::ServerConnection::new(self.server.clone()).expect("server");
            t.server += t0.elapsed();
            let (wire, scratch) = (&mut self.wire, &mut self.scratch);
            complete(&mut Theirs(c), &mut Theirs(s), wire, scratch, t);
        }
    }
}

/// Handshakes per interleaving chunk: the libraries take turns this often, so a change in
/// the machine's speed (another process, frequency scaling) hits both alike.
const CHUNK: usize = 10;

/// One repeat: `n` handshakes with each library, interleaved in chunks.
fn measure(pki: &Pki, choice: Choice, n: usize) -> (Split, Split) {
    let mut ours = OursRunner::new(pki, choice);
    let mut theirs = TheirsRunner::new(pki, choice);
    let (mut o, mut t) = (Split::default(), Split::default());
    let mut done = 0;
    let mut turn = 0;
    while done < n {
        let k = CHUNK.min(n - done);
        for lib in Lib::order(turn) {
            match lib {
                Lib::Sanstls => ours.run(k, &mut o),
                Lib::Rustls => theirs.run(k, &mut t),
            }
        }
        done += k;
        turn += 1;
    }
    (o, t)
}

/// Checks that a resumed scenario really resumes, with both libraries, before timing it.
fn check_resumes(pki: &Pki, choice: Choice) {
    let (client, server) = setup::ours(pki, choice);
    let (mut wire, mut scratch) = (Vec::new(), vec![0; 16384]);
    let mut t = Split::default();
    let session = ours_once(&client, &server, None, &mut t, &mut wire, &mut scratch);
    let session = session.expect("sanstls: no session to resume");
    let early = choice.resume == Resume::EarlyData13;
    let (mut c, mut s) = ours_new(&client, &server, Some(session));
    if early {
        c.conn.send(setup::EARLY_DATA).expect("early data");
    }
    complete(&mut c, &mut s, &mut wire, &mut scratch, &mut t);
    assert!(
        c.conn.negotiated().resumed,
        "sanstls did not resume ({choice:?})"
    );
    assert_eq!(
        c.conn.early_data_accepted(),
        early,
        "sanstls 0-RTT ({choice:?})"
    );

    let (client, server) = setup::theirs(pki, choice);
    let name = ServerName::try_from("localhost").expect("name");
    for round in 0..2 {
        let (_, s) = theirs_new(&client, &server);
        let (mut c, mut s) = (Theirs(theirs_client(&client, &name)), s);
        complete(&mut c, &mut s, &mut wire, &mut scratch, &mut t);
        let resumed = c.0.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        assert_eq!(resumed, round == 1, "rustls resumption ({choice:?})");
        assert_eq!(
            c.0.is_early_data_accepted(),
            early && round == 1,
            "rustls 0-RTT ({choice:?})"
        );
    }
}

pub(crate) fn run(pki: &Pki, budget: Budget, wanted: &dyn Fn(&str) -> bool) -> Vec<Row> {
    let mut scenarios = Vec::new();
    for version in [Version::Tls12, Version::Tls13] {
        for key in [KeyType::Rsa, KeyType::Ecdsa] {
            scenarios.push((
                format!("full {}", version.name()),
                key,
                version,
                Resume::No,
                Kx::X25519,
            ));
        }
    }
    for (name, version, resume) in [
        (
            "resumed TLS 1.2 session id",
            Version::Tls12,
            Resume::SessionId,
        ),
        ("resumed TLS 1.2 ticket", Version::Tls12, Resume::Ticket12),
        ("resumed TLS 1.3 ticket", Version::Tls13, Resume::Ticket13),
        (
            "resumed TLS 1.3 ticket 0-RTT",
            Version::Tls13,
            Resume::EarlyData13,
        ),
    ] {
        scenarios.push((
            name.to_string(),
            KeyType::Ecdsa,
            version,
            resume,
            Kx::X25519,
        ));
    }
    // The post-quantum hybrid next to X25519, both against rustls's aws-lc-rs provider (the
    // one with the hybrid), so each library's extra cost is measured in one run.
    for key in [KeyType::Rsa, KeyType::Ecdsa] {
        for kx in [Kx::AwsLcX25519, Kx::AwsLcHybrid] {
            let name = "full TLS 1.3".to_string();
            scenarios.push((name, key, Version::Tls13, Resume::No, kx));
        }
    }

    let mut rows = Vec::new();
    for (name, key, version, resume, kx) in scenarios {
        let base = format!("handshake {name} {}{}", key.name(), kx.name());
        let (client_name, server_name) = (format!("{base} client"), format!("{base} server"));
        if !wanted(&client_name) && !wanted(&server_name) {
            continue;
        }
        let choice = Choice {
            version,
            aead: Aead::Aes128Gcm,
            key,
            resume,
            kx,
        };
        if resume != Resume::No {
            check_resumes(pki, choice);
        }
        let n = match resume {
            Resume::No => budget.handshakes,
            _ => budget.handshakes * 4,
        };
        eprintln!("{base}: {n} handshakes x {} repeats", budget.repeats);
        let (mut oc, mut os, mut tc, mut ts): (Samples, Samples, Samples, Samples) =
            Default::default();
        let rate = |d: Duration| n as f64 / d.as_secs_f64();
        for _ in 0..budget.repeats {
            let (ours, theirs) = measure(pki, choice, n);
            oc.push(rate(ours.client));
            os.push(rate(ours.server));
            tc.push(rate(theirs.client));
            ts.push(rate(theirs.server));
        }
        for (scenario, ours, theirs) in [(client_name, oc, tc), (server_name, os, ts)] {
            rows.push(Row {
                scenario,
                sanstls: ours,
                rustls: Some(theirs),
                unit: "handshakes/s",
                better: Better::Higher,
                of_ceiling: None,
            });
        }
    }
    let costs = hybrid_costs(&rows);
    rows.extend(costs);
    rows
}

/// The hybrid's rate as a share of X25519's, per library, key and side: one row each where
/// both were measured, from the repeats' rates paired in order (a repeat of one scenario ran
/// right before the same repeat of the other). Higher is better: 100 % would be free.
fn hybrid_costs(rows: &[Row]) -> Vec<Row> {
    let find = |name: &str| rows.iter().find(|r| r.scenario == name);
    let mut out = Vec::new();
    for key in [KeyType::Rsa, KeyType::Ecdsa] {
        for side in ["client", "server"] {
            let at = |kx: Kx| format!("handshake full TLS 1.3 {}{} {side}", key.name(), kx.name());
            let (Some(x), Some(h)) = (find(&at(Kx::AwsLcX25519)), find(&at(Kx::AwsLcHybrid)))
            else {
                continue;
            };
            let share = |h: &Samples, x: &Samples| {
                let mut s = Samples::default();
                for (h, x) in h.0.iter().zip(&x.0) {
                    s.push(100.0 * h / x);
                }
                s
            };
            let theirs = match (&h.rustls, &x.rustls) {
                (Some(h), Some(x)) => Some(share(h, x)),
                _ => None,
            };
            out.push(Row {
                scenario: format!(
                    "X25519MLKEM768 rate as % of X25519, TLS 1.3 {} {side}",
                    key.name()
                ),
                sanstls: share(&h.sanstls, &x.sanstls),
                rustls: theirs,
                unit: "%",
                better: Better::Higher,
                of_ceiling: None,
            });
        }
    }
    out
}
