// A Node client for the version tests: argv PORT OPTIONS_JSON. Prints the negotiated
// protocol, or the error code, as one JSON string.
const tls = require('tls');
const [port, json] = process.argv.slice(1);
const options = Object.assign(JSON.parse(json), { port: +port, host: '127.0.0.1',
  rejectUnauthorized: false });
const s = tls.connect(options, () => { console.log(JSON.stringify(s.getProtocol())); s.end(); });
s.on('error', (e) => console.log(JSON.stringify(e.code)));
