// Connects to PORT once per name and prints, as one JSON line, the CN of the
// certificate the server sent for each name, or `error:CODE`.
// Usage: node sni_names_client.js PORT NAME...
const tls = require('tls');
const first = process.argv.findIndex((a) => /^[0-9]+$/.test(a));
const [port, ...names] = process.argv.slice(first);
const out = {};
let i = 0;
const next = () => {
  if (i === names.length) return console.log(JSON.stringify(out));
  const name = names[i++];
  const s = tls.connect({ port: +port, host: '127.0.0.1', servername: name, rejectUnauthorized: false }, () => {
    out[name] = s.getPeerCertificate().subject.CN;
    s.end();
  });
  s.on('data', () => {});
  s.on('error', (e) => { out[name] = `error:${e.code}`; });
  s.on('close', next);
};
next();
