// hullctl stop [-t SECONDS] [-s SIGNAL]
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { parseSignal } from '../signals';
import { forEachRef, strings } from './common';
import { parseTimeout, stopContainer } from './lifecycle';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const seconds = parseTimeout(argv.time);
  const signal = argv.signal === undefined ? 'SIGTERM' : String(argv.signal);
  parseSignal(signal);
  return forEachRef(strings(argv.containers), async (ref) => {
    await stopContainer(ctx, await resolveContainer(ctx, ref), seconds, signal);
    process.stdout.write(`${ref}\n`);
  });
}
