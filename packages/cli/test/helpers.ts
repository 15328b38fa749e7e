// Shared by hullctl's end-to-end tests: a real hull-shim on a temporary
// socket and state dir, the runtimes to drive it with, hullctl run as a
// child process with a clean environment, and cleanup that leaves nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const ROOTFS = path.join(REPO, 'build/rootfs');
export const HULLCTL = path.join(REPO, 'packages/cli/bin/hullctl');
const SHIM_BIN = path.join(REPO, 'packages/shim/bin/hull-shim');
const HULL_BIN = path.join(REPO, 'packages/runtime/bin/hull');

export const isRoot = process.getuid?.() === 0;

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.HULL_ADDRESS;
  delete env.HULL_STATE_DIR;
  return { ...env, ...extra };
}

/** Why the end-to-end tests cannot run here, or undefined. */
export function prerequisites(): string | undefined {
  if (!isRoot) return 'needs root';
  if (!fs.existsSync(path.join(REPO, 'packages/cli/lib/main.js'))) return 'packages/cli is not built (make ts)';
  if (!fs.existsSync(path.join(REPO, 'packages/shim/lib/main.js'))) return 'packages/shim is not built (make ts)';
  if (!fs.existsSync(path.join(REPO, 'native/hull-monitor'))) return 'native/hull-monitor is not built (make native)';
  if (!fs.existsSync(path.join(ROOTFS, 'bin/busybox'))) return 'no busybox rootfs (make rootfs)';
  return undefined;
}

export interface Runtime {
  name: string;
  /** The runtime's CLI. */
  binary: string;
  /** What hull-shim's --runtime gets: "hull" is hull in-process, a path a CLI. */
  flag: string;
  skip?: string;
}

let hullReason: string | undefined | null = null;
/** hull is built in parallel: use it once it runs a container and execs into one. */
function probeHull(): string | undefined {
  if (hullReason !== null) return hullReason;
  const run = (): string | undefined => {
    if (!fs.existsSync(HULL_BIN)) return `${HULL_BIN} does not exist yet`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-probe-'));
    const id = `hullctl-probe-${process.pid}`;
    const hull = (...args: string[]) => spawnSync(HULL_BIN, ['--root', path.join(tmp, 'root'), ...args], { env: cleanEnv(), timeout: 20000, encoding: 'utf8' });
    const last = (r: ReturnType<typeof hull>) => `exit ${r.status}: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`;
    try {
      const bundle = path.join(tmp, 'b');
      fs.mkdirSync(bundle);
      const spec = JSON.parse(spawnSync('runc', ['spec', '--bundle', bundle]).status === 0 ? fs.readFileSync(path.join(bundle, 'config.json'), 'utf8') : '{}');
      spec.root = { path: ROOTFS, readonly: true };
      spec.process.terminal = false;
      spec.process.args = ['sleep', '30'];
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
      const create = hull('create', '--bundle', bundle, id);
      if (create.status !== 0) return `hull cannot create a busybox container yet (${last(create)})`;
      const start = hull('start', id);
      if (start.status !== 0) return `hull cannot start a container yet (${last(start)})`;
      fs.writeFileSync(path.join(tmp, 'p.json'), JSON.stringify({ args: ['sh', '-c', 'exit 7'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } }));
      const exec = hull('exec', '--process', path.join(tmp, 'p.json'), id);
      if (exec.status !== 7) return `hull exec does not work yet (${last(exec)})`;
      return undefined;
    } catch (e) {
      return `hull probe failed: ${(e as Error).message}`;
    } finally {
      hull('delete', '--force', id);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  hullReason = run();
  return hullReason;
}

export function runtimes(): Runtime[] {
  const runc = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc'].find((p) => fs.existsSync(p));
  const out: Runtime[] = [{ name: 'runc', binary: runc ?? 'runc', flag: runc ?? 'runc', skip: runc ? undefined : 'runc is not installed' }];
  // hull in-process: hull-shim's default, `--runtime hull`.
  out.push({ name: 'hull', binary: HULL_BIN, flag: 'hull', skip: prerequisites() ?? probeHull() });
  return out;
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Env {
  dir: string;
  address: string;
  stateDir: string;
  runtime: Runtime;
  shim?: ChildProcess;
  shimLog: () => string;
  /** hullctl with this daemon's address and state dir. */
  hullctl(args: string[], opts?: { input?: string; env?: Record<string, string> }): Promise<Result>;
  /** hullctl left running: its output so far, and SIGINT to end it. */
  spawnHullctl(args: string[]): { stdout: () => string; stderr: () => string; interrupt: () => Promise<number | null> };
  stop(): Promise<void>;
}

export function runHullctl(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', HULLCTL, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

let counter = 0;
export function uniqueName(tag: string): string {
  return `hull-test-${process.pid}-${tag}-${++counter}`;
}

/**
 * Starts hull-shim on a socket in a new temporary directory (`dir` to reuse
 * one, as a restarted daemon does); `wrap` runs it through a command
 * (nsenter into a test's network namespace).
 */
export async function startEnv(runtime: Runtime, opts: { dir?: string; wrap?: string[] } = {}): Promise<Env> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-'));
  const address = path.join(dir, 'shim.sock');
  const stateDir = path.join(dir, 'state');
  const wrap = opts.wrap ?? [];
  const shim = spawn(wrap[0] ?? SHIM_BIN, [...wrap.slice(1), ...(wrap.length ? [SHIM_BIN] : []), 'serve', '--address', address, '--state-dir', stateDir, '--runtime', runtime.flag, '--runtime-root', path.join(dir, 'runtime-root')], {
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  shim.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const exited = new Promise<void>((r) => shim.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (log.includes('serving')) return resolve();
      if (shim.exitCode !== null || shim.signalCode !== null) return reject(new Error(`hull-shim exited: ${log}`));
      setTimeout(check, 20);
    };
    check();
  });
  const env = cleanEnv({ HULL_ADDRESS: address, HULL_STATE_DIR: stateDir });
  const e: Env = {
    dir,
    address,
    stateDir,
    runtime,
    shim,
    shimLog: () => log,
    hullctl: (args, opts = {}) => runHullctl(args, { ...env, ...opts.env }, opts.input),
    spawnHullctl(args) {
      const child = spawn(process.execPath, ['--', HULLCTL, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      return {
        stdout: () => stdout,
        stderr: () => stderr,
        interrupt: () => {
          child.kill('SIGINT');
          return closed;
        },
      };
    },
    async stop() {
      // Every container goes, then the daemon, then whatever a runtime left.
      const ids = await e.hullctl(['ps', '-aq', '--no-trunc']).catch(() => undefined);
      for (const id of ids?.stdout.split('\n').filter(Boolean) ?? []) await e.hullctl(['rm', '-f', id]).catch(() => undefined);
      if (shim.exitCode === null && shim.signalCode === null) shim.kill('SIGTERM');
      await exited;
      const root = path.join(dir, 'runtime-root');
      if (fs.existsSync(root)) {
        for (const id of fs.readdirSync(root)) spawnSync(runtime.binary, ['--root', root, 'delete', '--force', id], { env: cleanEnv(), timeout: 20000 });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return e;
}

/** The bundles hullctl has in a state dir (one per container it made). */
export function bundles(stateDir: string): string[] {
  try {
    return fs.readdirSync(path.join(stateDir, 'bundles'));
  } catch {
    return [];
  }
}
