// `hull ps ID [ps args]`: the container's processes, as runc shows them.
import type { Argv } from 'yargs';
import type { Context } from '../main';
import { applyOptions, type Options } from '../options';

export const options: Options = {
  format: { alias: 'f', type: 'string', choices: ['table', 'json'], default: 'table', describe: 'select one of: table or json' },
};

export const builder = (y: Argv) =>
  applyOptions(y, options)
    .positional('ps-args', { type: 'string', array: true, describe: 'arguments for ps (default -ef); put them after --' });

export function handler(ctx: Context, args: { 'container-id': string; format: 'table' | 'json'; 'ps-args'?: string[]; _: (string | number)[] }): void {
  const { ps } = require('../../container/ps') as typeof import('../../container/ps');
  // After "--" (main.ts puts one after the id) yargs leaves the args in _, behind the command name.
  const psArgs = [...(args['ps-args'] ?? []), ...args._.slice(1)].map(String);
  process.stdout.write(ps(ctx.store, args['container-id'], args.format, psArgs));
}
