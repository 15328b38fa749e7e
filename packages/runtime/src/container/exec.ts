// `hull exec`: run a new process in a running container. The native
// primitive joins the container's user, time and pid namespaces (an extra
// fork so the process is inside the pid namespace, as our child) and execs
// hull-init non-dumpable from its sealed copy; the exec program joins the
// rest and becomes the process.
import path from 'node:path';
import { HullError, StatusError } from '../errors';
import type { Log } from '../log';
import type { Process } from '../spec/types';
import type { StateStore, Status } from '../state/store';
import { writeFileAtomicSync } from '@hull/sys/atomic';
import * as libc from '@hull/sys/syscalls';
import { spawn } from '@hull/sys/native';
import { AF_UNIX, O, SOCK_CLOEXEC, SOCK_STREAM } from '@hull/sys/constants';
import { InitChannel } from '../program/channel';
import { compileExecProgram } from '../program/exec';
import { faultAfter, forkedInit, HULL_INIT, sealedInit } from '../program/launch';
import { NS_PROC_NAMES } from '../program/namespaces';
import { statusOf, stateOf } from './status';
import { waitForeground } from './wait';
import { openCgroup } from './cgroup';
import { checkProcessSupport } from './hostSupport';

export interface ExecOptions {
  id: string;
  process: Process;
  detach?: boolean;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds?: number;
  /** `--ignore-paused`: exec into a frozen container (the process starts once it is resumed). */
  ignorePaused?: boolean;
  /** `--cgroup`: the cgroup.procs files the process joins instead of the container's (sub-cgroups of it). */
  cgroupProcs?: string[];
  /** The console socket already connected (instead of `consoleSocket`). */
  consoleFd?: number;
  /** Who clones hull-init (see create's). */
  spawner?: import('./create').Spawner;
}

export async function exec(store: StateStore, opts: ExecOptions, log: Log): Promise<number> {
  const rec = store.read(opts.id);
  const status = statusOf(store, rec);
  const allowed: Status[] = opts.ignorePaused ? ['created', 'running', 'paused'] : ['created', 'running'];
  if (!allowed.includes(status)) throw new StatusError(opts.id, 'exec in', status, allowed);
  const proc = opts.process;
  checkProcessSupport(proc);
  const linux = rec.spec.linux ?? {};
  const types = (linux.namespaces ?? []).map((n) => n.type);
  const preserveFds = opts.preserveFds ?? 0;

  let console: import('./console').ConsoleProxy | undefined;
  let consoleFd: number | undefined;
  if (proc.terminal) {
    if (opts.consoleFd !== undefined) {
      consoleFd = opts.consoleFd;
    } else if (opts.consoleSocket) {
      const { connectUnix } = require('@hull/sys/scm') as typeof import('@hull/sys/scm');
      consoleFd = connectUnix(opts.consoleSocket);
    } else if (!opts.detach) {
      const { ConsoleProxy } = require('./console') as typeof import('./console');
      console = new ConsoleProxy();
      consoleFd = console.childFd;
    } else {
      throw new (require('../errors').UsageError)('cannot allocate a pseudo-TTY for a detached process without --console-socket');
    }
  }

  const [parentFd, childFd] = libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  // hull-init's fds: 0-2, the preserved ones, its sync socket, the console socket, the
  // cgroup.procs files, the namespaces it joins itself and the init's root.
  const fds = [0, 1, 2];
  for (let i = 0; i < preserveFds; i++) fds.push(3 + i);
  const place = (fd: number) => fds.push(fd) - 1;
  const syncAt = place(childFd);
  const consoleAt = consoleFd !== undefined ? place(consoleFd) : undefined;
  const procsFiles = opts.cgroupProcs ?? (Object.keys(rec.cgroupPaths).length ? openCgroup(rec).procsFiles() : []);
  const procsFds = procsFiles.map((f) => libc.open(f, O.WRONLY | O.CLOEXEC));
  const cgroupAt = procsFds.map(place);
  const nsFds: number[] = [];
  const joinAt = new Map<string, number>();
  for (const type of types) {
    if (type === 'user' || type === 'pid' || type === 'time') continue;
    const fd = libc.open(`/proc/${rec.pid}/ns/${NS_PROC_NAMES[type]}`, O.RDONLY | O.CLOEXEC);
    nsFds.push(fd);
    joinAt.set(type, place(fd));
  }
  let rootAt: number | undefined;
  if (!types.includes('mount')) {
    const fd = libc.open(`/proc/${rec.pid}/root`, O.PATH | O.DIRECTORY | O.CLOEXEC);
    nsFds.push(fd);
    rootAt = place(fd);
  }
  const join: number[] = [];
  if (types.includes('user')) join.push(libc.open(`/proc/${rec.pid}/ns/user`, O.RDONLY | O.CLOEXEC));
  // Only a single-threaded process may join a time namespace: the native side does it.
  if (types.includes('time')) join.push(libc.open(`/proc/${rec.pid}/ns/time_for_children`, O.RDONLY | O.CLOEXEC));
  const joinPid = types.includes('pid');
  if (joinPid) join.push(libc.open(`/proc/${rec.pid}/ns/pid`, O.RDONLY | O.CLOEXEC));

  let pid: number;
  try {
    const child = (opts.spawner ?? spawn)({
      path: HULL_INIT,
      execFd: sealedInit(),
      // In the pid namespace only children land: hull-init forks itself there ("fork").
      argv: joinPid ? ['hull-exec', String(syncAt), 'fork'] : ['hull-exec', String(syncAt)],
      env: [],
      join,
      fds,
      rootIds: types.includes('user'),
      dumpable: 0,
    });
    pid = child.pid;
    child.result();
    if (joinPid) pid = forkedInit(parentFd, pid);
  } finally {
    libc.close(childFd);
    for (const fd of [...join, ...procsFds, ...nsFds]) libc.close(fd);
    if (consoleFd !== undefined && !console && opts.consoleFd === undefined) libc.close(consoleFd);
  }

  const program = compileExecProgram({
    proc, linux, preserveFds, userns: types.includes('user'), log,
    fds: { join: joinAt, cgroupProcs: cgroupAt, console: consoleAt, root: rootAt },
    notifyState: JSON.stringify({ ociVersion: rec.spec.ociVersion, fds: ['seccompFd'], pid: rec.pid, state: stateOf(rec, status) }),
  });
  const channel = new InitChannel(parentFd, program, log, `exec ${opts.id}`, () => 'the process died before it was exec\'d');
  try {
    channel.send(program.encode({ faultAfter: faultAfter('exec') }), []);
    if (console) console.attach();
    // EOF when the process execs (the socket is close-on-exec), or an error.
    channel.expectExec();
  } catch (e) {
    console?.close();
    try {
      libc.waitpid(pid, 0);
    } catch {
      // already reaped
    }
    throw e;
  } finally {
    channel.close();
  }
  if (opts.pidFile) writePidFile(opts.pidFile, pid, console);
  if (opts.detach) return 0;
  return waitForeground(pid, console);
}

/** runc: a pid file that cannot be written fails the exec, and the process it started does not outlive it. */
function writePidFile(file: string, pid: number, console?: import('./console').ConsoleProxy): void {
  try {
    writeFileAtomicSync(path.resolve(file), String(pid), { fsync: false });
  } catch (e) {
    libc.tryKill(pid, 9);
    try {
      libc.waitpid(pid, 0);
    } catch {
      // already reaped
    }
    console?.close();
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new HullError(code, `--pid-file ${file}: ${code}`, { file }, { cause: e });
  }
}
