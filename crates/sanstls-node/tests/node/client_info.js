// A Node client (max version and ciphers from the arguments, ALPN offered) that prints
// what it negotiated: protocol, cipher name and version, ALPN, ephemeral key type.
const tls = require('tls');
const [, port, maxVersion, ciphers] = process.argv;
const options = {
  port: +port,
  host: '127.0.0.1',
  rejectUnauthorized: false,
  maxVersion,
  ALPNProtocols: ['h2', 'http/1.1'],
};
if (ciphers) options.ciphers = ciphers;
const s = tls.connect(options, () => {
  const c = s.getCipher();
  const k = s.getEphemeralKeyInfo();
  console.log(JSON.stringify({
    protocol: s.getProtocol(),
    cipher: c.name,
    version: c.version,
    alpn: s.alpnProtocol,
    key: k.type,
  }));
  s.end();
});
s.on('error', (e) => console.log(JSON.stringify({ error: e.code })));
