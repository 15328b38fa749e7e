// `hull ps ID [ps args]`: the container's processes, as runc shows them:
// `ps` output (default -ef) filtered to the pids in its cgroup, or with
// --format json the pids alone.
import { spawnSync } from 'node:child_process';
import type { Argv } from 'yargs';
import { HullError, UsageError } from '../../errors';
import type { Context } from '../main';

/** Options that take a value: main.ts skips them to find where ps's own args start. */
export const VALUE_OPTIONS = new Set(['--format', '-f']);

export const builder = (y: Argv) =>
  y
    .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'select one of: table or json' })
    .positional('ps-args', { type: 'string', array: true, describe: 'arguments for ps (default -ef); put them after --' });

export function handler(ctx: Context, args: { 'container-id': string; format: 'table' | 'json'; 'ps-args'?: string[]; _: (string | number)[] }): void {
  const { statusOf } = require('../../container/status') as typeof import('../../container/status');
  const { openCgroupManager } = require('../../cgroups') as typeof import('../../cgroups');
  const id = args['container-id'];
  const rec = ctx.store.read(id);
  if (statusOf(ctx.store, rec) === 'stopped') throw new UsageError(`container "${id}" is not running`, { id });
  const pids = openCgroupManager(rec.cgroupPaths).pids();
  if (args.format === 'json') {
    process.stdout.write(JSON.stringify(pids) + '\n');
    return;
  }
  // After "--" (main.ts puts one after the id) yargs leaves the args in _, behind the command name.
  const psArgs = [...(args['ps-args'] ?? []), ...args._.slice(1)].map(String);
  process.stdout.write(filterPs(pids, psArgs.length ? psArgs : ['-ef']));
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
