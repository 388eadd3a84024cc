// A Node TLS client for the groups tests: argv PORT CA_FILE ECDH_CURVE. Prints one JSON
// line: the protocol and getEphemeralKeyInfo(), or the error's code.
const tls = require('tls');
const fs = require('fs');
const [port, ca, ecdhCurve] = process.argv.slice(1);
const s = tls.connect(
  { host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: fs.readFileSync(ca), ecdhCurve },
  () => {
    console.log(JSON.stringify({ protocol: s.getProtocol(), key: s.getEphemeralKeyInfo() }));
    s.end();
  },
);
s.on('data', () => {});
s.on('error', (e) => console.log(JSON.stringify({ error: e.code })));
