//! `PeerCertificate` against Node: for each fixture chain, a Node TLS server presents the
//! chain, a Node client calls `getPeerCertificate(true)`, and every field of its object
//! (Buffers as hex, the self-issued cycle cut to `"[Circular]"`) must equal our JSON.
//!
//! A missing `node` is a failure, not a skip (CI installs it).

#![allow(clippy::disallowed_methods)]

use std::process::Command;

use sanstls_pki::cert::{parse_certificates, PeerCertificate};
use sanstls_test::peers::require;
use serde_json::Value;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/certs/");

/// Prints `getPeerCertificate(true)` as JSON for the server key and chain given as
/// arguments.
const PEER_SCRIPT: &str = r#"
const tls = require('tls'); const fs = require('fs');
const [key, chain] = process.argv.slice(1);
const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(chain) },
  (s) => s.end());
server.listen(0, '127.0.0.1', () => {
  const c = tls.connect({ port: server.address().port, host: '127.0.0.1',
                          rejectUnauthorized: false }, () => {
    const seen = new Set();
    const conv = (o) => {
      if (seen.has(o)) return '[Circular]';
      seen.add(o);
      const r = {};
      for (const k of Object.keys(o)) {
        const v = o[k];
        if (Buffer.isBuffer(v)) r[k] = v.toString('hex');
        else if (k === 'issuerCertificate') r[k] = conv(v);
        else if (v !== null && typeof v === 'object' && !Array.isArray(v)) r[k] = { ...v };
        else r[k] = v;
      }
      return r;
    };
    console.log(JSON.stringify(conv(c.getPeerCertificate(true))));
    c.end();
    server.close();
  });
});
"#;

fn node_peer_certificate(key: &str, chain: &str) -> Value {
    let out = Command::new("node")
        .args(["-e", PEER_SCRIPT, key, chain])
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("node printed JSON")
}

/// Every difference between `ours` and `node`, as `path: ours != node` lines.
fn differences(path: &str, ours: &Value, node: &Value, out: &mut Vec<String>) {
    match (ours, node) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let null = Value::Null;
                differences(
                    &format!("{path}.{key}"),
                    a.get(key).unwrap_or(&null),
                    b.get(key).unwrap_or(&null),
                    out,
                );
            }
        }
        _ if ours != node => out.push(format!("{path}: ours {ours} != node {node}")),
        _ => {}
    }
}

fn compare(key: &str, chain: &str) {
    compare_paths(&format!("{CERTS}{key}"), &format!("{CERTS}{chain}"), chain);
}

fn compare_paths(key_path: &str, chain_path: &str, chain: &str) {
    let node = node_peer_certificate(key_path, chain_path);
    let ders = parse_certificates(&std::fs::read(chain_path).expect("chain")).expect("pem");
    let ours =
        serde_json::to_value(PeerCertificate::from_chain(&ders).expect("ours")).expect("json");
    let mut diffs = Vec::new();
    differences(chain, &ours, &node, &mut diffs);
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    // The comparison covered the whole chain, not just the leaf.
    assert!(node["issuerCertificate"].is_object() || chain == "selfsigned.pem");
}

/// A chain without its root: the intermediate is the last object and, not being
/// self-issued, has no `issuerCertificate` (Node's client has no store to find it in).
#[test]
fn chain_without_root_matches_node() {
    require("node");
    let mut pem = std::fs::read(format!("{CERTS}ec384.pem")).expect("leaf");
    pem.extend(std::fs::read(format!("{CERTS}inter.pem")).expect("inter"));
    let path = std::env::temp_dir().join(format!("sanstls-cert-node-{}.pem", std::process::id()));
    std::fs::write(&path, &pem).expect("write chain");
    let path_str = path.to_string_lossy().into_owned();
    compare_paths(&format!("{CERTS}ec384.key"), &path_str, "ec384+inter");
    let ours = PeerCertificate::from_chain(&parse_certificates(&pem).expect("pem")).expect("ours");
    let _ = std::fs::remove_file(&path);
    let inter = ours.issuer_object().expect("intermediate");
    assert_eq!(inter.issuer_certificate, None);
}

#[test]
fn getpeercertificate_detailed_matches_node() {
    require("node");
    for (key, chain) in [
        ("rsa.key", "rsa-chain.pem"),
        ("ec256.key", "ec256-chain.pem"),
        ("ec384.key", "ec384-chain.pem"),
        ("ed25519.key", "ed25519-chain.pem"),
        ("nosan.key", "nosan-chain.pem"),
        ("odd.key", "odd-chain.pem"),
        ("selfsigned.key", "selfsigned.pem"),
    ] {
        compare(key, chain);
    }
}

/// Prints `new X509Certificate(pem).toLegacyObject()` (the same object builder as
/// `getPeerCertificate()`) as JSON for each PEM file given as an argument.
const LEGACY_SCRIPT: &str = r#"
const crypto = require('crypto'); const fs = require('fs');
console.log(JSON.stringify(process.argv.slice(1).map((f) => {
  const o = new crypto.X509Certificate(fs.readFileSync(f)).toLegacyObject();
  const r = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (Buffer.isBuffer(v)) r[k] = v.toString('hex');
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) r[k] = { ...v };
    else r[k] = v;
  }
  return r;
})));
"#;

/// Certificates Node cannot (or need not) serve over TLS: every single certificate of the
/// set, including v1, P-521, secp256k1, brainpool and RSA-PSS keys.
#[test]
fn legacy_object_matches_node() {
    require("node");
    let names = sanstls_test::fixtures::SINGLE_CERTS;
    let paths: Vec<String> = names.iter().map(|n| format!("{CERTS}{n}")).collect();
    let out = Command::new("node")
        .args(["-e", LEGACY_SCRIPT])
        .args(&paths)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let node: Vec<Value> = serde_json::from_slice(&out.stdout).expect("node printed JSON");
    assert_eq!(node.len(), names.len());
    let mut diffs = Vec::new();
    for ((name, path), node) in names.iter().zip(&paths).zip(&node) {
        let der = parse_certificates(&std::fs::read(path).expect("pem"))
            .expect("pem")
            .remove(0);
        let ours =
            serde_json::to_value(PeerCertificate::from_der(&der).expect("ours")).expect("json");
        differences(name, &ours, node, &mut diffs);
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
