//! Cases: the record layer of an established connection, for each of our four ends (TLS
//! 1.3 and 1.2, client and server), against records the script builds, seals, alters,
//! drops, replays and floods.

use sanstls::enums::{AlertDescription as A, AlertLevel, ContentType, ProtocolVersion};
use sanstls::internal::handshake::key_schedule::TrafficKeys;
use sanstls::internal::record::protect::PaddingPolicy;
use sanstls::{Error, Event};

use crate::harness::*;
use crate::script12::{Client12, Server12};
use crate::script13::{Client13, Server13};

/// One of our ends, established by a correct scripted handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Client13,
    Server13,
    Client12,
    Server12,
}

impl End {
    const ALL: [End; 4] = [End::Client13, End::Server13, End::Client12, End::Server12];

    fn label(self) -> &'static str {
        match self {
            Self::Client13 => "our TLS 1.3 client",
            Self::Server13 => "our TLS 1.3 server",
            Self::Client12 => "our TLS 1.2 client",
            Self::Server12 => "our TLS 1.2 server",
        }
    }

    fn tls13(self) -> bool {
        matches!(self, Self::Client13 | Self::Server13)
    }

    /// The script's end of an established connection with nothing left unread.
    fn established(self) -> Wire {
        self.established_with_keys().0
    }

    /// The same, with (TLS 1.3) the script's write key and AEAD, for records the record
    /// layer would refuse to build.
    fn established_with_keys(
        self,
    ) -> (Wire, Option<(TrafficKeys, &'static ring::aead::Algorithm)>) {
        let (mut w, keys) = match self {
            Self::Client13 => {
                let s = Server13::handshake(client_config());
                let secret = s
                    .traffic
                    .as_ref()
                    .unwrap()
                    .server_application_traffic_secret();
                let keys = secret.keys(s.suite.ring_aead());
                (s.w, Some((keys, s.suite.ring_aead())))
            }
            Self::Server13 => {
                let c = Client13::handshake(server_config());
                let secret = c
                    .traffic
                    .as_ref()
                    .unwrap()
                    .client_application_traffic_secret();
                let keys = secret.keys(c.suite.ring_aead());
                (c.w, Some((keys, c.suite.ring_aead())))
            }
            Self::Client12 => (Server12::handshake(client_config()).w, None),
            Self::Server12 => (Client12::handshake(server_config()).w, None),
        };
        let _ = w.drain();
        (w, keys)
    }
}

/// A TLS 1.3 record whose inner plaintext (content, type and padding: RFC 8446 s5.2) is
/// `inner` exactly, sealed by hand with the script's key at its current sequence number.
fn raw13(w: &mut Wire, keys: &TrafficKeys, alg: &'static ring::aead::Algorithm, inner: &[u8]) {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey};
    let seq = w.sealer_mut().unwrap().seq();
    let mut nonce = *keys.iv();
    for (b, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *b ^= s;
    }
    let len = (inner.len() + alg.tag_len()) as u16;
    let mut header = vec![23, 3, 3];
    header.extend_from_slice(&len.to_be_bytes());
    let key = LessSafeKey::new(UnboundKey::new(alg, keys.key()).unwrap());
    let mut body = inner.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(&header[..]),
        &mut body,
    )
    .unwrap();
    header.extend_from_slice(&body);
    w.raw(&header);
}

/// A case for each end: `f` on an established connection.
fn each(
    cases: &mut Vec<Case>,
    ends: &[End],
    what: &str,
    f: impl Fn(End, &mut Wire) + Clone + 'static,
) {
    for &end in ends {
        let f = f.clone();
        cases.push(case(format!("{}: {what}", end.label()), move || {
            let mut w = end.established();
            f(end, &mut w);
        }));
    }
}

/// A case for each end: what `send` sends is refused with `alert`.
fn refused(
    cases: &mut Vec<Case>,
    ends: &[End],
    what: &str,
    alert: A,
    send: impl Fn(End, &mut Wire) + Clone + 'static,
) {
    each(cases, ends, what, move |end, w| {
        send(end, w);
        let _ = w.deliver();
        w.refused(alert);
    });
}

/// The last record the wire built, altered by `edit` (header and protected payload).
fn altered(w: &mut Wire, edit: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = w.take_out();
    edit(&mut bytes);
    w.raw(&bytes);
}

pub fn cases() -> Vec<Case> {
    let all = &End::ALL;
    let tls13 = &[End::Client13, End::Server13];
    let tls12 = &[End::Client12, End::Server12];
    let mut v = Vec::new();

    each(&mut v, all, "application data arrives", |_, w| {
        w.record(ContentType::ApplicationData, b"one");
        w.record(ContentType::ApplicationData, b"two");
        w.deliver().unwrap();
        assert_eq!(w.received, b"onetwo");
    });
    each(
        &mut v,
        all,
        "records delivered a byte at a time arrive",
        |_, w| {
            w.record(ContentType::ApplicationData, &[5; 3000]);
            w.record(ContentType::ApplicationData, b"end");
            w.deliver_in_reads(1).unwrap();
            assert_eq!(w.received.len(), 3003);
        },
    );
    each(&mut v, all, "a full-size record arrives", |_, w| {
        w.record(ContentType::ApplicationData, &[9; 16384]);
        w.deliver().unwrap();
        assert_eq!(w.received.len(), 16384);
    });
    for typ in [0u8, 19, 24, 25, 255] {
        refused(
            &mut v,
            all,
            &format!("a record of content type {typ} is unexpected_message"),
            A::UnexpectedMessage,
            move |_, w| {
                w.plain_record(ContentType::from(typ), ProtocolVersion::TLSv1_2, &[1, 2, 3])
            },
        );
    }
    for version in [0x0200u16, 0x0403, 0xfefd] {
        refused(
            &mut v,
            all,
            &format!("a record with version {version:#06x} is protocol_version"),
            A::ProtocolVersion,
            move |_, w| {
                w.plain_record(
                    ContentType::ApplicationData,
                    ProtocolVersion::from(version),
                    &[1; 20],
                )
            },
        );
    }
    // The record header is the additional data of the AEAD in both versions (RFC 8446
    // s5.2, RFC 5246 s6.2.3.3): a protected record's version cannot be changed.
    for version in [0x0301u16, 0x0304] {
        refused(
            &mut v,
            all,
            &format!("a protected record whose version became {version:#06x} is bad_record_mac"),
            A::BadRecordMac,
            move |_, w| {
                w.record(ContentType::ApplicationData, b"any version");
                altered(w, |b| b[1..3].copy_from_slice(&version.to_be_bytes()));
            },
        );
    }
    refused(
        &mut v,
        tls13,
        "a ciphertext longer than 2^14 + 256 is record_overflow",
        A::RecordOverflow,
        |_, w| {
            w.plain_record(
                ContentType::ApplicationData,
                ProtocolVersion::TLSv1_2,
                &vec![0; 16384 + 257],
            )
        },
    );
    refused(
        &mut v,
        tls12,
        "a ciphertext longer than 2^14 + 2048 is record_overflow",
        A::RecordOverflow,
        |_, w| {
            w.plain_record(
                ContentType::ApplicationData,
                ProtocolVersion::TLSv1_2,
                &vec![0; 16384 + 2049],
            )
        },
    );
    refused(
        &mut v,
        all,
        "a flipped bit in a record is bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.record(ContentType::ApplicationData, b"tamper with me");
            altered(w, |b| b[10] ^= 0x40);
        },
    );
    refused(
        &mut v,
        all,
        "a flipped bit in the tag is bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.record(ContentType::ApplicationData, b"tamper with me");
            altered(w, |b| {
                let last = b.len() - 1;
                b[last] ^= 1
            });
        },
    );
    refused(
        &mut v,
        all,
        "a record shorter than its tag is bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.plain_record(
                ContentType::ApplicationData,
                ProtocolVersion::TLSv1_2,
                &[1; 15],
            )
        },
    );
    refused(
        &mut v,
        all,
        "a record whose length field was shortened is bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.record(ContentType::ApplicationData, b"0123456789");
            altered(w, |b| {
                let len = u16::from_be_bytes([b[3], b[4]]) - 1;
                b[3..5].copy_from_slice(&len.to_be_bytes());
                b.pop();
            });
        },
    );
    refused(
        &mut v,
        all,
        "a skipped record (a sequence number gap) is bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.record(ContentType::ApplicationData, b"lost");
            let _ = w.take_out();
            w.record(ContentType::ApplicationData, b"next");
        },
    );
    refused(
        &mut v,
        all,
        "a replayed record is bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.record(ContentType::ApplicationData, b"once");
            let r = w.take_out();
            w.raw(&r);
            w.raw(&r);
        },
    );
    // `release_idle_memory` drops the expanded keys; the next record expands them again
    // from the kept key, at the sequence number where they were.
    refused(
        &mut v,
        all,
        "after release_idle_memory, a replayed record is still bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.record(ContentType::ApplicationData, b"once");
            let r = w.take_out();
            w.raw(&r);
            w.deliver().unwrap();
            assert_eq!(w.received, b"once");
            assert!(w.victim.release_idle_memory());
            w.raw(&r);
        },
    );
    refused(
        &mut v,
        all,
        "after release_idle_memory, a flipped bit is still bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            assert!(w.victim.release_idle_memory());
            w.record(ContentType::ApplicationData, b"tamper with me");
            altered(w, |b| b[10] ^= 0x40);
        },
    );
    each(
        &mut v,
        all,
        "after release_idle_memory, records arrive and answers go out",
        |_, w| {
            assert!(w.victim.release_idle_memory());
            w.record(ContentType::ApplicationData, b"again");
            w.deliver().unwrap();
            assert_eq!(w.received, b"again");
            w.victim.send(b"answer").unwrap();
            w.collect();
            assert_eq!(w.drain(), [Got::ApplicationData(b"answer".to_vec())]);
        },
    );
    refused(
        &mut v,
        all,
        "two records in the wrong order are bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.record(ContentType::ApplicationData, b"first");
            let a = w.take_out();
            w.record(ContentType::ApplicationData, b"second");
            let b = w.take_out();
            w.raw(&b);
            w.raw(&a);
        },
    );
    refused(
        &mut v,
        all,
        "application data in a plaintext record after the handshake is bad_record_mac",
        A::BadRecordMac,
        |_, w| {
            w.plain_record(
                ContentType::ApplicationData,
                ProtocolVersion::TLSv1_2,
                b"this is plaintext, not a sealed record",
            )
        },
    );
    each(
        &mut v,
        all,
        "an empty application data record is accepted",
        |_, w| {
            w.record(ContentType::ApplicationData, b"");
            w.record(ContentType::ApplicationData, b"after");
            w.deliver().unwrap();
            assert_eq!(w.received, b"after");
        },
    );
    refused(
        &mut v,
        all,
        "33 empty application data records in a row is unexpected_message",
        A::UnexpectedMessage,
        |_, w| {
            for _ in 0..33 {
                w.record(ContentType::ApplicationData, b"");
            }
        },
    );
    refused(
        &mut v,
        all,
        "an empty handshake record is decode_error",
        A::DecodeError,
        |_, w| w.record(ContentType::Handshake, b""),
    );
    for (len, label) in [(0usize, "empty"), (1, "one-byte"), (3, "three-byte")] {
        refused(
            &mut v,
            all,
            &format!("a {label} alert is decode_error"),
            A::DecodeError,
            move |_, w| w.record(ContentType::Alert, &vec![1; len]),
        );
    }
    each(
        &mut v,
        all,
        "a fatal alert ends the connection without an answer",
        |_, w| {
            w.alert(AlertLevel::Fatal, A::InternalError);
            let _ = w.deliver();
            w.failed_quietly(Error::AlertReceived(A::InternalError));
        },
    );
    each(
        &mut v,
        all,
        "an alert of an unknown level is fatal",
        |_, w| {
            w.record(ContentType::Alert, &[9, 40]);
            let _ = w.deliver();
            w.failed_quietly(Error::AlertReceived(A::HandshakeFailure));
        },
    );
    each(
        &mut v,
        tls13,
        "a warning alert other than close_notify is fatal in TLS 1.3",
        |_, w| {
            w.alert(AlertLevel::Warning, A::UnrecognisedName);
            let _ = w.deliver();
            w.failed_quietly(Error::AlertReceived(A::UnrecognisedName));
        },
    );
    each(
        &mut v,
        tls12,
        "a warning alert is reported and the connection goes on",
        |_, w| {
            w.alert(AlertLevel::Warning, A::UnrecognisedName);
            w.record(ContentType::ApplicationData, b"still here");
            w.deliver().unwrap();
            assert!(w.events.contains(&Event::WarningAlert(A::UnrecognisedName)));
            assert_eq!(w.received, b"still here");
        },
    );
    refused(
        &mut v,
        tls12,
        "six warning alerts in a row is unexpected_message",
        A::UnexpectedMessage,
        |_, w| {
            for _ in 0..6 {
                w.alert(AlertLevel::Warning, A::UnrecognisedName);
            }
        },
    );
    each(
        &mut v,
        all,
        "after close_notify, bytes are taken and dropped and nothing is delivered",
        |_, w| {
            w.record(ContentType::ApplicationData, b"last");
            w.alert(AlertLevel::Warning, A::CloseNotify);
            w.record(ContentType::ApplicationData, b"after the end");
            w.raw(&[0xde, 0xad, 0xbe, 0xef]);
            w.deliver().unwrap();
            assert!(w.victim.peer_closed());
            assert_eq!(w.received, b"last");
            assert!(w.events.contains(&Event::PeerClosed));
        },
    );
    refused(
        &mut v,
        all,
        "a ChangeCipherSpec after the handshake is unexpected_message",
        A::UnexpectedMessage,
        |end, w| match end.tls13() {
            true => w.plain_record(
                ContentType::ChangeCipherSpec,
                ProtocolVersion::TLSv1_2,
                &[1],
            ),
            false => w.record(ContentType::ChangeCipherSpec, &[1]),
        },
    );
    refused(
        &mut v,
        tls13,
        "a protected ChangeCipherSpec is unexpected_message",
        A::UnexpectedMessage,
        |_, w| w.record(ContentType::ChangeCipherSpec, &[1]),
    );
    for (what, inner) in [
        (
            "whose inner plaintext is all zeros (no type)",
            vec![0u8; 10],
        ),
        ("whose inner plaintext is empty", vec![]),
        ("of inner type 99", vec![b'x', 99]),
        ("of inner type 24 (heartbeat)", vec![b'x', 24, 0, 0]),
    ] {
        for end in [End::Client13, End::Server13] {
            let inner = inner.clone();
            v.push(case(
                format!(
                    "{}: a protected record {what} is unexpected_message",
                    end.label()
                ),
                move || {
                    let (mut w, keys) = end.established_with_keys();
                    let (keys, alg) = keys.unwrap();
                    raw13(&mut w, &keys, alg, &inner);
                    let _ = w.deliver();
                    w.refused(A::UnexpectedMessage);
                },
            ));
        }
    }
    for end in [End::Client13, End::Server13] {
        v.push(case(
            format!(
                "{}: a protected record over 2^14 + 1 bytes of inner plaintext is record_overflow",
                end.label()
            ),
            move || {
                let (mut w, keys) = end.established_with_keys();
                let (keys, alg) = keys.unwrap();
                let mut inner = vec![7u8; 16385];
                inner.push(23);
                raw13(&mut w, &keys, alg, &inner);
                let _ = w.deliver();
                w.refused(A::RecordOverflow);
            },
        ));
    }
    refused(
        &mut v,
        tls13,
        "a protected record whose outer type is handshake is unexpected_message",
        A::UnexpectedMessage,
        |_, w| {
            w.record(ContentType::ApplicationData, b"x");
            altered(w, |b| b[0] = 22);
        },
    );
    each(&mut v, tls13, "a padded record is accepted", |_, w| {
        w.sealer_mut()
            .unwrap()
            .set_padding(PaddingPolicy::Multiple(4096))
            .unwrap();
        w.record(ContentType::ApplicationData, b"padded");
        w.deliver().unwrap();
        assert_eq!(w.received, b"padded");
    });
    each(
        &mut v,
        tls13,
        "a record padded to the largest inner plaintext is accepted",
        |_, w| {
            w.sealer_mut()
                .unwrap()
                .set_padding(PaddingPolicy::Multiple(16385))
                .unwrap();
            w.record(ContentType::ApplicationData, b"x");
            w.deliver().unwrap();
            assert_eq!(w.received, b"x");
        },
    );
    refused(
        &mut v,
        all,
        "a handshake fragment followed by application data is unexpected_message",
        A::UnexpectedMessage,
        |_, w| {
            w.record(ContentType::Handshake, &[4, 0, 0, 40, 1, 2]);
            w.record(ContentType::ApplicationData, b"interleaved");
        },
    );
    refused(
        &mut v,
        all,
        "a handshake fragment followed by an alert is unexpected_message",
        A::UnexpectedMessage,
        |_, w| {
            w.record(ContentType::Handshake, &[4, 0, 0, 40, 1, 2]);
            w.alert(AlertLevel::Warning, A::UserCanceled);
        },
    );
    refused(
        &mut v,
        all,
        "an unknown handshake message type after the handshake is unexpected_message",
        A::UnexpectedMessage,
        |_, w| w.record(ContentType::Handshake, &[99, 0, 0, 0]),
    );
    refused(
        &mut v,
        all,
        "a handshake message larger than the limit is decode_error",
        A::DecodeError,
        |_, w| w.record(ContentType::Handshake, &[4, 0xff, 0xff, 0xff]),
    );
    v
}
