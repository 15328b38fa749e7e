// hullctl images / image ls: REPOSITORY TAG IMAGE ID CREATED SIZE, -a, -q,
// --digests, --no-trunc, -f dangling=true|false / reference=PATTERN, and
// --format with docker's {{.Field}} placeholders ("table" prefix for headers).
import type { Context } from '../context';
import { FlagError } from '../errors';
import { ago } from '../format/duration';
import { renderTable } from '../format/table';
import { humanSize } from '../images/progress';
import { strings } from './common';

export interface ImageInfo {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  created: string;
  size: number;
}

interface Row {
  Repository: string;
  Tag: string;
  Digest: string;
  ID: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
}

function rowsOf(images: ImageInfo[], trunc: boolean, now: Date): Row[] {
  const rows: Row[] = [];
  for (const img of images) {
    const id = trunc ? img.id.replace(/^sha256:/, '').slice(0, 12) : img.id;
    const digestOf = (repo: string) => img.repo_digests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
    const base = { ID: id, CreatedSince: ago(new Date(img.created), now), CreatedAt: img.created, Size: humanSize(img.size) };
    if (img.repo_tags.length === 0) {
      const repo = img.repo_digests[0]?.split('@')[0] ?? '<none>';
      rows.push({ Repository: repo, Tag: '<none>', Digest: img.repo_digests[0]?.split('@')[1] ?? '<none>', ...base });
      continue;
    }
    for (const t of img.repo_tags) {
      const colon = t.lastIndexOf(':');
      const repo = t.slice(0, colon);
      rows.push({ Repository: repo, Tag: t.slice(colon + 1), Digest: digestOf(repo), ...base });
    }
  }
  return rows;
}

/** docker's --format: {{.Field}} (and {{json .}}) replaced; "table " adds the header row. */
export function formatRows(format: string, rows: Record<string, string>[], headers: Record<string, string>): string {
  const table = format.startsWith('table');
  const tpl = (table ? format.slice(5).trimStart() : format).replace(/\\t/g, '\t');
  const fill = (r: Record<string, string>) => tpl.replace(/\{\{\s*json\s+\.\s*\}\}/g, () => JSON.stringify(r)).replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, f: string) => {
    if (!(f in r)) throw new FlagError(`template: :1: can't evaluate field ${f}`);
    return r[f]!;
  });
  const lines = rows.map(fill);
  if (table) {
    const head = tpl.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, f: string) => headers[f] ?? f.toUpperCase());
    const cells = [head, ...lines].map((l) => l.split('\t'));
    return renderTable(cells[0]!, cells.slice(1));
  }
  return lines.map((l) => `${l}\n`).join('');
}

function matches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

export async function listImages(ctx: Context, all = false): Promise<ImageInfo[]> {
  return (await ctx.client().image<{ images: ImageInfo[] }>('List', { all })).images;
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  let images = await listImages(ctx, !!argv.all);
  for (const f of strings(argv.filter)) {
    const [key, value = ''] = f.split('=');
    if (key === 'dangling') {
      if (!['true', 'false'].includes(value)) throw new FlagError(`invalid filter 'dangling=${value}': use true or false`);
      images = images.filter((i) => (i.repo_tags.length === 0) === (value === 'true'));
    } else if (key === 'reference') {
      images = images.filter((i) => i.repo_tags.some((t) => matches(value, t) || matches(value, t.slice(0, t.lastIndexOf(':')))));
    } else throw new FlagError(`invalid filter '${f}': dangling=true|false or reference=PATTERN`);
  }
  // images REPOSITORY[:TAG]: the rows of that repository (an image has a row per tag).
  const repoFilter = strings(argv.repository)[0];
  const keepRow = (r: Row) => !repoFilter || `${r.Repository}:${r.Tag}` === repoFilter || r.Repository === repoFilter;
  if (repoFilter) images = images.filter((i) => i.repo_tags.some((t) => t === repoFilter || t.slice(0, t.lastIndexOf(':')) === repoFilter));
  const trunc = !argv.noTrunc;
  if (argv.quiet) {
    const ids = [...new Set(images.map((i) => (trunc ? i.id.replace(/^sha256:/, '').slice(0, 12) : i.id)))];
    process.stdout.write(ids.map((i) => `${i}\n`).join(''));
    return 0;
  }
  const rows = rowsOf(images, trunc, new Date()).filter(keepRow);
  if (argv.format !== undefined) {
    const headers = { Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE' };
    process.stdout.write(formatRows(String(argv.format), rows as unknown as Record<string, string>[], headers));
    return 0;
  }
  const digests = !!argv.digests;
  const headers = ['REPOSITORY', 'TAG', ...(digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  process.stdout.write(renderTable(headers, rows.map((r) => [r.Repository, r.Tag, ...(digests ? [r.Digest] : []), r.ID, r.CreatedSince, r.Size])));
  return 0;
}
