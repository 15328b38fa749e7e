import type { Argv } from 'yargs';
import type { Context } from '../main';
import { builder as createBuilder, createOptions, type CreateArgs } from './create';

export const builder = (y: Argv) =>
  createBuilder(y)
    .option('detach', { alias: 'd', type: 'boolean', default: false, describe: 'detach from the container\'s process' })
    .option('keep', { type: 'boolean', default: false, describe: 'do not delete the container after it exits' });

export async function handler(ctx: Context, args: CreateArgs & { detach: boolean; keep: boolean }): Promise<number> {
  const { run } = require('../../container/run') as typeof import('../../container/run');
  return run(ctx.store, { ...createOptions(ctx, args), detach: args.detach, keep: args.keep }, ctx.log);
}
