// A container's status, computed from what is true now rather than what
// was last written: the init's pid with its start time (a reused pid is not
// ours), the exec fifo (present until `start`), the freezer.
import fs from 'node:fs';
import { StatusError } from '../errors';
import { isAlive } from '../proc';
import type { ContainerRecord, Status, StateStore } from '../state/store';
import type { State } from '../spec/types';

export function statusOf(store: StateStore, rec: ContainerRecord): Status {
  if (!isAlive(rec.pid, rec.startTime)) return rec.creating && rec.pid === 0 && isCreatorAlive(rec) ? 'creating' : 'stopped';
  if (rec.creating) return 'creating';
  if (fs.existsSync(store.fifoPath(rec.id))) return 'created';
  if (isFrozen(rec)) return 'paused';
  return 'running';
}

/** While `create` runs, the record names its pid; a create that died leaves a stopped container. */
function isCreatorAlive(rec: ContainerRecord): boolean {
  return rec.creatorPid !== undefined && isAlive(rec.creatorPid);
}

function isFrozen(rec: ContainerRecord): boolean {
  // Plain file reads: state and list do not load the cgroup managers for this.
  const { isFrozenAt } = require('../cgroups/frozen') as typeof import('../cgroups/frozen');
  return isFrozenAt(rec.cgroupPaths);
}

/** The runtime spec's state object, as `state` prints it and hooks read it on stdin. */
export function stateOf(rec: ContainerRecord, status: Status): State {
  const state: State = {
    ociVersion: rec.ociVersion,
    id: rec.id,
    status,
    pid: status === 'stopped' ? 0 : rec.pid,
    bundle: rec.bundle,
  };
  if (rec.annotations && Object.keys(rec.annotations).length) state.annotations = rec.annotations;
  return state;
}

export function requireStatus(id: string, op: string, status: Status, allowed: Status[]): void {
  if (!allowed.includes(status)) throw new StatusError(id, op, status, allowed);
}
