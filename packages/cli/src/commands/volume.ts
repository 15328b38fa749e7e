// hullctl volume create|ls|inspect|rm|prune: the supervisor's hull.volumes.v1 service, docker's output.
import type { Context } from '../context';
import { FlagError } from '../errors';
import { renderTable } from '../format/table';
import { VOLUMES } from '../sandbox';
import { confirm, forEachName, labels } from './objects';
import { strings } from './common';

interface Volume {
  name: string;
  driver: string;
  mountpoint: string;
  labels: Record<string, string>;
  created_at: string;
  anonymous: boolean;
  used_by: string[];
}

function dockerView(v: Volume): Record<string, unknown> {
  return { CreatedAt: v.created_at, Driver: v.driver, Labels: v.labels, Mountpoint: v.mountpoint, Name: v.name, Options: {}, Scope: 'local', UsedBy: v.used_by };
}

/** --filter dangling=true|false (the one filter hullctl knows). */
function danglingFilter(filters: string[]): boolean | undefined {
  let dangling: boolean | undefined;
  for (const f of filters) {
    const m = /^dangling=(true|false|1|0)$/i.exec(f);
    if (!m) throw new FlagError(`invalid filter '${f}': only dangling=true|false is supported`);
    dangling = ['true', '1'].includes(m[1]!.toLowerCase());
  }
  return dangling;
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const call = <T>(method: string, req: Record<string, unknown>) => ctx.client().service<T>(VOLUMES, method, req);
  switch (argv.subcommand) {
    case 'create': {
      const v = await call<Volume>('Create', { name: argv.name === undefined ? '' : String(argv.name), labels: labels(strings(argv.label)) });
      process.stdout.write(`${v.name}\n`);
      return 0;
    }
    case 'ls': {
      const format = argv.format === undefined ? 'table' : String(argv.format);
      if (!['table', 'json'].includes(format)) throw new FlagError(`unsupported --format "${format}": use table or json`);
      const dangling = danglingFilter(strings(argv.filter));
      const { volumes } = await call<{ volumes: Volume[] }>('List', { dangling_only: dangling === true });
      const shown = dangling === false ? volumes.filter((v) => v.used_by.length > 0) : volumes;
      if (argv.quiet) process.stdout.write(shown.map((v) => `${v.name}\n`).join(''));
      else if (format === 'json') process.stdout.write(shown.map((v) => `${JSON.stringify(dockerView(v))}\n`).join(''));
      else process.stdout.write(renderTable(['DRIVER', 'VOLUME NAME'], shown.map((v) => [v.driver, v.name])));
      return 0;
    }
    case 'inspect': {
      const out: Record<string, unknown>[] = [];
      const code = await forEachName(strings(argv.names), async (name) => {
        out.push(dockerView(await call<Volume>('Inspect', { name })));
      });
      process.stdout.write(`${JSON.stringify(out, null, 4)}\n`);
      return code;
    }
    case 'rm':
      return forEachName(strings(argv.names), async (name) => {
        try {
          await call('Remove', { name });
        } catch (e) {
          if (!(argv.force && /no such volume/.test((e as Error).message))) throw e;
        }
        process.stdout.write(`${name}\n`);
      });
    case 'prune': {
      const what = argv.all ? 'all local volumes not used by at least one container' : 'anonymous local volumes not used by at least one container';
      if (!argv.force && !(await confirm(`WARNING! This will remove ${what}.`))) return 0;
      const res = await call<{ removed: string[]; space_reclaimed: number }>('Prune', { all: !!argv.all });
      if (res.removed.length) process.stdout.write(`Deleted Volumes:\n${res.removed.map((n) => `${n}\n`).join('')}\n`);
      process.stdout.write(`Total reclaimed space: ${bytes(res.space_reclaimed)}\n`);
      return 0;
    }
    default:
      throw new FlagError(`unknown volume command ${String(argv.subcommand)}`);
  }
}

function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v}B` : `${Number(v.toPrecision(3))}${units[i]}`;
}
