// hullctl image inspect IMAGE...: docker's JSON array (and -f with {{.Field}} paths).
import type { Context } from '../context';
import { CliError } from '../errors';
import { strings } from './common';

/** {{.Config.Cmd}} and {{json .Config}} over a document. */
export function template(format: string, doc: unknown): string {
  const get = (p: string) => p.split('.').filter(Boolean).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
  const show = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : v === undefined || v === null ? '<no value>' : typeof v === 'object' ? `map[${Object.entries(v as object).map(([k, x]) => `${k}:${String(x)}`).join(' ')}]` : String(v));
  return format
    .replace(/\{\{\s*json\s+(\.[\w.]*)\s*\}\}/g, (_m, p: string) => JSON.stringify(get(p) ?? null))
    .replace(/\{\{\s*(\.[\w.]*)\s*\}\}/g, (_m, p: string) => show(get(p)));
}

export async function inspectImages(ctx: Context, names: string[], format?: string): Promise<number> {
  const docs: unknown[] = [];
  let code = 0;
  for (const n of names) {
    try {
      docs.push(JSON.parse((await ctx.client().image<{ json: string }>('Inspect', { ref: n })).json));
    } catch (e) {
      if (e instanceof CliError && e.code === 'ENOTFOUND') {
        process.stderr.write(`Error: No such image: ${n}\n`);
        code = 1;
      } else throw e;
    }
  }
  if (format !== undefined) process.stdout.write(docs.map((d) => `${template(format, d)}\n`).join(''));
  else process.stdout.write(`${JSON.stringify(docs, null, 4)}\n`);
  return code;
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  return inspectImages(ctx, strings(argv.images), argv.format as string | undefined);
}
