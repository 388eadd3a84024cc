// tls.createSecureContext for each case of argv[1] (a JSON list of option objects; string
// values starting with "@" are file names, arrays of them are read element-wise). Prints
// one JSON list: "ok" or {code, message} per case.
const tls = require('tls');
const fs = require('fs');
const read = (v) => {
  if (Array.isArray(v)) return v.map(read);
  return typeof v === 'string' && v.startsWith('@') ? fs.readFileSync(v.slice(1)) : v;
};
const cases = JSON.parse(process.argv[1]);
const out = cases.map((c) => {
  const options = {};
  for (const k of Object.keys(c)) options[k] = read(c[k]);
  try {
    tls.createSecureContext(options);
    return 'ok';
  } catch (e) {
    return { code: e.code, message: e.message };
  }
});
console.log(JSON.stringify(out));
