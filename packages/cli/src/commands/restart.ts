// hullctl restart: stop (as stop does), then start again from the same bundle.
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { parseSignal } from '../signals';
import { forEachRef, strings } from './common';
import { parseTimeout, stopContainer } from './lifecycle';
import { startContainer } from './start';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const seconds = parseTimeout(argv.time);
  const signal = argv.signal === undefined ? 'SIGTERM' : String(argv.signal);
  parseSignal(signal);
  return forEachRef(strings(argv.containers), async (ref) => {
    await stopContainer(ctx, await resolveContainer(ctx, ref), seconds, signal);
    await startContainer(ctx, await resolveContainer(ctx, ref));
    process.stdout.write(`${ref}\n`);
  });
}
