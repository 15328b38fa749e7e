// hullctl history IMAGE: IMAGE CREATED CREATED BY SIZE COMMENT, newest first.
import type { Context } from '../context';
import { ago } from '../format/duration';
import { ellipsis, renderTable } from '../format/table';
import { humanSize } from '../images/progress';

interface Entry {
  id: string;
  created: string;
  created_by: string;
  size: number;
  comment: string;
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const { entries } = await ctx.client().image<{ entries: Entry[] }>('History', { ref: String(argv.image) });
  const trunc = !argv.noTrunc;
  const id = (e: Entry) => (e.id === '<missing>' ? e.id : trunc ? e.id.replace(/^sha256:/, '').slice(0, 12) : e.id);
  if (argv.quiet) {
    process.stdout.write(entries.map((e) => `${id(e)}\n`).join(''));
    return 0;
  }
  const now = new Date();
  // -H=false: dates and sizes as they are (RFC 3339, bytes), as docker.
  const human = argv.human !== false;
  const rows = entries.map((e) => [
    id(e),
    !e.created ? '' : human ? ago(new Date(e.created), now) : e.created,
    trunc ? ellipsis(e.created_by, 45) : e.created_by,
    human ? humanSize(e.size) : String(e.size),
    e.comment,
  ]);
  process.stdout.write(renderTable(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows));
  return 0;
}
