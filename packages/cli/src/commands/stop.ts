// hullctl stop [-t SECONDS] [-s SIGNAL]
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { STOP_SIGNAL_ANNOTATION } from '../annotations';
import { parseSignal } from '../signals';
import { forEachRef, strings } from './common';
import { parseTimeout, stopContainer } from './lifecycle';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const seconds = parseTimeout(argv.time);
  if (argv.signal !== undefined) parseSignal(String(argv.signal));
  return forEachRef(strings(argv.containers), async (ref) => {
    const c = await resolveContainer(ctx, ref);
    // -s, else the image's StopSignal, else SIGTERM (as docker).
    const signal = argv.signal !== undefined ? String(argv.signal) : c.spec?.annotations?.[STOP_SIGNAL_ANNOTATION] ?? 'SIGTERM';
    await stopContainer(ctx, c, seconds, signal);
    process.stdout.write(`${ref}\n`);
  });
}
