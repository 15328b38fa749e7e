// hullctl push NAME[:TAG]: uploads the layers the registry lacks, then the manifest.
import type { Context } from '../context';
import { getAuth } from '../images/auth';
import { ProgressPrinter, type ProgressMessage } from '../images/progress';
import { parseRef } from '../images/refs';
import { strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const name = strings(argv.name)[0]!;
  const ref = parseRef(name);
  const printer = new ProgressPrinter(process.stdout, !!process.stdout.isTTY);
  if (!argv.quiet && !ref.tag && !ref.digest) process.stdout.write('Using default tag: latest\n');
  const auth = getAuth(ref.registry);
  await ctx.client().imageStream<ProgressMessage>('Push', { ref: name, auth: auth ?? undefined }, (m) => { if (!argv.quiet) printer.update(m); });
  return 0;
}
