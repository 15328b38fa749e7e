// The per-process monitor (native/hull-monitor): started by the daemon, it runs
// the runtime command, adopts the process it leaves behind and writes its exit
// status to a file, even while the daemon is down.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { cleanEnv } from './runtime';
import { track } from './spawned';

export const MONITOR_PATH = process.env.HULL_MONITOR ?? path.resolve(__dirname, '../../../native/hull-monitor');

export interface MonitorReport {
  /** The runtime command's wait status (0: it succeeded). */
  runtimeStatus: number;
  /** The process the monitor now waits for, or -1. */
  pid: number;
  /** The pty master's fd in the monitor, or -1. */
  master: number;
}

export interface Monitor {
  child: ChildProcess;
  pid: number;
  report: Promise<MonitorReport>;
}

export interface MonitorArgs {
  exitFile: string;
  pidFile: string;
  consoleSocket?: string;
  /** The runtime binary and its arguments. */
  command: string[];
  stdio: Array<number | 'ignore' | 'pipe'>;
}

export function startMonitor(a: MonitorArgs): Monitor {
  const child = spawn(MONITOR_PATH, [a.exitFile, a.pidFile, a.consoleSocket ?? '-', ...a.command], {
    stdio: a.stdio,
    detached: true, // its own session: signals to the daemon's group never reach it
    env: cleanEnv(),
  });
  track(child);
  const report = new Promise<MonitorReport>((resolve, reject) => {
    const pipe = child.stdio[3] as Readable | null;
    let text = '';
    child.on('error', reject);
    if (!pipe) return reject(new Error('monitor: no report pipe'));
    pipe.on('data', (b: Buffer) => { text += b.toString(); });
    pipe.on('error', () => {});
    pipe.on('close', () => {
      const m = /^(-?\d+) (-?\d+) (-?\d+)\n/.exec(text);
      if (m) return resolve({ runtimeStatus: Number(m[1]), pid: Number(m[2]), master: Number(m[3]) });
      child.once('exit', (code, sig) => reject(new Error(`monitor ended without a report (${sig ?? `status ${code}`})`)));
      if (child.exitCode !== null || child.signalCode !== null) child.emit('exit', child.exitCode, child.signalCode);
    });
  });
  report.catch(() => {});
  return { child, pid: child.pid ?? -1, report };
}

/** "STATUS SECONDS NANOS" as the monitor writes it, or undefined while there is none. */
export function readExitFile(file: string): { status: number; at: [number, number] } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d+) (\d+) (\d+)/.exec(text);
  return m ? { status: Number(m[1]), at: [Number(m[2]), Number(m[3])] } : undefined;
}

/** The start time of `pid` (clock ticks since boot): with the pid, names one process for good. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Resolves once a process's monitor has gone, as it does right after writing the exit file (so a
 * Delete leaves no process behind), or after `ms` at most.
 */
export async function monitorGone(m: { child?: ChildProcess; pid: number; start?: string }, ms = 5000): Promise<void> {
  const child = m.child;
  if (child) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
    return;
  }
  // A monitor of an earlier daemon: ours to reap as subreaper; gone once its start time no longer matches.
  for (const end = Date.now() + ms; m.pid > 0 && startTime(m.pid) === m.start && Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Wait status to the shell's exit code: the code, or 128+signal. */
export function exitCodeOf(ws: number): number {
  return (ws & 0x7f) === 0 ? (ws >> 8) & 0xff : 128 + (ws & 0x7f);
}
