// A container whose create has not finished: its record has no init pid
// yet (create writes it once the init says "created"). `delete --force`
// must still end that init, whether the creating `hull create` is alive
// (blocked, looping init) or was killed and left the init orphaned.
import fs from 'node:fs';
import { isAlive, sleepMs } from '../proc';
import type { ContainerRecord, StateStore } from '../state/store';
import * as libc from '@hull/sys/syscalls';
import { ContainerError } from '../errors';

/**
 * The lock for `delete --force`. A create in progress holds the container's
 * lock until its init reports; force does not wait for it: the creating
 * command is killed (its record names it), which releases the lock. A
 * supervisor running create in-process (the record names it as the host) is
 * never killed: that would take every container it serves down with it.
 */
export function lockForForce(store: StateStore, id: string): () => void {
  const unlock = store.tryLock(id);
  if (unlock) return unlock;
  let rec: ContainerRecord | undefined;
  try {
    rec = store.read(id);
  } catch {
    rec = undefined; // create has not written its record yet: wait for it like any other holder
  }
  if (rec?.creating && rec.creatorPid && rec.creatorPid !== process.pid && isAlive(rec.creatorPid)) {
    if (rec.creatorHost) {
      throw new ContainerError('EBUSY', `cannot delete container "${id}": ${rec.creatorHost} (pid ${rec.creatorPid}) is creating it; delete it through ${rec.creatorHost}, or once its create has ended`, { id, creatorPid: rec.creatorPid });
    }
    libc.tryKill(rec.creatorPid, 9);
  }
  return store.lock(id);
}

/** Processes holding `file` open (by device and inode, through /proc/<pid>/fd): an init holds its exec fifo. */
export function processesHolding(file: string): number[] {
  let target: fs.Stats;
  try {
    target = fs.statSync(file);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${p}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const st = fs.statSync(`/proc/${p}/fd/${fd}`);
        if (st.ino === target.ino && st.dev === target.dev) {
          pids.push(Number(p));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return pids;
}

/**
 * What an unfinished create leaves that its record does not name: its init
 * (found by the exec fifo it holds), SIGKILLed and waited for; and a cgroup
 * made before its paths were recorded (only the default one, named after
 * the id: a cgroupsPath may have existed before).
 */
export function cleanUnfinishedCreate(store: StateStore, rec: ContainerRecord): void {
  if (!rec.creating || rec.pid) return;
  const pids = processesHolding(store.fifoPath(rec.id));
  for (const pid of pids) libc.tryKill(pid, 9);
  for (let i = 0; i < 400 && pids.some((p) => isAlive(p)); i++) sleepMs(5);
  if (Object.keys(rec.cgroupPaths).length || rec.spec.linux?.cgroupsPath) return;
  const { newCgroupManager } = require('../cgroups') as typeof import('../cgroups');
  let manager;
  try {
    manager = newCgroupManager({ id: rec.id });
  } catch {
    return; // no cgroup hierarchy here
  }
  if (Object.values(manager.paths).some((d) => fs.existsSync(d))) manager.destroy();
}
