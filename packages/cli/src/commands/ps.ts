// hullctl ps: docker's table (CONTAINER ID, COMMAND, CREATED, STATUS, PORTS, NAMES), -q, --format json.
import { Status } from '@hull/shim/constants';
import { listContainers, type Container } from '../containers';
import type { Context } from '../context';
import { FlagError } from '../errors';
import { ago } from '../format/duration';
import { ellipsis, renderTable } from '../format/table';
import { containerRow, statusText } from '../format/status';
import { shortId } from '../ids';
import { sandboxes } from '../sandbox';
import { formatPort } from '../spec/ports';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const format = argv.format === undefined ? 'table' : String(argv.format);
  if (!['table', 'json'].includes(format)) throw new FlagError(`unsupported --format "${format}": use table or json`);
  const now = new Date();
  const all = await listContainers(ctx);
  const shown = all
    .filter((c) => argv.all || c.info.status === Status.RUNNING || c.info.status === Status.PAUSED || c.info.status === Status.PAUSING)
    .map((c) => containerRow(c))
    .sort((a, b) => b.created.getTime() - a.created.getTime());
  const trunc = !argv.noTrunc;
  const id = (c: Container) => (trunc ? shortId(c.id) : c.id);
  if (argv.quiet) {
    process.stdout.write(shown.map((r) => `${id(r.container)}\n`).join(''));
    return 0;
  }
  // docker shows a container's published ports while it runs.
  const boxes = shown.length ? await sandboxes(ctx) : new Map();
  const ports = (r: (typeof shown)[number]) => (r.state === 'running' || r.state === 'paused'
    ? (boxes.get(r.container.id)?.ports ?? []).map((p: { host_ip: string; host_port: number; container_port: number; protocol: string }) =>
      formatPort({ hostIP: p.host_ip, hostPort: p.host_port, containerPort: p.container_port, protocol: p.protocol })).join(', ')
    : '');
  if (format === 'json') {
    for (const r of shown) {
      process.stdout.write(
        JSON.stringify({
          Command: JSON.stringify(r.command),
          CreatedAt: r.created.toISOString(),
          ID: id(r.container),
          Names: r.container.name,
          Ports: ports(r),
          RunningFor: ago(r.created, now),
          State: r.state,
          Status: statusText(r, now),
        }) + '\n',
      );
    }
    return 0;
  }
  const rows = shown.map((r) => [
    id(r.container),
    JSON.stringify(trunc ? ellipsis(r.command, 20) : r.command),
    ago(r.created, now),
    statusText(r, now),
    ports(r),
    r.container.name,
  ]);
  process.stdout.write(renderTable(['CONTAINER ID', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], rows));
  return 0;
}
