// Containers as hullctl shows them: the supervisor's tasks joined with the
// bundles hullctl wrote (name, command, creation time), found by id, name
// or id prefix as docker does.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Status } from '@hull/shim/constants';
import type { TaskInfo } from '@hull/shim/messages';
import type { Context } from './context';
import { CliError, EXIT_CANNOT_INVOKE, EXIT_CLI, EXIT_NOT_FOUND, NoSuchContainerError, SupervisorDownError } from './errors';
import { AUTOREMOVE_ANNOTATION, INTERACTIVE_ANNOTATION, NAME_ANNOTATION } from './annotations';
import { releaseSandbox } from './sandbox';
import { STDERR_LOG, STDIN_FIFO, STDOUT_LOG, Store } from './store';
import type { ContainerSpec } from './spec/defaults';


export interface Container {
  id: string;
  name: string;
  info: TaskInfo;
  spec?: ContainerSpec;
}

export function store(ctx: Context): Store {
  return new Store(ctx.stateDir);
}

function toContainer(s: Store, info: TaskInfo): Container {
  const spec = info.bundle ? s.readSpec(info.bundle) : undefined;
  return { id: info.id, name: spec?.annotations?.[NAME_ANNOTATION] ?? info.id, info, spec };
}

/**
 * Removes the task, gives back its volumes and network sandbox (removing its
 * anonymous volumes with `volumes`), then its bundle and name; what is already gone is fine.
 */
export async function removeContainer(ctx: Context, c: Container, volumes = false): Promise<void> {
  const s = store(ctx);
  try {
    await ctx.client().call('Delete', { id: c.id }, c.name);
  } catch (e) {
    if (!(e instanceof NoSuchContainerError)) throw e;
  }
  // The container is gone whatever the release says: its bundle and name go too, then a release error is told.
  const failure = await releaseSandbox(ctx, c.id, volumes).then(() => undefined, (e: unknown) => e);
  if (c.info.bundle) s.removeBundle(c.info.bundle);
  s.releaseName(c.name, c.id);
  if (failure) throw failure;
}

/**
 * Every task, with --rm containers that have exited removed first (nobody
 * waits on a detached --rm container, so the next hullctl call does it).
 */
export async function listContainers(ctx: Context): Promise<Container[]> {
  const s = store(ctx);
  const all = (await ctx.client().list()).map((info) => toContainer(s, info));
  const kept: Container[] = [];
  for (const c of all) {
    if (c.info.status === Status.STOPPED && c.spec?.annotations?.[AUTOREMOVE_ANNOTATION] === 'true') {
      await removeContainer(ctx, c, true).catch(() => undefined);
    } else kept.push(c);
  }
  return kept;
}

/** A container by full id, name, or unique id prefix. */
export async function resolveContainer(ctx: Context, ref: string): Promise<Container> {
  const s = store(ctx);
  const named = s.nameOwner(ref);
  const exact = await ctx.client().list([named ?? ref]);
  if (exact.length > 0) return toContainer(s, exact[0]!);
  if (named) {
    const direct = await ctx.client().list([ref]);
    if (direct.length > 0) return toContainer(s, direct[0]!);
  }
  const all = await ctx.client().list();
  const byPrefix = all.filter((t) => t.id.startsWith(ref));
  if (byPrefix.length > 1) throw new CliError(`multiple IDs found with provided prefix: ${ref}`, 1, 'EAMBIGUOUS', { ref });
  if (byPrefix.length === 1 && ref.length > 0) return toContainer(s, byPrefix[0]!);
  const byName = all.map((t) => toContainer(s, t)).find((c) => c.name === ref);
  if (byName) return byName;
  throw new NoSuchContainerError(ref);
}

export function isAlive(ctx: Context): (id: string) => Promise<boolean> {
  return async (id) => (await ctx.client().list([id])).length > 0;
}

/** containerd.types.Mount: an image's overlay, mounted by the supervisor on <bundle>/rootfs. */
export interface RootfsMount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface StdioPaths {
  stdin: string;
  stdout: string;
  stderr: string;
}

/** The stdio the supervisor gets for a container: outputs into the bundle's logs, stdin through its FIFO. */
export function containerStdio(bundle: string, spec: ContainerSpec): StdioPaths {
  const interactive = spec.annotations?.[INTERACTIVE_ANNOTATION] === 'true';
  return {
    stdin: interactive ? path.join(bundle, STDIN_FIFO) : '',
    stdout: pathToFileURL(path.join(bundle, STDOUT_LOG)).href,
    stderr: spec.process.terminal ? '' : pathToFileURL(path.join(bundle, STDERR_LOG)).href,
  };
}

/** docker's exit codes for a process that could not be started: 127 not found, 126 not runnable. */
export function startFailure(e: unknown): CliError {
  if (e instanceof SupervisorDownError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  let code = EXIT_CLI;
  if (/executable file not found|no such file or directory|ENOENT/i.test(msg)) code = EXIT_NOT_FOUND;
  else if (/permission denied|EACCES|is a directory|EISDIR|exec format error|ENOEXEC/i.test(msg)) code = EXIT_CANNOT_INVOKE;
  return new CliError(msg, code, 'ESTART', {}, { cause: e });
}

/** Creates the task for a bundle hullctl wrote; the error says why the command could not start. */
export async function createTask(ctx: Context, id: string, bundle: string, spec: ContainerSpec, rootfs: RootfsMount[] = []): Promise<void> {
  const stdio = containerStdio(bundle, spec);
  try {
    await ctx.client().call('Create', { id, bundle, terminal: !!spec.process.terminal, rootfs, ...stdio });
  } catch (e) {
    throw startFailure(e);
  }
}
