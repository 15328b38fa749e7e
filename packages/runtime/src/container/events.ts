// `hull events`: runc's event stream. `stats` prints one stats event;
// otherwise stats every interval and an "oom" event on each OOM kill, one
// JSON object per line, until the container stops.
import { openCgroupManager } from '../cgroups';
import { UsageError } from '../errors';
import type { Log } from '../log';
import type { StateStore } from '../state/store';
import { statusOf } from './status';

export interface EventsOptions {
  /** Milliseconds between stats events. */
  intervalMs: number;
  /** One stats event, then return. */
  statsOnly: boolean;
}

export async function events(store: StateStore, id: string, opts: EventsOptions, log: Log, write: (line: string) => void): Promise<void> {
  const rec = store.read(id);
  const stopped = () => statusOf(store, rec) === 'stopped';
  if (stopped()) throw new UsageError(`container "${id}" is not running`, { id });
  const cg = openCgroupManager(rec.cgroupPaths, { warn: (w) => log.warn(w) });
  const emit = (e: object) => write(eventJson(e) + '\n');
  const stats = () => emit({ type: 'stats', id, data: cg.stats() });
  if (opts.statsOnly) {
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
        log.error((e as Error).message);
      }
    };
    const timer = setInterval(tick, opts.intervalMs);
  });
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
