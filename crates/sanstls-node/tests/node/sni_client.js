// A Node client asking for the server name in argv[2], trusting the CA in argv[3]: prints
// the CN of the certificate it got, whether it is authorized, and the server's first data.
const tls = require('tls');
const fs = require('fs');
const [, port, servername, caPath] = process.argv;
const s = tls.connect({
  port: +port,
  host: '127.0.0.1',
  servername,
  ca: fs.readFileSync(caPath),
}, () => s.write('hi'));
s.on('data', (d) => {
  const cert = s.getPeerCertificate();
  console.log(JSON.stringify({ cn: cert.subject.CN, authorized: s.authorized, data: String(d) }));
  s.end();
});
s.on('error', (e) => console.log(JSON.stringify({ error: e.code })));
