// hullctl rm [-f] [-v]: removes stopped (or, with -f, killed) containers with their bundles (-v: and their anonymous volumes).
import { Status } from '@hull/shim/constants';
import { removeContainer, resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError } from '../errors';
import { forEachRef, strings } from './common';
import { isRunning } from './lifecycle';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  return forEachRef(strings(argv.containers), async (ref) => {
    const c = await resolveContainer(ctx, ref);
    if (isRunning(c)) {
      if (!argv.force) {
        throw new CliError(`cannot remove container "${c.name}": container is running: stop the container before removing or force remove`, 1, 'ESTATUS');
      }
      const client = ctx.client();
      const waited = client.call('Wait', { id: c.id }, ref);
      await client.call('Kill', { id: c.id, signal: 9, all: true }, ref);
      if (c.info.status !== Status.RUNNING) await client.call('Resume', { id: c.id }, ref).catch(() => undefined);
      await waited;
    }
    await removeContainer(ctx, c, !!argv.volumes);
    process.stdout.write(`${ref}\n`);
  });
}
