#!/usr/bin/env node
// hullctl build against buildah bud, in one run: a 6-step Dockerfile
// (FROM scratch, ADD of the busybox rootfs tar, COPY, RUN writing 200 files,
// ENV, CMD) built cold (no cache) and warm (every step cached), pair by pair
// alternated. buildah runs with --layers (its step cache), chroot isolation,
// the overlay driver in a storage root of its own.
// Usage: node bench/build.js [pairs]   (root; after make build)
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const hullctl = path.join(repo, 'packages/cli/bin/hullctl');
const shimBin = path.join(repo, 'packages/shim/bin/hull-shim');
const hullBin = path.join(repo, 'packages/runtime/bin/hull');
const pairs = Number(process.argv[2] ?? 3);
const env = { ...process.env };
delete env.NODE_OPTIONS;
delete env.NODE_EXTRA_CA_CERTS;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timed(cmd, args, e = env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: e, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stdout}${r.stderr}`);
  return { ms, out: r.stdout };
}

async function main() {
  if (spawnSync('buildah', ['--version']).status !== 0) {
    console.log('bench/build: skipped: buildah is not installed');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bench-build-'));
  const ctx = path.join(dir, 'ctx');
  fs.mkdirSync(path.join(ctx, 'app'), { recursive: true });
  spawnSync('tar', ['-C', path.join(repo, 'build/rootfs'), '--numeric-owner', '-cf', path.join(ctx, 'rootfs.tar'), '.']);
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(ctx, 'app', `f${i}.txt`), `file ${i}\n`.repeat(100));
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), [
    'FROM scratch',
    'ADD rootfs.tar /',
    'COPY app/ /app/',
    'RUN i=0; while [ $i -lt 200 ]; do echo $i > /app/gen$i; i=$((i+1)); done',
    'ENV MODE=bench',
    'CMD ["sh"]',
    '',
  ].join('\n'));

  const address = path.join(dir, 'shim.sock');
  const shim = spawn(shimBin, ['serve', '--address', address, '--state-dir', path.join(dir, 'state'), '--runtime', hullBin, '--runtime-root', path.join(dir, 'rr')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  shim.stderr.on('data', (b) => (log += b));
  for (let i = 0; i < 300 && !log.includes('serving'); i++) await new Promise((r) => setTimeout(r, 50));
  if (!log.includes('serving')) throw new Error(`hull-shim did not start: ${log}`);
  const henv = { ...env, HULL_ADDRESS: address, HULL_STATE_DIR: path.join(dir, 'cli') };
  const bargs = ['--root', path.join(dir, 'buildah/root'), '--runroot', path.join(dir, 'buildah/run'), '--storage-driver', 'overlay'];
  const hull = (cold) => timed(hullctl, ['build', ...(cold ? ['--no-cache'] : []), '-t', 'bench', ctx], henv);
  const buildah = (cold) => timed('buildah', [...bargs, 'bud', '--layers', ...(cold ? ['--no-cache'] : []), '--isolation', 'chroot', '-t', 'bench', ctx]);
  const res = { hullCold: [], buildahCold: [], hullWarm: [], buildahWarm: [] };
  try {
    // One warm-up each (page cache, the cache's first entries).
    hull(true);
    buildah(true);
    for (let i = 0; i < pairs; i++) {
      res.hullCold.push(hull(true).ms);
      res.buildahCold.push(buildah(true).ms);
      const w = hull(false);
      if ((w.out.match(/ ---> Using cache/g) ?? []).length !== 5) throw new Error(`hullctl's warm build missed the cache:\n${w.out}`);
      res.hullWarm.push(w.ms);
      res.buildahWarm.push(buildah(false).ms);
    }
  } finally {
    spawnSync('buildah', [...bargs, 'rmi', '--all', '--force'], { stdio: 'ignore' });
    spawnSync('umount', ['-R', path.join(dir, 'buildah/root')], { stdio: 'ignore' });
    shim.kill('SIGTERM');
    await new Promise((r) => shim.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (a, b) => median(a.map((x, i) => x / b[i]));
  console.log(`bench/build: 6-step Dockerfile, ${pairs} pairs (ms, medians; ratio = median of paired hullctl/buildah)`);
  console.log(`  cold (no cache): hullctl ${median(res.hullCold).toFixed(0)}  buildah ${median(res.buildahCold).toFixed(0)}  ratio ${ratio(res.hullCold, res.buildahCold).toFixed(2)}`);
  console.log(`  warm (cached):   hullctl ${median(res.hullWarm).toFixed(0)}  buildah ${median(res.buildahWarm).toFixed(0)}  ratio ${ratio(res.hullWarm, res.buildahWarm).toFixed(2)}`);
}

main().catch((e) => {
  console.error(`bench/build: ${e.message}`);
  process.exit(1);
});
