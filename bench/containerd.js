#!/usr/bin/env node
// containerd benchmark, hull's shim against runc's, one run, same private
// containerd (Debian's), same busybox image:
//   1. `ctr run --rm IMAGE ID /bin/true`, io.containerd.hull.v2 and
//      io.containerd.runc.v2 alternated (paired) --runs times each, and hull's
//      shim driving runc (a second containerd with HULL_SHIM_RUNTIME=runc):
//      the shims compared with the runtime held equal;
//   2. the memory all shim processes hold with N detached `sleep` containers
//      under each (hull: its one daemon + a hull-monitor per process; runc:
//      every containerd-shim-runc-v2), as RSS and PSS.
//
//   node bench/containerd.js [--runs 10] [--running 10,50] [--json]
//
// Needs root, a built tree (make build) and containerd.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { memOf } = require('./lib/memory.js');
const { containerdPrerequisites, startContainerd } = require('../packages/shim/test/containerd-harness.js');

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    running: { type: 'string', default: '10,50' },
    json: { type: 'boolean', default: false },
  },
});

const RUNTIMES = { hull: 'io.containerd.hull.v2', runc: 'io.containerd.runc.v2' };

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** hull's shim processes: the daemons this containerd started, and the monitors under their state dirs. */
function hullShimProcs(h) {
  const daemons = h.shimPids('containerd-shim-hull-v2');
  const stateDirs = [];
  for (const key of fs.existsSync('/run/containerd/hull-shim') ? fs.readdirSync('/run/containerd/hull-shim') : []) {
    try {
      const rec = JSON.parse(fs.readFileSync(path.join('/run/containerd/hull-shim', key, 'shim.json'), 'utf8'));
      if (daemons.includes(rec.pid)) stateDirs.push(path.join('/run/containerd/hull-shim', key));
    } catch { /* another */ }
  }
  const monitors = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    const c = cmdline(pid);
    return c[0] && c[0].endsWith('hull-monitor') && stateDirs.some((d) => (c[1] ?? '').startsWith(d));
  });
  return { daemons, monitors };
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

async function main() {
  const why = containerdPrerequisites();
  if (why) {
    console.error(`bench/containerd.js: ${why}`);
    process.exit(1);
  }
  const runs = Number(opt.runs);
  const counts = opt.running.split(',').map(Number);
  const h = await startContainerd('bench');
  const hr = await startContainerd('benchr', { HULL_SHIM_RUNTIME: 'runc' });
  const out = { runs, run: {}, memory: {} };
  try {
    h.importImage();
    hr.importImage();
    const variants = [
      ['hull', h, RUNTIMES.hull],
      ['runc', h, RUNTIMES.runc],
      ['hull shim + runc', hr, RUNTIMES.hull],
    ];
    let n = 0;
    const times = Object.fromEntries(variants.map(([name]) => [name, []]));
    // One warm-up each (first image unpack, page cache), then rotate the order every run.
    for (const [name, c, rt] of variants) c.ctr(['run', '--rm', '--runtime', rt, c.image, `warm-${name.replace(/\W+/g, '-')}`, '/bin/true']);
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < variants.length; j++) {
        const [name, c, rt] = variants[(i + j) % variants.length];
        const t0 = process.hrtime.bigint();
        const r = c.ctr(['run', '--rm', '--runtime', rt, c.image, `b${++n}`, '/bin/true']);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.status !== 0) throw new Error(`ctr run --rm (${name}): ${r.stderr}`);
        times[name].push(ms);
      }
    }
    out.run = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
    await hr.stop();

    for (const [name, rt] of Object.entries(RUNTIMES)) {
      out.memory[name] = [];
      let started = 0;
      const ids = [];
      for (const count of counts) {
        while (started < count) {
          const id = `m-${name}-${++started}`;
          const r = h.ctr(['run', '-d', '--runtime', rt, h.image, id, 'sleep', '100000']);
          if (r.status !== 0) throw new Error(`ctr run -d (${name}) ${id}: ${r.stderr}`);
          ids.push(id);
        }
        await new Promise((r) => setTimeout(r, 1000)); // settle
        let procs;
        if (name === 'hull') {
          const { daemons, monitors } = hullShimProcs(h);
          procs = [...daemons, ...monitors];
        } else {
          procs = h.shimPids('containerd-shim-runc-v2');
        }
        const mem = procs.map(memOf);
        out.memory[name].push({
          running: count, processes: procs.length,
          rssKB: mem.reduce((a, m) => a + m.rss, 0), pssKB: mem.reduce((a, m) => a + m.pss, 0),
        });
      }
      for (const id of ids) h.ctr(['tasks', 'kill', '-s', 'SIGKILL', id]);
      for (const id of ids) {
        for (let i = 0; i < 100 && !/STOPPED/.test(h.ctr(['tasks', 'ls']).stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? 'STOPPED'); i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        h.ctr(['tasks', 'rm', '-f', id]);
        h.ctr(['containers', 'rm', id]);
      }
    }
  } finally {
    await h.stop();
    await hr.stop();
  }
  if (opt.json) return console.log(JSON.stringify(out, null, 1));
  console.log(`ctr run --rm ${'/bin/true'} (${runs} paired runs, ms):`);
  for (const name of Object.keys(out.run)) {
    const s = out.run[name];
    console.log(`  ${name.padEnd(16)} min ${s.min.toFixed(0)}  median ${s.median.toFixed(0)}  max ${s.max.toFixed(0)}`);
  }
  console.log('shim memory with N running containers:');
  for (let i = 0; i < counts.length; i++) {
    const hull = out.memory.hull[i];
    const runc = out.memory.runc[i];
    console.log(`  N=${String(hull.running).padStart(3)}: hull ${(hull.rssKB / 1024).toFixed(1)} MB RSS / ${(hull.pssKB / 1024).toFixed(1)} MB PSS in ${hull.processes} processes;`
      + ` runc ${(runc.rssKB / 1024).toFixed(1)} MB RSS / ${(runc.pssKB / 1024).toFixed(1)} MB PSS in ${runc.processes} processes;`
      + ` hull/runc RSS ${(hull.rssKB / runc.rssKB).toFixed(2)}`);
  }
}

main().catch((e) => {
  console.error(e.stack || e.message);
  process.exit(1);
});
