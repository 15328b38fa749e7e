// Namespace types: their clone flags, their /proc/<pid>/ns names, and the
// check of a namespace path before anything is made.
import fs from 'node:fs';
import { ConfigError } from '../errors';
import type { LinuxNamespace } from '../spec/types';
import { CLONE } from '@hull/sys/constants';

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
