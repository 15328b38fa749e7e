// Which cgroup hierarchies the host mounts, and where this process sits in
// each: read from /proc/self/mountinfo and /proc/self/cgroup.
import fs from 'node:fs';
import { parseMountinfo } from '../mountinfo';
import path from 'node:path';

/** One mounted hierarchy: its mount point and this process's cgroup in it. */
export interface Hierarchy {
  mount: string;
  /** This process's cgroup, as /proc/self/cgroup shows it ("/" at the top). */
  own: string;
}

export interface CgroupLayout {
  /** 2 when only cgroup2 is mounted (unified); 1 for legacy and hybrid hosts. */
  version: 1 | 2;
  /** v1 hierarchies by controller ("memory", "cpu", "name=systemd", ...);
   *  co-mounted controllers ("cpu,cpuacct") share one Hierarchy. */
  v1: Record<string, Hierarchy>;
  /** The cgroup2 mount: the whole tree on v2, /sys/fs/cgroup/unified on hybrid. */
  unified?: Hierarchy;
}

/** /proc/self/cgroup: "hierarchy-id:controllers:path" lines → controller → path ("" for cgroup2). */
export function parseProcCgroup(text: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[2] === '') own.set('', m[3]);
    for (const c of m[2].split(',')) if (c) own.set(c, m[3]);
  }
  return own;
}

const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids',
  'hugetlb', 'net_cls', 'net_prio', 'perf_event', 'rdma', 'misc',
]);

/**
 * The host's layout from mountinfo and /proc/self/cgroup text (read from
 * this process when not given). A hierarchy mounted twice counts once: the
 * first mount wins, as the kernel lists the host's own mounts first.
 */
export function detectCgroupLayout(
  mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8'),
  procCgroup = fs.readFileSync('/proc/self/cgroup', 'utf8'),
): CgroupLayout {
  const own = parseProcCgroup(procCgroup);
  const v1: Record<string, Hierarchy> = {};
  let unified: Hierarchy | undefined;
  for (const m of parseMountinfo(mountinfo)) {
    if (m.fsType === 'cgroup2') {
      unified ??= { mount: m.mountPoint, own: own.get('') ?? '/' };
    } else if (m.fsType === 'cgroup') {
      const ctrls = m.superOptions.filter((o) => V1_CONTROLLERS.has(o) || o.startsWith('name='));
      if (!ctrls.length) continue;
      const h: Hierarchy = { mount: m.mountPoint, own: own.get(ctrls[0]) ?? '/' };
      for (const c of ctrls) v1[c] ??= h;
    }
  }
  const version = Object.keys(v1).length === 0 && unified ? 2 : 1;
  return { version, v1, unified };
}

/** Controllers a cgroup2 directory offers to its children (its cgroup.controllers). */
export function availableControllers(dir: string): string[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

let cached: CgroupLayout | undefined;
/** The layout of the host this process runs on, read once. */
export function hostCgroupLayout(): CgroupLayout {
  cached ??= detectCgroupLayout();
  return cached;
}
