// hullctl kill [-s SIGNAL]: SIGKILL by default, to the container's main process.
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError } from '../errors';
import { parseSignal } from '../signals';
import { forEachRef, strings } from './common';
import { isRunning } from './lifecycle';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const signal = parseSignal(argv.signal === undefined ? 'KILL' : String(argv.signal));
  return forEachRef(strings(argv.containers), async (ref) => {
    const c = await resolveContainer(ctx, ref);
    if (!isRunning(c)) throw new CliError(`Cannot kill container: ${ref}: container ${c.id} is not running`, 1, 'ESTATUS');
    await ctx.client().call('Kill', { id: c.id, signal }, ref);
    process.stdout.write(`${ref}\n`);
  });
}
