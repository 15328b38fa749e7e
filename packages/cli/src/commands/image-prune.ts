// hullctl image prune [-a] [-f]: dangling images (or, with -a, every image no container uses).
import readline from 'node:readline/promises';
import type { Context } from '../context';
import { humanSize } from '../images/progress';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  if (!argv.force) {
    const what = argv.all ? 'all images without at least one container associated to them' : 'all dangling images';
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) return 0;
  }
  const res = await ctx.client().image<{ deleted: string[]; reclaimed: number }>('Prune', { all: !!argv.all });
  if (res.deleted.length) {
    process.stdout.write('Deleted Images:\n');
    for (const d of res.deleted) process.stdout.write(`${d}\n`);
    process.stdout.write('\n');
  }
  process.stdout.write(`Total reclaimed space: ${humanSize(res.reclaimed)}\n`);
  return 0;
}
