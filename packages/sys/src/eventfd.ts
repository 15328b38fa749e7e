// eventfd(2) through koffi: the cgroup v1 memory controller signals OOM
// through an eventfd registered in cgroup.event_control.
import koffi from 'koffi';
import { SysError } from './errors';
import { errnoName } from './errno';
import { libc } from './libraries';

const eventfdCall = libc.func('int eventfd(unsigned int initval, int flags)');

export const EFD_CLOEXEC = 0o2000000;

export function eventfd(initval: number, flags: number): number {
  const fd = eventfdCall(initval, flags);
  if (fd < 0) {
    const errno = koffi.errno();
    throw new SysError('eventfd', errno, errnoName(errno), 'eventfd');
  }
  return fd;
}
