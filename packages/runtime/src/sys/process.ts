// Process-keeping calls the supervisor (hull-shim) needs and libc.ts lacks:
// pipes made outside libuv, pidfds, and taking an fd from another process.
import koffi from 'koffi';
import { SYS } from './libc';
import { check } from './call';

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
