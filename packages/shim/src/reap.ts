// Orphans a subreaper daemon inherits: reaped by pid, never with waitpid(-1).
import fs from 'node:fs';
import { WNOHANG } from '@hull/sys/constants';
import { waitpid } from '@hull/sys/libc';
import { spawnedPids } from './spawned';

/**
 * Orphans reparented to us (we are a subreaper) that libuv did not start:
 * reap those zombies by pid. Never waitpid(-1): that would steal libuv's children.
 * Only the main thread's children: the kernel gives orphans to the thread group's
 * leader, and a runtime thread's children (hooks) are its own libuv's to reap.
 */
export function reapOrphans(): void {
  let children: string;
  try {
    children = fs.readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8');
  } catch {
    return;
  }
  for (const s of children.split(' ').filter(Boolean)) {
    const pid = Number(s);
    if (spawnedPids.has(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') waitpid(pid, WNOHANG);
    } catch { /* gone */ }
  }
}
