// `hull events ID`: runc's event stream (stats every --interval, OOM events), or --stats once.
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

export async function handler(ctx: Context, args: { 'container-id': string; interval: string; stats: boolean }): Promise<void> {
  const { events } = require('../../container/events') as typeof import('../../container/events');
  const opts = { intervalMs: parseDuration(args.interval), statsOnly: args.stats };
  await events(ctx.store, args['container-id'], opts, ctx.log, (line) => process.stdout.write(line));
}
