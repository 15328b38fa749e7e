// What every benchmark here shares: the repository's binaries, an environment without the variables
// that slow each Node start (the peer's runs get the same), and the median.
'use strict';
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const bin = {
  hull: path.join(repo, 'packages/runtime/bin/hull'),
  hullctl: path.join(repo, 'packages/cli/bin/hullctl'),
  hullShim: path.join(repo, 'packages/shim/bin/hull-shim'),
};

function benchEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

module.exports = { repo, bin, benchEnv, median };
