#!/usr/bin/env node
// `hull run` against `runc run` of /bin/true on the same bundle, alternated
// pair by pair; prints each runtime's median wall time and the median of
// the paired ratios hull/runc. Usage: node bench/runtime.js [pairs]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const hull = path.join(repo, 'packages/runtime/bin/hull');
const pairs = Number(process.argv[2] ?? 30);
const env = { ...process.env };
delete env.NODE_OPTIONS;
delete env.NODE_EXTRA_CA_CERTS;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeRun(bin, root, bundle, id) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, ['--root', root, 'run', '--bundle', bundle, id], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${bin} run failed (${r.status}): ${r.stderr}`);
  return ms;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bench-'));
try {
  const bundle = path.join(work, 'bundle');
  fs.mkdirSync(bundle);
  const spec = spawnSync(hull, ['spec', '--bundle', bundle], { env });
  if (spec.status !== 0) throw new Error(`hull spec: ${spec.stderr}`);
  const cfg = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['/bin/true'];
  // Shared, read-only (runc refuses a symlinked rootfs).
  cfg.root = { path: path.join(repo, 'build/rootfs'), readonly: true };
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(cfg));
  const roots = { hull: path.join(work, 'hull-root'), runc: path.join(work, 'runc-root') };
  // One warm-up each: page cache, first cgroup creation.
  timeRun(hull, roots.hull, bundle, 'warm-hull');
  timeRun('runc', roots.runc, bundle, 'warm-runc');
  const hullMs = [], runcMs = [], ratios = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first so drift hits both alike.
    const id = `bench-${process.pid}-${i}`;
    let h, r;
    if (i % 2) { h = timeRun(hull, roots.hull, bundle, id); r = timeRun('runc', roots.runc, bundle, id); }
    else { r = timeRun('runc', roots.runc, bundle, id); h = timeRun(hull, roots.hull, bundle, id); }
    hullMs.push(h); runcMs.push(r); ratios.push(h / r);
  }
  console.log(`hull run /bin/true: median ${median(hullMs).toFixed(1)} ms over ${pairs} runs`);
  console.log(`runc run /bin/true: median ${median(runcMs).toFixed(1)} ms over ${pairs} runs`);
  console.log(`median of paired ratios hull/runc: ${median(ratios).toFixed(2)}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
