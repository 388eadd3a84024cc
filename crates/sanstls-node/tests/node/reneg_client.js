// A TLS 1.2 client that renegotiates: `once` (one renegotiation, as against a server
// that disabled them) or `flood` (again and again, Node's renegotiation attack test).
// Prints one JSON line when the connection closes: how many renegotiations it started,
// how many completed, and the error it saw, if any.
// Usage: node reneg_client.js PORT once|flood
const tls = require('tls');
const [port, mode] = process.argv.slice(-2);
const r = { started: 0, completed: 0, error: null };
const c = tls.connect({ port: +port, host: '127.0.0.1', rejectUnauthorized: false,
  maxVersion: 'TLSv1.2' }, renegotiate);
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
c.on('close', () => console.log(JSON.stringify(r)));
