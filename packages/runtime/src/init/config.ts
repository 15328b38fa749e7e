// What the parent (`hull create`) tells the container's init over the sync channel.
import type { Spec, State } from '../spec/types';

export interface InitConfig {
  id: string;
  bundle: string;
  /** Absolute host path of the rootfs. */
  rootfs: string;
  spec: Spec;
  noPivot: boolean;
  noNewKeyring: boolean;
  /** The init's fd holding the exec fifo (O_PATH): opened for writing, it blocks until `start`. */
  fifoFd: number;
  /** The init's fd of the connected --console-socket, when terminal is true. */
  consoleFd?: number;
  /** Extra fds 3..3+n-1 handed to the container process (--preserve-fds, LISTEN_FDS). */
  preserveFds: number;
  /** The init's fds of the container's cgroup.procs files, opened by the parent (in a user
   *  namespace the init could not open them; the kernel checks the opener's credentials).
   *  The init writes itself into them last, just before exec. */
  cgroupFds: number[];
  /** What the cgroup mount shows: directory name → the container's host cgroup directory. */
  cgroupDirs: Record<string, string>;
  /** The init runs in a new user namespace (devices are bound, not made). */
  userns: boolean;
  /** The state handed to createContainer and startContainer hooks. */
  state: State;
  debug: boolean;
}

/** The fd numbers the init finds its channel on (after the preserved fds). */
export const SYNC_FD_ENV = '_HULL_SYNC_FD';
