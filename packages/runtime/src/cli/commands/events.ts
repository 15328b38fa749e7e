// `hull events ID`: runc's event stream. --stats prints one stats event;
// otherwise stats every --interval and an "oom" event on each OOM kill,
// one JSON object per line, until the container stops.
import type { Argv } from 'yargs';
import { UsageError } from '../../errors';
import type { Context } from '../main';

export const builder = (y: Argv) =>
  y
    .option('interval', { type: 'string', default: '5s', describe: 'set the stats collection interval' })
    .option('stats', { type: 'boolean', default: false, describe: 'display the container\'s stats then exit' });

/** Go's time.ParseDuration subset runc's flag takes: "5s", "500ms", "1m30s". */
export function parseDuration(text: string): number {
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    ms += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  if (!text || end !== text.length || ms <= 0) throw new UsageError(`--interval: invalid duration ${JSON.stringify(text)}`);
  return ms;
}

/**
 * JSON with cgroup counters printed exactly: numbers past 2^53 (v1's
 * 9223372036854771712 "no limit", the max uint64) as Go prints them.
 */
export function eventJson(event: unknown): string {
  const big: string[] = [];
  const text = JSON.stringify(event, (_k, v) => {
    if (typeof v !== 'number' || Number.isSafeInteger(v) || !Number.isInteger(v)) return v;
    big.push(v >= 18446744073709551615 ? '18446744073709551615' : BigInt(v).toString());
    return `\u0000${big.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_m, i: string) => big[Number(i)]);
}

export async function handler(ctx: Context, args: { 'container-id': string; interval: string; stats: boolean }): Promise<void> {
  const { statusOf } = require('../../container/status') as typeof import('../../container/status');
  const { openCgroupManager } = require('../../cgroups') as typeof import('../../cgroups');
  const id = args['container-id'];
  const interval = parseDuration(args.interval);
  const rec = ctx.store.read(id);
  const stopped = () => statusOf(ctx.store, rec) === 'stopped';
  if (stopped()) throw new UsageError(`container "${id}" is not running`, { id });
  const cg = openCgroupManager(rec.cgroupPaths, { warn: (w) => ctx.log.log('warning', w) });
  const emit = (e: object) => process.stdout.write(eventJson(e) + '\n');
  const stats = () => emit({ type: 'stats', id, data: cg.stats() });
  if (args.stats) {
    stats();
    return;
  }
  await new Promise<void>((resolve) => {
    const oom = cg.watchOom(() => emit({ type: 'oom', id }));
    const tick = () => {
      if (stopped() || !cg.exists()) {
        clearInterval(timer);
        oom.close();
        resolve();
        return;
      }
      try {
        stats();
      } catch (e) {
        ctx.log.log('error', (e as Error).message);
      }
    };
    const timer = setInterval(tick, interval);
  });
}
