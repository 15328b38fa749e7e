// The container's cgroup as the lifecycle uses it: made with its resources
// before the init starts (the init joins it last), reattached from state.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors';
import type { Log } from '../log';
import type { LinuxDeviceCgroup, Spec } from '../spec/types';
import type { ContainerRecord } from '../state/store';
import { DEFAULT_ALLOWED_DEVICES, newCgroupManager, openCgroupManager, type CgroupManager } from '../cgroups';

/** Makes the container's cgroup on every hierarchy the host has and applies linux.resources (devices as runc does: the config's rules, then the defaults). */
export function setupCgroup(spec: Spec, id: string, log: Log): CgroupManager {
  const linux = spec.linux ?? {};
  const manager = newCgroupManager({ id, cgroupsPath: linux.cgroupsPath, warn: (m) => log.warn(m) });
  checkExistingCgroup(manager.paths, log);
  manager.create();
  try {
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
 * the moment it joins and create would wait forever: refused, as runc does.
 * With processes in it, the container shares their limits: a warning, as runc.
 */
function checkExistingCgroup(paths: Record<string, string>, log: Log): void {
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
  const dir = paths.devices ?? paths.unified ?? Object.values(paths)[0];
  if (!dir || !fs.existsSync(dir)) return;
  const pids = new Set<number>();
  const walk = (d: string) => {
    for (const l of (read(path.join(d, 'cgroup.procs')) ?? '').split('\n')) if (l) pids.add(Number(l));
    try {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(dir);
  if (pids.size) log.warn(`container's cgroup is not empty: ${pids.size} process(es) found`);
}
