#!/usr/bin/env node
// Runs the OCI conformance suite against RUNTIME (default hull); see conformance/README.md.
'use strict';
require('../lib/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`conformance: ${err && err.message ? err.message : err}\n`); process.exitCode = 2; },
);
