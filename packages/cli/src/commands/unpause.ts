// hullctl unpause: thaws a paused container.
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { forEachRef, strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  return forEachRef(strings(argv.containers), async (ref) => {
    const c = await resolveContainer(ctx, ref);
    await ctx.client().call('Resume', { id: c.id }, ref);
    process.stdout.write(`${ref}\n`);
  });
}
