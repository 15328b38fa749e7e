// `hull ps ID [ps args]`: the container's processes, as runc shows them.
import type { Argv } from 'yargs';
import type { Context } from '../main';

/** Options that take a value: main.ts skips them to find where ps's own args start. */
export const VALUE_OPTIONS = new Set(['--format', '-f']);

export const builder = (y: Argv) =>
  y
    .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'select one of: table or json' })
    .positional('ps-args', { type: 'string', array: true, describe: 'arguments for ps (default -ef); put them after --' });

export function handler(ctx: Context, args: { 'container-id': string; format: 'table' | 'json'; 'ps-args'?: string[]; _: (string | number)[] }): void {
  const { ps } = require('../../container/ps') as typeof import('../../container/ps');
  // After "--" (main.ts puts one after the id) yargs leaves the args in _, behind the command name.
  const psArgs = [...(args['ps-args'] ?? []), ...args._.slice(1)].map(String);
  process.stdout.write(ps(ctx.store, args['container-id'], args.format, psArgs));
}
