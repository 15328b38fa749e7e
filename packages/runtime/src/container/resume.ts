// `hull resume`: thaw a paused container.
import { openCgroupManager } from '../cgroups';
import type { StateStore } from '../state/store';
import { requireStatus, statusOf } from './status';

export function resume(store: StateStore, id: string): void {
  const unlock = store.lock(id);
  try {
    const rec = store.read(id);
    requireStatus(id, 'resume', statusOf(store, rec), ['paused']);
    openCgroupManager(rec.cgroupPaths).thaw();
  } finally {
    unlock();
  }
}
