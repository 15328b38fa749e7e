// hullctl load [-i FILE] [-q]: docker archives (classic or OCI-shaped) and OCI layout tars; stdin without -i.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../context';
import { CliError } from '../errors';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const input = argv.input as string | undefined;
  if (input === undefined && process.stdin.isTTY) throw new CliError('requested load from stdin, but stdin is empty', 1, 'ETTY');
  let file = input !== undefined ? path.resolve(input) : '';
  if (input !== undefined && !fs.existsSync(file)) throw new CliError(`open ${input}: no such file or directory`, 1, 'ENOENT');
  try {
    if (input === undefined) {
      fs.mkdirSync(ctx.stateDir, { recursive: true });
      file = path.join(ctx.stateDir, `.load-${process.pid}-${Date.now()}.tar`);
      await pipeline(process.stdin, fs.createWriteStream(file, { mode: 0o600 }));
    }
    const { loaded } = await ctx.client().image<{ loaded: string[] }>('Load', { path: file });
    if (!argv.quiet) for (const l of loaded) process.stdout.write(`${l}\n`);
  } finally {
    if (input === undefined && file) fs.rmSync(file, { force: true });
  }
  return 0;
}
