// `hull kill`: a signal to the container's init, or with --all to every
// process in its cgroup (of a stopped container too, as runc).
import type { StateStore } from '../state/store';
import * as libc from '@hull/sys/syscalls';
import { SysError } from '../errors';
import { errnoName } from '@hull/sys/errno';
import { requireStatus, statusOf } from './status';
import { openCgroup } from './cgroup';

export function kill(store: StateStore, id: string, signal: number, all: boolean): void {
  const unlock = store.lock(id);
  try {
    const rec = store.read(id);
    const status = statusOf(store, rec);
    if (all) {
      // runc: --all also reaches what a stopped init left behind (a container
      // without a pid namespace of its own): whatever is still in its cgroup.
      requireStatus(id, 'kill', status, ['created', 'running', 'paused', 'stopped']);
      const cgroup = openCgroup(rec);
      if (status !== 'stopped' || cgroup.exists()) cgroup.killAll(signal);
      return;
    }
    requireStatus(id, 'kill', status, ['created', 'running', 'paused']);
    const err = libc.tryKill(rec.pid, signal);
    if (err) throw new SysError('kill', err, errnoName(err), `kill ${id} (pid ${rec.pid})`);
  } finally {
    unlock();
  }
}
