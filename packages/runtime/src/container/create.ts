// `hull create`: the parent side. Reserve the id, make the cgroup, start
// hull-init through the native primitive (new pid/user namespaces), write
// the id maps, compile and send the setup program, run the runtime-side
// hooks when it reports its mounts, and record the container once it says
// "ready". Any failure undoes everything: init killed, cgroup removed, state gone.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError, ConfigError, HullError, InitError, UsageError, errorMessage } from '../errors';
import type { Log } from '../log';
import { readProcStat, sleepMs } from '../proc';
import { loadBundle } from '../spec/load';
import type { Spec } from '../spec/types';
import { type ContainerRecord, creatingRecord, type StateStore } from '../state/store';
import { writeFileAtomicSync } from '@hull/sys/atomic';
import * as libc from '@hull/sys/syscalls';
import { spawn, type SpawnRequest, type Spawned } from '@hull/sys/native';
import { AF_UNIX, CLONE, O, SOCK_CLOEXEC, SOCK_STREAM, WNOHANG } from '@hull/sys/constants';
import { InitChannel } from '../program/channel';
import { MSG } from '../program/format';
import { compileInit } from '../program/init';
import { faultAfter, forkedInit, HULL_INIT, sealedInit } from '../program/launch';
import { checkNamespacePath } from '../program/namespaces';
import { checkRlimits } from '../program/process';
import { checkIdmappedMounts, closeAll, idmappedMounts, prepareBindMounts, prepareIdmappedMounts } from '../program/idmap';
import { mountsBelow, unmountBelow } from './hostMounts';
import { runHooks } from '../hooks';
import { openCgroup, setupCgroup } from './cgroup';
import { checkHostSupport } from './hostSupport';
import { stateOf } from './status';

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
  /** Who clones hull-init (default: hull.node's hull_spawn, this process is its parent); hull-shim's monitor does it for the shim. */
  spawner?: Spawner;
  /** The long-lived process running this create as a library (hull-shim): `delete --force` elsewhere must not kill it. */
  host?: string;
}

/** Clones hull-init as `spawn` does; another process may be its parent (then it is not ours to reap). */
export type Spawner = (req: SpawnRequest) => Spawned;

export interface Created {
  record: ContainerRecord;
  /** Open while the init runs: a message after "ready" is a failure between start and exec. */
  channel: InitChannel;
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
    const record = creatingRecord(opts.id, spec, bundle, rootfs, opts.host);
    store.write(record);
    const fifo = store.fifoPath(opts.id);
    // chmod, not umask(0): the umask is the whole process's, and a supervisor runs creates on several threads.
    libc.mkfifo(fifo, 0o622);
    fs.chmodSync(fifo, 0o622);

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
    undo.push(() => libc.close(parentFd));
    const fifoFd = libc.open(fifo, O.PATH | O.CLOEXEC);
    let consoleFd = opts.consoleFd;
    if (consoleFd === undefined && proc?.terminal && opts.consoleSocket) {
      const { connectUnix } = require('@hull/sys/scm') as typeof import('@hull/sys/scm');
      try {
        consoleFd = connectUnix(opts.consoleSocket);
      } catch (e) {
        throw new UsageError(`--console-socket: ${errorMessage(e)}`);
      }
    }
    // hull-init's fds: 0-2, the preserved ones, then its sync socket, the fifo, the
    // cgroup.procs files, the console socket and the namespaces it joins by path.
    const childFds = [0, 1, 2];
    for (let i = 0; i < preserveFds; i++) childFds.push(3 + i);
    const place = (fd: number) => childFds.push(fd) - 1;
    const syncAt = place(childFd);
    const fifoAt = place(fifoFd);
    const procsFds = cgroup.procsFiles().map((f) => libc.open(f, O.WRONLY | O.CLOEXEC));
    const cgroupAt = procsFds.map(place);
    const consoleAt = consoleFd !== undefined ? place(consoleFd) : undefined;
    const joinFds: number[] = [];
    const joinAt = new Map<string, number>();
    for (const ns of namespaces) {
      if (!ns.path || ns.type === 'user' || ns.type === 'pid' || ns.type === 'time') continue;
      const fd = libc.open(ns.path, O.RDONLY | O.CLOEXEC);
      joinFds.push(fd);
      joinAt.set(ns.type, place(fd));
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
    if (pidNs?.path && userNs && !userNs.path) {
      throw new ConfigError('linux.namespaces', 'joining a pid namespace together with a new user namespace is not supported');
    }
    checkRlimits(proc?.rlimits, Boolean(userNs));

    const child = (opts.spawner ?? spawn)({
      path: HULL_INIT,
      execFd: sealedInit(),
      // A pid namespace holds only children: hull-init forks itself into it, joined ("fork") or
      // new ("newpid"), so nothing but hull-init is ever inside.
      argv: ['hull-init', String(syncAt), ...(pidNs?.path ? ['fork'] : pidNs ? ['newpid'] : [])],
      env: [],
      cloneFlags,
      join,
      fds: childFds,
      syncFd: cloneFlags & CLONE.NEWUSER ? childFd : undefined,
      rootIds: Boolean(userNs),
      dumpable: 0,
    });
    initPid = child.pid;
    undo.push(() => killAndReap(initPid));
    for (const fd of [childFd, fifoFd, ...procsFds, ...join, ...joinFds]) libc.close(fd);
    if (consoleFd !== undefined && opts.consoleFd === undefined) libc.close(consoleFd);

    if (cloneFlags & CLONE.NEWUSER) {
      writeIdMaps(initPid, spec);
      libc.write(parentFd, Buffer.from([0]));
    }
    child.result();
    if (pidNs) initPid = forkedInit(parentFd, initPid);

    const creatingState = stateOf({ ...record, pid: initPid }, 'creating');
    // Made here, not in the init: see program/idmap.ts.
    const premadeIndexes = idmappedMounts(spec).map((m) => m.index);
    const premadeFds = prepareIdmappedMounts(spec, userNs ? `/proc/${initPid}/ns/user` : undefined, bundle);
    if (userNs) {
      try {
        const binds = prepareBindMounts(spec, bundle, new Set(premadeIndexes));
        premadeIndexes.push(...binds.indexes);
        premadeFds.push(...binds.fds);
      } catch (e) {
        closeAll(premadeFds);
        throw e;
      }
    }
    let channel: InitChannel;
    try {
      const program = compileInit({
        id: opts.id, rootfs, bundle, spec, noPivot: Boolean(opts.noPivot), noNewKeyring: Boolean(opts.noNewKeyring),
        cgroupDirs: cgroup.viewDirs(), userns: Boolean(userNs), hostMountNs,
        fds: { fifo: fifoAt, cgroupProcs: cgroupAt, console: consoleAt, join: joinAt },
        preserveFds, premadeIndexes, state: creatingState, log,
      });
      if (opts.debug) log.debug(`setup program:\n${program.listing()}`);
      channel = new InitChannel(parentFd, program, log, 'init', () => describeDeath(initPid));
      channel.send(program.encode({ trace: opts.debug, faultAfter: faultAfter(), nfds: premadeFds.length }), premadeFds);
    } finally {
      closeAll(premadeFds);
    }
    channel.expect(MSG.MOUNTS);
    if (netDevices) {
      // The init is in its network namespace now; the devices must be there before any hook.
      const moved = netDevices.moveNetDevices(spec, initPid);
      undo.push(() => netDevices.returnNetDevices(initPid, moved));
    }
    runHooks(spec.hooks?.prestart, creatingState, 'prestart', { log });
    runHooks(spec.hooks?.createRuntime, creatingState, 'createRuntime', { log });
    channel.sendContinue();
    channel.expect(MSG.READY);

    record.pid = initPid;
    record.startTime = readProcStat(initPid)?.startTime ?? '';
    delete record.creating;
    delete record.creatorPid;
    delete record.creatorHost;
    store.write(record);
    if (opts.pidFile) writePidFile(path.resolve(opts.pidFile), initPid);
    unlock();
    undo.length = 0;
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
    writeFileAtomicSync(file, String(pid), { fsync: false });
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
