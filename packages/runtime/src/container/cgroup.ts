// The container's cgroup as the lifecycle uses it: made with its resources
// before the init starts (the init joins it last), reattached from state.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import type { Log } from '../log';
import type { LinuxDeviceCgroup, Spec } from '../spec/types';
import type { ContainerRecord } from '../state/store';
import { containerDeviceRules, newCgroupManager, openCgroupManager, type CgroupManager } from '../cgroups';

/** Makes the container's cgroup on every hierarchy the host has and applies linux.resources (devices as runc does: the config's rules, each config device, then the defaults). */
export function setupCgroup(spec: Spec, id: string, log: Log): CgroupManager {
  const linux = spec.linux ?? {};
  const manager = newCgroupManager({ id, cgroupsPath: linux.cgroupsPath, warn: (m) => log.warn(m) });
  manager.create();
  try {
    // A pre-made cgroup may hold processes already: runc joins it with this warning.
    const found = manager.pids().length;
    if (found) log.warn(`container's cgroup is not empty: ${found} process(es) found`);
    // A fifo needs no rule; "u" (unbuffered) is a character device to the cgroup.
    const deviceNodes: LinuxDeviceCgroup[] = (linux.devices ?? [])
      .filter((d) => d.type !== 'p')
      .map((d) => ({ allow: true, type: d.type === 'b' ? 'b' : 'c', major: d.major, minor: d.minor, access: 'rwm' }));
    const devices = containerDeviceRules([...(linux.resources?.devices ?? []), ...deviceNodes]);
    manager.set({ ...(linux.resources ?? {}), devices });
  } catch (e) {
    manager.destroy();
    throw e;
  }
  return manager;
}

export function openCgroup(rec: ContainerRecord, log?: Log): CgroupManager {
  return openCgroupManager(rec.cgroupPaths, { created: rec.cgroupCreated, warn: log ? (m) => log.warn(m) : undefined });
}

/**
 * `exec --cgroup`, runc's `[<controller>:]<path>` arguments: the cgroup.procs
 * files the process joins. A bare path names a sub-cgroup on every hierarchy
 * (the only form on v2); `cpu,memory:path` on those controllers, and so on
 * what is co-mounted with them. Each must exist below the container's cgroup.
 */
export function execCgroupProcs(rec: ContainerRecord, args: string[]): string[] {
  const paths = rec.cgroupPaths;
  if (!Object.keys(paths).length) throw new UsageError(`--cgroup: container "${rec.id}" has no cgroup`);
  const sub: Record<string, string> = {};
  for (const arg of args) {
    const parts = arg.split(':');
    if (parts.length > 2) throw new UsageError(`invalid --cgroup argument: ${arg}`);
    if (parts.length === 1) {
      if (args.length !== 1) throw new UsageError(`invalid --cgroup argument: ${arg} (missing <controller>: prefix)`);
      for (const key of Object.keys(paths)) sub[key] = arg;
      continue;
    }
    for (const ctrl of parts[0].split(',')) {
      if (!(ctrl in paths)) throw new UsageError(`--cgroup ${arg}: the container has no ${ctrl} cgroup (it has ${Object.keys(paths).join(', ')})`);
      sub[ctrl] = parts[1];
    }
  }
  // Co-mounted controllers (cpu and cpuacct) are one directory: one path for all of them.
  const byDir = new Map<string, string[]>();
  for (const [key, dir] of Object.entries(paths)) {
    const real = realDir(dir);
    byDir.set(real, [...(byDir.get(real) ?? []), key]);
  }
  const files: string[] = [];
  for (const keys of byDir.values()) {
    const subs = [...new Set(keys.map((k) => sub[k]).filter((s) => s !== undefined))];
    if (subs.length > 1) throw new UsageError(`--cgroup: ${keys.join(',')} share one hierarchy: give them one path`);
    const base = paths[keys[0]];
    const dir = subs.length ? path.join(base, subs[0]) : base;
    const rel = path.relative(base, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`--cgroup ${subs[0]}: not a sub-cgroup of ${base}`);
    if (!fs.existsSync(path.join(dir, 'cgroup.procs'))) throw new UsageError(`--cgroup ${subs[0]}: no cgroup ${dir}`);
    files.push(path.join(dir, 'cgroup.procs'));
  }
  return files;
}

function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}
