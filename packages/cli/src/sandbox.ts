// What a container gets from the supervisor beside its task: its volumes
// (hull.volumes.v1) and its network sandbox (hull.networks.v1), turned into
// mounts and the network namespace path of the config hullctl writes. The
// one hook into run/create: prepareSandbox before the task is created,
// releaseSandbox when the container is removed.
import path from 'node:path';
import { Status } from '@hull/shim/constants';
import { seedPath } from '@hull/shim/seed';
import { NETWORK_ANNOTATION } from './annotations';
import type { Context } from './context';
import { CliError, FlagError } from './errors';
import { parsePublish, type PortFlag } from './spec/ports';
import type { Mount } from '@hull/runtime/spec';
import type { ContainerSpec as Spec } from './spec/defaults';
import { parseMountFlag, parseVolumeFlag } from './spec/volumes';

const VOLUMES = 'hull.volumes.v1.Volumes';
const NETWORKS = 'hull.networks.v1.Networks';

export interface SandboxFlags {
  volume: string[];
  mount: string[];
  network: string;
  networkAlias: string[];
  ip?: string;
  publish: string[];
}

export interface PortMessage {
  host_ip: string;
  host_port: number;
  container_port: number;
  protocol: string;
}

export interface SandboxMessage {
  container_id: string;
  container_name: string;
  netns: string;
  hosts_path: string;
  resolv_conf_path: string;
  endpoints: { network: string; ip: string; prefix_length: number; gateway: string; mac: string; ifname: string; aliases: string[] }[];
  ports: PortMessage[];
  check_errors: Record<string, string>;
}

/** The -p flags, checked against the network mode, and the mount points, checked for duplicates, before anything is made. */
export function checkSandboxFlags(f: SandboxFlags): PortFlag[] {
  const seen = new Set<string>();
  for (const r of [...f.volume.map(parseVolumeFlag), ...f.mount.map(parseMountFlag)]) {
    const dest = path.normalize(r.kind === 'volume' ? r.destination : r.mount.destination).replace(/(.)\/+$/, '$1');
    if (seen.has(dest)) throw new FlagError(`Duplicate mount point: ${dest}`);
    seen.add(dest);
  }
  const ports = f.publish.flatMap(parsePublish);
  const mode = f.network;
  if (ports.length && (mode === 'none' || mode === 'host' || mode.startsWith('container:'))) {
    throw new FlagError(`conflicting options: port publishing and the container type network mode (--network ${mode})`);
  }
  if (f.networkAlias.length && (mode === 'none' || mode === 'host' || mode === 'bridge' || mode.startsWith('container:'))) {
    throw new FlagError('network-scoped aliases are only supported for user-defined networks');
  }
  if (f.ip && (mode === 'none' || mode === 'host' || mode.startsWith('container:'))) throw new FlagError(`--ip needs a network with a bridge, not --network ${mode}`);
  if (mode === 'container:') throw new FlagError('invalid --network "container:": a container name or id is expected after "container:"');
  return ports;
}

function bind(destination: string, source: string, readonly = false): Mount {
  return { destination, type: 'bind', source, options: ['rbind', 'rprivate', readonly ? 'ro' : 'rw'] };
}

/** The sandbox's /etc/hosts and /etc/resolv.conf, where the user's own -v does not cover them (docker's rule too). */
function etcBinds(spec: Spec, sb: SandboxMessage): Mount[] {
  const mine = new Set((spec.mounts ?? []).map((m) => path.normalize(m.destination)));
  return [bind('/etc/hosts', sb.hosts_path), bind('/etc/resolv.conf', sb.resolv_conf_path)].filter((m) => !mine.has(m.destination));
}

function setNetworkNamespace(spec: Spec, nsPath: string): void {
  const linux = (spec.linux ??= {});
  linux.namespaces = [...(linux.namespaces ?? []).filter((n) => n.type !== 'network'), { type: 'network', path: nsPath }];
}

/** Where a new volume gets its first content: a directory, or a path inside an image's layers (top first). */
export interface Seed {
  seed_from?: string;
  seed_layers?: string[];
  seed_path?: string;
}

/**
 * Takes the container's volumes and makes its network sandbox, adding the
 * mounts and namespace path to `spec`. Returns the undo for a create that
 * fails later; on its own failure it has undone what it did. `seedFrom` says
 * where a new volume at a destination gets the image's content from: by
 * default the rootfs directory's; for an image, its layers (see Seed).
 */
export async function prepareSandbox(
  ctx: Context, id: string, name: string, spec: Spec, f: SandboxFlags,
  seedFrom: (destination: string) => Seed = (d) => ({ seed_from: seedPath(spec.root.path, d) }),
): Promise<() => Promise<void>> {
  const requests = [...f.volume.map(parseVolumeFlag), ...f.mount.map(parseMountFlag)];
  const ports = checkSandboxFlags(f);
  const client = ctx.client();
  const undo = () => releaseSandbox(ctx, id, true);
  const mounts: Mount[] = [];
  try {
    for (const r of requests) {
      if (r.kind !== 'volume') continue;
      const v = await client.service<{ mountpoint: string }>(VOLUMES, 'Acquire', { container_id: id, name: r.name, ...seedFrom(r.destination) });
      mounts.push(bind(r.destination, v.mountpoint, r.readonly));
    }
    const mode = f.network;
    if (mode.startsWith('container:')) {
      const ref = mode.slice('container:'.length);
      const { resolveContainer } = require('./containers') as typeof import('./containers');
      const other = await resolveContainer(ctx, ref);
      if (other.info.status !== Status.RUNNING && other.info.status !== Status.PAUSED) throw new CliError(`cannot join network of a non running container: ${ref}`, 125, 'ESTATUS');
      const res = await client.service<{ sandboxes: SandboxMessage[] }>(NETWORKS, 'Sandboxes', { container_ids: [other.id] });
      const sb = res.sandboxes[0];
      setNetworkNamespace(spec, sb?.netns ?? `/proc/${other.info.pid}/ns/net`);
      if (sb) mounts.push(...etcBinds(spec, sb));
    } else if (mode !== 'none' && mode !== 'host') {
      const sb = await client.service<SandboxMessage>(NETWORKS, 'Attach', {
        container_id: id, container_name: name, hostname: spec.hostname ?? '', network: mode, aliases: f.networkAlias, ip: f.ip ?? '',
        ports: ports.map((p) => ({ host_ip: p.hostIP, host_port: p.hostPort, container_port: p.containerPort, protocol: p.protocol })),
      });
      setNetworkNamespace(spec, sb.netns);
      mounts.push(...etcBinds(spec, sb));
    }
  } catch (e) {
    await undo().catch(() => undefined);
    // docker run's own failures exit 125, whatever the daemon's code ("network nope not found").
    if (e instanceof CliError && e.exitCode !== 125) throw new CliError(e.message, 125, e.code, e.context, { cause: e });
    throw e;
  }
  spec.annotations = { ...spec.annotations, [NETWORK_ANNOTATION]: f.network };
  spec.mounts = [...(spec.mounts ?? []), ...mounts];
  return undo;
}

/** Gives the container's volumes back (its anonymous ones removed when asked) and tears its sandbox down. */
export async function releaseSandbox(ctx: Context, id: string, removeAnonymous: boolean): Promise<void> {
  const client = ctx.client();
  let first: unknown;
  await client.service(NETWORKS, 'Detach', { container_id: id }).catch((e) => (first ??= e));
  await client.service(VOLUMES, 'Release', { container_id: id, remove_anonymous: removeAnonymous }).catch((e) => (first ??= e));
  if (first) throw first;
}

/** Every sandbox (or those of `ids`), by container id. */
export async function sandboxes(ctx: Context, ids: string[] = []): Promise<Map<string, SandboxMessage>> {
  const res = await ctx.client().service<{ sandboxes: SandboxMessage[] }>(NETWORKS, 'Sandboxes', { container_ids: ids });
  return new Map(res.sandboxes.map((s) => [s.container_id, s]));
}

export { VOLUMES, NETWORKS, seedPath };
