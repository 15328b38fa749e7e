// `hull exec`: run a new process in a running container. The native
// primitive joins the container's user and pid namespaces (an extra fork so
// the process is inside the pid namespace, as our child), seals the node
// binary read-only and leaves the process non-dumpable; the exec entry
// joins the rest and execs.
import path from 'node:path';
import { HullError, InitError, StatusError } from '../errors';
import type { Log } from '../log';
import type { Process } from '../spec/types';
import type { StateStore, Status } from '../state/store';
import { writeFileAtomic } from '../state/store';
import { SyncChannel, type InitMessage } from '../sync';
import * as libc from '../sys/libc';
import { spawn } from '../sys/native';
import { AF_UNIX, O, SOCK_CLOEXEC, SOCK_STREAM } from '../sys/constants';
import { SYNC_FD_ENV } from '../init/config';
import type { ExecConfig } from '../init/execEntry';
import { cleanNodeEnv } from './create';
import { statusOf, stateOf } from './status';
import { waitForeground } from './wait';
import { openCgroup } from './cgroup';
import { checkProcessSupport } from './hostSupport';

export const EXEC_ENTRY = path.resolve(__dirname, '../init/execEntry.js');

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
    if (opts.consoleSocket) {
      const { connectUnix } = require('../sys/scm') as typeof import('../sys/scm');
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
  const channel = new SyncChannel(parentFd);
  const fds = [0, 1, 2];
  for (let i = 0; i < preserveFds; i++) fds.push(3 + i);
  const syncAt = fds.length;
  fds.push(childFd);
  let consoleAt: number | undefined;
  if (consoleFd !== undefined) {
    consoleAt = fds.length;
    fds.push(consoleFd);
  }
  const procsFiles = opts.cgroupProcs ?? (Object.keys(rec.cgroupPaths).length ? openCgroup(rec).procsFiles() : []);
  const procsFds = procsFiles.map((f) => libc.open(f, O.WRONLY | O.CLOEXEC));
  const cgroupAt = procsFds.map((fd) => {
    fds.push(fd);
    return fds.length - 1;
  });
  const join: number[] = [];
  if (types.includes('user')) join.push(libc.open(`/proc/${rec.pid}/ns/user`, O.RDONLY | O.CLOEXEC));
  // Only a single-threaded process may join a time namespace: the native side does it.
  if (types.includes('time')) join.push(libc.open(`/proc/${rec.pid}/ns/time_for_children`, O.RDONLY | O.CLOEXEC));
  const joinPid = types.includes('pid');
  if (joinPid) join.push(libc.open(`/proc/${rec.pid}/ns/pid`, O.RDONLY | O.CLOEXEC));

  let pid: number;
  try {
    const child = spawn({
      path: process.execPath,
      argv: ['hull-exec', EXEC_ENTRY],
      env: cleanNodeEnv({ [SYNC_FD_ENV]: String(syncAt) }),
      join,
      joinPid,
      fds,
      rootIds: types.includes('user'),
      sealExe: true,
      dumpable: 0,
    });
    pid = child.pid;
    child.result();
  } finally {
    libc.close(childFd);
    for (const fd of [...join, ...procsFds]) libc.close(fd);
    if (consoleFd !== undefined && !console) libc.close(consoleFd);
  }

  const config: ExecConfig = {
    process: proc,
    initPid: rec.pid,
    namespaces: types.filter((t) => t !== 'user' && t !== 'pid' && t !== 'time'),
    cgroupFds: cgroupAt,
    consoleFd: consoleAt,
    preserveFds,
    seccomp: linux.seccomp,
    state: stateOf(rec, status),
    personality: linux.personality,
    memoryPolicy: linux.memoryPolicy,
  };
  channel.send({ type: 'config', config });
  if (console) console.attach();
  // Log lines, then EOF when the process execs (the channel is close-on-exec) or an error.
  for (;;) {
    const msg = channel.recv<InitMessage>();
    if (!msg) break;
    if (msg.type === 'log') log[msg.level === 'warning' ? 'warn' : msg.level](`exec: ${msg.msg}`);
    if (msg.type === 'error') {
      channel.close();
      console?.close();
      try {
        libc.waitpid(pid, 0);
      } catch {
        // already reaped
      }
      throw new InitError(msg.code ?? 'EEXEC', `exec ${opts.id}: ${msg.msg}`);
    }
  }
  channel.close();
  if (opts.pidFile) writePidFile(opts.pidFile, pid, console);
  if (opts.detach) return 0;
  return waitForeground(pid, console);
}

/** runc: a pid file that cannot be written fails the exec, and the process it started does not outlive it. */
function writePidFile(file: string, pid: number, console?: import('./console').ConsoleProxy): void {
  try {
    writeFileAtomic(path.resolve(file), String(pid), 0o644);
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
