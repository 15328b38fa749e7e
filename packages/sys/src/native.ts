// hull_spawn (native/hull_spawn.c, in hull.node): clone/setns into namespaces
// and execve a fresh program; the C side runs only async-signal-safe code.
import { SysError } from './errors';
import { errnoName } from './errno';
import { addon } from './syscalls';

// Mirrors enum hull_step in native/hull_spawn.h.
const STEPS = ['', 'clone', 'wait for parent', 'setns', 'setgroups', 'setresgid', 'setresuid', 'set up fds', 'set dumpable', 'execve', 'read report'];

export interface SpawnRequest {
  path: string;
  argv: string[];
  env: string[];
  /** CLONE_NEWPID and/or CLONE_NEWUSER. */
  cloneFlags?: number;
  /** Namespace fds to setns() into, in order (user first). */
  join?: number[];
  /** fds[i] becomes fd i in the child; -1 closes it. */
  fds: number[];
  /** The child waits for one byte on this fd before switching ids (after the parent wrote id maps). */
  syncFd?: number;
  /** setresgid/setresuid(0) inside the user namespace. */
  rootIds?: boolean;
  /** execveat() this fd (from sealedCopy) instead of `path`. */
  execFd?: number;
  /** PR_SET_DUMPABLE value before execve. */
  dumpable?: 0 | 1;
}

export interface Spawned {
  pid: number;
  /** Call after any set-up the child waits for; throws if the child failed before execve. */
  result(): void;
}

export function spawn(req: SpawnRequest): Spawned {
  const r = addon().spawn(req.path, req.argv, req.env, req.cloneFlags ?? 0, req.join ?? [], req.fds, req.syncFd ?? -1,
    req.syncFd !== undefined ? 1 : 0, req.rootIds ? 1 : 0, req.execFd ?? -1, req.dumpable ?? -1);
  if (typeof r === 'number') throw new SysError('clone', -r, errnoName(-r), `spawn ${req.path}: clone`);
  const [pid, fd] = r;
  return {
    pid,
    result() {
      const [err, step] = addon().spawnResult(fd);
      if (err < 0) throw spawnStepError(req.path, step, -err);
    },
  };
}

/** The error of a child that failed at `step` (enum hull_step) before its execve. */
export function spawnStepError(file: string, step: number, errno: number): SysError {
  const what = STEPS[step] ?? `step ${step}`;
  return new SysError(STEPS[step] ?? 'spawn', errno, errnoName(errno), `spawn ${file}: ${what}`);
}

/** A sealed in-memory copy of the program at `file` (see hull_sealed_copy in native/). */
export function sealedCopy(file: string): number {
  const fd = addon().sealedCopy(file);
  if (fd < 0) throw new SysError('memfd', -fd, errnoName(-fd), `sealed copy of ${file}`);
  return fd;
}
