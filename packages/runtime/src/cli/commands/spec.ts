import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { Context } from '../main';

export const builder = (y: Argv) =>
  y
    .option('bundle', { alias: 'b', type: 'string', default: '.', describe: 'path to the root of the bundle directory' })
    .option('rootless', { type: 'boolean', default: false, describe: 'generate a configuration for a rootless container' });

export function handler(_ctx: Context, args: { bundle: string; rootless: boolean }): void {
  const { defaultSpec } = require('../../spec/defaults') as typeof import('../../spec/defaults');
  const file = path.join(args.bundle, 'config.json');
  if (fs.existsSync(file)) throw new (require('../../errors').UsageError)(`File ${file} exists. Remove it first`);
  fs.writeFileSync(file, JSON.stringify(defaultSpec({ rootless: args.rootless }), null, '\t') + '\n', { mode: 0o666 });
}
