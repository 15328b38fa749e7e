// @hull/runtime as a library: the container operations `hull` runs, for a
// process that keeps one StateStore (hull-shim's in-process runtime). Same
// state format and root as the CLI's, so `hull --root R ...` sees the same
// containers.
import type { StateStore } from './state/store';
import { summarize, type ContainerSummary } from './container/list';
import type { CgroupStats } from './cgroups/types';

export { StateStore, DEFAULT_ROOT, type ContainerRecord, type Status } from './state/store';
export { Logger, silentLogger, type Log } from './log';
export { create, type CreateOptions, type Created, type Spawner } from './container/create';
export { start } from './container/start';
export { kill } from './container/kill';
export { remove as delete, remove } from './container/delete';
export { exec, type ExecOptions } from './container/exec';
export { pause } from './container/pause';
export { resume } from './container/resume';
export { update } from './container/update';
export { ps } from './container/ps';
export { list, type ContainerSummary } from './container/list';
export { HULL_INIT, sealedInit } from './program/launch';
export { spawnStepError, type SpawnRequest, type Spawned } from '@hull/sys/native';
export { HullError, NotFoundError, StatusError, ExistsError, errorMessage } from './errors';

/** `hull events --stats ID`'s data: the container's cgroup statistics. */
export function stats(store: StateStore, id: string): CgroupStats {
  const { openCgroup } = require('./container/cgroup') as typeof import('./container/cgroup');
  return openCgroup(store.read(id)).stats();
}

/** `hull state ID`: the container's summary as the CLI prints it. */
export function state(store: StateStore, id: string): ContainerSummary {
  return summarize(store, store.read(id));
}
