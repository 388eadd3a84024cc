//! The exported keys checked against an independent record layer: records our connection
//! sends after the export point are opened, and records the peer opens are sealed, in
//! software with ring's AEADs, from nothing but what `dangerous_extract_secrets` returned.

use std::sync::Arc;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};

use super::*;
use crate::conn::tests::{exchange, read_buffered};
use crate::fuzzing::{client_config, server_config};
use crate::server::CertifiedKey;
use crate::suites::{ALL_TLS12_SUITES, ALL_TLS13_SUITES};
use crate::time::UnixTime;
use crate::{ClientConnection, ServerConnection};

const NOW: UnixTime = UnixTime::from_secs(1_900_000_000);

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../vectors/pki/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fuzzing server (Ed25519) with an RSA certificate and DH parameters too, so every
/// TLS 1.2 suite runs.
fn server() -> Arc<crate::ServerConfig> {
    let mut config = server_config();
    let rsa = crate::crypto::sign::load_private_key(&fixture("bench/rsa.key.der")).unwrap();
    config
        .certificates
        .push(CertifiedKey::new(vec![fixture("bench/rsa.der")], rsa).unwrap());
    config.dh_params = Some(crate::crypto::ffdhe::DhGroup::ffdhe2048());
    Arc::new(config)
}

fn sample(len: usize, salt: u8) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8 ^ salt).collect()
}

/// A record layer written from the RFCs, knowing only the exported secrets.
struct Soft<'a> {
    tls13: bool,
    cipher: &'a TrafficCipher,
    seq: u64,
}

impl Soft<'_> {
    fn key(&self) -> LessSafeKey {
        let alg = match self.cipher {
            TrafficCipher::Aes128Gcm { .. } => &aead::AES_128_GCM,
            TrafficCipher::Aes256Gcm { .. } => &aead::AES_256_GCM,
            TrafficCipher::Chacha20Poly1305 { .. } => &aead::CHACHA20_POLY1305,
        };
        LessSafeKey::new(UnboundKey::new(alg, self.cipher.key()).unwrap())
    }

    fn gcm12(&self) -> bool {
        !self.tls13 && !matches!(self.cipher, TrafficCipher::Chacha20Poly1305 { .. })
    }

    fn nonce(&self) -> Nonce {
        let mut n = *self.cipher.iv();
        for (b, s) in n[4..].iter_mut().zip(self.seq.to_be_bytes()) {
            *b ^= s;
        }
        Nonce::assume_unique_for_key(n)
    }

    fn aad12(&self, typ: u8, len: usize) -> [u8; 13] {
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.seq.to_be_bytes());
        aad[8] = typ;
        aad[9..11].copy_from_slice(&[3, 3]);
        aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
        aad
    }

    /// Opens every whole record of `wire`; returns the application data.
    fn open(&mut self, mut wire: &[u8]) -> Vec<u8> {
        let mut data = Vec::new();
        while !wire.is_empty() {
            let len = crate::record_len(wire).unwrap();
            let (record, rest) = wire.split_at(len);
            wire = rest;
            let (header, body) = record.split_at(5);
            let mut body = body.to_vec();
            let (typ, plain) = if self.tls13 {
                let aad = Aad::from(header);
                let plain = self
                    .key()
                    .open_in_place(self.nonce(), aad, &mut body)
                    .unwrap();
                let end = plain.iter().rposition(|&b| b != 0).unwrap();
                (plain[end], plain[..end].to_vec())
            } else {
                let explicit = if self.gcm12() { 8 } else { 0 };
                let aad = self.aad12(header[0], body.len() - explicit - 16);
                let nonce = match explicit {
                    8 => {
                        // The explicit nonce is the sequence number (salt || seq).
                        assert_eq!(body[..8], self.seq.to_be_bytes());
                        self.nonce()
                    }
                    _ => self.nonce(),
                };
                let plain = self
                    .key()
                    .open_in_place(nonce, Aad::from(aad), &mut body[explicit..])
                    .unwrap();
                (header[0], plain.to_vec())
            };
            self.seq += 1;
            assert_eq!(typ, 23, "application data only");
            data.extend_from_slice(&plain);
        }
        data
    }

    /// Seals `data` as one application-data record.
    fn seal(&mut self, data: &[u8]) -> Vec<u8> {
        let mut record;
        if self.tls13 {
            let len = data.len() + 1 + 16;
            record = vec![23, 3, 3, (len >> 8) as u8, len as u8];
            let mut inner = data.to_vec();
            inner.push(23);
            let aad = Aad::from(record.clone());
            self.key()
                .seal_in_place_append_tag(self.nonce(), aad, &mut inner)
                .unwrap();
            record.extend_from_slice(&inner);
        } else {
            let explicit = if self.gcm12() { 8 } else { 0 };
            let len = explicit + data.len() + 16;
            record = vec![23, 3, 3, (len >> 8) as u8, len as u8];
            if explicit == 8 {
                record.extend_from_slice(&self.seq.to_be_bytes());
            }
            let aad = self.aad12(23, data.len());
            let mut body = data.to_vec();
            self.key()
                .seal_in_place_append_tag(self.nonce(), Aad::from(aad), &mut body)
                .unwrap();
            record.extend_from_slice(&body);
        }
        self.seq += 1;
        record
    }
}

/// Every suite of both versions, as (client config, expected algorithm name).
fn every_suite() -> Vec<(crate::ClientConfig, ProtocolVersion)> {
    let mut out = Vec::new();
    for suite in ALL_TLS13_SUITES {
        let mut c = client_config(ProtocolVersion::TLSv1_3);
        c.cipher_suites = vec![suite];
        out.push((c, ProtocolVersion::TLSv1_3));
    }
    for suite in ALL_TLS12_SUITES {
        let mut c = client_config(ProtocolVersion::TLSv1_2);
        c.tls12_cipher_suites = vec![suite];
        out.push((c, ProtocolVersion::TLSv1_2));
    }
    out
}

#[test]
fn exported_secrets_open_and_seal_the_records_after_the_export_point() {
    let mut seen = Vec::new();
    for (config, version) in every_suite() {
        let suite = (
            config.cipher_suites.clone(),
            config.tls12_cipher_suites.clone(),
        );
        let mut c = ClientConnection::new(Arc::new(config), "fuzz.example", NOW).unwrap();
        let mut s = ServerConnection::new(server(), NOW).unwrap();
        exchange(&mut c, &mut s);
        assert!(!c.is_handshaking(), "{suite:?}");
        assert_eq!(c.negotiated().version, Some(version));
        while c.poll_event().is_some() {}
        // Some traffic first, so neither sequence number is where it started; in TLS 1.3
        // a KeyUpdate both ways first, so the keys exported are not the first ones.
        if version == ProtocolVersion::TLSv1_3 {
            c.key_update(true).unwrap();
            exchange(&mut c, &mut s);
            while c.poll_event().is_some() {}
        }
        c.send(b"before").unwrap();
        s.send(b"before").unwrap();
        exchange(&mut c, &mut s);
        assert_eq!(crate::conn::tests::read_all(&mut s), b"before");
        assert_eq!(crate::conn::tests::read_all(&mut c), b"before");
        // Two records from the server; the client takes the first and part of the second,
        // and reads none of it.
        let data = sample(20_000, 1);
        s.send(&data).unwrap();
        let mut wire = Vec::new();
        s.write_tls(&mut wire);
        let first = crate::record_len(&wire).unwrap();
        let cut = first + 100;
        assert_eq!(c.read_tls(&wire[..cut]), cut);
        c.process(NOW).unwrap();
        c.can_extract_secrets().unwrap();

        let secrets = c.dangerous_extract_secrets().unwrap();
        assert_eq!(secrets.version, version);
        seen.push(format!("{version:?} {:?}", secrets.tx.cipher));
        let tls13 = version == ProtocolVersion::TLSv1_3;
        // Nothing is printed but the algorithm.
        let shown = format!("{secrets:?}");
        for key in [secrets.tx.cipher.key(), secrets.rx.cipher.key()] {
            assert!(!shown.contains(&format!("{key:?}")[1..20]), "{shown}");
        }
        assert_eq!(secrets.plaintext, data[..16_384], "the unread plaintext");
        assert_eq!(secrets.received_tls, wire[first..cut], "the held bytes");

        // Receive: the held bytes and the rest of their record, then a later record.
        let mut rx = Soft {
            tls13,
            cipher: &secrets.rx.cipher,
            seq: secrets.rx.seq,
        };
        let mut rest = secrets.received_tls.clone();
        rest.extend_from_slice(&wire[cut..]);
        assert_eq!(rx.open(&rest), data[16_384..], "{suite:?}");
        s.send(b"after the export").unwrap();
        let mut later = Vec::new();
        s.write_tls(&mut later);
        assert_eq!(rx.open(&later), b"after the export");

        // Send: the peer opens what the exported keys seal.
        let mut tx = Soft {
            tls13,
            cipher: &secrets.tx.cipher,
            seq: secrets.tx.seq,
        };
        let mut sealed = tx.seal(b"sealed outside");
        sealed.extend_from_slice(&tx.seal(&sample(3000, 2)));
        let mut want = b"sealed outside".to_vec();
        want.extend_from_slice(&sample(3000, 2));
        assert_eq!(read_buffered(&mut s, &sealed), want, "{suite:?}");
        assert!(s.error().is_none());
    }
    // Every suite ran: three TLS 1.3 ones and nine TLS 1.2 ones, each AEAD in each version.
    assert_eq!(seen.len(), 12);
    for name in ["Aes128Gcm", "Aes256Gcm", "Chacha20Poly1305"] {
        for v in ["TLSv1_2", "TLSv1_3"] {
            assert!(
                seen.iter().any(|s| s.starts_with(v) && s.contains(name)),
                "{v} {name}"
            );
        }
    }
}

#[test]
fn extraction_is_refused_where_it_cannot_hand_over_cleanly() {
    // Before the handshake completes.
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_3));
    let c = ClientConnection::new(client.clone(), "fuzz.example", NOW).unwrap();
    assert_eq!(c.can_extract_secrets(), Err(ExtractError::Handshaking));
    assert_eq!(
        c.dangerous_extract_secrets().unwrap_err(),
        ExtractError::Handshaking
    );
    // With bytes waiting for write_tls.
    let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let mut s = ServerConnection::new(server(), NOW).unwrap();
    exchange(&mut c, &mut s);
    c.send(b"unsent").unwrap();
    assert_eq!(c.can_extract_secrets(), Err(ExtractError::PendingWrite));
    let mut out = Vec::new();
    c.write_tls(&mut out);
    assert_eq!(c.can_extract_secrets(), Ok(()));
    // During a TLS 1.2 renegotiation, even once its ClientHello is written.
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_2));
    let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let mut s = ServerConnection::new(server(), NOW).unwrap();
    exchange(&mut c, &mut s);
    c.renegotiate(NOW).unwrap();
    let mut out = Vec::new();
    c.write_tls(&mut out);
    assert_eq!(c.can_extract_secrets(), Err(ExtractError::Renegotiating));
    assert_eq!(
        c.dangerous_extract_secrets().unwrap_err(),
        ExtractError::Renegotiating
    );
    // With part of a post-handshake message received (a ticket's first bytes).
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_3));
    let mut c = ClientConnection::new(client, "fuzz.example", NOW).unwrap();
    let mut s = ServerConnection::new(server(), NOW).unwrap();
    exchange(&mut c, &mut s);
    s.send_raw_record(crate::enums::ContentType::Handshake, &[4, 0, 0, 40, 1, 2])
        .unwrap();
    let mut wire = Vec::new();
    s.write_tls(&mut wire);
    assert_eq!(read_buffered(&mut c, &wire), b"");
    assert_eq!(
        c.can_extract_secrets(),
        Err(ExtractError::PartialHandshakeMessage)
    );
    // A failed connection.
    let mut s = ServerConnection::new(server(), NOW).unwrap();
    assert_eq!(s.read_tls(b"GET / HTTP/1.1\r\n"), 16);
    let e = s.process(NOW).unwrap_err();
    assert_eq!(s.can_extract_secrets(), Err(ExtractError::Failed(e)));
}
