// linux.cgroupsPath as runc reads it without systemd:
//   absolute ("/a/b")  → /a/b under each hierarchy's mount point;
//   relative ("a/b")   → under the runtime's own cgroup (v1: in each
//                        hierarchy; v2: its parent, since the runtime's own
//                        cgroup holds processes and so cannot delegate);
//   absent             → the container id, relative (runc 1.1.5 on this host
//                        puts container "x" in memory:/<runc's cgroup>/x).
import path from 'node:path';
import { CgroupError } from '../errors';
import type { Hierarchy } from './layout';

/** Cleans like runc's CleanPath: ".." never climbs above the start. */
export function resolveCgroupPath(cgroupsPath: string | undefined, id: string): string {
  const raw = cgroupsPath || id;
  const abs = raw.startsWith('/');
  const clean = path.posix.normalize('/' + raw);
  if (clean === '/') {
    throw new CgroupError('ECGROUPPATH', `cgroupsPath ${JSON.stringify(raw)}: names the root of the hierarchy`, { cgroupsPath: raw });
  }
  return abs ? clean.replace(/\/$/, '') : clean.slice(1).replace(/\/$/, '');
}

/** The directory of cgroup `inner` (from resolveCgroupPath) in one hierarchy. */
export function cgroupDir(h: Hierarchy, inner: string, unified: boolean): string {
  if (inner.startsWith('/')) return path.join(h.mount, inner);
  const base = unified ? path.posix.dirname(h.own) : h.own;
  return path.join(h.mount, base, inner);
}
