//! The chain cases of vectors/pki/chains through Node's `tls` (the behaviour this crate
//! copies): a local TLS server presents each case's chain and Node verifies it with the
//! case's `ca` and `crl` options (for `client` cases the roles are swapped and the server's
//! `authorizationError` is read). Node's `err.code` and `err.message` are compared with ours.
//!
//! Node cannot be given a verification time, so this test runs at the real time: the fixture
//! windows (2020-2040, see gen.sh) make every case hold until 2040. The test fails (it does
//! not skip) when `node` is missing.
//!
//! Node reports the *last* error OpenSSL found (its verify callback lets OpenSSL go on past
//! each error), where `openssl verify` (and our default) report the first; and it names only
//! some OpenSSL codes (the others are `UNSPECIFIED`, with OpenSSL's text as the message). So
//! we verify with `ErrorReport::Last` and compare `ErrorCode::node_code`; the cases where we
//! still differ are listed in NODE_DIVERGENCES with the reason.

use std::process::Command;

use sanstls_pki::crl::Crl;
use sanstls_pki::pem;
use sanstls_pki::verify::{ErrorReport, Purpose, Verifier};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/pki/chains/");

/// Runs every case in one Node process; prints `name<TAB>code<TAB>message` per case.
const SCRIPT: &str = r#"
const tls = require('tls'), fs = require('fs'), path = require('path');
const dir = process.argv[2];
const r = f => fs.readFileSync(path.join(dir, f));
const keyFor = c => c.startsWith('p256') ? 'p256-leaf.key.pem'
  : c.startsWith('p384') ? 'p384-leaf.key.pem'
  : c.startsWith('ed') ? 'ed-leaf.key.pem' : 'rsa-leaf.key.pem';
const crlPem = f => f.endsWith('.der')
  ? Buffer.from('-----BEGIN X509 CRL-----\n' + r(f).toString('base64').replace(/.{64}/g, '$&\n')
      + '\n-----END X509 CRL-----\n')
  : r(f);
const lines = fs.readFileSync(path.join(dir, 'cases.txt'), 'utf8').split('\n')
  .filter(l => l.trim() && !l.startsWith('#'));
function one(line) {
  const [name, cert, unt, ca, crls, purpose] = line.split(/\s+/);
  const files = s => s === '-' ? [] : s.split(',');
  const chain = Buffer.concat([cert, ...files(unt)].map(r));
  const trust = { ca: files(ca).map(r) };
  if (crls !== '-') trust.crl = files(crls).map(crlPem);
  return new Promise(resolve => {
    let srv, done = false;
    const finish = (code, message) => {
      if (done) return;
      done = true;
      srv.close();
      resolve(`${name}\t${code}\t${message}`);
    };
    if (purpose === 'server') {
      srv = tls.createServer({ key: r(keyFor(cert)), cert: chain }, s => { s.on('error', () => {}); s.end(); });
      srv.on('tlsClientError', () => {});
      srv.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ port: srv.address().port, host: '127.0.0.1',
          checkServerIdentity: () => undefined, ...trust }, () => { finish('OK', ''); c.end(); });
        c.on('error', e => finish(e.code, e.message));
      });
    } else {
      srv = tls.createServer({ key: r('rsa-leaf.key.pem'), cert: r('rsa-leaf.pem'),
        requestCert: true, rejectUnauthorized: false, ...trust }, s => {
        const e = s.authorizationError;
        // On a server, authorizationError is the code alone (no message): '-'.
        if (s.authorized) finish('OK', ''); else finish(e && e.code || String(e), e && e.message || '-');
        s.end();
      });
      srv.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ port: srv.address().port, host: '127.0.0.1', key: r(keyFor(cert)),
          cert: chain, rejectUnauthorized: false });
        c.on('error', () => {});
      });
    }
  });
}
(async () => { for (const l of lines) console.log(await one(l)); })();
"#;

/// (case, what Node says, why it differs from us even with `ErrorReport::Last`).
const NODE_DIVERGENCES: &[(&str, &str, &str)] = &[
    (
        "rsa-cross-signed",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        "OpenSSL does not backtrack to the other issuer; we do",
    ),
    (
        "chain-too-long",
        "OK",
        "Node's verify depth is OpenSSL's default, 100; ours is 8",
    ),
];

use sanstls_test::fixtures::list;

fn ders(file: &str) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(format!("{DIR}{file}")).unwrap();
    pem::certificates(&pem::parse(&bytes).unwrap())
}

/// Our Node-style (name, code, message) for a cases.txt line, at the real time (as Node):
/// the last error, named as Node names it.
fn ours(line: &str, now: u64) -> (String, String, String) {
    let f: Vec<&str> = line.split_whitespace().collect();
    let crls = list(f[4])
        .iter()
        .flat_map(|c| Crl::parse_file(&std::fs::read(format!("{DIR}{c}")).unwrap()).unwrap())
        .collect();
    let anchors = list(f[3]).iter().flat_map(|c| ders(c)).collect();
    let verifier = Verifier::new(anchors)
        .unwrap()
        .with_crls(crls)
        .with_error_report(ErrorReport::Last);
    let leaf = ders(f[1]).remove(0);
    let inter: Vec<Vec<u8>> = list(f[2]).iter().flat_map(|c| ders(c)).collect();
    let inter: Vec<&[u8]> = inter.iter().map(Vec::as_slice).collect();
    let purpose = if f[5] == "client" {
        Purpose::ClientAuth
    } else {
        Purpose::ServerAuth
    };
    match verifier.verify(&leaf, &inter, now, purpose) {
        Ok(_) => (f[0].into(), "OK".into(), String::new()),
        Err(e) => (f[0].into(), e.kind().node_code().into(), e.message().into()),
    }
}

#[test]
fn node_tls_agrees() {
    #[allow(clippy::disallowed_methods)] // Node verifies at the real time: so must we here.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let script =
        std::env::temp_dir().join(format!("sanstls-verify-node-{}.js", std::process::id()));
    std::fs::write(&script, SCRIPT).unwrap();
    let out = Command::new("node")
        .arg(&script)
        .arg(DIR)
        .output()
        .expect("`node` must be installed to run this test");
    let _ = std::fs::remove_file(&script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let node: Vec<(String, String, String)> = stdout
        .lines()
        .map(|l| {
            let mut p = l.splitn(3, '\t');
            let mut next = || p.next().unwrap_or_default().to_owned();
            (next(), next(), next())
        })
        .collect();
    let cases = std::fs::read_to_string(format!("{DIR}cases.txt")).unwrap();
    let lines: Vec<&str> = cases
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(node.len(), lines.len(), "node printed:\n{stdout}");
    let mut wrong = Vec::new();
    for (line, (name, code, message)) in lines.iter().zip(&node) {
        let (our_name, our_code, our_message) = ours(line, now);
        assert_eq!(&our_name, name);
        if let Some((_, says, _)) = NODE_DIVERGENCES.iter().find(|(n, ..)| n == name) {
            if code != says {
                wrong.push(format!(
                    "{name}: known divergence changed: node now says {code}"
                ));
            }
            continue;
        }
        if code != &our_code || (message != "-" && message != &our_message) {
            wrong.push(format!(
                "{name}: node {code} {message:?}, ours {our_code} {our_message:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
