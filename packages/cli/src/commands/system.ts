// hullctl system df: docker's TYPE TOTAL ACTIVE SIZE RECLAIMABLE.
import type { Context } from '../context';
import { FlagError } from '../errors';
import { renderTable } from '../format/table';
import { humanSize } from '../images/progress';
import { strings } from './common';

interface Usage {
  images: number;
  active: number;
  size: number;
  reclaimable: number;
  containers: number;
  containers_size: number;
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const sub = String(argv.verb);
  if (sub !== 'df') throw new FlagError(`'system ${sub}' is not a hullctl command: use system df`);
  if (strings(argv.args).length) throw new FlagError('"hullctl system df" accepts no arguments.');
  const u = await ctx.client().image<Usage>('DiskUsage', {});
  const running = (await ctx.client().list()).filter((t) => t.status === 2).length;
  const pct = (part: number, whole: number) => (whole > 0 ? ` (${Math.round((part * 100) / whole)}%)` : '');
  process.stdout.write(renderTable(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], [
    ['Images', String(u.images), String(u.active), humanSize(u.size), `${humanSize(u.reclaimable)}${pct(u.reclaimable, u.size)}`],
    ['Containers', String(u.containers), String(running), humanSize(u.containers_size), humanSize(0)],
    ['Local Volumes', '0', '0', '0B', '0B'],
    ['Build Cache', '0', '0', '0B', '0B'],
  ]));
  return 0;
}
