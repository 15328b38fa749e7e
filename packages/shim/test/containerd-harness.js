// A private containerd for tests and benchmarks: its own root, state, sockets
// and config in a temporary directory (cgroupfs, no CRI), with hull's shim on
// its PATH as containerd-shim-hull-v2, and a busybox OCI image built from
// build/rootfs and imported with `ctr images import`. Plain JS: bench/ uses it too.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cleanEnv } = require('@hull/testkit/env');

const REPO = path.resolve(__dirname, '../../..');
const ROOTFS = path.join(REPO, 'build/rootfs');
const SHIM_BIN = path.join(REPO, 'packages/shim/bin/containerd-shim-hull-v2');
const IMAGE = 'docker.io/hull/busybox:test';

function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Why a private containerd cannot run here, or undefined. */
function containerdPrerequisites() {
  if (process.getuid() !== 0) return 'needs root';
  for (const b of ['containerd', 'ctr', 'tar']) if (!which(b)) return `${b} is not installed (make setup installs containerd)`;
  if (!fs.existsSync(path.join(REPO, 'packages/shim/lib/v2/main.js'))) return 'packages/shim is not built (make ts)';
  if (!fs.existsSync(path.join(REPO, 'native/hull-monitor'))) return 'native/hull-monitor is not built (make native)';
  if (!fs.existsSync(path.join(ROOTFS, 'bin/busybox'))) return 'no busybox rootfs (make rootfs)';
  if (!fs.readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'no overlay filesystem (containerd\'s snapshotter needs it)';
  return undefined;
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** An OCI image layout of build/rootfs (one uncompressed layer), as a tar at `out`. */
function buildImageTar(workDir, out, name = IMAGE) {
  const layout = path.join(workDir, 'oci');
  const blobs = path.join(layout, 'blobs/sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (file) => {
    const digest = sha256File(file);
    const size = fs.statSync(file).size;
    fs.renameSync(file, path.join(blobs, digest));
    return { digest: `sha256:${digest}`, size };
  };
  const layerFile = path.join(workDir, 'layer.tar');
  const t = spawnSync('tar', ['-C', ROOTFS, '--numeric-owner', '--owner=0', '--group=0', '-cf', layerFile, '.'], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`tar of ${ROOTFS}: ${t.stderr}`);
  const layer = put(layerFile);
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
  const config = {
    architecture: arch, os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  };
  const write = (obj) => {
    const f = path.join(workDir, 'blob.json');
    fs.writeFileSync(f, JSON.stringify(obj));
    return put(f);
  };
  const cfg = write(config);
  const manifest = write({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  });
  fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { architecture: arch, os: 'linux' },
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.split(':').pop() },
    }],
  }));
  fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const r = spawnSync('tar', ['-C', layout, '-cf', out, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar of ${layout}: ${r.stderr}`);
  fs.rmSync(layout, { recursive: true, force: true });
  return out;
}

/** Mount points at or below `dir` (deepest first). */
function mountsBelow(dir) {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4])
    .filter((m) => m && (m === dir || m.startsWith(`${dir}/`))).sort((a, b) => b.length - a.length);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts containerd in a fresh temporary directory. Returns a handle with
 * ctr(args) (sync, { status, stdout, stderr }), ctrAsync(args), ok(r, what), taskStatus(task), waitFor(what, cond),
 * restart() and stop().
 */
async function startContainerd(tag = 'hull', extraEnv = {}, level = 'info') {
  const dir = fs.mkdtempSync(path.join('/tmp', `ctrd-${tag}-`));
  const binDir = path.join(dir, 'bin');
  fs.mkdirSync(binDir);
  fs.symlinkSync(SHIM_BIN, path.join(binDir, 'containerd-shim-hull-v2'));
  // This tree's hull CLI first on PATH: what the shim's cleanup without a daemon (`delete`) runs.
  fs.symlinkSync(path.join(REPO, 'packages/runtime/bin/hull'), path.join(binDir, 'hull'));
  const address = path.join(dir, 'c.sock');
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(config, [
    'version = 2',
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]',
    '[grpc]', `  address = "${address}"`,
    '[debug]', `  address = "${dir}/debug.sock"`, `  level = "${level}"`,
    '[metrics]', '  address = ""',
    '[plugins."io.containerd.internal.v1.opt"]', `  path = "${dir}/opt"`,
    '',
  ].join('\n'));
  // hull in-process (the shim's default); this tree's hull CLI on PATH, whatever hull the PATH may hold.
  const env = cleanEnv({ PATH: `${binDir}:${process.env.PATH}`, HULL_SHIM_RUNTIME: 'hull', ...extraEnv });
  const logFile = path.join(dir, 'containerd.log');
  const h = {
    dir, address, image: IMAGE, namespace: 'hulltest', proc: undefined,
    ctr(args, input) {
      return spawnSync('ctr', ['--address', address, '--namespace', h.namespace, ...args], { encoding: 'utf8', input, env, timeout: 60000 });
    },
    ctrAsync(args) {
      return spawn('ctr', ['--address', address, '--namespace', h.namespace, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    log() {
      return fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    },
    /** A ctr result's stdout, or an error naming `what` with containerd's latest log. */
    ok(r, what) {
      if (r.status !== 0) throw new Error(`${what}: exit ${r.status}: ${r.stderr}\n${h.log().slice(-3000)}`);
      return r.stdout;
    },
    /** A task's status as `ctr tasks ls` shows it (RUNNING, STOPPED, ...), undefined without the task. */
    taskStatus(task) {
      const line = h.ctr(['tasks', 'ls']).stdout.split('\n').find((l) => l.split(/\s+/)[0] === task);
      return line?.trim().split(/\s+/)[2];
    },
    /** Waits until `cond` (sync or async) holds: up to a minute, a loaded machine's pace, not a timing. */
    async waitFor(what, cond) {
      for (let i = 0; i < 1200; i++) {
        if (await cond()) return;
        await sleep(50);
      }
      throw new Error(`timed out waiting for ${what}\n${h.log().slice(-3000)}`);
    },
    async launch() {
      const out = fs.openSync(logFile, 'a');
      h.proc = spawn('containerd', ['--config', config], { env, stdio: ['ignore', out, out], detached: true });
      fs.closeSync(out);
      for (let i = 0; i < 300; i++) {
        if (h.proc.exitCode !== null) throw new Error(`containerd exited: ${h.log().slice(-2000)}`);
        if (fs.existsSync(address) && h.ctr(['version']).status === 0) return;
        await sleep(50);
      }
      throw new Error(`containerd did not come up: ${h.log().slice(-2000)}`);
    },
    async kill(signal = 'SIGTERM') {
      const p = h.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      let timer;
      await Promise.race([gone, new Promise((r) => { timer = setTimeout(r, 10000); })]);
      clearTimeout(timer);
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGKILL');
        await gone;
      }
    },
    async restart() {
      await h.kill();
      await h.launch();
    },
    /** Imports the busybox image (built once per handle). */
    importImage() {
      const tarFile = buildImageTar(dir, path.join(dir, 'busybox-oci.tar'));
      const r = h.ctr(['images', 'import', tarFile]);
      if (r.status !== 0) throw new Error(`ctr images import: ${r.stderr}`);
      return IMAGE;
    },
    /** Shim processes this containerd started (by their -address flag). */
    shimPids(binary = 'containerd-shim-hull-v2') {
      const pids = [];
      for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        let cmd;
        try {
          cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        } catch { continue; }
        const joined = cmd.join(' ');
        if (joined.includes(address) && (joined.includes(binary) || (binary === 'containerd-shim-hull-v2' && joined.includes('lib/v2/main.js')))) pids.push(Number(p));
      }
      return pids;
    },
    /** Stops containerd, kills what it left, unmounts and removes the directory. */
    async stop() {
      // Tasks a failed test left: ask containerd first, then kill the rest.
      if (h.proc && h.proc.exitCode === null) {
        const tasks = h.ctr(['tasks', 'ls', '-q']).stdout?.split('\n').filter(Boolean) ?? [];
        for (const t of tasks) h.ctr(['tasks', 'kill', '-s', 'SIGKILL', t]);
        for (const t of tasks) h.ctr(['tasks', 'rm', '-f', t]);
        const cs = h.ctr(['containers', 'ls', '-q']).stdout?.split('\n').filter(Boolean) ?? [];
        for (const c of cs) h.ctr(['containers', 'rm', c]);
      }
      const shims = [...h.shimPids(), ...h.shimPids('containerd-shim-runc-v2')];
      await h.kill();
      for (const pid of shims) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      for (const m of mountsBelow(dir)) spawnSync('umount', ['-l', m]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await h.launch();
  return h;
}

module.exports = { containerdPrerequisites, startContainerd, buildImageTar, mountsBelow, IMAGE, REPO };
