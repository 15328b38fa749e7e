// hullctl export [-o FILE] CONTAINER: the container's flat filesystem as a
// tar, written by the supervisor (as save does); without -o it goes to stdout.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { IMAGE_ID_ANNOTATION } from '../annotations';
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError, daemonError } from '../errors';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const output = argv.output as string | undefined;
  if (output === undefined && process.stdout.isTTY) {
    throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1, 'ETTY');
  }
  const c = await resolveContainer(ctx, String(argv.container));
  // A container made from an image is its snapshot; one made with --rootfs or --bundle is its root directory.
  const root = c.spec?.root?.path;
  const rootfs = c.spec?.annotations?.[IMAGE_ID_ANNOTATION] || !root || !c.info.bundle ? '' : path.resolve(c.info.bundle, root);
  const file = output !== undefined ? path.resolve(output) : path.join(ctx.stateDir, `.export-${process.pid}-${Date.now()}.tar`);
  if (output === undefined) fs.mkdirSync(ctx.stateDir, { recursive: true });
  try {
    await ctx.client().image('Export', { container_id: c.id, path: file, rootfs });
    if (output === undefined) await pipeline(fs.createReadStream(file), process.stdout, { end: false });
  } catch (e) {
    throw daemonError(e);
  } finally {
    if (output === undefined) fs.rmSync(file, { force: true });
  }
  return 0;
}
