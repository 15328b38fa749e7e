// hullctl inspect: docker's shape of a container, as a JSON array.
import { Status } from '@hull/shim/constants';
import { toDate } from '../client';
import { resolveContainer, type Container } from '../containers';
import { AUTOREMOVE_ANNOTATION, NETWORK_ANNOTATION } from '../annotations';
import { sandboxes, type SandboxMessage } from '../sandbox';
import type { Context } from '../context';
import { containerRow } from '../format/status';
import { CliError, NoSuchContainerError } from '../errors';
import { forEachRef, strings } from './common';

const ZERO = '0001-01-01T00:00:00Z';

export function inspectView(c: Container, sandbox?: SandboxMessage): Record<string, unknown> {
  const row = containerRow(c);
  const spec = c.spec;
  const proc = spec?.process;
  const r = spec?.linux?.resources;
  const info = c.info;
  return {
    Id: c.id,
    Created: row.created.toISOString(),
    Path: proc?.args?.[0] ?? '',
    Args: proc?.args?.slice(1) ?? [],
    State: {
      Status: row.state,
      Running: info.status === Status.RUNNING || info.status === Status.PAUSED,
      Paused: info.status === Status.PAUSED,
      Pid: info.status === Status.STOPPED ? 0 : info.pid,
      ExitCode: info.exit_status,
      StartedAt: toDate(info.started_at)?.toISOString() ?? ZERO,
      FinishedAt: toDate(info.exited_at)?.toISOString() ?? ZERO,
    },
    Name: `/${c.name}`,
    Bundle: info.bundle,
    Runtime: info.runtime,
    LogPath: info.stdout.replace(/^file:\/\//, ''),
    Config: {
      Hostname: spec?.hostname ?? '',
      User: proc ? `${proc.user.uid}:${proc.user.gid}` : '',
      Tty: !!proc?.terminal,
      OpenStdin: !!info.stdin,
      Env: proc?.env ?? [],
      Cmd: proc?.args ?? [],
      WorkingDir: proc?.cwd ?? '',
      Labels: spec?.annotations ?? {},
    },
    HostConfig: {
      AutoRemove: spec?.annotations?.[AUTOREMOVE_ANNOTATION] === 'true',
      ReadonlyRootfs: !!spec?.root.readonly,
      Memory: r?.memory?.limit ?? 0,
      MemorySwap: r?.memory?.swap ?? 0,
      NanoCpus: r?.cpu?.quota && r.cpu.period ? Math.round((r.cpu.quota / r.cpu.period) * 1e9) : 0,
      CpuShares: r?.cpu?.shares ?? 0,
      PidsLimit: r?.pids?.limit ?? null,
      CapAdd: proc?.capabilities?.bounding ?? [],
      NetworkMode: spec?.annotations?.[NETWORK_ANNOTATION] ?? (spec?.linux?.namespaces?.some((n) => n.type === 'network') ? 'none' : 'host'),
    },
    Mounts: (spec?.mounts ?? [])
      .filter((m) => m.type === 'bind' || m.type === 'tmpfs')
      .map((m) => ({ Type: m.type, Source: m.source ?? '', Destination: m.destination, RW: !(m.options ?? []).includes('ro') })),
    NetworkSettings: {
      SandboxKey: sandbox?.netns ?? '',
      Ports: Object.fromEntries((sandbox?.ports ?? []).map((p) => [`${p.container_port}/${p.protocol}`, [{ HostIp: p.host_ip || '0.0.0.0', HostPort: String(p.host_port) }]])),
      Networks: Object.fromEntries((sandbox?.endpoints ?? []).map((e) => [e.network, {
        Aliases: e.aliases, IPAddress: e.ip, IPPrefixLen: e.prefix_length, Gateway: e.gateway, MacAddress: e.mac,
      }])),
    },
  };
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const views: Record<string, unknown>[] = [];
  const code = await forEachRef(strings(argv.containers), async (ref) => {
    let c;
    try {
      c = await resolveContainer(ctx, ref);
    } catch (e) {
      // As docker's: not a container, then an image of that name.
      if (!(e instanceof NoSuchContainerError)) throw e;
      const image = await ctx.client().image<{ json: string }>('Inspect', { ref }).catch(() => undefined);
      if (!image) throw new CliError(`No such object: ${ref}`, 1, 'ENOTFOUND', { ref });
      views.push(JSON.parse(image.json) as Record<string, unknown>);
      return;
    }
    views.push(inspectView(c, (await sandboxes(ctx, [c.id])).get(c.id)));
  });
  process.stdout.write(`${JSON.stringify(views, null, 4)}\n`);
  return code;
}
