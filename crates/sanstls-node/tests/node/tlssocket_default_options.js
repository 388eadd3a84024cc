// `new tls.TLSSocket(null, options).connect(port)` against a server whose certificate is
// trusted only through `ca`: what each option set leaves in verifyError and authorized.
// Prints one JSON array, a [code-or-null, authorized] pair per case.
const tls = require('tls');
const fs = require('fs');
const [, port, caPath] = process.argv;
const ca = fs.readFileSync(caPath);
const cases = [
  {},
  { ca },
  { secureContext: tls.createSecureContext({ ca }) },
  { secureContext: tls.createSecureContext(), ca },
];
const out = [];
function next(i) {
  if (i === cases.length) {
    console.log(JSON.stringify(out));
    return;
  }
  const s = new tls.TLSSocket(null, cases[i]);
  s.on('secure', () => {
    const e = s.ssl.verifyError();
    out[i] = [e ? e.code : null, s.authorized === true];
    s.end();
  });
  // A client TLSSocket starts its handshake when first written to.
  s.on('connect', () => s.write('hello'));
  s.on('close', () => next(i + 1));
  // An error after `secure` (a reset as the server closes) does not change the verdict.
  s.on('error', (e) => { if (!out[i]) out[i] = ['error ' + e.code, false]; });
  s.connect(+port, '127.0.0.1');
}
next(0);
