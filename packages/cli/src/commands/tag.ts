// hullctl tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]
import type { Context } from '../context';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  await ctx.client().image('Tag', { source: String(argv.source), target: String(argv.target) });
  return 0;
}
