// What run, create, start and restart share: turning flags into a container
// (bundle, name, task) and running an attached process to its end.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { attach } from '../attach';
import { createTask, isAlive, removeContainer, startFailure, store, type Container } from '../containers';
import { AUTOREMOVE_ANNOTATION, CREATED_ANNOTATION, EXPOSED_PORTS_ANNOTATION, IMAGE_ANNOTATION, IMAGE_ID_ANNOTATION, INTERACTIVE_ANNOTATION, STOP_SIGNAL_ANNOTATION } from '../annotations';
import type { RootfsMount } from '../containers';
import type { Context } from '../context';
import { checkName, generateName, newId } from '../ids';
import { buildSpec, layerWith, type ImageSource, type ImageRuntimeConfig, type RunFlags } from '../spec/build';
import { etcFiles } from '../spec/etc';
import { ensureVolumeSource } from '../spec/mounts';
import { checkSandboxFlags, prepareSandbox, type SandboxFlags } from '../sandbox';
import { parsePublish } from '../spec/ports';
import { parseMountFlag, parseVolumeFlag, type MountRequest } from '../spec/volumes';
import { STDERR_LOG, STDIN_FIFO, STDOUT_LOG } from '../store';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../tty';
import type { TaskInfo } from '@hull/shim/messages';
import { CliError, FlagError, SupervisorDownError } from '../errors';
import type { ContainerSpec } from '../spec/defaults';

export function strings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function optString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return String(Array.isArray(v) ? v[v.length - 1] : v);
}

export function sandboxFlags(argv: Record<string, unknown>): SandboxFlags {
  return {
    volume: strings(argv.volume),
    mount: strings(argv.mount),
    network: optString(argv.network) ?? 'none',
    networkAlias: strings(argv.networkAlias),
    ip: optString(argv.ip),
    publish: strings(argv.publish),
  };
}

export function runFlags(argv: Record<string, unknown>, id: string, name: string): RunFlags {
  return {
    id,
    name,
    command: strings(argv.command),
    entrypoint: optString(argv.entrypoint),
    tty: !!argv.tty,
    interactive: !!argv.interactive,
    env: strings(argv.env),
    envFile: strings(argv.envFile),
    workdir: optString(argv.workdir),
    user: optString(argv.user),
    volume: strings(argv.volume),
    mount: strings(argv.mount),
    tmpfs: strings(argv.tmpfs),
    hostname: optString(argv.hostname),
    readOnly: !!argv.readOnly,
    memory: optString(argv.memory),
    memorySwap: optString(argv.memorySwap),
    cpus: optString(argv.cpus),
    cpuShares: optString(argv.cpuShares),
    pidsLimit: optString(argv.pidsLimit),
    capAdd: strings(argv.capAdd),
    capDrop: strings(argv.capDrop),
    privileged: !!argv.privileged,
    network: optString(argv.network) ?? 'none',
    rootfs: optString(argv.rootfs),
    bundle: optString(argv.bundle),
  };
}

/** docker refuses -it when our stdin is not a terminal. */
export function checkTty(argv: Record<string, unknown>): void {
  if (argv.tty && argv.interactive && !process.stdin.isTTY) throw new CliError('the input device is not a TTY', 1, 'ENOTTY');
}

export function detachKeys(argv: Record<string, unknown>): number[] {
  return parseDetachKeys(optString(argv.detachKeys) ?? DEFAULT_DETACH_KEYS);
}

/**
 * -P: every port the image exposes ("80/tcp", "53/udp", "8000-8010/tcp") on
 * a free host port, but those -p already publishes, as docker does (it
 * leaves sctp out here: portmap is given tcp and udp).
 */
export function exposedToPublish(exposed: Record<string, object> | null | undefined, publish: string[]): string[] {
  const taken = new Set(publish.flatMap(parsePublish).map((p) => `${p.containerPort}/${p.protocol}`));
  const out: string[] = [];
  for (const key of Object.keys(exposed ?? {})) {
    const [ports, proto = 'tcp'] = key.split('/');
    if (proto !== 'tcp' && proto !== 'udp') continue;
    for (const p of parsePublish(`${ports}/${proto}`)) if (!taken.has(`${p.containerPort}/${p.protocol}`)) out.push(`${p.containerPort}/${p.protocol}`);
  }
  return out;
}

/** The image's Volumes not covered by the user's mounts (docker's rule): their destinations, as -v takes an anonymous volume. */
export function imageVolumes(volumes: Record<string, object> | null | undefined, mine: MountRequest[], tmpfs: string[]): string[] {
  const taken = new Set([
    ...mine.map((r) => (r.kind === 'volume' ? r.destination : r.mount.destination)),
    ...tmpfs.map((t) => t.split(':')[0]!),
  ].map((d) => path.posix.normalize(d).replace(/(.)\/+$/, '$1')));
  const out: string[] = [];
  for (const v of Object.keys(volumes ?? {})) {
    const dest = path.posix.normalize(v.startsWith('/') ? v : `/${v}`).replace(/(.)\/+$/, '$1');
    if (dest === '/' || taken.has(dest)) continue;
    taken.add(dest);
    out.push(dest);
  }
  return out;
}

export interface Created {
  id: string;
  name: string;
  bundle: string;
  spec: ContainerSpec;
}

/**
 * Validates the flags, writes the bundle, takes the name and creates the
 * task. Any failure undoes what was done: nothing half-created is left.
 */
/**
 * The image of `run IMAGE`: pulled as --pull says (missing, always, never),
 * then a snapshot for the container. Returns what buildSpec needs and the
 * rootfs mounts for Task.Create.
 */
async function prepareImage(ctx: Context, argv: Record<string, unknown>, id: string, name: string): Promise<{ source: ImageSource; mounts: RootfsMount[] }> {
  const policy = optString(argv.pull) ?? 'missing';
  if (!['missing', 'always', 'never'].includes(policy)) throw new FlagError(`invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
  const platform = optString(argv.platform);
  const { pullImage } = require('./pull') as typeof import('./pull');
  const present = async () => {
    try {
      await ctx.client().image('Inspect', { ref: name });
      return true;
    } catch (e) {
      if (e instanceof CliError && e.code === 'ENOTFOUND') return false;
      throw e;
    }
  };
  if (policy === 'always' || (policy === 'missing' && !(await present()))) {
    if (policy === 'missing') process.stderr.write(`Unable to find image '${name.includes(':') || name.includes('@') ? name : `${name}:latest`}' locally\n`);
    // docker run exits 125 when the image cannot be had, whatever pull itself would exit with.
    await pullImage(ctx, name, { platform, out: process.stderr }).catch((e: unknown) => {
      if (e instanceof CliError && !(e instanceof SupervisorDownError)) throw new CliError(e.message, 125, e.code, e.context, { cause: e });
      throw e;
    });
  } else if (policy === 'never' && !(await present())) {
    throw new CliError(`No such image: ${name}`, 125, 'ENOTFOUND');
  }
  const p = await ctx.client().image<{ mounts: RootfsMount[]; image_id: string; config_json: string; lower_dirs: string[] }>('Prepare', { container_id: id, ref: name });
  const config = (JSON.parse(p.config_json) as { config?: ImageRuntimeConfig }).config ?? {};
  return { source: { name, id: p.image_id, config, lowerDirs: p.lower_dirs }, mounts: p.mounts };
}

export async function createContainer(ctx: Context, argv: Record<string, unknown>): Promise<Created> {
  checkTty(argv);
  const s = store(ctx);
  const id = newId();
  const wanted = optString(argv.name);
  const name = wanted !== undefined ? checkName(wanted) : generateName((n) => s.nameOwner(n) !== undefined);
  detachKeys(argv);
  const flags = runFlags(argv, id, name);
  const sandbox = sandboxFlags(argv);
  checkSandboxFlags(sandbox);
  let image: { source: ImageSource; mounts: RootfsMount[] } | undefined;
  if (flags.rootfs === undefined && flags.bundle === undefined) {
    // run IMAGE [COMMAND]: the first word is the image.
    const [imageName, ...command] = flags.command;
    if (imageName === undefined) throw new FlagError('an image is required: hullctl run [OPTIONS] IMAGE [COMMAND] (or --rootfs DIR, --bundle DIR)');
    flags.command = command;
    image = await prepareImage(ctx, argv, id, imageName);
    flags.image = image.source;
  }
  const dropSnapshot = () => (image ? ctx.client().image('RemoveSnapshot', { container_id: id }).catch(() => undefined) : undefined);
  let spec: ContainerSpec;
  try {
    spec = buildSpec(flags);
  } catch (e) {
    await dropSnapshot();
    throw e;
  }
  const cfg = image?.source.config;
  if (argv.publishAll) sandbox.publish.push(...exposedToPublish(cfg?.ExposedPorts, sandbox.publish));
  // The image's Volumes: an anonymous volume each, where no -v, --mount or --tmpfs of the user's goes.
  sandbox.volume.push(...imageVolumes(cfg?.Volumes, [...flags.volume.map(parseVolumeFlag), ...flags.mount.map(parseMountFlag)], flags.tmpfs));
  spec.annotations = {
    ...(cfg?.Labels ?? {}),
    ...spec.annotations,
    [CREATED_ANNOTATION]: new Date().toISOString(),
    ...(argv.rm ? { [AUTOREMOVE_ANNOTATION]: 'true' } : {}),
    ...(argv.interactive ? { [INTERACTIVE_ANNOTATION]: 'true' } : {}),
    ...(image ? { [IMAGE_ANNOTATION]: image.source.name, [IMAGE_ID_ANNOTATION]: image.source.id } : {}),
    ...(cfg?.StopSignal ? { [STOP_SIGNAL_ANNOTATION]: cfg.StopSignal } : {}),
    ...(cfg?.ExposedPorts && Object.keys(cfg.ExposedPorts).length ? { [EXPOSED_PORTS_ANNOTATION]: JSON.stringify(Object.keys(cfg.ExposedPorts)) } : {}),
  };

  // Fails early, before anything is written, when the supervisor is down.
  try {
    await ctx.client().list([id]);
    await s.reserveName(name, id, isAlive(ctx));
  } catch (e) {
    await dropSnapshot();
    throw e;
  }
  let bundle: string | undefined;
  let undoSandbox: (() => Promise<void>) | undefined;
  try {
    const lowerDirs = image?.source.lowerDirs;
    undoSandbox = await prepareSandbox(ctx, id, name, spec, sandbox, lowerDirs ? (d) => ({ seed_layers: lowerDirs, seed_path: d }) : undefined);
    bundle = s.writeBundle(id, spec);
    const hasFile = image ? (rel: string) => layerWith(image.source.lowerDirs, rel) !== undefined : undefined;
    const etc = etcFiles(bundle, spec, !spec.linux?.namespaces?.some((n) => n.type === 'network'), hasFile);
    if (etc.length > 0) {
      spec.mounts = [...(spec.mounts ?? []), ...etc];
      s.writeSpec(bundle, spec);
    }
    if (argv.interactive) execFileSync('mkfifo', ['-m', '0600', path.join(bundle, STDIN_FIFO)]);
    for (const m of spec.mounts ?? []) if (m.type === 'bind' && (argv.volume || argv.mount)) ensureVolumeSource(m);
    await createTask(ctx, id, bundle, spec, image?.mounts);
  } catch (e) {
    if (bundle) s.removeBundle(bundle);
    await undoSandbox?.().catch(() => undefined);
    s.releaseName(name, id);
    await dropSnapshot();
    throw e;
  }
  return { id, name, bundle, spec };
}

export function asContainer(c: Created): Container {
  const info = { id: c.id, bundle: c.bundle } as TaskInfo;
  return { id: c.id, name: c.name, info, spec: c.spec };
}

export interface AttachedRun {
  id: string;
  ref: string;
  bundle: string;
  spec: ContainerSpec;
  /** Start the process (after our output is attached, so nothing is missed). */
  start: () => Promise<void>;
  interactive: boolean;
  detachKeys: number[];
  /** Skip what the logs already hold (attach to a running container). */
  fromEnd?: boolean;
}

/** Attaches, starts, waits; returns the exit status, or undefined when the user detached. */
export async function runAttached(ctx: Context, r: AttachedRun): Promise<number | undefined> {
  const tty = !!r.spec.process.terminal;
  const a = attach(ctx, {
    id: r.id,
    ref: r.ref,
    stdoutFile: path.join(r.bundle, STDOUT_LOG),
    stderrFile: tty ? undefined : path.join(r.bundle, STDERR_LOG),
    fromEnd: r.fromEnd,
    stdinFifo: r.interactive ? path.join(r.bundle, STDIN_FIFO) : undefined,
    tty,
    detachKeys: r.detachKeys,
  });
  try {
    await r.start();
  } catch (e) {
    a.finish();
    throw e;
  }
  a.started();
  try {
    const waited = ctx.client().call<{ exit_status: number }>('Wait', { id: r.id }, r.ref);
    const detached = await Promise.race([waited.then(() => false), a.detached]);
    if (detached) return undefined;
    return (await waited).exit_status;
  } finally {
    // Also when the supervisor went away: the terminal is given back as it was.
    a.finish();
  }
}

/** Starts a created task; a failure to start removes it when `cleanup` says so. */
export async function startTask(ctx: Context, c: Container, cleanup: boolean): Promise<void> {
  try {
    await ctx.client().call('Start', { id: c.id }, c.name);
  } catch (e) {
    if (cleanup) await removeContainer(ctx, c, true).catch(() => undefined);
    throw startFailure(e);
  }
}

/**
 * Runs `fn` for each container the user named, as docker does: a failure is
 * printed and the others still run; the exit code is 1 if any failed.
 */
export async function forEachRef(refs: string[], fn: (ref: string) => Promise<void>): Promise<number> {
  let code = 0;
  for (const ref of refs) {
    try {
      await fn(ref);
    } catch (e) {
      if (e instanceof SupervisorDownError) throw e;
      process.stderr.write(`Error: ${(e as Error).message}\n`);
      code = 1;
    }
  }
  return code;
}
