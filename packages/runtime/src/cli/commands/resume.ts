// `hull resume ID`: thaw a paused container.
import type { Context } from '../main';

export function handler(ctx: Context, args: { 'container-id': string }): void {
  const { requireStatus, statusOf } = require('../../container/status') as typeof import('../../container/status');
  const { openCgroupManager } = require('../../cgroups') as typeof import('../../cgroups');
  const id = args['container-id'];
  const unlock = ctx.store.lock(id);
  try {
    const rec = ctx.store.read(id);
    requireStatus(id, 'resume', statusOf(ctx.store, rec), ['paused']);
    openCgroupManager(rec.cgroupPaths).thaw();
  } finally {
    unlock();
  }
}
