// Builds the container's config.json from hull's defaults (or a --bundle's
// config) and docker's run flags. Pure but for reading the rootfs's
// /etc/passwd and the bundle's config: bad input throws before anything is
// written anywhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NAME_ANNOTATION } from '../annotations';
import { FlagError } from '../errors';
import { capabilitySet } from './capabilities';
import { defaultSpec, type ContainerSpec } from './defaults';
import { mergeEnv, parseEnvFlags, readEnvFile } from './env';
import { parseTmpfs } from './mounts';
import { parseMountFlag, parseVolumeFlag } from './volumes';
import { buildResources, type ResourceFlags } from './resources';
import { resolveUser } from './user';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunFlags extends ResourceFlags {
  id: string;
  name: string;
  /** CMD ARGS... after the options. */
  command: string[];
  entrypoint?: string;
  tty: boolean;
  interactive: boolean;
  env: string[];
  envFile: string[];
  workdir?: string;
  user?: string;
  volume: string[];
  /** --mount: volumes among these and -v are the supervisor's (sandbox.ts); binds and tmpfs are here. */
  mount: string[];
  tmpfs: string[];
  hostname?: string;
  readOnly: boolean;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  network: string;
  rootfs?: string;
  bundle?: string;
  /** Made from an image: its config and its layers (to read /etc/passwd). */
  image?: ImageSource;
}

export interface ImageSource {
  /** As the user named it. */
  name: string;
  id: string;
  config: ImageRuntimeConfig;
  /** The snapshot's lower directories, top first. */
  lowerDirs: string[];
}

/** The runtime part of an image config (docker's and OCI's shape). */
export interface ImageRuntimeConfig {
  User?: string;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
}

/** The top-most layer holding `rel`: where an image's /etc/passwd is read from. */
export function layerWith(lowerDirs: string[], rel: string): string | undefined {
  return lowerDirs.find((d) => {
    try {
      return fs.lstatSync(path.join(d, rel)).isFile();
    } catch {
      return false;
    }
  });
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function loadBundle(dir: string): ContainerSpec {
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new FlagError(`--bundle ${dir}: no config.json in it`);
  }
  try {
    const spec = JSON.parse(text) as ContainerSpec;
    if (!spec?.process || !spec.root?.path) throw new Error('it has no process or root.path');
    return spec;
  } catch (e) {
    throw new FlagError(`--bundle ${dir}: config.json: ${(e as Error).message}`);
  }
}

function baseSpec(f: RunFlags): { spec: ContainerSpec; rootfs: string; fromBundle: boolean } {
  if (f.image) {
    // The supervisor mounts the image's overlay on <bundle>/rootfs.
    const spec = defaultSpec();
    spec.root = { path: 'rootfs', readonly: false };
    const env = f.image.config.Env ?? [];
    spec.process.env = env.some((e) => e.startsWith('PATH=')) ? [...env] : [DEFAULT_PATH, ...env];
    spec.process.cwd = f.image.config.WorkingDir || '/';
    return { spec, rootfs: path.dirname(path.dirname(layerWith(f.image.lowerDirs, 'etc/passwd') ?? '/nonexistent/etc/passwd')), fromBundle: false };
  }
  if (f.rootfs !== undefined && f.bundle !== undefined) throw new FlagError('--rootfs and --bundle cannot be used together');
  if (f.rootfs === undefined && f.bundle === undefined) throw new FlagError('a root filesystem is required: give --rootfs DIR or --bundle DIR');
  if (f.rootfs !== undefined) {
    const rootfs = path.resolve(f.rootfs);
    if (!isDir(rootfs)) throw new FlagError(`--rootfs ${f.rootfs}: not a directory`);
    const spec = defaultSpec();
    spec.root = { path: rootfs, readonly: false };
    spec.process.env = [DEFAULT_PATH];
    return { spec, rootfs, fromBundle: false };
  }
  const bundle = path.resolve(f.bundle!);
  if (!isDir(bundle)) throw new FlagError(`--bundle ${f.bundle}: not a directory`);
  const spec = loadBundle(bundle);
  const rootfs = path.resolve(bundle, spec.root.path);
  spec.root = { ...spec.root, path: rootfs };
  return { spec, rootfs, fromBundle: true };
}

export function buildSpec(f: RunFlags): ContainerSpec {
  const { spec, rootfs, fromBundle } = baseSpec(f);
  const proc = spec.process;
  const linux = (spec.linux ??= {});

  // Command: --entrypoint then CMD, else the base's (an image's Entrypoint and Cmd, as docker combines them).
  if (f.image) {
    const cfg = f.image.config;
    const entrypoint = f.entrypoint !== undefined ? (f.entrypoint ? [f.entrypoint] : []) : cfg.Entrypoint ?? [];
    const cmd = f.command.length > 0 ? f.command : f.entrypoint !== undefined ? [] : cfg.Cmd ?? [];
    proc.args = [...entrypoint, ...cmd];
  } else if (f.entrypoint !== undefined && f.entrypoint !== '') proc.args = [f.entrypoint, ...f.command];
  else if (f.command.length > 0) proc.args = [...f.command];
  if (!proc.args || proc.args.length === 0) throw new FlagError('No command specified');

  if (f.workdir !== undefined) {
    if (!path.isAbsolute(f.workdir)) throw new FlagError(`the working directory '${f.workdir}' is invalid, it needs to be an absolute path`);
    proc.cwd = f.workdir;
  }

  let home: string | undefined;
  const user = f.user ?? (f.image?.config.User || undefined);
  if (user !== undefined) {
    const u = resolveUser(user, rootfs);
    proc.user = { uid: u.uid, gid: u.gid };
    home = u.home;
  } else if (!fromBundle) {
    home = resolveUser('0', rootfs).home;
  }

  if (!/^(container:.*|[a-zA-Z0-9][a-zA-Z0-9_.-]*)$/.test(f.network)) throw new FlagError(`invalid --network "${f.network}": none, host, bridge, a network's name or container:NAME`);
  const hostNet = f.network === 'host';
  if (hostNet) linux.namespaces = (linux.namespaces ?? []).filter((n) => n.type !== 'network');

  if (f.hostname !== undefined) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(f.hostname)) throw new FlagError(`invalid hostname format: ${f.hostname}`);
    spec.hostname = f.hostname;
  } else if (!fromBundle) {
    spec.hostname = hostNet ? os.hostname() : f.id.slice(0, 12);
  }

  const fileEnv = f.envFile.flatMap((file) => readEnvFile(file));
  const flagEnv = parseEnvFlags(f.env);
  const builtin = fromBundle ? [] : [`HOSTNAME=${spec.hostname}`, ...(home ? [`HOME=${home}`] : [])];
  const term = f.tty ? ['TERM=xterm'] : [];
  proc.env = mergeEnv(proc.env ?? [], builtin, term, fileEnv, flagEnv);
  proc.terminal = f.tty;

  if (f.readOnly) spec.root.readonly = true;

  const mounts = [...(spec.mounts ?? [])];
  for (const r of [...f.volume.map(parseVolumeFlag), ...f.mount.map(parseMountFlag)]) if (r.kind === 'mount') mounts.push(r.mount);
  for (const t of f.tmpfs) mounts.push(parseTmpfs(t));
  spec.mounts = mounts;

  const capsGiven = f.capAdd.length > 0 || f.capDrop.length > 0 || f.privileged;
  if (!fromBundle || capsGiven) {
    const caps = capabilitySet(f.capAdd, f.capDrop, f.privileged);
    proc.capabilities = { bounding: caps, effective: caps, permitted: caps };
    // docker's processes gain no privileges through exec only when asked to.
    proc.noNewPrivileges = false;
  }

  const resources = buildResources(f);
  linux.resources = { ...linux.resources, ...resources };

  if (f.privileged) {
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
    linux.resources.devices = [{ allow: true, access: 'rwm' }];
    delete linux.seccomp;
    spec.mounts = spec.mounts.map((m) => (m.type === 'sysfs' || m.type === 'cgroup' ? { ...m, options: (m.options ?? []).filter((o) => o !== 'ro') } : m));
  }

  spec.annotations = { ...spec.annotations, [NAME_ANNOTATION]: f.name };
  return spec;
}
