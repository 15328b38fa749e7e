// The container's cgroup as the lifecycle uses it: made with its resources
// before the init starts (the init joins it last), reattached from state.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError, UsageError } from '../errors';
import type { Log } from '../log';
import type { LinuxDeviceCgroup, Spec } from '../spec/types';
import type { ContainerRecord } from '../state/store';
import { DEFAULT_ALLOWED_DEVICES, newCgroupManager, openCgroupManager, type CgroupManager } from '../cgroups';

/** Makes the container's cgroup on every hierarchy the host has and applies linux.resources (devices as runc does: the config's rules, then the defaults). */
export function setupCgroup(spec: Spec, id: string, log: Log): CgroupManager {
  const linux = spec.linux ?? {};
  const manager = newCgroupManager({ id, cgroupsPath: linux.cgroupsPath, warn: (m) => log.warn(m) });
  checkFrozenCgroup(manager.paths);
  manager.create();
  try {
    // A pre-made cgroup may hold processes already: runc joins it with this warning.
    const found = manager.pids().length;
    if (found) log.warn(`container's cgroup is not empty: ${found} process(es) found`);
    manager.set({ ...(linux.resources ?? {}), devices: deviceRules(spec) });
  } catch (e) {
    manager.destroy();
    throw e;
  }
  return manager;
}

export function openCgroup(rec: ContainerRecord, log?: Log): CgroupManager {
  return openCgroupManager(rec.cgroupPaths, { created: rec.cgroupCreated, warn: log ? (m) => log.warn(m) : undefined });
}

// The defaults runc makes as nodes in /dev: a config device at the same path replaces the node and drops its rule.
const DEFAULT_NODE_PATHS: Record<string, string> = {
  '1:3': '/dev/null', '1:8': '/dev/random', '1:7': '/dev/full', '5:0': '/dev/tty', '1:5': '/dev/zero', '1:9': '/dev/urandom',
};

/**
 * The container's device rules, exactly as runc 1.1 applies them: the
 * config's linux.resources.devices in order, then the default allows. A
 * linux.devices entry adds no rule (the config's denies stand: listing
 * /dev/kmsg does not make it readable); one at a default node's path drops
 * that default, as runc's createDevices does.
 */
export function deviceRules(spec: Spec): LinuxDeviceCgroup[] {
  const listed = new Set((spec.linux?.devices ?? []).map((d) => path.posix.normalize(d.path)));
  const defaults = DEFAULT_ALLOWED_DEVICES.filter((r) => {
    const node = DEFAULT_NODE_PATHS[`${r.major}:${r.minor}`];
    return !(r.type === 'c' && node && listed.has(node));
  });
  return [...(spec.linux?.resources?.devices ?? []), ...defaults];
}

/**
 * A cgroupsPath may name a cgroup that exists. Frozen, the init would stop
 * the moment it joins and create would wait forever: refused before anything
 * is made, as runc does (a non-empty one is joined with a warning, below).
 */
function checkFrozenCgroup(paths: Record<string, string>): void {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  // A new cgroup below a frozen one is frozen too: look at the nearest directory that exists.
  const existing = (d: string | undefined) => {
    while (d && d !== '/' && !fs.existsSync(d)) d = path.dirname(d);
    return d;
  };
  const freezer = existing(paths.freezer);
  const unified = existing(paths.unified);
  const frozenAt = freezer && /^(FROZEN|FREEZING)$/.test(read(path.join(freezer, 'freezer.state'))?.trim() ?? '') ? freezer
    : unified && (read(path.join(unified, 'cgroup.freeze'))?.trim() === '1' || /^frozen 1$/m.test(read(path.join(unified, 'cgroup.events')) ?? '')) ? unified
      : undefined;
  if (frozenAt) {
    throw new CgroupError('EFROZEN', `linux.cgroupsPath: container's cgroup unexpectedly frozen (${frozenAt})`, { dir: frozenAt });
  }
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
