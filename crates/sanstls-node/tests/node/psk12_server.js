// A Node TLS 1.2 server without a certificate offering the PSK suite CIPHER, with the hint
// HINT and a pskCallback that knows IDENTITY with the key KEYHEX. Prints {"port": N} as its
// first line, then for each of COUNT connections a JSON line: the identities its callback
// was asked about and the cipher, or the tlsClientError code. Each secure connection gets
// "hello from node" and is ended.
// Usage: node psk12_server.js IDENTITY KEYHEX CIPHER HINT COUNT
const tls = require('tls');
const [identity, keyHex, cipher, hint, count] = process.argv.slice(-5);
let left = +count;
let asked = [];
const done = (line) => {
  console.log(JSON.stringify(line));
  asked = [];
  if (--left === 0) server.close();
};
const server = tls.createServer({ maxVersion: 'TLSv1.2', ciphers: cipher, pskIdentityHint: hint,
  pskCallback: (socket, id) => { asked.push(id); return id === identity ? Buffer.from(keyHex, 'hex') : undefined; },
}, (s) => {
  const line = { asked, cipher: s.getCipher().name, protocol: s.getProtocol() };
  s.end('hello from node');
  done(line);
});
server.on('tlsClientError', (e) => done({ asked, error: e.code }));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
