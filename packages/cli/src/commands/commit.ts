// hullctl commit [-m] [-a] [-c INSTRUCTION] CONTAINER [REPOSITORY[:TAG]]:
// the container's upper dir as a new layer; prints the new image's ID.
import { Status as STATUS } from '@hull/shim/constants';
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError } from '../errors';
import { strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const c = await resolveContainer(ctx, String(argv.container));
  const args = c.spec?.process?.args ?? [];
  // docker pauses a running container while its changes are read (--pause, default true).
  const pause = argv.pause !== false && c.info.status === STATUS.RUNNING;
  if (pause) await ctx.client().call('Pause', { id: c.id }, c.name);
  try {
    const { image_id } = await ctx.client().image<{ image_id: string }>('Commit', {
      container_id: c.id,
      ref: argv.repository === undefined ? '' : String(argv.repository),
      message: (argv.message as string | undefined) ?? '',
      author: (argv.author as string | undefined) ?? '',
      changes: strings(argv.change),
      created_by: args.join(' '),
    });
    process.stdout.write(`${image_id}\n`);
  } catch (e) {
    if (e instanceof CliError && e.code === 'ENOTFOUND' && /snapshot/.test(e.message)) {
      throw new CliError(`container ${c.name} was not made from an image (--rootfs or --bundle): nothing to commit`, 1, 'ENOTFOUND');
    }
    throw e;
  } finally {
    if (pause) await ctx.client().call('Resume', { id: c.id }, c.name).catch(() => undefined);
  }
  return 0;
}
