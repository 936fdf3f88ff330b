// Preloaded into an app process (node --require): at exit, writes the files its require() loaded,
// one per line, to the path in LOADED_MODULES_FILE. Used to prove what the worker never loads.
const { writeFileSync } = require('node:fs');

const out = process.env.LOADED_MODULES_FILE;
if (out) process.on('exit', () => writeFileSync(out, Object.keys(require.cache).join('\n')));
