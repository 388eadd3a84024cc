// Connects to PORT with a TLS 1.3 pskCallback offering IDENTITY with the key KEYHEX and
// prints, as one JSON line, what Node's client saw: the hint its callback got, authorized,
// the cipher, whether a peer certificate came, isSessionReused, the data, and the error.
// Usage: node psk_client.js PORT IDENTITY KEYHEX
const tls = require('tls');
const [port, identity, keyHex] = process.argv.slice(-3);
const r = { hint: 'not called', authorized: null, authorizationError: null, cipher: null,
  peerCertificate: null, reused: null, data: '', error: null };
const c = tls.connect({ port: +port, host: '127.0.0.1', minVersion: 'TLSv1.3',
  pskCallback: (hint) => { r.hint = hint; return { psk: Buffer.from(keyHex, 'hex'), identity }; },
}, () => {
  r.authorized = c.authorized;
  r.authorizationError = c.authorizationError || null;
  r.cipher = c.getCipher().name;
  r.peerCertificate = Object.keys(c.getPeerCertificate()).length > 0;
  r.reused = c.isSessionReused();
});
c.on('data', (d) => { r.data += d.toString(); });
c.on('error', (e) => { r.error = e.code || e.message; });
c.on('close', () => console.log(JSON.stringify(r)));
