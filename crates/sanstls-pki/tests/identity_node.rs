//! `check_server_identity` against Node's `tls.checkServerIdentity` on many (host, cert)
//! pairs: the fixture certificates (Node's object from
//! `new crypto.X509Certificate(pem).toLegacyObject()`, ours from `PeerCertificate`), and
//! synthetic subject/subjectaltname pairs given to both as the same JSON. The outcome,
//! code and reason string must be identical.
//!
//! A missing `node` is a failure, not a skip (CI installs it).

#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::process::{Command, Stdio};

use sanstls_pki::cert::{parse_certificates, NameObject, NameValue, PeerCertificate};
use sanstls_pki::identity::check_server_identity;
use sanstls_test::peers::require;
use serde_json::{json, Value};

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/");

/// Reads `[{host, pem} | {host, cert}]` on stdin and prints, for each, Node's outcome.
const SCRIPT: &str = r#"
const tls = require('tls'); const crypto = require('crypto'); const fs = require('fs');
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = cases.map(({ host, pem, cert }) => {
  const obj = pem ? new crypto.X509Certificate(fs.readFileSync(pem)).toLegacyObject() : cert;
  try {
    const e = tls.checkServerIdentity(host, obj);
    return e ? { code: e.code, reason: e.reason, host: e.host } : { ok: true };
  } catch (e) {
    return { code: e.code };
  }
});
console.log(JSON.stringify(out));
"#;

const FIXTURES: &[&str] = &[
    "rsa.pem",
    "ec256.pem",
    "ec384.pem",
    "ed25519.pem",
    "nosan.pem",
    "selfsigned.pem",
    "inter.pem",
    "odd.pem",
    "v1.pem",
];

const HOSTS: &[&str] = &[
    "rsa.example.test",
    "RSA.Example.TEST.",
    "rsa.example.test..",
    "x.wild.example.test",
    "a.b.wild.example.test",
    "wild.example.test",
    ".wild.example.test",
    "127.0.0.1",
    "127.0.0.01",
    "::1",
    "0:0::1",
    "::ffff:127.0.0.1",
    "2001:db8::1:0:0:abcd",
    "2001:DB8:0:0:1::ABCD",
    "2001:db8::1",
    "10.0.0.1",
    "fe80::1",
    "fe80::1%eth0",
    "localhost",
    "ec256.example.test",
    "a.ec384.example.test",
    "ec384.example.test",
    "uri.example.test",
    "nosan.example.test",
    "NOSAN.EXAMPLE.TEST.",
    "ed25519.example.test",
    "self.example.test",
    "admin@example.test",
    "upn@example.test",
    "",
    ".",
    "example.test",
    "1.2.3.4",
    "sanstls Test Intermediate",
    "ünïcødé.example.test",
    "a,b.example.test",
    "odd.example.test",
    "v1.example.test",
    " lead and trail ",
];

/// Synthetic (CN values, subjectaltname) pairs and the hosts tried on each.
fn synthetic() -> Vec<(Vec<&'static str>, Option<&'static str>, Vec<&'static str>)> {
    vec![
        (
            vec!["cn.example.com"],
            Some("DNS:*.example.com, DNS:f*.p.example.com, DNS:*b.q.example.com, DNS:a*b.r.example.com, DNS:**.s.example.com"),
            vec![
                "a.example.com", "example.com", "cn.example.com", "foo.p.example.com",
                "f.p.example.com", "p.example.com", "ab.q.example.com", "b.q.example.com",
                "axb.r.example.com", "ab.r.example.com", "a.r.example.com", "x.s.example.com",
            ],
        ),
        (
            vec![],
            Some("DNS:*.com, DNS:*, DNS:xn--*.x.example, DNS:xn--bcher-kva.example, DNS:a..b.example, DNS:sp ace.example"),
            vec![
                "example.com", "a", "xn--a.x.example", "xn--bcher-kva.example",
                "XN--BCHER-KVA.example", "a..b.example", "sp ace.example",
            ],
        ),
        (
            vec!["*.cn.example", "second.example"],
            Some("IP Address:10.1.2.3, email:a@cn.example, URI:http://x.cn.example/"),
            vec!["a.cn.example", "second.example", "cn.example", "10.1.2.3", "x.cn.example"],
        ),
        (
            vec!["10.9.8.7"],
            None,
            vec!["10.9.8.7", "host.example"],
        ),
        (
            vec![""],
            None,
            vec!["host.example"],
        ),
        (
            vec![],
            Some(r#"URI:"http://u.example/a\u002cb", DNS:"c\u002cd.example", DNS:e.example"#),
            vec!["e.example", "c,d.example", "u.example"],
        ),
        (
            vec![],
            Some(r#"DNS:"bad"#),
            vec!["bad"],
        ),
        (
            vec![],
            Some("IP Address:0:0:0:0:0:FFFF:A01:203, IP Address:<invalid length=5>, IP Address:FE80:0:0:0:0:0:0:1"),
            vec!["::ffff:10.1.2.3", "10.1.2.3", "fe80::1%25", "fe80::1", "fe80::2"],
        ),
    ]
}

fn run_node(cases: &[Value]) -> Vec<Value> {
    let mut child = Command::new("node")
        .args(["-e", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    let input = serde_json::to_vec(cases).expect("json");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write");
    let out = child.wait_with_output().expect("node output");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("node printed JSON")
}

fn ours(host: &str, cert: &PeerCertificate) -> Value {
    match check_server_identity(host, cert) {
        Ok(()) => json!({ "ok": true }),
        Err(e) => match e.reason() {
            Some(reason) => {
                let host = match &e {
                    sanstls_pki::identity::IdentityError::AltNameInvalid { host, .. } => {
                        host.clone()
                    }
                    _ => String::new(),
                };
                json!({ "code": e.code(), "reason": reason, "host": host })
            }
            None => json!({ "code": e.code() }),
        },
    }
}

fn fixture(name: &str) -> PeerCertificate {
    let pem = std::fs::read(format!("{CERTS}{name}")).expect("fixture");
    let der = parse_certificates(&pem).expect("pem").remove(0);
    PeerCertificate::from_der(&der).expect("cert")
}

#[test]
fn check_server_identity_matches_node() {
    require("node");
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for name in FIXTURES {
        let cert = fixture(name);
        for host in HOSTS {
            cases.push(json!({ "host": host, "pem": format!("{CERTS}{name}") }));
            expected.push((format!("{name} / {host:?}"), ours(host, &cert)));
        }
    }
    let base = fixture("rsa.pem");
    for (cns, san, hosts) in synthetic() {
        let mut cert = base.clone();
        cert.subject = NameObject::default();
        match cns.as_slice() {
            [] => {}
            [one] => cert
                .subject
                .entries
                .push(("CN".into(), NameValue::One(one.to_string()))),
            many => cert.subject.entries.push((
                "CN".into(),
                NameValue::Many(many.iter().map(|s| s.to_string()).collect()),
            )),
        }
        cert.subjectaltname = san.map(str::to_string);
        let object = json!({ "subject": cert.subject, "subjectaltname": cert.subjectaltname });
        for host in hosts {
            cases.push(json!({ "host": host, "cert": object }));
            expected.push((format!("{cns:?} {san:?} / {host:?}"), ours(host, &cert)));
        }
    }
    let node = run_node(&cases);
    assert_eq!(node.len(), expected.len());
    let mut mismatches = Vec::new();
    let mut accepted = 0;
    for ((what, ours), node) in expected.iter().zip(&node) {
        if ours != node {
            mismatches.push(format!("{what}: ours {ours} != node {node}"));
        }
        if node.get("ok").is_some() {
            accepted += 1;
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The table exercises both outcomes, not only rejections.
    assert!(accepted > 20 && accepted < expected.len() / 2, "{accepted}");
}
