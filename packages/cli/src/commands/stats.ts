// hullctl stats: CPU %, memory and pids per container, refreshed every
// second, or once with --no-stream.
import { Status } from '@hull/shim/constants';
import { listContainers, resolveContainer, type Container } from '../containers';
import type { Context } from '../context';
import { renderTable } from '../format/table';
import { statsRow, type Sample } from '../format/stats';
import { shortId } from '../ids';
import { strings } from './common';

const HEADERS = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'PIDS'];
const INTERVAL_MS = 1000;

async function sample(ctx: Context, c: Container): Promise<Sample | undefined> {
  try {
    const res = await ctx.client().call<{ stats: { value: Buffer } | null }>('Stats', { id: c.id }, c.name);
    const at = Date.now();
    return res.stats ? { at, ...(JSON.parse(Buffer.from(res.stats.value).toString('utf8')) as object) } : { at };
  } catch {
    return undefined; // it stopped meanwhile
  }
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const refs = strings(argv.containers);
  const pick = async (): Promise<Container[]> => {
    if (refs.length > 0) return Promise.all(refs.map((r) => resolveContainer(ctx, r)));
    const all = await listContainers(ctx);
    return all.filter((c) => argv.all || c.info.status === Status.RUNNING || c.info.status === Status.PAUSED);
  };
  const stream = !argv.noStream;
  let prev = new Map<string, Sample>();
  for (let first = true; ; first = false) {
    const containers = await pick();
    const cur = new Map<string, Sample>();
    for (const c of containers) {
      const s = await sample(ctx, c);
      if (s) cur.set(c.id, s);
    }
    if (first) {
      // CPU % needs two samples.
      await new Promise((r) => setTimeout(r, stream ? INTERVAL_MS / 2 : INTERVAL_MS / 2));
      prev = cur;
      continue;
    }
    const rows = containers.map((c) => {
      const s = cur.get(c.id);
      const r = s ? statsRow(prev.get(c.id), s) : { cpuPerc: '--', memUsage: '-- / --', memPerc: '--', pids: '--' };
      return [argv.noTrunc ? c.id : shortId(c.id), c.name, r.cpuPerc, r.memUsage, r.memPerc, r.pids];
    });
    if (stream && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
    process.stdout.write(renderTable(HEADERS, rows));
    if (!stream) return 0;
    prev = cur;
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
}
