// hullctl container ls: docker's management-command spelling of ps.
import type { Context } from '../context';
import { FlagError } from '../errors';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const sub = String(argv.verb);
  if (!['ls', 'list', 'ps'].includes(sub)) throw new FlagError(`'container ${sub}' is not a hullctl command: use container ls (the other verbs are top-level: run, rm, ...)`);
  return (require('./ps') as typeof import('./ps')).handler(ctx, argv);
}
