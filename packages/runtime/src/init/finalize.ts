// The last steps before a container process runs, shared by the init and
// the exec entry: join the cgroup (last, so Node's own footprint is never
// the container's), rlimits, oom_score_adj, no_new_privs, seccomp, user and
// capabilities, umask, cwd, fds, execve.
import fs from 'node:fs';
import type { Log } from '../log';
import type { Linux, LinuxSeccomp, Personality, Process, State } from '../spec/types';
import * as libc from '../sys/libc';
import { execve } from '../sys/native';
import { F_GETFD, F_SETFD, FD_CLOEXEC, PR } from '../sys/constants';
import { applyIoPriority, applyMemoryPolicy, applyOomScoreAdj, applyPersonality, applyRlimits, applyScheduler, lookPath, withHome } from './process';
import { switchUser } from './capabilities';
import { compileSeccomp, connectNotifyAgent, sendNotifyFdOn, type SeccompFilter } from '../seccomp';

export interface Prepared {
  file: string;
  env: string[];
  seccomp?: SeccompFilter;
}

/** The seccomp agent's socket is a host path: connect while it is still visible (before pivot_root or setns into the mount namespace). */
export function connectSeccompAgent(seccomp: LinuxSeccomp | undefined): number | undefined {
  return seccomp?.listenerPath && seccomp.syscalls?.some((s) => s.action === 'SCMP_ACT_NOTIFY') ? connectNotifyAgent(seccomp.listenerPath) : undefined;
}

/** In the container's root: chdir, find the executable, compile the filter (libseccomp is loaded now, before the host's files are gone). */
export function prepareProcess(proc: Process, seccomp: LinuxSeccomp | undefined, log: Log): Prepared {
  const user = proc.user ?? { uid: 0, gid: 0 };
  const env = withHome(proc.env ?? [], user.uid);
  if (proc.cwd) libc.chdir(proc.cwd);
  const file = lookPath(proc.args?.[0] ?? '', env);
  return { file, env, seccomp: seccomp ? compileSeccomp(seccomp, { log }) : undefined };
}

/** Writes this process into the container's cgroup through the parent's open cgroup.procs fds. */
export function joinCgroup(fds: number[]): void {
  for (const fd of fds) {
    fs.writeSync(fd, '0');
    libc.close(fd);
  }
}

export interface BecomeOptions {
  /** Open cgroup.procs fds to join first (exec: as late as possible); the init joined at create. */
  cgroupFds?: number[];
  /** Called right after the cgroup is joined (the cgroup namespace is entered there). */
  afterCgroup?: () => void;
  preserveFds: number;
  seccompSpec?: LinuxSeccomp;
  /** From connectSeccompAgent: where the notify fd goes. */
  seccompAgent?: number;
  /** The state sent with a seccomp notify fd; its pid is the host's view (process.pid may be 1 here). */
  state: State;
  personality?: Personality;
  memoryPolicy?: Linux['memoryPolicy'];
  log?: Log;
}

export function becomeProcess(proc: Process, prep: Prepared, opts: BecomeOptions): never {
  if (opts.cgroupFds) joinCgroup(opts.cgroupFds);
  opts.afterCgroup?.();

  const user = proc.user ?? { uid: 0, gid: 0 };
  applyRlimits(proc.rlimits);
  applyOomScoreAdj(proc.oomScoreAdj);
  // Real-time policies and classes need privileges the user switch drops.
  applyScheduler(proc.scheduler);
  applyIoPriority(proc.ioPriority);
  applyPersonality(opts.personality);
  applyMemoryPolicy(opts.memoryPolicy);
  libc.umask(user.umask ?? 0o022);

  // Only 0-2 and the preserved fds cross execve (Node marked them close-on-exec at
  // start). Done before the filter is loaded: it may forbid fcntl or close_range.
  for (let fd = 0; fd < 3 + opts.preserveFds; fd++) {
    try {
      libc.fcntl(fd, F_SETFD, libc.fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
    } catch {
      // a preserved fd the caller did not open
    }
  }
  libc.closeRange(3 + opts.preserveFds, 0xffffffff, 4 /* CLOSE_RANGE_CLOEXEC */);

  let notifyFd: number | undefined;
  if (proc.noNewPrivileges) libc.prctl(PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0, 'set no_new_privs');
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: switchUser loads it at
  // the last moment it still holds that capability.
  const loadPrivileged = prep.seccomp && !proc.noNewPrivileges ? () => { notifyFd = prep.seccomp!.load(); } : undefined;
  switchUser(user.uid, user.gid, user.additionalGids ?? [], proc.capabilities, { log: opts.log, whilePrivileged: loadPrivileged });
  // With no_new_privs, as late as possible: a profile may forbid what the steps above need.
  if (prep.seccomp && proc.noNewPrivileges) notifyFd = prep.seccomp.load();
  if (notifyFd !== undefined && opts.seccompAgent !== undefined) {
    sendNotifyFdOn(opts.seccompAgent, notifyFd, { ...opts.state, status: 'running' }, opts.seccompSpec?.listenerMetadata, opts.seccompSpec?.listenerPath);
    libc.close(notifyFd);
    libc.close(opts.seccompAgent);
  }
  return execve(prep.file, proc.args ?? [], prep.env);
}
