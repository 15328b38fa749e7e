// Process keeping for the supervisor (hull-shim) and the runtime: pipes made
// outside libuv, pidfds, and taking an fd from another process.
import { O } from './constants';
import { close, pipe2, syscall } from './libc';

/** A pipe: [readFd, writeFd], both close-on-exec. */
export function pipe(): [number, number] {
  return pipe2(O.CLOEXEC);
}

/** A pidfd for `pid` (close-on-exec); stays valid, and names the same process, after it exits. */
export function pidfdOpen(pid: number): number {
  return syscall('pidfd_open', pid, 0, 0, 0, 0, `pidfd_open ${pid}`);
}

/** A duplicate of fd `targetFd` of the process behind `pidfd` (close-on-exec). */
export function pidfdGetfd(pidfd: number, targetFd: number): number {
  return syscall('pidfd_getfd', pidfd, targetFd, 0, 0, 0, `pidfd_getfd fd ${targetFd}`);
}

export function closeFd(fd: number): void {
  close(fd);
}
