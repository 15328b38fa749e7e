// `hull update ID`: change a live container's resources, with runc's flags
// or a LinuxResources JSON (--resources FILE, "-" for stdin).
import type { Argv } from 'yargs';
import { UsageError } from '../../errors';
import type { Resources } from '../../spec/types';
import type { Context } from '../main';

export const builder = (y: Argv) =>
  y
    .option('resources', { alias: 'r', type: 'string', describe: 'path to the file containing the resources to update or \'-\' to read from the standard input' })
    .option('blkio-weight', { type: 'number', describe: 'specifies per cgroup weight, range is from 10 to 1000' })
    .option('cpu-period', { type: 'string', describe: 'CPU CFS period to be used for hardcapping (in usecs). 0 to use system default' })
    .option('cpu-quota', { type: 'string', describe: 'CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period' })
    .option('cpu-share', { type: 'string', describe: 'CPU shares (relative weight vs. other containers)' })
    .option('cpu-rt-period', { type: 'string', describe: 'CPU realtime period to be used for hardcapping (in usecs). 0 to use system default' })
    .option('cpu-rt-runtime', { type: 'string', describe: 'CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period' })
    .option('cpuset-cpus', { type: 'string', describe: 'CPU(s) to use' })
    .option('cpuset-mems', { type: 'string', describe: 'Memory node(s) to use' })
    .option('kernel-memory', { type: 'string', describe: '(obsoleted; do not use)' })
    .option('kernel-memory-tcp', { type: 'string', describe: '(obsoleted; do not use)' })
    .option('memory', { type: 'string', describe: 'Memory limit (in bytes)' })
    .option('memory-reservation', { type: 'string', describe: 'Memory reservation or soft_limit (in bytes)' })
    .option('memory-swap', { type: 'string', describe: 'Total memory usage (memory + swap); set \'-1\' to enable unlimited swap' })
    .option('pids-limit', { type: 'number', describe: 'Maximum number of pids allowed in the container' })
    .option('l3-cache-schema', { type: 'string', describe: 'The string of Intel RDT/CAT L3 cache schema' })
    .option('mem-bw-schema', { type: 'string', describe: 'The string of Intel RDT/MBA memory bandwidth schema' });

type Args = Record<string, string | number | undefined> & { 'container-id': string };

/** Docker's RAMInBytes: "512m", "1.5g", "1024", binary units; "-1" is no limit. */
export function parseBytes(flag: string, text: string): number {
  if (text.trim() === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--${flag}: invalid size ${JSON.stringify(text)}`);
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 }[(m[2] ?? '').toLowerCase() as '' | 'k'];
  return Math.floor(Number(m[1]) * mult);
}

function parseInt10(flag: string, text: string, min = -Infinity): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || n < min) throw new UsageError(`--${flag}: invalid value ${JSON.stringify(text)}`);
  return n;
}

/** The resources the flags ask for (only the given ones). */
export function resourcesFromFlags(a: Args): Resources {
  if (a['l3-cache-schema'] !== undefined || a['mem-bw-schema'] !== undefined) {
    throw new UsageError('--l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by hull');
  }
  const r: Resources = {};
  const str = (k: string) => (a[k] === undefined ? undefined : String(a[k]));
  const mem: NonNullable<Resources['memory']> = {};
  const bytes = (k: string) => (str(k) === undefined ? undefined : parseBytes(k, str(k)!));
  if (bytes('memory') !== undefined) mem.limit = bytes('memory');
  if (bytes('memory-reservation') !== undefined) mem.reservation = bytes('memory-reservation');
  if (bytes('memory-swap') !== undefined) mem.swap = bytes('memory-swap');
  if (bytes('kernel-memory') !== undefined) mem.kernel = bytes('kernel-memory');
  if (bytes('kernel-memory-tcp') !== undefined) mem.kernelTCP = bytes('kernel-memory-tcp');
  if (Object.keys(mem).length) r.memory = mem;
  const cpu: NonNullable<Resources['cpu']> = {};
  if (str('cpu-period') !== undefined) cpu.period = parseInt10('cpu-period', str('cpu-period')!, 0);
  if (str('cpu-quota') !== undefined) cpu.quota = parseInt10('cpu-quota', str('cpu-quota')!);
  if (str('cpu-share') !== undefined) cpu.shares = parseInt10('cpu-share', str('cpu-share')!, 0);
  if (str('cpu-rt-period') !== undefined) cpu.realtimePeriod = parseInt10('cpu-rt-period', str('cpu-rt-period')!, 0);
  if (str('cpu-rt-runtime') !== undefined) cpu.realtimeRuntime = parseInt10('cpu-rt-runtime', str('cpu-rt-runtime')!);
  if (str('cpuset-cpus') !== undefined) cpu.cpus = str('cpuset-cpus');
  if (str('cpuset-mems') !== undefined) cpu.mems = str('cpuset-mems');
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (a['blkio-weight'] !== undefined) r.blockIO = { weight: Number(a['blkio-weight']) };
  if (a['pids-limit'] !== undefined) r.pids = { limit: Number(a['pids-limit']) };
  return r;
}

export function handler(ctx: Context, args: Args): void {
  const { readResourcesFile, update } = require('../../container/update') as typeof import('../../container/update');
  const resources = args.resources !== undefined ? readResourcesFile(String(args.resources)) : resourcesFromFlags(args);
  update(ctx.store, args['container-id'], resources, ctx.log);
}
