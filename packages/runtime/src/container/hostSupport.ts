// Settings this host (or hull) cannot honour fail create with a clear
// error naming the field, rather than being silently ignored.
import fs from 'node:fs';
import { ConfigError } from '../errors';
import type { Process, Spec } from '../spec/types';

const hasAppArmor = () => fs.existsSync('/sys/kernel/security/apparmor');
const hasSelinux = () => fs.existsSync('/sys/fs/selinux/enforce');
const hasResctrl = () => fs.existsSync('/sys/fs/resctrl/schemata');

export function checkProcessSupport(proc: Process | undefined, prefix = 'process'): void {
  if (proc?.apparmorProfile && !hasAppArmor()) {
    throw new ConfigError(`${prefix}.apparmorProfile`, `profile "${proc.apparmorProfile}" given, but AppArmor is not enabled on this host`);
  }
  if (proc?.selinuxLabel && !hasSelinux()) {
    throw new ConfigError(`${prefix}.selinuxLabel`, `label "${proc.selinuxLabel}" given, but SELinux is not enabled on this host`);
  }
  if (proc?.apparmorProfile || proc?.selinuxLabel) {
    // The LSM is there, but hull does not apply its labels yet.
    throw new ConfigError(prefix, 'AppArmor profiles and SELinux labels are not supported by hull yet');
  }
}

export function checkHostSupport(spec: Spec): void {
  checkProcessSupport(spec.process);
  checkSysctlNamespaces(spec);
  const linux = spec.linux ?? {};
  if (linux.mountLabel) {
    throw new ConfigError('linux.mountLabel', hasSelinux() ? 'SELinux mount labels are not supported by hull yet' : `label "${linux.mountLabel}" given, but SELinux is not enabled on this host`);
  }
  if (linux.intelRdt) {
    throw new ConfigError('linux.intelRdt', hasResctrl() ? 'Intel RDT is not supported by hull yet' : 'Intel RDT requested, but resctrl is not mounted on this host (/sys/fs/resctrl)');
  }
}

const NS_FILE: Record<string, string> = { network: 'net', ipc: 'ipc', uts: 'uts' };

/** Whether a namespace file is the host's (pid 1's) or the runtime's own. */
function isHostNamespace(file: string, type: string): boolean {
  const same = (a: fs.Stats, b: fs.Stats) => a.dev === b.dev && a.ino === b.ino;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return false; // a missing path is refused where namespaces are joined
  }
  return [`/proc/1/ns/${NS_FILE[type]}`, `/proc/self/ns/${NS_FILE[type]}`].some((f) => {
    try {
      return same(st, fs.statSync(f));
    } catch {
      return false;
    }
  });
}

/** The namespace a sysctl belongs to, as validate.ts names them (net, ipc and uts only). */
function sysctlNamespace(name: string): string | undefined {
  const n = name.replaceAll('/', '.');
  if (n.startsWith('net.')) return 'network';
  if (n.startsWith('fs.mqueue.') || /^kernel\.(msg|sem|shm)/.test(n)) return 'ipc';
  if (n === 'kernel.hostname' || n === 'kernel.domainname') return 'uts';
  return undefined;
}

/**
 * A namespaced sysctl is written in the container's namespace; when that
 * namespace is joined by path and is the host's, the write would change the
 * host (runc: "sysctl %q not allowed in host network namespace").
 */
export function checkSysctlNamespaces(spec: Spec): void {
  const namespaces = spec.linux?.namespaces ?? [];
  // Setting them is a sethostname in the joined namespace (runc: "unable to set hostname without a private UTS namespace").
  const uts = namespaces.findIndex((n) => n.type === 'uts');
  for (const k of ['hostname', 'domainname'] as const) {
    if (spec[k] && uts >= 0 && namespaces[uts].path && isHostNamespace(namespaces[uts].path!, 'uts')) {
      throw new ConfigError(k, `setting ${JSON.stringify(spec[k])} needs a private uts namespace (linux.namespaces[${uts}].path ${namespaces[uts].path} is the host's)`);
    }
  }
  for (const name of Object.keys(spec.linux?.sysctl ?? {})) {
    const type = sysctlNamespace(name);
    if (!type) continue;
    const i = namespaces.findIndex((n) => n.type === type);
    const ns = namespaces[i];
    if (!ns?.path || !isHostNamespace(ns.path, type)) continue;
    const field = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `linux.sysctl.${name}` : `linux.sysctl[${JSON.stringify(name)}]`;
    throw new ConfigError(field, `sysctl ${JSON.stringify(name)} not allowed in host ${type} namespace (linux.namespaces[${i}].path ${ns.path} is the host's)`);
  }
}
