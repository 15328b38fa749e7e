// hullctl import [-c CHANGE]... [-m MESSAGE] [--platform P] FILE|URL|- [REPOSITORY[:TAG]]:
// a tarball as a one-layer image; prints its ID. A file or stdin is read by
// the supervisor from this host (stdin through a scratch file), a URL is
// fetched by the supervisor.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../context';
import { CliError, daemonError } from '../errors';
import { strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  // yargs reads a lone "-" positional as `true`.
  const source = argv.file === true ? '-' : String(argv.file);
  const fromStdin = source === '-';
  const url = /^https?:\/\//i.test(source);
  let file = fromStdin || url ? source : path.resolve(source);
  if (!fromStdin && !url && !fs.existsSync(file)) throw new CliError(`open ${source}: no such file or directory`, 1, 'ENOENT');
  try {
    if (fromStdin) {
      fs.mkdirSync(ctx.stateDir, { recursive: true });
      file = path.join(ctx.stateDir, `.import-${process.pid}-${Date.now()}.tar`);
      await pipeline(process.stdin, fs.createWriteStream(file, { mode: 0o600 }));
    }
    const { image_id } = await ctx.client().image<{ image_id: string }>('Import', {
      source: file,
      ref: argv.repository === undefined ? '' : String(argv.repository),
      changes: strings(argv.change),
      message: (argv.message as string | undefined) ?? '',
      platform: (argv.platform as string | undefined) ?? '',
      label: fromStdin ? '-' : source,
    });
    process.stdout.write(`${image_id}\n`);
  } catch (e) {
    throw daemonError(e);
  } finally {
    if (fromStdin) fs.rmSync(file, { force: true });
  }
  return 0;
}
