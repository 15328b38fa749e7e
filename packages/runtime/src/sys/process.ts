// Process-keeping calls the supervisor (hull-shim) needs and libc.ts lacks:
// pipes made outside libuv, pidfds, and taking an fd from another process.
import koffi from 'koffi';
import { SysError } from '../errors';
import { errnoName } from './errno';
import { SYS } from './libc';

const libc = koffi.load('libc.so.6');

// Same numbers on x86_64 and aarch64 (allocated after the syscall tables merged).
const NR_PIDFD_GETFD = 438;

const fn = {
  pipe2: libc.func('int pipe2(_Out_ int *fds, int flags)'),
  syscall3: libc.func('long syscall(long nr, long a1, long a2, long a3)'),
  close: libc.func('int close(int fd)'),
};

export const O_CLOEXEC = 0o2000000;
export const PR_SET_CHILD_SUBREAPER = 36;

function check(ret: number | bigint, syscall: string, detail?: string): number {
  if (Number(ret) < 0) {
    const errno = koffi.errno();
    throw new SysError(syscall, errno, errnoName(errno), detail);
  }
  return Number(ret);
}

/** A pipe: [readFd, writeFd], both close-on-exec. */
export function pipe(): [number, number] {
  const fds = [0, 0];
  check(fn.pipe2(fds, O_CLOEXEC), 'pipe2');
  return [fds[0], fds[1]];
}

/** A pidfd for `pid` (close-on-exec); stays valid, and names the same process, after it exits. */
export function pidfdOpen(pid: number): number {
  return check(fn.syscall3(SYS.pidfd_open, pid, 0, 0), 'pidfd_open', `pidfd_open ${pid}`);
}

/** A duplicate of fd `targetFd` of the process behind `pidfd` (close-on-exec). */
export function pidfdGetfd(pidfd: number, targetFd: number): number {
  return check(fn.syscall3(NR_PIDFD_GETFD, pidfd, targetFd, 0), 'pidfd_getfd', `pidfd_getfd fd ${targetFd}`);
}

export function closeFd(fd: number): void {
  fn.close(fd);
}
