// Fault injection for create: `hull create` killed with SIGKILL at
// increasing delays (every ~`stepMs` from its start until it would have
// finished), and with HULL_FAULT_AFTER_OP=N (the setup program stops after
// op N and waits to be killed: the knob hull-init honours). After
// each, `delete --force` must leave nothing: no state, cgroup, mount or process.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, HULL, leftovers, makeBundle } from '../helpers';
import { processesUsing, sleep } from './sec';

export interface FaultResult {
  points: number;
  completed: number;
  failures: string[];
}

function runSync(args: string[], env: Record<string, string> = {}, timeout = 30000) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-fault-out-'));
  const err = fs.openSync(path.join(dir, 'err'), 'w+');
  try {
    const r = spawnSync(HULL, args, { env: cleanEnv(env), stdio: ['ignore', 'ignore', err], timeout, killSignal: 'SIGKILL' });
    return { status: r.status, signal: r.signal, error: r.error, stderr: fs.readFileSync(path.join(dir, 'err'), 'utf8') };
  } finally {
    fs.closeSync(err);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What a killed create left after delete --force; [] when nothing. */
function leftAfterDelete(root: string, id: string, bundleDir: string): string[] {
  const problems: string[] = [];
  const d = runSync(['--root', root, 'delete', '--force', id]);
  if (d.error || d.signal) problems.push(`delete -f ${d.error ? 'hung' : `died by ${d.signal}`}`);
  const state = fs.existsSync(root) ? fs.readdirSync(root) : [];
  if (state.length) problems.push(`state left: ${state.join(', ')} (${d.stderr.trim()})`);
  for (let i = 0; i < 20 && processesUsing(bundleDir).length; i++) sleep(50);
  const procs = processesUsing(bundleDir);
  if (procs.length) problems.push(`processes left: ${procs.join(', ')}`);
  for (const p of procs) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  problems.push(...leftovers(id, bundleDir).map((l) => `left: ${l}`));
  return problems;
}

/**
 * Kills create at delays 0, stepMs, 2·stepMs... up to maxMs, and runs it with
 * HULL_FAULT_AFTER_OP=1..maxOps; checks delete --force after each.
 */
export function createFaults(opts: { stepMs: number; maxMs: number; maxOps: number; opWaitMs?: number }): FaultResult {
  const o = { opWaitMs: 1500, ...opts };
  const result: FaultResult = { points: 0, completed: 0, failures: [] };
  const b = makeBundle(undefined, ['true']);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-fault-root-'));
  try {
    let n = 0;
    for (let delay = 0; delay <= opts.maxMs; delay += opts.stepMs) {
      const root = path.join(base, `r${n}`);
      const id = `fault-${process.pid}-${n++}`;
      const child = spawn(HULL, ['--root', root, 'create', '--bundle', b.dir, id], { env: cleanEnv(), stdio: 'ignore' });
      sleep(delay);
      const finished = child.exitCode !== null || !killed(child.pid!);
      if (finished) result.completed++;
      result.points++;
      for (const p of leftAfterDelete(root, id, b.dir)) result.failures.push(`kill at ${delay} ms: ${p}`);
    }
    for (let op = 1; op <= opts.maxOps; op++) {
      // hull-init stops before op N and waits to be killed: create waits with it until killed here.
      const root = path.join(base, `o${op}`);
      const id = `fault-op-${process.pid}-${op}`;
      const child = spawn(HULL, ['--root', root, 'create', '--bundle', b.dir, id], { env: cleanEnv({ HULL_FAULT_AFTER_OP: String(op) }), stdio: 'ignore' });
      for (let waited = 0; waited < o.opWaitMs && child.exitCode === null && isRunning(child.pid!); waited += 50) sleep(50);
      if (!killed(child.pid!)) result.completed++;
      result.points++;
      for (const p of leftAfterDelete(root, id, b.dir)) result.failures.push(`HULL_FAULT_AFTER_OP=${op}: ${p}`);
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return result;
}

function isRunning(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGKILLs a still-running process; false when it had already exited. */
function killed(pid: number): boolean {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) [ZX] /.test(st)) return false;
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * start, exec and delete killed with SIGKILL at each delay (ms) on a
 * container of its own; afterwards `delete --force` leaves nothing.
 */
export function lifecycleFaults(delays: number[]): FaultResult {
  const result: FaultResult = { points: 0, completed: 0, failures: [] };
  const b = makeBundle(undefined, ['sleep', '1000']);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-fault-root-'));
  const commands: Record<string, (id: string) => string[]> = {
    start: (id) => ['start', id],
    exec: (id) => ['exec', id, 'sleep', '1000'],
    delete: (id) => ['delete', '--force', id],
  };
  try {
    let n = 0;
    for (const [name, args] of Object.entries(commands)) {
      for (const delay of delays) {
        const root = path.join(base, `l${n}`);
        const id = `fault-${name}-${process.pid}-${n++}`;
        const c = runSync(['--root', root, 'create', '--bundle', b.dir, id]);
        if (c.status !== 0) {
          result.failures.push(`${name}: create failed: ${c.stderr.trim()}`);
          continue;
        }
        if (name !== 'start') runSync(['--root', root, 'start', id]);
        const child = spawn(HULL, ['--root', root, ...args(id)], { env: cleanEnv(), stdio: 'ignore' });
        sleep(delay);
        if (!killed(child.pid!)) result.completed++;
        result.points++;
        for (const p of leftAfterDelete(root, id, b.dir)) result.failures.push(`${name} killed at ${delay} ms: ${p}`);
      }
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return result;
}
