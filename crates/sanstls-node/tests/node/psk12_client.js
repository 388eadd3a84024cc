// Connects to PORT over TLS 1.2 offering the PSK suite CIPHER with a pskCallback giving
// IDENTITY and the key KEYHEX, and prints, as one JSON line, what Node's client saw: the
// hint its callback got, authorized, the cipher, whether a peer certificate came, the data,
// and the error. Node runs checkServerIdentity on a TLS 1.2 PSK connection, which has no
// certificate, so it is replaced here (as Node's own test-tls-psk-* tests do); without that
// Node's client fails with ERR_TLS_CERT_ALTNAME_INVALID.
// Usage: node psk12_client.js PORT IDENTITY KEYHEX CIPHER
const tls = require('tls');
const [port, identity, keyHex, cipher] = process.argv.slice(-4);
const r = { hint: 'not called', authorized: null, cipher: null, protocol: null,
  peerCertificate: null, data: '', error: null };
const c = tls.connect({ port: +port, host: '127.0.0.1', maxVersion: 'TLSv1.2', ciphers: cipher,
  checkServerIdentity: () => undefined,
  pskCallback: (hint) => { r.hint = hint; return { psk: Buffer.from(keyHex, 'hex'), identity }; },
}, () => {
  r.authorized = c.authorized;
  r.cipher = c.getCipher().name;
  r.protocol = c.getProtocol();
  r.peerCertificate = Object.keys(c.getPeerCertificate()).length > 0;
});
c.on('data', (d) => { r.data += d.toString(); });
c.on('error', (e) => { r.error = e.code || e.message; });
c.on('close', () => console.log(JSON.stringify(r)));
