// What `hull spec` writes (the same content as `runc spec` and `runc spec --rootless`)
// and what `hull features` reports, in runc's shape (runtime-spec features.md).

import { CAPABILITIES, supportedCapabilities } from './capabilities';
import { MOUNT_OPTIONS } from './mountOptions';
import type { NamespaceType, Spec } from './types';
import { HOOKS, MPOL_FLAGS, MPOL_MODES, NAMESPACES, SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_FLAGS, SECCOMP_OPERATORS } from './validate';
import { SPEC_VERSION, SPEC_VERSION_MIN } from './version';

export interface DefaultSpecOptions {
  /** runc's --rootless: a user namespace mapping the caller to root, no network namespace, no cgroup settings. */
  rootless?: boolean;
  /** The host ids mapped to root with rootless (default: this process's effective uid and gid). */
  hostUid?: number;
  hostGid?: number;
}

/**
 * A fresh config.json for a bundle with a rootfs/ directory, running `sh` on a terminal.
 * ociVersion is SPEC_VERSION (1.3.0), not runc 1.1.5's "1.0.2-dev": a document claims the
 * version its writer implements, every field written here has that meaning in 1.3.0, and
 * hull reads 1.3.x itself (runc ignores ociVersion, so runc reads it too).
 */
export function defaultSpec(opts: DefaultSpecOptions = {}): Spec {
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  const spec: Spec = {
    ociVersion: SPEC_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps], ambient: [...caps] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'hull',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: (['pid', 'network', 'ipc', 'uts', 'mount'] as const).map((type) => ({ type })),
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
  return opts.rootless ? toRootless(spec, opts) : spec;
}

/** The changes runc's --rootless makes, in the same order. */
function toRootless(spec: Spec, opts: DefaultSpecOptions): Spec {
  const linux = spec.linux ?? {};
  const namespaces = (linux.namespaces ?? []).filter((n) => n.type !== 'network' && n.type !== 'user');
  namespaces.push({ type: 'user' });
  const hostUid = opts.hostUid ?? process.geteuid?.() ?? 0;
  const hostGid = opts.hostGid ?? process.getegid?.() ?? 0;
  spec.mounts = (spec.mounts ?? []).map((m) => {
    // Without CAP_SYS_ADMIN over the host's network namespace sysfs cannot be mounted: bind it.
    if (m.destination === '/sys') {
      return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
    }
    // Only the one mapped id exists inside: uid=/gid= options would name unmapped ids.
    if (m.options) m.options = m.options.filter((o) => !o.startsWith('uid=') && !o.startsWith('gid='));
    return m;
  });
  spec.linux = {
    uidMappings: [{ containerID: 0, hostID: hostUid, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: hostGid, size: 1 }],
    namespaces,
    maskedPaths: linux.maskedPaths,
    readonlyPaths: linux.readonlyPaths,
  };
  return spec;
}

/** What the running hull supports: the CLI fills this with the truth of the host and the build. */
export interface FeatureSupport {
  /** Namespaces hull can create; default: all the spec knows. */
  namespaces?: readonly NamespaceType[];
  /** The kernel's last capability (capabilities.lastCap()); default: every name hull knows. */
  lastCap?: number;
  cgroup: { v1: boolean; v2: boolean; systemd: boolean; systemdUser: boolean; rdma?: boolean };
  /** false when libseccomp is missing; the lists default to everything the spec knows. */
  seccomp:
    | false
    | {
        actions?: readonly string[];
        operators?: readonly string[];
        archs?: readonly string[];
        knownFlags?: readonly string[];
        supportedFlags?: readonly string[];
      };
  apparmor: boolean;
  selinux: boolean;
  intelRdt?: { enabled: boolean; schemata?: boolean; monitoring?: boolean };
  memoryPolicy?: boolean;
  idmapMounts?: boolean;
  netDevices?: boolean;
  /** Mount options hull implements; default: every key of MOUNT_OPTIONS. */
  mountOptions?: readonly string[];
  annotations?: Record<string, string>;
  potentiallyUnsafeConfigAnnotations?: readonly string[];
}

/** The features.md document, keys in runc's order, lists sorted as runc sorts them. */
export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    cgroup: FeatureSupport['cgroup'];
    seccomp: {
      enabled: boolean;
      actions?: string[];
      operators?: string[];
      archs?: string[];
      knownFlags?: string[];
      supportedFlags?: string[];
    };
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
    intelRdt?: { enabled: boolean; schemata?: boolean; monitoring?: boolean };
    memoryPolicy?: { modes: string[]; flags: string[] };
    mountExtensions?: { idmap: { enabled: boolean } };
    netDevices?: { enabled: boolean };
  };
  annotations?: Record<string, string>;
  potentiallyUnsafeConfigAnnotations?: string[];
}

export function features(support: FeatureSupport): Features {
  const sorted = (xs: readonly string[]) => [...xs].sort();
  const caps = support.lastCap === undefined ? [...CAPABILITIES] : supportedCapabilities(support.lastCap);
  const seccomp = support.seccomp;
  const out: Features = {
    ociVersionMin: SPEC_VERSION_MIN,
    ociVersionMax: SPEC_VERSION,
    hooks: [...HOOKS],
    mountOptions: sorted(support.mountOptions ?? Object.keys(MOUNT_OPTIONS)),
    linux: {
      namespaces: sorted(support.namespaces ?? NAMESPACES),
      capabilities: caps,
      cgroup: { ...support.cgroup },
      seccomp: seccomp
        ? {
            enabled: true,
            actions: sorted(seccomp.actions ?? SECCOMP_ACTIONS),
            operators: sorted(seccomp.operators ?? SECCOMP_OPERATORS),
            archs: sorted(seccomp.archs ?? SECCOMP_ARCHES),
            knownFlags: [...(seccomp.knownFlags ?? SECCOMP_FLAGS)],
            supportedFlags: [...(seccomp.supportedFlags ?? seccomp.knownFlags ?? SECCOMP_FLAGS)],
          }
        : { enabled: false },
      apparmor: { enabled: support.apparmor },
      selinux: { enabled: support.selinux },
    },
  };
  if (support.intelRdt) out.linux.intelRdt = { ...support.intelRdt };
  if (support.memoryPolicy !== undefined) {
    out.linux.memoryPolicy = support.memoryPolicy ? { modes: [...MPOL_MODES], flags: [...MPOL_FLAGS] } : { modes: [], flags: [] };
  }
  if (support.idmapMounts !== undefined) out.linux.mountExtensions = { idmap: { enabled: support.idmapMounts } };
  if (support.netDevices !== undefined) out.linux.netDevices = { enabled: support.netDevices };
  if (support.annotations) out.annotations = { ...support.annotations };
  if (support.potentiallyUnsafeConfigAnnotations) out.potentiallyUnsafeConfigAnnotations = [...support.potentiallyUnsafeConfigAnnotations];
  return out;
}
