// `hull pause`: freeze every process of the container (v1 freezer, v2 cgroup.freeze).
import { openCgroupManager } from '../cgroups';
import type { StateStore } from '../state/store';
import { requireStatus, statusOf } from './status';

export function pause(store: StateStore, id: string): void {
  const unlock = store.lock(id);
  try {
    const rec = store.read(id);
    requireStatus(id, 'pause', statusOf(store, rec), ['running', 'created']);
    openCgroupManager(rec.cgroupPaths).freeze();
  } finally {
    unlock();
  }
}
