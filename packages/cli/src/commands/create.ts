// hullctl create: the container exists, its process waits for `start`.
import type { Context } from '../context';
import { createContainer } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const c = await createContainer(ctx, argv);
  process.stdout.write(`${c.id}\n`);
  return 0;
}
