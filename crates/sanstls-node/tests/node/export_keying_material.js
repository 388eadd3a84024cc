// A Node client that prints the keying material it exports (hex) with and without a
// context, then the codes of exportKeyingMaterial's argument errors.
const tls = require('tls');
const [, port] = process.argv;
const s = tls.connect({ port: +port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
  const plain = s.exportKeyingMaterial(32, 'client finished').toString('hex');
  const ctx = s.exportKeyingMaterial(32, 'client finished', Buffer.from([0, 1, 2, 3])).toString('hex');
  const codes = [];
  try { s.exportKeyingMaterial(0, 'a'); } catch (e) { codes.push(e.code); }
  console.log(JSON.stringify({ plain, ctx, zero: codes[0] }));
  s.end();
});
const early = new tls.TLSSocket(null, {});
try { early.exportKeyingMaterial(32, 'label'); } catch (e) { console.log(e.code); }
