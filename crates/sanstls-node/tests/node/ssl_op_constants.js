// Node's SSL_OP_* constants as a JSON object.
const c = require('crypto').constants;
const out = {};
for (const k of Object.keys(c)) if (k.startsWith('SSL_OP_')) out[k] = c[k];
console.log(JSON.stringify(out));
