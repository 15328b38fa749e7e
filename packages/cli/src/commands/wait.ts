// hullctl wait: blocks until each container stops; prints its exit code.
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { forEachRef, strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  return forEachRef(strings(argv.containers), async (ref) => {
    const c = await resolveContainer(ctx, ref);
    const { exit_status } = await ctx.client().call<{ exit_status: number }>('Wait', { id: c.id }, ref);
    process.stdout.write(`${exit_status}\n`);
  });
}
