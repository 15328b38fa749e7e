// What the attack tests share: proof that the host is untouched (hashes of
// the runtime's files, host sysctls, host device nodes, mounts on the host),
// a private copy of the runtime for attacks that write its binary, and the
// attack tools built from C (the busybox rootfs has no libc).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, REPO, tempDir } from '../helpers';


function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The runtime's binaries and code: node, bin/hull, lib/, native/ (of REPO, or of a copy). */
export function runtimeFiles(root = REPO, node = fs.realpathSync(process.execPath)): string[] {
  return [
    node,
    path.join(root, 'packages/runtime/bin/hull'),
    ...filesUnder(path.join(root, 'packages/runtime/lib')),
    ...filesUnder(path.join(root, 'packages/sys/lib')),
    ...filesUnder(path.join(root, 'native')).filter((f) => !f.endsWith('.c') && !f.endsWith('Makefile')),
  ];
}

export function hashFiles(files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, sha256(f)]));
}

/** Host sysctls the attacks aim at, namespaced or not. */
export const WATCHED_SYSCTLS = [
  'net/ipv4/tcp_keepalive_probes', 'net/ipv4/ip_forward', 'net/core/somaxconn',
  'kernel/msgmax', 'kernel/shmmax', 'kernel/sem', 'fs/mqueue/msg_max',
  'kernel/hostname', 'kernel/domainname', 'vm/overcommit_memory', 'kernel/panic',
];

export function readSysctl(name: string): string {
  return fs.readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim();
}

/** Mount points on the host's root directories: an escaped mount lands on one of these. */
const HOST_DIRS = ['/', '/proc', '/sys', '/dev', '/dev/pts', '/etc', '/tmp', '/run', '/usr', '/bin', '/root', '/home', '/var', '/mnt', '/opt'];

function mountPoints(): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[4]);
}

function nodeFacts(p: string): string {
  try {
    const st = fs.lstatSync(p);
    return `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.rdev} ${st.isSymbolicLink() ? fs.readlinkSync(p) : ''}`;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'error';
  }
}

/** A directory's contents, recursively: names, types, modes, owners, sizes, link targets, device numbers. */
export function treeFacts(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      out.push(`${path.relative(dir, p)} ${nodeFacts(p)} ${fs.lstatSync(p).isFile() ? fs.lstatSync(p).size : ''}`);
      if (fs.lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const LIMIT_FILES = ['memory.limit_in_bytes', 'memory.max', 'pids.max', 'cpu.cfs_quota_us', 'cpu.max', 'cpu.shares', 'devices.list', 'freezer.state', 'cgroup.freeze'];

function ownCgroupLimits(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
    const [, ctrls, rel] = line.split(':');
    const dir = ctrls ? path.join('/sys/fs/cgroup', ctrls.replace(/^name=/, ''), rel) : path.join(fs.existsSync('/sys/fs/cgroup/unified') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup', rel);
    for (const f of LIMIT_FILES) {
      try {
        out[path.join(dir, f)] = fs.readFileSync(path.join(dir, f), 'utf8');
      } catch {
        // not this hierarchy's file
      }
    }
  }
  return out;
}

export interface HostSnapshot {
  hashes: Record<string, string>;
  sysctls: Record<string, string>;
  devices: Record<string, string>;
  /** Mount points at the host's top directories and under the watched ones. */
  mounts: string[];
  /** Limits of this process's own cgroups (the runtime's parents): an escape into cgroupfs changes them. */
  cgroupLimits: Record<string, string>;
  watched: string[];
  trees: Record<string, string[]>;
}

/**
 * What an escape would change on the host. `watch`: test-owned host
 * directories an attack aims at (their contents and any mount below them).
 * Other sessions mount and unmount elsewhere on this machine at any time,
 * so mounts are compared only where an escape would put them.
 */
export function hostSnapshot(watch: string[] = [], files = runtimeFiles()): HostSnapshot {
  const relevant = (mp: string) => HOST_DIRS.includes(mp) || watch.some((w) => mp === w || mp.startsWith(w + '/'));
  return {
    hashes: hashFiles(files),
    sysctls: Object.fromEntries(WATCHED_SYSCTLS.filter((s) => fs.existsSync(`/proc/sys/${s}`)).map((s) => [s, readSysctl(s)])),
    devices: Object.fromEntries(['/dev/null', '/dev/zero', '/dev/ptmx', '/dev/kmsg', '/dev/full', '/dev/tty'].map((d) => [d, nodeFacts(d)])),
    mounts: mountPoints().filter(relevant).sort(),
    cgroupLimits: ownCgroupLimits(),
    watched: watch,
    trees: Object.fromEntries(watch.map((w) => [w, fs.existsSync(w) ? treeFacts(w) : []])),
  };
}

/** The host as it was before the attack. */
export function expectHostUntouched(before: HostSnapshot): void {
  const after = hostSnapshot(before.watched, Object.keys(before.hashes));
  expect(after.hashes).toEqual(before.hashes);
  expect(after.sysctls).toEqual(before.sysctls);
  expect(after.devices).toEqual(before.devices);
  expect(after.mounts).toEqual(before.mounts);
  expect(after.cgroupLimits).toEqual(before.cgroupLimits);
  expect(after.trees).toEqual(before.trees);
}

/**
 * A private copy of the runtime (node, bin/hull, lib/, @hull/sys's lib/, native/)
 * that an attack on the runtime's binary may damage instead of the host's. koffi
 * and yargs (and the node_modules koffi's addon is in) are linked to the real ones
 * (read, never written, by these attacks).
 */
export interface RuntimeCopy {
  root: string;
  node: string;
  files: string[];
  /** Runs the copy's hull with a private --root. */
  run(args: string[], opts?: { timeout?: number }): SpawnSyncReturns<string>;
}

export function runtimeCopy(stateRoot: string): RuntimeCopy {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-sec-copy-'));
  tempDirsOfCopies.push(root);
  const node = path.join(root, 'node');
  fs.copyFileSync(fs.realpathSync(process.execPath), node);
  fs.chmodSync(node, 0o755);
  const rt = path.join(root, 'packages/runtime');
  fs.mkdirSync(path.join(rt, 'node_modules'), { recursive: true });
  for (const d of ['bin', 'lib']) spawnSync('cp', ['-a', path.join(REPO, 'packages/runtime', d), rt]);
  fs.copyFileSync(path.join(REPO, 'packages/runtime/package.json'), path.join(rt, 'package.json'));
  fs.symlinkSync(fs.realpathSync(path.join(REPO, 'packages/runtime/node_modules/yargs')), path.join(rt, 'node_modules/yargs'));
  const sys = path.join(root, 'packages/sys');
  fs.mkdirSync(path.join(sys, 'node_modules'), { recursive: true });
  spawnSync('cp', ['-a', path.join(REPO, 'packages/sys/lib'), sys]);
  fs.copyFileSync(path.join(REPO, 'packages/sys/package.json'), path.join(sys, 'package.json'));
  fs.symlinkSync(fs.realpathSync(path.join(REPO, 'packages/sys/node_modules/koffi')), path.join(sys, 'node_modules/koffi'));
  fs.mkdirSync(path.join(rt, 'node_modules/@hull'));
  fs.symlinkSync('../../../sys', path.join(rt, 'node_modules/@hull/sys'));
  spawnSync('cp', ['-a', path.join(REPO, 'native'), root]);
  // The bundle (lib/cli/bundle.js) requires koffi's addon by a path relative to itself, into the
  // repository's node_modules/.pnpm: the copy links that too.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  return {
    root,
    node,
    files: runtimeFiles(root, node),
    run(args, opts = {}) {
      const out = tempDir('hull-sec-out-');
      const o = fs.openSync(path.join(out, 'o'), 'w+');
      const e = fs.openSync(path.join(out, 'e'), 'w+');
      try {
        const r = spawnSync(node, [path.join(rt, 'bin/hull'), '--root', stateRoot, ...args], {
          encoding: 'utf8', timeout: opts.timeout ?? 30000, env: cleanEnv(), stdio: ['ignore', o, e],
        });
        r.stdout = fs.readFileSync(path.join(out, 'o'), 'utf8');
        r.stderr = fs.readFileSync(path.join(out, 'e'), 'utf8');
        return r;
      } finally {
        fs.closeSync(o);
        fs.closeSync(e);
      }
    },
  };
}

const tempDirsOfCopies: string[] = [];
export function removeRuntimeCopies(): void {
  for (const d of tempDirsOfCopies.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Builds an attack tool: `attack` (static) or `evil.so` (no libc). */
export function buildTool(name: 'attack' | 'evil.so', outDir: string): string {
  const out = path.join(outDir, name);
  const args = name === 'attack'
    ? ['-O2', '-static', '-o', out, path.join(__dirname, 'attack.c')]
    : ['-O2', '-shared', '-fPIC', '-nostdlib', '-o', out, path.join(__dirname, 'evil-so.c')];
  const r = spawnSync('cc', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc ${name}: ${r.stderr}`);
  return out;
}

/** Polls for a file written by the container (up to `ms`); returns its text or undefined. */
export function waitForFile(file: string, ms = 20000): string | undefined {
  const step = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < ms; waited += 50) {
    try {
      const t = fs.readFileSync(file, 'utf8');
      if (t.endsWith('\n')) return t;
    } catch {
      // not yet
    }
    Atomics.wait(step, 0, 0, 50);
  }
  return undefined;
}

export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Host processes (not this one) with an open fd or cwd/root/exe under `dir`, or whose mounts mention it. */
export function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/mountinfo`, 'utf8').includes(dir)) {
        pids.push(Number(p));
        continue;
      }
      const links = ['cwd', 'root', 'exe'].map((l) => `/proc/${p}/${l}`);
      for (const fd of fs.readdirSync(`/proc/${p}/fd`)) links.push(`/proc/${p}/fd/${fd}`);
      if (links.some((l) => {
        try {
          return fs.readlinkSync(l).startsWith(dir);
        } catch {
          return false;
        }
      })) pids.push(Number(p));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

/** SIGKILLs what an escaped attack left running (so a failing test does not leave a looping init). */
export function killAll(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * Copies a dynamically linked binary's loader and libraries (ldd) into the
 * rootfs at the same paths: an image may ship them, and then the runtime's
 * own binary can run inside the container (the CVE-2019-5736 setup).
 */
export function copyLibraries(binary: string, rootfs: string): void {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  for (const m of r.stdout.matchAll(/(\/\S+\.so[.\d]*)/g)) {
    const lib = m[1];
    const dest = path.join(rootfs, lib);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(fs.realpathSync(lib), dest);
  }
}
