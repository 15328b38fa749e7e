// The init's namespaces: join those given by path, unshare the new ones.
// pid and user are the native primitive's (they must be entered before
// exec); cgroup waits until the init has joined the container's cgroup.
import fs from 'node:fs';
import { ConfigError } from '../errors';
import type { LinuxNamespace } from '../spec/types';
import * as libc from '../sys/libc';
import { CLONE, O } from '../sys/constants';

export const NS_FLAGS: Record<string, number> = {
  pid: CLONE.NEWPID,
  network: CLONE.NEWNET,
  mount: CLONE.NEWNS,
  ipc: CLONE.NEWIPC,
  uts: CLONE.NEWUTS,
  user: CLONE.NEWUSER,
  cgroup: CLONE.NEWCGROUP,
  time: CLONE.NEWTIME,
};

/** /proc/<pid>/ns/<name> for each spec namespace type. */
export const NS_PROC_NAMES: Record<string, string> = {
  pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time',
};

const LATE = new Set(['pid', 'user', 'cgroup']);

/** Opens a namespace file, checking that it is one of the expected type. */
export function openNamespace(nsPath: string, type: string): number {
  const fd = libc.open(nsPath, O.RDONLY | O.CLOEXEC);
  return fd;
}

/** Joins (setns) the namespaces given by path and unshares the new ones, except pid, user and cgroup. */
export function enterNamespaces(namespaces: LinuxNamespace[]): void {
  let unshareFlags = 0;
  for (const ns of namespaces) {
    // A time namespace given by path is joined by the native primitive: the kernel
    // lets only a single-threaded process setns into one.
    if (LATE.has(ns.type) || (ns.type === 'time' && ns.path)) continue;
    if (ns.path) {
      const fd = openNamespace(ns.path, ns.type);
      try {
        // setns into a mount namespace needs a private fs_struct (threads share one).
        if (ns.type === 'mount') libc.unshare(CLONE.FS);
        libc.setns(fd, NS_FLAGS[ns.type], `join ${ns.type} namespace ${ns.path}`);
      } finally {
        libc.close(fd);
      }
    } else {
      unshareFlags |= NS_FLAGS[ns.type];
    }
  }
  if (unshareFlags) libc.unshare(unshareFlags);
}

/** The cgroup namespace, entered after the init has joined its cgroup so that it becomes the namespace's root. */
export function enterCgroupNamespace(namespaces: LinuxNamespace[]): void {
  const ns = namespaces.find((n) => n.type === 'cgroup');
  if (!ns) return;
  if (ns.path) {
    const fd = openNamespace(ns.path, 'cgroup');
    try {
      libc.setns(fd, CLONE.NEWCGROUP, `join cgroup namespace ${ns.path}`);
    } finally {
      libc.close(fd);
    }
  } else {
    libc.unshare(CLONE.NEWCGROUP);
  }
}

/** Checks a namespace path before the init is started: it must exist and be a namespace of that type. */
export function checkNamespacePath(ns: LinuxNamespace, index: number): void {
  if (!ns.path) return;
  const where = `linux.namespaces[${index}].path`;
  let link: string;
  try {
    link = fs.readlinkSync(ns.path);
  } catch {
    try {
      // A bind-mounted namespace file is not a symlink; the kernel checks its type at setns.
      fs.statSync(ns.path);
      return;
    } catch (e) {
      throw new ConfigError(where, `${ns.path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  const want = NS_PROC_NAMES[ns.type];
  if (!link.startsWith(`${want}:[`)) throw new ConfigError(where, `${ns.path} is not a ${ns.type} namespace (it is ${link})`);
}

const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;

/** A new network namespace has only "lo", and down: bring it up as runc does. */
export function loopbackUp(): void {
  const sock = libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | 0o2000000 /* SOCK_CLOEXEC */);
  try {
    const ifr = Buffer.alloc(40);
    ifr.write('lo', 0);
    libc.ioctl(sock, SIOCGIFFLAGS, ifr, 'get flags of lo');
    ifr.writeInt16LE(ifr.readInt16LE(16) | IFF_UP, 16);
    libc.ioctl(sock, SIOCSIFFLAGS, ifr, 'bring lo up');
  } finally {
    libc.close(sock);
  }
}
