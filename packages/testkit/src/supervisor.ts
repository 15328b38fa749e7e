// A real hull-shim for a test: on a socket and state dir in a directory of the
// test's, driving the runtime it is given, up once it says "serving".
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv } from './env';
import { monitorsOf, mountsUnder } from './leftovers';
import { REPO } from './sources';

export const SHIM = path.join(REPO, 'packages/shim/bin/hull-shim');

/**
 * Why a real supervisor cannot run here, or undefined: it needs root, the
 * built packages (`shim`, and any of `more`, e.g. "cli"), hull-monitor and the busybox rootfs.
 */
export function missingSupervisor(...more: string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const pkg of [...more, 'shim']) {
    if (!fs.existsSync(path.join(REPO, 'packages', pkg, 'lib/main.js'))) return `packages/${pkg} is not built (make ts)`;
  }
  if (!fs.existsSync(path.join(REPO, 'native/hull-monitor'))) return 'native/hull-monitor is not built (make native)';
  if (!fs.existsSync(path.join(REPO, 'build/rootfs/bin/busybox'))) return 'no busybox rootfs (make rootfs)';
  return undefined;
}

export interface SupervisorOptions {
  /** Holds shim.sock, state/ and runtime-root/ (a restarted supervisor is given the same one). */
  dir: string;
  /** The runtime binary (hull or runc). */
  runtime: string;
  /** A command to run hull-shim through (nsenter into a test's network namespace). */
  wrap?: string[];
  /** More `serve` flags. */
  extra?: string[];
  /** More environment variables (on top of cleanEnv()). */
  env?: Record<string, string>;
}

export interface Supervisor {
  proc: ChildProcess;
  pid: number;
  address: string;
  stateDir: string;
  runtimeRoot: string;
  /** Its stderr so far. */
  log(): string;
  /** Resolves when it has exited. */
  exited: Promise<void>;
  /** Sends `signal` (unless it has exited) and waits for the exit. */
  end(signal: NodeJS.Signals): Promise<void>;
}

export async function startSupervisor(o: SupervisorOptions): Promise<Supervisor> {
  const address = path.join(o.dir, 'shim.sock');
  const stateDir = path.join(o.dir, 'state');
  const runtimeRoot = path.join(o.dir, 'runtime-root');
  const wrap = o.wrap ?? [];
  const args = ['serve', '--address', address, '--state-dir', stateDir, '--runtime', o.runtime, '--runtime-root', runtimeRoot, ...(o.extra ?? [])];
  const proc = spawn(wrap[0] ?? SHIM, [...wrap.slice(1), ...(wrap.length ? [SHIM] : []), ...args], { env: cleanEnv(o.env), stdio: ['ignore', 'ignore', 'pipe'] });
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
  return {
    proc,
    pid: proc.pid!,
    address,
    stateDir,
    runtimeRoot,
    log: () => log,
    exited,
    async end(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** Force-deletes every container in a runtime's --root (what a supervisor or a test left). */
export function deleteContainers(runtime: string, root: string): void {
  if (!fs.existsSync(root)) return;
  for (const id of fs.readdirSync(root)) {
    if (!id.startsWith('.')) spawnSync(runtime, ['--root', root, 'delete', '--force', id], { env: cleanEnv(), timeout: 20000 });
  }
}

/**
 * Leaves nothing of a supervisor's directory: containers in its runtime root force-deleted, their
 * monitors gone, mounts under `dir` unmounted (a build step's or a seed's overlay, when the daemon was
 * stopped mid-way), `dir` removed.
 */
export function removeSupervisorDir(dir: string, runtime: string): void {
  deleteContainers(runtime, path.join(dir, 'runtime-root'));
  for (const pid of monitorsOf(dir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  for (const m of mountsUnder(dir).reverse()) spawnSync('umount', ['-l', m]);
  fs.rmSync(dir, { recursive: true, force: true });
}
