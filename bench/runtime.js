#!/usr/bin/env node
// hull against runc on the same busybox bundle, alternated pair by pair in
// one run: `run /bin/true`, then create, start, state, exec true, kill and
// delete of one container each, the RSS of a created container's init, and
// the smallest memory limit under which `/bin/echo` still starts.
// Prints medians, the median of the paired ratios hull/runc, and of hull against a bare Node start
// timed in the same pair (hull's floor: the short commands' target is max(runc, 1.3 × node)).
// Usage: node bench/runtime.js [pairs] (default 10)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { repo, bin, benchEnv, median } = require('./lib/common');

const hull = bin.hull;
const pairs = Number(process.argv[2] ?? 10);
const env = benchEnv();

// stderr goes to a file, not a pipe: a created container keeps the runtime's stdio open, and
// spawnSync would wait for the pipe's end until that container exits.
let errFile;
function timed(bin, args, ok = true) {
  const fd = fs.openSync(errFile, 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, args, { env, stdio: ['ignore', 'ignore', fd] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.closeSync(fd);
  if (ok && r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}): ${fs.readFileSync(errFile, 'utf8')}`);
  return { ms, status: r.status };
}

function bundleWith(work, name, edit) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const spec = spawnSync(hull, ['spec', '--bundle', dir], { env });
  if (spec.status !== 0) throw new Error(`hull spec: ${spec.stderr}`);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  cfg.process.terminal = false;
  // Shared, read-only (runc refuses a symlinked rootfs).
  cfg.root = { path: path.join(repo, 'build/rootfs'), readonly: true };
  edit(cfg);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
  return dir;
}

function rssKiB(pid) {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bench-'));
errFile = path.join(work, 'stderr');
const roots = { hull: path.join(work, 'hull-root'), runc: path.join(work, 'runc-root') };
const bins = { hull, runc: 'runc' };
const rt = (name, args, ok) => timed(bins[name], ['--root', roots[name], ...args], ok);
try {
  const trueBundle = bundleWith(work, 'true', (c) => { c.process.args = ['/bin/true']; });
  const sleepBundle = bundleWith(work, 'sleep', (c) => { c.process.args = ['sleep', '1000']; });
  const figures = {};
  const add = (what, name, ms) => ((figures[what] ??= { hull: [], runc: [] })[name].push(ms));
  // One warm-up each: page cache, first cgroup creation.
  for (const name of ['hull', 'runc']) rt(name, ['run', '--bundle', trueBundle, `warm-${name}`]);

  const rss = { hull: [], runc: [] };
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first so drift hits both alike.
    const order = i % 2 ? ['hull', 'runc'] : ['runc', 'hull'];
    for (const name of order) {
      const id = `bench-${process.pid}-${i}`;
      add('run /bin/true', name, rt(name, ['run', '--bundle', trueBundle, `${id}-true`]).ms);
      add('create', name, rt(name, ['create', '--bundle', sleepBundle, id]).ms);
      const pid = JSON.parse(spawnSync(bins[name], ['--root', roots[name], 'state', id], { env, encoding: 'utf8' }).stdout).pid;
      rss[name].push(rssKiB(pid));
      add('start', name, rt(name, ['start', id]).ms);
      add('state', name, rt(name, ['state', id]).ms);
      add('exec true', name, rt(name, ['exec', id, 'true']).ms);
      add('kill', name, rt(name, ['kill', id, 'KILL']).ms);
      for (let w = 0; w < 200 && JSON.parse(spawnSync(bins[name], ['--root', roots[name], 'state', id], { env, encoding: 'utf8' }).stdout).status !== 'stopped'; w++) spawnSync('sleep', ['0.01']);
      add('delete', name, rt(name, ['delete', id]).ms);
      // What engines ask first (target: 1.2 × node -e 0).
      add('--version', name, timed(bins[name], ['--version']).ms);
    }
    // The floor of any Node program: the short commands' target is max(runc, 1.3 × this).
    add('node -e 0 (floor)', 'hull', timed(process.execPath, ['-e', '0']).ms);
    add('node -e 0 (floor)', 'runc', figures['node -e 0 (floor)'].hull.at(-1));
  }
  // hull/node: against the floor timed in the same pair (the short commands' other bound).
  const row = (what, h, r, ratio, toNode = '') => console.log(`${what.padEnd(24)} ${h.padStart(10)} ${r.padStart(10)} ${ratio.padStart(9)} ${toNode.padStart(9)}`);
  row('', 'hull', 'runc', 'hull/runc', 'hull/node');
  const floor = figures['node -e 0 (floor)'].hull;
  for (const [what, { hull: h, runc: r }] of Object.entries(figures)) {
    if (what === 'node -e 0 (floor)') continue;
    row(what, `${median(h).toFixed(1)} ms`, `${median(r).toFixed(1)} ms`, median(h.map((x, i) => x / r[i])).toFixed(2), median(h.map((x, i) => x / floor[i])).toFixed(2));
  }
  row('node -e 0 (floor)', `${median(floor).toFixed(1)} ms`, '', '', '1.00');
  row('created init RSS', `${median(rss.hull)} KiB`, `${median(rss.runc)} KiB`, (median(rss.hull) / median(rss.runc)).toFixed(2));

  // The smallest memory.limit_in_bytes (memory.max) under which /bin/echo still runs, by bisection in 16 KiB steps.
  const echoAt = (name, limit) => {
    const b = bundleWith(work, `echo-${name}-${limit}`, (c) => {
      c.process.args = ['/bin/echo', 'hi'];
      c.linux.resources = { ...(c.linux.resources ?? {}), memory: { limit, swap: limit } };
    });
    return rt(name, ['run', '--bundle', b, `echo-${process.pid}-${name}-${limit}`], false).status === 0;
  };
  const smallest = {};
  for (const name of ['hull', 'runc']) {
    let lo = 16, hi = 16 * 1024; // KiB: lo fails (the kernel's floor), hi works
    if (!echoAt(name, hi * 1024)) { smallest[name] = 'none'; continue; }
    while (hi - lo > 16) {
      const mid = Math.round((lo + hi) / 32) * 16;
      if (echoAt(name, mid * 1024)) hi = mid; else lo = mid;
    }
    smallest[name] = `${hi} KiB`;
  }
  row('echo starts under', smallest.hull, smallest.runc, '');
} finally {
  for (const name of ['hull', 'runc']) {
    const list = spawnSync(bins[name], ['--root', roots[name], 'list', '-q'], { env, encoding: 'utf8' }).stdout ?? '';
    for (const id of list.split('\n').filter(Boolean)) spawnSync(bins[name], ['--root', roots[name], 'delete', '-f', id], { env });
  }
  fs.rmSync(work, { recursive: true, force: true });
}
