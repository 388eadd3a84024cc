// socket.setTimeout(ms) on an idle client of the server at PORT, which writes once, late:
// prints one JSON line with how many `timeout`s came before the data, whether
// the socket was still open at the first `timeout`, the data, and `socket.timeout`.
// Usage: node timeout_client.js PORT MS
const tls = require('tls');
const [port, ms] = process.argv.slice(-2);
const r = { timeouts: 0, openAtTimeout: null, data: '' };
const c = tls.connect({ port: +port, host: '127.0.0.1', rejectUnauthorized: false,
  timeout: +ms });
r.timeoutOption = c.timeout;
c.on('timeout', () => {
  r.timeouts++;
  if (r.openAtTimeout === null) r.openAtTimeout = !c.destroyed;
});
c.on('data', (d) => {
  r.timeoutsBeforeData = r.timeouts;
  r.data += d;
  c.end();
});
c.on('close', () => {
  console.log(JSON.stringify({ timeoutOption: r.timeoutOption, openAtTimeout: r.openAtTimeout,
    timeoutsBeforeData: r.timeoutsBeforeData, data: r.data }));
});
