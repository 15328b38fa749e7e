// `hull ps`: the container's processes, as runc shows them: `ps` output
// (default -ef) filtered to the pids in its cgroup, or the pids alone as
// JSON. A stopped container has none: the header alone, as runc prints it.
import { spawnSync } from 'node:child_process';
import { openCgroupManager } from '../cgroups';
import { HullError } from '../errors';
import type { StateStore } from '../state/store';

export function ps(store: StateStore, id: string, format: 'table' | 'json', psArgs: string[]): string {
  const rec = store.read(id);
  // The cgroup outlives a stopped init until delete (run --keep, children without a pid namespace).
  const pids = openCgroupManager(rec.cgroupPaths).pids();
  if (format === 'json') return JSON.stringify(pids) + '\n';
  return filterPs(pids, psArgs.length ? psArgs : ['-ef']);
}

/** Runs ps and keeps its header and the lines whose PID column is one of `pids`. */
export function filterPs(pids: number[], psArgs: string[]): string {
  const r = spawnSync('ps', psArgs, { encoding: 'utf8' });
  if (r.error) throw new HullError('EPS', `ps: ${r.error.message}`, {});
  if (r.status !== 0) throw new HullError('EPS', `ps ${psArgs.join(' ')}: ${r.stderr.trim() || `exit status ${r.status}`}`, {});
  const lines = r.stdout.split('\n');
  const col = lines[0].trim().split(/\s+/).indexOf('PID');
  if (col < 0) throw new HullError('EPS', "couldn't find PID field in ps output", {});
  const want = new Set(pids);
  const kept = lines.slice(1).filter((l) => l.trim() && want.has(Number(l.trim().split(/\s+/)[col])));
  return [lines[0], ...kept].join('\n') + '\n';
}
