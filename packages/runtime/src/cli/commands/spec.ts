import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { Context } from '../main';

export const builder = (y: Argv) =>
  y
    .option('bundle', { alias: 'b', type: 'string', default: '.', describe: 'path to the root of the bundle directory' })
    .option('rootless', { type: 'boolean', default: false, describe: 'generate a configuration for a rootless container' });

export function handler(_ctx: Context, args: { bundle: string; rootless: boolean | string }): void {
  const rootless = args.rootless === true || args.rootless === 'true' || bareRootlessFlag();
  const { defaultSpec } = require('../../spec/defaults') as typeof import('../../spec/defaults');
  const file = path.join(args.bundle, 'config.json');
  if (fs.existsSync(file)) throw new (require('../../errors').UsageError)(`File ${file} exists. Remove it first`);
  fs.writeFileSync(file, JSON.stringify(defaultSpec({ rootless }), null, '\t') + '\n', { mode: 0o666 });
}

/**
 * yargs loses a bare `spec --rootless`: the global --rootless (runc's
 * "true|false|auto" string) shares the name and shadows this boolean. Read it
 * from the command line itself, after the command name.
 */
function bareRootlessFlag(): boolean {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('spec');
  return at >= 0 && argv.slice(at + 1).includes('--rootless');
}
