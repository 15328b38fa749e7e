// `hull create`: the parent side. Reserve the id, make the cgroup, start
// the init through the native primitive (new pid/user namespaces), write
// the id maps, hand the init its config, run the runtime-side hooks when it
// reports its mounts, and record the container once it says "created".
// Any failure undoes everything: init killed, cgroup removed, state gone.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError, ConfigError, HullError, InitError, UsageError, errorMessage } from '../errors';
import type { Log } from '../log';
import { readProcStat, sleepMs } from '../proc';
import { loadBundle } from '../spec/load';
import type { Spec } from '../spec/types';
import { type ContainerRecord, creatingRecord, type StateStore, writeFileAtomic } from '../state/store';
import { SyncChannel } from '../sync';
import * as libc from '../sys/libc';
import { spawn } from '../sys/native';
import { AF_UNIX, CLONE, O, SOCK_CLOEXEC, SOCK_STREAM, WNOHANG } from '../sys/constants';
import { type InitConfig, SYNC_FD_ENV } from '../init/config';
import { checkNamespacePath } from '../init/namespaces';
import { mountsBelow, unmountBelow } from '../init/rootfs';
import { checkIdmappedMounts, closeAll, prepareIdmappedMounts, sendIdmappedMounts } from '../init/idmap';
import { runHooks } from '../hooks';
import { openCgroup, setupCgroup } from './cgroup';
import { checkHostSupport } from './hostSupport';
import { stateOf } from './status';

export const INIT_SCRIPT = path.resolve(__dirname, '../init/main.js');

export interface CreateOptions {
  id: string;
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: number;
  debug?: boolean;
  /** `run` in the foreground without a console socket: it receives the pty master itself. */
  consoleFd?: number;
}

export interface Created {
  record: ContainerRecord;
  /** Open while the init runs: a frame after "ready" is a failure between start and exec. */
  channel: SyncChannel;
}

/** The environment of every Node process hull starts: nothing that slows Node down or changes it. */
export function cleanNodeEnv(extra: Record<string, string>): string[] {
  return Object.entries(extra).map(([k, v]) => `${k}=${v}`);
}

export function create(store: StateStore, opts: CreateOptions, log: Log): Created {
  const { spec, bundle, rootfs } = loadBundle(opts.bundle, { warn: (m) => log.warn(m) });
  checkHostSupport(spec);
  const linux = spec.linux ?? {};
  const namespaces = linux.namespaces ?? [];
  namespaces.forEach(checkNamespacePath);
  // Without a mount namespace the container's mounts are made in the host's, under the rootfs, and
  // delete unmounts them; "/" there cannot be remounted read-only without touching the host.
  const hostMountNs = !namespaces.some((n) => n.type === 'mount');
  if (hostMountNs && spec.root?.readonly) throw new ConfigError('root.readonly', 'needs a mount namespace (linux.namespaces has none): remounting it would change the host\'s mount');
  // process is required only by start (the spec); create goes on without it.
  const proc = spec.process;
  if (proc?.terminal && opts.consoleSocket === undefined && opts.consoleFd === undefined) {
    throw new UsageError('cannot allocate a pseudo-TTY without --console-socket (process.terminal is true)');
  }
  const preserveFds = opts.preserveFds ?? 0;
  checkIdmappedMounts(spec); // refuses what cannot be id-mapped before anything is made
  const netDevices = spec.linux?.netDevices && Object.keys(spec.linux.netDevices).length
    ? (require('./netDevices') as typeof import('./netDevices'))
    : undefined;
  netDevices?.checkNetDevices(spec); // the devices exist on the host, no two share a name inside

  store.reserve(opts.id);
  const unlock = store.lock(opts.id);
  const undo: (() => void)[] = [() => store.remove(opts.id)];
  let initPid = 0;
  try {
    const record = creatingRecord(opts.id, spec, bundle, rootfs);
    store.write(record);
    const fifo = store.fifoPath(opts.id);
    const oldMask = libc.umask(0);
    try {
      libc.mkfifo(fifo, 0o622);
    } finally {
      libc.umask(oldMask);
    }

    const cgroup = setupCgroupOrSkip(spec, opts.id, log);
    undo.push(() => cgroup.destroy());
    if (hostMountNs) {
      record.hostMountsKept = mountsBelow(rootfs);
      undo.push(() => unmountBelow(rootfs, record.hostMountsKept));
    }
    record.cgroupPaths = cgroup.paths;
    record.cgroupCreated = cgroup.created;
    store.write(record);

    const [parentFd, childFd] = libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    const channel = new SyncChannel(parentFd);
    const fifoFd = libc.open(fifo, O.PATH | O.CLOEXEC);
    let consoleFd = opts.consoleFd;
    if (consoleFd === undefined && proc?.terminal && opts.consoleSocket) {
      const { connectUnix } = require('../sys/scm') as typeof import('../sys/scm');
      try {
        consoleFd = connectUnix(opts.consoleSocket);
      } catch (e) {
        throw new UsageError(`--console-socket: ${errorMessage(e)}`);
      }
    }
    const childFds = [0, 1, 2];
    for (let i = 0; i < preserveFds; i++) childFds.push(3 + i);
    const syncAt = childFds.length;
    childFds.push(childFd, fifoFd);
    const procsFds = cgroup.procsFiles().map((f) => libc.open(f, O.WRONLY | O.CLOEXEC));
    const cgroupAt = procsFds.map((fd) => {
      childFds.push(fd);
      return childFds.length - 1;
    });
    let consoleAt: number | undefined;
    if (consoleFd !== undefined) {
      consoleAt = childFds.length;
      childFds.push(consoleFd);
    }

    const userNs = namespaces.find((n) => n.type === 'user');
    const pidNs = namespaces.find((n) => n.type === 'pid');
    const join: number[] = [];
    let cloneFlags = 0;
    if (userNs?.path) join.push(libc.open(userNs.path, O.RDONLY | O.CLOEXEC));
    else if (userNs) cloneFlags |= CLONE.NEWUSER;
    const timeNs = namespaces.find((n) => n.type === 'time');
    if (timeNs?.path) join.push(libc.open(timeNs.path, O.RDONLY | O.CLOEXEC));
    if (pidNs?.path) join.push(libc.open(pidNs.path, O.RDONLY | O.CLOEXEC));
    else if (pidNs) cloneFlags |= CLONE.NEWPID;
    if (pidNs?.path && userNs && !userNs.path) {
      throw new ConfigError('linux.namespaces', 'joining a pid namespace together with a new user namespace is not supported');
    }

    const child = spawn({
      path: process.execPath,
      argv: ['hull-init', INIT_SCRIPT],
      env: cleanNodeEnv({ [SYNC_FD_ENV]: String(syncAt) }),
      cloneFlags,
      join,
      joinPid: Boolean(pidNs?.path),
      fds: childFds,
      syncFd: cloneFlags & CLONE.NEWUSER ? childFd : undefined,
      rootIds: Boolean(userNs),
    });
    initPid = child.pid;
    undo.push(() => killAndReap(initPid));
    libc.close(childFd);
    libc.close(fifoFd);
    for (const fd of procsFds) libc.close(fd);
    for (const fd of join) libc.close(fd);
    if (consoleFd !== undefined && opts.consoleFd === undefined) libc.close(consoleFd);

    if (cloneFlags & CLONE.NEWUSER) {
      writeIdMaps(initPid, spec);
      libc.write(parentFd, Buffer.from([0]));
    }
    child.result();

    const config: InitConfig = {
      id: opts.id,
      bundle,
      rootfs,
      spec,
      noPivot: Boolean(opts.noPivot),
      noNewKeyring: Boolean(opts.noNewKeyring),
      fifoFd: syncAt + 1,
      consoleFd: consoleAt,
      preserveFds,
      cgroupFds: cgroupAt,
      cgroupDirs: cgroup.viewDirs(),
      userns: Boolean(userNs),
      state: stateOf({ ...record, pid: initPid }, 'creating'),
      debug: Boolean(opts.debug),
    };
    // Made here, not in the init: see init/idmap.ts.
    const idmapFds = prepareIdmappedMounts(spec, userNs ? `/proc/${initPid}/ns/user` : undefined, bundle);
    try {
      channel.send({ type: 'config', config });
      sendIdmappedMounts(parentFd, idmapFds);
    } finally {
      closeAll(idmapFds);
    }
    const creatingState = stateOf({ ...record, pid: initPid }, 'creating');
    for (;;) {
      const msg = channel.recv<import('../sync').InitMessage>();
      if (!msg) throw new InitError('EINIT', `init: ${describeDeath(initPid)}`);
      if (msg.type === 'log') {
        log[msg.level === 'warning' ? 'warn' : msg.level](`init: ${msg.msg}`);
      } else if (msg.type === 'mounts') {
        if (netDevices) {
          // The init is in its network namespace now; the devices must be there before any hook.
          const moved = netDevices.moveNetDevices(spec, initPid);
          undo.push(() => netDevices.returnNetDevices(initPid, moved));
        }
        runHooks(spec.hooks?.prestart, creatingState, 'prestart', { log });
        runHooks(spec.hooks?.createRuntime, creatingState, 'createRuntime', { log });
        channel.send({ type: 'continue' });
      } else if (msg.type === 'ready') {
        break;
      } else if (msg.type === 'error') {
        throw new InitError(msg.code ?? 'EINIT', `init: ${msg.msg}`);
      }
    }

    record.pid = initPid;
    record.startTime = readProcStat(initPid)?.startTime ?? '';
    delete record.creating;
    delete record.creatorPid;
    store.write(record);
    if (opts.pidFile) writePidFile(path.resolve(opts.pidFile), initPid);
    unlock();
    return { record, channel };
  } catch (e) {
    const err = e instanceof HullError ? e : new HullError('ECREATE', errorMessage(e), {}, { cause: e });
    for (const step of undo.reverse()) {
      try {
        step();
      } catch (cleanupErr) {
        err.cleanup.push(cleanupErr as Error);
      }
    }
    unlock();
    throw err;
  }
}

/**
 * Rootless (hull run by a non-root user): without a delegated cgroup the
 * container's cgroup cannot be made. As runc does, go on without one when
 * the config asks for no limits and no cgroupsPath (with a warning: no
 * cgroup view inside, `ps`/`pause` have nothing to act on); otherwise fail.
 */
function setupCgroupOrSkip(spec: Spec, id: string, log: Log): ReturnType<typeof setupCgroup> {
  try {
    return setupCgroup(spec, id, log);
  } catch (e) {
    const denied = e instanceof CgroupError && ['EACCES', 'EPERM', 'EROFS'].includes(e.code);
    if (process.geteuid?.() === 0 || !denied) throw e;
    const linux = spec.linux ?? {};
    // The device rules are not limits here: without a cgroup the user namespace already keeps devices out.
    const limits = Object.entries(linux.resources ?? {}).filter(([k, v]) => k !== 'devices' && v != null && !(typeof v === 'object' && Object.keys(v).length === 0));
    if (linux.cgroupsPath || limits.length) {
      const what = linux.cgroupsPath ? 'linux.cgroupsPath' : `linux.resources.${limits[0][0]}`;
      throw new CgroupError(e.code, `rootless: ${what} needs a cgroup, and none is delegated to this user: ${errorMessage(e)}`, {}, { cause: e });
    }
    log.warn(`rootless: ${errorMessage(e)}: running without a cgroup`);
    return openCgroup({ cgroupPaths: {} } as ContainerRecord);
  }
}

function writePidFile(file: string, pid: number): void {
  try {
    writeFileAtomic(file, String(pid), 0o644);
  } catch (e) {
    throw new UsageError(`--pid-file ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
  }
}

function writeIdMaps(pid: number, spec: Spec): void {
  const linux = spec.linux ?? {};
  const fmt = (maps: { containerID: number; hostID: number; size: number }[] = []) =>
    maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
  try {
    fs.writeFileSync(`/proc/${pid}/uid_map`, fmt(linux.uidMappings));
    // Unprivileged, the kernel takes a gid_map only once setgroups is denied.
    if (process.geteuid?.() !== 0) fs.writeFileSync(`/proc/${pid}/setgroups`, 'deny');
    fs.writeFileSync(`/proc/${pid}/gid_map`, fmt(linux.gidMappings));
  } catch (e) {
    throw new HullError('EIDMAP', `write uid/gid maps of init ${pid}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** SIGKILL the init and reap it (it is our child while create runs). */
export function killAndReap(pid: number): void {
  libc.tryKill(pid, 9);
  try {
    libc.waitpid(pid, 0);
  } catch {
    // not our child (joined pid namespace: the intermediate reaped it) or already reaped
  }
}

/** Why the init closed the channel without a word: its exit status or signal. */
function describeDeath(pid: number): string {
  for (let i = 0; i < 100; i++) {
    let res: [number, number];
    try {
      res = libc.waitpid(pid, WNOHANG);
    } catch {
      return 'the init process died before reporting (status unknown)';
    }
    if (res[0] === pid) {
      const st = res[1];
      if ((st & 0x7f) === 0) return `the init process exited with status ${(st >> 8) & 0xff} before reporting`;
      const sig = st & 0x7f;
      return `the init process was killed by signal ${sig}${sig === 9 ? ' (SIGKILL: out of memory?)' : ''} before reporting`;
    }
    sleepMs(10);
  }
  return 'the init process closed its channel without reporting';
}
