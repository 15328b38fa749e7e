// The container's cgroup as the lifecycle uses it: made with its resources
// before the init starts (the init joins it last), reattached from state.
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
