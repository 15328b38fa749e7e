// `hull features`: what this build of hull implements, in runc's format.
// Keep it true: a feature appears here once the code and a test exist.
import { features, type Features } from './spec/defaults';
import { MOUNT_OPTIONS } from './spec/mountOptions';
import { lastCap } from './spec/capabilities';

// Every option of the table is implemented (idmap/ridmap: bind mounts only).
const UNSUPPORTED_MOUNT_OPTIONS = new Set<string>();

export function hullFeatures(): Features {
  let seccomp: { actions: string[]; operators: string[]; archs: string[]; knownFlags: string[]; supportedFlags: string[] } | false = false;
  try {
    const s = require('./seccomp') as typeof import('./seccomp');
    seccomp = {
      actions: s.SECCOMP_ACTIONS,
      operators: s.SECCOMP_OPERATORS,
      archs: s.supportedArchitectures(),
      knownFlags: s.SECCOMP_FLAGS,
      supportedFlags: s.supportedSeccompFlags(),
    };
  } catch {
    // libseccomp.so.2 missing: no seccomp
  }
  return features({
    namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts'],
    lastCap: lastCap(),
    cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
    seccomp,
    apparmor: false,
    selinux: false,
    intelRdt: { enabled: false },
    memoryPolicy: true,
    idmapMounts: true,
    netDevices: true,
    mountOptions: Object.keys(MOUNT_OPTIONS).filter((o) => !UNSUPPORTED_MOUNT_OPTIONS.has(o)),
  });
}
