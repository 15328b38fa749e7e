// Shared by hullctl's end-to-end tests: a real hull-shim on a temporary
// socket and state dir, the runtimes to drive it with, hullctl run as a
// child process with a clean environment, and cleanup that leaves nothing.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOTFS, writeBundle } from '@hull/testkit/bundle';
import { cleanEnv, uniqueId } from '@hull/testkit/env';
import { REPO } from '@hull/testkit/sources';
import { missingSupervisor, removeSupervisorDir, startSupervisor } from '@hull/testkit/supervisor';

export { REPO, ROOTFS, cleanEnv };
export const HULLCTL = path.join(REPO, 'packages/cli/bin/hullctl');
const HULL_BIN = path.join(REPO, 'packages/runtime/bin/hull');

export const isRoot = process.getuid?.() === 0;

/** Why the end-to-end tests cannot run here, or undefined. */
export function prerequisites(): string | undefined {
  return missingSupervisor('cli');
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
      const bundle = writeBundle(path.join(tmp, 'b'), { args: ['sleep', '30'], rootfs: ROOTFS }).dir;
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

/** A container, network or volume name no parallel test shares. */
export function uniqueName(tag: string): string {
  return uniqueId(`hull-test-${tag}`);
}

/**
 * Starts hull-shim on a socket in a new temporary directory (`dir` to reuse
 * one, as a restarted daemon does); `wrap` runs it through a command
 * (nsenter into a test's network namespace).
 */
export async function startEnv(runtime: Runtime, opts: { dir?: string; wrap?: string[] } = {}): Promise<Env> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-'));
  const sup = await startSupervisor({ dir, runtime: runtime.flag, wrap: opts.wrap });
  const { address, stateDir, proc: shim } = sup;
  const env = cleanEnv({ HULL_ADDRESS: address, HULL_STATE_DIR: stateDir });
  const e: Env = {
    dir,
    address,
    stateDir,
    runtime,
    shim,
    shimLog: sup.log,
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
      await sup.end('SIGTERM');
      removeSupervisorDir(dir, runtime.binary);
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
