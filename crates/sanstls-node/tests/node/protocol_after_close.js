// getProtocol() over a socket's life, as a client of the server at PORT: once secure,
// right after our end() (mode `client-ends`), at `end`, and at `close`. Prints one JSON
// line. Usage: node protocol_after_close.js PORT client-ends|server-ends
const tls = require('tls');
const [port, mode] = process.argv.slice(-2);
const r = {};
const c = tls.connect({ port: +port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
  r.secure = c.getProtocol();
  if (mode === 'client-ends') {
    c.end();
    r.afterEndCall = c.getProtocol();
  }
});
c.on('data', () => {});
c.on('end', () => { r.onEnd = c.getProtocol(); });
c.on('close', () => {
  r.onClose = c.getProtocol();
  console.log(JSON.stringify(r));
});
