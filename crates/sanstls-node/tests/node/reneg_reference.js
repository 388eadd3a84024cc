// What a Node server does when its client renegotiates after disableRenegotiation()
// (`once`) or more than tls.CLIENT_RENEG_LIMIT times (`flood`): prints the server
// socket's error [code, message] as one JSON line, after running reneg_client.js's
// logic against it. Usage: node reneg_reference.js DIR once|flood
const tls = require('tls'), fs = require('fs');
const [dir, mode] = process.argv.slice(-2);
const server = tls.createServer({ key: fs.readFileSync(`${dir}/a.key`),
  cert: fs.readFileSync(`${dir}/a.crt`), maxVersion: 'TLSv1.2' }, (s) => {
  if (mode === 'once') s.disableRenegotiation();
  s.on('error', (e) => { out.server = [e.code, e.message]; s.destroy(); });
  s.on('data', () => {});
});
const out = { server: null };
server.listen(0, '127.0.0.1', () => {
  const r = { started: 0, completed: 0, error: null };
  const c = tls.connect({ port: server.address().port, host: '127.0.0.1', rejectUnauthorized: false }, renegotiate);
  function renegotiate() {
    c.write('x');
    r.started++;
    c.renegotiate({}, (e) => {
      if (e) return;
      r.completed++;
      if (mode === 'flood') renegotiate();
    });
  }
  c.on('data', () => {});
  c.on('error', (e) => { r.error = e.code; });
  c.on('close', () => { server.close(); console.log(JSON.stringify({ ...out, client: r })); });
});
