// hullctl save [-o FILE] IMAGE...: the supervisor writes the archive (docker
// 25's layout: OCI with docker's manifest.json); without -o it goes to stdout.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../context';
import { CliError, FlagError } from '../errors';
import { strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const images = strings(argv.images);
  const output = argv.output as string | undefined;
  const format = (argv.format as string | undefined) ?? 'docker-archive';
  if (!['docker-archive', 'oci-archive'].includes(format)) throw new FlagError(`invalid --format "${format}": use docker-archive or oci-archive`);
  if (output === undefined && process.stdout.isTTY) {
    throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1, 'ETTY');
  }
  const file = output !== undefined ? path.resolve(output) : path.join(ctx.stateDir, `.save-${process.pid}-${Date.now()}.tar`);
  if (output === undefined) fs.mkdirSync(ctx.stateDir, { recursive: true });
  try {
    await ctx.client().image('Save', { refs: images, path: file, format });
    if (output === undefined) await pipeline(fs.createReadStream(file), process.stdout, { end: false });
  } finally {
    if (output === undefined) fs.rmSync(file, { force: true });
  }
  return 0;
}
