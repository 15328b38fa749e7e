// The cgroup layer's front door: a manager for a new container, or one
// reattached from the paths saved in its state.
import { CgroupError } from '../errors';
import { type CgroupLayout, hostCgroupLayout } from './layout';
import type { CgroupManager } from './manager';
import { cgroupDir, resolveCgroupPath } from './path';
import type { Warn } from './types';
import { CgroupV1Manager } from './v1';
import { CgroupV2Manager } from './v2';

export type { CgroupManager, OomWatch } from './manager';
export type { CgroupLayout, Hierarchy } from './layout';
export type * from './types';
export { detectCgroupLayout, hostCgroupLayout } from './layout';
export { resolveCgroupPath } from './path';
export { containerDeviceRules, DEFAULT_ALLOWED_DEVICES } from './devices';

export interface NewCgroupOptions {
  /** The container id: the cgroup's name when cgroupsPath is absent. */
  id: string;
  /** linux.cgroupsPath. */
  cgroupsPath?: string;
  /** The host's layout; read from /proc/self when absent (tests pass a fake). */
  layout?: CgroupLayout;
  /** Where warnings about resources the host ignores go. */
  warn?: Warn;
}

/** A manager for a container's cgroup; nothing is made until create(). */
export function newCgroupManager(opts: NewCgroupOptions): CgroupManager {
  const layout = opts.layout ?? hostCgroupLayout();
  const inner = resolveCgroupPath(opts.cgroupsPath, opts.id);
  if (layout.version === 2) {
    const u = layout.unified!;
    return new CgroupV2Manager({ dir: cgroupDir(u, inner, true), mount: u.mount, warn: opts.warn });
  }
  const paths: Record<string, string> = {};
  const mounts: Record<string, string> = {};
  for (const [key, h] of Object.entries(layout.v1)) {
    paths[key] = cgroupDir(h, inner, false);
    mounts[key] = h.mount;
  }
  if (layout.unified) {
    // Hybrid: runc joins the cgroup2 tree too, relative to its own cgroup there.
    paths.unified = cgroupDir(layout.unified, inner, false);
    mounts.unified = layout.unified.mount;
  }
  if (!Object.keys(paths).length) throw new CgroupError('ENOCGROUP', 'cgroup: no cgroup hierarchy is mounted on this host', {});
  return new CgroupV1Manager({ paths, mounts, warn: opts.warn });
}

export interface OpenCgroupOptions {
  created?: Record<string, string>;
  layout?: CgroupLayout;
  warn?: Warn;
}

/** Reattaches to a container's cgroup from the paths (and created) saved in its state. */
export function openCgroupManager(paths: Record<string, string>, opts: OpenCgroupOptions = {}): CgroupManager {
  const layout = opts.layout ?? hostCgroupLayout();
  const keys = Object.keys(paths);
  if (keys.length === 1 && keys[0] === 'unified' && layout.version === 2) {
    return new CgroupV2Manager({ dir: paths.unified, mount: layout.unified!.mount, created: opts.created?.unified, warn: opts.warn });
  }
  const mounts: Record<string, string> = {};
  for (const key of keys) {
    const mount = key === 'unified' ? layout.unified?.mount : layout.v1[key]?.mount;
    if (mount) mounts[key] = mount;
  }
  return new CgroupV1Manager({ paths, mounts, created: opts.created, warn: opts.warn });
}
