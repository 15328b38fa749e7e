// hullctl pull [--platform] [-q] NAME[:TAG|@DIGEST]: docker's output, progress
// bars on a terminal; credentials from `hullctl login`.
import type { Context } from '../context';
import { getAuth } from '../images/auth';
import { ProgressPrinter, type ProgressMessage } from '../images/progress';
import { formatReference, withDefaultTag } from '@hull/images/reference';
import { parseRef } from '../images/refs';
import { strings } from './common';

export interface PullOptions {
  platform?: string;
  quiet?: boolean;
  /** Where the progress goes (run/create print it on stderr, as docker does). */
  out?: NodeJS.WriteStream;
}

/** Pulls through the supervisor; returns the image id. */
export async function pullImage(ctx: Context, name: string, o: PullOptions = {}): Promise<string> {
  const ref = parseRef(name);
  const out = o.out ?? process.stdout;
  const printer = new ProgressPrinter(out, !!out.isTTY);
  if (!o.quiet && !ref.tag && !ref.digest) out.write('Using default tag: latest\n');
  const auth = getAuth(ref.registry);
  const last = await ctx.client().imageStream<ProgressMessage & { image_id: string }>('Pull', {
    ref: name, platform: o.platform ?? '', auth: auth ? { username: auth.username, password: auth.password } : undefined,
  }, (m) => { if (!o.quiet) printer.update(m); });
  return last?.image_id ?? '';
}

export function canonical(name: string): string {
  const r = parseRef(name);
  return formatReference(r.digest ? { ...r, tag: undefined } : withDefaultTag(r));
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const name = strings(argv.name)[0]!;
  const o = { platform: argv.platform as string | undefined, quiet: !!argv.quiet };
  if (argv.allTags) {
    // docker pull -a: every tag of the repository.
    const ref = parseRef(name);
    const auth = getAuth(ref.registry);
    const { tags } = await ctx.client().image<{ tags: string[] }>('Tags', { repository: name, auth: auth ?? undefined });
    for (const t of tags) await pullImage(ctx, `${name}:${t}`, o);
    process.stdout.write(`${canonical(name).replace(/:latest$/, '')}\n`);
    return 0;
  }
  await pullImage(ctx, name, o);
  process.stdout.write(`${canonical(name)}\n`);
  return 0;
}
