// libhull.so (native/): clone/setns into namespaces and execve a fresh
// program; the C side runs only async-signal-safe code.
import path from 'node:path';
import koffi from 'koffi';
import { SysError } from './errors';
import { errnoName } from './errno';

/** Where libhull.so lives: native/ at the repo root, or HULL_LIBHULL. */
export const LIBHULL_PATH = process.env.HULL_LIBHULL ?? path.resolve(__dirname, '../../../native/libhull.so');

const lib = koffi.load(LIBHULL_PATH);

// Unnamed: koffi type names are process-wide, and jest may load this module twice.
const SpawnArgs = koffi.struct({
  path: 'const char *',
  argv: 'const char **',
  envp: 'const char **',
  clone_flags: 'int32_t',
  join_fds: 'const int32_t *',
  njoin: 'int32_t',
  fds: 'const int32_t *',
  nfds: 'int32_t',
  sync_fd: 'int32_t',
  wait_sync: 'int32_t',
  root_ids: 'int32_t',
  exec_fd: 'int32_t',
  dumpable: 'int32_t',
});

const hullSpawn = lib.func('hull_spawn', 'int', [koffi.pointer(SpawnArgs), koffi.out(koffi.pointer('int32_t'))]);
const hullSpawnResult = lib.func('int hull_spawn_result(int32_t fd, _Out_ int32_t *step)');
const hullSealedCopy = lib.func('int hull_sealed_copy(const char *path)');

// Mirrors enum hull_step in native/hull_spawn.c.
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
  const join = req.join ?? [];
  const args = {
    path: req.path,
    argv: [...req.argv, null],
    envp: [...req.env, null],
    clone_flags: req.cloneFlags ?? 0,
    join_fds: join.length ? join : null,
    njoin: join.length,
    fds: req.fds,
    nfds: req.fds.length,
    sync_fd: req.syncFd ?? -1,
    wait_sync: req.syncFd !== undefined ? 1 : 0,
    root_ids: req.rootIds ? 1 : 0,
    exec_fd: req.execFd ?? -1,
    dumpable: req.dumpable ?? -1,
  };
  const reportFd = [0];
  const pid = hullSpawn(args, reportFd);
  if (pid < 0) throw new SysError('clone', -pid, errnoName(-pid), `spawn ${req.path}: clone`);
  const fd = reportFd[0];
  return {
    pid,
    result() {
      const step = [0];
      const r = hullSpawnResult(fd, step);
      if (r < 0) throw spawnStepError(req.path, step[0], -r);
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
  const fd = hullSealedCopy(file);
  if (fd < 0) throw new SysError('memfd', -fd, errnoName(-fd), `sealed copy of ${file}`);
  return fd;
}
