// Shared by the shim's integration tests: busybox bundles, a real daemon on a
// temporary socket and state dir, the runtimes to run them with, cleanup.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOTFS, writeBundle } from '@hull/testkit/bundle';
import { cleanEnv, uniqueId as testkitId } from '@hull/testkit/env';
import { monitorsOf, mountsUnder } from '@hull/testkit/leftovers';
import { REPO } from '@hull/testkit/sources';
import { missingSupervisor, removeSupervisorDir, startSupervisor } from '@hull/testkit/supervisor';
import { connect, type ShimClient } from '../src/client';

export { REPO, ROOTFS, cleanEnv, monitorsOf, mountsUnder };
const HULL_BIN = path.join(REPO, 'packages/runtime/bin/hull');

export const isRoot = process.getuid?.() === 0;

/** Why the daemon cannot run here, or undefined. */
export function prerequisites(): string | undefined {
  return missingSupervisor();
}

/** A container id no parallel test shares; "hull-test-" so a stray one is recognisable. */
export function uniqueId(tag: string): string {
  return testkitId(`hull-test-${tag}`);
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

/** A bundle directory with `hull spec`'s config.json. */
export function makeBundle(dir: string, o: BundleOptions): string {
  writeBundle(dir, {
    args: o.args,
    rootfs: o.root ?? ROOTFS,
    edit: (c) => {
      c.process.terminal = !!o.terminal;
      c.hostname = 'shimtest';
      if (o.memoryLimit) c.linux.resources.memory = { limit: o.memoryLimit };
      if (o.hooks) c.hooks = o.hooks;
    },
  });
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
  const sup = await startSupervisor({ dir, runtime, extra, env });
  const client = connect(sup.address);
  const end = async (sig: NodeJS.Signals) => {
    client.close();
    await sup.end(sig);
  };
  return { proc: sup.proc, pid: sup.pid, address: sup.address, stateDir: sup.stateDir, runtimeRoot: sup.runtimeRoot, log: sup.log, client, stop: () => end('SIGTERM'), kill9: () => end('SIGKILL') };
}

/** Leaves nothing of a test's supervisor directory (see testkit's removeSupervisorDir). */
export const cleanup = removeSupervisorDir;

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
