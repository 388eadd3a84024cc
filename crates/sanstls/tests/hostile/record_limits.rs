//! Cases: record_size_limit (RFC 8449) on all four of our ends, and max_fragment_length
//! (RFC 6066 s4) on our servers. Each group's own file adds the cases for its end.
//!
//! The script keeps the victim to what was negotiated through `Wire::victim_limit`: every
//! record the victim sends is measured as it is read, handshake records included, and the
//! data sent afterwards is larger than the limit, so the victim had to cut it.

use sanstls::enums::{AlertDescription as A, ContentType, MaxFragmentLength};
use sanstls::internal::msgs::extensions::{ClientExtension, RecordSizeLimit, ServerExtension};
use sanstls::internal::msgs::hello::ClientHelloPayload;
use sanstls::internal::msgs::message::HandshakePayload;
use sanstls::internal::record::protect::PaddingPolicy;
use sanstls::internal::record::size_limit::PlaintextLimit;

use crate::harness::*;
use crate::script12::{Client12, Server12};
use crate::script13::{exts, Client13, Server13};

fn rsl(v: u16) -> RecordSizeLimit {
    RecordSizeLimit(v)
}

/// What a record_size_limit of `v` lets through under TLS 1.3 (`tls13`) or 1.2.
fn limit(v: u16, tls13: bool) -> PlaintextLimit {
    PlaintextLimit::from_record_size_limit(rsl(v), tls13)
}

/// The victim sends `n` bytes; they arrive whole; returns the largest record's content.
fn victim_sends(w: &mut Wire, n: usize) -> usize {
    let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
    assert_eq!(w.victim.send(&data).unwrap(), n);
    w.collect();
    let mut got = Vec::new();
    let mut largest = 0;
    for g in w.drain() {
        if let Got::ApplicationData(d) = g {
            largest = largest.max(d.len());
            got.extend(d);
        }
    }
    assert_eq!(got.len(), data.len(), "all the data arrived");
    assert!(got == data, "the data arrived intact");
    largest
}

/// A record of exactly `content` bytes is accepted; one byte more is record_overflow.
fn one_byte_over_is_refused(w: &mut Wire, content: usize) {
    w.record(ContentType::ApplicationData, &vec![1; content]);
    assert_eq!(w.deliver(), Ok(()), "a record at the limit");
    assert_eq!(w.received.len(), content);
    w.record(ContentType::ApplicationData, &vec![2; content + 1]);
    let _ = w.deliver();
    w.refused(A::RecordOverflow);
}

fn push(ch: &mut ClientHelloPayload, e: ClientExtension) {
    exts(ch).push(e);
}

// ---- TLS 1.3 server ----

/// Our TLS 1.3 server with `config` after a correct handshake whose ClientHello also
/// carries `extra`; returns the script and the server's EncryptedExtensions.
fn server13(
    config: sanstls::server::ServerConfig,
    extra: Vec<ClientExtension>,
    victim_limit: Option<(PlaintextLimit, bool)>,
) -> (Client13, Vec<ServerExtension>) {
    let mut c = Client13::start(config, |ch| exts(ch).extend(extra));
    c.w.victim_limit = victim_limit;
    let sh = c.read_server_hello();
    assert!(
        sh.record_size_limit().is_none() && sh.max_fragment_length().is_none(),
        "RFC 8449 s4 / RFC 8446 s4.2: not in a TLS 1.3 ServerHello"
    );
    c.read_server_flight();
    let Some(HandshakePayload::EncryptedExtensions(ee)) = c.flight.first() else {
        panic!("no EncryptedExtensions first");
    };
    let ee = ee.extensions.clone();
    assert_eq!(c.send_finished(), Ok(()));
    c.w.completed();
    (c, ee)
}

pub fn server13_cases() -> Vec<Case> {
    vec![
        case(
            "record_size_limit: answered in EncryptedExtensions, and a client's 64 bounds every protected record we send",
            || {
                let (mut c, ee) = server13(
                    server_config(),
                    vec![ClientExtension::RecordSizeLimit(rsl(64))],
                    Some((limit(64, true), false)),
                );
                assert!(ee.contains(&ServerExtension::RecordSizeLimit(rsl(16385))));
                assert_eq!(victim_sends(&mut c.w, 1000), 63);
            },
        ),
        case(
            "a record over the record_size_limit we announced is record_overflow",
            || {
                let mut config = server_config();
                config.record_size_limit = Some(1000);
                let (mut c, ee) = server13(
                    config,
                    vec![ClientExtension::RecordSizeLimit(rsl(16385))],
                    None,
                );
                assert!(ee.contains(&ServerExtension::RecordSizeLimit(rsl(1001))));
                one_byte_over_is_refused(&mut c.w, 1000);
            },
        ),
        case(
            "padding past the record_size_limit we announced is record_overflow (RFC 8449 s4 counts it)",
            || {
                let mut config = server_config();
                config.record_size_limit = Some(1000);
                let (mut c, _) = server13(
                    config,
                    vec![ClientExtension::RecordSizeLimit(rsl(16385))],
                    None,
                );
                let sealer = c.w.sealer_mut().unwrap();
                sealer.set_padding(PaddingPolicy::Multiple(1001)).unwrap();
                c.w.record(ContentType::ApplicationData, b"ten bytes!");
                assert_eq!(c.w.deliver(), Ok(()), "inner plaintext of exactly 1001");
                let sealer = c.w.sealer_mut().unwrap();
                sealer.set_padding(PaddingPolicy::Multiple(1002)).unwrap();
                c.w.record(ContentType::ApplicationData, b"ten bytes!");
                let _ = c.w.deliver();
                c.w.refused(A::RecordOverflow);
            },
        ),
        case(
            "a ClientHello record_size_limit below 64 is illegal_parameter",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    push(ch, ClientExtension::RecordSizeLimit(rsl(63)))
                });
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "a ClientHello record_size_limit over 2^14+1 is taken as 2^14+1, not refused",
            || {
                let (mut c, _) = server13(
                    server_config(),
                    vec![ClientExtension::RecordSizeLimit(rsl(u16::MAX))],
                    Some((PlaintextLimit::PROTOCOL, false)),
                );
                assert_eq!(victim_sends(&mut c.w, 20000), 16384);
            },
        ),
        case(
            "with record_size_limit and max_fragment_length both offered, record_size_limit wins (RFC 8449 s5)",
            || {
                let (mut c, ee) = server13(
                    server_config(),
                    vec![
                        ClientExtension::MaxFragmentLength(MaxFragmentLength::Pow2_9),
                        ClientExtension::RecordSizeLimit(rsl(16385)),
                    ],
                    None,
                );
                assert!(ee.contains(&ServerExtension::RecordSizeLimit(rsl(16385))));
                assert!(!ee.iter().any(|e| matches!(e, ServerExtension::MaxFragmentLength(_))));
                assert_eq!(victim_sends(&mut c.w, 2000), 2000, "not cut to 512");
            },
        ),
        case(
            "max_fragment_length 2^9 is echoed in EncryptedExtensions and bounds every record both ways",
            || {
                let mfl = PlaintextLimit::max_fragment_send(512);
                let (mut c, ee) = server13(
                    server_config(),
                    vec![ClientExtension::MaxFragmentLength(MaxFragmentLength::Pow2_9)],
                    Some((mfl, true)),
                );
                assert!(ee.contains(&ServerExtension::MaxFragmentLength(
                    MaxFragmentLength::Pow2_9
                )));
                assert_eq!(victim_sends(&mut c.w, 2000), 512);
                one_byte_over_is_refused(&mut c.w, 512);
            },
        ),
        case(
            "our server without record_size_limit ignores the client's and answers its max_fragment_length",
            || {
                let mut config = server_config();
                config.record_size_limit = None;
                let mfl = PlaintextLimit::max_fragment_send(1024);
                let (mut c, ee) = server13(
                    config,
                    vec![
                        ClientExtension::MaxFragmentLength(MaxFragmentLength::Pow2_10),
                        ClientExtension::RecordSizeLimit(rsl(64)),
                    ],
                    Some((mfl, true)),
                );
                assert_eq!(
                    ee.iter()
                        .filter(|e| matches!(
                            e,
                            ServerExtension::MaxFragmentLength(_)
                                | ServerExtension::RecordSizeLimit(_)
                        ))
                        .collect::<Vec<_>>(),
                    [&ServerExtension::MaxFragmentLength(MaxFragmentLength::Pow2_10)]
                );
                assert_eq!(victim_sends(&mut c.w, 2000), 1024);
            },
        ),
        case(
            "a max_fragment_length code outside 1..=4 is illegal_parameter",
            || {
                let mut c = Client13::start(server_config(), |ch| {
                    push(
                        ch,
                        ClientExtension::MaxFragmentLength(MaxFragmentLength::Unknown(5)),
                    )
                });
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
    ]
}

// ---- TLS 1.3 client ----

/// Our TLS 1.3 client with `config` after a correct handshake whose EncryptedExtensions
/// carries `ee`.
fn client13(
    config: sanstls::client::ClientConfig,
    ee: Vec<ServerExtension>,
    victim_limit: Option<(PlaintextLimit, bool)>,
) -> Server13 {
    let mut s = Server13::start(config);
    s.w.victim_limit = victim_limit;
    let sh = s.hello();
    s.send_hello(sh);
    let ee = s.ee_with(ee);
    s.send_flight_with(ee);
    s.read_client_finished();
    s.w.completed();
    s
}

pub fn client13_cases() -> Vec<Case> {
    vec![
        case(
            "our client announces record_size_limit 2^14+1 by default (RFC 8449 s4)",
            || {
                let s = Server13::start(client_config());
                assert_eq!(s.ch.record_size_limit(), Some(rsl(16385)));
            },
        ),
        case(
            "a server's record_size_limit of 64 bounds every protected record we send",
            || {
                let mut s = client13(
                    client_config(),
                    vec![ServerExtension::RecordSizeLimit(rsl(64))],
                    Some((limit(64, true), false)),
                );
                assert_eq!(victim_sends(&mut s.w, 1000), 63);
            },
        ),
        case(
            "a record over the record_size_limit our client announced is record_overflow",
            || {
                let mut config = client_config();
                config.record_size_limit = Some(1000);
                let mut s = client13(
                    config,
                    vec![ServerExtension::RecordSizeLimit(rsl(16385))],
                    None,
                );
                assert_eq!(s.ch.record_size_limit(), Some(rsl(1001)));
                one_byte_over_is_refused(&mut s.w, 1000);
            },
        ),
        case(
            "without the server's record_size_limit our client's is not enforced",
            || {
                let mut config = client_config();
                config.record_size_limit = Some(1000);
                let mut s = client13(config, vec![], None);
                s.w.record(ContentType::ApplicationData, &[1; 16384]);
                assert_eq!(s.w.deliver(), Ok(()));
                assert_eq!(s.w.received.len(), 16384);
            },
        ),
        case(
            "a ServerHello with record_size_limit (an EncryptedExtensions extension) is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                let mut sh = s.hello();
                sh.extensions
                    .get_or_insert_with(Vec::new)
                    .push(ServerExtension::RecordSizeLimit(rsl(16385)));
                s.send_hello(sh);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "EncryptedExtensions with a record_size_limit below 64 is illegal_parameter",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee_with(vec![ServerExtension::RecordSizeLimit(rsl(63))]);
                s.send(ee);
                s.w.delivered_refused(A::IllegalParameter);
            },
        ),
        case(
            "EncryptedExtensions with max_fragment_length we did not offer is unsupported_extension",
            || {
                let mut s = Server13::start(client_config());
                let sh = s.hello();
                s.send_hello(sh);
                let ee = s.ee_with(vec![ServerExtension::MaxFragmentLength(
                    MaxFragmentLength::Pow2_9,
                )]);
                s.send(ee);
                s.w.delivered_refused(A::UnsupportedExtension);
            },
        ),
    ]
}

// ---- TLS 1.2 server ----

/// Our TLS 1.2 server with `config` after a correct handshake whose ClientHello also
/// carries `extra`; returns the script and the ServerHello's extensions.
fn server12(
    config: sanstls::server::ServerConfig,
    extra: Vec<ClientExtension>,
    victim_limit: Option<(PlaintextLimit, bool)>,
) -> (Client12, Vec<ServerExtension>) {
    let mut c = Client12::start(config, |ch| {
        ch.extensions.get_or_insert_with(Vec::new).extend(extra)
    });
    c.w.victim_limit = victim_limit;
    c.read_server_flight();
    let Some(HandshakePayload::ServerHello(sh)) = c.flight.first() else {
        panic!("no ServerHello first");
    };
    let exts = sh.extensions().to_vec();
    c.send_key_exchange();
    c.send_ccs_and_finished();
    c.read_server_finish();
    c.w.completed();
    (c, exts)
}

pub fn server12_cases() -> Vec<Case> {
    vec![
        case(
            "record_size_limit: answered in the ServerHello, and a client's 64 bounds every protected record we send",
            || {
                let (mut c, exts) = server12(
                    server_config(),
                    vec![ClientExtension::RecordSizeLimit(rsl(64))],
                    Some((limit(64, false), false)),
                );
                assert!(exts.contains(&ServerExtension::RecordSizeLimit(rsl(16384))));
                assert_eq!(victim_sends(&mut c.w, 1000), 64);
            },
        ),
        case(
            "a record over the record_size_limit we announced is record_overflow",
            || {
                let mut config = server_config();
                config.record_size_limit = Some(1000);
                let (mut c, exts) = server12(
                    config,
                    vec![ClientExtension::RecordSizeLimit(rsl(16385))],
                    None,
                );
                assert!(exts.contains(&ServerExtension::RecordSizeLimit(rsl(1000))));
                one_byte_over_is_refused(&mut c.w, 1000);
            },
        ),
        case(
            "a ClientHello record_size_limit below 64 is illegal_parameter",
            || {
                let mut c = Client12::start(server_config(), |ch| {
                    ch.extensions
                        .get_or_insert_with(Vec::new)
                        .push(ClientExtension::RecordSizeLimit(rsl(63)))
                });
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
        case(
            "max_fragment_length 2^9 is echoed in the ServerHello and bounds every record both ways, the plaintext Certificate's too",
            || {
                let mfl = PlaintextLimit::max_fragment_send(512);
                let (mut c, exts) = server12(
                    server_config(),
                    vec![ClientExtension::MaxFragmentLength(MaxFragmentLength::Pow2_9)],
                    Some((mfl, true)),
                );
                assert!(exts.contains(&ServerExtension::MaxFragmentLength(
                    MaxFragmentLength::Pow2_9
                )));
                assert_eq!(victim_sends(&mut c.w, 2000), 512);
                one_byte_over_is_refused(&mut c.w, 512);
            },
        ),
        case(
            "a max_fragment_length code outside 1..=4 is illegal_parameter",
            || {
                let mut c = Client12::start(server_config(), |ch| {
                    ch.extensions
                        .get_or_insert_with(Vec::new)
                        .push(ClientExtension::MaxFragmentLength(MaxFragmentLength::Unknown(0)))
                });
                c.w.refused_in_handshake(A::IllegalParameter);
            },
        ),
    ]
}

// ---- TLS 1.2 client ----

/// Our TLS 1.2 client with `config` after a correct handshake whose ServerHello also
/// carries `extra`.
fn client12(
    config: sanstls::client::ClientConfig,
    extra: Vec<ServerExtension>,
    victim_limit: Option<(PlaintextLimit, bool)>,
) -> Server12 {
    let mut s = Server12::start(config);
    s.w.victim_limit = victim_limit;
    let mut sh = s.hello();
    sh.extensions.get_or_insert_with(Vec::new).extend(extra);
    s.send_hello(sh);
    let cert = s.certificate();
    s.send(cert);
    let ske = s.key_exchange();
    s.send(ske);
    let done = s.done();
    s.send(done);
    s.read_client_flight();
    s.send_finish();
    assert_eq!(s.w.deliver(), Ok(()));
    s.w.completed();
    s
}

/// Our TLS 1.2 client refuses a ServerHello carrying `extra`.
fn client12_refuses(config: sanstls::client::ClientConfig, extra: ServerExtension, alert: A) {
    let mut s = Server12::start(config);
    let mut sh = s.hello();
    sh.extensions.get_or_insert_with(Vec::new).push(extra);
    s.send_hello(sh);
    s.w.delivered_refused(alert);
}

pub fn client12_cases() -> Vec<Case> {
    vec![
        case(
            "a TLS 1.2-only client announces record_size_limit 2^14, no type byte",
            || {
                let s = Server12::start(client_config());
                assert_eq!(s.ch.record_size_limit(), Some(rsl(16384)));
            },
        ),
        case(
            "a server's record_size_limit of 64 bounds every protected record we send",
            || {
                let mut s = client12(
                    client_config(),
                    vec![ServerExtension::RecordSizeLimit(rsl(64))],
                    Some((limit(64, false), false)),
                );
                assert_eq!(victim_sends(&mut s.w, 1000), 64);
            },
        ),
        case(
            "a record over the record_size_limit our client announced is record_overflow",
            || {
                let mut config = client_config();
                config.record_size_limit = Some(1000);
                let mut s = client12(
                    config,
                    vec![ServerExtension::RecordSizeLimit(rsl(16384))],
                    None,
                );
                one_byte_over_is_refused(&mut s.w, 1000);
            },
        ),
        case(
            "a ServerHello record_size_limit below 64 is illegal_parameter",
            || {
                client12_refuses(
                    client_config(),
                    ServerExtension::RecordSizeLimit(rsl(63)),
                    A::IllegalParameter,
                )
            },
        ),
        case(
            "a ServerHello with record_size_limit we did not offer is unsupported_extension",
            || {
                let mut config = client_config();
                config.record_size_limit = None;
                client12_refuses(
                    config,
                    ServerExtension::RecordSizeLimit(rsl(16384)),
                    A::UnsupportedExtension,
                )
            },
        ),
        case(
            "a ServerHello with max_fragment_length we did not offer is unsupported_extension",
            || {
                client12_refuses(
                    client_config(),
                    ServerExtension::MaxFragmentLength(MaxFragmentLength::Pow2_9),
                    A::UnsupportedExtension,
                )
            },
        ),
    ]
}
