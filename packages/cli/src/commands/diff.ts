// hullctl diff CONTAINER: A/C/D lines, as docker prints them.
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError } from '../errors';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const c = await resolveContainer(ctx, String(argv.container));
  try {
    const { changes } = await ctx.client().image<{ changes: { kind: string; path: string }[] }>('Diff', { container_id: c.id });
    process.stdout.write(changes.map((ch) => `${ch.kind} ${ch.path}\n`).join(''));
  } catch (e) {
    if (e instanceof CliError && e.code === 'ENOTFOUND') throw new CliError(`container ${c.name} was not made from an image (--rootfs or --bundle): it has no changes to show`, 1, 'ENOTFOUND');
    throw e;
  }
  return 0;
}
