// What /proc says about a process: its start time (to detect a reused pid)
// and whether it still runs.
import fs from 'node:fs';

export interface ProcStat {
  state: string;
  ppid: number;
  startTime: string;
}

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], ppid: Number(fields[1]), startTime: fields[19] };
}

/** The process exists, is the one started at `startTime`, and is not a zombie. */
export function isAlive(pid: number, startTime?: string): boolean {
  if (!pid) return false;
  const st = readProcStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return startTime === undefined || st.startTime === startTime;
}

/** Sleeps the main thread (no event loop needed): for short synchronous waits. */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
