// `hull checkpoint`: save a running container to disk with criu(8), through
// its command line (`criu dump`), as runc does through criu's RPC. The image
// directory also gets descriptors.json (the init's stdio), which restore
// needs to hand the new stdio to the restored process. On failure the
// container keeps running and the image directory is left as it was,
// except for criu's log, which the error names.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HullError, UsageError, errorMessage } from '../errors';
import type { Log } from '../log';
import type { Spec } from '../spec/types';
import type { ContainerRecord, StateStore } from '../state/store';
import { resolveInRoot } from './inRoot';
import { requireStatus, statusOf } from './status';
import { openCgroup } from './cgroup';

/** criu failed: the message carries criu's own first error and where its log is. */
export class CriuError extends HullError {}

/** The flags checkpoint and restore share with runc (names as runc's options). */
export interface CriuOptions {
  /** criu's binary (the global --criu flag); "criu" from PATH by default. */
  criu?: string;
  imagePath: string;
  workPath?: string;
  tcpEstablished?: boolean;
  extUnixSk?: boolean;
  shellJob?: boolean;
  fileLocks?: boolean;
  /** "" (criu's default, soft), soft, full, strict or ignore. */
  manageCgroupsMode?: string;
  /** Namespaces criu creates empty (only "network"; network is always empty, as in runc). */
  emptyNs?: string[];
  autoDedup?: boolean;
  lazyPages?: boolean;
}

export interface CheckpointOptions extends CriuOptions {
  /** Relative to imagePath: the images of a previous pre-dump. */
  parentPath?: string;
  leaveRunning?: boolean;
  tcpSkipInFlight?: boolean;
  linkRemap?: boolean;
  preDump?: boolean;
  /** ADDRESS:PORT of a criu page server. */
  pageServer?: string;
  /** With lazyPages: criu writes \0 to this fd once the lazy pages are ready. */
  statusFd?: number;
}

export const DESCRIPTORS_FILE = 'descriptors.json';
const CG_MODES = new Set(['', 'soft', 'full', 'strict', 'ignore']);
const EMPTY_NS = new Set(['network']);

/** runc's default image path: ./checkpoint. */
export function defaultImagePath(): string {
  return path.join(process.cwd(), 'checkpoint');
}

export function checkpoint(store: StateStore, id: string, opts: CheckpointOptions, log: Log): void {
  const args = checkpointArgs(opts);
  const unlock = store.lock(id);
  let dumped = false;
  try {
    const rec = store.read(id);
    requireStatus(id, 'checkpoint', statusOf(store, rec), ['running', 'paused']);
    dump(rec, opts, args, log);
    dumped = true;
  } catch (e) {
    throw wrapError(e, `checkpoint ${id}`);
  } finally {
    unlock();
  }
  // runc destroys the container once criu has stopped it (poststop hooks, cgroups, state).
  if (dumped && !opts.leaveRunning && !opts.preDump) {
    const { remove } = require('./delete') as typeof import('./delete');
    try {
      remove(store, id, true, log);
    } catch (e) {
      log.warn(`checkpoint ${id}: remove the checkpointed container: ${errorMessage(e)}`);
    }
  }
}

/** The flags that depend on nothing but the options (checked before anything is touched). */
function checkpointArgs(opts: CheckpointOptions): string[] {
  const args = [opts.preDump ? 'pre-dump' : 'dump', ...commonArgs(opts)];
  if (opts.leaveRunning) args.push('--leave-running');
  if (opts.tcpSkipInFlight) args.push('--tcp-skip-in-flight');
  if (opts.linkRemap) args.push('--link-remap');
  if (opts.parentPath) {
    if (path.isAbsolute(opts.parentPath)) throw new UsageError('--parent-path must be relative');
    args.push('--prev-images-dir', opts.parentPath, '--track-mem');
  }
  if (opts.pageServer) {
    const m = /^(.+):(\d+)$/.exec(opts.pageServer);
    if (!m || !m[1]) throw new UsageError('Use --page-server ADDRESS:PORT to specify page server');
    args.push('--page-server', '--address', m[1], '--port', m[2]);
  }
  if (opts.lazyPages && opts.statusFd !== undefined && opts.statusFd >= 0) {
    checkStatusFd(opts.statusFd);
    args.push('--status-fd', String(opts.statusFd));
  }
  return args;
}

/** Flags of both dump and restore. */
export function commonArgs(opts: CriuOptions): string[] {
  const mode = opts.manageCgroupsMode ?? '';
  if (!CG_MODES.has(mode)) throw new UsageError(`invalid --manage-cgroups-mode value "${mode}": it must be soft, full, strict or ignore`);
  for (const ns of opts.emptyNs ?? []) {
    if (!EMPTY_NS.has(ns)) throw new UsageError(`--empty-ns: namespace "${ns}" is not supported`);
  }
  const args = ['-v4', mode ? `--manage-cgroups=${mode}` : '--manage-cgroups', '--empty-ns', 'net'];
  // criu locks the network with iptables by default; without iptables installed, nftables (criu 3.16+).
  if (!onPath('iptables-restore')) args.push('--network-lock', 'nftables');
  if (opts.shellJob) args.push('--shell-job');
  if (opts.tcpEstablished) args.push('--tcp-established');
  if (opts.extUnixSk) args.push('--ext-unix-sk');
  if (opts.fileLocks) args.push('--file-locks');
  if (opts.autoDedup) args.push('--auto-dedup');
  if (opts.lazyPages) args.push('--lazy-pages');
  return args;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((dir) => dir && fs.existsSync(path.join(dir, name)));
}

function checkStatusFd(fd: number): void {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (e) {
    throw new UsageError(`invalid --status-fd argument ${fd}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (!st.isFIFO() && !st.isSocket() && !st.isFile() && !st.isCharacterDevice()) throw new UsageError(`invalid --status-fd argument ${fd}: not writable`);
}

/** criu's config file: the annotation org.criu.config ("" for none), else /etc/criu/runc.conf when present (runc's default). */
export function configArgs(rec: { annotations: Record<string, string> }): string[] {
  const file = rec.annotations['org.criu.config'];
  if (file !== undefined) return file ? ['--config', file] : [];
  return fs.existsSync('/etc/criu/runc.conf') ? ['--config', '/etc/criu/runc.conf'] : [];
}

function dump(rec: ContainerRecord, opts: CheckpointOptions, args: string[], log: Log): void {
  const imageDir = path.resolve(opts.imagePath);
  const imageDirExisted = fs.existsSync(imageDir);
  if (opts.parentPath) {
    const parent = path.join(imageDir, opts.parentPath);
    if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`invalid --parent-path: ${parent}: not a directory`);
    }
  }
  fs.mkdirSync(imageDir, { recursive: true, mode: 0o700 });
  const before = new Set(fs.readdirSync(imageDir));
  const workDir = opts.workPath ? path.resolve(opts.workPath) : undefined;
  const workDirExisted = workDir ? fs.existsSync(workDir) : true;
  if (workDir) fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const logDir = workDir ?? imageDir;
  const logName = opts.preDump ? 'pre-dump.log' : 'dump.log';

  args.push('--tree', String(rec.pid), '--images-dir', imageDir, '--log-file', logName, '--root', rec.rootfs);
  if (workDir) args.push('--work-dir', workDir);
  args.push(...configArgs(rec));
  const freezer = freezerDir(rec);
  if (freezer) args.push('--freeze-cgroup', freezer);
  args.push(...externalNamespaceArgs(rec.spec));
  if (!opts.preDump) {
    for (const m of externalMounts(rec.spec, rec.rootfs, cgroupView(rec))) args.push('--external', `mnt[${m.dest}]:${m.dest}`);
    for (const p of maskedFiles(rec)) args.push('--external', `mnt[${p}]:/dev/null`);
    fs.writeFileSync(path.join(imageDir, DESCRIPTORS_FILE), JSON.stringify(stdioOf(rec.pid)), { mode: 0o600 });
  }
  log.debug(`criu ${args.join(' ')}`);
  try {
    runCriu(opts.criu, args, path.join(logDir, logName), { fds: opts.statusFd !== undefined && opts.statusFd > 2 ? { [opts.statusFd]: opts.statusFd } : undefined });
  } catch (e) {
    // Leave nothing half-written: the images criu (or we) added go; its log stays for the user.
    for (const name of fs.readdirSync(imageDir)) {
      if (!before.has(name) && !(logDir === imageDir && name === logName)) fs.rmSync(path.join(imageDir, name), { recursive: true, force: true });
    }
    if (!imageDirExisted && logDir !== imageDir) fs.rmSync(imageDir, { recursive: true, force: true });
    if (!workDirExisted && workDir && !fs.existsSync(path.join(workDir, logName))) fs.rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
}

/** criu freezes the container through its freezer cgroup (v1) or cgroup.freeze (v2) instead of ptrace. */
function freezerDir(rec: ContainerRecord): string | undefined {
  const paths = rec.cgroupPaths;
  if (paths.freezer) return paths.freezer;
  const keys = Object.keys(paths);
  return keys.length === 1 && keys[0] === 'unified' ? paths.unified : undefined;
}

/** The container's view of its cgroups: mount name → host directory; empty when it has no cgroup. */
export function cgroupView(rec: ContainerRecord): Record<string, string> {
  if (!Object.keys(rec.cgroupPaths).length) return {};
  return openCgroup(rec).viewDirs();
}

export interface ExternalMount {
  /** The mount point inside the container (the key in criu's images). */
  dest: string;
  /** The host path that backs it. */
  source: string;
}

/**
 * Mounts criu cannot make itself because they come from the host: binds of
 * config.json, the container's cgroup directories (hull binds them), and
 * device nodes (bound from the host in a user namespace).
 */
export function externalMounts(spec: Spec, rootfs: string, view: Record<string, string>): ExternalMount[] {
  const out: ExternalMount[] = [];
  const inRoot = (dest: string) => '/' + path.relative(rootfs, resolveInRoot(rootfs, dest));
  for (const m of spec.mounts ?? []) {
    const opts = m.options ?? [];
    if (m.type === 'cgroup' || m.type === 'cgroup2') {
      for (const [name, dir] of Object.entries(view)) {
        out.push({ dest: inRoot(name ? path.posix.join(m.destination, name) : m.destination), source: dir });
      }
    } else if (m.type === 'bind' || opts.includes('bind') || opts.includes('rbind')) {
      out.push({ dest: inRoot(m.destination), source: path.resolve(m.source ?? '') });
    }
  }
  const devices = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', ...(spec.linux?.devices ?? []).map((d) => d.path)];
  for (const d of new Set(devices)) out.push({ dest: d, source: d });
  return out;
}

/** maskedPaths that are files: hull binds /dev/null over them; criu records them under the key /dev/null. */
function maskedFiles(rec: ContainerRecord): string[] {
  return (rec.spec.linux?.maskedPaths ?? []).filter((p) => {
    const st = fs.statSync(`/proc/${rec.pid}/root${p}`, { throwIfNoEntry: false });
    return st !== undefined && !st.isDirectory();
  });
}

/** Joined network and pid namespaces stay outside the images: criu records them under a key restore hands back. */
function externalNamespaceArgs(spec: Spec): string[] {
  const args: string[] = [];
  for (const ns of spec.linux?.namespaces ?? []) {
    const key = EXTERNAL_NS[ns.type];
    if (!key || !ns.path) continue;
    const ino = fs.statSync(ns.path).ino;
    args.push('--external', `${key.criu}[${ino}]:${key.name}`);
  }
  return args;
}

export const EXTERNAL_NS: Record<string, { criu: string; name: string } | undefined> = {
  network: { criu: 'net', name: 'extRootNetNS' },
  pid: { criu: 'pid', name: 'extRootPidNS' },
};

/** What the init's fds 0-2 point at ("pipe:[123]", "/dev/null"...). */
function stdioOf(pid: number): string[] {
  return [0, 1, 2].map((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '/dev/null';
    }
  });
}

export interface RunCriuOptions {
  /** criu gets our stdio (restore hands it to the restored process); otherwise its output is captured. */
  inherit?: boolean;
  /** A command that execs criu's argv after some setup (restore: join the container's cgroups). */
  wrapper?: string[];
  /** fd number in criu → our fd. */
  fds?: Record<number, number>;
}

/**
 * Runs criu and waits for it; throws a CriuError with criu's first real
 * error (from its log, else its stderr) and the log's path.
 */
export function runCriu(binary = 'criu', args: string[], logFile: string, opts: RunCriuOptions = {}): void {
  const stdio: (string | number)[] = opts.inherit ? ['inherit', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'];
  for (const [at, fd] of Object.entries(opts.fds ?? {})) {
    while (stdio.length <= Number(at)) stdio.push('ignore');
    stdio[Number(at)] = fd;
  }
  const argv = [...(opts.wrapper ?? []), binary, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: stdio as ('ignore' | 'pipe' | 'inherit' | number)[], encoding: 'utf8', env: criuEnv() });
  const verb = args[0];
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new CriuError('ECRIU', `criu ${verb}: run ${binary}: ${code === 'ENOENT' ? 'not found (install criu or pass --criu PATH)' : (code ?? r.error.message)}`, { binary });
  }
  if (r.status === 0) return;
  const reason = criuLogError(logFile) ?? lastLine(r.stderr ?? '') ?? (r.signal ? `killed by ${r.signal}` : `exited with status ${r.status}`);
  throw new CriuError('ECRIU', `criu ${verb}: ${reason} (see ${logFile})`, { log: logFile, status: r.status });
}

function criuEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * The first error line of a criu log that says why, without criu's prefix:
 * "(00.45) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds" →
 * "vdso: Unexpected rt vDSO area bounds". "exited, status=N" lines are
 * criu's helper processes (iptables probes...), not the cause.
 */
export function criuLogError(logFile: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  let fallback: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^(?:\([\d.]+\)\s*)?Error \([^)]*\):\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    if (/^exited, status=\d+$/.test(m[1])) {
      fallback ??= m[1];
      continue;
    }
    return m[1];
  }
  return fallback;
}

function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1];
}

function wrapError(e: unknown, prefix: string): HullError {
  if (e instanceof HullError) return e.code === 'ESTATUS' || e.code === 'ENOTFOUND' ? e : e.wrap(prefix);
  const err = e as NodeJS.ErrnoException;
  return new HullError(err.code ?? 'ECHECKPOINT', `${prefix}: ${err.path ? `${err.path}: ` : ''}${err.code ?? errorMessage(e)}`, {}, { cause: e });
}

export { wrapError as wrapCriuError };
