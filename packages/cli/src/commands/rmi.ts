// hullctl rmi / image rm [-f] IMAGE...: docker's Untagged:/Deleted: lines.
import type { Context } from '../context';
import { forEachRef, strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  return forEachRef(strings(argv.images), async (ref) => {
    const res = await ctx.client().image<{ untagged: string[]; deleted: string[] }>('Remove', { ref, force: !!argv.force });
    for (const u of res.untagged) process.stdout.write(`Untagged: ${u}\n`);
    for (const d of res.deleted) process.stdout.write(`Deleted: ${d}\n`);
  });
}
