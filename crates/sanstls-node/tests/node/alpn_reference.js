// What Node's own server does with each kind of ALPNCallback answer, and what its client
// sees. Usage: node alpn_reference.js DIR (DIR holds a.key, a.crt). Prints one JSON line:
// for each case, the server's tlsClientError [code, message] list, the client's error
// [code, message] and the protocol both sides agreed on.
const tls = require('tls'), fs = require('fs');
const dir = process.argv[process.argv.length - 1];
const ctx = { key: fs.readFileSync(`${dir}/a.key`), cert: fs.readFileSync(`${dir}/a.crt`) };
const CASES = { none: () => undefined, invalid: () => 'h3', second: ({ protocols }) => protocols[1] };
const out = {};
const run = (names) => {
  if (!names.length) return console.log(JSON.stringify(out));
  const name = names.shift();
  const r = out[name] = { server: [], client: null, clientError: null };
  const server = tls.createServer({ ...ctx, ALPNCallback: CASES[name] }, (s) => s.end());
  server.on('tlsClientError', (e) => r.server.push([e.code, e.message]));
  server.listen(0, '127.0.0.1', () => {
    const c = tls.connect({ port: server.address().port, host: '127.0.0.1',
      rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => { r.client = c.alpnProtocol; });
    c.on('data', () => {});
    c.on('error', (e) => { r.clientError = [e.code, e.message]; });
    c.on('close', () => setTimeout(() => { server.close(); run(names); }, 50));
  });
};
run(Object.keys(CASES));
