// `hull update`: change a live container's resources. Only what is given is
// written; the merged resources are saved in the state.
import fs from 'node:fs';
import { openCgroupManager } from '../cgroups';
import { UsageError } from '../errors';
import type { Log } from '../log';
import type { Resources } from '../spec/types';
import type { StateStore } from '../state/store';
import { requireStatus, statusOf } from './status';

/** A LinuxResources JSON file, "-" for stdin (containerd's runc shim pipes it). */
export function readResourcesFile(file: string): Resources {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`--resources ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Resources;
  } catch (e) {
    throw new UsageError(`--resources ${file}: ${(e as Error).message}`);
  }
}

/** `update` on top of `base`: objects merge field by field, arrays and values replace. */
export function mergeResources(base: Resources, update: Resources): Resources {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === undefined) return a;
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
      return out;
    }
    return b;
  };
  return merge(base, update) as Resources;
}

export function update(store: StateStore, id: string, resources: Resources, log: Log): void {
  const change = resources;
  // runc: unlimited memory with the swap limit unsaid makes swap unlimited too (the cgroup layer writes it).
  const swapFollows = change.memory?.limit === -1 && change.memory.swap === undefined;
  const unlock = store.lock(id);
  try {
    const rec = store.read(id);
    requireStatus(id, 'update', statusOf(store, rec), ['created', 'running', 'paused']);
    const merged = mergeResources(rec.spec.linux?.resources ?? {}, change);
    if (swapFollows && merged.memory?.swap !== undefined) merged.memory.swap = -1;
    // v1 orders memory and memsw writes by the pair: give it both when either changes.
    const write: Resources = { ...change };
    if (change.memory && (change.memory.limit !== undefined || change.memory.swap !== undefined)) {
      write.memory = { ...change.memory, limit: merged.memory?.limit, swap: swapFollows ? undefined : merged.memory?.swap };
    }
    openCgroupManager(rec.cgroupPaths, { warn: (w) => log.warn(w) }).set(write);
    rec.spec.linux = { ...(rec.spec.linux ?? {}), resources: merged };
    store.write(rec);
  } finally {
    unlock();
  }
}
