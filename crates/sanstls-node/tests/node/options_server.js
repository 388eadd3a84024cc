// A Node TLS server for the options tests: argv KEY CERT OPTIONS_JSON. String values in
// the options starting with "@" are file names to read. Prints its port; each connection
// is answered with "ok" and closed.
const tls = require('tls');
const fs = require('fs');
const [key, cert, json] = process.argv.slice(1);
const read = (v) => (typeof v === 'string' && v.startsWith('@') ? fs.readFileSync(v.slice(1)) : v);
const options = JSON.parse(json || '{}');
for (const k of Object.keys(options)) options[k] = read(options[k]);
options.key = fs.readFileSync(key);
options.cert = fs.readFileSync(cert);
const server = tls.createServer(options, (s) => s.end('ok'));
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
