import type { Argv } from 'yargs';
import type { Context } from '../main';

export const builder = (y: Argv) =>
  y
    .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'select one of: table or json' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'display only container IDs' });

export function handler(ctx: Context, args: { format: 'table' | 'json'; quiet: boolean }): void {
  const { list, formatTable } = require('../../container/list') as typeof import('../../container/list');
  const rows = list(ctx.store);
  if (args.quiet) process.stdout.write(rows.map((r) => r.id + '\n').join(''));
  else if (args.format === 'json') process.stdout.write(JSON.stringify(rows) + '\n');
  else process.stdout.write(formatTable(rows));
}
