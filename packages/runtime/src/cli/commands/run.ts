import type { Argv } from 'yargs';
import type { Context } from '../main';
import { applyOptions, type Options } from '../options';
import { options as createFlags, createOptions, type CreateArgs } from './create';

export const options: Options = {
  ...createFlags,
  detach: { alias: 'd', type: 'boolean', default: false, describe: 'detach from the container\'s process' },
  keep: { type: 'boolean', default: false, describe: 'do not delete the container after it exits' },
};

export const builder = (y: Argv) => applyOptions(y, options);

export async function handler(ctx: Context, args: CreateArgs & { detach: boolean; keep: boolean }): Promise<number> {
  const { run } = require('../../container/run') as typeof import('../../container/run');
  return run(ctx.store, { ...createOptions(ctx, args), detach: args.detach, keep: args.keep }, ctx.log);
}
