// A Node TLS 1.3 server without a certificate whose pskCallback knows IDENTITY with the
// key KEYHEX. Prints {"port": N} as its first line, then for each of COUNT connections a
// JSON line: the identities its callback was asked about, authorized, cipher, or the
// tlsClientError code. Each secure connection gets "hello from node" and is ended.
// Usage: node psk_server.js IDENTITY KEYHEX COUNT
const tls = require('tls');
const [identity, keyHex, count] = process.argv.slice(-3);
let left = +count;
let asked = [];
const done = (line) => {
  console.log(JSON.stringify(line));
  asked = [];
  if (--left === 0) server.close();
};
const server = tls.createServer({ minVersion: 'TLSv1.3',
  pskCallback: (socket, id) => { asked.push(id); return id === identity ? Buffer.from(keyHex, 'hex') : undefined; },
}, (s) => {
  const line = { asked, authorized: s.authorized, cipher: s.getCipher().name, reused: s.isSessionReused() };
  s.end('hello from node');
  done(line);
});
server.on('tlsClientError', (e) => done({ asked, error: e.code }));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
