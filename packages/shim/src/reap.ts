// Orphans a subreaper daemon inherits: reaped by pid, never with waitpid(-1).
import fs from 'node:fs';
import { WNOHANG } from '@hull/sys/constants';
import { waitpid } from '@hull/sys/libc';
import { spawnedPids } from './spawned';

/**
 * Orphans reparented to us (we are a subreaper) that libuv did not start:
 * reap those zombies by pid. Never waitpid(-1): that would steal libuv's children.
 */
export function reapOrphans(): void {
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const tid of tasks) {
    let children: string;
    try {
      children = fs.readFileSync(`/proc/self/task/${tid}/children`, 'utf8');
    } catch {
      continue;
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
}
