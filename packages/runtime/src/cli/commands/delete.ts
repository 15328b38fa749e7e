import type { Argv } from 'yargs';
import type { Context } from '../main';
import { applyOptions, type Options } from '../options';

export const options: Options = {
  force: { alias: 'f', type: 'boolean', default: false, describe: 'forcibly deletes the container if it is still running (uses SIGKILL)' },
};

export const builder = (y: Argv) => applyOptions(y, options);

export function handler(ctx: Context, args: { 'container-id': string; force: boolean }): void {
  const { remove } = require('../../container/delete') as typeof import('../../container/delete');
  const { NotFoundError } = require('../../errors') as typeof import('../../errors');
  try {
    remove(ctx.store, args['container-id'], args.force, ctx.log);
  } catch (e) {
    // runc: delete --force of a container that does not exist succeeds.
    if (args.force && e instanceof NotFoundError) return;
    throw e;
  }
}
