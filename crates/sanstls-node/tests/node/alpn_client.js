// Connects to PORT offering h2 and http/1.1 and prints, as one JSON line, the protocol
// agreed on and the error (code and message) the client saw, if any.
// Usage: node alpn_client.js PORT
const tls = require('tls');
const port = process.argv[process.argv.length - 1];
const r = { client: null, clientError: null };
const c = tls.connect({ port: +port, host: '127.0.0.1', rejectUnauthorized: false,
  ALPNProtocols: ['h2', 'http/1.1'] }, () => { r.client = c.alpnProtocol; c.end(); });
c.on('data', () => {});
c.on('error', (e) => { r.clientError = [e.code, e.message]; });
c.on('close', () => console.log(JSON.stringify(r)));
