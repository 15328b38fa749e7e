// Every pid this process starts through child_process: libuv reaps those,
// so the orphan reaper must leave them alone.
import type { ChildProcess } from 'node:child_process';

export const spawnedPids = new Set<number>();

/** Remembers a child until libuv has reaped it. */
export function track<T extends ChildProcess>(child: T): T {
  const pid = child.pid;
  if (pid !== undefined) {
    spawnedPids.add(pid);
    child.once('exit', () => setImmediate(() => spawnedPids.delete(pid)));
  }
  return child;
}
