// docker stats' columns from two samples of the supervisor's cgroup stats.
import os from 'node:os';
import { bytesSize } from '../units';

export interface Sample {
  /** When it was taken (ms). */
  at: number;
  cpu?: { usage_ns?: number };
  memory?: { usage?: number; limit?: number };
  pids?: { current?: number; limit?: number };
}

export interface StatsRow {
  cpuPerc: string;
  memUsage: string;
  memPerc: string;
  pids: string;
}

/** CPU %: CPU time used between the samples over wall time (100% = one CPU busy). */
export function statsRow(prev: Sample | undefined, cur: Sample): StatsRow {
  let cpu = 0;
  const a = prev?.cpu?.usage_ns;
  const b = cur.cpu?.usage_ns;
  if (prev && a !== undefined && b !== undefined && cur.at > prev.at) cpu = ((b - a) / ((cur.at - prev.at) * 1e6)) * 100;
  const usage = cur.memory?.usage ?? 0;
  // No limit: docker shows the host's memory.
  const limit = cur.memory?.limit && cur.memory.limit < os.totalmem() ? cur.memory.limit : os.totalmem();
  return {
    cpuPerc: `${Math.max(0, cpu).toFixed(2)}%`,
    memUsage: `${bytesSize(usage)} / ${bytesSize(limit)}`,
    memPerc: `${limit > 0 ? ((usage / limit) * 100).toFixed(2) : '0.00'}%`,
    pids: String(cur.pids?.current ?? 0),
  };
}
