// `hull kill`: a signal to the container's init, or with --all to every
// process in its cgroup.
import type { StateStore } from '../state/store';
import * as libc from '../sys/libc';
import { SysError } from '../errors';
import { errnoName } from '../sys/errno';
import { requireStatus, statusOf } from './status';
import { openCgroup } from './cgroup';

export function kill(store: StateStore, id: string, signal: number, all: boolean): void {
  const unlock = store.lock(id);
  try {
    const rec = store.read(id);
    requireStatus(id, 'kill', statusOf(store, rec), ['created', 'running', 'paused']);
    if (all) {
      openCgroup(rec).killAll(signal);
      return;
    }
    const err = libc.tryKill(rec.pid, signal);
    if (err) throw new SysError('kill', err, errnoName(err), `kill ${id} (pid ${rec.pid})`);
  } finally {
    unlock();
  }
}
