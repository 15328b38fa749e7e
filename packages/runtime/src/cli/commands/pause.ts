// `hull pause ID`: freeze every process of the container (v1 freezer, v2 cgroup.freeze).
import type { Context } from '../main';

export function handler(ctx: Context, args: { 'container-id': string }): void {
  const { requireStatus, statusOf } = require('../../container/status') as typeof import('../../container/status');
  const { openCgroupManager } = require('../../cgroups') as typeof import('../../cgroups');
  const id = args['container-id'];
  const unlock = ctx.store.lock(id);
  try {
    const rec = ctx.store.read(id);
    requireStatus(id, 'pause', statusOf(ctx.store, rec), ['running', 'created']);
    openCgroupManager(rec.cgroupPaths).freeze();
  } finally {
    unlock();
  }
}
