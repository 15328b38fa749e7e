// How every binding under sys/ turns a C return value into a result or a
// SysError (syscall, errno name, what it acted on). Loads nothing but koffi.
import koffi from 'koffi';
import { SysError } from './errors';
import { errnoName } from './errno';

const EINTR = 4;

export function fail(syscall: string, detail?: string): never {
  const errno = koffi.errno();
  throw new SysError(syscall, errno, errnoName(errno), detail);
}

/** The return value, or a SysError when it is negative. */
export function check(ret: number | bigint, syscall: string, detail?: string): number {
  if (Number(ret) < 0) fail(syscall, detail);
  return Number(ret);
}

/** Runs a call again while a signal interrupts it (EINTR); returns its last result. */
export function retry(call: () => number | bigint): number {
  for (;;) {
    const ret = Number(call());
    if (ret >= 0 || koffi.errno() !== EINTR) return ret;
  }
}
