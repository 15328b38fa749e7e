// The one interface the runtime uses for a container's cgroups, whatever
// the host mounts (v1 legacy/hybrid or v2 unified).
import type { CgroupStats, LinuxResources } from './types';

/** Stops an OOM watch; idempotent. */
export interface OomWatch {
  close(): void;
}

export interface CgroupManager {
  readonly version: 1 | 2;
  /**
   * The container's cgroup directory per hierarchy: v1 controller names
   * ("memory", "cpu", "name=systemd"), "unified" for a cgroup2 directory
   * (the only key on v2). Saved in the container's state.
   */
  readonly paths: Record<string, string>;
  /**
   * Per hierarchy, the topmost directory this manager made (same keys as
   * paths, a subset); destroy() removes up to it and never above. Saved
   * in the state beside paths.
   */
  readonly created: Record<string, string>;

  /** mkdir on every hierarchy (nested paths included); puts no process in. */
  create(): void;
  /** Writes linux.resources (on create and on update). */
  set(resources: LinuxResources): void;
  /** Moves a process (all its threads) into the cgroup on every hierarchy. */
  addProcess(pid: number): void;
  /**
   * Every cgroup.procs a process must be written to, for a process that
   * joins itself late: opened before pivot_root, written "0" at the end.
   */
  procsFiles(): string[];
  /**
   * What the container's own cgroupfs view shows (bind mounts of its
   * directories, no cgroup namespace needed): the name of each hierarchy's
   * mount directory ("memory", "cpu", "unified"; "" on v2, where the
   * directory itself is the view) → the container's directory in it.
   */
  viewDirs(): Record<string, string>;
  freeze(): void;
  thaw(): void;
  isFrozen(): boolean;
  /** runc's `events --stats` data. */
  stats(): CgroupStats;
  /** Every pid in the cgroup and its descendants. */
  pids(): number[];
  /** Signals every process; SIGKILL uses cgroup.kill where the kernel has it. */
  killAll(signal: number): void;
  /** Calls `onOom` on each OOM kill/event in the cgroup until closed. */
  watchOom(onOom: () => void): OomWatch;
  /** Removes what create() made, deepest first; waits briefly for exiting processes. */
  destroy(): void;
  /** True when the cgroup directory exists on every hierarchy. */
  exists(): boolean;
}
