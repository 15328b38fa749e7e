import type { Argv } from 'yargs';
import type { Context } from '../main';
import { applyOptions, type Options } from '../options';

export const options: Options = {
  all: { alias: 'a', type: 'boolean', default: false, describe: 'send the specified signal to all processes inside the container' },
};

export const builder = (y: Argv) => applyOptions(y, options);

export function handler(ctx: Context, args: { 'container-id': string; signal?: string | number; all: boolean }): void {
  const { parseSignal } = require('@hull/sys/signals') as typeof import('@hull/sys/signals');
  const { kill } = require('../../container/kill') as typeof import('../../container/kill');
  const signal = parseSignal(args.signal === undefined ? 'SIGTERM' : String(args.signal));
  kill(ctx.store, args['container-id'], signal, args.all);
}
