// Shared by the shim's integration tests: busybox bundles, a real daemon on a
// temporary socket and state dir, the runtimes to run them with, cleanup.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type ShimClient } from '../src/client';

export const REPO = path.resolve(__dirname, '../../..');
export const ROOTFS = path.join(REPO, 'build/rootfs');
const SHIM_BIN = path.join(REPO, 'packages/shim/bin/hull-shim');
const HULL_BIN = path.join(REPO, 'packages/runtime/bin/hull');

export const isRoot = process.getuid?.() === 0;

export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Why the daemon cannot run here, or undefined. */
export function prerequisites(): string | undefined {
  if (!isRoot) return 'needs root';
  if (!fs.existsSync(path.join(REPO, 'packages/shim/lib/main.js'))) return 'packages/shim is not built (make ts)';
  if (!fs.existsSync(path.join(REPO, 'native/hull-monitor'))) return 'native/hull-monitor is not built (make native)';
  if (!fs.existsSync(path.join(ROOTFS, 'bin/busybox'))) return 'no busybox rootfs (make rootfs)';
  return undefined;
}

let counter = 0;
export function uniqueId(tag: string): string {
  return `hull-test-${process.pid}-${tag}-${++counter}`;
}

export interface BundleOptions {
  args: string[];
  terminal?: boolean;
  /** root.path: the shared busybox rootfs (read-only) unless "rootfs" (to mount onto). */
  root?: string;
  /** linux.resources.memory.limit in bytes. */
  memoryLimit?: number;
  /** The config's hooks, as is. */
  hooks?: Record<string, unknown>;
}

/** A bundle directory with a config.json in `runc spec`'s shape. */
export function makeBundle(dir: string, o: BundleOptions): string {
  fs.mkdirSync(dir, { recursive: true });
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: !!o.terminal, user: { uid: 0, gid: 0 }, args: o.args, cwd: '/',
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }], noNewPrivileges: true,
    },
    root: { path: o.root ?? ROOTFS, readonly: true },
    hostname: 'shimtest',
    ...(o.hooks ? { hooks: o.hooks } : {}),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }], ...(o.memoryLimit ? { memory: { limit: o.memoryLimit } } : {}) },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
  return dir;
}

export interface RuntimeUnderTest {
  name: string;
  /** The runtime's CLI (cleanup and inspection go through it). */
  binary: string;
  /** What hull-shim's --runtime gets: "hull" is hull in-process, a path its CLI. */
  flag: string;
  /** Why the whole suite is skipped for it. */
  skip?: string;
  /** Why exec tests are skipped for it (its `exec` does not work yet). */
  skipExec?: string;
  /** Why pause/resume/update tests are skipped for it. */
  skipPause?: string;
}

/** The runtimes to test with: runc, hull in-process (the default) and, with `cli`, hull through its CLI. */
export function runtimes(opts: { cli?: boolean } = {}): RuntimeUnderTest[] {
  const runc = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc'].find((p) => fs.existsSync(p));
  return [
    { name: 'runc', binary: runc ?? 'runc', flag: runc ?? 'runc', skip: runc ? undefined : 'runc is not installed' },
    { name: 'hull', binary: HULL_BIN, flag: 'hull', ...probeHull() },
    ...(opts.cli ? [{ name: 'hull-cli', binary: HULL_BIN, flag: HULL_BIN, ...probeHull() }] : []),
  ];
}

let hullProbe: Omit<RuntimeUnderTest, 'name' | 'binary'> | undefined;
/** What hull (built in parallel) can do yet: run a container, exec into one, pause one. */
function probeHull(): Omit<RuntimeUnderTest, 'name' | 'binary'> {
  if (hullProbe) return hullProbe;
  const probe = (): Omit<RuntimeUnderTest, 'name' | 'binary'> => {
    if (!isRoot) return { skip: 'needs root' };
    if (!fs.existsSync(HULL_BIN)) return { skip: `${HULL_BIN} does not exist yet` };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-probe-'));
    const root = path.join(tmp, 'root');
    const id = `hull-shim-probe-${process.pid}`;
    const hull = (...args: string[]) => spawnSync(HULL_BIN, ['--root', root, ...args], { env: cleanEnv(), timeout: 20000, encoding: 'utf8' });
    const lastLine = (r: ReturnType<typeof hull>) => `exit ${r.status}: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`;
    try {
      makeBundle(path.join(tmp, 'b'), { args: ['sh', '-c', 'exit 7'] });
      const run = hull('run', '--bundle', path.join(tmp, 'b'), id);
      hull('delete', '--force', id);
      if (run.status !== 7) return { skip: `hull cannot run a busybox container yet (hull run: ${lastLine(run)})` };
      makeBundle(path.join(tmp, 'b'), { args: ['sleep', '100'] });
      const out: Omit<RuntimeUnderTest, 'name' | 'binary'> = {};
      const create = hull('create', '--bundle', path.join(tmp, 'b'), id);
      const start = create.status === 0 ? hull('start', id) : create;
      if (start.status !== 0) return { skip: `hull cannot create and start a container yet (${lastLine(start)})` };
      fs.writeFileSync(path.join(tmp, 'p.json'), JSON.stringify({ args: ['true'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } }));
      const exec = hull('exec', '--detach', '--process', path.join(tmp, 'p.json'), '--pid-file', path.join(tmp, 'pid'), id);
      if (exec.status !== 0) out.skipExec = `hull exec --detach does not work yet (${lastLine(exec)})`;
      const pause = hull('pause', id);
      const resume = pause.status === 0 ? hull('resume', id) : pause;
      if (resume.status !== 0) out.skipPause = `hull pause/resume does not work yet (${lastLine(resume)})`;
      return out;
    } finally {
      hull('delete', '--force', id);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  hullProbe = probe();
  return hullProbe;
}

export interface Daemon {
  proc: ChildProcess;
  pid: number;
  address: string;
  stateDir: string;
  runtimeRoot: string;
  log: () => string;
  client: ShimClient;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
}

export async function startDaemon(dir: string, runtime: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Daemon> {
  const address = path.join(dir, 'shim.sock');
  const stateDir = path.join(dir, 'state');
  const runtimeRoot = path.join(dir, 'runtime-root');
  const proc = spawn(SHIM_BIN, ['serve', '--address', address, '--state-dir', stateDir, '--runtime', runtime, '--runtime-root', runtimeRoot, ...extra], {
    env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (log.includes('serving')) return resolve();
      if (proc.exitCode !== null || proc.signalCode !== null) return reject(new Error(`hull-shim exited: ${log}`));
      setTimeout(check, 20);
    };
    check();
  });
  const client = connect(address);
  const end = async (sig: NodeJS.Signals) => {
    client.close();
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    await exited;
  };
  return { proc, pid: proc.pid!, address, stateDir, runtimeRoot, log: () => log, client, stop: () => end('SIGTERM'), kill9: () => end('SIGKILL') };
}

/**
 * Leaves nothing behind: containers in the runtime root force-deleted, their
 * monitors gone, mounts under `dir` unmounted, `dir` removed.
 */
export function cleanup(dir: string, runtime: string): void {
  const root = path.join(dir, 'runtime-root');
  if (fs.existsSync(root)) {
    for (const id of fs.readdirSync(root)) spawnSync(runtime, ['--root', root, 'delete', '--force', id], { env: cleanEnv(), timeout: 20000 });
  }
  for (const pid of monitorsOf(dir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  for (const m of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', m]);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** hull-monitor processes whose command line names `dir` (their state dir is inside it). */
export function monitorsOf(dir: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('hull-monitor') && cmd.includes(dir)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

export function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m === dir || m.startsWith(dir + '/')));
}

export function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** Reads a FIFO until `until` matches the collected text or it ends. */
export function readFifo(file: string): { text: () => string; until: (re: RegExp) => Promise<string>; close: () => void } {
  let text = '';
  const s = fs.createReadStream(file);
  const waiters: Array<() => void> = [];
  s.on('data', (b) => { text += b.toString(); waiters.forEach((w) => w()); });
  s.on('error', () => {});
  return {
    text: () => text,
    until: (re) => new Promise((resolve) => {
      const check = () => { if (re.test(text)) resolve(text); };
      waiters.push(check);
      check();
    }),
    close: () => s.destroy(),
  };
}

export function mkfifo(file: string): string {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file} failed`);
  return file;
}
