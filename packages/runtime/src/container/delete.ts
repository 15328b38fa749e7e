// `hull delete`: remove a stopped container (its cgroups, its state) after
// running poststop hooks. The spec: deleting a container that is not
// stopped MUST fail; --force kills it first. (runc 1.1 also deletes
// "created" containers without --force.)
import type { Log } from '../log';
import { isAlive, sleepMs } from '../proc';
import type { ContainerRecord, StateStore } from '../state/store';
import { NotFoundError } from '../errors';
import * as libc from '@hull/sys/syscalls';
import { runHooks } from '../hooks';
import { requireStatus, stateOf, statusOf } from './status';
import { openCgroup } from './cgroup';
import { unmountBelow } from './hostMounts';
import { cleanUnfinishedCreate, lockForForce } from './creating';

export function remove(store: StateStore, id: string, force: boolean, log: Log): void {
  const unlock = force ? lockForForce(store, id) : store.lock(id);
  try {
    let rec: ContainerRecord;
    try {
      rec = store.read(id);
    } catch (e) {
      // A create killed between reserving the id and writing its record leaves the bare directory.
      if (force && e instanceof NotFoundError) store.remove(id);
      throw e;
    }
    const status = statusOf(store, rec);
    if (!force) requireStatus(id, 'delete', status, ['stopped']);
    cleanUnfinishedCreate(store, rec); // a create that never finished: its init has no recorded pid
    const cgroup = Object.keys(rec.cgroupPaths).length ? openCgroup(rec) : undefined;
    if (status !== 'stopped' && status !== 'creating') {
      if (cgroup) cgroup.killAll(9);
      libc.tryKill(rec.pid, 9);
      for (let i = 0; i < 1000 && isAlive(rec.pid, rec.startTime); i++) sleepMs(5);
    }
    if (!rec.creating || status === 'stopped') {
      runHooks(rec.spec.hooks?.poststop, stateOf(rec, 'stopped'), 'poststop', { log, warnOnly: true });
    }
    // Without a pid namespace of its own the init's children outlive it (runc kills them here).
    if (status === 'stopped' && cgroup && !ownsPidNamespace(rec) && cgroup.pids().length) cgroup.killAll(9);
    cgroup?.destroy();
    // A container without a mount namespace mounted into the host's.
    if (rec.hostMountsKept) unmountBelow(rec.rootfs, rec.hostMountsKept);
    store.remove(id);
  } finally {
    unlock();
  }
}

function ownsPidNamespace(rec: ContainerRecord): boolean {
  return (rec.spec.linux?.namespaces ?? []).some((n) => n.type === 'pid' && !n.path);
}
