#!/usr/bin/env node
// Images, against the peers, in one run on one local registry (Debian's
// docker-registry on 127.0.0.1):
//  1. pull of a 3-layer busybox image: `hullctl pull` (through hull-shim:
//     download, verify, unpack into overlayfs layers) against
//     `podman pull` (the same work, into containers-storage's overlay) and
//     `skopeo copy docker://… oci:…` (download and verify only);
//  2. `hullctl run --rm IMAGE true` against `podman --runtime runc run --rm IMAGE true`
//     (skipped, with the reason, when podman cannot run here). podman gets
//     --ulimit nofile=1024:1024 and nproc=4096:4096: its defaults exceed the hard limits of
//     root on these machines (no CAP_SYS_RESOURCE), and runc refuses it.
// Alternated pair by pair; medians and the median of paired ratios.
// Usage: node bench/images.js [pairs]   (root; after make build)
'use strict';
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const { repo, bin, benchEnv, median } = require('./lib/common');

const { hullctl, hullShim: shimBin } = bin;
const pairs = Number(process.argv[2] ?? 10);
const env = benchEnv();

const sha = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

function run(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: opts.env ?? env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** A 3-layer OCI layout: the busybox rootfs, 2 MB of random data, a small config layer. */
function buildLayout(dir) {
  fs.mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bench-layer-'));
  const blob = (data) => {
    const d = sha(data);
    fs.writeFileSync(path.join(dir, 'blobs/sha256', d.slice(7)), data);
    return { digest: d, size: data.length };
  };
  const tarOf = (d) => execFileSync('tar', ['-C', d, '--numeric-owner', '--sort=name', '--mtime=@1600000000', '-cf', '-', '.'], { maxBuffer: 256 << 20 });
  fs.mkdirSync(path.join(scratch, 'l2/opt'), { recursive: true });
  fs.writeFileSync(path.join(scratch, 'l2/opt/data.bin'), crypto.randomBytes(2 << 20));
  fs.mkdirSync(path.join(scratch, 'l3/etc'), { recursive: true });
  fs.writeFileSync(path.join(scratch, 'l3/etc/motd'), 'bench\n');
  const tars = [tarOf(path.join(repo, 'build/rootfs')), tarOf(path.join(scratch, 'l2')), tarOf(path.join(scratch, 'l3'))];
  fs.rmSync(scratch, { recursive: true, force: true });
  const layers = tars.map((t) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(zlib.gzipSync(t)) }));
  const config = blob(Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-12-01T00:00:00Z',
    config: { Env: ['PATH=/bin:/usr/bin:/sbin:/usr/sbin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: tars.map(sha) },
  })));
  const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers })));
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
  return tars.reduce((n, t) => n + t.length, 0);
}

async function main() {
  if (process.getuid() !== 0) throw new Error('bench/images.js needs root');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bench-images-'));
  const children = [];
  const stop = () => { for (const c of children) if (c.exitCode === null) c.kill('SIGTERM'); };
  try {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    fs.writeFileSync(path.join(work, 'registry.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${work}/registry\nhttp:\n  addr: ${host}\n`);
    children.push(spawn('/usr/bin/docker-registry', ['serve', path.join(work, 'registry.yml')], { stdio: 'ignore' }));
    for (let i = 0; ; i++) {
      try { if ((await fetch(`http://${host}/v2/`)).ok) break; } catch { /* starting */ }
      if (i > 200) throw new Error('docker-registry did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const unpacked = buildLayout(path.join(work, 'layout'));
    const image = `${host}/bench:latest`;
    run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${path.join(work, 'layout')}:latest`, `docker://${image}`]);

    const address = path.join(work, 'shim.sock');
    const stateDir = path.join(work, 'state');
    const shim = spawn(shimBin, ['serve', '--address', address, '--state-dir', stateDir, '--runtime-root', path.join(work, 'runtime-root')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(shim);
    let log = '';
    shim.stderr.on('data', (b) => (log += b));
    while (!log.includes('serving')) {
      if (shim.exitCode !== null) throw new Error(`hull-shim: ${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const cenv = { ...env, HULL_ADDRESS: address, HULL_STATE_DIR: stateDir };
    const ctl = (...args) => run(hullctl, args, { env: cenv });
    console.log(`image: 3 layers, ${(unpacked / 1e6).toFixed(1)} MB unpacked, from docker-registry on ${host}`);

    const podmanArgs = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--root', path.join(work, 'podman-root'), '--runroot', path.join(work, 'podman-run')];
    const podmanRunArgs = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

    // 1. pull: each run from nothing (hull and podman: image removed and its layers collected; skopeo: a fresh oci dir).
    const hullPull = [], podmanPull = [], skopeoPull = [], pullRatios = [], podmanRatios = [];
    const hullOnce = () => {
      const ms = ctl('pull', '-q', image);
      ctl('rmi', image);
      return ms;
    };
    const skopeoOnce = (i) => {
      const dest = path.join(work, `skopeo-${i}`);
      const ms = run('skopeo', ['copy', '--src-tls-verify=false', `docker://${image}`, `oci:${dest}:latest`]);
      fs.rmSync(dest, { recursive: true, force: true });
      return ms;
    };
    const podmanOnce = () => {
      const ms = run('podman', [...podmanArgs, 'pull', '-q', '--tls-verify=false', image]);
      run('podman', [...podmanArgs, 'rmi', '-f', image]);
      return ms;
    };
    // podman is not among the project's packages: without it (or where it cannot pull), it is skipped with the reason.
    let podmanSkip;
    try {
      podmanOnce();
    } catch (e) {
      podmanSkip = e.code === 'ENOENT' || e.message.includes('ENOENT') ? 'podman is not installed' : e.message.split('\n').slice(-3).join(' ').trim();
    }
    hullOnce(); skopeoOnce('warm');
    for (let i = 0; i < pairs; i++) {
      // Each goes first in turn.
      const kinds = podmanSkip ? [0, 1] : [0, 1, 2];
      const ms = [];
      for (const k of kinds.map((j) => kinds[(j + i) % kinds.length])) ms[k] = k === 0 ? hullOnce() : k === 1 ? skopeoOnce(i) : podmanOnce();
      hullPull.push(ms[0]); skopeoPull.push(ms[1]); pullRatios.push(ms[0] / ms[1]);
      if (!podmanSkip) { podmanPull.push(ms[2]); podmanRatios.push(ms[0] / ms[2]); }
    }
    console.log(`pull  hullctl pull (download+verify+unpack): median ${median(hullPull).toFixed(0)} ms over ${pairs}`);
    if (podmanSkip) console.log(`pull  podman: skipped: ${podmanSkip}`);
    else console.log(`pull  podman pull (download+verify+unpack): median ${median(podmanPull).toFixed(0)} ms over ${pairs}, paired ratio hull/podman ${median(podmanRatios).toFixed(2)}`);
    console.log(`pull  skopeo copy docker:// oci: (download+verify): median ${median(skopeoPull).toFixed(0)} ms over ${pairs}, paired ratio hull/skopeo ${median(pullRatios).toFixed(2)}`);

    // 2. run --rm IMAGE true.
    ctl('pull', '-q', image);
    if (!podmanSkip) {
      try {
        run('podman', [...podmanArgs, 'pull', '-q', '--tls-verify=false', image]);
        run('podman', [...podmanArgs, 'run', '--rm', ...podmanRunArgs, image, 'true']);
      } catch (e) {
        podmanSkip = e.message.split('\n').slice(-3).join(' ').trim();
      }
    }
    const hullRun = [], podmanRun = [], runRatios = [];
    ctl('run', '--rm', image, 'true');
    for (let i = 0; i < pairs; i++) {
      const h = () => ctl('run', '--rm', image, 'true');
      const p = () => run('podman', [...podmanArgs, 'run', '--rm', ...podmanRunArgs, image, 'true']);
      if (podmanSkip) { hullRun.push(h()); continue; }
      let a, b;
      if (i % 2) { a = h(); b = p(); } else { b = p(); a = h(); }
      hullRun.push(a); podmanRun.push(b); runRatios.push(a / b);
    }
    console.log(`run   hullctl run --rm IMAGE true: median ${median(hullRun).toFixed(0)} ms over ${pairs}`);
    if (podmanSkip) console.log(`run   podman: skipped: ${podmanSkip}`);
    else {
      console.log(`run   podman --runtime runc run --rm IMAGE true: median ${median(podmanRun).toFixed(0)} ms over ${pairs}`);
      console.log(`run   median of paired ratios hull/podman: ${median(runRatios).toFixed(2)}`);
    }
    spawnSync('podman', [...podmanArgs, 'rmi', '-a', '-f'], { stdio: 'ignore' });
  } finally {
    stop();
    await new Promise((r) => setTimeout(r, 300));
    spawnSync('umount', ['-R', path.join(work, 'podman-root')], { stdio: 'ignore' });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`bench/images.js: ${e.message}`);
    process.exit(1);
  });
}
module.exports = { buildLayout };
