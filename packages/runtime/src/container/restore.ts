// `hull restore`: bring a checkpointed container back with criu(8)'s
// command line (`criu restore`), as runc does through criu's RPC: a new
// container record and cgroup from the bundle, the rootfs bound on a
// private mount point (criu needs a mount point whose parent is not
// overmounted), host mounts handed back as externals, the old stdio pipes
// replaced by ours, and criu itself put in the container's cgroup first so
// the restored tree lands there. Any failure undoes everything.
import fs from 'node:fs';
import path from 'node:path';
import { HullError, UsageError } from '../errors';
import type { Log } from '../log';
import { readProcStat } from '../proc';
import { loadBundle } from '../spec/load';
import type { Spec } from '../spec/types';
import { type ContainerRecord, creatingRecord, type StateStore } from '../state/store';
import { writeFileAtomicSync } from '@hull/sys/atomic';
import * as libc from '@hull/sys/libc';
import { MNT_DETACH, MS, O } from '@hull/sys/constants';
import { hostCgroupLayout, type CgroupManager } from '../cgroups';
import { mkdirInRoot, resolveInRoot, touchInRoot } from './inRoot';
import { setupCgroup } from './cgroup';
import { checkHostSupport } from './hostSupport';
import {
  type CriuOptions,
  DESCRIPTORS_FILE,
  EXTERNAL_NS,
  commonArgs,
  configArgs,
  externalMounts,
  runCriu,
  wrapCriuError,
} from './checkpoint';

export interface RestoreOptions extends CriuOptions {
  id: string;
  bundle: string;
  detach?: boolean;
  pidFile?: string;
  consoleSocket?: string;
  lsmProfile?: string;
  lsmMountContext?: string;
}

const LOG_FILE = 'restore.log';

/** Restores the container; in the foreground waits for it and returns its exit status (then removes it, as run does). */
export async function restore(store: StateStore, opts: RestoreOptions, log: Log): Promise<number> {
  const rec = restoreDetached(store, opts, log);
  if (opts.detach) return 0;
  const { forwardSignals, waitExit } = require('./wait') as typeof import('./wait');
  const { remove } = require('./delete') as typeof import('./delete');
  const stop = forwardSignals(rec.pid);
  try {
    return await waitExit(rec.pid);
  } finally {
    stop();
    remove(store, opts.id, true, log);
  }
}

function restoreDetached(store: StateStore, opts: RestoreOptions, log: Log): ContainerRecord {
  const prefix = `restore ${opts.id}`;
  const args = ['restore', ...commonArgs(opts)];
  // runc passes the pty master through criu's RPC (orphan-pts-master); criu's command line cannot.
  if (opts.consoleSocket !== undefined) throw new UsageError(`${prefix}: --console-socket is not supported: criu's command line cannot hand back the terminal`);
  const imageDir = path.resolve(opts.imagePath);
  const stdio = readDescriptors(imageDir, prefix);
  const { spec, bundle, rootfs } = loadBundle(opts.bundle, { warn: (m) => log.warn(m) });
  checkHostSupport(spec);
  if (spec.process?.terminal) throw new UsageError(`${prefix}: process.terminal: a terminal cannot be restored through criu's command line`);

  store.reserve(opts.id);
  const unlock = store.lock(opts.id);
  const undo: (() => void)[] = [() => store.remove(opts.id)];
  try {
    const record = creatingRecord(opts.id, spec, bundle, rootfs);
    store.write(record);
    const cgroup = setupCgroup(spec, opts.id, log);
    undo.push(() => cgroup.destroy());
    record.cgroupPaths = cgroup.paths;
    record.cgroupCreated = cgroup.created;
    store.write(record);

    const root = path.join(store.dir(opts.id), 'criu-root');
    fs.mkdirSync(root, { mode: 0o755 });
    undo.push(() => fs.rmdirSync(root));
    libc.mount(rootfs, root, null, MS.BIND | MS.REC, null, `bind rootfs ${rootfs} on ${root}`);
    const unmountRoot = () => libc.umount2(root, MNT_DETACH);
    undo.push(unmountRoot);
    makeMountpoints(spec, rootfs);

    const workDir = opts.workPath ? path.resolve(opts.workPath) : undefined;
    if (workDir) fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
    const pidFile = path.join(store.dir(opts.id), 'criu.pid');
    args.push('--images-dir', imageDir, '--log-file', LOG_FILE, '--root', root, '--pidfile', pidFile);
    // Detached from criu, and its sibling: the restored init is our child, so the foreground can wait for it.
    args.push('--restore-detached', '--restore-sibling', '--evasive-devices');
    if (workDir) args.push('--work-dir', workDir);
    args.push(...configArgs(record));
    if (opts.lsmProfile) args.push('--lsm-profile', opts.lsmProfile);
    if (opts.lsmMountContext) args.push('--lsm-mount-context', opts.lsmMountContext);
    const mounts = externalMounts(spec, rootfs, cgroup.viewDirs());
    if (spec.linux?.maskedPaths?.length) mounts.push({ dest: '/dev/null', source: '/dev/null' });
    const seen = new Set<string>();
    for (const m of mounts) {
      if (seen.has(m.dest)) continue;
      seen.add(m.dest);
      args.push('--external', `mnt[${m.dest}]:${m.source}`);
    }
    // The checkpointed process's stdio pipes become ours (criu's fds 0-2 are ours).
    stdio.forEach((target, fd) => {
      if (target.startsWith('pipe:')) args.push('--inherit-fd', `fd[${fd}]:${target}`);
    });
    const fds: Record<number, number> = {};
    try {
      args.push(...namespaceArgs(spec, fds));
      args.push(...cgroupRootArgs(cgroup));
      runCriu(opts.criu, args, path.join(workDir ?? imageDir, LOG_FILE), { inherit: true, fds, wrapper: joinCgroupWrapper(cgroup) });
    } finally {
      for (const fd of Object.values(fds)) libc.close(fd);
    }

    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new HullError('ECRIU', `criu restore: bad pid file ${pidFile}`);
    fs.rmSync(pidFile, { force: true });
    unmountRoot();
    fs.rmdirSync(root);
    undo.splice(1); // the restored tree owns the cgroup now; a failure below kills it through delete
    undo.push(() => {
      const { remove } = require('./delete') as typeof import('./delete');
      remove(store, opts.id, true, log);
    });
    record.pid = pid;
    record.startTime = readProcStat(pid)?.startTime ?? '';
    record.started = true;
    delete record.creating;
    delete record.creatorPid;
    store.write(record);
    if (opts.pidFile) writeFileAtomicSync(path.resolve(opts.pidFile), String(pid), { fsync: false });
    unlock();
    return record;
  } catch (e) {
    const err = wrapCriuError(e, prefix);
    unlock();
    for (const step of undo.reverse()) {
      try {
        step();
      } catch (cleanupErr) {
        err.cleanup.push(cleanupErr as Error);
      }
    }
    throw err;
  }
}

/** descriptors.json: what the checkpointed init's fds 0-2 were. */
function readDescriptors(imageDir: string, prefix: string): string[] {
  const file = path.join(imageDir, DESCRIPTORS_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${prefix}: ${file}: ${code === 'ENOENT' ? 'not found (--image-path must hold a checkpoint made by hull or runc)' : code}`);
  }
  try {
    const fds = JSON.parse(text) as unknown;
    if (Array.isArray(fds) && fds.every((f) => typeof f === 'string')) return fds as string[];
  } catch {
    // reported below
  }
  throw new UsageError(`${prefix}: ${file}: not a list of descriptors`);
}

/**
 * Mount points criu expects in the rootfs (create makes them in the
 * container; a fresh copy of the rootfs may lack them). Not under a tmpfs:
 * criu restores a tmpfs with its content.
 */
function makeMountpoints(spec: Spec, rootfs: string): void {
  const mounts = spec.mounts ?? [];
  const tmpfs = mounts.filter((m) => m.type === 'tmpfs').map((m) => path.posix.normalize(m.destination));
  for (const m of mounts) {
    const dest = path.posix.normalize(m.destination);
    if (m.type === 'cgroup' || m.type === 'cgroup2') continue;
    if (tmpfs.some((t) => dest.startsWith(t + '/'))) continue;
    const isBind = m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
    if (isBind && m.source && !fs.statSync(m.source, { throwIfNoEntry: false })?.isDirectory()) {
      if (!fs.existsSync(resolveInRoot(rootfs, dest))) touchInRoot(rootfs, dest);
    } else {
      mkdirInRoot(rootfs, dest);
    }
  }
}

/** Joined namespaces: criu joins most itself; net and pid were recorded as external and come back as inherited fds. */
function namespaceArgs(spec: Spec, fds: Record<number, number>): string[] {
  const args: string[] = [];
  const CRIU_NS: Record<string, string> = { ipc: 'ipc', uts: 'uts', mount: 'mnt', user: 'user', time: 'time' };
  for (const ns of spec.linux?.namespaces ?? []) {
    if (!ns.path) continue;
    const ext = EXTERNAL_NS[ns.type];
    if (ext) {
      const at = 3 + Object.keys(fds).length;
      fds[at] = libc.open(ns.path, O.RDONLY | O.CLOEXEC);
      args.push('--inherit-fd', `fd[${at}]:${ext.name}`);
    } else if (CRIU_NS[ns.type]) {
      args.push('--join-ns', `${CRIU_NS[ns.type]}:${ns.path}`);
    } else {
      throw new UsageError(`linux.namespaces: criu cannot restore into a joined ${ns.type} namespace`);
    }
  }
  return args;
}

/** Where criu puts the restored tree in each hierarchy: the new container's cgroup (path inside the hierarchy). */
function cgroupRootArgs(cgroup: CgroupManager): string[] {
  const layout = hostCgroupLayout();
  const args: string[] = [];
  for (const [key, dir] of Object.entries(cgroup.paths)) {
    if (key === 'unified') {
      // v2 has no controller name; on a hybrid host criu manages the v1 controllers only.
      if (layout.version === 2) args.push('--cgroup-root', '/' + path.relative(layout.unified!.mount, dir));
      continue;
    }
    const mount = layout.v1[key]?.mount;
    if (mount) args.push('--cgroup-root', `${key}:/${path.relative(mount, dir)}`);
  }
  return args;
}

/** `sh -c` that writes its own pid to each cgroup.procs, then execs criu: criu and what it restores start in the container's cgroup (as runc moves criu there). */
function joinCgroupWrapper(cgroup: CgroupManager): string[] {
  const files = cgroup.procsFiles();
  const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';
  return ['/bin/sh', '-c', script, 'hull-criu', String(files.length), ...files];
}
