// A Node client with minDHSize: argv PORT MIN_DH_SIZE. Prints {cipher, dh} on success or
// {code, message} on error, as JSON.
const tls = require('tls');
const [port, min] = process.argv.slice(1);
const s = tls.connect({ port: +port, host: '127.0.0.1', rejectUnauthorized: false,
  minDHSize: +min, maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256' }, () => {
  console.log(JSON.stringify({ cipher: s.getCipher().name, dh: s.getEphemeralKeyInfo().size }));
  s.end();
});
s.on('error', (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));
