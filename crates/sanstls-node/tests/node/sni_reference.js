// What Node's own server does with addContext patterns and SNICallback answers.
// Usage: node sni_reference.js DIR (DIR holds a.key/a.crt, b.key/b.crt, c.key/c.crt,
// certificates whose CN is a, b, c). Prints one JSON line.
const tls = require('tls'), fs = require('fs');
const dir = process.argv[process.argv.length - 1];
const ctx = (n) => ({ key: fs.readFileSync(`${dir}/${n}.key`), cert: fs.readFileSync(`${dir}/${n}.crt`) });
const NAMES = ['foo.example.com', 'bar.example.com', 'example.com', 'a.b.example.com',
  'localhost', 'upper.test', 'Upper.test', 'x.f.example.com'];
const SNI_NAMES = ['c.test', 'other.test', 'bad.test'];

// Connects once per name and records the CN of the certificate the server chose.
function probe(server, names, done) {
  const out = {};
  server.listen(0, '127.0.0.1', () => {
    let i = 0;
    const next = () => {
      if (i === names.length) { server.close(); return done(out); }
      const name = names[i++];
      const s = tls.connect({ port: server.address().port, host: '127.0.0.1',
        servername: name, rejectUnauthorized: false }, () => {
        out[name] = s.getPeerCertificate().subject.CN;
        s.end();
      });
      s.on('error', (e) => { out[name] = `error:${e.code}`; });
      s.on('close', next);
    };
    next();
  });
}

const added = tls.createServer(ctx('a'));
added.addContext('*.example.com', ctx('b'));
added.addContext('f*.example.com', ctx('c'));
added.addContext('*', ctx('b'));
added.addContext('Upper.test', ctx('c'));
const addErrors = [];
added.on('tlsClientError', (e) => addErrors.push(e.code));
probe(added, NAMES, (addContext) => {
  let emptyName = null;
  try { added.addContext('', ctx('b')); } catch (e) { emptyName = e.code; }
  const sni = tls.createServer({ ...ctx('a'), SNICallback: (name, cb) => {
    if (name === 'bad.test') return cb(new Error('no context for bad.test'));
    cb(null, name === 'c.test' ? tls.createSecureContext(ctx('c')) : undefined);
  } });
  // Ignored: the SNICallback replaces Node's own, which is what reads added contexts.
  sni.addContext('*.test', ctx('b'));
  const sniErrors = [];
  sni.on('tlsClientError', (e, socket) => sniErrors.push([e.message, socket.servername]));
  probe(sni, SNI_NAMES, (sniResult) => {
    console.log(JSON.stringify({ addContext, addErrors, emptyName, sni: sniResult, sniErrors }));
  });
});
